"""A case's whole life in Chromium (issue 17's first "done when"), each step by the officer whose job it is: the
basic court's filing office files a civil first-instance case and draws its judge; the judge records the process
nodes, is refused closing while a required node is missing (the page names it), records it and closes by
judgment; the intermediate court's filing office files the appeal against it and draws its judge, who sends the
case back (发回重审): the outcome is written back to the original and the new first-instance case is filed, linked
to the appeal; every trace verifies. And supervision kept inside its bounds: a president's comment on a case
without a four-category flag is refused with the rule's words, and the attempt is in the security audit."""

from __future__ import annotations

import os
import re
import shutil

from django.utils import timezone

from accountability.models import AuditEvent
from accountability.services import organisation_save
from cases.audit import verify_chains
from cases.models import Action, Case
from discipline.models import Lead
from supervision import services as supervision
from supervision.models import Flag, Situation
from tests.factories import DepartmentFactory, OrganisationFactory, make_officer
from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks

RULE = "不得对非“四类案件”进行个案监督（法发〔2021〕30号）"


def intermediate_court(world):
    """上海市第二中级人民法院 between the high court and the basic court (appeals from 黄浦 go up to it), with its
    filing officer and the two quota judges of its civil division."""
    middle = OrganisationFactory(
        code="SH02", name="上海市第二中级人民法院", level="intermediate", parent=world.high, case_code="沪02"
    )
    world.court.parent = middle
    organisation_save(organisation=world.court)
    civil = DepartmentFactory(organisation=middle, code="MS1", name="民事审判第一庭")
    filing = make_officer("lian_zy", roles=["filing_officer"], organisation=middle, name="严立案")
    judges = [
        make_officer(officer_id, roles=["judge"], organisation=middle, department=civil, is_quota=True, name=name)
        for officer_id, name in (("zy_judge1", "刘法官"), ("zy_judge2", "陈法官"))
    ]
    return middle, filing, judges


def file_case(page, live_server, *, procedure: str, track: str, parties: str, original: str = "") -> None:
    """The filing officer's 登记立案 form, from the court's register."""
    page.goto(f"{live_server.url}/cases/filing/")
    page.get_by_role("link", name="登记立案").click()
    page.get_by_label("承办部门").select_option(label="民事审判第一庭")
    page.get_by_label("案件类型").select_option(label="民事")
    page.get_by_label("审理程序").select_option(label=procedure)
    page.get_by_label("程序类型").select_option(label=track)
    page.get_by_label("案由").fill("买卖合同纠纷")
    page.get_by_label("当事人（每行一个）").fill(parties)
    page.get_by_label("诉讼标的额（元）").fill("120000")
    if original:
        page.get_by_label("原审案号（上诉、再审、执行案件）").fill(original)
    page.get_by_role("button", name="立案", exact=True).click()


def draw(page) -> str:
    """随机分案 on the case page; returns the message."""
    page.get_by_role("button", name="随机分案").click()
    page.locator(".messages").wait_for()
    return page.locator(".messages").inner_text()


def record(page, action_label: str, note: str) -> None:
    """One action from the case page's 记录 form (swapped in place by HTMX)."""
    page.get_by_label(action_label, exact=True).check()
    page.get_by_label("说明").fill(note)
    page.get_by_role("button", name="记录").click()
    page.locator("#timeline li", has_text=note).wait_for()


def test_a_case_is_filed_drawn_refused_closing_closed_appealed_and_remanded(browser, live_server, world, tmp_path):
    year = timezone.localdate().year
    middle, middle_filing, middle_judges = intermediate_court(world)
    make_officer("lian1", roles=["filing_officer"], organisation=world.court, name="林立案")

    # 立案 at the basic court, and the draw
    office = browser.new_context().new_page()
    log_in(office, live_server, "lian1")
    file_case(office, live_server, procedure="一审", track="普通程序", parties="原告：甲公司\n被告：乙公司")
    number = f"（{year}）沪0101民初1号"
    assert office.locator(".messages").inner_text().strip() == f"已立案，案号为{number}。"
    assert office.get_by_role("heading", level=1).inner_text() == number
    first = Case.objects.get(case_number=number)
    assert re.fullmatch(r"（\d{4}）沪0101民初\d+号", first.case_number)
    assert (first.organisation, first.procedure, first.track, first.lead_officer) == (
        world.court,
        "first_instance",
        "ordinary",
        None,
    )
    message = draw(office)
    first.refresh_from_db()
    judge = first.lead_officer
    assert judge in (world.judge, world.judge2, world.chief)
    assert f"已在3名法官中随机分案：由{judge.name}承办。" in message
    assert office.locator("#assignment-lead").inner_text() == judge.name
    assert first.draws.get().result == judge

    # the judge records the nodes, all but the service of the judgment
    bench = browser.new_context().new_page()
    log_in(bench, live_server, judge.officer_id)
    bench.get_by_role("link", name="我的案件").first.click()
    bench.get_by_role("link", name=number).click()
    record(bench, "送达", "起诉状副本已送达被告")
    record(bench, "开庭审理", "公开开庭审理")
    record(bench, "合议", "合议庭评议一致")
    record(bench, "签署裁判文书", "判决书已签发")
    assert "裁判文书送达" in bench.locator("#flow-missing").inner_text()
    bench.locator("#close-link").click()
    assert bench.locator("#missing-nodes").inner_text().startswith("缺少必经节点：裁判文书送达")
    assert bench.locator("#close-button").is_disabled()
    # a closing attempt all the same (a form kept open from before, a crafted request): the service refuses it
    bench.get_by_label("结案方式").select_option(label="判决")
    assert bench.locator("#close-button").is_disabled()  # the method changed: still missing for a judgment
    bench.locator("#close-button").evaluate("button => button.removeAttribute('disabled')")
    bench.locator("#close-button").click()
    refused = bench.locator("#form-errors")
    assert refused.inner_text().strip() == "结案前校验未通过：缺少必经节点：裁判文书送达"
    bench.screenshot(path=str(tmp_path / "lifecycle-1-closing-refused.png"), full_page=True)
    first.refresh_from_db()
    assert (first.closed_on, first.closing_method) == (None, "")
    assert not first.actions.filter(action_type="closed").exists()

    # the missing node, then the closing by judgment
    bench.get_by_role("link", name=number).click()
    record(bench, "送达", "判决书已送达双方当事人")
    assert bench.locator("#flow-missing").count() == 0
    bench.locator("#close-link").click()
    assert bench.locator("#check-passed").is_visible()
    bench.get_by_label("结案方式").select_option(label="判决")
    bench.get_by_label("判决（调解）金额（元）").fill("100000")
    bench.locator("#close-button").click()
    bench.wait_for_url(f"**/cases/{first.public_id}/")
    assert "已结案。" in bench.locator(".messages").inner_text()
    assert bench.locator("#clock-closed").inner_text() == "在审限内结案"  # the clock stopped: no "days left"
    # the optional evidence period was not gone through: skipped, not "to be done" by a due date, on a closed case
    assert bench.locator("#node-evidence .node-state").inner_text() == "未进行"
    assert re.search(r"\d{4}-\d{2}-\d{2}", bench.locator("#node-evidence").inner_text()) is None
    first.refresh_from_db()
    assert (first.closed_on, first.closing_method, str(first.awarded_amount)) == (
        timezone.localdate(),
        "judgment",
        "100000.00",
    )

    # a party appeals: the intermediate court's filing office files it, linked to the original, and draws
    upper = browser.new_context().new_page()
    log_in(upper, live_server, middle_filing.officer_id)
    file_case(
        upper,
        live_server,
        procedure="二审",
        track="无（该程序不区分程序类型）",
        parties="上诉人（原审被告）：乙公司\n被上诉人（原审原告）：甲公司",
        original=number,
    )
    appeal_number = f"（{year}）沪02民终1号"
    assert upper.locator(".messages").inner_text().strip() == f"已立案，案号为{appeal_number}。"
    appeal = Case.objects.get(case_number=appeal_number)
    assert (appeal.organisation, appeal.procedure, appeal.original_case) == (middle, "second_instance", first)
    message = draw(upper)
    appeal.refresh_from_db()
    appeal_judge = appeal.lead_officer
    assert appeal_judge in middle_judges
    assert f"已在2名法官中随机分案：由{appeal_judge.name}承办。" in message

    # the second-instance judge decides without a hearing and sends the case back
    second = browser.new_context().new_page()
    log_in(second, live_server, appeal_judge.officer_id)
    second.goto(f"{live_server.url}/cases/{appeal.public_id}/")
    record(second, "送达", "上诉状副本已送达被上诉人")
    record(second, "合议", "合议庭评议：原判认定事实不清")
    record(second, "签署裁判文书", "裁定书已签发")
    record(second, "送达", "裁定书已送达")
    second.locator("#close-link").click()
    assert second.locator("#check-passed").is_visible()
    second.get_by_label("结案方式").select_option(label="裁定")
    second.get_by_label("二审、再审结果").select_option(label="发回重审")
    second.locator("#close-button").click()
    second.wait_for_url(f"**/cases/{appeal.public_id}/")
    remand_number = f"（{year}）沪0101民初2号"
    shown = second.locator(".messages").inner_text()
    assert "已结案。" in shown
    assert f"发回重审：已在上海市黄浦区人民法院立案，案号{remand_number}。" in shown
    # the remand's note (an info) is in a box of its own like the closing's (a success), not bare text beside it
    for item in second.locator(".messages li").all():
        assert item.evaluate("li => getComputedStyle(li).borderTopStyle") == "solid", item.inner_text()
    second.screenshot(path=str(tmp_path / "lifecycle-2-remanded.png"), full_page=True)
    appeal.refresh_from_db()
    assert (appeal.closing_method, appeal.outcome) == ("ruling", "remanded")
    remand = Case.objects.get(case_number=remand_number)
    assert (remand.organisation, remand.procedure, remand.track, remand.original_case, remand.lead_officer) == (
        world.court,
        "first_instance",
        "ordinary",
        appeal,
        None,
    )
    filed = remand.actions.get()
    assert (filed.action_type, filed.actor, filed.source) == ("filed", None, "system")
    assert filed.payload["first_heard_as"] == number and filed.payload["remanded_by"] == appeal_number
    written_back = first.actions.order_by("seq").last()
    assert (written_back.action_type, written_back.actor, written_back.payload["outcome"]) == (
        "appeal_outcome_recorded",
        None,
        "remanded",
    )
    assert written_back.payload["remanded_case"] == remand_number
    lead = Lead.objects.get(source="reversed_case", officer=judge)  # for the inspectors' preliminary review
    assert lead.origin == {"case": appeal_number}

    # every trace verifies: on each case's page, and by the chain walk
    bench.goto(f"{live_server.url}/cases/{first.public_id}/")
    assert bench.locator("#chain-badge").inner_text() == "✔ 留痕链校验通过"
    assert f"{appeal_number}（二审）已结案：发回重审。" in bench.locator("#timeline").inner_text()
    assert bench.locator("#timeline li").first.inner_text().count("二审、再审结果回写") == 1
    bench.screenshot(path=str(tmp_path / "lifecycle-3-original-written-back.png"), full_page=True)
    second.goto(f"{live_server.url}/cases/{appeal.public_id}/")
    assert second.locator("#chain-badge").inner_text() == "✔ 留痕链校验通过"
    office.goto(f"{live_server.url}/cases/{remand.public_id}/")
    assert office.locator("#chain-badge").inner_text() == "✔ 留痕链校验通过"
    assert office.locator("#assignment-lead").inner_text() == "尚未分案"
    for case in (first, appeal, remand):
        assert verify_chains(case_number=case.case_number) == []
    assert verify_chains() == []
    assert list(first.actions.order_by("seq").values_list("action_type", flat=True)) == [
        "filed",
        "assigned",
        "served",
        "hearing_held",
        "deliberated",
        "ruling_signed",
        "served",
        "closed",
        "appeal_outcome_recorded",
    ]
    sources = Action.objects.filter(case__in=[first, appeal, remand]).values_list("source", flat=True)
    assert (list(sources).count("web"), list(sources).count("system")) == (15, 2)  # the system: write-back, remand
    if os.environ.get("QUANZE_SCREENSHOTS"):
        shutil.copytree(tmp_path, os.environ["QUANZE_SCREENSHOTS"], dirs_exist_ok=True)
    for page in (office, bench, upper, second):  # no connection to the live server outlives the test
        page.context.close()


def test_a_presidents_comment_on_a_case_without_a_four_category_flag_is_refused_and_audited(
    browser, live_server, world
):
    case = world.case(cause="民间借贷纠纷")
    president = browser.new_context().new_page()
    log_in(president, live_server, "president")
    president.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert president.get_by_text("监督管理本案").count() == 0  # not offered on a case without the flag

    # the judge flags it as a four-category case; the president opens the page while the flag is pending
    flag = supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="法律适用分歧较大"
    )
    president.reload()
    president.get_by_text("监督管理本案").click()
    president.get_by_label("书面监督意见（留存案卷）").fill("请说明合议分歧")

    # meanwhile the division chief finds it is not one and dismisses the flag from the inbox
    chief = browser.new_context().new_page()
    log_in(chief, live_server, "chief")
    chief.get_by_role("link", name="督办收件箱").first.click()
    card = chief.locator(f"#alert-{flag.public_id}")
    card.locator(f"#reason-{flag.pk}").fill("事实清楚，不属于四类案件")
    card.get_by_role("button", name="撤销").click()
    chief.locator(".messages").wait_for()
    assert Flag.objects.get(pk=flag.pk).status == "dismissed"

    # the president's comment now falls on a case without a four-category flag
    before = list(case.actions.order_by("seq").values_list("action_type", flat=True))
    president.get_by_role("button", name="提出监督意见").click()
    president.locator(".messages").wait_for()
    assert president.locator(".messages").inner_text().strip() == (
        f"权责清单事项 PRE-N3 不允许：{RULE}：提出书面监督意见"
    )
    assert president.get_by_text("监督管理本案").count() == 0  # the page, reloaded, offers it no more
    assert list(case.actions.order_by("seq").values_list("action_type", flat=True)) == before
    assert not case.actions.filter(action_type="supervision_comment").exists()
    refused = AuditEvent.objects.get(object_type="case", object_id=str(case.public_id), outcome="refused")
    assert (refused.kind, refused.user, refused.detail["action_type"], refused.detail["item_code"]) == (
        "privileged",
        world.president.user,
        "supervision_comment",
        "PRE-N3",
    )
    assert refused.detail["reason"].startswith(f"权责清单事项 PRE-N3 不允许：{RULE}")
    for page in (president, chief):  # no connection to the live server outlives the test
        page.context.close()
