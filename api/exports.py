"""台账 downloads over HTTP: the workbook or csv (projections.exports) as an attachment
named after the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Response

from projections.exports import XLSX, Column, to_csv, to_xlsx


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
