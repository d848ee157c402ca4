"""Discipline that follows the law (issue 19 item 1): the decision is bound by the committee's opinion through the
sanction rules (data, edited in the admin); dismissal bars case work the day it is decided; the documents are
written from the proceeding's final state with the recorded dates and the officer's name and number; the officer
sees the opinion and its reasoning but not who voted how; the stage is 听证 in the Chinese UI."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accountability.errors import PowerDenied
from accountability.models import RuleChange
from accountability.powers import power_decide
from cases import services as case_services
from discipline import services
from discipline.choices import Exemption
from discipline.models import Proceeding, Sanction, SanctionRule
from tests.conftest import client_for
from tests.test_discipline import EVERY_EXEMPTION, heard, panel, served  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=11)  # the objection window has closed


def final(world, panel, verdict: str, findings=None) -> Proceeding:  # noqa: F811 - the fixture's value
    """A proceeding whose opinion ``verdict`` is final (no objection within the window)."""
    proceeding = heard(world, panel)
    for member in panel[1][1:]:
        services.vote_cast(actor=member, proceeding=proceeding, opinion=verdict, reason=f"{member.name}的理由")
    services.opinion_give(
        actor=panel[1][1], proceeding=proceeding, reasons="委员会的理由", findings=findings or EVERY_EXEMPTION
    )
    services.opinion_serve(actor=panel[1][1], proceeding=proceeding)
    services.opinion_acknowledge(actor=world.judge, proceeding=proceeding)
    services.objection_file(actor=world.judge, proceeding=proceeding, text="异议")
    services.objection_decide(actor=panel[1][1], proceeding=proceeding, grant=False, reason="异议不成立")
    return Proceeding.objects.get(pk=proceeding.pk)


def untouched(proceeding: Proceeding, world) -> None:
    """Nothing was written: the stage, the version, the trace, the sanctions register and the officer's seat."""
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert (fresh.stage, fresh.version, fresh.trace_length) == (
        "opinion_final",
        proceeding.version,
        proceeding.trace_length,
    )
    assert not Sanction.objects.filter(proceeding=proceeding).exists()
    world.judge.refresh_from_db()
    assert world.judge.is_quota


# --- the decision is bound by the opinion --------------------------------------------------------------------


def test_ordinary_negligence_refuses_dismissal_and_quota_loss_naming_what_it_allows(world, panel):  # noqa: F811
    proceeding = final(world, panel, "ordinary_negligence")
    with pytest.raises(services.ExceedsOpinion) as refused:
        services.decision_make(
            actor=world.president,
            proceeding=proceeding,
            order=services.SanctionOrder("dismissal", ("quota_loss",)),
            text="给予开除处分，退出员额",
        )
    words = refused.value.message
    assert "存在一般过失" in words and "警告" in words and "诫勉谈话" in words and "开除" not in words
    assert (refused.value.code, refused.value.http_status) == ("exceeds_opinion", 422)
    assert refused.value.details["rule"]["opinion"] == "ordinary_negligence"
    untouched(proceeding, world)
    with pytest.raises(services.ExceedsOpinion) as measures:  # a lighter sanction, but with a personnel measure
        services.decision_make(
            actor=world.president,
            proceeding=proceeding,
            order=services.SanctionOrder("warning", ("quota_loss",)),
            text="警告并退出员额",
        )
    assert list(measures.value.details) == ["measures", "rule"]
    untouched(proceeding, world)
    services.decision_make(
        actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="给予警告处分"
    )
    assert Sanction.objects.get(proceeding=proceeding).kind == "warning"


def test_an_intentional_breach_requires_a_sanction_and_an_exemption_forbids_one(world, panel):  # noqa: F811
    proceeding = final(world, panel, "intentional")
    with pytest.raises(services.ExceedsOpinion) as refused:
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("none"), text="不予惩戒"
        )
    assert "构成故意违反职责" in refused.value.message and "应当给予处分" in refused.value.message
    untouched(proceeding, world)


def test_an_exemption_that_applies_means_no_sanction_whatever_the_opinion(world, panel):  # noqa: F811
    findings = [services.Finding(code, code == Exemption.NEW_EVIDENCE, "经审查") for code in Exemption.values]
    proceeding = final(world, panel, "gross_negligence", findings=findings)
    with pytest.raises(services.ExceedsOpinion) as refused:
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="警告"
        )
    assert "免责" in refused.value.message and "不予惩戒" in refused.value.message
    untouched(proceeding, world)
    services.decision_make(
        actor=world.president, proceeding=proceeding, order=services.SanctionOrder("none"), text="免责，不予惩戒"
    )


def test_the_rules_are_data_edited_in_the_admin_with_each_save_logged(world, panel, client):  # noqa: F811
    assert set(SanctionRule.objects.values_list("ground", flat=True)) == {
        "intentional",
        "gross_negligence",
        "ordinary_negligence",
        "no_breach",
        "exempted",
    }
    world.admin.user.is_staff = world.admin.user.is_superuser = True
    world.admin.user.save()
    client.force_login(world.admin.user)
    rule = SanctionRule.objects.get(ground="ordinary_negligence")
    page = client.get(f"/admin/discipline/sanctionrule/{rule.pk}/change/").content.decode()
    assert 'value="warning"' in page and "一般过失" in page
    response = client.post(
        f"/admin/discipline/sanctionrule/{rule.pk}/change/",
        {"kinds": ["none", "admonishment"], "legal_basis": "本院确认：一般过失只可诫勉谈话"},
    )
    assert response.status_code == 302
    assert SanctionRule.objects.get(pk=rule.pk).kinds == ["none", "admonishment"]
    assert RuleChange.objects.filter(table="discipline.SanctionRule", object_id=str(rule.pk)).exists()
    proceeding = final(world, panel, "ordinary_negligence")
    with pytest.raises(services.ExceedsOpinion):  # the warning the default rule allowed is now refused
        services.decision_make(
            actor=world.president, proceeding=proceeding, order=services.SanctionOrder("warning"), text="警告"
        )


def test_the_page_and_the_api_refuse_a_decision_beyond_the_opinion_and_write_nothing(world, panel, client):  # noqa: F811
    proceeding = final(world, panel, "ordinary_negligence")
    client.force_login(world.president.user)
    page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    assert 'id="rule"' in page and "存在一般过失" in page  # what the opinion allows, before deciding
    posted = client.post(
        f"/discipline/{proceeding.public_id}/",
        {
            "act": "decide",
            "kind": "dismissal",
            "measures": ["quota_loss"],
            "text": "给予开除处分",
            "expected_version": proceeding.version,
        },
        follow=True,
    )
    shown = [str(m) for m in posted.context["messages"]]
    assert len(shown) == 1 and "存在一般过失" in shown[0] and "警告" in shown[0]
    untouched(proceeding, world)

    api = client_for(world.president)
    answer = api.post(
        f"/api/proceedings/{proceeding.public_id}/acts/decide/",
        {"kind": "dismissal", "measures": ["quota_loss"], "text": "开除", "expected_version": proceeding.version},
        format="json",
    )
    body = answer.json()
    assert (answer.status_code, body["code"]) == (422, "exceeds_opinion")
    assert "存在一般过失" in body["message"] and body["details"]["kind"] == [body["message"]]
    assert body["details"]["rule"] == {
        "opinion": "ordinary_negligence",
        "kinds": ["none", "self_criticism", "admonishment", "criticism", "warning"],
        "measures": [],
    }
    untouched(proceeding, world)


# --- dismissal takes the officer's powers the day it is decided ----------------------------------------------


def test_dismissal_bars_case_work_the_same_day_and_a_review_that_softens_it_gives_it_back(world, panel):  # noqa: F811
    case = world.case()
    assert power_decide(officer=world.judge, action_type="hearing_held", case=case).allowed
    proceeding = final(world, panel, "gross_negligence")
    services.decision_make(
        actor=world.president, proceeding=proceeding, order=services.SanctionOrder("dismissal"), text="给予开除处分"
    )
    world.judge.refresh_from_db()
    assert not world.judge.is_quota  # a dismissed officer holds no seat
    refused = power_decide(officer=world.judge, action_type="hearing_held", case=case)
    assert (refused.allowed, refused.item.code) == (False, "JUD-X2") and "开除" in refused.reason
    with pytest.raises(PowerDenied):
        case_services.case_log_action(actor=world.judge, case=case, action_type="hearing_held")
    assert not case.actions.filter(action_type="hearing_held").exists()
    client = client_for(world.judge)  # the page of the proceeding says so, and the rights to challenge remain
    assert client.get(f"/discipline/{proceeding.public_id}/").context["dismissed"] is True

    services.review_request(actor=world.judge, proceeding=proceeding, reason="处分过重")
    services.review_decide(
        actor=world.president,
        proceeding=proceeding,
        outcome="changed",
        reason="改为警告",
        order=services.SanctionOrder("warning"),
    )
    world.judge.refresh_from_db()
    assert world.judge.is_quota
    assert power_decide(officer=world.judge, action_type="hearing_held", case=case).allowed


def test_a_suspended_officer_still_cannot_act(world, panel):  # noqa: F811
    case = world.case()
    proceeding = heard(world, panel)
    services.officer_suspend(actor=world.inspector, proceeding=proceeding, reason="不宜继续履职")
    with pytest.raises(PowerDenied):
        case_services.case_log_action(actor=world.judge, case=case, action_type="hearing_held")


# --- documents from the final state ---------------------------------------------------------------------------


def test_the_decision_document_after_a_review_states_it_with_its_date_and_the_final_sanction_only(world, panel, client):  # noqa: F811
    world.judge.user.username = "wangfaguan.login"  # a login name that is not the officer's number
    world.judge.user.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        proceeding = final(world, panel, "gross_negligence")
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        services.decision_make(
            actor=world.president,
            proceeding=proceeding,
            order=services.SanctionOrder("dismissal", ("quota_loss",)),
            text="给予开除处分，退出员额",
        )
    client.force_login(world.judge.user)
    url = f"/discipline/{proceeding.public_id}/documents/decision/"
    before = client.get(url).content.decode()
    assert "给予开除处分" in before and "处分：<strong>开除</strong>" in before and "申请复核" in before
    reviewed_at = start + dt.timedelta(days=9)
    with time_machine.travel(reviewed_at, tick=False):
        services.review_request(actor=world.judge, proceeding=proceeding, reason="处分过重")
        services.review_decide(
            actor=world.president,
            proceeding=proceeding,
            outcome="changed",
            reason="情节较轻，改为警告",
            order=services.SanctionOrder("warning"),
        )
    after = client.get(url).content.decode()
    reviewed_on = f"{timezone.localdate(reviewed_at):%Y}年{timezone.localdate(reviewed_at).month}月{timezone.localdate(reviewed_at).day}日"
    assert f"于 {reviewed_on} 作出复核决定：变更原处分。理由：情节较轻，改为警告" in after
    assert "现处分为：<strong>警告</strong>，期间 6 个月" in after
    assert "开除" not in after and "退出员额" not in after  # the final sanction only
    assert f'<span id="doc-date">{reviewed_on}</span>' in after  # dated the day of its last step, not today
    assert f"干警编号 {world.judge.officer_id}" in after and "wangfaguan.login" not in after
    assert "向上一级机关提出申诉" in after and "申请复核；" not in after  # what remains is an appeal
    page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    assert "已经复核或者申诉变更" in page  # the page says the decision's own words were superseded


def test_the_opinion_document_gives_the_day_the_hearing_was_held_not_scheduled(world, panel, client):  # noqa: F811
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        proceeding = served(world, panel)  # notice: hearing scheduled 7 days on; recorded the same day
    scheduled = Proceeding.objects.get(pk=proceeding.pk).hearing_on
    held = timezone.localdate(start)
    assert scheduled != held
    client.force_login(world.judge.user)
    opinion = client.get(f"/discipline/{proceeding.public_id}/documents/opinion/").content.decode()
    assert f'<span id="hearing-held-on">{held.year}年{held.month}月{held.day}日</span> 举行听证' in opinion
    assert f"{scheduled.year}年{scheduled.month}月{scheduled.day}日" not in opinion
    assert f"干警编号 {world.judge.officer_id}" in opinion


# --- the officer sees the opinion, not who voted how -----------------------------------------------------------


def test_the_officer_sees_the_opinion_and_its_reasoning_but_no_member_names_beside_votes(world, panel, client):  # noqa: F811
    proceeding = final(world, panel, "gross_negligence")
    names = [m.name for m in panel[1][1:]]
    client.force_login(world.judge.user)
    page = client.get(f"/discipline/{proceeding.public_id}/")
    html = page.content.decode()
    assert "存在重大过失" in html and "委员会的理由" in html  # the opinion and its reasoning
    votes = html[html.index('id="votes"') : html.index("</ul>", html.index('id="votes"'))]
    assert "存在重大过失：3 票" in votes and not any(name in votes for name in names)
    timeline = html[html.index('id="timeline"') :]
    assert "委员表决 · 一名委员" in timeline and not any(f"委员表决 · {name}" in timeline for name in names)
    assert not any(f"{name}的理由" in html for name in names)  # nor each member's own reasons
    assert "开庭审理" not in html and "听证" in html

    events = client_for(world.judge).get(f"/api/proceedings/{proceeding.public_id}/").json()["events"]
    votes_seen = [e for e in events if e["kind"] == "vote_cast"]
    assert len(votes_seen) == 3 and all(e["actor"] is None and e["payload"] == {} for e in votes_seen)

    client.force_login(panel[1][1].user)  # the committee sees who voted how
    member_page = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    assert all(f"{name}：存在重大过失" in member_page for name in names)
    member_events = client_for(world.inspector).get(f"/api/proceedings/{proceeding.public_id}/").json()["events"]
    assert {e["actor"] for e in member_events if e["kind"] == "vote_cast"} == {m.officer_id for m in panel[1][1:]}


def test_the_stage_is_called_a_hearing_in_chinese(world, panel, client):  # noqa: F811
    proceeding = heard(world, panel)
    client.force_login(world.judge.user)
    html = client.get(f"/discipline/{proceeding.public_id}/").content.decode()
    clock = html[html.index('id="stage-clock"') : html.index("</div>", html.index('id="stage-clock"'))]
    assert "已听证" in clock and "开庭" not in html
