"""Every write to cases and their trace. Each service checks the power list,
validates, writes in one transaction under the case's row lock, and appends the
trace action that records it (with the deciding power-list item)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.chain import CASE_TRACE, normalise_payload, timestamp
from accountability.choices import CASE_HANDLER_ROLES, ActionType, Participation
from accountability.errors import Conflict, ValidationFailed
from accountability.models import Department, Officer, Organisation
from accountability.powers import PowerDecision, power_decide
from cases import attachments, events
from cases.choices import OUTCOME_PROCEDURES, ActionSource, ClosingMethod, Outcome, closing_methods_for
from cases.flows import missing_required_nodes
from cases.models import Action, Attachment, Case, CaseParticipant

#: Types with a service of their own, because they change the case itself or belong to another process
#: (quality review, metrics, interference records): never logged as a bare action.
DEDICATED_TYPES = frozenset(
    {
        ActionType.FILED,
        ActionType.ASSIGNED,
        ActionType.CLOSED,
        ActionType.IMPORTED_CHANGE,
        # A procuratorate's decisions: each through its own service (procuratorate.services), the procurator-general's
        # in writing and on file.
        ActionType.INVESTIGATION_RESUBMITTED,
        ActionType.CHIEF_DECISION_REQUESTED,
        ActionType.CHIEF_DECISION_REFUSED,
        ActionType.ARREST_APPROVED,
        ActionType.ARREST_NOT_APPROVED,
        ActionType.PROSECUTION_DECIDED,
        ActionType.NON_PROSECUTION_DECIDED,
        ActionType.PROTEST_DECIDED,
        ActionType.PROSECUTION_WITHDRAWN,
        ActionType.PUBLIC_INTEREST_SUIT_DECIDED,
        ActionType.PROSECUTION_FACTS_RECORDED,
        # Extensions by the law (cases.extensions): a request decided once, by the approver the rule names.
        ActionType.EXTENSION_REQUESTED,
        ActionType.EXTENSION_APPROVED,
        ActionType.EXTENSION_REFUSED,
        ActionType.PANEL_DECISION_CHANGED,
        ActionType.QUALITY_REVIEW,
        ActionType.METRICS_RECOMPUTED,
        ActionType.REVIEW_PLANNED,
        ActionType.REVIEW_ASSIGNED,
        ActionType.REVIEW_RESPONDED,
        ActionType.REVIEW_FINALISED,
        ActionType.INTERFERENCE_RECORDED,
        ActionType.FOUR_CATEGORY_FLAGGED,
        ActionType.FOUR_CATEGORY_CONFIRMED,
        ActionType.FOUR_CATEGORY_DISMISSED,
        # Supervision (cases.supervision): each needs its own checks (a reason, a due date, a task).
        ActionType.SUPERVISION_COMMENT,
        ActionType.PROGRESS_REPORT_REQUIRED,
        ActionType.SIMILAR_SEARCH_REQUIRED,
        ActionType.REFERRED_TO_COMMITTEE,
        ActionType.PROGRESS_REPORTED,
        ActionType.COMMITTEE_OUTCOME_RECORDED,
        ActionType.RISK_ALERT_RAISED,
        ActionType.ALERT_ESCALATED,
        ActionType.INTERFERENCE_REPORT_FILED,
        # A similar-case search is recorded with its report (cases.similar.report_attach).
        ActionType.SIMILAR_CASE_SEARCH,
        # Not case actions: powers over discipline proceedings, and the wildcard of negative items.
        ActionType.DISCIPLINE_LEAD,
        ActionType.DISCIPLINE_INVESTIGATION,
        ActionType.DISCIPLINE_COMMITTEE,
        ActionType.DISCIPLINE_DECISION,
        ActionType.DISCIPLINE_APPEAL_DECISION,
        ActionType.ANY,
        # A case's life: each has its own service (filing, assignment, panel, recusal, archiving, appeals).
        ActionType.FILING_REFUSED,
        ActionType.ASSIGNMENT_DESIGNATED,
        ActionType.LEAD_CHANGE_REQUESTED,
        ActionType.LEAD_CHANGED,
        ActionType.PANEL_FORMED,
        ActionType.PARTICIPANT_ATTACHED,
        ActionType.RECUSAL_REQUESTED,
        ActionType.RECUSAL_DECIDED,
        ActionType.ARCHIVED,
        ActionType.APPEAL_OUTCOME_RECORDED,
        # Deliberation bodies: each has its own service (deliberation.services).
        ActionType.MEETING_CONVENED,
        ActionType.DEPARTED_FROM_OPINION,
        ActionType.RESOLUTION_FOLLOWED_UP,
    }
)
#: Types anyone may log through ``case_log_action`` when the power list allows.
LOGGABLE_TYPES = tuple(t.value for t in ActionType if t not in DEDICATED_TYPES)
#: How far ahead of the server clock an occurred_at may be (clock skew), never more.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _validation_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _full_clean(instance: Any, *, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ValidationFailed(_("Invalid input."), details=exc.message_dict) from exc


def case_lock_for_update(case: Case, *, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("organisation", "department").get(pk=case.pk)
    # the team, as a prefetch would give it, but read only when first asked for (once): the power decision does not
    # ask when the actor leads the case
    locked._prefetched_objects_cache = {"participants": CaseParticipant.objects.filter(case_id=locked.pk)}
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This case was changed by someone else since you loaded it; reload and try again."),
            details={"expected_version": expected_version, "current_version": locked.version},
        )
    return locked


def trace_append(
    *,
    case: Case,
    action_type: str,
    actor: Officer | None,
    source: str,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    payload: dict[str, Any] | None = None,
    corrects: Action | None = None,
    decision: PowerDecision | None = None,
    recorded_by_id: int | None = None,
) -> Action:
    """Append one action to a case's chain. The caller holds the case's row lock (``case_lock_for_update``)."""
    action = trace_build(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        occurred_at=occurred_at,
        note=note,
        payload=payload,
        corrects=corrects,
        decision=decision,
        recorded_by_id=recorded_by_id,
    )
    _append(action, case)
    return action


#: Appending to a chain is one statement: the row inserted and the case's head moved together (issue 23: the
#: ORM's insert and update cost two round trips and two compilations on the hottest write path).
_APPEND = """
WITH appended AS (
    INSERT INTO cases_action (case_id, seq, case_year, action_type, occurred_at, recorded_at, actor_id,
                              recorded_by_id, source, note, payload, corrects_id, power_item_code, power_item_revision,
                              import_batch_id, dedup_key, prev_hash, hash, mac)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING id, case_id
), head AS (
    UPDATE cases_case SET trace_head = %s, trace_length = %s, trace_mac = %s
    FROM appended WHERE cases_case.id = appended.case_id
)
SELECT id FROM appended
"""


def _append(action: Action, case: Case) -> None:
    """Insert ``action`` and store ``case``'s new head, on PostgreSQL in one statement (elsewhere the ORM's two)."""
    if connection.vendor != "postgresql":
        action.save(force_insert=True)
        Case.objects.filter(pk=case.pk).update(
            trace_head=action.hash, trace_length=action.seq, trace_mac=case.trace_mac
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND,
            [
                action.case_id,
                action.seq,
                action.case_year,
                action.action_type,
                action.occurred_at,
                action.recorded_at,
                action.actor_id,
                action.recorded_by_id,
                action.source,
                action.note,
                json.dumps(action.payload, ensure_ascii=False),
                action.corrects_id,
                action.power_item_code,
                action.power_item_revision,
                action.import_batch_id,
                action.dedup_key,
                action.prev_hash,
                action.hash,
                action.mac,
                case.trace_head,
                case.trace_length,
                case.trace_mac,
            ],
        )
        action.pk = cursor.fetchone()[0]
    action._state.adding = False
    action._state.db = connection.alias


def trace_build(
    *,
    case: Case,
    action_type: str,
    actor: Officer | None,
    source: str,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    payload: dict[str, Any] | None = None,
    corrects: Action | None = None,
    decision: PowerDecision | None = None,
    recorded_by_id: int | None = None,
) -> Action:
    """The next action of a locked case's chain, hashed but not saved; advances ``case``'s head in memory.

    ``trace_append`` saves one; a batch writer (the supervision sweep) saves many with ``bulk_create`` and
    then stores the heads of the cases it locked."""
    now = timezone.now()
    occurred_at = occurred_at or now
    action = Action(
        case=case,
        seq=case.trace_length + 1,
        case_year=case.filed_on.year,
        action_type=action_type,
        occurred_at=occurred_at,
        recorded_at=now,
        actor=actor,
        recorded_by_id=recorded_by_id if recorded_by_id is not None else (actor.user_id if actor else None),
        source=source,
        note=note,
        payload=normalise_payload(payload),
        corrects=corrects,
        power_item_code=decision.item.code if decision and decision.item else "",
        power_item_revision=decision.item.revision if decision and decision.item else None,
        dedup_key=dedup_key(
            case_number=case.case_number,
            occurred_at=occurred_at,
            actor_officer_id=actor.officer_id if actor else None,
            action_type=action_type,
            note=note,
        ),
        prev_hash=case.trace_head,
    )
    action.hash = CASE_TRACE.hash(case.trace_head, action_hash_row(action))
    action.mac = CASE_TRACE.seal(action.hash)
    case.trace_head = action.hash
    case.trace_length = action.seq
    case.trace_mac = CASE_TRACE.seal_head(case.pk, action.seq, action.hash)
    return action


#: ``json.dumps`` of one string with ``ensure_ascii=False`` (the C encoder ``json`` itself uses).
_json_text = json.encoder.encode_basestring


def dedup_key(
    *, case_number: str, occurred_at: dt.datetime, actor_officer_id: str | None, action_type: str, note: str
) -> str:
    """INTERCHANGE.md's identity of an action: (case_number, occurred_at, actor, action_type, note); re-imports
    are idempotent by it."""
    # json.dumps([case_number, timestamp, actor, action_type, note], ensure_ascii=False), spelled out: an import
    # computes it for every row, and the encoder built per call was most of its cost.
    identity = (
        f"[{_json_text(case_number)}, {timestamp(occurred_at)}, {_json_text(actor_officer_id or '')}, "
        f"{_json_text(action_type)}, {_json_text(note)}]"
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def action_hash_row(action: Action) -> dict[str, Any]:
    return {
        "case_id": action.case_id,
        "seq": action.seq,
        "action_type": action.action_type,
        "occurred_at": action.occurred_at,
        "recorded_at": action.recorded_at,
        "actor_id": action.actor_id,
        "recorded_by_id": action.recorded_by_id,
        "source": action.source,
        "note": action.note,
        "payload": action.payload,
        "corrects_id": action.corrects_id,
        "power_item_code": action.power_item_code,
        "power_item_revision": action.power_item_revision,
        "import_batch_id": action.import_batch_id,
    }


def _check_occurred_at(case: Case, occurred_at: dt.datetime | None) -> None:
    if occurred_at is None:
        return
    if timezone.is_naive(occurred_at):
        raise _validation_error("occurred_at", _("Give the time with its time zone."))
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise _validation_error("occurred_at", _("An action cannot be recorded in the future."))
    if timezone.localdate(occurred_at) < case.filed_on:
        raise _validation_error("occurred_at", _("An action cannot precede the case's filing date."))


@transaction.atomic
def case_file(
    *,
    actor: Officer,
    case_number: str,
    organisation: Organisation,
    case_type: str,
    procedure: str,
    filed_on: dt.date,
    department: Department | None = None,
    cause: str = "",
    parties: str = "",
    parties_count: int | None = None,
    time_limit_days: int = 0,
    claim_amount: Decimal | None = None,
    original_case: Case | None = None,
    source: str = ActionSource.WEB,
    note: str = "",
) -> Case:
    """Register a new case (立案) and open its trace with a ``filed`` action."""
    case = Case(
        case_number=case_number.strip(),
        organisation=organisation,
        department=department,
        case_type=case_type,
        procedure=procedure,
        cause=cause,
        parties=parties,
        parties_count=parties_count,
        filed_on=filed_on,
        time_limit_days=time_limit_days,
        claim_amount=claim_amount,
        original_case=original_case,
    )
    decision = power_decide(officer=actor, action_type=ActionType.FILED, case=case)
    decision.raise_if_denied()
    if department is not None and department.organisation_id != organisation.pk:
        raise _validation_error("department", _("The department belongs to another organisation."))
    if filed_on > timezone.localdate():
        raise _validation_error("filed_on", _("A case cannot be filed in the future."))
    _full_clean(case, exclude=["lead_officer"])
    case.save(force_insert=True)
    action = trace_append(
        case=case, action_type=ActionType.FILED, actor=actor, source=source, note=note, decision=decision
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return case


@transaction.atomic
def case_assign(
    *,
    actor: Officer,
    case: Case,
    lead_officer: Officer,
    panel: Sequence[Officer] = (),
    assistants: Sequence[Officer] = (),
    clerks: Sequence[Officer] = (),
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
    note: str = "",
) -> Case:
    """Assign the lead officer (承办人) and the panel, assistants and clerks (分案)."""
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.ASSIGNED, case=case)
    decision.raise_if_denied()
    if not case.is_open:
        raise _validation_error("case", _("A closed case cannot be reassigned."))
    if not lead_officer.is_quota or not lead_officer.has_role(*CASE_HANDLER_ROLES):
        raise _validation_error(
            "lead_officer", _("Only a quota judge or prosecutor (员额法官/检察官) may lead a case.")
        )
    everyone = [lead_officer, *panel, *assistants, *clerks]
    if any(officer.organisation_id != case.organisation_id for officer in everyone):
        raise _validation_error("lead_officer", _("Everyone assigned must belong to the case's organisation."))
    for field, officers, role in (
        ("panel", panel, "judge_or_prosecutor"),
        ("assistants", assistants, "assistant"),
        ("clerks", clerks, "clerk"),
    ):
        for officer in officers:
            ok = officer.has_role(*CASE_HANDLER_ROLES) if role == "judge_or_prosecutor" else officer.has_role(role)
            if not ok:
                raise _validation_error(
                    field, _("%(name)s does not hold the role this place needs.") % {"name": officer.name}
                )
    previous = {
        "lead_officer": case.lead_officer.officer_id if case.lead_officer_id else None,
        "participants": sorted(f"{p.role}:{p.officer_id}" for p in case.participants.all()),
    }
    CaseParticipant.objects.filter(case=case).delete()
    CaseParticipant.objects.bulk_create(
        [CaseParticipant(case=case, officer=o, role=Participation.PANEL) for o in panel]
        + [CaseParticipant(case=case, officer=o, role=Participation.ASSISTANT) for o in assistants]
        + [CaseParticipant(case=case, officer=o, role=Participation.CLERK) for o in clerks]
    )
    case._prefetched_objects_cache.pop("participants", None)  # the prefetched team is now stale
    case.lead_officer = lead_officer
    case.version += 1
    case.save(update_fields=["lead_officer", "version", "updated_at"])
    trace_append(
        case=case,
        action_type=ActionType.ASSIGNED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload={
            "before": previous,
            "lead_officer": lead_officer.officer_id,
            "panel": [o.officer_id for o in panel],
            "assistants": [o.officer_id for o in assistants],
            "clerks": [o.officer_id for o in clerks],
        },
    )
    return case


def case_log_action(
    *,
    actor: Officer,
    case: Case,
    action_type: str,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    payload: dict[str, Any] | None = None,
    corrects: Action | None = None,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
    files: Sequence[Any] = (),
) -> Action:
    """Record one thing the actor did on the case, as the power list allows it now, with its files.

    Files are checked (size, type by content) before anything is written; their digests enter the
    action's payload, so the chain covers them; a failure leaves no file and no action behind.
    """
    checked = attachments.check_uploads(list(files)) if files else []
    with attachments.storing() as written, transaction.atomic():
        action = _log_action(
            actor=actor,
            case=case,
            action_type=action_type,
            occurred_at=occurred_at,
            note=note,
            payload={
                **(payload or {}),
                **(
                    {
                        "files": [
                            {"name": f.name, "sha256": f.sha256, "size": f.size, "type": f.content_type}
                            for f in checked
                        ]
                    }
                    if checked
                    else {}
                ),
            },
            corrects=corrects,
            expected_version=expected_version,
            source=source,
        )
        if not checked:  # nothing attached: no need to ask the database when the response lists them
            action._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
        for file in checked:
            stored = attachments.store(file)
            written.append(stored)
            Attachment.objects.create(
                action=action,
                original_name=file.name,
                stored_name=stored,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                uploaded_by=actor.user,
            )
    return action


def _log_action(
    *,
    actor: Officer,
    case: Case,
    action_type: str,
    occurred_at: dt.datetime | None,
    note: str,
    payload: dict[str, Any] | None,
    corrects: Action | None,
    expected_version: int | None,
    source: str,
) -> Action:
    if action_type not in LOGGABLE_TYPES:
        raise _validation_error("action_type", _("This action type cannot be logged directly."))
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=action_type, case=case)
    decision.raise_if_denied()
    if case.archived_on is not None and corrects is None:  # 归档: the record is closed but for corrections
        raise _validation_error("corrects", _("This case is archived: records can only be added to it as corrections."))
    _check_occurred_at(case, occurred_at)
    if corrects is not None and corrects.case_id != case.pk:
        raise _validation_error("corrects", _("A correction must refer to an action of the same case."))
    if len(note) > 10000:
        raise _validation_error("note", _("The note is too long (at most 10,000 characters)."))
    payload = dict(payload or {})
    if action_type in (ActionType.SUSPENDED, ActionType.RESUMED):
        payload.update(_suspension_change(case, action_type, occurred_at or timezone.now()))
    action = trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=source,
        occurred_at=occurred_at,
        note=note,
        payload=payload,
        corrects=corrects,
        decision=decision,
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return action


def _suspension_change(case: Case, action_type: str, occurred_at: dt.datetime) -> dict[str, Any]:
    """Suspension stops the clock: on resumption, the days suspended are added to the excluded days
    (扣除审限). A case cannot be suspended twice, nor resumed when it is not suspended."""
    last = (
        Action.objects.filter(case=case, action_type__in=[ActionType.SUSPENDED, ActionType.RESUMED])
        .order_by("-seq")
        .values_list("action_type", "occurred_at")
        .first()
    )
    suspended_since = last[1] if last and last[0] == ActionType.SUSPENDED else None
    if action_type == ActionType.SUSPENDED:
        if suspended_since is not None:
            raise Conflict(_("The case is already suspended."))
        return {}
    if suspended_since is None:
        raise Conflict(_("The case is not suspended."))
    days = (timezone.localdate(occurred_at) - timezone.localdate(suspended_since)).days
    if days < 0:
        raise _validation_error("occurred_at", _("A case cannot resume before it was suspended."))
    case.excluded_days += days
    case.version += 1
    case.save(update_fields=["excluded_days", "version", "updated_at"])
    return {"excluded_days_added": days}


def _lock_with_original(case: Case) -> None:
    """Lock the case and the case it appeals or retries together, in primary-key order, before either is read for
    the closing: the closing writes the outcome back to the original case (``cases.closing``), and two writers that
    took the two locks in opposite orders would deadlock."""
    original_id = Case.objects.filter(pk=case.pk).values_list("original_case_id", flat=True).first()
    ids = sorted({case.pk, *([original_id] if original_id else [])})
    list(Case.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _check_amount(field: str, amount: Decimal | None) -> None:
    if amount is not None and amount < 0:
        raise _validation_error(field, _("The amount cannot be negative."))


@transaction.atomic
def case_close(
    *,
    actor: Officer,
    case: Case,
    closed_on: dt.date,
    closing_method: str,
    outcome: str = "",
    awarded_amount: Decimal | None = None,
    recovered_amount: Decimal | None = None,
    expected_version: int | None = None,
    source: str = ActionSource.WEB,
    note: str = "",
    check_nodes: bool = True,
) -> Case:
    """Close the case (结案) with its method, the amounts the metrics need and, for appeals and retrials, its outcome.

    The pre-closing check (结案前校验) refuses while a required node of the case's flow before 结案 is missing, naming
    the nodes (``cases.flows.missing_required_nodes``); a node waived for the chosen method (撤诉、调解、移送 without
    开庭审理 or 合议) is not missing. ``check_nodes=False`` is for a record that brings its history
    from elsewhere (an import): the closing action then says the check was not made. An appeal's or a retrial's
    outcome is written back to the original case, and a remand opens the new first-instance case, by the
    ``case_closed`` receiver in ``cases.hooks``, inside this transaction."""
    _lock_with_original(case)
    case = case_lock_for_update(case, expected_version=expected_version)
    decision = power_decide(officer=actor, action_type=ActionType.CLOSED, case=case)
    decision.raise_if_denied()
    if not case.is_open:
        raise Conflict(_("This case is already closed."))
    if closing_method not in ClosingMethod.values:
        raise _validation_error("closing_method", _("Choose a closing method."))
    if closing_method not in closing_methods_for(case.case_type, case.procedure):
        raise _validation_error(
            "closing_method",
            _("A %(case_type)s case cannot be closed by %(method)s.")
            % {"case_type": case.get_case_type_display(), "method": ClosingMethod(closing_method).label},
        )
    if closed_on < case.filed_on:
        raise _validation_error("closed_on", _("A case cannot close before it was filed."))
    if closed_on > timezone.localdate():
        raise _validation_error("closed_on", _("A case cannot close in the future."))
    if case.procedure in OUTCOME_PROCEDURES:
        if outcome not in Outcome.values:
            raise _validation_error("outcome", _("Second-instance and retrial cases need an outcome."))
    elif outcome:
        raise _validation_error("outcome", _("Only second-instance and retrial cases have an outcome."))
    _check_amount("awarded_amount", awarded_amount)
    _check_amount("recovered_amount", recovered_amount)
    events.case_closing.send(
        sender=Case, case=case, actor=actor, closing_method=closing_method, source=source, note=note
    )
    if check_nodes:
        missing = missing_required_nodes(case, closing_method=closing_method)
        if missing:
            raise ValidationFailed(
                _("Pre-closing check failed: required nodes missing: %(nodes)s")
                % {"nodes": "、".join(node.name for node in missing)},
                details={"nodes": [node.code for node in missing]},
            )
    case.closed_on = closed_on
    case.closing_method = closing_method
    case.outcome = outcome
    fields = ["closed_on", "closing_method", "outcome", "version", "updated_at"]
    payload: dict[str, Any] = {
        "closed_on": closed_on.isoformat(),
        "closing_method": closing_method,
        "outcome": outcome,
    }
    for name, amount in (("awarded_amount", awarded_amount), ("recovered_amount", recovered_amount)):
        if amount is not None:
            setattr(case, name, amount)
            fields.append(name)
            payload[name] = str(amount)
    if not check_nodes:
        payload["pre_closing_check"] = "not_made"
    case.version += 1
    case.save(update_fields=fields)
    action = trace_append(
        case=case,
        action_type=ActionType.CLOSED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload=payload,
    )
    events.case_closed.send(sender=Case, case=case, action=action)
    return case
