"""Supervision kept inside its bounds (法发〔2021〕30号, DOMAIN.md §4 and §11): a leader's individual supervision
acts are allowed only on a case with a pending or confirmed four-category flag; elsewhere a negative item naming
the rule refuses them, nothing reaches the trace, and the attempt is kept in the security audit. Managing the
whole (the inbox of alerts, deciding flags, escalation, reminders) stays open."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accountability.errors import PowerDenied
from accountability.models import AuditEvent, PowerItem
from accountability.powers import decision_facts, power_decide
from cases.models import Action, Case
from supervision import services as supervision
from supervision.models import Flag, Referral, Situation, SupervisionTask
from supervision.selectors import alerts_for_leader
from tests.conftest import client_for
from tests.factories import make_officer

pytestmark = pytest.mark.django_db

RULE = "不得对非“四类案件”进行个案监督（法发〔2021〕30号）"
#: act → (its action type, the number of its negative item, the number of the positive item that allows it)
ACTS = {
    "comment": ("supervision_comment", "N3", "04"),
    "report": ("progress_report_required", "N4", "05"),
    "search": ("similar_search_required", "N5", "06"),
    "refer": ("referred_to_committee", "N6", "07"),
    "outcome": ("committee_outcome_recorded", "N7", "15"),
}
LEADERS = {"president": "PRE", "chief": "CHF"}


def trace(case: Case) -> list[tuple[str, str]]:
    return list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", "power_item_code"))


def act(name: str, leader, case: Case, today: dt.date):
    """One supervision act through its service, as the inbox and the case page call it."""
    due = today + dt.timedelta(days=5)
    if name == "comment":
        return supervision.supervision_comment(actor=leader, case=case, comment="请说明合议分歧")
    if name in ("report", "search"):
        kind = "progress_report" if name == "report" else "similar_search"
        return supervision.task_require(actor=leader, case=case, kind=kind, instructions="请于期限前报告", due_on=due)
    if name == "refer":
        return supervision.referral_create(actor=leader, case=case, body="judges_meeting", reason="法律适用分歧")
    # a referral made while the case was under supervision (or before the rule), awaiting its outcome
    referral = Referral.objects.create(case=case, body="judges_meeting", reason="法律适用分歧", referred_by=leader)
    return supervision.referral_record_outcome(actor=leader, referral=referral, outcome="多数意见：维持原合议意见")


def flag(world, case: Case, code: str = "M-02") -> Flag:
    return supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code=code), reason="争议大"
    )


def risk_point(case: Case) -> Flag:
    """The nightly rules raise "pending over twelve months" on the case (filed in January 2024)."""
    (raised,) = supervision.detect_for_case(case.pk, situations=[Situation.objects.get(code="RP-03")])
    return raised


def refusals(case: Case) -> list[tuple[str, str, str, str]]:
    rows = AuditEvent.objects.filter(object_type="case", object_id=str(case.public_id), outcome="refused")
    return [(e.kind, e.username, e.detail["action_type"], e.detail["item_code"]) for e in rows.order_by("pk")]


def assert_refused(name: str, leader, case: Case, today: dt.date, code: str) -> None:
    before = trace(case)
    tasks, referrals = SupervisionTask.objects.count(), Referral.objects.exclude(outcome_recorded_at=None).count()
    audited = len(refusals(case))
    with pytest.raises(PowerDenied) as caught:
        act(name, leader, case, today)
    assert caught.value.details["item_code"] == code
    assert caught.value.details["item_title"].startswith(RULE)
    assert "法发〔2021〕30号" in caught.value.details["legal_basis"]
    assert trace(case) == before
    assert SupervisionTask.objects.count() == tasks
    assert Referral.objects.exclude(outcome_recorded_at=None).count() == referrals
    assert len(refusals(case)) == audited + 1
    assert refusals(case)[-1] == ("privileged", leader.user.username, ACTS[name][0], code)


# --- the power fact ---------------------------------------------------------------------------------------


def test_is_four_category_holds_for_a_pending_or_confirmed_four_category_flag_only(world):
    case = world.case()

    def fact() -> bool:
        return decision_facts(officer=world.president, case=Case.objects.get(pk=case.pk))["case.is_four_category"]

    assert fact() is False
    alert = risk_point(case)
    assert fact() is False  # a risk point is managed as a whole, not supervised case by case
    supervision.flag_decide(actor=world.chief, flag=alert, confirm=True)
    assert fact() is False
    pending = flag(world, case)
    assert fact() is True
    supervision.flag_decide(actor=world.chief, flag=pending, confirm=True)
    assert fact() is True
    other = world.case()
    dismissed = flag(world, other)
    supervision.flag_decide(actor=world.chief, flag=dismissed, confirm=False, reason="事实清楚，不属重大疑难")
    assert decision_facts(officer=world.chief, case=other)["case.is_four_category"] is False
    assert decision_facts(officer=world.chief, case=Case(organisation=world.court))["case.is_four_category"] is False


def test_the_negative_items_name_the_rule_for_every_leader_role():
    items = PowerItem.objects.filter(code__regex=r"^(CHF|PRE|VPR)-N[3-7]$").order_by("code")
    assert [(i.code, i.action_type, i.effect, i.is_active) for i in items] == [
        (f"{prefix}-{number}", action_type, "deny", True)
        for prefix in ("CHF", "PRE", "VPR")
        for action_type, number, _ in ACTS.values()
    ]
    for item in items:
        assert item.title.startswith(RULE), item.code
        assert item.conditions == {"field": "case.is_four_category", "op": "eq", "value": False}
        assert "法发〔2021〕30号" in item.legal_basis
        assert item.revisions.get().snapshot["code"] == item.code


# --- each act, for a president and a division chief ------------------------------------------------------


@pytest.mark.parametrize("leader", LEADERS)
@pytest.mark.parametrize("name", ACTS)
def test_an_act_is_refused_off_the_four_categories_and_allowed_on_them(world, today, leader, name):
    officer, prefix = getattr(world, leader), LEADERS[leader]
    action_type, refusing, allowing = ACTS[name]
    case = world.case()
    assert_refused(name, officer, case, today, f"{prefix}-{refusing}")

    pending = flag(world, case)
    act(name, officer, case, today)
    assert trace(case)[-1] == (action_type, f"{prefix}-{allowing}")
    supervision.flag_decide(actor=world.chief, flag=pending, confirm=True)
    act(name, officer, case, today)
    assert trace(case)[-1] == (action_type, f"{prefix}-{allowing}")

    dismissed = world.case()
    supervision.flag_decide(actor=world.chief, flag=flag(world, dismissed), confirm=False, reason="不属四类案件")
    assert_refused(name, officer, dismissed, today, f"{prefix}-{refusing}")


@pytest.mark.parametrize("name", ACTS)
def test_a_case_with_only_a_risk_point_is_refused(world, today, name):
    case = world.case()
    risk_point(case)
    assert_refused(name, world.chief, case, today, f"CHF-{ACTS[name][1]}")


def test_a_vice_president_and_a_higher_court_president_are_bounded_alike(world):
    vice = make_officer("vice", roles=["vice_president"], organisation=world.court, post="vice_president")
    case = world.case()
    for officer, code in ((vice, "VPR-N3"), (world.high_president, "PRE-N3")):
        decision = power_decide(officer=officer, action_type="supervision_comment", case=case)
        assert (decision.allowed, decision.item_code) == (False, code)
    flag(world, case)
    case = Case.objects.get(pk=case.pk)
    for officer, code in ((vice, "VPR-04"), (world.high_president, "PRE-04")):
        decision = power_decide(officer=officer, action_type="supervision_comment", case=case)
        assert (decision.allowed, decision.item_code) == (True, code)


def test_a_refusal_out_of_scope_is_recorded_too_without_an_item(world, today):
    case = world.case()
    flag(world, case)
    with pytest.raises(PowerDenied):
        act("comment", world.criminal_chief, case, today)
    assert refusals(case) == [("privileged", "criminal_chief", "supervision_comment", None)]


def test_the_audit_row_names_the_officer_the_case_and_the_item(world, today):
    case = world.case()
    with pytest.raises(PowerDenied):
        act("report", world.president, case, today)
    event = AuditEvent.objects.get(object_type="case", outcome="refused")
    assert (event.kind, event.user, event.object_id) == ("privileged", world.president.user, str(case.public_id))
    item = PowerItem.objects.get(code="PRE-N4")
    assert event.detail == {
        "officer": "president",
        "case_number": case.case_number,
        "action_type": "progress_report_required",
        "item_code": "PRE-N4",
        "item_revision": item.revision,
        "reason": f"权责清单事项 PRE-N4 不允许：{item.title}",
        "source": "web",
    }


@pytest.mark.django_db(transaction=True)
def test_the_audit_row_outlives_the_rollback_of_the_refused_act(world, today):
    """No test transaction around it: the act's own transaction is rolled back, the audit row is committed."""
    assert not connection.in_atomic_block
    case = world.case()
    length = Case.objects.get(pk=case.pk).trace_length
    with pytest.raises(PowerDenied):
        act("search", world.chief, case, today)
    assert refusals(case) == [("privileged", "chief", "similar_search_required", "CHF-N5")]
    assert Case.objects.get(pk=case.pk).trace_length == length
    assert not SupervisionTask.objects.exists()


# --- in the browser ------------------------------------------------------------------------------------


def test_the_case_page_offers_supervision_only_on_a_four_category_case(world):
    case = world.case()
    page = client_for(world.president).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="sup-comment"' not in page
    flag(world, case)
    page = client_for(world.president).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="sup-comment"' in page


def test_the_inbox_offers_individual_acts_only_on_alerts_of_four_category_cases(world):
    """A risk point alone gets the bounds explained, not forms that would be refused; once the same case is
    flagged as a four-category case, its risk point too offers the acts."""
    case = world.case()
    alert = risk_point(case)
    chief = client_for(world.chief)
    card = alert_card(chief.get(reverse("supervision:inbox")).content.decode(), alert)
    assert 'name="act" value="comment"' not in card and 'value="report"' not in card and 'value="refer"' not in card
    assert f'id="bounds-{alert.public_id}"' in card and "个案监督仅限于四类案件" in card
    assert 'value="dismiss"' in card  # deciding the alert itself stays open
    four = flag(world, case)
    page = chief.get(reverse("supervision:inbox")).content.decode()
    for shown in (alert, four):
        card = alert_card(page, shown)
        assert 'name="act" value="comment"' in card and f'id="bounds-{shown.public_id}"' not in card


def alert_card(page: str, alert: Flag) -> str:
    start = page.index(f'id="alert-{alert.public_id}"')
    return page[start : page.index("</article>", start)]


def test_a_comment_posted_on_a_plain_case_is_refused_naming_the_rule(world):
    case = world.case()
    before = trace(case)
    response = client_for(world.president).post(
        reverse("supervision:supervise", args=[case.public_id]),
        {"act": "comment", "comment": "请尽快结案"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"权责清单事项 PRE-N3 不允许：{RULE}：提出书面监督意见"]
    assert trace(case) == before
    assert refusals(case) == [("privileged", "president", "supervision_comment", "PRE-N3")]


# --- managing the whole stays open -----------------------------------------------------------------------


def test_alerts_deciding_flags_escalation_and_reminders_stay_open(world, today):
    plain = world.case()
    alert = risk_point(plain)
    assert alert.pk in set(alerts_for_leader(world.chief.user, "all").values_list("pk", flat=True))
    inbox = client_for(world.chief).get(reverse("supervision:inbox")).content.decode()
    assert f'id="alert-{alert.public_id}"' in inbox and plain.case_number in inbox
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=10), tick=False):
        assert supervision.escalate_overdue() == 1
    assert trace(plain)[-1] == ("alert_escalated", "")
    supervision.flag_decide(actor=world.chief, flag=alert, confirm=False, reason="已督促承办人加快审理")
    assert Flag.objects.get(pk=alert.pk).status == "dismissed"

    case = world.case()
    pending = flag(world, case)
    supervision.flag_decide(actor=world.president, flag=pending, confirm=True)
    assert trace(case)[-1] == ("four_category_confirmed", "PRE-13")
    task = act("report", world.chief, case, today)
    with time_machine.travel(dt.datetime.combine(today + dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC), tick=False):
        assert supervision.remind_overdue_tasks() == 1
    assert SupervisionTask.objects.get(pk=task.pk).overdue_notified_at is not None
    assert not AuditEvent.objects.filter(outcome="refused").exists()


def test_the_migration_deactivates_the_items_backwards_and_restores_them_forwards(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accountability.migrations.0022_supervision_within_four_categories")
    case = world.case()
    migration.backwards(apps, None)
    assert power_decide(officer=world.president, action_type="supervision_comment", case=case).item_code == "PRE-04"
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # idempotent: nothing changed, no new revision
    refused = power_decide(officer=world.president, action_type="supervision_comment", case=case)
    assert (refused.allowed, refused.item_code, refused.item.revision) == (False, "PRE-N3", 3)
    item = PowerItem.objects.get(code="PRE-N3")
    assert list(item.revisions.values_list("revision", "snapshot__is_active")) == [(1, True), (2, False), (3, True)]
