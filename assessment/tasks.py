"""Celery tasks of the assessment: thin, primitive ids in, call a service."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from accountability.models import Organisation
from assessment.scoring import Period
from assessment.services import assessment_nightly, assessments_compute

logger = logging.getLogger(__name__)


@shared_task(name="assessment.nightly")
def nightly_task(day: str | None = None) -> int:
    """04:00 Asia/Shanghai, after the metrics: one task per organisation; lapsed contest periods close."""
    return assessment_nightly(day=dt.date.fromisoformat(day) if day else None)


@shared_task(name="assessment.compute_organisation", acks_late=True, reject_on_worker_lost=True)
def compute_organisation_task(organisation_id: int, through: str) -> int:
    """The running quarter and year of one organisation through ``through``; idempotent (a recompute)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    day = dt.date.fromisoformat(through)
    written = 0
    for kind in ("quarter", "year"):
        written += assessments_compute(organisation=organisation, period=Period.containing(kind, day), through=day)
    logger.info("assessments of %s through %s: %s written", organisation.code, through, written)
    return written
