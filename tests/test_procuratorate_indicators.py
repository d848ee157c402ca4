"""The procuratorate's indicators match an independent computation on generated data (as the existing metrics do):
the SQL of ``procuratorate.indicators`` against a plain Python count over the same cases, at every level; and the
court-only metrics are not shown for a procuratorate, nor the procuratorate's for a court."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.choices import OrganisationKind, Post
from cases.models import Case
from cases.services import trace_append
from dashboards.selectors import _band_for
from evaluation.metrics import COURT_ONLY_METRICS, METRICS, Window, compute, metrics_shown
from evaluation.models import MetricRange
from procuratorate import indicators
from procuratorate.models import ProsecutionFacts
from tests.conftest import ensure_reference_data
from tests.factories import CaseFactory, DepartmentFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db
WINDOW = Window(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
DECIDED = {"prosecuted", "np_statutory", "np_discretionary", "np_doubt", "np_conditional"}


def generate(seed: int = 18):
    ensure_reference_data()
    rng = random.Random(seed)
    org = OrganisationFactory(code="PJ1", name="某区人民检察院", kind=OrganisationKind.PROCURATORATE, case_code="某检")
    departments = [DepartmentFactory(organisation=org, code=f"J{i}", name=f"第{i}检察部") for i in (1, 2)]
    officers = [
        make_officer(f"pp{i}", roles=["prosecutor"], organisation=org, department=departments[i % 2], is_quota=True)
        for i in range(4)
    ]
    make_officer("ppchief", roles=["president", "prosecutor"], organisation=org, post=Post.PRESIDENT, is_quota=True)
    cases = []
    for n in range(160):
        procedure = rng.choice(["arrest_review", "prosecution", "prosecution"])
        lead = rng.choice(officers)
        filed = dt.date(2024, 12, 1) + dt.timedelta(days=rng.randint(0, 200))
        closed = filed + dt.timedelta(days=rng.randint(1, 70)) if rng.random() < 0.85 else None
        methods = (
            ["arrest_approved", "arrest_approved", "arrest_refused", "transfer"]
            if procedure == "arrest_review"
            else ["prosecuted"] * 5 + ["np_statutory", "np_discretionary", "np_doubt", "np_conditional", "other"]
        )
        case = CaseFactory(
            case_number=f"（2025）某检{n}号",
            organisation=org,
            department=lead.department,
            lead_officer=lead,
            case_type="criminal",
            procedure=procedure,
            track="detained" if procedure == "arrest_review" else "ordinary",
            filed_on=filed,
            time_limit_days=rng.choice([0, 7, 30, 31]),
            extension_days=rng.choice([0, 0, 15]),
            excluded_days=rng.choice([0, 0, 10, 40]),
            closed_on=closed,
            closing_method=rng.choice(methods) if closed else "",
        )
        if procedure == "prosecution":
            if rng.random() < 0.8:
                recommended = rng.random() < 0.7
                ProsecutionFacts.objects.create(
                    case=case,
                    detained=rng.random() < 0.4,
                    plea_leniency=rng.random() < 0.8,
                    sentencing_recommended=recommended,
                    sentencing_adopted=rng.choice([True, True, False, None]) if recommended else None,
                )
            for _ in range(rng.choice([0, 0, 1, 2])):
                trace_append(
                    case=case,
                    action_type="returned_for_supplementary_investigation",
                    actor=None,
                    source="system",
                    note="退回补充侦查",
                )
        cases.append(case)
    return org


def expected(level: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Plain Python over the cases: (subject, metric) → (numerator, denominator)."""
    found: dict[tuple[str, str], list[int]] = {}
    for case in Case.objects.select_related("lead_officer", "department", "organisation"):
        if not case.closed_on or not (WINDOW.start <= case.closed_on <= WINDOW.end):
            continue
        subject = {
            "officer": case.lead_officer.officer_id,
            "department": f"{case.organisation.code}/{case.department.code}",
            "organisation": case.organisation.code,
        }[level]
        facts = ProsecutionFacts.objects.filter(case=case).first()
        returned = case.actions.filter(action_type="returned_for_supplementary_investigation").exists()
        prosecution, method = case.procedure == "prosecution", case.closing_method
        used = (case.closed_on - case.filed_on).days - case.excluded_days
        tests = {
            "prosecution_within_limit_rate": (
                prosecution and case.time_limit_days > 0 and used <= case.time_limit_days + case.extension_days,
                prosecution and case.time_limit_days > 0,
            ),
            "pretrial_detention_rate": (
                prosecution and method == "prosecuted" and bool(facts and facts.detained),
                prosecution and method == "prosecuted",
            ),
            "non_arrest_rate": (
                case.procedure == "arrest_review" and method == "arrest_refused",
                case.procedure == "arrest_review" and method in ("arrest_approved", "arrest_refused"),
            ),
            "non_prosecution_rate": (
                prosecution and method.startswith("np_"),
                prosecution and method in DECIDED,
            ),
            "plea_leniency_rate": (
                prosecution and method in DECIDED and bool(facts and facts.plea_leniency),
                prosecution and method in DECIDED,
            ),
            "sentencing_adoption_rate": (
                prosecution and bool(facts and facts.sentencing_recommended and facts.sentencing_adopted),
                prosecution and bool(facts and facts.sentencing_recommended and facts.sentencing_adopted is not None),
            ),
            "supplementary_return_rate": (prosecution and returned, prosecution),
        }
        for metric, (numerator, denominator) in tests.items():
            counts = found.setdefault((subject, metric), [0, 0])
            counts[0] += int(bool(numerator))
            counts[1] += int(bool(denominator))
    return {key: (n, d) for key, (n, d) in found.items() if d}


@pytest.mark.parametrize("level", ["officer", "department", "organisation"])
def test_the_indicators_match_an_independent_computation(level):
    org = generate()
    want = expected(level)
    got = {
        (row.subject, row.metric): row
        for row in compute(WINDOW, organisation_id=org.pk, cross=False)
        if row.level == level and row.metric in indicators.METRICS
    }
    assert set(got) == set(want)
    for key, (numerator, denominator) in want.items():
        row = got[key]
        assert (row.numerator, row.denominator) == (Decimal(numerator), Decimal(denominator)), key
        exact = Fraction(numerator, denominator)
        assert row.value == (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("1E-10"))
    # every indicator has data in the generated set, so none is vacuously equal
    assert {metric for _subject, metric in want} == set(indicators.METRICS)


def test_each_kind_of_organisation_shows_its_own_metrics():
    shown = metrics_shown("procuratorate")
    assert set(indicators.METRICS) <= set(shown) and not COURT_ONLY_METRICS & set(shown)
    assert "case_proceeding_ratio" in shown  # 案-件比 is kept
    court = metrics_shown("court")
    assert court == METRICS and not set(indicators.METRICS) & set(court)


def test_a_band_of_the_organisation_kind_comes_before_one_for_any_kind():
    """Leader bands and reference ranges per organisation kind: a 检察长's band is not a court president's."""
    MetricRange.objects.create(metric="closure_rate", post="president", organisation_level="basic", low=Decimal("0.8"))
    MetricRange.objects.create(
        metric="closure_rate", post="president", organisation_kind="procuratorate", low=Decimal("0.9")
    )
    ranges = list(MetricRange.objects.filter(metric="closure_rate"))
    assert _band_for(ranges, "closure_rate", "president", "basic", "procuratorate").low == Decimal("0.9")
    assert _band_for(ranges, "closure_rate", "president", "basic", "court").low == Decimal("0.8")


def test_the_indicators_are_computed_for_procuratorates_only():
    """A court has no case of a procuratorate's procedures: its nightly task does not run their statements."""
    org = generate()
    with CaptureQueriesContext(connection) as as_procuratorate:
        rows = list(compute(WINDOW, organisation_id=org.pk, organisation_kind=org.kind, cross=False))
    assert {row.metric for row in rows} >= set(indicators.METRICS)
    with CaptureQueriesContext(connection) as as_court:
        rows = list(compute(WINDOW, organisation_id=org.pk, organisation_kind=OrganisationKind.COURT, cross=False))
    assert not {row.metric for row in rows} & set(indicators.METRICS)
    assert len(as_procuratorate.captured_queries) - len(as_court.captured_queries) == 3  # one a level
    assert not any("procuratorate_prosecutionfacts" in q["sql"] for q in as_court.captured_queries)
