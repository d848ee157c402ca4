"""Celery tasks: with REDIS_URL set (CI) a real worker runs them; without it they run eagerly in-process."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.utils import timezone

from accountability.celery import app
from cases.models import ChainDigest
from cases.tasks import digest_chain_heads_task


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker thread against Redis when configured; nothing (eager mode) otherwise."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

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
