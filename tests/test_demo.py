"""seed_demo builds a working demo (small here) and refuses to run with DEBUG off unless forced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accountability.choices import ActionType
from accountability.models import Officer, Organisation
from cases.assignment import draw_verify
from cases.audit import verify_chains
from cases.choices import AssignmentKind, Outcome, RequestStatus
from cases.flows import NodeStatus, case_flow
from cases.models import Action, AssignmentDraw, Case, CaseRequest, FilingRefusal
from cases.requests import requests_to_decide_counts
from dashboards.todo import todo_for
from discipline.selectors import proceedings_visible_to
from evaluation.models import MetricResult, Review
from similar import selectors as similar_selectors
from supervision.models import Flag

pytestmark = pytest.mark.django_db


def test_demo_loads_with_logins_reviews_flags_and_metrics(settings, django_capture_on_commit_callbacks, capsys):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--cases-per-court", "60")
    out = capsys.readouterr().out
    assert "judge1" in out and "Quanze-demo-2026" in out
    assert (
        Case.objects.filter(procedure="second_instance").exists()
        and Case.objects.filter(procedure="enforcement").exists()
    )
    assert Review.objects.exists() and MetricResult.objects.exists()
    # a review in every state; casemgmt1 finalises what evaluator1 graded; judge1 has one to answer
    assert set(Review.objects.values_list("status", flat=True)) >= {
        "pending",
        "assigned",
        "graded",
        "responded",
        "finalised",
    }
    assert set(Review.objects.filter(status="finalised").values_list("finalised_by__officer_id", flat=True)) == {
        "casemgmt1"
    }
    assert Review.objects.filter(status="graded", officer__officer_id="judge1", evaluator__officer_id="evaluator1")
    assert "casemgmt1" in out
    assert set(Flag.objects.values_list("status", flat=True)) <= {"pending", "confirmed"}
    assert verify_chains() == []
    # similar-case search works in the demo: reference cases and the decided cases of the judge's court
    judge = Officer.objects.get(user__username="judge1")
    levels = {hit.level for hit in similar_selectors.search(officer=judge, query="物业费").hits}
    assert 3 in levels and 5 in levels, levels
    # a discipline proceeding at the notice stage, seen by judge1 and the committee, not by the judge's chief
    assert proceedings_visible_to(judge.user).get().stage == "notified"
    assert proceedings_visible_to(Officer.objects.get(user__username="committee1").user).exists()
    assert not proceedings_visible_to(Officer.objects.get(user__username="chief1").user).exists()
    _assert_every_stage(out)
    assert "Open http://127.0.0.1:8000/ and log in." in out
    call_command("seed_demo", "--url", "http://127.0.0.1:8123/")  # a second run changes nothing
    again = capsys.readouterr().out
    assert "already loaded" in again and "Open http://127.0.0.1:8123/ and log in." in again


def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def _assert_every_stage(out: str) -> None:
    """The cases at every stage of a case's life that the demo makes through the services (interchange.demo_stages),
    and the logins that act on them."""
    today = timezone.localdate()
    for login in ("filing1", "judge1", "clerk1", "chief1", "president1"):
        assert f"  {login} " in out, login
    officer = {o.officer_id: o for o in Officer.objects.filter(officer_id__in=["judge1", "chief1", "president1"])}
    basic = Case.objects.filter(organisation__code="SH0101")

    # filed, not assigned: the new case, the one awaiting its designation, the remand (imported cases all have a lead)
    unassigned = basic.filter(lead_officer__isnull=True, closed_on__isnull=True)
    assert unassigned.count() == 3
    assert unassigned.filter(requests__kind="designation", requests__status="pending").count() == 1
    remanded = unassigned.get(original_case__procedure="second_instance")
    assert remanded.original_case.outcome == Outcome.REMANDED
    assert remanded.original_case.organisation.code == "SH01"

    # every assignment of the demo is reproducible from its record and matches its trace
    draws = list(AssignmentDraw.objects.select_related("case"))
    assert {d.kind for d in draws} == {AssignmentKind.RANDOM, AssignmentKind.DESIGNATED}
    for draw in draws:
        check = draw_verify(draw)
        assert check.matches_trace and check.reproducible in (True, None), draw
    drawn_open = [d.case for d in draws if d.kind == AssignmentKind.RANDOM and d.case.closed_on is None]
    assert len(drawn_open) == 1 and drawn_open[0].organisation.code == "SH0101"

    # judge1's cases in progress, filed through the services: nodes recorded, one due soon, one overdue (RP-06)
    recent = list(basic.filter(lead_officer=officer["judge1"], filed_on__gte=today - dt.timedelta(days=15)))
    in_progress = [c for c in recent if c.closed_on is None]
    assert len(in_progress) == 3
    states = {c.pk: {s.code: s.state for s in case_flow(c)} for c in in_progress}
    assert all(s["filed"] == s["assigned"] == NodeStatus.REACHED for s in states.values())
    assert sum(s["service"] == NodeStatus.REACHED for s in states.values()) == 1
    assert sum(s["service"] == NodeStatus.DUE for s in states.values()) == 1
    overdue = [c for c in in_progress if states[c.pk]["service"] == NodeStatus.OVERDUE]
    assert len(overdue) == 1
    risk = Flag.objects.get(case=overdue[0], situation__code="RP-06")
    assert "True" not in risk.reason and "是" in risk.reason, risk.reason  # a yes-or-no fact reads 是, not True
    todo = todo_for(user=officer["judge1"].user, officer=officer["judge1"], today=today, handles_cases=True)
    listed = {(item.case.pk, item.state.code, item.overdue) for item in todo.nodes}
    assert (overdue[0].pk, "service", True) in listed
    assert any(pk in states and not late for pk, _code, late in listed)

    # closed and archived by the clerk
    archived = Case.objects.get(archived_on__isnull=False)
    assert archived.closed_on == today and archived.lead_officer == officer["judge1"]
    assert Action.objects.filter(case=archived, action_type=ActionType.ARCHIVED, actor__officer_id="clerk1").exists()

    # appeals at the intermediate court: upheld and amended written back to the original, the remand filed back
    for outcome in (Outcome.UPHELD, Outcome.AMENDED, Outcome.REMANDED):
        appeal = Case.objects.get(organisation__code="SH01", outcome=outcome, filed_on=today)
        assert appeal.original_case.organisation.code == "SH0101"
        written = Action.objects.get(case=appeal.original_case, action_type=ActionType.APPEAL_OUTCOME_RECORDED)
        assert written.actor is None and written.payload["case_number"] == appeal.case_number
        assert written.payload["outcome"] == outcome
    assert written.payload["remanded_case"] == remanded.case_number

    # a refused filing
    assert FilingRefusal.objects.filter(organisation__code="SH0101", refused_by__officer_id="filing1").count() == 1

    # requests: one pending of each kind, one extension and one designation decided
    requests = list(CaseRequest.objects.filter(case__organisation__kind="court").values_list("kind", "status"))
    assert sorted(requests) == sorted(
        [
            (CaseRequest.Kind.DESIGNATION, RequestStatus.PENDING),
            (CaseRequest.Kind.DESIGNATION, RequestStatus.APPROVED),
            (CaseRequest.Kind.LEAD_CHANGE, RequestStatus.PENDING),
            (CaseRequest.Kind.RECUSAL, RequestStatus.PENDING),
            (CaseRequest.Kind.EXTENSION, RequestStatus.PENDING),
            (CaseRequest.Kind.EXTENSION, RequestStatus.APPROVED),
        ]
    )
    assert requests_to_decide_counts(officer["president1"]) == {
        "extension": 1,
        "designation": 1,
        "lead_change": 1,
        "recusal": 1,
        "chief_decision": 0,
    }
    assert requests_to_decide_counts(officer["chief1"]) == {
        "extension": 0,
        "designation": 1,
        "lead_change": 1,
        "recusal": 0,
        "chief_decision": 0,
    }
    # the procuratorate (issue 18): provincial → municipal → district, its logins, a case at every stage
    district = Organisation.objects.get(code="SHJ0101")
    assert [district.parent.code, district.parent.parent.code] == ["SHJ2", "SHJ"]
    for username in ("prosecutor1", "proassistant1", "prohead1", "procurator1", "proevaluator1", "procommittee1"):
        assert username in out
        assert get_user_model().objects.get(username=username).check_password(django_settings.QUANZE_DEMO_PASSWORD)
    general = Officer.objects.get(user__username="procurator1")
    assert requests_to_decide_counts(general)["chief_decision"] == 1
    procedures = set(Case.objects.filter(organisation=district).values_list("procedure", flat=True))
    assert {"arrest_review", "prosecution", "protest", "supervision", "pil_pre_suit"} <= procedures
    closed = set(
        Case.objects.filter(organisation=district, procedure="prosecution").values_list("closing_method", flat=True)
    )
    assert {"np_discretionary", "prosecuted"} <= closed
