"""Import benchmark: generate N action rows (with their cases and people) and time ``import_data``.

Runs the real command in a child process against a fresh PostgreSQL database
(``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/quanze_bench),
records wall time, rows/s and the child's peak memory, and writes them to
bench/results.json and the import table in BENCHMARKS.md.

    python bench/import_bench.py --actions 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quanze_bench"
ACTIONS_PER_CASE = 10
TYPES = [
    "filed",
    "assigned",
    "hearing_scheduled",
    "evidence_exchanged",
    "hearing_held",
    "deliberated",
    "ruling_drafted",
    "ruling_signed",
    "served",
    "closed",
]


def results_path() -> Path:
    """Where figures are recorded: bench/results.json, or QUANZE_BENCH_RESULTS (bench-quick keeps its own)."""
    path = Path(os.environ.get("QUANZE_BENCH_RESULTS") or ROOT / "bench" / "results.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL"


def store(entries: list[dict[str, object]]) -> None:
    """Record figures in results.json, one object per figure: name, value, unit, the floor it is compared
    with and the ratio value/floor. Where the issue sets a fixed target rather than a measured floor (a
    latency, a rate), the target is the floor and ``compared_with`` says so. An entry replaces the one of the
    same name only (``search@2000000`` leaves ``search@1000000`` alone: the growth curve keeps every size)."""
    out = results_path()
    existing = json.loads(out.read_text()) if out.exists() else []
    names = {e["name"] for e in entries}
    kept = [e for e in existing if e.get("name") not in names]
    for entry in entries:
        entry = {**entry}
        if "floor" not in entry:
            entry["floor"] = entry.pop("target", None)
            entry.setdefault("compared_with", "target")
        entry.setdefault("compared_with", "floor")
        if entry.get("ratio") is None and entry["floor"]:
            entry["ratio"] = round(float(entry["value"]) / float(entry["floor"]), 2)
        entry.setdefault("ratio", None)
        entry.pop("ratio_to_target", None)
        entry.setdefault("machine", machine())
        # how busy the shared machine was when the figure was stored (2 cores: above 2, runs were queueing)
        entry.setdefault("load_average_1m", round(os.getloadavg()[0], 2))
        entry.setdefault("date", dt.date.today().isoformat())
        kept.append(entry)
    out.write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n")


def generate(directory: Path, actions: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    cases = max(1, actions // ACTIONS_PER_CASE)
    officers = [f"B{i:04d}" for i in range(200)]
    with (directory / "organisations.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "kind", "level", "parent_code"])
        w.writerow(["BENCH", "基准测试人民法院", "court", "basic", ""])
    with (directory / "departments.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["organisation_code", "code", "name"])
        w.writerow(["BENCH", "MS", "民事审判庭"])
    with (directory / "officers.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["officer_id", "name", "organisation_code", "department_code", "roles", "post", "is_quota"])
        for oid in officers:
            w.writerow([oid, f"法官{oid}", "BENCH", "MS", "judge", "none", "true"])
    start = dt.date(2020, 1, 1)
    with (
        (directory / "cases.csv").open("w", newline="", encoding="utf-8") as fc,
        (directory / "actions.csv").open("w", newline="", encoding="utf-8") as fa,
    ):
        wc, wa = csv.writer(fc), csv.writer(fa)
        wc.writerow(
            [
                "case_number",
                "organisation_code",
                "department_code",
                "case_type",
                "procedure",
                "cause",
                "filed_on",
                "time_limit_days",
                "extension_days",
                "excluded_days",
                "lead_officer_id",
                "closed_on",
                "closing_method",
                "outcome",
                "original_case_number",
                "parties_count",
                "claim_amount",
                "awarded_amount",
                "recovered_amount",
            ]
        )
        wa.writerow(["case_number", "occurred_at", "actor_officer_id", "action_type", "note"])
        written = 0
        for n in range(cases):
            number = f"（{2020 + n % 5}）沪0101民初{n}号"
            filed = start + dt.timedelta(days=rng.randint(0, 1800))
            lead = rng.choice(officers)
            closed = filed + dt.timedelta(days=rng.randint(20, 300))
            wc.writerow(
                [
                    number,
                    "BENCH",
                    "MS",
                    "civil",
                    "first_instance",
                    "民间借贷纠纷",
                    filed.isoformat(),
                    180,
                    "",
                    "",
                    lead,
                    closed.isoformat(),
                    "judgment",
                    "",
                    "",
                    2,
                    "50000.00",
                    "",
                    "",
                ]
            )
            for k, action_type in enumerate(TYPES):
                if written >= actions:
                    break
                day = filed + dt.timedelta(days=(closed - filed).days * k // len(TYPES))
                wa.writerow([number, f"{day.isoformat()}T{9 + k % 8:02d}:00:00+08:00", lead, action_type, ""])
                written += 1
    return {"cases": cases, "actions": written, "officers": len(officers)}


def _admin(url: str):  # noqa: ANN202 - psycopg2 is imported late (the benches that need no database skip it)
    import psycopg2

    parsed = urlparse(url)
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    return admin


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


#: the migrated, empty database the benches copy (``migrated_database``)
TEMPLATE = "quanze_bench_template"


def code_stamp() -> str:
    """A digest of what a migrated database depends on: the apps' Python files (migrations, and the defaults the
    data migrations load), not the tests and benches."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {"tests", "bench", ".venv", "var", "staticfiles", "docs"}:
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def migrated_database(url: str, env: dict[str, str]) -> None:
    """A fresh database at ``url`` with every migration applied, as ``migrate`` on an empty one gives it, in about
    a second: a copy (``CREATE DATABASE … TEMPLATE``) of a template migrated once per state of the code
    (``code_stamp``, kept as the template's comment). ``make bench-quick`` needs four such databases; migrating
    each took most of its time (issue 23)."""
    name = urlparse(url).path.lstrip("/")
    stamp = code_stamp()
    admin = _admin(url)
    with admin.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext(%s))", [TEMPLATE])  # one bench at a time builds it
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [TEMPLATE])
        row = cur.fetchone()
        if row is None or row[0] != stamp:
            cur.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
            cur.execute(f'CREATE DATABASE "{TEMPLATE}"')
            template_url = urlunparse(urlparse(url)._replace(path=f"/{TEMPLATE}"))
            migrated = manage("migrate", "--noinput", env={**env, "DATABASE_URL": template_url})
            if migrated.returncode:
                cur.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
                raise SystemExit(migrated.stderr)
            cur.execute(f"COMMENT ON DATABASE \"{TEMPLATE}\" IS '{stamp}'")
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        cur.execute("SELECT pg_advisory_unlock(hashtext(%s))", [TEMPLATE])
    admin.close()


def run(actions: int, url: str) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    migrated_database(url, env)
    with tempfile.TemporaryDirectory(prefix="quanze-bench-") as tmp:
        sizes = generate(Path(tmp), actions)
        # The import's own peak memory (wait4 on that child): RUSAGE_CHILDREN would give the largest child so far,
        # which may be the migrate run before it.
        with tempfile.TemporaryFile("w+") as output:
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "manage.py", "import_data", tmp], cwd=ROOT, env=env, stdout=output, stderr=output
            )
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            output.seek(0)
            if child.returncode:
                raise SystemExit(output.read())
        peak_kib = usage.ru_maxrss
    rows = sizes["actions"] + sizes["cases"] + sizes["officers"] + 2
    return {
        "actions": sizes["actions"],
        "cases": sizes["cases"],
        "seconds": round(elapsed, 1),
        "actions_per_second": round(sizes["actions"] / elapsed),
        "rows_per_second": round(rows / elapsed),
        "peak_rss_mib": round(peak_kib / 1024),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def record(results: list[dict[str, object]]) -> None:
    store(
        [
            {
                "name": f"import@{r['actions']}",
                "value": r["actions_per_second"],
                "unit": "actions/s",
                "target": 20000,
                "detail": r,
            }
            for r in results
        ]
    )
    print(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, action="append", help="action rows to import (repeatable)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    sizes = args.actions or [100_000, 1_000_000]
    record([run(n, args.database_url) for n in sizes])


if __name__ == "__main__":
    main()
