"""民生需求台账 on SQLite and PostgreSQL: the ledger follows the loop, live equals rebuilt,
and the community's figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest

from domain.application import NeedInput, Sishuang
from domain.clock import ManualClock
from projections import ReadModels, all_projections, needs
from projections.base import Follower
from tests.builders.orders import NEAR, PHOTO_AFTER, PHOTO_BEFORE, Loop
from tests.builders.world import World


@pytest.fixture
def setup(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Loop, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield Loop(World(app), clock), read
    app.close()


def run_the_loop(loop: Loop) -> dict[str, object]:
    app = loop.app
    done = loop.post()
    loop.to_claimed(done)
    app.rate(loop.resident, done, stars=5, comment="谢谢", solved="yes")
    low = loop.post(content="下水道堵了", category="environment", urgency="critical")
    loop.to_claimed(low, hours="1")
    app.rate(loop.resident, low, stars=2, solved="partly")
    app.decide_low_rating(loop.world.staff, low, decision="return_to_pool", reason="重新派单")
    cancelled = loop.post(content="想学智能手机", category="it", urgency="normal")
    app.cancel_need(loop.resident, cancelled, "孩子已教会")
    idle = app.post_need(
        loop.grid,
        NeedInput(
            content="独居老人想要收音机",
            category="elderly_disabled",
            source="wish_card",
            requester_name="李爷爷",
        ),
    ).id
    late = loop.post(content="楼顶漏水", category="plumbing_electrical")
    loop.to_in_progress(late)
    loop.clock.advance(timedelta(days=15))
    return {"done": done, "low": low, "cancelled": cancelled, "idle": idle, "late": late}


def test_ledger_follows_the_loop_and_the_sweep(setup: tuple[Loop, ReadModels]) -> None:
    loop, read = setup
    ids = run_the_loop(loop)
    assert read.follower is not None
    read.follower.catch_up()
    due = needs.due_for_sweep(read.store, loop.clock.now())
    assert {str(ids["idle"]), str(ids["late"]), str(ids["low"])} <= set(due)
    counts = loop.app.sweep([UUID(d) for d in due])
    assert counts["unclaimed"] >= 1 and counts["overdue"] == 1
    read.follower.catch_up()
    now = loop.clock.now()
    total, rows = needs.ledger(read.store, str(loop.world.community_id), now)
    assert total == 5
    by_id = {r["order_id"]: r for r in rows}
    done = by_id[str(ids["done"])]
    assert done["status_label"] == "已办结" and done["stars"] == 5 and done["satisfied"] is True
    assert done["hours_credited"] == "1.50" and done["member_name"] == "张伟"
    late = by_id[str(ids["late"])]
    assert late["overdue"] is True and late["days_open"] == 15
    assert by_id[str(ids["idle"])]["status"] == "unclaimed"
    assert by_id[str(ids["idle"])]["source_label"] == "微心愿卡"
    assert by_id[str(ids["low"])]["returns"] == 1
    critical = needs.ledger(read.store, str(loop.world.community_id), now, urgency="critical")[1]
    assert [r["content"] for r in critical] == ["下水道堵了"]
    detail = needs.get_order(read.store, str(ids["done"]), now)
    assert detail is not None
    assert [s["step"] for s in detail["steps"]] == [
        "点单",
        "接单申请",
        "派单",
        "接单",
        "到场签到",
        "上传照片",
        "上传照片",
        "申请结单",
        "评价",
        "办结",
    ]
    assert {p["sha256"] for p in detail["photo_list"]} == {PHOTO_BEFORE, PHOTO_AFTER}
    figures = needs.community_figures(read.store, str(loop.world.community_id))
    assert figures["needs_posted"] == 5 and figures["needs_valid"] == 4
    assert figures["closed"] == 1 and figures["completion_rate"] == 0.25
    assert figures["satisfaction_rate"] == 1.0 and figures["overdue"] == 1


def test_rebuilt_ledger_equals_the_live_one(setup: tuple[Loop, ReadModels]) -> None:
    loop, read = setup
    ids = run_the_loop(loop)
    loop.app.sweep([ids["idle"], ids["late"]])  # type: ignore[list-item]
    assert read.follower is not None
    read.follower.catch_up()
    projection = next(p for p in read.projections if p.name == "rm_needs")
    before = projection.dump(read.store)
    rebuilder = Follower(loop.app, all_projections(), page_size=9)
    for p in rebuilder.projections:
        rebuilder.reset(p)
    rebuilder.catch_up()
    assert projection.dump(read.store) == before


def test_overlapping_service_of_one_member_is_flagged(setup: tuple[Loop, ReadModels]) -> None:
    loop, read = setup
    first, second = loop.post(), loop.post(content="换灯泡")
    for order_id in (first, second):
        loop.to_in_progress(order_id)
        loop.app.check_in(loop.member, order_id, *NEAR)
        loop.app.attach_photo(loop.member, order_id, PHOTO_BEFORE, "before")
        loop.app.attach_photo(loop.member, order_id, PHOTO_AFTER, "after")
    loop.clock.advance(timedelta(hours=1))
    loop.app.claim_completion(loop.member, first, "1")
    loop.app.claim_completion(loop.member, second, "1")
    assert read.follower is not None
    read.follower.catch_up()
    now = loop.clock.now()
    flags = {
        r["order_id"]: r["overlap_flag"]
        for r in needs.ledger(read.store, str(loop.world.community_id), now)[1]
    }
    assert flags == {str(first): True, str(second): True}


def test_members_see_open_needs_that_fit_them_first(setup: tuple[Loop, ReadModels]) -> None:
    loop, read = setup
    from domain.application import Identity, Skills

    loop.app.update_member_profile(
        loop.member,
        loop.members[0],
        identity=Identity("电工"),
        skills=Skills(["plumbing_electrical"]),
    )
    it_need = loop.post(content="教我用微信", category="it", urgency="critical")
    light = loop.post()
    assert read.follower is not None
    read.follower.catch_up()
    rows = needs.open_needs_for_member(read.store, str(loop.members[0]), loop.clock.now())
    assert [r["order_id"] for r in rows] == [str(light), str(it_need)]
    assert rows[0]["skill_match"] is True


def test_needs_beyond_a_members_radius_are_not_offered(setup: tuple[Loop, ReadModels]) -> None:
    loop, read = setup
    from domain.application import Availability

    loop.app.update_member_profile(
        loop.member,
        loop.members[0],
        availability=Availability("1", ["on_call"], base_lat="35.4901", base_lon="112.8512"),
    )
    near = loop.post()  # at the member's base
    far = loop.post(content="远处的需求", lat="35.5200", lon="112.8512")  # about 3.3 km
    nowhere = loop.post(content="没有坐标的需求", lat=None, lon=None)
    assert read.follower is not None
    read.follower.catch_up()
    offered = needs.open_needs_for_member(read.store, str(loop.members[0]), loop.clock.now())
    assert {r["order_id"] for r in offered} == {str(near), str(nowhere)}
    ranked = needs.suggest_members(read.store, str(far))
    mine = next(r for r in ranked if r["member_id"] == str(loop.members[0]))
    assert mine["distance_m"] > 3000 and any("超出服务半径" in x for x in mine["reasons"])
