"""Discipline endpoints: reads through the selectors (a proceeding one may not see is 404, as on the pages),
acts through the same services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.audit import audit_read
from accountability.errors import NotFound, PowerDenied
from accountability.selectors import officer_for_user
from discipline.models import Proceeding, ProceedingEvent, Sanction
from discipline.selectors import proceeding_get_for_user, proceedings_visible_to
from discipline.views import perform


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.officer_id", allow_null=True, default=None)

    class Meta:
        model = ProceedingEvent
        fields = ["seq", "kind", "stage", "actor", "occurred_at", "note", "payload", "power_item_code", "hash"]


class SanctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sanction
        fields = ["kind", "measures", "months", "starts_on", "ends_on", "source", "in_force"]


class ProceedingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    officer = serializers.CharField(source="officer.officer_id")
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Proceeding
        fields = ["id", "number", "officer", "organisation", "stage", "due_on", "allegation", "hearing_on",
                  "opinion", "opinion_served_at", "acknowledged_at", "decided_at", "version"]  # fmt: skip


class ProceedingDetailSerializer(ProceedingSerializer):
    events = EventSerializer(many=True, read_only=True)
    sanctions = SanctionSerializer(many=True, read_only=True)

    class Meta(ProceedingSerializer.Meta):
        fields = [*ProceedingSerializer.Meta.fields, "opinion_reasons", "decision_text", "events", "sanctions"]


class ActSerializer(serializers.Serializer):
    act = serializers.CharField(help_text="suspend, reinstate, refer, close, notice, recusal_request, recusal_decide, "
                                "hear, vote, opinion, serve, acknowledge, object, objection_decide, decide, "
                                "review_request, review_decide, appeal, appeal_extend, appeal_decide, submit")  # fmt: skip


class _Data:
    """A JSON body read like a form (``get``, ``getlist``)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return value if not isinstance(value, bool) else ("1" if value else "")

    def getlist(self, key: str) -> list[Any]:
        value = self.data.get(key)
        return value if isinstance(value, list) else ([] if value in (None, "") else [value])


class ProceedingViewSet(viewsets.ReadOnlyModelViewSet):
    """Proceedings the caller handles or that concern them; any other is 404."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return proceedings_visible_to(self.request.user).order_by("-created_at")

    def get_serializer_class(self):
        return ProceedingDetailSerializer if self.action == "retrieve" else ProceedingSerializer

    def get_parsers(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def get_object(self) -> Proceeding:
        try:
            proceeding = proceeding_get_for_user(self.request.user, public_id=self.kwargs["id"])
        except NotFound as exc:
            audit_read(self.request, "proceeding", self.kwargs["id"], allowed=False)
            raise DRFNotFound() from exc
        audit_read(self.request, "proceeding", self.kwargs["id"], allowed=True)
        return proceeding

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_read(request, "proceeding", "list", allowed=True)
        return response

    @extend_schema(request=ActSerializer, responses={200: ProceedingDetailSerializer})
    @action(detail=True, methods=["post"])
    def acts(self, request: Request, id: str | None = None) -> Response:
        """One act on the proceeding (the same acts, checks and refusals as the page)."""
        proceeding = self.get_object()
        officer = officer_for_user(request.user)
        if officer is None:
            raise PowerDenied("Only officers can act on proceedings.")
        data = request.data if hasattr(request.data, "getlist") else _Data(request.data)
        perform(officer, proceeding, data, request.FILES.getlist("files"))
        proceeding = Proceeding.objects.get(pk=proceeding.pk)
        return Response(ProceedingDetailSerializer(proceeding).data, status=status.HTTP_200_OK)
