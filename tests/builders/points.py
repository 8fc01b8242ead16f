"""积分 against the application service (Points): a partner with a catalogue item, and an
account that adds up to its events."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.points import (
    PointsAccount,
    account_id,
)
from tests.builders.orders import NEAR, PHOTO_AFTER, PHOTO_BEFORE, Loop, plan
from tests.builders.world import World

PRICE = 100


class Points(Loop):
    """The order loop plus a partner (爱心超市) with one item on the community's list."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        super().__init__(world, clock)
        self.partner_id = self.app.register_partner(
            world.staff, world.community_id, name="爱心超市", kind="shop", contact="0356-1234567"
        ).id
        self.partner = Actor(Role.PARTNER, "爱心超市-收银员", self.partner_id)
        self.item_id = self.list_item(price=PRICE, stock=10)

    def list_item(
        self,
        *,
        price: int = PRICE,
        stock: int | None = None,
        name: str = "大米一袋",
        kind: str = "shop",
        partner_id: UUID | None = None,
    ) -> UUID:
        return self.app.list_item(
            self.world.staff,
            self.world.community_id,
            partner_id=partner_id or self.partner_id,
            kind=kind,
            name=name,
            price=price,
            stock=stock,
        ).id

    def plan(self, hours: int = 3) -> tuple[UUID, datetime]:
        """A 红色服务日 tomorrow (tests.builders.orders.plan), with its id typed."""
        activity_id, starts = plan(self, hours=hours)
        assert isinstance(activity_id, UUID)
        return activity_id, starts

    def actor(self, member: int = 0) -> Actor:
        return self.world.member_actor(self.members[member])

    def claimed(self, hours: str = "1.5", member: int = 0, **post: Any) -> UUID:
        """A need taken, done and claimed by the member, waiting for the rating."""
        order_id = self.post(**post)
        member_id = self.members[member]
        actor = self.actor(member)
        self.app.request_take(actor, order_id)
        self.app.dispatch(self.world.staff, order_id, member_id)
        self.app.accept(actor, order_id)
        self.app.check_in(actor, order_id, *NEAR)
        self.app.attach_photo(actor, order_id, PHOTO_BEFORE, "before")
        self.app.attach_photo(actor, order_id, PHOTO_AFTER, "after")
        self.clock.advance(timedelta(hours=float(Decimal(hours))) + timedelta(minutes=30))
        self.app.claim_completion(actor, order_id, hours)
        return order_id

    def close(
        self,
        hours: str = "1.5",
        stars: int = 4,
        solved: str = "yes",
        member: int = 0,
        **post: Any,
    ) -> UUID:
        """An order the resident rates satisfied: it closes and credits the member."""
        assert stars >= 3
        order_id = self.claimed(hours, member, **post)
        self.app.rate(self.resident, order_id, stars=stars, solved=solved)
        return order_id

    def account(self, member: int = 0) -> PointsAccount:
        found = self.app.points_account(self.members[member])
        assert found is not None
        return found

    def balance(self, member: int = 0) -> int:
        found = self.app.points_account(self.members[member])
        return 0 if found is None else found.balance

    def redeem(self, member: int = 0, item_id: UUID | None = None, quantity: int = 1) -> UUID:
        return self.app.redeem(
            self.actor(member), self.members[member], item_id or self.item_id, quantity=quantity
        ).id


def account_events(app: Sishuang, member_id: UUID) -> list[Any]:
    return list(app.events.get(account_id(member_id)))


def of_type(events: list[Any], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def balance_from_events(events: list[Any]) -> int:
    """Service balance = Σ earned − Σ withheld − Σ held + Σ returned − Σ reversed."""
    total = 0
    for e in events:
        if isinstance(e, PointsAccount.Earned):
            total += e.service_points - e.withheld
        elif isinstance(e, PointsAccount.RedemptionHeld):
            total -= e.points
        elif isinstance(e, PointsAccount.RedemptionReturned):
            total += e.points - e.withheld
        elif isinstance(e, PointsAccount.Reversed):
            total -= e.service_points
    return total


def assert_consistent(app: Sishuang, member_id: UUID) -> PointsAccount:
    """The balance is what the events add up to, and never went below zero."""
    account = app.points_account(member_id)
    assert account is not None
    events = account_events(app, member_id)
    for n in range(1, len(events) + 1):
        assert balance_from_events(events[:n]) >= 0
    assert account.balance == balance_from_events(events) >= 0
    assert account.owed >= 0
    return account
