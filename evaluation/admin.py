"""Admin: the rules of evaluation (catalogue, thresholds, policy, reference ranges, weights) are data.

Catalogue items keep a revision that every review records, so an edited item never changes a past
review; reviews, ledgers and results are read-only here (they change only through the services).
"""

from django.contrib import admin

from accountability.admin import ReadOnlyAdmin, RuleAdmin
from evaluation.models import (
    ConsequenceRecord,
    DefectItem,
    EvaluationPolicy,
    MetricRange,
    MetricResult,
    MetricRun,
    PointEntry,
    PointThreshold,
    Review,
    ReviewPlan,
    WeightRule,
)
from evaluation.services import defect_item_save


@admin.register(WeightRule)
class WeightRuleAdmin(RuleAdmin):
    list_display = ["case_type", "procedure", "cause", "weight"]
    list_filter = ["case_type", "procedure"]


@admin.register(DefectItem)
class DefectItemAdmin(admin.ModelAdmin):
    list_display = ["code", "aspect", "description", "points", "case_types", "is_active", "revision"]
    list_filter = ["aspect", "is_active"]
    search_fields = ["code", "description"]
    readonly_fields = ["revision"]

    def save_model(self, request, obj, form, change):
        defect_item_save(item=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: reviews name items for life


@admin.register(PointThreshold)
class PointThresholdAdmin(RuleAdmin):
    list_display = ["organisation_kind", "basis", "points", "consequence", "is_active"]
    list_filter = ["organisation_kind"]


@admin.register(EvaluationPolicy)
class EvaluationPolicyAdmin(RuleAdmin):
    list_display = ["fail_penalty", "response_days", "sample_percent", "updated_at"]

    def has_add_permission(self, request):
        return not EvaluationPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MetricRange)
class MetricRangeAdmin(RuleAdmin):
    list_display = ["metric", "post", "organisation_level", "organisation_kind", "low", "high", "note"]
    list_filter = ["metric"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "officer", "evaluator", "status", "grade", "response_due", "finalised_at"]
    list_filter = ["status", "grade"]
    list_select_related = ["case", "officer", "evaluator"]


@admin.register(ReviewPlan)
class ReviewPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "organisation", "window_from", "window_to", "sample_percent"]


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    list_display = ["officer", "year", "points", "reason", "case", "created_at"]
    list_select_related = ["officer", "case"]


@admin.register(ConsequenceRecord)
class ConsequenceRecordAdmin(ReadOnlyAdmin):
    list_display = ["officer", "year", "consequence", "points", "case", "lead", "created_at"]
    list_select_related = ["officer", "case"]


@admin.register(MetricResult)
class MetricResultAdmin(ReadOnlyAdmin):
    list_display = ["window_from", "window_to", "level", "subject", "metric", "numerator", "denominator", "value"]
    list_filter = ["level", "metric"]
    show_full_result_count = False


@admin.register(MetricRun)
class MetricRunAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "done", "total", "started_at", "finished_at"]
