"""A judge's day (待办): what the home page lists for an officer who handles cases, and the decisions awaiting an
approver. Reads only, in a fixed number of queries whatever the number of cases:

* process nodes (流程节点) of my open cases past their due date, or due within ``DUE_SOON_DAYS`` (required nodes,
  结案 left to the time limit below): the flows of all my cases from one query of their traces (``cases.flows``);
* time limits (审限) at 80 % or more, and past: from the figures ``cases.selectors.cases_of_officer`` annotates;
* tasks a supervising leader set me (``supervision``): the progress reports to write, and the other tasks;
* requests awaiting my decision (extensions, designations, changes of the lead judge, recusals): ``cases.requests``.

"My cases" are the cases I lead, sit on, assist or clerk (``cases_of_officer``); every item names its case and links
to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import QuerySet

from accountability.models import Officer
from cases.flows import CLOSED_NODE, NodeState, NodeStatus, case_flow
from cases.models import Action, Case, CaseRequest
from cases.requests import requests_to_decide
from cases.selectors import cases_of_officer
from supervision.choices import TaskKind, TaskStatus
from supervision.models import SupervisionTask

#: a node due within this many days is "due soon"
DUE_SOON_DAYS = 7
#: a time limit used to at least this share is listed (the 80 % of the risk point 审限预警)
LIMIT_WARNING_PERCENT = 80


class _Row(NamedTuple):
    """What ``case_flow`` reads of an action."""

    occurred_at: dt.datetime
    seq: int
    action_type: str


@dataclass(frozen=True)
class NodeItem:
    case: Case
    state: NodeState
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.state.state == NodeStatus.OVERDUE

    @property
    def days_over(self) -> int:
        return (self.today - self.state.due_on).days if self.state.due_on else 0

    @property
    def days_left(self) -> int:
        return (self.state.due_on - self.today).days if self.state.due_on else 0


@dataclass(frozen=True)
class LimitItem:
    case: Case
    used: int
    limit: int

    @property
    def overdue(self) -> bool:
        return self.used > self.limit

    @property
    def percent(self) -> int:
        return round(100 * self.used / self.limit)

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def over(self) -> int:
        return self.used - self.limit


@dataclass
class TodoList:
    nodes: list[NodeItem] = field(default_factory=list)
    limits: list[LimitItem] = field(default_factory=list)
    reports: list[SupervisionTask] = field(default_factory=list)
    tasks: list[SupervisionTask] = field(default_factory=list)
    decisions: list[CaseRequest] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.nodes) + len(self.limits) + len(self.reports) + len(self.tasks) + len(self.decisions)


def my_open_cases(user: Any) -> QuerySet[Case]:
    return cases_of_officer(user).filter(closed_on__isnull=True).order_by("filed_on", "pk")


def _traces(cases: list[Case]) -> dict[int, list[_Row]]:
    """The traces of many cases in one query (each case's partition named by its filing year)."""
    rows: dict[int, list[_Row]] = {case.pk: [] for case in cases}
    if not cases:
        return rows
    found = Action.objects.filter(
        case_id__in=list(rows), case_year__in={case.filed_on.year for case in cases}
    ).values_list("case_id", "occurred_at", "seq", "action_type")
    for case_id, occurred_at, seq, action_type in found:
        rows[case_id].append(_Row(occurred_at, seq, action_type))
    return rows


def node_items(cases: list[Case], *, today: dt.date) -> list[NodeItem]:
    """Required nodes of the cases' flows past due or due within ``DUE_SOON_DAYS``, the most urgent first."""
    traces = _traces(cases)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    items = []
    for case in cases:
        for state in case_flow(case, actions=traces[case.pk], today=today):  # type: ignore[arg-type]
            if not state.required or state.code == CLOSED_NODE or state.due_on is None:
                continue
            if state.state == NodeStatus.OVERDUE or (state.state == NodeStatus.DUE and state.due_on <= soon):
                items.append(NodeItem(case=case, state=state, today=today))
    return sorted(items, key=lambda item: (item.state.due_on, item.case.case_number, item.state.node.position))


def limit_items(cases: list[Case]) -> list[LimitItem]:
    """Open cases whose time limit is used to 80 % or more, or past (from the annotated days used and limit)."""
    items = [
        LimitItem(case=case, used=case.days_used, limit=case.limit_days)
        for case in cases
        if case.limit_days and case.days_used * 100 >= LIMIT_WARNING_PERCENT * case.limit_days
    ]
    return sorted(items, key=lambda item: (item.left, item.case.case_number))


def todo_for(*, user: Any, officer: Officer, today: dt.date, handles_cases: bool) -> TodoList:
    """The officer's to-do list: case work when ``handles_cases``, and the requests awaiting their decision."""
    todo = TodoList()
    if handles_cases:
        cases = list(my_open_cases(user))
        todo.nodes = node_items(cases, today=today)
        todo.limits = limit_items(cases)
        for task in (
            SupervisionTask.objects.filter(assignee=officer, status=TaskStatus.OPEN, case__closed_on__isnull=True)
            .select_related("case", "required_by")
            .order_by("due_on", "pk")
        ):
            (todo.reports if task.kind == TaskKind.PROGRESS_REPORT else todo.tasks).append(task)
    todo.decisions = list(requests_to_decide(officer))
    return todo
