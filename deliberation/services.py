"""Every write of the deliberation bodies. Acts on a case (convening it, the resolution, a departure from an advisory
opinion, the follow-up) are checked against the power list and appended to the case's trace; acts inside a
meeting (attendance, recusal, opinions, votes, sign-off) are authorised by membership of the body in term and
appended to the meeting's own chain (``accountability.chain.MEETING``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import chain
from accountability.chain import MEETING, normalise_payload
from accountability.choices import ActionType, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed, check_version
from accountability.models import Officer, Organisation
from accountability.notifications import notify
from accountability.powers import power_decide
from cases.assignment import took_part_before
from cases.choices import ActionSource
from cases.models import Action, Case, CaseParticipant
from cases.services import case_lock_for_update, trace_append
from deliberation.choices import (
    COMMITTEE_KINDS,
    FILTER_KINDS,
    MEETS_IN,
    FollowUpStatus,
    ItemStatus,
    MeetingStatus,
    Vote,
)
from deliberation.models import (
    AgendaItem,
    Attendance,
    Body,
    FollowUp,
    Meeting,
    MeetingEvent,
    Membership,
    Opinion,
    Recusal,
    ReferralRule,
)
from supervision.choices import OPEN_FLAG_STATUSES, AlertFamily, FourCategory
from supervision.models import Referral


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _meeting_link(meeting: Meeting) -> str:
    return reverse("deliberation:meeting", args=[meeting.public_id])


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id])


# --- the meeting's chain ----------------------------------------------------------------------------------------


def _record(meeting: Meeting, kind: str, *, actor: Officer | None, note: str = "", payload: dict | None = None) -> None:
    """Append one event to the locked meeting's chain and move its sealed head (saved by the caller's ``_save``)."""
    row = {
        "meeting_id": meeting.pk,
        "seq": meeting.trace_length + 1,
        "kind": kind,
        "actor_id": actor.pk if actor else None,
        "occurred_at": timezone.now(),
        "note": note,
        "payload": normalise_payload(payload),
    }
    digest = MEETING.hash(meeting.trace_head, row)
    MeetingEvent.objects.create(**row, prev_hash=meeting.trace_head, hash=digest, mac=MEETING.seal(digest))
    meeting.trace_head, meeting.trace_length = digest, row["seq"]
    meeting.trace_mac = MEETING.seal_head(meeting.pk, row["seq"], digest)


def _save(meeting: Meeting, *fields: str) -> None:
    meeting.version += 1
    meeting.save(update_fields=["trace_head", "trace_length", "trace_mac", "version", "updated_at", *fields])


def meeting_verify(meeting: Meeting) -> list[str]:
    """The meeting chain's problems (empty: intact), reading the head as stored."""
    return chain.verify_owners(MEETING, Meeting.objects.filter(pk=meeting.pk), _events_of)


def verify_all() -> list[str]:
    """Every meeting's chain (for ``verify_audit_chain``)."""
    return chain.verify_owners(MEETING, Meeting.objects.all(), _events_of)


def _events_of(meeting: Meeting) -> QuerySet[MeetingEvent]:
    return MeetingEvent.objects.filter(meeting_id=meeting.pk)


def _lock(meeting: Meeting, expected_version: int | None = None) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("body", "presiding").get(pk=meeting.pk)
    check_version(
        expected=expected_version,
        current=locked.version,
        message=_("This meeting was changed by someone else since you loaded it; reload and try again."),
    )
    return locked


# --- bodies and members -----------------------------------------------------------------------------------------


def members_in_term(body: Body, on: dt.date) -> list[Membership]:
    """The body's members on a day, in speaking order (lower rank first, the presiding member last)."""
    rows = (
        Membership.objects.filter(body=body, term_start__lte=on)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
        .select_related("officer")
    )
    return sorted(rows, key=speaking_key)


def speaking_key(membership: Membership) -> tuple[bool, int, int]:
    return (membership.is_presiding, membership.rank, membership.pk)


def _membership_of(meeting: Meeting, officer: Officer) -> Membership | None:
    return next(
        (
            a.membership
            for a in meeting.attendances.select_related("membership")
            if a.membership.officer_id == officer.pk
        ),
        None,
    )


# --- referral rules: a referral becomes an agenda item, or is refused naming the rule ------------------------------


def referral_rule_check(*, actor: Officer, case: Case, body_kind: str) -> ReferralRule:
    """The rule admitting a referral of ``case`` to a body of ``body_kind`` by ``actor``, or a refusal naming the
    rule item (or saying that no rule admits it)."""
    kind = case.organisation.kind
    rules = list(ReferralRule.objects.filter(is_active=True, organisation_kind=kind, body_kind=body_kind))
    if not rules:
        raise PowerDenied(
            _("No referral rule admits a referral to this body from this organisation."),
            details={"body": body_kind},
        )
    roles = set(actor.role_codes)
    allowed = [rule for rule in rules if not rule.referrer_roles or roles & set(rule.referrer_roles)]
    if not allowed:
        rule = rules[0]
        raise PowerDenied(
            _("Refused by referral rule %(code)s: %(title)s. Your roles may not refer a case to this body.")
            % {"code": rule.code, "title": rule.title},
            details={"item_code": rule.code, "body": body_kind, "referrer_roles": rule.referrer_roles},
        )
    refusals: list[tuple[ReferralRule, PowerDenied]] = []
    for rule in allowed:
        if not _admits_matter(rule, case):
            refusals.append((rule, _outside_matters(rule, body_kind)))
        elif not rule.requires_prior or roles & set(rule.direct_roles) or _discussed_by(case, rule.requires_prior):
            return rule
        else:
            refusals.append((rule, _prior_missing(rule, body_kind)))
    # the refusal of the rule that came closest: a matter it admits, awaiting the prior discussion
    raise next((refusal for _rule, refusal in refusals if "requires_prior" in refusal.details), refusals[0][1])


def _admits_matter(rule: ReferralRule, case: Case) -> bool:
    """Whether ``case`` is a matter ``rule`` admits: any case when the rule names no matters; otherwise a case with
    an open four-category flag of a category it names, or with one of its lifecycle events in the trace."""
    if not rule.categories and not rule.event_types:
        return True
    if (
        rule.categories
        and case.flags.filter(
            status__in=OPEN_FLAG_STATUSES,
            situation__family=AlertFamily.FOUR_CATEGORY,
            situation__category__in=rule.categories,
        ).exists()
    ):
        return True
    return bool(rule.event_types) and case.actions.filter(action_type__in=rule.event_types).exists()


def _outside_matters(rule: ReferralRule, body_kind: str) -> PowerDenied:
    categories = "、".join(str(FourCategory(c).label) for c in rule.categories if c in FourCategory.values)
    events = "、".join(str(ActionType(e).label) for e in rule.event_types if e in ActionType.values)
    admits = "；".join(part for part in (categories, events) if part)
    return PowerDenied(
        _("Refused by referral rule %(code)s: %(title)s. The case is not a matter the rule admits (%(admits)s).")
        % {"code": rule.code, "title": rule.title, "admits": admits},
        details={
            "item_code": rule.code,
            "body": body_kind,
            "categories": rule.categories,
            "event_types": rule.event_types,
        },
    )


def _prior_missing(rule: ReferralRule, body_kind: str) -> PowerDenied:
    return PowerDenied(
        _("Refused by referral rule %(code)s: %(title)s. The case has not been discussed by the %(prior)s.")
        % {"code": rule.code, "title": rule.title, "prior": rule.get_requires_prior_display()},
        details={"item_code": rule.code, "body": body_kind, "requires_prior": rule.requires_prior},
    )


def _discussed_by(case: Case, body_kind: str) -> bool:
    return AgendaItem.objects.filter(case=case, body_kind=body_kind, status=ItemStatus.RESOLVED).exists()


def referral_routed(*, referral: Referral, case: Case, actor: Officer, **kwargs: Any) -> AgendaItem:
    """``supervision.events.referral_created``: check the rules, then put the case before the body (pending)."""
    rule = referral_rule_check(actor=actor, case=case, body_kind=referral.body)
    return AgendaItem.objects.create(
        referral=referral,
        case=case,
        body_kind=referral.body,
        organisation=case.organisation,
        proposal=referral.reason,
        materials=_("Referral under rule %(code)s.") % {"code": rule.code},
    )


# --- convening --------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_convene(
    *,
    actor: Officer,
    body: Body,
    scheduled_for: dt.datetime,
    items: list[AgendaItem],
    source: str = ActionSource.WEB,
) -> Meeting:
    """Convene a meeting of ``body`` with the pending referred cases as its agenda, in the order given."""
    power_decide(
        officer=actor, action_type=ActionType.MEETING_CONVENED, organisation=body.organisation
    ).raise_if_denied()
    if not body.is_active:
        raise invalid("body", _("This body is not active."))
    if not items:
        raise invalid("items", _("Choose at least one referred case for the agenda."))
    if scheduled_for is None:
        raise invalid("scheduled_for", _("Give the date and time of the meeting."))
    members = members_in_term(body, timezone.localdate(scheduled_for))
    presiding = [m for m in members if m.is_presiding]
    if not presiding:
        raise invalid("body", _("The body has no presiding member in term on that day."))
    locked = list(AgendaItem.objects.select_for_update().filter(pk__in=[i.pk for i in items]).order_by("pk"))
    by_pk = {i.pk: i for i in locked}
    meeting = Meeting.objects.create(body=body, scheduled_for=scheduled_for, convened_by=actor, presiding=presiding[-1])
    for position, given in enumerate(items, start=1):
        item = by_pk[given.pk]
        case_number = item.case.case_number
        if item.status != ItemStatus.PENDING:
            raise invalid("items", _("Case %(case)s is not awaiting a meeting.") % {"case": case_number})
        if item.organisation_id != body.organisation_id or body.kind not in MEETS_IN.get(item.body_kind, ()):
            raise invalid("items", _("Case %(case)s was not referred to this body.") % {"case": case_number})
        if body.field and item.case.case_type != body.field:
            raise invalid("items", _("Case %(case)s is outside this body's field.") % {"case": case_number})
        case = case_lock_for_update(item.case, expected_version=None)
        decision = power_decide(officer=actor, action_type=ActionType.MEETING_CONVENED, case=case)
        decision.raise_if_denied()
        item.meeting, item.position, item.status = meeting, position, ItemStatus.ON_AGENDA
        item.version += 1
        item.save(update_fields=["meeting", "position", "status", "version", "updated_at"])
        trace_append(
            case=case,
            action_type=ActionType.MEETING_CONVENED,
            actor=actor,
            source=source,
            note=body.name,
            payload={"meeting": str(meeting.public_id), "item": str(item.public_id), "body": body.kind},
            decision=decision,
        )
    Attendance.objects.bulk_create([Attendance(meeting=meeting, membership=m) for m in members])
    _record(
        meeting,
        "convened",
        actor=actor,
        payload={
            "body": body.pk,
            "scheduled_for": scheduled_for.isoformat(),
            "agenda": [str(by_pk[i.pk].public_id) for i in items],
            "members": [m.officer_id for m in members],
        },
    )
    _save(meeting)
    notify(
        officers=[m.officer for m in members],
        message=_("%(body)s meets on %(when)s: %(count)s case(s) on the agenda.")
        % {
            "body": body.name,
            "when": timezone.localtime(scheduled_for).strftime("%Y-%m-%d %H:%M"),
            "count": len(items),
        },
        link=_meeting_link(meeting),
    )
    return meeting


# --- opening: attendance, quorum and recusals -------------------------------------------------------------------


def quorum(body: Body, members: int, present: int) -> tuple[bool, int]:
    """Whether ``present`` of ``members`` make a quorum for ``body``, and how many it needs."""
    needed = max(body.min_present, members // 2 + 1 if body.majority_quorum else 0)
    return present >= needed, needed


def _took_part(case: Case) -> set[int]:
    people = {pk for pk in (case.lead_officer_id, getattr(case, "presiding_officer_id", None)) if pk}
    people |= set(CaseParticipant.objects.filter(case=case).values_list("officer_id", flat=True))
    return people | took_part_before(case)


@transaction.atomic
def meeting_open(
    *,
    actor: Officer,
    meeting: Meeting,
    present: list[int],
    absence_reasons: dict[int, str] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """The presiding member records who is present (officer ids) and opens the meeting; refused without a
    quorum. A member who took part in a case on the agenda is recused from that item."""
    meeting = _lock(meeting, expected_version)
    if actor.pk != meeting.presiding.officer_id:
        raise PowerDenied(_("Only the presiding member opens the meeting."))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(_("The meeting has already been opened."))
    attendances = list(meeting.attendances.select_related("membership__officer"))
    known = {a.membership.officer_id for a in attendances}
    unknown = set(present) - known
    if unknown:
        raise invalid("present", _("Only members of the body in term can be present."))
    if meeting.presiding.officer_id not in present:
        raise invalid("present", _("The presiding member must be present."))
    ok, needed = quorum(meeting.body, len(attendances), len(set(present)))
    if not ok:
        raise Conflict(
            _("No quorum: %(present)s of %(members)s members present, at least %(needed)s needed.")
            % {"present": len(set(present)), "members": len(attendances), "needed": needed},
            details={"present": len(set(present)), "members": len(attendances), "needed": needed},
        )
    reasons = absence_reasons or {}
    for attendance in attendances:
        attendance.present = attendance.membership.officer_id in present
        attendance.absence_reason = (
            "" if attendance.present else reasons.get(attendance.membership.officer_id, "")[:200]
        )
        attendance.save(update_fields=["present", "absence_reason", "updated_at"])
    recused: list[dict[str, Any]] = []
    for item in meeting.items.select_related("case"):
        took_part = _took_part(item.case)
        for attendance in attendances:
            if attendance.membership.officer_id in took_part:
                reason = _("Took part in the case.")
                Recusal.objects.create(item=item, membership=attendance.membership, reason=reason)
                recused.append({"item": str(item.public_id), "officer": attendance.membership.officer_id})
    meeting.status, meeting.opened_at = MeetingStatus.IN_SESSION, timezone.now()
    _record(
        meeting,
        "opened",
        actor=actor,
        payload={
            "present": sorted(set(present)),
            "absent": sorted(known - set(present)),
            "quorum": needed,
            "recused": recused,
        },
    )
    _save(meeting, "status", "opened_at")
    return meeting


@transaction.atomic
def recusal_declare(*, actor: Officer, item: AgendaItem, reason: str) -> Recusal:
    """A member withdraws from one item for a conflict of interest, before giving an opinion on it."""
    meeting = _lock(item.meeting)
    membership = _membership_of(meeting, actor)
    if membership is None:
        raise PowerDenied(_("Only a member of the body may withdraw from an item."))
    if meeting.status != MeetingStatus.IN_SESSION or item.status != ItemStatus.ON_AGENDA:
        raise Conflict(_("Withdrawal is possible only while the item is being discussed."))
    if not reason.strip():
        raise invalid("reason", _("Give the reason for withdrawing."))
    if Opinion.objects.filter(item=item, membership=membership).exists():
        raise Conflict(_("You have already given your opinion on this item."))
    recusal, _created = Recusal.objects.get_or_create(
        item=item, membership=membership, defaults={"reason": reason.strip()[:300]}
    )
    _record(meeting, "recused", actor=actor, note=reason.strip(), payload={"item": str(item.public_id)})
    _save(meeting)
    return recusal


# --- opinions, in speaking order, and the vote -----------------------------------------------------------------


def speakers(item: AgendaItem) -> list[Membership]:
    """Who speaks on an item, in order: members present and not recused, lower rank first, presiding last."""
    recused = set(Recusal.objects.filter(item=item).values_list("membership_id", flat=True))
    present = [
        a.membership
        for a in Attendance.objects.filter(meeting_id=item.meeting_id, present=True).select_related(
            "membership__officer"
        )
        if a.membership_id not in recused
    ]
    return sorted(present, key=speaking_key)


def next_speaker(item: AgendaItem) -> Membership | None:
    spoken = set(Opinion.objects.filter(item=item).values_list("membership_id", flat=True))
    return next((m for m in speakers(item) if m.pk not in spoken), None)


@transaction.atomic
def opinion_give(*, actor: Officer, item: AgendaItem, text: str, vote: str) -> Opinion:
    """A member states an opinion and votes on the item's question, in turn (lower rank first, presiding last)."""
    meeting = _lock(item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    membership = _membership_of(meeting, actor)
    if membership is None:
        raise PowerDenied(_("Only a member of the body gives an opinion."))
    if meeting.status != MeetingStatus.IN_SESSION or item.status != ItemStatus.ON_AGENDA:
        raise Conflict(_("Opinions are given only while the item is being discussed."))
    if Recusal.objects.filter(item=item, membership=membership).exists():
        raise PowerDenied(_("You withdrew from this item (you took part in the case or declared a conflict)."))
    if not Attendance.objects.filter(meeting=meeting, membership=membership, present=True).exists():
        raise PowerDenied(_("You are not recorded as present at this meeting."))
    if Opinion.objects.filter(item=item, membership=membership).exists():
        raise Conflict(_("You have already given your opinion on this item."))
    turn = next_speaker(item)
    if turn is None or turn.pk != membership.pk:
        raise Conflict(
            _("It is %(name)s's turn to speak: members of lower rank speak first, the presiding member last.")
            % {"name": turn.officer.name if turn else "—"},
            details={"next_speaker": turn.officer_id if turn else None},
        )
    if not text.strip():
        raise invalid("text", _("State your opinion."))
    if vote not in Vote.values:
        raise invalid("vote", _("Choose your vote."))
    position = Opinion.objects.filter(item=item).count() + 1
    opinion = Opinion.objects.create(item=item, membership=membership, position=position, text=text.strip(), vote=vote)
    _record(
        meeting,
        "opinion",
        actor=actor,
        note=text.strip(),
        payload={"item": str(item.public_id), "position": position, "vote": vote, "rank": membership.rank},
    )
    _save(meeting)
    following = next_speaker(item)
    if following is not None:
        notify(
            officers=[following.officer],
            message=_("Your turn to give an opinion on case %(case)s.") % {"case": item.case.case_number},
            link=_meeting_link(meeting),
        )
    return opinion


@transaction.atomic
def item_resolve(*, actor: Officer, item: AgendaItem, resolution: str, source: str = ActionSource.WEB) -> AgendaItem:
    """The presiding member records the resolution once everyone has spoken. A committee's resolution is adopted by
    more than half of all its members (法发〔2019〕20号; 检察委员会: 全体委员过半数), binds the panel and is followed
    up (督办); a judges' meeting's opinion is the majority of those voting on the item, and advisory. The resolution is an action in the case's trace naming those who voted for it."""
    meeting = _lock(item.meeting)
    item = AgendaItem.objects.select_for_update().select_related("referral").get(pk=item.pk)
    if actor.pk != meeting.presiding.officer_id:
        raise PowerDenied(_("Only the presiding member records the resolution."))
    if meeting.status != MeetingStatus.IN_SESSION or item.status != ItemStatus.ON_AGENDA:
        raise Conflict(_("This item is not being discussed."))
    waiting = next_speaker(item)
    if waiting is not None:
        raise Conflict(
            _("%(name)s has not given an opinion yet.") % {"name": waiting.officer.name},
            details={"next_speaker": waiting.officer_id},
        )
    if not resolution.strip():
        raise invalid("resolution", _("Write the resolution."))
    opinions = list(item.opinions.select_related("membership__officer"))
    counts = {v: sum(1 for o in opinions if o.vote == v) for v in Vote.values}
    adopted = counts[Vote.FOR] * 2 > _voters_needed_over(meeting, opinions)
    item.resolution, item.adopted, item.resolved_at = resolution.strip(), adopted, timezone.now()
    item.votes_for, item.votes_against, item.votes_abstain = (
        counts[Vote.FOR],
        counts[Vote.AGAINST],
        counts[Vote.ABSTAIN],
    )
    item.binding = adopted and meeting.body.kind in COMMITTEE_KINDS
    item.status = ItemStatus.RESOLVED
    voted_for = [o.membership.officer_id for o in opinions if o.vote == Vote.FOR]
    case = case_lock_for_update(item.case, expected_version=None)
    action = trace_append(
        case=case,
        action_type=ActionType.COMMITTEE_OUTCOME_RECORDED,
        actor=actor,
        source=source,
        note=resolution.strip(),
        payload={
            "referral": str(item.referral.public_id),
            "body": item.referral.body,
            "meeting": str(meeting.public_id),
            "item": str(item.public_id),
            "adopted": adopted,
            "binding": item.binding,
            "votes": counts,
            "voted_for": voted_for,
        },
    )
    item.resolution_seq = action.seq
    item.version += 1
    item.save()
    referral = Referral.objects.select_for_update(of=("self",)).get(pk=item.referral_id)
    if referral.outcome_recorded_at is None:
        referral.outcome, referral.outcome_recorded_by, referral.outcome_recorded_at = (
            item.resolution,
            actor,
            item.resolved_at,
        )
        referral.version += 1
        referral.save(update_fields=["outcome", "outcome_recorded_by", "outcome_recorded_at", "version", "updated_at"])
    if item.binding:
        FollowUp.objects.create(item=item, due_on=timezone.localdate() + dt.timedelta(days=meeting.body.follow_up_days))
    _record(
        meeting,
        "resolved",
        actor=actor,
        note=resolution.strip(),
        payload={"item": str(item.public_id), "adopted": adopted, "binding": item.binding, "votes": counts},
    )
    _save(meeting)
    if case.lead_officer_id:
        notify(
            officers=[case.lead_officer],
            message=(
                _("The %(body)s resolved on case %(case)s; the resolution binds the panel.")
                if item.binding
                else _("The %(body)s gave its opinion on case %(case)s.")
            )
            % {"body": meeting.body.name, "case": case.case_number},
            link=_case_link(case),
        )
    return item


def _voters_needed_over(meeting: Meeting, opinions: list[Opinion]) -> int:
    """The number more than half of which must vote for: all the committee's members in term (everyone listed
    when the meeting was convened, present or not), or those voting at an advisory meeting."""
    if meeting.body.kind in COMMITTEE_KINDS:
        return meeting.attendances.count()
    return len(opinions)


@transaction.atomic
def meeting_conclude(*, actor: Officer, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """The presiding member closes the meeting once every item is resolved; the minutes then await signatures."""
    meeting = _lock(meeting, expected_version)
    if actor.pk != meeting.presiding.officer_id:
        raise PowerDenied(_("Only the presiding member concludes the meeting."))
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("The meeting is not in session."))
    open_items = [i.case.case_number for i in meeting.items.exclude(status=ItemStatus.RESOLVED).select_related("case")]
    if open_items:
        raise Conflict(
            _("Not every item is resolved: %(cases)s.") % {"cases": "、".join(open_items)},
            details={"open_items": open_items},
        )
    meeting.status, meeting.concluded_at = MeetingStatus.CONCLUDED, timezone.now()
    _record(meeting, "concluded", actor=actor)
    _save(meeting, "status", "concluded_at")
    present = [
        a.membership.officer for a in meeting.attendances.filter(present=True).select_related("membership__officer")
    ]
    notify(
        officers=present,
        message=_("The minutes of %(body)s await your signature.") % {"body": meeting.body.name},
        link=_meeting_link(meeting),
    )
    return meeting


@transaction.atomic
def minutes_sign(*, actor: Officer, meeting: Meeting) -> Attendance:
    """A member present signs the minutes (a chained event); when all have signed the minutes are final."""
    meeting = _lock(meeting)
    attendance = (
        Attendance.objects.select_for_update().filter(meeting=meeting, membership__officer=actor, present=True).first()
    )
    if attendance is None:
        raise PowerDenied(_("Only a member present at the meeting signs its minutes."))
    if meeting.status != MeetingStatus.CONCLUDED:
        raise Conflict(_("The minutes can be signed once the meeting is concluded."))
    if attendance.signed_at is not None:
        raise Conflict(_("You have already signed these minutes."))
    attendance.signed_at = timezone.now()
    attendance.save(update_fields=["signed_at", "updated_at"])
    _record(meeting, "signed", actor=actor, payload={"minutes_head": meeting.trace_head})
    fields = []
    if not Attendance.objects.filter(meeting=meeting, present=True, signed_at__isnull=True).exists():
        meeting.status = MeetingStatus.SIGNED
        fields.append("status")
    _save(meeting, *fields)
    return attendance


# --- after the meeting ------------------------------------------------------------------------------------------


@transaction.atomic
def departure_record(*, actor: Officer, item: AgendaItem, reason: str, source: str = ActionSource.WEB) -> AgendaItem:
    """The panel does not follow an advisory opinion of a judges' (joint) meeting and records why. A committee's
    binding resolution cannot be departed from."""
    case = case_lock_for_update(item.case, expected_version=None)
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting__body").get(pk=item.pk)
    decision = power_decide(officer=actor, action_type=ActionType.DEPARTED_FROM_OPINION, case=case)
    decision.raise_if_denied()
    if item.status != ItemStatus.RESOLVED:
        raise Conflict(_("The meeting has not given its opinion yet."))
    if item.meeting.body.kind not in FILTER_KINDS:
        raise Conflict(_("A committee's resolution binds the panel: it cannot be departed from."))
    if item.departed_at is not None:
        raise Conflict(_("The departure has already been recorded."))
    if not reason.strip():
        raise invalid("reason", _("Give the reasons for departing from the opinion."))
    item.departure_reason, item.departed_at = reason.strip(), timezone.now()
    item.version += 1
    item.save(update_fields=["departure_reason", "departed_at", "version", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.DEPARTED_FROM_OPINION,
        actor=actor,
        source=source,
        note=reason.strip(),
        payload={"item": str(item.public_id), "meeting": str(item.meeting.public_id)},
        decision=decision,
    )
    notify(
        officers=[item.meeting.presiding.officer],
        message=_("The panel on case %(case)s departed from the opinion of %(body)s.")
        % {"case": case.case_number, "body": item.meeting.body.name},
        link=_case_link(case),
    )
    return item


#: What shows the panel acted on a resolution: its ruling signed (a court), or the case closed by its decision.
REFLECTING_ACTIONS = (ActionType.RULING_SIGNED, ActionType.CLOSED)


@transaction.atomic
def follow_up_complete(*, actor: Officer, follow_up: FollowUp, note: str, source: str = ActionSource.WEB) -> FollowUp:
    """督办 closed: the panel's signed ruling (or the decision closing the case) reflects the committee's resolution;
    refused before either is recorded after the resolution."""
    follow_up = FollowUp.objects.select_for_update().select_related("item").get(pk=follow_up.pk)
    item = follow_up.item
    case = case_lock_for_update(item.case, expected_version=None)
    decision = power_decide(officer=actor, action_type=ActionType.RESOLUTION_FOLLOWED_UP, case=case)
    decision.raise_if_denied()
    if follow_up.status != FollowUpStatus.OPEN:
        raise Conflict(_("This follow-up is already closed."))
    signed = Action.objects.filter(
        case=case, action_type__in=REFLECTING_ACTIONS, recorded_at__gte=item.resolved_at
    ).exists()
    if not signed:
        raise Conflict(_("No ruling has been signed, nor the case closed, since the resolution."))
    if not note.strip():
        raise invalid("note", _("Say how the ruling reflects the resolution."))
    follow_up.status, follow_up.done_at, follow_up.done_by, follow_up.note = (
        FollowUpStatus.DONE,
        timezone.now(),
        actor,
        note.strip(),
    )
    follow_up.save(update_fields=["status", "done_at", "done_by", "note", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.RESOLUTION_FOLLOWED_UP,
        actor=actor,
        source=source,
        note=note.strip(),
        payload={"item": str(item.public_id)},
        decision=decision,
    )
    return follow_up


def follow_ups_alert_overdue(*, today: dt.date | None = None) -> int:
    """Alert once on each open follow-up past its date: the presiding member, the lead judge and the organisation's
    case-management office. Returns how many were alerted."""
    today = today or timezone.localdate()
    due = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_on__lt=today, overdue_notified_at__isnull=True)
    alerted = 0
    for follow_up in due.select_related("item__case__lead_officer", "item__meeting__presiding__officer"):
        with transaction.atomic():
            updated = FollowUp.objects.filter(pk=follow_up.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=timezone.now()
            )
            if not updated:
                continue
            case = follow_up.item.case
            office = Officer.objects.filter(organisation_id=case.organisation_id, roles__code=RoleCode.CASE_MANAGEMENT)
            notify(
                officers=[
                    follow_up.item.meeting.presiding.officer,
                    *([case.lead_officer] if case.lead_officer else []),
                    *office,
                ],
                message=_("Overdue: the committee's resolution on case %(case)s was due to be reflected by %(due)s.")
                % {"case": case.case_number, "due": follow_up.due_on.isoformat()},
                link=_case_link(case),
            )
            alerted += 1
    return alerted


def bodies_of(organisation: Organisation) -> list[Body]:
    return list(Body.objects.filter(organisation=organisation, is_active=True))
