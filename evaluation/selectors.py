"""Reads of evaluation data, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accountability.choices import ActionType
from accountability.errors import NotFound
from accountability.models import Organisation
from accountability.powers import power_decide
from accountability.selectors import officer_for_user, organisations_visible_to
from evaluation.models import MetricRun


def organisations_recomputable_by(user: Any) -> QuerySet[Organisation]:
    """The visible organisations whose metrics this user may recompute (as the power list says)."""
    officer = officer_for_user(user)
    if officer is None:
        return Organisation.objects.none()
    allowed = [
        org.pk
        for org in organisations_visible_to(user)
        if power_decide(officer=officer, action_type=ActionType.METRICS_RECOMPUTED, organisation=org).allowed
    ]
    return Organisation.objects.filter(pk__in=allowed)


def metric_run_get_for_user(user: Any, *, run_id: int) -> MetricRun:
    """A run its requester (or a superuser) may follow; anything else is not found."""
    runs = MetricRun.objects.all()
    if not getattr(user, "is_superuser", False):
        officer = officer_for_user(user)
        runs = runs.filter(requested_by=officer) if officer else runs.none()
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No such run."))
    return run
