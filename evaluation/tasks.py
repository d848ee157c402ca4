"""Celery tasks of the evaluation app: thin, primitive ids in, call a service."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from evaluation.services import metric_run_item_compute, metric_run_nightly

logger = logging.getLogger(__name__)


@shared_task(name="evaluation.nightly_metrics")
def nightly_metrics_task(day: str | None = None) -> int:
    """02:00 Asia/Shanghai: start (or resume) tonight's run and fan out one task per organisation."""
    run = metric_run_nightly(day=dt.date.fromisoformat(day) if day else None)
    logger.info("metric run %s: %s/%s organisations done", run.key, run.done, run.total)
    return run.pk


@shared_task(name="evaluation.compute_run_item", acks_late=True, reject_on_worker_lost=True)
def compute_run_item_task(run_id: int, organisation_id: int) -> int | None:
    """Idempotent (a finished item is skipped), so it is acknowledged only after it ran: a killed worker's
    task is delivered again."""
    rows = metric_run_item_compute(run_id=run_id, organisation_id=organisation_id)
    if rows is None:
        logger.info("metric run %s organisation %s: already done", run_id, organisation_id)
    return rows
