"""Assessment API: the assessments one may read (with their explanation and record), and the steps (propose,
sign, contest, decide), each calling the same service as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer, validated
from accountability.errors import NotFound, ValidationFailed
from assessment import selectors, services
from assessment.models import Grade


class AssessmentOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    officer_id = serializers.CharField(source="officer.officer_id")
    name = serializers.CharField(source="officer.name")
    organisation = serializers.CharField(source="organisation.code")
    period_kind = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    computed_through = serializers.DateField(source="window_to")
    scheme = serializers.CharField(source="scheme.name")
    scheme_version = serializers.IntegerField(source="scheme.version")
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    band_grade = serializers.CharField()
    grade = serializers.CharField()
    quota_limited = serializers.BooleanField()
    status = serializers.CharField()
    contest_due = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class EventOut(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.officer_id", default=None, allow_null=True)
    occurred_at = serializers.DateTimeField()
    note = serializers.CharField()
    payload = serializers.JSONField()
    power_item_code = serializers.CharField()
    hash = serializers.CharField()


class AssessmentDetailOut(AssessmentOut):
    lines = serializers.JSONField()
    contest_reasons = serializers.CharField()
    decision_reasons = serializers.CharField()
    events = EventOut(many=True, source="events.all")


class StepIn(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)


class AssessmentListView(APIView):
    @extend_schema(operation_id="assessments_list", responses=AssessmentOut(many=True))
    def get(self, request: Request) -> Response:
        acting_officer(request)
        rows = selectors.assessments_visible_to(request.user).order_by("-period_start", "period_kind", "officer_id")
        return Response(AssessmentOut(rows[:500], many=True).data)


class AssessmentDetailView(APIView):
    @extend_schema(operation_id="assessment_read", responses=AssessmentDetailOut)
    def get(self, request: Request, id) -> Response:
        acting_officer(request)
        assessment = selectors.assessment_get_for_user(request.user, public_id=id)
        return Response(AssessmentDetailOut(assessment).data)


class AssessmentStepView(APIView):
    """POST ``propose`` (note), ``sign``, ``contest`` (reasons) or ``decide`` (grade, reasons)."""

    @extend_schema(operation_id="assessment_step", request=StepIn, responses=AssessmentDetailOut)
    def post(self, request: Request, id, step: str) -> Response:
        officer = acting_officer(request)
        assessment = selectors.assessment_get_for_user(request.user, public_id=id)
        data = validated(StepIn, request.data)
        version = data.get("expected_version")
        if step == "propose":
            done = services.assessment_propose(
                actor=officer, assessment=assessment, note=data.get("note", ""), expected_version=version
            )
        elif step == "sign":
            done = services.assessment_sign(actor=officer, assessment=assessment, expected_version=version)
        elif step == "contest":
            done = services.assessment_contest(
                actor=officer, assessment=assessment, reasons=data.get("reasons", ""), expected_version=version
            )
        elif step == "decide":
            if "grade" not in data:
                raise ValidationFailed(_("Choose the grade."), details={"grade": [_("Choose the grade.")]})
            done = services.assessment_decide(
                actor=officer,
                assessment=assessment,
                grade=data["grade"],
                reasons=data.get("reasons", ""),
                expected_version=version,
            )
        else:
            raise NotFound(_("Not found."))
        return Response(
            AssessmentDetailOut(selectors.assessment_get_for_user(request.user, public_id=done.public_id)).data
        )
