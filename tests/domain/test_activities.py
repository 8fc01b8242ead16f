"""Group activities, the monthly matching meeting and the resource ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.activity import Activity
from domain.errors import Conflict
from domain.order import OrderStatus
from projections import ReadModels, activities, resources
from tests.builders.orders import FAR, NEAR, Loop, plan
from tests.builders.world import World, refused


@pytest.fixture
def loop(world: World, clock: object) -> Loop:
    from domain.clock import ManualClock

    assert isinstance(clock, ManualClock)
    return Loop(world, clock)


def test_activity_hours_are_credited_when_the_list_is_confirmed(loop: Loop) -> None:
    activity_id, starts = plan(loop)
    loop.clock.set(starts - timedelta(minutes=30))
    loop.app.sign_in(loop.member, activity_id, *NEAR)  # early: counted from the start
    loop.clock.set(starts + timedelta(minutes=30))
    loop.app.sign_in(loop.other, activity_id, *FAR)
    loop.clock.set(starts + timedelta(hours=2))
    loop.app.sign_out(loop.member, activity_id, *NEAR)
    with refused(loop.app, Conflict, "activity_not_over"):
        loop.app.confirm_activity(loop.world.staff, activity_id)
    loop.clock.set(starts + timedelta(hours=4))
    loop.app.confirm_activity(loop.world.staff, activity_id)
    events = list(loop.app.events.get(activity_id))
    confirmed = events[-1]
    assert isinstance(confirmed, Activity.ListConfirmed)
    credited = dict(confirmed.attendees)
    assert credited[loop.members[0]] == Decimal("2.00")  # start to sign-out
    assert credited[loop.members[1]] == Decimal("2.50")  # no sign-out: to the end
    flagged = [e for e in events if isinstance(e, Activity.SignedIn) and e.flagged]
    assert [e.member_id for e in flagged] == [loop.members[1]]
    with refused(loop.app, Conflict, "activity_is_confirmed"):
        loop.app.sign_in(loop.world.member_actor(loop.members[0]), activity_id, *NEAR)


def test_sign_in_only_in_the_activity_time_and_once(loop: Loop) -> None:
    activity_id, starts = plan(loop)
    with refused(loop.app, Conflict, "outside_activity_time"):
        loop.app.sign_in(loop.member, activity_id, *NEAR)
    loop.clock.set(starts)
    loop.app.sign_in(loop.member, activity_id, *NEAR)
    with refused(loop.app, Conflict, "already_signed_in"):
        loop.app.sign_in(loop.member, activity_id, *NEAR)
    with refused(loop.app, Conflict, "not_signed_in"):
        loop.app.sign_out(loop.other, activity_id, *NEAR)


def test_the_organiser_can_leave_someone_off_the_list(loop: Loop) -> None:
    activity_id, starts = plan(loop)
    loop.clock.set(starts)
    loop.app.sign_in(loop.member, activity_id, *NEAR)
    loop.app.sign_in(loop.other, activity_id, *NEAR)
    loop.clock.set(starts + timedelta(hours=3))
    loop.app.confirm_activity(loop.world.staff, activity_id, excluded=[loop.members[1]])
    confirmed = list(loop.app.events.get(activity_id))[-1]
    assert isinstance(confirmed, Activity.ListConfirmed)
    assert [m for m, _ in confirmed.attendees] == [loop.members[0]]


def test_monthly_matching_dispatches_the_adopted_matches_once_a_month(loop: Loop) -> None:
    first, second = loop.post(), loop.post(content="换水龙头")
    loop.clock.set(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    loop.app.record_matching(
        loop.world.staff,
        loop.world.community_id,
        month="2026-03",
        adopted=[(first, loop.members[0]), (second, loop.members[1])],
        open_needs=2,
    )
    assert loop.app.order(first).status is OrderStatus.DISPATCHED
    assert loop.app.order(second).member_id == loop.members[1]
    community = loop.app.community(loop.world.community_id)
    assert community.matchings == {"2026-03": 2}
    with refused(loop.app, Conflict, "matching_already_recorded"):
        loop.app.record_matching(
            loop.world.staff, loop.world.community_id, month="2026-03", adopted=[], open_needs=0
        )
    loop.clock.set(datetime(2026, 4, 8, 2, 0, tzinfo=UTC))
    loop.app.record_matching(
        loop.world.staff, loop.world.community_id, month="2026-04", adopted=[], open_needs=0
    )
    events = [e for e in loop.app.events.get(loop.world.community_id) if hasattr(e, "late")]
    assert [e.late for e in events] == [False, True]


def test_matching_a_need_already_dispatched_is_refused_whole(loop: Loop) -> None:
    first, second = loop.post(), loop.post(content="换水龙头")
    loop.app.dispatch(loop.world.staff, second, loop.members[1])
    with refused(loop.app, Conflict, "order_is_dispatched"):
        loop.app.record_matching(
            loop.world.staff,
            loop.world.community_id,
            month="2026-01",
            adopted=[(first, loop.members[0]), (second, loop.members[0])],
            open_needs=2,
        )
    assert loop.app.order(first).status is OrderStatus.POSTED


def test_resource_ledger_counts_load_completed_orders_and_hours(loop: Loop) -> None:
    read = ReadModels(loop.app, run_projections=True)
    done = loop.post()
    loop.to_claimed(done, hours="1.5")
    loop.app.rate(loop.resident, done, stars=5, solved="yes")
    open_order = loop.post(content="修门锁")
    loop.to_in_progress(open_order)
    activity_id, starts = plan(loop, hours=2)
    loop.clock.set(starts)
    loop.app.sign_in(loop.member, activity_id, *NEAR)
    loop.clock.set(starts + timedelta(hours=2))
    loop.app.confirm_activity(loop.world.staff, activity_id)
    assert read.follower is not None
    read.follower.catch_up()
    rows = {
        r["name"]: r
        for r in resources.resource_ledger(
            read.store, str(loop.world.community_id), loop.clock.now().year
        )
    }
    zhang = rows["张伟"]
    assert zhang["open_load"] == 1 and zhang["completed_orders"] == 1
    assert Decimal(zhang["hours_this_year"]) == Decimal("3.5")
    assert zhang["services_this_year"] == 2
    assert Decimal(rows["李娜"]["hours_this_year"]) == 0
    record = activities.activities_of(read.store, str(loop.members[0]))
    assert record[0]["hours_credited"] == "2.00" and record[0]["confirmed"] is True
