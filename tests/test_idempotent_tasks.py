"""Every scheduled task is idempotent (SECURITY.md "Reliability"): a task delivered twice — Redis redelivers an
unacknowledged task after a worker dies — changes nothing the second time. Run every task of the beat schedule
on a court with work in it, then again: no table gains or loses a row (a nightly run's own log excepted), and
no stored metric value differs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from accountability.celery import app
from cases.models import Case
from evaluation.models import MetricResult

pytestmark = pytest.mark.django_db

RUN_LOGS = {"evaluation.metricrun", "evaluation.metricrunitem"}  # each run records that it ran


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model.objects.count() for model in apps.get_models() if model._meta.managed}


def test_every_scheduled_task_run_twice_changes_nothing_the_second_time(world, settings):
    for n in range(3):
        case = world.case(case_number=f"（2025）沪0101民初{700 + n}号", filed_on=dt.date(2025, 1, 5 + n))
        if n == 0:
            Case.objects.filter(pk=case.pk).update(
                closed_on=dt.date(2025, 3, 1), closing_method="judgment", outcome="plaintiff_wins"
            )
    app.loader.import_default_modules()
    tasks = [app.tasks[entry["task"]] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    for task in tasks:
        task.apply().get()
    counts, values = row_counts(), sorted(MetricResult.objects.values_list("level", "subject", "metric", "value"))
    for task in tasks:
        task.apply().get()
    again = row_counts()
    changed = {label: (counts[label], again[label]) for label in counts if counts[label] != again[label]}
    assert set(changed) <= RUN_LOGS, changed
    assert sorted(MetricResult.objects.values_list("level", "subject", "metric", "value")) == values
    assert values  # the nightly job did store results: the comparison can fail
