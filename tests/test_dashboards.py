"""Dashboards: the numbers on the page are the stored results, every drillable number lists exactly its cases,
the Excel export equals the page, the query count does not grow with the data, scopes one may not see are 404,
and new results replace cached pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dashboards import drill
from dashboards.selectors import Window, scope_get
from evaluation.metrics import Window as MetricWindow
from evaluation.models import MetricResult
from evaluation.services import metrics_store

pytestmark = pytest.mark.django_db

W = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
KEY = "2025-01-01_2025-12-31"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def populate(world, n: int) -> None:
    """``n`` groups of cases of the judge's court: closed within and over the limit, pending, appealed."""
    for i in range(n):
        first = world.case(
            filed_on=dt.date(2025, 1, 10) + dt.timedelta(days=i),
            time_limit_days=90,
            closed_on=dt.date(2025, 3, 1) + dt.timedelta(days=i),
            closing_method="judgment",
        )
        world.case(
            filed_on=dt.date(2025, 2, 1),
            time_limit_days=90,
            extension_days=30,
            closed_on=dt.date(2025, 8, 1),
            closing_method="judgment",
        )
        world.case(filed_on=dt.date(2024, 6, 1) + dt.timedelta(days=i), time_limit_days=180)  # pending > 12 months
        world.case(
            procedure="second_instance",
            original_case=first,
            filed_on=dt.date(2025, 4, 1),
            closed_on=dt.date(2025, 6, 1),
            closing_method="judgment",
            outcome="remanded" if i % 2 else "upheld",
            lead_officer=world.judge2,
            panel=[world.judge],
        )
    metrics_store(window=MetricWindow(W.start, W.end))


def page(client, officer, **params):
    client.force_login(officer.user)
    return client.get("/dashboards/", params)


def cell(html: str, metric: str, index: int) -> str:
    row = re.search(rf'<tr id="m-{metric}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    return re.sub(r"<[^>]+>", "", cells[index]).strip()


def test_the_numbers_on_the_page_are_the_stored_results(world, client):
    populate(world, 3)
    html = page(client, world.president, scope=f"organisation:{world.court.code}", window=KEY).content.decode()
    stored = {
        r.metric: r
        for r in MetricResult.objects.filter(
            level="organisation", subject=world.court.code, window_from=W.start, window_to=W.end
        )
    }
    assert cell(html, "closed_count", 1) == f"{int(stored['closed_count'].value):,}"  # a count, never "9.00"
    assert cell(html, "closed_count", 3) == "—"  # a count has no denominator to show
    assert cell(html, "within_limit_rate", 1) == f"{stored['within_limit_rate'].value * 100:.1f}%"
    assert cell(html, "closed_count", 2) == str(int(stored["closed_count"].numerator))
    assert "12-month" in html or "12 个月" in html or "近12个月" in html or 'id="trends"' in html


@pytest.mark.parametrize("scope_of", ["organisation", "department", "officer"])
def test_every_drill_down_lists_exactly_the_cases_counted(world, client, scope_of):
    populate(world, 4)
    who, key = {
        "organisation": (world.president, f"organisation:{world.court.code}"),
        "department": (world.chief, f"department:{world.court.code}/{world.civil.code}"),
        "officer": (world.judge, f"officer:{world.judge.officer_id}"),
    }[scope_of]
    scope = scope_get(who.user, key)
    results = MetricResult.objects.filter(
        level=scope.level, subject=scope.subject, window_from=W.start, window_to=W.end, metric__in=drill.DRILLABLE
    )
    assert results.count() >= 8
    client.force_login(who.user)
    for result in results:
        for part, number in (("numerator", result.numerator), ("denominator", result.denominator)):
            cases = drill.drill_cases(scope, W, result.metric, part)
            if cases is None:
                continue
            assert cases.count() == number, (result.metric, part)
        if result.metric != "avg_duration_days":
            response = client.get(
                "/dashboards/cases/", {"scope": key, "window": KEY, "metric": result.metric, "part": "numerator"}
            )
            total = re.search(r'id="drill-total">(\d+)<', response.content.decode()).group(1)
            assert int(total) == result.numerator, result.metric


def test_the_excel_export_equals_the_page(world, client):
    populate(world, 2)
    key = f"organisation:{world.court.code}"
    html = page(client, world.president, scope=key, window=KEY).content.decode()
    workbook = load_workbook(io.BytesIO(client.get("/dashboards/export.xlsx", {"scope": key, "window": KEY}).content))
    rows = {row[1]: row for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert rows["closed_count"][3] == int(cell(html, "closed_count", 2))
    assert f"{rows['within_limit_rate'][2] * 100:.1f}%" == cell(html, "within_limit_rate", 1)
    assert len(rows) == 17


def test_the_query_count_does_not_grow_with_the_data(world, client):
    populate(world, 1)
    key = f"organisation:{world.court.code}"
    client.force_login(world.president.user)
    counts = []
    for extra in (0, 6):
        if extra:
            populate(world, extra)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboards/", {"scope": key, "window": KEY}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with CaptureQueriesContext(connection) as cached:  # a cached panel costs fewer queries still
        client.get("/dashboards/", {"scope": key, "window": KEY})
    assert len(cached) < counts[1]


def test_scopes_one_may_not_see_are_404_and_a_bad_window_is_a_message(world, client):
    populate(world, 1)
    assert page(client, world.judge, scope=f"organisation:{world.court.code}").status_code == 404
    assert page(client, world.judge, scope=f"officer:{world.judge2.officer_id}").status_code == 404
    assert page(client, world.president, scope=f"organisation:{world.other_court.code}").status_code == 404
    assert page(client, world.chief, scope=f"department:{world.court.code}/{world.criminal.code}").status_code == 404
    own = page(client, world.judge)
    assert own.status_code == 200 and f"officer:{world.judge.officer_id}" in own.content.decode()
    bad = page(client, world.president, window="2025-13-01_x")
    assert bad.status_code == 400 and 'id="window-error"' in bad.content.decode()
    missing = page(client, world.president, window="2019-01-01_2019-12-31")
    assert missing.status_code == 400 and "2019-01-01" in missing.content.decode()


def test_new_results_replace_the_cached_page(world, client):
    populate(world, 1)
    key = f"organisation:{world.court.code}"
    before = cell(page(client, world.president, scope=key, window=KEY).content.decode(), "closed_count", 2)
    populate(world, 2)  # recomputes and stores the window again
    after = cell(page(client, world.president, scope=key, window=KEY).content.decode(), "closed_count", 2)
    assert (int(before), int(after)) == (3, 9)


def test_committee_and_case_management_see_their_panels_and_nothing_more(world, client):
    from discipline import services as d

    lead = d.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    proceeding = d.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌违反法定程序")
    inspector = page(client, world.inspector).content.decode()
    assert 'id="discipline-pipeline"' in inspector and proceeding.number in inspector
    president = page(client, world.president).content.decode()
    assert 'id="discipline-pipeline"' not in president and proceeding.number not in president
    filing = page(client, world.filing).content.decode()
    assert 'id="interference-reports"' in filing and world.civil.name in filing


def test_dashboard_reads_go_to_the_replica_when_one_is_configured(world, client, monkeypatch):
    from accountability import routers
    from evaluation.models import MetricResult

    router = routers.ReplicaRouter()
    assert router.db_for_read(MetricResult) is None  # outside a replica block: the primary
    with routers.replica_reads():
        assert router.db_for_read(MetricResult) is None  # no replica configured
        monkeypatch.setattr(routers, "replica_configured", lambda: True)
        assert router.db_for_read(MetricResult) == "replica"
        assert router.db_for_write(MetricResult) is None
    assert router.db_for_read(MetricResult) is None
    assert router.allow_migrate("replica", "evaluation") is False
    monkeypatch.setattr(routers, "replica_configured", lambda: False)  # no such connection in tests
    seen = []
    original = routers.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append((model.__name__, routers._reading_replica.get()))
        return original(self, model, **hints)

    monkeypatch.setattr(routers.ReplicaRouter, "db_for_read", spy)
    populate(world, 1)
    seen.clear()
    page(client, world.president)
    dashboard_reads = [flag for name, flag in seen if name in ("MetricResult", "Flag", "Review", "MetricRange")]
    assert dashboard_reads and all(dashboard_reads), "the dashboard's reads are marked for the replica"


def test_the_officer_reads_their_performance_file_and_only_leaders_read_others(world, client):
    populate(world, 1)
    client.force_login(world.judge.user)
    own = client.get("/evaluation/performance/", {"year": "2025"})
    assert own.status_code == 200 and "结案数" in own.content.decode()
    assert client.get(f"/evaluation/performance/{world.judge2.public_id}/").status_code == 404
    client.force_login(world.chief.user)
    assert client.get(f"/evaluation/performance/{world.judge.public_id}/").status_code == 200
    client.force_login(world.other_judge.user)
    assert client.get(f"/evaluation/performance/{world.judge.public_id}/").status_code == 404
