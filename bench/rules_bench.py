"""Supervision rules benchmark on PostgreSQL: evaluating the default rule set on one case event, and the
scheduled sweep of every automatic rule over all cases.

    python bench/rules_bench.py --cases 1000000 [--reuse]

Uses the nightly-metrics generator (``metrics_bench.ensure_generated``: 200 organisations, 15,000 officers,
N cases over three years with 10 actions each) in its own database (``BENCH_RULES_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/quanze_bench_rules). Figures, measured in a child process as a worker
would run them:

* event evaluation: the facts of one random case (one query) and every active automatic rule evaluated
  on them, 500 times: median and p95 (target: median ≤ 5 ms);
* sweep: the whole ``supervision.sweep()`` on a cold start (no flags yet): the detection queries (one
  per rule) and writing the flags with their chained trace actions (target ≤ 60 s per 1 M cases), then a
  second sweep, which finds the same cases and writes nothing (the steady nightly state);
* the first sweep fanned out (``--workers N``, issue 23): from a cold start again (no flags), the sweep run
  dispatched as one task per organisation to N real ``celery worker`` processes (one task at a time each, as
  deployed) on the bench's own Redis database (``--redis-url``), timed from dispatch to the last organisation
  done (target ≤ 60 s per 1 M cases with two workers). ``--fan-out-only`` skips the single-process figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, store  # noqa: E402
from metrics_bench import connect, ensure_generated  # noqa: E402
from served import celery_workers  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_rules"

CHILD = r"""
import json, random, statistics, time
import django
django.setup()
from django.db import connection
from accountability import conditions
from supervision import rules
from supervision import services as supervision
from cases.models import Case
from supervision.models import Flag

ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[:500])
situations = supervision.active_rules()
used = rules.fields_used(situations)
timings = []
for pk in ids:
    started = time.perf_counter()
    facts = rules.case_facts(pk, fields=used)
    [s.code for s in situations if conditions.evaluate(s.condition, facts)]
    timings.append((time.perf_counter() - started) * 1000)
timings.sort()
queries = []
started = time.perf_counter()
for s in situations:
    t = time.perf_counter()
    found = len(rules.rule_matches(s.condition, ~supervision._blocked(s)))
    queries.append((s.code, round(time.perf_counter() - t, 2), found))
detect_seconds = time.perf_counter() - started
started = time.perf_counter()
raised = supervision.sweep()
first = time.perf_counter() - started
with connection.cursor() as cursor:  # as the nightly state would be: autovacuum has seen the new flags
    cursor.execute("ANALYZE cases_flag")
started = time.perf_counter()
again = supervision.sweep()
second = time.perf_counter() - started
print("RULES " + json.dumps({
    "event_median_ms": round(statistics.median(timings), 2),
    "event_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
    "rules": len(situations),
    "detect_seconds": round(detect_seconds, 1),
    "per_rule": queries,
    "first_sweep_seconds": round(first, 1),
    "flags_raised": sum(raised.values()),
    "second_sweep_seconds": round(second, 1),
    "second_sweep_raised": sum(again.values()),
}))
"""


FAN_OUT = r"""
import json, sys, time, uuid
import django
django.setup()
from django.db import connection, transaction
from accountability.celery import app
from supervision import services as supervision
from supervision.models import SweepRun

deadline = time.monotonic() + 120
while len(app.control.ping(timeout=1)) < int(sys.argv[1]):  # every worker is up before the clock starts
    if time.monotonic() > deadline:
        raise SystemExit("the workers did not start")
started = time.perf_counter()
with transaction.atomic():
    run = supervision.sweep_run_start(key=f"bench:{uuid.uuid4()}")
    supervision.sweep_run_dispatch(run)
while not SweepRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists():
    time.sleep(0.05)
seconds = time.perf_counter() - started
run.refresh_from_db()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*), count(DISTINCT (case_id, situation_id)) FROM cases_flag")
    flags, distinct = cursor.fetchone()
print("FANOUT " + json.dumps({
    "fan_out_seconds": round(seconds, 1),
    "fan_out_organisations": run.total,
    "fan_out_raised": run.raised,
    "fan_out_flags": flags,
    "fan_out_flags_distinct": distinct,
}))
"""


def cold_start(url: str) -> None:
    """No flags and no sweep runs yet (the trace actions of an earlier sweep are kept: harmless), analysed."""
    connection = connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in (
            "DELETE FROM cases_flag",
            "DELETE FROM supervision_sweeprunitem",
            "DELETE FROM supervision_sweeprun",
            "VACUUM ANALYZE cases_flag",
            "ANALYZE",
        ):
            cursor.execute(statement)
    connection.close()


def fan_out(url: str, workers: int, redis_url: str) -> dict[str, object]:
    """The first sweep from a cold start, one task per organisation shared by ``workers`` Celery worker processes
    (concurrency 1 each); seconds from dispatch until the last organisation is done."""
    cold_start(url)
    with celery_workers(url, redis_url, workers, "rules") as env:
        load_before = os.getloadavg()[0]
        child = subprocess.run(
            [sys.executable, "-c", FAN_OUT, str(workers)], cwd=ROOT, env=env, capture_output=True, text=True
        )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    line = next(x for x in child.stdout.splitlines() if x.startswith("FANOUT "))
    return {
        "workers": workers,
        "load_at_dispatch": round(load_before, 2),
        "load_at_end": round(os.getloadavg()[0], 2),
        **json.loads(line[len("FANOUT ") :]),
    }


def run(
    cases: int, url: str, *, reuse: bool, workers: int = 0, redis_url: str = "", single: bool = True
) -> dict[str, object]:
    generated = ensure_generated(cases, url, reuse=reuse)
    result: dict[str, object] = {"cases": cases, "generate_seconds": generated}
    if single:
        cold_start(url)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
        env["DJANGO_SETTINGS_MODULE"] = "accountability.settings"
        env.pop("REDIS_URL", None)
        child = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True)
        if child.returncode:
            raise SystemExit(child.stderr[-3000:])
        line = next(x for x in child.stdout.splitlines() if x.startswith("RULES "))
        result.update(json.loads(line[len("RULES ") :]))
    if workers:
        started = time.perf_counter()
        result.update(fan_out(url, workers, redis_url))
        result["fan_out_wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def record(results: list[dict[str, object]]) -> None:
    entries = []
    for r in results:
        target = 60 * r["cases"] / 1_000_000
        if "fan_out_seconds" in r:
            entries.append(
                {
                    "name": f"rule_sweep_first_fan_out@{r['cases']}",
                    "value": r["fan_out_seconds"],
                    "unit": "s",
                    "target": target,
                    "load_average_1m": r["load_at_end"],
                    "detail": {
                        "workers": r["workers"],
                        "organisations": r["fan_out_organisations"],
                        "flags_raised": r["fan_out_raised"],
                        "flags_distinct": r["fan_out_flags_distinct"],
                        "load_at_dispatch": r["load_at_dispatch"],
                        "ms_per_flag": round(r["fan_out_seconds"] * 1000 / max(r["fan_out_raised"], 1), 3),
                    },
                }
            )
        if "event_median_ms" not in r:
            continue
        entries += [
            {
                "name": f"rule_event@{r['cases']}",
                "value": r["event_median_ms"],
                "unit": "ms median",
                "target": 5,
                "detail": {"p95_ms": r["event_p95_ms"], "rules": r["rules"]},
            },
            {
                "name": f"rule_sweep@{r['cases']}",
                "value": r["second_sweep_seconds"],
                "unit": "s",
                "target": target,
                "detail": {"detect_seconds": r["detect_seconds"], "per_rule": r["per_rule"]},
            },
            {
                "name": f"rule_sweep_cold@{r['cases']}",
                "value": r["first_sweep_seconds"],
                "unit": "s",
                "target": target,
                "detail": {
                    "flags_raised": r["flags_raised"],
                    "ms_per_flag": round(r["first_sweep_seconds"] * 1000 / max(r["flags_raised"], 1), 3),
                },
            },
        ]
    store(entries)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, action="append")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_RULES_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the generated data if it has N cases")
    parser.add_argument(
        "--workers", type=int, default=2, help="Celery workers for the fanned-out first sweep (0: none)"
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    parser.add_argument("--fan-out-only", action="store_true", help="only the fanned-out first sweep")
    args = parser.parse_args()
    record(
        [
            run(
                n,
                args.database_url,
                reuse=args.reuse,
                workers=args.workers,
                redis_url=args.redis_url,
                single=not args.fan_out_only,
            )
            for n in args.cases or [1_000_000]
        ]
    )


if __name__ == "__main__":
    main()
