"""Celery tasks for four-category supervision and risk points: thin, ids in, they call services."""

import logging

from celery import shared_task

from supervision.services import detect_for_case, escalate_overdue, remind_overdue_tasks, sweep

logger = logging.getLogger(__name__)


@shared_task(name="supervision.detect_case", acks_late=True)
def detect_case(case_id: int) -> int:
    """Evaluate the automatic rules on one case after an event (idempotent: one open flag per situation)."""
    return len(detect_for_case(case_id))


@shared_task(name="supervision.sweep", acks_late=True)
def supervision_sweep() -> dict[str, int]:
    raised = sweep()
    logger.info("supervision sweep raised %s", raised)
    return raised


@shared_task(name="supervision.escalate", acks_late=True)
def supervision_escalate() -> dict[str, int]:
    return {"escalated": escalate_overdue(), "overdue_tasks": remind_overdue_tasks()}
