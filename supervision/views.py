"""Supervision in the browser: the leaders' inbox, flags and supervision acts on a case, the panel's reports,
and referrals with their outcomes. A refused act is not caught here: ``DomainErrorMiddleware`` shows it as a
message on the page that posted (the flag forms, htmx on the case page, re-render the case work in place)."""

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

from accountability.errors import ValidationFailed
from accountability.http import int_or_none
from accountability.middleware import renders_domain_errors
from accountability.selectors import officer_for_user
from cases.models import Case
from cases.views import case_or_404, case_recorded, case_work_refused
from supervision import services as supervision
from supervision.choices import TaskKind, referral_bodies
from supervision.models import Flag, Referral, Situation, SupervisionTask
from supervision.selectors import INBOX_TABS, alerts_for_leader, inbox_counts, is_supervisor


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
        "pending": _("Awaiting confirmation"),
        "escalated": _("Escalated"),
        "supervising": _("Under supervision"),
        "tasks": _("Reports awaited"),
    }
    return render(
        request,
        "supervision/inbox.html",
        {
            "page": page,
            "tab": tab,
            "tabs": [(t, labels[t], counts[t]) for t in INBOX_TABS],
            "bodies": referral_bodies(officer.organisation.kind),
            "kind": officer.organisation.kind,
            "tomorrow": timezone.localdate() + dt.timedelta(days=1),
            "now": timezone.now(),
        },
    )


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
    if act in ("confirm", "dismiss"):
        if flag is None:
            raise Http404
        supervision.flag_decide(
            actor=officer,
            flag=flag,
            confirm=act == "confirm",
            reason=post.get("reason", ""),
            expected_version=int_or_none(post.get("version")),
        )
    elif act == "comment":
        supervision.supervision_comment(actor=officer, case=case, comment=post.get("comment", ""), flag=flag)
    elif act in ("report", "search"):
        supervision.task_require(
            actor=officer,
            case=case,
            flag=flag,
            due_on=parse_date(post.get("due_on", "") or ""),
            kind=TaskKind.PROGRESS_REPORT if act == "report" else TaskKind.SIMILAR_SEARCH,
            instructions=post.get("instructions", ""),
        )
    elif act == "refer":
        supervision.referral_create(
            actor=officer, case=case, flag=flag, body=post.get("body", ""), reason=post.get("reason", "")
        )
    else:
        raise ValidationFailed(_("Choose what to do."))
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
    supervision.task_report(
        actor=officer,
        task=task,
        report=request.POST.get("report", ""),
        expected_version=int_or_none(request.POST.get("version")),
    )
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
    supervision.referral_record_outcome(
        actor=officer,
        referral=referral,
        outcome=request.POST.get("outcome", ""),
        expected_version=int_or_none(request.POST.get("version")),
    )
    messages.success(request, _("Recorded in the case's trace."))
    return _back(request, case)


# --- four-category flags on the case page (htmx forms in the case work) ------------------------------


@login_required
@renders_domain_errors(case_work_refused)
def case_flag_raise(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    situation = Situation.objects.filter(code=request.POST.get("situation", "")).first()
    if situation is None:
        raise ValidationFailed(_("Choose a situation."), details={"situation": [_("Choose a situation.")]})
    supervision.flag_raise(actor=officer, case=case, situation=situation, reason=request.POST.get("reason", ""))
    return case_recorded(request, case)


@login_required
@renders_domain_errors(case_work_refused)
def case_flag_decide(request: HttpRequest, public_id, flag_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    flag = Flag.objects.filter(public_id=flag_id, case=case).first()
    if flag is None:
        raise Http404
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    supervision.flag_decide(
        actor=officer,
        flag=flag,
        confirm=request.POST.get("decision") == "confirm",
        reason=request.POST.get("reason", ""),
    )
    return case_recorded(request, case)
