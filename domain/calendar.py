"""The business calendar: which day, month, quarter and year a fact belongs to.

The field works in Beijing time (Asia/Shanghai, UTC+8, no daylight saving): a service
done at 07:30 on 1 January counts in the new year, whatever UTC says. Every period a
view reports (the annual standard, the quarterly check, the evaluation, the service
record, the resource ledger, points statements, 公示, settlement lists) is taken from
one named moment of each fact (MOMENTS), through `period_of` / `business_date` here,
and a period's bounds for a query over stored moments through `span`.

Stored moments are UTC (events carry UTC datetimes; read models keep them as ISO 8601
text with "+00:00", so text order is time order). What a person reads is Beijing time:
`local_iso` (JSON, "+08:00") and `local_text` ("YYYY-MM-DD HH:MM", csv and pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")

# The one moment of each fact that decides its period (docs/figures.md lists them).
MOMENTS: dict[str, str] = {
    "service (order)": "the moment the order closed (Order.Closed): hours, services and "
    "ratings count in the period of the close; a later finding of falsehood reverses the "
    "credit in that same period",
    "service (activity)": "the moment the activity started (Activity.Planned.starts_at)",
    "star award": "the moment the community awarded it",
    "need": "the moment it was posted (Order.Posted): the needs ledger and its figures",
    "points entry": "the moment the entry was recorded (each statement line)",
    "redemption": "the moment the partner confirmed it (or, unconfirmed, it was requested)",
    "quarterly check, evaluation, star year": "the year and quarter the command names; "
    "the quarter is over once its last Beijing day has passed",
    "inspection period": "the Beijing dates the plan names (period_start to period_end)",
}


@dataclass(frozen=True, order=True)
class Period:
    """The Beijing calendar position of a moment."""

    year: int
    quarter: int
    month: int
    day: date


def business_date(moment: datetime) -> date:
    """The calendar day (Beijing time) a moment falls on: what years and quarters count."""
    if moment.tzinfo is None:
        raise ValueError("business_date needs a timezone-aware moment")
    return moment.astimezone(BEIJING).date()


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def period_of(moment: datetime | date) -> Period:
    day = moment if not isinstance(moment, datetime) else business_date(moment)
    return Period(day.year, quarter_of(day), day.month, day)


def year_of(moment: datetime) -> int:
    return business_date(moment).year


def quarter_end(year: int, quarter: int) -> date:
    """The last (Beijing) day of a quarter."""
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, quarter * 3 + 1, 1) - timedelta(days=1)


def day_start(day: date) -> datetime:
    """The UTC instant a Beijing day begins (00:00 Beijing = 16:00 UTC the day before)."""
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(UTC)


def span(year: int, *, quarter: int | None = None) -> tuple[datetime, datetime]:
    """A year or a quarter of the Beijing calendar as UTC instants [start, end)."""
    if quarter is not None:
        first, last = date(year, quarter * 3 - 2, 1), quarter_end(year, quarter)
    else:
        first, last = date(year, 1, 1), date(year, 12, 31)
    return day_start(first), day_start(last + timedelta(days=1))


def days_span(first: date | None, last_exclusive: date | None) -> tuple[str | None, str | None]:
    """Beijing dates [first, last) as the stored (UTC ISO) bounds a query compares with."""
    return (
        stored(day_start(first)) if first else None,
        stored(day_start(last_exclusive)) if last_exclusive else None,
    )


def stored_span(year: int, *, quarter: int | None = None) -> tuple[str, str]:
    """`span` as the text read models store moments in (for SQL comparisons)."""
    start, end = span(year, quarter=quarter)
    return stored(start), stored(end)


def stored(moment: datetime) -> str:
    """How read models store a moment: UTC, ISO 8601 (text order is time order)."""
    return moment.astimezone(UTC).isoformat()


# A moment as read models store it (UTC, "+00:00"), and nothing else.
STORED_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


def parse_stored(value: object) -> datetime | None:
    """The moment a stored text holds, or None if the text is not a stored moment."""
    if not isinstance(value, str) or len(value) > 32 or not STORED_MOMENT.fullmatch(value):
        return None
    return datetime.fromisoformat(value)


def local(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)


def local_iso(moment: datetime) -> str:
    """A moment in JSON: Beijing time, ISO 8601 with "+08:00" (the same instant as the
    stored UTC text, to the microsecond)."""
    return local(moment).isoformat()


LOCAL_TEXT = "%Y-%m-%d %H:%M"


def local_text(moment: datetime) -> str:
    """A moment as a person writes it: "YYYY-MM-DD HH:MM", Beijing time (csv cells,
    messages)."""
    return local(moment).strftime(LOCAL_TEXT)
