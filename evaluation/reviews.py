"""Quality review (案件质量评查) and defect points: every step one service, power-checked and traced.

Plan → (pending) → assign → grade → the officer's statement (陈述) → finalise → points → thresholds.
Each step appends an action to the reviewed case's trace, so a review is as permanent as the case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import notifications
from accountability.choices import ActionType, RoleCode
from accountability.errors import Conflict, NotFound, PowerDenied, ValidationFailed
from accountability.models import Notification, Officer, Organisation
from accountability.powers import power_decide
from cases.choices import ActionSource, CaseType
from cases.models import Case
from cases.services import trace_append
from discipline.models import Lead
from discipline.services import lead_register
from evaluation.metrics import Window
from evaluation.models import (
    Consequence,
    ConsequenceRecord,
    DefectItem,
    EvaluationPolicy,
    Grade,
    PointEntry,
    PointThreshold,
    Review,
    ReviewDefect,
    ReviewPlan,
)

OPEN_STATUSES = (Review.Status.PENDING, Review.Status.ASSIGNED, Review.Status.GRADED, Review.Status.RESPONDED)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _points(value: Decimal) -> str:
    """Points as people write them: 14, 2.5 (not 14.0)."""
    return format(value.normalize(), "f")


def notify(*, officer: Officer, message: str, link: str = "") -> Notification:
    return notifications.notify(officers=[officer], message=message, link=link)[0]


def _lock(review: Review, expected_version: int | None) -> Review:
    locked = (
        Review.objects.select_for_update(of=("self",)).select_related("case", "officer", "evaluator").get(pk=review.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This review was changed by someone else since you loaded it; reload and try again."),
            details={"expected_version": expected_version, "current_version": locked.version},
        )
    return locked


def _case_for_decision(case: Case) -> Case:
    return Case.objects.select_related("organisation", "department").prefetch_related("participants").get(pk=case.pk)


def _trace(review: Review, actor: Officer, action_type: str, decision, payload: dict, note: str = "") -> None:
    case = Case.objects.select_for_update(of=("self",)).get(pk=review.case_id)
    trace_append(
        case=case,
        action_type=action_type,
        actor=actor,
        source=ActionSource.WEB,
        note=note,
        payload={"review": str(review.public_id), **payload},
        decision=decision,
    )


# --- selecting cases ----------------------------------------------------------------------------


def _sample(plan_id: int, case_ids: Sequence[int], percent: int) -> list[int]:
    """A reproducible pseudo-random X % (rounded up) of one officer's cases: same plan, same picks."""
    if percent <= 0 or not case_ids:
        return []
    wanted = math.ceil(len(case_ids) * percent / 100)
    ranked = sorted(case_ids, key=lambda pk: hashlib.sha256(f"{plan_id}:{pk}".encode()).hexdigest())
    return ranked[:wanted]


def _number_variants(number: str) -> list[str]:
    """A case number as typed, with half-width and full-width brackets: (2026)沪0101民初1号 = （2026）沪0101民初1号."""
    number = number.strip()
    full = number.replace("(", "（").replace(")", "）")
    half = number.replace("（", "(").replace("）", ")")
    return list(dict.fromkeys([number, full, half]))


def _picked_cases(organisation: Organisation, numbers: Sequence[str]) -> list[Case]:
    """The closed cases of the organisation named by number, or a refusal naming the ones that are not."""
    numbers = [n.strip() for n in numbers if n.strip()]
    cases, unknown, open_, no_lead = [], [], [], []
    for number in dict.fromkeys(numbers):
        case = (
            Case.objects.filter(
                organisation__path__startswith=organisation.path, case_number__in=_number_variants(number)
            )
            .order_by("pk")
            .first()
        )
        if case is None:
            unknown.append(number)
        elif case.is_open:
            open_.append(number)
        elif case.lead_officer_id is None:
            no_lead.append(number)
        else:
            cases.append(case)
    problems = []
    if unknown:
        problems.append(_("No case numbered %(numbers)s in this court.") % {"numbers": "、".join(unknown)})
    if open_:
        problems.append(_("%(numbers)s still open: only closed cases are reviewed.") % {"numbers": "、".join(open_)})
    if no_lead:
        problems.append(_("%(numbers)s have no lead officer to answer for them.") % {"numbers": "、".join(no_lead)})
    if problems:
        raise ValidationFailed(" ".join(problems), details={"case_numbers": problems})
    return cases


@transaction.atomic
def review_plan_create(
    *,
    actor: Officer,
    name: str,
    kind: str,
    organisation: Organisation,
    window: Window,
    sample_percent: int = 0,
    sample_size: int = 0,
    include_amended_remanded: bool = False,
    case_numbers: Sequence[str] = (),
    evaluator: Officer | None = None,
) -> ReviewPlan:
    """Create a plan and the pending reviews it selects: a sample (X % of each officer's closed cases, or n of
    the period's closed cases), all amended or remanded cases, and cases picked by number. Cases already under
    an open review are not selected twice. With an ``evaluator`` each review is assigned to them at once, except
    the cases they took part in, which stay pending for another evaluator."""
    power_decide(officer=actor, action_type=ActionType.REVIEW_PLANNED, organisation=organisation).raise_if_denied()
    if not name.strip():
        raise _invalid("name", _("Give the plan a name."))
    if kind not in ReviewPlan.Kind.values:
        raise _invalid("kind", _("Choose a kind of review."))
    if not 0 <= sample_percent <= 100:
        raise _invalid("sample_percent", _("The sample is a percentage from 0 to 100."))
    if sample_size < 0:
        raise _invalid("sample_size", _("The sample is a number of cases, 0 or more."))
    if sample_percent and sample_size:
        raise _invalid("sample_size", _("Give the sample as a percentage or as a number of cases, not both."))
    if window.end < window.start:
        raise _invalid("window", _("The window cannot end before it starts."))
    if evaluator is not None and not evaluator.has_role(RoleCode.EVALUATOR):
        raise _invalid("evaluator", _("%(name)s is not an evaluator.") % {"name": evaluator.name})
    picked = _picked_cases(organisation, case_numbers)
    if not (sample_percent or sample_size or include_amended_remanded or picked):
        raise _invalid(
            "sample_percent", _("Choose a sample, amended or remanded cases, cases by number, or several of these.")
        )
    plan = ReviewPlan.objects.create(
        name=name.strip(),
        kind=kind,
        organisation=organisation,
        window_from=window.start,
        window_to=window.end,
        sample_percent=sample_percent,
        sample_size=sample_size,
        include_amended_remanded=include_amended_remanded,
        created_by=actor,
    )
    busy = set(Review.objects.filter(status__in=OPEN_STATUSES).values_list("case_id", flat=True))
    picks: dict[int, tuple[int, str]] = {}
    closed = Case.objects.filter(
        organisation=organisation, closed_on__gte=window.start, closed_on__lte=window.end, lead_officer__isnull=False
    )
    by_officer: dict[int, list[int]] = defaultdict(list)
    leads: dict[int, int] = {}
    for pk, lead in closed.order_by("pk").values_list("pk", "lead_officer_id"):
        by_officer[lead].append(pk)
        leads[pk] = lead
    for lead, case_ids in by_officer.items():
        for pk in _sample(plan.pk, case_ids, sample_percent):
            picks[pk] = (lead, _("Routine sample (%(percent)s%%)") % {"percent": sample_percent})
    if sample_size:
        ranked = sorted(leads, key=lambda pk: hashlib.sha256(f"{plan.pk}:{pk}".encode()).hexdigest())
        for pk in ranked[:sample_size]:
            picks[pk] = (leads[pk], _("Random sample (%(count)s cases)") % {"count": sample_size})
    if include_amended_remanded:
        reversed_cases = Case.objects.filter(
            organisation=organisation,
            lead_officer__isnull=False,
            derived_cases__procedure__in=["second_instance", "retrial"],
            derived_cases__outcome__in=["amended", "remanded"],
            derived_cases__closed_on__gte=window.start,
            derived_cases__closed_on__lte=window.end,
        ).values_list("pk", "lead_officer_id")
        for pk, lead in reversed_cases:
            picks[pk] = (lead, _("Amended or remanded on appeal or retrial"))
    for case in picked:
        picks[case.pk] = (case.lead_officer_id, _("Picked by the case-management office"))
    reviews = Review.objects.bulk_create(
        [
            Review(plan=plan, case_id=pk, officer_id=lead, reason=reason)
            for pk, (lead, reason) in sorted(picks.items())
            if pk not in busy
        ]
    )
    if evaluator is not None:
        for review in reviews:
            case = _case_for_decision(review.case)
            if not power_decide(officer=evaluator, action_type=ActionType.QUALITY_REVIEW, case=case).allowed:
                continue  # the evaluator took part in this case: it stays pending for another one
            review_assign(actor=actor, review=review, evaluator=evaluator)
    return plan


@transaction.atomic
def review_add_case(*, actor: Officer, case: Case, reason: str) -> Review:
    """A manual pick (e.g. a case with a complaint) outside any plan."""
    case = _case_for_decision(case)
    if case.is_open:
        raise _invalid("case", _("Only closed cases are reviewed."))
    power_decide(officer=actor, action_type=ActionType.REVIEW_PLANNED, case=case).raise_if_denied()
    if case.lead_officer_id is None:
        raise _invalid("case", _("The case has no lead officer to answer for it."))
    if Review.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("This case is already under review."))
    if not reason.strip():
        raise _invalid("reason", _("Say why the case is selected."))
    return Review.objects.create(case=case, officer_id=case.lead_officer_id, reason=reason.strip())


# --- the review itself --------------------------------------------------------------------------


@transaction.atomic
def review_assign(*, actor: Officer, review: Review, evaluator: Officer, expected_version: int | None = None) -> Review:
    review = _lock(review, expected_version)
    case = _case_for_decision(review.case)
    decision = power_decide(officer=actor, action_type=ActionType.REVIEW_ASSIGNED, case=case)
    decision.raise_if_denied()
    if review.status not in (Review.Status.PENDING, Review.Status.ASSIGNED):
        raise Conflict(_("Only a review not yet graded can be (re)assigned."))
    if not evaluator.has_role(RoleCode.EVALUATOR):
        raise _invalid("evaluator", _("%(name)s is not an evaluator.") % {"name": evaluator.name})
    independence = power_decide(officer=evaluator, action_type=ActionType.QUALITY_REVIEW, case=case)
    if not independence.allowed:
        raise PowerDenied(
            _("%(name)s may not review this case: %(reason)s")
            % {"name": evaluator.name, "reason": independence.reason},
            details=independence.as_details(),
        )
    review.evaluator, review.status = evaluator, Review.Status.ASSIGNED
    review.version += 1
    review.save(update_fields=["evaluator", "status", "version", "updated_at"])
    _trace(review, actor, ActionType.REVIEW_ASSIGNED, decision, {"evaluator": evaluator.officer_id})
    notify(officer=evaluator, message=_("You are assigned to review case %(case)s.") % {"case": case.case_number})
    return review


@transaction.atomic
def review_grade(
    *,
    actor: Officer,
    review: Review,
    grade: str,
    defects: Sequence[tuple[DefectItem, str]] = (),
    summary: str = "",
    expected_version: int | None = None,
) -> Review:
    """The evaluator grades the case and lists its defects; the officer may then respond."""
    review = _lock(review, expected_version)
    if review.evaluator_id != actor.pk:
        raise NotFound(_("No such review."))
    case = _case_for_decision(review.case)
    if case.is_open:
        raise _invalid("case", _("The case is still open: only closed cases are reviewed."))
    decision = power_decide(officer=actor, action_type=ActionType.QUALITY_REVIEW, case=case)
    decision.raise_if_denied()
    if review.status != Review.Status.ASSIGNED:
        raise Conflict(_("This review is already graded; a finalised review can never change."))
    if grade not in Grade.values:
        raise _invalid("grade", _("Choose a grade."))
    if grade in (Grade.FLAWED, Grade.FAIL) and not defects:
        raise _invalid("defects", _("A flawed or failed case needs the defects that make it so."))
    if grade == Grade.EXCELLENT and defects:
        raise _invalid("defects", _("An excellent case has no defects."))
    codes = [item.code for item, _note in defects]
    if len(set(codes)) != len(codes):
        raise _invalid("defects", _("Each defect is listed once."))
    if any(not item.is_active for item, _note in defects):
        raise _invalid("defects", _("A defect item that is no longer in use was chosen."))
    foreign = [item.code for item, _note in defects if not item.applies_to(case.case_type, case.organisation.kind)]
    if foreign:
        raise _invalid(
            "defects",
            _("%(codes)s do not apply to a %(type)s case.")
            % {"codes": "、".join(foreign), "type": CaseType(case.case_type).label},
        )
    ReviewDefect.objects.bulk_create(
        [
            ReviewDefect(review=review, item=item, item_revision=item.revision, points=item.points, note=note[:500])
            for item, note in defects
        ]
    )
    now = timezone.now()
    review.grade, review.summary, review.graded_at = grade, summary.strip(), now
    review.response_due = timezone.localdate() + dt.timedelta(days=EvaluationPolicy.current().response_days)
    review.status = Review.Status.GRADED
    review.version += 1
    review.save(update_fields=["grade", "summary", "graded_at", "response_due", "status", "version", "updated_at"])
    _trace(review, actor, ActionType.QUALITY_REVIEW, decision, {"grade": grade, "defects": codes})
    notify(
        officer=review.officer,
        message=_("Case %(case)s was reviewed (%(grade)s). You may respond until %(due)s.")
        % {"case": case.case_number, "grade": Grade(grade).label, "due": review.response_due.isoformat()},
    )
    return review


@transaction.atomic
def review_respond(*, actor: Officer, review: Review, statement: str, expected_version: int | None = None) -> Review:
    """The reviewed officer's statement (陈述), within the response period."""
    review = _lock(review, expected_version)
    if review.officer_id != actor.pk:
        raise NotFound(_("No such review."))
    if review.status != Review.Status.GRADED:
        raise Conflict(_("There is nothing to respond to, or you have responded already."))
    if timezone.localdate() > review.response_due:
        raise _invalid("statement", _("The response period ended on %(due)s.") % {"due": review.response_due})
    if not statement.strip():
        raise _invalid("statement", _("Write your statement."))
    decision = power_decide(
        officer=actor, action_type=ActionType.REVIEW_RESPONDED, case=_case_for_decision(review.case)
    )
    decision.raise_if_denied()
    review.response, review.responded_at, review.status = statement.strip(), timezone.now(), Review.Status.RESPONDED
    review.version += 1
    review.save(update_fields=["response", "responded_at", "status", "version", "updated_at"])
    _trace(review, actor, ActionType.REVIEW_RESPONDED, decision, {})
    return review


@transaction.atomic
def review_finalise(*, actor: Officer, review: Review, expected_version: int | None = None) -> Review:
    """Confirm the review (not by its evaluator): its defect points enter the ledger and thresholds apply."""
    review = _lock(review, expected_version)
    case = _case_for_decision(review.case)
    decision = power_decide(officer=actor, action_type=ActionType.REVIEW_FINALISED, case=case)
    decision.raise_if_denied()
    if actor.pk == review.evaluator_id:
        raise PowerDenied(_("The evaluator who graded a review does not finalise it."), details={"rule": "separation"})
    if review.status == Review.Status.FINALISED:
        raise Conflict(_("This review is already finalised."))
    waiting = review.status == Review.Status.GRADED and timezone.localdate() <= review.response_due
    if review.status not in (Review.Status.GRADED, Review.Status.RESPONDED) or waiting:
        raise Conflict(_("The review is not graded yet, or the officer's response period is still open."))
    year = timezone.localdate().year
    entries = [
        PointEntry(
            officer_id=review.officer_id,
            year=year,
            review=review,
            case=case,
            points=d.points,
            reason=f"{d.item.code} {d.item.description}",
        )
        for d in review.defects.select_related("item")
        if d.points
    ]
    if review.grade == Grade.FAIL:
        penalty = EvaluationPolicy.current().fail_penalty
        entries.append(
            PointEntry(
                officer_id=review.officer_id,
                year=year,
                review=review,
                case=case,
                points=penalty,
                reason=_("Fail grade"),
            )
        )
    PointEntry.objects.bulk_create(entries)
    review.status, review.finalised_at, review.finalised_by = Review.Status.FINALISED, timezone.now(), actor
    review.version += 1
    review.save(update_fields=["status", "finalised_at", "finalised_by", "version", "updated_at"])
    points = sum((e.points for e in entries), Decimal(0))
    _trace(review, actor, ActionType.REVIEW_FINALISED, decision, {"grade": review.grade, "points": str(points)})
    notify(
        officer=review.officer,
        message=_("The review of case %(case)s is final: %(points)s defect points.")
        % {"case": case.case_number, "points": _points(points)},
    )
    points_apply_thresholds(officer=review.officer, year=year, case=case)
    return review


def points_apply_thresholds(*, officer: Officer, year: int, case: Case) -> list[ConsequenceRecord]:
    """Create each consequence whose threshold (of the officer's kind of organisation) the officer's points have
    reached, once, and say so."""
    created = []
    year_total = PointEntry.objects.filter(officer=officer, year=year).aggregate(t=Sum("points"))["t"] or Decimal(0)
    case_total = PointEntry.objects.filter(officer=officer, case=case).aggregate(t=Sum("points"))["t"] or Decimal(0)
    kind = Q(organisation_kind="") | Q(organisation_kind=officer.organisation.kind)
    thresholds = PointThreshold.objects.filter(kind, is_active=True).filter(
        Q(basis=PointThreshold.Basis.YEAR, points__lte=year_total)
        | Q(basis=PointThreshold.Basis.CASE, points__lte=case_total)
    )
    for threshold in thresholds.order_by("points"):
        per_case = threshold.basis == PointThreshold.Basis.CASE
        lookup = {"officer": officer, "threshold": threshold}
        lookup.update({"case": case} if per_case else {"year": year, "case": None})
        if ConsequenceRecord.objects.filter(**lookup).exists():
            continue
        total = case_total if per_case else year_total
        record = ConsequenceRecord.objects.create(
            officer=officer,
            year=year,
            threshold=threshold,
            consequence=threshold.consequence,
            case=case if per_case else None,
            points=total,
        )
        label = Consequence(threshold.consequence).label
        if threshold.consequence == Consequence.DISCIPLINE_LEAD:
            basis = (
                _("on case %(case)s") % {"case": case.case_number} if per_case else _("in %(year)s") % {"year": year}
            )
            record.lead = lead_register(
                actor=None,
                officer=officer,
                source=Lead.Source.DEFECT_POINTS,
                summary=_("%(points)s defect points %(basis)s reached the threshold of %(threshold)s.")
                % {"points": _points(total), "basis": basis, "threshold": _points(threshold.points)},
                origin={"consequence": record.pk, "case": case.case_number if per_case else None, "year": year},
            )
            record.save(update_fields=["lead"])
        notify(
            officer=officer,
            message=_("%(consequence)s: your defect points reached %(points)s (threshold %(threshold)s).")
            % {"consequence": label, "points": _points(total), "threshold": _points(threshold.points)},
        )
        created.append(record)
    return created
