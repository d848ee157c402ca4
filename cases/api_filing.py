"""The filing office in the API (立案): file a case, record a refused filing, list both for the officer's own court.

The same services as the pages (``cases.filing``); the lists are the officer's court's only, and only for an
officer whom the power list allows to file or to refuse filings there (anyone else: 403 naming no item)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.choices import ActionType
from accountability.errors import PowerDenied
from accountability.models import Officer
from accountability.selectors import officer_for_user
from cases import filing
from cases.api import CaseDetailSerializer, CaseListSerializer
from cases.choices import ActionSource, CaseType, Procedure, Track
from cases.models import Case, FilingRefusal


class Text(serializers.CharField):
    """A string, and only a string: a number or a boolean is refused rather than turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumber(serializers.IntegerField):
    """A JSON integer, and only that: "3", 3.0 or true are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Amount(serializers.DecimalField):
    """An amount as a decimal string ("120000.50"), as the schema says; a JSON number is refused (binary floats
    do not hold yuan and fen exactly)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _office_officer(request: Request, *action_types: str) -> Officer:
    """The caller, if the power list allows them one of ``action_types`` at their own court; otherwise 403 with the
    decision on the first of them."""
    officer = officer_for_user(request.user)
    if officer is None:
        raise PowerDenied(_("Only officers work in the filing office."))
    decisions = filing.filing_powers(officer)
    if not any(decisions[a].allowed for a in action_types):
        decisions[action_types[0]].raise_if_denied()
    return officer


class FilingListSerializer(CaseListSerializer):
    type_code = serializers.CharField(source="procedure_rule.type_code", default=None, allow_null=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "track",
            "type_code",
            "procedure_rule_revision",
            "parties_count",
            "claim_amount",
        ]


class FilingSerializer(CaseDetailSerializer):
    type_code = serializers.CharField(source="procedure_rule.type_code", default=None, allow_null=True, read_only=True)

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "track", "type_code", "procedure_rule_revision"]


class FilingInputSerializer(serializers.Serializer):
    department = Text(max_length=64, help_text="code of a department of your court")
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    track = serializers.ChoiceField(
        choices=Track.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="required where the case type and procedure have tracks (civil first instance: ordinary, summary, "
        "small_claims); empty otherwise",
    )
    cause = Text(max_length=200)
    parties = Text(max_length=10000, help_text="one party a line")
    parties_count = WholeNumber(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, help_text="default: the lines of parties"
    )
    claim_amount = Amount(max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True)
    original_case = Text(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="case number of the case an appeal, retrial or enforcement continues (an appeal's is at a court "
        "directly below yours)",
    )
    filed_on = serializers.DateField(required=False, help_text="default: today; never in the future")
    note = Text(max_length=10000, required=False, allow_blank=True, default="")
    expected_rule_revision = WholeNumber(
        min_value=1, required=False, help_text="the procedure rule's revision you showed; 409 if it has changed"
    )


class FilingView(generics.ListCreateAPIView):
    """立案: GET lists the filings of your court (newest first); POST files a case and returns it with its number."""

    serializer_class = FilingListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return Case.objects.none()
        officer = _office_officer(self.request, ActionType.FILED, ActionType.FILING_REFUSED)
        return filing.filings_of_court(self.request.user, officer).select_related("procedure_rule")

    @extend_schema(
        description="The filings of your court, newest first (a filing officer or the case-management office)."
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FilingInputSerializer,
        responses={201: FilingSerializer},
        description="File a case at your court (立案): it is numbered （year）court code + type code + sequence + 号, its "
        "time limit set by the procedure rule in force, and its trace opened with the `filed` action.",
    )
    def post(self, request: Request) -> Response:
        officer = _office_officer(request, ActionType.FILED)
        data = FilingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        department = filing.filing_departments(officer).filter(code=values["department"]).first()
        if department is None:
            raise serializers.ValidationError({"department": ["No department with this code in your court."]})
        original = None
        if values["original_case"].strip():
            original = filing.original_case_find(
                user=request.user,
                organisation=officer.organisation,
                case_number=values["original_case"],
                procedure=values["procedure"],
            )
            if original is None:
                raise serializers.ValidationError(
                    {
                        "original_case": [
                            "No case with this number that you may see (for an appeal: in the courts below)."
                        ]
                    }
                )
        case = filing.case_file_new(
            actor=officer,
            organisation=officer.organisation,
            department=department,
            case_type=values["case_type"],
            procedure=values["procedure"],
            track=values["track"],
            cause=values["cause"],
            parties=values["parties"],
            parties_count=values.get("parties_count"),
            claim_amount=values.get("claim_amount"),
            original_case=original,
            filed_on=values.get("filed_on"),
            source=ActionSource.API,
            note=values["note"],
            expected_rule_revision=values.get("expected_rule_revision"),
        )
        return Response(FilingSerializer(case).data, status=status.HTTP_201_CREATED)


class FilingRefusalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    refused_by_officer_id = serializers.CharField(source="refused_by.officer_id", read_only=True)
    refused_by_name = serializers.CharField(source="refused_by.name", read_only=True)

    class Meta:
        model = FilingRefusal
        fields = [
            "id",
            "organisation_code",
            "case_type",
            "procedure",
            "cause",
            "parties",
            "reason",
            "refused_on",
            "refused_by_officer_id",
            "refused_by_name",
            "power_item_code",
            "created_at",
        ]


class FilingRefusalInputSerializer(serializers.Serializer):
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    cause = Text(max_length=200, required=False, allow_blank=True, default="")
    parties = Text(max_length=10000, help_text="one party a line")
    reason = Text(max_length=10000)
    refused_on = serializers.DateField(required=False, help_text="default: today; never in the future")


class FilingRefusalView(generics.ListCreateAPIView):
    """不予受理: GET lists the refused filings of your court (newest first); POST records one (no case is made)."""

    serializer_class = FilingRefusalSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FilingRefusal.objects.none()
        officer = _office_officer(self.request, ActionType.FILED, ActionType.FILING_REFUSED)
        return filing.filing_refusals_of_court(officer)

    @extend_schema(description="The refused filings (不予受理) of your court, newest first.")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FilingRefusalInputSerializer,
        responses={201: FilingRefusalSerializer},
        description="Record a refused filing (不予受理) with its reason: no case is made and no case number used.",
    )
    def post(self, request: Request) -> Response:
        officer = _office_officer(request, ActionType.FILING_REFUSED)
        data = FilingRefusalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        refusal = filing.filing_refuse(
            actor=officer,
            organisation=officer.organisation,
            case_type=values["case_type"],
            procedure=values["procedure"],
            cause=values["cause"],
            parties=values["parties"],
            reason=values["reason"],
            refused_on=values.get("refused_on"),
        )
        return Response(FilingRefusalSerializer(refusal).data, status=status.HTTP_201_CREATED)
