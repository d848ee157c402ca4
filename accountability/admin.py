"""Admin: people and the power list, every save through the services (paths, revisions, validation)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability import conditions
from accountability.auth import account_lock, account_unlock
from accountability.errors import DomainError
from accountability.grants import (
    PROTECTED_ROLES,
    grantable_choices,
    role_grant_approve,
    role_grant_check,
    role_grant_refuse,
    role_grant_request,
)
from accountability.models import (
    AccountLock,
    AuthEvent,
    Department,
    Officer,
    Organisation,
    PowerItem,
    PowerItemRevision,
    RoleGrant,
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


class OfficerForm(forms.ModelForm):
    """New roles that open protected data are asked for, not given (``accountability.grants``): a request that
    could never be granted (to oneself, by a non-administrator) is refused here, on the form."""

    requested_by = None  # set per request by ``OfficerAdmin.get_form``

    def clean_roles(self):
        roles = self.cleaned_data.get("roles") or []
        user = self.instance.user if self.instance.user_id else self.cleaned_data.get("user")
        held = set(self.instance.roles.values_list("code", flat=True)) if self.instance.pk else set()
        for role in roles:
            if role.code in PROTECTED_ROLES and role.code not in held and user is not None:
                try:
                    role_grant_check(user=user, role=role.code, by=self.requested_by)
                except DomainError as exc:
                    raise ValidationError(f"{role}: {exc.message}") from exc
        return roles


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    form = OfficerForm
    list_display = ["officer_id", "name", "organisation", "department", "post", "is_quota"]
    list_filter = ["post", "is_quota", "roles"]
    search_fields = ["officer_id", "name"]
    list_select_related = ["organisation", "department"]
    filter_horizontal = ["roles"]
    raw_id_fields = ["user"]
    actions = ["lock_accounts"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.requested_by = request.user
        return form

    def save_model(self, request, obj, form, change):
        obj._admin_roles = [role.code for role in form.cleaned_data.get("roles", [])]

    def save_related(self, request, form, formsets, change):
        officer = form.instance
        officer_save(officer=officer, roles=getattr(officer, "_admin_roles", []), by=request.user)
        for grant in officer.pending_grants:
            self.message_user(
                request,
                _("The role %(role)s awaits a second administrator's approval (role grants).")
                % {"role": grant_label(grant.role)},
                messages.WARNING,
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Lock the selected accounts (sessions and API tokens end)"))
    def lock_accounts(self, request, queryset):
        for officer in queryset.select_related("user"):
            if officer.user_id != request.user.pk:
                account_lock(user=officer.user, by=request.user, reason=f"locked by {request.user.get_username()}")


def grant_label(role: str) -> str:
    return str(dict(grantable_choices()).get(role, role))


class RoleGrantForm(forms.ModelForm):
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=grantable_choices)
    requested_by = None  # set per request by ``RoleGrantAdmin.get_form``

    class Meta:
        model = RoleGrant
        fields = ["user", "role", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("user") is not None and data.get("role"):
            try:
                role_grant_check(user=data["user"], role=data["role"], by=self.requested_by)
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return data


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Ask for a role that opens protected data (or staff / superuser status); a second administrator approves."""

    form = RoleGrantForm
    list_display = ["requested_at", "user", "role_label", "status", "requested_by", "decided_by", "decided_at"]
    list_filter = ["status", "role"]
    raw_id_fields = ["user"]
    actions = ["approve", "refuse"]

    @admin.display(description=gettext_lazy("role"))
    def role_label(self, obj):
        return grant_label(obj.role)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.requested_by = request.user
        return form

    def save_model(self, request, obj, form, change):
        grant = role_grant_request(
            user=form.cleaned_data["user"], role=form.cleaned_data["role"], by=request.user, reason=obj.reason
        )
        obj.pk = grant.pk  # the admin's redirect and log name the request the service made

    def has_change_permission(self, request, obj=None):
        return False  # decided by the actions, through the service

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, service):
        for grant in queryset.filter(status=RoleGrant.Status.PENDING):
            try:
                service(grant=grant, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{grant.user}: {exc.message}", messages.ERROR)

    @admin.action(description=gettext_lazy("Approve the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, role_grant_approve)

    @admin.action(description=gettext_lazy("Refuse the selected requests"))
    def refuse(self, request, queryset):
        self._decide(request, queryset, role_grant_refuse)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class GuardedUserAdmin(UserAdmin):
    """Django's user admin, with staff and superuser status, groups and permissions read-only: they are given
    through role grants, approved by a second administrator."""

    readonly_fields = ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]


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
    list_display = ["user", "source_ip", "locked_at", "reason", "unlocked_at", "unlocked_by"]
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
