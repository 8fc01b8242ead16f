"""台账 exports a community worker opens in Excel: .xlsx (openpyxl) and .csv (UTF-8 with
BOM, so Excel reads the Chinese), with Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Column = tuple[str, str]  # (key in the row, Chinese header)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([header for _, header in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _ in columns])
    for index, (key, header) in enumerate(columns, start=1):
        longest = max([len(str(_cell(r.get(key)))) for r in rows] + [len(header)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest * 2), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, title: str, fmt: str
) -> Response:
    """A download named after the ledger: `<title>.xlsx` or `<title>.csv`."""
    if fmt == "csv":
        body, media = to_csv(rows, columns), "text/csv; charset=utf-8"
    else:
        body, media = to_xlsx(rows, columns, title.split("：")[-1]), XLSX
    filename = quote(f"{title}.{fmt}")
    return Response(
        content=body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
