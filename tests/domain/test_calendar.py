"""The business calendar (domain.calendar): Beijing days, quarters and years, and the
bounds a query uses for them, agree at every moment; at 23:59 / 00:00 Beijing on
31 December and at each quarter's end the fact moves to the next period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    BEIJING,
    local_iso,
    local_text,
    parse_stored,
    period_of,
    quarter_end,
    span,
    stored,
    stored_span,
)

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
)


@given(moments)
def test_a_moment_lies_in_the_spans_of_its_own_periods(moment: datetime) -> None:
    p = period_of(moment)
    for start, end in (span(p.year), span(p.year, quarter=p.quarter)):
        assert start <= moment < end
        # and the stored text compares the same way (what SQL sees)
        low, high = stored(start), stored(end)
        assert low <= stored(moment) < high
    assert stored_span(p.year) == (stored(span(p.year)[0]), stored(span(p.year)[1]))


@given(moments)
def test_stored_moments_read_back_and_show_in_beijing(moment: datetime) -> None:
    text = stored(moment)
    assert parse_stored(text) == moment
    shown = local_iso(moment)
    assert shown.endswith("+08:00") and datetime.fromisoformat(shown) == moment
    assert local_text(moment) == moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("beijing", "year", "quarter"),
    [
        (datetime(2026, 12, 31, 23, 59, tzinfo=BEIJING), 2026, 4),
        (datetime(2027, 1, 1, 0, 0, tzinfo=BEIJING), 2027, 1),
        (datetime(2026, 3, 31, 23, 59, tzinfo=BEIJING), 2026, 1),
        (datetime(2026, 4, 1, 0, 0, tzinfo=BEIJING), 2026, 2),
        (datetime(2026, 6, 30, 23, 59, tzinfo=BEIJING), 2026, 2),
        (datetime(2026, 7, 1, 0, 0, tzinfo=BEIJING), 2026, 3),
        (datetime(2026, 9, 30, 23, 59, tzinfo=BEIJING), 2026, 3),
        (datetime(2026, 10, 1, 0, 0, tzinfo=BEIJING), 2026, 4),
    ],
)
def test_periods_turn_at_midnight_in_beijing(beijing: datetime, year: int, quarter: int) -> None:
    utc = beijing.astimezone(UTC)
    p = period_of(utc)
    assert (p.year, p.quarter) == (year, quarter)
    start, end = span(year, quarter=quarter)
    assert start <= utc < end
    before = period_of(start - timedelta(minutes=1))
    assert (before.year, before.quarter) != (year, quarter)


def test_a_quarter_ends_on_its_last_day() -> None:
    assert [quarter_end(2026, q) for q in range(1, 5)] == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    ]
    start, end = span(2026)
    assert (start.isoformat(), end.isoformat()) == (
        "2025-12-31T16:00:00+00:00",
        "2026-12-31T16:00:00+00:00",
    )


def test_only_stored_utc_text_is_taken_for_a_moment() -> None:
    assert parse_stored("2026-03-02T01:00:00+00:00") == datetime(2026, 3, 2, 1, tzinfo=UTC)
    for text in ("2026-03-02T09:00:00+08:00", "2026-03-02", "1", "会议于2026-03-02T01:00:00+00:00"):
        assert parse_stored(text) is None


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        period_of(datetime(2026, 1, 1))
