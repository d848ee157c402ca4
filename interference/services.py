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
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import chain
from accountability.chain import GENESIS_HASH, INTERFERENCE
from accountability.choices import ActionType
from accountability.errors import Conflict, ValidationFailed
from accountability.models import ChainHead, Department, Notification, Officer
from accountability.notifications import notify
from accountability.powers import power_decide
from cases import attachments
from cases.models import Case
from interference import events
from interference.choices import InterferenceChannel, InterferenceSource
from interference.models import InterferenceAttachment, InterferenceRecord, InterferenceReport
from interference.selectors import (
    REGISTER_ROLES,
    count_in_quarter,
    quarter_bounds,
    quarter_of,
    report_due_on,
    reports_status,
)

#: The longest "what was asked" or "how it was handled" (the text fields have no column limit): a record says
#: what happened in a few paragraphs; longer material belongs in an attachment.
TEXT_MAX_CHARS = 10_000


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
    for field, value in (
        ("person_name", person_name),
        ("person_employer", person_employer),
        ("person_post", person_post),
        ("relationship", relationship),
        ("content", content),
        ("handling", handling),
    ):
        if "\x00" in value:  # PostgreSQL text cannot hold it: refused here, not a server error at the insert
            problems.setdefault(field, []).append(_("The text contains a NUL character; remove it."))
        limit = InterferenceRecord._meta.get_field(field).max_length or TEXT_MAX_CHARS
        if len(value.strip()) > limit:
            problems.setdefault(field, []).append(
                _("At most %(limit)s characters (%(count)s given).") % {"limit": limit, "count": len(value.strip())}
            )
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
            actor=actor,
            case=case,
            source_kind=source_kind,
            person_name=person_name.strip(),
            person_employer=person_employer.strip(),
            person_post=person_post.strip(),
            relationship=relationship.strip(),
            person_officer=person_officer,
            occurred_at=occurred_at,
            channel=channel,
            content=content.strip(),
            handling=handling.strip(),
        )
        for file in checked:
            stored = attachments.store(file)
            written.append(stored)
            InterferenceAttachment.objects.create(
                record=record,
                original_name=file.name,
                stored_name=stored,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
            )
        if person_officer is not None:  # an officer who asked about a case: discipline makes it a lead
            events.officer_named.send(sender=InterferenceRecord, record=record)
    return record


def _append(**fields: Any) -> InterferenceRecord:
    """The next record of the register's one chain, under the lock of its sealed head (``ChainHead``)."""
    head = ChainHead.lock(INTERFERENCE.name)
    actor, case = fields.pop("actor"), fields.pop("case")
    record = InterferenceRecord(
        seq=head.length + 1,
        case=case,
        organisation_id=case.organisation_id,
        department_id=actor.department_id,
        recorder=actor,
        recorded_at=timezone.now(),
        prev_hash=head.head,
        **fields,
    )
    record.hash = INTERFERENCE.hash(record.prev_hash, {name: getattr(record, name) for name in INTERFERENCE.fields})
    record.mac = INTERFERENCE.seal(record.hash)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("Another record was being saved at the same moment; send it again.")) from None
    head.advance(INTERFERENCE, record.hash)
    return record


def verify_records() -> list[str]:
    """Problems in the records' chain (an edited, removed or inserted record, a rewrite without the key, a
    removed tail), in order; empty when intact."""
    head = ChainHead.objects.filter(name=INTERFERENCE.name).values("length", "head", "mac").first()
    rows = InterferenceRecord.objects.order_by("seq").values(*INTERFERENCE.columns()).iterator()
    if head is None:  # no record was ever written through the head: there must be none
        head = {"length": 0, "head": GENESIS_HASH, "mac": ""}
    broken = chain.verify(
        INTERFERENCE, rows, head=head["head"], length=head["length"], scope=INTERFERENCE.name, head_mac=head["mac"]
    )
    return [f"{INTERFERENCE.name} {f'#{link.seq}' if link.seq else '(head)'}: {link.problem}" for link in broken]


@transaction.atomic
def report_file(
    *, actor: Officer, department: Department, year: int, quarter: int, note: str = ""
) -> InterferenceReport:
    """File the department's quarterly report; with no records in the quarter it is a nil report."""
    decision = power_decide(
        officer=actor,
        action_type=ActionType.INTERFERENCE_REPORT_FILED,
        organisation=department.organisation,
        department=department,
    )
    decision.raise_if_denied()
    if quarter not in (1, 2, 3, 4):
        raise _invalid("quarter", _("A quarter is 1, 2, 3 or 4."))
    if quarter_bounds(year, quarter)[1] >= timezone.localdate():
        raise _invalid("quarter", _("A quarter can be reported only after it has ended."))
    records = count_in_quarter(department, year, quarter, viewer=actor)  # what the filer may know of (§5)
    try:
        with transaction.atomic():
            return InterferenceReport.objects.create(
                department=department,
                year=year,
                quarter=quarter,
                records=records,
                is_nil=records == 0,
                note=note.strip(),
                filed_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This quarter's report has already been filed.")) from None


def flag_missing_reports(*, today: dt.date | None = None) -> int:
    """Tell the case-management office and inspectors of each organisation, once, which departments have
    not filed last quarter's report by its due date. Returns how many reports are missing."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    if report_due_on(year, quarter) >= today:
        return 0
    missing = [
        s
        for s in reports_status(departments=Department.objects.all(), year=year, quarter=quarter, viewer=None)
        if s.state == "missing"
    ]
    link = reverse("interference:reports") + f"?year={year}&quarter={quarter}"
    for status in missing:
        message = _("Missing quarterly interference report: %(dept)s, %(year)s Q%(q)s (due %(due)s).") % {
            "dept": status.department.name,
            "year": year,
            "q": quarter,
            "due": status.due_on.isoformat(),
        }
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
