"""Bulk writes for imports and generators: COPY on PostgreSQL, bulk_create elsewhere.

Rows are plain dicts keyed by column (``attname``), so no model instance is
built per row on the fast path; each column's text form comes from its field.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.expressions import DatabaseDefault

from accountability.chain import CASE_TRACE
from cases.models import Case


def _text(value: Any) -> str:
    return '"' + str(value).replace('"', '""') + '"'


def _formatter(field: models.Field) -> Callable[[Any], str]:
    """COPY's CSV: an unquoted empty cell is NULL, and text is always quoted, so "" stays an empty string."""
    if isinstance(field, models.JSONField):
        return lambda v: _text(json.dumps(v, ensure_ascii=False))
    if isinstance(field, models.CharField | models.TextField):
        return _text
    if isinstance(field, models.BooleanField):
        return lambda v: "t" if v else "f"
    if isinstance(field, models.DateTimeField | models.DateField):
        return lambda v: v.isoformat()
    return str


def model_row(instance: models.Model) -> dict[str, Any]:
    """An unsaved instance as the row ``copy_rows`` takes (every concrete column but the primary key)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key}


def _value(row: dict[str, Any], field: models.Field) -> Any:
    value = row.get(field.attname, DatabaseDefault)
    return _default(field) if value is DatabaseDefault or isinstance(value, DatabaseDefault) else value


def _default(field: models.Field) -> Any:
    """What a column a row leaves out gets: the field's database default (a seal column's "") or its default."""
    if field.db_default is not models.NOT_PROVIDED:
        return getattr(field.db_default, "value", field.db_default)
    return field.get_default()


def copy_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts of concrete columns by attname, without the primary key) in one statement.

    A column a row leaves out takes its field's default, on both paths alike, so a column added to
    the model later does not break the writers that predate it.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    columns = [(f, _formatter(f)) for f in fields]
    buffer = io.StringIO()
    for row in rows:
        values = ((_value(row, f), fmt) for f, fmt in columns)
        buffer.write(",".join("" if value is None else fmt(value) for value, fmt in values))
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)


def update_heads(heads: Iterable[tuple[int, str, int]]) -> None:
    """Set (trace_head, trace_length) of many cases at once, each with its seal (``trace_mac``): one statement
    per 5,000 cases on PostgreSQL."""
    heads = [(pk, head, length, CASE_TRACE.seal_head(pk, length, head)) for pk, head, length in heads]
    if not heads:
        return
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(
            [Case(pk=pk, trace_head=head, trace_length=length, trace_mac=mac) for pk, head, length, mac in heads],
            ["trace_head", "trace_length", "trace_mac"],
            batch_size=500,
        )
        return
    from psycopg2.extras import execute_values

    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"UPDATE {Case._meta.db_table} AS c SET trace_head = v.head, trace_length = v.length, "  # noqa: S608
            "trace_mac = v.mac FROM (VALUES %s) AS v(id, head, length, mac) WHERE c.id = v.id",
            heads,
            template="(%s::bigint, %s, %s::integer, %s)",
            page_size=5000,
        )
