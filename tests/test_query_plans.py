"""The hot queries can use the indexes the benchmarks rely on (PostgreSQL only). Test tables are tiny, so the
planner would scan them whole; sequential scans are switched off for the check, which then proves that an
index can serve the query (and which one), as it does at 1 M cases in BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from dashboards.selectors import Scope, windows_of
from evaluation.models import MetricResult
from similar import selectors as similar_selectors
from supervision import rules
from supervision import services as supervision
from supervision.models import Flag, Situation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans checked are PostgreSQL's"),
]


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_similar_case_search_reads_its_words_postings_in_its_courts_from_the_index(world):
    from similar.models import ReferenceCase, SearchDocument

    filler = " ".join(f"词{i}" for i in range(30))
    references = ReferenceCase.objects.bulk_create(
        [ReferenceCase(level=1, number=f"R{i}", title="t") for i in range(3000)]
    )
    SearchDocument.objects.bulk_create(  # a court's worth of documents, so the planner weighs its choices
        [SearchDocument(reference=r, organisation=world.court, tokens=f" {filler} 纠纷 ") for r in references]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE similar_posting")
    documents = similar_selectors._scoped(world.judge, similar_selectors.SearchFilters(), dt.date(2026, 1, 1))
    statistics = similar_selectors.ranking.Statistics(documents=3000, average_length=31, frequencies={"违约金": 1})
    groups = [similar_selectors.ranking.Group(("违约金",), 1.0), similar_selectors.ranking.Group(("调整",), 1.0)]
    scope = similar_selectors.scope_of(world.court)
    sql, params = similar_selectors.postings_query(documents, groups, statistics, scope, 50)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "similar_posting_pkey" in text and "cases_searchdocument" not in text  # the postings alone


def test_a_subjects_windows_and_trend_use_the_subject_index(world):
    from django.utils import timezone

    start = dt.date(2020, 1, 1)
    MetricResult.objects.bulk_create(
        [  # many windows and subjects, so the planner weighs its choices
            MetricResult(
                window_from=start + dt.timedelta(days=w),
                window_to=start + dt.timedelta(days=w + 30),
                level="officer",
                subject=f"P{s:04d}",
                metric="closed_count",
                numerator=1,
                denominator=1,
                value=1,
                organisation=world.court,
                computed_at=timezone.now(),
            )
            for w in range(60)
            for s in range(60)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE evaluation_metricresult")
    scope = Scope("officer", "P0007", world.court, "x")
    windows_of(scope)
    text = plan(MetricResult.objects.filter(level="officer", subject="P0007").values("window_to"))
    assert "metricresult_subject" in text


def test_the_sweeps_recheck_of_a_batch_uses_the_flags_case_index(world):
    situation = Situation.objects.get(code="RP-02")
    text = plan(
        Flag.objects.filter(case_id__in=[1, 2, 3], situation=situation)
        .filter(supervision._blocking(situation))
        .values("case_id")
    )
    assert "Index" in text and "cases_flag" in text


def test_one_cases_facts_are_one_primary_key_lookup(world):
    case = world.case()
    compiler, sql, params, mark, _columns = rules._one_case_query(tuple(rules.FIELDS), dt.date.today(), "default")
    params = params[:mark] + (case.pk,) + params[mark + 1 :]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_pkey" in text
    # the last human action: the (case, seq) index backwards, in each year's partition (cases.partitions)
    assert "_case_id_seq_case_year_key" in text


def test_a_courts_open_alerts_start_from_its_cases(world):
    text = plan(
        Flag.objects.filter(Q(status__in=["pending", "confirmed"]), case__organisation=world.court).values(
            "situation_id"
        )
    )
    assert "Index" in text
