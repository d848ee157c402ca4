"""The one hash-chain module: every chain of the system (a case's trace, the interference register, each
discipline proceeding, the daily digests) is computed and verified here, in one canonical form.

A link's hash is ``SHA-256(prev_hash + "\\n" + canonical JSON of the row)``. The canonical JSON holds exactly the
chain's hashed columns (in their ``values()`` spelling, so database ids, not objects), keys sorted, compact, not
ASCII-escaped; an instant is written as whole microseconds since the epoch (exact and zone-free). The first link's
``prev_hash`` is ``GENESIS_HASH``.

Kept free of ORM access: the writers (services, import, the generator's SQL mirrors it) and the checkers share
exactly this definition. Two chains were written in older forms before this module (interference records and
proceeding events, form 1); their rows keep the form they were written in (``hash_form``) and are verified in it,
so existing chains still verify: see ``LEGACY_FORMS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

GENESIS_HASH = "0" * 64
#: The form every writer uses now. A row written before a chain adopted it names its own form (``hash_form``).
FORM = 2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def timestamp(value: datetime) -> int:
    """An instant as whole microseconds since the epoch: exact, zone-free and cheap to compute."""
    return (value - _EPOCH) // _MICROSECOND


def _plain(value: Any) -> Any:
    return timestamp(value) if isinstance(value, datetime) else value


def canonical(row: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The canonical JSON of ``row`` restricted to ``fields``."""
    data = {name: _plain(row[name]) for name in fields}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link_hash(prev_hash: str, row: Mapping[str, Any], fields: Sequence[str]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(row, fields)}".encode()).hexdigest()


def normalise_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON round trip, so a payload hashed is exactly what the database returns."""
    return json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class Chain:
    """One kind of chain: its name (in messages) and the columns its hashes cover."""

    name: str
    #: what one link is called in messages ("action", "record", "event")
    item: str
    fields: tuple[str, ...]
    #: older forms this chain's rows may have been written in (form number → hash function)
    legacy: Mapping[int, Callable[[str, Mapping[str, Any]], str]] = field(default_factory=dict)

    def hash(self, prev_hash: str, row: Mapping[str, Any], *, form: int = FORM) -> str:
        if form == FORM:
            return link_hash(prev_hash, row, self.fields)
        return self.legacy[form](prev_hash, row)

    def columns(self) -> tuple[str, ...]:
        """What a checker reads of each row: the hashed columns, the link and the form."""
        return tuple(
            dict.fromkeys((*self.fields, "seq", "prev_hash", "hash", *(("hash_form",) if self.legacy else ())))
        )


@dataclass(frozen=True)
class BrokenLink:
    seq: int | None
    problem: str


def verify(
    chain: Chain, rows: Iterable[Mapping[str, Any]], *, head: str | None = None, length: int | None = None
) -> list[BrokenLink]:
    """Walk one chain's rows (in ``seq`` order, each with ``chain.columns()``, from ``seq`` 1) and report every
    broken link: a row whose content no longer matches its hash (edited), a ``prev_hash`` that is not the previous row's hash or
    a gap in ``seq`` (a row removed or inserted), and, when given, a stored head or length that disagrees with
    the last row."""
    broken: list[BrokenLink] = []
    previous, expected_seq = GENESIS_HASH, 1
    for row in rows:
        if row["seq"] != expected_seq:
            broken.append(
                BrokenLink(row["seq"], f"expected {chain.item} #{expected_seq} here (missing or inserted {chain.item})")
            )
            expected_seq = row["seq"]
        if row["prev_hash"] != previous:
            broken.append(BrokenLink(row["seq"], f"prev_hash does not match the previous {chain.item}'s hash"))
        if chain.hash(row["prev_hash"], row, form=row.get("hash_form", FORM)) != row["hash"]:
            broken.append(BrokenLink(row["seq"], "content does not match its hash (edited)"))
        previous, expected_seq = row["hash"], expected_seq + 1
    if (head is not None and head != previous) or (length is not None and length != expected_seq - 1):
        broken.append(BrokenLink(None, f"recorded head/length ({length}) disagree with the chain ({expected_seq - 1})"))
    return broken


# --- the chains ------------------------------------------------------------------------------------------------


def _interference_form_1(prev_hash: str, row: Mapping[str, Any]) -> str:
    """Interference records written before this module: no separator between the previous hash and the JSON."""
    return hashlib.sha256((prev_hash + canonical(row, INTERFERENCE.fields)).encode()).hexdigest()


def _proceeding_form_1(prev_hash: str, row: Mapping[str, Any]) -> str:
    """Proceeding events written before this module: short keys and ISO instants."""
    data = {
        "proceeding": row["proceeding_id"],
        "seq": row["seq"],
        "kind": row["kind"],
        "stage": row["stage"],
        "actor": row["actor_id"],
        "occurred_at": row["occurred_at"].isoformat(),
        "note": row["note"],
        "payload": row["payload"],
        "power_item_code": row["power_item_code"],
    }
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


#: A case's trace (``cases.Action``): per case, linked from ``Case.trace_head``.
CASE_TRACE = Chain(
    "case trace",
    "action",
    (
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
    ),
)

#: The interference register (``interference.InterferenceRecord``): one chain for the whole register.
INTERFERENCE = Chain(
    "interference register",
    "record",
    (
        "seq",
        "case_id",
        "organisation_id",
        "department_id",
        "recorder_id",
        "source_kind",
        "person_name",
        "person_employer",
        "person_post",
        "relationship",
        "person_officer_id",
        "occurred_at",
        "channel",
        "content",
        "handling",
        "recorded_at",
    ),
    legacy={1: _interference_form_1},
)

#: A discipline proceeding's events (``discipline.ProceedingEvent``): per proceeding.
PROCEEDING = Chain(
    "proceeding",
    "event",
    ("proceeding_id", "seq", "kind", "stage", "actor_id", "occurred_at", "note", "payload", "power_item_code"),
    legacy={1: _proceeding_form_1},
)
