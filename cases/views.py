"""Case work in the browser: my cases, the case page with its trace, logging actions, extensions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import DomainError, NotFound, ValidationFailed
from accountability.powers import power_decide_many
from accountability.selectors import officer_for_user
from cases import attachments, services, similar, supervision
from cases.audit import verify_chains
from cases.choices import AlertFamily, ReferralBody
from cases.forms import ExtensionDecisionForm, LogActionForm
from cases.models import Action, Attachment, Case, Flag, Situation
from cases.selectors import (
    MY_CASE_FILTERS,
    case_actions,
    case_get_for_user,
    case_open_flags,
    cases_of_officer,
    my_cases_counts,
    my_cases_filter,
)

SORTS = {"filed": ["-filed_on", "-id"], "oldest": ["filed_on", "id"], "deadline": ["-days_used", "id"]}


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    base = cases_of_officer(request.user)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        base = base.filter(Q(case_number__icontains=query) | Q(parties__icontains=query) | Q(cause__icontains=query))
    current = request.GET.get("filter", "pending")
    current = current if current in MY_CASE_FILTERS else "pending"
    sort = request.GET.get("sort", "filed")
    sort = sort if sort in SORTS else "filed"
    cases = my_cases_filter(base, current).order_by(*SORTS[sort])
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    counts = my_cases_counts(base)
    filters = [
        ("pending", _("Pending")),
        ("near_limit", _("Time limit ≥ 80 percent used")),
        ("overdue", _("Overdue")),
        ("four_category", _("Four-category")),
        ("closed_month", _("Closed this month")),
        ("all", _("All")),
    ]
    return render(
        request,
        "cases/my_cases.html",
        {"page": page, "filters": [(k, label, counts[k]) for k, label in filters], "current": current, "q": query,
         "sort": sort},
    )  # fmt: skip


def _case_or_404(request: HttpRequest, public_id) -> Case:
    try:
        return case_get_for_user(request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


def _pending_extension(actions: list[Action]) -> Action | None:
    pending = None
    for action in actions:
        if action.action_type == ActionType.EXTENSION_REQUESTED:
            pending = action
        elif action.action_type in (ActionType.EXTENSION_APPROVED, ActionType.EXTENSION_REFUSED):
            pending = None
    return pending


def _work_context(request: HttpRequest, case: Case, *, form=None, extension_form=None, error=None) -> dict:
    officer = officer_for_user(request.user)
    actions = list(case_actions(case))
    candidates = [
        *services.LOGGABLE_TYPES,
        ActionType.EXTENSION_APPROVED,
        ActionType.EXTENSION_REFUSED,
        ActionType.FOUR_CATEGORY_FLAGGED,
        ActionType.FOUR_CATEGORY_CONFIRMED,
        ActionType.FOUR_CATEGORY_DISMISSED,
        ActionType.SUPERVISION_COMMENT,
        ActionType.COMMITTEE_OUTCOME_RECORDED,
        ActionType.SIMILAR_CASE_SEARCH,
    ]
    decisions = power_decide_many(officer=officer, action_types=candidates, case=case) if officer else {}
    allowed = [a for a in services.LOGGABLE_TYPES if decisions.get(a) and decisions[a].allowed]
    pending = _pending_extension(actions)
    may_decide = bool(
        pending
        and any(
            decisions.get(a) and decisions[a].allowed
            for a in (ActionType.EXTENSION_APPROVED, ActionType.EXTENSION_REFUSED)
        )
    )
    return {
        "case": case,
        "actions": actions,
        "clock": case.time_limit_clock(),
        "form": form or LogActionForm(allowed=allowed, actions=actions, initial={"version": case.version}),
        "allowed": allowed,
        "pending_extension": pending,
        "extension_form": (extension_form or ExtensionDecisionForm(initial={"version": case.version}))
        if may_decide
        else None,
        "error": error,
        "flags": case_open_flags(case),
        "may_flag": _allowed(decisions, ActionType.FOUR_CATEGORY_FLAGGED),
        "may_decide_flags": _allowed(decisions, ActionType.FOUR_CATEGORY_CONFIRMED),
        "situations": Situation.objects.filter(is_active=True, family=AlertFamily.FOUR_CATEGORY).order_by(
            "category", "code"
        ),
        "officer": officer,
        "tasks": supervision.open_tasks(case),
        "referrals": supervision.case_referrals(case),
        "may_supervise": _allowed(decisions, ActionType.SUPERVISION_COMMENT),
        "may_record_outcome": _allowed(decisions, ActionType.COMMITTEE_OUTCOME_RECORDED),
        "may_search": _allowed(decisions, ActionType.SIMILAR_CASE_SEARCH),
        "search_required": similar.report_required_reasons(case),
        "search_reports": similar.reports_of(case),
        "bodies": ReferralBody.choices,
        "today": timezone.localdate(),
    }


def _allowed(decisions: dict, action_type: str) -> bool:
    return bool(decisions.get(action_type) and decisions[action_type].allowed)


@login_required
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    context = _work_context(request, case)
    context["chain_intact"] = not verify_chains(case_number=case.case_number)
    return render(request, "cases/case_detail.html", context)


def _respond(request: HttpRequest, case: Case, **extra) -> HttpResponse:
    context = _work_context(
        request,
        Case.objects.select_related("organisation", "department", "lead_officer")
        .prefetch_related("participants")
        .get(pk=case.pk),
        **extra,
    )
    if request.htmx:
        return render(request, "cases/_case_work.html", context)
    context["chain_intact"] = not verify_chains(case_number=case.case_number)
    return render(request, "cases/case_detail.html", context)


def _recorded(request: HttpRequest, case: Case) -> HttpResponse:
    """After a successful write: the updated case work in place (htmx), or back to the case page."""
    if not request.htmx:
        messages.success(request, _("Recorded."))
        return redirect("cases:detail", public_id=case.public_id)
    return _respond(request, case)


@login_required
def case_log_action(request: HttpRequest, public_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    actions = list(case_actions(case))
    form = LogActionForm(request.POST, request.FILES, allowed=list(services.LOGGABLE_TYPES), actions=actions)
    if not form.is_valid():
        return _respond(request, case, form=form)
    data = form.cleaned_data
    corrects = next((a for a in actions if a.seq == data["corrects"]), None) if data["corrects"] else None
    try:
        services.case_log_action(
            actor=officer, case=case, action_type=data["action_type"], occurred_at=data["occurred_at"],
            note=data["note"], corrects=corrects, expected_version=data["version"],
            files=request.FILES.getlist("files"),
        )  # fmt: skip
    except DomainError as exc:
        for field, problems in exc.details.items():
            if field in form.fields:
                for problem in problems if isinstance(problems, list) else [problems]:
                    form.add_error(field, problem)
        return _respond(request, case, form=form, error=exc)
    return _recorded(request, case)


@login_required
def case_decide_extension(request: HttpRequest, public_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _respond(request, case, extension_form=form)
    data = form.cleaned_data
    try:
        services.case_decide_extension(
            actor=officer, case=case, approve=data["decision"] == "approve", days=data["days"] or 0,
            note=data["note"] or "", expected_version=data["version"],
        )  # fmt: skip
    except DomainError as exc:
        return _respond(request, case, extension_form=form, error=exc)
    return _recorded(request, case)


@login_required
def attachment_download(request: HttpRequest, public_id, attachment_id) -> FileResponse:
    """Served only to those who may see the case, always as a download, never rendered."""
    case = _case_or_404(request, public_id)
    attachment = Attachment.objects.filter(public_id=attachment_id, action__case=case).first()
    if attachment is None:
        raise Http404
    path = attachments.path_of(attachment.stored_name)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    return response


@login_required
def case_flag_raise(request: HttpRequest, public_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    situation = Situation.objects.filter(code=request.POST.get("situation", "")).first()
    try:
        if situation is None:
            raise ValidationFailed(_("Choose a situation."), details={"situation": [_("Choose a situation.")]})
        supervision.flag_raise(actor=officer, case=case, situation=situation, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _respond(request, case, error=exc)
    return _recorded(request, case)


@login_required
def case_flag_decide(request: HttpRequest, public_id, flag_id) -> HttpResponse:
    case = _case_or_404(request, public_id)
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
        return _respond(request, case, error=exc)
    return _recorded(request, case)
