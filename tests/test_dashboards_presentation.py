"""The dashboard as a president presents it: numbers formatted by their metric's kind (counts, percentages, days,
ratios; never "315.00 / 1"), headline cards coloured against their reference range with the change against the
same period last year and last month, drill-down cases linked to their pages, readable histogram bands, and an
Excel export whose cells carry the number format of their kind under a sheet name that stays whole."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from openpyxl import load_workbook

from cases.models import Case
from dashboards import formatting
from dashboards.selectors import HEADLINE, _histogram, shifted
from evaluation.metrics import METRIC_KINDS, all_metrics
from evaluation.metrics import Window as MetricWindow
from evaluation.models import MetricRange, MetricResult
from evaluation.services import metrics_store
from interchange import demo_dashboard
from tests.test_dashboards import KEY, W, cell, page, populate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_every_metric_has_a_kind_and_each_kind_reads_as_it_should():
    assert set(METRIC_KINDS) == set(all_metrics())  # the apps above register theirs (a procuratorate's indicators)
    with translation.override("zh-hans"):
        assert formatting.value_text("closed_count", Decimal("1315.0000")) == "1,315"
        assert formatting.value_text("within_limit_rate", Decimal("0.85349")) == "85.3%"
        assert formatting.value_text("avg_duration_days", Decimal("62.449")) == "62.4 天"
        assert formatting.value_text("case_proceeding_ratio", Decimal("1.2549")) == "1.25"
        assert formatting.part_text("closed_count", Decimal(1), part="denominator") == "—"
        assert formatting.part_text("enforcement_recovery_rate", Decimal("1234567.5"), part="numerator") == (
            "1,234,567.50"
        )
        assert formatting.range_text("closure_rate", Decimal("0.85"), None) == "≥ 85.0%"
        assert formatting.change_text("closure_rate", Decimal("0.80"), Decimal("0.75")) == "+5.0 个百分点"
        assert formatting.change_text("avg_duration_days", Decimal(50), Decimal(60)) == "−10.0 天"
        assert formatting.change_text("avg_duration_days", Decimal(50), None) == "—"


def test_histogram_bands_are_round_and_read_in_their_unit():
    days = _histogram([Decimal(v) for v in (12, 35, 61, 88, 140, 299)], "days")
    assert [(b["from"], b["to"]) for b in days][:2] == [(0, 50), (50, 100)]
    assert [b["count"] for b in days] == [2, 2, 1, 0, 0, 1]
    with translation.override("zh-hans"):
        label = formatting.bin_text("avg_duration_days", days[0]["from"], days[0]["to"])
        assert label == "0–50 天", label
        rates = _histogram([Decimal("0.81"), Decimal("0.87"), Decimal("0.93")], "rate")
        assert formatting.bin_text("closure_rate", rates[0]["from"], rates[0]["to"]) == "80%–82%"
        assert sum(b["count"] for b in rates) == 3


def test_the_table_shows_counts_percentages_and_days_never_raw_decimals(world, client):
    populate(world, 3)
    html = page(client, world.president, scope=f"organisation:{world.court.code}", window=KEY).content.decode()
    table = html[html.index('id="metric-table"') : html.index("</table>", html.index('id="metric-table"'))]
    for metric in ("filed_count", "closed_count", "pending_count", "closure_rate", "within_limit_rate"):
        for index in (1, 2, 3):
            assert not cell(html, metric, index).endswith(".00"), (metric, index)
    assert ".00<" not in table.replace(">1.00<", "")  # only a ratio may read 1.00
    assert re.fullmatch(r"\d+", cell(html, "filed_count", 1))
    assert re.fullmatch(r"\d+\.\d%", cell(html, "closure_rate", 1))
    assert re.fullmatch(r"[\d,]+\.\d 天", cell(html, "avg_duration_days", 1))
    assert cell(html, "filed_count", 3) == "—"


def test_headline_cards_are_coloured_against_their_range_with_the_changes(world, client):
    populate(world, 3)
    subject = world.court.code
    stored = MetricResult.objects.get(
        level="organisation", subject=subject, metric="closure_rate", window_from=W.start, window_to=W.end
    )
    MetricRange.objects.create(metric="closure_rate", low=stored.value + Decimal("0.05"), high=Decimal(1))
    MetricRange.objects.create(metric="avg_duration_days", low=Decimal(0), high=Decimal(365))
    html = page(client, world.president, scope=f"organisation:{subject}", window=KEY).content.decode()
    card = re.search(r'id="headline-closure_rate">(.*?)</article>', html, re.S).group(1)
    assert re.search(r'class="last-year">([^<]*)<', card).group(1) == "—"  # nothing stored a year earlier
    assert html.index('id="headline"') < html.index('id="alerts"') < html.index('id="metric-table"')
    cards = re.findall(r'<article class="headline-card status-(\w+)" id="headline-(\w+)">', html)
    assert [metric for _status, metric in cards] == list(HEADLINE)
    status = {metric: s for s, metric in cards}
    assert status["closure_rate"] == "below" and status["avg_duration_days"] == "within"
    assert status["case_proceeding_ratio"] == "none"
    assert 'class="badge status-below"' in card and formatting.value_text("closure_rate", stored.value) in card
    assert 'id="range-notes"' not in html  # the test's ranges carry no note

    for earlier in (shifted(W, months=12), shifted(W, months=1)):  # the same period last year, and a month ago
        metrics_store(window=MetricWindow(earlier.start, earlier.end))
    before = {
        r.window_to: r.value
        for r in MetricResult.objects.filter(level="organisation", subject=subject, metric="closure_rate")
    }
    html = page(client, world.president, scope=f"organisation:{subject}", window=KEY).content.decode()
    card = re.search(r'id="headline-closure_rate">(.*?)</article>', html, re.S).group(1)
    with translation.override("zh-hans"):
        last_year = formatting.change_text("closure_rate", stored.value, before[dt.date(2024, 12, 31)])
        last_month = formatting.change_text("closure_rate", stored.value, before[dt.date(2025, 11, 30)])
    assert re.search(r'class="last-year">([^<]*)<', card).group(1) == last_year != "—"
    assert re.search(r'class="last-month">([^<]*)<', card).group(1) == last_month != "—"


def test_drill_down_cases_link_to_their_pages(world, client):
    populate(world, 2)
    html = page(client, world.president, scope=f"organisation:{world.court.code}", window=KEY).content.decode()
    link = re.search(r'<a class="drill" href="([^"]*metric=closed_count[^"]*)"', html).group(1).replace("&amp;", "&")
    drill_html = client.get(link).content.decode()
    linked = re.findall(r'<a href="/cases/([0-9a-f-]{36})/">', drill_html)
    closed = Case.objects.filter(closed_on__range=(W.start, W.end), organisation=world.court)
    assert sorted(linked) == sorted(str(c.public_id) for c in closed)


def test_the_excel_cells_carry_the_number_format_of_their_kind(world, client):
    populate(world, 2)
    key = f"organisation:{world.court.code}"
    client.force_login(world.president.user)
    workbook = load_workbook(io.BytesIO(client.get("/dashboards/export.xlsx", {"scope": key, "window": KEY}).content))
    sheet = workbook.active
    assert sheet.title.endswith("2025-01-01—2025-12-31") and len(sheet.title) <= 31
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["within_limit_rate"][2].number_format == "0.0%"
    assert rows["closed_count"][2].number_format == "#,##0"
    assert rows["avg_duration_days"][2].number_format == "#,##0.0"
    assert rows["closed_count"][3].number_format == "#,##0.##" and rows["closed_count"][4].value is None
    assert isinstance(rows["within_limit_rate"][2].value, float | int)
    assert sheet["A1"].font.b


def test_the_demo_ships_example_ranges_for_the_headline_and_keeps_a_courts_own(world):
    MetricRange.objects.create(metric="closure_rate", low=Decimal("0.9"), note="本院核定")
    demo_dashboard.reference_ranges()
    ranges = {r.metric: r for r in MetricRange.objects.filter(post="", organisation_level="")}
    assert set(HEADLINE) <= set(ranges)
    assert ranges["closure_rate"].note == "本院核定" and ranges["closure_rate"].low == Decimal("0.9")
    assert ranges["within_limit_rate"].note.startswith("示例值") and ranges["within_limit_rate"].low == Decimal("0.95")
    rates = [m for m, kind in METRIC_KINDS.items() if kind in ("rate", "ratio", "days") and m in ranges]
    assert len(rates) == 12
    assert demo_dashboard.reference_ranges() == 0  # run again: nothing added, nothing changed


def test_the_page_says_what_the_headline_ranges_rest_on(world, client):
    populate(world, 1)
    demo_dashboard.reference_ranges()
    html = page(client, world.president, scope=f"organisation:{world.court.code}", window=KEY).content.decode()
    notes = re.search(r'id="range-notes">([^<]*)<', html).group(1)
    assert notes.count(demo_dashboard.EXAMPLE_NOTE) == 1


def test_a_range_changed_in_the_admin_recolours_the_cached_page(world, client):
    populate(world, 1)
    key = f"organisation:{world.court.code}"
    first = page(client, world.president, scope=key, window=KEY).content.decode()
    assert 'id="headline-closure_rate"' in first and 'status-none" id="headline-closure_rate' in first
    band = MetricRange.objects.create(metric="closure_rate", low=Decimal("1.01"))  # above any rate: below the band
    assert (
        'status-below" id="headline-closure_rate"'
        in page(client, world.president, scope=key, window=KEY).content.decode()
    )
    band.delete()
    assert (
        'status-none" id="headline-closure_rate"'
        in page(client, world.president, scope=key, window=KEY).content.decode()
    )


def test_every_drill_link_on_the_page_opens_a_list(world, client):
    populate(world, 2)
    html = page(client, world.president, scope=f"organisation:{world.court.code}", window=KEY).content.decode()
    links = [h.replace("&amp;", "&") for h in re.findall(r'<a class="drill" href="([^"]+)"', html)]
    assert len(links) >= 15 and not any("avg_duration_days&part=numerator" in h for h in links)
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and 'id="drill-total"' in response.content.decode(), link
