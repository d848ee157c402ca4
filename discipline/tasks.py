"""Celery tasks for discipline: thin, they call services."""

import logging

from celery import shared_task

from discipline.services import deadlines_check

logger = logging.getLogger(__name__)


@shared_task(name="discipline.deadlines", acks_late=True)
def deadlines() -> dict[str, int]:
    counts = deadlines_check()
    logger.info("discipline deadlines %s", counts)
    return counts
