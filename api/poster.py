"""A community's QR poster (社区报到登记二维码): the join link as a QR code with the
community's name and what to do, as an A4 SVG, an A4 PDF and an A4 PNG (150 dpi).

Rendering only: the caller gives the community's name, its paired units and the
absolute join URL (the one thing read is the system's CJK font file, for the PDF).
segno makes the QR code (its PNG writer needs no imaging library); the PDF is written
here by hand: one A4 page (595 × 842 pt), the QR code as filled rectangles from segno's
matrix, the text in a subset of the system's Noto Sans CJK SC embedded by fontTools
(CIDFontType0C, Identity-H). Without such a font (or fontTools) the text is set in
STSong-Light (Adobe-GB1, UniGB-UCS2-H), a predefined Chinese font readers with Asian
font support have, not embedded. Either way a ToUnicode CMap lets the text be searched
and copied. The PNG is rasterized here from the same font's outlines (fontTools'
glyph set) and written with zlib; without the font it is the QR code alone.
"""

from __future__ import annotations

import io
import logging
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import segno

# fontTools tells of every table it subsets at INFO: not news for the service's log
logging.getLogger("fontTools").setLevel(logging.WARNING)

A4_WIDTH, A4_HEIGHT = 595, 842  # points
QR_ERROR = "m"
QR_SIZE = 300  # points, the code's side on the poster (about 10.6 cm)
QUIET = 44  # points of white around the code on the poster (4 modules or more)
PNG_SCALE = 16  # pixels per module in the PNG
PNG_BORDER = 4  # modules of quiet zone around the PNG's code

HEADLINE = "扫码报到登记"
STEPS = (
    "党员扫码报到：选择单位，填写姓名和职务，社区审核后即可接单服务",
    "居民扫码登记：填写姓名和住址，登记后就可以发布需求",
    "先用手机号接收短信验证码，无需下载任何软件",
)


@dataclass(frozen=True)
class Poster:
    community_name: str
    join_url: str
    paired_units: tuple[str, ...] = ()


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def png(poster: Poster) -> bytes:
    """The A4 poster as a PNG at 150 dpi (1240 × 1754 px), the same layout as the SVG and
    the PDF: the text's glyphs drawn from the system's CJK font by fontTools and
    rasterized here (see the PNG section below). Without such a font (or fontTools) the
    PNG is only the QR code of the join link (black on white, with its quiet zone)."""
    found = _font_file()
    font = _raster_font(*found) if found is not None else None
    if font is None:
        out = io.BytesIO()
        qr_code(poster.join_url).save(out, kind="png", scale=PNG_SCALE, border=PNG_BORDER)
        return out.getvalue()
    return _poster_png(poster, font)


# -- layout shared by the SVG and the PDF (y from the top, in points) -----------------------


def _width(text: str, size: float) -> float:
    """The text's advance at ``size``: a Chinese character is one em, ASCII half of one."""
    return sum(size * (0.5 if ord(ch) < 0x80 else 1.0) for ch in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and _width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _Text:
    text: str
    size: float
    y: float  # baseline, from the top
    colour: tuple[float, float, float] = (0.0, 0.0, 0.0)
    centred: bool = True
    x: float = 0.0


RED = (0.643, 0.0, 0.0)
MARGIN = 48


def _layout(poster: Poster) -> tuple[list[_Text], tuple[float, float]]:
    """The poster's lines and the QR code's top-left corner."""
    texts: list[_Text] = [_Text("在职党员进社区", 24, 82, RED)]
    y = 150.0
    for line in _wrap(poster.community_name, 44, A4_WIDTH - 2 * MARGIN)[:2]:
        texts.append(_Text(line, 44, y))
        y += 54
    texts.append(_Text(HEADLINE, 30, y + 4, RED))
    qr_top = y + 12 + QUIET
    y = qr_top + QR_SIZE + QUIET + 8
    for step in STEPS:
        for line in _wrap(step, 16, A4_WIDTH - 2 * MARGIN):
            texts.append(_Text(line, 16, y))
            y += 26
        y += 6
    if poster.paired_units:
        units = "结对单位：" + "、".join(poster.paired_units)
        for line in _wrap(units, 13, A4_WIDTH - 2 * MARGIN)[:3]:
            texts.append(_Text(line, 13, y))
            y += 20
    texts.append(_Text(poster.join_url, 10, A4_HEIGHT - 36))
    return texts, ((A4_WIDTH - QR_SIZE) / 2, qr_top)


def _runs(matrix: Iterable[Iterable[int]]) -> list[tuple[int, int, int]]:
    """The dark modules as horizontal runs: (row, first column, length)."""
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        start = None
        cells = list(row)
        for c, dark in enumerate([*cells, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                runs.append((r, start, c - start))
                start = None
    return runs


# -- SVG --------------------------------------------------------------------------------


def svg(poster: Poster) -> str:
    """The A4 poster as SVG (210 × 297 mm): segno's own drawing of the code in place."""
    texts, (qx, qy) = _layout(poster)
    code = qr_code(poster.join_url)
    modules = code.symbol_size(border=0)[0]
    scale = QR_SIZE / modules
    inner = code.svg_inline(scale=scale, border=0)

    def hex_of(c: tuple[float, float, float]) -> str:
        return "#" + "".join(f"{round(v * 255):02x}" for v in c)

    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm"'
        f' viewBox="0 0 {A4_WIDTH} {A4_HEIGHT}" role="img"'
        f' aria-label="{escape(poster.community_name, {chr(34): "&quot;"})}报到登记二维码">',
        f'<rect width="{A4_WIDTH}" height="{A4_HEIGHT}" fill="#fff"/>',
        f'<rect x="16" y="16" width="{A4_WIDTH - 32}" height="{A4_HEIGHT - 32}" fill="none"'
        ' stroke="#a40000" stroke-width="4"/>',
        '<g font-family="Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei,'
        ' sans-serif" text-anchor="middle">',
    ]
    for t in texts:
        parts.append(
            f'<text x="{A4_WIDTH / 2:.1f}" y="{t.y:.1f}" font-size="{t.size}"'
            f' fill="{hex_of(t.colour)}">{escape(t.text)}</text>'
        )
    parts.append("</g>")
    parts.append(f'<g transform="translate({qx:.2f} {qy:.2f})">{inner}</g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# -- PDF ----------------------------------------------------------------------------

# Where a system's Chinese fonts are (Debian's fonts-noto-cjk first): (file, font number
# in a collection). A CFF-based OpenType font; the PDF embeds the subset it uses.
CJK_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # 2: Noto Sans CJK SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/source-han-sans/SourceHanSansSC-Regular.otf", 0),
)
FALLBACK_FONT = "STSong-Light"  # predefined (Adobe-GB1): shown by readers with Asian fonts


@dataclass(frozen=True)
class _Subset:
    """The glyphs a poster uses from a CID-keyed CFF font: the CFF table itself, and
    each character's CID and advance (per 1000 em)."""

    name: str
    cff: bytes
    glyphs: dict[str, tuple[int, int]]


@lru_cache(maxsize=1)
def _font_file() -> tuple[str, int] | None:
    import os

    for path, number in CJK_FONTS:
        if os.path.isfile(path):
            return path, number
    return None


@lru_cache(maxsize=64)
def _subset(chars: str) -> _Subset | None:
    """A subset of the system's CJK font with ``chars`` (None: no such font, or no
    fontTools, or a font that is not CID-keyed CFF: the PDF falls back to STSong-Light)."""
    found = _font_file()
    if found is None:
        return None
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    try:
        font = TTFont(found[0], fontNumber=found[1], lazy=False)
        if "CFF " not in font or not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
            return None
        options = subset.Options()
        options.desubroutinize = True
        options.hinting = False
        options.layout_features = []
        options.name_IDs = []
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        cmap = font.getBestCmap()
        scale = 1000 / font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        glyphs: dict[str, tuple[int, int]] = {}
        for ch in set(chars):
            glyph = cmap.get(ord(ch), ".notdef")
            cid = int(glyph[3:]) if glyph.startswith("cid") else 0
            glyphs[ch] = (cid, round(metrics[glyph][0] * scale))
        out = io.BytesIO()
        font.save(out)
        saved = TTFont(io.BytesIO(out.getvalue()))
        cff = saved.reader["CFF "]
        name = font["name"].getDebugName(6) or "NotoSansCJKsc-Regular"
    except Exception:  # a font this cannot read: the predefined font instead
        return None
    return _Subset(name.replace(" ", ""), bytes(cff), glyphs)


def _to_unicode(codes: dict[int, str]) -> bytes:
    """A ToUnicode CMap: each 2-byte code shown → its character."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    items = sorted(codes.items())
    for i in range(0, len(items), 100):
        chunk = items[i : i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{c:04X}> <{ord(ch):04X}>" for c, ch in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _bmp(text: str) -> str:
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF)


def _tag(chars: str) -> str:
    """The six capital letters a subset font's name begins with (PDF 9.6.4)."""
    import hashlib

    digest = hashlib.sha256(chars.encode("utf-8")).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def pdf(poster: Poster, *, embed: bool = True) -> bytes:
    """The A4 poster as a PDF of one page. Its Chinese text is set in a subset of the
    system's CJK font, embedded (Identity-H, the codes are the font's CIDs); without one
    (or with ``embed=False``) in STSong-Light, not embedded (UniGB-UCS2-H, the codes
    are UCS-2). Either way a ToUnicode CMap maps every code back to its character."""
    texts, (qx, qy) = _layout(poster)
    chars = "".join(sorted({ch for t in texts for ch in _bmp(t.text)}))
    font = _subset(chars) if embed else None

    def code_of(ch: str) -> int:
        return font.glyphs[ch][0] if font is not None else ord(ch)

    def advance(text: str, size: float) -> float:
        if font is None:
            return _width(text, size)
        return sum(font.glyphs[ch][1] for ch in text) * size / 1000

    ops: list[str] = [
        "1 1 1 rg",
        f"0 0 {A4_WIDTH} {A4_HEIGHT} re f",
        "0.643 0 0 RG 4 w",
        f"16 16 {A4_WIDTH - 32} {A4_HEIGHT - 32} re S",
    ]
    codes: dict[int, str] = {}
    for t in texts:
        text = _bmp(t.text)
        r, g, b = t.colour
        x = (A4_WIDTH - advance(text, t.size)) / 2 if t.centred else t.x
        shown = "".join(f"{code_of(ch):04X}" for ch in text)
        codes.update({code_of(ch): ch for ch in text})
        ops.append(
            f"BT /F1 {t.size} Tf {r:.3f} {g:.3f} {b:.3f} rg"
            f" {x:.2f} {A4_HEIGHT - t.y:.2f} Td <{shown}> Tj ET"
        )
    code = qr_code(poster.join_url)
    m = QR_SIZE / code.symbol_size(border=0)[0]
    top = A4_HEIGHT - qy
    ops.append("0 0 0 rg")
    for row, col, length in _runs(code.matrix):
        ops.append(f"{qx + col * m:.3f} {top - (row + 1) * m:.3f} {length * m:.3f} {m:.3f} re")
    ops.append("f")
    content = "\n".join(ops).encode("ascii")
    title = "".join(f"{ord(ch):04X}" for ch in _bmp(f"{poster.community_name}报到登记二维码"))

    def stream(data: bytes, extra: str = "") -> bytes:
        return b"<< /Length %d%s >>\nstream\n" % (len(data), extra.encode()) + data + b"\nendstream"

    if font is None:
        base, encoding, ordering = (
            FALLBACK_FONT,
            "UniGB-UCS2-H",
            "/Registry (Adobe) /Ordering (GB1) /Supplement 2",
        )
        widths = "/DW 1000 /W [1 95 500 814 939 500]"
        descriptor = f"/FontName /{base} /Flags 6 /FontBBox [-25 -254 1000 880]"
        font_file: list[bytes] = []
    else:
        base, encoding = f"{_tag(chars)}+{font.name}", "Identity-H"
        ordering = "/Registry (Adobe) /Ordering (Identity) /Supplement 0"
        w = " ".join(f"{cid} [{width}]" for cid, width in sorted(set(font.glyphs.values())))
        widths = f"/DW 1000 /W [{w}]"
        descriptor = (
            f"/FontName /{base} /Flags 4 /FontBBox [-1000 -1100 3000 1900] /FontFile3 10 0 R"
        )
        packed = zlib.compress(font.cff, 9)
        font_file = [stream(packed, " /Subtype /CIDFontType0C /Filter /FlateDecode")]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {A4_WIDTH} {A4_HEIGHT}]"
            " /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        stream(content),
        (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /{encoding}"
            " /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>"
        ).encode("ascii"),
        (
            f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{base}"
            f" /CIDSystemInfo << {ordering} >> /FontDescriptor 7 0 R {widths} >>"
        ).encode("ascii"),
        (
            f"<< /Type /FontDescriptor {descriptor} /ItalicAngle 0 /Ascent 880"
            " /Descent -120 /CapHeight 733 /StemV 80 >>"
        ).encode("ascii"),
        stream(_to_unicode(codes)),
        f"<< /Title <FEFF{title}> /Producer (sishuang) >>".encode("ascii"),
        *font_file,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"trailer\n<< /Size %d /Root 1 0 R /Info 9 0 R >>\nstartxref\n%d\n%%EOF\n"
    out += trailer % (len(objects) + 1, xref)
    return bytes(out)


# -- PNG ----------------------------------------------------------------------------
#
# The poster drawn in pure Python: each glyph's outline (fontTools' glyph set, CFF:
# cubic curves) flattened to polygons, scan-converted with the non-zero winding rule at
# 4 samples a pixel vertically and exact coverage horizontally, each glyph's bitmap
# cached per size; the frame and the QR code's modules are whole-pixel rectangles. The
# image is written as an RGB PNG (filter 0 on every row, zlib).

PNG_DPI = 150
PX = PNG_DPI / 72  # pixels per point
PNG_WIDTH, PNG_HEIGHT = round(A4_WIDTH * PX), round(A4_HEIGHT * PX)  # 1240 × 1754
SUBSAMPLES = 4  # scanlines per pixel row
WHITE = (255, 255, 255)


def _rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    r, g, b = (round(v * 255) for v in colour)
    return r, g, b


@dataclass(frozen=True, eq=False)  # hashed by identity: one per font file
class _RasterFont:
    path: str
    number: int
    units_per_em: int
    glyph_set: Any
    cmap: dict[int, str]
    advances: dict[str, int]


@lru_cache(maxsize=2)
def _raster_font(path: str, number: int) -> _RasterFont | None:
    """The font's glyph set, for the PNG (None: no fontTools, or a font it cannot read)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    try:
        font = TTFont(path, fontNumber=number, lazy=True)
        advances = {name: adv for name, (adv, _) in font["hmtx"].metrics.items()}
        return _RasterFont(
            path,
            number,
            font["head"].unitsPerEm,
            font.getGlyphSet(),
            font.getBestCmap(),
            advances,
        )
    except Exception:
        return None


def _edges(font: _RasterFont, glyph: str, scale: float) -> list[tuple[float, ...]]:
    """The glyph's outline at ``scale`` (pixels per font unit), y down, as line segments
    (x0, y0, x1, y1), curves flattened."""
    from fontTools.pens.basePen import BasePen

    edges: list[tuple[float, ...]] = []

    class Flatten(BasePen):
        def __init__(self) -> None:
            super().__init__(None)
            self.start = (0.0, 0.0)
            self.at = (0.0, 0.0)

        def _line(self, x: float, y: float) -> None:
            ax, ay = self.at
            if ay != y:
                edges.append((ax, ay, x, y))
            self.at = (x, y)

        def _moveTo(self, p: tuple[float, float]) -> None:
            self.start = self.at = (p[0] * scale, -p[1] * scale)

        def _lineTo(self, p: tuple[float, float]) -> None:
            self._line(p[0] * scale, -p[1] * scale)

        def _curveToOne(self, p1: Any, p2: Any, p3: Any) -> None:
            x0, y0 = self.at
            x1, y1, x2, y2 = p1[0] * scale, -p1[1] * scale, p2[0] * scale, -p2[1] * scale
            x3, y3 = p3[0] * scale, -p3[1] * scale
            length = abs(x1 - x0) + abs(y1 - y0) + abs(x2 - x1) + abs(y2 - y1)
            length += abs(x3 - x2) + abs(y3 - y2)
            n = max(2, min(24, int(length / 1.5)))
            for i in range(1, n + 1):
                t = i / n
                u = 1 - t
                a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
                self._line(a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)

        def _qCurveToOne(self, p1: Any, p2: Any) -> None:
            x0, y0 = self.at
            x1, y1, x2, y2 = p1[0] * scale, -p1[1] * scale, p2[0] * scale, -p2[1] * scale
            length = abs(x1 - x0) + abs(y1 - y0) + abs(x2 - x1) + abs(y2 - y1)
            n = max(2, min(24, int(length / 1.5)))
            for i in range(1, n + 1):
                t = i / n
                u = 1 - t
                a, b, c = u * u, 2 * u * t, t * t
                self._line(a * x0 + b * x1 + c * x2, a * y0 + b * y1 + c * y2)

        def _closePath(self) -> None:
            self._line(*self.start)

        _endPath = _closePath

    font.glyph_set[glyph].draw(Flatten())
    return edges


@dataclass(frozen=True)
class _Bitmap:
    left: int  # pixels from the glyph's origin to the bitmap's first column
    top: int  # pixels from the baseline (down) to its first row
    width: int
    rows: tuple[bytes, ...]  # coverage, 0–255


@lru_cache(maxsize=2048)
def _bitmap(font: _RasterFont, glyph: str, size_px: float) -> _Bitmap:
    """The glyph's coverage at ``size_px`` pixels per em: non-zero winding rule,
    SUBSAMPLES scanlines a row, the exact covered length of each pixel on a scanline."""
    edges = _edges(font, glyph, size_px / font.units_per_em)
    if not edges:
        return _Bitmap(0, 0, 0, ())
    xs = [v for e in edges for v in (e[0], e[2])]
    ys = [v for e in edges for v in (e[1], e[3])]
    left, top = math.floor(min(xs)), math.floor(min(ys))
    width, height = math.ceil(max(xs)) - left + 1, math.ceil(max(ys)) - top
    # each edge as (top y, bottom y, x at top, dx/dy, winding), in the bitmap's pixels
    spans = []
    for x0, y0, x1, y1 in edges:
        winding = 1 if y1 > y0 else -1
        if y0 > y1:
            x0, y0, x1, y1 = x1, y1, x0, y0
        spans.append((y0 - top, y1 - top, x0 - left, (x1 - x0) / (y1 - y0), winding))
    weight = 255 / SUBSAMPLES
    rows: list[bytes] = []
    for row in range(height):
        cover = [0.0] * (width + 1)
        fill = [0.0] * (width + 2)
        for k in range(SUBSAMPLES):
            y = row + (k + 0.5) / SUBSAMPLES
            crossings = sorted(
                (xt + (y - ya) * slope, w) for ya, yb, xt, slope, w in spans if ya <= y < yb
            )
            wind = 0
            start = 0.0
            for x, w in crossings:
                was = wind
                wind += w
                if was == 0 and wind != 0:
                    start = x
                elif was != 0 and wind == 0:
                    a, b = start, x
                    ia, ib = int(a), int(b)
                    if ia == ib:
                        cover[ia] += b - a
                    else:
                        cover[ia] += ia + 1 - a
                        cover[ib] += b - ib
                        fill[ia + 1] += 1
                        fill[ib] -= 1
        run = 0.0
        out = bytearray(width)
        for i in range(width):
            run += fill[i]
            v = (cover[i] + run) * weight
            out[i] = 255 if v >= 255 else int(v + 0.5)
        rows.append(bytes(out))
    return _Bitmap(left, top, width, tuple(rows))


def _rect(
    image: bytearray, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]
) -> None:
    """Fill the pixels [x0, x1) × [y0, y1)."""
    line = bytes(colour) * (x1 - x0)
    stride = PNG_WIDTH * 3
    for y in range(y0, y1):
        o = y * stride + x0 * 3
        image[o : o + len(line)] = line


def _glyph(image: bytearray, bitmap: _Bitmap, x: int, y: int, colour: tuple[int, int, int]) -> None:
    """Blend the glyph's coverage in ``colour`` over the image, origin at (x, y)."""
    r, g, b = colour
    stride = PNG_WIDTH * 3
    for dy, row in enumerate(bitmap.rows):
        py = y + bitmap.top + dy
        if not 0 <= py < PNG_HEIGHT:
            continue
        base = py * stride
        for dx, a in enumerate(row):
            if not a:
                continue
            px = x + bitmap.left + dx
            if not 0 <= px < PNG_WIDTH:
                continue
            o = base + px * 3
            cr, cg, cb = image[o], image[o + 1], image[o + 2]
            image[o] = cr + ((r - cr) * a + 127) // 255
            image[o + 1] = cg + ((g - cg) * a + 127) // 255
            image[o + 2] = cb + ((b - cb) * a + 127) // 255


def _png_file(width: int, height: int, rgb: bytes | bytearray) -> bytes:
    """An 8-bit RGB PNG: IHDR, one IDAT (every row with filter 0, none), IEND."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def png_frame() -> tuple[int, int]:
    """The frame's outer and inner edge, pixels from the page's edge (the SVG's stroke:
    4 pt wide, centred 16 pt in)."""
    return round(14 * PX), round(18 * PX)


def png_qr_box(poster: Poster) -> tuple[int, int, int]:
    """The QR code in the PNG: its left and top pixel and its module's side in pixels
    (whole pixels, about QR_SIZE points for the code), the quiet zone white page."""
    _, (qx, qy) = _layout(poster)
    modules = qr_code(poster.join_url).symbol_size(border=0)[0]
    module = max(1, round(QR_SIZE * PX / modules))
    side = module * modules
    left = round((qx + QR_SIZE / 2) * PX - side / 2)
    top = round((qy + QR_SIZE / 2) * PX - side / 2)
    return left, top, module


def _poster_png(poster: Poster, font: _RasterFont) -> bytes:
    texts, _ = _layout(poster)
    image = bytearray(b"\xff") * (PNG_WIDTH * PNG_HEIGHT * 3)
    outer, inner = png_frame()
    red = _rgb(RED)
    _rect(image, outer, outer, PNG_WIDTH - outer, inner, red)
    _rect(image, outer, PNG_HEIGHT - inner, PNG_WIDTH - outer, PNG_HEIGHT - outer, red)
    _rect(image, outer, inner, inner, PNG_HEIGHT - inner, red)
    _rect(image, PNG_WIDTH - inner, inner, PNG_WIDTH - outer, PNG_HEIGHT - inner, red)
    for t in texts:
        glyphs = [font.cmap.get(ord(ch), ".notdef") for ch in t.text]
        units = t.size / font.units_per_em
        advance = sum(font.advances.get(g, font.units_per_em) for g in glyphs) * units
        x = (A4_WIDTH - advance) / 2 if t.centred else t.x
        baseline = round(t.y * PX)
        colour = _rgb(t.colour)
        size_px = round(t.size * PX, 2)
        for g in glyphs:
            _glyph(image, _bitmap(font, g, size_px), round(x * PX), baseline, colour)
            x += font.advances.get(g, font.units_per_em) * units
    left, top, module = png_qr_box(poster)
    black = (0, 0, 0)
    for row, col, length in _runs(qr_code(poster.join_url).matrix):
        x0, y0 = left + col * module, top + row * module
        _rect(image, x0, y0, x0 + length * module, y0 + module, black)
    return _png_file(PNG_WIDTH, PNG_HEIGHT, image)
