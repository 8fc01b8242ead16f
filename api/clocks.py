"""The clock a process runs on: the wall clock, or — for browser tests and rehearsals,
never production — the wall clock moved forward by an offset read from a file
(SISHUANG_CLOCK_OFFSET_FILE), so a test can let the hours pass that a rule waits for
(a claim's hours are capped by the time since check-in; a rating window ends) in a
service it runs as a separate process. Every process of the deployment reads the same
file, so they agree on the time; the offset only ever moves the clock forward."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from threading import Lock

import structlog

from domain.clock import Clock, SystemClock
from projections.settings import Settings

log = structlog.get_logger("clock")

MAX_OFFSET_SECONDS = 400 * 24 * 3600  # a test moves the clock days or months, not years


class OffsetFileClock:
    """The wall clock plus the seconds written in ``path`` (a decimal; missing or empty:
    0). Read again whenever the file changes; an offset smaller than one seen before is
    ignored, so the clock never goes back."""

    def __init__(self, path: Path, base: Clock | None = None) -> None:
        self.path = path
        self.base = base or SystemClock()
        self._lock = Lock()
        self._stamp: tuple[int, int] | None = None
        self._offset = timedelta(0)

    def _read(self) -> timedelta:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return self._offset
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._stamp = stamp
                text = self.path.read_text(encoding="ascii", errors="replace").strip()
                try:
                    seconds = float(text) if text else 0.0
                    if not 0 <= seconds <= MAX_OFFSET_SECONDS:  # nan, inf, years ahead
                        raise ValueError(text)
                    found = timedelta(seconds=seconds)
                except ValueError:
                    log.warning("clock_offset_unreadable", path=str(self.path))
                    return self._offset
                if found > self._offset:
                    self._offset = found
            return self._offset

    def now(self) -> datetime:
        return self.base.now() + self._read()


def edge_clock(settings: Settings) -> Clock:
    """The clock for a process started with ``settings``."""
    if not settings.clock_offset_file:
        return SystemClock()
    log.warning("clock_offset_in_use", path=settings.clock_offset_file)
    return OffsetFileClock(Path(settings.clock_offset_file))
