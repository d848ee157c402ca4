"""Drill-down: exactly the cases counted in a metric's numerator or denominator (INTERCHANGE.md's definitions,
as ORM filters over the scope's cases). The list's count equals the stored number (the tests compare them).

Metrics attributed to the original case (second-instance and retrial outcomes) filter on the original case's
subject. The case-proceeding ratio (its numerator counts actions too), the weighted and the amount-summing
metrics and the leaders' caseload ratio are not drillable as a list of cases that sums to the number; their
pages say so.

What is *listed* is only what the viewer may see (``cases.selectors.cases_visible_to``): a retrial metric of a
basic court counts the intermediate court's retrials of its cases, which its judges may not open; the page says
how many counted cases it leaves out instead of naming them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cases.expressions import DaysBetween
from cases.models import Case
from cases.selectors import cases_visible_to
from dashboards.selectors import Scope, Window

DRILLABLE = frozenset(
    {
        "filed_count",
        "closed_count",
        "pending_count",
        "clearance_ratio",
        "closure_rate",
        "within_limit_rate",
        "extension_rate",
        "pending_over_12m_ratio",
        "appeal_rate",
        "acceptance_rate",
        "appeal_amended_remanded_ratio",
        "retrial_amended_remanded_ratio",
        "avg_duration_days",
    }
)
ORIGINAL = frozenset({"appeal_amended_remanded_ratio", "retrial_amended_remanded_ratio"})


def _subject(scope: Scope, *, original: bool) -> Q:
    prefix = "original_case__" if original else ""
    if scope.level == "officer":
        return Q(**{f"{prefix}lead_officer": scope.officer})
    if scope.level == "department":
        return Q(**{f"{prefix}department": scope.department})
    return Q(**{f"{prefix}organisation": scope.organisation})


def _filed(w: Window) -> Q:
    return Q(filed_on__range=(w.start, w.end))


def _closed(w: Window) -> Q:
    return Q(closed_on__range=(w.start, w.end))


def _pending_at(day: Any) -> Q:
    return Q(filed_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def _appealed(w: Window) -> Exists:
    return Exists(Case.objects.filter(original_case=OuterRef("pk"), procedure="second_instance", filed_on__lte=w.end))


def parts(metric: str, w: Window) -> dict[str, Q]:
    """The numerator's and the denominator's case filters (a count has a numerator only)."""
    import datetime as dt

    closed, filed = _closed(w), _filed(w)
    judged = Q(procedure="first_instance", closing_method__in=["judgment", "ruling"]) & closed
    limited = closed & Q(time_limit_days__gt=0)
    within = Q(duration__lte=F("time_limit_days") + F("extension_days"))
    table: dict[str, dict[str, Q]] = {
        "filed_count": {"numerator": filed},
        "closed_count": {"numerator": closed},
        "pending_count": {"numerator": _pending_at(w.end)},
        "clearance_ratio": {"numerator": closed, "denominator": filed},
        "closure_rate": {"numerator": closed, "denominator": _pending_at(w.start - dt.timedelta(days=1)) | filed},
        "within_limit_rate": {"numerator": limited & within, "denominator": limited},
        "avg_duration_days": {"denominator": closed},
        "extension_rate": {"numerator": closed & Q(extension_days__gt=0), "denominator": closed},
        "pending_over_12m_ratio": {
            "numerator": _pending_at(w.end) & Q(filed_on__lt=w.end - dt.timedelta(days=365)),
            "denominator": _pending_at(w.end),
        },
        "appeal_rate": {"numerator": judged & Q(appealed=True), "denominator": judged},
        "acceptance_rate": {"numerator": judged & Q(appealed=False), "denominator": judged},
        "appeal_amended_remanded_ratio": {
            "numerator": Q(procedure="second_instance", outcome__in=["amended", "remanded"]) & closed,
            "denominator": Q(procedure="second_instance") & closed,
        },
        "retrial_amended_remanded_ratio": {
            "numerator": Q(procedure="retrial", outcome__in=["amended", "remanded"]) & closed,
            "denominator": Q(procedure="retrial") & closed,
        },
    }
    return table.get(metric, {})


def drill_cases(scope: Scope, window: Window, metric: str, part: str) -> QuerySet[Case] | None:
    """The cases behind one part of a metric, or None when it cannot be listed as cases."""
    if metric not in DRILLABLE:
        return None
    condition = parts(metric, window).get(part)
    if condition is None:
        return None
    cases = Case.objects.annotate(appealed=_appealed(window))
    if metric == "within_limit_rate":  # duration = (closed_on − filed_on) in days − excluded_days
        cases = cases.annotate(duration=DaysBetween("closed_on", "filed_on") - F("excluded_days"))
    return cases.filter(_subject(scope, original=metric in ORIGINAL)).filter(condition)


def drill_cases_visible_to(user: Any, scope: Scope, window: Window, metric: str, part: str) -> QuerySet[Case] | None:
    """The cases behind one part of a metric that ``user`` may see (the one door for case reads), or None."""
    cases = drill_cases(scope, window, metric, part)
    if cases is None:
        return None
    return cases.filter(pk__in=cases_visible_to(user).values("pk"))
