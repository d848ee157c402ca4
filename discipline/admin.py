from django.contrib import admin

from discipline.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["officer", "source", "status", "created_at"]
    list_filter = ["source", "status"]
    list_select_related = ["officer"]
    readonly_fields = ["officer", "source", "status", "summary", "origin"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
