"""Reads for supervision: the leaders' inbox, a case's open flags; scoped through the case selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.selectors import officer_for_user
from cases.models import Case
from cases.selectors import cases_visible_to
from supervision.choices import OPEN_FLAG_STATUSES, AlertFamily, FlagStatus, TaskStatus
from supervision.models import Flag, Referral, SupervisionTask


def flagged() -> Exists:
    """A case with a pending or confirmed flag (the 四类案件 tab of 我的案件)."""
    return Exists(Flag.objects.filter(case=OuterRef("pk"), status__in=OPEN_FLAG_STATUSES))


def case_open_flags(case: Case) -> list[Flag]:
    """The case's four-category flags still open (pending or confirmed), newest first."""
    return list(
        Flag.objects.filter(case=case, status__in=OPEN_FLAG_STATUSES)
        .select_related("situation", "raised_by", "decided_by")
        .order_by("-created_at")
    )


# --- supervision inbox ----------------------------------------------------------------------------

INBOX_TABS = ("pending", "escalated", "supervising", "tasks")
_LEADER_ROLES = (RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT, RoleCode.DIVISION_CHIEF)


def is_supervisor(officer: Any) -> bool:
    return officer is not None and officer.has_role(*_LEADER_ROLES)


def four_category_flags() -> QuerySet[Flag]:
    """The flags that make a case a four-category case now: a four-category situation, pending or confirmed.
    A leader's individual supervision is confined to such cases (the power fact ``case.is_four_category``)."""
    return Flag.objects.filter(status__in=OPEN_FLAG_STATUSES, situation__family=AlertFamily.FOUR_CATEGORY)


def alerts_for_leader(user: Any, tab: str = "pending") -> QuerySet[Flag]:
    """Alerts a leader supervises, most urgent first: escalated, then by act-by time, then priority.

    A division chief supervises their department; presidents their organisation, and an organisation
    below once an alert has escalated out of it (level 2 and up)."""
    officer = officer_for_user(user)
    if not is_supervisor(officer):
        return Flag.objects.none()
    scope = Q(pk__in=[])
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id is not None:
        scope |= Q(case__department_id=officer.department_id)
    if officer.has_role(RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT):
        scope |= Q(case__organisation_id=officer.organisation_id)
        scope |= Q(case__organisation__path__startswith=officer.organisation.path, escalation_level__gte=2)
    flags = Flag.objects.filter(scope).select_related(
        "case__lead_officer", "case__organisation", "situation", "raised_by", "decided_by"
    )
    if tab == "escalated":
        flags = flags.filter(status=FlagStatus.PENDING, escalation_level__gte=1)
    elif tab == "supervising":
        flags = flags.filter(status=FlagStatus.CONFIRMED, case__closed_on__isnull=True)
    elif tab == "tasks":
        flags = flags.filter(Exists(SupervisionTask.objects.filter(case=OuterRef("case"), status=TaskStatus.OPEN)))
    elif tab == "pending":
        flags = flags.filter(status=FlagStatus.PENDING, case__closed_on__isnull=True)
    # whether individual supervision is open on the alert's case (a risk point alone does not open it)
    flags = flags.annotate(case_is_four_category=Exists(four_category_flags().filter(case=OuterRef("case"))))
    return flags.prefetch_related(
        Prefetch(
            "case__supervision_tasks",
            queryset=SupervisionTask.objects.filter(status=TaskStatus.OPEN).select_related("assignee", "required_by"),
            to_attr="open_tasks",
        ),
    ).order_by("-escalation_level", F("act_by").asc(nulls_last=True), "situation__priority", "created_at", "pk")


def inbox_counts(user: Any) -> dict[str, int]:
    """How many alerts each tab holds, in one query."""
    officer = officer_for_user(user)
    if not is_supervisor(officer):
        return dict.fromkeys(INBOX_TABS, 0)
    base = alerts_for_leader(user, "all").order_by()
    has_task = Exists(SupervisionTask.objects.filter(case=OuterRef("case"), status=TaskStatus.OPEN))
    pending = Q(status=FlagStatus.PENDING)
    return base.annotate(has_task=has_task).aggregate(
        pending=Count("pk", filter=pending & Q(case__closed_on__isnull=True)),
        escalated=Count("pk", filter=pending & Q(escalation_level__gte=1)),
        supervising=Count("pk", filter=Q(status=FlagStatus.CONFIRMED, case__closed_on__isnull=True)),
        tasks=Count("pk", filter=Q(has_task=True)),
    )


def flag_get_for_user(user: Any, public_id: Any) -> Flag:
    """A flag on a case the user may see (NotFound otherwise)."""
    flag = (
        Flag.objects.filter(public_id=public_id, case__in=cases_visible_to(user).values("pk"))
        .select_related("case", "situation")
        .first()
    )
    if flag is None:
        raise NotFound(_("No such alert."))
    return flag


def open_tasks(case: Case) -> list[SupervisionTask]:
    return list(
        SupervisionTask.objects.filter(case=case, status=TaskStatus.OPEN).select_related("required_by", "assignee")
    )


def case_referrals(case: Case) -> list[Referral]:
    return list(Referral.objects.filter(case=case).select_related("referred_by", "outcome_recorded_by"))
