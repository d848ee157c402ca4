"""Filing (立案): a case numbered by the SPC's rules, its time limit set by the procedure rule in force, refused
filings kept on record, and the procedure rules' revisions (DOMAIN.md §11).

* A case number is （收案年度）+ court code + type code + sequence + 号, e.g. （2026）沪0101民初133号
  (最高人民法院关于人民法院案件案号的若干规定). The court code is ``Organisation.case_code``; the type code comes
  from the ``ProcedureRule`` for the case's type, procedure and track; the sequence runs per court, type code and
  year without gaps. ``case_number_next`` takes it inside the filing's transaction with one upsert
  (``INSERT … ON CONFLICT … DO UPDATE … RETURNING``), which holds the sequence row's lock until the filing commits:
  concurrent filings queue on it, and a filing that rolls back gives its number back.
* ``case_file_new`` is the browser's and the API's filing: it validates everything before it takes a number, records
  the rule and its revision on the case and in the ``filed`` action. ``cases.services.case_file`` stays the path of
  imports and the demo, which bring their own numbers.
* ``filing_refuse`` records a refusal (不予受理): no case, no number, an append-only ``FilingRefusal``.
* ``procedure_rule_save`` is the admin's one door to the rules: each change is a new revision, kept for life;
  cases keep the revision they were filed under.

The reads of the filing office (the court's recent filings and refusals, the original case of an appeal) are at
the end: they are scoped to the officer's own court and, for cases, go through ``cases_visible_to``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType, OrganisationKind
from accountability.errors import Conflict, ValidationFailed
from accountability.models import Department, Officer, Organisation
from accountability.powers import PowerDecision, power_decide, power_decide_many
from cases import events
from cases.choices import ActionSource, CaseType, Procedure, Track, procedures_of_kind, procedures_of_other_kinds
from cases.default_procedures import RULE_FIELDS
from cases.models import Case, FilingRefusal, LimitUnit, ProcedureRule, ProcedureRuleRevision
from cases.selectors import cases_visible_to
from cases.services import _full_clean, trace_append

#: Procedures that cannot be filed without the case they continue.
NEEDS_ORIGINAL = frozenset({Procedure.SECOND_INSTANCE, Procedure.RETRIAL})
#: The fields of a rule that make a revision when they change (the key fields cannot change at all).
REVISED_FIELDS = (*RULE_FIELDS, "is_active")
RULE_KEY = ("case_type", "procedure", "track")
MAX_NOTE = 10000

# One statement on PostgreSQL and SQLite (3.35+): create the row at 1 or add 1, and return the number; the row stays
# locked by this transaction until it ends. The names are the model's own (cases.CaseNumberSequence).
_NEXT_SEQUENCE_SQL = (
    "INSERT INTO cases_casenumbersequence (organisation_id, year, type_code, last) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (organisation_id, year, type_code) DO UPDATE SET last = cases_casenumbersequence.last + 1 "
    "RETURNING last"
)


def _problem(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- numbers and limits ---------------------------------------------------------------------------------------


def case_number_format(*, year: int, court_code: str, type_code: str, sequence: int) -> str:
    """（2026）沪0101民初133号"""
    return f"（{year}）{court_code}{type_code}{sequence}号"


def case_number_normalise(text: str) -> str:
    """A case number as typed, in its stored form: half-width brackets become the full-width （） every case number
    is written with, spaces go: "(2026)沪0101民初133号" and " （2026） 沪0101民初133号" both read （2026）沪0101民初133号."""
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def case_number_next(*, organisation: Organisation, type_code: str, year: int) -> tuple[int, str]:
    """The next number of ``organisation``'s ``type_code`` sequence for ``year``, and the case number it makes.

    Must run inside the filing's transaction (the sequence row stays locked until it commits; a rollback gives the
    number back). A number already held by an imported case is passed over, so the register itself has no gap."""
    if not connection.in_atomic_block:
        raise RuntimeError("case_number_next must run inside the filing's transaction")
    court_code = organisation.case_code.strip()
    if not court_code:
        raise ValidationFailed(_no_case_code(organisation), details={"organisation": [_no_case_code(organisation)]})
    with connection.cursor() as cursor:
        while True:
            cursor.execute(_NEXT_SEQUENCE_SQL, [organisation.pk, year, type_code])
            sequence = cursor.fetchone()[0]
            number = case_number_format(year=year, court_code=court_code, type_code=type_code, sequence=sequence)
            if not Case.objects.filter(case_number=number).exists():
                return sequence, number


def _no_case_code(organisation: Organisation) -> str:
    return _(
        "%(court)s has no case-number code (法院代字) yet: an administrator sets it on the organisation "
        "before cases can be filed there."
    ) % {"court": organisation.name}


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later; the month's last day where that month is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def rule_limit_days(rule: ProcedureRule, filed_on: dt.date) -> int:
    """审限 in days from the filing date: N months are the days to the same day N months later (6 months from
    2026-01-31 end on 2026-07-31: 181 days); days are days; 0 is no statutory limit."""
    if rule.limit_unit == LimitUnit.MONTHS:
        return (months_later(filed_on, rule.limit_value) - filed_on).days
    return rule.limit_value


def procedure_rule_in_force(*, case_type: str, procedure: str, track: str = "") -> ProcedureRule:
    """The active rule for a case type, procedure and track, or ValidationFailed naming what is missing (the
    tracks that exist for the type and procedure, when the track is wrong)."""
    rules = list(ProcedureRule.objects.filter(case_type=case_type, procedure=procedure, is_active=True))
    for rule in rules:
        if rule.track == (track or ""):
            return rule
    if not rules:
        message = _("No procedure rule is in force for this case type and procedure; an administrator adds it.")
        raise ValidationFailed(message, details={"procedure": [message]})
    tracks = "、".join(str(Track(value).label) for value in Track.values if value in {r.track for r in rules})
    if tracks and not track:
        message = _("Choose the track: %(tracks)s.") % {"tracks": tracks}
    elif tracks:
        message = _("This case type and procedure have no such track; choose one of: %(tracks)s.") % {"tracks": tracks}
    else:
        message = _("This case type and procedure have no tracks; leave the track empty.")
    raise ValidationFailed(message, details={"track": [message]})


# --- filing ---------------------------------------------------------------------------------------------------


def _parties_text(parties: str) -> str:
    return "\n".join(line.strip() for line in parties.splitlines() if line.strip())


def _check_original(
    errors: dict[str, list[str]], *, original: Case | None, organisation: Organisation, case_type: str, procedure: str
) -> None:
    """An appeal (二审) is filed at the court directly above the court of first instance, on a closed case of the
    same type; a retrial (再审) at the same court or one above it; what follows a case needs its case closed."""
    if original is None:
        if procedure in NEEDS_ORIGINAL:
            _problem(errors, "original_case", _("An appeal or a retrial needs its original case."))
        return
    if procedure in NEEDS_ORIGINAL and original.case_type != case_type:
        _problem(errors, "original_case", _("The original case is of another case type."))
    if procedure == Procedure.SECOND_INSTANCE:
        if original.procedure not in (Procedure.FIRST_INSTANCE, Procedure.RETRIAL):
            _problem(errors, "original_case", _("Only a first-instance judgment or ruling can be appealed."))
        if original.organisation.parent_id != organisation.pk:
            _problem(
                errors,
                "original_case",
                _("An appeal is filed at the court directly above %(court)s, which heard the case.")
                % {"court": original.organisation.name},
            )
    elif procedure == Procedure.RETRIAL and not original.organisation.path.startswith(organisation.path):
        _problem(
            errors, "original_case", _("A retrial is filed at the court that decided the case or a court above it.")
        )
    if original.is_open and procedure in (*NEEDS_ORIGINAL, Procedure.ENFORCEMENT):
        _problem(errors, "original_case", _("The original case is still pending: it has no decision yet."))


@transaction.atomic
def case_file_new(
    *,
    actor: Officer,
    organisation: Organisation,
    department: Department | None,
    case_type: str,
    procedure: str,
    track: str = "",
    cause: str,
    parties: str,
    parties_count: int | None = None,
    claim_amount: Decimal | None = None,
    original_case: Case | None = None,
    filed_on: dt.date | None = None,
    source: str = ActionSource.WEB,
    note: str = "",
    expected_rule_revision: int | None = None,
) -> Case:
    """立案: check the power list, validate, then number the case, set its time limit from the procedure rule in
    force (recording the rule and its revision) and open its trace with the ``filed`` action.

    Nothing is numbered until every check has passed; should anything still fail, the transaction rolls the
    sequence back with the case. ``expected_rule_revision``: the revision of the rule the caller showed (409 if the
    rule has changed since)."""
    filed_on = filed_on or timezone.localdate()
    parties = _parties_text(parties)
    case = Case(
        organisation=organisation,
        department=department,
        case_type=case_type,
        procedure=procedure,
        track=track or "",
        cause=cause.strip(),
        parties=parties,
        parties_count=parties_count if parties_count is not None else (len(parties.splitlines()) or None),
        claim_amount=claim_amount,
        original_case=original_case,
        filed_on=filed_on,
    )
    decision = power_decide(officer=actor, action_type=ActionType.FILED, case=case)
    decision.raise_if_denied()

    errors: dict[str, list[str]] = {}
    own = procedures_of_kind(organisation.kind)
    if organisation.kind != OrganisationKind.COURT and procedure not in own:
        _problem(errors, "organisation", _("Cases are filed here at a court."))
    elif organisation.kind == OrganisationKind.COURT and procedure in procedures_of_other_kinds(organisation.kind):
        _problem(errors, "procedure", _("This procedure is not a court's."))
    elif not organisation.case_code.strip():
        _problem(errors, "organisation", _no_case_code(organisation))
    if department is None:
        _problem(errors, "department", _("Choose the division that will hear the case."))
    elif department.organisation_id != organisation.pk:
        _problem(errors, "department", _("The department belongs to another organisation."))
    if case_type not in CaseType.values:
        _problem(errors, "case_type", _("Choose a case type."))
    if procedure not in Procedure.values:
        _problem(errors, "procedure", _("Choose a procedure."))
    if track and track not in Track.values:
        _problem(errors, "track", _("Choose a track."))
    if not case.cause:
        _problem(errors, "cause", _("Give the cause of action (案由)."))
    if not parties:
        _problem(errors, "parties", _("Name the parties, one a line."))
    if parties_count is not None and parties_count < 1:
        _problem(errors, "parties_count", _("A case has at least one party."))
    if claim_amount is not None and claim_amount < 0:
        _problem(errors, "claim_amount", _("The amount cannot be negative."))
    if filed_on > timezone.localdate():
        _problem(errors, "filed_on", _("A case cannot be filed in the future."))
    if len(note) > MAX_NOTE:
        _problem(errors, "note", _("The note is too long (at most 10,000 characters)."))
    _check_original(errors, original=original_case, organisation=organisation, case_type=case_type, procedure=procedure)
    rule = None
    if not errors.keys() & {"case_type", "procedure", "track"}:
        try:
            rule = procedure_rule_in_force(case_type=case_type, procedure=procedure, track=track)
        except ValidationFailed as exc:
            for field, messages in exc.details.items():
                errors.setdefault(field, []).extend(messages)
    if errors or rule is None:  # no rule means a problem above
        raise ValidationFailed(_("The filing cannot be recorded; correct the fields named."), details=errors)
    if expected_rule_revision is not None and expected_rule_revision != rule.revision:
        raise Conflict(
            _("The procedure rule for this case type changed since you loaded the form; reload and try again."),
            details={"expected_version": expected_rule_revision, "current_version": rule.revision},
        )
    case.procedure_rule = rule
    case.procedure_rule_revision = rule.revision
    case.time_limit_days = rule_limit_days(rule, filed_on)
    _full_clean(case, exclude=["lead_officer", "case_number"])

    sequence, case.case_number = case_number_next(
        organisation=organisation, type_code=rule.type_code, year=filed_on.year
    )
    case.save(force_insert=True)
    action = trace_append(
        case=case,
        action_type=ActionType.FILED,
        actor=actor,
        source=source,
        note=note,
        decision=decision,
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
            "original_case": original_case.case_number if original_case else None,
        },
    )
    events.action_recorded.send(sender=Case, case=case, action=action)
    return case


@transaction.atomic
def filing_refuse(
    *,
    actor: Officer,
    organisation: Organisation,
    case_type: str,
    procedure: str,
    cause: str,
    parties: str,
    reason: str,
    refused_on: dt.date | None = None,
) -> FilingRefusal:
    """不予受理: record a filing the court refuses, with its reason (append-only). No case is made, no number used."""
    decision = power_decide(officer=actor, action_type=ActionType.FILING_REFUSED, organisation=organisation)
    decision.raise_if_denied()
    refused_on = refused_on or timezone.localdate()
    refusal = FilingRefusal(
        organisation=organisation,
        case_type=case_type,
        procedure=procedure,
        cause=cause.strip(),
        parties=_parties_text(parties),
        reason=reason.strip(),
        refused_on=refused_on,
        refused_by=actor,
        power_item_code=decision.item_code or "",
    )
    errors: dict[str, list[str]] = {}
    if case_type not in CaseType.values:
        _problem(errors, "case_type", _("Choose a case type."))
    if procedure not in Procedure.values:
        _problem(errors, "procedure", _("Choose a procedure."))
    if not refusal.parties:
        _problem(errors, "parties", _("Name the parties, one a line."))
    if not refusal.reason:
        _problem(errors, "reason", _("Give the reason the filing is refused."))
    elif len(refusal.reason) > MAX_NOTE:
        _problem(errors, "reason", _("The reason is too long (at most 10,000 characters)."))
    if refused_on > timezone.localdate():
        _problem(errors, "refused_on", _("A refusal cannot be dated in the future."))
    if errors:
        raise ValidationFailed(_("The refusal cannot be recorded; correct the fields named."), details=errors)
    _full_clean(refusal)
    refusal.save(force_insert=True)
    return refusal


# --- the rules ------------------------------------------------------------------------------------------------


def procedure_rule_snapshot(rule: ProcedureRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in REVISED_FIELDS}


@transaction.atomic
def procedure_rule_save(*, rule: ProcedureRule, changed_by: Any = None) -> ProcedureRule:
    """Create or change a procedure rule: validate it; a change of its content is a new revision, kept for life.
    Its case type, procedure and track name it for life (add a rule rather than re-key one); cases filed before a
    change keep the limit and revision they were filed under."""
    rule.type_code = rule.type_code.strip()
    if not rule.type_code:
        raise ValidationFailed(_("Give the type code."), details={"type_code": [_("Give the type code.")]})
    _full_clean(rule, exclude=["revision"])
    if rule.pk is None:
        rule.revision = 1
        rule.save(force_insert=True)
    else:
        current = ProcedureRule.objects.select_for_update().get(pk=rule.pk)
        if any(getattr(current, name) != getattr(rule, name) for name in RULE_KEY):
            message = _("A rule's case type, procedure and track cannot change; add a new rule instead.")
            raise ValidationFailed(message, details={"track": [message]})
        if procedure_rule_snapshot(current) == procedure_rule_snapshot(rule):
            return current
        rule.revision = current.revision + 1
        rule.save()
    ProcedureRuleRevision.objects.create(
        rule=rule,
        revision=rule.revision,
        snapshot={**procedure_rule_snapshot(rule), "revision": rule.revision},
        changed_by=changed_by if getattr(changed_by, "pk", None) else None,
    )
    return rule


# --- reads of the filing office -------------------------------------------------------------------------------


def filing_powers(officer: Officer) -> dict[str, PowerDecision]:
    """May the officer file cases (``filed``) and refuse filings (``filing_refused``) at their own court?"""
    return power_decide_many(
        officer=officer,
        action_types=[ActionType.FILED, ActionType.FILING_REFUSED],
        organisation=officer.organisation,
    )


def filing_departments(officer: Officer) -> QuerySet[Department]:
    return Department.objects.filter(organisation_id=officer.organisation_id).order_by("code")


def procedures_filed_at(kind: str) -> frozenset[str]:
    """The procedures an organisation of ``kind`` files: a court's are every one no other kind owns."""
    if kind == OrganisationKind.COURT:
        return frozenset(Procedure.values) - procedures_of_other_kinds(kind)
    return procedures_of_kind(kind)


def procedure_rules_in_force(kind: str | None = None) -> QuerySet[ProcedureRule]:
    """The rules in force (of the procedures an organisation of ``kind`` files, when given)."""
    rules = ProcedureRule.objects.filter(is_active=True).order_by("case_type", "procedure", "track")
    return rules if kind is None else rules.filter(procedure__in=procedures_filed_at(kind))


def filings_of_court(user: Any, officer: Officer) -> QuerySet[Case]:
    """The cases of the officer's own court that they may see (newest filing first, by the caller's paging)."""
    return (
        cases_visible_to(user)
        .filter(organisation_id=officer.organisation_id)
        .select_related("organisation", "department", "lead_officer")
    )


def filing_refusals_of_court(officer: Officer) -> QuerySet[FilingRefusal]:
    return FilingRefusal.objects.filter(organisation_id=officer.organisation_id).select_related(
        "organisation", "refused_by"
    )


def original_case_find(*, user: Any, organisation: Organisation, case_number: str, procedure: str) -> Case | None:
    """The case an appeal, retrial or enforcement continues, by its number: among the cases the user may see, or,
    for an appeal, among the cases of the courts directly below ``organisation`` (the appeal comes up from there)."""
    number = case_number.strip()
    if not number:
        return None
    found = cases_visible_to(user).filter(case_number=number).first()
    if found is None and procedure == Procedure.SECOND_INSTANCE:
        found = (
            Case.objects.select_related("organisation", "department", "lead_officer")
            .filter(case_number=number, organisation__parent_id=organisation.pk)
            .first()
        )
    return found
