"""Assessment pages: one's own assessments and what waits for one; an assessment with its explanation, its record
and the step one may take; the distribution (counts, no names but those one must act on) and its Excel export. A
refused step is shown by ``DomainErrorMiddleware`` as a message on the page that posted."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from accountability.choices import ActionType
from accountability.selectors import officer_for_user
from accountability.xlsx import xlsx_response
from assessment import selectors, services
from assessment.models import Assessment, Grade, Status
from assessment.scoring import Period

ACTIONS = {
    "propose": ActionType.ASSESSMENT_PROPOSED,
    "sign": ActionType.ASSESSMENT_SIGNED,
    "contest": ActionType.ASSESSMENT_CONTESTED,
    "decide": ActionType.ASSESSMENT_CONTEST_DECIDED,
}
SOURCE_LABELS = {
    "metric": gettext_lazy("Stored metric"),
    "review_grades": gettext_lazy("Reviews finalised in the period"),
    "defect_points": gettext_lazy("Defect points entered in the period"),
    "responsible_reversals": gettext_lazy("Focused reviews finding the officer at fault"),
    "interference_on_time": gettext_lazy("Interference records entered in time"),
    "sanctions": gettext_lazy("Discipline sanctions"),
    "supervision_on_time": gettext_lazy("Flags decided by their time"),
}
FACT_LABELS = {
    "numerator": gettext_lazy("Numerator"),
    "denominator": gettext_lazy("Denominator"),
    "value": pgettext_lazy("assessment", "Value"),
    "reviews": pgettext_lazy("assessment", "Reviews"),
    "grade_excellent": gettext_lazy("Excellent"),
    "grade_pass": gettext_lazy("Pass"),
    "grade_flawed": gettext_lazy("Flawed"),
    "grade_fail": gettext_lazy("Fail"),
    "points": pgettext_lazy("assessment", "Points"),
    "entries": gettext_lazy("Entries"),
    "cases": gettext_lazy("Cases"),
    "records": gettext_lazy("Records"),
    "on_time": gettext_lazy("In time"),
    "days": gettext_lazy("Days allowed"),
    "sanctions": pgettext_lazy("assessment", "Sanctions"),
    "flags": gettext_lazy("Flags"),
}

#: The dashboard's drill-down behind a metric an indicator reads (the cases it counts; a weighted count: the cases
#: closed, whose weights it sums).
DRILL = {
    "weighted_closed": "closed_count",
    "within_limit_rate": "within_limit_rate",
    "avg_duration_days": "avg_duration_days",
    "acceptance_rate": "acceptance_rate",
    "appeal_amended_remanded_ratio": "appeal_amended_remanded_ratio",
}


def _number(value: object) -> object:
    """A stored number as people write it: no trailing zeros, at most four places (``1.2500000000`` is 1.25)."""
    if value is None or isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    number = number.quantize(Decimal("0.0001")).normalize()
    return f"{number:f}"


def _period(assessment: Assessment) -> Period:
    return Period(assessment.period_kind, assessment.period_start, assessment.period_end)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    officer = officer_for_user(request.user)
    mine = (
        selectors.assessments_visible_to(request.user).filter(officer=officer).order_by("-period_start", "period_kind")
        if officer
        else Assessment.objects.none()
    )
    return render(
        request,
        "assessment/index.html",
        {
            "mine": [(a, _period(a)) for a in mine[:40]],
            "awaiting": {k: [(a, _period(a)) for a in v] for k, v in selectors.awaiting(request.user).items()},
            "distribution": selectors.organisation_for_distribution(request.user) is not None,
        },
    )


def _explained(assessment: Assessment, viewer_is_officer: bool) -> list[dict]:
    """The explanation's lines dressed for the page: labels of the sources and facts, the drill-down of a stored
    metric (the officer's own dashboard scope) where the viewer is the officer."""
    window = f"{assessment.period_start.isoformat()}_{assessment.window_to.isoformat()}"
    components = []
    for component in assessment.lines:
        indicators = []
        for line in component["indicators"]:
            facts = [
                {"label": FACT_LABELS.get(key, key), "value": _number(value)}
                for key, value in line.get("facts", {}).items()
                if key in FACT_LABELS
            ]
            drill = ""
            metric = DRILL.get(line.get("metric", ""))
            if viewer_is_officer and line["source"] == "metric" and line.get("x") is not None and metric:
                drill = f"?scope=officer:{assessment.officer.officer_id}&window={window}&metric={metric}"
            indicators.append(
                {
                    **line,
                    "source_label": SOURCE_LABELS.get(line["source"], ""),
                    "facts_shown": facts,
                    "drill": drill,
                    "x_text": _number(line.get("x")),
                }
            )
        components.append({**component, "indicators": indicators})
    return components


@login_required
def detail(request: HttpRequest, public_id) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    can = {}
    if officer is not None:
        for name, action in ACTIONS.items():
            can[name] = services.may(officer, action, assessment).allowed
        can["propose"] = can["propose"] and assessment.status == Status.COMPUTED and not assessment.is_running
        can["propose"] = can["propose"] and officer.pk != assessment.officer_id
        can["sign"] = can["sign"] and assessment.status == Status.PROPOSED and officer.pk != assessment.officer_id
        can["contest"] = can["contest"] and assessment.status == Status.SIGNED and officer.pk == assessment.officer_id
        can["decide"] = (
            can["decide"]
            and assessment.status == Status.CONTESTED
            and officer.pk not in (assessment.proposed_by_id, assessment.officer_id)
        )
    events = list(assessment.events.select_related("actor").order_by("seq"))
    return render(
        request,
        "assessment/detail.html",
        {
            "a": assessment,
            "period": _period(assessment),
            "components": _explained(assessment, officer is not None and officer.pk == assessment.officer_id),
            "events": events,
            "can": can,
            "grades": Grade.choices,
            "is_officer": officer is not None and officer.pk == assessment.officer_id,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, public_id, action: str) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if officer is None or action not in ACTIONS:
        raise Http404
    version = _int(request.POST.get("version"))
    if action == "propose":
        services.assessment_propose(
            actor=officer, assessment=assessment, note=request.POST.get("note", ""), expected_version=version
        )
    elif action == "sign":
        services.assessment_sign(actor=officer, assessment=assessment, expected_version=version)
    elif action == "contest":
        services.assessment_contest(
            actor=officer, assessment=assessment, reasons=request.POST.get("reasons", ""), expected_version=version
        )
    else:
        services.assessment_decide(
            actor=officer,
            assessment=assessment,
            grade=request.POST.get("grade", ""),
            reasons=request.POST.get("decision_reasons", ""),
            expected_version=version,
        )
    return redirect("assessment:detail", public_id=assessment.public_id)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _chosen_period(request: HttpRequest, periods: list[Period]) -> Period | None:
    key = request.GET.get("period", "")
    for period in periods:
        if period.key == key:
            return period
    if key:
        raise Http404
    # the newest period that is over (the one to sign), else the running one
    over = [p for p in periods if p.end < timezone.localdate()]
    return (over or periods or [None])[0]


def _distribution(request: HttpRequest):
    organisation = selectors.organisation_for_distribution(request.user)
    if organisation is None:
        raise Http404
    periods = selectors.periods_of(organisation)
    period = _chosen_period(request, periods)
    data = selectors.distribution(request.user, organisation, period) if period else None
    return organisation, periods, period, data


@login_required
def distribution(request: HttpRequest) -> HttpResponse:
    organisation, periods, period, data = _distribution(request)
    return render(
        request,
        "assessment/distribution.html",
        {
            "organisation": organisation,
            "periods": periods,
            "period": period,
            "data": data,
            "named": [(a, _period(a)) for a in data["named"]] if data else [],
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    organisation, _periods, period, data = _distribution(request)
    if period is None:
        raise Http404
    rows: list[list] = [
        [_("Score"), f"{b['low']}–{b['high'] if b['high'] is not None else ''}", b["count"]] for b in data["histogram"]
    ]
    rows += [[pgettext("assessment", "Grade"), str(g["label"]), g["count"]] for g in data["grades"]]
    rows += [[_("Status"), str(s["label"]), s["count"]] for s in data["statuses"]]
    title = f"{organisation.name} {period.label} {_('Assessment distribution')}"
    name = f"assessment-{organisation.code}-{period.kind}-{period.start.isoformat()}.xlsx"
    return xlsx_response(name, title, [_("Part"), _("Band"), pgettext("assessment", "Number")], rows)
