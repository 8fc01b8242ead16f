"""Plain-text tables that line up with Chinese labels (wide characters count double)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, *, right: bool = False) -> str:
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "  ", left: int = 1
) -> str:
    """The first `left` columns left-aligned, the others right-aligned."""
    sizes = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = [pad(c, sizes[i], right=i >= left) for i, c in enumerate(cells)]
        return indent + "  ".join(out).rstrip()

    rule = indent + "  ".join("-" * s for s in sizes)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def rate(value: float) -> str:
    if math.isinf(value) or math.isnan(value):
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(value: float) -> str:
    if math.isinf(value) or math.isnan(value):
        return "–"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"
