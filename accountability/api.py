"""Read endpoints for organisations and officers, scoped by the selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accountability.models import Officer, Organisation
from accountability.second_factor import SecondFactorVerified, needs_second_factor
from accountability.selectors import officers_visible_to, organisations_visible_to
from accountability.tokens import token_for


class OrganisationSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "level", "parent_code"]


class OfficerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    department_code = serializers.CharField(source="department.code", default=None, read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = ["id", "officer_id", "name", "organisation_code", "department_code", "roles", "post", "is_quota"]

    def get_roles(self, officer: Officer) -> list[str]:
        return sorted(officer.role_codes)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "code"

    def get_queryset(self):
        return organisations_visible_to(self.request.user)


class OfficerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfficerSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_fields = ["post", "is_quota"]

    def get_queryset(self):
        return officers_visible_to(self.request.user)


class TokenView(ObtainAuthToken):
    """POST username and password for an API token. Wrong credentials, or a locked or disabled account, are
    401 (``invalid_credentials``), a missing field is 400; failures count towards the lockout like the
    login form's (the authentication backend records them). A role that needs the second factor gets no token
    (403 ``second_factor_required``: a token carries no second factor). A token expires after
    ``QUANZE_API_TOKEN_DAYS``; asking again then issues a new one. JSON only, like the rest of the API."""

    parser_classes = [JSONParser]

    @extend_schema(auth=[])
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if set(serializer.errors) == {"non_field_errors"}:
                raise AuthenticationFailed(str(serializer.errors["non_field_errors"][0]), code="invalid_credentials")
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if needs_second_factor(user):  # its token would be refused: say so now (issue 20, finding 9)
            raise PermissionDenied(SecondFactorVerified.message, code="second_factor_required")
        token = token_for(user)  # a new one once the old has expired
        return Response({"token": token.key})


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for a path no route matches: the API answers in its one error body, the pages with the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": str(_("Not found."))}, status=404)
    return page_not_found(request, exception)
