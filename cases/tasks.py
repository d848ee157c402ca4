"""Celery tasks for the trace: thin, they call services."""

import logging

from celery import shared_task

from cases.audit import digest_chain_heads

logger = logging.getLogger(__name__)


@shared_task(name="cases.digest_chain_heads")
def digest_chain_heads_task() -> str:
    digest = digest_chain_heads()
    logger.info("chain digest %s for %s (%s chains)", digest.digest, digest.day, digest.chains)
    return digest.digest


@shared_task(name="cases.detect_case", acks_late=True)
def detect_case(case_id: int) -> int:
    """Evaluate the automatic rules on one case after an event (idempotent: one open flag per situation)."""
    from cases.supervision import detect_for_case

    return len(detect_for_case(case_id))


@shared_task(name="cases.supervision_sweep", acks_late=True)
def supervision_sweep() -> dict[str, int]:
    from cases.supervision import sweep

    raised = sweep()
    logger.info("supervision sweep raised %s", raised)
    return raised


@shared_task(name="cases.supervision_escalate", acks_late=True)
def supervision_escalate() -> dict[str, int]:
    from cases.supervision import escalate_overdue, remind_overdue_tasks

    return {"escalated": escalate_overdue(), "overdue_tasks": remind_overdue_tasks()}


@shared_task(name="cases.interference_reports_missing", acks_late=True)
def interference_reports_missing() -> int:
    from cases.interference import flag_missing_reports

    return flag_missing_reports()


@shared_task(name="cases.action_partitions", acks_late=True)
def action_partitions() -> list[int]:
    """The action table's yearly partitions two years ahead (idempotent: creates only what is missing)."""
    from cases.partitions import ensure_partitions

    created = ensure_partitions()
    if created:
        logger.info("action partitions created for %s", created)
    return created
