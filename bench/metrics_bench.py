"""Nightly metrics benchmark: N cases and 10·N actions generated in PostgreSQL, the full nightly run
timed against floors measured in the same run:

* the scan floor (issue 23), the least reading the run needs: one sequential pass over the cases and one over
  the actions of the run's widest window, summed;
* the old floor, one raw GROUP BY pass counting filed and closed per officer, kept as a second reference.

    python bench/metrics_bench.py --cases 1000000 [--workers 2]

With ``--workers 2`` the same nightly run is also shared by two real Celery worker processes (Redis
``BENCH_REDIS_URL``, default db 4), timed from the dispatch until the run's last task is done.

Data is generated in SQL (generate_series) into a fresh database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/quanze_bench_metrics): 200 organisations (1 high, 19
intermediate, 180 basic), 1,000 departments, 15,000 officers, N cases over three years (80 % first
instance, 12 % second instance and 3 % retrial pointing at earlier first-instance cases, 5 % enforcement) and 10
actions a case. The nightly run executes in a child process exactly as a worker would (every
organisation's task, all four standard windows), so its peak RSS is the worker's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, migrated_database, store  # noqa: E402
from served import celery_workers  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from interchange import generator  # noqa: E402 - plain SQL, no Django needed

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_metrics"
DAY = "2026-01-01"  # the nightly run of this day computes windows ending 2025-12-31

# The scan floor: every case read once, and every action of the widest window (the year to 31 December; actions
# are instants, and a day of a window is a day in the courts' time zone). One process, no index: a sequential
# pass each, as the issue defines it (parallel workers off, so it is the work of one worker).
SCAN_FLOOR = (
    "SELECT count(*), sum(extension_days) FROM cases_case",
    "SELECT count(*), sum(seq) FROM cases_action WHERE occurred_at >= (%(start)s::date)::timestamp AT TIME ZONE %(tz)s"
    " AND occurred_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s",
)
SCAN_SETTINGS = (
    "SET enable_indexscan = off",
    "SET enable_indexonlyscan = off",
    "SET enable_bitmapscan = off",
    "SET max_parallel_workers_per_gather = 0",
)
TIME_ZONE = "Asia/Shanghai"  # settings.TIME_ZONE
WIDEST = {"start": "2025-01-01", "end": "2025-12-31", "tz": TIME_ZONE}  # the year window of DAY

FLOOR = """
SELECT lead_officer_id,
       SUM(CASE WHEN filed_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN closed_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END)
FROM cases_case GROUP BY lead_officer_id
"""

# Every stored result, in key order, as one digest: the runs must store the same rows with the same values.
DIGEST = (
    "SELECT count(*), md5(string_agg(concat_ws(' ', window_from, window_to, level, subject, metric, numerator, "
    "denominator, value, organisation_id), ',' ORDER BY window_from, window_to, level, subject, metric)) "
    "FROM evaluation_metricresult"
)

NIGHTLY = f"""
import time, datetime as dt, django
django.setup()
from django.db import connection
from evaluation.services import metric_run_nightly
started = time.perf_counter()
metric_run_nightly(day=dt.date.fromisoformat("{DAY}"))
seconds = time.perf_counter() - started
with connection.cursor() as cursor:
    cursor.execute("{DIGEST}")
    print("NIGHTLY", seconds, *cursor.fetchone())
"""

# The same run dispatched to Celery (REDIS_URL set): timed until the run's last item is done.
NIGHTLY_SHARED = f"""
import sys, time, datetime as dt, django
django.setup()
from django.db import connection
from accountability.celery import app
from evaluation.services import metric_run_nightly
from evaluation.models import MetricRun
deadline = time.monotonic() + 120
while len(app.control.ping(timeout=1)) < int(sys.argv[1]):  # every worker is up before the clock starts
    if time.monotonic() > deadline:
        raise SystemExit("the workers did not start")
started = time.perf_counter()
run = metric_run_nightly(day=dt.date.fromisoformat("{DAY}"))
while not MetricRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists():
    time.sleep(0.05)
seconds = time.perf_counter() - started
with connection.cursor() as cursor:
    cursor.execute("{DIGEST}")
    print("NIGHTLY", seconds, *cursor.fetchone())
"""


def connect(url: str):
    import psycopg2

    parsed = urlparse(url)
    return psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.path.lstrip("/"),
    )


def existing_cases(url: str) -> int | None:
    try:
        connection = connect(url)
    except Exception:  # noqa: BLE001 - no database yet
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case")
            return cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - no tables yet
        return None
    finally:
        connection.close()


def ensure_generated(cases: int, url: str, *, reuse: bool = False) -> float | None:
    """A database holding the generated N cases (kept when ``reuse`` and it already has N); seconds taken."""
    if reuse and existing_cases(url) == cases:
        return None
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    migrated_database(url, env)
    connection = connect(url)
    connection.autocommit = True
    started = time.perf_counter()
    with connection.cursor() as cursor:
        generator.generate(cursor, cases)
    connection.close()
    return round(time.perf_counter() - started, 1)


def run(cases: int, url: str, *, reuse: bool = False, workers: int = 1, redis_url: str = "") -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)  # tasks run in this child process, as one worker would run them in turn
    generated = ensure_generated(cases, url, reuse=reuse)
    clear(url)
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(  # a partitioned table's size is its partitions' (cases.partitions)
            "SELECT pg_total_relation_size('cases_action') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) "
            "FROM pg_inherits WHERE inhparent = 'cases_action'::regclass), 0), pg_total_relation_size('cases_case')"
        )
        action_bytes, case_bytes = cursor.fetchone()
    floor_times, scan_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR, {"start": "2025-01-01", "end": "2025-12-31"})
            cursor.fetchall()
        floor_times.append(time.perf_counter() - started)
        scan_times.append(scan_floor(connection))
    connection.close()
    floor, scan = min(floor_times), min(scan_times)
    nightly, rows, digest, peak = nightly_run(NIGHTLY, env)
    result = {
        "cases": cases,
        "actions": cases * 10,
        "generate_seconds": generated,
        "action_table_mib": round(action_bytes / 2**20),
        "case_table_mib": round(case_bytes / 2**20),
        "nightly_seconds": round(nightly, 1),
        "result_rows": rows,
        "result_digest": digest,
        "scan_floor_seconds": round(scan, 2),
        "scan_ratio": round(nightly / scan, 1),
        "floor_seconds": round(floor, 2),
        "ratio": round(nightly / floor, 1),
        "worker_peak_rss_mib": round(peak),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if workers > 1:
        shared, shared_digest = shared_run(url, workers, redis_url)
        if shared_digest != digest:
            raise SystemExit(f"{workers} workers stored other results than one worker ({shared_digest}, {digest})")
        result |= {
            "workers": workers,
            "shared_nightly_seconds": round(shared, 1),
            "shared_scan_ratio": round(shared / scan, 1),
            "shared_load_average_1m": round(os.getloadavg()[0], 2),
        }
    return result


def scan_floor(connection) -> float:
    """Seconds of the scan floor: one sequential pass over the cases, one over the widest window's actions."""
    with connection.cursor() as cursor:
        for statement in SCAN_SETTINGS:
            cursor.execute(statement)
        started = time.perf_counter()
        for statement in SCAN_FLOOR:
            cursor.execute(statement, WIDEST)
            cursor.fetchall()
        seconds = time.perf_counter() - started
        cursor.execute("RESET ALL")
    return seconds


def clear(url: str) -> None:
    """A cold start: no stored results, no runs. The result table keeps the statistics of a full table (analysed
    before it is emptied), as a nightly run finds it: analysed empty, every lookup of an organisation's stored
    rows was planned as a scan of the whole table once it filled up (0.25 s each at 130 k rows)."""
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in (
            "ANALYZE evaluation_metricresult",
            "DELETE FROM evaluation_metricrunitem",
            "DELETE FROM evaluation_metricrun",
            "DELETE FROM evaluation_metricresult",
            "VACUUM evaluation_metricresult",
        ):
            cursor.execute(statement)
    connection.close()


def nightly_run(script: str, env: dict[str, str], *args: str) -> tuple[float, int, str, float]:
    """(seconds, result rows, their digest, peak RSS of the child in MiB) of one nightly run in a child process."""
    child = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "accountability.settings"},
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    line = next(x for x in child.stdout.splitlines() if x.startswith("NIGHTLY"))
    _, seconds, rows, digest = line.split()
    return float(seconds), int(rows), digest, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def shared_run(url: str, workers: int, redis_url: str) -> tuple[float, str]:
    """The nightly run from a cold start again, its tasks shared by ``workers`` Celery worker processes (one
    task at a time each, as deployed); (seconds until the last task is done, digest of the results)."""
    clear(url)
    with celery_workers(url, redis_url, workers, "metrics") as env:
        seconds, _, digest, _ = nightly_run(NIGHTLY_SHARED, env, str(workers))
    return seconds, digest


def record(results: list[dict[str, object]]) -> None:
    entries = []
    for r in results:
        entries.append(
            {
                "name": f"nightly_metrics@{r['cases']}",
                "value": r["nightly_seconds"],
                "unit": "s",
                "floor": r["scan_floor_seconds"],
                "ratio": r["scan_ratio"],
                "compared_with": "scan floor: one sequential pass over the cases and one over the widest window's "
                "actions (the old GROUP BY floor and ratio: detail.floor_seconds, detail.ratio)",
                "target_ratio": 10,
                "load_average_1m": r["load_average_1m"],
                "detail": r,
            }
        )
        if "shared_nightly_seconds" in r:
            entries.append(
                {
                    "name": f"nightly_metrics_{r['workers']}_workers@{r['cases']}",
                    "value": r["shared_nightly_seconds"],
                    "unit": "s",
                    "floor": r["scan_floor_seconds"],
                    "ratio": r["shared_scan_ratio"],
                    "compared_with": "scan floor (as nightly_metrics)",
                    "load_average_1m": r["shared_load_average_1m"],
                    "detail": r,
                }
            )
    store(entries)
    print(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, action="append")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_METRICS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the generated data if it has N cases")
    parser.add_argument("--workers", type=int, default=1, help="also time the run shared by this many Celery workers")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    args = parser.parse_args()
    record(
        [
            run(n, args.database_url, reuse=args.reuse, workers=args.workers, redis_url=args.redis_url)
            for n in (args.cases or [1_000_000])
        ]
    )


if __name__ == "__main__":
    main()
