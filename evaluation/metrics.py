"""The metrics of INTERCHANGE.md, computed set-wise in SQL (GROUP BY subject), exactly as defined there.

Four statements per level and window compute everything:

* ``_OWN``: every metric attributed to the case's own subject (counts, rates, durations, appeals,
  enforcement, weighted workload), one pass with conditional sums;
* ``_ORIGINAL``: second-instance and retrial outcomes attributed to the original case's subject;
* ``_ROOT``: the case-proceeding ratio (案件比), attributed to the root of each case's chain of
  originals, walking up only from the cases and actions in the window (a recursive CTE);
* leader caseload (院庭长办案比): closed counts per officer, compared in Python over officers (a few
  thousand rows), never over cases.

Each statement may be limited to the subjects of one organisation, so the nightly job fans out per
organisation and each task writes only its own rows. The same SQL runs on SQLite and PostgreSQL;
only the day difference of two dates differs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import Post

LEVELS = ("officer", "department", "organisation")

COUNT_METRICS = ("filed_count", "closed_count", "pending_count")
METRICS = (
    "filed_count",
    "closed_count",
    "pending_count",
    "clearance_ratio",
    "closure_rate",
    "within_limit_rate",
    "avg_duration_days",
    "extension_rate",
    "pending_over_12m_ratio",
    "appeal_rate",
    "acceptance_rate",
    "appeal_amended_remanded_ratio",
    "retrial_amended_remanded_ratio",
    "enforcement_recovery_rate",
    "case_proceeding_ratio",
    "weighted_closed",
    "leader_caseload_ratio",
)
#: What each metric is called on the pages (INTERCHANGE.md's 中文 names in the zh-hans catalogue).
METRIC_LABELS = {
    "filed_count": _("Cases filed"),
    "closed_count": _("Cases closed"),
    "pending_count": _("Cases pending"),
    "clearance_ratio": _("Clearance ratio (closed to filed)"),
    "closure_rate": _("Closure rate"),
    "within_limit_rate": _("Closed within the time limit"),
    "avg_duration_days": _("Average duration (days)"),
    "extension_rate": _("Extension rate"),
    "pending_over_12m_ratio": _("Pending over 12 months"),
    "appeal_rate": _("Appeal rate"),
    "acceptance_rate": _("First-instance acceptance rate"),
    "appeal_amended_remanded_ratio": _("Amended or remanded on appeal"),
    "retrial_amended_remanded_ratio": _("Amended or remanded on retrial"),
    "enforcement_recovery_rate": _("Enforcement recovery rate"),
    "case_proceeding_ratio": _("Case-proceeding ratio"),
    "weighted_closed": _("Weighted cases closed"),
    "leader_caseload_ratio": _("Leader caseload ratio"),
}
#: How each metric's value reads: ``count`` (whole cases), ``rate`` (a share, shown as a percentage), ``days``,
#: ``ratio`` (one number against another, e.g. 1 : 1.25) or ``weight`` (weighted cases, one decimal).
METRIC_KINDS = {
    "filed_count": "count",
    "closed_count": "count",
    "pending_count": "count",
    "clearance_ratio": "ratio",
    "closure_rate": "rate",
    "within_limit_rate": "rate",
    "avg_duration_days": "days",
    "extension_rate": "rate",
    "pending_over_12m_ratio": "rate",
    "appeal_rate": "rate",
    "acceptance_rate": "rate",
    "appeal_amended_remanded_ratio": "rate",
    "retrial_amended_remanded_ratio": "rate",
    "enforcement_recovery_rate": "rate",
    "case_proceeding_ratio": "ratio",
    "weighted_closed": "weight",
    "leader_caseload_ratio": "rate",
}
#: The metrics of a court that mean nothing at a procuratorate (上诉率, 服判息诉率, 改判发回率, 执行到位率, 审限内结案率,
#: 延长审限率, 院庭长办案比): not shown for a procuratorate (``metrics_shown``).
COURT_ONLY_METRICS = frozenset(
    {
        "within_limit_rate",
        "extension_rate",
        "appeal_rate",
        "acceptance_rate",
        "appeal_amended_remanded_ratio",
        "retrial_amended_remanded_ratio",
        "enforcement_recovery_rate",
        "leader_caseload_ratio",
    }
)
#: Metrics that sum money (two decimals) or weights (four), not counts.
_PLACES = {"enforcement_recovery_rate": Decimal("0.01"), "weighted_closed": Decimal("0.0001")}
VALUE_PLACES = Decimal("0.0000000001")


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Row:
    window: Window
    level: str
    subject: str
    metric: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    organisation_id: int


# --- SQL -------------------------------------------------------------------------------------

# Subject of a case at each level, with the organisation it belongs to (for the fan-out filter).
# {c} is the alias of the case whose subject is meant.
_SUBJECT = {
    "officer": (
        "{c}_o.officer_id",
        "{c}_o.organisation_id",
        "JOIN accountability_officer {c}_o ON {c}_o.id = {c}.lead_officer_id",
    ),
    "department": (
        "{c}_g.code || '/' || {c}_d.code",
        "{c}_d.organisation_id",
        "JOIN accountability_department {c}_d ON {c}_d.id = {c}.department_id "
        "JOIN accountability_organisation {c}_g ON {c}_g.id = {c}.organisation_id",
    ),
    "organisation": (
        "{c}_g.code",
        "{c}_g.id",
        "JOIN accountability_organisation {c}_g ON {c}_g.id = {c}.organisation_id",
    ),
}


# The fan-out filter "this subject belongs to organisation X", written on the case's own indexed column
# so that PostgreSQL reads only that organisation's cases (by lead, department or organisation index).
_SUBJECT_FILTER = {
    "officer": "{c}.lead_officer_id IN (SELECT id FROM accountability_officer WHERE organisation_id = %(org)s)",
    "department": "{c}.department_id IN (SELECT id FROM accountability_department WHERE organisation_id = %(org)s)",
    "organisation": "{c}.organisation_id = %(org)s",
}


def _subject(level: str, alias: str) -> tuple[str, str, str]:
    expr, org, joins = _SUBJECT[level]
    return expr.format(c=alias), org.format(c=alias), joins.format(c=alias)


def _subject_filter(level: str, alias: str) -> str:
    return _SUBJECT_FILTER[level].format(c=alias)


def _days(end: str, start: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


_WEIGHT = """COALESCE((
    SELECT w.weight FROM evaluation_weightrule w
    WHERE w.case_type = c.case_type AND (w.procedure = c.procedure OR w.procedure = '')
      AND (w.cause = c.cause OR w.cause = '')
    ORDER BY CASE WHEN w.procedure <> '' AND w.cause <> '' THEN 3 WHEN w.procedure <> '' THEN 2
                  WHEN w.cause <> '' THEN 1 ELSE 0 END DESC
    LIMIT 1), 1)"""


def _own_columns(i: int) -> str:
    """The sums of one window (suffix ``_i`` on its parameters), in the order ``_own_rows`` reads them."""
    start, end, old = f"%(start_{i})s", f"%(end_{i})s", f"%(old_{i})s"
    closed = f"c.closed_on >= {start} AND c.closed_on <= {end}"
    duration = f"({_days('c.closed_on', 'c.filed_on')} - c.excluded_days)"
    pending_end = f"c.filed_on <= {end} AND (c.closed_on IS NULL OR c.closed_on > {end})"
    appealable = f"{closed} AND c.procedure = 'first_instance' AND c.closing_method IN ('judgment', 'ruling')"
    enforcement = f"{closed} AND c.procedure = 'enforcement'"
    return f"""
  SUM(CASE WHEN c.filed_on >= {start} AND c.filed_on <= {end} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {closed} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {pending_end} THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.filed_on < {start} AND (c.closed_on IS NULL OR c.closed_on >= {start}) THEN 1 ELSE 0 END),
  SUM(CASE WHEN {closed} AND c.time_limit_days > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN {closed} AND c.time_limit_days > 0
           AND {duration} <= c.time_limit_days + c.extension_days THEN 1 ELSE 0 END),
  SUM(CASE WHEN {closed} THEN {duration} ELSE 0 END),
  SUM(CASE WHEN {closed} AND c.extension_days > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN {pending_end} AND c.filed_on < {old} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {appealable} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {appealable} AND EXISTS (
        SELECT 1 FROM cases_case a WHERE a.original_case_id = c.id AND a.procedure = 'second_instance'
        AND a.filed_on <= {end}) THEN 1 ELSE 0 END),
  SUM(CASE WHEN {enforcement} THEN COALESCE(c.recovered_amount, 0) ELSE 0 END),
  SUM(CASE WHEN {enforcement} THEN COALESCE(c.awarded_amount, 0) ELSE 0 END),
  SUM(CASE WHEN {closed} THEN {_WEIGHT} ELSE 0 END)"""


_OWN_WIDTH = 14  # sums per window in _own_columns


def _own_sql(level: str, org_filter: bool, windows: int) -> str:
    """Every own-attribution metric of every window in one pass over the cases."""
    subject, org, joins = _subject(level, "c")
    where = f"WHERE {_subject_filter(level, 'c')}" if org_filter else ""
    columns = ",".join(_own_columns(i) for i in range(windows))
    return f"""
SELECT {subject} AS subject, MIN({org}) AS org_id,{columns}
FROM cases_case c {joins}
{where}
GROUP BY {subject}
"""


def _original_sql(level: str, org_filter: bool, windows: int) -> str:
    subject, org, joins = _subject(level, "o")
    where = f"AND {_subject_filter(level, 'o')}" if org_filter else ""
    columns = []
    for i in range(windows):
        closed = f"c.closed_on >= %(start_{i})s AND c.closed_on <= %(end_{i})s"
        changed = "c.outcome IN ('amended', 'remanded')"
        columns += [
            f"SUM(CASE WHEN {closed} AND c.procedure = 'second_instance' THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {closed} AND c.procedure = 'second_instance' AND {changed} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {closed} AND c.procedure = 'retrial' THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {closed} AND c.procedure = 'retrial' AND {changed} THEN 1 ELSE 0 END)",
        ]
    return f"""
SELECT {subject} AS subject, MIN({org}) AS org_id, {", ".join(columns)}
FROM cases_case c JOIN cases_case o ON o.id = c.original_case_id {joins}
WHERE c.closed_on >= %(first)s AND c.closed_on <= %(last)s AND c.procedure IN ('second_instance', 'retrial') {where}
GROUP BY {subject}
"""


_PROCEEDING_ACTIONS = "('extension_approved', 'returned_for_supplementary_investigation')"


def _root_sql(level: str, org_filter: bool, windows: int) -> str:
    """案件比 per window, by the root of each case's chain of originals (walked up once for all windows)."""
    subject, org, joins = _subject(level, "r")
    where = f"WHERE {_subject_filter(level, 'r')}" if org_filter else ""
    events = []
    for i in range(windows):
        events.append(
            f"""  SELECT c.id AS case_id, {i} AS w, 1 AS num,
         CASE WHEN c.procedure = 'first_instance' AND c.original_case_id IS NULL THEN 1 ELSE 0 END AS den
  FROM cases_case c WHERE c.filed_on >= %(start_{i})s AND c.filed_on <= %(end_{i})s"""
        )
        events.append(
            f"""  SELECT a.case_id, {i}, 1, 0 FROM cases_action a
  WHERE a.action_type IN {_PROCEEDING_ACTIONS} AND a.occurred_at >= %(start_at_{i})s AND a.occurred_at < %(end_at_{i})s"""
        )
    union = "\n  UNION ALL\n".join(events)
    return f"""
WITH RECURSIVE events(case_id, w, num, den) AS (
{union}
),
up(id, cur, orig) AS (
  SELECT c.id, c.id, c.original_case_id FROM cases_case c WHERE c.id IN (SELECT case_id FROM events)
  UNION ALL
  SELECT up.id, p.id, p.original_case_id FROM up JOIN cases_case p ON p.id = up.orig
),
roots(id, root_id) AS (SELECT id, cur FROM up WHERE orig IS NULL)
SELECT {subject} AS subject, e.w, MIN({org}) AS org_id, SUM(e.num), SUM(e.den)
FROM events e JOIN roots ON roots.id = e.case_id JOIN cases_case r ON r.id = roots.root_id {joins}
{where}
GROUP BY {subject}, e.w
"""


def _leader_sql(org_filter: bool, windows: int) -> str:
    counts = ", ".join(
        f"""(SELECT COUNT(*) FROM cases_case c WHERE c.lead_officer_id = o.id
            AND c.closed_on >= %(start_{i})s AND c.closed_on <= %(end_{i})s)"""
        for i in range(windows)
    )
    where = "WHERE o.organisation_id = %(org)s" if org_filter else ""
    return f"""
SELECT o.officer_id, o.post, o.is_quota, o.department_id, o.organisation_id, {counts}
FROM accountability_officer o
{where}
"""


# --- computing ---------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _rate(numerator: Decimal | Fraction, denominator: Decimal | Fraction) -> Decimal | None:
    if denominator == 0:
        return None
    exact = Fraction(numerator) / Fraction(denominator)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(VALUE_PLACES)


def _make(window: Window, level: str, subject: str, org_id: int, metric: str, num: Any, den: Any) -> Row:
    numerator, denominator = _dec(num), _dec(den)
    places = _PLACES.get(metric)
    if places is not None:
        numerator, denominator = numerator.quantize(places), denominator.quantize(places)
    return Row(window, level, subject, metric, numerator, denominator, _rate(numerator, denominator), org_id)


def _params(windows: list[Window], organisation_id: int | None) -> dict[str, Any]:
    tz = timezone.get_default_timezone()
    instant = connection.ops.adapt_datetimefield_value  # SQLite compares UTC text; PostgreSQL timestamps
    params: dict[str, Any] = {
        "org": organisation_id,
        "first": min(w.start for w in windows),
        "last": max(w.end for w in windows),
    }
    for i, window in enumerate(windows):
        params[f"start_{i}"] = window.start
        params[f"end_{i}"] = window.end
        params[f"old_{i}"] = window.end - dt.timedelta(days=365)
        # Actions are instants; a day of the window is a day in the courts' time zone (TIME_ZONE).
        params[f"start_at_{i}"] = instant(dt.datetime.combine(window.start, dt.time.min, tzinfo=tz))
        params[f"end_at_{i}"] = instant(dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return params


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- metrics of the apps above (a procuratorate's indicators) --------------------------------------------------


@dataclass(frozen=True)
class MetricProvider:
    """Metrics an app above evaluation defines: ``rows(level, windows, params, limited)`` computes them set-wise in SQL
    with the same windows and parameters (``%(start_i)s``, ``%(end_i)s``, ``%(org)s``), attributed to the case's own
    subject, so they are computed per organisation with the local metrics. ``shown_for``: the organisation kinds whose
    pages show them."""

    name: str
    labels: dict[str, Any]
    kinds: dict[str, str]
    rows: Callable[[str, list[Window], dict[str, Any], bool], Iterator[Row]]
    shown_for: frozenset[str]


_PROVIDERS: dict[str, MetricProvider] = {}


def metric_provider_register(provider: MetricProvider) -> None:
    _PROVIDERS[provider.name] = provider
    METRIC_LABELS.update(provider.labels)
    METRIC_KINDS.update(provider.kinds)


def extra_metrics() -> tuple[str, ...]:
    return tuple(m for provider in _PROVIDERS.values() for m in provider.kinds)


def all_metrics() -> tuple[str, ...]:
    """The metrics of INTERCHANGE.md, then those the apps above registered."""
    return METRICS + extra_metrics()


def metrics_shown(kind: str) -> tuple[str, ...]:
    """The metrics an organisation of ``kind`` shows: a court's without the registered ones; a procuratorate's without
    the court-only ones, with its own."""
    base = tuple(m for m in METRICS if kind == "court" or m not in COURT_ONLY_METRICS)
    return base + tuple(m for p in _PROVIDERS.values() if kind in p.shown_for for m in p.kinds)


def days_between(end: str, start: str) -> str:
    return _days(end, start)


def subject_sql(level: str, alias: str) -> tuple[str, str, str]:
    """(subject expression, organisation expression, joins) of a case alias at a level, for the providers."""
    return _subject(level, alias)


def subject_filter_sql(level: str, alias: str) -> str:
    return _subject_filter(level, alias)


def fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return _fetch(sql, params)


def make_row(window: Window, level: str, subject: str, org_id: int, metric: str, num: Any, den: Any) -> Row:
    return _make(window, level, subject, org_id, metric, num, den)


#: Metrics whose subject is the case's own (computed per organisation: the nightly fan-out).
LOCAL_METRICS = frozenset(METRICS) - {
    "appeal_amended_remanded_ratio",
    "retrial_amended_remanded_ratio",
    "case_proceeding_ratio",
}
#: Metrics attributed through other cases (original, root): a case in one organisation counts for another's
#: subject, so these are computed once for all organisations.
CROSS_METRICS = frozenset(METRICS) - LOCAL_METRICS


def compute(
    windows: Window | list[Window], *, organisation_id: int | None = None, local: bool = True, cross: bool = True
) -> Iterator[Row]:
    """Every metric row of every window, for the subjects of one organisation (or all).

    ``local`` metrics (own attribution, leader caseload) can be limited to one organisation cheaply;
    ``cross`` metrics (original, root) walk between cases and are best computed for all at once.
    Whatever the number of windows, each statement runs once per level.
    """
    windows = [windows] if isinstance(windows, Window) else list(windows)
    params = _params(windows, organisation_id)
    limited = organisation_id is not None
    n = len(windows)
    for level in LEVELS:
        if local:
            yield from _own_rows(level, windows, _fetch(_own_sql(level, limited, n), params))
        if cross:
            yield from _original_rows(level, windows, _fetch(_original_sql(level, limited, n), params))
            for subject, w, org_id, num, den in _fetch(_root_sql(level, limited, n), params):
                if num or den:
                    yield _make(windows[w], level, subject, org_id, "case_proceeding_ratio", num, den)
    if local:
        yield from _leader_rows(windows, _fetch(_leader_sql(limited, n), params))
        for provider in _PROVIDERS.values():
            for level in LEVELS:
                yield from provider.rows(level, windows, params, limited)


def _own_rows(level: str, windows: list[Window], rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    for row in rows:
        subject, org_id = row[0], row[1]
        for i, window in enumerate(windows):
            (
                filed,
                closed,
                pending_end,
                pending_start,
                limited_closed,
                within,
                duration_sum,
                extended,
                pending_old,
                appealable,
                appealed,
                recovered,
                awarded,
                weighted,
            ) = row[2 + i * _OWN_WIDTH : 2 + (i + 1) * _OWN_WIDTH]
            candidates = [
                ("filed_count", filed, 1),
                ("closed_count", closed, 1),
                ("pending_count", pending_end, 1),
                ("clearance_ratio", closed, filed),
                ("closure_rate", closed, _dec(pending_start) + _dec(filed)),
                ("within_limit_rate", within, limited_closed),
                ("avg_duration_days", duration_sum, closed),
                ("extension_rate", extended, closed),
                ("pending_over_12m_ratio", pending_old, pending_end),
                ("appeal_rate", appealed, appealable),
                ("acceptance_rate", _dec(appealable) - _dec(appealed), appealable),
                ("enforcement_recovery_rate", recovered, awarded),
                ("weighted_closed", weighted, 1),
            ]
            for metric, num, den in candidates:
                if metric in COUNT_METRICS or metric == "weighted_closed" or num or den:
                    yield _make(window, level, subject, org_id, metric, num, den)


def _original_rows(level: str, windows: list[Window], rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    for row in rows:
        subject, org_id = row[0], row[1]
        for i, window in enumerate(windows):
            second, second_changed, retrial, retrial_changed = row[2 + 4 * i : 6 + 4 * i]
            if second:
                yield _make(window, level, subject, org_id, "appeal_amended_remanded_ratio", second_changed, second)
            if retrial:
                yield _make(window, level, subject, org_id, "retrial_amended_remanded_ratio", retrial_changed, retrial)


def _leader_rows(windows: list[Window], officers: list[tuple[Any, ...]]) -> Iterator[Row]:
    """院庭长办案比: a leader's closed cases against the mean of the non-leader quota officers of their unit."""
    for i, window in enumerate(windows):
        peers: dict[tuple[str, int], list[int]] = defaultdict(list)
        for officer in officers:
            _, post, is_quota, department_id, organisation_id = officer[:5]
            if post == Post.NONE and is_quota:
                peers[("organisation", organisation_id)].append(int(officer[5 + i]))
                if department_id is not None:
                    peers[("department", department_id)].append(int(officer[5 + i]))
        for officer in officers:
            officer_id, post, is_quota, department_id, organisation_id = officer[:5]
            if post == Post.NONE or not is_quota:
                continue
            unit = ("department", department_id) if post == Post.DIVISION_CHIEF else ("organisation", organisation_id)
            counts = peers.get(unit) if unit[1] is not None else None
            numerator = Decimal(int(officer[5 + i]))
            if not counts:
                yield Row(
                    window, "officer", officer_id, "leader_caseload_ratio", numerator, Decimal(0), None, organisation_id
                )
                continue
            mean = Fraction(sum(counts), len(counts))
            denominator = (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(VALUE_PLACES)
            yield Row(
                window,
                "officer",
                officer_id,
                "leader_caseload_ratio",
                numerator,
                denominator,
                _rate(numerator, mean),
                organisation_id,
            )
