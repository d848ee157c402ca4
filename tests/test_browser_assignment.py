"""Assignment in Chromium (分案): the filing office draws the lead judge, opens the draw's record and sees that it
reproduces; the judge drawn asks to hand the case on and a leader approves it from the inbox."""

from __future__ import annotations

from tests.factories import CaseFactory
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks


def test_the_filing_office_draws_the_judge_and_the_record_reproduces(browser, live_server, world):
    case = CaseFactory(organisation=world.court, department=world.civil)
    office = browser.new_context().new_page()
    log_in(office, live_server, "filing")
    office.goto(f"{live_server.url}/cases/{case.public_id}/")
    office.get_by_role("button", name="随机分案").click()
    office.wait_for_url(f"**/cases/{case.public_id}/**")
    drawn = case.draws.get().result
    assert office.locator("#assignment-lead").inner_text() == drawn.name
    assert f"已在3名法官中随机分案：由{drawn.name}承办。" in office.locator(".messages").inner_text()
    office.get_by_role("link", name="查看记录并核验").click()
    assert office.locator("#draw-reproducible").inner_text() == "是"
    assert office.locator("#draw-trace").inner_text().startswith("是")
    assert office.locator("#draw-candidates tbody tr").count() == 3

    judge = browser.new_context().new_page()
    log_in(judge, live_server, drawn.officer_id)
    judge.goto(f"{live_server.url}/cases/{case.public_id}/")
    judge.get_by_text("申请变更承办人").click()
    other = world.judge if drawn != world.judge else world.judge2
    judge.get_by_label("新承办法官").select_option(label=other.name)
    judge.get_by_label("变更理由").fill("承办人参加脱产培训")
    judge.get_by_role("button", name="提交审批").click()
    assert "变更承办人申请已提交，由院庭长审批。" in judge.locator(".messages").inner_text()

    # nobody decides their own request: when the chief was drawn and asked, the president decides
    decider = world.president if drawn == world.chief else world.chief
    leader = browser.new_context().new_page()
    log_in(leader, live_server, decider.officer_id)
    leader.goto(f"{live_server.url}/cases/requests/")
    row = leader.locator("#requests tbody tr", has_text=case.case_number)
    assert "承办人参加脱产培训" in row.inner_text()
    row.get_by_role("button", name="批准", exact=True).click()
    assert f"变更承办人（案件{case.case_number}）：已批准。" in leader.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.lead_officer == other
    for page in (office, judge, leader):  # no connection to the live server outlives the test
        page.context.close()
