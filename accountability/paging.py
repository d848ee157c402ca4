"""Keyset ("cursor") pagination for the pages whose lists grow without bound: the audit, notifications, the
interference register, the review list, a dashboard's drill-down. ``OFFSET`` reads and throws away every row
before the page (page 2,000 of the audit reads 100,000 rows); a keyset page starts at an index position, so
every page costs the same. The cursor is the last row's ordering values, signed so that it cannot be forged
into a different query. Each kind of list signs with its own salt (the model and the ordering, or the ``kind``
a page names), so a cursor copied from one list (the audit's times) onto another (a drill-down's dates) does not
verify there; a cursor that does not verify, or whose values do not fit the list, is a 400 (``BadRequest``),
never a server error.

The ordering must end in a unique, non-null column (``pk``), and its columns must be non-null."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict

SALT = "quanze.paging"
PARAM = "cursor"


def _plain(value: Any) -> Any:
    """Dates and datetimes as full ISO strings (to the microsecond: DjangoJSONEncoder keeps milliseconds only,
    and rows of the same millisecond would be skipped); the ORM reads them back in a filter."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


class _Serializer:
    def dumps(self, obj: Any) -> bytes:
        return json.dumps(obj, default=_plain, separators=(",", ":")).encode("latin-1")

    def loads(self, data: bytes) -> Any:
        return json.loads(data.decode("latin-1"))


@dataclass
class KeysetPage:
    items: list[Any]
    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        return self.next_query is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_query is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _after(ordering: Sequence[str], values: Sequence[Any], *, backwards: bool) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (before them when ``backwards``)."""
    condition = Q(pk__in=[])
    for k, term in enumerate(ordering):
        name = term.lstrip("-")
        descending = term.startswith("-") != backwards
        step = Q(**{f"{name}__lt" if descending else f"{name}__gt": values[k]})
        for i in range(k):
            step &= Q(**{ordering[i].lstrip("-"): values[i]})
        condition |= step
    return condition


def _reverse(ordering: Sequence[str]) -> list[str]:
    return [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]


def _query(request: HttpRequest, cursor: str | None) -> str:
    params: QueryDict = request.GET.copy()
    params.pop(PARAM, None)
    params.pop("page", None)
    if cursor:
        params[PARAM] = cursor
    return params.urlencode()


def cursor_salt(queryset: QuerySet, ordering: Sequence[str], kind: str | None = None) -> str:
    """The signing salt of one kind of list: a cursor made for one kind does not verify on another."""
    return f"{SALT}:{kind or queryset.model._meta.label_lower}:{','.join(ordering)}"


class BadCursor(BadRequest):
    """A cursor that was not made for this list (or was altered): Django answers 400."""


def _read_cursor(raw: str, *, salt: str, width: int) -> tuple[str, list[Any]]:
    try:
        direction, values = signing.loads(raw, salt=salt, serializer=_Serializer)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("This page link is not valid for this list; start again from the first page.") from exc
    if direction not in ("next", "previous") or not isinstance(values, list) or len(values) != width:
        raise BadCursor("This page link is not valid for this list; start again from the first page.")
    return direction, values


def keyset_page(
    request: HttpRequest, queryset: QuerySet, *, ordering: Sequence[str], size: int, kind: str | None = None
) -> KeysetPage:
    """One page of ``queryset`` in ``ordering``, positioned by the request's ``cursor`` parameter (``BadCursor``,
    a 400, when it was made for another kind of list). ``kind`` names the list when two lists of the same model
    and ordering must not accept each other's cursors."""
    names = [term.lstrip("-") for term in ordering]
    salt = cursor_salt(queryset, ordering, kind)
    direction, values = "next", None
    raw = request.GET.get(PARAM)
    if raw:
        direction, values = _read_cursor(raw, salt=salt, width=len(ordering))
    backwards = direction == "previous" and values is not None
    rows = queryset.order_by(*(_reverse(ordering) if backwards else ordering))
    try:
        if values is not None:
            rows = rows.filter(_after(ordering, values, backwards=backwards))
        items = list(rows[: size + 1])
    except (ValidationError, ValueError, TypeError) as exc:  # signed, but its values do not fit these columns
        raise BadCursor("This page link is not valid for this list; start again from the first page.") from exc
    more = len(items) > size
    items = items[:size]
    if backwards:
        items.reverse()

    def cursor_for(item: Any, where: str) -> str:
        key = [getattr(item, name) for name in names]
        return signing.dumps([where, key], salt=salt, serializer=_Serializer, compress=True)

    page = KeysetPage(items=items)
    if items:
        if backwards or more:  # backwards, we came from a later page
            page.next_query = _query(request, cursor_for(items[-1], "next"))
        if (values is not None and not backwards) or (backwards and more):
            page.previous_query = _query(request, cursor_for(items[0], "previous"))
    if values is not None:
        page.first_query = _query(request, None)
    return page
