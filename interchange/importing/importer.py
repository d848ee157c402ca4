"""``import_data``: the interchange files of INTERCHANGE.md, validated whole, then written all or nothing.

Two passes over streamed files. The first validates every row of every file
(cross-file references included) and collects every problem; if there is one,
nothing is written. The second writes in bulk inside one transaction: upserts
by the contract's keys, a changed case appended to its trace as
``imported_change``, new actions chained like any other (skipping the ones
already stored, so a second run changes nothing). ``--dry-run`` runs the write
pass too and rolls it back, so its counts are exact.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from queue import Full, Queue
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from accountability.chain import CASE_TRACE, GENESIS_HASH, timestamp
from accountability.choices import IMPORTABLE_ACTION_TYPES, OrganisationKind, OrganisationLevel, Post, RoleCode
from accountability.models import Department, Officer, Organisation, Role
from accountability.services import organisation_save
from cases.bulk import copy_rows, update_heads
from cases.choices import OUTCOME_PROCEDURES, ActionSource, CaseType, ClosingMethod, Outcome, Procedure
from cases.models import Action, Case, ImportBatch
from cases.services import dedup_key, trace_append
from evaluation.models import WeightRule
from interchange.importing import tables as t
from interchange.importing.tables import Column, Problem, Table
from similar import services as similar

User = get_user_model()

ORDER = ("organisations", "departments", "officers", "cases", "actions", "weights")

SPECS: dict[str, list[Column]] = {
    "organisations": [
        Column("code", t.text(64), True),
        Column("name", t.text(200), True),
        Column("kind", t.choice(OrganisationKind.values), True),
        Column("level", t.choice(OrganisationLevel.values), True),
        Column("parent_code", t.text(64)),
    ],
    "departments": [
        Column("organisation_code", t.text(64), True),
        Column("code", t.text(64), True),
        Column("name", t.text(200), True),
    ],
    "officers": [
        Column("officer_id", t.text(64), True),
        Column("name", t.text(100), True),
        Column("organisation_code", t.text(64), True),
        Column("department_code", t.text(64)),
        Column("roles", t.role_list(frozenset(RoleCode.values))),
        Column("post", t.choice(Post.values)),
        Column("is_quota", t.boolean),
    ],
    "cases": [
        Column("case_number", t.text(100), True),
        Column("organisation_code", t.text(64), True),
        Column("department_code", t.text(64)),
        Column("case_type", t.choice(CaseType.values), True),
        Column("procedure", t.choice(Procedure.values), True),
        Column("cause", t.text(200)),
        Column("filed_on", t.date, True),
        Column("time_limit_days", t.whole_days),
        Column("extension_days", t.whole_days),
        Column("excluded_days", t.whole_days),
        Column("lead_officer_id", t.text(64)),
        Column("closed_on", t.date),
        Column("closing_method", t.choice(ClosingMethod.values)),
        Column("outcome", t.choice(Outcome.values)),
        Column("original_case_number", t.text(100)),
        Column("parties_count", t.count),
        Column("claim_amount", t.amount),
        Column("awarded_amount", t.amount),
        Column("recovered_amount", t.amount),
        # Optional extension (INTERCHANGE.md allows new optional columns): the text similar-case search reads.
        Column("facts_summary", t.text(20000), optional=True),
        Column("disputed_points", t.text(10000), optional=True),
        Column("ruling_summary", t.text(20000), optional=True),
    ],
    "actions": [
        Column("case_number", t.text(100), True),
        Column("occurred_at", t.aware_datetime, True),
        Column("actor_officer_id", t.text(64)),
        Column("action_type", t.choice(IMPORTABLE_ACTION_TYPES), True),
        Column("note", t.text(10000)),
    ],
    "weights": [
        Column("case_type", t.choice(CaseType.values), True),
        Column("procedure", t.choice(Procedure.values)),
        Column("cause", t.text(200)),
        Column("weight", t.weight, True),
    ],
}

#: Optional text columns of cases.csv: compared and written only when the file has them.
CASE_TEXT_FIELDS = ("facts_summary", "disputed_points", "ruling_summary")
#: Case fields compared for ``imported_change``, in the contract's column spelling.
CASE_FIELDS = (
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
)

Progress = Callable[[str, str, int], None]
#: Columns of a new imported case that no interchange column sets.
NEW_CASE_DEFAULTS: dict[str, Any] = {
    "parties": "",
    "original_case_id": None,
    "version": 1,
    "trace_head": GENESIS_HASH,
    "trace_length": 0,
    **dict.fromkeys(CASE_TEXT_FIELDS, ""),
}
#: How many cases' chain heads the action writer keeps before writing them back (bounds memory).
HEADS_IN_MEMORY = 50_000


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _constraints_checked_per_statement() -> Iterator[None]:
    """Check the foreign keys of each ``COPY`` as it ends rather than all at commit: PostgreSQL then checks one
    chunk while the reader thread parses the next, and does not queue three checks per action until the end."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _ahead(items: Iterable[Any], depth: int = 2) -> Iterator[Any]:
    """``items``, produced by a thread of their own up to ``depth`` ahead of the consumer (bounded memory). An
    exception in the producer is raised in the consumer; a consumer that stops early stops the producer."""
    queue: Queue[tuple[str, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, item: Any) -> bool:
        while not stop.is_set():
            try:
                queue.put((kind, item), timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)

    producer = threading.Thread(target=produce, name="import-reader", daemon=True)
    producer.start()
    try:
        while True:
            kind, item = queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        producer.join()


class _Rollback(Exception):
    """Raised inside the write transaction to undo a dry run."""


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    files: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class Importer:
    def __init__(
        self,
        directory: Path | str,
        *,
        user: Any = None,
        run_by: str | None = None,
        progress: Progress | None = None,
        chunk_size: int = 2000,
    ) -> None:
        self.directory = Path(directory)
        self.user = user
        self.run_by = run_by or (user.get_username() if user is not None else f"command:{getpass.getuser()}")
        self.progress = progress or (lambda file, phase, rows: None)
        self.chunk_size = chunk_size
        self.tables: dict[str, Table] = {}

    # --- entry point -------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> ImportResult:
        result = ImportResult()
        self._locate(result.problems)
        result.files = [table.name for table in self.tables.values()]
        if result.problems:
            return result
        self._validate(result.problems)
        if result.problems:
            return result
        try:
            with transaction.atomic():
                self._write(result)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            result.batch = None
        return result

    def _locate(self, problems: list[Problem]) -> None:
        if not self.directory.is_dir():
            problems.append(Problem(str(self.directory), 0, "-", "not a directory"))
            return
        for stem in ORDER:
            found = [
                self.directory / f"{stem}{ext}"
                for ext in (".csv", ".xlsx")
                if (self.directory / f"{stem}{ext}").is_file()
            ]
            if len(found) > 1:
                problems.append(
                    Problem(found[1].name, 0, "-", f"both {found[0].name} and {found[1].name} are present; keep one")
                )
            elif found:
                self.tables[stem] = Table(found[0])
        if not self.tables and not problems:
            problems.append(
                Problem(
                    str(self.directory), 0, "-", f"none of the files {', '.join(s + '.csv' for s in ORDER)} is here"
                )
            )

    def _rows(self, stem: str, problems: list[Problem], phase: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """Parsed rows of one file; bad cells become problems and their rows are left out."""
        table = self.tables[stem]
        columns = SPECS[stem]
        count = 0
        for line, raw in t.read_rows(table, columns, problems):
            parsed = t.parse_row(table, line, raw, columns, problems)
            count += 1
            if count % 50000 == 0:
                self.progress(table.name, phase, count)
            if parsed is not None:
                yield line, parsed
        self.progress(table.name, phase, count)

    # --- pass 1: validation ----------------------------------------------------------------------

    def _validate(self, problems: list[Problem]) -> None:
        stored_orgs = dict(Organisation.objects.values_list("code", "parent__code"))
        org_parents = dict(stored_orgs)
        if "organisations" in self.tables:
            name = self.tables["organisations"].name
            seen: set[str] = set()
            for line, row in self._rows("organisations", problems, "checking"):
                code, parent = row["code"], row["parent_code"]
                if code in seen:
                    problems.append(Problem(name, line, "code", f"{code!r} appears twice in the file"))
                    continue
                if parent is not None and parent not in seen and parent not in stored_orgs:
                    problems.append(
                        Problem(name, line, "parent_code", f"{parent!r} is neither earlier in the file nor stored")
                    )
                elif parent == code:
                    problems.append(Problem(name, line, "parent_code", "an organisation cannot be its own parent"))
                elif parent is not None and self._makes_cycle(code, parent, org_parents):
                    problems.append(Problem(name, line, "parent_code", f"{parent!r} is below {code!r}: a cycle"))
                else:
                    org_parents[code] = parent  # only a valid row moves the tree, so one error is one report
                seen.add(code)
                org_parents.setdefault(code, None)

        dept_keys = set(Department.objects.values_list("organisation__code", "code"))
        if "departments" in self.tables:
            name = self.tables["departments"].name
            seen_keys: set[tuple[str, str]] = set()
            for line, row in self._rows("departments", problems, "checking"):
                key = (row["organisation_code"], row["code"])
                if row["organisation_code"] not in org_parents:
                    problems.append(Problem(name, line, "organisation_code", f"unknown organisation {key[0]!r}"))
                    continue
                if key in seen_keys:
                    problems.append(Problem(name, line, "code", f"department {key[1]!r} of {key[0]!r} appears twice"))
                    continue
                seen_keys.add(key)
                dept_keys.add(key)

        officer_ids = set(Officer.objects.values_list("officer_id", flat=True))
        if "officers" in self.tables:
            name = self.tables["officers"].name
            seen_ids: set[str] = set()
            new_ids: list[tuple[int, str]] = []
            for line, row in self._rows("officers", problems, "checking"):
                oid = row["officer_id"]
                if oid in seen_ids:
                    problems.append(Problem(name, line, "officer_id", f"{oid!r} appears twice in the file"))
                    continue
                seen_ids.add(oid)
                if oid not in officer_ids:
                    new_ids.append((line, oid))
                officer_ids.add(oid)
                if row["organisation_code"] not in org_parents:
                    problems.append(
                        Problem(name, line, "organisation_code", f"unknown organisation {row['organisation_code']!r}")
                    )
                elif row["department_code"] and (row["organisation_code"], row["department_code"]) not in dept_keys:
                    problems.append(
                        Problem(
                            name,
                            line,
                            "department_code",
                            f"{row['department_code']!r} is not a department of {row['organisation_code']!r}",
                        )
                    )
            # A new officer's login is their officer_id: it must not be another officer's login already.
            for chunk in _chunks(new_ids, 5000):
                taken = set(
                    User.objects.filter(username__in=[oid for _, oid in chunk], officer__isnull=False).values_list(
                        "username", flat=True
                    )
                )
                for line, oid in chunk:
                    if oid in taken:
                        problems.append(
                            Problem(name, line, "officer_id", f"{oid!r} is already the login of another officer")
                        )

        case_numbers: set[str] = set()
        if "cases" in self.tables:
            name = self.tables["cases"].name
            originals: list[tuple[int, str]] = []
            links: dict[str, tuple[int, str]] = {}  # case -> (line, original), for the cycle check
            for line, row in self._rows("cases", problems, "checking"):
                number = row["case_number"]
                if number in case_numbers:
                    problems.append(Problem(name, line, "case_number", f"{number!r} appears twice in the file"))
                    continue
                case_numbers.add(number)
                self._check_case_row(name, line, row, org_parents, dept_keys, officer_ids, problems)
                if row["original_case_number"] is not None:
                    if row["original_case_number"] == number:
                        problems.append(
                            Problem(name, line, "original_case_number", "a case cannot be its own original")
                        )
                    else:
                        links[number] = (line, row["original_case_number"])
                        if row["original_case_number"] not in case_numbers:
                            originals.append((line, row["original_case_number"]))
            for chunk in _chunks(originals, 5000):
                stored = self._stored_case_numbers({n for _, n in chunk} - case_numbers)
                for line, number in chunk:
                    if number not in case_numbers and number not in stored:
                        problems.append(Problem(name, line, "original_case_number", f"unknown case {number!r}"))
            self._check_original_cycles(name, {k: v[1] for k, v in links.items()}, links, problems)

        if "actions" in self.tables:
            name = self.tables["actions"].name
            pending: list[tuple[int, str]] = []
            known_stored: set[str] = set()
            for line, row in self._rows("actions", problems, "checking"):
                actor = row["actor_officer_id"]
                if actor is not None and actor not in officer_ids:
                    problems.append(Problem(name, line, "actor_officer_id", f"unknown officer {actor!r}"))
                if row["case_number"] not in case_numbers and row["case_number"] not in known_stored:
                    pending.append((line, row["case_number"]))
                    if len(pending) >= 5000:
                        self._check_stored_cases(name, pending, known_stored, problems)
                        pending = []
            self._check_stored_cases(name, pending, known_stored, problems)

        if "weights" in self.tables:
            name = self.tables["weights"].name
            seen_weights: set[tuple[str, str, str]] = set()
            for line, row in self._rows("weights", problems, "checking"):
                key = (row["case_type"], row["procedure"] or "", row["cause"] or "")
                if key in seen_weights:
                    problems.append(
                        Problem(name, line, "case_type", "the same case_type, procedure and cause appear twice")
                    )
                seen_weights.add(key)

    @staticmethod
    def _check_original_cycles(
        name: str, links: dict[str, str], lines: dict[str, tuple[int, str]], problems: list[Problem]
    ) -> None:
        """Refuse chains of original cases that loop (A from B from A): a case's root must exist."""
        parents: dict[str, str | None] = dict(links)
        frontier = {o for o in links.values() if o not in parents}
        while frontier:  # stored cases' originals, one level per query round
            stored = dict(
                Case.objects.filter(case_number__in=frontier).values_list("case_number", "original_case__case_number")
            )
            for number in frontier:
                parents[number] = stored.get(number)
            frontier = {o for o in stored.values() if o is not None and o not in parents}
        reported: set[str] = set()
        for start in links:
            seen = {start}
            current = parents.get(start)
            while current is not None and current not in seen and current not in reported:
                seen.add(current)
                current = parents.get(current)
            if current is not None and current in seen and start not in reported:
                reported.update(seen)
                problems.append(
                    Problem(
                        name,
                        lines[start][0],
                        "original_case_number",
                        f"{links[start]!r} leads back to {start!r}: a cycle",
                    )
                )

    @staticmethod
    def _makes_cycle(code: str, parent: str, parents: dict[str, str | None]) -> bool:
        current: str | None = parent
        for _ in range(len(parents) + 1):
            if current is None:
                return False
            if current == code:
                return True
            current = parents.get(current)
        return True

    @staticmethod
    def _stored_case_numbers(numbers: set[str]) -> set[str]:
        if not numbers:
            return set()
        return set(Case.objects.filter(case_number__in=numbers).values_list("case_number", flat=True))

    def _check_stored_cases(
        self, name: str, pending: list[tuple[int, str]], known: set[str], problems: list[Problem]
    ) -> None:
        stored = self._stored_case_numbers({number for _, number in pending})
        known.update(stored)
        for line, number in pending:
            if number not in stored:
                problems.append(Problem(name, line, "case_number", f"unknown case {number!r}"))

    @staticmethod
    def _check_case_row(
        name: str,
        line: int,
        row: dict[str, Any],
        orgs: dict[str, str | None],
        depts: set[tuple[str, str]],
        officers: set[str],
        problems: list[Problem],
    ) -> None:
        org = row["organisation_code"]
        if org not in orgs:
            problems.append(Problem(name, line, "organisation_code", f"unknown organisation {org!r}"))
        elif row["department_code"] and (org, row["department_code"]) not in depts:
            problems.append(
                Problem(name, line, "department_code", f"{row['department_code']!r} is not a department of {org!r}")
            )
        if row["lead_officer_id"] and row["lead_officer_id"] not in officers:
            problems.append(Problem(name, line, "lead_officer_id", f"unknown officer {row['lead_officer_id']!r}"))
        closed_on = row["closed_on"]
        if closed_on is not None and closed_on < row["filed_on"]:
            problems.append(Problem(name, line, "closed_on", f"{closed_on} is before filed_on {row['filed_on']}"))
        if closed_on is None and row["closing_method"]:
            problems.append(Problem(name, line, "closing_method", "given for a case that is not closed (no closed_on)"))
        if row["outcome"]:
            if row["procedure"] not in OUTCOME_PROCEDURES:
                problems.append(
                    Problem(name, line, "outcome", "only second_instance and retrial cases have an outcome")
                )
            elif closed_on is None:
                problems.append(Problem(name, line, "outcome", "given for a case that is not closed (no closed_on)"))

    # --- pass 2: writing ---------------------------------------------------------------------------

    def _write(self, result: ImportResult) -> None:
        problems: list[Problem] = []  # rows were validated; the write pass re-parses without new problems
        self.batch = ImportBatch.objects.create(
            directory=str(self.directory),
            files={stem: table.name for stem, table in self.tables.items()},
            run_by=self.run_by,
            user=self.user if getattr(self.user, "pk", None) else None,
        )
        result.batch = self.batch
        counts = result.counts
        if "organisations" in self.tables:
            self._write_organisations(problems, counts["organisations"])
        if "departments" in self.tables:
            self._write_departments(problems, counts["departments"])
        if "officers" in self.tables:
            self._write_officers(problems, counts["officers"])
        self.org_ids = dict(Organisation.objects.values_list("code", "pk"))
        self.dept_ids = {(o, c): pk for o, c, pk in Department.objects.values_list("organisation__code", "code", "pk")}
        self.officer_pks = dict(Officer.objects.values_list("officer_id", "pk"))
        if "cases" in self.tables:
            self._write_cases(problems, counts["cases"])
        if "actions" in self.tables:
            with _constraints_checked_per_statement():
                self._write_actions(problems, counts["actions"])
        if "weights" in self.tables:
            self._write_weights(problems, counts["weights"])
        self.batch.finished_at = timezone.now()
        self.batch.counts = {stem: dict(c) for stem, c in counts.items()}
        self.batch.save(update_fields=["finished_at", "counts"])

    def _write_organisations(self, problems: list[Problem], counts: dict[str, int]) -> None:
        for _, row in self._rows("organisations", problems, "writing"):
            org = Organisation.objects.filter(code=row["code"]).select_related("parent").first()
            parent = Organisation.objects.get(code=row["parent_code"]) if row["parent_code"] else None
            wanted = {"name": row["name"], "kind": row["kind"], "level": row["level"], "parent": parent}
            if org is None:
                organisation_save(organisation=Organisation(code=row["code"], **wanted))
                counts["created"] += 1
            elif any(getattr(org, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(org, key, value)
                organisation_save(organisation=org)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    def _write_departments(self, problems: list[Problem], counts: dict[str, int]) -> None:
        org_ids = dict(Organisation.objects.values_list("code", "pk"))
        existing = {(d.organisation_id, d.code): d for d in Department.objects.all()}
        new: list[Department] = []
        for _, row in self._rows("departments", problems, "writing"):
            key = (org_ids[row["organisation_code"]], row["code"])
            dept = existing.get(key)
            if dept is None:
                new.append(Department(organisation_id=key[0], code=row["code"], name=row["name"]))
                counts["created"] += 1
            elif dept.name != row["name"]:
                dept.name = row["name"]
                dept.save(update_fields=["name", "updated_at"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        Department.objects.bulk_create(new, batch_size=1000)

    def _write_officers(self, problems: list[Problem], counts: dict[str, int]) -> None:
        org_ids = dict(Organisation.objects.values_list("code", "pk"))
        dept_ids = {(o, c): pk for o, c, pk in Department.objects.values_list("organisation__code", "code", "pk")}
        through = Officer.roles.through
        valid_roles = set(Role.objects.values_list("code", flat=True))
        for chunk in _chunks(self._rows("officers", problems, "writing"), self.chunk_size):
            ids = [row["officer_id"] for _, row in chunk]
            existing = {o.officer_id: o for o in Officer.objects.filter(officer_id__in=ids).prefetch_related("roles")}
            users = {u.username: u for u in User.objects.filter(username__in=ids, officer__isnull=True)}
            new_users: list[Any] = []
            new_officers: list[tuple[Officer, list[str]]] = []
            for _, row in chunk:
                wanted = {
                    "name": row["name"],
                    "organisation_id": org_ids[row["organisation_code"]],
                    "department_id": dept_ids.get((row["organisation_code"], row["department_code"]))
                    if row["department_code"]
                    else None,
                    "post": row["post"] or Post.NONE,
                    "is_quota": bool(row["is_quota"]),
                }
                roles = [r for r in (row["roles"] or []) if r in valid_roles]
                officer = existing.get(row["officer_id"])
                if officer is None:
                    user = users.get(row["officer_id"])
                    if user is None:
                        user = User(username=row["officer_id"])
                        user.set_unusable_password()
                        new_users.append(user)
                    new_officers.append((Officer(officer_id=row["officer_id"], user=user, **wanted), roles))
                    counts["created"] += 1
                    continue
                changed = [k for k, v in wanted.items() if getattr(officer, k) != v]
                if changed:
                    for key in changed:
                        setattr(officer, key, wanted[key])
                    officer.save(update_fields=[*changed, "updated_at"])
                if sorted(officer.role_codes) != roles:
                    officer.roles.set(roles)
                    changed.append("roles")
                counts["updated" if changed else "unchanged"] += 1
            User.objects.bulk_create(new_users, batch_size=1000)
            for officer, _ in new_officers:
                officer.user_id = officer.user.pk
            Officer.objects.bulk_create([o for o, _ in new_officers], batch_size=1000)
            through.objects.bulk_create(
                [through(officer_id=o.pk, role_id=r) for o, roles in new_officers for r in roles], batch_size=5000
            )

    # cases -------------------------------------------------------------------------------------

    def _case_values(self, row: dict[str, Any]) -> dict[str, Any]:
        dept = row["department_code"]
        return {
            "organisation_id": self.org_ids[row["organisation_code"]],
            "department_id": self.dept_ids[(row["organisation_code"], dept)] if dept else None,
            "case_type": row["case_type"],
            "procedure": row["procedure"],
            "cause": row["cause"] or "",
            "filed_on": row["filed_on"],
            "time_limit_days": row["time_limit_days"] or 0,
            "extension_days": row["extension_days"] or 0,
            "excluded_days": row["excluded_days"] or 0,
            "lead_officer_id": self.officer_pks[row["lead_officer_id"]] if row["lead_officer_id"] else None,
            "closed_on": row["closed_on"],
            "closing_method": row["closing_method"] or "",
            "outcome": row["outcome"] or "",
            "parties_count": row["parties_count"],
            "claim_amount": row["claim_amount"],
            "awarded_amount": row["awarded_amount"],
            "recovered_amount": row["recovered_amount"],
            **{name: row[name] or "" for name in CASE_TEXT_FIELDS if name in row},
        }

    def _write_cases(self, problems: list[Problem], counts: dict[str, int]) -> None:
        # Pass A: insert the cases that are new (their original links come in pass B).
        for chunk in _chunks(self._rows("cases", problems, "writing"), self.chunk_size):
            numbers = [row["case_number"] for _, row in chunk]
            stored = set(Case.objects.filter(case_number__in=numbers).values_list("case_number", flat=True))
            now = timezone.now()
            new = [
                {
                    **NEW_CASE_DEFAULTS,
                    **self._case_values(row),
                    "public_id": uuid.uuid4(),
                    "case_number": row["case_number"],
                    "import_batch_id": self.batch.pk,
                    "created_at": now,
                    "updated_at": now,
                }
                for _, row in chunk
                if row["case_number"] not in stored
            ]
            if new:
                copy_rows(Case, new)
                counts["created"] += len(new)
        # Pass B: link originals of new cases; compare stored ones and trace their changes.
        for chunk in _chunks(self._rows("cases", problems, "linking"), self.chunk_size):
            numbers = [row["case_number"] for _, row in chunk]
            wanted_originals = {row["original_case_number"] for _, row in chunk if row["original_case_number"]}
            keys = {
                number: (pk, batch_id)
                for number, pk, batch_id in Case.objects.filter(case_number__in=numbers).values_list(
                    "case_number", "pk", "import_batch_id"
                )
            }
            original_ids = dict(Case.objects.filter(case_number__in=wanted_originals).values_list("case_number", "pk"))
            older = [number for number in numbers if keys[number][1] != self.batch.pk]
            stored = {
                c.case_number: c
                for c in Case.objects.filter(case_number__in=older).select_related(
                    "organisation", "department", "lead_officer", "original_case"
                )
            }
            link_new: list[Case] = []
            searchable: list[int] = []  # new cases with text, changed cases: their search documents follow
            for _, row in chunk:
                pk, batch_id = keys[row["case_number"]]
                if any(row.get(name) for name in CASE_TEXT_FIELDS) and row["closed_on"]:
                    searchable.append(pk)
                original_id = original_ids.get(row["original_case_number"]) if row["original_case_number"] else None
                if batch_id == self.batch.pk:
                    if original_id is not None:
                        link_new.append(Case(pk=pk, original_case_id=original_id))
                    continue
                case = stored[row["case_number"]]
                changes = self._case_changes(case, row)
                if not changes:
                    counts["unchanged"] += 1
                    continue
                self._apply_case_change(case, row, original_id, changes)
                counts["updated"] += 1
                searchable.append(pk)
            Case.objects.bulk_update(link_new, ["original_case"], batch_size=1000)
            similar.index_cases(sorted(set(searchable)))

    @staticmethod
    def _case_current(case: Case) -> dict[str, Any]:
        return {
            "organisation_code": case.organisation.code,
            "department_code": case.department.code if case.department_id else None,
            "case_type": case.case_type,
            "procedure": case.procedure,
            "cause": case.cause or None,
            "filed_on": case.filed_on,
            "time_limit_days": case.time_limit_days,
            "extension_days": case.extension_days,
            "excluded_days": case.excluded_days,
            "lead_officer_id": case.lead_officer.officer_id if case.lead_officer_id else None,
            "closed_on": case.closed_on,
            "closing_method": case.closing_method or None,
            "outcome": case.outcome or None,
            "original_case_number": case.original_case.case_number if case.original_case_id else None,
            "parties_count": case.parties_count,
            "claim_amount": case.claim_amount,
            "awarded_amount": case.awarded_amount,
            "recovered_amount": case.recovered_amount,
            **{name: getattr(case, name) or None for name in CASE_TEXT_FIELDS},
        }

    def _case_changes(self, case: Case, row: dict[str, Any]) -> dict[str, list[Any]]:
        current = self._case_current(case)
        compared = (*CASE_FIELDS, *(name for name in CASE_TEXT_FIELDS if name in row))
        wanted = {name: row[name] for name in compared}
        for name in ("time_limit_days", "extension_days", "excluded_days"):
            wanted[name] = wanted[name] or 0
        changes = {}
        for name in compared:
            old, new = current[name], wanted[name]
            if old != new:
                changes[name] = [_jsonable(old), _jsonable(new)]
        return changes

    def _apply_case_change(
        self, case: Case, row: dict[str, Any], original_id: int | None, changes: dict[str, list[Any]]
    ) -> None:
        locked = Case.objects.select_for_update().get(pk=case.pk)
        for key, value in self._case_values(row).items():
            setattr(locked, key, value)
        locked.original_case_id = original_id
        locked.version += 1
        locked.save()
        trace_append(
            case=locked,
            action_type="imported_change",
            actor=None,
            source=ActionSource.IMPORT,
            note=f"{self.tables['cases'].name}: {', '.join(sorted(changes))}",
            payload={"changes": changes, "import_batch": str(self.batch.public_id)},
            recorded_by_id=self.user.pk if getattr(self.user, "pk", None) else None,
        )

    # actions -----------------------------------------------------------------------------------

    def _write_actions(self, problems: list[Problem], counts: dict[str, int]) -> None:
        """New actions, chained in file order within each case, in one pass over the file.

        Per chunk of rows: one query locks the chunk's cases not yet seen and reads their heads, one finds the
        rows already stored (re-import), and one ``COPY`` streams the new rows, each hashed and sealed as it is
        sent, so PostgreSQL stores the rows already sent while the next ones are being hashed."""
        heads: dict[str, list[Any]] = {}  # case_number -> [pk, head, length, dirty, case year]
        now = timezone.now()
        recorded_by_id = self.user.pk if getattr(self.user, "pk", None) else None
        links = _ActionLinks(batch_id=self.batch.pk, recorded_at=now, recorded_by_id=recorded_by_id)
        # Reading, parsing and the identity keys of the next chunk run in a thread while PostgreSQL stores this one
        # (psycopg2 lets go of the GIL while it waits): the two cores work at once.
        for keyed in _ahead(self._keyed_actions(problems)):
            missing = {row["case_number"] for _, row in keyed if row["case_number"] not in heads}
            if missing:
                for pk, number, head, length, filed_on in (
                    Case.objects.select_for_update()
                    .filter(case_number__in=missing)
                    .order_by("pk")
                    .values_list("pk", "case_number", "trace_head", "trace_length", "filed_on")
                ):
                    heads[number] = [pk, head, length, False, filed_on.year]
            # Only cases that already have actions (stored, or added earlier in this run) can hold a duplicate;
            # the (case, seq) index finds their actions.
            with_actions = {heads[row["case_number"]][0] for _, row in keyed if heads[row["case_number"]][2] > 0}
            stored_keys = (
                set(
                    Action.objects.filter(case_id__in=with_actions, dedup_key__in={k for k, _ in keyed}).values_list(
                        "dedup_key", flat=True
                    )
                )
                if with_actions
                else set()
            )
            new = self._chain_actions(keyed, heads, stored_keys, links, counts)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.copy_expert(ACTION_COPY, _Stream(links.copy_line(action) for action in new), 65536)
            else:
                copy_rows(Action, [links.row(action) for action in new])
            if len(heads) >= HEADS_IN_MEMORY:  # keep memory flat: write the heads back, reload on demand
                update_heads((s[0], s[1], s[2]) for s in heads.values() if s[3])
                heads.clear()
        update_heads((s[0], s[1], s[2]) for s in heads.values() if s[3])

    def _keyed_actions(self, problems: list[Problem]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """The actions file in chunks, each row with its identity key (``dedup_key``). No database access: it runs
        in a thread of its own (``_ahead``)."""
        for chunk in _chunks(self._rows("actions", problems, "writing"), self.chunk_size):
            yield [
                (
                    dedup_key(
                        case_number=row["case_number"],
                        occurred_at=row["occurred_at"],
                        actor_officer_id=row["actor_officer_id"],
                        action_type=row["action_type"],
                        note=row["note"] or "",
                    ),
                    row,
                )
                for _, row in chunk
            ]

    def _chain_actions(
        self,
        keyed: list[tuple[str, dict[str, Any]]],
        heads: dict[str, list[Any]],
        stored_keys: set[str],
        links: _ActionLinks,
        counts: dict[str, int],
    ) -> Iterator[_NewAction]:
        """The chunk's new actions, each linked to its case's head as it is produced (lazily: the COPY pulls them)."""
        officer_pks = self.officer_pks
        for key, row in keyed:
            if key in stored_keys:
                counts["unchanged"] += 1
                continue
            stored_keys.add(key)
            state = heads[row["case_number"]]
            actor = row["actor_officer_id"]
            action = _NewAction(
                case_id=state[0],
                seq=state[2] + 1,
                case_year=state[4],
                action_type=row["action_type"],
                occurred_at=row["occurred_at"],
                actor_id=officer_pks[actor] if actor else None,
                note=row["note"] or "",
                dedup_key=key,
                prev_hash=state[1],
            )
            action.hash = links.hash(action)
            state[1], state[2], state[3] = action.hash, action.seq, True
            counts["created"] += 1
            yield action

    def _write_weights(self, problems: list[Problem], counts: dict[str, int]) -> None:
        existing = {(w.case_type, w.procedure, w.cause): w for w in WeightRule.objects.all()}
        for _, row in self._rows("weights", problems, "writing"):
            key = (row["case_type"], row["procedure"] or "", row["cause"] or "")
            rule = existing.get(key)
            if rule is None:
                WeightRule.objects.create(case_type=key[0], procedure=key[1], cause=key[2], weight=row["weight"])
                counts["created"] += 1
            elif rule.weight != row["weight"]:
                rule.weight = row["weight"]
                rule.save(update_fields=["weight", "updated_at"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1


#: Every column of an imported action, as ``COPY`` receives them (``_ActionLinks.copy_line``).
ACTION_COLUMNS = (
    "case_id",
    "seq",
    "case_year",
    "action_type",
    "occurred_at",
    "recorded_at",
    "actor_id",
    "recorded_by_id",
    "source",
    "note",
    "payload",
    "corrects_id",
    "power_item_code",
    "power_item_revision",
    "import_batch_id",
    "dedup_key",
    "prev_hash",
    "hash",
    "mac",
)
ACTION_COPY = f"COPY {Action._meta.db_table} ({', '.join(ACTION_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
#: ``json.dumps`` of one string with ``ensure_ascii=False`` (the C encoder ``json`` itself uses).
_json_text = json.encoder.encode_basestring


@dataclass(slots=True)
class _NewAction:
    """What varies between the actions of one import; the rest (``_ActionLinks``) is the same for all."""

    case_id: int
    seq: int
    case_year: int
    action_type: str
    occurred_at: dt.datetime
    actor_id: int | None
    note: str
    dedup_key: str
    prev_hash: str
    hash: str = ""


class _ActionLinks:
    """Hash, seal and ``COPY`` text of imported actions, the columns every one of them shares written once.

    ``hash`` is ``CASE_TRACE.hash`` spelled out for an imported action (the canonical JSON of its hashed columns,
    keys sorted, compact, not ASCII-escaped; instants as microseconds since the epoch): building the JSON from
    one template is several times faster than encoding a dict per row, and tests/test_import.py checks the two
    agree byte for byte on awkward notes.
    """

    def __init__(self, *, batch_id: int, recorded_at: dt.datetime, recorded_by_id: int | None) -> None:
        self.batch_id, self.recorded_at, self.recorded_by_id = batch_id, recorded_at, recorded_by_id
        recorded_by = "null" if recorded_by_id is None else str(recorded_by_id)
        self._middle = f',"corrects_id":null,"import_batch_id":{batch_id},"note":'
        self._tail = (
            f',"payload":{{}},"power_item_code":"","power_item_revision":null,"recorded_at":{timestamp(recorded_at)},'
            f'"recorded_by_id":{recorded_by},"seq":'
        )
        self._end = f',"source":{_json_text(ActionSource.IMPORT.value)}}}'
        self._copy_recorded = recorded_at.isoformat()
        self._copy_recorded_by = "" if recorded_by_id is None else str(recorded_by_id)
        self._copy_batch = f'"{{}}",,"",,{batch_id}'

    def hash(self, action: _NewAction) -> str:
        actor = "null" if action.actor_id is None else action.actor_id
        text = (
            f'{action.prev_hash}\n{{"action_type":{_json_text(action.action_type)},"actor_id":{actor},'
            f'"case_id":{action.case_id}{self._middle}{_json_text(action.note)},'
            f'"occurred_at":{timestamp(action.occurred_at)}{self._tail}{action.seq}{self._end}'
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def copy_line(self, action: _NewAction) -> str:
        """One line of ``ACTION_COPY``'s CSV (text quoted, so an empty note stays "" and not NULL)."""
        note = action.note.replace('"', '""')
        actor = "" if action.actor_id is None else action.actor_id
        return (
            f"{action.case_id},{action.seq},{action.case_year},{action.action_type},{action.occurred_at.isoformat()},"
            f"{self._copy_recorded},{actor},{self._copy_recorded_by},{ActionSource.IMPORT.value},"
            f'"{note}",{self._copy_batch},'
            f"{action.dedup_key},{action.prev_hash},{action.hash},{CASE_TRACE.seal(action.hash)}\n"
        )

    def row(self, action: _NewAction) -> dict[str, Any]:
        """The same action as the row ``copy_rows`` takes (databases without ``COPY``)."""
        return {
            "case_id": action.case_id,
            "seq": action.seq,
            "case_year": action.case_year,
            "action_type": action.action_type,
            "occurred_at": action.occurred_at,
            "recorded_at": self.recorded_at,
            "actor_id": action.actor_id,
            "recorded_by_id": self.recorded_by_id,
            "source": ActionSource.IMPORT,
            "note": action.note,
            "payload": {},
            "corrects_id": None,
            "power_item_code": "",
            "power_item_revision": None,
            "import_batch_id": self.batch_id,
            "dedup_key": action.dedup_key,
            "prev_hash": action.prev_hash,
            "hash": action.hash,
            "mac": CASE_TRACE.seal(action.hash),
        }


class _Stream:
    """An iterator of text lines read as a file, for ``COPY ... FROM STDIN``: lines are produced as PostgreSQL
    asks for them, so it stores one block while the next is being built, and no chunk is held whole as text."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def read(self, size: int = -1) -> str:
        parts: list[str] = []
        length = 0
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(parts)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
