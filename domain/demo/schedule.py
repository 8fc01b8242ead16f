"""The story's calendar: ten weeks that end "today", working hours in Beijing time, and
the queue that issues every command at its moment."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime

from domain.clock import ManualClock

STORY_DAYS = 70  # the demo's history: about ten weeks, ending today
CST = timezone(timedelta(hours=8), "CST")  # the field's working hours are Beijing time
SWEEP_LAG = timedelta(minutes=1)  # the sweeper runs every minute
WORKING_HOURS = (8, 20)  # from 08:00 to 20:00, Beijing time


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time in Beijing, as UTC."""
    return datetime.combine(day, dtime(hour, minute), CST).astimezone(UTC)


def daytime(
    when: datetime,
    jitter_minutes: float,
    first: int = WORKING_HOURS[0],
    last: int = WORKING_HOURS[1],
) -> datetime:
    """`when`, or the next morning if it falls outside working hours (Beijing time)."""
    there = when.astimezone(CST)
    if first <= there.hour < last:
        return when
    day = there.date() if there.hour < first else there.date() + timedelta(days=1)
    return local(day, first) + timedelta(minutes=jitter_minutes)


class Schedule:
    """Every command at its moment, in time order; ties keep the order they were added
    in (setup before members, a need's steps in their order). The simulated sweeper adds
    its own while the story runs."""

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._added = itertools.count()

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (when, next(self._added), action))

    def run(self, clock: ManualClock, until: datetime) -> None:
        """Move the clock to each moment up to `until` and act; leave it at `until`."""
        while self._queue:
            moment, _, action = heapq.heappop(self._queue)
            if moment > until:
                break
            clock.set(moment)
            action()
        clock.set(until)
