"""The community's QR poster: an A4 SVG, PDF and PNG with the community's name and the QR
code of its join link (the PNG is the code alone without a CJK font); public, 404 for a
community that is not."""

from __future__ import annotations

import io
import re
import struct
import zlib
from uuid import uuid4

import pytest
import segno

from api import poster
from tests.builders.http import Api, setup_county

BASE = "http://testserver"


def _join_url(community: str) -> str:
    return f"{BASE}/app/join/{community}"


def test_the_svg_poster_shows_the_name_and_segnos_code_of_the_join_link(api: Api) -> None:
    ids = setup_county(api)
    r = api.client.get(f"/app/join/{ids['community']}/poster.svg")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    text = r.text
    assert "锦绣社区" in text and "泽州县财政局" in text
    code = segno.make(_join_url(ids["community"]), error=poster.QR_ERROR, micro=False)
    scale = poster.QR_SIZE / code.symbol_size(border=0)[0]
    path = re.search(r' d="([^"]+)"', code.svg_inline(scale=scale, border=0))
    assert path is not None and f'd="{path.group(1)}"' in text
    # the join link is the same one anywhere it is printed
    assert _join_url(ids["community"]) in text


def _decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """An 8-bit RGB PNG whose rows all have filter 0: its width, height and rows of
    RGB bytes (the chunks' CRCs checked)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    at, idat, header = 8, b"", b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
        if kind == b"IEND":
            break
    assert at == len(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) == (8, 2, 0)
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    assert len(raw) == stride * height
    assert all(raw[y * stride] == 0 for y in range(height))
    return width, height, [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]


def _has_font() -> bool:
    found = poster._font_file()
    return found is not None and poster._raster_font(*found) is not None


def test_the_png_is_the_a4_poster_with_segnos_code_of_the_join_link(api: Api) -> None:
    ids = setup_county(api)
    r = api.client.get(f"/app/join/{ids['community']}/poster.png")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    if not _has_font():
        pytest.skip("no CJK font (or no fontTools) here: the PNG is the code alone")
    width, height, rows = _decode_png(r.content)
    assert (width, height) == (1240, 1754)  # A4 at 150 dpi

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        return rows[y][3 * x], rows[y][3 * x + 1], rows[y][3 * x + 2]

    url = _join_url(ids["community"])
    shown = poster.Poster("锦绣社区", url, ("泽州县财政局",))
    code = segno.make(url, error=poster.QR_ERROR, micro=False)
    n = code.symbol_size(border=0)[0]
    left, top, module = poster.png_qr_box(shown)
    # whole pixels a module, the code about as large as on the SVG, where the layout says
    texts, (qx, qy) = poster._layout(shown)
    assert abs(module * n - poster.QR_SIZE * poster.PX) <= n / 2
    assert abs(left + module * n / 2 - (qx + poster.QR_SIZE / 2) * poster.PX) <= 1
    assert abs(top + module * n / 2 - (qy + poster.QR_SIZE / 2) * poster.PX) <= 1
    for r_, row in enumerate(code.matrix):
        for c, dark in enumerate(row):
            x, y = left + c * module + module // 2, top + r_ * module + module // 2
            assert pixel(x, y) == ((0, 0, 0) if dark else (255, 255, 255)), (r_, c)
    # the quiet zone: four modules of white around the code
    quiet = 4 * module
    for y in range(top - quiet, top + n * module + quiet):
        line = rows[y][3 * (left - quiet) : 3 * (left + n * module + quiet)]
        if top <= y < top + n * module:
            line = line[: 3 * quiet] + line[-3 * quiet :]
        assert line == b"\xff" * len(line), y
    # the frame, in the poster's red
    outer, inner = poster.png_frame()
    red = (164, 0, 0)
    for d in range(outer, inner):
        for t in (100, 877, 1600):
            assert pixel(t % width, d) == red and pixel(t % width, height - 1 - d) == red
            assert pixel(d, t) == red and pixel(width - 1 - d, t) == red
    assert pixel(outer - 1, 500) == pixel(inner, 500) == (255, 255, 255)

    # text where the layout sets it, and nothing else drawn inside the frame
    def dark(y: int) -> bool:
        line = rows[y][3 * inner : 3 * (width - inner)]
        return any(v < 128 for v in line)

    name = next(t for t in texts if t.text == "锦绣社区")
    baseline = round(name.y * poster.PX)
    assert any(dark(y) for y in range(baseline - round(0.8 * name.size * poster.PX), baseline))
    boxes = [
        (round((t.y - 1.0 * t.size) * poster.PX), round((t.y + 0.3 * t.size) * poster.PX))
        for t in texts
    ]
    boxes.append((top, top + n * module))
    for y in range(inner, height - inner):
        if not any(a <= y < b for a, b in boxes):
            line = rows[y][3 * inner : 3 * (width - inner)]
            assert line == b"\xff" * len(line), y
    assert len(r.content) < 400_000


def test_without_a_cjk_font_the_png_is_segnos_code_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(poster, "_font_file", lambda: None)
    url = _join_url("x")
    expected = io.BytesIO()
    segno.make(url, error=poster.QR_ERROR, micro=False).save(
        expected, kind="png", scale=poster.PNG_SCALE, border=poster.PNG_BORDER
    )
    assert poster.png(poster.Poster("锦绣社区", url)) == expected.getvalue()


def _objects(data: bytes) -> dict[int, bytes]:
    """The PDF's objects, each read at the offset its xref entry gives."""
    start = int(re.search(rb"startxref\n(\d+)\n%EOF\n$", data).group(1))  # type: ignore[union-attr]
    assert data[start:].startswith(b"xref\n")
    head = re.match(rb"xref\n0 (\d+)\n", data[start:])
    assert head is not None
    count = int(head.group(1))
    entries = data[start + head.end() :].split(b"\n")[:count]
    assert entries[0] == b"0000000000 65535 f "
    found: dict[int, bytes] = {}
    for number, entry in enumerate(entries[1:], start=1):
        offset = int(entry[:10])
        assert entry.endswith(b" 00000 n ")
        assert data[offset:].startswith(b"%d 0 obj\n" % number), number
        end = data.index(b"\nendobj\n", offset)
        found[number] = data[offset + len(b"%d 0 obj\n" % number) : end]
    return found


def _stream(obj: bytes) -> bytes:
    m = re.match(rb"<< /Length (\d+) >>\nstream\n", obj)
    assert m is not None
    body = obj[m.end() : m.end() + int(m.group(1))]
    assert obj[m.end() + int(m.group(1)) :] == b"\nendstream"
    return body


def _check_pdf(data: bytes, url: str) -> bytes:
    """The PDF's structure (xref offsets, one A4 page), its text read back through the
    ToUnicode CMap, and the code's modules; the Type0 font's dictionary."""
    assert data.startswith(b"%PDF-1.")
    objects = _objects(data)
    page = next(o for o in objects.values() if b"/Type /Page " in o)
    assert b"/MediaBox [0 0 595 842]" in page
    font = next(o for o in objects.values() if b"/Subtype /Type0" in o)
    cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
    assert cmap_ref is not None
    cmap = _stream(objects[int(cmap_ref.group(1))]).decode("ascii")
    to_unicode = {
        int(a, 16): chr(int(b, 16)) for a, b in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap)
    }
    content_ref = re.search(rb"/Contents (\d+) 0 R", page)
    assert content_ref is not None
    content = _stream(objects[int(content_ref.group(1))]).decode("ascii")
    shown = [
        "".join(to_unicode[int(h[i : i + 4], 16)] for i in range(0, len(h), 4))
        for h in re.findall(r"<([0-9A-F]+)> Tj", content)
    ]
    assert "锦绣社区" in shown
    assert any("党员扫码报到" in s for s in shown) and any("居民扫码登记" in s for s in shown)
    assert url in shown
    # the code: as many filled modules as segno's matrix has dark ones
    code = segno.make(url, error=poster.QR_ERROR, micro=False)
    module = poster.QR_SIZE / code.symbol_size(border=0)[0]
    dark = sum(sum(row) for row in code.matrix)
    widths = [float(w) for w in re.findall(r"^\S+ \S+ (\S+) \S+ re$", content, re.M)]
    assert round(sum(widths) / module) == dark
    return font


def test_the_pdf_is_one_a4_page_whose_text_maps_back_to_the_name(api: Api) -> None:
    ids = setup_county(api)
    r = api.client.get(f"/app/join/{ids['community']}/poster.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    font = _check_pdf(r.content, _join_url(ids["community"]))
    if poster._subset("锦") is None:  # no CJK font on this machine: the predefined one
        assert b"/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H" in font
        return
    # the subset of the system's font is embedded: CFF, its CIDs shown with Identity-H
    assert b"/Encoding /Identity-H" in font
    assert re.search(rb"/BaseFont /[A-Z]{6}\+\S+", font)
    objects = _objects(r.content)
    descriptor = next(o for o in objects.values() if b"/Type /FontDescriptor" in o)
    ref = re.search(rb"/FontFile3 (\d+) 0 R", descriptor)
    assert ref is not None
    packed = objects[int(ref.group(1))]
    assert b"/Subtype /CIDFontType0C" in packed
    m = re.match(rb"<< /Length (\d+) [^>]*>>\nstream\n", packed)
    assert m is not None
    cff = zlib.decompress(packed[m.end() : m.end() + int(m.group(1))])
    assert cff[0] == 1  # CFF major version 1
    assert len(r.content) < 100_000


def test_without_an_embedded_font_the_pdf_names_stsong_light() -> None:
    url = _join_url("x")
    data = poster.pdf(poster.Poster("锦绣社区", url, ("泽州县财政局",)), embed=False)
    font = _check_pdf(data, url)
    assert b"/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H" in font
    assert b"FontFile" not in data


def test_the_pdf_stays_small_for_a_long_name(api: Api) -> None:
    """A name longer than a line wraps (two lines at most) and the file stays small."""
    data = poster.pdf(
        poster.Poster("金村镇锦绣路东段第一居民委员会社区服务中心（筹）", _join_url("x"))
    )
    assert len(data) < 60_000
    assert data.count(b"Tj") >= 8


def test_a_community_that_does_not_exist_has_no_poster(api: Api) -> None:
    for kind in ("svg", "png", "pdf"):
        r = api.client.get(f"/app/join/{uuid4()}/poster.{kind}")
        assert r.status_code == 404
        assert r.json()["code"] == "unknown_community", r.text
    r = api.client.get(f"/app/join/{uuid4()}")
    assert r.status_code == 404 and "找不到这个社区" in r.text
