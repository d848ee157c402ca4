"""Records of interference (防止干预司法"三个规定"), DOMAIN.md §5: services and the one door for reads.

* Any officer records an inquiry or request about a case, with who asked, when, how, what, and how it
  was handled. Records are permanent (append-only, and on PostgreSQL a trigger refuses changes) and
  chained: each record's hash covers the previous one, so ``verify_records`` finds an edit or deletion.
* They are kept out of the case's trace, which the people recorded and their superiors may read. Only
  the recorder, and inspectors and the case-management office in scope, see a record; an inspector or
  case-management officer who is the person recorded, or in that person's chain of command, does not.
* Each quarter each department files a report, a nil report (零报告) when nothing was recorded; a report
  not filed within the grace period is flagged to the case-management office and inspectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import chain
from accountability.chain import GENESIS_HASH, INTERFERENCE
from accountability.choices import ActionType, RoleCode
from accountability.errors import Conflict, NotFound, ValidationFailed
from accountability.models import Department, Notification, Officer
from accountability.notifications import notify
from accountability.powers import power_decide
from accountability.selectors import officer_for_user
from cases import attachments
from cases.models import Case
from interference import events
from interference.choices import InterferenceChannel, InterferenceSource
from interference.models import InterferenceAttachment, InterferenceRecord, InterferenceReport

#: Who sees every record in their organisation and below (except about themselves and their subordinates).
REGISTER_ROLES = (RoleCode.INSPECTOR, RoleCode.CASE_MANAGEMENT)
_LOCK_KEY = 0x51_75_61_6E  # pg_advisory_xact_lock key serialising the records' chain


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def record_interference(
    *,
    actor: Officer,
    case: Case,
    source_kind: str,
    person_name: str,
    occurred_at: dt.datetime | None,
    channel: str,
    content: str,
    handling: str,
    person_employer: str = "",
    person_post: str = "",
    relationship: str = "",
    person_officer: Officer | None = None,
    files: Sequence[Any] = (),
) -> InterferenceRecord:
    """Record one inquiry or request about a case (全面如实记录). Nothing is written unless all is valid."""
    decision = power_decide(officer=actor, action_type=ActionType.INTERFERENCE_RECORDED, case=case)
    decision.raise_if_denied()
    problems: dict[str, list[str]] = {}
    for field, value, message in (
        ("person_name", person_name, _("Name the person who asked.")),
        ("content", content, _("Say what was asked.")),
        ("handling", handling, _("Say how it was handled.")),
    ):
        if not value.strip():
            problems[field] = [message]
    if source_kind not in InterferenceSource.values:
        problems["source_kind"] = [_("Choose who asked.")]
    if channel not in InterferenceChannel.values:
        problems["channel"] = [_("Choose how the request came.")]
    if occurred_at is None:
        problems["occurred_at"] = [_("Give when it happened.")]
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        problems["occurred_at"] = [_("It cannot have happened in the future.")]
    if person_officer is not None and person_officer.pk == actor.pk:
        problems["person_officer"] = [_("You cannot record yourself.")]
    if problems:
        raise ValidationFailed(_("The record is incomplete."), details=problems)
    checked = attachments.check_uploads(list(files)) if files else []
    with attachments.storing() as written, transaction.atomic():
        record = _append(
            actor=actor, case=case, source_kind=source_kind, person_name=person_name.strip(),
            person_employer=person_employer.strip(), person_post=person_post.strip(),
            relationship=relationship.strip(), person_officer=person_officer, occurred_at=occurred_at,
            channel=channel, content=content.strip(), handling=handling.strip(),
        )  # fmt: skip
        for file in checked:
            stored = attachments.store(file)
            written.append(stored)
            InterferenceAttachment.objects.create(
                record=record, original_name=file.name, stored_name=stored, content_type=file.content_type,
                size=file.size, sha256=file.sha256,
            )  # fmt: skip
        if person_officer is not None:  # an officer who asked about a case: discipline makes it a lead
            events.officer_named.send(sender=InterferenceRecord, record=record)
    return record


def _append(**fields: Any) -> InterferenceRecord:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = InterferenceRecord.objects.order_by("-seq").values("seq", "hash").first()
    actor, case = fields.pop("actor"), fields.pop("case")
    record = InterferenceRecord(
        seq=(last["seq"] + 1) if last else 1, case=case, organisation_id=case.organisation_id,
        department_id=actor.department_id, recorder=actor, recorded_at=timezone.now(),
        prev_hash=last["hash"] if last else GENESIS_HASH, **fields,
    )  # fmt: skip
    record.hash = INTERFERENCE.hash(record.prev_hash, {name: getattr(record, name) for name in INTERFERENCE.fields})
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("Another record was being saved at the same moment; send it again.")) from None
    return record


def verify_records() -> list[str]:
    """Problems in the records' chain (an edited, removed or inserted record), in order; empty when intact."""
    rows = InterferenceRecord.objects.order_by("seq").values(*INTERFERENCE.columns()).iterator()
    return [f"{INTERFERENCE.name} #{link.seq}: {link.problem}" for link in chain.verify(INTERFERENCE, rows)]


def _chain_of_command_of(viewer: Officer) -> Q:
    """Records about people the viewer leads (their chain of command must not learn who recorded)."""
    led = Q(pk__in=[])
    if viewer.has_role(RoleCode.DIVISION_CHIEF) and viewer.department_id is not None:
        led |= Q(person_officer__department_id=viewer.department_id)
    if viewer.has_role(RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT):
        led |= Q(person_officer__organisation__path__startswith=viewer.organisation.path)
    return led


def records_visible_to(user: Any) -> QuerySet[InterferenceRecord]:
    """The one door for reading interference records (no superuser bypass: the recorder is protected)."""
    officer = officer_for_user(user)
    queryset = InterferenceRecord.objects.select_related("case", "recorder", "department", "person_officer")
    if officer is None:
        return queryset.none()
    scope = Q(recorder=officer)
    if officer.has_role(*REGISTER_ROLES):
        register = Q(organisation__path__startswith=officer.organisation.path) & ~Q(person_officer=officer)
        scope |= register & ~_chain_of_command_of(officer)
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


def _count_in_quarter(department: Department, year: int, quarter: int) -> int:
    start, end = quarter_bounds(year, quarter)
    return InterferenceRecord.objects.filter(
        department=department, occurred_at__date__gte=start, occurred_at__date__lte=end
    ).count()


@transaction.atomic
def report_file(
    *, actor: Officer, department: Department, year: int, quarter: int, note: str = ""
) -> InterferenceReport:
    """File the department's quarterly report; with no records in the quarter it is a nil report."""
    decision = power_decide(
        officer=actor, action_type=ActionType.INTERFERENCE_REPORT_FILED, organisation=department.organisation,
        department=department,
    )  # fmt: skip
    decision.raise_if_denied()
    if quarter not in (1, 2, 3, 4):
        raise _invalid("quarter", _("A quarter is 1, 2, 3 or 4."))
    if quarter_bounds(year, quarter)[1] >= timezone.localdate():
        raise _invalid("quarter", _("A quarter can be reported only after it has ended."))
    records = _count_in_quarter(department, year, quarter)
    try:
        with transaction.atomic():
            return InterferenceReport.objects.create(
                department=department, year=year, quarter=quarter, records=records, is_nil=records == 0,
                note=note.strip(), filed_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(_("This quarter's report has already been filed.")) from None


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


def reports_status(*, departments: QuerySet[Department], year: int, quarter: int) -> list[ReportStatus]:
    """Each department's report for the quarter: filed, nil, due or missing (three queries, any size)."""
    departments = list(departments.select_related("organisation").order_by("organisation__code", "code"))
    start, end = quarter_bounds(year, quarter)
    counts = dict(
        InterferenceRecord.objects.filter(
            department__in=departments, occurred_at__date__gte=start, occurred_at__date__lte=end
        )
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


def flag_missing_reports(*, today: dt.date | None = None) -> int:
    """Tell the case-management office and inspectors of each organisation, once, which departments have
    not filed last quarter's report by its due date. Returns how many reports are missing."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    if report_due_on(year, quarter) >= today:
        return 0
    missing = [
        s for s in reports_status(departments=Department.objects.all(), year=year, quarter=quarter)
        if s.state == "missing"
    ]  # fmt: skip
    link = reverse("interference:reports") + f"?year={year}&quarter={quarter}"
    for status in missing:
        message = _("Missing quarterly interference report: %(dept)s, %(year)s Q%(q)s (due %(due)s).") % {
            "dept": status.department.name, "year": year, "q": quarter, "due": status.due_on.isoformat(),
        }  # fmt: skip
        watchers = Officer.objects.filter(
            organisation_id=status.department.organisation_id, roles__code__in=REGISTER_ROLES
        ).distinct()
        already = set(
            Notification.objects.filter(recipient__in=watchers, message=message[:500]).values_list(
                "recipient_id", flat=True
            )
        )
        notify(officers=[o for o in watchers if o.pk not in already], message=message, link=link)
        events.report_missing.send(sender=InterferenceReport, department=status.department, year=year, quarter=quarter)
    return len(missing)
