"""Writing stored metric results as JSON, CSV or XLSX: the six columns of INTERCHANGE.md."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from accountability.xlsx import append_row
from evaluation.metrics import Window
from evaluation.models import MetricResult

COLUMNS = ("level", "subject", "metric", "numerator", "denominator", "value")
FORMATS = ("json", "csv", "xlsx")


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return float(value)


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return str(int(normal))
    return format(normal, "f")


def rows_for(window: Window) -> list[dict[str, Any]]:
    queryset = MetricResult.objects.filter(window_from=window.start, window_to=window.end).order_by(
        "level", "subject", "metric"
    )
    return list(queryset.values(*COLUMNS))


def render(rows: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "json":
        data = [{**row, **{k: _number(row[k]) for k in ("numerator", "denominator", "value")}} for row in rows]
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row["level"], row["subject"], row["metric"], *(_text(row[k]) for k in COLUMNS[3:])])
        return buffer.getvalue().encode()
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("metrics")
        append_row(sheet, COLUMNS)
        for row in rows:
            append_row(sheet, [row["level"], row["subject"], row["metric"], *(_number(row[k]) for k in COLUMNS[3:])])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
