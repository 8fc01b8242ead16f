"""Read models: projections of the one event log, and the waiting that gives a read
after a write the write's effect."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from domain.application import Sishuang
from domain.clock import Clock
from projections.accounts import Accounts
from projections.activities import Activities
from projections.base import (
    SYSTEM_DDL,
    Follower,
    Projection,
    dead_letter_counts,
    follower_rows,
)
from projections.directory import Directory
from projections.evaluation import Evaluation
from projections.inspections import Inspections
from projections.members import Members
from projections.needs import Needs
from projections.outbox import Outbox
from projections.photos import Photos
from projections.points import Points
from projections.sealer import Sealer
from projections.store import ReadStore, schema_lock


def all_projections() -> list[Projection]:
    return [
        Directory(),
        Members(),
        Needs(),
        Activities(),
        Points(),
        Evaluation(),
        Inspections(),
        Photos(),
        Outbox(),
        Accounts(),
        Sealer(),
    ]


PROJECTION_NAMES = [p.name for p in all_projections()]


def open_service(
    env: dict[str, str],
    clock: Clock,
    *,
    run_projections: bool,
    poll_interval: float = 0.25,
    on_death: Callable[[BaseException], None] | None = None,
    secret: bytes = b"",
) -> tuple[Sishuang, ReadModels]:
    """The application and its read models, tables created under the start-up lock.
    `secret`: the service secret (phone codes, TOTP), for processes that sign people in."""
    with schema_lock(env):
        app = Sishuang(env, clock=clock, secret=secret)
        read = ReadModels(
            app, run_projections=run_projections, poll_interval=poll_interval, on_death=on_death
        )
    return app, read


class ReadModels:
    """The query side of one process: its store, and either its own follower (the
    default, projections in-process) or the positions a separate worker records."""

    def __init__(
        self,
        app: Sishuang,
        *,
        run_projections: bool,
        poll_interval: float = 0.25,
        on_death: Callable[[BaseException], None] | None = None,
    ):
        self.app = app
        self.projections = all_projections()
        self.follower: Follower | None = None
        if run_projections:
            self.follower = Follower(
                app, self.projections, poll_interval=poll_interval, on_death=on_death
            )
            self.store = self.follower.store
        else:
            # Another process projects; the tables exist here too, so queries answer
            # (empty, with the lag reported) before the worker's first page.
            self.store = ReadStore(app)
            with self.store.ddl() as tx:
                for statement in SYSTEM_DDL:
                    tx.execute(statement)
                for projection in self.projections:
                    projection.create(tx)
        self.names: Sequence[str] = [p.name for p in self.projections]

    def start(self) -> None:
        if self.follower is not None:
            self.follower.catch_up()
            self.follower.start()

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop()

    def position(self) -> int:
        return min(self.store.positions(self.names).values(), default=0)

    def health(self) -> dict[str, Any]:
        """Each follower (this process's, and the workers' heartbeats), each projection's
        position and lag, and the events set aside as dead letters."""
        names = list(self.names)
        positions = self.store.positions(names)
        head = self.store.head()
        dead = dead_letter_counts(self.store)
        followers = [] if self.follower is None else [self.follower.status()]
        followers += follower_rows(self.store)
        if self.follower is not None:  # its own heartbeat row is the same follower
            followers = [
                f for f in followers if f["in_process"] or f["follower"] != self.follower.name
            ]
        for f in followers:
            f["lag"] = max(head - int(f["position"]), 0)
        return {
            "followers": followers,
            "projections": [
                {
                    "name": name,
                    "position": positions[name],
                    "lag": max(head - positions[name], 0),
                    "dead_letters": dead.get(name, 0),
                }
                for name in names
            ],
            "dead_letters": sum(dead.get(name, 0) for name in names),
        }

    def lag(self) -> tuple[int, int]:
        """(position the read models reached, events in the log not yet in them)."""
        position = self.position()
        return position, max(self.store.head() - position, 0)

    def wait_for(self, position: int | None, timeout: float) -> bool:
        """Wait (bounded) until the read models include the given log position."""
        if position is None:
            return True
        if self.follower is not None:
            self.follower.nudge()
            return self.follower.wait_for(position, timeout)
        # A projection the worker reports stopped (it cannot go on) holds nobody up.
        stalled = {n for f in follower_rows(self.store) if f["alive"] for n in f["stalled"]}
        waited = [n for n in self.names if n not in stalled] or list(self.names)
        deadline = time.monotonic() + timeout
        delay = 0.01
        while min(self.store.positions(waited).values(), default=0) < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        return True
