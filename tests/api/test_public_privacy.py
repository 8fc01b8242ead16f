"""No resident's personal data on anything anonymous or unit-facing (the masking
finding): a resident's name, phone, ID number and address are written into every
free-text field a supervision plan carries (void, replacement and recusal reasons,
findings, the results' summary) and into the need itself; then every public route of
the OpenAPI document, every public page and every route a unit reads is fetched, in
every format it offers, on both stores. None of it may show them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.actors import Role
from tests.builders.http import Api, close_order
from tests.builders.http_inspection import County

SENTENCE = "群众李彤（电话13072581077，身份证140525199001011234，住巴公大街3号2单元402）已搬走"
SECRETS = ("李彤", "13072581077", "140525199001011234", "巴公大街", "2单元402", "1307258")


def text_of(response: Any) -> str:
    if response.headers.get("content-type", "").startswith(
        "application/vnd.openxmlformats-officedocument"
    ):
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return response.content.decode("utf-8", "replace")


def seed_personal_data(county: County) -> dict[str, str]:
    api, org = county.api, county.api.org
    # the resident, registered, with a need that says who they are
    r = api.register_resident(
        {
            "community_id": county.ids["community"],
            "name": "李彤",
            "phone": "13072581077",
            "address": "巴公大街3号2单元402",
            "grid_code": "G01",
        },
    )
    assert r.status_code == 201, r.text
    resident = {"Authorization": f"Bearer {r.json()['token']}"}
    r = api.post("/needs", {"content": SENTENCE, "category": "it"}, resident)
    assert r.status_code == 201, r.text
    # and one the member served, which the member's unit reads about
    close_order(
        api, county.ids, county.member, "1", stars=5, resident_name="李彤", content=SENTENCE
    )
    unit_solves_a_need(county)
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(county.ids["community"]), "社区-李")
    unit = api.token(Role.UNIT_ADMIN, UUID(county.ids["unit"]), "单位-赵")
    member = county.member["id"]
    r = api.post(
        f"/members/{member}/community-evaluations",
        {
            "year": 2026,
            "quarter": 1,
            "results": 90,
            "feedback": 90,
            "assessment": 90,
            "comment": SENTENCE,
        },
        staff,
    )
    assert r.status_code == 201, r.text
    r = api.post(
        f"/members/{member}/unit-evaluations",
        {"year": 2026, "score": 90, "comment": SENTENCE},
        unit,
    )
    assert r.status_code == 201, r.text
    r = api.post(f"/orders/{county.orders[0]}/found-false", {"reason": SENTENCE}, staff)
    assert r.status_code == 200, r.text
    starts = api.clock.now() + timedelta(minutes=10)
    r = api.post(
        f"/communities/{county.ids['community']}/activities",
        {
            "kind": "red_service_day",
            "title": "为独居老人李彤（13072581077）打扫",
            "place": "巴公大街3号2单元402",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        },
        staff,
    )
    assert r.status_code == 201, r.text
    r = api.post(
        f"/activities/{r.json()['activity_id']}/sign-in",
        {"lat": "35.49", "lon": "112.85"},
        {"Authorization": county.member["Authorization"]},
    )
    assert r.status_code == 200, r.text

    # a plan drawn, with a replacement, a recusal, findings and published results
    plan_id = county.plan()
    path = f"/inspection-plans/{plan_id}"
    for step in ("freeze-population", "freeze-roster"):
        assert api.post(f"{path}/{step}", {}, org).status_code == 200
    county.commit_all(path)
    county.reveal_all(path)
    plan = api.get(path, org).json()
    first, second = (t["target"] for t in plan["targets"][:2])
    r = api.post(
        f"{path}/replacements",
        {"target": first, "reason_code": "moved_away", "reason": SENTENCE},
        org,
    )
    assert r.status_code == 200, r.text
    team = next(t for t in plan["targets"] if t["target"] == second)["inspectors"]
    r = api.post(
        f"{path}/recusals",
        {
            "target": second,
            "inspector_id": team[0]["inspector_id"],
            "reason_code": "conflict_of_interest",
            "reason": SENTENCE,
        },
        org,
    )
    assert r.status_code == 200, r.text
    plan = api.get(path, org).json()
    for t in plan["targets"]:
        if not t["active"]:
            continue
        inspector = county.inspector(t["inspectors"][0]["inspector_id"])
        body = {"target": t["target"], "conclusion": "pass", "confirmed": True, "stars": 5}
        r = api.post(f"{path}/findings", {**body, "note": SENTENCE}, inspector)
        assert r.status_code == 201, r.text
    r = api.post(f"{path}/publish-results", {"summary": SENTENCE}, org)
    assert r.status_code == 200, r.text
    corrected = {
        "target": plan["targets"][-1]["target"],
        "conclusion": "rectify",
        "confirmed": True,
        "stars": 3,
        "correction_reason": SENTENCE,
    }
    active = next(t for t in plan["targets"] if t["target"] == corrected["target"])
    if active["active"]:
        inspector = county.inspector(active["inspectors"][0]["inspector_id"])
        r = api.post(f"{path}/findings", corrected, inspector)
        assert r.status_code == 201, r.text

    # a second plan, voided with the same words
    voided = county.plan(title="2026年3月回访抽查（重复）")
    r = api.post(
        f"/inspection-plans/{voided}/void",
        {"reason_code": "duplicate_plan", "reason": SENTENCE},
        org,
    )
    assert r.status_code == 200, r.text
    return {
        "county_id": str(api.county_id),
        "community_id": county.ids["community"],
        "unit_id": county.ids["unit"],
        "member_id": county.member["id"],
        "plan_id": plan_id,
        "year": "2026",
    }


def unit_solves_a_need(county: County) -> None:
    """李彤's need, unclaimed, given to the member's unit by the 大党委, done by the member:
    a livelihood issue the unit's evaluation lists."""
    from datetime import timedelta

    from domain.actors import Actor
    from domain.application import NeedInput
    from tests.builders.http import NEAR, domain_app, head

    api = county.api
    app = domain_app(api)
    community = UUID(county.ids["community"])
    resident = app.register_resident(
        Actor(Role.PUBLIC, "anonymous"), community_id=community, name="李彤", phone="13072581078"
    ).id
    asker = Actor(Role.RESIDENT, str(resident), community)
    staff = Actor(Role.COMMUNITY_ADMIN, "社区-李", community)
    unit = Actor(Role.UNIT_ADMIN, "单位-赵", UUID(county.ids["unit"]))
    me = Actor(Role.MEMBER, county.member["id"], UUID(county.member["id"]))
    order = app.post_need(asker, NeedInput(content=SENTENCE, category="plumbing_electrical")).id
    api.clock.advance(timedelta(days=4))
    assert app.sweep([order])["unclaimed"] == 1
    app.record_joint_meeting(staff, order, assignee_kind="unit", assignee_id=unit.scope_id)
    app.dispatch(unit, order, UUID(county.member["id"]))
    app.accept(me, order)
    app.check_in(me, order, *NEAR)
    app.attach_photo(me, order, "c" * 64, "before")
    app.attach_photo(me, order, "d" * 64, "after")
    api.clock.advance(timedelta(hours=2))
    app.claim_completion(me, order, "1")
    app.rate(asker, order, stars=5, solved="yes")
    read = api.client.app.state.services.read  # type: ignore[attr-defined]
    read.follower.nudge()
    assert read.wait_for(head(api), 5.0)


def fill(path: str, ids: dict[str, str]) -> str | None:
    def one(match: re.Match[str]) -> str:
        return ids.get(match.group(1), "\x00")

    filled = re.sub(r"\{(\w+)\}", one, path)
    return None if "\x00" in filled else filled


def crawl(api: Api, ids: dict[str, str], voided_plan: str | None = None) -> dict[str, str]:
    """Every GET a stranger (no token) or a unit can make, in every format offered."""
    unit = api.token(Role.UNIT_ADMIN, __import__("uuid").UUID(ids["unit_id"]), "单位-赵")
    schema = api.client.app.openapi()  # type: ignore[attr-defined]
    seen: dict[str, str] = {}
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get is None:
            continue
        public = path.startswith(("/api/v1/public", "/public", "/api/v1/registration-form"))
        # what a unit reads: its own routes, and its members' records
        unit_facing = path.startswith(("/api/v1/units/{unit_id}", "/api/v1/members/{member_id}"))
        if not (public or unit_facing):
            continue
        url = fill(path, ids)
        assert url is not None, f"no id to fill {path}"
        formats = [None]
        for param in get.get("parameters", []):
            if param["name"] == "format":
                formats = ["json", "xlsx", "csv"]
        for fmt in formats:
            query = {} if fmt is None else {"format": fmt}
            r = api.client.get(url, params=query, headers={} if public else unit)
            if r.status_code == 403 and not public:
                continue  # not the unit's to read (the member's own redemptions, say)
            assert r.status_code == 200, (url, fmt, r.text[:300])
            seen[f"{url}?{fmt}"] = text_of(r)
    return seen


def test_nothing_anonymous_or_unit_facing_shows_a_residents_personal_data(
    store_api: Api,
) -> None:
    county = County(store_api)
    ids = seed_personal_data(county)
    pages = crawl(store_api, ids)
    assert len(pages) >= 10, sorted(pages)
    assert any("/public/inspections/" in url for url in pages)
    for url, body in pages.items():
        for secret in SECRETS:
            assert secret not in body, (url, secret, body[body.find(secret) - 80 :][:200])
    # what is shown instead: the reason's category, and the words, masked
    detail = pages[f"/api/v1/public/inspections/{ids['plan_id']}?None"]
    assert "对象已迁出" in detail and "存在利害关系" in detail
    assert "130****1077" in detail and "群众李*" in detail
    listing = pages["/api/v1/public/inspections?None"]
    assert "方案重复" in listing


def test_staff_still_see_what_they_need(store_api: Api) -> None:
    """Masking is for the public and units; the supervision team reads the plan whole."""
    county = County(store_api)
    ids = seed_personal_data(county)
    plan = store_api.get(f"/inspection-plans/{ids['plan_id']}", store_api.org).json()
    assert plan["replacements"][0]["reason"] == SENTENCE
    assert plan["replacements"][0]["reason_code"] == "moved_away"


def test_what_a_plan_publishes_as_written_cannot_carry_personal_data(store_api: Api) -> None:
    """A plan's document is hashed and published whole, so it cannot be masked later:
    its title and the public value's source are refused if they hold personal data."""
    County(store_api)  # the county's 组织部 and its clock
    for field in ("title", "public_value_source"):
        body = {
            "title": "2026年3月回访抽查",
            "item": "revisit",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "seed_method": "public_value",
            "public_value_source": "中国福利彩票双色球",
            "public_value_available_after": "2026-04-30T21:30:00+08:00",
            "public_value_pattern": r"\d{2}( \d{2}){5} \+ \d{2}",
            "public_value_example": "03 08 14 21 27 30 + 11",
            field: "回访群众李彤（13072581077）",
        }
        r = store_api.post("/inspection-plans", body, store_api.org)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "personal_data_in_public_text"
    r = store_api.post(
        "/inspectors",
        {"name": "孙督查", "unit_name": "县纪委（联系人张伟 13800001111）"},
        store_api.org,
    )
    assert r.json()["code"] == "personal_data_in_public_text"
