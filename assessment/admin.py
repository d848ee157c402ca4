"""The assessment in the admin: schemes are read here and changed as a new version (never edited in place once an
assessment was computed under them); consequence rules are data; assessments are read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from accountability.errors import ValidationFailed
from assessment import services
from assessment.models import Assessment, ConsequenceRule, Scheme

FIELDS = (
    "name",
    "components",
    "excellent_from",
    "competent_from",
    "basic_from",
    "excellent_quota_percent",
    "contest_days",
    "note",
)


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation_kind", "role", "version", "is_active")
    list_filter = ("organisation_kind", "role", "is_active")
    fields = ("organisation_kind", "role", "version", "is_active", *FIELDS)
    readonly_fields = ("organisation_kind", "role", "version", "is_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Scheme, form: Any, change: bool) -> None:
        """Saving a scheme saves a new version in force (``services.scheme_revise``); the one edited stays as it was."""
        changes = {name: form.cleaned_data[name] for name in FIELDS if name in form.changed_data}
        if not changes:
            return
        try:
            new = services.scheme_revise(scheme=Scheme.objects.get(pk=obj.pk), changes=changes, actor=request.user)
        except ValidationFailed as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        obj.pk = new.pk
        self.message_user(request, f"v{new.version}", level=messages.SUCCESS)


@admin.register(ConsequenceRule)
class ConsequenceRuleAdmin(admin.ModelAdmin):
    list_display = ("grade", "years", "consequence", "organisation_kind", "is_active")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("officer", "period_kind", "period_start", "score", "grade", "status")
    list_filter = ("period_kind", "status", "grade")
    search_fields = ("officer__officer_id", "officer__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
