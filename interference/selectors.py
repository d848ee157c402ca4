"""Reads of the interference register: the one door that keeps the recorder protected (the person recorded and
their chain of command never see a record about them), and the quarterly report status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import RoleCode
from accountability.errors import NotFound
from accountability.models import Department, Officer
from accountability.selectors import officer_for_user
from interference.models import InterferenceRecord, InterferenceReport

#: Who sees every record in their organisation and below (except about themselves and their subordinates).
REGISTER_ROLES = (RoleCode.INSPECTOR, RoleCode.CASE_MANAGEMENT)


def _chain_of_command_of(viewer: Officer) -> Q:
    """Records about people the viewer leads (their chain of command must not learn who recorded)."""
    led = Q(pk__in=[])
    if viewer.has_role(RoleCode.DIVISION_CHIEF) and viewer.department_id is not None:
        led |= Q(person_officer__department_id=viewer.department_id)
    if viewer.has_role(RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT):
        led |= Q(person_officer__organisation__path__startswith=viewer.organisation.path)
    return led


def hidden_from(viewer: Officer) -> Q:
    """Records the viewer must not learn of, not even as a number: those naming him, and those naming people he
    leads (the person recorded and their chain of command must not learn who recorded them, DOMAIN.md §5)."""
    return Q(person_officer=viewer) | _chain_of_command_of(viewer)


def records_visible_to(user: Any) -> QuerySet[InterferenceRecord]:
    """The one door for reading interference records (no superuser bypass: the recorder is protected)."""
    officer = officer_for_user(user)
    queryset = InterferenceRecord.objects.select_related("case", "recorder", "department", "person_officer")
    if officer is None:
        return queryset.none()
    scope = Q(recorder=officer)
    if officer.has_role(*REGISTER_ROLES):
        register = Q(organisation__path__startswith=officer.organisation.path)
        scope |= register & ~hidden_from(officer)
    return queryset.filter(scope)


def may_read_register(officer: Officer | None) -> bool:
    return officer is not None and officer.has_role(*REGISTER_ROLES)


def record_get_for_user(user: Any, public_id: Any) -> InterferenceRecord:
    record = records_visible_to(user).filter(public_id=public_id).prefetch_related("attachments").first()
    if record is None:
        raise NotFound(_("No such record."))
    return record


# --- quarterly reports ----------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of the quarter."""
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def report_due_on(year: int, quarter: int) -> dt.date:
    return quarter_bounds(year, quarter)[1] + dt.timedelta(days=settings.QUANZE_INTERFERENCE_REPORT_GRACE_DAYS)


def counted_for(viewer: Officer | None) -> QuerySet[InterferenceRecord]:
    """The records a quarterly count shown to (or filed by) ``viewer`` may include: all but those hidden from him
    (:func:`hidden_from`). Otherwise a division chief watching his department's count go from 5 to 6 the moment a
    record names him would learn he was recorded, and by whom (his department's recorders, that day). ``None``: no
    officer is shown the number (the missing-report sweep, which looks only at filed reports)."""
    records = InterferenceRecord.objects.all()
    return records if viewer is None else records.exclude(hidden_from(viewer))


def count_in_quarter(department: Department, year: int, quarter: int, *, viewer: Officer | None) -> int:
    start, end = quarter_bounds(year, quarter)
    return (
        counted_for(viewer)
        .filter(department=department, occurred_at__date__gte=start, occurred_at__date__lte=end)
        .count()
    )


@dataclass(frozen=True)
class ReportStatus:
    department: Department
    year: int
    quarter: int
    due_on: dt.date
    records: int
    report: InterferenceReport | None

    @property
    def state(self) -> str:
        if self.report is not None:
            return "nil" if self.report.is_nil else "filed"
        return "missing" if self.due_on < timezone.localdate() else "due"


def reports_status(
    *, departments: QuerySet[Department], year: int, quarter: int, viewer: Officer | None
) -> list[ReportStatus]:
    """Each department's report for the quarter: filed, nil, due or missing (three queries, any size). The record
    counts are those ``viewer`` may be shown (:func:`counted_for`)."""
    departments = list(departments.select_related("organisation").order_by("organisation__code", "code"))
    start, end = quarter_bounds(year, quarter)
    counts = dict(
        counted_for(viewer)
        .filter(department__in=departments, occurred_at__date__gte=start, occurred_at__date__lte=end)
        .values_list("department")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reports = {
        r.department_id: r
        for r in InterferenceReport.objects.filter(department__in=departments, year=year, quarter=quarter)
    }
    due = report_due_on(year, quarter)
    return [ReportStatus(d, year, quarter, due, counts.get(d.pk, 0), reports.get(d.pk)) for d in departments]


def report_departments_visible_to(officer: Officer | None) -> QuerySet[Department]:
    """Departments whose report status the officer may see: leaders and the register roles in scope."""
    if officer is None:
        return Department.objects.none()
    if officer.has_role(*REGISTER_ROLES, RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT):
        return Department.objects.filter(organisation__path__startswith=officer.organisation.path)
    if officer.has_role(RoleCode.DIVISION_CHIEF) and officer.department_id is not None:
        return Department.objects.filter(pk=officer.department_id)
    return Department.objects.none()
