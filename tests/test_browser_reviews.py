"""A quality review walked in Chromium: the case-management office plans it (a pick by case number) and assigns
the evaluator, the evaluator grades from the catalogue of the case's type, the judge answers, and the office —
not the evaluator — finalises; each step checked on the page and in the database."""

from __future__ import annotations

import datetime as dt

from evaluation.models import PointEntry, Review
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks


def test_a_review_planned_graded_answered_and_finalised(browser, live_server, world):
    case = world.case(closed_on=dt.date(2024, 6, 1), closing_method="judgment", case_type="civil")
    typed = case.case_number.replace("（", "(").replace("）", ")")  # half-width, as often typed

    office = browser.new_context().new_page()
    log_in(office, live_server, "filing")
    office.goto(f"{live_server.url}/evaluation/reviews/")
    office.get_by_role("link", name="制定评查计划").click()
    office.get_by_label("计划名称").fill("当事人投诉案件评查")
    office.get_by_label("评查类型").select_option("focused")
    office.get_by_label("结案日期自").fill("2024-01-01")
    office.get_by_label("结案日期至").fill("2024-12-31")
    office.get_by_label("指定评查的案号（每行一个）").fill(typed)
    office.get_by_role("button", name="创建评查计划").click()
    assert (
        "评查计划“当事人投诉案件评查”：选取1件，已分配0件，1件待分配评查员。"
        in office.locator(".messages").inner_text()
    )
    row = office.locator("table.grid tbody tr", has_text=case.case_number)
    assert "待分配评查员" in row.inner_text()
    review = Review.objects.get(case=case)
    assert (review.status, review.plan.name, review.officer) == ("pending", "当事人投诉案件评查", world.judge)

    row.get_by_role("link", name=case.case_number).click()
    office.get_by_label("评查员").select_option(label="冯评查（evaluator）")
    office.get_by_role("button", name="分配", exact=True).click()
    assert office.locator("#review-status").inner_text() == "已分配"

    evaluator = browser.new_context().new_page()
    log_in(evaluator, live_server, "evaluator")
    evaluator.goto(f"{live_server.url}/evaluation/reviews/{review.public_id}/")
    assert evaluator.locator("#review-case").inner_text() == case.case_number
    assert evaluator.locator('input[name="defects"][value="SF-05"]').count() == 0  # no sentencing in a civil case
    evaluator.get_by_label("瑕疵", exact=True).check()
    evaluator.locator('input[name="defects"][value="SD-01"]').check()
    evaluator.locator("#summary").fill("缺少被告的送达回证。")
    evaluator.get_by_role("button", name="提交评查结论").click()
    assert evaluator.locator("#review-status").inner_text() == "已评查，待承办人陈述"
    assert evaluator.locator("#review-grade").inner_text() == "瑕疵"
    assert evaluator.get_by_role("button", name="确认评查结果").count() == 0  # the evaluator never finalises

    judge = browser.new_context().new_page()
    log_in(judge, live_server, "judge")
    judge.goto(f"{live_server.url}/evaluation/reviews/{review.public_id}/")
    assert "缺少被告的送达回证。" in judge.locator("main").inner_text()
    judge.locator("#statement").fill("送达回证已补入卷宗。")
    judge.get_by_role("button", name="提交陈述").click()
    assert judge.locator("#review-status").inner_text() == "承办人已陈述"
    assert "送达回证已补入卷宗。" in judge.locator("main").inner_text()

    office.reload()
    office.get_by_role("button", name="确认评查结果").click()
    assert office.locator("#review-status").inner_text() == "已定案"
    review.refresh_from_db()
    assert (review.status, review.grade, review.evaluator, review.finalised_by) == (
        "finalised",
        "flawed",
        world.evaluator,
        world.filing,
    )
    assert [(e.officer, e.points) for e in PointEntry.objects.filter(review=review)] == [(world.judge, 1)]
    office.locator("#review-case").click()
    office.wait_for_url(f"**/cases/{case.public_id}/**")
    for page in (office, evaluator, judge):  # no connection to the live server outlives the test
        page.context.close()
