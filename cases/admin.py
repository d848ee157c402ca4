"""Admin views of cases and their trace: read-only. Cases change through the services, the trace never. The
procedure rules and process flows are data edited here, each rule change a revision."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accountability.admin import ReadOnlyAdmin, RuleAdmin, record_rule_change
from accountability.choices import ActionType
from cases.choices import ClosingMethod
from cases.filing import procedure_rule_save
from cases.models import (
    Action,
    Case,
    CaseNumberSequence,
    ChainDigest,
    FilingRefusal,
    FlowNode,
    ImportBatch,
    ProcedureRule,
    ProcedureRuleRevision,
)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "organisation", "case_type", "procedure", "filed_on", "closed_on", "lead_officer"]
    list_filter = ["case_type", "procedure"]
    search_fields = ["case_number", "cause"]
    list_select_related = ["organisation", "lead_officer"]
    show_full_result_count = False


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "action_type", "occurred_at", "actor", "source", "power_item_code"]
    list_filter = ["action_type", "source"]
    list_select_related = ["case", "actor"]
    raw_id_fields = ["case", "actor", "corrects"]
    show_full_result_count = False


@admin.register(ChainDigest)
class ChainDigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "chains", "actions", "digest"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "run_by", "directory"]


# --- a case's life: the procedure rules and process flows are data, edited here; each rule change is a revision ----


class ProcedureRuleRevisionInline(admin.TabularInline):
    model = ProcedureRuleRevision
    fields = ["revision", "changed_at", "changed_by", "snapshot"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-revision"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProcedureRule)
class ProcedureRuleAdmin(admin.ModelAdmin):
    """案件类型代字 and 审限: saving goes through ``procedure_rule_save`` (a change is a new revision, kept below; cases
    keep the revision they were filed under) and is recorded in the rule-change log."""

    list_display = [
        "type_code",
        "case_type",
        "procedure",
        "track",
        "limit_value",
        "limit_unit",
        "extension_value",
        "extension_unit",
        "extension_approver",
        "is_active",
        "revision",
    ]
    list_filter = ["case_type", "procedure", "is_active"]
    search_fields = ["type_code", "legal_basis"]
    readonly_fields = ["revision"]
    inlines = [ProcedureRuleRevisionInline]

    def get_readonly_fields(self, request, obj=None):
        # A rule is named by its case type, procedure and track for life: add a rule rather than re-key one.
        return ["revision", "case_type", "procedure", "track"] if obj is not None else ["revision"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            procedure_rule_save(rule=obj, changed_by=request.user)
            record_rule_change(request, obj, change)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: cases name the rule and revision they were filed under


@admin.register(ProcedureRuleRevision)
class ProcedureRuleRevisionAdmin(ReadOnlyAdmin):
    list_display = ["rule", "revision", "changed_by", "changed_at"]
    list_select_related = ["rule", "changed_by"]


class FlowNodeForm(forms.ModelForm):
    class Meta:
        model = FlowNode
        fields = [
            "case_type",
            "procedure",
            "position",
            "code",
            "name",
            "action_types",
            "deadline_days",
            "deadline_from",
            "required",
            "waived_for",
            "is_active",
        ]

    def clean_action_types(self):
        value = self.cleaned_data["action_types"]
        known = set(ActionType.values)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_('A JSON list of action types, e.g. ["hearing_held"].'))
        unknown = sorted(set(value) - known)
        if unknown:
            raise forms.ValidationError(_("Unknown action types: %(types)s.") % {"types": ", ".join(unknown)})
        return value

    def clean_waived_for(self):
        value = self.cleaned_data["waived_for"]
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(
                _('A JSON list of closing methods, e.g. ["withdrawal", "mediation", "transfer"].')
            )
        unknown = sorted(set(value) - set(ClosingMethod.values))
        if unknown:
            raise forms.ValidationError(_("Unknown closing methods: %(methods)s.") % {"methods": ", ".join(unknown)})
        return list(dict.fromkeys(value))


@admin.register(FlowNode)
class FlowNodeAdmin(RuleAdmin):
    """The standard flow of each case type and procedure (流程节点): data; each save is in the rule-change log."""

    form = FlowNodeForm
    list_display = [
        "case_type",
        "procedure",
        "position",
        "name",
        "deadline_days",
        "deadline_from",
        "required",
        "waived",
        "is_active",
    ]
    list_filter = ["case_type", "procedure", "required", "is_active"]
    search_fields = ["code", "name"]

    @admin.display(description=_("not required when closing by"))
    def waived(self, node: FlowNode) -> str:
        labels = dict(ClosingMethod.choices)
        return "、".join(str(labels.get(method, method)) for method in node.waived_for or []) or "—"


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "type_code", "last"]
    list_filter = ["year"]
    list_select_related = ["organisation"]


@admin.register(FilingRefusal)
class FilingRefusalAdmin(ReadOnlyAdmin):
    list_display = ["refused_on", "organisation", "case_type", "procedure", "cause", "refused_by"]
    list_filter = ["case_type", "procedure"]
    list_select_related = ["organisation", "refused_by"]
    show_full_result_count = False
