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
from import_bench import ROOT, fresh_database, manage, results_path  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_metrics"
DAY = "2026-01-01"  # the nightly run of this day computes windows ending 2025-12-31

GENERATE = """
INSERT INTO accountability_organisation (id, code, name, kind, level, parent_id, path, created_at, updated_at)
SELECT g,
       'O' || lpad(g::text, 3, '0'),
       '第' || g || '号法院',
       'court',
       CASE WHEN g = 1 THEN 'high' WHEN g <= 20 THEN 'intermediate' ELSE 'basic' END,
       CASE WHEN g = 1 THEN NULL WHEN g <= 20 THEN 1 ELSE 2 + (g % 19) END,
       CASE WHEN g = 1 THEN '/1/' WHEN g <= 20 THEN '/1/' || g || '/' ELSE '/1/' || (2 + (g % 19)) || '/' || g || '/' END,
       now(), now()
FROM generate_series(1, 200) g;

INSERT INTO accountability_department (id, organisation_id, code, name, created_at, updated_at)
SELECT g, (g - 1) / 5 + 1, 'D' || ((g - 1) % 5), '第' || ((g - 1) % 5 + 1) || '庭', now(), now()
FROM generate_series(1, 1000) g;

INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT 100 + g, '!', false, 'u' || g, '', '', '', false, true, now() FROM generate_series(1, 15000) g;

INSERT INTO accountability_officer
  (id, public_id, user_id, officer_id, name, organisation_id, department_id, post, is_quota, created_at, updated_at)
SELECT g, md5('o' || g)::uuid, 100 + g, 'P' || lpad(g::text, 5, '0'), '干警' || g,
       ((g - 1) / 15) / 5 + 1, (g - 1) / 15 + 1,
       CASE WHEN (g - 1) % 15 = 0 THEN 'division_chief'
            WHEN (g - 1) % 75 = 1 THEN 'president'
            WHEN (g - 1) % 75 = 2 THEN 'vice_president' ELSE 'none' END,
       (g % 10) < 7 OR (g - 1) % 15 = 0 OR (g - 1) % 75 IN (1, 2),
       now(), now()
FROM generate_series(1, 15000) g;

INSERT INTO cases_case
  (id, public_id, case_number, organisation_id, department_id, case_type, procedure, cause, parties,
   filed_on, time_limit_days, extension_days, excluded_days, lead_officer_id, closed_on, closing_method, outcome,
   original_case_id, parties_count, claim_amount, awarded_amount, recovered_amount, version, trace_head, trace_length,
   created_at, updated_at)
SELECT g, md5('c' || g)::uuid, 'C' || g, org, dept, kind, proc, '民间借贷纠纷', '',
       filed, CASE WHEN g % 11 = 0 THEN 0 ELSE 180 END, CASE WHEN g % 13 = 0 THEN 90 ELSE 0 END,
       CASE WHEN g % 17 = 0 THEN 20 ELSE 0 END,
       (dept - 1) * 15 + 1 + (g % 15),
       CASE WHEN closed <= DATE '2025-12-31' AND g % 7 <> 0 THEN closed END,
       CASE WHEN closed <= DATE '2025-12-31' AND g % 7 <> 0 THEN (ARRAY['judgment','ruling','mediation','withdrawal'])[1 + g % 4] ELSE '' END,
       CASE WHEN proc IN ('second_instance', 'retrial') AND closed <= DATE '2025-12-31' AND g % 7 <> 0
            THEN (ARRAY['upheld','amended','remanded','withdrawn','mediated','upheld','upheld'])[1 + g % 7] ELSE '' END,
       -- an appeal, retrial or enforcement comes from an earlier first-instance case (id % 100 < 80)
       CASE WHEN proc <> 'first_instance' AND g > 5000 THEN (g - 5000) - ((g - 5000) % 100) + (g % 80) END,
       2, 100000, CASE WHEN proc = 'enforcement' THEN 80000 END, CASE WHEN proc = 'enforcement' THEN (g % 9) * 10000 END,
       1, md5('h' || g) || md5('t' || g), 10, now(), now()
FROM (
  SELECT g, (g % 200) + 1 AS org, (g % 200) * 5 + (g / 200) % 5 + 1 AS dept,
         DATE '2023-01-01' + ((g::bigint * 7919) % 1095)::int AS filed,
         DATE '2023-01-01' + ((g::bigint * 7919) % 1095)::int + (g % 300) AS closed,
         CASE WHEN g % 100 < 80 THEN 'first_instance' WHEN g % 100 < 92 THEN 'second_instance'
              WHEN g % 100 < 95 THEN 'retrial' ELSE 'enforcement' END AS proc,
         CASE WHEN g % 100 >= 95 THEN 'enforcement' ELSE 'civil' END AS kind
  FROM generate_series(1, %(cases)s) g
) s;

INSERT INTO cases_action
  (case_id, seq, action_type, occurred_at, recorded_at, actor_id, recorded_by_id, source, note, payload,
   corrects_id, power_item_code, power_item_revision, import_batch_id, dedup_key, prev_hash, hash)
SELECT c, s,
       (ARRAY['filed','assigned','hearing_scheduled','evidence_exchanged','hearing_held','deliberated',
              'extension_approved','ruling_signed','served','closed'])[s],
       (DATE '2023-01-01' + ((c::bigint * 7919) % 1095)::int + s * 3)::timestamp + interval '9 hours',
       now(), (((c % 200) * 5 + (c / 200) % 5) * 15 + 1 + (c % 15)), NULL, 'import', '', '{}',
       NULL, '', NULL, NULL, md5(c || ':' || s), md5('p' || c || s) || md5('q' || c || s), md5('h' || c || s) || md5('x' || c || s)
FROM generate_series(1, %(cases)s) c CROSS JOIN generate_series(1, 10) s;

SELECT setval('accountability_organisation_id_seq', 200);
SELECT setval('accountability_department_id_seq', 1000);
SELECT setval('auth_user_id_seq', 15100);
SELECT setval('accountability_officer_id_seq', 15000);
SELECT setval('cases_case_id_seq', %(cases)s);
ANALYZE;
"""

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
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
        dbname=parsed.path.lstrip("/"),
    )  # fmt: skip


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
        cursor.execute(GENERATE.replace("%(cases)s", str(int(cases))))
    connection.close()
    return round(time.perf_counter() - started, 1)


def run(cases: int, url: str, *, reuse: bool = False) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)  # tasks run in this child process, as one worker would run them in turn
    generated = ensure_generated(cases, url, reuse=reuse)
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:  # a cold start: no stored results, no runs
        for statement in ("DELETE FROM evaluation_metricrunitem", "DELETE FROM evaluation_metricrun",
                          "DELETE FROM evaluation_metricresult", "VACUUM ANALYZE evaluation_metricresult"):  # fmt: skip
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('cases_action'), pg_total_relation_size('cases_case')")
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
        [sys.executable, "-c", NIGHTLY], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "accountability.settings"},
        capture_output=True, text=True,
    )  # fmt: skip
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
    out = results_path()
    existing = json.loads(out.read_text()) if out.exists() else []
    existing = [e for e in existing if not e.get("name", "").startswith("nightly_metrics@")]
    for r in results:
        existing.append(
            {
                "name": f"nightly_metrics@{r['cases']}",
                "value": r["nightly_seconds"],
                "unit": "s",
                "floor": r["floor_seconds"],
                "ratio": r["ratio"],
                "target_ratio": 5,
                "detail": r,
            }
        )
    out.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n")
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
