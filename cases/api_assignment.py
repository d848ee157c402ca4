"""Assignment in the API (分案): the random draw, requests for a designated assignment, a change of the lead judge and
a recusal, the panel, assistants and clerks, and the list of requests on the cases the caller may see.

The same services as the pages (``cases.assignment``). A case the caller may not see is 404, like a missing one;
officers are named by their officer id and must belong to the case's court. Every write takes ``expected_version``
(the case's; 409 when it has moved on). Designation, change and recusal requests are decided at
``POST /api/case-requests/{id}/decision/`` (cases/api_requests.py): this module registers their deciders there, and
they decide through ``cases.requests.case_request_decide`` like the requests inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer
from accountability.errors import NotFound, PowerDenied, ValidationFailed
from accountability.models import Officer
from cases import assignment
from cases.api_requests import DECIDERS, CaseRequestSerializer
from cases.choices import ActionSource, DesignationReason, RequestStatus
from cases.models import AssignmentDraw, Case, CaseParticipant, CaseRequest
from cases.requests import case_request_decide, requests_to_decide
from cases.selectors import case_get_for_user, cases_visible_to


def _decide_in_api(*, actor: Officer, request: CaseRequest, data: dict[str, Any]) -> CaseRequest:
    return case_request_decide(
        actor=actor,
        request=request,
        approve=data["approve"],
        note=data["note"],
        expected_version=data.get("expected_version"),
        source=ActionSource.API,
        extra=data,
    )


# The decision endpoint hands these kinds to the requests inbox's one door.
DECIDERS.update(dict.fromkeys(assignment.DECISION_TYPES, _decide_in_api))


def _officer(request: Request) -> Officer:
    return acting_officer(request, refusal=PowerDenied(_("Only officers work on cases.")))


def _case(request: Request, id: Any) -> Case:
    try:
        return case_get_for_user(request.user, public_id=id)
    except NotFound as exc:
        raise DRFNotFound() from exc


def _named(case: Case, officer_id: str, field: str) -> Officer:
    officer = assignment.officer_of_court(case, officer_id=officer_id)
    if officer is None:
        message = _("No officer with this id at the case's court.")
        raise ValidationFailed(message, details={field: [message]})
    return officer


class PersonSerializer(serializers.Serializer):
    officer_id = serializers.CharField()
    name = serializers.CharField()


class CandidateSerializer(PersonSerializer):
    weight = serializers.FloatField()


class DrawSerializer(serializers.Serializer):
    """One assignment's record, with the auditor's check (``cases.assignment.draw_verify``)."""

    id = serializers.UUIDField(source="draw.public_id")
    case = serializers.UUIDField(source="draw.case.public_id")
    case_version = serializers.IntegerField(source="draw.case.version")
    kind = serializers.CharField(source="draw.kind")
    seed = serializers.CharField(source="draw.seed", help_text="random draws: random.Random(seed).choices(...)")
    candidates = CandidateSerializer(many=True, help_text="in the order of the draw")
    result = PersonSerializer()
    reason = serializers.CharField(source="draw.reason", help_text="designated assignments: the reason's code")
    note = serializers.CharField(source="draw.note")
    approved_by = serializers.CharField(allow_null=True)
    action_seq = serializers.IntegerField(source="draw.action_seq", allow_null=True)
    created_at = serializers.DateTimeField(source="draw.created_at")
    reproducible = serializers.BooleanField(allow_null=True, help_text="null: not a random draw")
    matches_trace = serializers.BooleanField()


def _draw_data(draw: AssignmentDraw) -> dict[str, Any]:
    check = assignment.draw_verify(draw)
    people = {
        o.pk: o
        for o in Officer.objects.filter(pk__in=[int(pk) for pk, _w in draw.candidates] + [draw.result_id]).only(
            "pk", "officer_id", "name"
        )
    }
    return {
        "draw": draw,
        "candidates": [
            {"officer_id": people[int(pk)].officer_id, "name": people[int(pk)].name, "weight": weight}
            for pk, weight in draw.candidates
        ],
        "result": {"officer_id": people[draw.result_id].officer_id, "name": people[draw.result_id].name},
        "approved_by": draw.approved_by.officer_id if draw.approved_by_id else None,
        "reproducible": check.reproducible,
        "matches_trace": check.matches_trace,
    }


class AssignmentRequestSerializer(CaseRequestSerializer):
    """A request with whom it names. Its kind and status are the same choices as ``CaseRequest``'s: given as plain
    strings here, so that the schema keeps one enum for each (named after CaseRequest)."""

    kind = serializers.CharField(read_only=True, help_text="extension, designation, lead_change or recusal")
    status = serializers.CharField(read_only=True, help_text="pending, approved or refused")
    subject = serializers.CharField(source="subject.officer_id", default=None, allow_null=True, read_only=True)
    subject_name = serializers.CharField(source="subject.name", default=None, allow_null=True, read_only=True)

    class Meta(CaseRequestSerializer.Meta):
        fields = [*CaseRequestSerializer.Meta.fields, "subject", "subject_name", "reason_code"]


def _with_people(queryset: QuerySet[CaseRequest]) -> QuerySet[CaseRequest]:
    return queryset.select_related("case", "requested_by", "decided_by", "subject")


def _created(request: CaseRequest) -> Response:
    found = _with_people(CaseRequest.objects).get(pk=request.pk)
    return Response(AssignmentRequestSerializer(found).data, status=status.HTTP_201_CREATED)


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, help_text="the case's version you read; 409 if stale")


class RandomInputSerializer(VersionSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RandomAssignmentView(APIView):
    """随机分案: draw the lead judge of an unassigned case among the eligible judges of its department."""

    @extend_schema(request=RandomInputSerializer, responses={201: DrawSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        data = RandomInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draw = assignment.case_assign_random(
            actor=_officer(request),
            case=case,
            expected_version=data.validated_data["expected_version"],
            source=ActionSource.API,
            note=data.validated_data["note"],
        )
        draw = AssignmentDraw.objects.select_related("case", "approved_by").get(pk=draw.pk)
        return Response(DrawSerializer(_draw_data(draw)).data, status=status.HTTP_201_CREATED)


class DesignationInputSerializer(VersionSerializer):
    officer = serializers.CharField(max_length=64, help_text="officer id of the quota judge to designate")
    reason_code = serializers.ChoiceField(choices=DesignationReason.choices)
    reason = serializers.CharField(max_length=2000)


class DesignationRequestView(APIView):
    """指定分案: ask for a designated assignment of an unassigned case; a president or division chief decides."""

    @extend_schema(request=DesignationInputSerializer, responses={201: AssignmentRequestSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        data = DesignationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = assignment.assignment_designate_request(
            actor=_officer(request),
            case=case,
            officer=_named(case, values["officer"], "officer"),
            reason_code=values["reason_code"],
            reason=values["reason"],
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        return _created(created)


class LeadChangeInputSerializer(VersionSerializer):
    new_lead = serializers.CharField(max_length=64, help_text="officer id of the quota judge who is to lead")
    reason = serializers.CharField(max_length=2000)


class LeadChangeRequestView(APIView):
    """变更承办人: the lead judge asks to hand the case to another judge; a president or division chief decides."""

    @extend_schema(request=LeadChangeInputSerializer, responses={201: AssignmentRequestSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        data = LeadChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = assignment.lead_change_request(
            actor=_officer(request),
            case=case,
            new_lead=_named(case, values["new_lead"], "new_lead"),
            reason=values["reason"],
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        return _created(created)


class RecusalInputSerializer(VersionSerializer):
    subject = serializers.CharField(
        max_length=64,
        help_text="officer id of who withdraws: yourself, or (the lead judge) a member on a party's application",
    )
    reason = serializers.CharField(max_length=2000)


class RecusalRequestView(APIView):
    """回避: a member withdraws, or the lead judge records a party's application; the president decides."""

    @extend_schema(request=RecusalInputSerializer, responses={201: AssignmentRequestSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        data = RecusalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = assignment.recusal_request(
            actor=_officer(request),
            case=case,
            subject=_named(case, values["subject"], "subject"),
            reason=values["reason"],
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        return _created(created)


class PanelInputSerializer(VersionSerializer):
    members = serializers.ListField(
        child=serializers.CharField(max_length=64),
        min_length=1,
        max_length=assignment.PANEL_MAX,
        help_text="officer ids of the judges, the lead judge among them: an odd number from 3 to 7, or the lead "
        "judge alone on the summary and small-claims tracks",
    )
    presiding = serializers.CharField(max_length=64, help_text="officer id of the presiding judge, one of the members")


class PanelSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    case_version = serializers.IntegerField()
    lead = serializers.CharField()
    presiding = serializers.CharField(allow_null=True)
    members = PersonSerializer(many=True)


class PanelView(APIView):
    """合议庭: form (or form again) the panel and name its presiding judge."""

    @extend_schema(request=PanelInputSerializer, responses={200: PanelSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        officer = _officer(request)
        data = PanelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        members = [_named(case, officer_id, "members") for officer_id in values["members"]]
        assignment.panel_form(
            actor=officer,
            case=case,
            members=members,
            presiding=_named(case, values["presiding"], "presiding"),
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        case = (
            Case.objects.select_related("lead_officer", "presiding_officer")
            .prefetch_related(Prefetch("participants", queryset=CaseParticipant.objects.select_related("officer")))
            .get(pk=case.pk)
        )
        state = assignment.panel_state(case)
        return Response(
            PanelSerializer(
                {
                    "case": case.public_id,
                    "case_version": case.version,
                    "lead": case.lead_officer.officer_id,
                    "presiding": state.presiding.officer_id if state.presiding else None,
                    "members": [{"officer_id": m.officer_id, "name": m.name} for m in state.members],
                }
            ).data
        )


class ParticipantInputSerializer(VersionSerializer):
    officer = serializers.CharField(max_length=64, help_text="officer id of the assistant or clerk")
    role = serializers.ChoiceField(choices=[(r.value, r.label) for r in assignment.ATTACHABLE])


class AttachedSerializer(PersonSerializer):
    role = serializers.CharField()
    case_version = serializers.IntegerField()


class ParticipantView(APIView):
    """The lead judge attaches an assistant (法官助理) or a clerk (书记员) to the case."""

    @extend_schema(request=ParticipantInputSerializer, responses={201: AttachedSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = _case(request, id)
        data = ParticipantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        officer = _named(case, values["officer"], "officer")
        assignment.participant_attach(
            actor=_officer(request),
            case=case,
            officer=officer,
            role=values["role"],
            expected_version=values["expected_version"],
            source=ActionSource.API,
        )
        return Response(
            AttachedSerializer(
                {
                    "officer_id": officer.officer_id,
                    "name": officer.name,
                    "role": values["role"],
                    "case_version": Case.objects.values_list("version", flat=True).get(pk=case.pk),
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class CaseRequestQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=CaseRequest.Kind.choices, required=False)
    to_decide = serializers.BooleanField(
        required=False, default=False, help_text="only the pending requests that you decide (your inbox)"
    )


class CaseRequestListView(generics.ListAPIView):
    """Requests on the cases you may see (newest first), or with ``to_decide=true`` those awaiting your decision."""

    serializer_class = AssignmentRequestSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CaseRequest]:
        if getattr(self, "swagger_fake_view", False):
            return CaseRequest.objects.none()
        officer = _officer(self.request)
        # a plain dict: a parameter given empty (``?status=``) is an error, not "any"
        query = CaseRequestQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        if values["to_decide"]:
            found = requests_to_decide(officer)
        else:
            found = CaseRequest.objects.filter(case__in=cases_visible_to(self.request.user))
        if "status" in values:
            found = found.filter(status=values["status"])
        if "kind" in values:
            found = found.filter(kind=values["kind"])
        return _with_people(found)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=RequestStatus.values, description="pending, approved or refused"),
            OpenApiParameter("kind", str, enum=CaseRequest.Kind.values, description="the kind of request"),
            OpenApiParameter("to_decide", bool, description="only the pending requests that you decide (your inbox)"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
