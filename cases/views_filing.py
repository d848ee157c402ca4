"""The filing office in the browser (立案): the court's recent filings and refused filings, the filing form and the
refusal form. Only an officer whom the power list allows to file (``filed``) or to refuse a filing
(``filing_refused``) at their own court sees these pages; to anyone else they do not exist (404).

Writes go through ``cases.filing`` (the same services as the API, cases/api_filing.py). A refused write is not
caught here: each form declares with ``renders_domain_errors`` that a refusal shows the form again with what was
typed and each field's problem (``accountability.middleware.DomainErrorMiddleware`` calls it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import DomainError, ValidationFailed
from accountability.middleware import renders_domain_errors
from accountability.models import Officer
from accountability.paging import keyset_page
from accountability.powers import PowerDecision
from accountability.selectors import officer_for_user
from cases import filing
from cases.choices import ActionSource, CaseType, Procedure, Track

PAGE_SIZE = 25
#: The form fields a refusal may name; anything else is shown above the form.
FILING_FIELDS = (
    "department",
    "case_type",
    "procedure",
    "track",
    "cause",
    "parties",
    "parties_count",
    "claim_amount",
    "original_case",
    "note",
)
REFUSAL_FIELDS = ("case_type", "procedure", "cause", "parties", "reason")


def _filing_officer(request: HttpRequest, *action_types: str) -> tuple[Officer, dict[str, PowerDecision]]:
    """The officer and the power list's decisions on filing and refusing at their own court, if it allows one of
    ``action_types``; otherwise 404 (the page does not exist for them)."""
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    decisions = filing.filing_powers(officer)
    if not any(decisions[a].allowed for a in action_types):
        raise Http404
    return officer, decisions


def _errors_by_field(exc: DomainError, fields: tuple[str, ...]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {"general": [str(exc.message)]}
    for field, problems in exc.details.items():
        problems = problems if isinstance(problems, list) else [problems]
        errors.setdefault(field if field in fields else "general", []).extend(str(p) for p in problems)
    return errors


@login_required
def filing_list(request: HttpRequest) -> HttpResponse:
    """立案登记: the court's filings (newest first) or its refused filings, a page at a time, with today's counts."""
    officer, decisions = _filing_officer(request, ActionType.FILED, ActionType.FILING_REFUSED)
    show = request.GET.get("show", "filings")
    show = show if show in ("filings", "refused") else "filings"
    today = timezone.localdate()
    filings = filing.filings_of_court(request.user, officer)
    refusals = filing.filing_refusals_of_court(officer)
    if show == "refused":
        page = keyset_page(request, refusals, ordering=["-refused_on", "-id"], size=PAGE_SIZE)
    else:
        page = keyset_page(request, filings, ordering=["-filed_on", "-id"], size=PAGE_SIZE)
    return render(
        request,
        "cases/filing_list.html",
        {
            "officer": officer,
            "show": show,
            "page": page,
            "filed_today": filings.filter(filed_on=today).count(),
            "refused_today": refusals.filter(refused_on=today).count(),
            "may_file": decisions[ActionType.FILED].allowed,
            "may_refuse": decisions[ActionType.FILING_REFUSED].allowed,
            "today": today,
        },
    )


# --- 立案 ----------------------------------------------------------------------------------------------------------


def _filing_page(
    request: HttpRequest, officer: Officer, data: Any, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    kind = officer.organisation.kind
    return render(
        request,
        "cases/filing_new.html",
        {
            "officer": officer,
            "data": data,
            "errors": errors or {},
            "departments": filing.filing_departments(officer),
            "case_types": CaseType.choices,
            "procedures": [(v, label) for v, label in Procedure.choices if v in filing.procedures_filed_at(kind)],
            "tracks": Track.choices,
            "rules": filing.procedure_rules_in_force(kind),
            "kind": kind,
        },
        status=400 if errors else 200,
    )


def _filing_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refused filing: the form again with what was typed and each field's problem (400)."""
    officer, _decisions = _filing_officer(request, ActionType.FILED)
    return _filing_page(request, officer, request.POST, _errors_by_field(exc, FILING_FIELDS))


def _whole_number(errors: dict[str, list[str]], data: Any, field: str) -> int | None:
    text = data.get(field, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        errors.setdefault(field, []).append(_("Enter a whole number."))
        return None
    return int(text)


def _amount(errors: dict[str, list[str]], data: Any, field: str) -> Decimal | None:
    text = data.get(field, "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value.as_tuple().exponent < -2 or abs(value) >= Decimal(10) ** 16:
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 120000.50."))
        return None
    return value


@login_required
@renders_domain_errors(_filing_refused)
def filing_new(request: HttpRequest) -> HttpResponse:
    """立案 form: the court is the officer's own; on success, the new case's page with its number."""
    officer, _decisions = _filing_officer(request, ActionType.FILED)
    if request.method != "POST":
        return _filing_page(request, officer, {"parties_count": "", "claim_amount": ""})
    data = request.POST
    errors: dict[str, list[str]] = {}
    department = None  # one of the court's own departments, or None (the service says to choose one)
    if data.get("department", "").isdigit():
        department = filing.filing_departments(officer).filter(pk=int(data["department"])).first()
    parties_count = _whole_number(errors, data, "parties_count")
    claim_amount = _amount(errors, data, "claim_amount")
    procedure = data.get("procedure", "")
    original = None
    if data.get("original_case", "").strip():
        original = filing.original_case_find(
            user=request.user,
            organisation=officer.organisation,
            case_number=data["original_case"],
            procedure=procedure,
        )
        if original is None:
            errors["original_case"] = [
                _("No case with this number that you may see (for an appeal: in the courts below).")
            ]
    if errors:
        raise ValidationFailed(_("The filing cannot be recorded; correct the fields named."), details=errors)
    case = filing.case_file_new(
        actor=officer,
        organisation=officer.organisation,
        department=department,
        case_type=data.get("case_type", ""),
        procedure=procedure,
        track=data.get("track", ""),
        cause=data.get("cause", ""),
        parties=data.get("parties", ""),
        parties_count=parties_count,
        claim_amount=claim_amount,
        original_case=original,
        source=ActionSource.WEB,
        note=data.get("note", ""),
    )
    messages.success(request, _("Filed as %(number)s.") % {"number": case.case_number})
    return redirect("cases:detail", public_id=case.public_id)


# --- 不予受理 --------------------------------------------------------------------------------------------------------


def _refusal_page(
    request: HttpRequest, officer: Officer, data: Any, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    kind = officer.organisation.kind
    return render(
        request,
        "cases/filing_refuse.html",
        {
            "officer": officer,
            "data": data,
            "errors": errors or {},
            "case_types": CaseType.choices,
            "procedures": [(v, label) for v, label in Procedure.choices if v in filing.procedures_filed_at(kind)],
        },
        status=400 if errors else 200,
    )


def _refusal_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    officer, _decisions = _filing_officer(request, ActionType.FILING_REFUSED)
    return _refusal_page(request, officer, request.POST, _errors_by_field(exc, REFUSAL_FIELDS))


@login_required
@renders_domain_errors(_refusal_refused)
def filing_refuse(request: HttpRequest) -> HttpResponse:
    """不予受理 form: the refusal is recorded with its reason; no case is made and no number used."""
    officer, _decisions = _filing_officer(request, ActionType.FILING_REFUSED)
    if request.method != "POST":
        return _refusal_page(request, officer, {})
    data = request.POST
    filing.filing_refuse(
        actor=officer,
        organisation=officer.organisation,
        case_type=data.get("case_type", ""),
        procedure=data.get("procedure", ""),
        cause=data.get("cause", ""),
        parties=data.get("parties", ""),
        reason=data.get("reason", ""),
    )
    messages.success(request, _("The refused filing is recorded."))
    return redirect(f"{reverse('cases:filing-list')}?show=refused")
