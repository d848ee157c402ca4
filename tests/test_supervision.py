"""Supervision in the open: the inbox and its scope, each supervision act in the trace, bad input refused
with nothing changed, escalation by working days, overdue reports, and no way for a leader to change the
panel's decision or sign its ruling."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accountability.errors import PowerDenied, ValidationFailed
from accountability.models import Notification
from accountability.powers import power_decide
from cases import services
from cases.models import Action, Case
from supervision import services as supervision
from supervision.models import Flag, Referral, Situation, SupervisionTask
from supervision.selectors import alerts_for_leader, inbox_counts
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def trace(case: Case) -> list[str]:
    return list(Action.objects.filter(case=case).order_by("seq").values_list("action_type", flat=True))


def flagged(world, code="M-02", **kwargs) -> tuple[Case, Flag]:
    case = world.case(**kwargs)
    actor = world.judge if case.organisation == world.court else world.other_chief
    if case.department == world.criminal:
        actor = world.president
    flag = supervision.flag_raise(actor=actor, case=case, situation=Situation.objects.get(code=code), reason="争议大")
    return case, flag


# --- the inbox ----------------------------------------------------------------------------------------


def test_inbox_scope_matrix(world):
    civil_case, civil_flag = flagged(world)
    criminal_case, criminal_flag = flagged(world, department=world.criminal, lead_officer=None)
    _, foreign_flag = flagged(world, organisation=world.other_court, department=world.other_civil)
    expected = {
        "chief": {civil_flag.pk},
        "criminal_chief": {criminal_flag.pk},
        "president": {civil_flag.pk, criminal_flag.pk},
        "high_president": set(),  # a lower court's alerts reach the high court only when escalated there
        "other_chief": {foreign_flag.pk},
        "judge": set(),
        "inspector": set(),
    }
    for name, flags in expected.items():
        user = getattr(world, name).user
        assert set(alerts_for_leader(user, "all").values_list("pk", flat=True)) == flags, name
    Flag.objects.filter(pk=civil_flag.pk).update(escalation_level=2)
    assert set(alerts_for_leader(world.high_president.user, "all").values_list("pk", flat=True)) == {civil_flag.pk}


def test_inbox_page_shows_alerts_with_their_explanation_and_refuses_non_leaders(world):
    case, flag = flagged(world)
    page = client_for(world.chief).get(reverse("supervision:inbox"))
    body = page.content.decode()
    assert f'id="alert-{flag.public_id}"' in body and case.case_number in body and "争议大" in body
    assert client_for(world.judge).get(reverse("supervision:inbox")).status_code == 403
    assert client_for(world.criminal_chief).get(reverse("supervision:inbox")).content.decode().count("alert-card") == 0


def test_inbox_orders_escalated_first_then_by_deadline(world):
    _, late = flagged(world, code="M-02")
    _, early = flagged(world, code="M-03")
    _, escalated = flagged(world, code="M-04")
    Flag.objects.filter(pk=late.pk).update(act_by=FRIDAY + dt.timedelta(days=5))
    Flag.objects.filter(pk=early.pk).update(act_by=FRIDAY)
    Flag.objects.filter(pk=escalated.pk).update(escalation_level=1, act_by=FRIDAY + dt.timedelta(days=9))
    order = list(alerts_for_leader(world.president.user).values_list("pk", flat=True))
    assert order == [escalated.pk, early.pk, late.pk]
    assert inbox_counts(world.president.user) == {"pending": 3, "escalated": 1, "supervising": 0, "tasks": 0}


def test_inbox_query_count_is_constant(world, django_assert_max_num_queries):
    client = client_for(world.president)
    for _ in range(2):
        flagged(world, code="M-02")
    client.get(reverse("supervision:inbox"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("supervision:inbox"))
    for code in ("M-03", "M-04", "M-10", "C-02"):
        flagged(world, code=code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("supervision:inbox"))


# --- the acts, end to end in the browser's forms -------------------------------------------------------


def test_president_confirms_requires_a_report_judge_files_it_president_refers_and_records_outcome(world, today):
    case, flag = flagged(world)
    president, judge = client_for(world.president), client_for(world.judge)
    url = reverse("supervision:supervise", args=[case.public_id])
    president.post(url, {"act": "confirm", "flag": flag.public_id, "version": flag.version})
    due = (today + dt.timedelta(days=7)).isoformat()
    president.post(url, {"act": "report", "flag": flag.public_id, "due_on": due, "instructions": "报告合议情况"})
    task = SupervisionTask.objects.get(case=case)
    assert (task.assignee, task.status, task.required_by) == (world.judge, "open", world.president)
    case_link = reverse("cases:detail", args=[case.public_id])
    assert Notification.objects.filter(recipient=world.judge, link=case_link).exists()
    page = judge.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert f'id="report-{task.public_id}"' in page
    judge.post(
        reverse("supervision:task-report", args=[case.public_id, task.public_id]),
        {"report": "已合议两次，意见分歧在于违约金标准", "version": task.version},
    )
    task.refresh_from_db()
    assert (task.status, task.response) == ("done", "已合议两次，意见分歧在于违约金标准")
    president.post(
        url, {"act": "refer", "flag": flag.public_id, "body": "adjudication_committee", "reason": "法律适用分歧"}
    )
    referral = Referral.objects.get(case=case)
    president.post(
        reverse("supervision:referral-outcome", args=[case.public_id, referral.public_id]),
        {"outcome": "审委会讨论决定：按合同约定标准计算", "version": referral.version},
    )
    president.post(url, {"act": "comment", "comment": "请严格按审委会决定制作裁判文书"})
    assert trace(case)[-7:] == [
        "four_category_flagged",
        "four_category_confirmed",
        "progress_report_required",
        "progress_reported",
        "referred_to_committee",
        "committee_outcome_recorded",
        "supervision_comment",
    ]
    items = dict(Action.objects.filter(case=case).values_list("action_type", "power_item_code"))
    assert items["progress_reported"] == "JUD-17" and items["committee_outcome_recorded"] == "PRE-15"
    assert Notification.objects.filter(recipient=world.president, link=case_link).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"act": "report", "due_on": "2020-01-01", "instructions": "x"}, "due_on"),
        ({"act": "report", "due_on": "", "instructions": "x"}, "due_on"),
        ({"act": "report", "due_on": "2099-01-01", "instructions": " "}, "instructions"),
        ({"act": "refer", "body": "adjudication_committee", "reason": ""}, "reason"),
        ({"act": "refer", "body": "party_committee", "reason": "x"}, "body"),
        ({"act": "comment", "comment": ""}, "comment"),
    ],
)
def test_bad_supervision_input_is_refused_and_nothing_changes(world, data, field):
    case, _ = flagged(world)
    before = trace(case)
    response = client_for(world.president).post(
        reverse("supervision:supervise", args=[case.public_id]), data, follow=True
    )
    assert "error" in [m.tags for m in response.context["messages"]]
    assert trace(case) == before
    assert not SupervisionTask.objects.exists() and not Referral.objects.exists()
    kind = {"report": "progress_report", "refer": None, "comment": None}[data["act"]]
    with pytest.raises(ValidationFailed) as caught:
        if kind:
            supervision.task_require(
                actor=world.president,
                case=case,
                kind=kind,
                instructions=data["instructions"],
                due_on=dt.date.fromisoformat(data["due_on"]) if data["due_on"] else None,
            )
        elif data["act"] == "refer":
            supervision.referral_create(actor=world.president, case=case, body=data["body"], reason=data["reason"])
        else:
            supervision.supervision_comment(actor=world.president, case=case, comment=data["comment"])
    assert field in caught.value.details


def test_a_leader_out_of_scope_cannot_confirm_or_supervise(world, today):
    case, flag = flagged(world)
    before = trace(case)
    for outsider in (world.criminal_chief, world.other_chief, world.judge2):
        with pytest.raises(PowerDenied):
            supervision.flag_decide(actor=outsider, flag=flag, confirm=True)
        with pytest.raises(PowerDenied):
            supervision.task_require(
                actor=outsider, case=case, kind="progress_report", instructions="x", due_on=today + dt.timedelta(days=3)
            )
    # out of scope in the browser: the case itself is not found
    response = client_for(world.other_chief).post(
        reverse("supervision:supervise", args=[case.public_id]), {"act": "confirm", "flag": flag.public_id}
    )
    assert response.status_code == 404
    assert trace(case) == before
    assert Flag.objects.get(pk=flag.pk).status == "pending"


# A similar-case search task is done when a report is attached: tests/test_similar.py.


# --- a leader can never decide for the panel ----------------------------------------------------------


def test_no_leader_can_change_the_panels_decision_or_sign_its_ruling(world):
    case = world.case()
    for leader, code in ((world.president, "PRE-N"), (world.chief, "CHF-N"), (world.high_president, "PRE-N")):
        refused = power_decide(officer=leader, action_type="panel_decision_changed", case=case)
        assert not refused.allowed and refused.item.code == f"{code}1"
        refused = power_decide(officer=leader, action_type="ruling_signed", case=case)
        assert not refused.allowed and refused.item.code.startswith(code)
    # through the service, the browser and the API alike
    with pytest.raises(PowerDenied) as caught:
        services.case_log_action(actor=world.president, case=case, action_type="ruling_signed")
    assert caught.value.details["item_code"] == "PRE-N2"
    api = client_for(world.president).post(
        f"/api/cases/{case.public_id}/actions/",
        {"action_type": "ruling_signed", "version": case.version},
        format="json",
    )
    assert api.status_code == 403 and api.json()["details"]["item_code"] == "PRE-N2"
    api = client_for(world.president).post(
        f"/api/cases/{case.public_id}/actions/", {"action_type": "panel_decision_changed"}, format="json"
    )
    assert api.status_code == 400  # not a type anyone may log
    page = client_for(world.president).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'value="ruling_signed"' not in page and 'value="deliberated"' not in page
    # the admin shows cases and their trace read-only, even to a superuser
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-Very-long-pass-1")
    from django.test import Client

    admin = Client()
    admin.force_login(root)
    change = reverse("admin:cases_case_change", args=[case.pk])
    assert admin.post(change, {"outcome": "amended"}).status_code == 403
    assert admin.post(reverse("admin:cases_action_add"), {}).status_code == 403
    assert "ruling_signed" not in trace(case)


# --- escalation and overdue reports -------------------------------------------------------------------


def test_an_alert_not_acted_on_escalates_by_working_days_up_to_the_high_court(world):
    with time_machine.travel(FRIDAY, tick=False):
        case, flag = flagged(world)
    flag.refresh_from_db()
    assert flag.act_by == FRIDAY + dt.timedelta(days=5)  # Fri + 3 working days = Wednesday
    with time_machine.travel(FRIDAY + dt.timedelta(days=4), tick=False):  # Tuesday: not yet
        assert supervision.escalate_overdue() == 0
    with time_machine.travel(FRIDAY + dt.timedelta(days=5, minutes=1), tick=False):
        assert supervision.escalate_overdue() == 1
        assert supervision.escalate_overdue() == 0  # once per deadline
    flag.refresh_from_db()
    assert flag.escalation_level == 1
    assert Notification.objects.filter(recipient=world.president, message__contains=case.case_number).exists()
    assert trace(case)[-1] == "alert_escalated"
    with time_machine.travel(FRIDAY + dt.timedelta(days=12), tick=False):
        assert supervision.escalate_overdue() == 1
    flag.refresh_from_db()
    assert flag.escalation_level == 2
    assert flag.pk in set(alerts_for_leader(world.high_president.user).values_list("pk", flat=True))
    # acting on it stops the clock
    with time_machine.travel(FRIDAY + dt.timedelta(days=13), tick=False):
        supervision.flag_decide(actor=world.high_president, flag=flag, confirm=True)
    with time_machine.travel(FRIDAY + dt.timedelta(days=40), tick=False):
        assert supervision.escalate_overdue() == 0


def test_commenting_counts_as_acting_on_the_alert(world):
    with time_machine.travel(FRIDAY, tick=False):
        case, flag = flagged(world)
        supervision.supervision_comment(actor=world.chief, case=case, comment="请尽快合议", flag=flag)
    with time_machine.travel(FRIDAY + dt.timedelta(days=30), tick=False):
        assert supervision.escalate_overdue() == 0


@override_settings(QUANZE_ESCALATION_WORKING_DAYS=1)
def test_the_escalation_period_is_configurable(world):
    with time_machine.travel(FRIDAY, tick=False):
        _, flag = flagged(world)
    flag.refresh_from_db()
    assert flag.act_by == FRIDAY + dt.timedelta(days=3)  # Monday


def test_an_overdue_progress_report_alerts_the_leader_who_asked_once(world):
    with time_machine.travel(FRIDAY, tick=False):
        case, flag = flagged(world)
        supervision.task_require(
            actor=world.chief,
            case=case,
            kind="progress_report",
            instructions="报告进展",
            due_on=dt.date(2026, 11, 23),
            flag=flag,
        )
    with time_machine.travel(FRIDAY + dt.timedelta(days=3), tick=False):  # due day itself: not overdue
        assert supervision.remind_overdue_tasks() == 0
    with time_machine.travel(FRIDAY + dt.timedelta(days=4), tick=False):
        assert supervision.remind_overdue_tasks() == 1
        assert supervision.remind_overdue_tasks() == 0
    assert Notification.objects.filter(recipient=world.chief, message__contains="2026-11-23").count() == 1


# --- notifications ----------------------------------------------------------------------------------------


def test_the_bell_counts_unread_and_marks_them_read(world):
    flagged(world)  # the chief is told
    client = client_for(world.chief)
    page = client.get(reverse("home")).content.decode()
    assert 'id="bell-count">1<' in page
    listing = client.get(reverse("notifications")).content.decode()
    assert Notification.objects.get(recipient=world.chief).message in listing
    client.post(reverse("notifications"))
    assert 'id="bell-count"' not in client.get(reverse("home")).content.decode()
    # someone else's notifications cannot be marked
    other = Notification.objects.create(recipient=world.judge, message="x")
    client.post(reverse("notifications"), {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


@override_settings(QUANZE_EMAIL_NOTIFICATIONS=True, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_notifications_are_emailed_after_commit_when_configured(world, django_capture_on_commit_callbacks):
    world.chief.user.email = "chief@court.example"
    world.chief.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        flagged(world)
    assert [m.to for m in mail.outbox] == [["chief@court.example"]]
