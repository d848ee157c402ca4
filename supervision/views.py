"""Supervision in the browser: the leaders' inbox, flags and supervision acts on a case, the panel's reports,
and referrals with their outcomes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accountability.errors import DomainError, ValidationFailed
from accountability.http import int_or_none
from accountability.selectors import officer_for_user
from cases.models import Case
from cases.views import case_or_404, case_recorded, case_work_response
from supervision import services as supervision
from supervision.choices import ReferralBody, TaskKind
from supervision.models import Flag, Referral, Situation, SupervisionTask
from supervision.selectors import INBOX_TABS, alerts_for_leader, inbox_counts, is_supervisor


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
        "supervision/inbox.html",
        {"page": page, "tab": tab, "tabs": [(t, labels[t], counts[t]) for t in INBOX_TABS],
         "bodies": ReferralBody.choices, "tomorrow": timezone.localdate() + dt.timedelta(days=1),
         "now": timezone.now()},
    )  # fmt: skip


@login_required
def case_supervise(request: HttpRequest, public_id) -> HttpResponse:
    """One supervision act on a case (on one of its alerts, or on the case itself)."""
    case = case_or_404(request, public_id)
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
                                    expected_version=int_or_none(post.get("version")))  # fmt: skip
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


@login_required
def task_report(request: HttpRequest, public_id, task_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    task = SupervisionTask.objects.filter(public_id=task_id, case=case).first()
    if task is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    try:
        supervision.task_report(actor=officer, task=task, report=request.POST.get("report", ""),
                                expected_version=int_or_none(request.POST.get("version")))  # fmt: skip
    except DomainError as exc:
        _error(request, exc)
        return _back(request, case)
    messages.success(request, _("Report sent to %(name)s.") % {"name": task.required_by.name})
    return _back(request, case)


@login_required
def referral_outcome(request: HttpRequest, public_id, referral_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    referral = Referral.objects.filter(public_id=referral_id, case=case).first()
    if referral is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    try:
        supervision.referral_record_outcome(actor=officer, referral=referral, outcome=request.POST.get("outcome", ""),
                                            expected_version=int_or_none(request.POST.get("version")))  # fmt: skip
    except DomainError as exc:
        _error(request, exc)
        return _back(request, case)
    messages.success(request, _("Recorded in the case's trace."))
    return _back(request, case)


# --- interference records -------------------------------------------------------------------------


@login_required
def case_flag_raise(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    situation = Situation.objects.filter(code=request.POST.get("situation", "")).first()
    try:
        if situation is None:
            raise ValidationFailed(_("Choose a situation."), details={"situation": [_("Choose a situation.")]})
        supervision.flag_raise(actor=officer, case=case, situation=situation, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return case_work_response(request, case, error=exc)
    return case_recorded(request, case)


@login_required
def case_flag_decide(request: HttpRequest, public_id, flag_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    flag = Flag.objects.filter(public_id=flag_id, case=case).first()
    if flag is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    try:
        supervision.flag_decide(
            actor=officer, flag=flag, confirm=request.POST.get("decision") == "confirm",
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except DomainError as exc:
        return case_work_response(request, case, error=exc)
    return case_recorded(request, case)
