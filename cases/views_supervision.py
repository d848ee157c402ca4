"""Supervision in the browser: the leaders' inbox, supervision acts on a case, the panel's reports,
referrals and their outcomes, and the interference register with its quarterly reports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accountability.audit import audit_read
from accountability.errors import DomainError, NotFound
from accountability.models import Officer
from accountability.paging import keyset_page
from accountability.selectors import officer_for_user
from accountability.xlsx import xlsx_response
from cases import interference, supervision
from cases.choices import InterferenceChannel, InterferenceSource, ReferralBody, TaskKind
from cases.models import Case, Flag, Referral, SupervisionTask
from cases.selectors import (
    INBOX_TABS,
    alerts_for_leader,
    inbox_counts,
    is_supervisor,
)
from cases.views import _case_or_404


def _error(request: HttpRequest, exc: DomainError) -> None:
    details = "; ".join(f"{problem}" for problems in exc.details.values() if isinstance(problems, list)
                        for problem in problems)  # fmt: skip
    messages.error(request, f"{exc.message}{'（' + details + '）' if details and details != exc.message else ''}")


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("cases:detail", public_id=case.public_id)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """督办收件箱: open alerts in my scope, most urgent first, each with why it was raised."""
    officer = officer_for_user(request.user)
    if not is_supervisor(officer):
        raise PermissionDenied(_("The supervision inbox is for presidents and division chiefs."))
    tab = request.GET.get("tab", "pending")
    tab = tab if tab in INBOX_TABS else "pending"
    page = Paginator(alerts_for_leader(request.user, tab), 25).get_page(request.GET.get("page"))
    counts = inbox_counts(request.user)
    labels = {
        "pending": _("Awaiting confirmation"), "escalated": _("Escalated"), "supervising": _("Under supervision"),
        "tasks": _("Reports awaited"),
    }  # fmt: skip
    return render(
        request,
        "cases/inbox.html",
        {"page": page, "tab": tab, "tabs": [(t, labels[t], counts[t]) for t in INBOX_TABS],
         "bodies": ReferralBody.choices, "tomorrow": timezone.localdate() + dt.timedelta(days=1),
         "now": timezone.now()},
    )  # fmt: skip


@login_required
def case_supervise(request: HttpRequest, public_id) -> HttpResponse:
    """One supervision act on a case (on one of its alerts, or on the case itself)."""
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    post = request.POST
    flag = None
    if post.get("flag"):
        flag = Flag.objects.filter(public_id=post["flag"], case=case).first()
        if flag is None:
            raise Http404
    act = post.get("act", "")
    try:
        if act in ("confirm", "dismiss"):
            if flag is None:
                raise Http404
            supervision.flag_decide(actor=officer, flag=flag, confirm=act == "confirm", reason=post.get("reason", ""),
                                    expected_version=_int(post.get("version")))  # fmt: skip
        elif act == "comment":
            supervision.supervision_comment(actor=officer, case=case, comment=post.get("comment", ""), flag=flag)
        elif act in ("report", "search"):
            supervision.task_require(
                actor=officer, case=case, flag=flag, due_on=parse_date(post.get("due_on", "") or ""),
                kind=TaskKind.PROGRESS_REPORT if act == "report" else TaskKind.SIMILAR_SEARCH,
                instructions=post.get("instructions", ""),
            )  # fmt: skip
        elif act == "refer":
            supervision.referral_create(actor=officer, case=case, flag=flag, body=post.get("body", ""),
                                        reason=post.get("reason", ""))  # fmt: skip
        else:
            messages.error(request, _("Choose what to do."))
            return _back(request, case)
    except DomainError as exc:
        _error(request, exc)
        return _back(request, case)
    messages.success(request, _("Recorded in the case's trace."))
    return _back(request, case)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def task_report(request: HttpRequest, public_id, task_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    task = SupervisionTask.objects.filter(public_id=task_id, case=case).first()
    if task is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    try:
        supervision.task_report(actor=officer, task=task, report=request.POST.get("report", ""),
                                expected_version=_int(request.POST.get("version")))  # fmt: skip
    except DomainError as exc:
        _error(request, exc)
        return _back(request, case)
    messages.success(request, _("Report sent to %(name)s.") % {"name": task.required_by.name})
    return _back(request, case)


@login_required
def referral_outcome(request: HttpRequest, public_id, referral_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    referral = Referral.objects.filter(public_id=referral_id, case=case).first()
    if referral is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    try:
        supervision.referral_record_outcome(actor=officer, referral=referral, outcome=request.POST.get("outcome", ""),
                                            expected_version=_int(request.POST.get("version")))  # fmt: skip
    except DomainError as exc:
        _error(request, exc)
        return _back(request, case)
    messages.success(request, _("Recorded in the case's trace."))
    return _back(request, case)


# --- interference records -------------------------------------------------------------------------


@login_required
def interference_list(request: HttpRequest) -> HttpResponse:
    """My records, and for inspectors and the case-management office, the register in their scope."""
    officer = officer_for_user(request.user)
    records = interference.records_visible_to(request.user)
    page = keyset_page(request, records, ordering=("-occurred_at", "-seq"), size=25)
    audit_read(request, "interference_record", "list:" + ",".join(str(r.seq) for r in page)[:58], allowed=True)
    return render(request, "cases/interference_list.html", {
        "page": page, "register": interference.may_read_register(officer),
        "reports": interference.report_departments_visible_to(officer).exists(),
    })  # fmt: skip


@login_required
def interference_new(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    if officer is None:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else {"case_number": request.GET.get("case", "")}
    if request.method == "POST":
        case = Case.objects.filter(case_number=data.get("case_number", "").strip()).first()
        person = None
        if data.get("person_officer_id"):
            person = Officer.objects.filter(officer_id=data["person_officer_id"].strip()).first()
            if person is None:
                errors["person_officer_id"] = [_("No officer with this number.")]
        occurred = parse_datetime(data.get("occurred_at", "") or "")
        if occurred is not None and timezone.is_naive(occurred):
            occurred = timezone.make_aware(occurred)
        if case is None:
            errors["case_number"] = [_("No case with this number that you may record about.")]
        if not errors:
            try:
                record = interference.record_interference(
                    actor=officer, case=case, source_kind=data.get("source_kind", ""),
                    person_name=data.get("person_name", ""), person_employer=data.get("person_employer", ""),
                    person_post=data.get("person_post", ""), relationship=data.get("relationship", ""),
                    person_officer=person, occurred_at=occurred, channel=data.get("channel", ""),
                    content=data.get("content", ""), handling=data.get("handling", ""),
                    files=request.FILES.getlist("files"),
                )  # fmt: skip
            except DomainError as exc:
                if exc.code == "power_denied":  # a case the officer may not record about: as if missing
                    errors["case_number"] = [_("No case with this number that you may record about.")]
                else:
                    errors = {k: v if isinstance(v, list) else [v] for k, v in exc.details.items()} or {
                        "general": [exc.message]}  # fmt: skip
            else:
                messages.success(request, _("Recorded. The record is permanent; the people recorded cannot see it."))
                return redirect("cases:interference-detail", public_id=record.public_id)
    return render(request, "cases/interference_new.html", {
        "data": data, "errors": errors, "sources": InterferenceSource.choices, "channels": InterferenceChannel.choices,
    }, status=400 if errors else 200)  # fmt: skip


@login_required
def interference_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        record = interference.record_get_for_user(request.user, public_id)
    except NotFound as exc:
        audit_read(request, "interference_record", public_id, allowed=False)
        raise Http404 from exc
    audit_read(request, "interference_record", public_id, allowed=True)
    return render(request, "cases/interference_detail.html", {"record": record})


INTERFERENCE_HEADER = (
    "序号", "案号", "过问人", "工作单位", "职务", "关系", "类别", "时间", "方式", "过问内容", "处理情况", "记录人",
    "记录人部门", "记录时间",
)  # fmt: skip


@login_required
def interference_export(request: HttpRequest) -> HttpResponse:
    """The records I may see, as an Excel workbook (the same rows as the register)."""
    records = interference.records_visible_to(request.user).order_by("seq")
    audit_read(request, "interference_record", "export", allowed=True)
    rows = (
        (r.seq, r.case.case_number, r.person_name, r.person_employer, r.person_post, r.relationship,
         r.get_source_kind_display(), timezone.localtime(r.occurred_at).strftime("%Y-%m-%d %H:%M"),
         r.get_channel_display(), r.content, r.handling, r.recorder.name, r.department.name if r.department else "",
         timezone.localtime(r.recorded_at).strftime("%Y-%m-%d %H:%M"))
        for r in records.iterator(chunk_size=2000)
    )  # fmt: skip
    return xlsx_response("interference-records.xlsx", "过问干预记录", INTERFERENCE_HEADER, rows)


def _quarter(request: HttpRequest) -> tuple[int, int]:
    year, quarter = interference.quarter_of(timezone.localdate())
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
    departments = interference.report_departments_visible_to(officer)
    if request.method == "POST":
        department = departments.filter(pk=_int(request.POST.get("department"))).first()
        if department is None:
            raise Http404
        try:
            interference.report_file(
                actor=officer,
                department=department,
                year=int(request.POST.get("year", 0)),
                quarter=int(request.POST.get("quarter", 0)),
                note=request.POST.get("note", ""),
            )
        except (DomainError, ValueError) as exc:  # fmt: skip
            if isinstance(exc, DomainError):
                _error(request, exc)
            else:
                messages.error(request, _("Choose the year and quarter."))
        else:
            messages.success(request, _("Report filed."))
        return redirect(f"{request.path}?year={request.POST.get('year')}&quarter={request.POST.get('quarter')}")
    if not departments.exists():
        raise PermissionDenied(_("Quarterly reports are for leaders, inspectors and the case-management office."))
    year, quarter = _quarter(request)
    statuses = interference.reports_status(departments=departments, year=year, quarter=quarter)
    return render(request, "cases/interference_reports.html", {
        "statuses": statuses, "year": year, "quarter": quarter, "ended": interference.quarter_bounds(year, quarter)[1]
        < timezone.localdate(), "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })  # fmt: skip


@login_required
def interference_reports_export(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    departments = interference.report_departments_visible_to(officer)
    if not departments.exists():
        raise PermissionDenied
    year, quarter = _quarter(request)
    states = {"filed": _("Reported"), "nil": _("Nil report"), "due": _("Not yet due"), "missing": _("Missing")}
    rows = (
        (s.department.organisation.name, s.department.name, f"{year}Q{quarter}", s.records, str(states[s.state]),
         s.due_on.isoformat(), timezone.localtime(s.report.filed_at).strftime("%Y-%m-%d") if s.report else "")
        for s in interference.reports_status(departments=departments, year=year, quarter=quarter)
    )  # fmt: skip
    header = ("单位", "部门", "季度", "记录件数", "报告状态", "报送期限", "报送日期")
    return xlsx_response(f"interference-reports-{year}Q{quarter}.xlsx", "季度报告", header, rows)
