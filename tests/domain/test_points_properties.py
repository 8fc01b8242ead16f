"""Properties of the points account: for any interleaving of earning, redeeming,
confirming, cancelling, expiring and reversing, the balance is what the stored events
add up to and never goes below zero, a source earns once, and replaying the stored
events gives the state the decisions made."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import DomainError
from domain.points import PointsAccount, RedemptionStatus, account_id
from tests.builders.points import Points
from tests.builders.stores import sqlite_env
from tests.builders.world import World

PRICES = (20, 60)


class Recording(Sishuang):
    """The application, keeping the last in-memory PointsAccount each save wrote."""

    def __init__(self, env: dict[str, str], *, clock: ManualClock) -> None:
        self.decided: dict[UUID, PointsAccount] = {}
        super().__init__(env, clock=clock)

    def _save(self, *aggregates: Any) -> int | None:
        position = super()._save(*aggregates)
        for aggregate in aggregates:
            if isinstance(aggregate, PointsAccount):
                self.decided[aggregate.id] = aggregate
        return position


@dataclass
class Model:
    """What the test expects, worked out from the commands alone."""

    orders: list[tuple[UUID, int]] = field(default_factory=list)  # (order, points earned)
    reversed: set[UUID] = field(default_factory=set)
    redemptions: list[tuple[UUID, str, int]] = field(default_factory=list)  # (id, code, points)
    earned: int = 0


earn = st.tuples(st.just("earn"), st.sampled_from(["0.5", "1", "2.5"]), st.sampled_from([3, 5]))
redeem = st.tuples(st.just("redeem"), st.sampled_from(range(len(PRICES))), st.integers(1, 2))
confirm = st.tuples(st.just("confirm"), st.integers(0, 7))
reverse = st.tuples(st.just("reverse"), st.integers(0, 7))
step = st.one_of(
    earn,
    earn,
    redeem,
    redeem,
    confirm,
    confirm,
    st.tuples(st.just("cancel"), st.integers(0, 7)),
    st.tuples(st.just("expire"), st.integers(1, 9)),  # days to let pass first
    reverse,
    reverse,
)
# Some points first, so that the rest has something to redeem, hold and reverse.
steps = st.tuples(earn, st.lists(step, min_size=2, max_size=10)).map(lambda t: [t[0], *t[1]])


def run(p: Points, items: list[UUID], model: Model, step: tuple[Any, ...]) -> None:
    app, kind = p.app, step[0]
    if kind == "earn":
        _, hours, stars = step
        order_id = p.close(hours=hours, stars=stars)
        points = int(Decimal(hours) * 50) + (10 if stars == 5 else 0)
        model.orders.append((order_id, points))
        model.earned += points
    elif kind == "redeem":
        _, item, quantity = step
        result = app.redeem(p.actor(), p.members[0], items[item], quantity=quantity)
        model.redemptions.append((result.id, result.details["code"], result.details["points"]))
    elif kind in ("confirm", "cancel"):
        if not model.redemptions:
            return
        redemption_id, code, _ = model.redemptions[step[1] % len(model.redemptions)]
        if kind == "confirm":
            app.confirm_redemption(p.partner, p.partner_id, code)
        else:
            app.cancel_redemption(p.actor(), redemption_id, "不要了")
    elif kind == "expire":
        p.clock.advance(timedelta(days=step[1]))
        app.expire_redemptions([r for r, _, _ in model.redemptions])
    elif kind == "reverse":
        if not model.orders:
            return
        order_id, _ = model.orders[step[1] % len(model.orders)]
        app.find_order_false(p.world.staff, order_id, "核定虚假")
        model.reversed.add(order_id)


def check_account(app: Recording, member_id: UUID, model: Model) -> None:
    aid = account_id(member_id)
    events = list(app.events.get(aid))
    if not events:
        assert not model.orders
        return
    # (a) the balance is what the events add up to, and never went below zero.
    balance = owed = 0
    held: dict[UUID, int] = {}
    for e in events:
        if isinstance(e, PointsAccount.Earned):
            assert 0 <= e.withheld <= min(e.service_points, owed)
            balance += e.service_points - e.withheld
            owed -= e.withheld
        elif isinstance(e, PointsAccount.RedemptionHeld):
            assert e.points > 0 and e.redemption_id not in held
            balance -= e.points
            held[e.redemption_id] = e.points
        elif isinstance(e, PointsAccount.RedemptionReturned):
            assert held.pop(e.redemption_id) == e.points  # only what was held comes back
            assert 0 <= e.withheld <= min(e.points, owed)
            balance += e.points - e.withheld
            owed -= e.withheld
        elif isinstance(e, PointsAccount.Reversed):
            assert e.service_points >= 0 and e.unrecovered >= 0
            balance -= e.service_points
            owed += e.unrecovered
        assert balance >= 0 and owed >= 0, e
    stored: PointsAccount = app.repository.get(aid)
    assert stored.balance == balance and stored.owed == owed
    # (b) every source earns once.
    sources = [e.source for e in events if isinstance(e, PointsAccount.Earned)]
    assert len(sources) == len(set(sources))
    assert sorted(sources) == sorted(f"order:{o}" for o, _ in model.orders)
    # (c) replaying the stored events gives the state the last decision made.
    decided = app.decided[aid]
    assert not decided.pending_events
    assert state_of(stored) == state_of(decided)
    # And the figures follow from the commands: earned less reversed, held less returned.
    assert stored.assessment == model.earned - sum(
        points for o, points in model.orders if o in model.reversed
    )
    status = {r: app.redemption(r).status for r, _, _ in model.redemptions}
    open_ = sum(p for r, _, p in model.redemptions if status[r] is RedemptionStatus.REQUESTED)
    spent = sum(p for r, _, p in model.redemptions if status[r] is RedemptionStatus.CONFIRMED)
    # The account keeps what it holds until the points come back: the open redemptions
    # and the confirmed ones (a confirmation is the redemption's event, not the account's).
    assert stored.held == {
        r: p
        for r, _, p in model.redemptions
        if status[r] in (RedemptionStatus.REQUESTED, RedemptionStatus.CONFIRMED)
    }
    # Every point earned is in the balance, held, spent, or owed back.
    assert stored.balance + open_ + spent == stored.assessment + stored.owed


def state_of(account: PointsAccount) -> dict[str, Any]:
    return {k: v for k, v in vars(account).items() if k != "_pending_events"}


@given(steps)
# Spent, then reversed (owed), then earned again (withheld).
@example([("earn", "1", 3), ("redeem", 0, 2), ("confirm", 0), ("reverse", 0), ("earn", "2.5", 5)])
# Held, then reversed, then the held points come back while the debt stays.
@example([("earn", "2.5", 5), ("redeem", 1, 2), ("reverse", 0), ("cancel", 0), ("earn", "0.5", 3)])
# Expired, redeemed again past the deadline of the first, confirmed late, reversed twice.
@example(
    [
        ("earn", "2.5", 5),
        ("redeem", 0, 1),
        ("expire", 8),
        ("redeem", 1, 2),
        ("confirm", 0),
        ("confirm", 1),
        ("earn", "0.5", 3),
        ("reverse", 1),
        ("reverse", 0),
        ("reverse", 0),
        ("expire", 7),
    ]
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_interleaving_keeps_the_account_consistent(sequence: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock()
        app = Recording(sqlite_env(Path(tmp) / "events.sqlite3"), clock=clock)
        try:
            p = Points(World(app), clock)
            items = [p.list_item(price=price, stock=3, name=f"商品{price}") for price in PRICES]
            model = Model()
            for step in sequence:
                before = app.recorder.max_notification_id()
                try:
                    run(p, items, model, step)
                except DomainError:
                    # A refused command records nothing.
                    assert app.recorder.max_notification_id() == before
                check_account(app, p.members[0], model)
                for item_id in items:
                    stock = app.item(item_id).stock
                    assert stock is not None and 0 <= stock <= 3
        finally:
            app.close()
