"""Browser test: the president presents the dashboard — headline cards coloured against their ranges, a drill-down
whose case numbers open the case page, and a phone-width page that does not overflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluation.metrics import Window
from evaluation.models import MetricRange
from evaluation.services import metrics_store
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks


def _results(world) -> None:
    for i in range(3):
        world.case(filed_on=dt.date(2025, 1, 10), time_limit_days=90, closed_on=dt.date(2025, 3, 1 + i))
        world.case(filed_on=dt.date(2025, 10, 1), time_limit_days=90, closed_on=dt.date(2025, 12, 1 + i))
    world.case(filed_on=dt.date(2025, 11, 1), time_limit_days=90)  # pending
    MetricRange.objects.create(metric="within_limit_rate", low=Decimal("0.95"))  # all within: within
    MetricRange.objects.create(metric="avg_duration_days", high=Decimal("30"))  # ~55 days: above
    metrics_store(window=Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))


def test_the_president_reads_the_cards_and_opens_a_counted_case(browser, live_server, world):
    _results(world)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(page, live_server, "president")
    page.goto(live_server.url + "/dashboards/?window=2025-01-01_2025-12-31")
    card = page.locator("#headline-within_limit_rate")
    assert "status-within" in card.get_attribute("class") and card.locator(".headline-value").inner_text() == "100.0%"
    assert "status-above" in page.locator("#headline-avg_duration_days").get_attribute("class")
    assert page.locator("#headline-avg_duration_days .headline-value").inner_text().endswith("天")
    assert page.locator("#headline-closure_rate .last-year").inner_text() == "—"
    assert page.locator("#m-closed_count td").nth(0).inner_text() == "6"
    page.locator("#m-closed_count a.drill").click()
    assert page.locator("#drill-total").inner_text() == "6"
    number = page.locator("#drill-cases tbody a").first
    text = number.inner_text()
    number.click()
    page.wait_for_url("**/cases/*/")
    assert text in page.content()
    page.close()


def test_the_dashboard_fits_a_phone(browser, live_server, world):
    _results(world)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server, "president")
    page.goto(live_server.url + "/dashboards/?window=2025-01-01_2025-12-31")
    page.locator("#headline-closure_rate").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    label = page.locator("#m-within_limit_rate th").bounding_box()
    assert label["width"] > 100  # the name reads on one or two lines, not one character per line
    page.close()
