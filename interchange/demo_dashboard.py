"""What the demo's dashboard needs to be presented: reference ranges for the metrics a court is judged on, marked as
example values the court must confirm (the note the admin lists beside each range), and the windows the default
window is compared with (the same twelve months a year earlier and a month earlier), so the headline cards show
their colours and their changes.

The counts (cases filed, closed, pending; weighted cases closed) get no range: what is right depends on the
window's length and the court's size, which one band for every window and court cannot say. The leaders' caseload
bands are the defaults of migration ``evaluation.0003``. A range a court has already set is never overwritten.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dashboards.selectors import Window as DashboardWindow
from dashboards.selectors import shifted
from evaluation.metrics import Window
from evaluation.models import MetricRange
from evaluation.services import metrics_store, standard_windows

EXAMPLE_NOTE = "示例值（演示数据）：须经本院审判管理办公室核定后方可使用"

#: metric → (low, high); None is an open end.
EXAMPLE_RANGES: dict[str, tuple[str | None, str | None]] = {
    "clearance_ratio": ("0.90", "1.10"),  # 结收案比
    "closure_rate": ("0.80", None),  # 结案率
    "within_limit_rate": ("0.95", None),  # 法定审限内结案率
    "avg_duration_days": (None, "90"),  # 平均审理天数
    "extension_rate": (None, "0.10"),  # 延长审限率
    "pending_over_12m_ratio": (None, "0.05"),  # 12个月以上未结案件占比
    "appeal_rate": (None, "0.15"),  # 上诉率
    "acceptance_rate": ("0.85", None),  # 一审服判息诉率
    "appeal_amended_remanded_ratio": (None, "0.15"),  # 二审改判发回率
    "retrial_amended_remanded_ratio": (None, "0.10"),  # 再审改判发回率
    "enforcement_recovery_rate": ("0.50", None),  # 执行到位率
    "case_proceeding_ratio": ("1.00", "1.35"),  # 案件比
}


def reference_ranges() -> int:
    """The example ranges (metric-wide: any post, any level); returns how many were added."""
    added = 0
    for metric, (low, high) in EXAMPLE_RANGES.items():
        _range, created = MetricRange.objects.get_or_create(
            metric=metric,
            post="",
            organisation_level="",
            defaults={
                "low": Decimal(low) if low is not None else None,
                "high": Decimal(high) if high is not None else None,
                "note": EXAMPLE_NOTE,
            },
        )
        added += created
    return added


def comparison_windows() -> None:
    """The last twelve months a year earlier and a month earlier (the default window's comparisons)."""
    last_twelve = standard_windows(timezone.localdate())[-1]
    window = DashboardWindow(last_twelve.start, last_twelve.end)
    for earlier in (shifted(window, months=12), shifted(window, months=1)):
        metrics_store(window=Window(earlier.start, earlier.end))
