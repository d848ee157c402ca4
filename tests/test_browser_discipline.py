"""Discipline in Chromium (issue 19 item 1): a president's decision beyond what the committee's opinion allows is
refused on the page, in words naming the opinion and what it allows, and nothing is written; after a review that
changes the sanction, the regenerated 惩戒决定书 states the review with its date and prints the final sanction only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.test_browser import (  # noqa: F401 - the fixture, the marks
    _discipline_panel,
    _heard,
    browser_type_launch_args,
    log_in,
    pytestmark,
)


def _rules() -> None:
    """The live-server tests flush every table between them: put the sanction rules and the X2 items back."""
    from accountability.models import PowerItem, PowerItemRevision
    from discipline.default_rules import install
    from discipline.models import SanctionRule

    install(SanctionRule, PowerItem, PowerItemRevision)


def _final(world, proceeding, members, verdict: str):
    """The opinion ``verdict`` given, served, objected to and the objection refused: the opinion is final."""
    from discipline import services as d

    for member in members:
        d.vote_cast(actor=member, proceeding=proceeding, opinion=verdict, reason="同意")
    d.opinion_give(
        actor=members[0],
        proceeding=proceeding,
        reasons="经审议",
        findings=[d.Finding(code, False, "不适用") for code in d.Exemption.values],
    )
    d.opinion_serve(actor=members[0], proceeding=proceeding)
    d.objection_file(actor=world.judge, proceeding=proceeding, text="异议")
    d.objection_decide(actor=members[0], proceeding=proceeding, grant=False, reason="异议不成立")
    return proceeding


def _second(world, members):
    """Another proceeding against the same judge, with the same committee, to its final opinion."""
    from discipline import services as d

    lead = d.lead_register(
        actor=world.inspector, officer=world.judge, source="complaint", summary="再次投诉", origin={"complaint": "2"}
    )
    proceeding = d.lead_open(actor=world.inspector, lead=lead, allegation="涉嫌因重大过失导致裁判错误")
    committee = members[0].committees.get()
    d.proceeding_refer(
        actor=world.inspector, proceeding=proceeding, committee=committee, members=members, findings="调查报告"
    )
    d.notice_serve(
        actor=members[0], proceeding=proceeding, hearing_on=timezone.localdate() + dt.timedelta(days=5), notice="通知"
    )
    d.hearing_record(actor=members[0], proceeding=proceeding, record="听证笔录")
    return _final(world, proceeding, members, "gross_negligence")


def test_a_decision_beyond_the_opinion_is_refused_and_a_review_shows_in_the_regenerated_document(
    browser, live_server, world
):
    from discipline import services as d
    from discipline.models import Proceeding, Sanction

    _rules()
    negligent, members = _heard(world)
    _final(world, negligent, members, "ordinary_negligence")
    before = Proceeding.objects.get(pk=negligent.pk)

    president = browser.new_context().new_page()
    log_in(president, live_server, "president")
    president.goto(f"{live_server.url}/discipline/{negligent.public_id}/")
    assert "存在一般过失" in president.locator("#rule").inner_text()
    form = president.locator("#decision-form")
    form.locator("#kind").select_option("dismissal")
    form.locator('input[name="measures"][value="quota_loss"]').check()
    form.locator("#decision-text").fill("给予开除处分，退出员额")
    form.get_by_role("button", name="作出决定").click()
    refusal = president.locator(".messages").inner_text()
    assert "惩戒委员会的审查意见为“存在一般过失”，只能作出：" in refusal and "警告" in refusal
    after = Proceeding.objects.get(pk=negligent.pk)
    assert (after.stage, after.version, after.trace_length) == ("opinion_final", before.version, before.trace_length)
    assert not Sanction.objects.filter(proceeding=negligent).exists()
    world.judge.refresh_from_db()
    assert world.judge.is_quota

    # a dismissal the opinion allows, asked to be reviewed, and changed to a warning on the page
    gross = _second(world, members)
    d.decision_make(
        actor=world.president,
        proceeding=gross,
        order=d.SanctionOrder("dismissal", ("quota_loss",)),
        text="给予开除处分，退出员额",
    )
    d.review_request(actor=world.judge, proceeding=gross, reason="处分过重")
    president.goto(f"{live_server.url}/discipline/{gross.public_id}/")
    form = president.locator("#decision-form")
    form.locator("#outcome").select_option("changed")
    form.locator("#kind").select_option("warning")
    form.locator("#decision-text").fill("情节较轻，改为警告")
    form.get_by_role("button", name="作出决定").click()
    president.locator(".messages", has_text="已记录").wait_for()
    president.get_by_role("link", name="惩戒决定书").click()
    document = president.locator("article.document").inner_text()
    today = timezone.localdate()
    assert (
        f"本院于 {today.year}年{today.month}月{today.day}日 作出复核决定：变更原处分。理由：情节较轻，改为警告"
        in document
    )
    assert "现处分为：警告，期间 6 个月" in document
    assert "开除" not in document and "退出员额" not in document
    assert f"干警编号 {world.judge.officer_id}" in document
    world.judge.refresh_from_db()
    assert world.judge.is_quota  # the seat the dismissal took came back with the review
    president.context.close()  # no connection to the live server outlives the test
