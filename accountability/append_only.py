"""The PostgreSQL side of append-only tables, for migrations: one trigger function refusing UPDATE and DELETE
(row by row) and TRUNCATE (per statement), attached to each table that must never change (trace, digests, audits,
attachments, registers).

The app's own database role cannot get past them (it owns no table, so it can neither disable a trigger nor
drop one; see the README's deployment section). The owner role, which runs migrations, can: the triggers stop
mistakes, and the chains' keyed seals (``accountability.chain``) make what an owner does anyway detectable.

Tests empty tables with TRUNCATE between transactional tests: the function lets a TRUNCATE through only in a
database whose name starts with ``test_`` and in a session that set ``quanze.allow_truncate`` to ``on``
(``accountability.settings_test``); a deployment's database has no such name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION quanze_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\\_%'
            AND coalesce(current_setting('quanze.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'quanze: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def truncate_trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION quanze_refuse_change()"
    )


def _partitions(schema_editor: Any, table: str) -> list[str]:
    """A partitioned table's partitions (a TRUNCATE of one partition does not fire the parent's trigger)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation installing the refusing triggers on ``tables`` (PostgreSQL only; the models
    refuse changes on every database)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
            )
            schema_editor.execute(truncate_trigger_sql(table))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")

    return migrations.RunPython(forwards, backwards)


def refuse_truncate(*tables: str) -> migrations.RunPython:
    """A migration operation adding the TRUNCATE trigger to tables made append-only before it existed (and to
    each partition of a partitioned one)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        for table in tables:
            for name in (table, *_partitions(schema_editor, table)):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {name}")
                schema_editor.execute(truncate_trigger_sql(name))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            for name in (table, *_partitions(schema_editor, table)):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {name}")

    return migrations.RunPython(forwards, backwards)


@contextmanager
def past_the_trigger(schema_editor: Any, table: str) -> Iterator[None]:
    """A data migration writing into an append-only table (sealing rows written before seals existed): the
    trigger is off for the block, in the migration's transaction, so nobody else sees it off."""
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    try:
        yield
    finally:
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
