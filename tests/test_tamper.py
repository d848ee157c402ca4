"""Tamper evidence a database owner cannot defeat (issue 20, findings 1 and 2).

Each attack is first played as the red team played it: as the owner of the tables, turn the append-only trigger
off, change rows, recompute the plain SHA-256 chain and the stored head. Before the seals, verification passed
(the plain check still does, asserted below); the keyed check finds each attack and names the chain and link.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from accountability import audit, chain
from accountability.chain import AUDIT, CASE_TRACE, INTERFERENCE, PROCEEDING, SIGN_IN
from accountability.models import AuditEvent, AuthEvent, ChainHead
from accountability.sealing import chain_events, seal_heads, seal_links
from cases import services
from cases.audit import digest_chain_heads, digest_export, verify_chains, verify_digests
from cases.bulk import copy_rows, model_row, update_heads
from cases.models import Action, Case
from discipline import services as discipline
from discipline.models import Proceeding, ProceedingEvent
from interference import services as interference
from interference.models import InterferenceRecord
from tests.test_discipline import opened
from tests.test_interference import record

pytestmark = pytest.mark.django_db

POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the owner's attack needs PostgreSQL")

OLD_KEY = {"k2025": b"the key of 2025, kept by the security office"}
NEW_KEY = {"k2026": b"the key of 2026, kept by the security office"}


def _as_owner(table: str, sql: str, params: list) -> None:
    """What the owner of the tables can do: turn the table's triggers off, write, turn them on again (on
    SQLite, which has no trigger, just write)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while FK checks are pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _recompute(table: str, kind: chain.Chain, rows: list[dict], *, since: int) -> str:
    """Recompute the plain hashes from ``since`` on, as an attacker without the key can; the new last hash."""
    previous = chain.GENESIS_HASH
    for row in rows:
        if row["seq"] >= since:
            row["prev_hash"], row["hash"] = previous, kind.hash(previous, row)
            _as_owner(
                table,
                f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE seq = %s AND {_scope(kind)}",  # noqa: S608
                [row["prev_hash"], row["hash"], row["seq"], *_scope_value(kind, row)],
            )
        previous = row["hash"]
    return previous


def _scope(kind: chain.Chain) -> str:
    return {CASE_TRACE.name: "case_id = %s", PROCEEDING.name: "proceeding_id = %s"}.get(kind.name, "TRUE")


def _scope_value(kind: chain.Chain, row: dict) -> list:
    return {CASE_TRACE.name: [row.get("case_id")], PROCEEDING.name: [row.get("proceeding_id")]}.get(kind.name, [])


def _verify_command(capsys) -> tuple[int, str]:
    try:
        call_command("verify_audit_chain")
    except SystemExit as exit_info:
        return exit_info.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


# --- the case trace: the red team's attack ----------------------------------------------------------------------


@POSTGRES
def test_an_owner_who_edits_an_action_and_recomputes_the_plain_chain_and_head_is_caught(world, capsys):
    case = world.case()
    target = services.case_log_action(actor=world.judge, case=case, action_type="deliberated", note="维持原判意见")
    services.case_log_action(actor=world.judge, case=case, action_type="ruling_drafted")
    _as_owner("cases_action", "UPDATE cases_action SET note = %s WHERE id = %s", ["改判意见", target.pk])
    rows = list(Action.objects.filter(case=case).order_by("seq").values(*CASE_TRACE.columns()))
    head = _recompute("cases_action", CASE_TRACE, rows, since=target.seq)
    Case.objects.filter(pk=case.pk).update(trace_head=head)
    # the hole the red team found: the plain chain and the head agree again
    rows = list(Action.objects.filter(case=case).order_by("seq").values(*CASE_TRACE.columns()))
    assert chain.verify(CASE_TRACE, rows, head=head, length=len(rows), sealed=False) == []
    # the seals do not
    broken = [(b.seq, b.problem) for b in verify_chains(case_number=case.case_number)]
    mac = "MAC does not match (rewritten, hashes recomputed without the key)"
    assert (target.seq, mac) in broken
    assert (target.seq + 1, mac) in broken  # every later link was recomputed, so every later seal fails too
    assert (None, f"head: {mac}") in broken
    code, out = _verify_command(capsys)
    assert code == 1
    assert f"BROKEN {case.case_number} #{target.seq}: {mac}" in out
    # the case page's badge uses the same keyed check
    client = Client()
    client.force_login(world.judge.user)
    page = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="chain-badge">✘' in page
    assert 'id="chain-badge">✔' not in page


def test_a_removed_tail_with_the_head_moved_back_is_caught_by_the_head_seal(world, capsys):
    case = world.case()
    kept = services.case_log_action(actor=world.judge, case=case, action_type="note", note="保留")
    last = services.case_log_action(actor=world.judge, case=case, action_type="note", note="删去")
    _as_owner("cases_action", "DELETE FROM cases_action WHERE id = %s", [last.pk])
    Case.objects.filter(pk=case.pk).update(trace_head=kept.hash, trace_length=kept.seq)
    broken = [(b.seq, b.problem) for b in verify_chains(case_number=case.case_number)]
    assert broken == [(None, "head: MAC does not match (rewritten, hashes recomputed without the key)")]
    code, out = _verify_command(capsys)
    assert (code, f"BROKEN {case.case_number} (head)" in out) == (1, True)


def test_an_action_inserted_without_a_seal_is_named(world):
    case = world.case()
    action = services.case_log_action(actor=world.judge, case=case, action_type="note")
    _as_owner("cases_action", "UPDATE cases_action SET mac = '' WHERE id = %s", [action.pk])
    assert [(b.seq, b.problem) for b in verify_chains()] == [(action.seq, "not sealed (no MAC)")]


# --- TRUNCATE ----------------------------------------------------------------------------------------------------


@POSTGRES
@pytest.mark.parametrize(
    "table",
    [
        "cases_action",
        "cases_action_default",  # a partition, truncated directly
        "accountability_auditevent",
        "accountability_authevent",
        "cases_interferencerecord",
        "discipline_proceedingevent",
        "cases_chaindigest",
        "accountability_rulechange",
    ],
)
def test_truncate_is_refused_on_every_append_only_table(world, table):
    world.case()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL quanze.allow_truncate = 'off'")  # as in a deployment
        refused = pytest.raises(DatabaseError, match="TRUNCATE on .* is refused: the table is append-only")
        with refused, transaction.atomic():
            cursor.execute(f"TRUNCATE {table} CASCADE")


@POSTGRES
def test_the_test_escape_hatch_is_closed_outside_a_test_database(world):
    """The TRUNCATE trigger lets tests flush only in a database named test_*: in any other it refuses even when
    the session asks (checked by evaluating the function's condition for another database name)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'quanze_refuse_change'")
        source = cursor.fetchone()[0]
    assert "current_database() LIKE 'test\\_%'" in source
    assert connection.settings_dict["NAME"].startswith("test_")


@POSTGRES
def test_a_truncated_audit_is_noticed(world, capsys):
    audit.audit(kind=AuditEvent.Kind.PRIVILEGED, object_type="t", object_id="1", outcome="changed")
    AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN_FAILED, username="president")
    for table in ("accountability_auditevent", "accountability_authevent"):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    code, out = _verify_command(capsys)
    assert code == 1
    assert "BROKEN audit (head): recorded head/length" in out
    assert "BROKEN sign-in (head): recorded head/length" in out


# --- the interference register, proceedings, audit and sign-in events -----------------------------------------


def test_an_interference_record_edited_with_its_chain_recomputed_is_caught(world, capsys):
    first = record(world, world.case())
    record(world, world.case())
    assert interference.verify_records() == []
    _as_owner(
        "cases_interferencerecord", "UPDATE cases_interferencerecord SET content = %s WHERE id = %s", ["无", first.pk]
    )
    rows = list(InterferenceRecord.objects.order_by("seq").values(*INTERFERENCE.columns()))
    head = _recompute("cases_interferencerecord", INTERFERENCE, rows, since=1)
    ChainHead.objects.filter(name=INTERFERENCE.name).update(head=head)
    problems = interference.verify_records()
    assert "interference register #1: MAC does not match (rewritten, hashes recomputed without the key)" in problems
    assert "interference register (head): head: MAC does not match (rewritten, hashes recomputed without the key)" in (
        problems
    )
    code, out = _verify_command(capsys)
    assert (code, "BROKEN interference register #1: MAC does not match" in out) == (1, True)


def test_a_deleted_interference_record_is_caught(world, capsys):
    record(world, world.case())
    last = record(world, world.case())
    _as_owner("cases_interferencerecord", "DELETE FROM cases_interferencerecord WHERE id = %s", [last.pk])
    assert interference.verify_records() == [
        "interference register (head): recorded head/length (2) disagree with the chain (1)"
    ]
    assert _verify_command(capsys)[0] == 1


def test_a_proceeding_event_edited_with_its_chain_recomputed_is_caught(world, capsys):
    proceeding = opened(world)
    rows = list(proceeding.events.order_by("seq").values(*PROCEEDING.columns()))
    _as_owner(
        "discipline_proceedingevent",
        "UPDATE discipline_proceedingevent SET note = 'x' WHERE id = %s",
        [ProceedingEvent.objects.get(proceeding=proceeding, seq=1).pk],
    )
    rows = list(proceeding.events.order_by("seq").values(*PROCEEDING.columns()))
    head = _recompute("discipline_proceedingevent", PROCEEDING, rows, since=1)
    Proceeding.objects.filter(pk=proceeding.pk).update(trace_head=head)
    assert discipline.verify_events(proceeding)[:1] == [1]
    code, out = _verify_command(capsys)
    assert (code, f"BROKEN proceeding {proceeding.pk} #1: MAC does not match" in out) == (1, True)


def test_audit_and_sign_in_events_are_chained_and_an_edit_or_a_deletion_is_caught(world, capsys):
    for n in range(3):
        audit.audit(kind=AuditEvent.Kind.READ, object_type="interference", object_id=n, outcome="allowed")
        AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN, username=f"user{n}", source_ip="10.0.0.1")
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert events[-1].mac.startswith("test:")
    assert ChainHead.objects.get(name=AUDIT.name).length == len(events)
    sign_ins = list(AuthEvent.objects.order_by("seq"))
    assert ChainHead.objects.get(name=SIGN_IN.name).length == len(sign_ins) >= 3
    assert _verify_command(capsys) == (0, "all chains intact\n")

    # the outcome of a read changed and the chain recomputed from there
    edited = events[-2].seq
    _as_owner(
        "accountability_auditevent", "UPDATE accountability_auditevent SET outcome = 'refused' WHERE seq = %s", [edited]
    )
    rows = list(AuditEvent.objects.order_by("seq").values(*AUDIT.columns()))
    head = _recompute("accountability_auditevent", AUDIT, rows, since=edited)
    ChainHead.objects.filter(name=AUDIT.name).update(head=head)
    # a failed sign-in removed from the middle
    removed = sign_ins[-2].seq
    _as_owner("accountability_authevent", "DELETE FROM accountability_authevent WHERE seq = %s", [removed])
    code, out = _verify_command(capsys)
    assert code == 1
    assert f"BROKEN audit #{edited}: MAC does not match" in out
    assert f"BROKEN sign-in #{removed + 1}: expected event #{removed} here (missing or inserted event)" in out


# --- keys: rotation, the key kept outside, the digests ---------------------------------------------------------


def test_a_rotated_key_seals_new_links_and_old_links_verify_under_theirs(world, capsys):
    with override_settings(QUANZE_CHAIN_KEYS=OLD_KEY):
        case = world.case()
        old = services.case_log_action(actor=world.judge, case=case, action_type="note")
        assert old.mac.startswith("k2025:")
    with override_settings(QUANZE_CHAIN_KEYS={**NEW_KEY, **OLD_KEY}):  # the new key first: the current one
        new = services.case_log_action(actor=world.judge, case=case, action_type="note")
        assert new.mac.startswith("k2026:")
        assert Case.objects.get(pk=case.pk).trace_mac.startswith("k2026:")
        assert verify_chains() == []
    with override_settings(QUANZE_CHAIN_KEYS=NEW_KEY):  # the old key dropped too early
        problems = {(b.seq, b.problem) for b in verify_chains(case_number=case.case_number)}
        assert (old.seq, "sealed under key id 'k2025', which is not configured") in problems
    with override_settings(QUANZE_CHAIN_KEYS={"k2026": b"a guessed key of the right length, but wrong"}):
        assert any("MAC does not match" in b.problem for b in verify_chains(case_number=case.case_number))


def test_digests_are_sealed_and_an_export_kept_outside_is_checked_with_its_seals(world, tmp_path):
    world.case()
    digest = digest_chain_heads(day=dt.date(2024, 6, 1))
    assert digest.mac.startswith("test:")
    exported = digest_export()
    assert exported[0]["mac"] == digest.mac
    assert verify_digests(exported) == []
    # a digest row recomputed by the owner (say, to hide a rewritten head) no longer carries a valid seal
    _as_owner("cases_chaindigest", "UPDATE cases_chaindigest SET digest = %s WHERE id = %s", ["e" * 64, digest.pk])
    assert "digest 2024-06-01: MAC does not match (rewritten, hashes recomputed without the key)" in verify_digests()


def test_imported_actions_and_heads_are_sealed(world):
    """The COPY path (cases.bulk) writes the seals the importer computed, and update_heads seals the heads."""
    case = world.case()
    locked = Case.objects.get(pk=case.pk)
    built = [services.trace_build(case=locked, action_type="note", actor=world.judge, source="import") for _ in "ab"]
    copy_rows(Action, [model_row(action) for action in built])
    update_heads([(locked.pk, locked.trace_head, locked.trace_length)])
    assert all(a.mac for a in Action.objects.filter(case=case))
    assert verify_chains(case_number=case.case_number) == []


class _MigrationEditor:
    connection = connection

    def execute(self, sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_sealing_migration_seals_rows_written_before_seals(world):
    """The data migrations' helper seals rows as they stand (here: seals removed behind the app's back)."""
    case = world.case()
    services.case_log_action(actor=world.judge, case=case, action_type="note")
    audit.audit(kind=AuditEvent.Kind.READ, object_type="t", object_id="1", outcome="allowed")
    _as_owner("cases_action", "UPDATE cases_action SET mac = ''", [])
    Case.objects.update(trace_mac="")
    _as_owner("accountability_auditevent", "UPDATE accountability_auditevent SET seq = NULL, hash = '', mac = ''", [])
    ChainHead.objects.filter(name=AUDIT.name).delete()
    assert verify_chains() != []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    editor = _MigrationEditor()  # what the helpers use of a migration's schema editor
    seal_links(editor, apps.get_model("cases", "Action"), CASE_TRACE)
    heads = Case.objects.filter(trace_length__gt=0).values_list("pk", "trace_length", "trace_head")
    seal_heads(editor, Case, CASE_TRACE, heads)
    chain_events(editor, AuditEvent, ChainHead, AUDIT)
    assert verify_chains() == []
    assert audit.verify_event_chains() == []


# --- the app's database role -------------------------------------------------------------------------------------


@POSTGRES
def test_the_apps_role_that_owns_nothing_cannot_turn_a_trigger_off_or_truncate(world):
    """The role docker-compose.yml connects the app as (deploy/postgres-roles.sh): rows only, no ownership."""
    case = world.case()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("CREATE ROLE quanze_tamper_app_test NOLOGIN NOSUPERUSER NOINHERIT")  # undone with the test
        cursor.execute("GRANT USAGE ON SCHEMA public TO quanze_tamper_app_test")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO quanze_tamper_app_test")
        cursor.execute("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO quanze_tamper_app_test")
        cursor.execute("SET ROLE quanze_tamper_app_test")
        try:
            # it can work: log an action (a row in the trace, the case's head updated)
            services.case_log_action(actor=world.judge, case=case, action_type="note", note="以应用角色记录")
            for statement in (
                "ALTER TABLE cases_action DISABLE TRIGGER USER",
                "ALTER TABLE accountability_auditevent DISABLE TRIGGER accountability_auditevent_append_only",
                "DROP TRIGGER cases_action_append_only ON cases_action",
                "TRUNCATE accountability_authevent",
                "SET session_replication_role = replica",
            ):
                with pytest.raises(DatabaseError, match="must be owner|permission denied"), transaction.atomic():
                    cursor.execute(statement)
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("UPDATE cases_action SET note = 'x' WHERE case_id = %s", [case.pk])
        finally:
            cursor.execute("RESET ROLE")
    assert verify_chains(case_number=case.case_number) == []
