"""Only the committees are configured in the admin. Leads and proceedings are not registered: who sees them is
decided by object permissions (discipline.selectors), with no superuser bypass."""

from django.contrib import admin

from discipline.models import Committee, CommitteeMember


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 1
    autocomplete_fields = ["officer"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    inlines = [CommitteeMemberInline]
