"""A case's flow, closing and archiving in the API (issue 17 items 3, 4, 5 and 9).

* ``GET /api/cases/{id}/flow/``: the nodes of the case's standard flow with their state, due and reached dates, and
  the required nodes still missing before closing: every one (``missing_required``) and by closing method
  (``missing_required_by_method``: a node waived for the method is not missing).
* ``POST /api/cases/{id}/close/``: 结案 through ``cases.services.case_close`` (the pre-closing check for the method
  given: 400 naming the missing nodes in ``details.nodes``); an appeal's or retrial's outcome is written back to the original case and a
  remand files the new first-instance case, named in the answer (``remanded_case``).
* ``POST /api/cases/{id}/archive/``: 归档 through ``cases.closing.case_archive``.

Both writes take ``expected_version`` (409 when the case changed since it was read). A case the caller may not see
is 404, like a missing one; a refusal by the power list is 403 naming the item.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer
from accountability.errors import NotFound, PowerDenied
from accountability.models import Officer
from cases import closing, services
from cases.choices import ActionSource, ClosingMethod, Outcome, closing_methods_for
from cases.flows import NodeState, case_flow, missing_required_by_method, missing_required_nodes
from cases.models import Case
from cases.selectors import case_get_for_user, case_ref_for_user


class FlowNodeStateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField(source="node.position")
    required = serializers.BooleanField()
    state = serializers.ChoiceField(choices=["reached", "due", "overdue", "not_yet", "skipped"])
    state_label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    reached_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField()
    late = serializers.BooleanField()


class CaseFlowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case_number = serializers.CharField()
    nodes = FlowNodeStateSerializer(many=True)
    missing_required = serializers.ListField(
        child=serializers.CharField(),
        help_text="codes of the required nodes before closing that are not reached (the pre-closing check)",
    )
    missing_required_by_method = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="for each closing method the case type allows, the codes of the required nodes still missing when "
        "closing by it: a node waived for the method (撤诉、调解、移送 without 开庭审理 or 合议) is not among them",
    )


class CaseCloseInputSerializer(serializers.Serializer):
    closing_method = serializers.ChoiceField(choices=ClosingMethod.choices)
    closed_on = serializers.DateField(required=False, help_text="today when left out")
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, default="", help_text="second instance and retrial"
    )
    awarded_amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)
    recovered_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, help_text="enforcement cases"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    expected_version = serializers.IntegerField(min_value=1)


class CaseArchiveInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    expected_version = serializers.IntegerField(min_value=1)


class CaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    case_number = serializers.CharField()


class CaseClosedSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    case_number = serializers.CharField()
    closed_on = serializers.DateField()
    closing_method = serializers.CharField()
    outcome = serializers.CharField()
    awarded_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    recovered_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    version = serializers.IntegerField()
    remanded_case = CaseRefSerializer(allow_null=True, help_text="the first-instance case a remand opened")


class CaseArchivedSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    case_number = serializers.CharField()
    archived_on = serializers.DateField()
    version = serializers.IntegerField()


def _officer(request: Request) -> Officer:
    return acting_officer(request, refusal=PowerDenied(_("Only officers can act on cases.")))


def _visible(request: Request, id: Any, *, ref: bool = False) -> Case:
    try:
        if ref:
            return case_ref_for_user(request.user, public_id=id)
        return case_get_for_user(request.user, public_id=id)
    except NotFound as exc:
        raise DRFNotFound() from exc


def flow_data(case: Case) -> dict[str, Any]:
    flow: list[NodeState] = case_flow(case)
    methods = closing_methods_for(case.case_type, case.procedure)
    return {
        "id": case.public_id,
        "case_number": case.case_number,
        "nodes": flow,
        "missing_required": [node.code for node in missing_required_nodes(case, flow=flow)],
        "missing_required_by_method": {
            method: [node.code for node in nodes]
            for method, nodes in missing_required_by_method(case, methods, flow=flow).items()
        },
    }


class CaseFlowView(APIView):
    """流程节点: where the case stands on the standard flow of its type and procedure."""

    @extend_schema(responses=CaseFlowSerializer, operation_id="cases_flow_retrieve")
    def get(self, request: Request, id: str) -> Response:
        case = _visible(request, id)
        return Response(CaseFlowSerializer(flow_data(case)).data)


class CaseCloseView(APIView):
    """结案: refused while a required node before closing is missing (400, ``details.nodes``)."""

    @extend_schema(request=CaseCloseInputSerializer, responses=CaseClosedSerializer, operation_id="cases_close")
    def post(self, request: Request, id: str) -> Response:
        case = _visible(request, id, ref=True)
        officer = _officer(request)
        data = CaseCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        closed = services.case_close(
            actor=officer,
            case=case,
            closed_on=values.get("closed_on") or timezone.localdate(),
            closing_method=values["closing_method"],
            outcome=values["outcome"],
            awarded_amount=values.get("awarded_amount"),
            recovered_amount=values.get("recovered_amount"),
            note=values["note"],
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        closed.remanded_case = closing.remanded_case_of(closed)
        return Response(CaseClosedSerializer(closed).data)


class CaseArchiveView(APIView):
    """归档: a closed case's file is archived; afterwards its trace takes corrections only."""

    @extend_schema(request=CaseArchiveInputSerializer, responses=CaseArchivedSerializer, operation_id="cases_archive")
    def post(self, request: Request, id: str) -> Response:
        case = _visible(request, id, ref=True)
        officer = _officer(request)
        data = CaseArchiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        archived = closing.case_archive(
            actor=officer,
            case=case,
            expected_version=data.validated_data["expected_version"],
            note=data.validated_data["note"],
            source=ActionSource.API,
        )
        return Response(CaseArchivedSerializer(archived).data)
