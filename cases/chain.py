"""The hash chain: canonical form of an action and the hashes over it.

Kept free of ORM access so that the writer (services, import) and the checker
(``verify_audit_chain``) share exactly one definition of what is hashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cases.models import GENESIS_HASH

#: Columns of ``Action`` that enter the canonical form, in ``values()`` spelling.
HASHED_FIELDS = (
    "case_id",
    "seq",
    "action_type",
    "occurred_at",
    "recorded_at",
    "actor_id",
    "recorded_by_id",
    "source",
    "note",
    "payload",
    "corrects_id",
    "power_item_code",
    "power_item_revision",
    "import_batch_id",
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _timestamp(value: datetime) -> int:
    """An instant as whole microseconds since the epoch: exact, zone-free and cheap to compute."""
    return (value - _EPOCH) // _MICROSECOND


def canonical_action(row: Mapping[str, Any]) -> str:
    """The canonical JSON of an action given as a mapping of ``HASHED_FIELDS``."""
    data = {name: row[name] for name in HASHED_FIELDS}
    data["occurred_at"] = _timestamp(row["occurred_at"])
    data["recorded_at"] = _timestamp(row["recorded_at"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_action(row)}".encode()).hexdigest()


def dedup_key(
    *, case_number: str, occurred_at: datetime, actor_officer_id: str | None, action_type: str, note: str
) -> str:
    """INTERCHANGE.md's identity of an action: (case_number, occurred_at, actor, action_type, note)."""
    identity = [case_number, _timestamp(occurred_at), actor_officer_id or "", action_type, note]
    return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()


def normalise_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON round trip, so the payload hashed is exactly what the database returns."""
    return json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))


__all__ = ["GENESIS_HASH", "HASHED_FIELDS", "canonical_action", "chain_hash", "dedup_key", "normalise_payload"]
