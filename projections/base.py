"""Projection: a read model built from the global log, exactly once, rebuildable.

A projection names its tables, the statements that create them, and one small
handler per event type. The Follower reads the log in pages through the recorder
(`select_notifications`: the library's subscriptions do not work on SQLite),
decodes each page once, and for each projection applies the events it has not
seen and advances its tracking position in the same transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import structlog
from eventsourcing.persistence import IntegrityError, Notification

from domain.application import Sishuang
from projections.store import ReadStore, Tx

log = structlog.get_logger("projections")

Handler = Callable[[Tx, Any], None]


class Projection:
    name: ClassVar[str]  # the tracking name; also the prefix of its tables
    version: ClassVar[int] = 1  # bump when the tables or handlers change: forces a rebuild
    tables: ClassVar[tuple[str, ...]]
    ddl: ClassVar[tuple[str, ...]]

    def handlers(self) -> dict[type, Handler]:
        raise NotImplementedError

    def __init__(self) -> None:
        self._handlers = self.handlers()

    def create(self, tx: Tx) -> None:
        for statement in self.ddl:
            tx.execute(statement)

    def drop(self, tx: Tx) -> None:
        for table in reversed(self.tables):
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def apply(self, tx: Tx, event: Any) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(tx, event)

    def apply_page(self, tx: Tx, page: Sequence[tuple[Notification, Any]]) -> None:
        """A page of (stored record, event) in log order; by default one at a time. A
        projection may do a page in fewer statements (the sealer does)."""
        for notification, event in page:
            tx.position = notification.id
            tx.notification = notification
            self.apply(tx, event)

    def dump(self, store: ReadStore) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: what `rebuild` must reproduce exactly."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        with store.read() as tx:
            for table in self.tables:
                rows = tx.execute(f"SELECT * FROM {table}").all()
                out[table] = sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)
        return out


class PositionTaken(Exception):
    """Another follower recorded this projection's position first."""


VERSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_projection_versions ("
    "name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)


class Follower:
    """Follows the log for a set of projections; one per process that runs them."""

    def __init__(
        self,
        app: Sishuang,
        projections: Sequence[Projection],
        *,
        page_size: int = 500,
        poll_interval: float = 0.25,
        rename: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.rename = rename  # write under other table names (projections.bluegreen)
        self.store = ReadStore(app)
        self.projections = list(projections)
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.positions = {p.name: 0 for p in self.projections}
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.setup()

    # -- set-up and rebuild ------------------------------------------------------------

    def setup(self) -> None:
        """Create missing tables; rebuild any projection whose version changed."""
        with self.store.ddl() as tx:
            tx.rename = self.rename
            tx.execute(VERSIONS_DDL)
            known = {
                r["name"]: r["version"]
                for r in tx.execute("SELECT name, version FROM rm_projection_versions").all()
            }
            for p in self.projections:
                if known.get(p.name) not in (None, p.version):
                    log.warning("projection_version_changed", projection=p.name)
                    p.drop(tx)
                    self.store.forget_position(tx, p.name)
                p.create(tx)
                self.store.ensure_position(tx, p.name)
                tx.execute(
                    "INSERT INTO rm_projection_versions (name, version) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (p.name, p.version),
                )
        self.positions = self.store.positions([p.name for p in self.projections])

    def reset(self, projection: Projection) -> None:
        """Drop a projection's tables and position, and create them empty again."""
        with self.store.ddl() as tx:
            tx.rename = self.rename
            projection.drop(tx)
            self.store.forget_position(tx, projection.name)
            projection.create(tx)
        self.positions[projection.name] = 0

    # -- following ---------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The log position every projection here has reached."""
        return min(self.positions.values(), default=0)

    def run_once(self) -> int:
        """Process one page of the log; return how many notifications were read."""
        # Positions come from the database each time: another process (a rebuild, a
        # second worker) may have moved them, and the database is the truth.
        self.positions = self.store.positions([p.name for p in self.projections])
        start = self.position + 1
        page: Sequence[Notification] = self.app.recorder.select_notifications(
            start, limit=self.page_size
        )
        if not page:
            return 0
        events = [(n.id, self.app.mapper.to_domain_event(n)) for n in page]
        stored = {n.id: n for n in page}
        for projection in self.projections:
            done = self.positions[projection.name]
            todo = [(nid, e) for nid, e in events if nid > done]
            if not todo:
                continue
            try:
                with self.store.write() as tx:
                    tx.rename = self.rename
                    if not self.store.claim_position(tx, projection.name, done):
                        raise PositionTaken
                    projection.apply_page(tx, [(stored[nid], event) for nid, event in todo])
                    try:
                        self.store.record_position(tx, projection.name, todo[-1][0])
                    except IntegrityError as e:
                        raise PositionTaken from e
            except PositionTaken:
                # Someone else recorded this stretch first: their rows stand, ours
                # were rolled back. Read the positions again on the next page. (A
                # handler's own error is not this: it propagates, loudly.)
                log.info("projection_position_taken", projection=projection.name)
                continue
            self.positions[projection.name] = todo[-1][0]
        with self._changed:
            self._changed.notify_all()
        return len(page)

    def catch_up(self) -> int:
        total = 0
        while True:
            n = self.run_once()
            total += n
            if n < self.page_size:
                return total

    def nudge(self) -> None:
        """A command was just saved: look at the log now rather than at the next poll."""
        self._wake.set()

    def wait_for(self, position: int | None, timeout: float) -> bool:
        """Block until every projection here has reached `position` (bounded)."""
        if position is None:
            return True
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def run_forever(self) -> None:
        listener = _Listener(self.store) if self.store.dialect == "postgres" else None
        log.info("projections_started", projections=[p.name for p in self.projections])
        try:
            while not self._stop.is_set():
                try:
                    n = self.run_once()
                except Exception:
                    log.exception("projection_failed")
                    n = 0
                    self._stop.wait(1.0)
                if n >= self.page_size:
                    continue
                if listener is not None and listener.wait(self.poll_interval, self._wake):
                    continue
                self._wake.wait(self.poll_interval)
                self._wake.clear()
        finally:
            if listener is not None:
                listener.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class _Listener:
    """PostgreSQL LISTEN on the channel the library NOTIFYs on every insert: a wake-up
    call only; the follower still reads the log itself, so a lost notice costs one poll."""

    def __init__(self, store: ReadStore) -> None:
        import psycopg

        recorder: Any = store.app.recorder
        info = store.datastore.pool.kwargs
        self.conn = psycopg.connect(
            dbname=info["dbname"],
            host=info["host"],
            port=info["port"],
            user=info["user"],
            password=info["password"],
            autocommit=True,
        )
        self.conn.execute(f'LISTEN "{recorder.channel_name}"')

    def wait(self, timeout: float, wake: threading.Event) -> bool:
        if wake.is_set():
            wake.clear()
            return True
        for _ in self.conn.notifies(timeout=timeout, stop_after=1):
            return True
        return False

    def close(self) -> None:
        self.conn.close()
