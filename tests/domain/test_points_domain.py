"""积分: earning on close and on a confirmed activity list, the catalogue, redemptions
(held, confirmed with the code, cancelled, expired) and reversals of false orders,
against the application service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.calendar import business_date
from domain.clock import ManualClock
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.order import Order, OrderStatus
from domain.points import (
    CatalogueItem,
    Credit,
    PointsAccount,
    Redemption,
    RedemptionStatus,
    SourceKind,
    source_key,
    volunteer_level,
)
from domain.policies import COMMUNITY_POLICY, DEFAULT_POLICY
from tests.builders.orders import NEAR, PHOTO_AFTER, PHOTO_BEFORE
from tests.builders.points import (
    PRICE,
    Points,
    account_events,
    assert_consistent,
    of_type,
)
from tests.builders.stores import sqlite_env
from tests.builders.world import World, refused


@pytest.fixture
def points(world: World, clock: ManualClock) -> Points:
    return Points(world, clock)


# -- earning -----------------------------------------------------------------------------


def test_a_closed_order_earns_hours_times_the_rate(points: Points) -> None:
    assert points.app.points_account(points.members[0]) is None  # opened on first credit
    order_id = points.close(hours="1.5", stars=4)
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 75 and account.assessment == 75  # 1.5 h × 50
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert len(earned) == 1
    e = earned[0]
    assert e.source == source_key(SourceKind.ORDER, order_id) == f"order:{order_id}"
    assert (e.hours, e.services, e.rate, e.bonus_points) == (Decimal("1.5"), 1, 50, 0)
    assert (e.stars, e.satisfied, e.urgent, e.withheld) == (4, True, True, 0)
    closed = of_type(list(points.app.events.get(order_id)), Order.Closed)
    assert e.business_date == business_date(closed[-1].timestamp)


def test_five_stars_add_the_bonus(points: Points) -> None:
    points.close(hours="2", stars=5)
    assert points.balance() == 2 * 50 + 10
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert earned[0].bonus_points == 10


def test_points_follow_the_accumulated_hours_so_a_split_earns_the_same(points: Points) -> None:
    # pro_rata (the default): ⌊accumulated hours × 50⌋, so two quarter hours earn what
    # one half hour earns (25), not 13 + 13.
    points.close(hours="0.25", stars=4)
    assert points.balance() == 12  # ⌊12.5⌋
    points.close(hours="0.25", stars=4)
    assert points.balance() == 25  # ⌊0.5 × 50⌋, the rest of the first half point
    points.close(hours="0.5", stars=4, member=1)
    assert points.balance(1) == 25
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert [(e.points_rule, e.hours_before, e.service_points) for e in earned] == [
        ("pro_rata", Decimal(0), 12),
        ("pro_rata", Decimal("0.25"), 13),
    ]


def test_per_full_hour_only_whole_accumulated_hours_earn(points: Points) -> None:
    """锦绣社区's wording, "累计满1小时积50分": half an hour earns nothing yet, the
    second half completes the hour."""
    points.app.set_points_rules(
        points.world.staff, points.world.community_id, {"points_rule": "full_hour"}, "累计满1小时"
    )
    points.close(hours="0.5", stars=4)
    assert points.balance() == 0
    points.close(hours="0.75", stars=4)
    assert points.balance() == 50  # 1.25 h accumulated: one full hour
    points.close(hours="2.75", stars=4)
    assert points.balance() == 200  # 4.00 h
    assert assert_consistent(points.app, points.members[0]).balance == 200


def test_a_reversal_leaves_the_worth_of_the_hours_that_remain(points: Points) -> None:
    points.app.set_points_rules(
        points.world.staff, points.world.community_id, {"points_rule": "full_hour"}, "累计满1小时"
    )
    first = points.close(hours="0.5", stars=4)  # 0 points
    points.close(hours="0.5", stars=4)  # 50: the hour is full
    points.app.find_order_false(points.world.staff, first, "照片与现场不符")
    # 0.5 h remain, worth nothing: the reversal of the order that earned 0 takes 50.
    account = assert_consistent(points.app, points.members[0])
    assert (account.balance, account.assessment, account.live_hours()) == (0, 0, Decimal("0.50"))


def test_hours_finer_than_the_step_are_refused(points: Points) -> None:
    order_id = points.post()
    actor = points.actor()
    points.app.request_take(actor, order_id)
    points.app.dispatch(points.world.staff, order_id, points.members[0])
    points.app.accept(actor, order_id)
    points.app.check_in(actor, order_id, *NEAR)
    points.app.attach_photo(actor, order_id, PHOTO_BEFORE, "before")
    points.app.attach_photo(actor, order_id, PHOTO_AFTER, "after")
    points.clock.advance(timedelta(hours=3))
    before = points.app.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as e:
        points.app.claim_completion(actor, order_id, "1.3333")
    assert e.value.code == "hours_off_step" and "0.25 小时为单位" in e.value.message_zh
    assert points.app.recorder.max_notification_id() == before
    with refused(points.app, InvalidInput, "hours_off_step"):
        points.app.claim_completion(actor, order_id, "0.1")
    points.app.claim_completion(actor, order_id, "1.75")
    assert points.app.order(order_id).claimed_hours == Decimal("1.75")


def test_an_order_closed_unrated_earns_without_a_rating(points: Points) -> None:
    order_id = points.claimed(hours="1")
    points.clock.advance(timedelta(hours=24))
    assert points.app.sweep([order_id])["closed_unrated"] == 1
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 50
    figures = account.year_figures(2026)
    assert (figures.services, figures.ratings, figures.average_stars) == (1, 0, None)


def test_a_low_rated_order_closed_without_hours_earns_nothing_but_counts_the_rating(
    points: Points,
) -> None:
    order_id = points.claimed(hours="1")
    points.app.rate(points.resident, order_id, stars=1, solved="no")
    points.app.decide_low_rating(points.world.staff, order_id, decision="close", reason="超范围")
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 0
    figures = account.year_figures(2026)
    assert (figures.services, figures.hours, figures.ratings, figures.orders_solved) == (
        0,
        Decimal(0),
        1,
        0,
    )


def test_the_community_sets_its_own_rate_and_bonus(points: Points) -> None:
    staff = points.world.staff
    points.app.set_points_rules(
        staff,
        points.world.community_id,
        {"points_per_hour": "60", "five_star_bonus_points": 20},
        reason="锦绣社区积分办法",
    )
    community = points.app.community(points.world.community_id)
    assert community.policy_overrides == {"points_per_hour": 60, "five_star_bonus_points": 20}
    points.close(hours="2", stars=5)
    assert points.balance() == 2 * 60 + 20
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert earned[0].rate == 60
    # Setting the same values again records nothing.
    before = points.app.recorder.max_notification_id()
    points.app.set_points_rules(staff, points.world.community_id, {"points_per_hour": 60})
    assert points.app.recorder.max_notification_id() == before
    # The other community keeps the county's rate.
    other = points.app.points_policy(points.world.other_community_id)
    assert other.points_per_hour == 50


@pytest.mark.parametrize(
    "overrides",
    [{"take_window_days": 5}, {"points_per_hour": 60, "member_annual_min_hours": 6}],
)
def test_a_community_sets_only_its_points_rules(
    points: Points, overrides: dict[str, object]
) -> None:
    assert "take_window_days" not in COMMUNITY_POLICY
    with refused(points.app, InvalidInput, "not_a_community_policy"):
        points.app.set_points_rules(points.world.staff, points.world.community_id, overrides)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"points_per_hour": 0}, "invalid_policy_value"),
        ({"points_per_hour": -5}, "invalid_policy_value"),
        ({"points_per_hour": "1.5"}, "invalid_policy_value"),
        ({"redemption_confirm_days": 0}, "invalid_policy_value"),
        ({}, "nothing_to_change"),
    ],
)
def test_bad_points_rules_are_refused(
    points: Points, overrides: dict[str, object], code: str
) -> None:
    with refused(points.app, InvalidInput, code):
        points.app.set_points_rules(points.world.staff, points.world.community_id, overrides)


def test_only_the_communitys_staff_set_its_rules(points: Points) -> None:
    with refused(points.app, Forbidden, "not_your_community"):
        points.app.set_points_rules(
            points.world.other_staff, points.world.community_id, {"points_per_hour": 60}
        )
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.set_points_rules(
            points.actor(), points.world.community_id, {"points_per_hour": 1}
        )


def test_a_confirmed_activity_credits_each_attendee(points: Points) -> None:
    activity_id, starts = points.plan(hours=3)
    points.clock.set(starts)
    points.app.sign_in(points.actor(0), activity_id, *NEAR)
    points.clock.set(starts + timedelta(hours=1))
    points.app.sign_in(points.actor(1), activity_id, *NEAR)
    points.clock.set(starts + timedelta(hours=3))
    assert points.app.points_account(points.members[0]) is None  # nothing before the list
    points.app.confirm_activity(points.world.staff, activity_id)
    first, second = points.account(0), points.account(1)
    assert first.balance == 150 and second.balance == 100  # 3 h and 2 h × 50
    for member, hours in ((0, Decimal(3)), (1, Decimal(2))):
        earned = of_type(account_events(points.app, points.members[member]), PointsAccount.Earned)
        assert len(earned) == 1
        e = earned[0]
        assert e.source == f"activity:{activity_id}" and e.source_kind is SourceKind.ACTIVITY
        assert e.hours == hours and e.activity_kind == "red_service_day"
        assert e.business_date == business_date(starts)
    assert first.year_figures(2026).activities == 1
    assert first.year_figures(2026).orders_solved == 0


def test_a_source_never_earns_twice(points: Points) -> None:
    order_id = points.close(hours="1", stars=4)
    account = points.account()
    policy = points.app.points_policy(points.world.community_id)
    with pytest.raises(Conflict) as caught:
        account.earn(
            kind=SourceKind.ORDER,
            source_id=order_id,
            community_id=points.world.community_id,
            business_date=business_date(points.clock.now()),
            hours=Decimal(1),
            policy=policy,
            now=points.clock.now(),
        )
    assert caught.value.code == "already_credited"
    assert not account.pending_events
    # The same id as another kind of source is another source.
    account.earn(
        kind=SourceKind.AWARD,
        source_id=order_id,
        community_id=points.world.community_id,
        business_date=business_date(points.clock.now()),
        hours=Decimal(0),
        policy=policy,
        bonus_points=5,
        now=points.clock.now(),
    )
    assert account.balance == 55
    # Through the application: a closed order cannot close again, an activity list
    # cannot be confirmed twice, so neither credits again.
    with refused(points.app, Conflict, "order_is_closed"):
        points.app.rate(points.resident, order_id, stars=5, solved="yes")
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert [e.source for e in earned] == [f"order:{order_id}"]


def test_negative_hours_or_bonus_are_refused_by_the_account(points: Points) -> None:
    points.close(hours="1")
    account = points.account()
    policy = points.app.points_policy(points.world.community_id)
    for hours, bonus in ((Decimal(-1), 0), (Decimal(0), -3)):
        with pytest.raises(InvalidInput) as caught:
            account.earn(
                kind=SourceKind.AWARD,
                source_id=uuid4(),
                community_id=points.world.community_id,
                business_date=business_date(points.clock.now()),
                hours=hours,
                policy=policy,
                bonus_points=bonus,
                now=points.clock.now(),
            )
        assert caught.value.code == "invalid_points"
    assert not account.pending_events


def test_twelve_hours_make_a_one_star_volunteer(points: Points) -> None:
    points.close(hours="11.5", stars=4)
    assert points.account().volunteer_stars == 0
    points.close(hours="0.5", stars=4)
    account = points.account()
    assert account.volunteer_stars == 1
    changed = of_type(
        account_events(points.app, points.members[0]), PointsAccount.VolunteerStarsChanged
    )
    assert [(e.previous, e.level, e.hours_total) for e in changed] == [(0, 1, Decimal("12.0"))]


def credit(hours: str, stars: int | None) -> Credit:
    return Credit(
        key=f"order:{uuid4()}",
        kind=SourceKind.ORDER,
        source_id=uuid4(),
        business_date=date(2026, 1, 5),
        hours=Decimal(hours),
        services=1,
        service_points=0,
        assessment_points=0,
        stars=stars,
        solved=None,
        satisfied=None,
        urgent=False,
        activity_kind=None,
    )


@pytest.mark.parametrize(
    ("credits", "level"),
    [
        ([], 0),
        ([("11.99", 5)], 0),
        ([("12", 5)], 1),
        ([("30", None)], 2),
        ([("60", None)], 3),  # never rated: hours alone
        ([("100", 4)], 4),
        ([("150", 5)], 5),
        ([("149", 5), ("1", 3)], 5),  # average 4.0: enough
        ([("150", 4), ("0.5", 3)], 2),  # average 3.5: held at two stars
        ([("59", 1)], 2),  # below three stars the average does not matter
    ],
)
def test_volunteer_level(credits: list[tuple[str, int | None]], level: int) -> None:
    assert volunteer_level([credit(h, s) for h, s in credits], DEFAULT_POLICY)[0] == level


# -- the catalogue -----------------------------------------------------------------------


@pytest.mark.parametrize("price", [0, -10, True, 1.5])
def test_a_price_must_be_a_positive_whole_number(points: Points, price: Any) -> None:
    with refused(points.app, InvalidInput, "invalid_price"):
        points.list_item(price=price)
    with refused(points.app, InvalidInput, "invalid_price"):
        points.app.change_item(points.world.staff, points.item_id, price=price)


def test_only_the_communitys_staff_change_its_items(points: Points) -> None:
    with refused(points.app, Forbidden, "not_your_community"):
        points.app.change_item(points.world.other_staff, points.item_id, price=5)
    with refused(points.app, InvalidInput, "nothing_to_change"):
        points.app.change_item(points.world.staff, points.item_id)
    with refused(points.app, NotFound, "unknown_item"):
        points.app.change_item(points.world.staff, uuid4(), price=5)
    points.app.change_item(points.world.staff, points.item_id, price=80, restock=5)
    item = points.app.item(points.item_id)
    assert (item.price, item.stock) == (80, 15)


def test_stock_must_be_a_whole_number(points: Points) -> None:
    with refused(points.app, InvalidInput, "invalid_stock"):
        points.list_item(stock=-1)
    with refused(points.app, InvalidInput, "invalid_stock"):
        points.app.change_item(points.world.staff, points.item_id, restock=0)
    fee = points.list_item(kind="property_fee", name="物业费抵扣 10 元", stock=None)
    with refused(points.app, Conflict, "no_stock_kept"):
        points.app.change_item(points.world.staff, fee, restock=5)


def test_items_are_listed_only_with_a_partner_of_the_community(points: Points) -> None:
    other_partner = points.app.register_partner(
        points.world.other_staff, points.world.other_community_id, name="金村食堂", kind="canteen"
    ).id
    with refused(points.app, Conflict, "partner_of_other_community"):
        points.list_item(partner_id=other_partner)
    with refused(points.app, NotFound, "unknown_partner"):
        points.list_item(partner_id=uuid4())
    with refused(points.app, Forbidden, "not_your_community"):
        points.app.list_item(
            points.world.other_staff,
            points.world.community_id,
            partner_id=points.partner_id,
            kind="shop",
            name="面粉",
            price=10,
        )
    with refused(points.app, Conflict, "duplicate_partner"):
        points.app.register_partner(
            points.world.staff, points.world.community_id, name="爱心超市", kind="shop"
        )


# -- redemptions -------------------------------------------------------------------------


def test_a_redemption_holds_points_takes_stock_and_issues_a_code(points: Points) -> None:
    points.close(hours="3", stars=4)  # 150
    before = points.app.recorder.max_notification_id() or 0
    result = points.app.redeem(points.actor(), points.members[0], points.item_id, quantity=1)
    # One write: the request, the hold, the stock and the code's claim.
    assert result.position == points.app.recorder.max_notification_id() == before + 4
    code = result.details["code"]
    assert len(code) == 8 and code.isdigit()
    assert result.details["points"] == PRICE and result.details["balance"] == 50
    redemption = points.app.redemption(result.id)
    assert redemption.status is RedemptionStatus.REQUESTED
    assert redemption.code == code and redemption.points == PRICE
    assert redemption.expires_at == points.clock.now() + timedelta(days=7)
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 50 and account.held == {result.id: PRICE}
    assert account.assessment == 150  # assessment points are never spent
    assert points.app.item(points.item_id).stock == 9
    held = of_type(account_events(points.app, points.members[0]), PointsAccount.RedemptionHeld)
    assert [(e.redemption_id, e.item_id, e.points) for e in held] == [
        (result.id, points.item_id, PRICE)
    ]
    taken = of_type(list(points.app.events.get(points.item_id)), CatalogueItem.StockTaken)
    assert [(e.redemption_id, e.quantity) for e in taken] == [(result.id, 1)]


def test_a_quantity_multiplies_the_price(points: Points) -> None:
    points.close(hours="5", stars=4)  # 250
    redemption_id = points.redeem(quantity=2)
    assert points.app.redemption(redemption_id).points == 2 * PRICE
    assert points.balance() == 50
    assert points.app.item(points.item_id).stock == 8


@pytest.mark.parametrize("quantity", [0, -1, 21, True])
def test_a_quantity_out_of_range_is_refused(points: Points, quantity: Any) -> None:
    points.close(hours="3")
    with refused(points.app, InvalidInput, "invalid_quantity"):
        points.redeem(quantity=quantity)


def test_insufficient_points_are_refused_and_nothing_is_recorded(points: Points) -> None:
    points.close(hours="1.5", stars=4)  # 75
    with refused(points.app, Conflict, "insufficient_points"):
        points.redeem()
    with pytest.raises(Conflict) as caught:
        points.redeem(quantity=3)
    assert caught.value.details == {"needed": 3 * PRICE, "available": 75}
    assert points.balance() == 75
    assert points.app.item(points.item_id).stock == 10


def test_a_member_with_no_account_yet_has_no_points(points: Points) -> None:
    with refused(points.app, Conflict, "insufficient_points"):
        points.redeem()
    assert points.app.points_account(points.members[0]) is None


def test_out_of_stock_is_refused(points: Points) -> None:
    points.close(hours="5", stars=4)  # 250
    scarce = points.list_item(name="食用油一桶", price=50, stock=1)
    points.redeem(item_id=scarce)
    with refused(points.app, Conflict, "out_of_stock"):
        points.redeem(item_id=scarce)
    sold_out = points.list_item(name="已售罄", price=10, stock=0)
    with refused(points.app, Conflict, "out_of_stock"):
        points.redeem(item_id=sold_out)
    assert points.balance() == 200
    points.app.change_item(points.world.staff, scarce, restock=2)
    points.redeem(item_id=scarce, quantity=2)
    assert points.app.item(scarce).stock == 0 and points.balance() == 100


def test_an_item_without_stock_never_runs_out(points: Points) -> None:
    points.close(hours="6", stars=4)  # 300
    fee = points.list_item(kind="property_fee", name="物业费抵扣 10 元", price=10, stock=None)
    points.redeem(item_id=fee, quantity=20)
    points.redeem(item_id=fee, quantity=5)
    assert points.app.item(fee).stock is None and points.balance() == 50


def test_unknown_or_withdrawn_items_are_refused(points: Points) -> None:
    points.close(hours="3", stars=4)
    with refused(points.app, NotFound, "unknown_item"):
        points.redeem(item_id=uuid4())
    with refused(points.app, NotFound, "unknown_item"):
        points.redeem(item_id=points.members[1])  # an id of something else
    points.app.change_item(points.world.staff, points.item_id, withdraw_reason="停止合作")
    with refused(points.app, Conflict, "item_withdrawn"):
        points.redeem()
    with refused(points.app, Conflict, "item_withdrawn"):
        points.app.change_item(points.world.staff, points.item_id, price=10)


def test_nobody_redeems_another_members_points(points: Points) -> None:
    points.close(hours="3", stars=4)
    with refused(points.app, Forbidden, "not_your_profile"):
        points.app.redeem(points.actor(1), points.members[0], points.item_id)
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.redeem(points.world.staff, points.members[0], points.item_id)
    assert points.balance() == 150


def test_a_member_not_approved_cannot_redeem(points: Points) -> None:
    pending = points.world.register(name="王芳", phone="13800002000")
    with refused(points.app, Conflict, "not_approved"):
        points.app.redeem(points.world.member_actor(pending), pending, points.item_id)


def test_an_item_of_another_county_is_refused(points: Points) -> None:
    from domain.actors import OPERATOR

    app = points.app
    county = app.register_county(OPERATOR, name="阳城县", code="YC").id
    org = Actor(Role.ORG_DEPT, "阳城组织部", county)
    community = app.register_community(org, name="凤城社区", code="FC").id
    staff = Actor(Role.COMMUNITY_ADMIN, "凤城社区-周", community)
    partner = app.register_partner(staff, community, name="凤城超市", kind="shop").id
    item = app.list_item(staff, community, partner_id=partner, kind="shop", name="米", price=1).id
    points.close(hours="1")
    with refused(app, Forbidden, "item_of_other_county"):
        points.redeem(item_id=item)


def test_a_redemption_with_an_idempotency_key_is_made_once(points: Points) -> None:
    points.close(hours="5", stars=4)  # 250
    first = points.app.redeem(
        points.actor(), points.members[0], points.item_id, idempotency_key="k1"
    )
    again = points.app.redeem(
        points.actor(), points.members[0], points.item_id, idempotency_key="k1"
    )
    assert again.replayed and again.id == first.id and again.position is None
    assert again.details["code"] == first.details["code"]
    assert points.balance() == 150
    with refused(points.app, Conflict, "idempotency_key_reused"):
        points.app.redeem(
            points.actor(), points.members[0], points.item_id, quantity=2, idempotency_key="k1"
        )


# -- the partner confirms with the code ------------------------------------------------


def test_the_partner_confirms_with_the_code(points: Points) -> None:
    points.close(hours="3", stars=4)
    result = points.app.redeem(points.actor(), points.members[0], points.item_id)
    code = result.details["code"]
    points.app.confirm_redemption(points.partner, points.partner_id, f" {code} ")
    redemption = points.app.redemption(result.id)
    assert redemption.status is RedemptionStatus.CONFIRMED
    confirmed = of_type(list(points.app.events.get(result.id)), Redemption.Confirmed)
    assert [e.by for e in confirmed] == [points.partner.ref]
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 50  # the points stay spent
    with refused(points.app, Conflict, "redemption_confirmed"):
        points.app.confirm_redemption(points.partner, points.partner_id, code)
    with refused(points.app, Conflict, "redemption_confirmed"):
        points.app.cancel_redemption(points.actor(), result.id, "不要了")


def test_a_wrong_partner_or_a_wrong_code_is_refused(points: Points) -> None:
    points.close(hours="3", stars=4)
    result = points.app.redeem(points.actor(), points.members[0], points.item_id)
    code = result.details["code"]
    canteen_id = points.app.register_partner(
        points.world.staff, points.world.community_id, name="社区食堂", kind="canteen"
    ).id
    canteen = Actor(Role.PARTNER, "食堂-刘", canteen_id)
    # Another partner, with the code: no such code at that partner.
    with refused(points.app, NotFound, "unknown_code"):
        points.app.confirm_redemption(canteen, canteen_id, code)
    # Another partner naming this partner.
    with refused(points.app, Forbidden, "not_your_partner"):
        points.app.confirm_redemption(canteen, points.partner_id, code)
    # A wrong code, an empty one, one that is not digits.
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for bad in (wrong, "", "abcdefgh", code + "0"):
        with refused(points.app, NotFound, "unknown_code"):
            points.app.confirm_redemption(points.partner, points.partner_id, bad)
    # Staff and members do not confirm.
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.confirm_redemption(points.world.staff, points.partner_id, code)
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.confirm_redemption(points.actor(), points.partner_id, code)
    assert points.app.redemption(result.id).status is RedemptionStatus.REQUESTED


# -- cancel and expiry -------------------------------------------------------------------


def test_cancelling_returns_points_and_stock(points: Points) -> None:
    points.close(hours="3", stars=4)  # 150
    redemption_id = points.redeem()
    points.app.cancel_redemption(points.actor(), redemption_id, "买错了")
    assert points.app.redemption(redemption_id).status is RedemptionStatus.CANCELLED
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 150 and account.held == {}
    assert points.app.item(points.item_id).stock == 10
    returned = of_type(
        account_events(points.app, points.members[0]), PointsAccount.RedemptionReturned
    )
    assert [(e.redemption_id, e.points) for e in returned] == [(redemption_id, PRICE)]
    with refused(points.app, Conflict, "redemption_cancelled"):
        points.app.cancel_redemption(points.actor(), redemption_id)
    code = points.app.redemption(redemption_id).code
    with refused(points.app, Conflict, "redemption_cancelled"):
        points.app.confirm_redemption(points.partner, points.partner_id, code)
    # The staff of the community may cancel too; another member or community may not.
    second = points.redeem()
    with refused(points.app, Forbidden, "not_your_profile"):
        points.app.cancel_redemption(points.actor(1), second)
    with refused(points.app, Forbidden, "not_your_community"):
        points.app.cancel_redemption(points.world.other_staff, second)
    points.app.cancel_redemption(points.world.staff, second, "商家缺货")
    assert points.balance() == 150
    with refused(points.app, NotFound, "unknown_redemption"):
        points.app.cancel_redemption(points.actor(), uuid4())


def test_an_unconfirmed_redemption_expires_and_gives_everything_back(points: Points) -> None:
    points.close(hours="3", stars=4)  # 150
    result = points.app.redeem(points.actor(), points.members[0], points.item_id)
    code = result.details["code"]
    points.clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert points.app.expire_redemptions([result.id]) == 0
    points.clock.advance(timedelta(seconds=1))
    # Past the deadline, the code no longer works even before the sweep has run.
    with refused(points.app, Conflict, "redemption_expired"):
        points.app.confirm_redemption(points.partner, points.partner_id, code)
    assert points.app.expire_redemptions([result.id]) == 1
    assert points.app.expire_redemptions([result.id]) == 0  # once
    assert points.app.redemption(result.id).status is RedemptionStatus.EXPIRED
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 150 and account.held == {}
    assert points.app.item(points.item_id).stock == 10
    with refused(points.app, Conflict, "redemption_expired"):
        points.app.confirm_redemption(points.partner, points.partner_id, code)
    with refused(points.app, Conflict, "redemption_expired"):
        points.app.cancel_redemption(points.actor(), result.id)


def test_confirmed_or_cancelled_redemptions_do_not_expire(points: Points) -> None:
    points.close(hours="5", stars=4)  # 250
    confirmed = points.app.redeem(points.actor(), points.members[0], points.item_id)
    points.app.confirm_redemption(points.partner, points.partner_id, confirmed.details["code"])
    cancelled = points.redeem()
    points.app.cancel_redemption(points.actor(), cancelled)
    points.clock.advance(timedelta(days=30))
    assert points.app.expire_redemptions([confirmed.id, cancelled]) == 0
    assert points.balance() == 150


def test_the_community_sets_the_confirmation_days(points: Points) -> None:
    points.app.set_points_rules(
        points.world.staff, points.world.community_id, {"redemption_confirm_days": 2}
    )
    points.close(hours="3", stars=4)
    redemption_id = points.redeem()
    assert points.app.redemption(redemption_id).expires_at == points.clock.now() + timedelta(days=2)
    points.clock.advance(timedelta(days=2))
    assert points.app.expire_redemptions([redemption_id]) == 1


def test_a_code_already_issued_by_the_partner_is_not_issued_again(
    tmp_path: Path, clock: ManualClock
) -> None:
    codes = iter(["00000042", "00000042", "00000043"] + ["00000042"] * 5)
    app = Sishuang(sqlite_env(tmp_path / "codes.sqlite3"), clock=clock, codes=lambda: next(codes))
    try:
        points = Points(World(app), clock)
        points.close(hours="6", stars=4)  # 300
        first = points.app.redeem(points.actor(), points.members[0], points.item_id)
        second = points.app.redeem(points.actor(), points.members[0], points.item_id)
        assert (first.details["code"], second.details["code"]) == ("00000042", "00000043")
        with refused(app, Conflict, "code_exhausted"):
            points.redeem()
        assert points.balance() == 100
        # The code resolves to the right redemption.
        app.confirm_redemption(points.partner, points.partner_id, "00000043")
        assert app.redemption(second.id).status is RedemptionStatus.CONFIRMED
        assert app.redemption(first.id).status is RedemptionStatus.REQUESTED
    finally:
        app.close()


# -- reversal of false orders ------------------------------------------------------------


def test_a_false_order_loses_its_hours_and_points(points: Points) -> None:
    kept = points.close(hours="1", stars=4)  # 50
    false = points.close(hours="2", stars=5)  # 110
    assert points.balance() == 160
    points.app.find_order_false(points.world.staff, false, "照片系摆拍，未实际服务")
    order = points.app.order(false)
    assert order.found_false and order.status is OrderStatus.CLOSED
    found = of_type(list(points.app.events.get(false)), Order.FoundFalse)
    assert [(e.hours_reversed, e.found_by) for e in found] == [(Decimal(2), "community")]
    account = assert_consistent(points.app, points.members[0])
    assert account.balance == 50 and account.assessment == 50 and account.owed == 0
    figures = account.year_figures(2026)
    assert (figures.services, figures.hours, figures.ratings) == (1, Decimal(1), 1)
    reversed_ = of_type(account_events(points.app, points.members[0]), PointsAccount.Reversed)
    assert [(e.source, e.hours, e.service_points, e.unrecovered) for e in reversed_] == [
        (f"order:{false}", Decimal(2), 110, 0)
    ]
    with refused(points.app, Conflict, "already_found_false"):
        points.app.find_order_false(points.world.staff, false, "再次核定")
    assert kept != false


def test_an_inspection_finds_an_order_false(points: Points) -> None:
    order_id = points.close(hours="1", stars=4)
    inspector = Actor(Role.INSPECTOR, "督查-陈", points.world.county_id)
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.find_order_false(points.world.staff, order_id, "虚假", found_by="inspection")
    with refused(points.app, Forbidden, "forbidden_role"):
        points.app.find_order_false(inspector, order_id, "虚假")  # community staff only
    with refused(points.app, InvalidInput, "invalid_found_by"):
        points.app.find_order_false(inspector, order_id, "虚假", found_by="resident")
    with refused(points.app, InvalidInput, "empty_text"):
        points.app.find_order_false(points.world.staff, order_id, "  ")
    points.app.find_order_false(inspector, order_id, "抽查核实为虚假", found_by="inspection")
    assert points.balance() == 0
    assert points.account().year_figures(2026).services == 0


def test_only_a_closed_order_is_found_false(points: Points) -> None:
    order_id = points.claimed(hours="1")
    with refused(points.app, Conflict, "order_not_closed"):
        points.app.find_order_false(points.world.staff, order_id, "虚假")
    with refused(points.app, Forbidden, "not_your_community"):
        points.app.find_order_false(points.world.other_staff, order_id, "虚假")


def test_a_reversal_after_spending_records_the_rest_as_owed(points: Points) -> None:
    false = points.close(hours="2", stars=4)  # 100
    result = points.app.redeem(points.actor(), points.members[0], points.item_id)
    points.app.confirm_redemption(points.partner, points.partner_id, result.details["code"])
    points.close(hours="0.5", stars=4)  # 25
    assert points.balance() == 25
    points.app.find_order_false(points.world.staff, false, "核定虚假")
    account = assert_consistent(points.app, points.members[0])
    assert (account.balance, account.owed) == (0, 75)
    reversed_ = of_type(account_events(points.app, points.members[0]), PointsAccount.Reversed)
    assert [(e.service_points, e.unrecovered) for e in reversed_] == [(25, 75)]
    # Later earnings settle what is owed first.
    points.close(hours="1", stars=4)  # 50: all withheld
    account = assert_consistent(points.app, points.members[0])
    assert (account.balance, account.owed) == (0, 25)
    points.close(hours="1", stars=5)  # 60: 25 withheld, 35 kept
    account = assert_consistent(points.app, points.members[0])
    assert (account.balance, account.owed) == (35, 0)
    earned = of_type(account_events(points.app, points.members[0]), PointsAccount.Earned)
    assert [(e.service_points, e.withheld) for e in earned] == [
        (100, 0),
        (25, 0),
        (50, 50),
        (60, 25),
    ]
    # The assessment points are counted in full (they are never spent).
    assert account.assessment == 25 + 50 + 60
    with refused(points.app, Conflict, "insufficient_points"):
        points.redeem()


def test_reversing_an_earning_that_settled_a_debt_restores_the_debt(points: Points) -> None:
    first = points.close(hours="2", stars=4)  # 100
    points.redeem()
    points.app.find_order_false(points.world.staff, first, "核定虚假")
    assert (points.account().balance, points.account().owed) == (0, 100)
    second = points.close(hours="3", stars=4)  # 150: 100 withheld
    assert (points.account().balance, points.account().owed) == (50, 0)
    points.app.find_order_false(points.world.staff, second, "同样虚假")
    account = assert_consistent(points.app, points.members[0])
    # Back where it stood before the second order: nothing to spend, 100 owed.
    assert (account.balance, account.owed) == (0, 100)


def test_reversal_brings_the_volunteer_stars_down(points: Points) -> None:
    order_id = points.close(hours="12", stars=4)
    assert points.account().volunteer_stars == 1
    points.app.find_order_false(points.world.staff, order_id, "时长不实")
    account = points.account()
    assert account.volunteer_stars == 0
    changed = of_type(
        account_events(points.app, points.members[0]), PointsAccount.VolunteerStarsChanged
    )
    assert [(e.previous, e.level) for e in changed] == [(0, 1), (1, 0)]


def test_reversal_of_an_order_that_credited_nobody_records_only_the_finding(
    points: Points,
) -> None:
    order_id = points.claimed(hours="1")
    points.app.rate(points.resident, order_id, stars=2, solved="no")
    points.app.decide_low_rating(points.world.staff, order_id, decision="close", reason="不满意")
    before = points.app.recorder.max_notification_id() or 0
    points.app.find_order_false(points.world.staff, order_id, "核定虚假")
    # The order's finding and the (zero-point) credit's reversal.
    assert points.app.recorder.max_notification_id() == before + 2
    assert_consistent(points.app, points.members[0])


def test_points_returned_after_a_reversal_settle_the_debt_first(points: Points) -> None:
    false = points.close(hours="2", stars=4)  # 100
    redemption_id = points.redeem()  # all of it held
    points.app.find_order_false(points.world.staff, false, "核定虚假")
    assert (points.account().balance, points.account().owed) == (0, 100)
    points.app.cancel_redemption(points.actor(), redemption_id, "不要了")
    account = assert_consistent(points.app, points.members[0])
    assert (account.balance, account.owed) == (0, 0)
