"""Commands raced on real threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def race(*commands: Callable[[], Any]) -> list[Any]:
    """Run the commands at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(commands))
    outcomes: list[Any] = [None] * len(commands)

    def run(i: int, command: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            outcomes[i] = command()
        except Exception as e:  # the loser's conflict is what we look at
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(commands)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes
