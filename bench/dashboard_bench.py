"""Dashboard benchmark on PostgreSQL: page latency at N cases, uncached and cached, with the query count.

    python bench/dashboard_bench.py --cases 1000000 [--reuse]

Uses the metrics generator's data (``metrics_bench.ensure_generated``) in its own database
(``BENCH_DASHBOARD_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/quanze_bench_dashboard), stores
the metric results of 2025 and of its twelve months (the trend) with the same code the nightly job runs, then,
in a child process through Django's test client (the whole view: selectors, template, ECharts data):

* the dashboard of a court, of a division and of an officer, 100 requests (`--requests`) each with the cache cleared before
  every request (the worst case: new results just landed) and 100 with it warm;
* p50 and p95 latency of each, and the number of queries of one request (target: p95 ≤ 200 ms).

With ``--replica-url`` (a streaming replica of that database: ``deploy/replica.sh``, e.g.
postgres://postgres@127.0.0.1:5433/<the same name>) the pages are served twice in one run, first reading the primary
only, then with their reads on the replica (``DATABASE_REPLICA_URL``), and the figure is stored as
``dashboard_replica@N`` with the primary's as its floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, store  # noqa: E402
from metrics_bench import ensure_generated  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_dashboard"

STORE = r"""
import datetime as dt, time
import django
django.setup()
from dashboards.selectors import calendar_months
from evaluation.metrics import Window
from evaluation.models import MetricResult
from evaluation.services import metrics_store
started = time.perf_counter()
for start, end in [(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), *calendar_months(dt.date(2025, 12, 31), MONTHS)]:
    if not MetricResult.objects.filter(window_from=start, window_to=end).exists():  # each window once, any missing
        metrics_store(window=Window(start, end))
from django.db import connection
with connection.cursor() as cursor:  # as autovacuum would after a night's results (it is off on the bench machine)
    cursor.execute("ANALYZE")
print("STORED", round(time.perf_counter() - started, 1), MetricResult.objects.count())
"""

CHILD = r"""
import contextlib, json, statistics, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accountability.models import Officer
from accountability.routers import replica_catch_up

User = get_user_model()
court = Officer.objects.filter(organisation_id=21).order_by("pk").first()  # a basic court
user = court.user
user.is_superuser = False
user.save()
from accountability.models import Role
court.roles.add(Role.objects.get(code="president"), Role.objects.get(code="division_chief"))
client = Client()
client.force_login(user)
# the replica (if any) serves the pages: it must have the officer's roles and the results just written
assert replica_catch_up(timeout=900), "the replica did not catch up within 15 minutes"
dept = court.department
scopes = {
    "organisation": f"organisation:{court.organisation.code}",
    "department": f"department:{court.organisation.code}/{dept.code}",
    "officer": f"officer:{court.officer_id}",
}
figures = {}
for name, key in scopes.items():
    params = {"scope": key, "window": "2025-01-01_2025-12-31"}
    for mode in ("uncached", "cached"):
        times = []
        for _ in range(REQUESTS):
            if mode == "uncached":
                cache.clear()
            started = time.perf_counter()
            response = client.get("/dashboards/", params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        if mode == "uncached":
            cache.clear()
        with contextlib.ExitStack() as stack:
            captured = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections}
            client.get("/dashboards/", params)
        times.sort()
        figures[f"{name}_{mode}"] = {"p50_ms": round(statistics.median(times), 1),
                                     "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                                     "queries": sum(len(c) for c in captured.values()),
                                     "replica_queries": len(captured.get("replica", ()))}
print("DASH " + json.dumps(figures))
"""


ALERTS = r"""
import json, statistics, time
import django
django.setup()
from django.db.models import Count, Q
from dashboards.selectors import Scope, alerts_panel
from accountability.models import Organisation
from supervision.choices import FlagStatus
from supervision.models import Flag

court = Organisation.objects.get(pk=21)  # a basic court, as the page figures
scope = Scope("organisation", court.code, court, court.name)


def through_cases():  # the panel before the flag kept its organisation: every open flag of the court's cases
    flags = Flag.objects.filter(status__in=(FlagStatus.PENDING, FlagStatus.CONFIRMED), case__organisation=court)
    return list(
        flags.values("situation__family", "situation__category", "situation__code", "situation__title")
        .annotate(open=Count("pk"), escalated=Count("pk", filter=Q(escalation_level__gt=0)),
                  pending=Count("pk", filter=Q(status=FlagStatus.PENDING)))
        .order_by("situation__family", "situation__category", "situation__code")
    )


figures = {}
assert sum(r["open"] for r in through_cases()) == alerts_panel(scope)["open"]
for name, read in (("through_cases", through_cases), ("by_organisation", lambda: alerts_panel(scope))):
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    figures[name] = {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}
figures["open_flags"] = alerts_panel(scope)["open"]
figures["all_open_flags"] = Flag.objects.filter(status__in=(FlagStatus.PENDING, FlagStatus.CONFIRMED)).count()
print("ALERTS " + json.dumps(figures))
"""


def alerts(cases: int, url: str, requests: int) -> None:
    """A court's alerts panel two ways in one run, on the generated data with its flags (the rules' first sweep):
    through its cases (before supervision/0005) and by the flag's organisation (the index range)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 60,
        "DJANGO_SETTINGS_MODULE": "accountability.settings",
    }
    env.pop("REDIS_URL", None)
    child = subprocess.run(
        [sys.executable, "-c", f"REQUESTS = {int(requests)}\n" + ALERTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    figures = json.loads(next(x for x in child.stdout.splitlines() if x.startswith("ALERTS "))[len("ALERTS ") :])
    store(
        [
            {
                "name": f"dashboard_alerts_panel@{cases}",
                "value": figures["by_organisation"]["p95_ms"],
                "unit": "ms p95 (a basic court's alerts panel)",
                "floor": figures["through_cases"]["p95_ms"],
                "compared_with": "the same panel through the court's cases (before the flag kept its organisation)",
                "detail": figures,
            }
        ]
    )
    print(json.dumps(figures, indent=2))


def run(
    cases: int, url: str, *, reuse: bool, requests: int = 100, months: int = 12, replica_url: str = ""
) -> dict[str, object]:
    generated = ensure_generated(cases, url, reuse=reuse)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "accountability.settings",
        "ALLOWED_HOSTS": "testserver,localhost",
    }
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    started = time.perf_counter()
    stored = subprocess.run(
        [sys.executable, "-c", f"MONTHS = {int(months)}\n" + STORE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if stored.returncode:
        raise SystemExit(stored.stderr[-3000:])
    store_seconds = round(time.perf_counter() - started, 1)
    result: dict[str, object] = {"cases": cases, "generate_seconds": generated, "store_seconds": store_seconds}
    if not replica_url:
        return {**result, **_serve(env, requests, on_replica=False)}
    # Side by side in one run, in the order primary, replica, replica, primary (a busy machine's drift weighs on
    # both alike); each figure is the mean of its two rounds, the rounds are kept.
    replica_env = {**env, "DATABASE_REPLICA_URL": replica_url}
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {"primary": [], "replica": []}
    loads = []
    for label in ("primary", "replica", "replica", "primary"):
        rounds[label].append(
            _serve(replica_env if label == "replica" else env, requests, on_replica=label == "replica")
        )
        loads.append(round(os.getloadavg()[0], 2))
    for label, served in rounds.items():
        result[label] = {
            scope: {
                key: round(statistics.mean(r[scope][key] for r in served), 1) if key.endswith("_ms") else value
                for key, value in figures.items()
            }
            for scope, figures in served[0].items()
        }
        result[f"{label}_rounds"] = served
    result["load_average_1m_after_each_round"] = loads
    return result


def _serve(env: dict[str, str], requests: int, *, on_replica: bool) -> dict[str, dict[str, float]]:
    """The pages' figures from one child process; its reads went to the replica if and only if ``on_replica``."""
    child = subprocess.run(
        [sys.executable, "-c", f"REQUESTS = {int(requests)}\n" + CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    line = next(x for x in child.stdout.splitlines() if x.startswith("DASH "))
    figures = json.loads(line[len("DASH ") :])
    if on_replica != all(f["replica_queries"] for f in figures.values()):
        raise SystemExit(f"the pages' reads did not go where they should (replica: {on_replica}): {figures}")
    return figures


def record_replica(results: list[dict[str, object]]) -> None:
    """The pages read from the replica against the same pages on the primary alone, measured in the same run."""
    entries = []
    for r in results:
        replica, primary = r["replica"], r["primary"]
        entries.append(
            {
                "name": f"dashboard_replica@{r['cases']}",
                "value": max(v["p95_ms"] for k, v in replica.items() if k.endswith("_uncached")),
                "unit": "ms p95 (worst scope, uncached, reads on a streaming replica on the same machine)",
                "floor": max(v["p95_ms"] for k, v in primary.items() if k.endswith("_uncached")),
                "compared_with": "the same pages reading the primary only, in the same run (rounds P R R P)",
                "detail": {k: v for k, v in r.items() if k not in ("cases", "generate_seconds")},
            }
        )
    store(entries)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def record(results: list[dict[str, object]]) -> None:
    entries = []
    for r in results:
        worst = max(v["p95_ms"] for k, v in r.items() if isinstance(v, dict))
        entries.append(
            {
                "name": f"dashboard@{r['cases']}",
                "value": worst,
                "unit": "ms p95 (worst scope, uncached)",
                "target": 200,
                "detail": {k: v for k, v in r.items() if isinstance(v, dict)},
            }
        )
    store(entries)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, action="append")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DASHBOARD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the generated cases if there are N")
    parser.add_argument("--requests", type=int, default=100, help="requests per page and mode")
    parser.add_argument("--months", type=int, default=12, help="months of the trend to store (bench-quick: 2)")
    parser.add_argument("--alerts-only", action="store_true", help="the alerts panel two ways (needs the flags)")
    parser.add_argument(
        "--replica-url",
        default="",
        help="a streaming replica of --database-url (deploy/replica.sh): the pages on the primary, then on the replica",
    )
    args = parser.parse_args()
    if args.alerts_only:
        for n in args.cases or [1_000_000]:
            alerts(n, args.database_url, args.requests)
        return
    if args.replica_url:
        record_replica(
            [
                run(
                    n,
                    args.database_url,
                    reuse=args.reuse,
                    requests=args.requests,
                    months=args.months,
                    replica_url=args.replica_url,
                )
                for n in args.cases or [1_000_000]
            ]
        )
        return
    record(
        [
            run(n, args.database_url, reuse=args.reuse, requests=args.requests, months=args.months)
            for n in args.cases or [1_000_000]
        ]
    )


if __name__ == "__main__":
    main()
