"""Similar-case search in the API: the search, and a case's search reports (``similar_case_search``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.errors import NotFound, PowerDenied
from accountability.selectors import officer_for_user
from cases.choices import ActionSource, CaseType
from cases.models import Case
from cases.selectors import case_get_for_user
from similar import selectors as similar_selectors
from similar import services as similar
from similar import text as similar_text
from similar.choices import SearchBearing, SourceLevel
from similar.models import SearchReport, SearchReportItem
from similar.views import filters_from


class HitSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    level = serializers.IntegerField(help_text="1 guiding, 2 SPC typical, 3 provincial, 4 higher court, 5 this court")
    level_label = serializers.CharField()
    label = serializers.CharField(help_text="reference number or case number")
    title = serializers.CharField()
    court = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    case_type = serializers.CharField()
    cause = serializers.CharField()
    summary = serializers.CharField()
    score = serializers.FloatField()
    recent = serializers.BooleanField()
    case_id = serializers.CharField(source="case_public_id", allow_null=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    terms = serializers.ListField(child=serializers.CharField())
    matched_all = serializers.BooleanField(help_text="false: no document has every term; these have some")
    hits = HitSerializer(many=True)


class SimilarQuerySerializer(serializers.Serializer):
    """The query string, checked strictly: a value out of range is a 400 naming the parameter (the browser's
    form, more forgiving, drops it instead)."""

    q = serializers.CharField(max_length=similar_text.MAX_QUERY_LENGTH)
    level = serializers.ListField(child=serializers.ChoiceField(choices=SourceLevel.choices), required=False)
    case_type = serializers.ChoiceField(choices=CaseType.choices, required=False)
    cause = serializers.CharField(max_length=200, required=False)
    recent = serializers.ChoiceField(choices=["1"], required=False)
    order = serializers.ChoiceField(choices=["level", "relevance"], required=False)


class SimilarSearchView(APIView):
    """类案检索: GET /api/similar-cases/?q=…&level=1&level=2&case_type=civil&cause=…&recent=1&order=relevance"""

    @extend_schema(parameters=[SimilarQuerySerializer], responses=SearchResultSerializer)
    def get(self, request: Request) -> Response:
        officer = officer_for_user(request.user)
        if officer is None:
            raise PowerDenied("Only officers can search similar cases.")
        data = request.query_params.copy()
        query = SimilarQuerySerializer(data={**data.dict(), "level": data.getlist("level")})
        query.is_valid(raise_exception=True)
        result = similar_selectors.search(officer=officer, query=query.validated_data["q"], filters=filters_from(data))
        return Response(SearchResultSerializer(result).data)


class ReportItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SearchReportItem
        fields = ["position", "level", "label", "bearing", "note"]


class SearchReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.CharField(source="author.name", read_only=True)
    items = ReportItemSerializer(many=True, read_only=True)
    action_seq = serializers.IntegerField(source="action.seq", read_only=True)

    class Meta:
        model = SearchReport
        fields = ["id", "author", "query", "filters", "conclusion", "items", "action_seq", "created_at"]


class ReportItemInputSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    bearing = serializers.ChoiceField(choices=SearchBearing.choices)
    note = serializers.CharField(max_length=2000)


class SearchReportInputSerializer(serializers.Serializer):
    query = serializers.CharField(max_length=400)
    conclusion = serializers.CharField(max_length=10000)
    items = ReportItemInputSerializer(many=True, allow_empty=False)


class SearchReportView(APIView):
    """A case's similar-case search reports: GET lists them, POST attaches one (``similar_case_search``)."""

    def _case(self, request: Request, id: str) -> Case:
        try:
            return case_get_for_user(request.user, public_id=id)
        except NotFound as exc:
            raise DRFNotFound() from exc

    @extend_schema(responses=SearchReportSerializer(many=True))
    def get(self, request: Request, id: str) -> Response:
        case = self._case(request, id)
        reports = SearchReport.objects.filter(case=case).select_related("author", "action").prefetch_related("items")
        return Response(SearchReportSerializer(reports, many=True).data)

    @extend_schema(request=SearchReportInputSerializer, responses={201: SearchReportSerializer})
    def post(self, request: Request, id: str) -> Response:
        case = self._case(request, id)
        officer = officer_for_user(request.user)
        if officer is None:
            raise PowerDenied("Only officers can attach search reports.")
        data = SearchReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = similar.report_attach(
            actor=officer,
            case=case,
            query=data.validated_data["query"],
            items=[similar.ReportItem(**item) for item in data.validated_data["items"]],
            conclusion=data.validated_data["conclusion"],
            source=ActionSource.API,
        )
        return Response(SearchReportSerializer(report).data, status=status.HTTP_201_CREATED)
