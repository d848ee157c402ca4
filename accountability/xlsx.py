"""Tables as Excel workbooks: one helper for every export that people open in Excel.

What a user typed never becomes a formula (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written as a string cell (``t="inlineStr"``) with Excel's quote
prefix, so Excel shows the text and keeps it text when the cell is edited; numbers stay numbers. Characters
that XML 1.0 cannot hold (control characters) are replaced, so a stray one in a record cannot break the export.
A sheet's name is cleaned of what Excel forbids (``[]:*?/\\``, a leading or trailing apostrophe) and cut to 31
characters; the whole title is kept as the workbook's title."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What makes a spreadsheet read a cell as a formula (OWASP: =, +, -, @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A name Excel accepts for a sheet: forbidden characters replaced, at most 31 characters, not blank, and
    unlike the names in ``taken`` (compared as Excel does, ignoring case): a clash gets a ``~2``, ``~3`` suffix
    inside the 31 characters."""
    name = ILLEGAL_CHARACTERS_RE.sub("", str(title)).translate(_SHEET_FORBIDDEN).strip().strip("'").strip()
    name = name or "Sheet"
    used = {t.casefold() for t in taken}
    candidate, n = name[:SHEET_NAME_MAX], 1
    while candidate.casefold() in used or candidate.casefold() == "history":  # Excel reserves "History"
        n += 1
        suffix = f"~{n}"
        candidate = name[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


def safe_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """One value for ``sheet.append``: text that would start a formula becomes a string cell; numbers, dates and
    None are left as they are."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # the value setter made it a formula ("f") when it starts with "="
    cell.quotePrefix = True  # Excel's "'" prefix: shown as typed, and kept text when the cell is edited
    return cell


def append_row(sheet: WriteOnlyWorksheet, row: Iterable[Any]) -> None:
    sheet.append([safe_cell(sheet, value) for value in row])


def workbook_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = ILLEGAL_CHARACTERS_RE.sub("", str(title))[:255]
    sheet = workbook.create_sheet(sheet_title(title))
    append_row(sheet, [str(h) for h in header])
    for row in rows:
        append_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, header, rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
