"""A hypothesis state machine over the order commands: whatever the sequence, every
order is in a defined state, hours are credited at most once per order, a refused
command records nothing, and the needs ledger equals a plain fold of the events."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import DomainError
from domain.order import Order, OrderStatus
from projections import ReadModels, needs
from tests.builders.orders import FAR, NEAR, PHOTO_AFTER, PHOTO_BEFORE, Loop
from tests.builders.stores import sqlite_env
from tests.builders.world import World


def fold(events: list[Any]) -> dict[str, Any]:
    """The few ledger columns, computed straight from an order's events."""
    state: dict[str, Any] = {
        "status": "posted",
        "member_id": None,
        "hours_credited": None,
        "stars": None,
    }
    for e in events:
        if isinstance(e, Order.MarkedOverdue):
            state["overdue"] = True
        elif isinstance(e, Order.Dispatched):
            state.update(status="dispatched", member_id=str(e.member_id), overdue=False)
        elif isinstance(e, Order.JointMeetingDecided):
            member = e.assignee_kind == "member"
            state.update(
                status="dispatched" if member else "assigned",
                member_id=str(e.assignee_id) if member else None,
                overdue=False,
            )
        elif isinstance(e, Order.MarkedUnclaimed):
            state["status"] = "unclaimed"
        elif isinstance(e, Order.Accepted):
            state["status"] = "in_progress"
        elif isinstance(e, Order.Declined):
            state.update(status="posted", member_id=None, overdue=False)
        elif isinstance(e, Order.CompletionClaimed):
            state["status"] = "completion_claimed"
        elif isinstance(e, Order.Rated):
            state["stars"] = e.stars
            if not e.satisfied:
                state["status"] = "low_rated"
        elif isinstance(e, Order.Closed):
            state.update(status="closed", hours_credited=str(e.hours_credited))
        elif isinstance(e, Order.ReturnedToMember):
            state.update(status="dispatched", stars=None, overdue=False)
        elif isinstance(e, Order.Reopened):
            state.update(status="posted", member_id=None, stars=None, overdue=False)
        elif isinstance(e, Order.Cancelled):
            state["status"] = "cancelled"
        elif isinstance(e, Order.Rejected):
            state["status"] = "rejected"
    return state


class OrderMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.clock = ManualClock()
        self.app = Sishuang(sqlite_env(Path(self.tmp.name) / "e.sqlite3"), clock=self.clock)
        self.loop = Loop(World(self.app), self.clock)
        self.read = ReadModels(self.app, run_projections=True)

    def teardown(self) -> None:
        self.app.close()
        self.tmp.cleanup()

    def attempt(self, command: Any) -> None:
        before = self.app.recorder.max_notification_id()
        try:
            command()
        except DomainError:
            assert self.app.recorder.max_notification_id() == before

    def member(self, which: int) -> Any:
        return self.loop.member if which == 0 else self.loop.other

    @rule(target=orders, urgent=st.booleans())
    def post(self, urgent: bool) -> UUID:
        return self.loop.post(urgency="critical" if urgent else "normal")

    @rule(order=orders, which=st.integers(0, 1))
    def apply(self, order: UUID, which: int) -> None:
        self.attempt(lambda: self.app.request_take(self.member(which), order))

    @rule(order=orders, which=st.integers(0, 1))
    def dispatch(self, order: UUID, which: int) -> None:
        member_id = self.loop.members[which]
        self.attempt(lambda: self.app.dispatch(self.loop.world.staff, order, member_id))

    @rule(order=orders, kind=st.sampled_from(["member", "team"]))
    def joint_meeting(self, order: UUID, kind: str) -> None:
        self.attempt(
            lambda: self.app.record_joint_meeting(
                self.loop.world.staff,
                order,
                assignee_kind=kind,
                assignee_id=self.loop.members[0] if kind == "member" else None,
                assignee_name="" if kind == "member" else "攻坚组",
            )
        )

    @rule(order=orders, which=st.integers(0, 1), accept=st.booleans())
    def respond(self, order: UUID, which: int, accept: bool) -> None:
        actor = self.member(which)
        if accept:
            self.attempt(lambda: self.app.accept(actor, order))
        else:
            self.attempt(lambda: self.app.decline(actor, order, "没空"))

    @rule(order=orders, near=st.booleans())
    def work(self, order: UUID, near: bool) -> None:
        where = NEAR if near else FAR
        self.attempt(lambda: self.app.check_in(self.loop.member, order, *where))
        self.attempt(lambda: self.app.attach_photo(self.loop.member, order, PHOTO_BEFORE, "before"))
        self.attempt(lambda: self.app.attach_photo(self.loop.member, order, PHOTO_AFTER, "after"))

    @rule(order=orders, hours=st.sampled_from(["0", "0.5", "1", "30"]))
    def claim(self, order: UUID, hours: str) -> None:
        self.attempt(lambda: self.app.claim_completion(self.loop.member, order, hours))

    @rule(order=orders, stars=st.integers(1, 5))
    def rate(self, order: UUID, stars: int) -> None:
        self.attempt(lambda: self.app.rate(self.loop.resident, order, stars=stars, solved="yes"))

    @rule(order=orders, decision=st.sampled_from(["return_to_member", "return_to_pool", "close"]))
    def low_rating(self, order: UUID, decision: str) -> None:
        self.attempt(
            lambda: self.app.decide_low_rating(
                self.loop.world.staff, order, decision=decision, reason="处理", credit_hours=True
            )
        )

    @rule(order=orders, by_resident=st.booleans())
    def cancel_or_reject(self, order: UUID, by_resident: bool) -> None:
        if by_resident:
            self.attempt(lambda: self.app.cancel_need(self.loop.resident, order, "不需要了"))
        else:
            self.attempt(lambda: self.app.reject_need(self.loop.world.staff, order, "不属实"))

    @rule(order=orders, stars=st.integers(1, 5), choice=st.integers(0, 2), rounds=st.integers(1, 6))
    def next_steps(self, order: UUID, stars: int, choice: int, rounds: int) -> None:
        """The natural next steps from where the order stands, so deep states are reached."""
        for _ in range(rounds):
            self.next_step(order, stars, choice)

    def next_step(self, order: UUID, stars: int, choice: int) -> None:
        status = self.app.order(order).status
        staff = self.loop.world.staff
        steps = {
            OrderStatus.POSTED: lambda: self.app.dispatch(staff, order, self.loop.members[0]),
            OrderStatus.UNCLAIMED: lambda: self.app.dispatch(staff, order, self.loop.members[0]),
            OrderStatus.ASSIGNED: lambda: self.app.dispatch(staff, order, self.loop.members[0]),
            OrderStatus.DISPATCHED: lambda: self.app.accept(
                self.member(0 if self.app.order(order).member_id == self.loop.members[0] else 1),
                order,
            ),
            OrderStatus.IN_PROGRESS: lambda: (
                self.work(order, near=choice != 2),
                self.clock.advance(timedelta(hours=2)),
                self.claim(order, "1"),
            ),
            OrderStatus.COMPLETION_CLAIMED: lambda: self.rate(order, stars),
            OrderStatus.LOW_RATED: lambda: self.low_rating(
                order, ["return_to_member", "return_to_pool", "close"][choice]
            ),
        }
        if status in steps:
            self.attempt(steps[status])

    @rule(hours=st.sampled_from([1, 5, 25, 24 * 4, 24 * 15]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        assert self.read.follower is not None
        self.read.follower.catch_up()
        due = needs.due_for_sweep(self.read.store, self.clock.now())
        self.app.sweep([UUID(d) for d in due])

    def order_ids(self) -> list[UUID]:
        return [
            n.originator_id  # type: ignore[misc]
            for n in self.app.recorder.select_notifications(1, 100_000)
            if n.topic == Order.Posted.TOPIC
        ]

    @invariant()
    def every_order_is_defined_and_credited_at_most_once(self) -> None:
        for order_id in self.order_ids():
            order: Order = self.app.order(order_id)
            assert isinstance(order.status, OrderStatus)
            event(f"status {order.status.code}")
            events = list(self.app.events.get(order_id))
            closes = [e for e in events if isinstance(e, Order.Closed)]
            assert len(closes) <= 1
            if closes:
                assert order.status is OrderStatus.CLOSED
                assert closes[0].hours_credited >= Decimal(0)

    @invariant()
    def the_ledger_is_a_fold_of_the_events(self) -> None:
        assert self.read.follower is not None
        self.read.follower.catch_up()
        now = self.clock.now()
        for order_id in self.order_ids():
            row = needs.get_order(self.read.store, str(order_id), now)
            assert row is not None
            expected = fold(list(self.app.events.get(order_id)))
            actual = {k: row[k] for k in expected}
            assert actual == expected, (order_id, actual, expected)


TestOrderStateMachine = OrderMachine.TestCase
TestOrderStateMachine.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
