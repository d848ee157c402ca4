"""Closing (结案) and archiving (归档) in the browser.

The closing page exists only for those the power list allows to close the case (``closed``: the lead judge on an
open case); to anyone else it is a 404. It lists the required nodes still missing (结案前校验), by closing method where
the methods differ (a node waived for 撤诉、调解、移送), and disables its button while the chosen method misses any
(``static/js/closing.js`` follows the method select); the service refuses anyway. Writes go through ``cases.services.case_close`` and
``cases.closing.case_archive``, the same services as the API (``cases.api_lifecycle``). A refused closing shows the
form again with what was typed and each field's problem (``renders_domain_errors``); a refused archiving is a
message on the case page (``DomainErrorMiddleware``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability.choices import ActionType
from accountability.errors import DomainError, ValidationFailed
from accountability.middleware import renders_domain_errors
from accountability.powers import power_decide
from accountability.selectors import officer_for_user
from cases import closing, services
from cases.choices import OUTCOME_PROCEDURES, ActionSource, CaseType, ClosingMethod, Outcome, closing_methods_for
from cases.flows import case_flow, missing_required_by_method, missing_required_nodes
from cases.models import Case
from cases.selectors import case_get_for_user, case_ref_for_user

CLOSING_FIELDS = ("closing_method", "outcome", "closed_on", "awarded_amount", "recovered_amount", "note")


def _closable(request: HttpRequest, public_id: Any, *, case: Case | None = None) -> tuple[Case, Any]:
    """The case and the officer, if the power list lets the officer close it now; otherwise 404."""
    case = case or case_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if officer is None or not power_decide(officer=officer, action_type=ActionType.CLOSED, case=case).allowed:
        raise Http404
    return case, officer


def closing_methods(case: Case) -> list[tuple[str, Any]]:
    allowed = closing_methods_for(case.case_type, case.procedure)
    return [(value, label) for value, label in ClosingMethod.choices if value in allowed]


def _render(
    request: HttpRequest, case: Case, *, data: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> HttpResponse:
    flow = case_flow(case)
    methods = closing_methods(case)
    missing = missing_required_nodes(case, flow=flow)
    by_method = missing_required_by_method(case, [value for value, _label in methods], flow=flow)
    selected = data.get("closing_method") if data.get("closing_method") in by_method else ""
    shown = by_method[selected] if selected else missing
    return render(
        request,
        "cases/closing.html",
        {
            "case": case,
            "flow": flow,
            "missing": missing,
            # What is missing when closing by each method, where the methods differ (a node waived for some).
            "checks": [
                {"value": value, "label": label, "missing": by_method[value]}
                for value, label in methods
                if any(by_method[value] != by_method[other] for other, _label in methods)
            ],
            "shown_missing": shown,
            # The button: off while the chosen method misses nodes, or, none chosen, while every method does
            # (static/js/closing.js does the same when the method changes; the service is the authority).
            "blocked": bool(shown) if selected or not by_method else all(by_method.values()),
            "check_data": {
                "all": [node.name for node in missing],
                "methods": {value: [node.name for node in nodes] for value, nodes in by_method.items()},
            },
            "methods": methods,
            "outcomes": Outcome.choices if case.procedure in OUTCOME_PROCEDURES else [],
            "shows_recovered": case.case_type == CaseType.ENFORCEMENT,
            "data": data,
            "errors": errors,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _closing_refused(request: HttpRequest, exc: DomainError, public_id: Any) -> HttpResponse | None:
    if request.method != "POST":
        return None
    case, _officer = _closable(request, public_id)
    errors: dict[str, list[str]] = {"general": [str(exc.message)]}
    for field, problems in exc.details.items():
        if field in CLOSING_FIELDS and isinstance(problems, list):
            errors.setdefault(field, []).extend(str(p) for p in problems)
    return _render(request, case, data=request.POST.dict(), errors=errors, status=exc.http_status)


def _amount(field: str, raw: str) -> Decimal | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        message = _("Give the amount in yuan, e.g. 12000.50.")
        raise ValidationFailed(message, details={field: [message]})
    return value


def _date(field: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else timezone.localdate()
    except ValueError:
        message = _("Give the date as YYYY-MM-DD.")
        raise ValidationFailed(message, details={field: [message]}) from None


def _version(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


@login_required
@renders_domain_errors(_closing_refused)
def case_close(request: HttpRequest, public_id: Any) -> HttpResponse:
    """结案: the form, and on POST the closing; a remand's new first-instance case is named in the message."""
    case = case_get_for_user(request.user, public_id=public_id)
    if not case.is_open:
        messages.info(request, _("This case is already closed."))
        return redirect("cases:detail", public_id=case.public_id)
    case, officer = _closable(request, public_id, case=case)
    if request.method != "POST":
        return _render(request, case, data={"version": case.version}, errors={})
    post = request.POST
    closed = services.case_close(
        actor=officer,
        case=case,
        closed_on=_date("closed_on", post.get("closed_on", "")),
        closing_method=post.get("closing_method", ""),
        outcome=post.get("outcome", ""),
        awarded_amount=_amount("awarded_amount", post.get("awarded_amount", "")),
        recovered_amount=_amount("recovered_amount", post.get("recovered_amount", "")),
        note=post.get("note", ""),
        expected_version=_version(post.get("version", "")),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The case is closed."))
    remanded = closing.remanded_case_of(closed)
    if remanded is not None:
        messages.info(
            request,
            _("Remanded: case %(number)s is filed at %(court)s.")
            % {"number": remanded.case_number, "court": remanded.organisation.name},
        )
    return redirect("cases:detail", public_id=closed.public_id)


@login_required
@require_POST
def case_archive(request: HttpRequest, public_id: Any) -> HttpResponse:
    """归档 from the case page's flow panel."""
    case = case_ref_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    archived = closing.case_archive(
        actor=officer,
        case=case,
        expected_version=_version(request.POST.get("version", "")),
        source=ActionSource.WEB,
    )
    messages.success(request, _("The case is archived."))
    return redirect("cases:detail", public_id=archived.public_id)
