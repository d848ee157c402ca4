"""Extensions of the time limit by the law (延长审限): a request by the lead judge, decided once, by the approver the
procedure rule names, within the statutory cap; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client as DjangoClient

from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Notification
from cases import services
from cases.extensions import (
    case_decide_extension,
    extension_pending,
    extension_request,
    extension_requests_to_decide,
    extension_terms,
)
from cases.models import Action, Case, CaseRequest
from tests.conftest import client_for
from tests.factories import make_officer

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 9, 1)
CIVIL_BASIS = "《中华人民共和国民事诉讼法》（2023年修正）第一百五十二条"
#: civil first instance, ordinary procedure, filed 2024-01-10 with 180 days: the limit ends 2024-07-08, and six
#: months more end 2025-01-08: 184 days
CAP = 184


def state(case: Case) -> tuple:
    """What a refused decision must leave exactly as it was."""
    fresh = Case.objects.get(pk=case.pk)
    requests = list(
        CaseRequest.objects.filter(case=case).order_by("pk").values_list("status", "version", "decided_by", "days")
    )
    return (
        fresh.extension_days,
        fresh.version,
        fresh.trace_length,
        fresh.trace_head,
        Action.objects.filter(case=case).count(),
        requests,
        Notification.objects.count(),
    )


def inbox(officer) -> list[str]:
    return list(Notification.objects.filter(recipient=officer).order_by("pk").values_list("message", flat=True))


def test_the_judge_asks_the_president_approves_and_the_clock_moves_by_exactly_the_days(world):
    case = world.case()
    before = case.time_limit_clock(TODAY)
    request = extension_request(
        actor=world.judge, case=case, days=60, reason="鉴定未完成", expected_version=case.version
    )
    assert (request.status, request.days, request.approver, request.requested_by) == (
        "pending",
        60,
        "president",
        world.judge,
    )
    asked = case.actions.get(action_type="extension_requested")
    assert (asked.note, asked.power_item_code, asked.payload) == (
        "鉴定未完成",
        "JUD-06",
        {"request": str(request.public_id), "days": 60, "tier": "first", "approver": "president"},
    )
    told = f"延长审限申请待您审批：案件{case.case_number}，{world.judge.name}申请延长60日。"
    assert (inbox(world.president), inbox(world.high_president), inbox(world.chief)) == ([told], [], [])

    decided = case_decide_extension(actor=world.president, request=request, approve=True, expected_version=1)
    case.refresh_from_db()
    after = case.time_limit_clock(TODAY)
    assert (after["limit"] - before["limit"], after["used"] - before["used"], case.extension_days) == (60, 0, 60)
    assert (decided.status, decided.decided_by, decided.version, case.version) == ("approved", world.president, 2, 3)
    approved = case.actions.get(action_type="extension_approved")
    assert (approved.payload, approved.power_item_code, approved.actor) == (
        {"request": str(request.public_id), "days": 60},
        "PRE-02",
        world.president,
    )
    assert inbox(world.judge) == [f"您对案件{case.case_number}的延长审限申请已获批准：延长60日。"]
    assert extension_pending(case) is None


def test_the_approver_may_grant_fewer_days_or_refuse_with_a_reason(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=90, reason="案情复杂")
    case_decide_extension(actor=world.president, request=request, approve=True, days=30)
    assert Case.objects.get(pk=case.pk).extension_days == 30
    second = extension_request(actor=world.judge, case=case, days=30, reason="仍需补充鉴定")
    with pytest.raises(ValidationFailed) as no_reason:
        case_decide_extension(actor=world.president, request=second, approve=False, note=" ")
    assert no_reason.value.details == {"note": ["请填写不批准的理由。"]}
    refused = case_decide_extension(actor=world.president, request=second, approve=False, note="理由不充分")
    assert (refused.status, refused.decision_note, Case.objects.get(pk=case.pk).extension_days) == (
        "refused",
        "理由不充分",
        30,
    )
    assert case.actions.get(action_type="extension_refused").payload == {"request": str(second.public_id)}
    assert inbox(world.judge)[-1] == f"您对案件{case.case_number}的延长审限申请未获批准：理由不充分"


def test_a_decision_without_a_pending_request_is_refused_and_changes_nothing(world):
    case = world.case()
    before = state(case)
    with pytest.raises(ValidationFailed) as refused:
        case_decide_extension(actor=world.president, request=extension_pending(case), approve=True, days=30)
    assert refused.value.message == "没有待审批的延长审限申请。"
    assert state(case) == before


def test_a_second_decision_on_the_same_request_is_refused_and_changes_nothing(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    case_decide_extension(actor=world.president, request=request, approve=True)
    before = state(case)
    for approve, note in ((True, ""), (False, "再议")):
        with pytest.raises(Conflict) as again:
            case_decide_extension(actor=world.president, request=request, approve=approve, note=note, days=30)
        assert (again.value.message, again.value.details) == (
            "该延长审限申请已经作出决定。",
            {"status": "approved", "current_version": 2},
        )
    assert state(case) == before
    assert Case.objects.get(pk=case.pk).extension_days == 30


def test_a_stale_request_version_is_a_conflict(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    before = state(case)
    with pytest.raises(Conflict) as stale:
        case_decide_extension(actor=world.president, request=request, approve=True, expected_version=7)
    assert stale.value.details == {"expected_version": 7, "current_version": 1}
    assert state(case) == before


def test_days_beyond_the_statutory_cap_are_refused_naming_the_cap(world):
    case = world.case()
    assert (extension_terms(case).cap_days, extension_terms(case).left_days) == (CAP, CAP)
    before = state(case)
    with pytest.raises(ValidationFailed) as asked_too_much:
        extension_request(actor=world.judge, case=case, days=CAP + 1, reason="案情复杂")
    message = f"最多还可延长{CAP}日：法律规定由本院院长批准可延长6个月（{CAP}日）（{CIVIL_BASIS}）。"
    assert asked_too_much.value.details == {"days": [message]}
    assert state(case) == before

    request = extension_request(actor=world.judge, case=case, days=100, reason="案情复杂")
    before = state(case)
    with pytest.raises(ValidationFailed) as granted_too_much:
        case_decide_extension(actor=world.president, request=request, approve=True, days=CAP + 10)
    assert granted_too_much.value.details == {"days": [message]}
    assert state(case) == before

    # the cap is cumulative over the first tier: after 100 days, 84 are left
    case_decide_extension(actor=world.president, request=request, approve=True)
    left = f"最多还可延长{CAP - 100}日：法律规定由本院院长批准可延长6个月（{CAP}日）（{CIVIL_BASIS}）。"
    before = state(case)
    with pytest.raises(ValidationFailed) as over:
        extension_request(actor=world.judge, case=case, days=CAP - 99, reason="仍需鉴定")
    assert over.value.details == {"days": [left]}
    assert state(case) == before
    assert extension_request(actor=world.judge, case=case, days=CAP - 100, reason="仍需鉴定").approver == "president"


def test_a_division_chief_cannot_decide_what_the_law_gives_the_president(world):
    vice = make_officer(
        "vice", roles=["judge", "vice_president"], organisation=world.court, is_quota=True, name="副院长"
    )
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    before = state(case)
    for officer in (world.chief, vice):
        with pytest.raises(PowerDenied) as refused:
            case_decide_extension(actor=officer, request=request, approve=True)
        assert refused.value.message == f"依照{CIVIL_BASIS}，本次延长审限应由上海市黄浦区人民法院院长批准。"
        assert refused.value.details == {
            "action_type": "extension_approved",
            "approver": "president",
            "legal_basis": CIVIL_BASIS,
        }
    with pytest.raises(PowerDenied):  # nor the judge, whom the power list does not allow at all
        case_decide_extension(actor=world.judge, request=request, approve=False, note="x")
    assert state(case) == before


def test_a_further_extension_goes_to_the_court_above_and_not_to_the_courts_own_president(world):
    case = world.case()
    first = extension_request(actor=world.judge, case=case, days=CAP, reason="案情复杂")
    case_decide_extension(actor=world.president, request=first, approve=True)
    terms = extension_terms(Case.objects.get(pk=case.pk))
    assert (terms.tier, terms.approver, terms.left_days) == ("further", "higher_court", None)

    further = extension_request(actor=world.judge, case=case, days=60, reason="仍需鉴定")
    assert further.approver == "higher_court"
    assert inbox(world.high_president) == [f"延长审限申请待您审批：案件{case.case_number}，王法官申请延长60日。"]
    assert [r.pk for r in extension_requests_to_decide(world.high_president)] == [further.pk]
    assert list(extension_requests_to_decide(world.president)) == []
    before = state(case)
    with pytest.raises(PowerDenied) as own_president:
        case_decide_extension(actor=world.president, request=further, approve=True)
    assert own_president.value.message == f"依照{CIVIL_BASIS}，本次延长审限应由上海市高级人民法院院长批准。"
    assert state(case) == before

    case_decide_extension(actor=world.high_president, request=further, approve=True)
    case.refresh_from_db()
    assert case.extension_days == CAP + 60
    assert case.actions.filter(action_type="extension_approved").last().power_item_code == "PRE-22"


def test_a_case_the_law_does_not_let_extend_is_refused(world):
    case = world.case(case_type="administrative", track="summary", time_limit_days=45)
    before = state(case)
    with pytest.raises(ValidationFailed) as refused:
        extension_request(actor=world.judge, case=case, days=10, reason="案情复杂")
    assert refused.value.details == {
        "days": ["本类案件审限不得延长（《中华人民共和国行政诉讼法》（2017年修正）第八十三条）。"]
    }
    assert state(case) == before


def test_only_one_pending_request_and_only_the_lead_judge_asks(world):
    case = world.case()
    extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    before = state(case)
    with pytest.raises(Conflict) as second:
        extension_request(actor=world.judge, case=case, days=10, reason="再次申请")
    assert second.value.message == "本案已有待审批的延长审限申请。"
    with pytest.raises(PowerDenied):  # on the panel, not the lead
        extension_request(actor=world.judge2, case=case, days=10, reason="x")
    with pytest.raises(ValidationFailed) as bare:  # no longer logged as a bare action
        services.case_log_action(actor=world.judge, case=case, action_type="extension_requested")
    assert bare.value.details == {"action_type": ["该类操作不能直接记录。"]}
    assert state(case) == before


def test_a_request_needs_a_reason_and_positive_days_and_a_current_case_version(world):
    case = world.case()
    before = state(case)
    with pytest.raises(ValidationFailed) as no_reason:
        extension_request(actor=world.judge, case=case, days=30, reason="  ")
    with pytest.raises(ValidationFailed) as no_days:
        extension_request(actor=world.judge, case=case, days=0, reason="鉴定未完成")
    with pytest.raises(Conflict):
        extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成", expected_version=case.version + 1)
    assert (no_reason.value.details, no_days.value.details) == (
        {"reason": ["请说明申请延长审限的理由。"]},
        {"days": ["请填写申请延长的天数（正整数）。"]},
    )
    assert state(case) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_approvals_of_one_request_exactly_one_succeeds(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def approve() -> None:
        try:
            barrier.wait()
            case_decide_extension(actor=world.president, request=request, approve=True, expected_version=1)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 9 + ["ok"]
    case.refresh_from_db()
    assert case.extension_days == 30
    assert case.actions.filter(action_type="extension_approved").count() == 1
    assert CaseRequest.objects.get(pk=request.pk).version == 2


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("judge", 201), ("judge2", 403), ("clerk", 403), ("chief", 403), ("president", 403), ("other_judge", 404)],
)
def test_who_may_ask_for_an_extension_through_the_api(world, who, status):
    case = world.case()
    response = client_for(getattr(world, who)).post(
        f"/api/cases/{case.public_id}/extension-requests/", {"days": 30, "reason": "鉴定未完成"}, format="json"
    )
    assert response.status_code == status
    assert CaseRequest.objects.filter(case=case).count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("who", "status"),
    [("president", 200), ("high_president", 403), ("chief", 403), ("judge", 403), ("other_chief", 404)],
)
def test_who_may_decide_an_extension_through_the_api(world, who, status):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    response = client_for(getattr(world, who)).post(
        f"/api/case-requests/{request.public_id}/decision/", {"approve": True}, format="json"
    )
    assert response.status_code == status
    assert Case.objects.get(pk=case.pk).extension_days == (30 if status == 200 else 0)


def test_the_api_shapes_and_the_schema(world):
    case = world.case()
    client = client_for(world.judge)
    url = f"/api/cases/{case.public_id}/extension-requests/"
    missing = client.post(url, {"days": 0}, format="json")
    assert (missing.status_code, sorted(missing.json()["details"])) == (400, ["days", "reason"])
    stale = client.post(url, {"days": 30, "reason": "鉴定未完成", "expected_version": 9}, format="json")
    assert (stale.status_code, stale.json()["details"]) == (409, {"expected_version": 9, "current_version": 2})
    created = client.post(url, {"days": 30, "reason": "鉴定未完成", "expected_version": 2}, format="json").json()
    request = CaseRequest.objects.get()
    assert created == {
        "id": str(request.public_id),
        "case": str(case.public_id),
        "case_number": case.case_number,
        "kind": "extension",
        "status": "pending",
        "days": 30,
        "reason": "鉴定未完成",
        "approver": "president",
        "requested_by": "judge",
        "requested_by_name": "王法官",
        "created_at": created["created_at"],
        "decided_by": None,
        "decided_by_name": None,
        "decided_at": None,
        "decision_note": "",
        "version": 1,
    }
    refuse = client_for(world.president).post(
        f"/api/case-requests/{request.public_id}/decision/", {"approve": False}, format="json"
    )
    assert (refuse.status_code, refuse.json()["details"]) == (400, {"note": ["请填写不批准的理由。"]})
    listed = client.get(url).json()
    assert [r["id"] for r in listed] == [str(request.public_id)]
    schema = client.get("/api/schema/").content.decode()
    assert "/api/cases/{id}/extension-requests/" in schema
    assert "/api/case-requests/{id}/decision/" in schema


# --- the case page ---------------------------------------------------------------------------------------------


def page(officer, case) -> str:
    return browser(officer).get(f"/cases/{case.public_id}/").content.decode()


def browser(officer) -> DjangoClient:
    client = DjangoClient()
    client.force_login(officer.user)
    return client


def test_the_lead_judge_asks_on_the_case_page_and_the_president_decides_there(world):
    case = world.case()
    html = page(world.judge, case)
    assert 'id="extension-request-form"' in html
    assert f"下一次延长期限由上海市黄浦区人民法院院长审批，最多还可延长{CAP}日。" in html
    assert 'id="extension-request-form"' not in page(world.judge2, case)  # on the panel, not the lead

    judge = browser(world.judge)
    asked = judge.post(
        f"/cases/{case.public_id}/extension/request/",
        {"days": "45", "reason": "等待鉴定意见", "version": str(case.version)},
        follow=True,
    )
    assert asked.redirect_chain == [(f"/cases/{case.public_id}/", 302)]
    assert "已申请延长审限45日，由上海市黄浦区人民法院院长审批。" in asked.content.decode()
    request = CaseRequest.objects.get(case=case)

    for officer in (world.chief, world.judge):  # they see the request, not the decision form
        html = page(officer, case)
        assert "王法官申请延长45日" in html and 'id="extension-decide-form"' not in html
    html = page(world.president, case)
    assert 'id="extension-decide-form"' in html and "等待鉴定意见" in html

    # a division chief who posts anyway is refused, naming the law, and nothing changes
    before = state(case)
    refused = browser(world.chief).post(
        f"/cases/{case.public_id}/extension/decision/",
        {"request": str(request.public_id), "decision": "approve", "days": "45", "version": "1"},
        follow=True,
    )
    assert f"依照{CIVIL_BASIS}，本次延长审限应由上海市黄浦区人民法院院长批准。" in refused.content.decode()
    assert state(case) == before

    decided = browser(world.president).post(
        f"/cases/{case.public_id}/extension/decision/",
        {"request": str(request.public_id), "decision": "approve", "days": "40", "version": "1"},
        follow=True,
    )
    html = " ".join(decided.content.decode().split())
    assert "已批准延长审限：延长40日。" in html
    assert '王法官申请延长45日 · <span class="ok">周院长批准延长40日</span>' in html
    assert Case.objects.get(pk=case.pk).extension_days == 40


def test_a_decision_posted_without_a_pending_request_says_so(world):
    case = world.case()
    before = state(case)
    response = browser(world.president).post(
        f"/cases/{case.public_id}/extension/decision/", {"decision": "approve", "days": "30"}, follow=True
    )
    assert "没有待审批的延长审限申请。" in response.content.decode()
    assert state(case) == before


def test_the_page_says_when_the_law_allows_no_extension(world):
    case = world.case(case_type="administrative", track="summary", time_limit_days=45)
    html = page(world.judge, case)
    assert "本类案件审限不得延长。" in html and 'id="extension-request-form"' not in html


def test_the_requests_inbox_lists_an_extension_for_its_approver_only_and_decides_it(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=45, reason="等待鉴定意见")
    html = browser(world.president).get("/cases/requests/").content.decode()
    assert f'id="request-{request.public_id}"' in html
    assert 'name="days" min="1" value="45"' in html  # the days granted, asked for by default
    for officer in (world.chief, world.high_president):
        assert f'id="request-{request.public_id}"' not in browser(officer).get("/cases/requests/").content.decode()
    browser(world.president).post(
        f"/cases/requests/{request.public_id}/decision/",
        {"decision": "approve", "days": "20", "version": "1", "next": "/cases/requests/"},
    )
    decided = CaseRequest.objects.get(pk=request.pk)
    assert (decided.status, decided.granted_days, Case.objects.get(pk=case.pk).extension_days) == ("approved", 20, 20)
