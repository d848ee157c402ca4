"""Celery tasks for interference records: thin, they call services."""

from celery import shared_task

from interference.services import flag_missing_reports


@shared_task(name="interference.reports_missing", acks_late=True)
def interference_reports_missing() -> int:
    """Quarterly reports not filed after the grace period are notified once."""
    return flag_missing_reports()
