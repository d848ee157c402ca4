"""Celery tasks for four-category supervision and risk points: thin, ids in, they call services."""

import datetime as dt
import logging

from celery import shared_task

from supervision.services import (
    detect_for_case,
    escalate_overdue,
    remind_overdue_tasks,
    sweep_run_item,
    sweep_run_nightly,
)

logger = logging.getLogger(__name__)


@shared_task(name="supervision.detect_case", acks_late=True)
def detect_case(case_id: int) -> int:
    """Evaluate the automatic rules on one case after an event (idempotent: one open flag per situation)."""
    return len(detect_for_case(case_id))


@shared_task(name="supervision.sweep", acks_late=True)
def supervision_sweep(day: str | None = None) -> int:
    """01:15 Asia/Shanghai: start (or resume) today's sweep and fan it out, one task per organisation."""
    run = sweep_run_nightly(day=dt.date.fromisoformat(day) if day else None)
    logger.info("supervision sweep %s: %s/%s organisations done", run.key, run.done, run.total)
    return run.pk


@shared_task(name="supervision.sweep_organisation", acks_late=True, reject_on_worker_lost=True)
def supervision_sweep_organisation(run_id: int, organisation_id: int) -> int | None:
    """Idempotent (a finished item is skipped; a flag is never raised twice), so it is acknowledged only after it
    ran: a killed worker's task is delivered again."""
    raised = sweep_run_item(run_id=run_id, organisation_id=organisation_id)
    if raised is None:
        logger.info("supervision sweep %s organisation %s: already done", run_id, organisation_id)
        return None
    return sum(raised.values())


@shared_task(name="supervision.escalate", acks_late=True)
def supervision_escalate() -> dict[str, int]:
    return {"escalated": escalate_overdue(), "overdue_tasks": remind_overdue_tasks()}
