"""Extensions of the time limit (延长审限) by the law: requested by the lead judge, decided once, by the approver the
procedure rule names, within the statutory cap.

* ``extension_request``: the lead judge asks for N days with a reason. The case's procedure rule names who decides:
  the first extension ``extension_approver``, a further one ``further_approver`` (民事诉讼法 art. 152: six months by
  the court president, more only by the court above); ``none`` means the law allows no extension. One pending
  request per case at a time.
* ``case_decide_extension``: approves (the days are added to ``Case.extension_days``) or refuses a pending request,
  once: the request row is locked and its version checked, so of parallel decisions exactly one succeeds.

Who decides. The power list says whether a role may decide extensions at all, in which scope (PRE-02/03 at the
president's own court, PRE-22/23 for the courts below; division chiefs and vice presidents keep CHF/VPR-02/03 for
the time limits the law leaves to the court's own rules, such as the courts' internal management). The law then
names the one approver of *this* request, and this module checks it: a ``president`` request is decided by a
president of the case's own court, a ``higher_court`` request by a president of the court directly above. Any
other officer, even one the power list allows, is refused with a ``PowerDenied`` that names the rule and its legal
basis. The check is here rather than in power-list conditions because it compares the officer with the request
(which court, which tier), a relation the list's declarative conditions do not express.

The tier and the cap. While the days already added (``Case.extension_days``) are below the first tier's cap
(``extension_value`` in its unit: months count from the end of the statutory limit to the same day N months later),
a request belongs to the first tier and may ask at most what is left of the cap; once the cap is used, a request is
a further one. A cap of 0 means the law sets none: then the first approval ends the first tier.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType, OrganisationKind, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed, check_version
from accountability.models import Officer
from accountability.notifications import notify
from accountability.powers import power_decide
from cases import events
from cases.choices import ActionSource, Approver, RequestStatus, Track
from cases.models import Case, CaseRequest, LimitUnit, ProcedureRule
from cases.services import case_lock_for_update, trace_append

FIRST = "first"
FURTHER = "further"


@dataclass(frozen=True)
class ExtensionTerms:
    """What the law says about the next extension of one case, as of now."""

    rule: ProcedureRule
    tier: str
    approver: str
    #: the first tier's cap in days (None: no statutory cap) and what is left of it for this request
    cap_days: int | None
    left_days: int | None

    @property
    def extendable(self) -> bool:
        return self.approver != Approver.NONE


def _months_later(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def extension_rule(case: Case) -> ProcedureRule | None:
    """The procedure rule that governs the case's time limit: the one recorded at filing, or (cases imported or
    filed before the rules were data) the active rule for its type, procedure and track, the ordinary track when
    the case records none."""
    if case.procedure_rule_id is not None:
        return case.procedure_rule
    rules = {r.track: r for r in ProcedureRule.objects.filter(case_type=case.case_type, procedure=case.procedure)}
    return rules.get(case.track) or (None if case.track else rules.get(Track.ORDINARY))


def extension_cap_days(rule: ProcedureRule, case: Case) -> int | None:
    """The first tier's cap in days, counted from the end of the statutory limit; None when the law sets none."""
    if not rule.extension_value:
        return None
    if rule.extension_unit == LimitUnit.DAYS:
        return rule.extension_value
    end = case.filed_on + dt.timedelta(days=case.time_limit_days)
    return (_months_later(end, rule.extension_value) - end).days


def extension_terms(case: Case) -> ExtensionTerms:
    """The tier, approver and days left for the case's next extension; ValidationFailed without a rule."""
    rule = extension_rule(case)
    if rule is None:
        raise _problem("days", _("No procedure rule governs this case's time limit, so it cannot be extended."))
    cap = extension_cap_days(rule, case)
    first = case.extension_days < cap if cap is not None else case.extension_days == 0
    if first:
        left = cap - case.extension_days if cap is not None else None
        return ExtensionTerms(rule, FIRST, rule.extension_approver, cap, left)
    return ExtensionTerms(rule, FURTHER, rule.further_approver, cap, None)


def _refuse_unextendable(terms: ExtensionTerms) -> None:
    if terms.extendable:
        return
    if terms.tier == FIRST:
        message = _("The time limit of this kind of case cannot be extended (%(basis)s).")
    else:
        message = _(
            "The time limit has been extended as far as the law allows (%(basis)s); it cannot be extended again."
        )
    raise _problem("days", message % {"basis": terms.rule.legal_basis or terms.rule})


def _check_cap(terms: ExtensionTerms, days: int) -> None:
    if terms.left_days is not None and days > terms.left_days:
        message = _(
            "At most %(left)s more days may be granted: the law allows an extension of %(value)s %(unit)s "
            "(%(cap)s days) by %(approver)s (%(basis)s)."
        ) % {
            "left": terms.left_days,
            "value": terms.rule.extension_value,
            "unit": LimitUnit(terms.rule.extension_unit).label,
            "cap": terms.cap_days,
            "approver": Approver(terms.approver).label,
            "basis": terms.rule.legal_basis or terms.rule,
        }
        raise _problem("days", message)


def _approver_court_id(case: Case, approver: str) -> int | None:
    if approver == Approver.PRESIDENT:
        return case.organisation_id
    if approver == Approver.HIGHER_COURT:
        return case.organisation.parent_id
    return None


def extension_approvers(case: Case, approver: str) -> QuerySet[Officer]:
    """The officers the law names to decide: the presidents of the case's court, or of the court above."""
    court_id = _approver_court_id(case, approver)
    if court_id is None:
        return Officer.objects.none()
    return Officer.objects.filter(organisation_id=court_id, roles__code=RoleCode.PRESIDENT, user__is_active=True)


def extension_is_approver(officer: Officer, request: CaseRequest) -> bool:
    """Whether ``officer`` is the approver the law names for this request (the power list is asked separately)."""
    court_id = _approver_court_id(request.case, request.approver)
    return court_id is not None and officer.organisation_id == court_id and officer.has_role(RoleCode.PRESIDENT)


def extension_pending(case: Case) -> CaseRequest | None:
    """The case's pending extension request, if any (at most one)."""
    return (
        CaseRequest.objects.select_related("requested_by")
        .filter(case=case, kind=CaseRequest.Kind.EXTENSION, status=RequestStatus.PENDING)
        .first()
    )


def extension_scope(officer: Officer) -> Q:
    """Which pending extension requests land in ``officer``'s inbox, as a condition on CaseRequest: those whose
    approver the law names is a president of the officer's court (``president``) or of the court directly above
    the case's court (``higher_court``). Not the power list's scopes: they would also bring in division chiefs and
    the presidents of every court further up."""
    if not officer.has_role(RoleCode.PRESIDENT):
        return Q(pk__in=[])
    return Q(approver=Approver.PRESIDENT, case__organisation_id=officer.organisation_id) | Q(
        approver=Approver.HIGHER_COURT, case__organisation__parent_id=officer.organisation_id
    )


def extension_requests_to_decide(officer: Officer) -> QuerySet[CaseRequest]:
    """Pending extension requests on which ``officer`` is the approver the law names (the approver's inbox)."""
    return (
        CaseRequest.objects.filter(kind=CaseRequest.Kind.EXTENSION, status=RequestStatus.PENDING)
        .filter(extension_scope(officer))
        .select_related("case", "requested_by")
        .order_by("created_at", "pk")
    )


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id])


def approver_words(case: Case, approver: str) -> str:
    organisation = case.organisation
    if approver == Approver.HIGHER_COURT and organisation.parent_id is not None:
        organisation = organisation.parent
    if organisation.kind == OrganisationKind.PROCURATORATE:
        return _("the procurator-general of %(procuratorate)s") % {"procuratorate": organisation.name}
    return _("the president of %(court)s") % {"court": organisation.name}


@transaction.atomic
def extension_request(
    *,
    actor: Officer,
    case: Case,
    days: int,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """The lead judge asks to extend the time limit by ``days`` (申请延长审限); the approvers are told."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.EXTENSION_REQUESTED, case=case)
    decision.raise_if_denied()
    reason = (reason or "").strip()
    if not reason:
        raise _problem("reason", _("Give the reason for the extension."))
    if len(reason) > 2000:
        raise _problem("reason", _("The reason is too long (at most 2,000 characters)."))
    if not isinstance(days, int) or days < 1:
        raise _problem("days", _("Ask for a positive number of days."))
    if extension_pending(case) is not None:
        raise Conflict(_("An extension request on this case is already awaiting its decision."))
    terms = extension_terms(case)
    _refuse_unextendable(terms)
    _check_cap(terms, days)
    if terms.approver == Approver.HIGHER_COURT and case.organisation.parent_id is None:
        raise _problem("days", _("This court has no court above it to approve the extension."))
    request = CaseRequest(
        case=case,
        kind=CaseRequest.Kind.EXTENSION,
        requested_by=actor,
        days=days,
        reason=reason,
        approver=terms.approver,
    )
    request.full_clean()
    request.save(force_insert=True)
    action = trace_append(
        case=case,
        action_type=ActionType.EXTENSION_REQUESTED,
        actor=actor,
        source=source,
        note=reason,
        decision=decision,
        payload={"request": str(request.public_id), "days": days, "tier": terms.tier, "approver": terms.approver},
    )
    notify(
        officers=extension_approvers(case, terms.approver),
        message=_("Extension request on case %(case)s: %(days)s days, asked by %(judge)s, awaits your decision.")
        % {"case": case.case_number, "days": days, "judge": actor.name},
        link=_case_link(case),
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return request


@transaction.atomic
def case_decide_extension(
    *,
    actor: Officer,
    request: CaseRequest | None,
    approve: bool,
    days: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """Approve (adding ``days``, by default the days asked, to the limit) or refuse a pending extension request,
    once, as the approver the law names; the judge is told. ``expected_version`` is the request's."""
    if request is None or request.kind != CaseRequest.Kind.EXTENSION:
        raise _problem("request", _("There is no pending extension request to decide."))
    # Locks in a stable order, as everywhere: the case, then its request.
    case = case_lock_for_update(request.case, expected_version=None)
    request = CaseRequest.objects.select_for_update().select_related("requested_by").get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise Conflict(
            _("This extension request has already been decided."),
            details={"status": request.status, "current_version": request.version},
        )
    check_version(
        expected=expected_version,
        current=request.version,
        message=_("This request was changed by someone else since you loaded it; reload and try again."),
    )
    action_type = ActionType.EXTENSION_APPROVED if approve else ActionType.EXTENSION_REFUSED
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    request.case = case
    if not extension_is_approver(actor, request):
        terms_rule = extension_rule(case)
        basis = terms_rule.legal_basis if terms_rule is not None else ""
        raise PowerDenied(
            _("By %(basis)s this extension is decided by %(approver)s.")
            % {"basis": basis or _("the procedure rule"), "approver": approver_words(case, request.approver)},
            details={"action_type": action_type, "approver": request.approver, "legal_basis": basis},
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise _problem("note", _("The note is too long (at most 2,000 characters)."))
    granted = 0
    if approve:
        granted = request.days if days is None else days
        if not isinstance(granted, int) or granted < 1:
            raise _problem("days", _("An approved extension needs a positive number of days."))
        terms = extension_terms(case)
        _check_cap(terms, granted)
        case.extension_days += granted
        case.version += 1
        case.save(update_fields=["extension_days", "version", "updated_at"])
    elif not note:
        raise _problem("note", _("Give the reason for refusing."))
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.granted_days = granted if approve else None
    request.version += 1
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "granted_days", "version", "updated_at"]
    )
    payload: dict[str, Any] = {"request": str(request.public_id)}
    if approve:
        payload["days"] = granted
    action = trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload=payload,
    )
    if approve:
        message = _("Your extension request on case %(case)s was approved: %(days)s more days.") % {
            "case": case.case_number,
            "days": granted,
        }
    else:
        message = _("Your extension request on case %(case)s was not approved: %(note)s") % {
            "case": case.case_number,
            "note": note,
        }
    told = [request.requested_by, *([case.lead_officer] if case.lead_officer_id else [])]
    notify(officers=told, message=message, link=_case_link(case))
    events.action_recorded.send(sender=Case, case=case, action=action)
    return request


def extension_decide_request(
    *,
    actor: Officer,
    request: CaseRequest,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
    extra: Mapping[str, Any] | None = None,
) -> CaseRequest:
    """``case_decide_extension`` as the requests inbox and the decision endpoint call every kind (``cases.requests``):
    the days granted come in ``extra`` as posted (empty: the days asked for)."""
    posted = (extra or {}).get("days")
    days: int | None
    if posted in (None, ""):
        days = None
    else:
        try:
            days = int(posted)
        except (TypeError, ValueError):
            raise _problem("days", _("An approved extension needs a positive number of days.")) from None
    return case_decide_extension(
        actor=actor,
        request=request,
        approve=approve,
        days=days,
        note=note,
        expected_version=expected_version,
        source=source,
    )
