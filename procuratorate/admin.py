"""The procuratorate's records in the admin, read only: they change through ``procuratorate.services`` (and the trace)."""

from django.contrib import admin

from accountability.admin import ReadOnlyAdmin
from procuratorate.models import ChiefMatter, ProsecutionFacts


@admin.register(ChiefMatter)
class ChiefMatterAdmin(ReadOnlyAdmin):
    list_display = ["request", "matter", "closing_method", "decision_seq"]
    list_filter = ["matter"]


@admin.register(ProsecutionFacts)
class ProsecutionFactsAdmin(ReadOnlyAdmin):
    list_display = ["case", "detained", "plea_leniency", "sentencing_recommended", "sentencing_adopted", "updated_at"]
    list_filter = ["detained", "plea_leniency", "sentencing_recommended"]
