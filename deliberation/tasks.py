"""Celery tasks of the deliberation bodies: thin, they call services."""

import logging

from celery import shared_task

from deliberation.services import follow_ups_alert_overdue

logger = logging.getLogger(__name__)


@shared_task(name="deliberation.follow_ups_overdue", acks_late=True)
def follow_ups_overdue() -> int:
    """Alert once on each binding resolution not reflected in a ruling by its date (idempotent)."""
    alerted = follow_ups_alert_overdue()
    logger.info("deliberation follow-ups overdue alerted: %s", alerted)
    return alerted
