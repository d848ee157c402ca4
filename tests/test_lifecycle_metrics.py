"""Metrics, reviews and discipline on cases born as the browser gives them birth (issue 17's last "done when").

Cases are filed, drawn, walked through their nodes and closed through the services the pages and the API call
(``cases.filing``, ``cases.assignment``, ``cases.services``), each on its own day (the clock is moved there), one
of them appealed at the court above and amended; then the nightly metrics run, and its numbers are the ones
computed by hand from INTERCHANGE.md's formulas. A quality review is graded on one of these cases, and the lead
that its amendment on appeal raised opens a disciplinary proceeding, through their services as they are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accountability.models import Notification
from cases import assignment, filing, services
from cases.audit import verify_chains
from cases.choices import ActionSource
from cases.models import Case
from discipline import services as discipline
from discipline.models import Lead
from evaluation.models import DefectItem, MetricResult, MetricRun, Review
from evaluation.reviews import review_add_case, review_assign, review_grade
from evaluation.services import metric_run_nightly
from tests.factories import DepartmentFactory, make_officer

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = dt.date(2026, 11, 1)  # the nightly run of 1 November: its windows end on 31 October
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 10, 31))  # the year to date
OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))  # the month (and the quarter) to date
FIRST_INSTANCE_NODES = ("served", "hearing_held", "deliberated", "ruling_signed", "served")
SECOND_INSTANCE_NODES = ("served", "deliberated", "ruling_signed", "served")


def on(day: dt.date):
    """The clock at 10:00 in Shanghai on ``day``: what the services record happens then."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI), tick=False)


class Office:
    """A court's filing officer filing and drawing, and the judge drawn walking and closing, as on the pages."""

    def __init__(self, officer, department):
        self.officer, self.department = officer, department

    def file(self, day: dt.date, *, track: str = "ordinary", procedure: str = "first_instance", original=None) -> Case:
        with on(day):
            case = filing.case_file_new(
                actor=self.officer,
                organisation=self.officer.organisation,
                department=self.department,
                case_type="civil",
                procedure=procedure,
                track=track,
                cause="买卖合同纠纷",
                parties="原告：甲公司\n被告：乙公司",
                claim_amount=Decimal("120000"),
                original_case=original,
                source=ActionSource.WEB,
            )
            draw = assignment.case_assign_random(actor=self.officer, case=case, expected_version=case.version)
        assert draw.result.department == self.department
        return Case.objects.get(pk=case.pk)

    @staticmethod
    def close(case: Case, day: dt.date, method: str, *, nodes=FIRST_INSTANCE_NODES, outcome: str = "") -> Case:
        """The lead judge records the nodes, one a day from the day after filing, and closes on ``day``."""
        judge = case.lead_officer
        for offset, action_type in enumerate(nodes, start=1):
            with on(case.filed_on + dt.timedelta(days=offset)):
                services.case_log_action(actor=judge, case=case, action_type=action_type, source=ActionSource.WEB)
        with on(day):
            return services.case_close(
                actor=judge,
                case=case,
                closed_on=day,
                closing_method=method,
                outcome=outcome,
                expected_version=Case.objects.get(pk=case.pk).version,
                source=ActionSource.WEB,
            )


@pytest.fixture
def born(world, django_capture_on_commit_callbacks):
    """Five cases of 黄浦 (沪0101, 民事审判第一庭) and the appeal of one of them at the high court:

    ==  =========  ============  ==========  ===========  ============  ========================================
        filed      track         limit       closed       duration      how
    ==  =========  ============  ==========  ===========  ============  ========================================
    E   2025-12-15 ordinary      182 days    2026-03-20   95 days       withdrawal (撤诉)
    A   2026-02-02 ordinary      181 days    2026-04-13   70 days       judgment; appealed, amended (F)
    B   2026-03-02 summary       92 days     2026-07-15   135 days      judgment, past its time limit
    C   2026-05-11 ordinary      184 days    2026-10-20   162 days      mediation
    D   2026-09-14 ordinary      —           open
    F   2026-04-27 second inst.  91 days     2026-06-30   64 days       ruling, amended (改判)
    ==  =========  ============  ==========  ===========  ============  ========================================
    """
    basic = Office(make_officer("lian1", roles=["filing_officer"], organisation=world.court), world.civil)
    high_civil = DepartmentFactory(organisation=world.high, code="MS2", name="民事审判第二庭")
    for officer_id in ("gy_judge1", "gy_judge2"):
        make_officer(officer_id, roles=["judge"], organisation=world.high, department=high_civil, is_quota=True)
    high = Office(make_officer("lian2", roles=["filing_officer"], organisation=world.high), high_civil)

    cases = {"E": basic.file(dt.date(2025, 12, 15))}
    cases["A"] = basic.file(dt.date(2026, 2, 2))
    cases["B"] = basic.file(dt.date(2026, 3, 2), track="summary")
    cases["E"] = Office.close(cases["E"], dt.date(2026, 3, 20), "withdrawal")
    cases["A"] = Office.close(cases["A"], dt.date(2026, 4, 13), "judgment")
    cases["F"] = high.file(dt.date(2026, 4, 27), procedure="second_instance", track="", original=cases["A"])
    cases["C"] = basic.file(dt.date(2026, 5, 11))
    cases["F"] = Office.close(
        cases["F"], dt.date(2026, 6, 30), "ruling", nodes=SECOND_INSTANCE_NODES, outcome="amended"
    )
    cases["B"] = Office.close(cases["B"], dt.date(2026, 7, 15), "judgment")
    cases["D"] = basic.file(dt.date(2026, 9, 14))
    cases["C"] = Office.close(cases["C"], dt.date(2026, 10, 20), "mediation")

    with django_capture_on_commit_callbacks(execute=True):  # the run queues its items on commit
        run = metric_run_nightly(day=NIGHT)
    run.refresh_from_db()
    assert (run.done, run.finished_at is not None) == (run.total, True)
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}


def metrics(window: tuple[dt.date, dt.date], level: str, subject: str) -> dict[str, tuple]:
    rows = MetricResult.objects.filter(window_from=window[0], window_to=window[1], level=level, subject=subject)
    return {r.metric: (r.numerator, r.denominator, r.value) for r in rows}


def rate(numerator: int, denominator: int) -> tuple[Decimal, Decimal, Decimal]:
    return (
        Decimal(numerator),
        Decimal(denominator),
        (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0000000001")),
    )


def count(n: int) -> tuple[Decimal, Decimal, Decimal]:
    return Decimal(n), Decimal(1), Decimal(n)


def test_the_cases_are_born_as_on_the_pages(world, born):
    year = {name: case.case_number for name, case in born.items()}
    assert year == {
        "E": "（2025）沪0101民初1号",
        "A": "（2026）沪0101民初1号",
        "B": "（2026）沪0101民初2号",
        "F": "（2026）沪民终1号",
        "C": "（2026）沪0101民初3号",
        "D": "（2026）沪0101民初4号",
    }
    assert {name: case.time_limit_days for name, case in born.items()} == {
        "E": 182,
        "A": 181,
        "B": 92,
        "F": 91,
        "C": 184,
        "D": 181,
    }
    assert {name: (case.closed_on, case.closing_method) for name, case in born.items() if name != "D"} == {
        "E": (dt.date(2026, 3, 20), "withdrawal"),
        "A": (dt.date(2026, 4, 13), "judgment"),
        "B": (dt.date(2026, 7, 15), "judgment"),
        "F": (dt.date(2026, 6, 30), "ruling"),
        "C": (dt.date(2026, 10, 20), "mediation"),
    }
    assert born["D"].is_open and born["D"].lead_officer in (world.judge, world.judge2, world.chief)
    assert born["F"].original_case == born["A"] and born["F"].outcome == "amended"
    written_back = born["A"].actions.order_by("seq").last()
    assert (written_back.action_type, written_back.payload["outcome"]) == ("appeal_outcome_recorded", "amended")
    assert list(born["C"].actions.order_by("seq").values_list("action_type", "occurred_at")) == [
        ("filed", dt.datetime(2026, 5, 11, 10, tzinfo=SHANGHAI)),
        ("assigned", dt.datetime(2026, 5, 11, 10, tzinfo=SHANGHAI)),
        *[
            (action_type, dt.datetime(2026, 5, 11 + offset, 10, tzinfo=SHANGHAI))
            for offset, action_type in enumerate(FIRST_INSTANCE_NODES, start=1)
        ],
        ("closed", dt.datetime(2026, 10, 20, 10, tzinfo=SHANGHAI)),
    ]
    assert verify_chains() == []


def test_the_nightly_metrics_are_the_hand_computed_numbers(world, born):
    court = metrics(YEAR, "organisation", "SH0101")
    # filed in the year: A B C D; closed: E A B C; pending on 31 October: D; pending on 31 December 2025: E
    assert court["filed_count"] == count(4)
    assert court["closed_count"] == count(4)
    assert court["pending_count"] == count(1)
    assert court["clearance_ratio"] == rate(4, 4)
    assert court["closure_rate"] == rate(4, 1 + 4)
    assert court["within_limit_rate"] == rate(3, 4)  # B took 135 days of its 92
    assert court["avg_duration_days"] == (Decimal(95 + 70 + 135 + 162), Decimal(4), Decimal("115.5"))
    assert court["extension_rate"] == (Decimal(0), Decimal(4), Decimal(0))
    assert court["appeal_rate"] == rate(1, 2)  # A and B closed by judgment; A appealed (C mediated, E withdrawn)
    assert court["acceptance_rate"] == rate(1, 2)
    assert court["appeal_amended_remanded_ratio"] == rate(1, 1)  # F, attributed to A's court
    assert court["case_proceeding_ratio"] == rate(5, 4)  # A B C D and F (its root is A) over A B C D
    assert court["weighted_closed"] == count(4)
    assert metrics(YEAR, "department", "SH0101/MS1") == court  # the one division has every case

    october = metrics(OCTOBER, "organisation", "SH0101")
    assert october["closed_count"] == count(1)  # C
    assert october["closure_rate"] == rate(1, 2)  # C and D pending on 30 September, none filed in October
    assert october["avg_duration_days"] == (Decimal(162), Decimal(1), Decimal(162))
    assert october["within_limit_rate"] == rate(1, 1)
    assert october["clearance_ratio"][2] is None  # none filed in October: no ratio

    high = metrics(YEAR, "organisation", "HIGH")
    assert (high["filed_count"], high["closed_count"], high["pending_count"]) == (count(1), count(1), count(0))
    assert high["avg_duration_days"] == (Decimal(64), Decimal(1), Decimal(64))
    assert high["within_limit_rate"] == rate(1, 1)

    # each judge drawn answers for the cases they led
    led = Counter(case.lead_officer.officer_id for name, case in born.items() if name in "ABCE")
    for officer_id, closed in led.items():
        assert metrics(YEAR, "officer", officer_id)["closed_count"] == count(closed)
    assert sum(led.values()) == 4
    assert MetricRun.objects.get().key == "nightly:2026-11-01"


def test_a_quality_review_and_a_disciplinary_proceeding_work_on_these_cases(world, born):
    appealed = born["A"]
    judge = appealed.lead_officer
    review = review_add_case(actor=world.filing, case=appealed, reason="二审改判案件评查")
    review = review_assign(actor=world.filing, review=review, evaluator=world.evaluator)
    review = review_grade(
        actor=world.evaluator,
        review=review,
        grade="flawed",
        defects=[(DefectItem.objects.get(code="WS-01"), "主文表述有歧义")],
        summary="文书存在瑕疵",
    )
    review = Review.objects.get(pk=review.pk)
    assert (review.status, review.grade, review.officer, review.case) == ("graded", "flawed", judge, appealed)
    assert list(appealed.actions.order_by("seq").values_list("action_type", flat=True))[-2:] == [
        "review_assigned",
        "quality_review",
    ]
    assert Notification.objects.filter(recipient=judge, message__contains=appealed.case_number).exists()

    # amended on appeal: the system registered a lead about the first-instance judge; an inspector opens it
    lead = Lead.objects.get(source="reversed_case", officer=judge)
    assert lead.origin == {"case": born["F"].case_number}
    proceeding = discipline.lead_open(actor=world.inspector, lead=lead, allegation="二审改判，审查是否违法审判")
    assert (proceeding.officer, proceeding.stage, proceeding.organisation) == (judge, "investigation", world.court)
    assert discipline.verify_events(proceeding) == []
    assert verify_chains() == []
