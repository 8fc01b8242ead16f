"""The order loop's rules, against the application service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.actors import PUBLIC, Actor, Role
from domain.application import NeedInput, Sishuang
from domain.clock import ManualClock
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.order import TRANSITIONS, Order, OrderStatus
from tests.builders.orders import FAR, NEAR, PHOTO_AFTER, PHOTO_BEFORE, Loop
from tests.builders.world import World, refused


@pytest.fixture
def loop(world: World, clock: ManualClock) -> Loop:
    return Loop(world, clock)


def status(app: Sishuang, order_id: UUID) -> OrderStatus:
    return app.order(order_id).status


def test_a_need_goes_round_the_loop_and_credits_hours_on_close(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    assert status(loop.app, order_id) is OrderStatus.COMPLETION_CLAIMED
    assert loop.app.order(order_id).hours_credited is None
    loop.app.rate(loop.resident, order_id, stars=5, comment="很及时", solved="yes")
    order = loop.app.order(order_id)
    assert order.status is OrderStatus.CLOSED and order.hours_credited == Decimal("1.5")


def test_order_unclaimed_after_three_days_goes_to_joint_meeting(loop: Loop) -> None:
    order_id = loop.post()
    loop.clock.advance(timedelta(days=3) - timedelta(seconds=1))
    assert loop.app.sweep([order_id]) == {"unclaimed": 0, "closed_unrated": 0, "overdue": 0}
    loop.clock.advance(timedelta(seconds=1))
    assert loop.app.sweep([order_id])["unclaimed"] == 1
    assert status(loop.app, order_id) is OrderStatus.UNCLAIMED
    with refused(loop.app, Conflict, "order_is_unclaimed"):
        loop.app.request_take(loop.member, order_id)
    loop.app.record_joint_meeting(
        loop.world.staff,
        order_id,
        assignee_kind="unit",
        assignee_id=loop.world.unit_id,
        note="党建联席会议决定交财政局办理",
    )
    assert status(loop.app, order_id) is OrderStatus.ASSIGNED
    unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", loop.world.unit_id)
    loop.app.dispatch(unit_admin, order_id, loop.members[1])
    assert loop.app.order(order_id).member_id == loop.members[1]


def test_an_applied_need_is_not_unclaimed(loop: Loop) -> None:
    order_id = loop.post()
    loop.app.request_take(loop.member, order_id)
    loop.clock.advance(timedelta(days=4))
    assert loop.app.sweep([order_id])["unclaimed"] == 0
    assert status(loop.app, order_id) is OrderStatus.POSTED


def test_take_window_closes_after_three_days(loop: Loop) -> None:
    order_id = loop.post()
    loop.app.request_take(loop.other, order_id)
    loop.clock.advance(timedelta(days=3))
    with refused(loop.app, Conflict, "take_window_closed"):
        loop.app.request_take(loop.member, order_id)


def test_no_rating_within_24_hours_closes_unrated(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    loop.clock.advance(timedelta(hours=24))
    assert loop.app.sweep([order_id])["closed_unrated"] == 1
    with refused(loop.app, Conflict, "order_is_closed"):
        loop.app.rate(loop.resident, order_id, stars=5, solved="yes")


def test_low_rating_waits_for_the_community_to_return_or_close(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    loop.app.rate(loop.resident, order_id, stars=2, comment="灯还是不亮", solved="no")
    assert status(loop.app, order_id) is OrderStatus.LOW_RATED
    loop.app.decide_low_rating(
        loop.world.staff, order_id, decision="return_to_member", reason="请重新维修"
    )
    order = loop.app.order(order_id)
    assert order.status is OrderStatus.DISPATCHED and order.member_id == loop.members[0]
    assert order.evidence == [] and order.checked_in_at is None
    loop.app.accept(loop.member, order_id)
    loop.app.check_in(loop.member, order_id, *NEAR)
    with refused(loop.app, Conflict, "before_after_photos_required"):
        loop.app.claim_completion(loop.member, order_id, "0.5")


def test_low_rating_closed_by_the_community_credits_only_if_it_says_so(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    loop.app.rate(loop.resident, order_id, stars=1, solved="partly")
    loop.app.decide_low_rating(
        loop.world.staff, order_id, decision="close", reason="居民诉求超出服务范围"
    )
    assert loop.app.order(order_id).hours_credited == Decimal(0)


def test_overdue_fourteen_days_after_dispatch_needs_follow_up(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_in_progress(order_id)
    with refused(loop.app, Conflict, "not_overdue"):
        loop.app.follow_up(loop.world.staff, order_id, method="phone", outcome="已电话联系")
    loop.clock.advance(timedelta(days=14))
    assert loop.app.sweep([order_id])["overdue"] == 1
    assert loop.app.sweep([order_id])["overdue"] == 0  # once
    loop.app.follow_up(loop.world.staff, order_id, method="phone", outcome="党员已约定周六上门")
    assert loop.app.order(order_id).follow_ups == 1


def test_check_in_far_from_the_need_is_flagged_not_refused(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_in_progress(order_id)
    loop.app.check_in(loop.member, order_id, *FAR)
    events = [e for e in loop.app.events.get(order_id) if isinstance(e, Order.CheckedIn)]
    assert events[-1].flagged and events[-1].distance_m is not None
    assert events[-1].distance_m > 2000


def test_the_same_photo_on_two_orders_is_flagged(loop: Loop) -> None:
    first, second = loop.post(), loop.post(content="门口积水")
    loop.to_claimed(first)
    loop.app.request_take(loop.member, second)
    loop.app.dispatch(loop.world.staff, second, loop.members[0])
    loop.app.accept(loop.member, second)
    loop.app.attach_photo(loop.member, second, PHOTO_BEFORE, "before")
    attached = [e for e in loop.app.events.get(second) if isinstance(e, Order.PhotoAttached)]
    assert attached[-1].duplicate_of == first


def test_hours_must_be_positive_and_within_the_time_since_check_in(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_in_progress(order_id)
    loop.app.check_in(loop.member, order_id, *NEAR)
    loop.app.attach_photo(loop.member, order_id, PHOTO_BEFORE, "before")
    loop.app.attach_photo(loop.member, order_id, PHOTO_AFTER, "after")
    loop.clock.advance(timedelta(hours=2))
    for hours in ("0", "-1", "2.5"):
        with refused(loop.app, InvalidInput, "hours_out_of_range"):
            loop.app.claim_completion(loop.member, order_id, hours)
    loop.app.claim_completion(loop.member, order_id, "2")


def test_only_the_assigned_member_checks_in(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_in_progress(order_id)
    with refused(loop.app, Forbidden, "not_assigned_member"):
        loop.app.check_in(loop.other, order_id, *NEAR)


def test_only_the_resident_or_a_grid_worker_rates(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    stranger = loop.app.register_resident(
        PUBLIC, community_id=loop.world.community_id, name="路人", phone="13900000002"
    ).id
    with refused(loop.app, Forbidden, "not_your_order"):
        loop.app.rate(
            Actor(Role.RESIDENT, str(stranger), loop.world.community_id),
            order_id,
            stars=5,
            solved="yes",
        )
    with refused(loop.app, Forbidden, "forbidden_role"):
        loop.app.rate(loop.member, order_id, stars=5, solved="yes")
    loop.app.rate(loop.grid, order_id, stars=4, solved="yes")


def test_a_rating_twice_is_refused_with_the_current_state(loop: Loop) -> None:
    order_id = loop.post()
    loop.to_claimed(order_id)
    loop.app.rate(loop.resident, order_id, stars=4, solved="yes")
    with refused(loop.app, Conflict, "order_is_closed"):
        loop.app.rate(loop.resident, order_id, stars=1, solved="no")


def test_the_resident_cancels_before_acceptance_only(loop: Loop) -> None:
    order_id = loop.post()
    loop.app.cancel_need(loop.resident, order_id, "已自行解决")
    assert status(loop.app, order_id) is OrderStatus.CANCELLED
    second = loop.post()
    loop.to_in_progress(second)
    with refused(loop.app, Conflict, "order_is_in_progress"):
        loop.app.cancel_need(loop.resident, second)


def test_a_claim_after_cancellation_is_refused(loop: Loop) -> None:
    order_id = loop.post()
    loop.app.request_take(loop.member, order_id)
    loop.app.dispatch(loop.world.staff, order_id, loop.members[0])
    loop.app.cancel_need(loop.resident, order_id, "不需要了")
    with refused(loop.app, Conflict, "order_is_cancelled"):
        loop.app.accept(loop.member, order_id)


def test_the_community_rejects_an_improper_need_with_a_reason(loop: Loop) -> None:
    order_id = loop.post()
    with refused(loop.app, InvalidInput, "reason_required"):
        loop.app.reject_need(loop.world.staff, order_id, " ")
    with refused(loop.app, Forbidden, "not_your_community"):
        loop.app.reject_need(loop.world.other_staff, order_id, "不属于本社区")
    loop.app.reject_need(loop.world.staff, order_id, "属于物业维修范围，已转物业")
    assert status(loop.app, order_id) is OrderStatus.REJECTED


def test_a_grid_worker_posts_a_wish_card_for_a_resident(loop: Loop) -> None:
    order_id = loop.app.post_need(
        loop.grid,
        NeedInput(
            content="想要一台收音机",
            category="elderly_disabled",
            source="wish_card",
            requester_name="李爷爷（独居）",
        ),
    ).id
    posted = loop.app.events.get(order_id)
    first = next(iter(posted))
    assert isinstance(first, Order.Posted)
    assert first.source.code == "wish_card" and first.requester_name == "李爷爷（独居）"
    with refused(loop.app, InvalidInput, "requester_required"):
        loop.app.post_need(loop.grid, NeedInput(content="x", category="it"))


def test_declined_dispatch_goes_back_to_posted(loop: Loop) -> None:
    order_id = loop.post()
    loop.app.dispatch(loop.world.staff, order_id, loop.members[1])
    with refused(loop.app, Forbidden, "not_assigned_member"):
        loop.app.accept(loop.member, order_id)
    loop.app.decline(loop.other, order_id, "本周出差")
    assert status(loop.app, order_id) is OrderStatus.POSTED


def test_every_transition_in_the_table_is_reachable_only_from_its_states() -> None:
    steps = {step for _, step in TRANSITIONS}
    for state in OrderStatus:
        for step in steps:
            allowed = (state, step) in TRANSITIONS
            order = object.__new__(Order)
            order.status = state
            if allowed:
                assert order._step(step) is TRANSITIONS[(state, step)]
            else:
                with pytest.raises(Conflict) as caught:
                    order._step(step)
                assert caught.value.code == f"order_is_{state.code}"
