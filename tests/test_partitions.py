"""The action table partitioned by the case's filing year (PostgreSQL): each case's trace in its year's
partition, (case, seq) still unique, the append-only trigger on every partition, partitions made ahead."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from cases import partitions
from cases.models import Action

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("declarative partitioning is PostgreSQL's")


def partition_of(action: Action) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cases_action WHERE id = %s", [action.pk])
        return cursor.fetchone()[0]


def test_each_case_trace_lives_in_its_filing_years_partition(world):
    assert 2024 in partitions.ensure_partitions(first_year=2024)  # a new database starts at last year
    old = world.case(case_number="（2024）沪0101民初9号", filed_on=dt.date(2024, 12, 30))
    new = world.case(case_number="（2026）沪0101民初9号", filed_on=dt.date(2026, 1, 4))
    ancient = world.case(case_number="（1998）沪0101民初9号", filed_on=dt.date(1998, 3, 1))
    for case, table in ((old, "cases_action_y2024"), (new, "cases_action_y2026"), (ancient, "cases_action_default")):
        actions = list(Action.objects.filter(case=case))
        assert actions and {a.case_year for a in actions} == {case.filed_on.year}
        assert {partition_of(a) for a in actions} == {table}
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert out.getvalue().strip() == "all chains intact"


def test_the_append_only_trigger_and_the_unique_seq_hold_on_every_partition(world):
    case = world.case(filed_on=dt.date(2025, 6, 1))
    action = Action.objects.filter(case=case).first()
    for statement in (
        "UPDATE cases_action_y2025 SET note = 'x' WHERE id = %s",
        "DELETE FROM cases_action_y2025 WHERE id = %s",
        "UPDATE cases_action SET note = 'x' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [action.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_action (case_id, seq, case_year, action_type, occurred_at, recorded_at, source, note, "
            "payload, power_item_code, dedup_key, prev_hash, hash) SELECT case_id, seq, case_year, action_type, "
            "occurred_at, recorded_at, source, note, payload, power_item_code, dedup_key, prev_hash, hash "
            "FROM cases_action WHERE id = %s",
            [action.pk],
        )


def test_partitions_are_made_two_years_ahead_once(db):
    with transaction.atomic():
        created = partitions.ensure_partitions(today=dt.date(2031, 1, 1))
        assert created and max(created) == 2033
        assert partitions.ensure_partitions(today=dt.date(2031, 1, 1)) == []
        with connection.cursor() as cursor:
            assert {2031, 2032, 2033} <= partitions.existing(cursor)
        transaction.set_rollback(True)
