"""The one chain module: one canonical form for every chain, and the chains written before it still verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection

from accountability import chain
from accountability.chain import CASE_TRACE, GENESIS_HASH, INTERFERENCE, PROCEEDING
from accountability.models import ChainHead
from discipline import services as discipline
from discipline.models import ProceedingEvent
from interference import services as interference
from interference.models import InterferenceRecord
from tests.conftest import past_append_only_triggers
from tests.test_discipline import opened
from tests.test_interference import record


def _raw(sql: str, params: list) -> None:
    """Write behind the application's back (on PostgreSQL past the append-only trigger), as an old release did."""
    with past_append_only_triggers(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_canonical_form_is_sha256_over_the_previous_hash_a_newline_and_compact_sorted_json():
    row = {"b": "案件", "a": 1, "at": dt.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=dt.UTC)}
    expected = hashlib.sha256(f'{GENESIS_HASH}\n{{"a":1,"at":1000005,"b":"案件"}}'.encode()).hexdigest()
    assert chain.link_hash(GENESIS_HASH, row, ("a", "b", "at")) == expected
    assert chain.canonical(row, ("b", "a")) == '{"a":1,"b":"案件"}'


def test_every_chain_hashes_in_the_one_form():
    row = dict.fromkeys({*CASE_TRACE.fields, *INTERFERENCE.fields, *PROCEEDING.fields})
    for kind in (CASE_TRACE, INTERFERENCE, PROCEEDING):
        assert kind.hash("f" * 64, row) == chain.link_hash("f" * 64, row, kind.fields)


def test_verify_names_an_edit_a_gap_and_a_wrong_head():
    kind = chain.Chain("test", "entry", ("seq", "text"))
    first = {"seq": 1, "text": "一", "prev_hash": GENESIS_HASH}
    first["hash"] = kind.hash(GENESIS_HASH, first)
    third = {"seq": 3, "text": "三", "prev_hash": "0" * 63 + "1"}
    third["hash"] = kind.hash(third["prev_hash"], third)
    first["mac"], third["mac"] = kind.seal(first["hash"]), kind.seal(third["hash"])
    edited = {**first, "text": "改"}
    assert chain.verify(kind, [first]) == []
    assert chain.verify(kind, [edited]) == [chain.BrokenLink(1, "content does not match its hash (edited)")]
    assert chain.verify(kind, [first, third], head=third["hash"], length=3) == [
        chain.BrokenLink(3, "expected entry #2 here (missing or inserted entry)"),
        chain.BrokenLink(3, "prev_hash does not match the previous entry's hash"),
    ]
    assert chain.verify(kind, [first], head="x", length=1) == [
        chain.BrokenLink(None, "recorded head/length (1) disagree with the chain (1)")
    ]


def _interference_hash_before(prev_hash: str, row: dict) -> str:
    """What ``cases/interference.py`` computed before the one chain module (copied from that release)."""
    fields = (
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
    )
    data = {name: row[name] for name in fields}
    for name in ("occurred_at", "recorded_at"):
        data[name] = (row[name] - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _proceeding_hash_before(prev_hash: str, row: dict) -> str:
    """What ``discipline/services.py`` computed before the one chain module (copied from that release)."""
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
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def test_an_interference_record_written_in_the_old_form_still_verifies_and_an_edit_of_it_is_found(world):
    written = record(world, world.case())
    assert (written.hash_form, interference.verify_records()) == (2, [])
    row = InterferenceRecord.objects.values().get(pk=written.pk)
    old = _interference_hash_before(row["prev_hash"], row)
    # written in form 1, then sealed as it stood by the migration that brought seals (and its head with it)
    _raw(
        "UPDATE cases_interferencerecord SET hash_form = 1, hash = %s, mac = %s WHERE id = %s",
        [old, INTERFERENCE.seal(old), written.pk],
    )
    ChainHead.objects.filter(name=INTERFERENCE.name).update(
        head=old, mac=INTERFERENCE.seal_head(INTERFERENCE.name, 1, old)
    )
    assert interference.verify_records() == []
    _raw("UPDATE cases_interferencerecord SET content = %s WHERE id = %s", ["改写", written.pk])
    assert interference.verify_records() == ["interference register #1: content does not match its hash (edited)"]


def test_a_proceeding_event_written_in_the_old_form_still_verifies_and_an_edit_of_it_is_found(world):
    proceeding = opened(world)
    event = proceeding.events.get(seq=1)
    assert (event.hash_form, discipline.verify_events(proceeding)) == (2, [])
    row = ProceedingEvent.objects.values().get(pk=event.pk)
    old = _proceeding_hash_before(row["prev_hash"], row)
    _raw(
        "UPDATE discipline_proceedingevent SET hash_form = 1, hash = %s, mac = %s WHERE id = %s",
        [old, PROCEEDING.seal(old), event.pk],
    )
    proceeding.__class__.objects.filter(pk=proceeding.pk).update(
        trace_head=old, trace_mac=PROCEEDING.seal_head(proceeding.pk, 1, old)
    )
    assert discipline.verify_events(proceeding) == []
    _raw("UPDATE discipline_proceedingevent SET note = %s WHERE id = %s", ["改写", event.pk])
    assert discipline.verify_events(proceeding) == [1]
