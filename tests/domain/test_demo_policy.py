"""The demo county keeps the county's policy, not copies of it: with other deadlines
and thresholds as the defaults, the story moves with them and the ledger is still as
the sweeper leaves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.demo import load_demo
from domain.order import OPEN_STATUSES
from domain.policies import DEFAULT_POLICY

TODAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
OTHER = {
    "take_window_days": 2,
    "rating_window_hours": 48,
    "overdue_days": 10,
    "satisfied_min_stars": 4,
    "hours_step": "1",
}


def test_the_demo_follows_the_countys_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = DEFAULT_POLICY.with_overrides(OTHER)
    monkeypatch.setattr("domain.county.DEFAULT_POLICY", policy)
    app = Sishuang({}, clock=ManualClock(TODAY))
    load_demo(app, members=60, residents_per_community=12, needs_per_community=16)

    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10**5)]

    def of(name: str) -> list[Any]:
        return [e for e in events if type(e).__qualname__ == f"Order.{name}"]

    lag = timedelta(minutes=1)
    posted = {e.originator_id: e.timestamp for e in of("Posted")}
    dispatched = {e.originator_id: e.timestamp for e in of("Dispatched")}  # the last one
    unclaimed, overdue = of("MarkedUnclaimed"), of("MarkedOverdue")
    assert unclaimed and overdue
    assert all(e.timestamp == posted[e.originator_id] + timedelta(days=2) + lag for e in unclaimed)
    assert all(
        e.timestamp == dispatched[e.originator_id] + timedelta(days=10) + lag for e in overdue
    )
    stars = {e.stars for e in of("Rated")}
    assert 3 not in stars and {1, 2, 4, 5} <= stars  # low ratings stay below 4
    assert all(e.hours == e.hours.to_integral_value() for e in of("CompletionClaimed"))
    assert any(e.outcome == "unrated" for e in of("Closed"))

    open_ids = [i for i in posted if app.order(i).status in OPEN_STATUSES]
    assert open_ids
    assert app.sweep(open_ids) == {"unclaimed": 0, "closed_unrated": 0, "overdue": 0}
