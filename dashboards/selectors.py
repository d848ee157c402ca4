"""What a dashboard may show, and to whom (one door for reads).

A dashboard shows one *scope* (an organisation, a department or an officer) over one *window* of the stored
metric results. Who may open which scope follows ``evaluation.selectors.metric_results_visible_to``: leaders,
the case-management office, evaluators and inspectors their organisation and those below; a division chief
their department; everyone themselves. A scope one may not see is 404, like one that does not exist.

Pages read stored results only, never recompute, in a constant number of queries whatever the data size.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound, ValidationFailed
from accountability.models import Department, Officer, Organisation
from accountability.selectors import officer_for_user
from discipline.choices import Stage
from discipline.selectors import proceedings_visible_to
from evaluation.metrics import METRIC_KINDS, metrics_shown
from evaluation.models import ConsequenceRecord, MetricRange, MetricResult, PointEntry, Review
from interference.selectors import quarter_of, report_departments_visible_to, reports_status
from supervision.choices import FlagStatus
from supervision.models import Flag

#: Roles that read their organisation and those below (as metric_results_visible_to).
OVERSIGHT = (
    RoleCode.PRESIDENT,
    RoleCode.VICE_PRESIDENT,
    RoleCode.CASE_MANAGEMENT,
    RoleCode.EVALUATOR,
    RoleCode.INSPECTOR,
)
#: The numbers a court is judged on, shown first as cards (结案率, 法定审限内结案率, 改判发回率, 平均审理天数, 案件比).
HEADLINE = (
    "closure_rate",
    "within_limit_rate",
    "appeal_amended_remanded_ratio",
    "avg_duration_days",
    "case_proceeding_ratio",
)
BINS = 10


@dataclass(frozen=True)
class Scope:
    level: str  # organisation, department, officer
    subject: str  # as MetricResult.subject: an organisation code, ORG/DEPT, an officer number
    organisation: Organisation
    label: str
    department: Department | None = None
    officer: Officer | None = None

    @property
    def key(self) -> str:
        return f"{self.level}:{self.subject}"


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def scopes_for(user: Any) -> list[Scope]:
    """Every scope the user may open, broadest first."""
    officer = officer_for_user(user)
    if officer is None:
        return []
    scopes: list[Scope] = []
    if officer.has_role(*OVERSIGHT):
        organisations = Organisation.objects.filter(path__startswith=officer.organisation.path).order_by("path")
        scopes += [Scope("organisation", o.code, o, o.name) for o in organisations]
        scopes += [
            Scope(
                "department",
                f"{officer.organisation.code}/{d.code}",
                officer.organisation,
                f"{officer.organisation.name} {d.name}",
                department=d,
            )
            for d in officer.organisation.departments.order_by("code")
        ]
    elif officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id:
        d = officer.department
        scopes.append(
            Scope(
                "department",
                f"{officer.organisation.code}/{d.code}",
                officer.organisation,
                f"{officer.organisation.name} {d.name}",
                department=d,
            )
        )
    scopes.append(Scope("officer", officer.officer_id, officer.organisation, officer.name, officer=officer))
    return scopes


def scope_get(user: Any, key: str | None) -> Scope:
    """The scope named ``level:subject`` (default: the broadest), or NotFound when the user may not see it."""
    scopes = scopes_for(user)
    if not scopes:
        raise NotFound(_("No dashboard."))
    if not key:
        return scopes[0]
    for scope in scopes:
        if scope.key == key:
            return scope
    raise NotFound(_("No such scope."))


def windows_of(scope: Scope) -> list[Window]:
    """The windows stored for the scope, newest end first, longest first."""
    rows = (
        MetricResult.objects.filter(level=scope.level, subject=scope.subject)
        .values_list("window_from", "window_to")
        .distinct()
        .order_by("-window_to", "window_from")
    )
    return [Window(start, end) for start, end in rows]


def window_parse(text: str | None, available: list[Window]) -> Window | None:
    """``YYYY-MM-DD_YYYY-MM-DD``, one of the stored windows; none given: the last 12 months (or the newest)."""
    if not text:
        twelve = [w for w in available if (w.end - w.start).days >= 364]
        return (twelve or available or [None])[0]
    try:
        start, end = (dt.date.fromisoformat(part) for part in text.split("_"))
    except ValueError as exc:
        raise ValidationFailed(
            _("The window must be written as YYYY-MM-DD_YYYY-MM-DD."),
            details={"window": [_("The window must be written as YYYY-MM-DD_YYYY-MM-DD.")]},
        ) from exc
    window = Window(start, end)
    if window not in available:
        message = _("No results are stored for %(start)s to %(end)s; choose one of the listed windows.") % {
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        raise ValidationFailed(message, details={"window": [message]})
    return window


def _band_for(ranges: list[MetricRange], metric: str, post: str, level: str, kind: str = "") -> MetricRange | None:
    """The most specific reference range: one of the organisation's kind before any kind, then metric+post+level,
    metric+post, metric+level, metric."""
    best, best_score = None, -1
    for r in ranges:
        if (
            r.metric != metric
            or (r.post and r.post != post)
            or (r.organisation_level and r.organisation_level != level)
            or (r.organisation_kind and r.organisation_kind != kind)
        ):
            continue
        score = (4 if r.organisation_kind else 0) + (2 if r.post else 0) + (1 if r.organisation_level else 0)
        if score > best_score:
            best, best_score = r, score
    return best


def _status(value: Decimal | None, band: MetricRange | None) -> str:
    if value is None or band is None or (band.low is None and band.high is None):
        return "none"
    if band.low is not None and value < band.low:
        return "below"
    if band.high is not None and value > band.high:
        return "above"
    return "within"


def _months_back(day: dt.date, months: int, *, month_end: bool) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if month_end else min(day.day, last))


def shifted(window: Window, *, months: int) -> Window:
    """The same window ``months`` earlier (a window ending on a month's last day ends on the earlier month's)."""
    ends_month = window.end.day == calendar.monthrange(window.end.year, window.end.month)[1]
    return Window(
        _months_back(window.start, months, month_end=False),
        _months_back(window.end, months, month_end=ends_month),
    )


def calendar_months(end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The ``count`` calendar months ending with the month of ``end`` (whole months only)."""
    months, year, month = [], end.year, end.month
    for _i in range(count):
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        months.append((first, following - dt.timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _stamp(scope: Scope, window: Window) -> str:
    """When results for this window, or for the windows it is compared with (a year and a month earlier), last
    landed, and when the reference ranges last changed: the cache key changes with either."""
    windows = Q()
    for w in (window, shifted(window, months=12), shifted(window, months=1)):
        windows |= Q(window_from=w.start, window_to=w.end)
    last = MetricResult.objects.filter(windows, organisation=scope.organisation).aggregate(at=Max("computed_at"))["at"]
    # a reference range changed, added or removed in the admin recolours the page at once
    ranges = MetricRange.objects.aggregate(at=Max("updated_at"), n=Count("pk"))
    return f"{last.isoformat() if last else '-'}:{ranges['n']}:{ranges['at'].isoformat() if ranges['at'] else '-'}"


def metric_panel(scope: Scope, window: Window) -> dict[str, Any]:
    """Each metric of the scope in the window: value against its band, the 12-month trend, and (for an
    organisation or a department) the distribution over its officers. Cached per scope and window until new
    results land. Queries: 2 (stamp) on a hit, 7 on a miss, whatever the data size."""
    key = f"dash:v3:{scope.key}:{window.key}:{_stamp(scope, window)}"
    panel = cache.get(key)
    if panel is None:
        panel = _build_panel(scope, window)
        cache.set(key, panel, 60 * 60 * 24)
    return panel


def _build_panel(scope: Scope, window: Window) -> dict[str, Any]:
    results = {
        r.metric: r
        for r in MetricResult.objects.filter(
            level=scope.level, subject=scope.subject, window_from=window.start, window_to=window.end
        )
    }
    months = calendar_months(window.end, 12)
    trend_rows = MetricResult.objects.filter(
        level=scope.level,
        subject=scope.subject,
        window_from__in=[m[0] for m in months],
        window_to__in=[m[1] for m in months],
    ).values_list("metric", "window_from", "window_to", "value")
    trends: dict[str, dict[dt.date, Decimal | None]] = defaultdict(dict)
    wanted = set(months)
    for metric, start, end, value in trend_rows:
        if (start, end) in wanted:
            trends[metric][start] = value
    distribution: dict[str, list[Decimal]] = defaultdict(list)
    if scope.level != "officer":
        officers = Officer.objects.filter(organisation=scope.organisation)
        if scope.department is not None:
            officers = officers.filter(department=scope.department)
        for metric, value in MetricResult.objects.filter(
            level="officer",
            window_from=window.start,
            window_to=window.end,
            subject__in=officers.values("officer_id"),
            value__isnull=False,
        ).values_list("metric", "value"):
            distribution[metric].append(value)
    # the same window a year and a month earlier, when stored (one query; "—" on the page otherwise)
    year_ago, month_ago = shifted(window, months=12), shifted(window, months=1)
    earlier: dict[Window, dict[str, Decimal | None]] = {year_ago: {}, month_ago: {}}
    for metric, start, end, value in MetricResult.objects.filter(
        level=scope.level,
        subject=scope.subject,
        window_from__in=[year_ago.start, month_ago.start],
        window_to__in=[year_ago.end, month_ago.end],
    ).values_list("metric", "window_from", "window_to", "value"):
        if Window(start, end) in earlier:
            earlier[Window(start, end)][metric] = value
    ranges = list(MetricRange.objects.all())
    post = scope.officer.post if scope.officer else ""
    rows = []
    for metric in metrics_shown(scope.organisation.kind):  # a court's, or a procuratorate's own
        result = results.get(metric)
        band = _band_for(ranges, metric, post, scope.organisation.level, scope.organisation.kind)
        value = result.value if result else None
        rows.append(
            {
                "metric": metric,
                "numerator": result.numerator if result else None,
                "denominator": result.denominator if result else None,
                "value": value,
                "kind": METRIC_KINDS[metric],
                "rate": METRIC_KINDS[metric] == "rate",
                "low": band.low if band else None,
                "high": band.high if band else None,
                "range_note": band.note if band else "",
                "status": _status(value, band),
                "trend": [{"month": m[0].strftime("%Y-%m"), "value": trends[metric].get(m[0])} for m in months],
                "histogram": _histogram(distribution.get(metric, []), METRIC_KINDS[metric]),
                "last_year": earlier[year_ago].get(metric),
                "last_month": earlier[month_ago].get(metric),
                "officers": len(distribution.get(metric, [])),
            }
        )
    return {"rows": rows, "months": [m[0].strftime("%Y-%m") for m in months]}


def _nice_step(span: Decimal, kind: str) -> Decimal:
    """A round band width (1, 2, 2.5 or 5 times a power of ten) giving about ``BINS`` bands over ``span``; whole
    numbers for counts and days, whole percentage points for rates."""
    floor = Decimal(1) if kind in ("count", "days") else Decimal("0.01")
    magnitude = floor
    while True:
        for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            if factor == Decimal("2.5") and magnitude == floor:
                continue  # 2.5 cases or 2.5 points is not a round band
            if magnitude * factor * BINS >= span:
                return magnitude * factor
        magnitude *= 10


def _histogram(values: list[Decimal], kind: str = "ratio") -> list[dict[str, Any]]:
    """How many officers fall in each band of a round width (at most ``BINS`` bands from the lowest to the highest
    value, each including its lower end): a shape, never a ranking (no names)."""
    if not values:
        return []
    low, high = min(values), max(values)
    step = _nice_step(high - low, kind)
    start = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    count = int(((high - start) / step).to_integral_value(rounding=ROUND_FLOOR)) + 1
    counts = [0] * count
    for v in values:
        counts[min(int((v - start) / step), count - 1)] += 1
    return [{"from": start + step * i, "to": start + step * (i + 1), "count": c} for i, c in enumerate(counts)]


def alerts_panel(scope: Scope) -> dict[str, Any]:
    """Four-category flags and risk alerts on the scope's cases: by category and situation, open and escalated."""
    flags = Flag.objects.filter(status__in=(FlagStatus.PENDING, FlagStatus.CONFIRMED))
    if scope.level in ("officer", "department"):
        flags = _cases_in_scope(flags, scope, prefix="case__")
    else:  # the flag keeps its case's organisation: one range of the open flags' index, not a visit per case
        flags = flags.filter(organisation=scope.organisation)
    rows = list(
        flags.values("situation__family", "situation__category", "situation__code", "situation__title")
        .annotate(
            open=Count("pk"),
            escalated=Count("pk", filter=Q(escalation_level__gt=0)),
            pending=Count("pk", filter=Q(status=FlagStatus.PENDING)),
        )
        .order_by("situation__family", "situation__category", "situation__code")
    )
    return {"rows": rows, "open": sum(r["open"] for r in rows), "escalated": sum(r["escalated"] for r in rows)}


def quality_panel(scope: Scope, window: Window) -> dict[str, Any]:
    """Review grades of cases closed in the window, and defect points and consequences of the year."""
    reviews = _cases_in_scope(
        Review.objects.filter(case__closed_on__range=(window.start, window.end)), scope, prefix="case__"
    )
    grades = dict(reviews.exclude(grade="").values_list("grade").annotate(n=Count("pk")).order_by())
    points = PointEntry.objects.filter(year=window.end.year)
    consequences = ConsequenceRecord.objects.filter(year=window.end.year)
    if scope.level == "officer":
        points, consequences = points.filter(officer=scope.officer), consequences.filter(officer=scope.officer)
    elif scope.level == "department":
        points = points.filter(officer__department=scope.department)
        consequences = consequences.filter(officer__department=scope.department)
    else:
        points = points.filter(officer__organisation=scope.organisation)
        consequences = consequences.filter(officer__organisation=scope.organisation)
    return {
        "grades": grades,
        "points": points.aggregate(total=Sum("points"))["total"] or Decimal(0),
        "consequences": dict(consequences.values_list("consequence").annotate(n=Count("pk")).order_by()),
    }


def _cases_in_scope(queryset: Any, scope: Scope, *, prefix: str = "") -> Any:
    if scope.level == "officer":
        return queryset.filter(**{f"{prefix}lead_officer": scope.officer})
    if scope.level == "department":
        return queryset.filter(**{f"{prefix}department": scope.department})
    return queryset.filter(**{f"{prefix}organisation": scope.organisation})


def interference_panel(user: Any, scope: Scope) -> list[Any]:
    """Last quarter's interference reports of the scope's departments the user may see (filed, nil, due, missing)."""
    if scope.level == "officer":
        return []
    officer = officer_for_user(user)
    departments = report_departments_visible_to(officer).filter(organisation=scope.organisation)
    if scope.department is not None:
        departments = departments.filter(pk=scope.department.pk)
    year, quarter = quarter_of(dt.date.today())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return reports_status(departments=departments, year=year, quarter=quarter, viewer=officer)


def discipline_panel(user: Any) -> dict[str, Any]:
    """The proceedings the user handles or that concern them (object permissions): by stage, and the deadlines."""
    visible = proceedings_visible_to(user)
    by_stage = dict(visible.values_list("stage").annotate(n=Count("pk")).order_by())
    today = dt.date.today()
    upcoming = list(visible.exclude(stage=Stage.CLOSED).filter(due_on__isnull=False).order_by("due_on")[:10])
    return {
        "stages": [(label, by_stage.get(value, 0)) for value, label in Stage.choices if by_stage.get(value)],
        "overdue": visible.exclude(stage=Stage.CLOSED).filter(due_on__lt=today).count(),
        "upcoming": upcoming,
        "today": today,
    }
