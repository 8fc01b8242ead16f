"""The one text rule (domain.text): whatever the API accepts, every read model on both
stores can hold and every export can write; what it refuses leaves no event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import text
from domain.actors import Role
from domain.errors import InvalidInput
from domain.values import check_text, clean_line, clean_name, clean_text
from tests.builders.http import Api, setup_county

ANY_CHAR = st.characters(exclude_categories=())  # surrogates and controls included
# Text a person could type (any script, symbols, format characters), often accepted.
TYPED = st.characters(exclude_categories=("Cs", "Cc"))


def texts(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=ANY_CHAR, min_size=min_size, max_size=max_size),
        st.text(alphabet=TYPED, min_size=min_size, max_size=max_size),
    )


@pytest.mark.parametrize(
    "value, lines, found",
    [
        ("修水管\x00x", True, "控制字符"),
        ("\x1b[31m", True, "控制字符"),
        ("\x85", True, "控制字符"),  # C1
        ("\x7f", True, "控制字符"),
        ("\ud800", True, "无效的字符编码"),
        ("abc\u202edcba", True, "文字方向"),
        ("\u2066x\u2069", True, "文字方向"),
        ("a\u2028b", True, "分隔符"),
        ("\ufffe", True, "非字符"),
        ("\U0010ffff", True, "非字符"),
        ("第一行\n第二行", False, "换行"),
        ("a\tb", False, "制表符"),
    ],
)
def test_what_no_text_field_takes(value: str, lines: bool, found: str) -> None:
    problem = text.problem(value, lines=lines)
    assert problem is not None and found in problem


@pytest.mark.parametrize(
    "value",
    ["修水管，厨房漏水", "第一行\n第二行\t缩进", "👨‍👩‍👧 带零宽连接符", "=1+1", "ئۇيغۇرچە"],
)
def test_what_free_text_takes(value: str) -> None:
    assert text.problem(value, lines=True) is None and text.visible(value)


@pytest.mark.parametrize("value", ["\u200b\u200d", "\u3000 \u00a0", "\ufeff", "\u0301"])
def test_nothing_visible_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as e:
        clean_text(value, "需求内容", required=True)
    assert e.value.code in ("invisible_text", "empty_text")


def test_lines_are_normalised_in_free_text_and_refused_in_a_line() -> None:
    assert clean_text("一\r\n二\r三", "说明") == "一\n二\n三"
    with pytest.raises(InvalidInput) as e:
        clean_line("巴公大街\n3号", "住址")
    assert e.value.code == "invalid_text" and "住址" in e.value.message_zh


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ANY_CHAR, max_size=60))
def test_accepted_text_can_be_stored_encoded_and_written_to_xml(value: str) -> None:
    for clean in (
        lambda v: clean_text(v, "说明"),
        lambda v: clean_line(v, "地点"),
        lambda v: clean_name(v, "姓名"),
    ):
        try:
            accepted = clean(value)
        except InvalidInput:
            continue
        accepted.encode("utf-8")  # no lone surrogates
        assert "\x00" not in accepted
        controls = [c for c in accepted if 0x7F <= ord(c) <= 0x9F or ord(c) < 0x20]
        assert set(controls) <= {"\t", "\n"}
        assert "\ufffe" not in accepted and "\uffff" not in accepted
        assert accepted == "" or text.visible(accepted)


def test_check_text_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidInput):
        check_text(123, "姓名", lines=False)  # type: ignore[arg-type]


# -- over HTTP, on both stores -------------------------------------------------------------


def post_json(api: Api, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """Bodies serialised with \\u escapes, as a hostile client may: lone surrogates too."""
    return api.client.post(
        f"/api/v1{path}",
        content=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content=texts(1, 30),
    name=texts(1, 12),
    when=texts(0, 12),
)
def test_whatever_the_api_accepts_every_read_model_holds_and_every_export_writes(
    store_api: Api, content: str, name: str, when: str
) -> None:
    api = store_api
    if not hasattr(api, "ids"):
        api.ids = setup_county(api)  # type: ignore[attr-defined]
    community = api.ids["community"]  # type: ignore[attr-defined]
    staff = api.token(Role.COMMUNITY_ADMIN, community)
    services = api.client.app.state.services  # type: ignore[attr-defined]
    before = services.read.store.head()
    r = post_json(
        api,
        "/needs",
        {
            "content": content,
            "category": "it",
            "requester_name": name,
            "preferred_time": when,
            "source": "visit",
        },
        staff,
    )
    assert r.status_code in (201, 422), r.text
    event(f"answered {r.status_code}")
    if r.status_code == 422:
        assert r.json()["code"] in (
            "invalid_text",
            "invisible_text",
            "empty_text",
            "requester_required",
        )
        assert services.read.store.head() == before  # a refusal records nothing
        return
    assert r.headers["X-Read-Model-Consistent"] == "true"
    health = api.get("/health").json()
    assert health["dead_letters"] == 0, health
    for fmt in ("xlsx", "csv", "json"):
        got = api.get(f"/communities/{community}/needs", staff, format=fmt)
        assert got.status_code == 200, got.text


@pytest.mark.parametrize("value", ["\u3164\u3164", "\uffa0", "\u2800\u2800", "\u115f\u1160"])
def test_letters_drawn_as_nothing_are_not_visible(value: str) -> None:
    with pytest.raises(InvalidInput) as e:
        clean_name(value, "姓名")
    assert e.value.code == "invisible_text"


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\d*)*", r"(a|a)*b", r"(\d+){5}", r"(.)\1"])
def test_a_public_value_format_that_could_run_for_ever_is_refused(pattern: str) -> None:
    from domain.inspection_input import check_pattern

    with pytest.raises(InvalidInput) as e:
        check_pattern(pattern)
    assert e.value.code == "public_value_pattern_unsafe"


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "2026-01\n", "٢٠٢٦-01", "2026-1"])
def test_a_matching_month_is_a_real_month(store_api: Api, month: str) -> None:
    ids = setup_county(store_api)
    staff = store_api.token(Role.COMMUNITY_ADMIN, __import__("uuid").UUID(ids["community"]))
    r = post_json(store_api, f"/communities/{ids['community']}/matching", {"month": month}, staff)
    assert r.status_code == 422, r.text
    assert r.json()["code"] in ("invalid_month", "date_out_of_range", "invalid_text")
