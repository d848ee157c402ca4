"""Reading interchange tables (CSV or XLSX) row by row, and parsing their cells.

Streaming: a table is an iterator of ``(line, row)``; nothing holds a whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$")


class CellError(ValueError):
    """A cell that does not parse; the message says why."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    #: The column may be left out of the file (a later, optional extension of the contract); a row of a
    #: file without it has no key for it, so that an update leaves the stored value alone.
    optional: bool = False


class Table:
    """One interchange file: its name as reported, and its rows with their line numbers (header = 1)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name

    def header_and_rows(self) -> Iterator[tuple[int, list[str]]]:
        if self.path.suffix.lower() == ".xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield index, [_xlsx_text(value) for value in values]
        finally:
            workbook.close()


def _xlsx_text(value: Any) -> str:
    """Spreadsheet cells come typed; turn them back into the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(table: Table, columns: list[Column], problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, {column: text})`` for each non-empty row; header problems are recorded and stop the file."""
    rows = table.header_and_rows()
    try:
        _, header = next(rows)
    except StopIteration:
        problems.append(Problem(table.name, 1, "-", "the file is empty (a header row is required)"))
        return
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(table.name, 1, "-", f"cannot read the file: {exc}"))
        return
    header = [name.strip() for name in header]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(table.name, 1, name, "the column appears twice"))
        seen.add(name)
    missing = [c.name for c in columns if c.name not in seen and not c.optional]
    for name in missing:
        problems.append(Problem(table.name, 1, name, "missing column"))
    if missing or len(seen) != len([h for h in header if h]):
        return
    positions = {name: index for index, name in enumerate(header) if name}
    try:
        for line, values in rows:
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                problems.append(Problem(table.name, line, "-", f"{len(values)} cells for {len(header)} columns"))
                continue
            yield line, {name: (values[i].strip() if i < len(values) else "") for name, i in positions.items()}
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(table.name, 0, "-", f"cannot read the file: {exc}"))


def parse_row(
    table: Table, line: int, raw: dict[str, str], columns: list[Column], problems: list[Problem]
) -> dict[str, Any] | None:
    """Parse every column of one row; record one problem per bad cell. None when any cell is bad."""
    parsed: dict[str, Any] = {}
    ok = True
    for column in columns:
        if column.optional and column.name not in raw:
            continue
        text = raw.get(column.name, "")
        if text == "":
            if column.required:
                problems.append(Problem(table.name, line, column.name, "a value is required"))
                ok = False
            parsed[column.name] = None
            continue
        try:
            parsed[column.name] = column.parse(text)
        except CellError as exc:
            problems.append(Problem(table.name, line, column.name, str(exc)))
            ok = False
    return parsed if ok else None


# --- cell parsers -------------------------------------------------------------------------


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"too long ({len(value)} characters; at most {max_length})")
        return value

    return parse


def choice(values: list[str] | frozenset[str]) -> Callable[[str], str]:
    allowed = sorted(values)

    def parse(value: str) -> str:
        if value not in values:
            raise CellError(f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    return parse


def date(value: str) -> dt.date:
    if not DATE_RE.match(value):
        raise CellError(f"{value!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(f"{value!r} is not a real date") from None


def aware_datetime(value: str) -> dt.datetime:
    if not DATETIME_RE.match(value):
        raise CellError(f"{value!r} is not an ISO 8601 time with an offset (e.g. 2024-03-01T09:30:00+08:00)")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CellError(f"{value!r} is not a real time") from None
    return parsed


def whole_days(value: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise CellError(f"{value!r} is not a whole number of days ≥ 0")
    number = int(value)
    if number > 100_000:
        raise CellError(f"{value!r} days is not plausible")
    return number


def count(value: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise CellError(f"{value!r} is not a whole number ≥ 0")
    return int(value)


def amount(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{value!r} is not a decimal amount") from None
    if not number.is_finite() or number < 0:
        raise CellError(f"{value!r} must be an amount ≥ 0")
    if number >= Decimal("1e16"):
        raise CellError(f"{value!r} is too large")
    if number != number.quantize(Decimal("0.01")):
        raise CellError(f"{value!r} has more than two decimal places")
    return number.quantize(Decimal("0.01"))


def weight(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{value!r} is not a decimal weight") from None
    if not number.is_finite() or number < 0 or number >= 10000:
        raise CellError(f"{value!r} must be a weight ≥ 0 and < 10000")
    if number != number.quantize(Decimal("0.0001")):
        raise CellError(f"{value!r} has more than four decimal places")
    return number


def boolean(value: str) -> bool:
    if value == "true":
        return True
    if value == "false":
        return False
    raise CellError(f"{value!r} is not true or false")


def role_list(allowed: frozenset[str]) -> Callable[[str], list[str]]:
    def parse(value: str) -> list[str]:
        roles = [part.strip() for part in value.split(";") if part.strip()]
        unknown = [r for r in roles if r not in allowed]
        if unknown:
            raise CellError(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
        return sorted(set(roles))

    return parse
