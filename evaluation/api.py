"""Evaluation API: reviews and their steps, review plans, the defect catalogue, performance files.

Every write calls the same service as the browser; reads go through the selectors.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api_base import acting_officer
from accountability.errors import NotFound, PowerDenied
from accountability.models import Officer
from accountability.selectors import organisations_visible_to
from evaluation import reviews as review_services
from evaluation.metrics import LEVELS, METRICS, Window
from evaluation.models import DefectItem, Grade, MetricResult, Review, ReviewPlan
from evaluation.selectors import (
    metric_results_visible_to,
    officer_for_performance,
    performance_file,
    review_get_for_user,
    reviews_visible_to,
)


def _officer(request: Request) -> Officer:
    return acting_officer(request, refusal=PowerDenied("Only officers can do this."))


class DefectSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.code")
    description = serializers.CharField(source="item.description")
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    item_revision = serializers.IntegerField()
    note = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case_number = serializers.CharField(source="case.case_number")
    officer_id = serializers.CharField(source="officer.officer_id")
    evaluator_id = serializers.CharField(source="evaluator.officer_id", default=None, allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "case_number",
            "officer_id",
            "evaluator_id",
            "reason",
            "status",
            "grade",
            "response_due",
            "graded_at",
            "finalised_at",
            "version",
        ]


class ReviewDetailSerializer(ReviewSerializer):
    defects = DefectSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "summary", "response", "responded_at", "defects"]


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1)


class AssignSerializer(VersionSerializer):
    evaluator = serializers.CharField(help_text="officer_id of the evaluator")


class DefectInputSerializer(serializers.Serializer):
    code = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class GradeSerializer(VersionSerializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    defects = DefectInputSerializer(many=True, required=False, default=list)

    def validate_defects(self, value):
        codes = [d["code"] for d in value]
        items = {i.code: i for i in DefectItem.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in items]
        if unknown:
            raise serializers.ValidationError(f"unknown defect item(s): {', '.join(unknown)}")
        return [(items[d["code"]], d["note"]) for d in value]


class RespondSerializer(VersionSerializer):
    statement = serializers.CharField(max_length=5000)


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_fields = ["status", "grade"]

    def get_queryset(self):
        return reviews_visible_to(self.request.user)

    def get_serializer_class(self):
        return ReviewDetailSerializer if self.action != "list" else ReviewSerializer

    def get_object(self) -> Review:
        try:
            return review_get_for_user(self.request.user, public_id=self.kwargs["id"])
        except NotFound as exc:
            raise DRFNotFound() from exc

    def _done(self, review: Review) -> Response:
        return Response(ReviewDetailSerializer(review_get_for_user(self.request.user, public_id=review.public_id)).data)

    @extend_schema(request=AssignSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, id: str | None = None) -> Response:
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluator = (
            Officer.objects.prefetch_related("roles").filter(officer_id=data.validated_data["evaluator"]).first()
        )
        if evaluator is None:
            raise serializers.ValidationError({"evaluator": ["No such officer."]})
        review = review_services.review_assign(
            actor=_officer(request),
            review=self.get_object(),
            evaluator=evaluator,
            expected_version=data.validated_data.get("expected_version"),
        )
        return self._done(review)

    @extend_schema(request=GradeSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request: Request, id: str | None = None) -> Response:
        data = GradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_services.review_grade(
            actor=_officer(request),
            review=self.get_object(),
            grade=data.validated_data["grade"],
            defects=data.validated_data["defects"],
            summary=data.validated_data["summary"],
            expected_version=data.validated_data.get("expected_version"),
        )
        return self._done(review)

    @extend_schema(request=RespondSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, id: str | None = None) -> Response:
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_services.review_respond(
            actor=_officer(request),
            review=self.get_object(),
            statement=data.validated_data["statement"],
            expected_version=data.validated_data.get("expected_version"),
        )
        return self._done(review)

    @extend_schema(request=VersionSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, id: str | None = None) -> Response:
        data = VersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_services.review_finalise(
            actor=_officer(request),
            review=self.get_object(),
            expected_version=data.validated_data.get("expected_version"),
        )
        return self._done(review)


class PlanInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ReviewPlan.Kind.choices)
    organisation = serializers.CharField(help_text="organisation code")
    closed_from = serializers.DateField()
    closed_to = serializers.DateField()
    sample_percent = serializers.IntegerField(min_value=0, max_value=100, default=0)
    include_amended_remanded = serializers.BooleanField(default=False)

    def validate(self, data):
        if data["closed_to"] < data["closed_from"]:
            raise serializers.ValidationError({"closed_to": ["The window cannot end before it starts."]})
        return data


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    reviews = serializers.IntegerField(source="reviews.count")

    class Meta:
        model = ReviewPlan
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "window_from",
            "window_to",
            "sample_percent",
            "include_amended_remanded",
            "reviews",
        ]


class ReviewPlanView(APIView):
    @extend_schema(request=PlanInputSerializer, responses={201: PlanSerializer})
    def post(self, request: Request) -> Response:
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisations_visible_to(request.user).filter(code=data.validated_data["organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError({"organisation": ["No such organisation."]})
        plan = review_services.review_plan_create(
            actor=_officer(request),
            name=data.validated_data["name"],
            kind=data.validated_data["kind"],
            organisation=organisation,
            window=Window(data.validated_data["closed_from"], data.validated_data["closed_to"]),
            sample_percent=data.validated_data["sample_percent"],
            include_amended_remanded=data.validated_data["include_amended_remanded"],
        )
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class DefectItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DefectItem
        fields = ["code", "aspect", "description", "points", "revision"]


class DefectItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DefectItemSerializer
    queryset = DefectItem.objects.filter(is_active=True)
    lookup_field = "code"
    pagination_class = None


class PerformanceView(APIView):
    """业绩档案: GET /api/performance/{officer uuid}/?year=YYYY (default: this year)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100})], responses=dict
    )
    def get(self, request: Request, id: str) -> Response:
        year_text = request.query_params.get("year") or str(timezone.localdate().year)
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise serializers.ValidationError({"year": ["A year such as 2025."]})
        try:
            officer = officer_for_performance(request.user, public_id=id)
        except NotFound as exc:
            raise DRFNotFound() from exc
        return Response(performance_file(officer, year=int(year_text)))


class MetricResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricResult
        fields = ["window_from", "window_to", "level", "subject", "metric", "numerator", "denominator", "value"]


class MetricQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    level = serializers.ChoiceField(choices=LEVELS, required=False)
    metric = serializers.ChoiceField(choices=METRICS, required=False)
    subject = serializers.CharField(required=False, max_length=200)

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The window cannot end before it starts."]})
        return data


class MetricResultView(APIView):
    """Stored metric results of one window (``?start=&end=``, optionally ``level``, ``metric``, ``subject``),
    limited to what the caller may see. Reads stored numbers only; nothing is recomputed here."""

    @extend_schema(parameters=[MetricQuerySerializer], responses=MetricResultSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = MetricQuerySerializer(data=request.query_params.dict())  # a dict: an empty value is an error
        query.is_valid(raise_exception=True)
        data = query.validated_data
        results = metric_results_visible_to(request.user).filter(window_from=data["start"], window_to=data["end"])
        for field in ("level", "metric", "subject"):
            if field in data:
                results = results.filter(**{field: data[field]})
        results = results.order_by("level", "subject", "metric")[:5000]
        return Response(MetricResultSerializer(results, many=True).data)
