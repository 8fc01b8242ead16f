"""The clock a process runs on (api.clocks): the wall clock, or one a test moves ahead
through a file, as the browser tests do with the service they run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.clocks import OffsetFileClock, edge_clock
from domain.clock import ManualClock, SystemClock
from projections.settings import Settings

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_clock_runs_ahead_by_the_seconds_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path, ManualClock(START))
    assert clock.now() == START  # no file: no offset
    path.write_text("5400")
    assert clock.now() == START + timedelta(minutes=90)
    path.write_text("90000.5\n")
    assert clock.now() == START + timedelta(seconds=90000.5)


def test_the_clock_never_goes_back_nor_trusts_what_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path, ManualClock(START))
    path.write_text("3600")
    assert clock.now() == START + timedelta(hours=1)
    path.write_text("60")
    assert clock.now() == START + timedelta(hours=1)
    path.write_text("an hour")
    assert clock.now() == START + timedelta(hours=1)
    path.unlink()
    assert clock.now() == START + timedelta(hours=1)


def test_only_a_configured_file_moves_the_clock(tmp_path: Path) -> None:
    assert isinstance(edge_clock(Settings(data_dir=tmp_path)), SystemClock)
    configured = Settings.from_env({"SISHUANG_CLOCK_OFFSET_FILE": str(tmp_path / "o")})
    assert isinstance(edge_clock(configured), OffsetFileClock)


def test_an_offset_that_is_no_number_of_seconds_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "offset"
    clock = OffsetFileClock(path, ManualClock(START))
    for text in ("nan", "inf", "-5", "1e20"):
        path.write_text(text)
        assert clock.now() == START, text
