"""Celery tasks: with REDIS_URL set (CI) a real worker runs them; without it they run eagerly in-process."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from accountability import outbox
from accountability.celery import app
from cases.models import ChainDigest
from cases.tasks import digest_chain_heads_task
from tests.test_broker_hang import _reset_broker_connections

#: A worker thread has its own database connection, so these tests commit for real (the flush after
#: each such test wipes the data migrations' rows too; the world fixture puts them back).
real_commits = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    """A real Celery worker thread against Redis when configured; nothing (eager mode) otherwise."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    # Start from a fresh broker connection and no back-off, whatever an earlier test in the session left (a pool
    # it closed, a failed send that set the outbox's back-off): each test here sends for real.
    _reset_broker_connections()
    outbox._backoff_until = 0.0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as running:
        yield running


def wait_for(predicate, seconds: float = 20.0) -> bool:
    """Poll the database while a worker in another thread does its job (bounded; no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.celery_worker
@real_commits
def test_daily_digest_task_runs_on_the_worker(worker, world):
    world.case()
    digest_chain_heads_task.delay()
    assert wait_for(lambda: ChainDigest.objects.filter(day=timezone.localdate()).exists())
    digest = ChainDigest.objects.get()
    assert (digest.chains, digest.actions) == (1, 1)  # one case, its one "assigned" action


def test_beat_schedule_registers_the_daily_digest():
    entry = settings.CELERY_BEAT_SCHEDULE["chain-digest-daily"]
    assert entry["task"] == "cases.digest_chain_heads"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})
    assert "cases.digest_chain_heads" in app.tasks


@pytest.mark.celery_worker
@real_commits
def test_nightly_fan_out_runs_on_the_worker(worker, world):
    from evaluation.models import MetricResult, MetricRun
    from evaluation.tasks import nightly_metrics_task

    world.case(filed_on=dt.date(2026, 11, 3))
    nightly_metrics_task.delay("2026-11-22")
    assert wait_for(lambda: MetricRun.objects.filter(key="nightly:2026-11-22", finished_at__isnull=False).exists())
    run = MetricRun.objects.get()
    assert (run.total, run.done) == (4, 4)  # three organisations and the cross-organisation item
    assert MetricResult.objects.filter(metric="filed_count", subject="judge", value=1).count() == 4


@pytest.mark.celery_worker
@real_commits
def test_detection_after_an_event_runs_on_the_worker_after_commit(worker, world):
    from cases.extensions import case_decide_extension, extension_request
    from supervision.models import Flag

    case = world.case(filed_on=timezone.localdate() - dt.timedelta(days=20))
    first = extension_request(actor=world.judge, case=case, days=30, reason="第一次申请延长审限")
    case_decide_extension(actor=world.president, request=first, approve=True)
    extension_request(actor=world.judge, case=case, days=30, reason="第二次申请延长审限")
    assert wait_for(lambda: Flag.objects.filter(case=case, situation__code="RP-05").exists())
    assert Flag.objects.filter(case=case, situation__code="RP-05").count() == 1  # once, however many events ran


@pytest.mark.celery_worker
@real_commits
def test_the_sweep_and_escalation_tasks_run_on_the_worker(worker, world):
    from supervision.models import Flag
    from supervision.tasks import supervision_escalate, supervision_sweep

    case = world.case(filed_on=timezone.localdate() - dt.timedelta(days=400), time_limit_days=0)
    supervision_sweep.delay()
    assert wait_for(lambda: Flag.objects.filter(case=case, situation__code="RP-03").exists())
    Flag.objects.filter(case=case).update(act_by=timezone.now() - dt.timedelta(minutes=1))
    supervision_escalate.delay()
    assert wait_for(lambda: Flag.objects.filter(case=case, escalation_level=1).exists())


def test_beat_schedule_registers_the_supervision_jobs():
    for name, task in (
        ("supervision-sweep", "supervision.sweep"),
        ("supervision-escalation", "supervision.escalate"),
        ("interference-reports-missing", "interference.reports_missing"),
    ):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == task
        assert task in app.tasks


def _redis(*args: str) -> None:
    import subprocess

    subprocess.run(list(args), check=False, capture_output=True, timeout=20)


def _redis_up() -> bool:
    import redis as redis_client

    try:
        return bool(redis_client.Redis.from_url(settings.REDIS_URL or "redis://127.0.0.1:6379").ping())
    except Exception:  # noqa: BLE001 - down is an answer
        return False


@pytest.mark.celery_worker
@real_commits
@pytest.mark.skipif(
    not settings.REDIS_URL
    or "127.0.0.1" not in (settings.REDIS_URL or "")
    or not __import__("shutil").which("redis-server"),
    reason="stops and restarts the local Redis: CI and this machine only",
)
def test_with_redis_stopped_the_action_is_recorded_and_its_task_runs_when_redis_is_back(world):
    """Fault injection: Redis is shut down for real. Logging an action still commits, with its task in the outbox;
    once Redis is back the relay sends it and the worker raises the alert it was for."""
    from accountability.models import OutboxMessage
    from accountability.outbox import relay
    from cases.extensions import extension_request
    from supervision.models import Flag

    case = world.case(parties_count=15)  # G-02: ten or more parties
    _redis("redis-cli", "-p", "6379", "shutdown", "nosave")
    try:
        assert wait_for(lambda: not _redis_up(), 10)
        extension_request(actor=world.judge, case=case, days=30, reason="鉴定未完成")
        assert case.actions.filter(action_type="extension_requested").exists()  # recorded at once
        message = OutboxMessage.objects.get(task="supervision.detect_case", sent_at__isnull=True)
        assert message.args == [case.pk] and message.last_error
    finally:
        _redis(
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        )
        assert wait_for(_redis_up, 20)
    assert relay() == 1
    from celery.contrib.testing.worker import start_worker

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: Flag.objects.filter(case=case, situation__code="G-02").exists())
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None
