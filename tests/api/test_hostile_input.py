"""Requests a hostile client sends, on both stores: each is refused with a clear 4xx and
a stable code, records nothing, and leaves the service answering (issue 11's findings:
NUL bytes, huge numbers, far-off years, oversized bodies and headers, retried check-ins,
pages without security headers)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.inputs import InputLimits
from domain.actors import Role
from domain.limits import LIMITS
from tests.builders.cli import run_cli
from tests.builders.http import JPEG, Api, ready_member, setup_county, upload

ROOT = Path(__file__).resolve().parents[2]


def head(api: Api) -> int:
    return int(api.client.app.state.services.read.store.head())  # type: ignore[attr-defined]


def refused(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["message"] and body["message_en"]
    return dict(body)


@pytest.fixture
def county(store_api: Api) -> dict[str, Any]:
    ids = setup_county(store_api)
    ids["staff"] = store_api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    return ids


# -- 1: NUL bytes and other text that cannot be stored ----------------------------------------


@pytest.mark.parametrize(
    "content", ["修水管\u0000x", "\u202e修水管", "\u200b\u200b", "a\ud800b", "\x1b[2J修水管"]
)
def test_a_need_with_text_that_cannot_be_stored_is_refused(
    store_api: Api, county: dict[str, Any], content: str
) -> None:
    api = store_api
    before = head(api)
    r = api.client.post(
        "/api/v1/needs",
        content=json.dumps({"content": content, "category": "it", "requester_name": "王"}),
        headers={**county["staff"], "Content-Type": "application/json"},
    )
    body = refused(r, 422, "invisible_text" if content == "\u200b\u200b" else "invalid_text")
    assert "需求内容" in body["message"] or "请求内容" in body["message"]
    assert head(api) == before


def test_a_resident_with_a_nul_in_the_name_is_refused_without_a_token(
    store_api: Api, county: dict[str, Any]
) -> None:
    auth = store_api.proven("13072581077")
    before = head(store_api)
    r = store_api.post(
        "/residents",
        {"community_id": county["community"], "name": "李\u0000彤", "phone": "13072581077"},
        auth,
    )
    refused(r, 422, "invalid_text")
    assert head(store_api) == before


@pytest.mark.parametrize("path", ["talent-pool?tag=a%00b", "needs?q=a%00b", "needs?q=%ed%a0%80"])
def test_query_parameters_with_control_characters_are_refused(
    store_api: Api, county: dict[str, Any], path: str
) -> None:
    r = store_api.client.get(
        f"/api/v1/communities/{county['community']}/{path}", headers=county["staff"]
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] in ("invalid_text", "invalid_query")


# -- 5: numbers and dates out of range -------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": "86358505812311588864"},
        {"page": "288230376151711743", "size": "194"},
        {"page": str(LIMITS.max_page + 1)},
        {"size": str(LIMITS.max_page_size + 1)},
    ],
)
def test_pages_beyond_the_limits_are_refused(
    store_api: Api, county: dict[str, Any], query: dict[str, str]
) -> None:
    r = store_api.get(f"/communities/{county['community']}/needs", county["staff"], **query)
    refused(r, 422, "invalid_request")


def test_a_year_out_of_range_in_a_path_is_refused(store_api: Api, county: dict[str, Any]) -> None:
    member = ready_member(store_api, county, "13800000021", "张电工")
    for year in ("6249519148009279979520", "1999", "2101"):
        r = store_api.get(f"/members/{member['id']}/evaluation/{year}/sources", store_api.org)
        refused(r, 422, "invalid_request")
    r = store_api.get(f"/members/{member['id']}/evaluation/2026/sources", store_api.org)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "starts_at",
    ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+08:00", "1999-12-31T09:00:00+08:00"],
)
def test_an_activity_in_a_year_out_of_range_is_refused(
    store_api: Api, county: dict[str, Any], starts_at: str
) -> None:
    before = head(store_api)
    r = store_api.post(
        f"/communities/{county['community']}/activities",
        {
            "kind": "red_service_day",
            "title": "红色服务日",
            "place": "社区广场",
            "starts_at": starts_at,
            "ends_at": "2026-12-05T12:00:00+08:00",
        },
        county["staff"],
    )
    refused(r, 422, "date_out_of_range")
    assert head(store_api) == before


@pytest.mark.parametrize(
    "body, code",
    [
        ('{"name": "单位", "member_count": 100000000000000000000000}', "number_out_of_range"),
        ('{"name": "单位", "member_count": NaN}', "invalid_number"),
        ('{"name": "单位", "member_count": 1e400}', "invalid_number"),
        (
            '{"name": "单位", "member_count": 1, "x": ' + "[" * 50 + "]" * 50 + "}",
            "too_deep",
        ),
        ('{"name": "单位", "member_count": ', "invalid_json"),
        ("名称=单位", "invalid_json"),
    ],
)
def test_bodies_a_store_cannot_hold_are_refused(store_api: Api, body: str, code: str) -> None:
    before = head(store_api)
    r = store_api.client.post(
        "/api/v1/units",
        content=body.encode(),
        headers={**store_api.org, "Content-Type": "application/json"},
    )
    refused(r, 422, code)
    assert head(store_api) == before


def test_decimals_with_absurd_precision_are_refused(store_api: Api, county: dict[str, Any]) -> None:
    member = ready_member(store_api, county, "13800000022", "李电工")
    r = store_api.put(
        f"/members/{member['id']}/profile",
        {"availability": {"service_radius_km": "1." + "1" * 60, "time_slots": []}},
        {"Authorization": member["Authorization"]},
    )
    refused(r, 422, "invalid_number")


# -- 6: sizes ------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    """The middleware answers from Content-Length alone: the body is never received."""
    import asyncio

    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append("app")

    async def receive() -> Any:
        raise AssertionError("the body must not be read")

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/needs",
        "query_string": b"",
        "headers": [(b"content-length", b"209715200"), (b"content-type", b"application/json")],
    }
    asyncio.run(InputLimits(app)(scope, receive, send))
    assert not reached and sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["code"] == "body_too_large"


def test_a_streamed_body_over_the_limit_is_cut_off(store_api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(LIMITS.max_json_bytes // 1024 + 10):
            yield b"x" * 1024
        yield b'", "member_count": 1}'

    before = head(store_api)
    r = store_api.client.post(
        "/api/v1/units",
        content=chunks(),
        headers={**store_api.org, "Content-Type": "application/json"},
    )
    refused(r, 413, "body_too_large")
    assert head(store_api) == before


def test_photos_have_their_own_larger_limit(store_api: Api, county: dict[str, Any]) -> None:
    staff = county["staff"]
    assert upload(store_api, staff, JPEG + bytes(LIMITS.max_json_bytes * 2)).status_code == 201
    r = upload(store_api, staff, JPEG + bytes(11 * 1024 * 1024))  # the county's 10 MB policy
    refused(r, 422, "photo_too_large")
    r = upload(store_api, staff, JPEG + bytes(LIMITS.max_photo_bytes))
    refused(r, 413, "body_too_large")


def test_headers_over_the_limit_get_a_json_answer(store_api: Api) -> None:
    r = store_api.client.get(
        "/api/v1/health", headers={"Authorization": "Bearer " + "x" * LIMITS.max_header_bytes}
    )
    refused(r, 431, "headers_too_large")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_real_server_answers_huge_headers_in_json(tmp_path: Path) -> None:
    """uvicorn refuses headers past its own buffer before the app sees them: with our
    protocol class that refusal is the API's JSON too (a 1 MB token header)."""
    port = free_port()
    env = {
        **os.environ,
        "SISHUANG_DATA_DIR": str(tmp_path),
        "SISHUANG_TOKEN_SECRET": "x" * 20,
        "SISHUANG_SWEEP_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        for size, status, code in (
            (LIMITS.max_header_bytes + 100, 431, "headers_too_large"),
            (1024 * 1024, 400, "bad_http_request"),
        ):
            r = httpx.get(base + "/health", headers={"Authorization": "Bearer " + "x" * size})
            assert r.status_code == status and r.json()["code"] == code, r.text
        assert httpx.get(base + "/health").status_code == 200  # still serving
    finally:
        proc.terminate()
        proc.wait(10)


# -- 8: a retried check-in -----------------------------------------------------------------------


def test_a_retried_check_in_with_its_key_is_recorded_once(
    store_api: Api, county: dict[str, Any]
) -> None:
    api = store_api
    member = ready_member(api, county, "13800000023", "王电工")
    auth = {"Authorization": member["Authorization"]}
    r = api.post(
        "/needs",
        {"content": "楼道灯坏了", "category": "plumbing_electrical", "requester_name": "王"},
        county["staff"],
    )
    order = r.json()["order_id"]
    assert (
        api.post(
            f"/needs/{order}/dispatch", {"member_id": member["id"]}, county["staff"]
        ).status_code
        == 200
    )
    assert api.post(f"/needs/{order}/accept", {}, auth).status_code == 200
    keyed = {**auth, "Idempotency-Key": "check-in-1"}
    point = {"lat": "35.4903", "lon": "112.8513"}
    first = api.post(f"/needs/{order}/check-in", point, keyed)
    assert first.status_code == 200, first.text
    before = head(api)
    again = api.post(f"/needs/{order}/check-in", point, keyed)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert head(api) == before
    other = api.post(f"/needs/{order}/check-in", {"lat": "35.5", "lon": "112.9"}, keyed)
    refused(other, 409, "idempotency_key_reused")
    steps = api.get(f"/needs/{order}", county["staff"]).json()["steps"]
    assert sum(1 for step in steps if step["step"] == "到场签到") == 1


# -- 10: headers, files, the CLI -------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(store_api: Api) -> None:
    for path in ("/public/inspections", "/api/v1/public/inspections", "/api/v1/nope"):
        r = store_api.client.get(path)
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", path
        assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in h["content-security-policy"]
    page = store_api.client.get("/public/inspections")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    signed = store_api.get("/communities", store_api.org)
    assert signed.headers["cache-control"] == "no-store"


def test_the_data_directory_and_the_store_are_private(api: Api) -> None:
    data = api.settings.data_dir
    assert data.stat().st_mode & 0o777 == 0o700
    store = data / "sishuang.sqlite3"
    assert store.stat().st_mode & 0o777 == 0o600
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{store}{suffix}")
        if extra.exists():
            assert extra.stat().st_mode & 0o077 == 0, suffix


@pytest.mark.slow
def test_the_cli_issues_tokens_only_for_what_exists_and_not_for_ever(tmp_path: Path) -> None:
    made = run_cli(tmp_path, "county", "create", "--name", "泽州县", "--code", "ZZ")
    assert made.returncode == 0, made.stderr
    county_id = made.stdout.split("county_id: ")[1].split()[0]
    ok = run_cli(
        tmp_path, "token", "--role", "auditor", "--scope", county_id, "--subject", "审计-周"
    )
    assert ok.returncode == 0 and ok.stdout.startswith("ss1."), ok.stderr
    unknown = run_cli(
        tmp_path, "token", "--role", "community_admin", "--scope", county_id, "--subject", "李"
    )
    assert unknown.returncode == 2 and "没有这个社区" in unknown.stderr
    forever = run_cli(
        tmp_path,
        "token",
        "--role",
        "org_dept",
        "--scope",
        county_id,
        "--subject",
        "王",
        "--days",
        "100000",
    )
    assert forever.returncode == 1 and "token_lifetime_out_of_range" in forever.stderr
    hidden = run_cli(
        tmp_path, "token", "--role", "org_dept", "--scope", county_id, "--subject", "\u200b"
    )
    assert hidden.returncode == 1 and "invisible_text" in hidden.stderr
    # no second county was made by a refused lifetime
    late = run_cli(tmp_path, "county", "create", "--name", "陵川县", "--code", "LC", "--days", "0")
    assert late.returncode == 1
    again = run_cli(tmp_path, "county", "create", "--name", "陵川县", "--code", "LC")
    assert again.returncode == 0, again.stderr


def test_photo_ids_cannot_probe_the_servers_files(store_api: Api, county: dict[str, Any]) -> None:
    """A photo is named by its SHA-256 only: a path names nothing, existing file or not,
    whether the store is asked by a need, by evidence, or directly."""
    from api.photos import PhotoStore
    from domain.errors import NotFound

    data = store_api.settings.data_dir
    (data / "secret.txt").write_text("a file beside the photo store")
    (data / "photos" / "..").mkdir(parents=True, exist_ok=True)
    names = ("../secret.txt", "../../../../etc/passwd", "ab/" + "0" * 61, "." * 64, "0" * 64)
    store = PhotoStore(data / "photos")
    for name in names:
        assert not store.exists(name)
        with pytest.raises(NotFound):
            store.get(name)
    r = store_api.post(
        "/needs", {"content": "x", "category": "it", "requester_name": "王"}, county["staff"]
    )
    order = r.json()["order_id"]
    for name in names:
        r = store_api.post(
            "/needs",
            {"content": "x", "category": "it", "requester_name": "王", "photos": [name]},
            county["staff"],
        )
        refused(r, 404, "unknown_photo")
        r = store_api.post(
            f"/needs/{order}/photos", {"sha256": name, "kind": "before"}, county["staff"]
        )
        refused(r, 404, "unknown_photo")


@pytest.mark.parametrize(
    "overrides",
    [
        {"take_window_days": "1e400"},
        {"take_window_days": 100_000_000},
        {"points_per_hour": 2**40},
        {"max_committed_hours": 9000},
        {"rating_window_hours": "9" * 30},
    ],
)
def test_policy_values_past_their_maximum_are_refused(
    store_api: Api, county: dict[str, Any], overrides: dict[str, Any]
) -> None:
    """Past their maxima a rule means nothing and the dates computed from it leave the
    calendar: every need in the county answered 500 after take_window_days = 10^8."""
    before = head(store_api)
    r = store_api.put(
        f"/counties/{store_api.county_id}/policy",
        {"overrides": overrides, "reason": "测试"},
        store_api.org,
    )
    refused(r, 422, "invalid_policy_value")
    assert head(store_api) == before


def test_a_community_cannot_set_points_rules_past_their_maximum(
    store_api: Api, county: dict[str, Any]
) -> None:
    r = store_api.put(
        f"/communities/{county['community']}/points-rules",
        {"overrides": {"points_per_hour": 2**40}, "reason": "测试"},
        county["staff"],
    )
    refused(r, 422, "invalid_policy_value")


@pytest.mark.parametrize(
    "item, code",
    [
        ({"price": 2**53 - 1, "stock": 1}, "invalid_price"),
        ({"price": 10, "stock": 2**31}, "invalid_stock"),
    ],
)
def test_catalogue_numbers_a_read_model_could_not_hold_are_refused(
    store_api: Api, county: dict[str, Any], item: dict[str, Any], code: str
) -> None:
    api = store_api
    partner = api.post(
        f"/communities/{county['community']}/partners",
        {"name": "锦绣物业", "kind": "property_company"},
        county["staff"],
    ).json()["partner_id"]
    body = {"partner_id": partner, "kind": "shop", "name": "洗衣液", **item}
    refused(
        api.post(f"/communities/{county['community']}/catalogue", body, county["staff"]), 422, code
    )
    ok = api.post(
        f"/communities/{county['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 10, "stock": 999_999},
        county["staff"],
    )
    assert ok.status_code == 201, ok.text
    r = api.client.patch(
        f"/api/v1/catalogue/{ok.json()['item_id']}",
        json={"restock": 2},
        headers=county["staff"],
    )
    refused(r, 422, "invalid_stock")  # stock + restock past the maximum
    assert api.get("/health").json()["dead_letters"] == 0
