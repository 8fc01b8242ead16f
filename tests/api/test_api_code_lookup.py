"""The partner's look-up of a code before confirming it: what is handed over, to whom
(the name masked), refused as confirming would be; it changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.actors import Role
from tests.builders.http import Api, close_order, head, ready_member, setup_county


def test_a_code_is_looked_up_before_it_is_confirmed(api: Api) -> None:
    api.clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    api.org = api.token(Role.ORG_DEPT, api.county_id)
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    member = ready_member(api, ids, "13800000021", "张电工")
    auth = {"Authorization": member["Authorization"]}
    close_order(api, ids, member, "2", stars=5)
    r = api.post(
        f"/communities/{ids['community']}/partners", {"name": "锦绣物业", "kind": "shop"}, staff
    )
    partner = r.json()["partner_id"]
    r = api.post(
        f"/communities/{ids['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 50},
        staff,
    )
    item = r.json()["item_id"]
    code = api.post(f"/members/{member['id']}/redemptions", {"item_id": item}, auth).json()["code"]
    cashier = api.token(Role.PARTNER, UUID(partner), "物业前台")

    before = head(api)
    r = api.get(f"/partners/{partner}/code", cashier, code=code)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["item_name"] == "洗衣液" and found["points"] == 50
    assert found["member_name"] == "张**"
    assert head(api) == before  # a look-up records nothing
    r = api.get(f"/partners/{partner}/code", cashier, code="00000000")
    assert r.status_code == 404 and r.json()["code"] == "unknown_code"
    r = api.get(f"/partners/{partner}/code", staff, code=code)
    assert r.status_code == 403

    assert (
        api.post(f"/partners/{partner}/confirmations", {"code": code}, cashier).status_code == 200
    )
    r = api.get(f"/partners/{partner}/code", cashier, code=code)
    assert r.status_code == 409 and r.json()["code"] == "redemption_confirmed"
    assert r.json()["message"] == "该兑换已核销"
