"""The nightly job: standard windows, one item per organisation, idempotent, resumable; on-demand recompute."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.conf import settings

from accountability.errors import PowerDenied
from evaluation.metrics import Window
from evaluation.models import MetricResult, MetricRun, MetricRunItem
from evaluation.services import (
    metric_run_item_compute,
    metric_run_nightly,
    metric_run_on_demand,
    metric_run_start,
    standard_windows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Tasks are queued on commit; the test's transaction never commits, so run them as if it had."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


def test_standard_windows_end_with_the_last_complete_day():
    assert standard_windows(dt.date(2026, 11, 22)) == [
        Window(dt.date(2026, 11, 1), dt.date(2026, 11, 21)),
        Window(dt.date(2026, 10, 1), dt.date(2026, 11, 21)),
        Window(dt.date(2026, 1, 1), dt.date(2026, 11, 21)),
        Window(dt.date(2025, 11, 22), dt.date(2026, 11, 21)),
    ]
    # on 1 January the windows are last year's, and the year to date is the last 12 months: computed once
    assert standard_windows(dt.date(2025, 1, 1)) == [
        Window(dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        Window(dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ]
    # a year back from 29 February is 28 February
    assert standard_windows(dt.date(2024, 3, 1))[-1] == Window(dt.date(2023, 3, 1), dt.date(2024, 2, 29))


def test_nightly_run_covers_every_organisation_and_window(world, committed):
    world.case(filed_on=dt.date(2026, 11, 3))
    run = committed(metric_run_nightly, day=dt.date(2026, 11, 22))
    run.refresh_from_db()
    assert (run.total, run.done, run.finished_at is not None) == (4, 4, True)  # 3 organisations + cross
    windows = set(MetricResult.objects.values_list("window_from", "window_to").distinct())
    assert windows == {(w.start, w.end) for w in standard_windows(dt.date(2026, 11, 22))}
    mtd = MetricResult.objects.get(
        window_from=dt.date(2026, 11, 1), level="officer", subject="judge", metric="filed_count"
    )
    assert mtd.value == 1


def test_second_start_of_the_same_night_resumes_and_changes_nothing(world, committed):
    world.case(filed_on=dt.date(2026, 11, 3))
    first = committed(metric_run_nightly, day=dt.date(2026, 11, 22))
    rows = list(MetricResult.objects.order_by("pk").values_list("pk", "value", "computed_at"))
    again = committed(metric_run_nightly, day=dt.date(2026, 11, 22))
    assert (again.pk, MetricRun.objects.count()) == (first.pk, 1)
    assert list(MetricResult.objects.order_by("pk").values_list("pk", "value", "computed_at")) == rows


def test_an_interrupted_run_finishes_only_what_is_left(world, committed):
    world.case(filed_on=dt.date(2026, 11, 3))
    run = committed(metric_run_nightly, day=dt.date(2026, 11, 22))
    # simulate a worker that died before finishing the court's item
    item = MetricRunItem.objects.get(run=run, organisation=world.court)
    MetricRunItem.objects.filter(pk=item.pk).update(finished_at=None)
    MetricRun.objects.filter(pk=run.pk).update(done=3, finished_at=None)
    MetricResult.objects.filter(organisation=world.court).delete()
    assert metric_run_item_compute(run_id=run.pk, organisation_id=world.high.pk) is None  # done: skipped
    committed(metric_run_nightly, day=dt.date(2026, 11, 22))
    run.refresh_from_db()
    assert (run.done, run.finished_at is not None) == (4, True)
    assert MetricResult.objects.filter(organisation=world.court, metric="filed_count", subject="judge").count() == 4


def test_on_demand_recompute_is_power_checked(world, committed):
    window = Window(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    world.case()
    run = committed(metric_run_on_demand, actor=world.president, organisation=world.court, window=window)
    run.refresh_from_db()
    assert (run.kind, run.percent, run.requested_by) == ("on_demand", 100, world.president)
    assert MetricResult.objects.filter(window_from=window.start, subject="judge", metric="filed_count").get().value == 1
    with pytest.raises(PowerDenied):
        metric_run_on_demand(actor=world.judge, organisation=world.court, window=window)
    with pytest.raises(PowerDenied):  # another court is out of the president's scope
        metric_run_on_demand(actor=world.president, organisation=world.other_court, window=window)


def test_nightly_schedule_is_registered():
    entry = settings.CELERY_BEAT_SCHEDULE["metrics-nightly"]
    assert (entry["task"], entry["schedule"].hour, entry["schedule"].minute) == ("evaluation.nightly_metrics", {2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_a_worker_killed_inside_an_item_leaves_nothing_half_done_and_the_rerun_gives_identical_results(
    world, committed, monkeypatch
):
    from evaluation import services

    for i in range(3):
        world.case(filed_on=dt.date(2026, 11, 3), closed_on=dt.date(2026, 11, 10 + i), closing_method="judgment")
    day = dt.date(2026, 11, 22)

    def snapshot():
        return sorted(
            MetricResult.objects.values_list(
                "window_from", "window_to", "level", "subject", "metric", "numerator", "denominator", "value"
            )
        )

    committed(metric_run_nightly, day=day)
    clean = snapshot()
    MetricRunItem.objects.all().delete()
    MetricRun.objects.all().delete()
    MetricResult.objects.all().delete()
    real = services.metrics_store_for_organisation

    def dies_on_the_court(*, windows, organisation, cross):
        rows = real(windows=windows, organisation=organisation, cross=cross)  # some rows written ...
        if organisation is not None and organisation.pk == world.court.pk:
            raise SystemExit("worker killed")  # ... then the process dies before the item is marked done
        return rows

    monkeypatch.setattr(services, "metrics_store_for_organisation", dies_on_the_court)
    run = metric_run_start(
        key=f"nightly:{day}",
        kind=MetricRun.Kind.NIGHTLY,
        windows=standard_windows(day),
        organisations=[world.high, world.court, world.other_court, None],
    )
    for organisation in (world.high, world.court):
        with contextlib.suppress(SystemExit):
            metric_run_item_compute(run_id=run.pk, organisation_id=organisation.pk)
    assert not MetricResult.objects.filter(organisation=world.court).exists()  # rolled back with the item
    assert not MetricRunItem.objects.get(run=run, organisation=world.court).finished_at
    monkeypatch.setattr(services, "metrics_store_for_organisation", real)
    committed(metric_run_nightly, day=day)  # the next start of the same night resumes it
    run.refresh_from_db()
    assert (run.done, run.total) == (4, 4)
    assert snapshot() == clean
