"""Small charts drawn on the server as inline SVG (no script, no external host): bars for
a figure across communities, units or months, with an optional target line, and a line
for a figure over time. Every mark carries its value in a <title> and the chart's
figures are also in the table beside it, so a screen reader and a printout lose nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from api.pages import env

BAR_HEIGHT = 18  # px a bar
GAP = 6
LABEL_WIDTH = 150
VALUE_WIDTH = 56


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def bars(
    items: Sequence[tuple[str, float | int | None]],
    *,
    title: str,
    unit: str = "",
    target: float | None = None,
    maximum: float | None = None,
    width: int = 520,
) -> Markup:
    """Horizontal bars, one per (label, value); ``target`` draws a dashed line (e.g. the
    95 % reporting standard); ``maximum`` fixes the scale (100 for percentages)."""
    values = [float(v or 0) for _, v in items]
    top = maximum if maximum is not None else max([*values, target or 0, 1.0])
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    height = max(1, len(items)) * (BAR_HEIGHT + GAP) + GAP
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, ((label, value), v) in enumerate(zip(items, values, strict=True)):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = 0 if top <= 0 else max(0.0, min(1.0, v / top)) * plot
        shown = "—" if value is None else f"{_num(v)}{unit}"
        short = label if len(label) <= 10 else label[:9] + "…"
        below = target is not None and value is not None and v < target
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end">'
            f"{escape(short)}</text>"
            f'<rect class="bar{" alt" if below else ""}" x="{LABEL_WIDTH}" y="{y}"'
            f' width="{w:.1f}" height="{BAR_HEIGHT}"><title>{escape(label)}：{escape(shown)}'
            "</title></rect>"
            f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + BAR_HEIGHT - 5}">{escape(shown)}</text>'
        )
    if target is not None and top > 0:
        x = LABEL_WIDTH + min(1.0, target / top) * plot
        out.append(
            f'<line class="target" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}">'
            f"<title>标准 {_num(target)}{escape(unit)}</title></line>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def line(
    points: Sequence[tuple[str, float | int | None]],
    *,
    title: str,
    unit: str = "",
    maximum: float | None = None,
    width: int = 520,
    height: int = 160,
) -> Markup:
    """A line over labelled points (months): the values as dots joined, labels below."""
    pad_left, pad_bottom, pad_top = 36, 22, 10
    values = [None if v is None else float(v) for _, v in points]
    known = [v for v in values if v is not None]
    top = maximum if maximum is not None else max([*known, 1.0])
    plot_w = width - pad_left - 10
    plot_h = height - pad_bottom - pad_top
    step = plot_w / max(1, len(points) - 1)
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{pad_left}" x2="{width - 10}" y1="{pad_top + plot_h}"'
        f' y2="{pad_top + plot_h}"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 8}" text-anchor="end">{_num(top)}{escape(unit)}'
        "</text>",
        f'<text x="{pad_left - 4}" y="{pad_top + plot_h}" text-anchor="end">0</text>',
    ]
    path: list[str] = []
    for i, ((label, _), v) in enumerate(zip(points, values, strict=True)):
        x = pad_left + i * step
        out.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
        )
        if v is None:
            continue
        y = pad_top + plot_h - (0 if top <= 0 else min(1.0, v / top)) * plot_h
        path.append(f"{'M' if not path else 'L'}{x:.1f},{y:.1f}")
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" class="bar">'
            f"<title>{escape(label)}：{_num(v)}{escape(unit)}</title></circle>"
        )
    if len(path) > 1:
        out.insert(5, f'<path class="line" d="{" ".join(path)}"/>')
    out.append("</svg>")
    return Markup("".join(out))


env.globals.update(bar_chart=bars, line_chart=line)
