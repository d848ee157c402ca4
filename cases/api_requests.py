"""Requests on a case in the API (延长审限 and the other requests decided once): a case's extension requests, and one
decision endpoint for every kind of request.

``POST /api/case-requests/{id}/decision/`` looks the request up among the cases the caller may see (anything else is
404, like a missing one) and hands it to the service of its kind (``DECIDERS``); a kind added later (designation,
change of the lead judge, recusal) registers its service there. The services check the power list and the approver
the law names, lock the request and refuse a second decision (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer
from accountability.errors import NotFound, PowerDenied, ValidationFailed
from accountability.models import Officer
from cases import extensions
from cases.choices import ActionSource
from cases.models import Case, CaseRequest
from cases.selectors import case_ref_for_user, cases_visible_to


class CaseRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    requested_by = serializers.CharField(source="requested_by.officer_id", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.officer_id", default=None, allow_null=True, read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = CaseRequest
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "status",
            "days",
            "reason",
            "approver",
            "requested_by",
            "requested_by_name",
            "created_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
            "version",
        ]


class ExtensionRequestInputSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=3650, help_text="days of extension asked for")
    reason = serializers.CharField(max_length=2000)
    expected_version = serializers.IntegerField(required=False, min_value=1, help_text="the case's version")


class CaseRequestDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        help_text="extension requests only: the days granted (default: the days asked for)",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="required when refusing"
    )
    expected_version = serializers.IntegerField(required=False, min_value=1, help_text="the request's version")


def _decide_extension(*, actor: Officer, request: CaseRequest, data: dict[str, Any]) -> CaseRequest:
    return extensions.case_decide_extension(
        actor=actor,
        request=request,
        approve=data["approve"],
        days=data.get("days"),
        note=data["note"],
        expected_version=data.get("expected_version"),
        source=ActionSource.API,
    )


#: The service that decides each kind of request, given the caller, the request and the validated decision.
DECIDERS: dict[str, Callable[..., CaseRequest]] = {CaseRequest.Kind.EXTENSION: _decide_extension}


def _officer(request: Request) -> Officer:
    return acting_officer(request, refusal=PowerDenied(_("Only officers can make or decide requests on a case.")))


def _with_people(queryset: Any) -> Any:
    return queryset.select_related("case", "requested_by", "decided_by")


class ExtensionRequestView(APIView):
    """A case's extension requests (延长审限): GET lists them, newest first; POST asks for one (the lead judge)."""

    def _case(self, request: Request, id: str) -> Case:
        try:
            return case_ref_for_user(request.user, public_id=id)
        except NotFound as exc:
            raise DRFNotFound() from exc

    @extend_schema(responses=CaseRequestSerializer(many=True))
    def get(self, request: Request, id: str) -> Response:
        case = self._case(request, id)
        found = _with_people(CaseRequest.objects.filter(case=case, kind=CaseRequest.Kind.EXTENSION))
        return Response(CaseRequestSerializer(found, many=True).data)

    @extend_schema(request=ExtensionRequestInputSerializer, responses={201: CaseRequestSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = self._case(request, id)
        officer = _officer(request)
        data = ExtensionRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = extensions.extension_request(
            actor=officer,
            case=case,
            days=data.validated_data["days"],
            reason=data.validated_data["reason"],
            expected_version=data.validated_data.get("expected_version"),
            source=ActionSource.API,
        )
        return Response(
            CaseRequestSerializer(_with_people(CaseRequest.objects).get(pk=created.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CaseRequestDecisionView(APIView):
    """Approve or refuse a pending request on a case, once (a second decision: 409), as the approver the law or the
    rules name (anyone else: 403 naming the rule)."""

    @extend_schema(request=CaseRequestDecisionSerializer, responses={200: CaseRequestSerializer})
    def post(self, request: Request, id: str) -> Response:
        officer = _officer(request)
        found = CaseRequest.objects.filter(public_id=id, case__in=cases_visible_to(request.user)).first()
        if found is None:
            raise DRFNotFound()
        data = CaseRequestDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = DECIDERS.get(found.kind)
        if decide is None:
            message = _("Requests of this kind are not decided here.")
            raise ValidationFailed(message, details={"kind": [message]})
        decided = decide(actor=officer, request=found, data=data.validated_data)
        return Response(CaseRequestSerializer(_with_people(CaseRequest.objects).get(pk=decided.pk)).data)
