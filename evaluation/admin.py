from django.contrib import admin

from evaluation.models import WeightRule


@admin.register(WeightRule)
class WeightRuleAdmin(admin.ModelAdmin):
    list_display = ["case_type", "procedure", "cause", "weight"]
    list_filter = ["case_type", "procedure"]
