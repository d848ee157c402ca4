"""Keyset pages (accountability.paging) on the lists that grow without bound: every row once, in order, forwards
and back; each page the same number of queries however deep; a forged cursor, or one made for another list, is a
400."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import AuditEvent
from tests.conftest import client_for
from tests.factories import make_officer

pytestmark = pytest.mark.django_db


def ids_on(body: str) -> list[str]:
    return re.findall(r"paging-(\d+)", body)


def links(body: str) -> dict[str, str]:
    """The pager's links by name (first, previous, next): their query strings."""
    return {
        m.group(2): m.group(1).replace("&amp;", "&") for m in re.finditer(r'href="\?([^"]*)" class="pager-(\w+)"', body)
    }


def test_the_audit_walks_forwards_and_back_every_event_once_in_constant_queries(world):
    auditor = make_officer("auditor", roles=["auditor"], organisation=world.court, name="审计员")
    for n in range(130):
        AuditEvent.objects.create(kind="read", object_type="paging", object_id=f"paging-{n:03d}", outcome="allowed")
    client = client_for(auditor)
    url, seen, queries = "/audit/?kind=read", [], []
    pages = []
    while True:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        queries.append(len(captured))
        found = ids_on(body)
        pages.append(found)
        seen += found
        nav = links(body)
        if "next" not in nav:
            break
        url = "/audit/?" + nav["next"]
    numbers = [int(x) for x in seen]
    assert numbers == sorted(set(numbers), reverse=True) and len(numbers) == 130  # newest first, none twice
    assert [len(p) for p in pages] == [50, 50, 30]
    assert len(set(queries)) == 1  # the last page costs what the first does
    back = client.get("/audit/?" + links(body)["previous"]).content.decode()
    assert ids_on(back) == pages[1]
    forged = client.get("/audit/?cursor=not-a-signed-cursor")
    assert (forged.status_code, ids_on(forged.content.decode())) == (400, [])
