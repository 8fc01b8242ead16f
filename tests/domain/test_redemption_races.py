"""Redemptions racing on PostgreSQL, with real threads: a balance and a stock are never
spent twice; the losers are told why; the account is always what its events add up to."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import Conflict
from domain.points import CatalogueItem, PointsAccount, RedemptionStatus, account_id
from tests.builders.points import Points, assert_consistent, of_type
from tests.builders.races import race
from tests.builders.stores import pg_env_for
from tests.builders.world import World

pytestmark = pytest.mark.postgres
ROUNDS = 3


@pytest.fixture
def points(pg_database: str, pg_schema: str) -> Iterator[Points]:
    clock = ManualClock()
    env = pg_env_for(pg_database, pg_schema) | {"POSTGRES_POOL_SIZE": "12"}
    app = Sishuang(env, clock=clock)
    yield Points(World(app), clock)
    app.close()


def outcomes_of(outcomes: list[Any]) -> tuple[list[Any], list[Conflict]]:
    """The successes and the conflicts; anything else fails the test."""
    others = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)]
    assert not others, others
    return (
        [o for o in outcomes if not isinstance(o, Exception)],
        [o for o in outcomes if isinstance(o, Conflict)],
    )


def more_members(points: Points, n: int) -> None:
    for i in range(n):
        member_id = points.world.register(name=f"党员{i}", phone=f"1370000000{i}")
        points.app.review_member(points.world.staff, member_id, approve=True)
        points.members.append(member_id)


def test_parallel_redemptions_spend_a_balance_at_most_once(points: Points) -> None:
    n, price = 7, 60
    item = points.list_item(price=price, stock=None, kind="property_fee", name="物业费抵扣")
    points.close(hours="3.5", stars=4)  # 175
    for _ in range(ROUNDS):
        balance = points.balance()
        expected = balance // price
        assert 0 < expected < n
        outcomes = race(*[partial(points.redeem, 0, item) for _ in range(n)])
        won, lost = outcomes_of(outcomes)
        assert len(won) == expected, outcomes
        # Every loser decided against what was left, so none ran out of retries.
        assert {c.code for c in lost} == {"insufficient_points"}, lost
        account = assert_consistent(points.app, points.members[0])
        assert account.balance == balance - expected * price
        assert set(account.held) >= set(won)
        for redemption_id in won:
            assert points.app.redemption(redemption_id).status is RedemptionStatus.REQUESTED
        # Give the points back (and earn a little) for the next round.
        for redemption_id in won:
            points.app.cancel_redemption(points.actor(), redemption_id, "退回")
        points.close(hours="0.5", stars=4)  # +25
    held = of_type(
        list(points.app.events.get(account_id(points.members[0]))), PointsAccount.RedemptionHeld
    )
    assert len(held) == sum(b // price for b in (175, 200, 225))


def test_parallel_redemptions_never_take_stock_below_zero(points: Points) -> None:
    more_members(points, 6)
    stock = 3
    item = points.list_item(price=20, stock=stock, name="限量月饼")
    for member in range(len(points.members)):
        points.close(hours="1", stars=4, member=member)  # 50 each
    outcomes = race(*[partial(points.redeem, m, item) for m in range(len(points.members))])
    won, lost = outcomes_of(outcomes)
    assert len(won) == stock, outcomes
    assert {c.code for c in lost} == {"out_of_stock"}, lost
    assert points.app.item(item).stock == 0
    taken = of_type(list(points.app.events.get(item)), CatalogueItem.StockTaken)
    assert sorted(e.redemption_id for e in taken) == sorted(won)
    winners = {points.app.redemption(r).member_id for r in won}
    for member, member_id in enumerate(points.members):
        account = assert_consistent(points.app, member_id)
        assert account.balance == (30 if member_id in winners else 50), member


def test_parallel_redemptions_of_several_pieces_share_the_stock(points: Points) -> None:
    more_members(points, 3)
    item = points.list_item(price=10, stock=5, name="洗衣液")
    for member in range(len(points.members)):
        points.close(hours="1", stars=4, member=member)
    outcomes = race(
        *[partial(points.redeem, m, item, 2) for m in range(len(points.members))]
    )  # 5 members × 2 pieces, 5 in stock
    won, lost = outcomes_of(outcomes)
    assert len(won) == 2 and {c.code for c in lost} == {"out_of_stock"}
    assert points.app.item(item).stock == 1


def test_confirming_while_the_member_cancels_one_wins(points: Points) -> None:
    points.close(hours="6", stars=4)  # 300: enough for every round
    for _ in range(ROUNDS):
        result = points.app.redeem(points.actor(), points.members[0], points.item_id)
        outcomes = race(
            partial(
                points.app.confirm_redemption,
                points.partner,
                points.partner_id,
                result.details["code"],
            ),
            partial(points.app.cancel_redemption, points.actor(), result.id, "不要了"),
        )
        won, lost = outcomes_of(outcomes)
        assert len(won) == 1 and len(lost) == 1, outcomes
        status = points.app.redemption(result.id).status
        assert lost[0].code == f"redemption_{status.code}"
        returned = of_type(
            list(points.app.events.get(account_id(points.members[0]))),
            PointsAccount.RedemptionReturned,
        )
        assert (result.id in {r.redemption_id for r in returned}) is (
            status is RedemptionStatus.CANCELLED
        )
        assert_consistent(points.app, points.members[0])


def test_a_cancel_sent_twice_at_once_returns_the_points_once(points: Points) -> None:
    points.close(hours="2", stars=4)  # 100
    redemption_id = points.redeem()
    staff = points.world.staff
    outcomes = race(
        partial(points.app.cancel_redemption, points.actor(), redemption_id, "不要了"),
        partial(points.app.cancel_redemption, staff, redemption_id, "商家缺货"),
        lambda: points.app.expire_redemptions([redemption_id]),
    )
    _, lost = outcomes_of(outcomes)
    assert [c.code for c in lost] == ["redemption_cancelled"], outcomes
    returned = of_type(
        list(points.app.events.get(account_id(points.members[0]))),
        PointsAccount.RedemptionReturned,
    )
    assert [r.redemption_id for r in returned] == [redemption_id]
    assert assert_consistent(points.app, points.members[0]).balance == 100
    assert points.app.item(points.item_id).stock == 10
