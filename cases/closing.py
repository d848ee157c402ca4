"""After the decision: archiving (归档), an appeal's or retrial's outcome written back to the original case, and a
remand (发回重审) opening the new first-instance case (DOMAIN.md §11; issue 17 items 4 and 5).

Closing itself is ``cases.services.case_close`` (with the pre-closing check of ``cases.flows``). When a
second-instance or retrial case closes with an outcome, its ``case_closed`` event reaches ``on_case_closed``
(connected in ``cases.hooks``) inside the closing's transaction, which has already locked both cases in
primary-key order: the outcome is appended to the original case's trace by the system (``appeal_outcome_recorded``,
no actor: the power list's ADM-N5 forbids recording it by hand), and a remand files the new first-instance case at
the court that first heard it, numbered in that court's sequence, its ``filed`` action naming the remanding case.

The new case is not drawn here: a remanded case is heard by another panel (民事诉讼法第四十一条), which the court's
assignment decides like any other (it appears unassigned in the filing office's register).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import Conflict, ValidationFailed
from accountability.models import Officer
from accountability.powers import power_decide
from cases import events
from cases.choices import OUTCOME_PROCEDURES, ActionSource, Outcome, Procedure, Track
from cases.filing import case_number_next, procedure_rule_in_force, rule_limit_days
from cases.models import Action, Case, ProcedureRule
from cases.services import _full_clean, case_lock_for_update, trace_append


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


@transaction.atomic
def case_archive(
    *,
    actor: Officer,
    case: Case,
    expected_version: int | None,
    source: str = ActionSource.WEB,
    note: str = "",
) -> Case:
    """归档: a closed case's file is archived (JUD-20, PRO-20, CLK-05, CMO-14). From then on its trace takes
    ordinary actions no more, only corrections (``cases.services.case_log_action``)."""
    case = case_lock_for_update(case, expected_version=expected_version)
    if case.is_open:
        raise _invalid("case", _("Only a closed case can be archived."))
    if case.archived_on is not None:
        raise Conflict(_("This case is already archived."))
    decision = power_decide(officer=actor, action_type=ActionType.ARCHIVED, case=case)
    decision.raise_if_denied()
    if len(note) > 10000:
        raise _invalid("note", _("The note is too long (at most 10,000 characters)."))
    case.archived_on = timezone.localdate()
    case.version += 1
    case.save(update_fields=["archived_on", "version", "updated_at"])
    action = trace_append(
        case=case,
        action_type=ActionType.ARCHIVED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
        payload={"archived_on": case.archived_on.isoformat()},
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return case


# --- appeals and retrials ---------------------------------------------------------------------------------------


def _first_instance_of(case: Case) -> Case | None:
    """The first-instance case a chain of appeals and retrials goes back to (the court that first heard it)."""
    seen = {case.pk}
    current = case.original_case
    while current is not None and current.procedure in OUTCOME_PROCEDURES and current.original_case_id:
        if current.original_case_id in seen:  # a malformed loop in imported data
            break
        seen.add(current.pk)
        current = current.original_case
    return current


def _remand_track(case_type: str) -> str:
    """A remanded case is tried by the ordinary procedure (发回重审的案件不适用简易程序): the ordinary track where the
    case type has tracks, none where it has not."""
    tracks = set(
        ProcedureRule.objects.filter(
            case_type=case_type, procedure=Procedure.FIRST_INSTANCE, is_active=True
        ).values_list("track", flat=True)
    )
    return Track.ORDINARY if Track.ORDINARY in tracks else ""


def case_remand_open(*, deciding_case: Case) -> Case:
    """发回重审: file the new first-instance case at the court that first heard the case, numbered in its sequence,
    linked to the deciding case (``original_case``), its time limit from the procedure rule in force, counted from
    the remand. Runs inside the deciding case's closing (its transaction holds the sequence row until it commits).
    Recorded by the system: the ``filed`` action has no actor and its note names the remanding case."""
    first = _first_instance_of(deciding_case)
    if first is None:
        raise _invalid("outcome", _("A remand needs the first-instance case it sends back; this case has none."))
    court = first.organisation
    track = _remand_track(first.case_type)
    rule = procedure_rule_in_force(case_type=first.case_type, procedure=Procedure.FIRST_INSTANCE, track=track)
    filed_on = deciding_case.closed_on or timezone.localdate()
    case = Case(
        organisation=court,
        department=first.department,
        case_type=first.case_type,
        procedure=Procedure.FIRST_INSTANCE,
        track=track,
        cause=first.cause,
        parties=first.parties,
        parties_count=first.parties_count,
        claim_amount=first.claim_amount,
        original_case=deciding_case,
        filed_on=filed_on,
        procedure_rule=rule,
        procedure_rule_revision=rule.revision,
        time_limit_days=rule_limit_days(rule, filed_on),
    )
    _full_clean(case, exclude=["lead_officer", "case_number"])
    sequence, case.case_number = case_number_next(organisation=court, type_code=rule.type_code, year=filed_on.year)
    case.save(force_insert=True)
    note = _("Remanded for retrial by %(court)s in %(case)s; first heard as %(first)s.") % {
        "court": deciding_case.organisation.name,
        "case": deciding_case.case_number,
        "first": first.case_number,
    }
    action = trace_append(
        case=case,
        action_type=ActionType.FILED,
        actor=None,
        source=ActionSource.SYSTEM,
        note=note,
        payload={
            "case_number": case.case_number,
            "sequence": sequence,
            "rule": {
                "case_type": rule.case_type,
                "procedure": rule.procedure,
                "track": rule.track,
                "type_code": rule.type_code,
                "revision": rule.revision,
            },
            "time_limit_days": case.time_limit_days,
            "original_case": deciding_case.case_number,
            "remanded_by": deciding_case.case_number,
            "first_heard_as": first.case_number,
        },
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return case


def appeal_outcome_write_back(*, deciding_case: Case, remanded_case: Case | None = None) -> Action:
    """Append the deciding case's outcome to the original case's trace: the system records it (no actor, source
    ``system``), with the deciding case's number, outcome and closing date. The caller holds both cases' locks."""
    original = case_lock_for_update(deciding_case.original_case, expected_version=None)
    payload: dict[str, Any] = {
        "case_number": deciding_case.case_number,
        "procedure": deciding_case.procedure,
        "court": deciding_case.organisation.name,
        "outcome": deciding_case.outcome,
        "closing_method": deciding_case.closing_method,
        "closed_on": deciding_case.closed_on.isoformat() if deciding_case.closed_on else None,
    }
    if remanded_case is not None:
        payload["remanded_case"] = remanded_case.case_number
    return trace_append(
        case=original,
        action_type=ActionType.APPEAL_OUTCOME_RECORDED,
        actor=None,
        source=ActionSource.SYSTEM,
        note=_("%(case)s (%(procedure)s) closed: %(outcome)s.")
        % {
            "case": deciding_case.case_number,
            "procedure": deciding_case.get_procedure_display(),
            "outcome": Outcome(deciding_case.outcome).label,
        },
        payload=payload,
    )


def on_case_closed(*, case: Case, action: Action, **kwargs: Any) -> None:
    """A second-instance or retrial case closed with an outcome: a remand opens the new first-instance case, and the
    outcome is written back to the original case (both inside the closing's transaction)."""
    if case.procedure not in OUTCOME_PROCEDURES or not case.outcome or not case.original_case_id:
        return
    remanded = case_remand_open(deciding_case=case) if case.outcome == Outcome.REMANDED else None
    appeal_outcome_write_back(deciding_case=case, remanded_case=remanded)


def remanded_case_of(case: Case) -> Case | None:
    """The first-instance case a remand of ``case`` opened, if any."""
    if case.outcome != Outcome.REMANDED:
        return None
    return (
        Case.objects.filter(original_case=case, procedure=Procedure.FIRST_INSTANCE)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
