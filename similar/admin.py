"""Admin of similar-case search: the reference cases (data, each save recorded) and the reports (read-only)."""

from django.contrib import admin
from django.db import transaction

from accountability.admin import ReadOnlyAdmin, RuleAdmin, record_rule_change
from similar import services as similar
from similar.models import DeviationRule, ReferenceCase, SearchReport


@admin.register(ReferenceCase)
class ReferenceCaseAdmin(RuleAdmin):
    """Guiding, SPC typical and provincial reference cases for similar-case search (also importable with
    ``manage.py import_reference_cases FILE``). Saving indexes the case; each save is recorded."""

    list_display = ["number", "level", "title", "cause", "decided_on", "issued_by"]
    list_filter = ["level", "case_type"]
    search_fields = ["number", "title", "cause", "keywords"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            similar.reference_save(reference=obj)
            record_rule_change(request, obj, change)


@admin.register(SearchReport)
class SearchReportAdmin(ReadOnlyAdmin):
    list_display = ["case", "author", "query", "created_at"]
    search_fields = ["case__case_number", "query"]


@admin.register(DeviationRule)
class DeviationRuleAdmin(RuleAdmin):
    """偏离预警 rules: simulate one with ``manage.py simulate_deviation CODE`` before making it active; each
    save is recorded."""

    list_display = [
        "code",
        "title",
        "metric",
        "neighbours",
        "minimum",
        "low_percentile",
        "high_percentile",
        "is_active",
    ]
