"""Reads of cases and their trace: the one door that decides who sees which case.

* everyone sees the cases they take part in (lead, panel, assistant, clerk);
* a division chief sees their department's cases;
* presidents, vice presidents, the case-management office, evaluators, inspectors
  and administrators see their organisation's and its subordinates' cases;
* the filing office (立案庭) sees its own court's register, the cases it files;
* a superuser sees all. Anything else is "not found", exactly like a missing case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.selectors import officer_for_user
from cases.expressions import DaysSince
from cases.models import Action, Case, CaseParticipant

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
    if officer.has_role(RoleCode.FILING_OFFICER):
        scope |= Q(organisation_id=officer.organisation_id)
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


@dataclass(frozen=True)
class CaseFilter:
    """A tab of 我的案件: a condition over cases annotated by ``with_time_limit`` (``today`` given)."""

    key: str
    label: Any
    order: int
    condition: Callable[[dt.date], Q]
    #: the label's message, for the words of another kind of organisation (``page_word``); empty: the label as is
    word: str = ""


_FILTERS: dict[str, CaseFilter] = {}


def case_filter_register(case_filter: CaseFilter) -> None:
    """Add a tab to 我的案件 (the apps that watch cases register theirs in ``AppConfig.ready``)."""
    _FILTERS[case_filter.key] = case_filter


def my_case_filters() -> list[CaseFilter]:
    return sorted(_FILTERS.values(), key=lambda f: f.order)


_OPEN = Q(closed_on__isnull=True)
_LIMITED = _OPEN & Q(limit_days__gt=0)
for _filter in (
    CaseFilter("pending", _lazy("Pending"), 10, lambda today: _OPEN),
    # at least 80 % of the limit used, not yet over it
    CaseFilter(
        "near_limit",
        _lazy("Time limit ≥ 80 percent used"),
        20,
        lambda today: _LIMITED & Q(days_used__lte=F("limit_days"), used5__gte=F("limit4")),
        word="Time limit ≥ 80 percent used",
    ),
    CaseFilter(
        "overdue", _lazy("Overdue"), 30, lambda today: _LIMITED & Q(days_used__gt=F("limit_days")), word="Overdue"
    ),
    CaseFilter(
        "closed_month",
        _lazy("Closed this month"),
        50,
        lambda today: Q(closed_on__gte=today.replace(day=1), closed_on__lte=today),
    ),
    CaseFilter("all", _lazy("All"), 90, lambda today: Q()),
):
    case_filter_register(_filter)


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
        used5=F("days_used") * 5,
        limit4=F("limit_days") * 4,
    )


def my_cases_filter(queryset: QuerySet[Case], name: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    return queryset.filter(_FILTERS[name].condition(today or timezone.localdate()))


def my_cases_counts(queryset: QuerySet[Case]) -> dict[str, int]:
    """How many cases each filter shows, in one query."""
    today = timezone.localdate()
    return queryset.aggregate(**{f.key: Count("pk", filter=f.condition(today)) for f in my_case_filters()})
