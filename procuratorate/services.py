"""Writes of a procuratorate's procedures (DOMAIN.md §13), each checked against the power list and appended to the
case's chained trace:

* ``supplementary_return`` — 退回补充侦查: at most twice (the power list's PRO-RN1 refuses a third, naming itself),
  never while the case is still out for investigation (PRO-RN2);
* ``investigation_resubmit`` — the case comes back: the review period counts afresh from that day (刑事诉讼法第一百七十五
  条: 重新计算审查起诉期限), by adding the days since the period began to the excluded days;
* ``chief_decision_request`` / ``chief_decision_decide`` — a matter the authorisation table reserves to the
  procurator-general is submitted by the prosecutor and decided by the chief in writing, the decision put on file as
  a trace action of the matter's own type with the item it rests on;
* ``on_case_closing`` — a closing by a decision's method needs that decision on file; the prosecutor's own decision
  (批准逮捕, 提起公诉 …) is recorded with the closing, the chief's must already be there;
* ``prosecution_facts_record`` — custody, plea and sentencing facts for the indicators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import Officer
from accountability.notifications import notify
from accountability.powers import power_decide
from cases import events
from cases.choices import ActionSource, Approver, ClosingMethod, RequestStatus
from cases.models import Action, Case, CaseRequest
from cases.requests import deciders_of
from cases.services import case_lock_for_update, case_log_action, trace_append
from procuratorate.default_procedures import (
    CLOSING_DECISIONS,
    CLOSING_METHODS,
    DOUBT_NEEDS_RETURNS,
    OTHER_MATTERS,
    PROCEDURES,
    RETURN_DAYS,
)
from procuratorate.models import ChiefMatter, ProsecutionFacts

RETURNED = ActionType.RETURNED_FOR_SUPPLEMENTARY_INVESTIGATION
RESUBMITTED = ActionType.INVESTIGATION_RESUBMITTED


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


# --- facts the power list asks (registered in hooks) -------------------------------------------------------------


def _returns(case: Case) -> list[tuple[str, dt.datetime, dict[str, Any]]]:
    return list(
        Action.objects.filter(case_id=case.pk, case_year=case.filed_on.year, action_type__in=[RETURNED, RESUBMITTED])
        .order_by("seq")
        .values_list("action_type", "occurred_at", "payload")
    )


def supplementary_returns(case: Case) -> int:
    """How many times the case has been returned for supplementary investigation."""
    return sum(1 for kind, _at, _payload in _returns(case) if kind == RETURNED)


def awaiting_resubmission(case: Case) -> bool:
    """Returned and not yet back."""
    rows = _returns(case)
    return bool(rows) and rows[-1][0] == RETURNED


# --- 退回补充侦查 and its return ------------------------------------------------------------------------------------


def supplementary_return(
    *,
    actor: Officer,
    case: Case,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> Action:
    """退回补充侦查 with the outline of what to investigate (补充侦查提纲); the investigating organ has one month."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give the points to be investigated (the outline of supplementary investigation)."))
    with transaction.atomic():
        case = case_lock_for_update(case, expected_version=expected_version)
        number = supplementary_returns(case) + 1
        occurred = timezone.now()
        due_on = timezone.localdate(occurred) + dt.timedelta(days=RETURN_DAYS)
        return case_log_action(
            actor=actor,
            case=case,
            action_type=RETURNED,
            note=reason,
            payload={"return_number": number, "investigation_due_on": due_on.isoformat()},
            occurred_at=occurred,
            source=source,
        )


@transaction.atomic
def investigation_resubmit(
    *,
    actor: Officer,
    case: Case,
    resubmitted_on: dt.date,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> Action:
    """The investigating organ sends the case back: the review period starts afresh on ``resubmitted_on``."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=RESUBMITTED, case=case)
    decision.raise_if_denied()
    rows = _returns(case)
    if not rows or rows[-1][0] != RETURNED:
        raise Conflict(_("This case is not out for supplementary investigation."))
    if resubmitted_on > timezone.localdate():
        raise _invalid("resubmitted_on", _("The case cannot come back in the future."))
    returned_on = timezone.localdate(rows[-1][1])
    if resubmitted_on < returned_on:
        raise _invalid("resubmitted_on", _("The case cannot come back before it was returned."))
    previous = [p for kind, _at, p in rows if kind == RESUBMITTED]
    period_start = dt.date.fromisoformat(previous[-1]["resubmitted_on"]) if previous else case.filed_on
    added = (resubmitted_on - period_start).days
    case.excluded_days += added
    case.version += 1
    case.save(update_fields=["excluded_days", "version", "updated_at"])
    action = trace_append(
        case=case,
        action_type=RESUBMITTED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload={
            "resubmitted_on": resubmitted_on.isoformat(),
            "return_number": sum(1 for kind, _at, _p in rows if kind == RETURNED),
            "excluded_days_added": added,
            "investigation_days": (resubmitted_on - returned_on).days,
            "over_one_month": (resubmitted_on - returned_on).days > RETURN_DAYS,
        },
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return action


# --- 检察长决定事项 ----------------------------------------------------------------------------------------------


def matters_of(case: Case) -> list[tuple[str, str]]:
    """(code, label) of what the prosecutor may submit on this case: its procedure's closing methods that rest on a
    decision, and the other matters (撤回起诉 after a prosecution)."""
    found = [
        (method, str(ClosingMethod(method).label))
        for method in CLOSING_METHODS.get(case.procedure, ())
        if method in CLOSING_DECISIONS
    ]
    if case.procedure == "prosecution":
        found += [(matter, str(ActionType(matter).label)) for matter in OTHER_MATTERS]
    return found


def _matter_action(case: Case, matter: str) -> tuple[str, str]:
    """(decision action type, closing method) of a submitted matter, or ValidationFailed naming it."""
    if matter not in dict(matters_of(case)):
        raise _invalid("matter", _("This matter cannot be submitted on this case."))
    if matter in OTHER_MATTERS:
        return matter, ""
    return CLOSING_DECISIONS[matter], matter


def _check_doubt(case: Case, method: str) -> None:
    if method == ClosingMethod.NP_DOUBT and supplementary_returns(case) < DOUBT_NEEDS_RETURNS:
        raise _invalid(
            "matter",
            _(
                "Non-prosecution for insufficient evidence needs the case returned for supplementary investigation first."
            ),
        )


@transaction.atomic
def chief_decision_request(
    *,
    actor: Officer,
    case: Case,
    matter: str,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """The prosecutor submits a matter to the procurator-general with the proposed handling and its reasons."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.CHIEF_DECISION_REQUESTED, case=case)
    decision.raise_if_denied()
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Give the proposed handling and its reasons."))
    action_type, method = _matter_action(case, matter)
    _check_doubt(case, method)
    if ChiefMatter.objects.filter(
        request__case=case, request__status=RequestStatus.PENDING, matter=action_type
    ).exists():
        raise Conflict(_("This matter already awaits the procurator-general's decision."))
    request = CaseRequest.objects.create(
        case=case,
        kind=CaseRequest.Kind.CHIEF_DECISION,
        requested_by=actor,
        reason=reason,
        approver=Approver.PRESIDENT,
    )
    ChiefMatter.objects.create(request=request, matter=action_type, closing_method=method)
    action = trace_append(
        case=case,
        action_type=ActionType.CHIEF_DECISION_REQUESTED,
        actor=actor,
        source=source,
        note=reason,
        decision=decision,
        payload={"request": str(request.public_id), "matter": action_type, "closing_method": method},
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    chiefs = deciders_of(case, action_type).exclude(pk=actor.pk)
    transaction.on_commit(
        lambda: notify(
            officers=list(chiefs),
            message=_("%(case)s: a matter awaits your written decision (%(matter)s).")
            % {"case": case.case_number, "matter": dict(matters_of(case))[matter]},
            link="/cases/requests/",
        )
    )
    return request


@transaction.atomic
def chief_decision_decide(
    *,
    actor: Officer,
    request: CaseRequest,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
    extra: Any = None,
) -> CaseRequest:
    """The procurator-general (or a deputy by delegation) decides a submitted matter, in writing: the decision's
    text is required and is put on file as a trace action of the matter's type (or ``chief_decision_refused``),
    naming the power-list item it rests on."""
    request = CaseRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if request.kind != CaseRequest.Kind.CHIEF_DECISION:
        raise _invalid("kind", _("This is not a matter for the procurator-general."))
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This request has already been decided."))
    if expected_version is not None and request.version != expected_version:
        raise Conflict(_("This request was changed by someone else since you loaded it; reload and try again."))
    text = (note or "").strip()
    if not text:
        raise _invalid("note", _("The procurator-general decides in writing: write the decision and its reasons."))
    case = case_lock_for_update(request.case, expected_version=None)
    matter = ChiefMatter.objects.select_for_update().get(request=request)
    action_type = matter.matter if approve else ActionType.CHIEF_DECISION_REFUSED
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    if actor.pk == request.requested_by_id:
        raise PowerDenied(_("The officer who submitted a matter does not decide it."))
    action = trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=text,
        decision=decision,
        payload={
            "request": str(request.public_id),
            "matter": matter.matter,
            "closing_method": matter.closing_method,
            "approved": approve,
            "written_decision": text,
            "filed": True,
            "requested_by": request.requested_by.officer_id,
        },
    )
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = text
    request.version += 1
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "version", "updated_at"])
    matter.decision_seq = action.seq
    matter.save(update_fields=["decision_seq"])
    events.action_recorded.send(sender=Case, case=case, action=action)
    requester = request.requested_by
    transaction.on_commit(
        lambda: notify(
            officers=[requester],
            message=_("%(case)s: the procurator-general has decided the matter you submitted.")
            % {"case": case.case_number},
            link=f"/cases/{case.public_id}/",
        )
    )
    return request


def decision_on_file(case: Case, action_type: str, closing_method: str) -> Action | None:
    """The decision a closing by ``closing_method`` rests on, if it is in the trace."""
    return (
        Action.objects.filter(case_id=case.pk, case_year=case.filed_on.year, action_type=action_type)
        .filter(Q(payload__closing_method=closing_method))
        .order_by("-seq")
        .first()
    )


def on_case_closing(*, case: Case, actor: Officer, closing_method: str, **kwargs: Any) -> None:
    """A procuratorate's case closes only by a decision on file: the chief's, decided in writing before, or the
    prosecutor's own, which the power list allows and which is recorded here with its item."""
    action_type = CLOSING_DECISIONS.get(closing_method)
    if case.procedure not in PROCEDURES or action_type is None:
        return
    _check_doubt(case, closing_method)
    if decision_on_file(case, action_type, closing_method) is not None:
        return
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    if not decision.allowed:
        raise PowerDenied(
            _("%(reason)s. No written decision of the procurator-general is on file for it: submit the matter first.")
            % {"reason": decision.reason},
            details=decision.as_details(),
        )
    trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=kwargs.get("source") or ActionSource.WEB,
        note=kwargs.get("note") or "",
        decision=decision,
        payload={"closing_method": closing_method, "decided_by_prosecutor": True},
    )


# --- facts for the indicators -----------------------------------------------------------------------------------


@transaction.atomic
def prosecution_facts_record(
    *,
    actor: Officer,
    case: Case,
    detained: bool,
    plea_leniency: bool,
    sentencing_recommended: bool,
    sentencing_adopted: bool | None = None,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> ProsecutionFacts:
    """Record whether the suspect was in custody, pleaded guilty and accepted punishment, and whether a sentencing
    recommendation was made and adopted (a review for prosecution only)."""
    case = case_lock_for_update(case, expected_version=expected_version)
    if case.procedure != "prosecution":
        raise _invalid("case", _("These facts belong to a review for prosecution."))
    decision = power_decide(officer=actor, action_type=ActionType.PROSECUTION_FACTS_RECORDED, case=case)
    decision.raise_if_denied()
    if sentencing_adopted is not None and not sentencing_recommended:
        raise _invalid("sentencing_adopted", _("A recommendation not made cannot be adopted."))
    facts, _created = ProsecutionFacts.objects.update_or_create(
        case=case,
        defaults={
            "detained": detained,
            "plea_leniency": plea_leniency,
            "sentencing_recommended": sentencing_recommended,
            "sentencing_adopted": sentencing_adopted,
        },
    )
    action = trace_append(
        case=case,
        action_type=ActionType.PROSECUTION_FACTS_RECORDED,
        actor=actor,
        source=source,
        decision=decision,
        payload={
            "detained": detained,
            "plea_leniency": plea_leniency,
            "sentencing_recommended": sentencing_recommended,
            "sentencing_adopted": sentencing_adopted,
        },
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return facts
