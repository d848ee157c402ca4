"""Action logging under load: POST /api/cases/{id}/actions/ (power check, row lock, chained insert)
against its same-work floor (``cases.bench_views``: the same token authentication, the same row lock and the
same chained row appended with one raw statement) and, for reference, a bare endpoint on the same stack that
inserts one unlocked, unchained row; all on gunicorn (2 workers) and PostgreSQL, 20 concurrent clients with
keep-alive connections, each client on its own five cases.

    python bench/action_bench.py --clients 20 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import ROOT, migrated_database, store  # noqa: E402
from metrics_bench import connect  # noqa: E402
from served import Request, gunicorn, load  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench_actions"

SETUP = """
import django, json, sys
django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from accountability.models import Officer, Organisation, Department
from accountability.services import officer_save, organisation_save, department_save
from cases import services
import datetime as dt

clients, cases_each = int(sys.argv[1]), int(sys.argv[2])
court = organisation_save(organisation=Organisation(code="B", name="基准法院", kind="court", level="basic"))
dept = department_save(department=Department(organisation=court, code="MS", name="民庭"))
filing = officer_save(officer=Officer(officer_id="F", name="立案", organisation=court), roles=["case_management"])
chief = officer_save(officer=Officer(officer_id="C", name="庭长", organisation=court, department=dept, post="division_chief",
                                     is_quota=True), roles=["judge", "division_chief"])
out = []
for i in range(clients):
    judge = officer_save(officer=Officer(officer_id=f"J{i}", name=f"法官{i}", organisation=court, department=dept,
                                         is_quota=True), roles=["judge"])
    ids = []
    for k in range(cases_each):
        case = services.case_file(actor=filing, case_number=f"（2026）基{i}-{k}号", organisation=court, department=dept,
                                  case_type="civil", procedure="first_instance", filed_on=dt.date(2026, 1, 5),
                                  time_limit_days=180)
        services.case_assign(actor=chief, case=case, lead_officer=judge)
        ids.append(str(case.public_id))
    token = Token.objects.create(user=judge.user)
    out.append({"token": token.key, "cases": ids})
print(json.dumps(out))
"""


def post_action(clients: list[dict], path_for: Callable[[dict, int], str]) -> Request:
    """Each client's n-th request: a note POSTed with its token to ``path_for(client, n)``."""

    def request(index: int, n: int) -> tuple[str, str, dict[str, str], str]:
        client = clients[index]
        headers = {"Authorization": f"Token {client['token']}", "Content-Type": "application/json"}
        return "POST", path_for(client, n), headers, json.dumps({"action_type": "note", "note": f"bench {n}"})

    return request


VERIFY = """
import django, json
django.setup()
from cases.audit import verify_chains
print(json.dumps(len(verify_chains())))
"""


def verify(database_url: str, env: dict[str, str]) -> int:
    """Every chain the run wrote (the floor's and the service's actions interleaved on the same cases) verifies:
    the floor appends the same chained row, not a cheaper one."""
    checked = subprocess.run([sys.executable, "-c", VERIFY], cwd=ROOT, env=env, capture_output=True, text=True)
    if checked.returncode:
        raise SystemExit(checked.stderr[-3000:])
    return json.loads(checked.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cases-each", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ACTIONS_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "bench-only-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "QUANZE_BENCH_ENDPOINTS": "true",
        "DJANGO_SETTINGS_MODULE": "accountability.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    migrated_database(args.database_url, env)
    connection = connect(args.database_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, user_id bigint, note text, at timestamptz)")
    connection.close()
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.clients), str(args.cases_each)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if setup.returncode:
        raise SystemExit(setup.stderr[-3000:])
    clients = json.loads(setup.stdout.strip().splitlines()[-1])
    with gunicorn(env) as (port, _log):
        n = len(clients)
        load(port, n, 2, post_action(clients, lambda c, i: "/bench/bare-insert/"), expect=201)  # warm both workers
        bare = load(port, n, args.seconds, post_action(clients, lambda c, i: "/bench/bare-insert/"), expect=201)
        floor = load(
            port,
            n,
            args.seconds,
            post_action(clients, lambda c, i: f"/bench/cases/{c['cases'][i % len(c['cases'])]}/chained-append/"),
            expect=201,
        )
        action = load(
            port,
            n,
            args.seconds,
            post_action(clients, lambda c, i: f"/api/cases/{c['cases'][i % len(c['cases'])]}/actions/"),
            expect=201,
        )
    broken = verify(args.database_url, env)
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "bare": bare,
        "floor": floor,
        "action": action,
        "ratio": round(action["throughput_rps"] / floor["throughput_rps"], 2),
        "p95_ratio": round(action["p95_ms"] / floor["p95_ms"], 2),
        "ratio_to_bare": round(action["throughput_rps"] / bare["throughput_rps"], 2),
        "chains_broken_after_run": broken,
    }
    store(
        [
            {
                "name": "action_logging",
                "value": action["throughput_rps"],
                "unit": "req/s",
                "floor": floor["throughput_rps"],
                "compared_with": "same-work floor: token auth, the case row lock, the same chained row (one statement)",
                "ratio": result["ratio"],
                "target_ratio": 0.5,
                "p95_ms": action["p95_ms"],
                "floor_p95_ms": floor["p95_ms"],
                "p95_ratio": result["p95_ratio"],
                "target_p95_ratio": 1.5,
                "detail": result,
            },
            {
                "name": "action_logging_bare_insert",
                "value": bare["throughput_rps"],
                "unit": "req/s",
                "floor": bare["throughput_rps"],
                "compared_with": "itself: one unlocked, unchained INSERT on the same stack (reference only)",
                "ratio": 1.0,
                "p95_ms": bare["p95_ms"],
                "detail": bare,
            },
        ]
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
