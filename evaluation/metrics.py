"""The metrics of INTERCHANGE.md, computed set-wise in SQL (GROUP BY subject), exactly as defined there.

Each statement reads its cases once for every window and every level: it groups by the subjects of all three
levels at once (officer, department, organisation: the finest grain) and ``_levels`` adds the groups up into each
level's subjects in Python, exactly (integers, and decimals at full precision).

* ``_OWN``: every metric attributed to the case's own subject (counts, rates, durations, appeals,
  enforcement, weighted workload), one pass with conditional sums over one organisation's cases
  (read by its index), each case's weight by a join on the weight rules;
* ``_ORIGINAL``: second-instance and retrial outcomes attributed to the original case's subject;
* ``_ROOT``: the case-proceeding ratio (案件比), attributed to the root of each case's chain of
  originals: the cases and actions of the windows read once, and only cases with an original walked up
  (a recursive CTE), once per run;
* leader caseload (院庭长办案比): closed counts per officer, compared in Python over officers (a few
  thousand rows), never over cases.

The local statements may be limited to the subjects of one organisation, so the nightly job fans out per
organisation and each task writes only its own rows; the cross ones (original, root) run once for all. The same
SQL runs on SQLite and PostgreSQL; only the day difference of two dates and one array differ.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.choices import Post
from accountability.sql import jit_off

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


# The weight of a case (weights.csv): the most specific rule of its case type, by a join on each of the four
# kinds of rule (procedure and cause, procedure, cause, neither). weightrule_unique makes each join match at most
# one rule, so this is the rule the ORDER BY specificity LIMIT 1 of INTERCHANGE.md picks.
_WEIGHT = "COALESCE(w3.weight, w2.weight, w1.weight, w0.weight, 1)"
_WEIGHT_JOINS = """
LEFT JOIN evaluation_weightrule w3 ON w3.case_type = c.case_type AND w3.procedure = c.procedure
  AND w3.cause = c.cause AND w3.procedure <> '' AND w3.cause <> ''
LEFT JOIN evaluation_weightrule w2 ON w2.case_type = c.case_type AND w2.procedure = c.procedure
  AND w2.procedure <> '' AND w2.cause = ''
LEFT JOIN evaluation_weightrule w1 ON w1.case_type = c.case_type AND w1.procedure = ''
  AND w1.cause = c.cause AND w1.cause <> ''
LEFT JOIN evaluation_weightrule w0 ON w0.case_type = c.case_type AND w0.procedure = '' AND w0.cause = ''"""

# The subjects of a case at every level, each with the organisation it belongs to: six columns, in LEVELS order.
# One statement groups by all six (the finest grain) and ``_levels`` adds the groups up into each level's subjects.
# {c} is the alias of the case whose subjects are meant; a case without a lead officer or a department has no
# subject at that level (the left join gives NULL), as the inner joins of ``_SUBJECT`` drop it there.
_ALL_SUBJECTS = (
    "{c}_o.officer_id, {c}_o.organisation_id, {c}_g.code || '/' || {c}_d.code, {c}_d.organisation_id, "
    "{c}_g.code, {c}_g.id"
)
_ALL_SUBJECT_JOINS = """
LEFT JOIN accountability_officer {c}_o ON {c}_o.id = {c}.lead_officer_id
LEFT JOIN accountability_department {c}_d ON {c}_d.id = {c}.department_id
JOIN accountability_organisation {c}_g ON {c}_g.id = {c}.organisation_id"""
# "Some subject of this case belongs to organisation X", on joined columns: for the cross metrics, whose cases
# are found by window, not by organisation.
_ANY_SUBJECT_FILTER = (
    "({c}.organisation_id = %(org)s OR {c}_o.organisation_id = %(org)s OR {c}_d.organisation_id = %(org)s)"
)

_CASE_COLUMNS = (
    "id",
    "organisation_id",
    "department_id",
    "lead_officer_id",
    "case_type",
    "procedure",
    "cause",
    "filed_on",
    "closed_on",
    "closing_method",
    "time_limit_days",
    "extension_days",
    "excluded_days",
    "recovered_amount",
    "awarded_amount",
)
_X = ", ".join(f"x.{column}" for column in _CASE_COLUMNS)

# The cases whose subject at some level belongs to organisation X, read by index: the organisation's own cases
# (its ~1/200 of the table) and, when any, the cases of other organisations led by its officers or held in its
# departments (an officer who moved, say), reached from its officers and departments. Each branch is one index
# path: an OR of the three would be planned as a sequential scan of every case. "In another organisation" is two
# branches, below and above it, so the (lead officer, organisation) and (department, organisation) indexes answer it
# without reading the organisation's own cases from the heap: ``<>`` cannot be an index condition, and each
# organisation's statement visited 10,000 heap pages to find the few cases of its officers elsewhere.
_ELSEWHERE = """
  SELECT {x} FROM cases_case x WHERE x.lead_officer_id {{officers}} AND x.organisation_id {side} %(org)s
  UNION ALL
  SELECT {x} FROM accountability_department ld JOIN cases_case x ON x.department_id = ld.id
  WHERE ld.organisation_id = %(org)s AND x.organisation_id {side} %(org)s
    AND NOT EXISTS (SELECT 1 FROM accountability_officer lo WHERE lo.id = x.lead_officer_id
                    AND lo.organisation_id = %(org)s)"""
_ORGANISATION_CASES = f"""(
  SELECT {_X} FROM cases_case x WHERE x.organisation_id = %(org)s
  UNION ALL{" UNION ALL".join(_ELSEWHERE.format(x=_X, side=side) for side in ("<", ">"))}
)"""


def _organisation_cases() -> str:
    """``_ORGANISATION_CASES`` for this database. PostgreSQL reads the officers' cases by the lead index only when
    it is given them as an array (``= ANY``): from ``IN (SELECT …)`` it plans a scan of every case."""
    if connection.vendor == "postgresql":
        officers = "= ANY(ARRAY(SELECT id FROM accountability_officer WHERE organisation_id = %(org)s))"
    else:
        officers = "IN (SELECT id FROM accountability_officer WHERE organisation_id = %(org)s)"
    return _ORGANISATION_CASES.format(officers=officers)


def _all_subjects(alias: str) -> tuple[str, str]:
    return _ALL_SUBJECTS.format(c=alias), _ALL_SUBJECT_JOINS.format(c=alias)


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
  SUM(CASE WHEN {appealable} AND c.appealed_on <= {end} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {enforcement} THEN COALESCE(c.recovered_amount, 0) ELSE 0 END),
  SUM(CASE WHEN {enforcement} THEN COALESCE(c.awarded_amount, 0) ELSE 0 END),
  SUM(CASE WHEN {closed} THEN c.weight ELSE 0 END)"""


_OWN_WIDTH = 14  # sums per window in _own_columns


def _own_sql(org_filter: bool, windows: int) -> str:
    """Every own-attribution metric of every window at every level, in one pass over the cases.

    Per case, once: its weight (by join) and the day its first appeal was filed (a case was appealed by ``end``
    iff some second-instance case naming it was filed on or before ``end``, i.e. the first of them was).
    """
    subjects, joins = _all_subjects("c")
    cases = _organisation_cases() if org_filter else "cases_case"
    columns = ",".join(_own_columns(i) for i in range(windows))
    return f"""
SELECT {subjects},{columns}
FROM (
  SELECT c.*, {_WEIGHT} AS weight,
         CASE WHEN c.procedure = 'first_instance' AND c.closing_method IN ('judgment', 'ruling')
                   AND c.closed_on >= %(first)s AND c.closed_on <= %(last)s
              THEN (SELECT MIN(a.filed_on) FROM cases_case a
                    WHERE a.original_case_id = c.id AND a.procedure = 'second_instance') END AS appealed_on
  FROM {cases} c {_WEIGHT_JOINS}
) c {joins}
GROUP BY {subjects}
"""


def _original_sql(org_filter: bool, windows: int) -> str:
    """Second-instance and retrial outcomes by the original case's subjects, every level in one pass."""
    subjects, joins = _all_subjects("o")
    where = f"AND {_ANY_SUBJECT_FILTER.format(c='o')}" if org_filter else ""
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
SELECT {subjects}, {", ".join(columns)}
FROM cases_case c JOIN cases_case o ON o.id = c.original_case_id {joins}
WHERE c.closed_on >= %(first)s AND c.closed_on <= %(last)s AND c.procedure IN ('second_instance', 'retrial') {where}
GROUP BY {subjects}
"""


_PROCEEDING_ACTIONS = "('extension_approved', 'returned_for_supplementary_investigation')"


def _root_sql(org_filter: bool, windows: int) -> str:
    """案件比 per window, by the root of each case's chain of originals, every window and level in one pass.

    The actions of the windows are counted per case (by the type-and-time index); every case of the windows is
    read once with those counts (one pass over the cases); only the cases that have an original are walked up
    (most are their own root), carrying their counts to the root; the roots are added up by officer, department
    and organisation before their subjects are joined. Returns the six subject columns of the root, then per window the events (cases
    filed in it and actions in it) and the denominator (first-instance cases filed in it with no original)."""
    subjects, joins = _all_subjects("r")
    where = f"WHERE {_ANY_SUBJECT_FILTER.format(c='r')}" if org_filter else ""
    actions, events, sums = [], [], []
    for i in range(windows):
        actions.append(
            f"SUM(CASE WHEN a.occurred_at >= %(start_at_{i})s AND a.occurred_at < %(end_at_{i})s THEN 1 ELSE 0 END)"
        )
        filed = f"c.filed_on >= %(start_{i})s AND c.filed_on <= %(end_{i})s"
        events.append(f"CASE WHEN {filed} THEN 1 ELSE 0 END + COALESCE(acts.a{i}, 0)")
        events.append(
            f"CASE WHEN {filed} AND c.procedure = 'first_instance' AND c.original_case_id IS NULL THEN 1 ELSE 0 END"
        )
        sums += [f"SUM(r.n{i})", f"SUM(r.d{i})"]
    action_columns = ", ".join(f"a{i}" for i in range(windows))
    event_columns = ", ".join(f"n{i}, d{i}" for i in range(windows))
    carried = ", ".join(f"up.n{i}, up.d{i}" for i in range(windows))
    columns = [f"{kind}{i}" for i in range(windows) for kind in ("n", "d")]
    return f"""
WITH RECURSIVE acts(case_id, {action_columns}) AS (
  SELECT a.case_id, {", ".join(actions)}
  FROM cases_action a
  WHERE a.action_type IN {_PROCEEDING_ACTIONS} AND a.occurred_at >= %(first_at)s AND a.occurred_at < %(last_at)s
  GROUP BY a.case_id
),
events(id, orig, lead_officer_id, department_id, organisation_id, {event_columns}) AS (
  SELECT c.id, c.original_case_id, c.lead_officer_id, c.department_id, c.organisation_id, {", ".join(events)}
  FROM cases_case c LEFT JOIN acts ON acts.case_id = c.id
  WHERE (c.filed_on >= %(first)s AND c.filed_on <= %(last)s) OR acts.case_id IS NOT NULL
),
up(orig, lead_officer_id, department_id, organisation_id, {event_columns}) AS (
  SELECT orig, lead_officer_id, department_id, organisation_id, {event_columns} FROM events WHERE orig IS NOT NULL
  UNION ALL
  SELECT p.original_case_id, p.lead_officer_id, p.department_id, p.organisation_id, {carried}
  FROM up JOIN cases_case p ON p.id = up.orig
),
roots(lead_officer_id, department_id, organisation_id, {event_columns}) AS (
  SELECT lead_officer_id, department_id, organisation_id, {event_columns} FROM events WHERE orig IS NULL
  UNION ALL
  SELECT lead_officer_id, department_id, organisation_id, {event_columns} FROM up WHERE orig IS NULL
)
SELECT {subjects}, {", ".join(sums)}
FROM (
  SELECT lead_officer_id, department_id, organisation_id, {", ".join(f"SUM({c}) AS {c}" for c in columns)}
  FROM roots GROUP BY lead_officer_id, department_id, organisation_id
) r {joins}
{where}
GROUP BY {subjects}
"""


def _root_rows(rows: Iterable[tuple[Any, ...]], windows: int) -> Iterator[tuple[Any, ...]]:
    """The rows of ``_root_sql`` one per window with events: (six subject columns, window, events, denominator),
    so that a subject's organisation is the least among its rows of that window, as when each window was grouped
    apart."""
    for row in rows:
        for i in range(windows):
            num, den = row[6 + 2 * i], row[7 + 2 * i]
            if num or den:
                yield (*row[:6], i, num, den)


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
    if isinstance(numerator, Decimal) and isinstance(denominator, Decimal):
        # Decimal division rounds the exact quotient once, to the context's precision: the same value as the exact
        # fraction below divided out, without two Fractions for each of a night's 155 k rows (0.6 s at 1 M cases)
        return (numerator / denominator).quantize(VALUE_PLACES)
    exact = Fraction(numerator) / Fraction(denominator)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(VALUE_PLACES)


def _make(window: Window, level: str, subject: str, org_id: int, metric: str, num: Any, den: Any) -> Row:
    numerator, denominator = _dec(num), _dec(den)
    places = _PLACES.get(metric)
    if places is not None:
        numerator, denominator = numerator.quantize(places), denominator.quantize(places)
    return Row(window, level, subject, metric, numerator, denominator, _rate(numerator, denominator), org_id)


def _day_start(day: dt.date, tz: Any) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _params(windows: list[Window], organisation_id: int | None) -> dict[str, Any]:
    tz = timezone.get_default_timezone()
    instant = connection.ops.adapt_datetimefield_value  # SQLite compares UTC text; PostgreSQL timestamps
    params: dict[str, Any] = {
        "org": organisation_id,
        "first": min(w.start for w in windows),
        "last": max(w.end for w in windows),
        "first_at": instant(_day_start(min(w.start for w in windows), tz)),
        "last_at": instant(_day_start(max(w.end for w in windows) + dt.timedelta(days=1), tz)),
    }
    for i, window in enumerate(windows):
        params[f"start_{i}"] = window.start
        params[f"end_{i}"] = window.end
        params[f"old_{i}"] = window.end - dt.timedelta(days=365)
        # Actions are instants; a day of the window is a day in the courts' time zone (TIME_ZONE).
        params[f"start_at_{i}"] = instant(_day_start(window.start, tz))
        params[f"end_at_{i}"] = instant(_day_start(window.end + dt.timedelta(days=1), tz))
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
    pages show them, and the only kinds whose organisations they are computed for (a court has no case of a
    procuratorate's procedures: its three statements would find nothing, 2.8 s of a 1 M-case night)."""

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
    windows: Window | list[Window],
    *,
    organisation_id: int | None = None,
    organisation_kind: str | None = None,
    local: bool = True,
    cross: bool = True,
) -> Iterator[Row]:
    """Every metric row of every window, for the subjects of one organisation (or all).

    ``local`` metrics (own attribution, leader caseload) can be limited to one organisation cheaply;
    ``cross`` metrics (original, root) walk between cases and are best computed for all at once.
    Whatever the number of windows and levels, each statement runs once. ``organisation_kind`` (the kind of
    ``organisation_id``): the registered metrics of other kinds are not computed for it.
    """
    windows = [windows] if isinstance(windows, Window) else list(windows)
    params = _params(windows, organisation_id)
    limited = organisation_id is not None
    n = len(windows)
    jit_off()
    if local:
        yield from _own_rows(windows, _levels(_fetch(_own_sql(limited, n), params), organisation_id))
    if cross:
        yield from _original_rows(windows, _levels(_fetch(_original_sql(limited, n), params), organisation_id))
        roots = _root_rows(_fetch(_root_sql(limited, n), params), n)
        for level, (subject, w), org_id, (num, den) in _levels(roots, organisation_id, 1):
            if num or den:
                yield _make(windows[w], level, subject, org_id, "case_proceeding_ratio", num, den)
    if local:
        yield from _leader_rows(windows, _fetch(_leader_sql(limited, n), params))
        for provider in _PROVIDERS.values():
            if organisation_kind is not None and organisation_kind not in provider.shown_for:
                continue
            for level in LEVELS:
                yield from provider.rows(level, windows, params, limited)


#: Sums of money and weights added up in Python exactly, whatever their digits (SUM in SQL is exact too).
_EXACT = Context(prec=200)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return _EXACT.add(_dec(a), _dec(b))


def _levels(
    rows: Iterable[tuple[Any, ...]], organisation_id: int | None, keys: int = 0
) -> Iterator[tuple[str, Any, int, list[Any]]]:
    """Rows grouped by every level's subject (the six columns of ``_ALL_SUBJECTS``, then ``keys`` more grouping
    columns such as the window, then sums) added up into (level, subject, organisation, sums) — the rows a
    ``GROUP BY`` of each level's subject would give, limited to the subjects of ``organisation_id`` when given, as
    ``_SUBJECT_FILTER`` limits them. The organisation of a subject is the least of its rows', as ``MIN`` gives."""
    rows = list(rows)
    for index, level in enumerate(LEVELS):
        grouped: dict[Any, list[Any]] = {}
        for row in rows:
            subject, org_id = row[2 * index], row[2 * index + 1]
            if subject is None or (organisation_id is not None and org_id != organisation_id):
                continue
            key = (subject, *row[6 : 6 + keys]) if keys else subject
            sums = row[6 + keys :]
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = [org_id, list(sums)]
            else:
                entry[0] = min(entry[0], org_id)
                entry[1] = [_add(x, y) for x, y in zip(entry[1], sums, strict=True)]
        for key, (org_id, sums) in grouped.items():
            yield level, key, org_id, sums


def _own_rows(windows: list[Window], rows: Iterable[tuple[str, Any, int, list[Any]]]) -> Iterator[Row]:
    for level, subject, org_id, sums in rows:
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
            ) = sums[i * _OWN_WIDTH : (i + 1) * _OWN_WIDTH]
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


def _original_rows(windows: list[Window], rows: Iterable[tuple[str, Any, int, list[Any]]]) -> Iterator[Row]:
    for level, subject, org_id, sums in rows:
        for i, window in enumerate(windows):
            second, second_changed, retrial, retrial_changed = sums[4 * i : 4 * i + 4]
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
