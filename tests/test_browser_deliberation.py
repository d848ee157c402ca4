"""The deliberation bodies in Chromium (issue 21): a flagged case is referred to the civil judges' meeting, which
is convened, opened (the panel member withdraws), hears the members in order and gives its advisory opinion; the
minutes print; the chief then refers the case to the committee, which the president convenes and resolves with
a binding resolution followed up on the case page; the case's trace and both meetings' chains verify."""

from __future__ import annotations

from django.utils import timezone

from tests.test_browser import browser_type_launch_args, log_in, pytestmark  # noqa: F401 - the fixture, the marks
from tests.test_deliberation import _flagged, bodies  # noqa: F401 - the fixture


def _convene_in_browser(page, live_server, body_name: str) -> None:
    page.goto(f"{live_server.url}/deliberation/")
    section = page.locator("section.body", has_text=body_name)
    section.locator("input[type=datetime-local]").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    section.get_by_role("button", name="召集会议").click()
    assert page.locator(".messages").inner_text().strip() == "会议已召集，已通知组成人员。"
    page.get_by_role("button", name="宣布开会").click()
    assert page.locator("#meeting-status").inner_text() == "会议进行中"


def test_a_case_goes_through_the_judges_meeting_then_the_committee(page, live_server, world, bodies):  # noqa: F811
    from cases.audit import verify_chains
    from deliberation import services
    from deliberation.models import AgendaItem, Meeting

    case = _flagged(world)
    log_in(page, live_server, "chief")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.get_by_text("监督管理本案").click()
    page.get_by_label("提交至").select_option("judges_meeting")
    page.locator("#sup-reason").fill("违约金调整标准存在分歧")
    page.get_by_role("button", name="提交讨论", exact=True).click()
    page.locator(".referral").wait_for()
    assert page.get_by_label("提交至").locator("option").all_text_contents() == ["专业法官会议", "审判委员会"]
    # straight to the committee is refused, naming the rule
    page.get_by_text("监督管理本案").click()
    page.get_by_label("提交至").select_option("adjudication_committee")
    page.locator("#sup-reason").fill("直接提交")
    page.get_by_role("button", name="提交讨论", exact=True).click()
    assert "DR-C1" in page.locator(".messages .error").inner_text()

    _convene_in_browser(page, live_server, "民事专业法官会议")
    meeting = Meeting.objects.get(body=bodies.meeting)
    item = AgendaItem.objects.get(meeting=meeting)
    agenda = page.locator(f"#item-{item.public_id}")
    assert "回避: 李法官（参与过本案办理。）" in agenda.inner_text()
    assert "发言顺序: 甲法官 → 乙法官 → 孙庭长" in agenda.inner_text()

    member = page.context.browser.new_context().new_page()
    log_in(member, live_server, "m1")
    member.goto(f"{live_server.url}/deliberation/")
    member.locator("#my-turn").get_by_role("link").click()
    member.get_by_label("您的意见").fill("应结合实际损失调整违约金")
    member.get_by_label("您的表决意见").select_option("for")
    member.get_by_role("button", name="发表意见").click()
    assert member.locator(".messages").inner_text().strip() == "您的意见已记录。"
    services.opinion_give(actor=bodies.m2, item=item, text="同意", vote="against")

    page.reload()
    page.get_by_label("您的意见").fill("同意多数意见")
    page.get_by_role("button", name="发表意见").click()
    page.get_by_label("决定或意见", exact=True).fill("多数意见：违约金按实际损失调整")
    page.get_by_role("button", name="记录决定或意见").click()
    assert "同意2票，不同意1票，弃权0票 · 咨询意见" in page.locator(f"#resolution-{item.public_id}").inner_text()
    page.get_by_role("button", name="宣布散会").click()
    page.get_by_role("button", name="在纪要上签名").click()
    for officer in (bodies.m1, bodies.m2):
        services.minutes_sign(actor=officer, meeting=meeting)
    page.get_by_role("link", name="会议纪要（可打印）").click()
    minutes = page.locator("#minutes").inner_text()
    assert minutes.index("甲法官") < minutes.index("乙法官") < minutes.index("孙庭长: 同意多数意见")
    assert "哈希链完整" in minutes

    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.get_by_text("监督管理本案").click()
    page.get_by_label("提交至").select_option("adjudication_committee")
    page.locator("#sup-reason").fill("仍有重大分歧")
    page.get_by_role("button", name="提交讨论", exact=True).click()
    page.locator(".referral").nth(1).wait_for()

    president = page.context.browser.new_context().new_page()
    log_in(president, live_server, "president")
    _convene_in_browser(president, live_server, "审判委员会")
    committee = Meeting.objects.get(body=bodies.committee)
    item = AgendaItem.objects.get(meeting=committee)
    for officer in (bodies.m1, world.criminal_chief, world.chief):
        services.opinion_give(actor=officer, item=item, text="同意", vote="for")
    president.reload()
    president.get_by_label("您的意见").fill("同意")
    president.get_by_role("button", name="发表意见").click()
    president.get_by_label("决定或意见", exact=True).fill("决定：违约金按实际损失调整")
    president.get_by_role("button", name="记录决定或意见").click()
    assert "办案组织应当执行" in president.locator(f"#resolution-{item.public_id}").inner_text()

    judge = page.context.browser.new_context().new_page()
    log_in(judge, live_server, "judge")
    judge.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert "督办中" in judge.locator(f"#follow-up-{item.public_id}").inner_text()
    judge.goto(f"{live_server.url}/deliberation/meetings/{committee.public_id}/")
    assert judge.get_by_role("heading", name="审判委员会").count() == 0  # not a member: the minutes stay closed

    types = list(case.actions.order_by("seq").values_list("action_type", flat=True))
    assert types.count("committee_outcome_recorded") == 2 and types.count("meeting_convened") == 2
    assert verify_chains() == []
    assert services.meeting_verify(meeting) == [] and services.meeting_verify(committee) == []
