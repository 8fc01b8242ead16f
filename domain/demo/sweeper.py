"""The simulated sweeper: every order deadline that passes in the story (take window,
rating window, overdue) is swept a minute later, as `api.sweeper` would, so the ledger
at the end is as the sweeper leaves it. It also keeps each order's status, for the
matching meeting's count of open needs and for the summary."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from domain.demo.field import Field
from domain.demo.schedule import SWEEP_LAG
from domain.order import OPEN_STATUSES, Order, OrderStatus

# Steps that start no deadline and stop none (nor change the status, but for accept:
# DISPATCHED -> IN_PROGRESS, the overdue deadline running on): the sweeper's view of
# the order stays as it was.
UNTIMED_STEPS = frozenset({"accept", "check_in", "photo", "follow_up"})


def next_deadline(order: Order) -> datetime | None:
    """When the sweep would next act on this order (the deadlines domain.order sweeps)."""
    dues: list[datetime] = []
    if order.status is OrderStatus.POSTED and not order.applicants:
        dues.append(order.take_deadline)
    if order.status is OrderStatus.COMPLETION_CLAIMED and order.rate_deadline is not None:
        dues.append(order.rate_deadline)
    if (
        not order.overdue
        and order.status in (OrderStatus.ASSIGNED, OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)
        and order.overdue_deadline is not None
    ):
        dues.append(order.overdue_deadline)
    return min(dues, default=None)


class Sweeper:
    def __init__(self, field: Field) -> None:
        self.field = field
        self.statuses: dict[UUID, tuple[int, OrderStatus]] = {}  # order -> community, status
        self.sweeps: dict[UUID, datetime] = {}  # order -> when the sweeper next looks at it

    def posted(self, order_id: UUID, community: int) -> None:
        self.statuses[order_id] = (community, OrderStatus.POSTED)
        self.track(order_id)

    def stepped(self, order_id: UUID, op: str) -> None:
        """After a step of the need's story: an accept starts the work, an untimed step
        changes nothing, any other may start or stop a deadline."""
        community = self.statuses[order_id][0]
        if op == "accept":
            self.statuses[order_id] = (community, OrderStatus.IN_PROGRESS)
        elif op not in UNTIMED_STEPS:
            self.track(order_id)

    def track(self, order_id: UUID) -> None:
        """Note the order's status and, if a deadline of it passes by today, look then."""
        order = self.field.app.order(order_id)
        self.statuses[order_id] = (self.statuses[order_id][0], order.status)
        due = next_deadline(order)
        if due is None:
            self.sweeps.pop(order_id, None)
            return
        when = max(due, self.field.clock.now()) + SWEEP_LAG
        if when <= self.field.today and self.sweeps.get(order_id) != when:
            self.sweeps[order_id] = when
            self.field.schedule.at(when, partial(self._sweep, order_id, when))

    def _sweep(self, order_id: UUID, when: datetime) -> None:
        if self.sweeps.get(order_id) != when:
            return  # the order moved on before its deadline
        del self.sweeps[order_id]
        self.field.app.sweep([order_id])
        self.track(order_id)

    def open_in(self, community: int) -> int:
        return sum(1 for c, s in self.statuses.values() if c == community and s in OPEN_STATUSES)

    def closed(self) -> int:
        return sum(1 for _, s in self.statuses.values() if s is OrderStatus.CLOSED)

    def open(self) -> int:
        return sum(1 for _, s in self.statuses.values() if s in OPEN_STATUSES)
