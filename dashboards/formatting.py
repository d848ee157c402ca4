"""How a dashboard number reads, by the kind of its metric (``evaluation.metrics.METRIC_KINDS``): counts as whole
numbers with thousands separators, rates as percentages with one decimal, days as days, ratios as ratios, weights
with one decimal. The same kinds give the Excel number formats, so the page and the workbook agree."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from evaluation.metrics import METRIC_KINDS

DASH = "—"
#: Excel number formats per kind (the value cell); parts (numerator, denominator) are counts or amounts.
EXCEL_FORMATS = {"count": "#,##0", "rate": "0.0%", "days": "#,##0.0", "ratio": "0.00", "weight": "#,##0.0"}
EXCEL_PART_FORMAT = "#,##0.##"
#: Metrics whose denominator is the constant 1 (a count or a sum, not a share): it is never shown.
NO_DENOMINATOR = frozenset({"count", "weight"})


def kind_of(metric: str) -> str:
    return METRIC_KINDS.get(metric, "ratio")


def _round(value: Decimal, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def value_text(metric: str, value: Any) -> str:
    """A metric's value as it reads: 1,234 · 85.3% · 62.4 天 · 1.25 · 315.5."""
    if value is None:
        return DASH
    value = Decimal(value)
    kind = kind_of(metric)
    if kind == "count":
        return f"{_round(value, 0):,.0f}"
    if kind == "rate":
        return f"{_round(value * 100, 1):.1f}%"
    if kind == "days":
        return _("%(n)s days") % {"n": f"{_round(value, 1):,.1f}"}
    if kind == "weight":
        return f"{_round(value, 1):,.1f}"
    return f"{_round(value, 2):.2f}"


def part_text(metric: str, value: Any, *, part: str) -> str:
    """A numerator or denominator: a count with separators, or an amount or mean with two decimals; the constant
    denominator of a count is not shown."""
    if value is None or (part == "denominator" and kind_of(metric) in NO_DENOMINATOR):
        return DASH
    value = Decimal(value)
    if kind_of(metric) == "weight":
        return f"{_round(value, 1):,.1f}"
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{_round(value, 2):,.2f}"


def range_text(metric: str, low: Any, high: Any) -> str:
    """A reference range: "85.0% – 100.0%", "≥ 5.0%", "≤ 90.0 天", or — when none is set."""
    if low is None and high is None:
        return DASH
    if high is None:
        return f"≥ {value_text(metric, low)}"
    if low is None:
        return f"≤ {value_text(metric, high)}"
    return f"{value_text(metric, low)} – {value_text(metric, high)}"


def change_text(metric: str, now: Any, before: Any) -> str:
    """The change from ``before`` to ``now``, signed: rates in percentage points, others in their own unit."""
    if now is None or before is None:
        return DASH
    delta = Decimal(now) - Decimal(before)
    kind = kind_of(metric)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    delta = abs(delta)
    if kind == "rate":
        return _("%(sign)s%(points)s pp") % {"sign": sign, "points": f"{_round(delta * 100, 1):.1f}"}
    return sign + value_text(metric, delta)


def bin_text(metric: str, low: Any, high: Any) -> str:
    """A histogram band as it reads: "0–30 天", "80%–90%", "3–4" (whole counts: both ends included)."""
    kind = kind_of(metric)
    low, high = Decimal(low), Decimal(high)
    if kind == "rate":
        return f"{_round(low * 100, 1).normalize():f}%–{_round(high * 100, 1).normalize():f}%"
    if kind == "count" and low == low.to_integral_value() and high == high.to_integral_value():
        top = high - 1 if high - low > 1 else low
        return f"{low:,.0f}" if top == low else f"{low:,.0f}–{top:,.0f}"
    text = f"{_round(low, 2).normalize():f}–{_round(high, 2).normalize():f}"
    if kind == "days":
        return _("%(n)s days") % {"n": text}
    return text


def unit_text(metric: str) -> str:
    """The unit of a metric's axis."""
    return {
        "count": _("case count"),
        "rate": "%",
        "days": _("days"),
        "ratio": _("ratio"),
        "weight": _("weighted cases"),
    }[kind_of(metric)]
