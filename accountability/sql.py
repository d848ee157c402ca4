"""Helpers for the set-wise statements written in SQL (metrics, rules)."""

from __future__ import annotations

from django.db import connections


def jit_off(using: str = "default") -> None:
    """No JIT compilation for the rest of the current transaction (PostgreSQL; elsewhere, or outside a transaction,
    nothing). Statements with many conditional sums (a metric run) or a branch per flow (a rule such as RP-06)
    are estimated above ``jit_above_cost``, and compiling them took far longer than running them: 0.5 s of a
    0.85 s metric statement at 1 M cases; 30.6 s to compile and 2.4 s to run RP-06 over a court's open cases."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
