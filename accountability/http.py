"""Small readers of request values shared by the HTML views."""

from __future__ import annotations


def int_or_none(value: str | None) -> int | None:
    """A posted integer (a version, an id), or None when absent or not a number: the service then says why."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
