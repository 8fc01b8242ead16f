"""积分 and 双评价 over HTTP: the order that earns, the catalogue, a redemption confirmed by
the partner's code, statements and exports, evaluations, the quarterly check, stars,
the views with their sources, 公示 without login, and bad input that changes nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from uuid import UUID

from openpyxl import load_workbook

from domain.actors import Role
from tests.builders.http import Api, close_order, head, ready_member, setup_county


def test_points_earned_redeemed_confirmed_and_listed_over_http(api: Api) -> None:
    api.clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    api.org = api.token(Role.ORG_DEPT, api.county_id)
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    member = ready_member(api, ids, "13800000011", "张电工")
    auth = {"Authorization": member["Authorization"]}

    r = api.put(
        f"/communities/{ids['community']}/points-rules",
        {"overrides": {"points_per_hour": 60}, "reason": "社区议事会决定"},
        staff,
    )
    assert r.status_code == 200, r.text
    r = api.put(
        f"/communities/{ids['community']}/points-rules",
        {"overrides": {"take_window_days": 5}},
        staff,
    )
    assert r.status_code == 422 and r.json()["code"] == "not_a_community_policy"

    order = close_order(api, ids, member, "2", stars=5)
    r = api.get(f"/members/{member['id']}/points", auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["account"]["balance"] == 2 * 60 + 10  # rate × hours + 5-star bonus
    assert body["account"]["assessment"] == 130
    [entry] = body["entries"]
    assert entry["source_id"] == order and entry["balance_after"] == 130

    r = api.post(
        f"/communities/{ids['community']}/partners",
        {"name": "锦绣物业", "kind": "property_company"},
        staff,
    )
    assert r.status_code == 201, r.text
    partner = r.json()["partner_id"]
    r = api.post(
        f"/communities/{ids['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 50, "stock": 1},
        staff,
    )
    assert r.status_code == 201, r.text
    item = r.json()["item_id"]

    before = head(api)
    r = api.post(
        f"/communities/{ids['community']}/catalogue",
        {"partner_id": partner, "kind": "gift", "name": "毛巾", "price": -5},
        staff,
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_price"
    assert head(api) == before

    r = api.get(f"/communities/{ids['community']}/catalogue", auth)
    assert [i["name"] for i in r.json()] == ["洗衣液"]

    r = api.post(f"/members/{member['id']}/redemptions", {"item_id": item}, auth)
    assert r.status_code == 201, r.text
    redemption = r.json()
    assert redemption["points"] == 50 and redemption["balance"] == 80
    code = redemption["code"]

    other = ready_member(api, ids, "13800000012", "李娜")
    before = head(api)
    r = api.post(f"/members/{member['id']}/redemptions", {"item_id": item}, auth)
    assert r.status_code == 409 and r.json()["code"] == "out_of_stock"
    r = api.post(f"/members/{member['id']}/redemptions", {"item_id": item}, bearer_of(other))
    assert r.status_code == 403
    r = api.post(f"/members/{member['id']}/redemptions", {"item_id": str(UUID(int=7))}, auth)
    assert r.status_code == 404 and r.json()["code"] == "unknown_item"
    assert head(api) == before  # refused commands record nothing

    partner_auth = api.token(Role.PARTNER, UUID(partner), "物业前台")
    r = api.post(f"/partners/{partner}/confirmations", {"code": "00000000"}, partner_auth)
    assert r.status_code == 404 and r.json()["code"] == "unknown_code"
    r = api.post(f"/partners/{partner}/confirmations", {"code": code}, staff)
    assert r.status_code == 403
    r = api.post(f"/partners/{partner}/confirmations", {"code": code}, partner_auth)
    assert r.status_code == 200, r.text
    assert r.json()["member_name"] == "张电工" and r.json()["points"] == 50
    r = api.post(f"/partners/{partner}/confirmations", {"code": code}, partner_auth)
    assert r.status_code == 409 and r.json()["code"] == "redemption_confirmed"

    r = api.get(f"/partners/{partner}/redemptions", partner_auth)
    assert r.status_code == 200, r.text
    assert r.json()["total_points"] == 50 and r.json()["count"] == 1
    assert "member_id" not in r.json()["redemptions"][0]
    r = api.get(f"/partners/{partner}/redemptions", partner_auth, format="xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["核销时间", "兑换项目", "数量"]

    r = api.get(f"/members/{member['id']}/redemptions", staff)
    assert "code" not in r.json()[0]  # only the member sees their code
    r = api.get(f"/members/{member['id']}/points", auth, format="csv")
    assert r.status_code == 200 and r.content.startswith("\ufeff时间".encode())
    lines = r.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3  # header, earned, held

    # the order is found false: hours and points come off, the statement shows it
    r = api.post(f"/orders/{order}/found-false", {"reason": "居民反映未上门"}, staff)
    assert r.status_code == 200, r.text
    account = api.get(f"/members/{member['id']}/points", auth).json()["account"]
    assert account["balance"] == 0 and account["owed"] == 50  # 80 there, 130 to take back
    r = api.post(f"/orders/{order}/found-false", {"reason": "again"}, staff)
    assert r.status_code == 409 and r.json()["code"] == "already_found_false"


def bearer_of(member: dict[str, str]) -> dict[str, str]:
    return {"Authorization": member["Authorization"]}


def test_evaluation_check_stars_views_and_public_results_over_http(api: Api) -> None:
    api.clock.set(datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    api.org = api.token(Role.ORG_DEPT, api.county_id)
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    unit_admin = api.token(Role.UNIT_ADMIN, UUID(ids["unit"]), "财政局党委")
    busy = ready_member(api, ids, "13800000021", "张电工")
    idle = ready_member(api, ids, "13800000022", "李娜")
    for stars in (5, 5, 4, 5, 5):
        close_order(api, ids, busy, "3", stars=stars)
        api.clock.advance(timedelta(days=3))

    # level 2: the community's quarterly evaluation, then a correction
    body = {"year": 2026, "quarter": 1, "results": 90, "feedback": 95, "assessment": 88}
    r = api.post(f"/members/{busy['id']}/community-evaluations", body, staff)
    assert r.status_code == 201, r.text
    first = r.json()["evaluation_id"]
    before = head(api)
    r = api.post(f"/members/{busy['id']}/community-evaluations", body, staff)
    assert r.status_code == 409 and r.json()["code"] == "already_evaluated"
    r = api.post(f"/members/{busy['id']}/community-evaluations", body | {"results": 101}, staff)
    assert r.status_code == 422 and r.json()["code"] == "score_out_of_range"
    assert head(api) == before
    r = api.post(
        f"/members/{busy['id']}/community-evaluations",
        body | {"results": 92, "corrects": first, "reason": "漏计一次急难任务"},
        staff,
    )
    assert r.status_code == 201, r.text
    r = api.post(f"/members/{busy['id']}/unit-evaluations", {"year": 2026, "score": 90}, unit_admin)
    assert r.status_code == 201, r.text
    r = api.post(f"/members/{busy['id']}/unit-evaluations", {"year": 2026, "score": 90}, staff)
    assert r.status_code == 403

    # the quarterly check: too early, then yellow for the idle member only
    r = api.post(
        f"/counties/{api.county_id}/standard-checks", {"year": 2026, "quarter": 1}, api.org
    )
    assert r.status_code == 409 and r.json()["code"] == "quarter_not_over"
    api.clock.set(datetime(2026, 4, 2, 1, 0, tzinfo=UTC))
    api.org = api.token(Role.ORG_DEPT, api.county_id)  # tokens issued in February expired
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    unit_admin = api.token(Role.UNIT_ADMIN, UUID(ids["unit"]), "财政局党委")
    busy = {**busy, **api.token(Role.MEMBER, UUID(busy["id"]), busy["id"])}
    r = api.post(
        f"/counties/{api.county_id}/standard-checks", {"year": 2026, "quarter": 1}, api.org
    )
    assert r.status_code == 200, r.text
    assert r.json() | {} == {
        "year": 2026,
        "quarter": 1,
        "checked": 2,
        "passed": 1,
        "yellow": 1,
        "red": 0,
        "skipped": 0,
    }

    # stars: criteria met for 群众贴心星 (5 ratings, average 4.8), not for 社区服务星
    r = api.post(f"/members/{busy['id']}/stars", {"star": "caring", "year": 2026}, staff)
    assert r.status_code == 201, r.text
    r = api.post(f"/members/{busy['id']}/stars", {"star": "community_service", "year": 2026}, staff)
    assert r.status_code == 409 and r.json()["code"] == "star_criteria_not_met"

    view = api.get(f"/members/{busy['id']}/evaluation", bearer_of(busy), year=2026).json()
    q1 = view["quarters"][0]
    assert q1["services"] == 5 and q1["hours"] == "15.00" and q1["average_stars"] == "4.80"
    assert q1["community_evaluation"]["results"] == 92
    assert q1["community_evaluation"]["corrected"] is True
    assert view["levels"] == {"residents": "96.00", "community": "91.70", "unit": "90"}
    assert view["grade"] == "excellent" and view["standard"]["met"] is True
    assert [s["star"] for s in view["stars"]] == ["caring"]
    sources = api.get(q1["sources"].removeprefix("/api/v1"), staff, figure="hours").json()
    assert sum(float(row["hours"]) for row in sources["rows"]) == 15
    assert all(row["topic"] == "sishuang:PointsAccount.Earned" for row in sources["rows"])

    # in April, the year is judged by what was due after the first quarter
    standard = view["standard"]
    assert (standard["final"], standard["quarters_finished"], standard["on_track"]) == (
        False,
        1,
        True,
    )
    idle_view = api.get(f"/members/{idle['id']}/evaluation", unit_admin, year=2026).json()
    assert idle_view["checks"][0]["outcome"] == "yellow"
    assert idle_view["standard"]["due_services"] == 1 and not idle_view["standard"]["on_track"]

    unit = api.get(f"/units/{ids['unit']}/evaluation", unit_admin, year=2026).json()
    assert [w["name"] for w in unit["warnings"]] == ["李娜"]
    community = api.get(f"/communities/{ids['community']}/evaluation", staff, year=2026).json()
    assert community["needs"]["closed"] == 5 and community["totals"]["members_active"] == 1
    county = api.get(f"/counties/{api.county_id}/evaluation", api.org, year=2026).json()
    assert county["totals"]["yellow"] == 1 and county["totals"]["services"] == 5
    r = api.get(f"/communities/{ids['community']}/evaluation", staff, year=2026, format="xlsx")
    assert r.status_code == 200

    public = api.get(f"/public/communities/{ids['community']}/results", year=2026)
    assert public.status_code == 200, public.text
    text = public.text
    assert "张电工" in text and "王奶奶" not in text and "1380000" not in text
    assert api.get(f"/communities/{ids['community']}/evaluation").status_code == 401
