"""Similar-case search's background tasks, enqueued by name through the outbox (``services.PUSH_TASK``)."""

from __future__ import annotations

from celery import shared_task

from similar import services


@shared_task(name="similar.push_cases", acks_late=True)
def push_cases(case_ids: list[int]) -> int:
    """类案推送 for these cases (idempotent: an unchanged case is skipped), then 偏离预警 for those decided."""
    computed = services.push_compute(case_ids)
    services.deviation_compute(case_ids)
    return computed
