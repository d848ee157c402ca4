"""The committees and the sanction rules are configured in the admin. Leads and proceedings are not registered: who
sees them is decided by object permissions (discipline.selectors), with no superuser bypass."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accountability.admin import RuleAdmin
from discipline.choices import PersonnelMeasure, SanctionKind
from discipline.models import Committee, CommitteeMember, SanctionRule


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 1
    autocomplete_fields = ["officer"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    inlines = [CommitteeMemberInline]


class SanctionRuleForm(forms.ModelForm):
    """The sanctions and measures as checkboxes of the known values (stored as their codes)."""

    kinds = forms.MultipleChoiceField(
        label=_("sanctions allowed"),
        choices=SanctionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        help_text=_("Leave “No sanction” unticked where the law requires a sanction."),
    )
    measures = forms.MultipleChoiceField(
        label=_("personnel measures allowed"),
        choices=PersonnelMeasure.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SanctionRule
        fields = ["ground", "kinds", "measures", "legal_basis"]


@admin.register(SanctionRule)
class SanctionRuleAdmin(RuleAdmin):
    """惩戒规则: what each opinion of the committee allows the decision to impose (each save in the rule-change log;
    a rule is changed, never deleted)."""

    form = SanctionRuleForm
    list_display = ["ground", "allowed", "legal_basis"]

    def get_readonly_fields(self, request, obj=None):
        return ["ground"] if obj is not None else []

    @admin.display(description=_("sanctions allowed"))
    def allowed(self, obj: SanctionRule) -> str:
        return "、".join(obj.kind_labels)
