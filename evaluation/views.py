"""Evaluation pages: on-demand recompute of metrics with a live progress bar."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accountability.errors import DomainError, NotFound
from accountability.selectors import officer_for_user
from evaluation.forms import RecomputeForm
from evaluation.metrics import Window
from evaluation.selectors import metric_run_get_for_user, organisations_recomputable_by
from evaluation.services import metric_run_on_demand


@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    organisations = organisations_recomputable_by(request.user)
    if not organisations.exists():
        raise Http404
    form = RecomputeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            run = metric_run_on_demand(
                actor=officer_for_user(request.user),
                organisation=form.cleaned_data["organisation"],
                window=Window(form.cleaned_data["start"], form.cleaned_data["end"]),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("evaluation:run", run_id=run.pk)
    return render(request, "evaluation/recompute.html", {"form": form})


def _run_or_404(request: HttpRequest, run_id: int):
    try:
        return metric_run_get_for_user(request.user, run_id=run_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return render(request, "evaluation/run.html", {"run": _run_or_404(request, run_id)})


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment HTMX polls every second until the run is finished."""
    return render(request, "evaluation/_run_progress.html", {"run": _run_or_404(request, run_id)})
