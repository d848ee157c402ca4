"""Extensions of the time limit on the case page (延长审限): the section that shows the pending request and the
statutory terms, the lead judge's request form and the approver's decision form.

The section is a case panel (``cases.panels``, registered in ``cases.hooks``). Its forms post to the two views here,
which call the services in ``cases.extensions`` and go back to the case page; a refusal is the middleware's message
above the page (``accountability.middleware.DomainErrorMiddleware``), not caught here."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.http import int_or_none
from accountability.selectors import officer_for_user
from cases import extensions
from cases.choices import Approver, RequestStatus
from cases.models import CaseRequest
from cases.panels import PanelRequest
from cases.selectors import case_get_for_user

APPROVERS = (Approver.PRESIDENT, Approver.HIGHER_COURT)
#: the power decisions the section reads (asked with the page's own, in one query)
ACTION_TYPES = (ActionType.EXTENSION_REQUESTED, ActionType.EXTENSION_APPROVED, ActionType.EXTENSION_REFUSED)


def extension_panel(request: PanelRequest) -> dict[str, Any]:
    """The section's context: the case's extension requests (one query), the pending one, the terms of the next
    extension (or why there is none), and the forms this officer may use (the power list and the law both asked)."""
    case, officer = request.case, request.officer
    history = list(
        CaseRequest.objects.filter(case=case, kind=CaseRequest.Kind.EXTENSION)
        .select_related("requested_by", "decided_by")
        .order_by("-created_at", "-pk")
    )
    for item in history:
        item.case = case
    pending = next((r for r in history if r.status == RequestStatus.PENDING), None)
    try:
        terms: extensions.ExtensionTerms | None = extensions.extension_terms(case)
        no_terms = ""
    except ValidationFailed as exc:
        terms, no_terms = None, str(exc.message)
    may_request = bool(
        officer is not None
        and pending is None
        and case.is_open
        and terms is not None
        and terms.extendable
        and request.allowed(ActionType.EXTENSION_REQUESTED)
    )
    may_decide = bool(
        officer is not None
        and pending is not None
        and request.allowed(ActionType.EXTENSION_APPROVED)
        and extensions.extension_is_approver(officer, pending)
    )
    deciding = pending.approver if pending is not None else (terms.approver if terms is not None else "")
    return {
        "extension_requests": history,
        "extension_decided": [r for r in history if r.status != RequestStatus.PENDING],
        "extension_pending": pending,
        "extension_terms": terms,
        "extension_no_terms": no_terms,
        "extension_may_request": may_request,
        "extension_may_decide": may_decide,
        "extension_approver_words": extensions.approver_words(case, deciding) if deciding in APPROVERS else "",
    }


def _back(case_public_id: Any) -> HttpResponse:
    return redirect("cases:detail", public_id=case_public_id)


@login_required
def extension_request(request: HttpRequest, public_id) -> HttpResponse:
    """The lead judge asks for an extension (POST: days, reason, the case's version)."""
    case = case_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return _back(case.public_id)
    created = extensions.extension_request(
        actor=officer,
        case=case,
        days=int_or_none(request.POST.get("days")) or 0,
        reason=request.POST.get("reason", ""),
        expected_version=int_or_none(request.POST.get("version")),
    )
    messages.success(
        request,
        _("Extension of %(days)s days requested; %(approver)s decides.")
        % {"days": created.days, "approver": extensions.approver_words(case, created.approver)},
    )
    return _back(case.public_id)


@login_required
def extension_decide(request: HttpRequest, public_id) -> HttpResponse:
    """The approver decides the case's pending request (POST: decision, days, note, the request's version)."""
    case = case_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if request.method != "POST" or officer is None:
        return _back(case.public_id)
    try:
        request_id = uuid.UUID(request.POST.get("request", ""))
    except ValueError:
        request_id = None
    pending = CaseRequest.objects.filter(case=case, kind=CaseRequest.Kind.EXTENSION, public_id=request_id).first()
    approve = request.POST.get("decision") == "approve"
    decided = extensions.case_decide_extension(
        actor=officer,
        request=pending,
        approve=approve,
        days=int_or_none(request.POST.get("days")),
        note=request.POST.get("note", ""),
        expected_version=int_or_none(request.POST.get("version")),
    )
    if approve:
        messages.success(request, _("Extension approved: %(days)s more days.") % {"days": decided.granted_days})
    else:
        messages.success(request, _("Extension not approved."))
    return _back(case.public_id)
