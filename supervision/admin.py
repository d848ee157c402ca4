"""Admin of the rule library (四类案件情形和风险点): data, versioned, validated, simulated; flags read-only."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accountability.admin import ReadOnlyAdmin, RuleAdmin, record_rule_change
from supervision import rules
from supervision import services as supervision
from supervision.models import Flag, Situation, SituationRevision


class SituationForm(forms.ModelForm):
    """Refuses a malformed rule with a message saying what is wrong and where."""

    class Meta:
        model = Situation
        fields = [
            "code",
            "family",
            "category",
            "title",
            "description",
            "kind",
            "condition",
            "organisation_kinds",
            "priority",
            "is_active",
        ]
        help_texts = {
            "condition": _(
                'JSON, e.g. {"all": [{"field": "case.parties_count", "op": "gte", "value": 10}]}. Facts: %(facts)s.'
            )
            % {"facts": ", ".join(rules.FIELDS)},
        }

    def clean(self):
        data = super().clean()
        try:
            rules.validate(data.get("condition") or {}, automatic=data.get("kind") == Situation.Kind.AUTOMATIC)
        except ValidationError as exc:
            self.add_error("condition", exc)
        if data.get("family") == "four_category" and not data.get("category"):
            self.add_error("category", _("A four-category situation needs its category."))
        if data.get("family") == "risk_point" and data.get("category"):
            self.add_error("category", _("A risk point has no category."))
        return data


@admin.register(Situation)
class SituationAdmin(RuleAdmin):
    """The rule library. Saving validates the rule and records a new revision; "simulate" shows which
    existing cases a rule would flag, before it is switched on."""

    form = SituationForm
    list_display = ["code", "family", "category", "title", "kind", "priority", "is_active", "revision", "simulate"]
    list_filter = ["family", "category", "kind", "is_active"]
    search_fields = ["code", "title"]
    readonly_fields = ["revision"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():  # the form has validated the rule; the service checks it again
            supervision.situation_save(situation=obj, changed_by=request.user)
            record_rule_change(request, obj, change)

    @admin.display(description=_("simulation"))
    def simulate(self, obj):
        if not obj.is_automatic:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:supervision_situation_simulate", args=[obj.pk]), _("simulate")
        )

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/simulate/",
                self.admin_site.admin_view(self.simulate_view),
                name="supervision_situation_simulate",
            ),
        ]
        return extra + super().get_urls()

    def simulate_view(self, request, pk):
        """Run the rule (or a draft condition given in ?condition=) over the existing cases, writing nothing."""
        situation = get_object_or_404(Situation, pk=pk)
        draft = request.POST.get("condition") if request.method == "POST" else None
        error, result, condition = None, None, situation.condition
        try:
            condition = json.loads(draft) if draft else situation.condition
            result = supervision.simulate(condition)
        except (ValueError, ValidationError) as exc:
            error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "situation": situation,
            "condition": json.dumps(condition, ensure_ascii=False, indent=2),
            "result": result,
            "error": error,
            "title": _("Simulate %(code)s") % {"code": situation.code},
        }
        return TemplateResponse(request, "admin/supervision/situation_simulate.html", context)


@admin.register(SituationRevision)
class SituationRevisionAdmin(ReadOnlyAdmin):
    list_display = ["situation", "revision", "changed_by", "changed_at"]
    list_select_related = ["situation", "changed_by"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["case", "situation", "status", "escalation_level", "raised_by", "decided_by", "created_at"]
    list_filter = ["status", "situation__family"]
    list_select_related = ["case", "situation", "raised_by", "decided_by"]
