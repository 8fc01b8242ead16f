"""台账 exports a community worker opens in Excel: .xlsx (openpyxl) and .csv (UTF-8 with
BOM, so Excel reads the Chinese), with Chinese headers.

Every text cell is written as text, never as a formula (the OWASP CSV-injection rule):
a value starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe
in the csv, and in the xlsx is stored as a string with Excel's quote prefix (shown as
typed, never evaluated). Characters a workbook cannot hold (control characters,
lone surrogates, U+FFFE/U+FFFF) are dropped rather than failing the download.

Moments and hours follow the one display rule (projections.display): a moment is Beijing time —
in the xlsx a real date-time cell ("yyyy-mm-dd hh:mm", sortable and filterable), in the
csv "YYYY-MM-DD HH:MM"; a date is a real date cell; hours are numbers with two decimals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.calendar import LOCAL_TEXT, local, parse_stored
from projections.display import HOURS_KEYS, hours_value

Column = tuple[str, str]  # (key in the row, Chinese header)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What neither a workbook (XML 1.0) nor a careful csv should carry.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.00"


def _typed(key: str, value: Any) -> Any:
    """A value as a workbook should hold it: a Beijing datetime, a date, hours as a
    number, or the value itself."""
    if key in HOURS_KEYS and (shown := hours_value(value)) is not None:
        return Decimal(shown)
    if isinstance(value, str):
        moment = parse_stored(value)
        if moment is not None:
            return local(moment).replace(tzinfo=None)  # a workbook holds no time zone
        if DATE_TEXT.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, str):
        return UNWRITABLE.sub("", value)
    return value


SHEET_TITLE_UNSAFE = re.compile(r"[\\/*?:\[\]]")  # a sheet's name cannot hold these


PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # "-2.50": a number, never a formula


def formula_like(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(value)
    )


def csv_cell(value: Any) -> Any:
    """A csv field Excel shows as text: formula-like text gets a leading apostrophe."""
    if isinstance(value, datetime):
        return value.strftime(LOCAL_TEXT)
    if isinstance(value, Decimal):
        return str(value)
    value = _cell(value)
    return "'" + value if formula_like(value) else value


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(header) for _, header in columns])
    for row in rows:
        writer.writerow([csv_cell(_typed(key, row.get(key))) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _as_text(cell: Cell) -> None:
    """Keep a formula-like string a string: openpyxl would store '=…' as a formula."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE_UNSAFE.sub("", _cell(title))[:31] or "台账"
    sheet.append([header for _, header in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([_cell(_typed(key, row.get(key))) for key, _ in columns])
        for cell in sheet[sheet.max_row]:
            _as_text(cell)
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, Decimal):
                cell.number_format = HOURS_FORMAT
    for index, (key, header) in enumerate(columns, start=1):
        longest = max([len(str(csv_cell(_typed(key, r.get(key))))) for r in rows] + [len(header)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest * 2), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
