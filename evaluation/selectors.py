"""Reads of evaluation data, scoped to the user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accountability.choices import ActionType, RoleCode
from accountability.errors import NotFound
from accountability.models import Officer, Organisation
from accountability.powers import power_decide
from accountability.selectors import officer_for_user, officers_visible_to, organisations_visible_to
from evaluation.metrics import metrics_shown
from evaluation.models import ConsequenceRecord, DefectItem, MetricResult, MetricRun, PointEntry, Review


def organisations_recomputable_by(user: Any) -> QuerySet[Organisation]:
    """The visible organisations whose metrics this user may recompute (as the power list says)."""
    officer = officer_for_user(user)
    if officer is None:
        return Organisation.objects.none()
    allowed = [
        org.pk
        for org in organisations_visible_to(user)
        if power_decide(officer=officer, action_type=ActionType.METRICS_RECOMPUTED, organisation=org).allowed
    ]
    return Organisation.objects.filter(pk__in=allowed)


def review_planning_court(user: Any) -> Organisation | None:
    """The organisation whose reviews this user may plan (their own, as the power list says), else None."""
    officer = officer_for_user(user)
    if officer is None:
        return None
    organisation = officer.organisation
    allowed = power_decide(officer=officer, action_type=ActionType.REVIEW_PLANNED, organisation=organisation).allowed
    return organisation if allowed else None


def evaluators_of(organisation: Organisation) -> QuerySet[Officer]:
    return Officer.objects.filter(roles=RoleCode.EVALUATOR, organisation=organisation).order_by("officer_id")


def metric_run_get_for_user(user: Any, *, run_id: int) -> MetricRun:
    """A run its requester (or a superuser) may follow; anything else is not found."""
    runs = MetricRun.objects.all()
    if not getattr(user, "is_superuser", False):
        officer = officer_for_user(user)
        runs = runs.filter(requested_by=officer) if officer else runs.none()
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No such run."))
    return run


# --- reviews and performance -------------------------------------------------------------------

REVIEW_OVERSIGHT_ROLES = (
    RoleCode.PRESIDENT,
    RoleCode.VICE_PRESIDENT,
    RoleCode.CASE_MANAGEMENT,
    RoleCode.INSPECTOR,
    RoleCode.ADMINISTRATOR,
)


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    """Evaluators see their assignments, officers the reviews of their cases, the case-management office
    and leaders those in their scope (a division chief: the department)."""
    reviews = Review.objects.select_related("case", "officer", "evaluator", "case__organisation")
    if getattr(user, "is_superuser", False):
        return reviews
    officer = officer_for_user(user)
    if officer is None:
        return reviews.none()
    scope = Q(evaluator=officer) | Q(officer=officer)
    if officer.has_role(*REVIEW_OVERSIGHT_ROLES):
        scope |= Q(case__organisation__path__startswith=officer.organisation.path)
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id:
        scope |= Q(case__department_id=officer.department_id)
    return reviews.filter(scope)


def review_get_for_user(user: Any, *, public_id: Any) -> Review:
    review = reviews_visible_to(user).prefetch_related("defects__item").filter(public_id=public_id).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def defect_catalogue_for(case_type: str, organisation_kind: str | None = None) -> list[DefectItem]:
    """The active defect items a review of a case of this type may list (a civil case has no sentencing), at an
    organisation of this kind (a procuratorate's case has the prosecutors' catalogue)."""
    return [
        item
        for item in DefectItem.objects.filter(is_active=True).order_by("code")
        if item.applies_to(case_type, organisation_kind)
    ]


def officer_for_performance(user: Any, *, public_id: Any) -> Officer:
    """An officer whose performance file the user may read: their own, or one in their oversight scope."""
    me = officer_for_user(user)
    candidates = officers_visible_to(user)
    if not getattr(user, "is_superuser", False):
        if me is None:
            raise NotFound(_("No such officer."))
        if me.has_role(*REVIEW_OVERSIGHT_ROLES, RoleCode.EVALUATOR):
            pass  # the organisation subtree, as officers_visible_to already limits
        elif me.has_role(RoleCode.DIVISION_CHIEF) and me.department_id:
            candidates = candidates.filter(Q(department_id=me.department_id) | Q(pk=me.pk))
        else:
            candidates = candidates.filter(pk=me.pk)
    officer = candidates.filter(public_id=public_id).first()
    if officer is None:
        raise NotFound(_("No such officer."))
    return officer


def performance_file(officer: Officer, *, year: int) -> dict[str, Any]:
    """业绩档案: an officer's year in data — metrics stored for windows within the year, reviews, points,
    consequences. Reads stored results only; a constant number of queries."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    metrics = (
        MetricResult.objects.filter(
            level="officer", subject=officer.officer_id, window_from__gte=start, window_to__lte=end
        )
        .filter(metric__in=metrics_shown(officer.organisation.kind))  # a court's only metrics mean nothing elsewhere
        .order_by("window_from", "window_to", "metric")
        .values("window_from", "window_to", "metric", "numerator", "denominator", "value")
    )
    reviews = (
        Review.objects.filter(officer=officer)
        .filter(Q(finalised_at__year=year) | Q(finalised_at__isnull=True, created_at__year=year))
        .select_related("case")
        .annotate(points=Sum("defects__points"))
        .order_by("created_at")
    )
    entries = PointEntry.objects.filter(officer=officer, year=year).select_related("case").order_by("created_at")
    consequences = ConsequenceRecord.objects.filter(officer=officer, year=year).order_by("created_at")
    entry_list = list(entries)
    return {
        "officer_id": officer.officer_id,
        "name": officer.name,
        "organisation": officer.organisation.code,
        "year": year,
        "metrics": list(metrics),
        "reviews": [
            {
                "id": r.public_id,
                "case_number": r.case.case_number,
                "status": r.status,
                "grade": r.grade,
                "defect_points": r.points or Decimal(0),
                "finalised_at": r.finalised_at,
            }
            for r in reviews
        ],
        "points": {
            "total": sum((e.points for e in entry_list), Decimal(0)),
            "entries": [
                {"case_number": e.case.case_number, "points": e.points, "reason": e.reason, "at": e.created_at}
                for e in entry_list
            ],
        },
        "consequences": [
            {"consequence": c.consequence, "points": c.points, "at": c.created_at, "lead": c.lead_id}
            for c in consequences
        ],
    }


def metric_results_visible_to(user: Any) -> QuerySet[MetricResult]:
    """Stored results a user may read: leaders, the case-management office, evaluators and inspectors
    their organisation subtree; a division chief their department and its officers; anyone their own."""
    results = MetricResult.objects.all()
    if getattr(user, "is_superuser", False):
        return results
    officer = officer_for_user(user)
    if officer is None:
        return results.none()
    own = Q(level="officer", subject=officer.officer_id)
    if officer.has_role(*REVIEW_OVERSIGHT_ROLES, RoleCode.EVALUATOR):
        return results.filter(own | Q(organisation__path__startswith=officer.organisation.path))
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id:
        department = f"{officer.organisation.code}/{officer.department.code}"
        colleagues = Officer.objects.filter(department_id=officer.department_id).values("officer_id")
        return results.filter(
            own | Q(level="department", subject=department) | Q(level="officer", subject__in=colleagues)
        )
    return results.filter(own)
