"""Where a case stands on its standard flow (流程节点), read from its trace: DOMAIN.md §11, issue 17 item 3.

The flow of a case type and procedure is data (``cases.models.FlowNode``, edited in the admin). A case's state on
it is derived, never stored:

* **reached**: a node is reached by the first action of one of its ``action_types`` that comes after the action
  that reached the previous reached node (in time, then trace order). So the two 送达 nodes of a first-instance
  flow are distinct: the first ``served`` reaches 送达起诉状副本, a ``served`` after the ruling is signed reaches
  裁判文书送达. An optional node does not take the action from the node after it when both accept it (a second
  instance decided without a hearing: 合议 reaches 开庭审理或者径行裁判 and 合议 both). The node reached by ``filed`` counts as reached on the filing date when the trace has no ``filed``
  action (a case imported without its filing action was filed all the same).
* **due date**: ``deadline_days`` counted from filing, or from the date the node just before it was reached (no
  due date while that node is not reached). The 结案 node (code ``closed``) is due at the end of the time limit:
  filed_on + limit + approved extension + excluded days. Calendar days: the holiday calendar (DOMAIN.md §11) is not
  applied to node deadlines yet.
* **state**: reached, due (a due date not yet passed), overdue (past its due date, not reached) or not yet (no due
  date yet); on a closed case, a node before 结案 that was not reached is skipped (it will not be reached: no due
  date, never overdue).

``missing_required_nodes`` is the pre-closing check (结案前校验): the required nodes before 结案 not reached, less those
waived for the closing method (``FlowNode.waived_for``: a case withdrawn, mediated or transferred closes without
开庭审理 or 合议). On the closed case such a node is skipped, like any node before 结案 not reached.
``risk_overdue_nodes`` is the part of the flow that the risk rule ``case.nodes_overdue`` counts set-wise in SQL
(``supervision.rules``): required nodes with a deadline counted from filing, other than 结案 (its deadline is the
time limit itself, which the risk point 超审限 watches), reached by any action of their types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Action, Case, FlowNode

CLOSED_NODE = "closed"
FILED = "filed"


class NodeStatus:
    REACHED = "reached"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_YET = "not_yet"
    SKIPPED = "skipped"

    LABELS = {
        REACHED: _("Done"),
        DUE: _("To be done"),
        OVERDUE: _("Past due"),
        NOT_YET: _("Not started"),
        SKIPPED: _("Skipped"),
    }


@dataclass(frozen=True)
class NodeState:
    node: FlowNode
    reached_at: dt.datetime | None
    due_on: dt.date | None
    state: str
    current: bool = False

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def required(self) -> bool:
        return self.node.required

    @property
    def state_label(self) -> Any:
        return NodeStatus.LABELS[self.state]

    @property
    def reached_on(self) -> dt.date | None:
        return timezone.localdate(self.reached_at) if self.reached_at else None

    @property
    def late(self) -> bool:
        """Reached, but after its due date."""
        return bool(self.reached_at and self.due_on and self.reached_on > self.due_on)


# --- the nodes: one query, kept per process until a node changes ----------------------------------------------

_NODES: dict[tuple[str, str], list[FlowNode]] | None = None
#: Counts the reloads of the nodes: a cache of anything built from them (the risk rules' compiled query) keys on it.
_GENERATION = 0


def flow_nodes_all() -> dict[tuple[str, str], list[FlowNode]]:
    """Every active node, by (case type, procedure), in position order: one query, then kept until a node is saved
    or deleted (``flow_cache_clear``, connected in ``cases.hooks``)."""
    global _NODES
    if _NODES is None:
        nodes: dict[tuple[str, str], list[FlowNode]] = {}
        for node in FlowNode.objects.filter(is_active=True).order_by("case_type", "procedure", "position", "pk"):
            nodes.setdefault((node.case_type, node.procedure), []).append(node)
        _NODES = nodes
    return _NODES


def flow_cache_clear(**kwargs: Any) -> None:
    global _NODES, _GENERATION
    _NODES = None
    _GENERATION += 1


def flow_generation() -> int:
    """Changes whenever the nodes may have changed (a node saved or deleted in this process)."""
    return _GENERATION


def flow_nodes(case_type: str, procedure: str) -> list[FlowNode]:
    return flow_nodes_all().get((case_type, procedure), [])


# --- a case's flow ------------------------------------------------------------------------------------------


def _trace_rows(case: Case, actions: Iterable[Action] | None) -> list[tuple[dt.datetime, int, str]]:
    """(occurred_at, seq, action_type) of the case's actions, in time then trace order; the page's actions when it
    has them loaded, otherwise one query for just these three columns."""
    if actions is None:
        rows = list(
            Action.objects.filter(case_id=case.pk, case_year=case.filed_on.year).values_list(
                "occurred_at", "seq", "action_type"
            )
        )
    else:
        rows = [(a.occurred_at, a.seq, a.action_type) for a in actions]
    return sorted(rows)


def _closing_due(case: Case) -> dt.date | None:
    if not case.time_limit_days:
        return None
    days = case.time_limit_days + case.extension_days + case.excluded_days
    return case.filed_on + dt.timedelta(days=days)


def case_flow(case: Case, *, actions: Sequence[Action] | None = None, today: dt.date | None = None) -> list[NodeState]:
    """The nodes of the case's flow in position order, each with when it was reached, when it is due and its state;
    the first node not reached after the last reached one is ``current``."""
    today = today or timezone.localdate()
    nodes = flow_nodes(case.case_type, case.procedure)
    if not nodes:
        return []
    rows = _trace_rows(case, actions)
    cursor: tuple[dt.datetime, int] | None = None
    reached: list[dt.datetime | None] = []
    previous: tuple[FlowNode, tuple[dt.datetime, int, str] | None] | None = None
    for node in nodes:
        types = set(node.action_types)
        found = next(
            (row for row in rows if row[2] in types and (cursor is None or (row[0], row[1]) > cursor)),
            None,
        )
        # An optional node reached by an action this node takes too (二审径行裁判: the deliberation stands for the
        # hearing not held) does not take the action from it.
        if found is None and previous and not previous[0].required and previous[1] and previous[1][2] in types:
            found = previous[1]
        previous = (node, found)
        if found is not None:
            cursor = (found[0], found[1])
            reached.append(found[0])
        elif FILED in types:  # every case was filed: one born without a ``filed`` action (set up, imported) too
            reached.append(timezone.make_aware(dt.datetime.combine(case.filed_on, dt.time())))
        else:
            reached.append(None)

    states: list[NodeState] = []
    last_reached = max((i for i, at in enumerate(reached) if at is not None), default=-1)
    closing = next((i for i, node in enumerate(nodes) if node.code == CLOSED_NODE), None)
    for index, node in enumerate(nodes):
        due_on: dt.date | None = None
        if reached[index] is None and not case.is_open and closing is not None and index < closing:
            states.append(NodeState(node=node, reached_at=None, due_on=None, state=NodeStatus.SKIPPED))
            continue
        if node.code == CLOSED_NODE:
            due_on = _closing_due(case)
        elif node.deadline_days is not None:
            if node.deadline_from == FlowNode.From.FILING:
                due_on = case.filed_on + dt.timedelta(days=node.deadline_days)
            elif index > 0 and reached[index - 1] is not None:
                due_on = timezone.localdate(reached[index - 1]) + dt.timedelta(days=node.deadline_days)
        if reached[index] is not None:
            state = NodeStatus.REACHED
        elif due_on is None:
            state = NodeStatus.NOT_YET
        elif today > due_on:
            state = NodeStatus.OVERDUE
        else:
            state = NodeStatus.DUE
        states.append(NodeState(node=node, reached_at=reached[index], due_on=due_on, state=state))
    current = next(
        (
            i
            for i in range(last_reached + 1, len(states))
            if states[i].reached_at is None and states[i].state != NodeStatus.SKIPPED
        ),
        None,
    )
    if current is not None:
        states[current] = NodeState(
            node=states[current].node,
            reached_at=None,
            due_on=states[current].due_on,
            state=states[current].state,
            current=True,
        )
    return states


def missing_required_nodes(
    case: Case, *, flow: Sequence[NodeState] | None = None, closing_method: str | None = None
) -> list[FlowNode]:
    """结案前校验: the required nodes before 结案 that the case has not reached, in flow order. With a closing method,
    the nodes waived for it (``FlowNode.waived_for``: 撤诉、调解、移送 without 开庭审理 or 合议) are not missing;
    without one, every required node counts."""
    states = list(flow) if flow is not None else case_flow(case)
    missing = []
    for state in states:
        if state.code == CLOSED_NODE:
            break
        if state.required and state.reached_at is None and not waived(state.node, closing_method):
            missing.append(state.node)
    return missing


def waived(node: FlowNode, closing_method: str | None) -> bool:
    """Whether the node is not required when the case closes by this method."""
    return bool(closing_method) and closing_method in (node.waived_for or [])


def missing_required_by_method(
    case: Case, methods: Iterable[str], *, flow: Sequence[NodeState] | None = None
) -> dict[str, list[FlowNode]]:
    """The pre-closing check for each closing method, in the order given (the closing page and the flow API)."""
    states = list(flow) if flow is not None else case_flow(case)
    return {method: missing_required_nodes(case, flow=states, closing_method=method) for method in methods}


def overdue_nodes(case: Case, *, flow: Sequence[NodeState] | None = None) -> list[NodeState]:
    """Required nodes past their due date and not reached, as the page shows them."""
    states = list(flow) if flow is not None else case_flow(case)
    return [s for s in states if s.required and s.state == NodeStatus.OVERDUE]


def risk_nodes(case_type: str, procedure: str) -> list[FlowNode]:
    """The nodes the risk fact ``case.nodes_overdue`` counts (see the module's note)."""
    return [
        node
        for node in flow_nodes(case_type, procedure)
        if node.required
        and node.code != CLOSED_NODE
        and node.deadline_days is not None
        and node.deadline_from == FlowNode.From.FILING
        and node.action_types
    ]


def risk_overdue_nodes(case: Case, *, today: dt.date | None = None) -> list[FlowNode]:
    """The nodes ``case.nodes_overdue`` counts as overdue for this case, computed in Python (the tests hold the SQL
    to it): past filing + deadline, and no action of the node's types in the trace."""
    today = today or timezone.localdate()
    present = {row[2] for row in _trace_rows(case, None)}
    return [
        node
        for node in risk_nodes(case.case_type, case.procedure)
        if today > case.filed_on + dt.timedelta(days=node.deadline_days or 0) and not present & set(node.action_types)
    ]
