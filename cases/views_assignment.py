"""Assignment in the browser (分案): the case page's assignment section, its forms, a draw's record with the
auditor's check, and the leaders' inbox of requests awaiting a decision (/cases/requests/).

Writes go through ``cases.assignment`` (the same services as the API, cases/api_assignment.py) and the inbox decides
through ``cases.requests.case_request_decide``, so any kind registered there (an extension, …) is decided the same
way. A refused write is not caught here: ``accountability.middleware.DomainErrorMiddleware`` shows the refusal as a
message and returns to the page named by the form's ``next`` field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accountability.choices import ActionType, Participation, page_word
from accountability.errors import ValidationFailed
from accountability.models import Officer
from accountability.paging import keyset_page
from accountability.selectors import officer_for_user
from cases import assignment
from cases.choices import ActionSource, AssignmentKind, DesignationReason
from cases.models import Case, CaseRequest
from cases.panels import PanelRequest
from cases.requests import (
    case_request_decide,
    case_request_get_for_user,
    request_kinds,
    requests_to_decide,
    requests_to_decide_counts,
)
from cases.selectors import case_get_for_user

PAGE_SIZE = 25
#: The power decisions the case page's assignment section reads (asked with the page's own, in one query).
ACTION_TYPES = (
    ActionType.ASSIGNED,
    ActionType.ASSIGNMENT_DESIGNATED,
    ActionType.LEAD_CHANGE_REQUESTED,
    ActionType.LEAD_CHANGED,
    ActionType.PANEL_FORMED,
    ActionType.PARTICIPANT_ATTACHED,
    ActionType.RECUSAL_REQUESTED,
    ActionType.RECUSAL_DECIDED,
)


# --- the case page's section ----------------------------------------------------------------------------------------


def assignment_panel(request: PanelRequest) -> dict[str, Any]:
    """分案与合议庭: the assignments so far (each with a link to its record), the panel, the pending requests with the
    decision for those who may take it, and the forms the power list allows the viewer now."""
    case, officer, allowed = request.case, request.officer, request.allowed
    pending = assignment.case_pending_requests(case)
    waiting = {r.kind for r in pending}
    has_lead = case.lead_officer_id is not None
    may = {
        "draw": not has_lead
        and case.department_id is not None
        and CaseRequest.Kind.DESIGNATION not in waiting
        and allowed(ActionType.ASSIGNED),
        "designate": not has_lead
        and CaseRequest.Kind.DESIGNATION not in waiting
        and allowed(ActionType.ASSIGNMENT_DESIGNATED),
        "change": has_lead
        and CaseRequest.Kind.LEAD_CHANGE not in waiting
        and allowed(ActionType.LEAD_CHANGE_REQUESTED),
        "panel": has_lead and allowed(ActionType.PANEL_FORMED),
        "attach": allowed(ActionType.PARTICIPANT_ATTACHED),
        "recuse": officer is not None and allowed(ActionType.RECUSAL_REQUESTED),
    }
    judges = list(assignment.judges_to_name(case)) if may["designate"] or may["change"] or may["panel"] else []
    state = assignment.panel_state(case)
    team: list[Officer] = []
    if may["recuse"]:
        everyone = [*([case.lead_officer] if has_lead else []), *(p.officer for p in case.participants.all())]
        team = list({o.pk: o for o in everyone if case.lead_officer_id == officer.pk or o.pk == officer.pk}.values())
    return {
        "assignment": {
            "draws": assignment.case_draws(case),
            "state": state,
            "member_pks": {o.pk for o in state.members},
            "requests": [
                {
                    "item": r,
                    "may_decide": assignment.may_decide(officer, r, allowed=allowed(assignment.DECISION_TYPES[r.kind])),
                }
                for r in pending
            ],
            "may": may,
            "judges": judges,
            "reasons": DesignationReason.choices,
            "assistants": list(assignment.staff_to_attach(case, Participation.ASSISTANT)) if may["attach"] else [],
            "clerks": list(assignment.staff_to_attach(case, Participation.CLERK)) if may["attach"] else [],
            "team": team,
        }
    }


# --- the forms ------------------------------------------------------------------------------------------------------


def _officer(request: HttpRequest) -> Officer:
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    return officer


def _version(request: HttpRequest) -> int:
    raw = request.POST.get("version", "")
    if not raw.isdigit():
        message = _("The form is out of date; reload the page and try again.")
        raise ValidationFailed(message, details={"version": [message]})
    return int(raw)


def _named(case: Case, request: HttpRequest, field: str, *, required: str) -> Officer:
    officer = assignment.officer_of_court(case, pk=request.POST.get(field, ""))
    if officer is None:
        raise ValidationFailed(required, details={field: [required]})
    return officer


def _to_case(case: Case) -> HttpResponse:
    return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]) + "#assignment")


def _case_for_post(request: HttpRequest, public_id: Any) -> Case | None:
    """The case (404 if the user may not see it); None on anything but a POST (the caller goes back to the case)."""
    case = case_get_for_user(request.user, public_id=public_id)
    return case if request.method == "POST" else None


@login_required
def assign_random(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    draw = assignment.case_assign_random(
        actor=_officer(request), case=case, expected_version=_version(request), source=ActionSource.WEB
    )
    messages.success(
        request,
        _("Drawn at random among %(n)s judges: %(name)s leads the case.")
        % {"n": len(draw.candidates), "name": draw.result.name},
    )
    return _to_case(case)


@login_required
def designation_request(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    assignment.assignment_designate_request(
        actor=_officer(request),
        case=case,
        officer=_named(case, request, "officer", required=_("Choose the judge to designate.")),
        reason_code=request.POST.get("reason_code", ""),
        reason=request.POST.get("reason", ""),
        expected_version=_version(request),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The designated assignment is requested; a president or division chief decides."))
    return _to_case(case)


@login_required
def lead_change_request(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    assignment.lead_change_request(
        actor=_officer(request),
        case=case,
        new_lead=_named(case, request, "new_lead", required=_("Choose the judge who is to lead the case.")),
        reason=request.POST.get("reason", ""),
        expected_version=_version(request),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The change of the lead judge is requested; a president or division chief decides."))
    return _to_case(case)


@login_required
def panel_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    members = []
    for pk in request.POST.getlist("members"):
        member = assignment.officer_of_court(case, pk=pk)
        if member is None:
            message = _("Choose the panel's members among the judges listed.")
            raise ValidationFailed(message, details={"members": [message]})
        members.append(member)
    presiding = assignment.officer_of_court(case, pk=request.POST.get("presiding", ""))
    assignment.panel_form(
        actor=_officer(request),
        case=case,
        members=members,
        presiding=presiding,
        expected_version=_version(request),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The panel is formed."))
    return _to_case(case)


@login_required
def participant_attach(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    officer = _named(case, request, "officer", required=_("Choose whom to attach."))
    role = request.POST.get("role", "")
    assignment.participant_attach(
        actor=_officer(request),
        case=case,
        officer=officer,
        role=role,
        expected_version=_version(request),
        source=ActionSource.WEB,
    )
    messages.success(
        request,
        _("%(name)s is attached to the case as %(role)s.") % {"name": officer.name, "role": Participation(role).label},
    )
    return _to_case(case)


@login_required
def recusal_request(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case_for_post(request, public_id)
    if case is None:
        return redirect("cases:detail", public_id=public_id)
    assignment.recusal_request(
        actor=_officer(request),
        case=case,
        subject=_named(case, request, "subject", required=_("Choose who is to withdraw.")),
        reason=request.POST.get("reason", ""),
        expected_version=_version(request),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The recusal is requested; the president decides."))
    return _to_case(case)


# --- decisions and the inbox ----------------------------------------------------------------------------------------


@login_required
def request_decide(request: HttpRequest, request_id: Any) -> HttpResponse:
    """Approve or refuse a request of any registered kind, then back to where the form was (the case or the inbox)."""
    found = case_request_get_for_user(request.user, public_id=request_id)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("cases:detail", args=[found.case.public_id])
    if request.method != "POST":
        return HttpResponseRedirect(target)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "refuse"):
        message = _("Choose to approve or to refuse.")
        raise ValidationFailed(message, details={"decision": [message]})
    decided = case_request_decide(
        actor=_officer(request),
        request=found,
        approve=decision == "approve",
        note=request.POST.get("note", ""),
        expected_version=_version(request),
        source=ActionSource.WEB,
        extra=request.POST,
    )
    words = {"kind": decided.get_kind_display(), "case": found.case.case_number}
    if decided.status == "approved":
        messages.success(request, _("%(kind)s on case %(case)s: approved.") % words)
    else:
        messages.success(request, _("%(kind)s on case %(case)s: not approved.") % words)
    return HttpResponseRedirect(target)


@login_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    """待审批事项: the pending requests that the officer decides, oldest first, by kind (every registered kind)."""
    officer = _officer(request)
    kinds = request_kinds()
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    page = keyset_page(
        request, requests_to_decide(officer, kind=kind or None), ordering=["created_at", "pk"], size=PAGE_SIZE
    )
    counts = requests_to_decide_counts(officer)
    org_kind = officer.organisation.kind
    labels = {
        key: page_word(entry.word, org_kind) if entry.word else CaseRequest.Kind(key).label
        for key, entry in kinds.items()
    }
    shown = [
        key for key, entry in kinds.items() if not entry.organisation_kinds or org_kind in entry.organisation_kinds
    ]
    return render(
        request,
        "cases/assignment_requests.html",
        {
            "page": page,
            "rows": [(item, kinds[item.kind], labels[item.kind]) for item in page],
            "tabs": [(key, labels[key], counts[key]) for key in shown],
            "total": sum(counts.values()),
            "kind": kind,
            "here": request.get_full_path(),
        },
    )


# --- a draw's record ------------------------------------------------------------------------------------------------


@login_required
def draw_detail(request: HttpRequest, public_id: Any, draw_id: Any) -> HttpResponse:
    """One assignment's record: the candidates with their weights and chances, the seed, the result, and the
    auditor's check (drawn again from the record and from the trace: 可复现)."""
    case = case_get_for_user(request.user, public_id=public_id)
    draw = assignment.case_draw_get(case, public_id=draw_id)
    if draw is None:
        raise Http404
    check = assignment.draw_verify(draw)
    people = {
        o.pk: o
        for o in Officer.objects.filter(pk__in=[int(pk) for pk, _weight in draw.candidates]).select_related(
            "department"
        )
    }
    total = sum(float(weight) for _pk, weight in draw.candidates) or 1.0
    rows = [
        {
            "position": position,
            "officer": people.get(int(pk)),
            "weight": weight,
            "chance": 100 * float(weight) / total,
            "chosen": int(pk) == draw.result_id,
        }
        for position, (pk, weight) in enumerate(draw.candidates, start=1)
    ]
    return render(
        request,
        "cases/assignment_draw.html",
        {
            "case": case,
            "draw": draw,
            "rows": rows,
            "check": check,
            "redrawn": people.get(check.redrawn_pk) if check.redrawn_pk else None,
            "is_random": draw.kind == AssignmentKind.RANDOM,
        },
    )
