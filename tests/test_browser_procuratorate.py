"""Issue 18's first "done when", in Chromium: a prosecutor receives a 审查起诉 case, returns it for supplementary
investigation twice (the third return is refused, the page naming the power-list item), submits a 存疑不起诉 to the
procurator-general, who decides in writing on the case page; the case closes by that decision; every trace verifies."""

from __future__ import annotations

from cases.audit import verify_chains
from cases.models import Action
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks
from tests.test_procuratorate import proc  # noqa: F401 - the procuratorate's fixture


def message(page) -> str:
    page.locator(".messages").wait_for()
    return " ".join(page.locator(".messages").inner_text().split())


def test_a_review_for_prosecution_returned_twice_then_not_prosecuted_on_the_chiefs_written_decision(
    browser,
    live_server,
    proc,  # noqa: F811
):
    case = proc.case()
    url = f"{live_server.url}/cases/{case.public_id}/"

    desk = browser.new_context().new_page()
    log_in(desk, live_server, "pro1")
    desk.goto(url)
    assert desk.get_by_role("heading", name="检察办案决定").is_visible()
    for number, outline in ((1, "补充调取案发现场监控录像"), (2, "补充核实被害人陈述")):
        desk.get_by_label("补充侦查提纲").fill(outline)
        desk.get_by_role("button", name="退回补充侦查").click()
        assert message(desk) == f"已退回补充侦查（第 {number} 次，以 2 次为限）。"
        assert "补充侦查中" in desk.locator("#proc-returns").inner_text()
        desk.get_by_role("button", name="登记重新移送").click()
        assert "重新计算审查起诉期限" in message(desk)
    desk.get_by_label("补充侦查提纲").fill("第三次退回")
    desk.get_by_role("button", name="退回补充侦查").click()
    refused = message(desk)
    assert "PRO-RN1" in refused and "退回补充侦查以二次为限" in refused
    assert Action.objects.filter(case=case, action_type="returned_for_supplementary_investigation").count() == 2

    desk.get_by_label("报请检察长决定").select_option(label="存疑不起诉")
    desk.get_by_label("拟处理意见及理由").fill("经二次退回补充侦查，仍证据不足，拟作存疑不起诉")
    desk.get_by_role("button", name="报请决定").click()
    assert message(desk) == "已报请检察长书面决定。"
    assert "待检察长书面决定" in desk.locator("#proc-matters").inner_text()

    chief = browser.new_context().new_page()
    log_in(chief, live_server, "progen")
    chief.goto(f"{live_server.url}/cases/requests/")
    assert "报请检察长决定事项" in chief.locator("#requests").inner_text()
    chief.goto(url)
    chief.get_by_label("书面决定（入卷）").fill("同意对张某作存疑不起诉。")
    chief.get_by_role("button", name="同意报请意见").click()
    assert message(chief) == "已书面决定并入卷。"
    decision = Action.objects.get(case=case, action_type="non_prosecution_decided")
    assert (decision.actor, decision.power_item_code, decision.note) == (
        proc.general,
        "PGN-01",
        "同意对张某作存疑不起诉。",
    )

    desk.goto(url)
    desk.locator("#close-link").click()
    desk.get_by_label("结案方式").select_option(label="存疑不起诉")
    desk.locator("#close-button").click()
    assert "已结案" in message(desk)
    case.refresh_from_db()
    assert (case.closing_method, case.is_open) == ("np_doubt", False)
    assert verify_chains(case_number=case.case_number) == []
    assert verify_chains() == []
