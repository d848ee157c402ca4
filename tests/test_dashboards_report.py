"""The monthly report (issue 19): a printable document of one calendar month's stored results for a scope one may
see, offered from the dashboard; a month that is not stored, or a scope one may not see, has no report."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.metrics import Window
from evaluation.models import MetricRange, MetricResult
from evaluation.services import metrics_store
from tests.test_visible_text import visible_text

pytestmark = pytest.mark.django_db

NOVEMBER = Window(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
YEAR = Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def _november(world, n: int = 3) -> None:
    for i in range(n):
        world.case(filed_on=dt.date(2025, 10, 1), time_limit_days=90, closed_on=dt.date(2025, 11, 3 + i))
    world.case(filed_on=dt.date(2025, 11, 10), time_limit_days=90)  # pending at the month's end
    MetricRange.objects.create(metric="within_limit_rate", low="0.95")
    metrics_store(window=NOVEMBER)
    metrics_store(window=YEAR)


def _report(client, officer, **params):
    client.force_login(officer.user)
    return client.get("/dashboards/report/", params)


def test_the_report_prints_the_months_stored_results(world, client):
    _november(world)
    key = f"organisation:{world.court.code}"
    response = _report(client, world.president, scope=key)
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    assert "2025年11月办案质效报告" in text and "统计期间 2025-11-01 — 2025-11-30" in text
    assert "本月截至当日" not in text  # a whole month
    closed = MetricResult.objects.get(
        level="organisation", subject=world.court.code, metric="closed_count", window_from=NOVEMBER.start
    )
    assert closed.numerator == 3
    row = re.search(r'<tr id="r-within_limit_rate"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "100.0%" in row and "≥ 95.0%" in row and "区间内" in visible_text(row)
    assert "一、核心指标" in text and "二、全部指标" in text and "三、四类案件和风险预警" in text
    assert "计数指标，不设区间" in text and "未设参考区间" in text  # counts have none by design; others may lack one
    assert "data-print" in html and "js/print.js" in html  # printed by a button, no inline script
    # the year's window is not a month: it has no report; the dashboard of the year offers the month's
    assert _report(client, world.president, scope=key, window="2025-01-01_2025-12-31").status_code == 404
    dashboard = client.get("/dashboards/", {"scope": key, "window": "2025-01-01_2025-12-31"}).content.decode()
    assert 'id="monthly-report-link"' in dashboard and "window=2025-11-01_2025-11-30" in dashboard


def test_a_month_to_date_says_so(world, client):
    world.case(filed_on=dt.date(2025, 12, 1), time_limit_days=90, closed_on=dt.date(2025, 12, 5))
    metrics_store(window=Window(dt.date(2025, 12, 1), dt.date(2025, 12, 14)))
    text = visible_text(_report(client, world.president, scope=f"organisation:{world.court.code}").content.decode())
    assert "统计期间 2025-12-01 — 2025-12-14（本月截至当日）" in text


def test_no_report_without_a_stored_month_or_outside_ones_scope(world, client):
    assert _report(client, world.president, scope=f"organisation:{world.court.code}").status_code == 404
    _november(world)
    assert _report(client, world.judge, scope=f"organisation:{world.court.code}").status_code == 404
    assert _report(client, world.president, scope=f"organisation:{world.other_court.code}").status_code == 404
    own = _report(client, world.judge, scope=f"officer:{world.judge.officer_id}")
    assert own.status_code == 200 and world.judge.name in own.content.decode()


def test_the_reports_queries_do_not_grow_with_the_data(world, client):
    _november(world, 1)
    client.force_login(world.president.user)
    counts = []
    for extra in (0, 8):
        if extra:
            _november_more(world, extra)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboards/report/", {"scope": f"organisation:{world.court.code}"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def _november_more(world, n: int) -> None:
    for i in range(n):
        world.case(filed_on=dt.date(2025, 10, 2), time_limit_days=90, closed_on=dt.date(2025, 11, 20 + i % 5))
    metrics_store(window=NOVEMBER)
