"""Browser tests: real Chromium (Debian's, driven by Playwright) against a live server, clicking what
officers click, in Chinese. Skipped where Chromium is not installed; CI installs it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    # On a laptop without Chromium these are skipped; in CI (CI=true) a missing browser is a failure.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (CI installs it)",
    ),
    # The live server has its own connection: commit for real (the world fixture restores reference data).
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def log_in(page, live_server, username: str) -> None:
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="登录权责系统").is_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")


def test_judge_logs_a_hearing_and_sees_it_in_the_trace(page, live_server, world):
    case = world.case(cause="民间借贷纠纷")
    log_in(page, live_server, "judge")
    page.get_by_role("link", name="我的案件").first.click()
    page.get_by_role("link", name=case.case_number).click()
    page.get_by_label("开庭审理").check()
    page.get_by_label("说明").fill("第一次公开开庭")
    page.get_by_role("button", name="记录").click()
    item = page.locator("#timeline li", has_text="第一次公开开庭")
    item.wait_for()  # swapped in place by HTMX, no page load
    assert "开庭审理" in item.inner_text() and "JUD-02" in item.inner_text()
    assert page.locator("#timeline li").first.inner_text() == item.inner_text()  # newest first
    assert case.actions.filter(action_type="hearing_held", source="web").count() == 1


def test_assistant_is_not_offered_signing_and_the_api_refuses_it(page, live_server, world):
    case = world.case()
    log_in(page, live_server, "assistant")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert page.get_by_label("证据交换").is_visible()
    assert page.get_by_label("签署裁判文书").count() == 0
    response = page.request.post(
        f"{live_server.url}/api/cases/{case.public_id}/actions/",
        data={"action_type": "ruling_signed"},
        headers={"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")},
    )
    assert (response.status, response.json()["details"]["item_code"]) == (403, "AST-N1")


def test_the_judge_asks_for_an_extension_the_president_approves_and_the_clock_moves(browser, live_server, world):
    today = dt.date.today()
    case = world.case(filed_on=today - dt.timedelta(days=100), time_limit_days=90)
    judge = browser.new_page()
    log_in(judge, live_server, "judge")
    judge.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert judge.locator("#clock-over").inner_text() == "超过审限 10 天"
    judge.get_by_label("申请延长天数").fill("60")
    judge.get_by_label("申请延长的理由").fill("鉴定未完成")
    judge.get_by_role("button", name="申请延长审限").click()
    judge.locator("#extension-pending").wait_for()
    assert "王法官申请延长60日" in judge.locator("#extension-pending").inner_text()
    president = browser.new_context().new_page()
    log_in(president, live_server, "president")
    president.goto(f"{live_server.url}/cases/{case.public_id}/")
    president.get_by_label("批准延长天数").fill("60")
    president.get_by_role("button", name="审批").click()
    president.locator("#clock-left").wait_for()
    assert president.locator("#clock-left").inner_text() == "剩余 50 天"
    assert president.locator("#clock-limit").inner_text() == "150"
    judge.context.close()
    president.context.close()


def test_language_switch(page, live_server, world):
    log_in(page, live_server, "judge")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="My cases").first.wait_for()
    page.get_by_role("button", name="中文").click()
    assert page.get_by_role("link", name="我的案件").first.is_visible()


def test_a_locked_out_user_cannot_log_in(page, live_server, world):
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/")
    for _ in range(5):
        page.get_by_label("用户名").fill("judge")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
    page.get_by_label("用户名").fill("judge")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "该账号因多次登录失败已被锁定" in page.get_by_role("alert").inner_text()
    assert page.url.rstrip("/") == live_server.url


def test_president_confirms_an_alert_requires_a_report_judge_files_it_and_president_refers(page, live_server, world):
    from supervision.models import Referral, Situation, SupervisionTask
    from supervision.services import flag_raise

    case = world.case()
    flag_raise(actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="法律适用分歧较大")
    log_in(page, live_server, "president")
    page.get_by_role("link", name="督办收件箱").first.click()
    alert = page.locator(".alert-card", has_text=case.case_number)
    assert "法律适用分歧较大" in alert.inner_text()
    alert.get_by_role("button", name="确认").click()
    page.get_by_role("link", name="监管中").click()
    alert = page.locator(".alert-card", has_text=case.case_number)
    alert.get_by_text("要求报告进展或类案检索").click()
    alert.get_by_label("具体要求").fill("请报告合议情况及分歧意见")
    alert.get_by_label("期限").fill((dt.date.today() + dt.timedelta(days=5)).isoformat())
    alert.get_by_role("button", name="要求报告进展").click()
    assert page.locator(".messages").inner_text().strip() == "已记入办案轨迹。"
    task = SupervisionTask.objects.get(case=case)

    page.context.clear_cookies()
    log_in(page, live_server, "judge")
    page.locator("#bell").click()  # the bell: "…requires on case …, by …"
    page.get_by_role("link", name=case.case_number, exact=False).first.click()
    page.get_by_label("案件进展和评议情况报告").fill("已合议两次，分歧在于违约金计算标准")
    page.get_by_role("button", name="提交报告").click()
    page.locator(".messages").wait_for()
    task.refresh_from_db()
    assert task.status == "done"

    page.context.clear_cookies()
    log_in(page, live_server, "president")
    page.goto(live_server.url + f"/cases/{case.public_id}/")
    page.get_by_text("监督管理本案").click()
    page.get_by_label("提交至").select_option("adjudication_committee")
    page.locator("#sup-reason").fill("法律适用存在重大分歧")
    page.get_by_role("button", name="提交讨论", exact=True).click()
    page.locator(".referral").wait_for()
    assert Referral.objects.get(case=case).body == "adjudication_committee"
    types = list(case.actions.order_by("seq").values_list("action_type", flat=True))
    assert types[-4:] == [
        "four_category_confirmed",
        "progress_report_required",
        "progress_reported",
        "referred_to_committee",
    ]


def test_judge_is_refused_signature_searches_attaches_a_report_then_signs(page, live_server, world, tmp_path):
    from interchange.importing.references import import_reference_cases
    from similar import services as similar
    from supervision import services as supervision
    from supervision.models import Situation

    source = Path(similar.__file__).resolve().parent / "data" / "reference_cases.csv"
    (tmp_path / "refs.csv").write_text(source.read_text(encoding="utf-8").replace(",SHG,", ",HIGH,"), encoding="utf-8")
    assert import_reference_cases(tmp_path / "refs.csv").ok
    case = world.case(cause="商品房预售合同纠纷")
    supervision.flag_raise(
        actor=world.judge, case=case, situation=Situation.objects.get(code="G-01"), reason="购房者众多"
    )
    supervision.referral_create(actor=world.chief, case=case, body="judges_meeting", reason="违约金调整标准不一")
    log_in(page, live_server, "judge")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert "签署裁判文书前须附类案检索报告" in page.locator("#search-required").inner_text()
    assert page.get_by_label("签署裁判文书").count() == 0  # not offered; the API refuses it, saying why
    response = page.request.post(
        f"{live_server.url}/api/cases/{case.public_id}/actions/",
        data={"action_type": "ruling_signed"},
        headers={"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")},
    )
    assert (response.status, response.json()["details"]["item_code"]) == (403, "JUD-S1")
    assert "类案检索报告" in response.json()["message"]

    page.get_by_role("link", name="检索类案并附检索报告").click()
    assert page.get_by_label("检索词（案由、争议焦点、法律术语）").input_value() == "商品房预售合同纠纷"
    page.get_by_label("检索词（案由、争议焦点、法律术语）").fill("逾期交房 违约金")
    page.get_by_role("button", name="检索", exact=True).click()
    hit = page.locator(".hit", has_text="示例指导案例1号")
    assert "指导性案例" in hit.inner_text()
    hit.get_by_label("写入检索报告").check()
    hit.get_by_label("与本案的关联").select_option("followed")
    hit.get_by_label("说明：与本案的相同点或不同点").fill("同为逾期交房，违约金过高应予调整")
    page.get_by_label("检索结论（所引类案对本案的参考意义）").fill("参照指导案例，以实际损失为基础调整违约金")
    page.get_by_role("button", name="将检索报告附入案卷").click()
    page.locator(".messages").wait_for()
    assert "类案检索报告已附入案卷" in page.locator(".messages").inner_text()
    assert "示例指导案例1号" in page.locator("#similar").text_content()

    page.get_by_label("签署裁判文书").check()
    page.get_by_role("button", name="记录").click()
    page.locator("#timeline li", has_text="签署裁判文书").first.wait_for()
    types = list(case.actions.order_by("seq").values_list("action_type", flat=True))
    assert types[-3:] == ["referred_to_committee", "similar_case_search", "ruling_signed"]


def _discipline_panel(world):
    from discipline.models import Committee, CommitteeMember
    from tests.factories import make_officer

    judges = [
        make_officer(
            f"cm{i}", roles=["judge", "committee_member"], organisation=world.high, is_quota=True, name=f"委员{i}"
        )
        for i in range(1, 4)
    ]
    committee = Committee.objects.create(organisation=world.high, name="上海市法官惩戒委员会")
    for member in judges:
        CommitteeMember.objects.create(committee=committee, officer=member)
    return committee, judges


def _heard(world):
    from django.utils import timezone

    from discipline import services as d

    committee, members = _discipline_panel(world)
    lead = d.lead_register(actor=world.inspector, officer=world.judge, source="complaint", summary="投诉")
    proceeding = d.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌违反法定程序")
    d.proceeding_refer(
        actor=world.inspector, proceeding=proceeding, committee=committee, members=members, findings="调查报告"
    )
    d.notice_serve(
        actor=members[0],
        proceeding=proceeding,
        hearing_on=timezone.localdate() + dt.timedelta(days=7),
        notice="听证通知",
    )
    d.hearing_record(actor=members[0], proceeding=proceeding, record="听证笔录")
    return proceeding, members


def test_committee_members_vote_and_give_the_opinion(page, live_server, world):
    from discipline.choices import Exemption
    from discipline.models import Proceeding, Vote

    proceeding, members = _heard(world)
    for username in ("cm1", "cm2"):
        page.context.clear_cookies()
        log_in(page, live_server, username)
        page.get_by_role("link", name="惩戒").first.click()
        page.get_by_role("link", name=proceeding.number).click()
        page.get_by_label("您的表决意见").select_option("gross_negligence")
        page.get_by_label("表决理由").fill("未依法告知诉讼权利，存在重大过失")
        page.get_by_role("button", name="表决", exact=True).click()
        page.locator(".messages").wait_for()
        assert "委员表决" in page.locator("#timeline").inner_text()
        assert Vote.objects.filter(member__officer__officer_id=username).exists()
    assert Vote.objects.filter(proceeding=proceeding).count() == 2
    for code in Exemption.values:
        page.locator(f"#reasoning-{code}").fill("经审查不适用")
    page.get_by_label("审查意见理由").fill("过半数委员认为存在重大过失")
    page.get_by_role("button", name="提出审查意见").click()
    page.locator("#opinion").wait_for()
    assert "存在重大过失" in page.locator("#opinion").inner_text()
    assert Proceeding.objects.get(pk=proceeding.pk).stage == "opinion"


def test_the_officer_files_a_statement_and_an_objection(page, live_server, world, tmp_path, settings):
    from discipline import services as d
    from discipline.models import Proceeding

    settings.MEDIA_ROOT = tmp_path
    proceeding, members = _heard(world)
    for member in members[:2]:
        d.vote_cast(actor=member, proceeding=proceeding, opinion="ordinary_negligence")
    d.opinion_give(
        actor=members[0],
        proceeding=proceeding,
        reasons="一般过失",
        findings=[d.Finding(code, False, "不适用") for code in d.Exemption.values],
    )
    d.opinion_serve(actor=members[0], proceeding=proceeding)
    log_in(page, live_server, "judge")
    page.get_by_role("link", name="惩戒").first.click()
    page.get_by_role("link", name=proceeding.number).click()
    assert "异议期至" in page.locator("#stage-clock").inner_text()
    page.get_by_role("button", name="本人签收审查意见").click()
    page.get_by_label("陈述、举证、辩解").fill("本人已口头告知当事人诉讼权利，有庭审录像为证")
    page.get_by_label("证据材料").set_input_files(
        files=[{"name": "庭审录像说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 statement"}]
    )
    page.get_by_role("button", name="提交", exact=True).click()
    page.locator("#submissions").wait_for()
    assert "庭审录像说明.pdf" in page.locator("#submissions").inner_text()
    page.get_by_label("对审查意见的异议").fill("审查意见认定事实有误")
    page.get_by_role("button", name="提出异议").click()
    page.locator("#stage-clock", has_text="异议审查中").wait_for()
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    assert fresh.stage == "objected" and fresh.acknowledged_at is not None
    assert list(fresh.events.order_by("seq").values_list("kind", flat=True))[-3:] == [
        "opinion_acknowledged",
        "statement_submitted",
        "objection_filed",
    ]


def test_president_opens_the_dashboard_changes_window_drills_down_and_exports(page, live_server, world):
    from evaluation.metrics import Window
    from evaluation.models import MetricResult
    from evaluation.services import metrics_store

    for i in range(3):
        world.case(
            filed_on=dt.date(2025, 1, 10),
            time_limit_days=90,
            closed_on=dt.date(2025, 3, 1 + i),
            closing_method="judgment",
        )
        world.case(
            filed_on=dt.date(2025, 8, 1),
            time_limit_days=90,
            closed_on=dt.date(2025, 9, 1 + i),
            closing_method="judgment",
        )
    metrics_store(window=Window(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    metrics_store(window=Window(dt.date(2025, 7, 1), dt.date(2025, 12, 31)))
    log_in(page, live_server, "president")
    page.get_by_role("link", name="看板").click()
    page.locator("#metric-table").wait_for()
    assert page.locator("#m-closed_count td").nth(1).inner_text() == "6"
    page.locator("#card-closed_count svg").first.wait_for()  # ECharts drew the trend
    page.get_by_label("统计期间").select_option("2025-07-01_2025-12-31")
    page.get_by_role("button", name="查看").click()
    page.locator("#m-closed_count td", has_text="3").first.wait_for()
    page.locator("#m-closed_count a.drill").click()
    assert page.locator("#drill-total").inner_text() == "3"
    assert page.locator("#drill-cases tbody tr").count() == 3
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = {r[1]: r for r in workbook.active.iter_rows(min_row=2, values_only=True)}
    stored = MetricResult.objects.get(
        level="organisation", subject=world.court.code, metric="closed_count", window_from=dt.date(2025, 7, 1)
    )
    assert rows["closed_count"][3] == stored.numerator == 3


def test_the_judge_pages_back_through_a_long_trace_at_both_widths(browser, live_server, world):
    from cases import services
    from cases.views import TRACE_SHOWN

    case = world.case(cause="民间借贷纠纷")
    for n in range(TRACE_SHOWN + 10):
        services.case_log_action(actor=world.judge, case=case, action_type="note", note=f"阅卷笔记 {n}")
    case.refresh_from_db()
    total = case.trace_length
    shots = Path(os.environ.get("QUANZE_SCREENSHOTS") or Path(__file__).resolve().parents[1] / "var" / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, live_server, "judge")
        page.goto(f"{live_server.url}/cases/{case.public_id}/#timeline")
        assert page.locator("#timeline li").count() == TRACE_SHOWN
        assert page.locator("#timeline li").first.get_attribute("id") == f"action-{total}"
        page.get_by_role("link", name="更早的记录").click()
        page.wait_for_url("**trace_page=2**")
        assert page.locator("#timeline li").count() == total - TRACE_SHOWN
        assert page.locator("#timeline li").last.get_attribute("id") == "action-1"
        assert f"第 1–{total - TRACE_SHOWN} 条（共 {total} 条）" in page.locator(".trace-pages").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        page.locator(".trace-pages").screenshot(path=str(shots / f"case-trace-pages-{width}.png"))
        page.screenshot(path=str(shots / f"case-trace-page-2-{width}.png"))
        page.get_by_role("link", name="较新的记录").click()
        page.wait_for_url("**trace_page=1**")
        assert page.locator("#timeline li").first.get_attribute("id") == f"action-{total}"
        page.close()
