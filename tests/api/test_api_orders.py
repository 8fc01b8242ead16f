"""The order loop over HTTP: a resident's need from posting to rating, photos, exports,
suggestions, bad input."""

from __future__ import annotations

import io
from datetime import timedelta
from uuid import UUID

from openpyxl import load_workbook

from domain.actors import Role
from tests.builders.http import JPEG, Api, bearer, ready_member, setup_county, upload

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def test_a_need_from_posting_to_rating_over_http(api: Api) -> None:
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    r = api.register_resident(
        {
            "community_id": ids["community"],
            "name": "王奶奶",
            "phone": "13900000001",
            "grid_code": "G01",
        },
    )
    assert r.status_code == 201, r.text
    resident = bearer(r.json()["token"])
    member = ready_member(api, ids, "13800000011", "张电工")
    member_auth = {"Authorization": member["Authorization"]}

    photo = upload(api, resident, JPEG)
    assert photo.status_code == 201 and photo.json()["media_type"] == "image/jpeg"
    r = api.post(
        "/needs",
        {
            "content": "楼道灯坏了",
            "category": "plumbing_electrical",
            "urgency": "urgent",
            "people_affected": 12,
            "grid_code": "G01",
            "lat": "35.4901",
            "lon": "112.8512",
            "photos": [photo.json()["sha256"]],
        },
        resident,
    )
    assert r.status_code == 201, r.text
    order = r.json()["order_id"]

    mine = api.get("/me/open-needs", member_auth).json()
    assert mine[0]["order_id"] == order and mine[0]["skill_match"] is True
    assert (
        api.post(f"/needs/{order}/applications", {"note": "我是电工"}, member_auth).status_code
        == 200
    )
    ranked = api.get(f"/needs/{order}/suggestions", staff).json()
    assert ranked[0]["member_id"] == member["id"]
    assert "擅长水电维修" in ranked[0]["reasons"] and "已申请接单" in ranked[0]["reasons"]

    assert (
        api.post(f"/needs/{order}/dispatch", {"member_id": member["id"]}, staff).status_code == 200
    )
    assert api.post(f"/needs/{order}/accept", {}, member_auth).status_code == 200
    r = api.post(f"/needs/{order}/check-in", {"lat": "35.4903", "lon": "112.8513"}, member_auth)
    assert r.status_code == 200, r.text
    before = upload(api, member_auth, JPEG + b"before").json()["sha256"]
    after = upload(api, member_auth, PNG).json()["sha256"]
    for sha, kind in ((before, "before"), (after, "after")):
        assert (
            api.post(
                f"/needs/{order}/photos", {"sha256": sha, "kind": kind}, member_auth
            ).status_code
            == 200
        )
    api.clock.advance(timedelta(hours=1))
    r = api.post(f"/needs/{order}/claim", {"hours": "0"}, member_auth)
    assert (r.status_code, r.json()["code"]) == (422, "hours_out_of_range")
    assert (
        api.post(f"/needs/{order}/claim", {"hours": "1", "note": "已换灯"}, member_auth).status_code
        == 200
    )

    r = api.post(
        f"/needs/{order}/rating", {"stars": 5, "comment": "谢谢", "solved": "yes"}, resident
    )
    assert r.status_code == 200, r.text
    again = api.post(f"/needs/{order}/rating", {"stars": 1, "solved": "no"}, resident)
    assert (again.status_code, again.json()["code"]) == (409, "order_is_closed")
    assert again.json()["details"]["status"] == "closed"

    detail = api.get(f"/needs/{order}", resident).json()
    assert detail["status"] == "closed" and detail["hours_credited"] == "1.00"
    assert [s["step"] for s in detail["steps"]][-2:] == ["评价", "办结"]
    figures = api.get(f"/communities/{ids['community']}/figures", staff).json()
    assert figures["completion_rate"] == 1.0 and figures["satisfaction_rate"] == 1.0
    record = api.get("/me/orders", member_auth).json()
    assert record[0]["requester_name"] == "王**"

    xlsx = api.get(f"/communities/{ids['community']}/needs", staff, format="xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["登记时间", "需求内容", "类别"] and "责任党员" in header
    assert sheet.cell(2, 2).value == "楼道灯坏了"
    csv = api.get(f"/communities/{ids['community']}/needs", staff, format="csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("登记时间,需求内容") and "王**" in text
    assert "13900000001" not in text


def test_bad_photos_and_strangers_are_refused(api: Api) -> None:
    ids = setup_county(api)
    r = api.register_resident(
        {"community_id": ids["community"], "name": "王奶奶", "phone": "13900000001"}
    )
    resident = bearer(r.json()["token"])
    r = upload(api, resident, b"GIF89a not accepted")
    assert (r.status_code, r.json()["code"]) == (422, "not_an_image")
    policy = {"overrides": {"photo_max_bytes": 1000}, "reason": "测试"}
    assert api.put(f"/counties/{api.county_id}/policy", policy, api.org).status_code == 200
    r = upload(api, resident, JPEG * 2)
    assert (r.status_code, r.json()["code"]) == (422, "photo_too_large")
    r = api.post("/needs", {"content": "x", "category": "it", "photos": ["f" * 64]}, resident)
    assert (r.status_code, r.json()["code"]) == (404, "unknown_photo")
    order = api.post("/needs", {"content": "教我用手机", "category": "it"}, resident).json()[
        "order_id"
    ]
    other = bearer(
        api.register_resident(
            {"community_id": ids["community"], "name": "李叔", "phone": "13900000002"}
        ).json()["token"]
    )
    r = api.get(f"/needs/{order}", other)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_order")
    r = api.post(f"/needs/{order}/cancel", {}, other)
    assert (r.status_code, r.json()["code"]) == (403, "not_your_order")
    assert api.post(f"/needs/{order}/cancel", {"reason": "会了"}, resident).status_code == 200


def test_activities_matching_and_the_resource_ledger_over_http(api: Api) -> None:
    ids = setup_county(api)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]), "社区-李")
    member = ready_member(api, ids, "13800000011", "张电工")
    member_auth = {"Authorization": member["Authorization"]}
    starts = api.clock.now() + timedelta(hours=1)
    r = api.post(
        f"/communities/{ids['community']}/activities",
        {
            "kind": "red_service_day",
            "title": "红色服务日",
            "place": "党群服务中心",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        },
        staff,
    )
    assert r.status_code == 201, r.text
    activity = r.json()["activity_id"]
    api.clock.set(starts)
    assert (
        api.post(
            f"/activities/{activity}/sign-in", {"lat": "35.49", "lon": "112.85"}, member_auth
        ).status_code
        == 200
    )
    api.clock.set(starts + timedelta(hours=3))
    assert api.post(f"/activities/{activity}/confirm", {}, staff).status_code == 200
    mine = api.get("/me/activities", member_auth).json()
    assert mine[0]["hours_credited"] == "2.00" and mine[0]["kind_label"] == "红色服务日"

    resident = bearer(
        api.register_resident(
            {"community_id": ids["community"], "name": "王奶奶", "phone": "13900000001"},
        ).json()["token"]
    )
    order = api.post(
        "/needs", {"content": "灯坏了", "category": "plumbing_electrical"}, resident
    ).json()["order_id"]
    plan = api.get(f"/communities/{ids['community']}/matching", staff).json()
    assert plan["open_needs"] == 1
    suggested = plan["items"][0]["suggestions"][0]
    assert suggested["member_id"] == member["id"]
    r = api.post(
        f"/communities/{ids['community']}/matching",
        {
            "month": api.clock.now().strftime("%Y-%m"),
            "adopted": [{"order_id": order, "member_id": member["id"]}],
        },
        staff,
    )
    assert r.status_code == 201, r.text
    assert api.get(f"/needs/{order}", staff).json()["status"] == "dispatched"

    record = api.get(f"/members/{member['id']}/service-record", staff).json()
    assert record["totals"]["hours"] == "2.00" and record["totals"]["activities_confirmed"] == 1
    unit_admin = api.token(Role.UNIT_ADMIN, UUID(ids["unit"]), "财政局党办")
    assert api.get(f"/members/{member['id']}/service-record", unit_admin).status_code == 200

    ledger = api.get(f"/communities/{ids['community']}/resources", staff).json()
    assert ledger[0]["name"] == "张电工" and ledger[0]["hours_this_year"] == "2.00"
    assert ledger[0]["open_load"] == 1
    xlsx = api.get(f"/communities/{ids['community']}/resources", staff, format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(1, 1).value == "姓名"
    assert sheet.cell(2, 1).value == "张电工"
