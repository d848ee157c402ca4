"""A real read replica (issue 23, item 7): a second PostgreSQL cluster streaming the primary's WAL
(``deploy/replica.sh``). The dashboards' reads are served by it and show what was written on the primary once it
has replayed that far; every write goes to the primary, and the replica itself refuses one.

Needs ``QUANZE_TEST_REPLICA_URL`` (the replica; its database name is replaced by the test database's):
    sudo bash deploy/replica.sh
    QUANZE_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433/x DATABASE_URL=… pytest tests/test_replica.py
Skipped without it, except in CI (``CI=true``), where ``.ci/run`` starts the replica: a missing one fails there."""

from __future__ import annotations

import os
import re
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InternalError, OperationalError, connection, connections, router
from django.test.utils import CaptureQueriesContext

from accountability.routers import replica_catch_up, replica_reads
from cases import services
from cases.models import Action, Case
from evaluation.models import MetricRange, MetricResult
from supervision.models import Flag
from tests.test_dashboards import KEY, W, cell, populate

REPLICA = "replica"
CONFIGURED = REPLICA in settings.DATABASES
IN_CI = os.environ.get("CI", "").lower() in ("1", "true")
CATCH_UP_SECONDS = 60
# What the dashboard reads that only it reads: none of these may be read on the primary while its reads are on.
DASHBOARD_TABLES = {model._meta.db_table for model in (MetricResult, MetricRange, Flag)}
# A statement that writes or locks rows (a CTE's INSERT, SELECT … FOR UPDATE included): never sent to the replica.
WRITES = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b", re.I)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="streaming replication is PostgreSQL's"),
    pytest.mark.skipif(
        not CONFIGURED and not IN_CI,
        reason="no read replica: run `sudo bash deploy/replica.sh` and set "
        "QUANZE_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433/x (CI does both)",
    ),
    # The replica sees only what the primary committed: no test transaction around these tests.
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA] if CONFIGURED else None),
]


def caught_up() -> None:
    assert replica_catch_up(timeout=CATCH_UP_SECONDS), (
        f"the replica has not replayed the primary's writes within {CATCH_UP_SECONDS} s"
    )


@pytest.fixture
def replica(settings):
    """The replica, a hot standby of this primary that has replayed everything written so far; the dashboards'
    reads on (the rest of the suite keeps them on the primary)."""
    if not CONFIGURED:
        pytest.fail("CI starts a replica (deploy/replica.sh) and sets QUANZE_TEST_REPLICA_URL: neither happened")
    for _ in range(CATCH_UP_SECONDS):  # the test database appears on the replica when it replays its creation
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_is_in_recovery(), current_database(), system_identifier FROM pg_control_system()"
                )
                in_recovery, name, system = cursor.fetchone()
            break
        except OperationalError:
            connections[REPLICA].close()
            time.sleep(1)
    else:
        pytest.fail(f"the replica has no {connection.settings_dict['NAME']} after {CATCH_UP_SECONDS} s")
    assert in_recovery, "QUANZE_TEST_REPLICA_URL names a primary, not a replica"
    with connection.cursor() as cursor:
        cursor.execute("SELECT system_identifier FROM pg_control_system()")
        assert cursor.fetchone()[0] == system, "QUANZE_TEST_REPLICA_URL names a replica of another primary"
    assert name == connection.settings_dict["NAME"]  # the mirror: the same test database, served by the replica
    settings.QUANZE_REPLICA_READS = True
    caught_up()
    cache.clear()
    yield connections[REPLICA]
    cache.clear()


def read_tables(captured: CaptureQueriesContext) -> set[str]:
    return {t for q in captured.captured_queries for t in DASHBOARD_TABLES if re.search(rf"\b{t}\b", q["sql"])}


def test_the_dashboard_is_read_from_the_replica_and_shows_what_the_primary_wrote(world, client, replica):
    populate(world, 2)
    caught_up()
    client.force_login(world.president.user)  # the session is written on the primary
    scope = {"scope": f"organisation:{world.court.code}", "window": KEY}

    def closed_count() -> str:
        with (
            CaptureQueriesContext(connection) as on_primary,
            CaptureQueriesContext(replica) as on_replica,
        ):
            response = client.get("/dashboards/", scope)
        assert response.status_code == 200
        assert read_tables(on_replica) == DASHBOARD_TABLES
        assert read_tables(on_primary) == set()
        assert [q["sql"] for q in on_replica.captured_queries if WRITES.search(q["sql"])] == []
        return cell(response.content.decode(), "closed_count", 1)

    def stored() -> str:  # on the primary: outside replica_reads()
        result = MetricResult.objects.get(
            level="organisation", subject=world.court.code, window_from=W.start, window_to=W.end, metric="closed_count"
        )
        return f"{int(result.value):,}"

    before = stored()
    assert closed_count() == before
    populate(world, 1)  # more closed cases and the window's results stored again, on the primary
    after = stored()
    assert after != before
    caught_up()
    assert closed_count() == after  # the page's cache key moved with the results the replica now has


def test_every_write_goes_to_the_primary_and_the_replica_refuses_one(world, replica):
    case = world.case()
    caught_up()
    with replica_reads():
        assert router.db_for_read(Action) == REPLICA
        assert {router.db_for_write(model) for model in apps.get_models()} == {DEFAULT_DB_ALIAS}
        with (
            CaptureQueriesContext(connection) as on_primary,
            CaptureQueriesContext(replica) as on_replica,
        ):
            action = services.case_log_action(actor=world.judge, case=case, action_type="note", note="副本")
    assert [q["sql"] for q in on_replica.captured_queries if WRITES.search(q["sql"])] == []
    appended = re.compile(rf'INSERT\s+INTO\s+"?{Action._meta.db_table}"?\s', re.I)
    assert [q for q in on_primary.captured_queries if appended.search(q["sql"])] != []
    caught_up()
    assert Action.objects.using(REPLICA).get(pk=action.pk).note == "副本"  # written once, read on both
    with pytest.raises(InternalError, match="read-only transaction"):
        Case.objects.using(REPLICA).filter(pk=case.pk).update(time_limit_days=1)
    with pytest.raises(InternalError, match="read-only transaction"), replica.cursor() as cursor:
        cursor.execute("UPDATE evaluation_metricresult SET value = 0")
    assert Action.objects.filter(case=case, note="副本").count() == 1
