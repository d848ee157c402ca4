"""A judge's day (待办): the home page of those who handle cases lists what is due on their cases, and the
requests awaiting a decision for those who decide them; in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.extensions import extension_request
from supervision.models import SupervisionTask

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 7, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TODAY = dt.date(2024, 7, 1)


def as_(officer) -> Client:
    client = Client()
    client.force_login(officer.user)
    return client


def home(officer):
    return as_(officer).get("/home/")


def task(world, case, kind, *, assignee=None, due=TODAY + dt.timedelta(days=3), status="open"):
    """Set-up only: a task a leader set (the supervision services are tested on their own)."""
    return SupervisionTask.objects.create(
        case=case,
        kind=kind,
        required_by=world.chief,
        assignee=assignee or world.judge,
        instructions="请报告合议情况" if kind == "progress_report" else "请检索类案",
        due_on=due,
        status=status,
    )


@pytest.fixture
def day(world):
    """Three open cases of the judge at different points, a closed one, and another court's case."""
    with time_machine.travel(NOW, tick=False):
        fresh = world.case(filed_on=TODAY - dt.timedelta(days=3), time_limit_days=180)  # service due in 2 days
        late = world.case(filed_on=TODAY - dt.timedelta(days=20), time_limit_days=180)  # service 15 days overdue
        near = world.case(filed_on=TODAY - dt.timedelta(days=170), time_limit_days=180)  # 94 %
        over = world.case(filed_on=TODAY - dt.timedelta(days=185), time_limit_days=180)  # 5 days over
        world.case(
            filed_on=TODAY - dt.timedelta(days=300), time_limit_days=180, closed_on=TODAY, closing_method="judgment"
        )
        world.case(organisation=world.other_court, department=world.other_civil, lead_officer=world.other_judge)
        task(world, late, "progress_report")
        task(world, near, "similar_search", due=TODAY - dt.timedelta(days=1))
        task(world, over, "progress_report", status="done")
        task(world, fresh, "progress_report", assignee=world.judge2)
    return {"fresh": fresh, "late": late, "near": near, "over": over}


def test_the_judges_home_is_the_to_do_list_of_his_cases(world, day):
    with time_machine.travel(NOW, tick=False):
        response = home(world.judge)
    todo = response.context["todo"]
    nodes = [(i.case.case_number, i.state.name, i.state.due_on, i.overdue) for i in todo.nodes]
    assert nodes == [
        (day["over"].case_number, "送达起诉状副本", TODAY - dt.timedelta(days=180), True),
        (day["near"].case_number, "送达起诉状副本", TODAY - dt.timedelta(days=165), True),
        (day["over"].case_number, "开庭审理", TODAY - dt.timedelta(days=95), True),
        (day["near"].case_number, "开庭审理", TODAY - dt.timedelta(days=80), True),
        (day["late"].case_number, "送达起诉状副本", TODAY - dt.timedelta(days=15), True),
        (day["fresh"].case_number, "送达起诉状副本", TODAY + dt.timedelta(days=2), False),
    ]
    assert [(i.case.case_number, i.used, i.limit, i.overdue) for i in todo.limits] == [
        (day["over"].case_number, 185, 180, True),
        (day["near"].case_number, 170, 180, False),
    ]
    assert [t.case for t in todo.reports] == [day["late"]]
    assert [t.case for t in todo.tasks] == [day["near"]]
    assert todo.decisions == []
    html = " ".join(response.content.decode().split())
    assert "待办（10）" in html
    assert 'id="todo-nodes-heading">流程节点到期或超期（6）<' in html
    assert 'id="todo-limits-heading">审限已用≥80％或已超审限（2）<' in html
    assert 'id="todo-reports-heading">待报告的案件进展（1）<' in html
    assert 'id="todo-tasks-heading">院庭长交办事项（1）<' in html
    assert f'<a href="/cases/{day["late"].public_id}/">{day["late"].case_number}</a> · 送达起诉状副本 · ' in html
    assert '<span class="bad">应于2024-06-16完成，已超期15日</span>' in html
    assert "应于2024-07-03完成，还有2日" in html
    assert '审限已用 185 / 180 天（103％） · <span class="bad">超过审限 5 天</span>' in html
    assert "审限已用 170 / 180 天（94％） · 剩余 10 天" in html
    assert 'id="decisions"' not in html  # a judge decides no requests


def test_an_assistant_and_a_clerk_see_the_same_cases_and_another_judge_sees_none_of_them(world, day):
    with time_machine.travel(NOW, tick=False):
        judge = home(world.judge).context["todo"]
        for officer in (world.assistant, world.clerk):
            todo = home(officer).context["todo"]
            assert [(i.case, i.state.code) for i in todo.nodes] == [(i.case, i.state.code) for i in judge.nodes]
            assert [i.case for i in todo.limits] == [i.case for i in judge.limits]
            assert (todo.reports, todo.tasks) == ([], [])  # the tasks were set for the judge
        other = home(world.other_judge).context["todo"]
    mine = set(day.values())
    assert not {i.case for i in other.nodes + other.limits} & mine


def test_the_approver_sees_the_requests_awaiting_a_decision_and_keeps_the_leaders_panels(world, day):
    with time_machine.travel(NOW, tick=False):
        request = extension_request(actor=world.judge, case=day["late"], days=30, reason="鉴定未完成")
        president = home(world.president)
        chief = home(world.chief)
        high = home(world.high_president)
    assert [r.pk for r in president.context["todo"].decisions] == [request.pk]
    html = " ".join(president.content.decode().split())
    assert "待您审批（1）" in html
    assert (
        f'<a href="/cases/{day["late"].public_id}/">{day["late"].case_number}</a> · 延长审限 · 王法官于2024-07-01申请 · 30日'
        in html
    )
    assert 'id="inbox-link"' in html  # the leaders' panels stay
    assert (chief.context["todo"].decisions, high.context["todo"].decisions) == ([], [])
    assert "待您审批（0）" in chief.content.decode() and "没有待您审批的事项。" in chief.content.decode()


def _queries(officer) -> int:
    client = as_(officer)
    client.get("/home/")  # warm: the session, and the flow nodes kept per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/home/").status_code == 200
    return len(queries)


def test_the_home_page_costs_the_same_queries_with_one_case_or_three(world):
    with time_machine.travel(NOW, tick=False):
        first = world.case(filed_on=TODAY - dt.timedelta(days=170), time_limit_days=180)
        task(world, first, "progress_report")
        task(world, first, "similar_search")
        extension_request(actor=world.judge, case=first, days=10, reason="鉴定未完成")
        one = (_queries(world.judge), _queries(world.president))
        for _ in range(2):
            case = world.case(filed_on=TODAY - dt.timedelta(days=170), time_limit_days=180)
            task(world, case, "progress_report")
            task(world, case, "similar_search")
            extension_request(actor=world.judge, case=case, days=10, reason="鉴定未完成")
        three = (_queries(world.judge), _queries(world.president))
        assert len(home(world.judge).context["todo"].limits) == 3
        assert len(home(world.president).context["todo"].decisions) == 3
    assert one == three
