"""Reads of cases and their trace: the one door that decides who sees which case.

* everyone sees the cases they take part in (lead, panel, assistant, clerk);
* a division chief sees their department's cases;
* presidents, vice presidents, the case-management office, evaluators, inspectors
  and administrators see their organisation's and its subordinates' cases;
* a superuser sees all. Anything else is "not found", exactly like a missing case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.selectors import officer_for_user
from cases.choices import OPEN_FLAG_STATUSES, FlagStatus, TaskStatus
from cases.expressions import DaysSince
from cases.models import Action, Case, CaseParticipant, Flag, SupervisionTask

ORGANISATION_WIDE_ROLES = (
    RoleCode.PRESIDENT,
    RoleCode.VICE_PRESIDENT,
    RoleCode.CASE_MANAGEMENT,
    RoleCode.EVALUATOR,
    RoleCode.INSPECTOR,
    RoleCode.ADMINISTRATOR,
)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    queryset = Case.objects.select_related("organisation", "department", "lead_officer")
    if getattr(user, "is_superuser", False):
        return queryset
    officer = officer_for_user(user)
    if officer is None:
        return queryset.none()
    takes_part = Exists(CaseParticipant.objects.filter(case=OuterRef("pk"), officer=officer))
    scope = Q(lead_officer=officer) | Q(takes_part)
    if officer.has_role(*ORGANISATION_WIDE_ROLES):
        scope |= Q(organisation__path__startswith=officer.organisation.path)
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id is not None:
        scope |= Q(department_id=officer.department_id)
    return queryset.filter(scope)


def case_get_for_user(user: Any, *, public_id: Any) -> Case:
    """One visible case with its participants, or NotFound (the same for missing and forbidden)."""
    case = (
        cases_visible_to(user)
        .prefetch_related(Prefetch("participants", queryset=CaseParticipant.objects.select_related("officer")))
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."))
    return case


def case_ref_for_user(user: Any, *, public_id: Any) -> Case:
    """Only the identity of a visible case (NotFound otherwise): for writes, whose service locks and
    reloads the case anyway."""
    case = cases_visible_to(user).select_related(None).only("pk", "public_id").filter(public_id=public_id).first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


def case_actions(case: Case) -> QuerySet[Action]:
    """The trace of a case the caller already may see (from ``case_get_for_user``), oldest first."""
    return (
        Action.objects.filter(case=case)
        .select_related("actor", "corrects")
        .prefetch_related("attachments")
        .order_by("seq")
    )


# --- case work: my cases ----------------------------------------------------------------------

MY_CASE_FILTERS = ("pending", "near_limit", "overdue", "four_category", "closed_month", "all")


def _flagged() -> Exists:
    return Exists(Flag.objects.filter(case=OuterRef("pk"), status__in=OPEN_FLAG_STATUSES))


def cases_of_officer(user: Any) -> QuerySet[Case]:
    """The cases I lead, sit on, assist or clerk (我的案件), with the time-limit figures annotated."""
    officer = officer_for_user(user)
    if officer is None:
        return Case.objects.none()
    takes_part = Exists(CaseParticipant.objects.filter(case=OuterRef("pk"), officer=officer))
    return with_time_limit(
        Case.objects.select_related("organisation", "department", "lead_officer").filter(
            Q(lead_officer=officer) | Q(takes_part)
        )
    )


def with_time_limit(queryset: QuerySet[Case], *, today: dt.date | None = None) -> QuerySet[Case]:
    """Annotate days used (counting excluded days out) and the limit in force (with approved extensions)."""
    today = today or timezone.localdate()
    return queryset.annotate(
        days_used=DaysSince("filed_on", today) - F("excluded_days"),
        limit_days=F("time_limit_days") + F("extension_days"),
    )


def my_cases_filter(queryset: QuerySet[Case], name: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    today = today or timezone.localdate()
    open_cases = queryset.filter(closed_on__isnull=True)
    if name == "pending":
        return open_cases
    if name == "near_limit":  # at least 80 % of the limit used, not yet over it
        return (
            open_cases.filter(limit_days__gt=0, days_used__lte=F("limit_days"))
            .annotate(used5=F("days_used") * 5, limit4=F("limit_days") * 4)
            .filter(used5__gte=F("limit4"))
        )
    if name == "overdue":
        return open_cases.filter(limit_days__gt=0, days_used__gt=F("limit_days"))
    if name == "closed_month":
        return queryset.filter(closed_on__gte=today.replace(day=1), closed_on__lte=today)
    if name == "four_category":
        return queryset.filter(_flagged())
    return queryset


def my_cases_counts(queryset: QuerySet[Case]) -> dict[str, int]:
    """How many cases each filter shows, in one query."""
    today = timezone.localdate()
    open_ = Q(closed_on__isnull=True)
    limited = open_ & Q(limit_days__gt=0)
    queryset = queryset.annotate(flagged=_flagged())
    return queryset.annotate(used5=F("days_used") * 5, limit4=F("limit_days") * 4).aggregate(
        pending=Count("pk", filter=open_),
        near_limit=Count("pk", filter=limited & Q(days_used__lte=F("limit_days")) & Q(used5__gte=F("limit4"))),
        overdue=Count("pk", filter=limited & Q(days_used__gt=F("limit_days"))),
        four_category=Count("pk", filter=Q(flagged=True)),
        closed_month=Count("pk", filter=Q(closed_on__gte=today.replace(day=1), closed_on__lte=today)),
        all=Count("pk"),
    )


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
    flags = Flag.objects.filter(scope).select_related("case__lead_officer", "case__organisation", "situation",
                                                      "raised_by", "decided_by")  # fmt: skip
    if tab == "escalated":
        flags = flags.filter(status=FlagStatus.PENDING, escalation_level__gte=1)
    elif tab == "supervising":
        flags = flags.filter(status=FlagStatus.CONFIRMED, case__closed_on__isnull=True)
    elif tab == "tasks":
        flags = flags.filter(Exists(SupervisionTask.objects.filter(case=OuterRef("case"), status=TaskStatus.OPEN)))
    elif tab == "pending":
        flags = flags.filter(status=FlagStatus.PENDING, case__closed_on__isnull=True)
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
    flag = Flag.objects.filter(public_id=public_id, case__in=cases_visible_to(user).values("pk")).select_related(
        "case", "situation").first()  # fmt: skip
    if flag is None:
        raise NotFound(_("No such alert."))
    return flag
