"""Admin views of cases and their trace: read-only. Cases change through the services, the trace never."""

from django.contrib import admin

from accountability.admin import ReadOnlyAdmin
from cases.models import Action, Case, ChainDigest, ImportBatch


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
