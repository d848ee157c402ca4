"""Dashboards: where a court, a division or an officer stands, against reference ranges and over time, never
as a league table (the SPC forbids ranking courts by these indicators), with every number traceable to the
cases behind it. Pages read stored results only (``dashboards.selectors``). A window that cannot be read is not
caught here: each view declares with ``renders_domain_errors`` how ``DomainErrorMiddleware`` shows it (the
dashboard says why; the drill-down and the export have nothing to show)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.choices import LEADER_ROLES, RoleCode, role_label
from accountability.errors import DomainError
from accountability.middleware import renders_domain_errors
from accountability.paging import keyset_page
from accountability.routers import replica_reads
from accountability.selectors import officer_for_user
from cases.selectors import cases_visible_to
from dashboards import drill, exporting, formatting
from dashboards.selectors import (
    HEADLINE,
    Scope,
    Window,
    alerts_panel,
    discipline_panel,
    interference_panel,
    metric_panel,
    quality_panel,
    scope_get,
    scopes_for,
    window_parse,
    windows_of,
)
from dashboards.todo import DUE_SOON_DAYS, todo_for
from evaluation.metrics import METRIC_LABELS

STATUS_LABELS = {
    "within": gettext_lazy("within range"),
    "below": gettext_lazy("below range"),
    "above": gettext_lazy("above range"),
    "none": gettext_lazy("no range set"),
    # a count (cases filed, closed, pending; weighted cases closed) depends on the window's length and the court's
    # size: no band fits every window and court, so none is set (interchange.demo_dashboard)
    "uncounted": gettext_lazy("a count: no range"),
}


def _scope_and_window(request: HttpRequest) -> tuple[Scope, list[Window], Window | None]:
    """The scope asked for (one the user may not see is a 404) and the window (``ValidationFailed`` when it
    cannot be read; None when nothing is stored yet)."""
    scope = scope_get(request.user, request.GET.get("scope"))
    available = windows_of(scope)
    return scope, available, window_parse(request.GET.get("window"), available)


def _window_refused(request: HttpRequest, exc: DomainError) -> HttpResponse | None:
    """A window that cannot be read: the dashboard without results, saying why under the window field (400)."""
    if "window" not in exc.details:
        return None
    with replica_reads():
        return _dashboard(request, window_error=exc.message)


def _window_not_found(request: HttpRequest, exc: DomainError) -> HttpResponse | None:
    """The cases behind a number, or the export, of a window that cannot be read: nothing to show."""
    if "window" not in exc.details:
        return None
    raise Http404


@login_required
@renders_domain_errors(_window_refused)
def dashboard(request: HttpRequest) -> HttpResponse:
    with replica_reads():  # stored results and counts: a replica a moment behind is fine
        return _dashboard(request)


def _dashboard(request: HttpRequest, *, window_error: str | None = None) -> HttpResponse:
    scope = scope_get(request.user, request.GET.get("scope"))
    available = windows_of(scope)
    window = None if window_error else window_parse(request.GET.get("window"), available)
    context: dict[str, Any] = {
        "scope": scope,
        "scopes": scopes_for(request.user),
        "windows": available,
        "window": window,
        "window_error": window_error,
        "alerts": alerts_panel(scope),
        "reports": interference_panel(request.user, scope),
        "discipline": discipline_panel(request.user),
    }
    if window is not None:
        context.update(_results(scope, window))
        context["charts"] = {row["metric"]: _chart(row) for row in context["panel"]["rows"]}
        context["report_window"] = _report_window(available, None)
    return render(request, "dashboards/dashboard.html", context, status=400 if window_error else 200)


def _results(scope: Scope, window: Window) -> dict[str, Any]:
    """The stored results of a window as the dashboard and the monthly report read them."""
    panel = metric_panel(scope, window)
    for row in panel["rows"]:
        _dress(row, window)
    by_metric = {row["metric"]: row for row in panel["rows"]}
    return {
        "panel": panel,
        "headline": [by_metric[m] for m in HEADLINE if m in by_metric],
        # what the ranges rest on (the demo's say they are examples the court must confirm), once each
        "range_notes": [
            n for n in dict.fromkeys(by_metric[m].get("range_note", "") for m in HEADLINE if m in by_metric) if n
        ],
        "quality": quality_panel(scope, window),
    }


def _month_windows(available: list[Window]) -> list[Window]:
    """The stored windows that are one calendar month (or a month to date): what a monthly report covers."""
    return [w for w in available if w.start.day == 1 and (w.start.year, w.start.month) == (w.end.year, w.end.month)]


def _report_window(available: list[Window], text: str | None) -> Window | None:
    """The month asked for (by its window), or the newest whole month stored, or the newest month to date."""
    months = _month_windows(available)
    if text:
        return next((w for w in months if w.key == text), None)
    whole = [w for w in months if (w.end + dt.timedelta(days=1)).day == 1]
    return (whole or months or [None])[0]


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The month's report of a scope as a printable document (A4): the headline figures against their ranges and
    the changes, every metric, the alerts and the quality reviews, with what the numbers rest on."""
    with replica_reads():
        scope = scope_get(request.user, request.GET.get("scope"))
        available = windows_of(scope)
        window = _report_window(available, request.GET.get("window"))
        if window is None:
            raise Http404
        context = {
            "scope": scope,
            "window": window,
            "months": _month_windows(available),
            "whole_month": (window.end + dt.timedelta(days=1)).day == 1,
            "alerts": alerts_panel(scope),
            "printed_at": timezone.localtime(),
            **_results(scope, window),
        }
        return render(request, "dashboards/report.html", context)


def _dress(row: dict[str, Any], window: Window) -> None:
    """A panel row as the page reads it: each number formatted by its metric's kind, the range and the changes."""
    metric = row["metric"]
    row["label"] = METRIC_LABELS[metric]
    unranged_count = row["status"] == "none" and row["kind"] in ("count", "weight")
    row["status_label"] = STATUS_LABELS["uncounted" if unranged_count else row["status"]]
    listed = drill.parts(metric, window) if metric in drill.DRILLABLE else {}
    row["drillable"] = "numerator" in listed and row["numerator"] is not None  # an average's day total is no list
    row["value_text"] = formatting.value_text(metric, row["value"])
    row["numerator_text"] = formatting.part_text(metric, row["numerator"], part="numerator")
    row["denominator_text"] = formatting.part_text(metric, row["denominator"], part="denominator")
    row["denominator_drillable"] = "denominator" in listed and row["kind"] not in formatting.NO_DENOMINATOR
    row["range_text"] = formatting.range_text(metric, row["low"], row["high"])
    row["last_year_text"] = formatting.change_text(metric, row["value"], row.get("last_year"))
    row["last_month_text"] = formatting.change_text(metric, row["value"], row.get("last_month"))
    for point in row["trend"]:
        point["text"] = formatting.value_text(metric, point["value"])
    for band in row["histogram"]:
        band["text"] = formatting.bin_text(metric, band["from"], band["to"])


def _chart(row: dict[str, Any]) -> dict[str, Any]:
    metric = row["metric"]
    return {
        "label": str(row["label"]),
        "kind": row["kind"],
        "rate": row["rate"],
        "unit": formatting.unit_text(metric),
        "month": _("Month"),
        "band": _("Value band"),
        "officers": _("Officers"),
        "low": _num(row["low"]),
        "high": _num(row["high"]),
        "trend": [[t["month"], _num(t["value"])] for t in row["trend"]],
        "histogram": [[formatting.bin_text(metric, b["from"], b["to"]), b["count"]] for b in row["histogram"]],
    }


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


@login_required
@renders_domain_errors(_window_not_found)
def drill_down(request: HttpRequest) -> HttpResponse:
    """The cases behind a number: exactly those counted (the count shown equals the stored number)."""
    scope, _available, window = _scope_and_window(request)
    metric, part = request.GET.get("metric", ""), request.GET.get("part", "numerator")
    if window is None:
        raise Http404
    counted = drill.drill_cases(scope, window, metric, part)
    cases = drill.drill_cases_visible_to(request.user, scope, window, metric, part)
    if counted is None or cases is None:
        raise Http404
    cases = cases.select_related("lead_officer", "organisation")
    page = keyset_page(request, cases, ordering=("-filed_on", "-pk"), size=50, kind="drill")
    total = counted.count()
    return render(
        request,
        "dashboards/drill.html",
        {
            "scope": scope,
            "window": window,
            "metric": metric,
            "label": METRIC_LABELS.get(metric, metric),
            "part": part,
            "page": page,
            "total": total,
            "hidden": total - cases.count(),
        },
    )


@login_required
@renders_domain_errors(_window_not_found)
def export(request: HttpRequest) -> HttpResponse:
    """The dashboard's metrics table as Excel, the same numbers as the page."""
    scope, _available, window = _scope_and_window(request)
    if window is None:
        raise Http404
    panel = metric_panel(scope, window)
    for row in panel["rows"]:
        _dress(row, window)
    name = f"dashboard-{scope.subject.replace('/', '-')}-{window.key}.xlsx"
    title = f"{scope.label} {window.start}—{window.end}"
    return exporting.metrics_xlsx_response(name, title, window, panel["rows"])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    counts = cases_visible_to(request.user).aggregate(
        open=Count("pk", filter=Q(closed_on__isnull=True)),
        closed=Count("pk", filter=Q(closed_on__isnull=False)),
    )
    mine = None
    if officer is not None:
        mine = (
            cases_visible_to(request.user)
            .filter(lead_officer=officer)
            .aggregate(open=Count("pk", filter=Q(closed_on__isnull=True)), total=Count("pk"))
        )
    roles = sorted(officer.role_codes) if officer else []
    panels = {
        "handles_cases": bool(
            officer and officer.has_role(RoleCode.JUDGE, RoleCode.PROSECUTOR, RoleCode.ASSISTANT, RoleCode.CLERK)
        ),
        "leads": bool(officer and officer.has_role(*LEADER_ROLES)),
        "evaluates": bool(officer and officer.has_role(RoleCode.EVALUATOR)),
        "disciplines": bool(officer and officer.has_role(RoleCode.COMMITTEE_MEMBER, RoleCode.INSPECTOR)),
        "recomputes": bool(
            officer and officer.has_role(RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT, RoleCode.CASE_MANAGEMENT)
        ),
        "administers": bool(request.user.is_staff or (officer and officer.has_role(RoleCode.ADMINISTRATOR))),
    }
    # 待办: a judge's, assistant's or clerk's day; the requests awaiting a decision for whoever decides them
    today = timezone.localdate()
    todo = (
        todo_for(user=request.user, officer=officer, today=today, handles_cases=panels["handles_cases"])
        if officer is not None
        else None
    )
    return render(
        request,
        "accountability/home.html",
        {
            "officer": officer,
            "role_labels": [role_label(code, officer.organisation.kind if officer else None) for code in roles],
            "counts": counts,
            "mine": mine,
            "panels": panels,
            "todo": todo,
            "due_soon_days": DUE_SOON_DAYS,
            "today": today,
        },
    )
