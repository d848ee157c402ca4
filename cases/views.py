"""Case work in the browser: my cases, the case page with its trace, logging actions (the extension of the time
limit is a section of its own: ``cases.views_extensions``).

A refused write is not caught here (``accountability.middleware.DomainErrorMiddleware`` is the one place): the
case page's htmx forms declare with ``renders_domain_errors`` that a refusal re-renders the case work in place,
with the refusal above the form and each refused field marked; posted without htmx, the middleware's message
and redirect back to the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import action_label, page_word
from accountability.errors import DomainError
from accountability.middleware import renders_domain_errors
from accountability.powers import power_decide_many
from accountability.selectors import officer_for_user
from cases import attachments, services
from cases.audit import case_chain_intact
from cases.forms import LogActionForm
from cases.models import Action, Attachment, Case
from cases.panels import PanelRequest, case_panels
from cases.selectors import (
    case_actions,
    case_get_for_user,
    cases_of_officer,
    my_case_filters,
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
    current = current if current in {f.key for f in my_case_filters()} else "pending"
    sort = request.GET.get("sort", "filed")
    sort = sort if sort in SORTS else "filed"
    cases = my_cases_filter(base, current).order_by(*SORTS[sort])
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    counts = my_cases_counts(base)
    filters = my_case_filters()
    officer = officer_for_user(request.user)
    kind = officer.organisation.kind if officer else None
    return render(
        request,
        "cases/my_cases.html",
        {
            "page": page,
            "kind": kind,
            "filters": [(f.key, page_word(f.word, kind) if f.word else f.label, counts[f.key]) for f in filters],
            "current": current,
            "q": query,
            "sort": sort,
        },
    )


def case_or_404(request: HttpRequest, public_id) -> Case:
    """The case if the user may see it; otherwise ``NotFound``, which the middleware answers with a 404."""
    return case_get_for_user(request.user, public_id=public_id)


#: How many trace entries a page of the case page's trace shows, newest first (``?trace_page=2`` the next older
#: ones, ``?trace=all`` the whole trace).
TRACE_SHOWN = 50


def _trace_page(request: HttpRequest, case: Case) -> tuple[int, int]:
    """The page of the trace asked for (1 the newest) and the number of pages; a page out of range is the nearest."""
    pages = max(1, -(-case.trace_length // TRACE_SHOWN))
    try:
        page = int(request.GET.get("trace_page", 1))
    except (TypeError, ValueError):
        page = 1
    return min(max(page, 1), pages), pages


def _work_context(request: HttpRequest, case: Case, *, form=None, error=None) -> dict:
    officer = officer_for_user(request.user)
    # a page of the trace, newest first (the whole trace on request): the page's cost does not grow with the trace
    newest = case_actions(case)
    page, pages = _trace_page(request, case)
    if request.GET.get("trace") == "all":
        page = pages = 1
    else:
        newest = newest.order_by("-seq")[(page - 1) * TRACE_SHOWN : page * TRACE_SHOWN]
    actions = sorted(newest, key=lambda a: a.seq)
    panels = case_panels()
    candidates = [*services.LOGGABLE_TYPES, *(a for panel in panels for a in panel.action_types)]
    decisions = power_decide_many(officer=officer, action_types=candidates, case=case) if officer else {}
    allowed = [a for a in services.LOGGABLE_TYPES if decisions.get(a) and decisions[a].allowed]
    if form is not None:  # re-rendered after an error: offer what the power list allows now, as on the first render
        form.kind = case.organisation.kind
        form.offer(allowed)
        form.corrections(actions)
    context = {
        "case": case,
        # the trace shows its newest entries; the whole of a long one on request (the page stays light)
        "trace_shown": _worded(actions, case.organisation.kind),
        "trace_total": case.trace_length,
        "trace_page": page,
        "trace_pages": pages,
        "clock": case.time_limit_clock(),
        "form": form
        or LogActionForm(
            allowed=allowed, actions=actions, kind=case.organisation.kind, initial={"version": case.version}
        ),
        "allowed": allowed,
        "error": error,
        "officer": officer,
        "today": timezone.localdate(),
        "panel_templates": [panel.template for panel in panels],
    }
    panel_request = PanelRequest(case=case, officer=officer, decisions=decisions, error=error)
    for panel in panels:
        context.update(panel.context(panel_request))
    return context


@login_required
def case_detail(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    context = _work_context(request, case)
    context["chain_intact"] = case_chain_intact(case)
    return render(request, "cases/case_detail.html", context)


def case_work_response(request: HttpRequest, case: Case, **extra) -> HttpResponse:
    context = _work_context(
        request,
        Case.objects.select_related("organisation", "department", "lead_officer")
        .prefetch_related("participants")
        .get(pk=case.pk),
        **extra,
    )
    if request.htmx:
        return render(request, "cases/_case_work.html", context)
    context["chain_intact"] = case_chain_intact(case)
    return render(request, "cases/case_detail.html", context)


def case_recorded(request: HttpRequest, case: Case) -> HttpResponse:
    """After a successful write: the updated case work in place (htmx), or back to the case page."""
    if not request.htmx:
        messages.success(request, _("Recorded."))
        return redirect("cases:detail", public_id=case.public_id)
    return case_work_response(request, case)


def case_work_refused(request: HttpRequest, exc: DomainError, public_id, **_url) -> HttpResponse | None:
    """A refusal of a case-page form sent by htmx (a ``renders_domain_errors`` renderer): the case work again, in
    place, with the refusal above the form (the message, and the power-list item when one decided). Posted
    without htmx: None, the middleware's message and redirect back to the page."""
    if not request.htmx:
        return None
    return case_work_response(request, case_or_404(request, public_id), error=exc)


def _with_refused_fields(form: Form, exc: DomainError) -> Form:
    """The posted form with each problem the refusal names for one of its fields (a list of messages) marked."""
    form.is_valid()
    for field, problems in exc.details.items():
        if field in form.fields and isinstance(problems, list):
            for problem in problems:
                form.add_error(field, problem)
    return form


def _worded(actions: list[Action], kind: str) -> list[Action]:
    """The trace's actions, each with its name in the words of the case's organisation kind (``action_label``)."""
    for action in actions:
        action.word = action_label(action.action_type, kind)
    return actions


def _log_action_form(request: HttpRequest, actions: list[Action]) -> LogActionForm:
    """Every loggable type is accepted here: the service asks the power list and says why it refuses."""
    return LogActionForm(request.POST, request.FILES, allowed=list(services.LOGGABLE_TYPES), actions=actions)


def _log_action_refused(request: HttpRequest, exc: DomainError, public_id) -> HttpResponse | None:
    if not request.htmx:
        return None
    case = case_or_404(request, public_id)
    form = _with_refused_fields(_log_action_form(request, list(case_actions(case))), exc)
    return case_work_response(request, case, form=form, error=exc)


@login_required
@renders_domain_errors(_log_action_refused)
def case_log_action(request: HttpRequest, public_id) -> HttpResponse:
    case = case_or_404(request, public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return redirect("cases:detail", public_id=case.public_id)
    # the one action a correction names, if any (not the whole trace): the form checks it is of this case
    posted = request.POST.get("corrects", "")
    actions = list(case_actions(case).filter(seq=int(posted))) if posted.isdigit() else []
    form = _log_action_form(request, actions)
    if not form.is_valid():
        return case_work_response(request, case, form=form)
    data = form.cleaned_data
    corrects = next((a for a in actions if a.seq == data["corrects"]), None) if data["corrects"] else None
    services.case_log_action(
        actor=officer,
        case=case,
        action_type=data["action_type"],
        occurred_at=data["occurred_at"],
        note=data["note"],
        corrects=corrects,
        expected_version=data["version"],
        files=request.FILES.getlist("files"),
    )
    return case_recorded(request, case)


@login_required
def attachment_download(request: HttpRequest, public_id, attachment_id) -> FileResponse:
    """Served only to those who may see the case, always as a download, never rendered."""
    case = case_or_404(request, public_id)
    attachment = Attachment.objects.filter(public_id=attachment_id, action__case=case).first()
    if attachment is None:
        raise Http404
    return attachments.download_response(attachment.stored_name, attachment.original_name, attachment.content_type)
