"""The action table partitioned by the year the case was filed (PostgreSQL declarative partitioning).

At 100 M actions (DOMAIN.md §10: ten years of a large province) one table means indexes of tens of GB that
every insert walks. Partitioned by ``case_year``:

* a case's whole trace lives in one partition, so the (case, seq) unique constraint, which must include the
  partition key, still means what it says; the chain of each case is untouched;
* new actions go almost all to this year's and last year's partitions, whose indexes stay small and hot;
* an old year can be moved to cheaper storage or detached to an archive database whole, without a
  DELETE (which the append-only trigger refuses anyway);
* the append-only trigger is defined on the parent, so every partition, present and future, refuses
  UPDATE and DELETE; TRUNCATE is refused by a statement trigger on the parent and on each partition.

The costs, accepted: the primary key is (id, case_year), so no table can hold a database foreign key to an
action by id alone. Attachments, search reports and corrections point at actions without a database
constraint; they are written in the same transaction as the action they name, and actions are never
deleted. A query that does not name ``case_year`` visits every partition's index: a handful of years.

Partitions: the years from the oldest case's (or last year, on a new database) to two years ahead, and a DEFAULT partition
for anything outside (a case filed decades ago, imported late). ``ensure_partitions`` adds the years ahead;
it runs in the migration, before the generator loads data, and daily (beat: ``cases.action_partitions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from accountability.append_only import truncate_trigger_sql

TABLE = "cases_action"
YEARS_AHEAD = 2


def is_partitioned(cursor: Any) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def existing(cursor: Any) -> set[int]:
    """The years that have a partition of their own."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return {int(name[-4:]) for (name,) in cursor.fetchall() if name[-4:].isdigit()}


def ensure_partitions(*, first_year: int | None = None, today: dt.date | None = None, cursor: Any = None) -> list[int]:
    """Create the missing yearly partitions from ``first_year`` (default: the earliest that exists, or this
    year) to ``YEARS_AHEAD`` years after ``today``; return the years created. A year whose rows already sit in
    the DEFAULT partition is left there (creating its partition would fail): the default stays correct."""
    if cursor is None and connection.vendor != "postgresql":
        return []
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        if not is_partitioned(cursor):
            return []
        have = existing(cursor)
        year_now = (today or dt.date.today()).year
        start = first_year or (min(have) if have else year_now)
        created = []
        for year in range(start, year_now + YEARS_AHEAD + 1):
            if year in have:
                continue
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE}_default WHERE case_year = %s)", [year])
            if cursor.fetchone()[0]:
                continue
            _create_years(cursor, TABLE, range(year, year + 1))
            created.append(year)
        return created
    finally:
        if own:
            cursor.close()


def _create_years(cursor: Any, parent: str, years: range) -> None:
    for year in years:
        cursor.execute(f"CREATE TABLE {TABLE}_y{year} PARTITION OF {parent} FOR VALUES FROM ({year}) TO ({year + 1})")
        # a statement trigger is not inherited: each partition refuses TRUNCATE itself (accountability.append_only)
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass)",
            [f"{TABLE}_no_truncate", TABLE],
        )
        if cursor.fetchone()[0]:
            cursor.execute(truncate_trigger_sql(f"{TABLE}_y{year}"))


def partition_table(schema_editor: Any, model: Any, *, today: dt.date | None = None) -> None:
    """Migration step: rebuild ``cases_action`` as a table partitioned by ``case_year``, keeping every row, every
    index and foreign key under its name, the identity sequence and the append-only trigger. ``model`` is the
    migration's historical Action, whose columns (``case_year`` included) are copied."""
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor):
            return
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('f', 'c')",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT min(extract(year FROM filed_on))::int FROM cases_case c "
            "WHERE EXISTS (SELECT 1 FROM cases_action a WHERE a.case_id = c.id)"
        )
        oldest = cursor.fetchone()[0]
        columns = [field.column for field in model._meta.concrete_fields]
        names = ", ".join(schema_editor.quote_name(c) for c in columns)
        selected = ", ".join(
            "extract(year FROM c.filed_on)::smallint" if c == "case_year" else f"a.{schema_editor.quote_name(c)}"
            for c in columns
        )
        parent = f"{TABLE}_partitioned"
        cursor.execute(
            f"CREATE TABLE {parent} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (case_year)"
        )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {parent} DEFAULT")
        year_now = (today or dt.date.today()).year
        # the years that hold cases, or last year on a new database; empty years ahead only: each partition
        # a query cannot rule out is one more index probe
        _create_years(cursor, parent, range(min(oldest or year_now - 1, year_now - 1), year_now + YEARS_AHEAD + 1))
        for statement in (
            f"INSERT INTO {parent} ({names}) OVERRIDING SYSTEM VALUE "
            f"SELECT {selected} FROM {TABLE} a JOIN cases_case c ON c.id = a.case_id",
            f"DROP TABLE {TABLE}",
            f"ALTER TABLE {parent} RENAME TO {TABLE}",
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, case_year)",
            f"ALTER TABLE {TABLE} ADD CONSTRAINT action_case_seq UNIQUE (case_id, seq, case_year)",
        ):
            cursor.execute(statement)
        for _name, definition in indexes:
            cursor.execute(definition)  # CREATE INDEX <name> ON public.cases_action ...: the old table is gone
        for name, definition in constraints:
            if "REFERENCES cases_action(" in definition.replace("public.", ""):
                continue  # a self-reference (corrections): there is no unique index on id alone to refer to
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {schema_editor.quote_name(name)} {definition}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, "
            "false)"
        )
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
        )
