"""The dashboard's metrics table as an Excel workbook: the same numbers as the page, each value cell carrying the
number format of its metric's kind (0.0% for rates, #,##0 for counts, …), so Excel shows what the page shows and
still computes with the stored values. Text goes through ``accountability.xlsx.safe_cell`` (never a formula); the
sheet is named by its window, short enough to stay whole, and the full title (scope and window) is the
workbook's title."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

from accountability.xlsx import XLSX, safe_cell, sheet_title
from dashboards.formatting import EXCEL_FORMATS, EXCEL_PART_FORMAT, NO_DENOMINATOR
from dashboards.selectors import Window

WIDTHS = (30, 30, 12, 12, 12, 12, 12, 14, 14, 14)


def _number(sheet: Any, value: Any, number_format: str) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _bold(sheet: Any, value: Any) -> Any:
    cell = safe_cell(sheet, value)
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    cell.font = Font(bold=True)
    return cell


def metrics_workbook(title: str, window: Window, rows: Sequence[dict[str, Any]]) -> bytes:
    """``rows`` as dressed for the page (label, status label, kind, value, parts, range, earlier values)."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = ILLEGAL_CHARACTERS_RE.sub("", str(title))[:255]
    sheet = workbook.create_sheet(sheet_title(f"{_('Metrics')} {window.start}—{window.end}"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = [
        _("Metric"),
        _("Code"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Range from"),
        _("Range to"),
        _("Against the range"),
        _("Same period last year"),
        _("Last month"),
    ]
    sheet.append([_bold(sheet, str(h)) for h in header])
    for r in rows:
        value_format = EXCEL_FORMATS[r["kind"]]
        sheet.append(
            [
                safe_cell(sheet, str(r["label"])),
                safe_cell(sheet, r["metric"]),
                _number(sheet, r["value"], value_format),
                _number(sheet, r["numerator"], EXCEL_PART_FORMAT),
                None if r["kind"] in NO_DENOMINATOR else _number(sheet, r["denominator"], EXCEL_PART_FORMAT),
                _number(sheet, r["low"], value_format),
                _number(sheet, r["high"], value_format),
                safe_cell(sheet, str(r["status_label"])),
                _number(sheet, r.get("last_year"), value_format),
                _number(sheet, r.get("last_month"), value_format),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def metrics_xlsx_response(filename: str, title: str, window: Window, rows: Sequence[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(metrics_workbook(title, window, rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
