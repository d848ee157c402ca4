"""The one hash-chain module: every chain of the system (a case's trace, the interference register, each
discipline proceeding, the audit and the sign-in events, the daily digests) is computed, sealed and verified here,
in one canonical form.

A link's hash is ``SHA-256(prev_hash + "\\n" + canonical JSON of the row)``. The canonical JSON holds exactly the
chain's hashed columns (in their ``values()`` spelling, so database ids, not objects), keys sorted, compact, not
ASCII-escaped; an instant is written as whole microseconds since the epoch (exact and zone-free). The first link's
``prev_hash`` is ``GENESIS_HASH``.

A chain's SHA-256 proves only that rows still link to each other: whoever can write the table can recompute every
hash and the head. So every link also carries a keyed **seal** (``mac``): ``"<key id>:" + HMAC-SHA256(key,
"link\\n<chain>\\n<hash>")`` with a key held outside the database (``settings.QUANZE_CHAIN_KEYS``, from the
environment or a ``*_FILE`` secret). The hash covers the previous hash, so a link's seal vouches for its whole
prefix; every head (a case's ``trace_head``, a proceeding's, ``ChainHead`` of the one-chain registers) carries one
too, over its length, so a removed tail is found as well. New seals use the current key id (the first key of the
setting); old ones verify under the key id they name, as long as that key is still configured (rotation). An empty
chain with no seal passes (a case imported without actions has none), so a trace removed whole with its head
reset to empty is not caught here; the daily digests (which fold the heads) change, but are not recomputed.

Kept free of ORM access: the writers (services, import, the generator's SQL mirrors it) and the checkers share
exactly this definition. Two chains were written in older forms before this module (interference records and
proceeding events, form 1); their rows keep the form they were written in (``hash_form``) and are verified in it,
so existing chains still verify: see ``LEGACY_FORMS``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings

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


#: ``json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"))``, built once: ``dumps`` with
#: arguments builds a new encoder per call, which was a third of hashing an imported action.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(row: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The canonical JSON of ``row`` restricted to ``fields``."""
    return _CANONICAL.encode({name: _plain(row[name]) for name in fields})


def link_hash(prev_hash: str, row: Mapping[str, Any], fields: Sequence[str]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(row, fields)}".encode()).hexdigest()


def normalise_payload(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON round trip, so a payload hashed is exactly what the database returns."""
    return json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))


# --- seals: the keyed MACs -------------------------------------------------------------------------------------


def keys() -> Mapping[str, bytes]:
    """The configured chain keys by key id; the first is the current one (``settings.QUANZE_CHAIN_KEYS``)."""
    return settings.QUANZE_CHAIN_KEYS


def current_key_id() -> str:
    return next(iter(keys()))


@functools.lru_cache(maxsize=16)
def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 primed with ``key``; each seal copies it instead of deriving the key pads again."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _mac(key_id: str, message: str) -> str:
    mac = _keyed(keys()[key_id]).copy()
    mac.update(message.encode())
    return f"{key_id}:" + mac.hexdigest()


def seal_link(chain_name: str, link: str) -> str:
    """The seal of one link (its stored ``hash``), under the current key."""
    return _mac(current_key_id(), f"link\n{chain_name}\n{link}")


def seal_head(chain_name: str, scope: Any, length: int, head: str) -> str:
    """The seal of a chain's head: which chain (``scope``: the case's or proceeding's id, or the register's name),
    how long, ending in which hash."""
    return _mac(current_key_id(), f"head\n{chain_name}\n{scope}\n{length}\n{head}")


def _check(seal: str, message: str) -> str | None:
    """None when ``seal`` is a valid seal of ``message`` under the key it names, else what is wrong with it."""
    if not seal:
        return "not sealed (no MAC)"
    key_id, _, _mac_hex = seal.partition(":")
    if key_id not in keys():
        return f"sealed under key id {key_id!r}, which is not configured"
    if not hmac.compare_digest(_mac(key_id, message), seal):
        return "MAC does not match (rewritten, hashes recomputed without the key)"
    return None


def check_link(chain_name: str, link: str, seal: str) -> str | None:
    return _check(seal, f"link\n{chain_name}\n{link}")


def check_head(chain_name: str, scope: Any, length: int, head: str, seal: str) -> str | None:
    return _check(seal, f"head\n{chain_name}\n{scope}\n{length}\n{head}")


def seal_text(text: str) -> str:
    """A seal over any text (an exported list of digests)."""
    return _mac(current_key_id(), f"text\n{text}")


def check_text(text: str, seal: str) -> str | None:
    return _check(seal, f"text\n{text}")


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

    def seal(self, link: str) -> str:
        return seal_link(self.name, link)

    def seal_head(self, scope: Any, length: int, head: str) -> str:
        return seal_head(self.name, scope, length, head)

    def columns(self) -> tuple[str, ...]:
        """What a checker reads of each row: the hashed columns, the link, its seal and the form."""
        return tuple(
            dict.fromkeys((*self.fields, "seq", "prev_hash", "hash", "mac", *(("hash_form",) if self.legacy else ())))
        )


@dataclass(frozen=True)
class BrokenLink:
    seq: int | None
    problem: str


def verify(
    chain: Chain,
    rows: Iterable[Mapping[str, Any]],
    *,
    head: str | None = None,
    length: int | None = None,
    scope: Any = None,
    head_mac: str | None = None,
    sealed: bool = True,
) -> list[BrokenLink]:
    """Walk one chain's rows (in ``seq`` order, each with ``chain.columns()``, from ``seq`` 1) and report every
    broken link: a row whose content no longer matches its hash (edited), a ``prev_hash`` that is not the previous row's hash or
    a gap in ``seq`` (a row removed or inserted), a seal that does not vouch for the row's hash (the row and the
    hashes after it recomputed by someone without the key), and, when given, a stored head or length that
    disagrees with the last row, or a head whose seal (``head_mac``, over ``scope``, length and head) is wrong
    (a tail removed, or the head rewritten). ``sealed=False`` checks the hashes only (rows without ``mac``)."""
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
        if sealed and (problem := check_link(chain.name, row["hash"], row["mac"])):
            broken.append(BrokenLink(row["seq"], problem))
        previous, expected_seq = row["hash"], expected_seq + 1
    if (head is not None and head != previous) or (length is not None and length != expected_seq - 1):
        broken.append(BrokenLink(None, f"recorded head/length ({length}) disagree with the chain ({expected_seq - 1})"))
    stored_length = expected_seq - 1 if length is None else length
    stored_head = previous if head is None else head
    if (
        head_mac is not None
        and (head_mac or stored_length)
        and (problem := check_head(chain.name, scope, stored_length, stored_head, head_mac))
    ):
        broken.append(BrokenLink(None, f"head: {problem}"))
    return broken


def verify_owned(chain: Chain, owner: Any, events: Any) -> list[BrokenLink]:
    """One owner's chain (a meeting's, a proceeding's, an assessment's): its ``events`` (a queryset) walked against
    the head stored on the owner's row (``trace_head``, ``trace_length``, ``trace_mac``), read afresh."""
    stored = type(owner)._default_manager.values("trace_head", "trace_length", "trace_mac").get(pk=owner.pk)
    return verify(
        chain,
        events.order_by("seq").values(*chain.columns()),
        head=stored["trace_head"],
        length=stored["trace_length"],
        scope=owner.pk,
        head_mac=stored["trace_mac"],
    )


def verify_owners(chain: Chain, owners: Any, events_of: Callable[[Any], Any]) -> list[str]:
    """Every owner's chain (for ``verify_audit_chain``): each broken link as a line naming the owner and the link."""
    lines: list[str] = []
    for owner in owners.order_by("pk").only("pk"):
        lines += [
            f"{chain.name} {owner.pk} {'#' + str(link.seq) if link.seq is not None else '(head)'}: {link.problem}"
            for link in verify_owned(chain, owner, events_of(owner))
        ]
    return lines


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

#: A deliberation meeting's record (``deliberation.MeetingEvent``): per meeting (attendance, recusals, opinions,
#: votes, resolutions, each member's sign-off of the minutes), linked from ``Meeting.trace_head``.
MEETING = Chain(
    "meeting",
    "event",
    ("meeting_id", "seq", "kind", "actor_id", "occurred_at", "note", "payload"),
)

#: The security audit (``accountability.AuditEvent``): one chain, its head in ``ChainHead``.
AUDIT = Chain(
    "audit",
    "event",
    ("seq", "at", "kind", "user_id", "username", "source_ip", "object_type", "object_id", "outcome", "detail"),
)

#: The sign-in events (``accountability.AuthEvent``): one chain, its head in ``ChainHead``.
SIGN_IN = Chain("sign-in", "event", ("seq", "at", "kind", "username", "user_id", "source_ip", "detail"))


# --- every chain, for verify_audit_chain -------------------------------------------------------------------------

#: name → a function walking that chain (or family of chains) and returning its problems as lines. Each app
#: registers its own (in its ``AppConfig.ready``), so the command in a lower layer checks them all.
CHECKERS: dict[str, Callable[[], list[str]]] = {}


def register_checker(name: str, checker: Callable[[], list[str]]) -> None:
    CHECKERS[name] = checker


#: The name the daily digests are sealed under (``cases.ChainDigest.mac``, ``seal_link`` over the digest).
DIGESTS = "daily digests"
