"""Reference cases (guiding, SPC typical, provincial) from a CSV or XLSX file: every row checked first,
every problem reported as ``FILE:LINE: COLUMN: message``, then all written (and indexed) or none.

Columns: ``level, number, title, issued_by_code, court, decided_on, case_type, cause, keywords, key_points,
facts_summary, disputed_points, ruling_summary``; ``level`` is ``guiding``, ``spc_typical`` or
``provincial`` (which needs ``issued_by_code``, the issuing high court). A row whose ``number`` is stored
updates that reference case; importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accountability.models import Organisation
from cases.choices import CaseType
from interchange.importing import tables as t
from interchange.importing.tables import Column, Problem, Table
from similar import services as similar
from similar.choices import SourceLevel
from similar.models import ReferenceCase

LEVELS = {"guiding": SourceLevel.GUIDING, "spc_typical": SourceLevel.SPC_TYPICAL, "provincial": SourceLevel.PROVINCIAL}
COLUMNS = [
    Column("level", t.choice(frozenset(LEVELS)), True),
    Column("number", t.text(100), True),
    Column("title", t.text(300), True),
    Column("issued_by_code", t.text(64)),
    Column("court", t.text(200)),
    Column("decided_on", t.date),
    Column("case_type", t.choice(CaseType.values)),
    Column("cause", t.text(200)),
    Column("keywords", t.text(300)),
    Column("key_points", t.text(10000)),
    Column("facts_summary", t.text(20000)),
    Column("disputed_points", t.text(10000)),
    Column("ruling_summary", t.text(20000)),
]
TEXT_FIELDS = (
    "title",
    "court",
    "cause",
    "keywords",
    "key_points",
    "facts_summary",
    "disputed_points",
    "ruling_summary",
)


@dataclass
class ReferenceImport:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def import_reference_cases(path: Path | str, *, dry_run: bool = False) -> ReferenceImport:
    result = ReferenceImport()
    table = Table(Path(path))
    if not table.path.is_file():
        result.problems.append(Problem(str(path), 0, "-", "no such file"))
        return result
    organisations = dict(Organisation.objects.values_list("code", "pk"))
    rows: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for line, raw in t.read_rows(table, COLUMNS, result.problems):
        row = t.parse_row(table, line, raw, COLUMNS, result.problems)
        if row is None:
            continue
        if row["number"] in seen:
            result.problems.append(Problem(table.name, line, "number", f"also on line {seen[row['number']]}"))
            continue
        seen[row["number"]] = line
        code = row["issued_by_code"]
        if code and code not in organisations:
            result.problems.append(
                Problem(table.name, line, "issued_by_code", f"{code!r} is not a stored organisation")
            )
            continue
        if row["level"] == "provincial" and not code:
            result.problems.append(
                Problem(
                    table.name, line, "issued_by_code", "a provincial reference case needs the court that issued it"
                )
            )
            continue
        rows.append((line, row))
    if result.problems:
        return result
    stored = {r.number: r for r in ReferenceCase.objects.filter(number__in=list(seen))}
    with transaction.atomic():
        for _line, row in rows:
            values = {name: row[name] or "" for name in TEXT_FIELDS}
            values.update(
                level=int(LEVELS[row["level"]]),
                decided_on=row["decided_on"],
                case_type=row["case_type"] or "",
                issued_by_id=organisations[row["issued_by_code"]] if row["issued_by_code"] else None,
            )
            reference = stored.get(row["number"])
            if reference is None:
                reference = ReferenceCase(number=row["number"])
                result.created += 1
            elif all(getattr(reference, name) == value for name, value in values.items()):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            for name, value in values.items():
                setattr(reference, name, value)
            similar.reference_save(reference=reference)
        if dry_run:
            transaction.set_rollback(True)
    return result
