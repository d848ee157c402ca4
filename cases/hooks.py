"""What the case registry hooks into itself and onto the case page: the ``case_closed`` receiver that writes an
appeal's outcome back and opens a remanded case (``cases.closing``), the flow panel (流程节点) with the closing and
archiving buttons, and the flow cache kept in step with the nodes' data; connected in ``CasesConfig.ready``.

Another part of the case's life may add its own functions here: keep each ``connect`` step additive."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accountability.choices import ActionType
from cases import assignment, events
from cases.choices import ClosingMethod, closing_methods_for
from cases.closing import on_case_closed
from cases.extensions import extension_decide_request, extension_scope
from cases.flows import case_flow, flow_cache_clear, missing_required_nodes
from cases.models import CaseRequest, FlowNode
from cases.panels import CasePanel, PanelRequest, case_panel_register
from cases.requests import RequestKind, request_kind_register
from cases.views_assignment import ACTION_TYPES as ASSIGNMENT_ACTION_TYPES
from cases.views_assignment import assignment_panel
from cases.views_extensions import ACTION_TYPES as EXTENSION_ACTION_TYPES
from cases.views_extensions import extension_panel


def flow_panel(request: PanelRequest) -> dict[str, Any]:
    """The case's flow: each node with its state, due date and reached date; the way to close it (for those the
    power list allows, with what is still missing) and to archive it."""
    case = request.case
    flow = case_flow(case)
    methods = closing_methods_for(case.case_type, case.procedure)
    return {
        "flow": flow,
        # each missing node with the closing methods that may do without it (撤诉、调解、移送 without 开庭审理)
        "flow_missing": [
            {
                "name": node.name,
                "waived": "、".join(str(ClosingMethod(m).label) for m in methods if m in (node.waived_for or [])),
            }
            for node in missing_required_nodes(case, flow=flow)
        ],
        "may_close": case.is_open and request.allowed(ActionType.CLOSED),
        "may_archive": not case.is_open and case.archived_on is None and request.allowed(ActionType.ARCHIVED),
    }


def connect() -> None:
    events.case_closed.connect(on_case_closed, dispatch_uid="cases.closing.on_case_closed")
    post_save.connect(flow_cache_clear, sender=FlowNode, dispatch_uid="cases.flows.cache_clear_on_save")
    post_delete.connect(flow_cache_clear, sender=FlowNode, dispatch_uid="cases.flows.cache_clear_on_delete")
    case_panel_register(
        CasePanel(
            name="cases.flow",
            template="cases/_case_flow.html",
            order=10,
            action_types=(ActionType.CLOSED, ActionType.ARCHIVED),
            context=flow_panel,
        )
    )
    # Extensions of the time limit by the law (延长审限): the case page's section, and the kind in the requests inbox
    # (the approver the law names: the court's president, or the president of the court above).
    case_panel_register(
        CasePanel(
            name="cases.extension",
            template="cases/_case_extension.html",
            order=15,
            action_types=EXTENSION_ACTION_TYPES,
            context=extension_panel,
        )
    )
    request_kind_register(
        RequestKind(
            kind=CaseRequest.Kind.EXTENSION,
            decision_type=ActionType.EXTENSION_APPROVED,
            decide=extension_decide_request,
            scope=extension_scope,
            extra_fields=("days",),
            form_template="cases/_request_extension_fields.html",
            word="Extension of the time limit",
        )
    )
    # Assignment (分案): the case page's section, and designation, change of the lead judge and recusal in the inbox.
    case_panel_register(
        CasePanel(
            name="cases.assignment",
            template="cases/_case_assignment.html",
            order=5,
            action_types=ASSIGNMENT_ACTION_TYPES,
            context=assignment_panel,
        )
    )
    for kind, decision_type in assignment.DECISION_TYPES.items():
        request_kind_register(
            RequestKind(
                kind=kind,
                decision_type=decision_type,
                decide=assignment.DECIDE[kind],
                scope=assignment.inbox_scope(kind),
                word="Change of the lead judge" if kind == CaseRequest.Kind.LEAD_CHANGE else "",
            )
        )
