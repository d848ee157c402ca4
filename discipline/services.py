"""Every write of the discipline process (DOMAIN.md §9). Each service checks who may act (the power list for
inspectors, committee members and deciders; the officer's own rights for the officer concerned), refuses a
step out of order or out of its window with a reason and changes nothing, records the step in the
proceeding's chained trace, moves the stage clock, grants the object permissions that decide who sees the
proceeding, and tells the people concerned.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm

from accountability import chain
from accountability.audit import audit
from accountability.chain import PROCEEDING, normalise_payload
from accountability.choices import ActionType, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed, check_version
from accountability.models import AuditEvent, Officer
from accountability.notifications import notify
from accountability.powers import PowerDecision, power_decide
from cases import attachments
from discipline.choices import (
    SANCTION_MONTHS,
    SEVERITY,
    Decision,
    Exemption,
    LeadSource,
    LeadStatus,
    Opinion,
    OpinionGround,
    Outcome,
    PersonnelMeasure,
    SanctionKind,
    Stage,
)
from discipline.models import (
    Challenge,
    Committee,
    ExemptionFinding,
    Lead,
    Objection,
    Proceeding,
    ProceedingEvent,
    ProceedingMember,
    RecusalRequest,
    Sanction,
    SanctionRule,
    Submission,
    Suspension,
    Vote,
)

VIEW = "discipline.view_proceeding"
JUDICIAL_ROLES = {RoleCode.JUDGE, RoleCode.PROSECUTOR}


class ExceedsOpinion(ValidationFailed):
    """A decision that the committee's opinion does not allow (its sanction rule): 422, naming the opinion and
    what it allows; ``details["rule"]`` gives the same as codes for a program."""

    code = "exceeds_opinion"
    http_status = 422


def invalid(field: str, message: str) -> ValidationFailed:
    """A refusal naming the field (the pages and the API show it beside that field)."""
    return ValidationFailed(message, details={field: [message]})


def _days(stage: str) -> int:
    return int(settings.QUANZE_DISCIPLINE_DAYS[stage])


def _link(proceeding: Proceeding) -> str:
    return reverse("discipline:detail", args=[proceeding.public_id])


# --- the chained trace -----------------------------------------------------------------------------


def _record(
    proceeding: Proceeding,
    kind: str,
    *,
    actor: Officer | None,
    note: str = "",
    payload: dict[str, Any] | None = None,
    decision: PowerDecision | None = None,
) -> ProceedingEvent:
    """Append one event to the locked proceeding's chain."""
    row = {
        "proceeding_id": proceeding.pk,
        "seq": proceeding.trace_length + 1,
        "kind": kind,
        "stage": proceeding.stage,
        "actor_id": actor.pk if actor else None,
        "occurred_at": timezone.now(),
        "note": note,
        "payload": normalise_payload(payload),
        "power_item_code": decision.item.code if decision and decision.item else "",
    }
    digest = PROCEEDING.hash(proceeding.trace_head, row)
    event = ProceedingEvent.objects.create(
        **row, prev_hash=proceeding.trace_head, hash=digest, mac=PROCEEDING.seal(digest)
    )
    proceeding.trace_head, proceeding.trace_length = digest, event.seq
    proceeding.trace_mac = PROCEEDING.seal_head(proceeding.pk, event.seq, digest)
    return event


def verify_events(proceeding: Proceeding) -> list[int]:
    """The sequence numbers whose link is broken, 0 for the head (empty: the chain is intact). Reads the
    proceeding's head as stored."""
    return [link.seq or 0 for link in chain.verify_owned(PROCEEDING, proceeding, proceeding.events.all())]


def verify_all() -> list[str]:
    """Every proceeding's chain: its problems as lines (for ``verify_audit_chain``)."""
    return chain.verify_owners(PROCEEDING, Proceeding.objects.all(), lambda proceeding: proceeding.events.all())


def _lock(proceeding: Proceeding, expected_version: int | None = None) -> Proceeding:
    """The proceeding, locked for this transaction, at the version the caller read (409 otherwise)."""
    locked = Proceeding.objects.select_for_update().get(pk=proceeding.pk)
    check_version(
        expected=expected_version,
        current=locked.version,
        message=_("This proceeding was changed by someone else since you loaded it; reload and try again."),
    )
    return locked


def _move(proceeding: Proceeding, transition: str, *, due_days: int | None) -> None:
    """Take one arrow of the state machine, or refuse (409) naming the stage it is in."""
    method = getattr(proceeding, transition)
    if not can_proceed(method):
        raise Conflict(
            _("Not possible at this stage (%(stage)s).") % {"stage": proceeding.get_stage_display()},
            details={"stage": proceeding.stage},
        )
    method()
    now = timezone.now()
    proceeding.stage_started_at = now
    proceeding.due_on = timezone.localdate(now) + dt.timedelta(days=due_days) if due_days is not None else None
    proceeding.reminded_stage = proceeding.overdue_stage = ""


def _save(proceeding: Proceeding) -> None:
    proceeding.version += 1
    proceeding.save()


def _allowed(actor: Officer, action: str, proceeding: Proceeding) -> PowerDecision:
    decision = power_decide(officer=actor, action_type=action, organisation=proceeding.organisation)
    decision.raise_if_denied()
    if actor.pk == proceeding.officer_id:
        raise PowerDenied(_("No one may act on a proceeding against themselves."))
    return decision


def _only_the_officer(actor: Officer, proceeding: Proceeding) -> None:
    if actor.pk != proceeding.officer_id:
        raise PowerDenied(_("Only the officer concerned may do this."))


def _tell(proceeding: Proceeding, officers: Sequence[Officer], message: str) -> None:
    """Notify about a proceeding, with the link to its page."""
    notify(officers=officers, message=message, link=_link(proceeding))


def _grant(proceeding: Proceeding, officers: Sequence[Officer]) -> None:
    """Who may see the proceeding from now on: an object permission each, and a permission event in the audit."""
    for officer in officers:
        assign_perm(VIEW, officer.user, proceeding)
    audit(
        kind=AuditEvent.Kind.PERMISSION,
        object_type="proceeding",
        object_id=proceeding.public_id,
        outcome="changed",
        detail={"granted": VIEW, "to": sorted(o.officer_id for o in officers)},
    )


def _text(field: str, value: str, *, label: str, limit: int = 20000) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, _("%(label)s is required.") % {"label": label})
    if len(value) > limit:
        raise invalid(field, _("%(label)s is too long.") % {"label": label})
    return value


# --- leads -----------------------------------------------------------------------------------------


def lead_register(
    *, actor: Officer | None, officer: Officer, source: str, summary: str, origin: dict[str, Any] | None = None
) -> Lead:
    """Register a lead. The same source and origin about the same officer, still registered, is the same lead
    (returned, not repeated): sources that fire twice do not make two leads. ``actor`` None: the system."""
    if source not in LeadSource.values:
        raise invalid("source", _("Choose where the lead comes from."))
    summary = _text("summary", summary, label=_("The summary"))
    if actor is not None:
        power_decide(
            officer=actor, action_type=ActionType.DISCIPLINE_LEAD, organisation=officer.organisation
        ).raise_if_denied()
    origin = origin or {}
    with transaction.atomic():
        same = (
            Lead.objects.select_for_update()
            .filter(officer=officer, source=source, origin=origin, status=LeadStatus.REGISTERED)
            .first()
            if origin
            else None
        )
        if same is not None:
            return same
        return Lead.objects.create(officer=officer, source=source, summary=summary, origin=origin, registered_by=actor)


@transaction.atomic
def lead_merge(*, actor: Officer, lead: Lead, into: Lead) -> Lead:
    """A duplicate lead joins the one it repeats (same officer); both stay on record."""
    power_decide(
        officer=actor, action_type=ActionType.DISCIPLINE_LEAD, organisation=lead.officer.organisation
    ).raise_if_denied()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.pk == into.pk or into.officer_id != lead.officer_id:
        raise invalid("into", _("A lead can only be merged into another lead about the same officer."))
    if lead.status != LeadStatus.REGISTERED or into.status not in (LeadStatus.REGISTERED, LeadStatus.OPENED):
        raise Conflict(_("Only a registered lead can be merged, into one that is registered or opened."))
    lead.status, lead.merged_into, lead.reviewed_by, lead.reviewed_at = LeadStatus.MERGED, into, actor, timezone.now()
    lead.save()
    return lead


@transaction.atomic
def lead_dismiss(*, actor: Officer, lead: Lead, reason: str) -> Lead:
    """Preliminary review ends the lead (了结), with the reason kept."""
    power_decide(
        officer=actor, action_type=ActionType.DISCIPLINE_LEAD, organisation=lead.officer.organisation
    ).raise_if_denied()
    reason = _text("reason", reason, label=_("The reason"))
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != LeadStatus.REGISTERED:
        raise Conflict(_("This lead has already been reviewed."))
    lead.status, lead.review_reason, lead.reviewed_by, lead.reviewed_at = (
        LeadStatus.DISMISSED,
        reason,
        actor,
        timezone.now(),
    )
    lead.save()
    return lead


@transaction.atomic
def lead_open(*, actor: Officer, lead: Lead, allegation: str) -> Proceeding:
    """Preliminary review opens a proceeding: investigation (调查核实) starts, with its clock."""
    decision = power_decide(
        officer=actor, action_type=ActionType.DISCIPLINE_INVESTIGATION, organisation=lead.officer.organisation
    )
    decision.raise_if_denied()
    allegation = _text("allegation", allegation, label=_("The allegation"))
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != LeadStatus.REGISTERED:
        raise Conflict(_("This lead has already been reviewed."))
    if actor.pk == lead.officer_id:
        raise PowerDenied(_("No one may act on a proceeding against themselves."))
    lead.status, lead.reviewed_by, lead.reviewed_at = LeadStatus.OPENED, actor, timezone.now()
    lead.save()
    now = timezone.now()
    proceeding = Proceeding.objects.create(
        number=str(lead.public_id),
        lead=lead,
        officer=lead.officer,
        organisation=lead.officer.organisation,
        allegation=allegation,
        stage_started_at=now,
        due_on=timezone.localdate(now) + dt.timedelta(days=_days(Stage.INVESTIGATION)),
    )
    proceeding.number = f"惩{now:%Y}-{proceeding.pk:05d}"
    _record(
        proceeding, "opened", actor=actor, note=allegation, payload={"lead": str(lead.public_id)}, decision=decision
    )
    _save(proceeding)
    _grant(proceeding, [actor, lead.officer])
    _tell(
        proceeding,
        [lead.officer],
        _("A disciplinary proceeding %(number)s was opened concerning you.") % {"number": proceeding.number},
    )
    return proceeding


# --- investigation -------------------------------------------------------------------------------


@transaction.atomic
def officer_suspend(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Suspension:
    """暂停履职: while in force, the power list refuses the officer every action on a case."""
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_INVESTIGATION, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    if proceeding.stage == Stage.CLOSED:
        raise Conflict(_("The proceeding is closed."))
    if Suspension.objects.filter(officer=proceeding.officer, lifted_at__isnull=True).exists():
        raise Conflict(_("The officer is already suspended."))
    suspension = Suspension.objects.create(officer=proceeding.officer, proceeding=proceeding, reason=reason)
    _record(proceeding, "suspended", actor=actor, note=reason, decision=decision)
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("You are suspended from duty while proceeding %(number)s is investigated.") % {"number": proceeding.number},
    )
    return suspension


@transaction.atomic
def officer_reinstate(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Suspension:
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_INVESTIGATION, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    suspension = Suspension.objects.filter(
        officer=proceeding.officer, proceeding=proceeding, lifted_at__isnull=True
    ).first()
    if suspension is None:
        raise Conflict(_("The officer is not suspended in this proceeding."))
    suspension.lifted_at, suspension.lifted_by = timezone.now(), actor
    suspension.save()
    _record(proceeding, "reinstated", actor=actor, note=reason, decision=decision)
    _save(proceeding)
    return suspension


@transaction.atomic
def proceeding_refer(
    *,
    actor: Officer,
    proceeding: Proceeding,
    committee: Committee,
    members: Sequence[Officer],
    findings: str,
    expected_version: int | None = None,
) -> Proceeding:
    """提请审议: the investigation's findings go to the committee, with the members who will sit. At least half
    of them must be judges or prosecutors (法官法第四十八条); none may be the officer concerned."""
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_INVESTIGATION, proceeding)
    findings = _text("findings", findings, label=_("The findings"))
    members = list({m.pk: m for m in members}.values())
    sitting = set(committee.members.filter(committeemember__is_active=True).values_list("pk", flat=True))
    if len(members) < 3:
        raise invalid("members", _("Assign at least three committee members."))
    if any(m.pk not in sitting for m in members):
        raise invalid("members", _("Every member assigned must sit on the committee."))
    if any(m.pk == proceeding.officer_id for m in members):
        raise invalid("members", _("The officer concerned cannot sit on their own proceeding."))
    judicial = [m for m in members if JUDICIAL_ROLES & set(m.role_codes)]
    if len(judicial) * 2 < len(members):
        raise invalid(
            "members",
            _("At least half of the members must be judges or prosecutors (%(j)d of %(n)d).")
            % {"j": len(judicial), "n": len(members)},
        )
    _move(proceeding, "refer", due_days=_days(Stage.REFERRED))
    proceeding.committee = committee
    for member in members:
        ProceedingMember.objects.create(proceeding=proceeding, officer=member, is_judicial=member in judicial)
    _record(
        proceeding,
        "referred",
        actor=actor,
        note=findings,
        decision=decision,
        payload={"committee": committee.pk, "members": [m.officer_id for m in members]},
    )
    _save(proceeding)
    _grant(proceeding, [actor, *members])
    _tell(
        proceeding,
        members,
        _("You are assigned to disciplinary proceeding %(number)s.") % {"number": proceeding.number},
    )
    return proceeding


@transaction.atomic
def proceeding_close_without_referral(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Proceeding:
    """The investigation finds nothing to refer: the proceeding closes, the reason kept, any suspension lifted."""
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_INVESTIGATION, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    if proceeding.stage != Stage.INVESTIGATION:
        raise Conflict(_("Only an investigation can be closed without referral."))
    _move(proceeding, "close", due_days=None)
    Suspension.objects.filter(proceeding=proceeding, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor
    )
    _record(proceeding, "closed_without_referral", actor=actor, note=reason, decision=decision)
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("Proceeding %(number)s was closed without referral.") % {"number": proceeding.number},
    )
    return proceeding


# --- the committee ---------------------------------------------------------------------------------


def _member(actor: Officer, proceeding: Proceeding) -> ProceedingMember:
    member = proceeding.members.filter(officer=actor).first()
    if member is None:
        raise PowerDenied(_("Only the committee members assigned to this proceeding may do this."))
    if member.recused:
        raise PowerDenied(_("You have been recused from this proceeding."))
    return member


def _committee_act(actor: Officer, proceeding: Proceeding) -> tuple[PowerDecision, ProceedingMember]:
    decision = _allowed(actor, ActionType.DISCIPLINE_COMMITTEE, proceeding)
    return decision, _member(actor, proceeding)


@transaction.atomic
def notice_serve(
    *, actor: Officer, proceeding: Proceeding, hearing_on: dt.date, notice: str, expected_version: int | None = None
) -> Proceeding:
    """通知: the officer is told what is alleged, their rights, and the hearing date."""
    proceeding = _lock(proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    notice = _text("notice", notice, label=_("The notice"))
    if hearing_on <= timezone.localdate():
        raise invalid("hearing_on", _("The hearing must be after today, so the officer can prepare."))
    _move(proceeding, "notify", due_days=(hearing_on - timezone.localdate()).days)
    proceeding.hearing_on, proceeding.notice = hearing_on, notice
    _record(
        proceeding,
        "notice_served",
        actor=actor,
        note=notice,
        decision=decision,
        payload={"hearing_on": hearing_on.isoformat()},
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _(
            "Notice in proceeding %(number)s: hearing on %(date)s. You may make statements, present "
            "evidence, defend yourself and ask for a member's recusal."
        )
        % {"number": proceeding.number, "date": hearing_on.isoformat()},
    )
    return proceeding


@transaction.atomic
def recusal_request(
    *,
    actor: Officer,
    proceeding: Proceeding,
    member: ProceedingMember,
    reason: str,
    expected_version: int | None = None,
) -> RecusalRequest:
    """The officer asks that a member step aside (回避)."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    if member.proceeding_id != proceeding.pk or member.recused:
        raise invalid("member", _("Choose a member sitting on this proceeding."))
    if proceeding.stage not in (Stage.REFERRED, Stage.NOTIFIED, Stage.HEARD):
        raise Conflict(_("Recusal can be asked before the committee gives its opinion."))
    request = RecusalRequest.objects.create(proceeding=proceeding, member=member, reason=reason)
    _record(proceeding, "recusal_requested", actor=actor, note=reason, payload={"member": member.officer.officer_id})
    _save(proceeding)
    _tell(
        proceeding,
        [m.officer for m in proceeding.members.filter(recused=False)],
        _("Recusal requested in proceeding %(number)s.") % {"number": proceeding.number},
    )
    return request


@transaction.atomic
def recusal_decide(
    *, actor: Officer, request: RecusalRequest, grant: bool, reason: str, expected_version: int | None = None
) -> RecusalRequest:
    """Another member decides; a granted recusal takes the member off (their vote, if any, no longer counts)."""
    proceeding = _lock(request.proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    request = RecusalRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision:
        raise Conflict(_("This request has already been decided."))
    if request.member.officer_id == actor.pk:
        raise PowerDenied(_("A member cannot decide on their own recusal."))
    request.decision = Decision.GRANTED if grant else Decision.REFUSED
    request.decision_reason, request.decided_by, request.decided_at = reason, actor, timezone.now()
    request.save()
    if grant:
        ProceedingMember.objects.filter(pk=request.member_id).update(recused=True)
        remaining = list(proceeding.members.filter(recused=False).select_related("officer"))
        if sum(m.is_judicial for m in remaining) * 2 < len(remaining):
            raise invalid(
                "grant",
                _(
                    "After this recusal fewer than half of the members would be judges or "
                    "prosecutors: assign another member first."
                ),
            )
    _record(
        proceeding,
        "recusal_decided",
        actor=actor,
        note=reason,
        decision=decision,
        payload={"member": request.member.officer.officer_id, "granted": grant},
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("Your recusal request in proceeding %(number)s was decided.") % {"number": proceeding.number},
    )
    return request


@transaction.atomic
def hearing_record(
    *, actor: Officer, proceeding: Proceeding, record: str, expected_version: int | None = None
) -> Proceeding:
    proceeding = _lock(proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    record = _text("record", record, label=_("The hearing record"))
    if RecusalRequest.objects.filter(proceeding=proceeding, decision="").exists():
        raise Conflict(_("Decide the pending recusal request before the hearing."))
    _move(proceeding, "hear", due_days=_days(Stage.HEARD))
    proceeding.hearing_record = record
    _record(proceeding, "hearing_held", actor=actor, note=record, decision=decision)
    _save(proceeding)
    return proceeding


@transaction.atomic
def vote_cast(
    *, actor: Officer, proceeding: Proceeding, opinion: str, reason: str = "", expected_version: int | None = None
) -> Vote:
    """Each member's own vote on the opinion, once; a recused member cannot vote."""
    proceeding = _lock(proceeding, expected_version)
    decision, member = _committee_act(actor, proceeding)
    if opinion not in Opinion.values:
        raise invalid("opinion", _("Choose one of the four opinions."))
    if proceeding.stage != Stage.HEARD:
        raise Conflict(_("Members vote after the hearing and before the opinion."))
    if Vote.objects.filter(proceeding=proceeding, member=member).exists():
        raise Conflict(_("You have already voted."))
    vote = Vote.objects.create(proceeding=proceeding, member=member, opinion=opinion, reason=(reason or "").strip())
    _record(proceeding, "vote_cast", actor=actor, decision=decision, payload={"opinion": opinion})
    _save(proceeding)
    return vote


@dataclass(frozen=True)
class Finding:
    exemption: str
    applies: bool
    reasoning: str


@transaction.atomic
def opinion_give(
    *,
    actor: Officer,
    proceeding: Proceeding,
    reasons: str,
    findings: Sequence[Finding],
    expected_version: int | None = None,
) -> Proceeding:
    """The committee's opinion: the majority of the sitting members' votes, one of the four. Unless it finds no
    breach, every exemption must be considered, each with its reasoning."""
    proceeding = _lock(proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    reasons = _text("reasons", reasons, label=_("The reasons"))
    sitting = list(proceeding.members.filter(recused=False))
    votes = Counter(Vote.objects.filter(proceeding=proceeding, member__in=sitting).values_list("opinion", flat=True))
    if sum(votes.values()) * 2 <= len(sitting):
        raise Conflict(
            _("More than half of the sitting members must vote first (%(v)d of %(n)d have).")
            % {"v": sum(votes.values()), "n": len(sitting)}
        )
    opinion, count = votes.most_common(1)[0]
    if count * 2 <= len(sitting):
        raise Conflict(_("No opinion has a majority of the sitting members yet."))
    codes = [f.exemption for f in findings]
    if any(code not in Exemption.values for code in codes) or len(set(codes)) != len(codes):
        raise invalid("findings", _("Each exemption is considered once."))
    if any(not (f.reasoning or "").strip() for f in findings):
        raise invalid("findings", _("Give the reasoning for each exemption considered."))
    if opinion != Opinion.NO_BREACH and set(codes) != set(Exemption.values):
        raise invalid(
            "findings", _("Before finding a breach, consider every exemption and say why it does or does not apply.")
        )
    _move(proceeding, "give_opinion", due_days=_days(Stage.OPINION))
    proceeding.opinion, proceeding.opinion_reasons = opinion, reasons
    ExemptionFinding.objects.bulk_create(
        [
            ExemptionFinding(
                proceeding=proceeding, exemption=f.exemption, applies=f.applies, reasoning=f.reasoning.strip()
            )
            for f in findings
        ]
    )
    _record(
        proceeding,
        "opinion_given",
        actor=actor,
        note=reasons,
        decision=decision,
        payload={"opinion": opinion, "votes": dict(votes), "exemptions": {f.exemption: f.applies for f in findings}},
    )
    _save(proceeding)
    return proceeding


@transaction.atomic
def opinion_serve(*, actor: Officer, proceeding: Proceeding, expected_version: int | None = None) -> Proceeding:
    """送达: the written opinion goes to the officer; the objection window starts. The deciding organisation's
    presidents now handle it, so they may see it."""
    proceeding = _lock(proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    _move(proceeding, "serve", due_days=_days(Stage.SERVED))
    proceeding.opinion_served_at = timezone.now()
    _record(proceeding, "opinion_served", actor=actor, decision=decision)
    _save(proceeding)
    _grant(proceeding, deciders(proceeding))
    _tell(
        proceeding,
        [proceeding.officer],
        _("The committee's opinion in proceeding %(number)s was served on you: you may object within %(days)d days.")
        % {"number": proceeding.number, "days": _days(Stage.SERVED)},
    )
    return proceeding


def deciders(proceeding: Proceeding) -> list[Officer]:
    """The deciding organisation's presidents (the power list decides who of them may decide)."""
    return list(
        Officer.objects.filter(
            organisation=proceeding.organisation, roles=RoleCode.PRESIDENT, user__is_active=True
        ).exclude(pk=proceeding.officer_id)
    )


@transaction.atomic
def opinion_acknowledge(*, actor: Officer, proceeding: Proceeding, expected_version: int | None = None) -> Proceeding:
    """The officer confirms in the system that the opinion was received (签收)."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    if proceeding.opinion_served_at is None:
        raise Conflict(_("No opinion has been served yet."))
    if proceeding.acknowledged_at is not None:
        raise Conflict(_("Already acknowledged."))
    proceeding.acknowledged_at = timezone.now()
    _record(proceeding, "opinion_acknowledged", actor=actor)
    _save(proceeding)
    return proceeding


def objection_closes_on(proceeding: Proceeding) -> dt.date | None:
    if proceeding.opinion_served_at is None:
        return None
    return timezone.localdate(proceeding.opinion_served_at) + dt.timedelta(days=_days(Stage.SERVED))


@transaction.atomic
def objection_file(
    *, actor: Officer, proceeding: Proceeding, text: str, expected_version: int | None = None
) -> Objection:
    """异议: the officer objects to the opinion within the window; the committee must decide."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    text = _text("text", text, label=_("The objection"))
    closes = objection_closes_on(proceeding)
    if proceeding.stage == Stage.SERVED and closes is not None and timezone.localdate() > closes:
        raise Conflict(_("The objection window closed on %(date)s.") % {"date": closes.isoformat()})
    _move(proceeding, "object", due_days=_days(Stage.OBJECTED))
    objection = Objection.objects.create(proceeding=proceeding, text=text)
    _record(proceeding, "objection_filed", actor=actor, note=text)
    _save(proceeding)
    _tell(
        proceeding,
        [m.officer for m in proceeding.members.filter(recused=False)],
        _("Objection filed in proceeding %(number)s.") % {"number": proceeding.number},
    )
    return objection


@transaction.atomic
def objection_decide(
    *,
    actor: Officer,
    proceeding: Proceeding,
    grant: bool,
    reason: str,
    opinion: str | None = None,
    expected_version: int | None = None,
) -> Objection:
    """The committee decides the objection; granted, it may change the opinion (only to a milder one)."""
    proceeding = _lock(proceeding, expected_version)
    decision, _m = _committee_act(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    objection = proceeding.objections.filter(decision="").first()
    if objection is None or proceeding.stage != Stage.OBJECTED:
        raise Conflict(_("There is no objection to decide."))
    order = list(Opinion.values)
    if grant:
        if opinion not in Opinion.values or order.index(opinion) <= order.index(proceeding.opinion):
            raise invalid("opinion", _("A granted objection changes the opinion to a milder one."))
        proceeding.opinion = opinion
    objection.decision = Decision.GRANTED if grant else Decision.REFUSED
    objection.decision_reason, objection.decided_by, objection.decided_at = reason, actor, timezone.now()
    objection.save()
    _move(proceeding, "finalise_opinion", due_days=_days(Stage.OPINION_FINAL))
    _record(
        proceeding,
        "objection_decided",
        actor=actor,
        note=reason,
        decision=decision,
        payload={"granted": grant, "opinion": proceeding.opinion},
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer, *deciders(proceeding)],
        _("The objection in proceeding %(number)s was decided.") % {"number": proceeding.number},
    )
    return objection


def finalise_unobjected(*, today: dt.date | None = None) -> int:
    """The opinions whose objection window closed with no objection become final (a scheduled step)."""
    today = today or timezone.localdate()
    count = 0
    for proceeding in Proceeding.objects.filter(stage=Stage.SERVED):
        closes = objection_closes_on(proceeding)
        if closes is not None and today > closes:
            with transaction.atomic():
                locked = _lock(proceeding)
                if locked.stage != Stage.SERVED:
                    continue
                _move(locked, "finalise_opinion", due_days=_days(Stage.OPINION_FINAL))
                _record(locked, "opinion_final", actor=None, note=_("No objection within the window."))
                _save(locked)
                count += 1
    return count


# --- decision, sanctions, review and appeal --------------------------------------------------------


@dataclass(frozen=True)
class SanctionOrder:
    kind: str
    measures: tuple[str, ...] = ()

    def validate(self) -> None:
        if self.kind not in SanctionKind.values:
            raise invalid("kind", _("Choose a sanction (or none)."))
        if any(m not in PersonnelMeasure.values for m in self.measures):
            raise invalid("measures", _("Unknown personnel measure."))


def _loses_seat(kind: str, measures: Sequence[str]) -> bool:
    return kind == SanctionKind.DISMISSAL or PersonnelMeasure.QUOTA_LOSS in measures


def _impose(
    proceeding: Proceeding, order: SanctionOrder, *, source: str, actor: Officer, replaces: Sanction | None = None
) -> Sanction:
    """Register the sanction and apply it the same day: suspension (the power list stops case work), loss of the
    quota seat (the power list stops signing and closing), dismissal (the seat goes, and the items <prefix>-X2 stop
    every case action: ``actor.dismissed``); a replaced sanction is superseded, never deleted, and what it took
    that the new one does not comes back."""
    today = timezone.localdate()
    months = SANCTION_MONTHS.get(order.kind)
    sanction = Sanction.objects.create(
        proceeding=proceeding,
        officer=proceeding.officer,
        kind=order.kind,
        measures=list(order.measures),
        months=months,
        starts_on=today,
        ends_on=today + relativedelta(months=months) if months else None,
        source=source,
    )
    if replaces is not None:
        replaces.superseded_by = sanction
        replaces.save(update_fields=["superseded_by", "updated_at"])
    officer = Officer.objects.select_for_update().get(pk=proceeding.officer_id)
    had_seat_loss = replaces is not None and _loses_seat(replaces.kind, replaces.measures)
    now_measures = set(order.measures)
    if _loses_seat(order.kind, order.measures) and officer.is_quota:
        officer.is_quota = False  # from today: a dismissed officer has no seat either
        officer.save(update_fields=["is_quota", "updated_at"])
    elif had_seat_loss and not _loses_seat(order.kind, order.measures) and not officer.is_quota:
        officer.is_quota = True  # the seat lost by the replaced sanction comes back
        officer.save(update_fields=["is_quota", "updated_at"])
    active = Suspension.objects.filter(officer=officer, proceeding=proceeding, lifted_at__isnull=True)
    if PersonnelMeasure.SUSPENSION in now_measures:
        if not active.filter(measure=PersonnelMeasure.SUSPENSION).exists():
            Suspension.objects.create(officer=officer, proceeding=proceeding, reason=_("Sanction: suspension"))
    else:
        active.update(lifted_at=timezone.now(), lifted_by=actor)
    return sanction


def is_dismissed(officer: Officer, case: Any = None) -> bool:
    """``actor.dismissed`` (a power fact): a dismissal in force, decided on or before today. The items <prefix>-X2
    refuse the officer every case action from the day it is decided; a review or appeal that replaces it ends it."""
    return Sanction.objects.filter(
        officer=officer, kind=SanctionKind.DISMISSAL, superseded_by__isnull=True, starts_on__lte=timezone.localdate()
    ).exists()


def officer_standing(officer: Officer, case: Any = None) -> dict[str, bool]:
    """``actor.suspended`` (a suspension, 暂停履职 or 停职, not lifted: the negative items JUD-X1 … refuse case work)
    and ``actor.dismissed`` (as ``is_dismissed``), in one statement: every decision on a case asks both, so this is
    on the hottest write path (logging an action) and is written out rather than compiled by the ORM each time
    (issue 23; ``tests/test_discipline.py`` and ``tests/test_discipline_law.py`` hold it to both)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM discipline_suspension WHERE officer_id = %s AND lifted_at IS NULL),"
            " EXISTS (SELECT 1 FROM discipline_sanction WHERE officer_id = %s AND kind = %s"
            " AND superseded_by_id IS NULL AND starts_on <= %s)",
            [officer.pk, officer.pk, SanctionKind.DISMISSAL.value, timezone.localdate()],
        )
        suspended, dismissed = cursor.fetchone()
    return {"actor.suspended": bool(suspended), "actor.dismissed": bool(dismissed)}


def current_sanction(proceeding: Proceeding) -> Sanction | None:
    return proceeding.sanctions.filter(superseded_by__isnull=True).order_by("-pk").first()


def opinion_ground(proceeding: Proceeding) -> str:
    """What binds the decision: the committee's final opinion, or 免责 when it found a breach but an exemption to
    apply (the officer is then not held responsible)."""
    if proceeding.opinion != Opinion.NO_BREACH and proceeding.exemptions.filter(applies=True).exists():
        return OpinionGround.EXEMPTED
    return proceeding.opinion


def opinion_ground_label(proceeding: Proceeding) -> str:
    ground = opinion_ground(proceeding)
    return str(OpinionGround(ground).label) if ground in OpinionGround.values else "—"


def sanction_rule(proceeding: Proceeding) -> SanctionRule | None:
    """The rule of the proceeding's opinion (None before there is an opinion)."""
    ground = opinion_ground(proceeding)
    return SanctionRule.objects.filter(ground=ground).first() if ground else None


def rule_words(rule: SanctionRule) -> dict[str, str]:
    """What a rule allows, in words: the sanctions and the personnel measures."""
    return {
        "kinds": "、".join(rule.kind_labels) or "—",
        "measures": "、".join(rule.measure_labels) or _("no personnel measures"),
    }


def check_against_opinion(proceeding: Proceeding, order: SanctionOrder) -> SanctionRule:
    """The decision must stay within what the committee's opinion allows (its SanctionRule): refused (422) with
    words naming the opinion and what it allows; a rule without "no sanction" requires one."""
    rule = sanction_rule(proceeding)
    opinion = opinion_ground_label(proceeding)
    if rule is None:
        raise Conflict(
            _("No sanction rule is set for the opinion “%(opinion)s”: an administrator must set it first.")
            % {"opinion": opinion}
        )
    if order.kind in rule.kinds and set(order.measures) <= set(rule.measures):
        return rule
    words = {"opinion": opinion, **rule_words(rule)}
    if order.kind == SanctionKind.NONE and rule.sanction_required:
        message = (
            _(
                "The committee's opinion is “%(opinion)s”: a sanction is required, one of %(kinds)s; "
                "personnel measures: %(measures)s."
            )
            % words
        )
    else:
        message = (
            _(
                "The committee's opinion is “%(opinion)s”, which allows only %(kinds)s; "
                "personnel measures: %(measures)s."
            )
            % words
        )
    field = "kind" if order.kind not in rule.kinds else "measures"
    raise ExceedsOpinion(
        message,
        details={
            field: [message],
            "rule": {"opinion": opinion_ground(proceeding), "kinds": rule.kinds, "measures": rule.measures},
        },
    )


@transaction.atomic
def decision_make(
    *, actor: Officer, proceeding: Proceeding, order: SanctionOrder, text: str, expected_version: int | None = None
) -> Proceeding:
    """惩戒决定 by the organisation, on the final opinion: a sanction (or none) and its measures. No sanction can
    follow an opinion of no breach. Refused while the objection window is open or an objection undecided."""
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_DECISION, proceeding)
    order.validate()
    text = _text("text", text, label=_("The decision"))
    if proceeding.stage == Stage.SERVED:
        closes = objection_closes_on(proceeding)
        raise Conflict(
            _("The objection window is open until %(date)s: decide after it closes.")
            % {"date": closes.isoformat() if closes else "—"}
        )
    if proceeding.stage == Stage.OBJECTED:
        raise Conflict(_("An objection is waiting for the committee's decision."))
    rule = check_against_opinion(proceeding, order)
    _move(proceeding, "decide", due_days=_days(Stage.DECIDED))
    proceeding.decision_text, proceeding.decided_at, proceeding.decided_by = text, timezone.now(), actor
    sanction = _impose(proceeding, order, source="decision", actor=actor)
    _record(
        proceeding,
        "decided",
        actor=actor,
        note=text,
        decision=decision,
        payload={
            "sanction": order.kind,
            "measures": list(order.measures),
            "sanction_id": sanction.pk,
            "rule": {"ground": rule.ground, "kinds": rule.kinds, "measures": rule.measures},
        },
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("Decision in proceeding %(number)s: %(sanction)s. You may ask for review within %(days)d days.")
        % {"number": proceeding.number, "sanction": SanctionKind(order.kind).label, "days": _days(Stage.DECIDED)},
    )
    return proceeding


def _decided_on(proceeding: Proceeding) -> dt.date:
    return timezone.localdate(proceeding.decided_at)


@transaction.atomic
def review_request(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Challenge:
    """复核: within 30 days of the decision; decided within 30. The sanction stays in force meanwhile."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    if proceeding.stage == Stage.DECIDED:
        last = _decided_on(proceeding) + dt.timedelta(days=int(settings.QUANZE_DISCIPLINE_DAYS["review_request"]))
        if timezone.localdate() > last:
            raise Conflict(_("The time to ask for review ended on %(date)s.") % {"date": last.isoformat()})
    days = int(settings.QUANZE_DISCIPLINE_DAYS["review_decision"])
    _move(proceeding, "request_review", due_days=days)
    challenge = Challenge.objects.create(
        proceeding=proceeding, kind=Challenge.Kind.REVIEW, reason=reason, due_on=proceeding.due_on
    )
    _record(proceeding, "review_requested", actor=actor, note=reason)
    _save(proceeding)
    _tell(
        proceeding,
        deciders(proceeding),
        _("Review requested in proceeding %(number)s.") % {"number": proceeding.number},
    )
    return challenge


def _outcome_order(current: Sanction | None, outcome: str, order: SanctionOrder | None) -> SanctionOrder | None:
    """What a review or appeal leaves in force. It may never be harsher than what it reviews."""
    if outcome not in Outcome.values:
        raise invalid("outcome", _("Choose upheld, changed or revoked."))
    if outcome == Outcome.UPHELD:
        return None
    if outcome == Outcome.REVOKED:
        return SanctionOrder(SanctionKind.NONE)
    if order is None:
        raise invalid("kind", _("Say what the sanction becomes."))
    order.validate()
    was_kind = current.kind if current else SanctionKind.NONE
    was_measures = set(current.measures) if current else set()
    if SEVERITY[order.kind] > SEVERITY[was_kind] or not set(order.measures) <= was_measures:
        raise invalid(
            "kind",
            _("A review or an appeal can never end harsher than the decision it reviews (%(was)s).")
            % {"was": SanctionKind(was_kind).label},
        )
    if SEVERITY[order.kind] == SEVERITY[was_kind] and set(order.measures) == was_measures:
        raise invalid("outcome", _("A changed decision must change something; choose upheld instead."))
    return order


@transaction.atomic
def review_decide(
    *,
    actor: Officer,
    proceeding: Proceeding,
    outcome: str,
    reason: str,
    order: SanctionOrder | None = None,
    expected_version: int | None = None,
) -> Challenge:
    proceeding = _lock(proceeding, expected_version)
    decision = _allowed(actor, ActionType.DISCIPLINE_DECISION, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    challenge = proceeding.challenges.filter(kind=Challenge.Kind.REVIEW, outcome="").first()
    if challenge is None or proceeding.stage != Stage.REVIEW:
        raise Conflict(_("There is no review to decide."))
    new = _outcome_order(current_sanction(proceeding), outcome, order)
    days = int(settings.QUANZE_DISCIPLINE_DAYS["appeal_after_review"])
    _move(proceeding, "decide_review", due_days=days)
    if new is not None:
        _impose(proceeding, new, source="review", actor=actor, replaces=current_sanction(proceeding))
    challenge.outcome, challenge.decision_reason, challenge.decided_by, challenge.decided_at = (
        outcome,
        reason,
        actor,
        timezone.now(),
    )
    challenge.save()
    _record(
        proceeding,
        "review_decided",
        actor=actor,
        note=reason,
        decision=decision,
        payload={"outcome": outcome, "sanction": new.kind if new else None},
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("Your review in proceeding %(number)s was decided (%(outcome)s). You may appeal within %(days)d days.")
        % {"number": proceeding.number, "outcome": Outcome(outcome).label, "days": days},
    )
    return challenge


def appeal_deciders(proceeding: Proceeding) -> list[Officer]:
    """The presidents of the organisation above the deciding one (申诉 goes up a level)."""
    parent = proceeding.organisation.parent_id
    if parent is None:
        return []
    return list(Officer.objects.filter(organisation_id=parent, roles=RoleCode.PRESIDENT, user__is_active=True))


@transaction.atomic
def appeal_lodge(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Challenge:
    """申诉: within 15 days of the review decision, or directly within 30 days of the decision; decided within
    60 days (extendable once by 30). The sanction stays in force meanwhile."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    today = timezone.localdate()
    days = settings.QUANZE_DISCIPLINE_DAYS
    if proceeding.stage == Stage.DECIDED:
        last, direct = _decided_on(proceeding) + dt.timedelta(days=int(days["direct_appeal"])), True
    elif proceeding.stage == Stage.REVIEWED:
        reviewed = proceeding.challenges.filter(kind=Challenge.Kind.REVIEW).latest("pk").decided_at
        last, direct = timezone.localdate(reviewed) + dt.timedelta(days=int(days["appeal_after_review"])), False
    else:
        raise Conflict(
            _("An appeal lies against a decision or a review decision."), details={"stage": proceeding.stage}
        )
    if today > last:
        raise Conflict(_("The time to appeal ended on %(date)s.") % {"date": last.isoformat()})
    if not appeal_deciders(proceeding):
        raise Conflict(_("There is no organisation above the deciding one to hear an appeal."))
    _move(proceeding, "appeal", due_days=int(days["appeal_decision"]))
    challenge = Challenge.objects.create(
        proceeding=proceeding, kind=Challenge.Kind.APPEAL, reason=reason, direct=direct, due_on=proceeding.due_on
    )
    _record(proceeding, "appeal_lodged", actor=actor, note=reason, payload={"direct": direct})
    _save(proceeding)
    _grant(proceeding, appeal_deciders(proceeding))
    _tell(
        proceeding,
        appeal_deciders(proceeding),
        _("Appeal lodged in proceeding %(number)s.") % {"number": proceeding.number},
    )
    return challenge


def _appeal_decider(actor: Officer, proceeding: Proceeding) -> PowerDecision:
    decision = _allowed(actor, ActionType.DISCIPLINE_APPEAL_DECISION, proceeding)
    if actor.organisation_id != proceeding.organisation.parent_id:
        raise PowerDenied(_("An appeal is decided by the organisation above the one that decided."))
    return decision


@transaction.atomic
def appeal_extend(
    *, actor: Officer, proceeding: Proceeding, reason: str, expected_version: int | None = None
) -> Challenge:
    proceeding = _lock(proceeding, expected_version)
    decision = _appeal_decider(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    challenge = proceeding.challenges.filter(kind=Challenge.Kind.APPEAL, outcome="").first()
    if challenge is None or proceeding.stage != Stage.APPEAL:
        raise Conflict(_("There is no appeal pending."))
    if challenge.extended:
        raise Conflict(_("The time to decide an appeal can be extended once."))
    challenge.extended = True
    challenge.due_on += dt.timedelta(days=int(settings.QUANZE_DISCIPLINE_DAYS["appeal_extension"]))
    challenge.save()
    proceeding.due_on = challenge.due_on
    _record(
        proceeding,
        "appeal_extended",
        actor=actor,
        note=reason,
        decision=decision,
        payload={"due_on": challenge.due_on.isoformat()},
    )
    _save(proceeding)
    return challenge


@transaction.atomic
def appeal_decide(
    *,
    actor: Officer,
    proceeding: Proceeding,
    outcome: str,
    reason: str,
    order: SanctionOrder | None = None,
    expected_version: int | None = None,
) -> Challenge:
    """The higher organisation decides; the outcome is never harsher than what was appealed. Closes it."""
    proceeding = _lock(proceeding, expected_version)
    decision = _appeal_decider(actor, proceeding)
    reason = _text("reason", reason, label=_("The reason"))
    challenge = proceeding.challenges.filter(kind=Challenge.Kind.APPEAL, outcome="").first()
    if challenge is None or proceeding.stage != Stage.APPEAL:
        raise Conflict(_("There is no appeal pending."))
    new = _outcome_order(current_sanction(proceeding), outcome, order)
    if new is not None:
        _impose(proceeding, new, source="appeal", actor=actor, replaces=current_sanction(proceeding))
    challenge.outcome, challenge.decision_reason, challenge.decided_by, challenge.decided_at = (
        outcome,
        reason,
        actor,
        timezone.now(),
    )
    challenge.save()
    _move(proceeding, "close", due_days=None)
    _record(
        proceeding,
        "appeal_decided",
        actor=actor,
        note=reason,
        decision=decision,
        payload={"outcome": outcome, "sanction": new.kind if new else None},
    )
    _save(proceeding)
    _tell(
        proceeding,
        [proceeding.officer],
        _("Your appeal in proceeding %(number)s was decided (%(outcome)s).")
        % {"number": proceeding.number, "outcome": Outcome(outcome).label},
    )
    return challenge


def close_lapsed(*, today: dt.date | None = None) -> int:
    """Proceedings whose review and appeal windows lapsed unused close (a scheduled step)."""
    today = today or timezone.localdate()
    count = 0
    for proceeding in Proceeding.objects.filter(stage__in=[Stage.DECIDED, Stage.REVIEWED], due_on__lt=today):
        with transaction.atomic():
            locked = _lock(proceeding)
            if locked.stage == Stage.DECIDED:
                last = _decided_on(locked) + dt.timedelta(days=int(settings.QUANZE_DISCIPLINE_DAYS["direct_appeal"]))
                if today <= last:
                    continue  # a direct appeal is still possible
            _move(locked, "close", due_days=None)
            _record(locked, "closed", actor=None, note=_("No review or appeal within the time allowed."))
            _save(locked)
            count += 1
    return count


# --- the officer's statements and evidence ---------------------------------------------------------


@transaction.atomic
def submission_add(
    *, actor: Officer, proceeding: Proceeding, text: str, files: Sequence[Any] = (), expected_version: int | None = None
) -> Submission:
    """陈述、举证、辩解: the officer's statement, with evidence files (the case-work upload rules)."""
    proceeding = _lock(proceeding, expected_version)
    _only_the_officer(actor, proceeding)
    text = _text("text", text, label=_("The statement"))
    if proceeding.stage == Stage.CLOSED:
        raise Conflict(_("The proceeding is closed."))
    checked = attachments.check_uploads(list(files)) if files else []
    with attachments.storing() as written:
        stored = []
        for file in checked:
            name = attachments.store(file)
            written.append(name)
            stored.append(
                {
                    "name": file.name,
                    "stored_name": name,
                    "sha256": file.sha256,
                    "size": file.size,
                    "type": file.content_type,
                }
            )
        submission = Submission.objects.create(
            proceeding=proceeding, author=actor, text=text, files=stored, created_at=timezone.now()
        )
        _record(
            proceeding,
            "statement_submitted",
            actor=actor,
            note=text,
            payload={"files": [{k: f[k] for k in ("name", "sha256", "size")} for f in stored]},
        )
        _save(proceeding)
    _tell(
        proceeding,
        [m.officer for m in proceeding.members.filter(recused=False)],
        _("A statement was submitted in proceeding %(number)s.") % {"number": proceeding.number},
    )
    return submission


# --- deadlines -------------------------------------------------------------------------------------


def handlers(proceeding: Proceeding) -> list[Officer]:
    """Who must act at this stage: the inspectors before referral, the members after, the deciders then."""
    if proceeding.stage == Stage.INVESTIGATION:
        return list(Officer.objects.filter(pk__in=proceeding.events.filter(kind="opened").values("actor_id")))
    if proceeding.stage in (Stage.OPINION_FINAL, Stage.REVIEW):
        return deciders(proceeding)
    if proceeding.stage == Stage.APPEAL:
        return appeal_deciders(proceeding)
    return [m.officer for m in proceeding.members.filter(recused=False).select_related("officer")]


def deadlines_check(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: remind those who must act three days before a stage's deadline, alert them once when it passes;
    finalise unobjected opinions and close proceedings whose windows lapsed."""
    today = today or timezone.localdate()
    reminded = alerted = 0
    active = Proceeding.objects.exclude(stage=Stage.CLOSED).filter(due_on__isnull=False)
    for proceeding in active.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=3)).exclude(
        reminded_stage=F("stage")
    ):
        _tell(
            proceeding,
            handlers(proceeding),
            _("Proceeding %(number)s: %(stage)s is due on %(date)s.")
            % {"number": proceeding.number, "stage": proceeding.get_stage_display(), "date": proceeding.due_on},
        )
        Proceeding.objects.filter(pk=proceeding.pk).update(reminded_stage=proceeding.stage)
        reminded += 1
    for proceeding in active.filter(due_on__lt=today).exclude(overdue_stage=F("stage")):
        _tell(
            proceeding,
            handlers(proceeding),
            _("Overdue: proceeding %(number)s, %(stage)s, was due on %(date)s.")
            % {"number": proceeding.number, "stage": proceeding.get_stage_display(), "date": proceeding.due_on},
        )
        Proceeding.objects.filter(pk=proceeding.pk).update(overdue_stage=proceeding.stage)
        alerted += 1
    return {
        "reminded": reminded,
        "overdue": alerted,
        "finalised": finalise_unobjected(today=today),
        "closed": close_lapsed(today=today),
    }
