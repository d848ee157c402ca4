"""Admin: people and the power list, every save through the services (paths, revisions, validation)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict

from accountability import conditions
from accountability.auth import account_unlock
from accountability.models import (
    AccountLock,
    AuthEvent,
    Department,
    Officer,
    Organisation,
    PowerItem,
    PowerItemRevision,
    RuleChange,
)
from accountability.powers import fact_fields
from accountability.services import department_save, officer_save, organisation_save, power_item_save


def record_rule_change(request, obj, change: bool) -> None:
    snapshot = json.loads(json.dumps(model_to_dict(obj), cls=DjangoJSONEncoder))
    RuleChange.objects.create(
        table=obj._meta.label,
        object_id=str(obj.pk),
        action="changed" if change else "created",
        snapshot=snapshot,
        changed_by=request.user,
    )


class RuleAdmin(admin.ModelAdmin):
    """Admin for a rule table: each save is recorded in RuleChange (rules are data, and versioned)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_rule_change(request, obj, change)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate or change; a rule once used stays on record


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (or never): viewable, not editable, not deletable."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        organisation_save(organisation=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organisation"]
    search_fields = ["code", "name"]
    list_select_related = ["organisation"]

    def save_model(self, request, obj, form, change):
        department_save(department=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["officer_id", "name", "organisation", "department", "post", "is_quota"]
    list_filter = ["post", "is_quota", "roles"]
    search_fields = ["officer_id", "name"]
    list_select_related = ["organisation", "department"]
    filter_horizontal = ["roles"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        obj._admin_roles = [role.code for role in form.cleaned_data.get("roles", [])]

    def save_related(self, request, form, formsets, change):
        officer = form.instance
        officer_save(officer=officer, roles=getattr(officer, "_admin_roles", []))
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False


class PowerItemForm(forms.ModelForm):
    class Meta:
        model = PowerItem
        fields = ["code", "title", "role", "action_type", "scope", "effect", "legal_basis", "conditions", "is_active"]

    def clean_conditions(self):
        value = self.cleaned_data["conditions"]
        try:
            conditions.validate(value, fields=fact_fields())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return value


class PowerItemRevisionInline(admin.TabularInline):
    model = PowerItemRevision
    fields = ["revision", "changed_at", "changed_by", "reason", "snapshot"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-revision"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PowerItem)
class PowerItemAdmin(admin.ModelAdmin):
    form = PowerItemForm
    list_display = ["code", "title", "role", "action_type", "scope", "effect", "is_active", "revision"]
    list_filter = ["effect", "role", "scope", "is_active"]
    search_fields = ["code", "title", "legal_basis"]
    readonly_fields = ["revision"]
    inlines = [PowerItemRevisionInline]

    def save_model(self, request, obj, form, change):
        power_item_save(item=obj, changed_by=request.user, reason="admin")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: decisions name items for life


@admin.register(AccountLock)
class AccountLockAdmin(ReadOnlyAdmin):
    list_display = ["user", "locked_at", "reason", "unlocked_at", "unlocked_by"]
    list_filter = ["unlocked_at"]
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # needed for the unlock action; fields stay read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description="Unlock the selected accounts")
    def unlock(self, request, queryset):
        for lock in queryset.filter(unlocked_at__isnull=True):
            account_unlock(lock=lock, by=request.user)


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "source_ip"]
    list_filter = ["kind"]
    search_fields = ["username"]


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "table", "object_id", "action", "changed_by"]
    list_filter = ["table"]
