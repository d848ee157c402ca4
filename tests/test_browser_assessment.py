"""The assessment in Chromium (issue 24): the chief proposes the quarter's grade, the president signs it, the judge
reads the explanation and contests it, and the president (not the proposer) decides; the grade changes only there,
and the assessment's chain verifies."""

from __future__ import annotations

from assessment import services
from assessment.models import Assessment
from tests.test_assessment import Q2, _generate
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks


def _as(page, live_server, username: str):
    """A fresh browser context signed in as ``username`` (each officer in their own session); the last one's closed."""
    other = page.context.browser.new_context().new_page()
    if page.context is not _FIRST[0]:
        page.context.close()
    log_in(other, live_server, username)
    return other


_FIRST: list = [None]


def test_proposal_signature_contest_and_decision(page, live_server, world):
    _generate(world)
    services.assessments_compute(organisation=world.court, period=Q2)
    assessment = Assessment.objects.get(officer=world.judge, period_start=Q2.start)
    url = f"{live_server.url}/assessment/{assessment.public_id}/"

    _FIRST[0] = page.context
    log_in(page, live_server, "chief")
    page.goto(f"{live_server.url}/assessment/")
    page.locator("#awaiting-propose").get_by_role("link", name=world.judge.name).click()
    assert page.locator("#assessment-status").inner_text() == "已计算，待提出建议等次"
    page.get_by_label("说明（可不填）").fill("按计算结果")
    page.get_by_role("button", name="提出建议等次").click()
    assert page.locator("#assessment-status").inner_text() == "已提出建议，待审定签发"
    assert page.get_by_role("button", name="审定签发").count() == 0  # the chief does not sign

    page = _as(page, live_server, "president")
    page.goto(f"{live_server.url}/assessment/distribution/")
    assert "共考核4人" in page.locator("#distribution").inner_text()
    page.locator("#named").get_by_role("link", name=world.judge.name).click()
    page.get_by_role("button", name="审定签发").click()
    assert page.locator("#assessment-status").inner_text() == "已签发，异议期内"
    grade = page.locator("#assessment-grade").inner_text()

    page = _as(page, live_server, "judge")
    page.goto(f"{live_server.url}/assessment/")
    page.locator("#my-assessments").get_by_role("link", name="2025年第2季度").click()
    explanation = page.locator("#explanation").inner_text()
    assert "办案数量" in explanation and "结案权重数" in explanation and "总分" in explanation
    page.get_by_label("异议理由").fill("评查等次认定有误")
    page.get_by_role("button", name="提出异议").click()
    assert page.locator("#assessment-status").inner_text() == "已提出异议，待复核决定"
    assert page.locator("#assessment-grade").inner_text() == grade  # contesting changes nothing

    page = _as(page, live_server, "chief")  # the proposer cannot decide
    page.goto(url)
    assert page.get_by_role("button", name="作出复核决定").count() == 0

    page = _as(page, live_server, "president")
    page.goto(url)
    new = "基本称职" if grade != "基本称职" else "称职"
    page.get_by_label("复核后的等次").select_option(label=new)
    page.get_by_label("复核决定理由").fill("经复核，改定等次")
    page.get_by_role("button", name="作出复核决定").click()
    assert page.locator("#assessment-status").inner_text() == "异议已复核决定"
    assert page.locator("#assessment-grade").inner_text() == new
    record = page.locator("#record").inner_text()
    for step in ("提出建议等次", "审定签发", "提出异议", "复核决定"):
        assert step in record
    page.context.close()
    assessment.refresh_from_db()
    assert services.verify(assessment) == []
