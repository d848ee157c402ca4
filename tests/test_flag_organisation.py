"""Issue 23: a flag keeps its case's organisation, so a court's alerts panel is one index range."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.selectors import Scope, alerts_panel
from supervision import services as supervision
from supervision.models import Flag, Situation

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _crowded(world, organisation):
    """An open civil case with fifteen parties (G-02, 群体性纠纷, fires on it), filed ten days ago."""
    return world.case(organisation=organisation, parties_count=15, filed_on=NOW.date() - dt.timedelta(days=10))


def test_every_way_of_raising_a_flag_keeps_the_cases_organisation_and_the_panel_counts_only_its_own(frozen, world):
    g02 = Situation.objects.get(code="G-02")
    swept = [_crowded(world, world.court), _crowded(world, world.court), _crowded(world, world.other_court)]
    assert supervision.sweep(situations=[g02]) == {"G-02": 3}  # the sweep's batch writer (bulk_create)
    detected = _crowded(world, world.court)
    assert len(supervision.detect_for_case(detected.pk, situations=[g02])) == 1  # one case's event (create)
    raised = world.case()
    supervision.flag_raise(actor=world.judge, case=raised, situation=Situation.objects.get(code="M-02"), reason="分歧")
    for case in [*swept, detected, raised]:
        flags = list(Flag.objects.filter(case=case).values_list("organisation_id", flat=True))
        assert flags and set(flags) == {case.organisation_id}
    court = alerts_panel(Scope("organisation", world.court.code, world.court, "法院"))
    other = alerts_panel(Scope("organisation", world.other_court.code, world.other_court, "法院"))
    assert (court["open"], other["open"]) == (4, 1)
    assert {(r["situation__code"], r["open"]) for r in court["rows"]} == {("G-02", 3), ("M-02", 1)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan checked is PostgreSQL's")
def test_a_courts_alerts_panel_reads_the_open_flags_index_of_its_organisation(world):
    case = world.case()
    supervision.flag_raise(actor=world.judge, case=case, situation=Situation.objects.get(code="M-02"), reason="分歧")
    with CaptureQueriesContext(connection) as ctx:
        alerts_panel(Scope("organisation", world.court.code, world.court, "法院"))
    (query,) = [q["sql"] for q in ctx.captured_queries if "cases_flag" in q["sql"]]
    assert "cases_case" not in query  # no visit to the cases
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + query)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "flag_open_by_organisation" in text, text
