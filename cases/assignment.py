"""Assignment (分案): the random draw, designated assignment, the panel (合议庭), a change of the lead judge
(变更承办人), recusal (回避), and the assistants and clerks the lead judge attaches (DOMAIN.md §11).

Random assignment is the rule (随机分案为主). ``case_assign_random`` draws the lead judge among the candidates:

* quota judges (员额法官; a procuratorate's quota prosecutors) of the case's department, whose login is active. The
  department is the qualification: courts sort their judges by specialisation into divisions (民庭, 刑庭, 行政庭),
  and the quota seat is what lets a judge lead a case at all. (The power list's ``case.case_type`` conditions could
  narrow it further; the default list does not.)
* minus anyone the power list bars from all case work: each candidate is asked ``power_decide(action_type=any)``
  on the case, so a negative item such as JUD-X1 (暂停履职或者停职期间不得办理案件, fact ``actor.suspended``,
  provided by discipline) takes a suspended judge out without this module knowing discipline;
* minus the judges who took part in the case this one continues (an appeal, a retrial, a remanded case: 原审
  合议庭成员不得参加重审、再审, 民事诉讼法 art. 41), walking up the chain of original cases;
* weighted by 1 / (1 + open cases led) when the court's ``AssignmentPolicy.weighted_by_caseload`` says so, else
  equally.

The draw takes a fresh seed (``secrets.token_hex(16)``) and calls ``random.Random(seed).choices`` over the candidates
in a stable order (by officer pk). ``AssignmentDraw`` keeps the candidates with their weights, the seed and the result,
and the ``assigned`` action's payload (hash-chained) carries the same, by officer id: ``redraw`` repeats the draw from
the record, ``draw_verify`` from the record and from the trace, so an auditor can see that the judge drawn is the one
the seed gives and that the record was not rewritten.

Everything else is the exception, each decided once by a leader the power list names, with its reason on record:

* designated assignment (指定分案): a reason from ``DesignationReason`` and a text, requested by the filing office or a
  leader (``assignment_designated``: FIL-04, CMO-13, CHF/PRE/VPR-18), approved by a president, vice president or the
  division chief in scope (CHF/PRE/VPR-18). The request appends ``assignment_designated`` (status requested), the
  decision ``assignment_designated`` again (approved or refused) and, approved, ``assigned`` with a draw of kind
  ``designated``;
* change of the lead judge: requested by the lead judge (``lead_change_requested``), decided by CHF/PRE/VPR-19
  (``lead_changed``);
* recusal: requested by a member of the team for themself (自行回避) or by the lead judge on a party's application
  (``recusal_requested``), decided by the president (PRE-21); a president's own recusal belongs to the adjudication committee and is
  refused here. Approved for the lead judge, the case is drawn again in the same transaction, without them.

Because the request and the approval of a designation share one action type in the default list, the decision
also needs a leader's role (院庭长) and another officer than the one who asked: nobody approves their own request.

The panel (``panel_form``, CHF/PRE/VPR-20): quota judges of the court, the lead among them, an odd number of at least
three, or the lead alone on the summary and small-claims tracks (独任审理); the presiding judge is a member. The lead
is ``Case.lead_officer``; the other members are ``CaseParticipant`` rows of role ``panel``. When the lead changes,
the newcomer takes the leaver's seat, so the panel keeps its size.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import CASE_HANDLER_ROLES, LEADER_ROLES, ActionType, Participation, PowerEffect, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed, check_version
from accountability.models import Officer
from accountability.notifications import notify
from accountability.powers import PowerDecision, power_decide
from cases import events
from cases.choices import ActionSource, AssignmentKind, DesignationReason, Procedure, RequestStatus, Track
from cases.models import Action, AssignmentDraw, AssignmentPolicy, Case, CaseParticipant, CaseRequest
from cases.requests import deciders_of, power_scope_condition
from cases.services import case_lock_for_update, trace_append

MAX_TEXT = 2000
#: Tracks on which one judge hears the case alone (独任审理).
SOLE_JUDGE_TRACKS = frozenset({Track.SUMMARY, Track.SMALL_CLAIMS})
#: The most judges a panel may have (a seven-member panel hears the gravest cases).
PANEL_MAX = 7
#: Who may be attached by the lead judge, by the role they must hold.
ATTACHABLE = {Participation.ASSISTANT: RoleCode.ASSISTANT, Participation.CLERK: RoleCode.CLERK}
#: The kinds of request this module decides, with the power-list action type of the decision.
DECISION_TYPES = {
    CaseRequest.Kind.DESIGNATION: ActionType.ASSIGNMENT_DESIGNATED,
    CaseRequest.Kind.LEAD_CHANGE: ActionType.LEAD_CHANGED,
    CaseRequest.Kind.RECUSAL: ActionType.RECUSAL_DECIDED,
}


def _problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _text(field: str, value: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _problem(field, required)
    if len(value) > MAX_TEXT:
        raise _problem(field, _("The text is too long (at most 2,000 characters)."))
    return value


# --- the draw ----------------------------------------------------------------------------------------------------


def seed_new() -> str:
    """A fresh, unpredictable seed for one draw (128 bits from the operating system)."""
    return secrets.token_hex(16)


def draw_from(candidates: Sequence[Sequence[Any]], seed: str) -> Any:
    """The one draw: ``[[label, weight], …]`` in the recorded order and the seed give the label drawn.

    ``random.Random(seed)`` is used for reproducibility, not secrecy: the seed is secret until it is drawn, then it
    is published in the record so that anyone can draw again. The labels do not take part in the draw (only their
    order and weights do), so the record (officer pks) and the trace (officer ids) reproduce the same position."""
    labels = [label for label, _weight in candidates]
    weights = [float(weight) for _label, weight in candidates]
    return random.Random(seed).choices(labels, weights=weights, k=1)[0]  # noqa: S311 - reproducible by design


def redraw(draw: AssignmentDraw) -> int | None:
    """The officer pk that the draw's record gives again; None for an assignment that was not drawn."""
    if draw.kind != AssignmentKind.RANDOM or not draw.seed or not draw.candidates:
        return None
    return int(draw_from(draw.candidates, draw.seed))


@dataclass(frozen=True)
class DrawCheck:
    #: None: not a random draw (a designation or a change: nothing to draw again)
    reproducible: bool | None
    redrawn_pk: int | None
    #: the trace action that recorded it carries the same seed, candidates and result
    matches_trace: bool


def draw_verify(draw: AssignmentDraw) -> DrawCheck:
    """An auditor's check of one assignment: drawn again from its record, and compared with its trace action."""
    redrawn = redraw(draw)
    reproducible = None if redrawn is None else redrawn == draw.result_id
    action = Action.objects.filter(case_id=draw.case_id, seq=draw.action_seq).first() if draw.action_seq else None
    payload = action.payload if action is not None else {}
    pks = [int(pk) for pk, _weight in draw.candidates]
    ids = dict(Officer.objects.filter(pk__in=[*pks, draw.result_id]).values_list("pk", "officer_id"))
    matches = (
        action is not None
        and action.action_type == ActionType.ASSIGNED
        and payload.get("draw") == str(draw.public_id)
        and payload.get("seed", "") == draw.seed
        and payload.get("result") == ids.get(draw.result_id)
        and payload.get("candidates", []) == [[ids.get(pk), weight] for pk, weight in draw.candidates]
    )
    if matches and draw.kind == AssignmentKind.RANDOM:
        matches = draw_from(payload["candidates"], payload["seed"]) == payload["result"]
    return DrawCheck(reproducible=reproducible, redrawn_pk=redrawn, matches_trace=matches)


# --- who may be drawn or named -----------------------------------------------------------------------------------


def _handlers_of_court(case: Case) -> QuerySet[Officer]:
    """Quota judges (or prosecutors) of the case's court with an active login, in a stable order."""
    return (
        Officer.objects.filter(
            organisation_id=case.organisation_id,
            is_quota=True,
            roles__code__in=CASE_HANDLER_ROLES,
            user__is_active=True,
        )
        .select_related("user", "organisation", "department")
        .prefetch_related("roles")
        .distinct()
        .order_by("pk")
    )


def barred(officer: Officer, case: Case) -> PowerDecision | None:
    """The negative power-list item that bars the officer from every act on the case (JUD-X1: suspended), if any."""
    decision = power_decide(officer=officer, action_type=ActionType.ANY, case=case)
    if not decision.allowed and decision.item is not None and decision.item.effect == PowerEffect.DENY:
        return decision
    return None


def took_part_before(case: Case) -> set[int]:
    """Officers who took part in the case this one continues (appeal, retrial, remand), up the chain of originals:
    the lead, the presiding judge and every member of the team."""
    if case.procedure == Procedure.ENFORCEMENT or case.original_case_id is None:
        return set()
    seen: list[int] = []
    people: set[int] = set()
    current = case.original_case_id
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        row = Case.objects.filter(pk=current).values("lead_officer_id", "presiding_officer_id", "original_case_id")
        found = row.first()
        if found is None:
            break
        people.update(pk for pk in (found["lead_officer_id"], found["presiding_officer_id"]) if pk)
        current = found["original_case_id"]
    people.update(CaseParticipant.objects.filter(case_id__in=seen).values_list("officer_id", flat=True))
    return people


def assignment_policy_weighted(case: Case) -> bool:
    return AssignmentPolicy.objects.filter(organisation_id=case.organisation_id, weighted_by_caseload=True).exists()


def assignment_candidates(*, case: Case, exclude: Iterable[int] = ()) -> tuple[list[tuple[Officer, float]], bool]:
    """Who the draw chooses among, with their weights, in the draw's order; and whether weighted by caseload."""
    if case.department_id is None:
        return [], False
    left_out = took_part_before(case) | set(exclude)
    officers = [
        officer
        for officer in _handlers_of_court(case).filter(department_id=case.department_id)
        if officer.pk not in left_out and barred(officer, case) is None
    ]
    if not assignment_policy_weighted(case):
        return [(officer, 1.0) for officer in officers], False
    loads = dict(
        Case.objects.filter(lead_officer__in=[o.pk for o in officers], closed_on__isnull=True)
        .order_by()
        .values("lead_officer")
        .annotate(n=Count("pk"))
        .values_list("lead_officer", "n")
    )
    return [(officer, round(1 / (1 + loads.get(officer.pk, 0)), 6)) for officer in officers], True


def _check_may_lead(officer: Officer, case: Case, field: str, *, left_out: set[int] | None = None) -> None:
    """A judge named to lead or sit (designation, change, panel): a quota judge of the case's court, not barred by the
    power list, who did not take part in the case this one continues."""
    words = {"name": officer.name}
    if (
        officer.organisation_id != case.organisation_id
        or not officer.is_quota
        or not officer.has_role(*CASE_HANDLER_ROLES)
        or not officer.user.is_active
    ):
        raise _problem(field, _("%(name)s is not a quota judge of this court.") % words)
    refusal = barred(officer, case)
    if refusal is not None:
        raise _problem(
            field,
            _("%(name)s may not handle cases now (%(code)s: %(title)s).")
            % {**words, "code": refusal.item.code, "title": refusal.item.title},
        )
    if officer.pk in (took_part_before(case) if left_out is None else left_out):
        raise _problem(field, _("%(name)s took part in the original case and must not hear this one.") % words)


# --- the random draw ---------------------------------------------------------------------------------------------


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id])


def _seat(case: Case, *, leaver: Officer | None, newcomer: Officer, keep_leaver: bool) -> None:
    """The newcomer takes the leaver's seat on the panel: a newcomer already on the panel leaves their own seat, which
    the leaver keeps when ``keep_leaver`` (a change of the lead: the panel keeps its size) and which is lost otherwise
    (recusal: the panel is to be formed again). The presiding judge who leaves is replaced by the newcomer."""
    own_seat = CaseParticipant.objects.filter(case=case, officer=newcomer, role=Participation.PANEL)
    had_seat = own_seat.exists()
    if had_seat:
        own_seat.delete()
        if keep_leaver and leaver is not None:
            CaseParticipant.objects.create(case=case, officer=leaver, role=Participation.PANEL)
    leaving = leaver is not None and not (keep_leaver and had_seat)
    if leaving and case.presiding_officer_id == leaver.pk:
        case.presiding_officer = None if had_seat else newcomer
    case._prefetched_objects_cache.pop("participants", None)


def _draw_lead(
    *,
    case: Case,
    actor: Officer,
    decision: PowerDecision,
    source: str,
    note: str = "",
    exclude: Iterable[int] = (),
    extra: Mapping[str, Any] | None = None,
) -> AssignmentDraw:
    """Draw the lead judge of the locked case, record the draw and the ``assigned`` action; the case is saved."""
    candidates, weighted = assignment_candidates(case=case, exclude=exclude)
    if not candidates:
        raise _problem(
            "case",
            _("No judge of %(department)s can be drawn for this case; designate one instead.")
            % {"department": case.department.name if case.department_id else _("the case's department")},
        )
    seed = seed_new()
    table = [[officer.pk, weight] for officer, weight in candidates]
    chosen_pk = draw_from(table, seed)
    chosen = next(officer for officer, _weight in candidates if officer.pk == chosen_pk)
    public_id = uuid.uuid4()
    leaver = case.lead_officer if case.lead_officer_id else None
    if leaver is not None:
        _seat(case, leaver=leaver, newcomer=chosen, keep_leaver=False)
    case.lead_officer = chosen
    case.version += 1
    case.save(update_fields=["lead_officer", "presiding_officer", "version", "updated_at"])
    action = trace_append(
        case=case,
        action_type=ActionType.ASSIGNED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload={
            "draw": str(public_id),
            "kind": AssignmentKind.RANDOM,
            "seed": seed,
            "weighted": weighted,
            "candidates": [[officer.officer_id, weight] for officer, weight in candidates],
            "result": chosen.officer_id,
            **(extra or {}),
        },
    )
    draw = AssignmentDraw.objects.create(
        public_id=public_id,
        case=case,
        kind=AssignmentKind.RANDOM,
        candidates=table,
        seed=seed,
        result=chosen,
        note=note,
        action_seq=action.seq,
    )
    notify(
        officers=[chosen],
        message=_("You were drawn as the lead judge of case %(case)s.") % {"case": case.case_number},
        link=_case_link(case),
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return draw


def _pending(case: Case, kind: str, **extra: Any) -> CaseRequest | None:
    return CaseRequest.objects.filter(case=case, kind=kind, status=RequestStatus.PENDING, **extra).first()


@transaction.atomic
def case_assign_random(
    *, actor: Officer, case: Case, expected_version: int | None, source: str = ActionSource.WEB, note: str = ""
) -> AssignmentDraw:
    """随机分案: draw the lead judge of an unassigned case among the eligible judges of its department."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.ASSIGNED, case=case)
    decision.raise_if_denied()
    if case.lead_officer_id is not None:
        raise Conflict(_("This case already has a lead judge; a change needs a request and its approval."))
    if _pending(case, CaseRequest.Kind.DESIGNATION) is not None:
        raise Conflict(_("A designated assignment of this case awaits its decision."))
    if case.department_id is None:
        raise _problem("case", _("The case has no department to draw its judge from."))
    return _draw_lead(case=case, actor=actor, decision=decision, source=source, note=_text("note", note))


# --- requests and their decisions ----------------------------------------------------------------------------------


def _request_create(
    *,
    case: Case,
    kind: str,
    actor: Officer,
    subject: Officer,
    reason: str,
    action_type: str,
    decision: PowerDecision,
    source: str,
    payload: dict[str, Any],
    reason_code: str = "",
) -> CaseRequest:
    request = CaseRequest(
        case=case, kind=kind, requested_by=actor, subject=subject, reason=reason, reason_code=reason_code
    )
    request.save(force_insert=True)
    action = trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=reason,
        decision=decision,
        payload={"request": str(request.public_id), "status": RequestStatus.PENDING, **payload},
    )
    notify(
        officers=deciders_of(case, DECISION_TYPES[kind]).exclude(pk__in=[actor.pk, subject.pk]),
        message=_("%(kind)s on case %(case)s, asked by %(name)s, awaits your decision.")
        % {"kind": CaseRequest.Kind(kind).label, "case": case.case_number, "name": actor.name},
        link=reverse("cases:requests"),
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return request


@dataclass
class _Deciding:
    case: Case
    request: CaseRequest
    decision: PowerDecision
    note: str


def _decision_open(
    *,
    actor: Officer,
    request: CaseRequest | None,
    kind: str,
    approve: bool,
    note: str,
    expected_version: int | None,
    leaders_only: bool,
) -> _Deciding:
    """Lock the case and then the request (the order used everywhere), refuse a second decision (409) and a stale one,
    ask the power list, and refuse deciding one's own request (and, where the rules say so, a non-leader)."""
    if request is None or request.kind != kind:
        raise _problem("request", _("There is no such pending request to decide."))
    case = case_lock_for_update(request.case, expected_version=None)
    request = (
        CaseRequest.objects.select_for_update(of=("self",)).select_related("requested_by", "subject").get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise Conflict(
            _("This request has already been decided."),
            details={"status": request.status, "current_version": request.version},
        )
    check_version(
        expected=expected_version,
        current=request.version,
        message=_("This request was changed by someone else since you loaded it; reload and try again."),
    )
    decision = power_decide(officer=actor, action_type=DECISION_TYPES[kind], case=case)
    decision.raise_if_denied()
    if leaders_only and not actor.has_role(*LEADER_ROLES):
        raise PowerDenied(
            _("A president, vice president or division chief (院庭长) decides this request."),
            details=decision.as_details(),
        )
    if actor.pk == request.requested_by_id:
        raise PowerDenied(_("Nobody decides their own request."), details=decision.as_details())
    request.case = case
    note = _text("note", note, required=None if approve else _("Give the reason for refusing."))
    return _Deciding(case=case, request=request, decision=decision, note=note)


def _decision_close(deciding: _Deciding, *, actor: Officer, approve: bool) -> None:
    request = deciding.request
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = deciding.note
    request.version += 1
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "version", "updated_at"])


def _tell_decided(deciding: _Deciding, *, approve: bool) -> None:
    request, case = deciding.request, deciding.case
    words = {"kind": request.get_kind_display(), "case": case.case_number, "note": deciding.note}
    if approve:
        message = _("%(kind)s on case %(case)s was approved.") % words
    else:
        message = _("%(kind)s on case %(case)s was not approved: %(note)s") % words
    told = [request.requested_by, *([request.subject] if request.subject_id else [])]
    notify(officers=told, message=message, link=_case_link(case))


def _decision_action(deciding: _Deciding, *, action_type: str, actor: Officer, source: str, payload: dict) -> Action:
    action = trace_append(
        case=deciding.case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=deciding.note,
        decision=deciding.decision,
        payload={"request": str(deciding.request.public_id), "status": deciding.request.status, **payload},
    )
    events.action_recorded.send(sender=Case, case=deciding.case, action=action)
    return action


# 指定分案 -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_designate_request(
    *,
    actor: Officer,
    case: Case,
    officer: Officer,
    reason_code: str,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """Ask for a designated assignment (指定分案) of an unassigned case to ``officer``, for a reason the rules allow."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.ASSIGNMENT_DESIGNATED, case=case)
    decision.raise_if_denied()
    if reason_code not in DesignationReason.values:
        raise _problem("reason_code", _("Choose one of the reasons the rules allow for a designated assignment."))
    reason = _text("reason", reason, required=_("Explain why this case is designated rather than drawn."))
    if case.lead_officer_id is not None:
        raise Conflict(_("This case already has a lead judge; ask for a change of the lead judge instead."))
    if _pending(case, CaseRequest.Kind.DESIGNATION) is not None:
        raise Conflict(_("A designated assignment of this case already awaits its decision."))
    _check_may_lead(officer, case, "officer")
    return _request_create(
        case=case,
        kind=CaseRequest.Kind.DESIGNATION,
        actor=actor,
        subject=officer,
        reason=reason,
        reason_code=reason_code,
        action_type=ActionType.ASSIGNMENT_DESIGNATED,
        decision=decision,
        source=source,
        payload={"officer": officer.officer_id, "reason_code": reason_code},
    )


@transaction.atomic
def assignment_designate_decide(
    *,
    actor: Officer,
    request: CaseRequest | None,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """Approve (the named judge leads the case) or refuse a designated assignment, once."""
    deciding = _decision_open(
        actor=actor,
        request=request,
        kind=CaseRequest.Kind.DESIGNATION,
        approve=approve,
        note=note,
        expected_version=expected_version,
        leaders_only=True,
    )
    case, request = deciding.case, deciding.request
    officer = request.subject
    if approve:
        if case.lead_officer_id is not None:
            raise Conflict(_("This case was assigned meanwhile; the designation can no longer take effect."))
        _check_may_lead(officer, case, "officer")
    _decision_close(deciding, actor=actor, approve=approve)
    _decision_action(
        deciding,
        action_type=ActionType.ASSIGNMENT_DESIGNATED,
        actor=actor,
        source=source,
        payload={"officer": officer.officer_id, "reason_code": request.reason_code},
    )
    if approve:
        public_id = uuid.uuid4()
        case.lead_officer = officer
        case.version += 1
        case.save(update_fields=["lead_officer", "version", "updated_at"])
        action = _decision_action(
            deciding,
            action_type=ActionType.ASSIGNED,
            actor=actor,
            source=source,
            payload={
                "draw": str(public_id),
                "kind": AssignmentKind.DESIGNATED,
                "seed": "",
                "candidates": [],
                "result": officer.officer_id,
                "reason_code": request.reason_code,
            },
        )
        AssignmentDraw.objects.create(
            public_id=public_id,
            case=case,
            kind=AssignmentKind.DESIGNATED,
            result=officer,
            reason=request.reason_code,
            note=request.reason,
            approved_by=actor,
            action_seq=action.seq,
        )
    _tell_decided(deciding, approve=approve)
    return request


# 变更承办人 -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def lead_change_request(
    *,
    actor: Officer,
    case: Case,
    new_lead: Officer,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """Ask to hand the case to another judge (变更承办人), with the reason; a leader decides."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.LEAD_CHANGE_REQUESTED, case=case)
    decision.raise_if_denied()
    reason = _text("reason", reason, required=_("Give the reason for the change."))
    if case.lead_officer_id is None:
        raise _problem("new_lead", _("The case has no lead judge yet: it is assigned, not changed."))
    if new_lead.pk == case.lead_officer_id:
        raise _problem("new_lead", _("%(name)s already leads this case.") % {"name": new_lead.name})
    if _pending(case, CaseRequest.Kind.LEAD_CHANGE) is not None:
        raise Conflict(_("A change of the lead judge of this case already awaits its decision."))
    _check_may_lead(new_lead, case, "new_lead")
    return _request_create(
        case=case,
        kind=CaseRequest.Kind.LEAD_CHANGE,
        actor=actor,
        subject=new_lead,
        reason=reason,
        action_type=ActionType.LEAD_CHANGE_REQUESTED,
        decision=decision,
        source=source,
        payload={"from": case.lead_officer.officer_id, "to": new_lead.officer_id},
    )


@transaction.atomic
def lead_change_decide(
    *,
    actor: Officer,
    request: CaseRequest | None,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """Approve (the new judge leads; the old one keeps the seat the new one leaves) or refuse a change, once."""
    deciding = _decision_open(
        actor=actor,
        request=request,
        kind=CaseRequest.Kind.LEAD_CHANGE,
        approve=approve,
        note=note,
        expected_version=expected_version,
        leaders_only=True,
    )
    case, request = deciding.case, deciding.request
    new_lead = request.subject
    old_lead = case.lead_officer
    if approve:
        if old_lead is None or old_lead.pk == new_lead.pk:
            raise Conflict(_("The lead judge changed meanwhile; this request can no longer take effect."))
        _check_may_lead(new_lead, case, "new_lead")
    _decision_close(deciding, actor=actor, approve=approve)
    if not approve:
        _decision_action(
            deciding,
            action_type=ActionType.LEAD_CHANGED,
            actor=actor,
            source=source,
            payload={"from": old_lead.officer_id if old_lead else None, "to": new_lead.officer_id},
        )
        _tell_decided(deciding, approve=False)
        return request
    public_id = uuid.uuid4()
    _seat(case, leaver=old_lead, newcomer=new_lead, keep_leaver=True)
    case.lead_officer = new_lead
    case.version += 1
    case.save(update_fields=["lead_officer", "presiding_officer", "version", "updated_at"])
    action = _decision_action(
        deciding,
        action_type=ActionType.LEAD_CHANGED,
        actor=actor,
        source=source,
        payload={"from": old_lead.officer_id, "to": new_lead.officer_id, "draw": str(public_id)},
    )
    AssignmentDraw.objects.create(
        public_id=public_id,
        case=case,
        kind=AssignmentKind.CHANGE,
        result=new_lead,
        note=request.reason,
        approved_by=actor,
        action_seq=action.seq,
    )
    _tell_decided(deciding, approve=True)
    return request


# 合议庭 -------------------------------------------------------------------------------------------------------------


@transaction.atomic
def panel_form(
    *,
    actor: Officer,
    case: Case,
    members: Sequence[Officer],
    presiding: Officer | None,
    expected_version: int | None,
    source: str = ActionSource.WEB,
) -> Case:
    """Form (or form again) the panel (合议庭) and name its presiding judge (审判长)."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.PANEL_FORMED, case=case)
    decision.raise_if_denied()
    if case.lead_officer_id is None:
        raise _problem("members", _("Assign the lead judge before forming the panel."))
    pks = [m.pk for m in members]
    if len(set(pks)) != len(pks):
        raise _problem("members", _("A judge is named twice."))
    if case.lead_officer_id not in pks:
        raise _problem("members", _("The lead judge is a member of the panel."))
    if case.track in SOLE_JUDGE_TRACKS:
        if len(members) != 1:
            raise _problem(
                "members",
                _("A case on the %(track)s is heard by the lead judge alone.") % {"track": case.get_track_display()},
            )
    elif len(members) < 3 or len(members) % 2 == 0 or len(members) > PANEL_MAX:
        raise _problem("members", _("A collegial panel has an odd number of judges, from 3 to 7."))
    left_out = took_part_before(case)
    for member in members:
        _check_may_lead(member, case, "members", left_out=left_out)
    if presiding is None or presiding.pk not in pks:
        raise _problem("presiding", _("The presiding judge is one of the panel's members."))
    seated = [p.officer_id for p in case.participants.all() if p.role == Participation.PANEL]
    ids = dict(
        Officer.objects.filter(pk__in=[case.lead_officer_id, case.presiding_officer_id, *seated]).values_list(
            "pk", "officer_id"
        )
    )
    before = {
        "members": [ids[case.lead_officer_id], *sorted(ids[pk] for pk in seated)],
        "presiding": ids.get(case.presiding_officer_id),
    }
    CaseParticipant.objects.filter(case=case, role=Participation.PANEL).delete()
    CaseParticipant.objects.bulk_create(
        [
            CaseParticipant(case=case, officer=member, role=Participation.PANEL)
            for member in members
            if member.pk != case.lead_officer_id
        ]
    )
    case._prefetched_objects_cache.pop("participants", None)
    case.presiding_officer = presiding
    case.version += 1
    case.save(update_fields=["presiding_officer", "version", "updated_at"])
    action = trace_append(
        case=case,
        action_type=ActionType.PANEL_FORMED,
        actor=actor,
        source=source,
        decision=decision,
        payload={
            "members": [m.officer_id for m in members],
            "presiding": presiding.officer_id,
            "sole_judge": len(members) == 1,
            "before": before,
        },
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return case


# 法官助理、书记员 ------------------------------------------------------------------------------------------------------


@transaction.atomic
def participant_attach(
    *,
    actor: Officer,
    case: Case,
    officer: Officer,
    role: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseParticipant:
    """The lead judge attaches an assistant (法官助理) or a clerk (书记员) of the court to the case."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.PARTICIPANT_ATTACHED, case=case)
    decision.raise_if_denied()
    if role not in ATTACHABLE:
        raise _problem("role", _("Attach an assistant or a clerk."))
    words = {"name": officer.name, "role": Participation(role).label}
    if (
        officer.organisation_id != case.organisation_id
        or not officer.has_role(ATTACHABLE[role])
        or not officer.user.is_active
    ):
        raise _problem("officer", _("%(name)s is not a %(role)s of this court.") % words)
    if any(p.officer_id == officer.pk and p.role == role for p in case.participants.all()):
        raise Conflict(_("%(name)s is already attached to this case as %(role)s.") % words)
    refusal = barred(officer, case)
    if refusal is not None:
        raise _problem(
            "officer",
            _("%(name)s may not handle cases now (%(code)s: %(title)s).")
            % {**words, "code": refusal.item.code, "title": refusal.item.title},
        )
    participant = CaseParticipant.objects.create(case=case, officer=officer, role=role)
    case._prefetched_objects_cache.pop("participants", None)
    case.version += 1
    case.save(update_fields=["version", "updated_at"])
    action = trace_append(
        case=case,
        action_type=ActionType.PARTICIPANT_ATTACHED,
        actor=actor,
        source=source,
        decision=decision,
        payload={"officer": officer.officer_id, "role": role},
    )
    notify(
        officers=[officer],
        message=_("You were attached to case %(case)s as %(role)s.") % {"case": case.case_number, **words},
        link=_case_link(case),
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return participant


# 回避 -------------------------------------------------------------------------------------------------------------


def _team(case: Case) -> set[int]:
    return {case.lead_officer_id, *(p.officer_id for p in case.participants.all())} - {None}


@transaction.atomic
def recusal_request(
    *,
    actor: Officer,
    case: Case,
    subject: Officer,
    reason: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """A member of the team withdraws (自行回避), or the lead judge records a party's application for a member's
    recusal (当事人申请回避); the president decides."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.RECUSAL_REQUESTED, case=case)
    decision.raise_if_denied()
    reason = _text("reason", reason, required=_("Give the grounds for the recusal."))
    if subject.pk not in _team(case):
        raise _problem("subject", _("%(name)s does not take part in this case.") % {"name": subject.name})
    if subject.pk != actor.pk and actor.pk != case.lead_officer_id:
        raise _problem(
            "subject", _("A member asks for their own recusal; a party's application is recorded by the lead.")
        )
    if _pending(case, CaseRequest.Kind.RECUSAL, subject=subject) is not None:
        raise Conflict(_("A recusal of %(name)s already awaits its decision.") % {"name": subject.name})
    request = _request_create(
        case=case,
        kind=CaseRequest.Kind.RECUSAL,
        actor=actor,
        subject=subject,
        reason=reason,
        action_type=ActionType.RECUSAL_REQUESTED,
        decision=decision,
        source=source,
        payload={"subject": subject.officer_id, "by": "self" if subject.pk == actor.pk else "party_application"},
    )
    return request


@transaction.atomic
def recusal_decide(
    *,
    actor: Officer,
    request: CaseRequest | None,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> CaseRequest:
    """The president decides a recusal, once. Approved: a lead judge's case is drawn again without them, in this
    transaction; a member leaves the case (a panel member's seat is to be filled by forming the panel again)."""
    deciding = _decision_open(
        actor=actor,
        request=request,
        kind=CaseRequest.Kind.RECUSAL,
        approve=approve,
        note=note,
        expected_version=expected_version,
        leaders_only=False,
    )
    case, request = deciding.case, deciding.request
    subject = request.subject
    if subject.pk == actor.pk:
        raise PowerDenied(
            _("A president's own recusal is decided by the adjudication committee (审判委员会)."),
            details=deciding.decision.as_details(),
        )
    _decision_close(deciding, actor=actor, approve=approve)
    payload: dict[str, Any] = {"subject": subject.officer_id}
    was_lead = case.lead_officer_id == subject.pk
    if approve and not was_lead:
        roles = sorted(p.role for p in case.participants.all() if p.officer_id == subject.pk)
        CaseParticipant.objects.filter(case=case, officer=subject).delete()
        case._prefetched_objects_cache.pop("participants", None)
        fields = ["version", "updated_at"]
        if case.presiding_officer_id == subject.pk:
            case.presiding_officer = None
            fields.append("presiding_officer")
        case.version += 1
        case.save(update_fields=fields)
        payload["removed"] = roles
    _decision_action(deciding, action_type=ActionType.RECUSAL_DECIDED, actor=actor, source=source, payload=payload)
    if approve and was_lead:
        _draw_lead(
            case=case,
            actor=actor,
            decision=deciding.decision,
            source=source,
            note=_("Drawn again after the recusal of %(name)s.") % {"name": subject.name},
            exclude=[subject.pk],
            extra={"recusal": str(request.public_id)},
        )
    _tell_decided(deciding, approve=approve)
    return request


def _adapt(decide: Any) -> Any:
    """A decision service as the request inbox calls it (``cases.requests.RequestKind.decide``)."""

    def call(
        *,
        actor: Officer,
        request: CaseRequest,
        approve: bool,
        note: str,
        expected_version: int | None,
        source: str,
        extra: Mapping[str, Any],
    ) -> CaseRequest:
        return decide(
            actor=actor, request=request, approve=approve, note=note, expected_version=expected_version, source=source
        )

    return call


#: Kinds that only a leader (院庭长) decides (their action type alone does not say so: see the module's notes).
LEADERS_DECIDE = frozenset({CaseRequest.Kind.DESIGNATION, CaseRequest.Kind.LEAD_CHANGE})


def may_decide(officer: Officer | None, request: CaseRequest, *, allowed: bool) -> bool:
    """Whether to offer ``officer`` the decision (``allowed``: the power list's answer for its action type): not
    on their own request, not a non-leader where a leader decides, not a president on their own recusal."""
    if officer is None or not allowed or request.requested_by_id == officer.pk:
        return False
    if request.kind in LEADERS_DECIDE and not officer.has_role(*LEADER_ROLES):
        return False
    return not (request.kind == CaseRequest.Kind.RECUSAL and request.subject_id == officer.pk)


def inbox_scope(kind: str) -> Any:
    """Which pending requests of ``kind`` land in an officer's inbox (``cases.requests.RequestKind.scope``): those in
    the scope of their items for the decision, less the ones ``may_decide`` would not offer them."""

    def scope(officer: Officer) -> Q:
        if kind in LEADERS_DECIDE and not officer.has_role(*LEADER_ROLES):
            return Q(pk__in=[])
        condition = power_scope_condition(officer, DECISION_TYPES[kind]) & ~Q(requested_by=officer)
        if kind == CaseRequest.Kind.RECUSAL:
            condition &= ~Q(subject=officer)
        return condition

    return scope


DECIDE = {
    CaseRequest.Kind.DESIGNATION: _adapt(assignment_designate_decide),
    CaseRequest.Kind.LEAD_CHANGE: _adapt(lead_change_decide),
    CaseRequest.Kind.RECUSAL: _adapt(recusal_decide),
}


# --- reads for the pages and the API --------------------------------------------------------------------------------


def case_draws(case: Case) -> list[AssignmentDraw]:
    """The case's assignments, oldest first, with who was chosen and who approved."""
    return list(AssignmentDraw.objects.filter(case=case).select_related("result", "approved_by").order_by("pk"))


def case_draw_get(case: Case, *, public_id: Any) -> AssignmentDraw | None:
    return AssignmentDraw.objects.filter(case=case, public_id=public_id).select_related("result", "approved_by").first()


def case_pending_requests(case: Case) -> list[CaseRequest]:
    """The case's pending designation, lead-change and recusal requests, oldest first."""
    return list(
        CaseRequest.objects.filter(case=case, kind__in=list(DECISION_TYPES), status=RequestStatus.PENDING)
        .select_related("requested_by", "subject")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class PanelState:
    members: list[Officer]
    presiding: Officer | None
    formed: bool
    #: what is wrong with the panel as it stands (after a recusal or a change): shown to the leaders
    problems: list[str]


def panel_state(case: Case) -> PanelState:
    """The panel as it stands (lead first), from the case's prefetched participants."""
    seated = [p.officer for p in case.participants.all() if p.role == Participation.PANEL]
    members = ([case.lead_officer] if case.lead_officer_id else []) + sorted(seated, key=lambda o: o.pk)
    formed = case.presiding_officer_id is not None or bool(seated)
    problems = []
    if formed:
        sole = case.track in SOLE_JUDGE_TRACKS and len(members) == 1
        if not sole and (len(members) < 3 or len(members) % 2 == 0):
            problems.append(_("The panel has %(n)s judges: form it again with an odd number.") % {"n": len(members)})
        if case.presiding_officer_id is None:
            problems.append(_("The panel has no presiding judge."))
    return PanelState(members=members, presiding=case.presiding_officer, formed=formed, problems=problems)


def judges_to_name(case: Case) -> QuerySet[Officer]:
    """Quota judges of the case's court with an active login (for designation, a change and the panel)."""
    return _handlers_of_court(case).select_related(None).prefetch_related(None).only("pk", "name", "officer_id")


def staff_to_attach(case: Case, role: str) -> QuerySet[Officer]:
    """The court's assistants or clerks with an active login, by name."""
    return (
        Officer.objects.filter(organisation_id=case.organisation_id, roles__code=ATTACHABLE[role], user__is_active=True)
        .distinct()
        .order_by("name", "pk")
        .only("pk", "name", "officer_id")
    )


def officer_of_court(case: Case, *, officer_id: str | None = None, pk: Any = None) -> Officer | None:
    """An officer of the case's court by officer id or pk (forms and the API name people so), or None."""
    if officer_id is not None:
        query = Q(officer_id=officer_id)
    elif str(pk or "").isdigit():
        query = Q(pk=int(pk))
    else:
        return None
    return (
        Officer.objects.filter(query, organisation_id=case.organisation_id)
        .select_related("user", "organisation", "department")
        .prefetch_related("roles")
        .first()
    )
