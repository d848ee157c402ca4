"""The deliberation bodies in the API: meetings (list, detail, convene), attendance, opinions, the resolution, the
conclusion and sign-off, and the follow-up of a binding resolution. Reads go through ``deliberation.selectors``
(a meeting the caller may not read is a 404, and every read of one is audited); writes through
``deliberation.services``, whose refusals reach the caller as the one error body (400/403/409/422)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer, validated
from accountability.errors import Conflict, NotFound
from deliberation import selectors, services
from deliberation.choices import Vote
from deliberation.models import AgendaItem, FollowUp, Meeting


class OpinionOut(serializers.Serializer):
    position = serializers.IntegerField()
    officer = serializers.CharField(source="membership.officer.officer_id")
    name = serializers.CharField(source="membership.officer.name")
    rank = serializers.IntegerField(source="membership.rank")
    text = serializers.CharField()
    vote = serializers.CharField()


class DocumentOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    action_seq = serializers.IntegerField()
    url = serializers.CharField()


class ItemOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    case = serializers.CharField(source="case.case_number")
    case_id = serializers.UUIDField(source="case.public_id")
    position = serializers.IntegerField()
    status = serializers.CharField()
    proposal = serializers.CharField()
    resolution = serializers.CharField()
    adopted = serializers.BooleanField(allow_null=True)
    binding = serializers.BooleanField()
    votes = serializers.SerializerMethodField()
    recused = serializers.SerializerMethodField()
    opinions = OpinionOut(many=True)
    documents = serializers.SerializerMethodField()

    def get_votes(self, item: AgendaItem) -> dict[str, int]:
        return {"for": item.votes_for, "against": item.votes_against, "abstain": item.votes_abstain}

    def get_recused(self, item: AgendaItem) -> list[str]:
        return [r.membership.officer.officer_id for r in item.recusals.all()]

    @extend_schema_field(DocumentOut(many=True))
    def get_documents(self, item: AgendaItem) -> list[dict[str, Any]]:
        """The case's documents (the materials), each downloaded through the meeting."""
        documents = self.context.get("documents", {}).get(item.case_id, [])
        meeting = self.context.get("meeting")
        return [
            {
                "id": d.public_id,
                "name": d.original_name,
                "size": d.size,
                "sha256": d.sha256,
                "action_seq": d.action.seq,
                "url": reverse("deliberation:material", args=[meeting.public_id, item.public_id, d.public_id]),
            }
            for d in documents
        ]


class AttendanceOut(serializers.Serializer):
    officer = serializers.CharField(source="membership.officer.officer_id")
    officer_pk = serializers.IntegerField(source="membership.officer_id")
    name = serializers.CharField(source="membership.officer.name")
    present = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)


class MeetingOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    body = serializers.CharField(source="body.name")
    body_kind = serializers.CharField(source="body.kind")
    scheduled_for = serializers.DateTimeField()
    status = serializers.CharField()
    presiding = serializers.CharField(source="presiding.officer.officer_id")
    version = serializers.IntegerField()
    chain_length = serializers.IntegerField(source="trace_length")


class MeetingDetailOut(MeetingOut):
    attendances = AttendanceOut(many=True)
    items = ItemOut(many=True)
    chain_intact = serializers.SerializerMethodField()

    def get_chain_intact(self, meeting: Meeting) -> bool:
        return not services.meeting_verify(meeting)


class ConveneIn(serializers.Serializer):
    body = serializers.IntegerField()
    scheduled_for = serializers.DateTimeField()
    items = serializers.ListField(child=serializers.UUIDField(), min_length=1)


class OpenIn(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(), help_text="officer ids (pk) present")
    version = serializers.IntegerField(required=False)


class OpinionIn(serializers.Serializer):
    text = serializers.CharField(max_length=10000)
    vote = serializers.ChoiceField(choices=Vote.choices)


class ResolutionIn(serializers.Serializer):
    resolution = serializers.CharField(max_length=10000)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=10000)


class FollowUpOut(serializers.Serializer):
    item = serializers.UUIDField()
    case = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    overdue_alerted = serializers.BooleanField()


class FollowUpDoneOut(serializers.Serializer):
    item = serializers.UUIDField()
    status = serializers.CharField()


class MeetingListView(APIView):
    @extend_schema(operation_id="deliberation_meetings_list", responses=MeetingOut(many=True))
    def get(self, request: Request) -> Response:
        acting_officer(request)
        meetings = selectors.meetings_visible_to(request.user).order_by("-scheduled_for", "pk")[:200]
        return Response(MeetingOut(meetings, many=True).data)

    @extend_schema(operation_id="deliberation_meetings_convene", request=ConveneIn, responses={201: MeetingOut})
    def post(self, request: Request) -> Response:
        officer = acting_officer(request)
        data = validated(ConveneIn, request.data)
        body = selectors.bodies_visible_to(request.user).filter(pk=data["body"]).first()
        if body is None:  # none such, or not one of the bodies one sees: 404, as for any object out of scope
            raise NotFound(_("No such body."), details={"body": [_("No such body.")]})
        pending = {i.public_id: i for i in selectors.pending_items(body).filter(public_id__in=data["items"])}
        missing = [str(i) for i in data["items"] if i not in pending]
        if missing:
            message = _("These referred cases are not awaiting this body.")
            raise Conflict(message, details={"items": [message], "missing": missing})
        meeting = services.meeting_convene(
            actor=officer,
            body=body,
            scheduled_for=data["scheduled_for"],
            items=[pending[i] for i in data["items"]],
            source="api",
        )
        return Response(MeetingOut(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailView(APIView):
    @extend_schema(operation_id="deliberation_meeting_read", responses=MeetingDetailOut)
    def get(self, request: Request, id) -> Response:
        acting_officer(request)
        meeting = selectors.meeting_get_for_request(request, public_id=id)
        return Response(
            MeetingDetailOut(
                meeting, context={"meeting": meeting, "documents": selectors.meeting_documents(meeting)}
            ).data
        )


def _meeting(request: Request, id) -> Meeting:
    return selectors.meeting_get_for_request(request, public_id=id)


def _item(meeting: Meeting, item_id) -> AgendaItem:
    item = next((i for i in meeting.items.all() if i.public_id == item_id), None)
    if item is None:
        raise NotFound(_("Not found."))
    return item


class MeetingActView(APIView):
    """POST /api/deliberation/meetings/<id>/<act>/: open, conclude, sign."""

    @extend_schema(
        operation_id="deliberation_meeting_act",
        request=OpenIn,
        responses=MeetingDetailOut,
        description="act: open (body: present, version), conclude or sign (no body).",
    )
    def post(self, request: Request, id, act: str) -> Response:
        officer = acting_officer(request)
        meeting = _meeting(request, id)
        if act == "open":
            data = validated(OpenIn, request.data)
            services.meeting_open(
                actor=officer, meeting=meeting, present=data["present"], expected_version=data.get("version")
            )
        elif act == "conclude":
            services.meeting_conclude(actor=officer, meeting=meeting)
        elif act == "sign":
            services.minutes_sign(actor=officer, meeting=meeting)
        else:
            raise NotFound(_("Not found."))
        return Response(MeetingDetailOut(selectors.meeting_get_for_request(request, public_id=id)).data)


class ItemActView(APIView):
    """POST /api/deliberation/meetings/<id>/items/<item>/<act>/: opinion, resolve."""

    @extend_schema(
        operation_id="deliberation_item_act",
        request=OpinionIn,
        responses={200: ItemOut, 201: ItemOut},
        description="act: opinion (body: text, vote) or resolve (body: resolution).",
    )
    def post(self, request: Request, id, item_id, act: str) -> Response:
        officer = acting_officer(request)
        item = _item(_meeting(request, id), item_id)
        if act == "opinion":
            data = validated(OpinionIn, request.data)
            services.opinion_give(actor=officer, item=item, text=data["text"], vote=data["vote"])
            code = status.HTTP_201_CREATED
        elif act == "resolve":
            data = validated(ResolutionIn, request.data)
            services.item_resolve(actor=officer, item=item, resolution=data["resolution"], source="api")
            code = status.HTTP_200_OK
        else:
            raise NotFound(_("Not found."))
        meeting = selectors.meeting_get_for_request(request, public_id=id)
        return Response(ItemOut(_item(meeting, item_id)).data, status=code)


class FollowUpListView(APIView):
    """The follow-ups of binding resolutions the caller may see."""

    @extend_schema(operation_id="deliberation_follow_ups_list", responses=FollowUpOut(many=True))
    def get(self, request: Request) -> Response:
        acting_officer(request)
        rows = selectors.follow_ups_visible_to(request.user)[:200]
        data = [
            {
                "item": f.item.public_id,
                "case": f.item.case.case_number,
                "due_on": f.due_on,
                "status": f.status,
                "overdue_alerted": f.overdue_notified_at is not None,
            }
            for f in rows
        ]
        return Response(FollowUpOut(data, many=True).data)


class FollowUpCompleteView(APIView):
    """Close a follow-up: the ruling (or the decision closing the case) reflects the resolution."""

    @extend_schema(
        operation_id="deliberation_follow_up_complete",
        request=NoteIn,
        responses={200: FollowUpDoneOut, 404: OpenApiResponse(description="not found or not visible")},
    )
    def post(self, request: Request, item_id) -> Response:
        officer = acting_officer(request)
        follow_up = selectors.follow_ups_visible_to(request.user).filter(item__public_id=item_id).first()
        if follow_up is None:
            raise NotFound(_("Not found."))
        data = validated(NoteIn, request.data)
        done: FollowUp = services.follow_up_complete(
            actor=officer, follow_up=follow_up, note=data["note"], source="api"
        )
        return Response(FollowUpDoneOut({"item": item_id, "status": done.status}).data)
