"""Read endpoints for organisations and officers, scoped by the selectors."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from accountability.models import Officer, Organisation
from accountability.selectors import officers_visible_to, organisations_visible_to


class OrganisationSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "level", "parent_code"]


class OfficerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    department_code = serializers.CharField(source="department.code", default=None, read_only=True)
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
