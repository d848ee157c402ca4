"""Four-category flags: raised by the judge or a leader, confirmed or dismissed by a leader in scope;
shown on the case page and as a filter of my cases; every step in the trace."""

from __future__ import annotations

import pytest
from django.test import Client

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from cases.models import Action
from supervision.models import Flag, Situation
from supervision.services import flag_decide, flag_raise

pytestmark = pytest.mark.django_db


def situation(code="M-01") -> Situation:
    return Situation.objects.get(code=code)


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_judge_flags_chief_confirms_and_the_trace_has_both(world):
    case = world.case()
    flag = flag_raise(actor=world.judge, case=case, situation=situation(), reason="涉外民事纠纷，社会关注度高")
    assert (flag.status, flag.situation_revision) == ("pending", 1)
    with pytest.raises(Conflict):  # one open flag per case and situation
        flag_raise(actor=world.chief, case=case, situation=situation(), reason="重复")
    flag = flag_decide(actor=world.chief, flag=flag, confirm=True)
    assert (flag.status, flag.decided_by) == ("confirmed", world.chief)
    trace = list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", "power_item_code"))
    assert trace[-2:] == [("four_category_flagged", "JUD-16"), ("four_category_confirmed", "CHF-13")]


def test_dismissal_needs_a_reason_and_a_leader_in_scope(world):
    case = world.case()
    flag = flag_raise(actor=world.filing, case=case, situation=situation("G-01"), reason="当事人众多")
    with pytest.raises(PowerDenied):
        flag_decide(actor=world.judge, flag=flag, confirm=False, reason="x")
    with pytest.raises(PowerDenied):
        flag_decide(actor=world.criminal_chief, flag=flag, confirm=True)  # another division
    with pytest.raises(ValidationFailed):
        flag_decide(actor=world.chief, flag=flag, confirm=False)
    flag = flag_decide(actor=world.president, flag=flag, confirm=False, reason="当事人虽多但诉求一致，不属群体性纠纷")
    assert flag.status == "dismissed"
    with pytest.raises(Conflict):
        flag_decide(actor=world.chief, flag=flag, confirm=True)
    # dismissed: the situation can be raised again later
    assert flag_raise(actor=world.judge, case=case, situation=situation("G-01"), reason="新情况").status == "pending"


def test_an_assistant_cannot_flag_and_a_reason_is_required(world):
    case = world.case()
    with pytest.raises(PowerDenied):
        flag_raise(actor=world.assistant, case=case, situation=situation(), reason="x")
    with pytest.raises(ValidationFailed):
        flag_raise(actor=world.judge, case=case, situation=situation(), reason=" ")
    assert not Flag.objects.exists()


def test_flags_on_the_case_page_and_in_my_cases(world):
    flagged = world.case()
    plain = world.case()
    judge = as_(world.judge)
    judge.post(f"/cases/{flagged.public_id}/flags/", {"situation": "C-01", "reason": "与上级法院类案裁判尺度不一"})
    page = judge.get(f"/cases/{flagged.public_id}/").content.decode()
    assert 'id="flag-C-01"' in page and "与上级法院类案裁判尺度不一" in page and "待确认" in page
    assert 'name="decision"' not in page  # the judge does not decide
    listing = judge.get("/cases/?filter=four_category").content.decode()
    assert flagged.case_number in listing and plain.case_number not in listing
    assert 'id="filter-four_category">四类案件 <span class="count">1</span>' in judge.get("/cases/").content.decode()
    flag = Flag.objects.get()
    chief = as_(world.chief)
    chief.post(f"/cases/{flagged.public_id}/flags/{flag.public_id}/", {"decision": "confirm"})
    flag.refresh_from_db()
    assert flag.status == "confirmed"
    assert (
        as_(world.other_judge)
        .post(f"/cases/{flagged.public_id}/flags/{flag.public_id}/", {"decision": "dismiss"})
        .status_code
        == 404
    )
