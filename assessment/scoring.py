"""The scheme's arithmetic and the readings it works on, set-wise (README, *Performance assessment*).

A scheme's ``components`` is a list of ``{"code", "label", "weight", "indicators": [...]}``; an indicator is
``{"code", "label", "source", "formula", "weight", "cap", "floor", "missing", ...}``:

* ``source`` says what is read for each officer over the window (one query for all officers of the set):
  ``metric`` (the stored ``MetricResult`` of ``metric`` for the officer and the window: its value),
  ``review_grades`` (the mean of ``grade_points`` over the officer's reviews finalised in the window),
  ``defect_points`` (the defect points entered in the window), ``responsible_reversals`` (focused reviews of
  amended or remanded cases finalised in the window with the officer found at fault: graded flawed or fail),
  ``interference_on_time`` (the share of the officer's interference records entered within ``days`` of the
  approach), ``sanctions`` (discipline sanctions in force that began in the window), ``supervision_on_time``
  (the share of the four-category and risk flags the officer decided by their act-by time).
* ``formula``: ``ratio_to_norm`` scores ``100 · x / norm`` (with ``prorate``, ``norm`` is a yearly norm scaled to
  the days the window covers: a quarter's is about a quarter of it); ``linear`` scores ``base + slope · x``. The score is then held within ``floor`` and ``cap``.
  No reading (no case, no review): the score is ``missing``.

An indicator's score is rounded to two places; a component's is the weighted mean of its indicators' (two
places); the total is the weighted mean of the components' (two places). The grade is the band the total falls
in; the quota on 优秀 is applied over the organisation's set (``apply_quota``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, F, Q, Sum

from accountability.errors import ValidationFailed
from discipline.models import Sanction
from evaluation.models import MetricResult, PointEntry, Review, ReviewKind
from interference.models import InterferenceRecord
from supervision.models import Flag

SOURCES = (
    "metric",
    "review_grades",
    "defect_points",
    "responsible_reversals",
    "interference_on_time",
    "sanctions",
    "supervision_on_time",
)
FORMULAS = ("ratio_to_norm", "linear")
DEFAULT_GRADE_POINTS = {"excellent": 100, "pass": 90, "flawed": 70, "fail": 40}
CENT = Decimal("0.01")


def cents(value: Decimal | Fraction) -> Decimal:
    """Two places, half away from zero, from the exact value (a prorated norm is a fraction no decimal holds)."""
    exact = Fraction(value) * 100
    whole = math.floor(abs(exact) + Fraction(1, 2))
    return (Decimal(whole if exact >= 0 else -whole) / 100).quantize(CENT)


@dataclass(frozen=True)
class Period:
    kind: str  # quarter, year
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        if kind == "year":
            return cls("year", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, first_month, 1)
        end = (dt.date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)) - dt.timedelta(
            days=1
        )
        return cls("quarter", start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年度"
        return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"


@dataclass
class Reading:
    """What was read for one officer and one indicator: the value scored (``x``) and the numbers behind it."""

    x: Decimal | None
    facts: dict[str, Any] = field(default_factory=dict)


# --- validation ----------------------------------------------------------------------------------------------


def _number(indicator: dict[str, Any], key: str, where: str, *, required: bool = False) -> None:
    value = indicator.get(key)
    if value is None:
        if required:
            raise ValidationFailed(f"{where}: {key} is required.", details={"components": [f"{where}: {key}"]})
        return
    try:
        Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(
            f"{where}: {key} must be a number.", details={"components": [f"{where}: {key}"]}
        ) from exc


def validate_components(components: Any) -> None:
    """Refuse (naming the component and indicator) a scheme that cannot be computed."""
    if not isinstance(components, list) or not components:
        raise ValidationFailed("A scheme needs at least one component.", details={"components": ["empty"]})
    codes = set()
    for component in components:
        where = str(component.get("code", "?")) if isinstance(component, dict) else "?"
        if not isinstance(component, dict) or not component.get("code") or not component.get("label"):
            raise ValidationFailed(f"{where}: a component needs a code and a label.", details={"components": [where]})
        if component["code"] in codes:
            raise ValidationFailed(f"{where}: the code is used twice.", details={"components": [where]})
        codes.add(component["code"])
        _number(component, "weight", where, required=True)
        indicators = component.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            raise ValidationFailed(f"{where}: a component needs indicators.", details={"components": [where]})
        for indicator in indicators:
            spot = f"{where}/{indicator.get('code', '?')}"
            if indicator.get("source") not in SOURCES:
                raise ValidationFailed(f"{spot}: unknown source.", details={"components": [spot]})
            if indicator.get("formula") not in FORMULAS:
                raise ValidationFailed(f"{spot}: unknown formula.", details={"components": [spot]})
            if indicator["source"] == "metric" and not indicator.get("metric"):
                raise ValidationFailed(f"{spot}: which metric?", details={"components": [spot]})
            for key in ("weight", "cap", "floor", "missing"):
                _number(indicator, key, spot, required=True)
            if indicator["formula"] == "ratio_to_norm":
                _number(indicator, "norm", spot, required=True)
                if Decimal(str(indicator["norm"])) <= 0:
                    raise ValidationFailed(f"{spot}: the norm must be positive.", details={"components": [spot]})
            else:
                _number(indicator, "base", spot, required=True)
                _number(indicator, "slope", spot, required=True)


# --- readings: one query per source for the whole set ----------------------------------------------------------


def _between(field_name: str, start: dt.date, end: dt.date) -> Q:
    """An instant field within the window's days (the day after ``end`` excluded), in the courts' time zone."""
    return Q(**{f"{field_name}__date__gte": start, f"{field_name}__date__lte": end})


def read(
    components_by_officer: dict[int, list[dict[str, Any]]],
    officers: dict[int, str],
    start: dt.date,
    end: dt.date,
) -> dict[tuple[int, str], Reading]:
    """Readings keyed by (officer pk, source key) for every indicator of every officer's scheme. ``officers``:
    pk → officer number (the metric results' subject)."""
    needed: dict[str, set[Any]] = {}
    for components in components_by_officer.values():
        for component in components:
            for indicator in component["indicators"]:
                needed.setdefault(indicator["source"], set()).add(_param_key(indicator))
    pks = list(officers)
    readings: dict[tuple[int, str], Reading] = {}
    if "metric" in needed:
        metrics = {key[1] for key in needed["metric"]}
        by_number = {number: pk for pk, number in officers.items()}
        rows = MetricResult.objects.filter(
            level="officer", subject__in=list(by_number), window_from=start, window_to=end, metric__in=metrics
        ).values_list("subject", "metric", "numerator", "denominator", "value")
        for subject, metric, numerator, denominator, value in rows:
            readings[(by_number[subject], f"metric:{metric}")] = Reading(
                value, {"numerator": numerator, "denominator": denominator, "value": value}
            )
    if "review_grades" in needed:
        rows = (
            Review.objects.filter(officer_id__in=pks, status=Review.Status.FINALISED)
            .filter(_between("finalised_at", start, end))
            .values("officer_id", "grade")
            .annotate(n=Count("pk"))
        )
        grades: dict[int, dict[str, int]] = {}
        for row in rows:
            grades.setdefault(row["officer_id"], {})[row["grade"]] = row["n"]
        for key in needed["review_grades"]:
            points = dict(key[1])
            for pk, counts in grades.items():
                total = sum(counts.values())
                earned = sum(Decimal(str(points.get(g, 0))) * n for g, n in counts.items())
                x = earned / total if total else None
                readings[(pk, _source_key(key))] = Reading(
                    x, {"reviews": total, **{f"grade_{g}": n for g, n in counts.items()}}
                )
    if "defect_points" in needed:
        rows = (
            PointEntry.objects.filter(officer_id__in=pks)
            .filter(_between("created_at", start, end))
            .values("officer_id")
            .annotate(points=Sum("points"), entries=Count("pk"))
        )
        found = {row["officer_id"]: row for row in rows}
        for pk in pks:
            row = found.get(pk)
            points = row["points"] if row else Decimal(0)
            readings[(pk, "defect_points")] = Reading(
                points, {"points": points, "entries": row["entries"] if row else 0}
            )
    if "responsible_reversals" in needed:
        rows = (
            Review.objects.filter(
                officer_id__in=pks,
                status=Review.Status.FINALISED,
                plan__kind=ReviewKind.FOCUSED,
                grade__in=["flawed", "fail"],
            )
            .filter(_between("finalised_at", start, end))
            .values("officer_id")
            .annotate(n=Count("pk"))
        )
        found = {row["officer_id"]: row["n"] for row in rows}
        for pk in pks:
            n = found.get(pk, 0)
            readings[(pk, "responsible_reversals")] = Reading(Decimal(n), {"cases": n})
    if "interference_on_time" in needed:
        for key in needed["interference_on_time"]:
            days = int(key[1])
            rows = (
                InterferenceRecord.objects.filter(recorder_id__in=pks)
                .filter(_between("recorded_at", start, end))
                .values("recorder_id")
                .annotate(
                    records=Count("pk"),
                    on_time=Count("pk", filter=Q(recorded_at__lte=F("occurred_at") + dt.timedelta(days=days))),
                )
            )
            for row in rows:
                x = Decimal(row["on_time"]) / Decimal(row["records"])
                readings[(row["recorder_id"], _source_key(key))] = Reading(
                    x, {"records": row["records"], "on_time": row["on_time"], "days": days}
                )
    if "sanctions" in needed:
        rows = (
            Sanction.objects.filter(officer_id__in=pks, superseded_by__isnull=True, starts_on__range=(start, end))
            .values("officer_id")
            .annotate(n=Count("pk"))
        )
        found = {row["officer_id"]: row["n"] for row in rows}
        for pk in pks:
            n = found.get(pk, 0)
            readings[(pk, "sanctions")] = Reading(Decimal(n), {"sanctions": n})
    if "supervision_on_time" in needed:
        rows = (
            Flag.objects.filter(decided_by_id__in=pks)
            .filter(_between("decided_at", start, end))
            .values("decided_by_id")
            .annotate(
                flags=Count("pk"),
                on_time=Count("pk", filter=Q(act_by__isnull=True) | Q(decided_at__lte=F("act_by"))),
            )
        )
        for row in rows:
            x = Decimal(row["on_time"]) / Decimal(row["flags"])
            readings[(row["decided_by_id"], "supervision_on_time")] = Reading(
                x, {"flags": row["flags"], "on_time": row["on_time"]}
            )
    return readings


def _param_key(indicator: dict[str, Any]) -> tuple[str, Any]:
    source = indicator["source"]
    if source == "metric":
        return (source, indicator["metric"])
    if source == "review_grades":
        return (source, tuple(sorted((indicator.get("grade_points") or DEFAULT_GRADE_POINTS).items())))
    if source == "interference_on_time":
        return (source, int(indicator.get("days", 3)))
    return (source, None)


def _source_key(key: tuple[str, Any]) -> str:
    source, param = key
    if source == "metric":
        return f"metric:{param}"
    if source == "review_grades":
        return "review_grades:" + ",".join(f"{g}={p}" for g, p in param)
    if source == "interference_on_time":
        return f"interference_on_time:{param}"
    return source


def reading_key(indicator: dict[str, Any]) -> str:
    return _source_key(_param_key(indicator))


# --- scoring ---------------------------------------------------------------------------------------------------


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _f(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


def indicator_score(indicator: dict[str, Any], reading: Reading | None, fraction: Fraction) -> dict[str, Any]:
    """One indicator's line of the explanation: what was read, the formula, the score."""
    x = reading.x if reading is not None else None
    line: dict[str, Any] = {
        "code": indicator["code"],
        "label": indicator.get("label", indicator["code"]),
        "source": indicator["source"],
        "metric": indicator.get("metric", ""),
        "formula": indicator["formula"],
        "weight": str(_d(indicator["weight"])),
        "cap": str(_d(indicator["cap"])),
        "floor": str(_d(indicator["floor"])),
        "facts": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in (reading.facts if reading else {}).items()},
        "x": None if x is None else str(x),
    }
    if x is None:
        score: Fraction = _f(indicator["missing"])
        line["missing"] = True
    else:
        if indicator["formula"] == "ratio_to_norm":
            norm = _f(indicator["norm"]) * (fraction if indicator.get("prorate") else 1)
            line["norm"] = str(cents(norm))
            raw = 100 * Fraction(x) / norm
        else:
            raw = _f(indicator["base"]) + _f(indicator["slope"]) * Fraction(x)
            line["base"], line["slope"] = str(_d(indicator["base"])), str(_d(indicator["slope"]))
        score = min(max(raw, _f(indicator["floor"])), _f(indicator["cap"]))
        line["raw"] = str(cents(raw))
        line["capped"] = score != raw
    line["score"] = str(cents(score))
    return line


def weighted_mean(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    total = sum((Fraction(w) for w, _ in pairs), Fraction(0))
    if not total:
        return Decimal(0).quantize(CENT)
    return cents(sum((Fraction(w) * Fraction(s) for w, s in pairs), Fraction(0)) / total)


def score_officer(
    components: list[dict[str, Any]], readings: dict[tuple[int, str], Reading], officer_pk: int, fraction: Fraction
) -> tuple[Decimal, list[dict[str, Any]]]:
    """(total, explanation lines) of one officer under one scheme."""
    lines, totals = [], []
    for component in components:
        indicator_lines = [
            indicator_score(i, readings.get((officer_pk, reading_key(i))), fraction) for i in component["indicators"]
        ]
        score = weighted_mean([(_d(i["weight"]), Decimal(i["score"])) for i in indicator_lines])
        lines.append(
            {
                "code": component["code"],
                "label": component["label"],
                "weight": str(_d(component["weight"])),
                "score": str(score),
                "indicators": indicator_lines,
            }
        )
        totals.append((_d(component["weight"]), score))
    return weighted_mean(totals), lines


def quota_allowed(assessed: int, percent: int) -> int:
    """How many of ``assessed`` may be 优秀: ``percent`` of them rounded down, at least one."""
    if assessed <= 0:
        return 0
    return max(1, assessed * percent // 100)


def fraction_of(period: Period, window_to: dt.date) -> Fraction:
    """The share of a year the window covers: a yearly norm (``prorate``) is scaled by it (a quarter's norm is about
    a quarter of the year's; the running period's, the days computed so far)."""
    year_days = (dt.date(period.start.year + 1, 1, 1) - dt.date(period.start.year, 1, 1)).days
    return Fraction((window_to - period.start).days + 1, year_days)
