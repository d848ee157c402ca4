"""Reads of cases and their trace: the one door that decides who sees which case.

* everyone sees the cases they take part in (lead, panel, assistant, clerk);
* a division chief sees their department's cases;
* presidents, vice presidents, the case-management office, evaluators, inspectors
  and administrators see their organisation's and its subordinates' cases;
* a superuser sees all. Anything else is "not found", exactly like a missing case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.selectors import officer_for_user
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


def case_actions(case: Case) -> QuerySet[Action]:
    """The trace of a case the caller already may see (from ``case_get_for_user``), oldest first."""
    return Action.objects.filter(case=case).select_related("actor", "corrects").order_by("seq")
