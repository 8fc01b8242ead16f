"""A progress line on stderr for long runs: done/total, events per second, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(
        self, label: str, total: int, *, stream: TextIO | None = None, every: float = 0.5
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.started = time.monotonic()
        self._shown = 0.0
        self.enabled = self.stream.isatty() if hasattr(self.stream, "isatty") else False

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._shown >= self.every:
            self._shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        width = 30
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(width * min(share, 1.0))
        left = (self.total - self.done) / rate if rate > 0 and self.total else 0.0
        self.stream.write(
            f"\r{self.label} [{bar:<{width}}] {self.done:,}/{self.total:,}"
            f"  {rate:,.0f} 事件/秒  剩余 {left:,.0f} 秒 "
        )
        self.stream.flush()

    def finish(self) -> float:
        """End the line; return the seconds taken."""
        elapsed = time.monotonic() - self.started
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
        return elapsed
