"""The deliberation bodies in the admin: bodies with their members by term, and the referral rules (each save
recorded as a rule change). Meetings are written only through the services: viewable here, never edited."""

from django.contrib import admin

from accountability.admin import ReadOnlyAdmin, RuleAdmin
from deliberation.models import Body, Meeting, Membership, ReferralRule


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["officer"]
    fields = ["officer", "rank", "is_presiding", "term_start", "term_end"]


@admin.register(Body)
class BodyAdmin(RuleAdmin):
    list_display = ["name", "organisation", "kind", "field", "majority_quorum", "min_present", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation__name"]
    inlines = [MembershipInline]


@admin.register(ReferralRule)
class ReferralRuleAdmin(RuleAdmin):
    list_display = [
        "code",
        "title",
        "organisation_kind",
        "body_kind",
        "categories",
        "event_types",
        "requires_prior",
        "is_active",
    ]
    list_filter = ["organisation_kind", "is_active"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["body", "scheduled_for", "status", "presiding"]
    list_filter = ["status"]
