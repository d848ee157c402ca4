"""Case work in the browser: my cases, the case page, logging actions (HTMX), extensions, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.extensions import case_decide_extension, extension_request
from cases.models import Action, Case, CaseRequest

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def test_my_cases_lists_mine_with_counts_and_filters(world):
    with time_machine.travel(NOW, tick=False):
        mine = world.case(filed_on=dt.date(2024, 1, 10), time_limit_days=90)  # 51 days of 90
        near = world.case(filed_on=dt.date(2023, 12, 1), time_limit_days=90)  # 91 > 90: overdue
        late = world.case(filed_on=dt.date(2023, 12, 15), time_limit_days=90)  # 77 of 90: ≥ 80 %
        world.case(lead_officer=world.other_judge, organisation=world.other_court, department=world.other_civil)
        client = as_(world.judge)
        html = client.get("/cases/").content.decode()
        assert all(c.case_number in html for c in (mine, near, late))
        assert 'id="filter-pending">待结 <span class="count">3</span>' in html
        assert 'id="filter-overdue">超审限 <span class="count">1</span>' in html
        assert 'id="filter-near_limit">审限已用≥80％ <span class="count">1</span>' in html
        overdue = client.get("/cases/?filter=overdue").content.decode()
        assert near.case_number in overdue and mine.case_number not in overdue
        found = client.get(f"/cases/?filter=all&q={late.case_number}").content.decode()
        assert late.case_number in found and mine.case_number not in found


def test_my_cases_query_count_is_constant(world):
    client = as_(world.judge)
    world.case()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/?filter=all").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(2):
        world.case()
    assert count() == one


def test_case_page_shows_clock_trace_and_only_allowed_actions(world):
    with time_machine.travel(NOW, tick=False):
        case = world.case(filed_on=dt.date(2024, 1, 10), time_limit_days=90, excluded_days=10)
        services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="第一次开庭")
        judge = as_(world.judge).get(f"/cases/{case.public_id}/").content.decode()
        assert 'id="clock-used">41<' in judge  # 51 days less 10 excluded
        assert 'id="chain-badge">✔' in judge
        assert "第一次开庭" in judge and "JUD-02" in judge
        assert 'value="ruling_signed"' in judge
        assistant = as_(world.assistant).get(f"/cases/{case.public_id}/").content.decode()
        assert 'value="evidence_exchanged"' in assistant and 'value="ruling_signed"' not in assistant
        assert as_(world.other_judge).get(f"/cases/{case.public_id}/").status_code == 404


def test_case_page_query_count_is_constant_as_the_trace_grows(world):
    case = world.case()
    client = as_(world.judge)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.public_id}/").status_code == 200
        return len(ctx.captured_queries)

    services.case_log_action(actor=world.judge, case=case, action_type="note")
    count()  # the first page a process serves loads the flow nodes once (cases.flows keeps them)
    services.case_log_action(actor=world.judge, case=case, action_type="note")
    one = count()  # a new head: the chain badge walks the chain (once per head), as below
    for _ in range(50):
        services.case_log_action(actor=world.judge, case=case, action_type="note")
    assert count() == one


def test_logging_through_htmx_updates_the_trace_in_place(world):
    case = world.case()
    response = as_(world.clerk).post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "served", "note": "直接送达被告", "version": case.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.startswith('<div id="case-work" class="case-grid">')
    assert "直接送达被告" in html and "CLK-01" in html
    assert Action.objects.filter(case=case, action_type="served", actor=world.clerk).count() == 1


def test_a_refused_action_shows_the_item_and_writes_nothing(world):
    case = world.case()
    before = case.actions.count()
    response = as_(world.assistant).post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "ruling_signed", "version": case.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "AST-N1" in html and "法官助理不得签署裁判文书" in html
    assert case.actions.count() == before


def test_a_stale_form_is_refused(world):
    case = world.case()
    stale = case.version
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    case_decide_extension(actor=world.president, request=request, approve=True)  # the limit moves: version + 1
    response = as_(world.judge).post(
        f"/cases/{case.public_id}/actions/", {"action_type": "note", "version": stale}, follow=True
    )
    assert "本案在您打开后已被他人修改" in response.content.decode()
    assert not Action.objects.filter(case=case, action_type="note").exists()


def test_a_correction_points_at_what_it_corrects(world):
    case = world.case()
    wrong = services.case_log_action(actor=world.judge, case=case, action_type="hearing_held", note="3月1日")
    as_(world.judge).post(
        f"/cases/{case.public_id}/actions/",
        {"action_type": "hearing_held", "note": "应为3月2日", "corrects": wrong.seq, "version": case.version},
    )
    fix = Action.objects.get(case=case, note="应为3月2日")
    assert fix.corrects == wrong
    assert f"更正 #{wrong.seq}" in as_(world.judge).get(f"/cases/{case.public_id}/").content.decode()


def test_extension_request_then_the_presidents_approval_moves_the_clock(world):
    with time_machine.travel(NOW, tick=False):
        case = world.case(filed_on=dt.date(2023, 12, 1), time_limit_days=90)
        judge = as_(world.judge)
        judge.post(f"/cases/{case.public_id}/extension/request/", {"days": 90, "reason": "鉴定未完成", "version": 2})
        assert 'id="extension-decide-form"' not in judge.get(f"/cases/{case.public_id}/").content.decode()
        president = as_(world.president)
        page = president.get(f"/cases/{case.public_id}/").content.decode()
        assert 'id="clock-over">超过审限 1 天<' in page and 'id="extension-decide-form"' in page
        request = CaseRequest.objects.get(case=case)
        president.post(
            f"/cases/{case.public_id}/extension/decision/",
            {"request": request.public_id, "decision": "approve", "days": "", "version": 1},  # the days asked
        )
        page = president.get(f"/cases/{case.public_id}/").content.decode()
    case.refresh_from_db()
    assert case.extension_days == 90
    assert 'id="clock-limit">180<' in page and 'id="clock-left">剩余 89 天<' in page
    assert Action.objects.filter(case=case, action_type="extension_approved", power_item_code="PRE-02").count() == 1


def test_judge_cannot_decide_an_extension(world):
    case = world.case()
    request = extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
    page = as_(world.judge).get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="extension-decide-form"' not in page
    as_(world.judge).post(
        f"/cases/{case.public_id}/extension/decision/",
        {"request": request.public_id, "decision": "approve", "days": 30, "version": 1},
    )
    assert Case.objects.get(pk=case.pk).extension_days == 0


def test_a_closed_case_shows_how_it_closed_against_its_limit_not_days_left(world):
    """The clock stops at closing: the page says whether the case closed within its limit, not "N days left"."""
    with time_machine.travel(NOW, tick=False):
        within = world.case(
            filed_on=dt.date(2024, 1, 10), time_limit_days=90, closed_on=dt.date(2024, 2, 20), closing_method="judgment"
        )
        late = world.case(
            filed_on=dt.date(2023, 11, 1), time_limit_days=90, closed_on=dt.date(2024, 2, 9), closing_method="judgment"
        )
        open_ = world.case(filed_on=dt.date(2024, 1, 10), time_limit_days=90)
        judge = as_(world.judge)
        pages = {c: judge.get(f"/cases/{c.public_id}/").content.decode() for c in (within, late, open_)}
    assert 'id="clock-used">41<' in pages[within] and 'id="clock-closed">在审限内结案<' in pages[within]
    assert 'id="clock-left"' not in pages[within]
    assert 'id="clock-closed" class="bad">超过审限 10 天结案<' in pages[late]  # 100 days of 90
    assert 'id="clock-over"' not in pages[late]
    assert 'id="clock-left">剩余 39 天<' in pages[open_] and 'id="clock-closed"' not in pages[open_]
