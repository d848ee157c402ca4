"""Interference records (三个规定) in the browser: the register, a record, the quarterly reports, exports.
A refusal is not caught here: ``DomainErrorMiddleware`` shows it (the record form, declared with
``renders_domain_errors``, again with what was typed and each field's problem)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accountability.audit import audit_read
from accountability.errors import DomainError, NotFound, PowerDenied, ValidationFailed
from accountability.http import int_or_none
from accountability.middleware import renders_domain_errors
from accountability.paging import keyset_page
from accountability.selectors import officer_for_user, officer_named
from accountability.xlsx import xlsx_response
from cases import attachments
from cases.filing import case_number_normalise
from cases.models import Case
from interference import selectors as interference_selectors
from interference import services as interference
from interference.choices import InterferenceChannel, InterferenceSource


@login_required
def interference_list(request: HttpRequest) -> HttpResponse:
    """My records, and for inspectors and the case-management office, the register in their scope."""
    officer = officer_for_user(request.user)
    records = interference_selectors.records_visible_to(request.user)
    page = keyset_page(request, records, ordering=("-occurred_at", "-seq"), size=25)
    audit_read(request, "interference_record", "list:" + ",".join(str(r.seq) for r in page)[:58], allowed=True)
    return render(
        request,
        "interference/list.html",
        {
            "page": page,
            "register": interference_selectors.may_read_register(officer),
            "reports": interference_selectors.report_departments_visible_to(officer).exists(),
        },
    )


def _new_page(request: HttpRequest, data: Any, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return render(
        request,
        "interference/new.html",
        {
            "data": data,
            "errors": errors or {},
            "sources": InterferenceSource.choices,
            "channels": InterferenceChannel.choices,
        },
        status=400 if errors else 200,
    )


def _no_case() -> list[str]:
    return [_("No case with this number that you may record about.")]


def _new_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refused record: the form again with what was typed and each field's problem (400). A case the officer
    may not record about reads as a missing one."""
    if isinstance(exc, PowerDenied):
        errors = {"case_number": _no_case()}
    else:
        errors = {k: v if isinstance(v, list) else [v] for k, v in exc.details.items()} or {"general": [exc.message]}
    return _new_page(request, request.POST, errors)


@login_required
@renders_domain_errors(_new_refused)
def interference_new(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    if officer is None:
        raise PermissionDenied
    if request.method != "POST":
        now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")  # the form says when; most records are made at once
        return _new_page(request, {"case_number": request.GET.get("case", ""), "occurred_at": now})
    data = request.POST
    errors: dict[str, list[str]] = {}
    for field in ("case_number", "person_officer_id"):  # looked up below: a NUL would fail in PostgreSQL
        if "\x00" in data.get(field, ""):
            errors[field] = [_("The text contains a NUL character; remove it.")]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), details=errors)
    case = Case.objects.filter(case_number=case_number_normalise(data.get("case_number", ""))).first()
    if case is None:
        errors["case_number"] = _no_case()
    person = None
    if data.get("person_officer_id"):
        person = officer_named(request.user, data["person_officer_id"])
        if person is None:
            errors["person_officer_id"] = [_("No officer with this name or number.")]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), details=errors)
    occurred = parse_datetime(data.get("occurred_at", "") or "")
    if occurred is not None and timezone.is_naive(occurred):
        occurred = timezone.make_aware(occurred)
    record = interference.record_interference(
        actor=officer,
        case=case,
        source_kind=data.get("source_kind", ""),
        person_name=data.get("person_name", ""),
        person_employer=data.get("person_employer", ""),
        person_post=data.get("person_post", ""),
        relationship=data.get("relationship", ""),
        person_officer=person,
        occurred_at=occurred,
        channel=data.get("channel", ""),
        content=data.get("content", ""),
        handling=data.get("handling", ""),
        files=request.FILES.getlist("files"),
    )
    messages.success(request, _("Recorded. The record is permanent; the people recorded cannot see it."))
    return redirect("interference:detail", public_id=record.public_id)


@login_required
def interference_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        record = interference_selectors.record_get_for_user(request.user, public_id)
    except NotFound as exc:
        audit_read(request, "interference_record", public_id, allowed=False)
        raise Http404 from exc
    audit_read(request, "interference_record", public_id, allowed=True)
    return render(request, "interference/detail.html", {"record": record})


@login_required
def interference_attachment_download(request: HttpRequest, public_id, attachment_id) -> FileResponse:
    """A file kept with a record: to those who may read the record (the same door), always as a download."""
    try:
        record = interference_selectors.record_get_for_user(request.user, public_id)
    except NotFound as exc:
        audit_read(request, "interference_record", public_id, allowed=False)
        raise Http404 from exc
    attachment = next((a for a in record.attachments.all() if str(a.public_id) == str(attachment_id)), None)
    if attachment is None:
        raise Http404
    audit_read(request, "interference_record", public_id, allowed=True)
    return attachments.download_response(attachment.stored_name, attachment.original_name, attachment.content_type)


INTERFERENCE_HEADER = (
    "序号",
    "案号",
    "过问人",
    "工作单位",
    "职务",
    "关系",
    "类别",
    "时间",
    "方式",
    "过问内容",
    "处理情况",
    "记录人",
    "记录人部门",
    "记录时间",
)


@login_required
def interference_export(request: HttpRequest) -> HttpResponse:
    """The records I may see, as an Excel workbook (the same rows as the register)."""
    records = interference_selectors.records_visible_to(request.user).order_by("seq")
    audit_read(request, "interference_record", "export", allowed=True)
    rows = (
        (
            r.seq,
            r.case.case_number,
            r.person_name,
            r.person_employer,
            r.person_post,
            r.relationship,
            r.get_source_kind_display(),
            timezone.localtime(r.occurred_at).strftime("%Y-%m-%d %H:%M"),
            r.get_channel_display(),
            r.content,
            r.handling,
            r.recorder.name,
            r.department.name if r.department else "",
            timezone.localtime(r.recorded_at).strftime("%Y-%m-%d %H:%M"),
        )
        for r in records.iterator(chunk_size=2000)
    )
    return xlsx_response("interference-records.xlsx", "过问干预记录", INTERFERENCE_HEADER, rows)


def _quarter(request: HttpRequest) -> tuple[int, int]:
    year, quarter = interference_selectors.quarter_of(timezone.localdate())
    default = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    try:
        chosen = int(request.GET.get("year", default[0])), int(request.GET.get("quarter", default[1]))
    except ValueError:
        return default
    return chosen if chosen[1] in (1, 2, 3, 4) and 2000 <= chosen[0] <= 2100 else default


@login_required
def interference_reports(request: HttpRequest) -> HttpResponse:
    """Quarterly reports per department: filed, nil, due or missing; a leader files their department's."""
    officer = officer_for_user(request.user)
    departments = interference_selectors.report_departments_visible_to(officer)
    if request.method == "POST":
        department = departments.filter(pk=int_or_none(request.POST.get("department"))).first()
        if department is None:
            raise Http404
        year, quarter = int_or_none(request.POST.get("year")), int_or_none(request.POST.get("quarter"))
        if year is None or quarter is None:
            raise ValidationFailed(_("Choose the year and quarter."))
        interference.report_file(
            actor=officer, department=department, year=year, quarter=quarter, note=request.POST.get("note", "")
        )
        messages.success(request, _("Report filed."))
        return redirect(f"{request.path}?year={year}&quarter={quarter}")
    if not departments.exists():
        raise PermissionDenied(_("Quarterly reports are for leaders, inspectors and the case-management office."))
    year, quarter = _quarter(request)
    statuses = interference_selectors.reports_status(
        departments=departments, year=year, quarter=quarter, viewer=officer
    )
    return render(
        request,
        "interference/reports.html",
        {
            "statuses": statuses,
            "year": year,
            "quarter": quarter,
            "ended": interference_selectors.quarter_bounds(year, quarter)[1] < timezone.localdate(),
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        },
    )


@login_required
def interference_reports_export(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    departments = interference_selectors.report_departments_visible_to(officer)
    if not departments.exists():
        raise PermissionDenied
    year, quarter = _quarter(request)
    states = {"filed": _("Reported"), "nil": _("Nil report"), "due": _("Not yet due"), "missing": _("Missing")}
    rows = (
        (
            s.department.organisation.name,
            s.department.name,
            f"{year}Q{quarter}",
            s.records,
            str(states[s.state]),
            s.due_on.isoformat(),
            timezone.localtime(s.report.filed_at).strftime("%Y-%m-%d") if s.report else "",
        )
        for s in interference_selectors.reports_status(
            departments=departments, year=year, quarter=quarter, viewer=officer
        )
    )
    header = ("单位", "部门", "季度", "记录件数", "报告状态", "报送期限", "报送日期")
    return xlsx_response(f"interference-reports-{year}Q{quarter}.xlsx", "季度报告", header, rows)
