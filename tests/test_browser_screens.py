"""The main pages of the demo, as its users open them in Chromium at 1366 px and 375 px (issue 19): no page overflows
a phone's width, none logs a console error (a CSP violation, a script error) or fetches an asset that is missing,
not even after an htmx swap; each is photographed. The photographs go to ``$QUANZE_SCREENSHOTS`` (CI keeps them as
artifacts; by default ``var/screenshots``); with ``QUANZE_README_SCREENSHOTS=1`` the README's three photographs under
``docs/screenshots/`` are taken again from the demo as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count, Q

from accountability.models import Officer
from cases.models import Case
from discipline.models import Proceeding
from evaluation.models import Review
from tests.conftest import ensure_reference_data
from tests.test_browser import browser_type_launch_args, pytestmark  # noqa: F401 - the fixture, the marks

SHOTS = Path(os.environ.get("QUANZE_SCREENSHOTS") or django_settings.BASE_DIR / "var" / "screenshots")
README = django_settings.BASE_DIR / "docs" / "screenshots"
WIDTHS = (1366, 375)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    ensure_reference_data()  # a transactional test before this one flushed the data migrations' rows
    call_command("seed_demo", "--cases-per-court", "60")
    judge = Officer.objects.get(user__username="judge1")
    case = (
        Case.objects.filter(lead_officer=judge, closed_on__isnull=True)
        .annotate(n=Count("actions"), pending=Count("flags", filter=Q(flags__status="pending")))
        .order_by("-pending", "-n", "case_number")
        .first()
    )
    prosecution = (
        Case.objects.filter(lead_officer__user__username="prosecutor1", closed_on__isnull=True)
        .order_by("-filed_on", "case_number")
        .first()
    )
    review = Review.objects.filter(officer=judge).order_by("status", "pk").first()
    proceeding = Proceeding.objects.order_by("pk").first()
    return {
        "judge1": ["/home/", "/cases/", f"/cases/{case.public_id}/", "/cases/similar/", "/notifications/"],
        "chief1": ["/cases/supervision/", "/cases/requests/", f"/cases/{case.public_id}/"],
        "president1": ["/dashboards/", "/dashboards/report/", "/cases/supervision/", "/home/", "/deliberation/"],
        "evaluator1": ["/evaluation/reviews/", f"/evaluation/reviews/{review.public_id}/"],
        "casemgmt1": ["/evaluation/reviews/plan/"],
        "filing1": ["/cases/filing/"],
        "committee1": ["/discipline/", f"/discipline/{proceeding.public_id}/"],
        "inspector1": ["/cases/interference/"],
        "prosecutor1": ["/home/", "/cases/", f"/cases/{prosecution.public_id}/"],
        "procurator1": ["/dashboards/", "/cases/requests/", "/deliberation/"],
        "_case": case,
    }


def _log_in(page, live_server, username: str) -> None:
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(django_settings.QUANZE_DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def _watch(page) -> list[str]:
    """Console errors, uncaught script errors and failed fetches of this page, as they happen."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _name(url: str) -> str:
    parts = [p if len(p) < 30 else "detail" for p in url.strip("/").split("/") if p]
    return "-".join(parts) or "home"


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


#: The innermost elements reaching past the page's right edge, to say what overflows.
WIDE = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > limit + 1);
  return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join(".")} ${Math.round(e.getBoundingClientRect().right)}px`);
}"""


def test_the_main_pages_fit_both_widths_with_a_clean_console(browser, live_server, demo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        for username, urls in demo.items():
            if username.startswith("_"):
                continue
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
            seen = _watch(page)
            _log_in(page, live_server, username)
            for url in urls:
                page.goto(live_server.url + url)
                page.wait_for_load_state("networkidle")
                if width == 375 and (excess := _overflow(page)) > 0:
                    seen.append(f"{excess} px wider than the phone: {page.evaluate(WIDE)}")
                page.screenshot(path=SHOTS / f"{username}-{_name(url)}-{width}.png", full_page=True)
                if seen:
                    problems[f"{username} {url} @{width}"] = list(seen)
                    seen.clear()
            page.close()
    assert problems == {}
    assert len(list(SHOTS.glob("*-375.png"))) >= 15


def test_my_cases_and_the_case_page_on_a_phone(browser, live_server, demo):
    """At 375 px the navigation collapses behind its button, my cases reads as rows (not one character per column),
    and the judge logs an action on the case page: the htmx swap leaves the console clean and the page narrow."""
    case = demo["_case"]
    page = browser.new_page(viewport={"width": 375, "height": 800}, locale="zh-CN")
    seen = _watch(page)
    _log_in(page, live_server, "judge1")
    assert not page.locator("#topnav a").first.is_visible()  # collapsed
    page.get_by_role("button", name="菜单").click()
    page.locator("#topnav").get_by_role("link", name="我的案件").click()
    page.wait_for_url("**/cases/")
    assert _overflow(page) <= 0
    number = page.locator("table a", has_text=case.case_number).first
    assert number.bounding_box()["width"] > 120  # the case number reads on a line or two
    number.click()
    page.wait_for_url(f"**/cases/{case.public_id}/")
    assert _overflow(page) <= 0, page.evaluate(WIDE)
    page.locator("#log-form label.chip").first.click()
    page.locator("#log-form textarea[name=note]").fill("手机上记录：第二次开庭")
    page.locator("#log-form button[type=submit]").click()
    page.get_by_text("手机上记录：第二次开庭").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert _overflow(page) <= 0
    assert seen == []
    page.close()


@pytest.mark.skipif(not os.environ.get("QUANZE_README_SCREENSHOTS"), reason="only when the README's are retaken")
def test_the_readme_screenshots(browser, live_server, demo):
    README.mkdir(parents=True, exist_ok=True)
    shots = [
        ("president1", "/dashboards/", "dashboard.png"),
        ("judge1", f"/cases/{demo['_case'].public_id}/", "case-page.png"),
        ("president1", "/cases/supervision/", "supervision-inbox.png"),
    ]
    for username, url, name in shots:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        _log_in(page, live_server, username)
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=README / name, full_page=False)
        page.close()
    assert all((README / name).stat().st_size > 20_000 for _, _, name in shots)
