"""Reads of assessments, scoped to the user: the officer their own; a division chief the assessments of the
department's officers (they propose them); the head of the organisation and the deputies those past proposal in
their organisation (needed for signature and for contests) and the counts of all (the distribution, without
names)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.models import Organisation
from accountability.selectors import officer_for_user
from assessment.models import Assessment, AssessmentConsequence, Grade, Status
from assessment.scoring import Period

OVERSIGHT = (RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT)
BIN_WIDTH = 10


def assessments_visible_to(user: Any) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("officer", "organisation", "department", "scheme")
    if getattr(user, "is_superuser", False):
        return assessments
    officer = officer_for_user(user)
    if officer is None:
        return assessments.none()
    scope = Q(officer=officer)
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id:
        scope |= Q(department_id=officer.department_id, organisation_id=officer.organisation_id)
    if officer.has_role(*OVERSIGHT):
        scope |= Q(organisation_id=officer.organisation_id) & ~Q(status=Status.COMPUTED)
        scope |= Q(organisation_id=officer.organisation_id, scheme__role="leader")  # the leaders they propose
    return assessments.filter(scope)


def assessment_get_for_user(user: Any, *, public_id: Any) -> Assessment:
    assessment = assessments_visible_to(user).filter(public_id=public_id).first()
    if assessment is None:
        raise NotFound(_("No such assessment."))
    return assessment


def awaiting(user: Any) -> dict[str, list[Assessment]]:
    """What waits for this user: proposals (chief: the department's; head or deputy: the leaders'), signatures,
    contests to decide. Three queries whatever the number."""
    officer = officer_for_user(user)
    if officer is None:
        return {"propose": [], "sign": [], "decide": []}
    visible = assessments_visible_to(user).exclude(officer=officer)
    over = visible.filter(window_to=F("period_end"))
    propose = over.filter(status=Status.COMPUTED)
    if not officer.has_role(*OVERSIGHT):
        propose = propose.filter(scheme__role="officer")
    return {
        "propose": list(propose.order_by("-period_start", "period_kind", "officer__officer_id")[:200]),
        "sign": list(visible.filter(status=Status.PROPOSED).order_by("-period_start", "officer__officer_id")[:200])
        if officer.has_role(RoleCode.PRESIDENT)
        else [],
        "decide": [
            a
            for a in visible.filter(status=Status.CONTESTED).order_by("-period_start", "officer__officer_id")[:200]
            if a.proposed_by_id != officer.pk
        ]
        if officer.has_role(*OVERSIGHT)
        else [],
    }


def organisation_for_distribution(user: Any) -> Organisation | None:
    """The organisation whose distribution this user may read (head, deputies, the case-management office)."""
    officer = officer_for_user(user)
    if officer is None or not officer.has_role(*OVERSIGHT, RoleCode.CASE_MANAGEMENT):
        return None
    return officer.organisation


def periods_of(organisation: Organisation) -> list[Period]:
    rows = (
        Assessment.objects.filter(organisation=organisation)
        .values_list("period_kind", "period_start", "period_end")
        .distinct()
        .order_by("-period_start", "period_kind")
    )
    return [Period(kind, start, end) for kind, start, end in rows]


def distribution(user: Any, organisation: Organisation, period: Period) -> dict[str, Any]:
    """Counts by score band and grade (no names), and the names only where the viewer must act (signature, a contest
    to decide). A constant number of queries."""
    assessments = Assessment.objects.filter(
        organisation=organisation, period_kind=period.kind, period_start=period.start
    )
    scores = list(assessments.values_list("score", flat=True))
    bins = Counter(min(int(score // BIN_WIDTH), 10) for score in scores)
    top = max(bins.values(), default=0)
    histogram = [
        {
            "low": b * BIN_WIDTH,
            "high": b * BIN_WIDTH + BIN_WIDTH - 1 if b < 10 else None,
            "count": bins.get(b, 0),
            "percent": round(100 * bins.get(b, 0) / top) if top else 0,
        }
        for b in range(11)
    ]
    grades = dict(assessments.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    statuses = dict(assessments.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    named = list(
        assessments_visible_to(user)
        .filter(organisation=organisation, period_kind=period.kind, period_start=period.start)
        .filter(status__in=[Status.PROPOSED, Status.CONTESTED])
        .order_by("officer__officer_id")
    )
    officer = officer_for_user(user)
    if officer is not None:
        named = [
            a
            for a in named
            if (a.status == Status.PROPOSED and officer.has_role(RoleCode.PRESIDENT))
            or (a.status == Status.CONTESTED and a.proposed_by_id != officer.pk and officer.has_role(*OVERSIGHT))
        ]
    return {
        "total": len(scores),
        "mean": (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01")) if scores else None,
        "histogram": histogram,
        "top": top or 1,
        "grades": [{"grade": g, "label": Grade(g).label, "count": grades.get(g, 0)} for g in Grade.values],
        "statuses": [{"status": s, "label": Status(s).label, "count": statuses.get(s, 0)} for s in Status.values],
        "named": named,
        "consequences": list(
            AssessmentConsequence.objects.filter(assessment__organisation=organisation)
            .select_related("officer", "assessment")
            .order_by("-year", "officer__officer_id")[:200]
        ),
    }
