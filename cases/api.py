"""Case endpoints: reads through the selectors, writes through the same services as the browser."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.errors import NotFound, PowerDenied
from accountability.selectors import officer_for_user
from cases import services
from cases.choices import ActionSource
from cases.models import Action, Attachment, Case, CaseParticipant
from cases.selectors import case_actions, case_get_for_user, case_ref_for_user, cases_of_officer, cases_visible_to


class CaseListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    department_code = serializers.CharField(source="department.code", default=None, allow_null=True, read_only=True)
    lead_officer_id = serializers.CharField(
        source="lead_officer.officer_id", default=None, allow_null=True, read_only=True
    )
    lead_officer_name = serializers.CharField(source="lead_officer.name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "organisation_code",
            "department_code",
            "case_type",
            "procedure",
            "cause",
            "filed_on",
            "closed_on",
            "closing_method",
            "outcome",
            "time_limit_days",
            "extension_days",
            "excluded_days",
            "lead_officer_id",
            "lead_officer_name",
            "version",
        ]


class ParticipantSerializer(serializers.ModelSerializer):
    officer_id = serializers.CharField(source="officer.officer_id")
    name = serializers.CharField(source="officer.name")

    class Meta:
        model = CaseParticipant
        fields = ["officer_id", "name", "role"]


class CaseDetailSerializer(CaseListSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    original_case_number = serializers.CharField(
        source="original_case.case_number", default=None, allow_null=True, read_only=True
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "parties",
            "parties_count",
            "claim_amount",
            "awarded_amount",
            "recovered_amount",
            "original_case_number",
            "participants",
            "trace_length",
            "trace_head",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "url"]

    def get_url(self, attachment: Attachment) -> str:
        case = self.context.get("case") or attachment.action.case
        return reverse("cases:attachment", args=[case.public_id, attachment.public_id])


class ActionSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    actor_officer_id = serializers.CharField(source="actor.officer_id", default=None, allow_null=True, read_only=True)
    actor_name = serializers.CharField(source="actor.name", default=None, allow_null=True, read_only=True)
    corrects = serializers.IntegerField(source="corrects.seq", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "seq",
            "action_type",
            "occurred_at",
            "recorded_at",
            "actor_officer_id",
            "actor_name",
            "source",
            "note",
            "payload",
            "corrects",
            "power_item_code",
            "power_item_revision",
            "attachments",
            "prev_hash",
            "hash",
        ]


class ActionCreateSerializer(serializers.Serializer):
    action_type = serializers.ChoiceField(choices=services.LOGGABLE_TYPES)
    occurred_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    corrects = serializers.IntegerField(required=False, min_value=1, help_text="seq of the action this corrects")
    expected_version = serializers.IntegerField(required=False, min_value=1)


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the caller may see. A case outside that scope is 404, like a missing one."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_fields = ["case_type", "procedure", "case_number"]

    def get_queryset(self):
        if self.request.query_params.get("mine") == "true":  # 我的案件: the cases I take part in
            return cases_of_officer(self.request.user)
        return cases_visible_to(self.request.user)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    def get_parsers(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def _case_ref(self) -> Case:
        try:
            return case_ref_for_user(self.request.user, public_id=self.kwargs["id"])
        except NotFound as exc:
            raise DRFNotFound() from exc

    def get_object(self) -> Case:
        try:
            case = case_get_for_user(self.request.user, public_id=self.kwargs["id"])
        except NotFound as exc:
            raise DRFNotFound() from exc
        return case

    @extend_schema(responses=ActionSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=ActionSerializer)
    def actions(self, request: Request, id: str | None = None) -> Response:
        case = self.get_object()
        page = self.paginate_queryset(case_actions(case).order_by("-seq"))
        return self.get_paginated_response(ActionSerializer(page, many=True, context={"case": case}).data)

    @actions.mapping.post
    @extend_schema(
        request={"application/json": ActionCreateSerializer, "multipart/form-data": ActionCreateSerializer},
        responses={201: ActionSerializer},
    )
    def log_action(self, request: Request, id: str | None = None) -> Response:
        """Log an action; send multipart/form-data with one or more ``files`` to attach documents."""
        case = self._case_ref()
        officer = officer_for_user(request.user)
        if officer is None:
            raise PowerDenied("Only officers can log actions.")
        data = ActionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        corrects = None
        if "corrects" in data.validated_data:
            corrects = Action.objects.filter(case=case, seq=data.validated_data["corrects"]).first()
            if corrects is None:
                raise serializers.ValidationError({"corrects": ["No such action on this case."]})
        created = services.case_log_action(
            actor=officer,
            case=case,
            action_type=data.validated_data["action_type"],
            occurred_at=data.validated_data.get("occurred_at"),
            note=data.validated_data["note"],
            corrects=corrects,
            expected_version=data.validated_data.get("expected_version"),
            source=ActionSource.API,
            files=request.FILES.getlist("files"),
        )
        return Response(ActionSerializer(created, context={"case": case}).data, status=status.HTTP_201_CREATED)


# --- similar-case search ---------------------------------------------------------------------------
