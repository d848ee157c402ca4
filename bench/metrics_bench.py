"""Nightly metrics benchmark: N cases and 10·N actions generated in PostgreSQL, the full nightly run
timed against a floor (one raw GROUP BY pass counting filed and closed per officer).

    python bench/metrics_bench.py --cases 1000000

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
from import_bench import ROOT, fresh_database, manage, store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from interchange import generator  # noqa: E402 - plain SQL, no Django needed

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_metrics"
DAY = "2026-01-01"  # the nightly run of this day computes windows ending 2025-12-31

FLOOR = """
SELECT lead_officer_id,
       SUM(CASE WHEN filed_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN closed_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END)
FROM cases_case GROUP BY lead_officer_id
"""

NIGHTLY = f"""
import time, datetime as dt, django
django.setup()
from evaluation.services import metric_run_nightly
from evaluation.models import MetricResult
started = time.perf_counter()
metric_run_nightly(day=dt.date.fromisoformat("{DAY}"))
print("NIGHTLY", time.perf_counter() - started, MetricResult.objects.count())
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


def _existing_cases(url: str) -> int | None:
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
    if reuse and _existing_cases(url) == cases:
        return None
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    fresh_database(url)
    migrated = manage("migrate", "--noinput", env=env)
    if migrated.returncode:
        raise SystemExit(migrated.stderr)
    connection = connect(url)
    connection.autocommit = True
    started = time.perf_counter()
    with connection.cursor() as cursor:
        generator.generate(cursor, cases)
    connection.close()
    return round(time.perf_counter() - started, 1)


def run(cases: int, url: str, *, reuse: bool = False) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)  # tasks run in this child process, as one worker would run them in turn
    generated = ensure_generated(cases, url, reuse=reuse)
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:  # a cold start: no stored results, no runs
        for statement in (
            "DELETE FROM evaluation_metricrunitem",
            "DELETE FROM evaluation_metricrun",
            "DELETE FROM evaluation_metricresult",
            "VACUUM ANALYZE evaluation_metricresult",
        ):
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(  # a partitioned table's size is its partitions' (cases.partitions)
            "SELECT pg_total_relation_size('cases_action') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) "
            "FROM pg_inherits WHERE inhparent = 'cases_action'::regclass), 0), pg_total_relation_size('cases_case')"
        )
        action_bytes, case_bytes = cursor.fetchone()
    floor_times = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR, {"start": "2025-01-01", "end": "2025-12-31"})
            cursor.fetchall()
        floor_times.append(time.perf_counter() - started)
    connection.close()
    floor = min(floor_times)
    child = subprocess.run(
        [sys.executable, "-c", NIGHTLY],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "accountability.settings"},
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    line = next(x for x in child.stdout.splitlines() if x.startswith("NIGHTLY"))
    _, seconds, rows = line.split()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    nightly = float(seconds)
    return {
        "cases": cases,
        "actions": cases * 10,
        "generate_seconds": generated,
        "action_table_mib": round(action_bytes / 2**20),
        "case_table_mib": round(case_bytes / 2**20),
        "nightly_seconds": round(nightly, 1),
        "result_rows": int(rows),
        "floor_seconds": round(floor, 2),
        "ratio": round(nightly / floor, 1),
        "worker_peak_rss_mib": round(peak),
    }


def record(results: list[dict[str, object]]) -> None:
    store(
        [
            {
                "name": f"nightly_metrics@{r['cases']}",
                "value": r["nightly_seconds"],
                "unit": "s",
                "floor": r["floor_seconds"],
                "ratio": r["ratio"],
                "target_ratio": 5,
                "detail": r,
            }
            for r in results
        ]
    )
    print(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, action="append")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_METRICS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the generated data if it has N cases")
    args = parser.parse_args()
    record([run(n, args.database_url, reuse=args.reuse) for n in (args.cases or [1_000_000])])


if __name__ == "__main__":
    main()
