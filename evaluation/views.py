"""Evaluation pages: on-demand recompute of metrics with a live progress bar; quality reviews. A refused act is
not caught here: ``DomainErrorMiddleware`` shows it as a message on the page that posted, and a record one may
not see (``NotFound``) is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import ValidationFailed
from accountability.models import Officer
from accountability.paging import keyset_page
from accountability.powers import power_decide
from accountability.selectors import officer_for_user
from evaluation import reviews as review_services
from evaluation.forms import RecomputeForm, ReviewPlanForm
from evaluation.metrics import METRIC_LABELS, Window
from evaluation.models import DefectItem, Grade, Review, ReviewPlan
from evaluation.selectors import (
    defect_catalogue_for,
    evaluators_of,
    metric_run_get_for_user,
    officer_for_performance,
    organisations_recomputable_by,
    performance_file,
    review_get_for_user,
    review_planning_court,
    reviews_visible_to,
)
from evaluation.services import metric_run_on_demand


@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    organisations = organisations_recomputable_by(request.user)
    if not organisations.exists():
        raise Http404
    form = RecomputeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        run = metric_run_on_demand(
            actor=officer_for_user(request.user),
            organisation=form.cleaned_data["organisation"],
            window=Window(form.cleaned_data["start"], form.cleaned_data["end"]),
        )
        return redirect("evaluation:run", run_id=run.pk)
    return render(request, "evaluation/recompute.html", {"form": form})


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return render(request, "evaluation/run.html", {"run": metric_run_get_for_user(request.user, run_id=run_id)})


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment HTMX polls every second until the run is finished."""
    run = metric_run_get_for_user(request.user, run_id=run_id)
    return render(request, "evaluation/_run_progress.html", {"run": run})


# --- quality review pages --------------------------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = reviews_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Review.Status.values:
        reviews = reviews.filter(status=status)
    plan = None
    if (plan_id := _int(request.GET.get("plan"))) is not None:
        plan = ReviewPlan.objects.filter(pk=plan_id, reviews__in=reviews).distinct().first()
        reviews = reviews.filter(plan_id=plan_id)
    page = keyset_page(request, reviews, ordering=("-created_at", "-pk"), size=50)
    return render(
        request,
        "evaluation/review_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Review.Status.choices,
            "plan": plan,
            "can_plan": review_planning_court(request.user) is not None,
        },
    )


@login_required
def review_plan_new(request: HttpRequest) -> HttpResponse:
    """评查计划: the case-management office plans reviews of its court's closed cases (a sample, the amended or
    remanded cases, picks by number) and may assign an evaluator at once."""
    court = review_planning_court(request.user)
    if court is None:
        raise Http404
    evaluators = evaluators_of(court)
    today = timezone.localdate()
    initial = {"start": today.replace(month=1, day=1), "end": today, "kind": "routine"}
    form = ReviewPlanForm(request.POST or None, evaluators=evaluators, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = review_services.review_plan_create(
            actor=officer_for_user(request.user),
            name=data["name"],
            kind=data["kind"],
            organisation=court,
            window=Window(data["start"], data["end"]),
            sample_percent=data["sample_percent"] or 0,
            sample_size=data["sample_size"] or 0,
            include_amended_remanded=data["include_amended_remanded"],
            case_numbers=form.numbers(),
            evaluator=data["evaluator"],
        )
        total = plan.reviews.count()
        waiting = plan.reviews.filter(status=Review.Status.PENDING).count()
        messages.success(
            request,
            _("Plan “%(name)s”: %(total)s cases selected, %(assigned)s assigned, %(waiting)s waiting for an evaluator.")
            % {"name": plan.name, "total": total, "assigned": total - waiting, "waiting": waiting},
        )
        return redirect(f"{reverse('evaluation:reviews')}?plan={plan.pk}")
    return render(request, "evaluation/review_plan.html", {"form": form, "court": court})


@login_required
def review_detail(request: HttpRequest, public_id) -> HttpResponse:
    review = review_get_for_user(request.user, public_id=public_id)
    officer = officer_for_user(request.user)
    if request.method == "POST" and officer is not None:
        _review_step(request, officer, review)
        messages.success(request, _("Saved."))
        return redirect("evaluation:review", public_id=review.public_id)
    return render(
        request,
        "evaluation/review_detail.html",
        {
            "review": review,
            "me": officer,
            "grades": Grade.choices,
            "catalogue": defect_catalogue_for(review.case.case_type, review.case.organisation.kind),
            "evaluators": evaluators_of(review.case.organisation),
            "can_assign": officer is not None
            and review.status in ("pending", "assigned")
            and officer.pk != review.evaluator_id
            and power_decide(officer=officer, action_type=ActionType.REVIEW_ASSIGNED, case=review.case).allowed,
            **_finalising(officer, review),
            "today": timezone.localdate(),
        },
    )


def _finalising(officer: Officer | None, review: Review) -> dict[str, Any]:
    """Whether this officer sees the 定案 section, and if they hold the power but may not use it now, why."""
    if officer is None or review.status not in ("graded", "responded") or officer.pk == review.officer_id:
        return {"can_finalise": False, "finalise_note": ""}
    if not power_decide(officer=officer, action_type=ActionType.REVIEW_FINALISED, case=review.case).allowed:
        return {"can_finalise": False, "finalise_note": ""}
    if officer.pk == review.evaluator_id:
        note = _("You graded this review: another member of the case-management office finalises it.")
        return {"can_finalise": False, "finalise_note": note}
    if review.status == "graded" and timezone.localdate() <= review.response_due:
        note = _("The officer may answer until %(due)s; the review can be finalised after that, or once answered.")
        return {"can_finalise": False, "finalise_note": note % {"due": review.response_due.isoformat()}}
    return {"can_finalise": True, "finalise_note": ""}


def _review_step(request: HttpRequest, officer: Officer, review: Review) -> None:
    """The step the posted form asks for, through its service; a refusal goes to the middleware."""
    step = request.POST.get("step")
    version = _int(request.POST.get("version"))
    if step == "assign":
        evaluator = Officer.objects.prefetch_related("roles").filter(officer_id=request.POST.get("evaluator")).first()
        if evaluator is None:
            raise ValidationFailed(_("Choose an evaluator."), details={"evaluator": [_("Choose an evaluator.")]})
        review_services.review_assign(actor=officer, review=review, evaluator=evaluator, expected_version=version)
    elif step == "grade":
        codes = request.POST.getlist("defects")
        items = {i.code: i for i in DefectItem.objects.filter(code__in=codes, is_active=True)}
        review_services.review_grade(
            actor=officer,
            review=review,
            grade=request.POST.get("grade", ""),
            defects=[(items[c], request.POST.get(f"note_{c}", "")) for c in codes if c in items],
            summary=request.POST.get("summary", ""),
            expected_version=version,
        )
    elif step == "respond":
        review_services.review_respond(
            actor=officer, review=review, statement=request.POST.get("statement", ""), expected_version=version
        )
    elif step == "finalise":
        review_services.review_finalise(actor=officer, review=review, expected_version=version)
    else:
        raise ValidationFailed(_("Unknown step."))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def performance(request: HttpRequest, public_id: Any = None) -> HttpResponse:
    """业绩档案: an officer's year (their own by default): metrics of the year's windows, reviews, defect points and
    consequences. Others' files only within one's oversight (``officer_for_performance``); otherwise 404."""
    me = officer_for_user(request.user)
    if me is None:
        raise Http404
    officer = officer_for_performance(request.user, public_id=public_id or me.public_id)
    year_text = request.GET.get("year") or str(timezone.localdate().year)
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else timezone.localdate().year
    data = performance_file(officer, year=year)
    for row in data["metrics"]:
        row["label"] = METRIC_LABELS.get(row["metric"], row["metric"])
    return render(request, "evaluation/performance.html", {"officer": officer, "file": data, "year": year})
