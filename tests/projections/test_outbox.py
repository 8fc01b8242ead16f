"""The outbox on SQLite and PostgreSQL: events become messages exactly once, a rebuild
gives the same messages, phones and preferences come from the events it follows, and
the demo county ends with messages in inboxes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Availability, Commitment, Identity, Sishuang, Skills
from domain.clock import ManualClock
from domain.delivery import inbox_id
from domain.messages import community_key, member_key, resident_key
from domain.policies import DEFAULT_POLICY
from projections import ReadModels, outbox
from projections.base import Follower
from projections.outbox import Outbox
from tests.builders.inspection import Supervision
from tests.builders.orders import FAR, PLACE, Loop
from tests.builders.points import Points
from tests.builders.world import World


@pytest.fixture
def live(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Loop, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield Loop(World(app), clock), read
    app.close()


def kinds(read: ReadModels, recipient: str) -> list[str]:
    page = outbox.inbox(read.store, [recipient], unread_only=False, page=1, page_size=500)
    return sorted(m["kind"] for m in page["items"])


def at_home(loop: Loop, member_id: UUID, where: tuple[str, str], *, opt_in: bool) -> None:
    me = loop.world.member_actor(member_id)
    loop.app.update_member_profile(
        me,
        member_id,
        identity=Identity("电工", show_contact=False),
        commitment=Commitment("每月一次", 12),
        skills=Skills(["plumbing_electrical"], []),
        availability=Availability("1", ["on_call"], base_lat=where[0], base_lon=where[1]),
    )
    loop.app.set_preferences(me, sms_off=[], nearby_needs=opt_in)


def story(loop: Loop, clock: ManualClock) -> dict[str, UUID]:
    """Two members near and far, one opted in; needs posted, taken, claimed, overdue."""
    near, far = loop.members
    at_home(loop, near, PLACE, opt_in=True)
    at_home(loop, far, FAR, opt_in=True)
    needs = [loop.post(content=f"第{i}盏楼道灯坏了") for i in range(5)]
    loop.app.request_take(loop.other, needs[0])
    loop.to_claimed(needs[0])
    loop.app.request_take(loop.member, needs[1])
    loop.app.dispatch(loop.world.staff, needs[1], loop.members[0])
    clock.advance(timedelta(days=DEFAULT_POLICY.overdue_days, hours=1))
    loop.app.sweep(needs)
    loop.app.send_reminders(
        loop.world.org, member_ids=[], unit_ids=[loop.world.unit_id], message="请督促党员报到"
    )
    return {"claimed": needs[0], "dispatched": needs[1]}


@pytest.fixture
def told(live: tuple[Loop, ReadModels], clock: ManualClock) -> tuple[Loop, ReadModels]:
    """The story, projected."""
    loop, read = live
    assert read.follower is not None
    story(loop, clock)
    read.follower.catch_up()
    return loop, read


def test_events_become_messages_for_their_recipients(told: tuple[Loop, ReadModels]) -> None:
    loop, read = told
    near, far = (member_key(m) for m in loop.members)
    limit = DEFAULT_POLICY.nearby_need_max_per_day
    assert kinds(read, near) == sorted(
        ["registration_approved", "dispatched", "dispatched"] + ["nearby_need"] * limit
    )
    assert kinds(read, far) == ["application_result", "registration_approved"]
    assert kinds(read, resident_key(loop.resident_id)) == ["rating_request"]
    assert kinds(read, community_key(loop.world.community_id)) == ["overdue"]
    assert kinds(read, f"unit:{loop.world.unit_id}") == ["reporting_reminder"]
    page = outbox.inbox(read.store, [near], unread_only=False, page=1, page_size=1)
    assert page["total"] == 3 + limit and page["unread"] == 3 + limit
    message = page["items"][0]
    assert "楼道灯" in message["body"] and not message["read"]


def test_sms_goes_to_people_with_a_phone_who_did_not_turn_it_off(
    live: tuple[Loop, ReadModels], clock: ManualClock
) -> None:
    loop, read = live
    assert read.follower is not None
    loop.app.set_preferences(loop.other, sms_off=["dispatched"], nearby_needs=False)
    order = loop.post()
    loop.app.dispatch(loop.world.staff, order, loop.members[1])
    read.follower.catch_up()
    with read.store.read() as tx:
        rows = tx.execute("SELECT recipient, kind, status FROM rm_msg_deliveries").all()
    sms = sorted((r["recipient"], r["kind"]) for r in rows)
    assert (member_key(loop.members[1]), "dispatched") not in sms  # turned off
    assert (member_key(loop.members[1]), "registration_approved") in sms
    assert all(r["status"] == "pending" for r in rows)
    assert kinds(read, member_key(loop.members[1])) == ["dispatched", "registration_approved"]


def test_reading_a_message_is_recorded_and_shown(
    live: tuple[Loop, ReadModels], clock: ManualClock
) -> None:
    loop, read = live
    assert read.follower is not None
    read.follower.catch_up()
    key = member_key(loop.members[0])
    first = outbox.inbox(read.store, [key], unread_only=True, page=1, page_size=10)["items"][0]
    loop.app.read_message(loop.member, UUID(first["message_id"]))
    read.follower.catch_up()
    assert outbox.unread_count(read.store, [key]) == 0
    shown = outbox.message_of(read.store, [key], first["message_id"])
    assert shown is not None and shown["read"] and shown["read_at"]
    assert outbox.message_of(read.store, ["member:someone-else"], first["message_id"]) is None
    with read.store.read() as tx:
        inbox = tx.execute("SELECT inbox_id FROM rm_msg_reads").scalar()
    assert inbox == str(inbox_id(key))


def test_rebuilding_the_outbox_gives_the_same_messages(told: tuple[Loop, ReadModels]) -> None:
    loop, read = told
    projection = next(p for p in read.projections if isinstance(p, Outbox))
    before = projection.dump(read.store)
    assert before["rm_msg_messages"] and before["rm_msg_deliveries"]
    rebuilder = Follower(loop.app, [Outbox()], page_size=3)
    rebuilder.reset(rebuilder.projections[0])
    rebuilder.catch_up()
    assert projection.dump(read.store) == before


def test_two_followers_write_each_message_once(
    live: tuple[Loop, ReadModels], clock: ManualClock
) -> None:
    loop, read = live
    assert read.follower is not None
    story(loop, clock)
    second = Follower(loop.app, [Outbox()], page_size=4)
    while read.follower.run_once() + second.run_once():
        pass
    both = Outbox().dump(read.store)
    assert both["rm_msg_messages"]
    alone = Follower(loop.app, [Outbox()])
    alone.reset(alone.projections[0])
    alone.catch_up()
    assert Outbox().dump(read.store) == both


def test_the_reminder_candidates_are_the_windows_about_to_end(
    live: tuple[Loop, ReadModels], clock: ManualClock
) -> None:
    loop, read = live
    assert read.follower is not None
    order = loop.post()
    read.follower.catch_up()
    assert outbox.reminder_candidates(read.store, clock.now()) == []
    deadline = loop.app.order(order).take_deadline
    clock.set(deadline - timedelta(hours=DEFAULT_POLICY.take_window_reminder_hours))
    assert outbox.reminder_candidates(read.store, clock.now()) == [str(order)]
    loop.app.sweep_reminders([order])
    read.follower.catch_up()
    assert outbox.reminder_candidates(read.store, clock.now()) == []
    assert kinds(read, community_key(loop.world.community_id)) == ["take_window_ending"]


def test_the_demo_county_ends_with_messages_in_inboxes(tmp_path: Any) -> None:
    from domain.demo import load_demo

    app = Sishuang(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "d.db")},
        clock=ManualClock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC)),
    )
    load_demo(app, members=40, residents_per_community=8, needs_per_community=10)
    follower = Follower(app, [Outbox()])
    follower.catch_up()
    with follower.store.read() as tx:
        rows = tx.execute("SELECT kind, COUNT(*) AS n FROM rm_msg_messages GROUP BY kind").all()
        recipients = tx.execute(
            "SELECT COUNT(DISTINCT recipient) AS n FROM rm_msg_messages"
        ).scalar()
    found = {r["kind"]: r["n"] for r in rows}
    for kind in ("dispatched", "rating_request", "registration_approved"):
        assert found.get(kind, 0) > 0, found
    assert recipients > 10
    app.close()


def projected(app: Sishuang) -> ReadModels:
    read = ReadModels(app, run_projections=True)
    assert read.follower is not None
    read.follower.catch_up()
    return read


def test_yellow_and_red_lights_reach_the_member_and_the_red_the_unit(
    app: Sishuang, clock: ManualClock
) -> None:
    world = World(app)
    loop = Loop(world, clock)
    for year, quarter, moment in ((2026, 1, (2026, 4, 2)), (2026, 2, (2026, 7, 2))):
        clock.set(datetime(*moment, 1, tzinfo=UTC))
        app.check_standards(world.org, year=year, quarter=quarter, member_ids=loop.members)
    read = projected(app)
    mine = kinds(read, member_key(loop.members[0]))
    assert "warning_yellow" in mine and "warning_red" in mine
    assert kinds(read, f"unit:{world.unit_id}") == ["warning_red", "warning_red"]
    red = outbox.inbox(
        read.store, [f"unit:{world.unit_id}"], unread_only=False, page=1, page_size=5
    )
    assert any("张伟" in m["body"] for m in red["items"])


def test_a_redemption_code_reaches_the_member(app: Sishuang, clock: ManualClock) -> None:
    points = Points(World(app), clock)
    points.close(hours="3")
    app.redeem(points.actor(), points.members[0], points.item_id, quantity=1)
    read = projected(app)
    page = outbox.inbox(
        read.store, [member_key(points.members[0])], unread_only=False, page=1, page_size=50
    )
    codes = [m for m in page["items"] if m["kind"] == "redemption_code"]
    assert len(codes) == 1 and "大米一袋" in codes[0]["body"]


def test_inspectors_are_told_of_their_assignments(app: Sishuang, clock: ManualClock) -> None:
    supervision = Supervision(World(app), clock)
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))  # the plan's period (March) is over
    plan = supervision.to_drawn(supervision.plan())
    read = projected(app)
    assigned = {i for team in plan.assignments.values() for i in team}
    assert assigned
    for inspector in assigned:
        page = outbox.inbox(
            read.store, [f"inspector:{inspector}"], unread_only=False, page=1, page_size=5
        )
        assert [m["kind"] for m in page["items"]] == ["inspection_assignment"]
        assert "2026年一季度回访抽查" in page["items"][0]["body"]
