"""The case page does not grow with its trace (issue 23): a case with 2,000 actions against one with 10.

    python bench/case_page_bench.py --long 2000 --requests 100 --clients 10 --seconds 20

In a fresh database (``BENCH_CASE_PAGE_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/quanze_bench_case_page)
a court's judge leads two cases, one with 10 actions and one with ``--long`` actions, every one logged through
``cases.services`` (chained, power-checked). Then:

1. in a child process through Django's test client (the whole view and template, ``DEBUG`` off), the page of each
   case ``--requests`` times: p50 and p95, the query count of one request, and the first view of each case (the
   chain badge walks the chain once per head; later views use that walk until a new action moves the head);
2. on gunicorn with 2 sync workers (as ``action_bench.py``), ``--clients`` concurrent clients with the judge's
   session each reading both pages in turn for ``--seconds``: throughput, p50 and p95.

Figures go to ``bench/results.json``: the long case's p95 against the short case's (target ≤ 1.5×) and the page
under load against the issue's 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, manage, migrated_database, store  # noqa: E402
from metrics_bench import existing_cases  # noqa: E402
from served import Request, gunicorn, load  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_case_page"

SETUP = """
import django, json, sys
django.setup()
from django.test import Client
from accountability.models import Officer, Organisation, Department
from accountability.services import officer_save, organisation_save, department_save
from cases import services
import datetime as dt

long_trace = int(sys.argv[1])
from cases.models import Case
kept = {c.case_number: c for c in Case.objects.filter(case_number__in=["（2026）基short号", "（2026）基long号"])}
if len(kept) == 2 and kept["（2026）基long号"].trace_length == long_trace:  # --reuse: the same two cases
    judge = kept["（2026）基long号"].lead_officer
    out = {name: {"id": str(kept[f"（2026）基{name}号"].public_id), "actions": kept[f"（2026）基{name}号"].trace_length}
           for name in ("short", "long")}
    client = Client()
    client.force_login(judge.user)
    out["session"] = client.cookies["sessionid"].value
    out["user"] = judge.user.pk
    print(json.dumps(out))
    sys.exit(0)
# the action bench's court and officers when run in its database (bench-quick), else new ones
court = Organisation.objects.filter(code="B").first() or organisation_save(
    organisation=Organisation(code="B", name="基准法院", kind="court", level="basic"))
dept = Department.objects.filter(organisation=court, code="MS").first() or department_save(
    department=Department(organisation=court, code="MS", name="民庭"))
filing = Officer.objects.filter(officer_id="F").first() or officer_save(
    officer=Officer(officer_id="F", name="立案", organisation=court), roles=["case_management"])
chief = Officer.objects.filter(officer_id="C").first() or officer_save(
    officer=Officer(officer_id="C", name="庭长", organisation=court, department=dept, post="division_chief",
                    is_quota=True), roles=["judge", "division_chief"])
judge = officer_save(officer=Officer(officer_id="J", name="法官", organisation=court, department=dept, is_quota=True),
                     roles=["judge"])
out = {}
for name, actions in (("short", 10), ("long", long_trace)):
    case = services.case_file(actor=filing, case_number=f"（2026）基{name}号", organisation=court, department=dept,
                              case_type="civil", procedure="first_instance", filed_on=dt.date(2026, 1, 5),
                              time_limit_days=180)
    services.case_assign(actor=chief, case=case, lead_officer=judge)
    case.refresh_from_db()
    for n in range(actions - case.trace_length):
        services.case_log_action(actor=judge, case=case, action_type="note", note=f"阅卷笔记 {n}")
    case.refresh_from_db()
    out[name] = {"id": str(case.public_id), "actions": case.trace_length}
client = Client()
client.force_login(judge.user)
out["session"] = client.cookies["sessionid"].value
out["user"] = judge.user.pk
print(json.dumps(out))
"""

CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client

cases, requests = json.loads(sys.argv[1]), int(sys.argv[2])
client = Client()
client.force_login(get_user_model().objects.get(pk=cases["user"]))
cache.clear()
figures = {}
for name in ("short", "long"):
    url = f"/cases/{cases[name]['id']}/"
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    first = time.perf_counter() - started
    statements = []  # counted by a wrapper: the test utility's log slice is empty when the connection is renewed
    with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    figures[name] = {
        "actions": cases[name]["actions"],
        "first_view_ms": round(first * 1000, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "queries": len(statements),
    }
print(json.dumps(figures))
"""


def read_pages(session: str, paths: list[str]) -> Request:
    """Each client reads the pages in turn with the judge's session, starting at its own."""
    return lambda index, n: ("GET", paths[(index + n) % len(paths)], {"Cookie": f"sessionid={session}"}, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", type=int, default=2000, help="actions of the long case")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20, help="of load on gunicorn; 0: the pages only")
    parser.add_argument("--reuse", action="store_true", help="keep the two cases if the database has them")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CASE_PAGE_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "SECRET_KEY": "bench-only-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SETTINGS_MODULE": "accountability.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    static = tempfile.TemporaryDirectory()
    env["STATIC_ROOT"] = static.name  # DEBUG off serves hashed static names: the manifest is needed
    if not args.reuse or existing_cases(args.database_url) is None:  # --reuse: the database as it is, if it has one
        migrated_database(args.database_url, env)
    collected = manage("collectstatic", "--noinput", env=env)
    if collected.returncode:
        raise SystemExit(collected.stderr)
    started = time.perf_counter()
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.long)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if setup.returncode:
        raise SystemExit(setup.stderr[-3000:])
    cases = json.loads(setup.stdout.strip().splitlines()[-1])
    print(
        f"set up in {time.perf_counter() - started:.1f} s: {cases['short']['actions']} and {cases['long']['actions']}"
    )
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cases), str(args.requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    pages = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(pages))
    ratio = round(pages["long"]["p95_ms"] / pages["short"]["p95_ms"], 2)
    entries = [
        {
            "name": f"case_page_p95_long_trace@{pages['long']['actions']}",
            "value": pages["long"]["p95_ms"],
            "unit": "ms",
            "floor": pages["short"]["p95_ms"],
            "compared_with": f"the same page of a case with {pages['short']['actions']} actions, same run",
            "ratio": ratio,
            "target_ratio": 1.5,
            "queries": {name: figure["queries"] for name, figure in pages.items()},
            "detail": pages,
        }
    ]
    if args.seconds <= 0:  # bench-quick: the pages only, no server
        store(entries)
        print(json.dumps({"pages": pages}, indent=2))
        return
    paths = [f"/cases/{cases['short']['id']}/", f"/cases/{cases['long']['id']}/"]
    with gunicorn(env) as (port, log):
        load(port, args.clients, 2, read_pages(cases["session"], paths), expect=200)  # warm both workers' walks
        loaded = load(port, args.clients, args.seconds, read_pages(cases["session"], paths), expect=200)
        if loaded["errors"]:
            log.seek(0)
            print(log.read().decode()[-3000:])
    result = {"pages": pages, "under_load": {"clients": args.clients, "seconds": args.seconds, **loaded}}
    entries.append(
        {
            "name": f"case_page_p95_{args.clients}_clients",
            "value": loaded["p95_ms"],
            "unit": "ms",
            "target": 100,
            "detail": result["under_load"],
        }
    )
    store(entries)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
