"""Writes of the assessment: the nightly computation (set-wise per organisation and period), the sign-off and
contest steps (each checked against the power list and chained), scheme versions, consequences."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import chain, outbox
from accountability.chain import normalise_payload
from accountability.choices import ActionType, Post, RoleCode
from accountability.errors import Conflict, PowerDenied, ValidationFailed, check_version
from accountability.models import Officer, Organisation, OutboxMessage
from accountability.notifications import notify
from accountability.powers import PowerDecision, power_decide
from assessment import scoring
from assessment.models import (
    FROZEN,
    AssessedRole,
    Assessment,
    AssessmentConsequence,
    AssessmentEvent,
    ConsequenceKind,
    ConsequenceRule,
    Grade,
    Scheme,
    Status,
)
from assessment.scoring import Period
from evaluation.metrics import Window
from evaluation.models import MetricResult
from evaluation.services import metrics_store_for_organisation

#: The chain of an assessment's steps (per assessment, linked from ``Assessment.trace_head``).
ASSESSMENT = chain.Chain(
    "assessment",
    "event",
    ("assessment_id", "seq", "kind", "actor_id", "occurred_at", "note", "payload", "power_item_code"),
)
HANDLING_ROLES = (RoleCode.JUDGE, RoleCode.PROSECUTOR)
COMPUTE_TASK = "assessment.compute_organisation"


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


# --- who is assessed, under which scheme --------------------------------------------------------------------------


def assessed_officers(organisation: Organisation) -> list[Officer]:
    """The quota officers who handle cases (法官、检察官), leaders among them; the president is assessed by the
    organisation above and is not in the set."""
    return list(
        Officer.objects.filter(organisation=organisation, is_quota=True, roles__code__in=HANDLING_ROLES)
        .exclude(post=Post.PRESIDENT)
        .select_related("department")
        .distinct()
        .order_by("officer_id")
    )


def role_of(officer: Officer) -> str:
    return AssessedRole.OFFICER if officer.post == Post.NONE else AssessedRole.LEADER


def schemes_in_force(kind: str) -> dict[str, Scheme]:
    return {s.role: s for s in Scheme.objects.filter(organisation_kind=kind, is_active=True)}


# --- computing ----------------------------------------------------------------------------------------------------


def _ensure_metrics(organisation: Organisation, window: Window) -> None:
    """The stored metrics the scheme reads: the nightly job's (quarter and year to date) when there; else computed
    now for this organisation (a closed period computed for the first time, a test)."""
    stored = MetricResult.objects.filter(
        window_from=window.start, window_to=window.end, organisation=organisation, level="officer"
    ).exists()
    if not stored:
        metrics_store_for_organisation(windows=[window], organisation=organisation, cross=True)


@transaction.atomic
def assessments_compute(*, organisation: Organisation, period: Period, through: dt.date | None = None) -> int:
    """Compute (or recompute) the period's assessments of the organisation's set, through ``through`` (default:
    the period's end). Assessments already proposed or further are frozen and untouched; the quota on 优秀 counts
    them. Returns the number of assessments written."""
    window_to = min(through or period.end, period.end)
    if window_to < period.start:
        raise invalid("through", _("The period has not started."))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"assessment:{organisation.pk}:{period.key}"])
    _ensure_metrics(organisation, Window(period.start, window_to))
    officers = assessed_officers(organisation)
    schemes = schemes_in_force(organisation.kind)
    existing = {
        a.officer_id: a
        for a in Assessment.objects.filter(
            organisation=organisation, period_kind=period.kind, period_start=period.start
        ).select_related("scheme")
    }
    todo = [o for o in officers if role_of(o) in schemes and not (o.pk in existing and existing[o.pk].status in FROZEN)]
    readings = scoring.read(
        {o.pk: schemes[role_of(o)].components for o in todo},
        {o.pk: o.officer_id for o in todo},
        period.start,
        window_to,
    )
    fraction = scoring.fraction_of(period, window_to)
    now = timezone.now()
    rows = []
    for officer in todo:
        scheme = schemes[role_of(officer)]
        score, lines = scoring.score_officer(scheme.components, readings, officer.pk, fraction)
        band = scheme.band(score)
        rows.append(
            Assessment(
                officer=officer,
                organisation=organisation,
                department=officer.department,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                window_to=window_to,
                scheme=scheme,
                status=Status.COMPUTED,
                score=score,
                band_grade=band,
                grade=band,
                quota_limited=False,
                lines=lines,
                computed_at=now,
            )
        )
    _apply_quota(rows, [a for a in existing.values() if a.status in FROZEN], schemes)
    Assessment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["officer", "period_kind", "period_start"],
        update_fields=[
            "organisation",
            "department",
            "period_end",
            "window_to",
            "scheme",
            "score",
            "band_grade",
            "grade",
            "quota_limited",
            "lines",
            "computed_at",
            "updated_at",
        ],
    )
    return len(rows)


def _apply_quota(rows: list[Assessment], frozen: list[Assessment], schemes: dict[str, Scheme]) -> None:
    """At most the scheme's share of each role's set is 优秀 (rounded down, at least one): the highest scores keep
    it (ties: the officer number), the others are 称职 and say why. Frozen assessments graded 优秀 count first."""
    by_role: dict[str, list[Assessment]] = defaultdict(list)
    for row in rows:
        by_role[row.scheme.role].append(row)
    taken: dict[str, int] = defaultdict(int)
    sizes: dict[str, int] = defaultdict(int)
    for a in frozen:
        sizes[a.scheme.role] += 1
        taken[a.scheme.role] += a.grade == Grade.EXCELLENT
    for role, group in by_role.items():
        allowed = scoring.quota_allowed(len(group) + sizes[role], schemes[role].excellent_quota_percent) - taken[role]
        excellent = sorted(
            (a for a in group if a.band_grade == Grade.EXCELLENT), key=lambda a: (-a.score, a.officer.officer_id)
        )
        for index, a in enumerate(excellent):
            if index >= allowed:
                a.grade, a.quota_limited = Grade.COMPETENT, True


def period_of(kind: str, day: dt.date) -> Period:
    return Period.containing(kind, day)


def assessments_compute_all(*, day: dt.date) -> int:
    """Every organisation's running quarter and year, through ``day`` (inclusive)."""
    written = 0
    for organisation in Organisation.objects.order_by("path"):
        for kind in ("quarter", "year"):
            written += assessments_compute(organisation=organisation, period=period_of(kind, day), through=day)
    return written


def assessment_nightly(*, day: dt.date | None = None) -> int:
    """After the metrics (04:00): one task per organisation for the running quarter and year through yesterday;
    contest periods that lapsed close. Returns the tasks queued."""
    day = day or timezone.localdate()
    through = day - dt.timedelta(days=1)
    queued = 0
    with transaction.atomic():
        ids = list(Organisation.objects.order_by("path").values_list("pk", flat=True))
        asked = {
            tuple(args)
            for args in OutboxMessage.objects.filter(task=COMPUTE_TASK, args__1=through.isoformat()).values_list(
                "args", flat=True
            )
        }
        for organisation_id in ids:
            # a night's task is asked once: the beat delivered twice (or a rerun) queues nothing more
            if (organisation_id, through.isoformat()) in asked:
                continue
            outbox.enqueue(COMPUTE_TASK, organisation_id, through.isoformat())
            queued += 1
    finalise_lapsed(today=day)
    return queued


# --- the chained record -------------------------------------------------------------------------------------------


def _record(
    assessment: Assessment,
    kind: str,
    *,
    actor: Officer | None,
    note: str = "",
    payload: dict[str, Any] | None = None,
    decision: PowerDecision | None = None,
) -> None:
    row = {
        "assessment_id": assessment.pk,
        "seq": assessment.trace_length + 1,
        "kind": kind,
        "actor_id": actor.pk if actor else None,
        "occurred_at": timezone.now(),
        "note": note,
        "payload": normalise_payload(payload),
        "power_item_code": decision.item.code if decision and decision.item else "",
    }
    digest = ASSESSMENT.hash(assessment.trace_head, row)
    AssessmentEvent.objects.create(**row, prev_hash=assessment.trace_head, hash=digest, mac=ASSESSMENT.seal(digest))
    assessment.trace_head, assessment.trace_length = digest, row["seq"]
    assessment.trace_mac = ASSESSMENT.seal_head(assessment.pk, row["seq"], digest)


def _save(assessment: Assessment) -> None:
    assessment.version += 1
    assessment.save()


def verify(assessment: Assessment) -> list[str]:
    return chain.verify_owners(ASSESSMENT, Assessment.objects.filter(pk=assessment.pk), _events_of)


def verify_all() -> list[str]:
    return chain.verify_owners(ASSESSMENT, Assessment.objects.filter(trace_length__gt=0), _events_of)


def _events_of(assessment: Assessment) -> QuerySet[AssessmentEvent]:
    return AssessmentEvent.objects.filter(assessment_id=assessment.pk)


# --- sign-off and contest -----------------------------------------------------------------------------------------


def _lock(assessment: Assessment, expected_version: int | None) -> Assessment:
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("officer", "organisation", "department", "scheme")
        .get(pk=assessment.pk)
    )
    check_version(
        expected=expected_version,
        current=locked.version,
        message=_("This assessment was changed by someone else since you loaded it; reload and try again."),
    )
    return locked


def _in_state(assessment: Assessment, *states: str) -> None:
    if assessment.status not in states:
        raise Conflict(
            _("Not possible now: the assessment is %(status)s.") % {"status": assessment.get_status_display()},
            details={"status": assessment.status},
        )


def _text(field: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, _("%(label)s is required.") % {"label": label})
    if len(value) > 5000:
        raise invalid(field, _("%(label)s is too long.") % {"label": label})
    return value


def _link(assessment: Assessment) -> str:
    return reverse("assessment:detail", args=[assessment.public_id])


def _payload(assessment: Assessment) -> dict[str, Any]:
    return {
        "score": str(assessment.score),
        "grade": assessment.grade,
        "scheme": assessment.scheme_id,
        "scheme_version": assessment.scheme.version,
        "window_to": assessment.window_to.isoformat(),
    }


def may(actor: Officer, action: str, assessment: Assessment) -> PowerDecision:
    """The power list's answer for this actor and this assessment's organisation (and department)."""
    return power_decide(
        officer=actor, action_type=action, organisation=assessment.organisation, department=assessment.department
    )


def signers(organisation: Organisation) -> list[Officer]:
    return list(Officer.objects.filter(organisation=organisation, roles__code=RoleCode.PRESIDENT).distinct())


def deciders(assessment: Assessment) -> list[Officer]:
    leaders = Officer.objects.filter(
        organisation=assessment.organisation, roles__code__in=[RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT]
    ).distinct()
    return [o for o in leaders if o.pk not in (assessment.proposed_by_id, assessment.officer_id)]


@transaction.atomic
def assessment_propose(
    *, actor: Officer, assessment: Assessment, note: str = "", expected_version: int | None = None
) -> Assessment:
    """The division chief (a leader's: the president or a vice president) proposes the computed grade; the
    numbers are frozen from here on. Only a period that is over can be proposed."""
    assessment = _lock(assessment, expected_version)
    decision = may(actor, ActionType.ASSESSMENT_PROPOSED, assessment)
    decision.raise_if_denied()
    if actor.pk == assessment.officer_id:
        raise PowerDenied(_("No one may propose their own assessment."))
    if assessment.scheme.role == AssessedRole.LEADER and not actor.has_role(
        RoleCode.PRESIDENT, RoleCode.VICE_PRESIDENT
    ):
        raise PowerDenied(_("A leader's assessment is proposed by the head of the organisation or a deputy."))
    _in_state(assessment, Status.COMPUTED)
    if assessment.is_running:
        raise Conflict(_("The period is not over yet; it can be proposed once it is."), details={"period": "running"})
    assessment.status, assessment.proposed_by, assessment.proposed_at = Status.PROPOSED, actor, timezone.now()
    _record(assessment, "proposed", actor=actor, note=note.strip(), payload=_payload(assessment), decision=decision)
    _save(assessment)
    notify(
        officers=signers(assessment.organisation),
        message=_("An assessment awaits your signature: %(name)s, %(period)s.")
        % {
            "name": assessment.officer.name,
            "period": Period(assessment.period_kind, assessment.period_start, assessment.period_end).label,
        },
        link=_link(assessment),
    )
    return assessment


@transaction.atomic
def assessment_sign(*, actor: Officer, assessment: Assessment, expected_version: int | None = None) -> Assessment:
    """The president signs the proposal; the officer is told and may contest within the scheme's days."""
    assessment = _lock(assessment, expected_version)
    decision = may(actor, ActionType.ASSESSMENT_SIGNED, assessment)
    decision.raise_if_denied()
    if actor.pk == assessment.officer_id:
        raise PowerDenied(_("No one may sign their own assessment."))
    _in_state(assessment, Status.PROPOSED)
    now = timezone.now()
    assessment.status, assessment.signed_by, assessment.signed_at = Status.SIGNED, actor, now
    assessment.contest_due = timezone.localdate(now) + dt.timedelta(days=assessment.scheme.contest_days)
    _record(
        assessment,
        "signed",
        actor=actor,
        payload={**_payload(assessment), "contest_due": assessment.contest_due.isoformat()},
        decision=decision,
    )
    _save(assessment)
    notify(
        officers=[assessment.officer],
        message=_("Your assessment for %(period)s is signed: %(grade)s. You may contest it by %(due)s.")
        % {
            "period": Period(assessment.period_kind, assessment.period_start, assessment.period_end).label,
            "grade": Grade(assessment.grade).label,
            "due": assessment.contest_due.isoformat(),
        },
        link=_link(assessment),
    )
    return assessment


@transaction.atomic
def assessment_contest(
    *, actor: Officer, assessment: Assessment, reasons: str, expected_version: int | None = None
) -> Assessment:
    """The officer contests the signed assessment within the period, with reasons. The grade does not change."""
    assessment = _lock(assessment, expected_version)
    decision = may(actor, ActionType.ASSESSMENT_CONTESTED, assessment)
    decision.raise_if_denied()
    if actor.pk != assessment.officer_id:
        raise PowerDenied(_("Only the officer assessed may contest the assessment."))
    _in_state(assessment, Status.SIGNED)
    reasons = _text("reasons", reasons, _("The reasons"))
    if timezone.localdate() > assessment.contest_due:
        raise invalid("reasons", _("The time to contest ended on %(due)s.") % {"due": assessment.contest_due})
    assessment.status, assessment.contest_reasons, assessment.contested_at = Status.CONTESTED, reasons, timezone.now()
    _record(assessment, "contested", actor=actor, note=reasons, decision=decision)
    _save(assessment)
    notify(
        officers=deciders(assessment),
        message=_("%(name)s contests the assessment for %(period)s.")
        % {
            "name": assessment.officer.name,
            "period": Period(assessment.period_kind, assessment.period_start, assessment.period_end).label,
        },
        link=_link(assessment),
    )
    return assessment


@transaction.atomic
def assessment_decide(
    *, actor: Officer, assessment: Assessment, grade: str, reasons: str, expected_version: int | None = None
) -> Assessment:
    """Someone other than the proposer (and the officer) decides the contest: the grade stands or is changed, with
    reasons. The only way a signed grade changes."""
    assessment = _lock(assessment, expected_version)
    decision = may(actor, ActionType.ASSESSMENT_CONTEST_DECIDED, assessment)
    decision.raise_if_denied()
    if actor.pk in (assessment.proposed_by_id, assessment.officer_id):
        raise PowerDenied(_("The contest is decided by someone other than the proposer and the officer."))
    _in_state(assessment, Status.CONTESTED)
    if grade not in Grade.values:
        raise invalid("grade", _("Choose the grade."))
    reasons = _text("decision_reasons", reasons, _("The reasons for the decision"))
    before = assessment.grade
    assessment.grade = grade
    assessment.status, assessment.decided_by, assessment.decided_at = Status.DECIDED, actor, timezone.now()
    assessment.decision_reasons = reasons
    _record(
        assessment,
        "decided",
        actor=actor,
        note=reasons,
        payload={"grade_before": before, "grade": grade, "changed": before != grade},
        decision=decision,
    )
    _save(assessment)
    notify(
        officers=[assessment.officer, *([assessment.proposed_by] if assessment.proposed_by else [])],
        message=_("The contest of the assessment for %(period)s is decided: %(grade)s.")
        % {
            "period": Period(assessment.period_kind, assessment.period_start, assessment.period_end).label,
            "grade": Grade(grade).label,
        },
        link=_link(assessment),
    )
    consequences_apply(assessment)
    return assessment


def finalise_lapsed(*, today: dt.date | None = None) -> int:
    """Signed assessments whose contest period ended uncontested become final (a system step in their chain)."""
    today = today or timezone.localdate()
    done = 0
    for pk in Assessment.objects.filter(status=Status.SIGNED, contest_due__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            assessment = _lock(Assessment(pk=pk), None)
            if assessment.status != Status.SIGNED:
                continue
            assessment.status = Status.FINAL
            _record(assessment, "final", actor=None, payload={"grade": assessment.grade})
            _save(assessment)
            consequences_apply(assessment)
            done += 1
    return done


# --- consequences -------------------------------------------------------------------------------------------------


def consequences_apply(assessment: Assessment) -> list[AssessmentConsequence]:
    """A settled yearly assessment: each active rule whose grade the officer had in its number of consecutive
    settled years opens its consequence, once (the officer and the signers are told)."""
    if assessment.period_kind != "year":
        return []
    year = assessment.period_start.year
    rules = ConsequenceRule.objects.filter(is_active=True).filter(
        Q(organisation_kind="") | Q(organisation_kind=assessment.organisation.kind)
    )
    opened = []
    for rule in rules:
        years = range(year - rule.years + 1, year + 1)
        grades = dict(
            Assessment.objects.filter(
                officer_id=assessment.officer_id,
                period_kind="year",
                period_start__year__in=list(years),
                status__in=[Status.DECIDED, Status.FINAL],
            ).values_list("period_start__year", "grade")
        )
        if any(grades.get(y) != rule.grade for y in years):
            continue
        consequence, created = AssessmentConsequence.objects.get_or_create(
            officer_id=assessment.officer_id,
            rule=rule,
            year=year,
            defaults={"consequence": rule.consequence, "assessment": assessment},
        )
        if not created:
            continue
        locked = _lock(assessment, None)
        _record(
            locked,
            "consequence",
            actor=None,
            payload={"consequence": rule.consequence, "rule": rule.pk, "years": list(years)},
        )
        locked.version += 1
        locked.save(update_fields=["trace_head", "trace_length", "trace_mac", "version", "updated_at"])
        label = ConsequenceKind(rule.consequence).label
        notify(
            officers=[assessment.officer, *signers(assessment.organisation)],
            message=_("%(name)s: %(grade)s in %(years)s consecutive years opens %(consequence)s.")
            % {
                "name": assessment.officer.name,
                "grade": Grade(rule.grade).label,
                "years": rule.years,
                "consequence": label,
            },
            link=_link(assessment),
        )
        opened.append(consequence)
    return opened


# --- scheme versions ----------------------------------------------------------------------------------------------


@transaction.atomic
def scheme_revise(*, scheme: Scheme, changes: dict[str, Any], actor: Any = None) -> Scheme:
    """A change of a scheme is a new version in force; the old one stays, with every assessment computed under it.
    Assessments not yet proposed are recomputed under the new version by the next computation; proposed, signed
    and settled ones keep theirs."""
    allowed = {
        "name",
        "components",
        "excellent_from",
        "competent_from",
        "basic_from",
        "excellent_quota_percent",
        "contest_days",
        "note",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("This cannot be changed."))
    current = Scheme.objects.select_for_update().get(pk=scheme.pk)
    data = {name: getattr(current, name) for name in allowed} | changes
    scoring.validate_components(data["components"])
    bands = [Decimal(str(data[k])) for k in ("excellent_from", "competent_from", "basic_from")]
    if not bands[0] >= bands[1] >= bands[2]:
        raise invalid("excellent_from", _("The bands must go down: excellent, competent, basically competent."))
    latest = Scheme.objects.filter(organisation_kind=current.organisation_kind, role=current.role).order_by("-version")
    version = latest.first().version + 1
    Scheme.objects.filter(organisation_kind=current.organisation_kind, role=current.role, is_active=True).update(
        is_active=False
    )
    return Scheme.objects.create(
        organisation_kind=current.organisation_kind, role=current.role, version=version, is_active=True, **data
    )
