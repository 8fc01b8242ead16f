"""Signing in over HTTP (issue 14): phone codes, staff passwords, sessions, revocation at
the next request, grants in scope, the member before approval."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain import totp
from domain.account import staff_account_id
from domain.actors import Role
from domain.limits import LIMITS
from tests.builders.cli import run_cli as run_cli_in
from tests.builders.codes import current_code
from tests.builders.http import (
    Api,
    bearer,
    caught_up,
    domain_app,
    head,
    registration,
    setup_county,
)

NEW_PASSWORD = "锦绣社区的春天来了，大家好"


def create_staff(api: Api, ids: dict[str, Any], login: str = "jinxiu.li") -> dict[str, Any]:
    r = api.post(
        "/accounts",
        {"login": login, "name": "李娟", "role": "community_admin", "scope_id": ids["community"]},
        api.org,
    )
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


def signed_in_staff(api: Api, ids: dict[str, Any], login: str = "jinxiu.li") -> dict[str, Any]:
    """A community worker on day one: account created, temporary password, changed."""
    created = create_staff(api, ids, login)
    r = api.post("/auth/sign-in", {"login": login, "password": created["temporary_password"]})
    assert r.status_code == 200 and r.json()["must_change_password"] is True, r.text
    restricted = bearer(r.json()["access_token"])
    r = api.post(
        "/auth/password",
        {"current_password": created["temporary_password"], "new_password": NEW_PASSWORD},
        restricted,
    )
    assert r.status_code == 200 and r.json()["must_change_password"] is False, r.text
    answer: dict[str, Any] = r.json()
    return answer


def test_a_new_community_worker_gets_in_on_day_one(api: Api) -> None:
    ids = setup_county(api)
    created = create_staff(api, ids)
    r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": created["temporary_password"]})
    restricted = bearer(r.json()["access_token"])
    refused = api.get(f"/communities/{ids['community']}/registrations", restricted)
    assert (refused.status_code, refused.json()["code"]) == (403, "password_change_required")
    assert api.get("/auth/me", restricted).status_code == 200
    session = signed_in_staff_after(api, created)
    auth = bearer(session["access_token"])
    assert api.get(f"/communities/{ids['community']}/registrations", auth).status_code == 200
    me = api.get("/auth/me", auth).json()
    assert me["role"] == "community_admin" and me["scope_id"] == ids["community"]
    assert me["account"]["must_change_password"] is False
    # the temporary password no longer works
    r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": created["temporary_password"]})
    assert (r.status_code, r.json()["code"]) == (401, "invalid_credentials")


def signed_in_staff_after(api: Api, created: dict[str, Any]) -> dict[str, Any]:
    r = api.post(
        "/auth/sign-in", {"login": created["login"], "password": created["temporary_password"]}
    )
    r = api.post(
        "/auth/password",
        {"current_password": created["temporary_password"], "new_password": NEW_PASSWORD},
        bearer(r.json()["access_token"]),
    )
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def test_the_answer_to_a_code_request_is_the_same_for_known_and_unknown_phones(api: Api) -> None:
    ids = setup_county(api)
    api.register(registration(ids, phone="13800001234"))  # known now
    known = api.post("/auth/phone-codes", {"phone": "13800005555"})
    api.clock.advance(timedelta(seconds=1))
    unknown = api.post("/auth/phone-codes", {"phone": "13700007777"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content


def test_codes_throttled_per_phone_answer_429_with_retry_after(api: Api) -> None:
    setup_county(api)
    assert api.post("/auth/phone-codes", {"phone": "13800005555"}).status_code == 200
    r = api.post("/auth/phone-codes", {"phone": "13800005555"})
    assert (r.status_code, r.json()["code"]) == (429, "too_many_codes")
    assert int(r.headers["Retry-After"]) <= LIMITS.phone_code_resend_seconds


def test_codes_throttled_per_client_address(api: Api) -> None:
    setup_county(api)
    for i in range(LIMITS.address_codes_per_hour):
        assert api.post("/auth/phone-codes", {"phone": f"1370000{i:04d}"}).status_code == 200
    r = api.post("/auth/phone-codes", {"phone": "13711112222"})
    assert (r.status_code, r.json()["code"]) == (429, "too_many_codes")


def test_a_phone_code_signs_in_over_http(api: Api) -> None:
    setup_county(api)
    assert api.post("/auth/phone-codes", {"phone": "13800005555"}).status_code == 200
    code = current_code(domain_app(api), "13800005555", api.settings.secret())
    r = api.post("/auth/phone-sign-in", {"phone": "13800005555", "code": "999999"})
    if code != "999999":
        assert (r.status_code, r.json()["code"]) == (401, "invalid_code")
    r = api.post("/auth/phone-sign-in", {"phone": "13800005555", "code": code})
    assert r.status_code == 200 and r.json()["role"] == "public" and r.json()["grants"] == []


def test_registration_needs_a_proven_phone(api: Api) -> None:
    ids = setup_county(api)
    before = head(api)
    r = api.post("/registrations", registration(ids))
    assert (r.status_code, r.json()["code"]) == (401, "phone_not_verified")
    r = api.post(
        "/registrations", registration(ids, phone="13800009876"), api.proven("13800001234")
    )
    assert (r.status_code, r.json()["code"]) == (403, "phone_not_verified")
    r = api.post(
        "/registrations", {**registration(ids), "phone": ""}, api.proven("13800001234")
    )  # the phone from the account
    assert (
        r.status_code == 201 and r.json()["token"].startswith("ss2.") and r.json()["refresh_token"]
    )
    assert head(api) > before


def test_a_member_signed_in_before_approval_sees_only_their_own_registration(api: Api) -> None:
    ids = setup_county(api)
    reg = api.register(registration(ids)).json()
    auth = bearer(reg["token"])
    assert api.get(f"/members/{reg['member_id']}", auth).status_code == 200
    assert api.get("/me", auth).status_code == 200
    r = api.get(f"/communities/{ids['community']}/needs", auth)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_community"), r.text
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    need = {"content": "楼道灯坏了", "category": "plumbing_electrical", "requester_name": "王"}
    assert api.post("/needs", {**need, "grid_code": "G01"}, staff).status_code == 201
    assert api.get("/me/open-needs", auth).json() == []  # nothing to apply for yet
    api.post(f"/members/{reg['member_id']}/review", {"decision": "approve"}, staff)
    assert len(api.get("/me/open-needs", auth).json()) == 1


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_family(store_api: Api) -> None:
    api = store_api  # on SQLite and on PostgreSQL
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    first = session["refresh_token"]
    r = api.post("/auth/refresh", {"refresh_token": first})
    assert r.status_code == 200 and r.json()["refresh_token"] != first
    second = r.json()["refresh_token"]
    newest = bearer(r.json()["access_token"])
    r = api.post("/auth/refresh", {"refresh_token": first})  # the old one, again: stolen?
    assert (r.status_code, r.json()["code"]) == (401, "refresh_token_reused")
    r = api.post("/auth/refresh", {"refresh_token": second})
    assert r.status_code == 401
    r = api.get("/auth/me", newest)  # the family is ended: its access tokens too
    assert (r.status_code, r.json()["code"]) == (401, "session_ended")


def test_access_tokens_are_short_lived(api: Api) -> None:
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    api.clock.advance(timedelta(minutes=LIMITS.access_token_minutes))
    r = api.get("/auth/me", bearer(session["access_token"]))
    assert (r.status_code, r.json()["code"]) == (401, "token_expired")
    r = api.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert api.get("/auth/me", bearer(r.json()["access_token"])).status_code == 200


def test_revoking_a_grant_and_disabling_an_account_take_effect_at_the_next_request(
    store_api: Api,
) -> None:
    api = store_api  # on SQLite and on PostgreSQL
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    auth = bearer(session["access_token"])
    path = f"/communities/{ids['community']}/registrations"
    assert api.get(path, auth).status_code == 200
    account = session["account_id"]
    r = api.post(
        f"/accounts/{account}/grants/{session['grant_id']}/revoke", {"reason": "调离"}, api.org
    )
    assert r.status_code == 200, r.text
    r = api.get(path, auth)
    assert (r.status_code, r.json()["code"]) == (401, "session_ended")
    # granted again, signed in again, then the account disabled
    r = api.post(
        "/grants",
        {"login": "jinxiu.li", "role": "community_admin", "scope_id": ids["community"]},
        api.org,
    )
    assert r.status_code == 201, r.text
    again = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD}).json()
    auth = bearer(again["access_token"])
    assert api.get(path, auth).status_code == 200
    assert api.post(f"/accounts/{account}/disable", {"reason": "离职"}, api.org).status_code == 200
    assert api.get(path, auth).status_code == 401
    r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["code"]) == (401, "account_disabled")
    assert api.post(f"/accounts/{account}/enable", {}, api.org).status_code == 200
    assert (
        api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD}).status_code
        == 200
    )


def test_sign_out_and_sign_out_everywhere(store_api: Api) -> None:
    api = store_api  # on SQLite and on PostgreSQL
    ids = setup_county(api)
    one = signed_in_staff(api, ids)
    two = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD}).json()
    three = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD}).json()
    assert api.post("/auth/sign-out", {}, bearer(one["access_token"])).status_code == 200
    assert api.get("/auth/me", bearer(one["access_token"])).status_code == 401
    assert api.get("/auth/me", bearer(two["access_token"])).status_code == 200
    r = api.post("/auth/sign-out-everywhere", {}, bearer(two["access_token"]))
    assert r.status_code == 200
    for s in (two, three):
        assert api.get("/auth/me", bearer(s["access_token"])).status_code == 401


def test_lock_out_over_http_and_the_sign_in_history(api: Api) -> None:
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    for _ in range(LIMITS.lock_after_failures):
        r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": "not my password at all"})
        assert r.json()["code"] == "invalid_credentials"
    r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["code"]) == (401, "account_locked")
    caught_up(api)
    history = api.get(f"/accounts/{session['account_id']}/sign-ins", api.org, size=50).json()
    outcomes = [row["outcome"] for row in history["items"]]
    assert outcomes.count("failed") == LIMITS.lock_after_failures and "succeeded" in outcomes
    api.clock.advance(timedelta(minutes=LIMITS.lock_minutes, seconds=1))
    assert (
        api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD}).status_code
        == 200
    )


def test_totp_over_http(api: Api) -> None:
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    auth = bearer(session["access_token"])
    r = api.post("/auth/totp", {}, auth)
    assert r.status_code == 200 and r.json()["otpauth_uri"].startswith("otpauth://totp/")
    account = domain_app(api).user_account(staff_account_id("jinxiu.li"))
    assert account.totp_pending is not None
    secret = totp.unseal(api.settings.secret(), account.totp_pending, str(account.id))
    r = api.post("/auth/totp/confirm", {"code": totp.code_at(secret, api.clock.now())}, auth)
    assert r.status_code == 200, r.text
    r = api.post("/auth/sign-in", {"login": "jinxiu.li", "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["code"]) == (401, "totp_required")
    api.clock.advance(timedelta(seconds=LIMITS.totp_step_seconds))
    code = totp.code_at(secret, api.clock.now())
    body = {"login": "jinxiu.li", "password": NEW_PASSWORD, "totp": code}
    assert api.post("/auth/sign-in", body).status_code == 200


def test_a_community_grants_its_grid_workers_but_not_in_another_community(api: Api) -> None:
    ids = setup_county(api)
    other = api.post("/communities", {"name": "金村社区", "code": "JC"}, api.org).json()
    staff = bearer(signed_in_staff(api, ids)["access_token"])
    body = {"phone": "13900002222", "name": "王芳", "role": "grid_worker"}
    r = api.post("/grants", {**body, "scope_id": other["community_id"]}, staff)
    assert (r.status_code, r.json()["code"]) == (403, "may_not_grant")
    r = api.post("/grants", {**body, "role": "unit_admin", "scope_id": ids["unit"]}, staff)
    assert (r.status_code, r.json()["code"]) == (403, "may_not_grant")
    r = api.post("/grants", {**body, "scope_id": ids["community"]}, staff)
    assert r.status_code == 201, r.text
    grid = api.phone_session("13900002222", keep=False)
    assert grid["role"] == "grid_worker" and grid["scope_id"] == ids["community"]
    listed = api.get("/accounts", staff).json()
    assert {a["name"] for a in listed["items"]} >= {"王芳", "李娟"}
    phones = {a["name"]: a["phone"] for a in listed["items"]}
    assert phones["王芳"] == "13900002222"  # the community's own staff see it in full
    county = {a["name"]: a["phone"] for a in api.get("/accounts", api.org).json()["items"]}
    assert county["王芳"] == "139****2222"  # 组织部 reads it masked (domain.masking)


def test_service_tokens_keep_working_for_scripts(api: Api) -> None:
    ids = setup_county(api)
    assert (
        api.get(
            f"/communities/{ids['community']}/registrations",
            api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"])),
        ).status_code
        == 200
    )
    r = api.post("/auth/sign-out", {}, api.org)  # a service token has no session to end
    assert (r.status_code, r.json()["code"]) == (401, "session_required")


def test_cors_is_off_by_default_and_on_for_the_configured_origins(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from domain.clock import ManualClock
    from projections.settings import ConfigError, Settings, cors_origins

    preflight = {
        "Origin": "https://h5.example.cn",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    plain = Settings(data_dir=tmp_path / "a", token_secret="test-secret-for-the-api-tests")
    with TestClient(create_app(plain, clock=ManualClock())) as client:
        r = client.options("/api/v1/auth/sign-in", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    configured = Settings(
        data_dir=tmp_path / "b",
        token_secret="test-secret-for-the-api-tests",
        cors_origins=cors_origins("https://h5.example.cn, http://127.0.0.1:5173"),
    )
    with TestClient(create_app(configured, clock=ManualClock())) as client:
        r = client.options("/api/v1/auth/sign-in", headers=preflight)
        assert r.headers["access-control-allow-origin"] == "https://h5.example.cn"
        r = client.get("/api/v1/health", headers={"Origin": "https://h5.example.cn"})
        assert r.headers["access-control-allow-origin"] == "https://h5.example.cn"
        r = client.get("/api/v1/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in r.headers
    for bad in ("*", "h5.example.cn", "https://h5.example.cn/app", "ftp://x.cn"):
        with pytest.raises(ConfigError):
            cors_origins(bad)


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli_in(tmp_path, *args, secret="test-secret-for-the-api-tests")


@pytest.mark.slow
def test_the_cli_creates_the_first_org_dept_account_on_an_empty_store(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from domain.clock import ManualClock
    from projections.settings import Settings

    made = run_cli(tmp_path, "county", "create", "--name", "泽州县", "--code", "ZZ")
    assert made.returncode == 0, made.stderr
    county_id = made.stdout.split("county_id: ")[1].split()[0]
    out = run_cli(
        tmp_path,
        "account",
        "create-org-dept",
        "--county",
        county_id,
        "--login",
        "zz.org",
        "--name",
        "王组织",
    )
    assert out.returncode == 0, out.stderr
    password = out.stdout.split("临时密码（只显示这一次，首次登录须修改）: ")[1].split()[0]
    settings = Settings(data_dir=tmp_path, token_secret="test-secret-for-the-api-tests")
    with TestClient(create_app(settings, clock=ManualClock(datetime.now(UTC)))) as client:
        r = client.post("/api/v1/auth/sign-in", json={"login": "zz.org", "password": password})
        assert r.status_code == 200 and r.json()["must_change_password"] is True, r.text
        assert r.json()["role"] == "org_dept" and r.json()["scope_id"] == county_id


@pytest.mark.slow
def test_the_demo_has_an_account_for_each_role_printed_once(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from domain.clock import ManualClock
    from projections.settings import Settings

    first = run_cli(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.split("演示账号（临时密码只显示这一次，首次登录须修改）：")[1].splitlines()
    rows = [line.split() for line in lines if line.strip()]
    assert [r[0] for r in rows] == [
        "org_dept",
        "community_admin",
        "unit_admin",
        "inspector",
        "auditor",
        "partner",
        "member",
        "resident",
        "grid_worker",
    ]
    again = run_cli(tmp_path, "demo")
    assert "演示账号已存在" in again.stdout and rows[0][4] not in again.stdout
    settings = Settings(data_dir=tmp_path, token_secret="test-secret-for-the-api-tests")
    with TestClient(create_app(settings, clock=ManualClock(datetime.now(UTC)))) as client:
        for role, _, login, _, password in rows[:6]:
            r = client.post("/api/v1/auth/sign-in", json={"login": login, "password": password})
            assert r.status_code == 200 and r.json()["role"] == role, r.text
        phone = rows[6][2].split("（")[0]
        assert client.post("/api/v1/auth/phone-codes", json={"phone": phone}).status_code == 200
        code = run_cli(tmp_path, "phone-code", phone).stdout.strip()
        r = client.post("/api/v1/auth/phone-sign-in", json={"phone": phone, "code": code})
        assert r.status_code == 200 and r.json()["role"] == "member", r.text
        phone = rows[8][2].split("（")[0]
        assert client.post("/api/v1/auth/phone-codes", json={"phone": phone}).status_code == 200
        code = run_cli(tmp_path, "phone-code", phone).stdout.strip()
        r = client.post("/api/v1/auth/phone-sign-in", json={"phone": phone, "code": code})
        assert r.status_code == 200 and r.json()["role"] == "grid_worker", r.text


def test_a_reset_password_turns_totp_off_and_must_be_changed(api: Api) -> None:
    ids = setup_county(api)
    session = signed_in_staff(api, ids)
    auth = bearer(session["access_token"])
    api.post("/auth/totp", {}, auth)
    account = domain_app(api).user_account(staff_account_id("jinxiu.li"))
    assert account.totp_pending is not None
    secret = totp.unseal(api.settings.secret(), account.totp_pending, str(account.id))
    api.post("/auth/totp/confirm", {"code": totp.code_at(secret, api.clock.now())}, auth)
    r = api.post(f"/accounts/{session['account_id']}/reset-password", {}, api.org)
    assert r.status_code == 200, r.text
    assert api.get("/auth/me", auth).status_code == 401  # its sessions ended
    r = api.post(
        "/auth/sign-in", {"login": "jinxiu.li", "password": r.json()["temporary_password"]}
    )
    assert r.status_code == 200 and r.json()["must_change_password"] is True, r.text


def test_a_small_grant_is_no_way_into_a_bigger_account(api: Api) -> None:
    """A 社区 may grant its partners, but adding a partner grant to the county's 组织部
    account would let it reset that account's password: refused, and an account is
    looked after only by whoever may manage every grant it holds."""
    ids = setup_county(api)
    r = api.post(
        "/accounts",
        {
            "login": "zezhou.org",
            "name": "王部长",
            "role": "org_dept",
            "scope_id": str(api.county_id),
        },
        api.org,
    )
    assert r.status_code == 201, r.text
    org_account = r.json()["account_id"]
    community = bearer(signed_in_staff(api, ids)["access_token"])
    r = api.post(
        f"/communities/{ids['community']}/partners",
        {"name": "锦绣物业", "kind": "property_company"},
        community,
    )
    assert r.status_code == 201, r.text
    partner = r.json()["partner_id"]
    before = head(api)
    r = api.post(
        "/grants", {"login": "zezhou.org", "role": "partner", "scope_id": partner}, community
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_your_account"), r.text
    for path in ("reset-password", "disable"):
        r = api.post(f"/accounts/{org_account}/{path}", {"reason": "试探"}, community)
        assert (r.status_code, r.json()["code"]) == (403, "not_your_account"), r.text
    assert head(api) == before, "nothing refused is recorded"
    # a partner's own staff account the community may still open and look after
    r = api.post(
        "/accounts",
        {"login": "jinxiu.wuye", "name": "物业张", "role": "partner", "scope_id": partner},
        community,
    )
    assert r.status_code == 201, r.text
    r = api.post(f"/accounts/{r.json()['account_id']}/reset-password", {}, community)
    assert r.status_code == 200, r.text


def test_staff_roles_need_a_staff_account_and_phone_roles_a_phone_account(api: Api) -> None:
    """组织部 by an SMS code alone (no password, TOTP or lock-out) is refused."""
    setup_county(api)
    before = head(api)
    r = api.post(
        "/grants",
        {"phone": "13900007777", "name": "赵", "role": "org_dept", "scope_id": str(api.county_id)},
        api.org,
    )
    assert (r.status_code, r.json()["code"]) == (422, "staff_role_needs_staff_account"), r.text
    assert head(api) == before


def test_answers_that_hand_out_tokens_are_never_cached(api: Api) -> None:
    r = api.post("/auth/phone-codes", {"phone": "13900008888"})
    assert r.headers["cache-control"] == "no-store"
    r = api.post("/auth/sign-in", {"login": "nobody.here", "password": "x" * 12})
    assert r.status_code == 401 and r.headers["cache-control"] == "no-store"
