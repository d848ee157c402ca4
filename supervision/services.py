"""Four-category supervision (四类案件) and risk alerts (风险点), DOMAIN.md §4.

* Detection: automatic situations are evaluated on case events (after commit, by Celery) and swept
  set-wise on a schedule (one SQL query per rule); a flag records the rule's revision and the facts
  that matched; one open flag per case and situation, and a dismissed one is not raised again by the
  same revision of its rule.
* Pre-flag, then confirm (预标识+再确认): a leader in scope confirms or dismisses with a reason.
* Supervision in the open: a leader comments in writing, requires a progress report or a similar-case
  search by a date, refers the case to the judges' meeting or the adjudication committee and records
  its outcome. Each act is power-checked and is an action of the case's trace. Nothing here changes
  the panel's decision or signs a ruling: the power list's negative items refuse both.
* Supervision within its bounds (法发〔2021〕30号): those individual acts are for four-category cases only
  (a pending or confirmed flag); elsewhere negative items (CHF/PRE/VPR-N3 … N7) refuse them and the
  attempt is kept in the security audit. Managing the whole (alerts, the inbox, escalation, reminders)
  stays open.
* Escalation: a pending alert not acted on within N working days goes one level up; an overdue
  progress report alerts the leader who asked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import conditions, outbox
from accountability.audit import audit
from accountability.choices import ActionType, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed
from accountability.models import AuditEvent, Officer, Organisation
from accountability.notifications import notify
from accountability.powers import power_decide
from cases.bulk import copy_rows, model_row, update_heads
from cases.choices import ActionSource
from cases.models import Action, Case
from cases.services import case_lock_for_update, trace_append, trace_build
from supervision import events, rules
from supervision.choices import AlertFamily, FlagStatus, ReferralBody, TaskKind, TaskStatus, referral_bodies
from supervision.models import (
    Flag,
    Referral,
    Situation,
    SituationRevision,
    SupervisionTask,
    SweepRun,
    SweepRunItem,
)

#: Actions after which a case's facts may have changed: automatic rules run again (after commit). Imports
#: write in bulk and are caught by the nightly sweep.
DETECTION_TRIGGERS = frozenset(
    {
        ActionType.FILED,
        ActionType.EXTENSION_REQUESTED,
        ActionType.EXTENSION_APPROVED,
        ActionType.SUSPENDED,
        ActionType.RESUMED,
    }
)
#: Supervision acts that count as "acted on" an alert (it stops escalating).
SUPERVISION_ACTS = (
    ActionType.FOUR_CATEGORY_CONFIRMED,
    ActionType.FOUR_CATEGORY_DISMISSED,
    ActionType.SUPERVISION_COMMENT,
    ActionType.PROGRESS_REPORT_REQUIRED,
    ActionType.SIMILAR_SEARCH_REQUIRED,
    ActionType.REFERRED_TO_COMMITTEE,
)
SWEEP_BATCH = 2000
#: Flags written between two ANALYZE of the flags table during a sweep.
ANALYZE_EVERY = 50_000


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id])


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` moved forward by ``days`` working days (Monday to Friday; a holiday calendar is not kept)."""
    moved = start
    while days > 0:
        moved += dt.timedelta(days=1)
        if timezone.localtime(moved).weekday() < 5:
            days -= 1
    return moved


def _act_by(now: dt.datetime) -> dt.datetime:
    return working_days_after(now, settings.QUANZE_ESCALATION_WORKING_DAYS)


# --- who supervises a case ------------------------------------------------------------------------


def _leader_levels(case: Case) -> list[list[Officer]]:
    """The case's supervising leaders, level by level: the division chief of its department, the
    presidents of its organisation, then the presidents of each organisation above (levels with
    nobody in them are skipped)."""
    levels: list[list[Officer]] = []
    active = Officer.objects.filter(user__is_active=True).select_related("user")
    if case.department_id is not None:
        chiefs = list(active.filter(department_id=case.department_id, roles__code=RoleCode.DIVISION_CHIEF))
        if chiefs:
            levels.append(chiefs)
    organisation: Organisation | None = case.organisation
    presidents = (RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT)
    while organisation is not None:
        found = list(active.filter(organisation=organisation, roles__code__in=presidents).distinct())
        if found:
            levels.append(found)
        organisation = organisation.parent
        presidents = (RoleCode.PRESIDENT,)
    return levels


def leaders_at(case: Case, level: int) -> list[Officer]:
    levels = _leader_levels(case)
    if not levels:
        return []
    return levels[min(level, len(levels) - 1)]


# --- detection ------------------------------------------------------------------------------------


def active_rules() -> list[Situation]:
    return list(Situation.objects.filter(is_active=True, kind=Situation.Kind.AUTOMATIC).order_by("code"))


def _explanation(situation: Situation, facts: dict[str, Any]) -> str:
    return f"{situation.title}（{rules.explain(facts)}）"


def _blocking(situation: Situation) -> Q:
    """The flags that stop the situation being raised again: open, or dismissed at its current revision."""
    return Q(status__in=(FlagStatus.PENDING, FlagStatus.CONFIRMED)) | Q(
        status=FlagStatus.DISMISSED, situation_revision=situation.revision
    )


def _blocked(situation: Situation) -> Q:
    """Cases where the situation may not be raised now (see ``_blocking``).

    One ``EXISTS`` with the alternatives inside, so that ``NOT`` of it is an anti-join PostgreSQL can run in
    parallel (an ``OR`` of two ``EXISTS`` becomes hashed subplans, which are not: 2.9 s a rule at 1 M cases
    instead of 0.15 s)."""
    return Q(Exists(Flag.objects.filter(case=OuterRef("pk"), situation=situation).filter(_blocking(situation))))


@transaction.atomic
def detect_for_case(
    case_id: int, *, now: dt.datetime | None = None, situations: Sequence[Situation] | None = None
) -> list[Flag]:
    """Evaluate every active automatic rule on one case and raise the flags that hold (idempotent)."""
    now = now or timezone.now()
    situations = list(situations) if situations is not None else active_rules()
    if not situations:
        return []
    facts = rules.case_facts(case_id, now=now, fields=rules.fields_used(situations))
    matched = [s for s in situations if conditions.evaluate(s.rule, facts)]
    if not matched:
        return []
    revision_of = {s.pk: s.revision for s in matched}
    taken = Flag.objects.filter(case_id=case_id, situation__in=matched).values_list(
        "situation_id", "situation_revision", "status"
    )
    # open, or dismissed at the rule's current revision (the same test as ``_blocked``)
    blocked = {sid for sid, rev, status in taken if status != FlagStatus.DISMISSED or rev == revision_of[sid]}
    fresh = [s for s in matched if s.pk not in blocked]
    if not fresh:
        return []
    case = case_lock_for_update(Case(pk=case_id), expected_version=None)
    flags = _raise_automatic(case, [(s, conditions.matched_facts(s.condition, facts)) for s in fresh], now=now)
    for flag in flags:
        notify(
            officers=leaders_at(case, 0),
            message=_("New alert on case %(case)s: %(why)s") % {"case": case.case_number, "why": flag.reason},
            link=_case_link(case),
        )
    return flags


def _raise_automatic(case: Case, found: list[tuple[Situation, dict[str, Any]]], *, now: dt.datetime) -> list[Flag]:
    """Create the flags and their trace actions for one locked case (no notification)."""
    created = []
    for situation, facts in found:
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    case=case,
                    situation=situation,
                    situation_revision=situation.revision,
                    facts=rules.jsonable(facts),
                    reason=_explanation(situation, facts),
                    act_by=_act_by(now),
                )
        except IntegrityError:
            continue  # raised meanwhile by someone else: one open flag per case and situation
        trace_append(
            case=case,
            action_type=_raised_type(situation),
            actor=None,
            source=ActionSource.SYSTEM,
            note=flag.reason,
            payload=_flag_payload(flag, situation),
        )
        created.append(flag)
    return created


def _raised_type(situation: Situation) -> str:
    return (
        ActionType.RISK_ALERT_RAISED if situation.family == AlertFamily.RISK_POINT else ActionType.FOUR_CATEGORY_FLAGGED
    )


def _flag_payload(flag: Flag, situation: Situation) -> dict[str, Any]:
    return {
        "flag": str(flag.public_id),
        "situation": situation.code,
        "category": situation.category,
        "situation_revision": situation.revision,
        "facts": flag.facts,
    }


def sweep(*, now: dt.datetime | None = None, situations: Sequence[Situation] | None = None) -> dict[str, int]:
    """Run every active automatic rule over all cases: one SQL query per rule finds the cases where it holds
    and may be raised; flags and their trace actions are then written in batches of locked cases.

    Returns how many flags each rule raised. Leaders get one notification per sweep, with the count."""
    now = now or timezone.now()
    situations = list(situations) if situations is not None else active_rules()
    raised: dict[str, int] = {}
    per_leader: dict[int, tuple[Officer, int]] = {}
    leaders: dict[tuple[int, int | None], list[Officer]] = {}  # by (organisation, department), looked up once
    unanalysed = 0
    for situation in situations:
        matches = rules.rule_matches(situation.condition, ~_blocked(situation) & situation.kind_filter(), now=now)
        count = 0
        for start in range(0, len(matches), SWEEP_BATCH):
            batch = matches[start : start + SWEEP_BATCH]
            flags = _raise_batch(situation, batch, now=now)
            count += len(flags)
            unanalysed += len(flags)
            _count_for_leaders(flags, per_leader, leaders)
            if unanalysed >= ANALYZE_EVERY:  # a first sweep fills the table faster than autovacuum looks at it
                _analyze_flags()
                unanalysed = 0
        raised[situation.code] = count
    _notify_leaders(per_leader)
    return raised


def _analyze_flags() -> None:
    """Fresh planner statistics for the flags table (PostgreSQL): its queries are planned on them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_flag")


@transaction.atomic
def _raise_batch(situation: Situation, batch: list[tuple[int, dict[str, Any]]], *, now: dt.datetime) -> list[Flag]:
    facts_of = dict(batch)
    # Checked again under the lock, by an indexed lookup of this batch's flags: an anti-join here would be
    # planned on the statistics of a flags table the sweep itself is filling.
    cases = list(Case.objects.select_for_update(of=("self",)).filter(pk__in=facts_of).order_by("pk"))
    blocked = set(
        Flag.objects.filter(case_id__in=facts_of, situation=situation)
        .filter(_blocking(situation))
        .values_list("case_id", flat=True)
    )
    cases = [case for case in cases if case.pk not in blocked]
    if not cases:
        return []
    flags = Flag.objects.bulk_create(
        [
            Flag(
                case=case,
                organisation_id=case.organisation_id,
                situation=situation,
                situation_revision=situation.revision,
                facts=rules.jsonable(facts_of[case.pk]),
                reason=_explanation(situation, facts_of[case.pk]),
                act_by=_act_by(now),
            )
            for case in cases
        ]
    )
    by_case = {case.pk: case for case in cases}
    actions = []
    for flag in flags:
        if flag.pk is None:  # backends without RETURNING: read the ids back
            flag.pk = Flag.objects.get(case_id=flag.case_id, situation=situation, status=FlagStatus.PENDING).pk
        actions.append(
            trace_build(
                case=by_case[flag.case_id],
                action_type=_raised_type(situation),
                actor=None,
                source=ActionSource.SYSTEM,
                note=flag.reason,
                payload=_flag_payload(flag, situation),
            )
        )
    copy_rows(Action, [model_row(action) for action in actions])  # COPY on PostgreSQL
    update_heads((case.pk, case.trace_head, case.trace_length) for case in cases)
    for flag in flags:
        flag.case = by_case[flag.case_id]
    return flags


# --- the sweep, one organisation at a time (fanned out across workers) ---------------------------


def sweep_organisation(
    organisation_id: int, *, now: dt.datetime | None = None, situations: Sequence[Situation] | None = None
) -> dict[str, int]:
    """``sweep`` over one organisation's cases: the same flags and the same trace actions, in the same order on each
    case's chain (its rules in code order), for the cases of that organisation.

    One SQL query per rule (the organisation's cases, by its index) finds where each rule holds and may be raised;
    then each case is locked once, its flags and their chained actions built in one pass and written set-wise
    (COPY of the flags, COPY of the actions, one statement for the heads), 2,000 cases a transaction. Safe to run
    again or alongside another run: the blocking flags are checked again under each case's lock, so a flag is never
    raised twice for a case and situation. Leaders get one notification with the organisation's count."""
    now = now or timezone.now()
    situations = list(situations) if situations is not None else active_rules()
    raised = {s.code: 0 for s in situations}
    found: dict[int, list[tuple[Situation, dict[str, Any]]]] = defaultdict(list)
    with transaction.atomic():
        for situation in situations:  # in code order, as ``sweep``: a case's flags follow it on its chain
            where = ~_blocked(situation) & situation.kind_filter() & Q(organisation_id=organisation_id)
            for case_id, facts in rules.rule_matches(situation.condition, where, now=now):
                found[case_id].append((situation, facts))
    per_leader: dict[int, tuple[Officer, int]] = {}
    leaders: dict[tuple[int, int | None], list[Officer]] = {}
    case_ids = sorted(found)
    for start in range(0, len(case_ids), SWEEP_BATCH):
        flags = _raise_cases({pk: found[pk] for pk in case_ids[start : start + SWEEP_BATCH]}, now=now)
        for flag in flags:
            raised[flag.situation.code] += 1
        _count_for_leaders(flags, per_leader, leaders)
    _notify_leaders(per_leader)
    return raised


@transaction.atomic
def _raise_cases(found: dict[int, list[tuple[Situation, dict[str, Any]]]], *, now: dt.datetime) -> list[Flag]:
    """Lock the cases, check again what blocks each (case, situation), and write the flags and their chained
    actions: a case's actions in one pass along its chain, its head stored once."""
    situations = {s.pk: s for pairs in found.values() for s, _facts in pairs}
    cases = list(Case.objects.select_for_update(of=("self",)).filter(pk__in=found).order_by("pk"))
    taken = Flag.objects.filter(
        case_id__in=found,
        situation_id__in=situations,
        status__in=(FlagStatus.PENDING, FlagStatus.CONFIRMED, FlagStatus.DISMISSED),
    ).values_list("case_id", "situation_id", "situation_revision", "status")
    # open, or dismissed at the rule's current revision (the same test as ``_blocking``)
    blocked = {
        (case_id, sid)
        for case_id, sid, revision, status in taken
        if status != FlagStatus.DISMISSED or revision == situations[sid].revision
    }
    act_by, stamp = _act_by(now), timezone.now()
    flags: list[Flag] = []
    actions: list[dict[str, Any]] = []
    heads: list[tuple[int, str, int]] = []
    for case in cases:
        length = case.trace_length
        for situation, facts in found[case.pk]:
            if (case.pk, situation.pk) in blocked:
                continue
            flag = Flag(
                case=case,
                organisation_id=case.organisation_id,
                situation=situation,
                situation_revision=situation.revision,
                facts=rules.jsonable(facts),
                reason=_explanation(situation, facts),
                act_by=act_by,
                created_at=stamp,
                updated_at=stamp,
            )
            action = trace_build(
                case=case,
                action_type=_raised_type(situation),
                actor=None,
                source=ActionSource.SYSTEM,
                note=flag.reason,
                payload=_flag_payload(flag, situation),
            )
            flags.append(flag)
            actions.append(model_row(action))
        if case.trace_length != length:
            heads.append((case.pk, case.trace_head, case.trace_length))
    copy_rows(Flag, [model_row(flag) for flag in flags])  # COPY on PostgreSQL
    copy_rows(Action, actions)
    update_heads(heads)
    return flags


def _notify_leaders(per_leader: dict[int, tuple[Officer, int]]) -> None:
    for officer, count in per_leader.values():
        notify(
            officers=[officer],
            message=_("%(count)s new alerts in your supervision inbox.") % {"count": count},
            link=reverse("supervision:inbox"),
        )


@transaction.atomic
def sweep_run_start(*, key: str, now: dt.datetime | None = None) -> SweepRun:
    """Create a sweep run with one item per organisation that has cases (or return the run with this key: a second
    start resumes it), measured against ``now``."""
    run, created = SweepRun.objects.get_or_create(key=key, defaults={"now": now or timezone.now()})
    if created:
        organisations = list(
            Organisation.objects.filter(Exists(Case.objects.filter(organisation=OuterRef("pk"))))
            .order_by("path")
            .values_list("pk", flat=True)
        )
        SweepRunItem.objects.bulk_create([SweepRunItem(run=run, organisation_id=pk) for pk in organisations])
        run.total = len(organisations)
        if not organisations:
            run.finished_at = timezone.now()
        run.save(update_fields=["total", "finished_at"])
    return run


def sweep_run_dispatch(run: SweepRun) -> int:
    """Queue one task per unfinished organisation, after commit (the outbox). Returns how many were queued."""
    pending = list(run.items.filter(finished_at__isnull=True).values_list("organisation_id", flat=True))
    for organisation_id in pending:
        outbox.enqueue("supervision.sweep_organisation", run.pk, organisation_id)
    return len(pending)


def sweep_run_nightly(*, day: dt.date | None = None) -> SweepRun:
    """Tonight's sweep (or the one already started today, resumed): one task per organisation."""
    day = day or timezone.localdate()
    with transaction.atomic():
        run = sweep_run_start(key=f"sweep:{day.isoformat()}")
        sweep_run_dispatch(run)
    return run


def sweep_run_item(*, run_id: int, organisation_id: int) -> dict[str, int] | None:
    """One organisation's part of a run, measured against the run's ``now``; a finished item is skipped, and an
    item a dead worker left half done is run again (``sweep_organisation`` raises nothing twice). Returns the flags
    raised by situation, or None when there was nothing to do."""
    item = SweepRunItem.objects.select_related("run").filter(run_id=run_id, organisation_id=organisation_id).first()
    if item is None or item.finished_at is not None:
        return None
    raised = sweep_organisation(organisation_id, now=item.run.now)
    count = sum(raised.values())
    with transaction.atomic():
        finished = timezone.now()
        if not SweepRunItem.objects.filter(pk=item.pk, finished_at__isnull=True).update(
            finished_at=finished, raised=raised
        ):
            return None  # finished meanwhile by a second delivery of this task
        SweepRun.objects.filter(pk=run_id).update(done=F("done") + 1, raised=F("raised") + count)
        SweepRun.objects.filter(pk=run_id, done__gte=F("total"), finished_at__isnull=True).update(finished_at=finished)
        total = SweepRun.objects.values_list("raised", flat=True).get(pk=run_id)
    if count and (total - count) // ANALYZE_EVERY != total // ANALYZE_EVERY:
        _analyze_flags()  # a first sweep fills the table faster than autovacuum looks at it
    return raised


def _count_for_leaders(
    flags: list[Flag],
    per_leader: dict[int, tuple[Officer, int]],
    leaders: dict[tuple[int, int | None], list[Officer]],
) -> None:
    by_place: dict[tuple[int, int | None], list[Flag]] = defaultdict(list)
    for flag in flags:
        by_place[(flag.case.organisation_id, flag.case.department_id)].append(flag)
    for place, group in by_place.items():
        if place not in leaders:
            leaders[place] = leaders_at(group[0].case, 0)
        for officer in leaders[place]:
            _, count = per_leader.get(officer.pk, (officer, 0))
            per_leader[officer.pk] = (officer, count + len(group))


def simulate(condition: dict[str, Any], *, limit: int = 200, now: dt.datetime | None = None) -> dict[str, Any]:
    """Which existing cases a (possibly unsaved) condition would flag: the count and the first ``limit``."""
    rules.validate(condition, automatic=True)
    now = now or timezone.now()
    queryset = rules.rule_queryset(condition, now=now)
    matches = rules.rule_matches(condition, now=now, limit=limit)
    numbers = dict(Case.objects.filter(pk__in=[pk for pk, _ in matches]).values_list("pk", "case_number"))
    return {
        "count": queryset.count(),
        "cases": [
            {"case_number": numbers[pk], "facts": facts, "explanation": rules.explain(facts)} for pk, facts in matches
        ],
    }


# --- people raise and decide flags ----------------------------------------------------------------


@transaction.atomic
def flag_raise(
    *, actor: Officer, case: Case, situation: Situation, reason: str, source: str = ActionSource.WEB
) -> Flag:
    """A person raises a flag (the judge on their case, a leader in scope, the filing office on a complaint)."""
    case = case_lock_for_update(case, expected_version=None)
    decision = power_decide(officer=actor, action_type=ActionType.FOUR_CATEGORY_FLAGGED, case=case)
    decision.raise_if_denied()
    if not situation.is_active:
        raise _invalid("situation", _("This situation is no longer in use."))
    if not situation.applies_to(case.organisation.kind):
        raise _invalid("situation", _("This situation does not apply to this organisation's cases."))
    if not reason.strip():
        raise _invalid("reason", _("Say why the case is flagged."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                case=case,
                situation=situation,
                situation_revision=situation.revision,
                reason=reason.strip(),
                raised_by=actor,
                facts={"raised_by": actor.officer_id},
                act_by=_act_by(timezone.now()),
            )
    except IntegrityError:
        raise Conflict(_("The case is already flagged under this situation.")) from None
    trace_append(
        case=case,
        action_type=ActionType.FOUR_CATEGORY_FLAGGED,
        actor=actor,
        source=source,
        note=reason.strip(),
        payload={
            "flag": str(flag.public_id),
            "situation": situation.code,
            "category": situation.category,
            "situation_revision": situation.revision,
        },
        decision=decision,
    )
    notify(
        officers=[o for o in leaders_at(case, 0) if o.pk != actor.pk],
        message=_("%(name)s flagged case %(case)s: %(title)s")
        % {"name": actor.name, "case": case.case_number, "title": situation.title},
        link=_case_link(case),
    )
    return flag


def _lock_flag(flag: Flag, expected_version: int | None) -> Flag:
    flag = Flag.objects.select_for_update(of=("self",)).select_related("situation").get(pk=flag.pk)
    if expected_version is not None and flag.version != expected_version:
        raise Conflict(
            _("This flag was changed by someone else since you loaded it; reload and try again."),
            details={"expected_version": expected_version, "current_version": flag.version},
        )
    return flag


def _acted(flag: Flag | None) -> None:
    """A leader acted on the alert: it stops escalating."""
    if flag is not None and flag.act_by is not None:
        flag.act_by = None
        flag.version += 1
        flag.save(update_fields=["act_by", "version", "updated_at"])


@transaction.atomic
def flag_decide(
    *,
    actor: Officer,
    flag: Flag,
    confirm: bool,
    reason: str = "",
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> Flag:
    """A leader in scope confirms the flag, or dismisses it with a reason (预标识+再确认)."""
    case = case_lock_for_update(flag.case, expected_version=None)
    flag = _lock_flag(flag, expected_version)
    action_type = ActionType.FOUR_CATEGORY_CONFIRMED if confirm else ActionType.FOUR_CATEGORY_DISMISSED
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    if flag.status != FlagStatus.PENDING:
        raise Conflict(_("This flag has already been decided."))
    if not confirm and not reason.strip():
        raise _invalid("reason", _("Give the reason for dismissing."))
    flag.status = FlagStatus.CONFIRMED if confirm else FlagStatus.DISMISSED
    flag.decided_by, flag.decided_at, flag.decision_reason = actor, timezone.now(), reason.strip()
    flag.act_by = None
    flag.version += 1
    flag.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "act_by", "version", "updated_at"]
    )
    trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=reason.strip(),
        payload={"flag": str(flag.public_id), "situation": flag.situation.code},
        decision=decision,
    )
    events.flag_decided.send(sender=Flag, flag=flag, case=case, actor=actor)
    return flag


# --- supervision acts -----------------------------------------------------------------------------

#: A leader's individual supervision acts: confined to four-category cases, a refusal is audited.
INDIVIDUAL_ACTS = frozenset(
    {
        ActionType.SUPERVISION_COMMENT,
        ActionType.PROGRESS_REPORT_REQUIRED,
        ActionType.SIMILAR_SEARCH_REQUIRED,
        ActionType.REFERRED_TO_COMMITTEE,
        ActionType.COMMITTEE_OUTCOME_RECORDED,
    }
)
_Act = TypeVar("_Act", bound=Callable[..., Any])


def _supervision_act(act: _Act) -> _Act:
    """Run one individual supervision act in its own transaction. When the power list refuses it, the attempt
    is written to the security audit (the trace keeps only acts that happened) after the act's rollback, so the
    row is kept, and the same ``PowerDenied`` is raised again. Called inside an outer transaction, the row
    shares that transaction's fate."""
    in_transaction = transaction.atomic(act)

    @functools.wraps(act)
    def run(**kwargs: Any) -> Any:
        try:
            return in_transaction(**kwargs)
        except PowerDenied as refused:
            if refused.details.get("action_type") in INDIVIDUAL_ACTS:
                case = kwargs["case"] if "case" in kwargs else kwargs["referral"].case
                source = kwargs.get("source", ActionSource.WEB)
                _audit_refused(actor=kwargs["actor"], case=case, source=source, refused=refused)
            raise

    return run  # type: ignore[return-value]


def _audit_refused(*, actor: Officer, case: Case, source: str, refused: PowerDenied) -> None:
    """The security audit's record of a refused supervision act: who, on which case, what, refused by which item."""
    audit(
        kind=AuditEvent.Kind.PRIVILEGED,
        object_type="case",
        object_id=case.public_id,
        outcome="refused",
        user=actor.user,
        detail={
            "officer": actor.officer_id,
            "case_number": case.case_number,
            "action_type": refused.details.get("action_type"),
            "item_code": refused.details.get("item_code"),
            "item_revision": refused.details.get("item_revision"),
            "reason": str(refused.message),
            "source": source,
        },
    )


def _flag_of(case: Case, flag: Flag | None) -> Flag | None:
    if flag is None:
        return None
    if flag.case_id != case.pk:
        raise _invalid("flag", _("The alert belongs to another case."))
    return _lock_flag(flag, None)


@_supervision_act
def supervision_comment(
    *, actor: Officer, case: Case, comment: str, flag: Flag | None = None, source: str = ActionSource.WEB
) -> Action:
    """A written supervision opinion in the case file (留痕): never an instruction off the record."""
    case = case_lock_for_update(case, expected_version=None)
    decision = power_decide(officer=actor, action_type=ActionType.SUPERVISION_COMMENT, case=case)
    decision.raise_if_denied()
    if not comment.strip():
        raise _invalid("comment", _("Write the comment."))
    if len(comment) > 10000:
        raise _invalid("comment", _("The comment is too long (at most 10,000 characters)."))
    _acted(_flag_of(case, flag))
    action = trace_append(
        case=case,
        action_type=ActionType.SUPERVISION_COMMENT,
        actor=actor,
        source=source,
        note=comment.strip(),
        payload={"flag": str(flag.public_id)} if flag else {},
        decision=decision,
    )
    if case.lead_officer_id:
        notify(
            officers=[case.lead_officer],
            message=_("%(name)s left a supervision comment on case %(case)s.")
            % {"name": actor.name, "case": case.case_number},
            link=_case_link(case),
        )
    return action


@_supervision_act
def task_require(
    *,
    actor: Officer,
    case: Case,
    kind: str,
    due_on: dt.date | None,
    instructions: str,
    flag: Flag | None = None,
    source: str = ActionSource.WEB,
) -> SupervisionTask:
    """Require the panel to report progress and deliberation, or to search similar cases, by a date."""
    case = case_lock_for_update(case, expected_version=None)
    action_type = {
        TaskKind.PROGRESS_REPORT: ActionType.PROGRESS_REPORT_REQUIRED,
        TaskKind.SIMILAR_SEARCH: ActionType.SIMILAR_SEARCH_REQUIRED,
    }.get(kind)
    if action_type is None:
        raise _invalid("kind", _("Choose what to require."))
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    if due_on is None:
        raise _invalid("due_on", _("Give the date the report is due."))
    if due_on <= timezone.localdate():
        raise _invalid("due_on", _("The due date must be after today."))
    if not instructions.strip():
        raise _invalid("instructions", _("Say what you require."))
    if case.lead_officer_id is None:
        raise _invalid("case", _("The case has no lead officer to answer yet."))
    _acted(_flag_of(case, flag))
    task = SupervisionTask.objects.create(
        case=case,
        flag=flag,
        kind=kind,
        required_by=actor,
        assignee=case.lead_officer,
        instructions=instructions.strip(),
        due_on=due_on,
    )
    trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        note=instructions.strip(),
        payload={
            "task": str(task.public_id),
            "due_on": due_on.isoformat(),
            **({"flag": str(flag.public_id)} if flag else {}),
        },
        decision=decision,
    )
    notify(
        officers=[case.lead_officer],
        message=_("%(name)s requires on case %(case)s, by %(due)s: %(what)s")
        % {"name": actor.name, "case": case.case_number, "due": due_on.isoformat(), "what": task.get_kind_display()},
        link=_case_link(case),
    )
    return task


@transaction.atomic
def task_report(
    *,
    actor: Officer,
    task: SupervisionTask,
    report: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> SupervisionTask:
    """The panel's progress report (进展和评议情况) to the leader who required it."""
    case = case_lock_for_update(task.case, expected_version=None)
    task = SupervisionTask.objects.select_for_update(of=("self",)).select_related("required_by").get(pk=task.pk)
    if expected_version is not None and task.version != expected_version:
        raise Conflict(_("This task was changed by someone else since you loaded it; reload and try again."))
    decision = power_decide(officer=actor, action_type=ActionType.PROGRESS_REPORTED, case=case)
    decision.raise_if_denied()
    if task.kind != TaskKind.PROGRESS_REPORT:
        raise _invalid("task", _("A similar-case search is done by recording the search on the case."))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This report has already been filed."))
    if not report.strip():
        raise _invalid("report", _("Write the report."))
    task.status, task.response, task.done_at = TaskStatus.DONE, report.strip(), timezone.now()
    task.version += 1
    task.save(update_fields=["status", "response", "done_at", "version", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.PROGRESS_REPORTED,
        actor=actor,
        source=source,
        note=report.strip(),
        payload={"task": str(task.public_id)},
        decision=decision,
    )
    notify(
        officers=[task.required_by],
        message=_("%(name)s reported progress on case %(case)s.") % {"name": actor.name, "case": case.case_number},
        link=_case_link(case),
    )
    return task


def tasks_complete(*, case: Case, kind: str, action: Action) -> None:
    tasks = list(
        SupervisionTask.objects.filter(case=case, kind=kind, status=TaskStatus.OPEN).select_related("required_by")
    )
    for task in tasks:
        task.status, task.done_at, task.response = TaskStatus.DONE, action.recorded_at, action.note
        task.version += 1
        task.save(update_fields=["status", "done_at", "response", "version", "updated_at"])
    if tasks:
        notify(
            officers=[t.required_by for t in tasks],
            message=_("The similar-case search you required on case %(case)s was recorded.")
            % {"case": case.case_number},
            link=_case_link(case),
        )


@_supervision_act
def referral_create(
    *, actor: Officer, case: Case, body: str, reason: str, flag: Flag | None = None, source: str = ActionSource.WEB
) -> Referral:
    """Refer the case to the professional judges' meeting or the adjudication committee, with the reason."""
    case = case_lock_for_update(case, expected_version=None)
    decision = power_decide(officer=actor, action_type=ActionType.REFERRED_TO_COMMITTEE, case=case)
    decision.raise_if_denied()
    if body not in ReferralBody.values:
        raise _invalid("body", _("Choose the judges' meeting or the adjudication committee."))
    if not reason.strip():
        raise _invalid("reason", _("Give the reason for the referral."))
    if body not in dict(referral_bodies(case.organisation.kind)):
        raise _invalid("body", _("This body does not deliberate on this organisation's cases."))
    _acted(_flag_of(case, flag))
    referral = Referral.objects.create(case=case, flag=flag, body=body, reason=reason.strip(), referred_by=actor)
    # the deliberation bodies check their referral rules and put the case on the body's agenda (or refuse)
    events.referral_created.send(sender=Referral, referral=referral, case=case, actor=actor)
    trace_append(
        case=case,
        action_type=ActionType.REFERRED_TO_COMMITTEE,
        actor=actor,
        source=source,
        note=reason.strip(),
        payload={"referral": str(referral.public_id), "body": body, **({"flag": str(flag.public_id)} if flag else {})},
        decision=decision,
    )
    notify(
        officers=[o for o in [case.lead_officer] if o is not None],
        message=_("Case %(case)s was referred to the %(body)s.")
        % {"case": case.case_number, "body": referral.get_body_display()},
        link=_case_link(case),
    )
    return referral


@_supervision_act
def referral_record_outcome(
    *,
    actor: Officer,
    referral: Referral,
    outcome: str,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
) -> Referral:
    """Record what the meeting or committee concluded (its minutes stay with the body that met)."""
    case = case_lock_for_update(referral.case, expected_version=None)
    referral = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    if expected_version is not None and referral.version != expected_version:
        raise Conflict(_("This referral was changed by someone else since you loaded it; reload and try again."))
    decision = power_decide(officer=actor, action_type=ActionType.COMMITTEE_OUTCOME_RECORDED, case=case)
    decision.raise_if_denied()
    if referral.outcome_recorded_at is not None:
        raise Conflict(_("The outcome has already been recorded."))
    if not outcome.strip():
        raise _invalid("outcome", _("Write the outcome."))
    referral.outcome, referral.outcome_recorded_by, referral.outcome_recorded_at = (
        outcome.strip(),
        actor,
        timezone.now(),
    )
    referral.version += 1
    referral.save(update_fields=["outcome", "outcome_recorded_by", "outcome_recorded_at", "version", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.COMMITTEE_OUTCOME_RECORDED,
        actor=actor,
        source=source,
        note=outcome.strip(),
        payload={"referral": str(referral.public_id), "body": referral.body},
        decision=decision,
    )
    return referral


# --- escalation -----------------------------------------------------------------------------------


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Pending alerts past their act-by time go one level up (the trace says so); returns how many."""
    now = now or timezone.now()
    ids = list(Flag.objects.filter(status=FlagStatus.PENDING, act_by__lt=now).values_list("pk", flat=True))
    escalated = 0
    for flag_id in ids:
        escalated += _escalate_one(flag_id, now=now)
    return escalated


@transaction.atomic
def _escalate_one(flag_id: int, *, now: dt.datetime) -> int:
    flag = Flag.objects.select_related("case__organisation__parent", "situation").get(pk=flag_id)
    case = case_lock_for_update(flag.case, expected_version=None)
    flag = _lock_flag(flag, None)
    if flag.status != FlagStatus.PENDING or flag.act_by is None or flag.act_by >= now:
        return 0  # acted on meanwhile, or already escalated by another run
    levels = _leader_levels(case)
    level = min(flag.escalation_level + 1, max(len(levels) - 1, 0))
    top = level == flag.escalation_level  # nobody higher: remind the top again
    flag.escalation_level, flag.escalated_at, flag.act_by = level, now, _act_by(now)
    flag.version += 1
    flag.save(update_fields=["escalation_level", "escalated_at", "act_by", "version", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.ALERT_ESCALATED,
        actor=None,
        source=ActionSource.SYSTEM,
        note=_("Not acted on within %(days)s working days.") % {"days": settings.QUANZE_ESCALATION_WORKING_DAYS},
        payload={"flag": str(flag.public_id), "situation": flag.situation.code, "level": level, "top": top},
    )
    notify(
        officers=levels[level] if levels else [],
        message=_("Escalated to you: alert on case %(case)s not acted on (%(title)s).")
        % {"case": case.case_number, "title": flag.situation.title},
        link=reverse("supervision:inbox"),
    )
    return 1


def remind_overdue_tasks(*, now: dt.datetime | None = None) -> int:
    """Each overdue task alerts, once, the leader who required it (and reminds the officer)."""
    now = now or timezone.now()
    overdue = list(
        SupervisionTask.objects.filter(
            status=TaskStatus.OPEN, due_on__lt=timezone.localdate(now), overdue_notified_at__isnull=True
        ).select_related("case", "required_by", "assignee")
    )
    for task in overdue:
        with transaction.atomic():
            claimed = SupervisionTask.objects.filter(pk=task.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            if not claimed:
                continue
            message = _("Overdue since %(due)s: %(what)s on case %(case)s (%(name)s).") % {
                "due": task.due_on.isoformat(),
                "what": task.get_kind_display(),
                "case": task.case.case_number,
                "name": task.assignee.name,
            }
            notify(officers=[task.required_by, task.assignee], message=message, link=_case_link(task.case))
    return len(overdue)


# --- reads for the inbox --------------------------------------------------------------------------


# --- the rule library -----------------------------------------------------------------------------

REVISED_FIELDS = (
    "family",
    "category",
    "title",
    "description",
    "kind",
    "condition",
    "priority",
    "requires_similar_search",
    "organisation_kinds",
    "is_active",
)


@transaction.atomic
def situation_save(*, situation: Situation, changed_by: Any = None) -> Situation:
    """Validate and save a situation; a change of its definition is a new revision, kept for life."""
    try:
        rules.validate(situation.condition, automatic=situation.kind == Situation.Kind.AUTOMATIC)
    except ValidationError as exc:
        raise _invalid("condition", "; ".join(exc.messages)) from exc
    if situation.family == AlertFamily.RISK_POINT:
        situation.category = ""
    elif not situation.category:
        raise _invalid("category", _("A four-category situation needs its category."))
    snapshot = {name: getattr(situation, name) for name in REVISED_FIELDS}
    if situation.pk is None:
        situation.revision = 1
        situation.save(force_insert=True)
    else:
        current = Situation.objects.select_for_update().get(pk=situation.pk)
        if {name: getattr(current, name) for name in REVISED_FIELDS} == snapshot:
            return current
        situation.revision = current.revision + 1
        situation.save()
    SituationRevision.objects.create(
        situation=situation,
        revision=situation.revision,
        snapshot={"code": situation.code, **snapshot},
        changed_by=changed_by,
    )
    return situation
