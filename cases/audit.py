"""Walking the hash chains, and the daily digest of their heads."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accountability import chain
from accountability.chain import CASE_TRACE, GENESIS_HASH
from accountability.models import ChainHead
from cases.models import Action, Case, ChainDigest


@dataclass(frozen=True)
class BrokenLink:
    case_number: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else "(head)"
        return f"{self.case_number} {where}: {self.problem}"


def _case_rows(case_ids: list[int] | None, chunk: int) -> Iterator[tuple[int, str, str, int, str]]:
    queryset = Case.objects.order_by("pk")
    if case_ids is not None:
        queryset = queryset.filter(pk__in=case_ids)
    rows = queryset.values_list("pk", "case_number", "trace_head", "trace_length", "trace_mac")
    yield from rows.iterator(chunk_size=chunk)


def verify_chains(
    *,
    case_number: str | None = None,
    chunk: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> list[BrokenLink]:
    """Recompute every hash of every chain (or one case's) and compare with what is stored.

    Finds: an edited action (its hash no longer matches its content), a removed or
    inserted action (a gap in ``seq`` or a ``prev_hash`` that is not the previous hash),
    an action whose seal does not vouch for its hash (edited and the hashes recomputed
    without the chain key), a case whose recorded head or length disagrees with its last
    action, and a head whose seal is wrong (a tail removed and the head moved back).
    Reads cases in key order and their actions in batches, so memory stays flat.
    """
    broken: list[BrokenLink] = []
    case_ids = None
    if case_number is not None:
        case_ids = list(Case.objects.filter(case_number=case_number).values_list("pk", flat=True))
    batch: list[tuple[int, str, str, int, str]] = []
    walked = 0

    def check(batch: list[tuple[int, str, str, int, str]]) -> None:
        ids = [row[0] for row in batch]
        actions: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
        rows = Action.objects.filter(case_id__in=ids).order_by("case_id", "seq").values(*CASE_TRACE.columns())
        for row in rows.iterator(chunk_size=10000):
            actions[row["case_id"]].append(row)
        for pk, number, head, length, head_mac in batch:
            broken.extend(
                BrokenLink(number, link.seq, link.problem)
                for link in chain.verify(CASE_TRACE, actions[pk], head=head, length=length, scope=pk, head_mac=head_mac)
            )

    total = Case.objects.count() if case_ids is None else len(case_ids)
    for row in _case_rows(case_ids, chunk):
        batch.append(row)
        if len(batch) >= chunk:
            check(batch)
            walked += len(batch)
            batch = []
            if progress:
                progress(walked, total)
    if batch:
        check(batch)
        walked += len(batch)
        if progress:
            progress(walked, total)
    return broken


#: How long a case page trusts its last walk of a case's chain while the chain's head is unchanged. A new action
#: moves the head, so the next view walks again; an old row edited behind the services' back is caught by the
#: next walk after this (and at once by ``verify_audit_chain`` and the nightly digest, which never use it).
CASE_CHAIN_TRUST_SECONDS = 3600


def case_chain_intact(case: Case) -> bool:
    """Whether a case's chain verifies, walked once per head (the case page's badge): the page's cost no longer
    grows with the trace on every view."""
    fingerprint = hashlib.sha256(f"{case.trace_length}:{case.trace_head}:{case.trace_mac}".encode()).hexdigest()
    key = f"quanze:chain-intact:{case.pk}:{fingerprint}"
    intact = cache.get(key)
    if intact is None:
        intact = not verify_chains(case_number=case.case_number)
        cache.set(key, intact, CASE_CHAIN_TRUST_SECONDS)
    return intact


def _fold_heads() -> tuple[str, int, int]:
    digest = hashlib.sha256()
    chains = 0
    actions = 0
    rows = (
        Case.objects.filter(trace_length__gt=0).order_by("pk").values_list("case_number", "trace_head", "trace_length")
    )
    for number, head, length in rows.iterator(chunk_size=5000):
        digest.update(json.dumps([number, head, length], ensure_ascii=False).encode() + b"\n")
        chains += 1
        actions += length
    # the one-chain registers (interference, audit, sign-in) after the cases (``chains`` counts the cases)
    for name, head, length in ChainHead.objects.order_by("name").values_list("name", "head", "length"):
        digest.update(json.dumps([f"chain:{name}", head, length], ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest(), chains, actions


@transaction.atomic
def digest_chain_heads(*, day: dt.date | None = None) -> ChainDigest:
    """Fold every chain head into today's digest (idempotent: one digest per day), chained to yesterday's."""
    day = day or timezone.localdate()
    existing = ChainDigest.objects.filter(day=day).first()
    if existing is not None:
        return existing
    folded, chains, actions = _fold_heads()
    previous = ChainDigest.objects.filter(day__lt=day).order_by("-day").first()
    prev_digest = previous.digest if previous else GENESIS_HASH
    digest = hashlib.sha256(f"{prev_digest}\n{day.isoformat()}\n{chains}\n{actions}\n{folded}".encode()).hexdigest()
    return ChainDigest.objects.create(
        day=day, chains=chains, actions=actions, prev_digest=prev_digest, digest=digest, mac=_seal(digest)
    )


def _seal(digest: str) -> str:
    return chain.seal_link(chain.DIGESTS, digest)


def digest_export() -> list[dict[str, Any]]:
    """All stored digests, oldest first, for safekeeping outside the system."""
    return [
        {
            "day": d.day.isoformat(),
            "chains": d.chains,
            "actions": d.actions,
            "prev_digest": d.prev_digest,
            "digest": d.digest,
            "mac": d.mac,
            "created_at": d.created_at.isoformat(),
        }
        for d in ChainDigest.objects.order_by("day")
    ]


def verify_digests(kept: list[dict[str, Any]] | None = None) -> list[str]:
    """The daily digests: each links to the one before it and carries a valid seal, and (given a copy kept
    outside the system, as ``digest_chain_heads --export`` wrote it) each day kept is still stored unchanged and
    its seal, as kept, checks under the chain key. Returns the problems."""
    problems: list[str] = []
    previous = GENESIS_HASH
    stored = {}
    for d in ChainDigest.objects.order_by("day"):
        if d.prev_digest != previous:
            problems.append(f"digest {d.day}: does not link to the digest before it")
        if problem := chain.check_link(chain.DIGESTS, d.digest, d.mac):
            problems.append(f"digest {d.day}: {problem}")
        previous = d.digest
        stored[d.day.isoformat()] = d
    for entry in kept or []:
        d = stored.get(entry["day"])
        if d is None:
            problems.append(f"digest {entry['day']}: kept outside but no longer stored")
        elif (d.digest, d.prev_digest, d.chains, d.actions) != (
            entry["digest"],
            entry["prev_digest"],
            entry["chains"],
            entry["actions"],
        ):
            problems.append(f"digest {entry['day']}: differs from the copy kept outside")
        if "mac" in entry and (problem := chain.check_link(chain.DIGESTS, entry["digest"], entry["mac"])):
            problems.append(f"digest {entry['day']} as kept outside: {problem}")
    return problems


def check_all() -> list[str]:
    """Every case's trace and the daily digests, as lines (``chain.CHECKERS``)."""
    return [str(link) for link in verify_chains()] + verify_digests()
