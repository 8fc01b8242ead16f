"""Working days (工作日), as a plan's disclosure deadline counts them: Monday to Friday
less the published holidays, plus the weekend days declared working days (调休)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


def _is_working_day(day: date, holidays: frozenset[date], workdays: frozenset[date]) -> bool:
    """Monday to Friday less the published holidays, plus the weekend days declared
    working days (调休)."""
    return (day.weekday() < 5 and day not in holidays) or day in workdays


def add_working_days(
    start: date, days: int, holidays: frozenset[date], workdays: frozenset[date]
) -> date:
    """The date `days` working days after `start`."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if _is_working_day(current, holidays, workdays):
            left -= 1
    return current


def working_days_between(
    start: date, end: date, holidays: frozenset[date], workdays: frozenset[date]
) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if _is_working_day(current, holidays, workdays):
            count += 1
    return count


@dataclass(frozen=True)
class WorkingCalendar:
    """A plan's calendar: the holidays and the extra workdays it lists, in its order."""

    holidays: tuple[date, ...]
    extra_workdays: tuple[date, ...]

    def add(self, start: date, days: int) -> date:
        """The date `days` working days after `start`."""
        return add_working_days(
            start, days, frozenset(self.holidays), frozenset(self.extra_workdays)
        )

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        return working_days_between(
            start, end, frozenset(self.holidays), frozenset(self.extra_workdays)
        )
