"""Data migrations sealing rows written before the chains carried seals (``accountability.chain``).

Run by the owner role in the migration's transaction: each append-only table's trigger is off only for the
block that writes the seals (``append_only.past_the_trigger``). The rows' hashes are not recomputed: a row whose
hash does not match its content is sealed as it is and still reported by the hash check, so sealing hides no
earlier tampering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg2.extras import execute_values

from accountability import chain
from accountability.append_only import past_the_trigger

BATCH = 5000


def _write(schema_editor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE ``table`` SET ``columns`` from ``rows`` (id first, then one value a column)."""
    if not rows:
        return
    connection = schema_editor.connection
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            execute_values(
                cursor.cursor,
                f"UPDATE {table} AS t SET {sets} FROM (VALUES %s) AS v(id, {', '.join(columns)}) "  # noqa: S608
                "WHERE t.id = v.id",
                rows,
                template="(%s::bigint" + ", %s" * len(columns) + ")",
                page_size=BATCH,
            )
        else:
            placeholders = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {table} SET {placeholders} WHERE id = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )


def seal_links(schema_editor: Any, model: Any, kind: chain.Chain, *, link: str = "hash") -> None:
    """Seal every unsealed row of ``model`` (a historical model with a ``link`` column and ``mac``) as it
    stands."""
    table = model._meta.db_table
    rows = model.objects.filter(mac="").order_by("pk").values_list("pk", link)
    with past_the_trigger(schema_editor, table):
        batch: list[tuple[Any, ...]] = []
        for pk, value in rows.iterator(chunk_size=BATCH):
            batch.append((pk, kind.seal(value)))
            if len(batch) >= BATCH:
                _write(schema_editor, table, ["mac"], batch)
                batch = []
        _write(schema_editor, table, ["mac"], batch)


def seal_heads(schema_editor: Any, model: Any, kind: chain.Chain, heads: Iterable[tuple[Any, int, str]]) -> None:
    """Seal the heads ``(pk, length, head)`` of a mutable model (cases, proceedings) in ``trace_mac``."""
    table = model._meta.db_table
    batch: list[tuple[Any, ...]] = []
    for pk, length, head in heads:
        batch.append((pk, kind.seal_head(pk, length, head)))
        if len(batch) >= BATCH:
            _write(schema_editor, table, ["trace_mac"], batch)
            batch = []
    _write(schema_editor, table, ["trace_mac"], batch)


def chain_events(schema_editor: Any, model: Any, head_model: Any, kind: chain.Chain) -> None:
    """Chain the events written before they were chained, in the order they were written (``pk``), and store
    the chain's sealed head."""
    table = model._meta.db_table
    head = head_model.objects.filter(name=kind.name).first()
    length, previous = (head.length, head.head) if head else (0, chain.GENESIS_HASH)
    columns = [f for f in kind.fields if f != "seq"]
    rows = model.objects.filter(seq__isnull=True).order_by("pk").values("pk", *columns)
    with past_the_trigger(schema_editor, table):
        batch: list[tuple[Any, ...]] = []
        for row in rows.iterator(chunk_size=BATCH):
            length += 1
            row["seq"] = length
            row["source_ip"] = row["source_ip"] or None
            link = kind.hash(previous, row)
            batch.append((row["pk"], length, previous, link, kind.seal(link)))
            previous = link
            if len(batch) >= BATCH:
                _write(schema_editor, table, ["seq", "prev_hash", "hash", "mac"], batch)
                batch = []
        _write(schema_editor, table, ["seq", "prev_hash", "hash", "mac"], batch)
    if length:
        head_model.objects.update_or_create(
            name=kind.name,
            defaults={"length": length, "head": previous, "mac": kind.seal_head(kind.name, length, previous)},
        )
