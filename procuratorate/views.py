"""The procuratorate's section of the case page (a ``cases.panels`` panel): 退回补充侦查 and the case's return,
the matters submitted to the procurator-general and the chief's written decision, and the custody, plea and
sentencing facts. The forms post to the views here, which call ``procuratorate.services`` and go back to the case
page; a refusal is the middleware's message above the page (naming the power-list item)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.http import int_or_none
from accountability.selectors import officer_for_user
from cases.choices import RequestStatus
from cases.models import CaseRequest
from cases.panels import PanelRequest
from cases.selectors import case_get_for_user
from procuratorate import services
from procuratorate.default_procedures import MAX_RETURNS, PROCEDURES
from procuratorate.models import ProsecutionFacts

PANEL_ACTION_TYPES = (
    ActionType.RETURNED_FOR_SUPPLEMENTARY_INVESTIGATION,
    ActionType.INVESTIGATION_RESUBMITTED,
    ActionType.CHIEF_DECISION_REQUESTED,
    ActionType.CHIEF_DECISION_REFUSED,
    ActionType.PROSECUTION_FACTS_RECORDED,
)


def case_panel(request: PanelRequest) -> dict[str, Any]:
    case, officer = request.case, request.officer
    if case.procedure not in PROCEDURES or officer is None:
        return {"proc_show": False}
    matters = list(
        CaseRequest.objects.filter(case=case, kind=CaseRequest.Kind.CHIEF_DECISION)
        .select_related("requested_by", "decided_by", "chief_matter")
        .order_by("created_at", "pk")
    )
    labels = dict(services.matters_of(case))
    for item in matters:
        code = item.chief_matter.closing_method or item.chief_matter.matter
        item.matter_label = labels.get(code, code)
    returns = services.supplementary_returns(case)
    awaiting = services.awaiting_resubmission(case)
    is_open = case.is_open
    return {
        "proc_show": True,
        "proc_is_prosecution": case.procedure == "prosecution",
        "proc_returns": returns,
        "proc_max_returns": MAX_RETURNS,
        "proc_awaiting": awaiting,
        "proc_may_return": is_open and request.allowed(ActionType.RETURNED_FOR_SUPPLEMENTARY_INVESTIGATION),
        # offered to the lead prosecutor even at the limit: the power list refuses a third return and names its item
        "proc_offer_return": is_open
        and case.procedure == "prosecution"
        and case.participation_of(officer) == "lead"
        and not awaiting,
        "proc_may_resubmit": is_open and awaiting and request.allowed(ActionType.INVESTIGATION_RESUBMITTED),
        "proc_matters": matters,
        "proc_pending": [m for m in matters if m.status == RequestStatus.PENDING],
        "proc_matter_choices": services.matters_of(case),
        "proc_may_submit": is_open and request.allowed(ActionType.CHIEF_DECISION_REQUESTED),
        "proc_may_decide": is_open and request.allowed(ActionType.CHIEF_DECISION_REFUSED),
        "proc_facts": ProsecutionFacts.objects.filter(case=case).first(),
        "proc_may_record_facts": is_open
        and case.procedure == "prosecution"
        and request.allowed(ActionType.PROSECUTION_FACTS_RECORDED),
        "proc_today": timezone.localdate().isoformat(),
    }


def _back(public_id: Any) -> HttpResponse:
    return redirect("cases:detail", public_id=public_id)


def _posted(request: HttpRequest, public_id: Any) -> tuple[Any, Any]:
    case = case_get_for_user(request.user, public_id=public_id)
    return case, officer_for_user(request.user)


@login_required
def supplementary_return(request: HttpRequest, public_id) -> HttpResponse:
    case, officer = _posted(request, public_id)
    if request.method == "POST" and officer is not None:
        action = services.supplementary_return(
            actor=officer,
            case=case,
            reason=request.POST.get("reason", ""),
            expected_version=int_or_none(request.POST.get("version")),
        )
        messages.success(
            request,
            _("Returned for supplementary investigation (time %(n)s of at most %(max)s).")
            % {"n": action.payload["return_number"], "max": MAX_RETURNS},
        )
    return _back(case.public_id)


@login_required
def investigation_resubmit(request: HttpRequest, public_id) -> HttpResponse:
    case, officer = _posted(request, public_id)
    if request.method == "POST" and officer is not None:
        try:
            day = dt.date.fromisoformat(request.POST.get("resubmitted_on", ""))
        except ValueError as exc:
            message = _("Give the date the case came back.")
            raise ValidationFailed(message, details={"resubmitted_on": [message]}) from exc
        services.investigation_resubmit(
            actor=officer,
            case=case,
            resubmitted_on=day,
            note=request.POST.get("note", ""),
            expected_version=int_or_none(request.POST.get("version")),
        )
        messages.success(request, _("The case is back; the review period counts afresh from %(day)s.") % {"day": day})
    return _back(case.public_id)


@login_required
def chief_request(request: HttpRequest, public_id) -> HttpResponse:
    case, officer = _posted(request, public_id)
    if request.method == "POST" and officer is not None:
        services.chief_decision_request(
            actor=officer,
            case=case,
            matter=request.POST.get("matter", ""),
            reason=request.POST.get("reason", ""),
            expected_version=int_or_none(request.POST.get("version")),
        )
        messages.success(request, _("Submitted to the procurator-general for a written decision."))
    return _back(case.public_id)


@login_required
def chief_decide(request: HttpRequest, public_id) -> HttpResponse:
    case, officer = _posted(request, public_id)
    if request.method == "POST" and officer is not None:
        try:
            request_id = uuid.UUID(request.POST.get("request", ""))
        except ValueError:
            request_id = None
        pending = CaseRequest.objects.filter(
            case=case, kind=CaseRequest.Kind.CHIEF_DECISION, public_id=request_id
        ).first()
        if pending is None:
            message = _("No such request.")
            raise ValidationFailed(message, details={"request": [message]})
        approve = request.POST.get("decision") == "approve"
        services.chief_decision_decide(
            actor=officer,
            request=pending,
            approve=approve,
            note=request.POST.get("note", ""),
            expected_version=int_or_none(request.POST.get("request_version")),
        )
        messages.success(
            request, _("Decided in writing and put on file.") if approve else _("Declined in writing and put on file.")
        )
    return _back(case.public_id)


@login_required
def facts_record(request: HttpRequest, public_id) -> HttpResponse:
    case, officer = _posted(request, public_id)
    if request.method == "POST" and officer is not None:
        adopted = request.POST.get("sentencing_adopted", "")
        services.prosecution_facts_record(
            actor=officer,
            case=case,
            detained=request.POST.get("detained") == "on",
            plea_leniency=request.POST.get("plea_leniency") == "on",
            sentencing_recommended=request.POST.get("sentencing_recommended") == "on",
            sentencing_adopted={"yes": True, "no": False}.get(adopted),
            expected_version=int_or_none(request.POST.get("version")),
        )
        messages.success(request, _("Facts recorded."))
    return _back(case.public_id)
