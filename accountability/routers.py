"""Reads that may lag a moment (dashboards over stored results) go to a replica when one is configured
(``DATABASE_REPLICA_URL``); everything else, and every write, stays on the primary.

Which reads may go is said where they are made, with ``replica_reads()``, not guessed from the model: the same
model (a case, a flag) is read by a write path that must see its own writes."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_REPLICA = "replica"
_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("quanze_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside the block, reads go to the replica if there is one."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_configured() -> bool:
    """A replica connection is configured and reads may use it (``QUANZE_REPLICA_READS``: off, they stay on the
    primary; the test suite turns it off, as its tests run inside transactions no replica sees)."""
    return _REPLICA in settings.DATABASES and settings.QUANZE_REPLICA_READS


def replica_catch_up(*, timeout: float) -> bool:
    """Wait until the replica has replayed everything the primary has written so far (the primary's WAL position
    now); False if it has not within ``timeout`` seconds. True at once without a replica (PostgreSQL only)."""
    if _REPLICA not in settings.DATABASES:
        return True
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[_REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_replica.get() and replica_configured():
            return _REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != _REPLICA
