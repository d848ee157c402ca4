"""Celery tasks for the trace: thin, they call services."""

import logging

from celery import shared_task

from cases.audit import digest_chain_heads
from cases.partitions import ensure_partitions

logger = logging.getLogger(__name__)


@shared_task(name="cases.digest_chain_heads")
def digest_chain_heads_task() -> str:
    digest = digest_chain_heads()
    logger.info("chain digest %s for %s (%s chains)", digest.digest, digest.day, digest.chains)
    return digest.digest


@shared_task(name="cases.action_partitions", acks_late=True)
def action_partitions() -> list[int]:
    """The action table's yearly partitions two years ahead (idempotent: creates only what is missing)."""
    created = ensure_partitions()
    if created:
        logger.info("action partitions created for %s", created)
    return created
