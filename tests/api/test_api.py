"""The API over HTTP: the whole 报到 flow, scopes, bad input, idempotency, read-after-write."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from domain.actors import Role
from tests.builders.http import Api, registration, setup_county


def test_a_member_registers_is_approved_states_three_and_appears_in_the_pool(api: Api) -> None:
    ids = setup_county(api)
    form = api.get(f"/registration-form/{ids['community']}").json()
    assert form["community_name"] == "锦绣社区" and form["units"][0]["paired"] is True

    r = api.register(registration(ids))
    assert r.status_code == 201, r.text
    member_id, member_auth = r.json()["member_id"], {"Authorization": f"Bearer {r.json()['token']}"}
    assert int(r.headers["X-Log-Position"]) > 0
    assert r.headers["X-Read-Model-Consistent"] == "true"

    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "锦绣社区-李")
    pending = api.get(f"/communities/{ids['community']}/registrations", staff, status="pending")
    assert [m["name"] for m in pending.json()["items"]] == ["张伟"]

    r = api.post(f"/members/{member_id}/review", {"decision": "approve"}, staff)
    assert r.status_code == 200, r.text

    r = api.put(
        f"/members/{member_id}/profile",
        {
            "identity": {"post": "科员", "show_contact": False},
            "commitment": {"text": "每月参加一次社区志愿服务", "hours_per_year": 24},
            "skills": {"categories": ["medical"], "tags": ["量血压"]},
            "availability": {"service_radius_km": "3", "time_slots": ["weekend_morning"]},
        },
        member_auth,
    )
    assert r.status_code == 200, r.text

    me = api.get("/me", member_auth).json()
    assert me["reported"] is True and me["skill_labels"] == ["医疗健康"]
    assert me["phone"] == "13800001234"

    pool = api.get(f"/communities/{ids['community']}/talent-pool", staff, skill="medical").json()
    assert pool["total"] == 1 and pool["items"][0]["member_id"] == member_id

    progress = api.get(f"/counties/{api.county_id}/progress", api.org).json()
    assert progress["totals"]["reported"] == 1 and progress["totals"]["coverage"] == 0.5
    assert progress["target"] == 0.95 and progress["totals"]["meets_target"] is False
    # The county sees the phone masked: the member did not consent to show it.
    seen_by_county = api.get(f"/members/{member_id}", api.org).json()
    assert seen_by_county["phone"] == "138****1234"


def test_bad_input_gets_a_stable_code_and_records_nothing(api: Api) -> None:
    ids = setup_county(api)
    services = api.client.app.state.services  # type: ignore[attr-defined]
    auth = api.proven("13800001234")  # the phone proven first, as the QR link does
    head = services.app.recorder.max_notification_id()
    cases = [
        (registration(ids, unit_id=str(uuid4())), 404, "unknown_unit"),
        (registration(ids, community_id=str(uuid4())), 404, "unknown_community"),
        (registration(ids, phone="1380000"), 422, "invalid_phone"),
        (registration(ids, name="  "), 422, "empty_name"),
        (registration(ids, grid_code="G99"), 422, "unknown_grid"),
        (registration(ids, basis="somewhere"), 422, "invalid_request"),
        ({"name": "张伟"}, 422, "invalid_request"),
    ]
    for body, status, code in cases:
        r = api.post("/registrations", body, auth)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.json()["message"] and r.json()["message_en"]
    assert services.app.recorder.max_notification_id() == head

    assert api.register(registration(ids)).status_code == 201
    r = api.register(registration(ids, name="张小伟"))
    assert (r.status_code, r.json()["code"]) == (409, "duplicate_registration")


def test_review_rules_over_http(api: Api) -> None:
    ids = setup_county(api)
    r = api.post("/communities", {"name": "金村社区", "code": "JC"}, api.org)
    other_staff = api.token(Role.COMMUNITY_ADMIN, UUID(r.json()["community_id"]))
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    reg = api.register(registration(ids)).json()
    member_auth = {"Authorization": f"Bearer {reg['token']}"}
    member_id = reg["member_id"]

    r = api.put(f"/members/{member_id}/profile", {"identity": {"post": "科员"}}, member_auth)
    assert (r.status_code, r.json()["code"]) == (409, "not_approved")
    r = api.post(f"/members/{member_id}/review", {"decision": "approve"}, other_staff)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_member")  # before the body
    r = api.post(f"/members/{member_id}/review", {"decision": "reject"}, staff)
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    assert (
        api.post(f"/members/{member_id}/review", {"decision": "approve"}, staff).status_code == 200
    )
    r = api.post(f"/members/{member_id}/review", {"decision": "approve"}, staff)
    assert (r.status_code, r.json()["code"]) == (409, "already_reviewed")
    r = api.put(
        f"/members/{member_id}/profile",
        {"commitment": {"text": "服务", "hours_per_year": 5000}},
        member_auth,
    )
    assert (r.status_code, r.json()["code"]) == (422, "hours_out_of_range")


def test_scopes_limit_what_each_role_sees(api: Api) -> None:
    ids = setup_county(api)
    reg = api.register(registration(ids)).json()
    other = api.register(registration(ids, name="李娜", phone="13900001111")).json()
    mine = {"Authorization": f"Bearer {reg['token']}"}
    r = api.get(f"/members/{other['member_id']}", mine)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_member")
    r = api.get(f"/counties/{api.county_id}/progress")
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    stranger = api.token(Role.ORG_DEPT, uuid4())
    r = api.get(f"/counties/{api.county_id}/progress", stranger)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_county")
    r = api.get("/units", {"Authorization": "Bearer ss1.forged.token"})
    assert (r.status_code, r.json()["code"]) == (401, "invalid_token")
    api.clock.advance(timedelta(days=31))
    r = api.get("/units", api.org)
    assert (r.status_code, r.json()["code"]) == (401, "token_expired")


def test_idempotent_create_returns_the_first_result(api: Api) -> None:
    ids = setup_county(api)
    headers = {"Idempotency-Key": "form-42"}
    first = api.register(registration(ids), headers)
    again = api.register(registration(ids), headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    # the same registration; a new session for its grant (the first one's tokens were
    # never stored: docs/accounts.md)
    session = ("token", "refresh_token", "session_id")
    assert {k: v for k, v in again.json().items() if k not in session} == {
        k: v for k, v in first.json().items() if k not in session
    }
    clash = api.register(registration(ids, name="王芳"), headers)
    assert (clash.status_code, clash.json()["code"]) == (409, "idempotency_key_reused")


def test_not_reported_list_and_reminders(api: Api) -> None:
    ids = setup_county(api)
    reg = api.register(registration(ids)).json()
    listing = api.get(f"/counties/{api.county_id}/not-reported", api.org).json()
    assert listing["total"] == 1 and listing["items"][0]["missing"] == ["待社区审核"]
    assert listing["items"][0]["phone"] == "138****1234"  # §6: county readers see it masked
    r = api.post(
        "/reminders",
        {"member_ids": [reg["member_id"]], "unit_ids": [ids["unit"]], "message": "请尽快完成报到"},
        {**api.org, "Idempotency-Key": "remind-1"},
    )
    assert r.status_code == 201 and r.json()["reminded"] == 2, r.text
    listing = api.get(f"/counties/{api.county_id}/not-reported", api.org).json()
    assert listing["items"][0]["reminder_count"] == 1
    again = api.post(
        "/reminders",
        {"member_ids": [reg["member_id"]], "unit_ids": [ids["unit"]], "message": "请尽快完成报到"},
        {**api.org, "Idempotency-Key": "remind-1"},
    )
    assert again.status_code == 201 and again.content == r.content
    unit = api.get(f"/units/{ids['unit']}", api.org).json()
    assert unit["reminder_count"] == 1


def test_unit_reports_and_policy_changes(api: Api) -> None:
    ids = setup_county(api)
    unit_admin = api.token(Role.UNIT_ADMIN, UUID(ids["unit"]), "财政局党办")
    r = api.post(f"/units/{ids['unit']}/reports", {"community_id": ids["community"]}, unit_admin)
    assert r.status_code == 201, r.text
    unit = api.get(f"/units/{ids['unit']}", unit_admin).json()
    assert unit["communities"][0]["reported_at"] is not None
    r = api.put(
        f"/counties/{api.county_id}/policy",
        {"overrides": {"reporting_coverage_target": "0.9"}, "reason": "县委会议决定"},
        api.org,
    )
    assert r.status_code == 200, r.text
    policy = api.get(f"/counties/{api.county_id}/policy", api.org).json()
    values = {v["name"]: v for v in policy["values"]}
    assert values["reporting_coverage_target"]["value"] == "0.9"
    assert values["take_window_days"]["source"] == "田家庵"
    r = api.put(
        f"/counties/{api.county_id}/policy", {"overrides": {"nonsense": 1}, "reason": "x"}, api.org
    )
    assert (r.status_code, r.json()["code"]) == (422, "unknown_policy")


def test_health_reports_the_lag_and_every_response_has_a_request_id(api: Api) -> None:
    r = api.get("/health")
    assert r.json()["status"] == "ok" and r.json()["store"] == "sqlite"
    assert r.headers["X-Request-ID"]
    head = r.json()["log_head"]
    # The county was written behind the API's back: a query may ask to see it.
    listing = api.get("/units", {**api.org, "X-Min-Log-Position": str(head)})
    assert listing.headers["X-Read-Model-Lag"] == "0"
    assert int(listing.headers["X-Read-Model-Position"]) == head
    assert api.get("/health").json()["read_model_lag"] == 0
    r = api.client.get("/api/v1/nowhere")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert api.client.get("/openapi.json").status_code == 200
