"""An idempotent retry answers exactly as the first answer did (issue 12, finding 6):
the same status, the same bytes of body (ids, codes, balances, log position) and the
same headers that matter, plus Idempotent-Replayed: true; and it records nothing. A
registration's session is the exception (issue 14): its tokens were never stored, so a
retry answers the same registration with a new session for the same grant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.actors import Role
from tests.builders.http import Api, close_order, head, ready_member, registration, setup_county

HEADERS = ("content-type", "x-log-position", "x-read-model-consistent")


SESSION_FIELDS = ("token", "refresh_token", "session_id")


def assert_same_answer(first: Any, again: Any) -> None:
    assert again.status_code == first.status_code, (first.text, again.text)
    if "session_id" in first.json():
        first_body, again_body = first.json(), again.json()
        assert {k: v for k, v in first_body.items() if k not in SESSION_FIELDS} == {
            k: v for k, v in again_body.items() if k not in SESSION_FIELDS
        }
        assert again_body["session_id"] != first_body["session_id"]
        return
    assert again.content == first.content  # byte for byte
    for name in HEADERS:
        assert again.headers.get(name) == first.headers.get(name), name
    assert "idempotent-replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"


def retried(api: Api, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """Send a command twice with one key, a clock tick apart; the second records nothing
    (but a new session, when the first answer handed one out)."""
    first = api.post(path, body, headers)
    assert first.status_code in (200, 201), first.text
    before = head(api)
    api.clock.advance(timedelta(seconds=7))
    again = api.post(path, body, headers)
    if "session_id" not in first.json():
        assert head(api) == before
    assert_same_answer(first, again)
    return first


def test_a_retried_registration_gets_the_first_answer_and_token(api: Api) -> None:
    ids = setup_county(api)
    key = {**api.proven("13800001234"), "Idempotency-Key": "form-42"}
    first = retried(api, "/registrations", registration(ids), key)
    assert first.status_code == 201 and first.json()["status"] == "pending"
    assert first.json()["log_position"] == int(first.headers["X-Log-Position"]) > 0
    # Approved meanwhile, a retry still answers what the registration answered.
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    member = first.json()["member_id"]
    assert api.post(f"/members/{member}/review", {"decision": "approve"}, staff).status_code == 200
    again = api.post("/registrations", registration(ids), key)
    assert again.status_code == 201
    assert_same_answer(first, again)


def test_retried_creates_answer_as_first(api: Api) -> None:
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    resident = retried(
        api,
        "/residents",
        {"community_id": ids["community"], "name": "王奶奶", "phone": "13900000001"},
        {**api.proven("13900000001"), "Idempotency-Key": "resident-1"},
    ).json()
    assert resident["token"]
    need = {"content": "楼道灯坏了", "category": "plumbing_electrical", "grid_code": "G01"}
    retried(
        api,
        "/needs",
        need,
        {"Authorization": f"Bearer {resident['token']}", "Idempotency-Key": "need-1"},
    )
    retried(
        api,
        f"/units/{ids['unit']}/reports",
        {"community_id": ids["community"], "note": "已报到"},
        {**api.token(Role.UNIT_ADMIN, UUID(ids["unit"])), "Idempotency-Key": "report-1"},
    )
    retried(
        api,
        f"/communities/{ids['community']}/partners",
        {"name": "爱心超市", "kind": "shop"},
        {**staff, "Idempotency-Key": "partner-1"},
    )


def test_a_retried_reminder_batch_answers_with_its_counts(api: Api) -> None:
    ids = setup_county(api)
    member = api.register(registration(ids)).json()["member_id"]
    first = retried(
        api,
        "/reminders",
        {"member_ids": [member], "message": "请尽快完成报到"},
        {**api.org, "Idempotency-Key": "remind-1"},
    )
    assert first.json()["reminded"] == 1 and first.json()["skipped"] == []


def test_a_retried_redemption_answers_with_the_first_code_and_balance(api: Api) -> None:
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    member = ready_member(api, ids, "13800000011", "张电工")
    auth = {"Authorization": member["Authorization"]}
    close_order(api, ids, member, "3", stars=4)  # 150 points
    partner = api.post(
        f"/communities/{ids['community']}/partners", {"name": "爱心超市", "kind": "shop"}, staff
    ).json()["partner_id"]
    item = api.post(
        f"/communities/{ids['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 50, "stock": 5},
        staff,
    ).json()["item_id"]
    first = retried(
        api,
        f"/members/{member['id']}/redemptions",
        {"item_id": item, "quantity": 1},
        {**auth, "Idempotency-Key": "redeem-1"},
    )
    body = first.json()
    assert body["code"] and body["points"] == 50 and body["balance"] == 100
    # Another redemption lowers the balance; the first one's retry still says 100.
    api.post(f"/members/{member['id']}/redemptions", {"item_id": item}, auth)
    again = api.post(
        f"/members/{member['id']}/redemptions",
        {"item_id": item, "quantity": 1},
        {**auth, "Idempotency-Key": "redeem-1"},
    )
    assert again.content == first.content


def test_a_claim_recorded_before_answers_were_kept_still_answers(api: Api) -> None:
    """A key claimed by an earlier version (its Reserved event has no answer): a retry
    answers from the registration itself, as it did then, rather than failing."""
    from domain.account import phone_account_id
    from domain.actors import PUBLIC, Actor
    from domain.reservation import Reservation
    from domain.service import Once
    from domain.values import RegistrationBasis
    from tests.builders.http import domain_app

    ids = setup_county(api)
    app = domain_app(api)
    body = registration(ids)
    proven = api.proven(body["phone"])
    member = app.register_member(
        PUBLIC,
        **{**body, "unit_id": UUID(body["unit_id"]), "community_id": UUID(body["community_id"])},
        account_id=phone_account_id(body["phone"]),
    ).id
    payload = {
        "unit_id": UUID(body["unit_id"]),
        "community_id": UUID(body["community_id"]),
        "basis": RegistrationBasis.from_code(body["basis"]),
        "name": body["name"],
        "phone": body["phone"],
        "post": body["post"],
        "grid_code": body["grid_code"],
    }
    # the key as the phone-proven registrant's (issue 14: registrations need a session)
    actor = Actor(Role.PUBLIC, f"phone:{phone_account_id(body['phone'])}")
    once = Once.of(actor, "register_member", "old-form-7", payload)
    assert once is not None
    app.save(Reservation.reserve(once.key, once.command, member, once.fingerprint, api.clock.now()))
    again = api.post("/registrations", body, {**proven, "Idempotency-Key": "old-form-7"})
    assert again.status_code == 201, again.text
    assert again.json()["member_id"] == str(member) and again.json()["status"] == "pending"
    assert again.headers["Idempotent-Replayed"] == "true"
