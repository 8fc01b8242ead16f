"""Projection: a read model built from the global log, exactly once, rebuildable.

A projection names its tables, the statements that create them, and one small
handler per event type. The Follower reads the log in pages through the recorder
(`select_notifications`: the library's subscriptions do not work on SQLite),
decodes each page once, and for each projection applies the events it has not
seen and advances its tracking position in the same transaction.

No single event can stop a projection: an event a projection cannot apply (a handler
raises, the database refuses a value, the stored record cannot be decoded) is set
aside in `rm_dead_letters` with the error, in the same transaction that moves the
projection past it, and the follower goes on. A lost database connection is not such
an event: the follower backs off, reconnects and resumes from its tracking position.
A new projection version rebuilds the projection and so retries its dead letters;
`sishuang dead-letters retry` rebuilds the projections that have any (after a fix).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import structlog
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
)

from domain.application import Sishuang
from projections.store import ReadStore, Tx

log = structlog.get_logger("projections")

Handler = Callable[[Tx, Any], None]


class Projection:
    name: ClassVar[str]  # the tracking name; also the prefix of its tables
    version: ClassVar[int] = 1  # bump when the tables or handlers change: forces a rebuild
    # Whether an event it cannot apply is set aside (dead letter) so it goes on. A
    # projection that must hold every event in order (the sealer) stops instead.
    sets_aside: ClassVar[bool] = True
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


class Undecodable(Exception):
    """A stored record the mapper cannot turn back into an event (an unknown topic, a
    state that no longer fits its class)."""


VERSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_projection_versions ("
    "name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)
# Events a projection could not apply, set aside so it could go on (one row each).
DEAD_LETTERS_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_dead_letters ("
    " projection TEXT NOT NULL, notification_id INTEGER NOT NULL,"
    " originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL,"
    " topic TEXT NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL,"
    " PRIMARY KEY (projection, notification_id))"
)
# One row per running follower process: what a health check in another process reads.
FOLLOWERS_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_followers ("
    " follower TEXT PRIMARY KEY, projections TEXT NOT NULL, position INTEGER NOT NULL,"
    " started_at TEXT NOT NULL, beat_at TEXT NOT NULL,"
    " last_error TEXT, last_error_at TEXT, stalled TEXT NOT NULL DEFAULT '')"
)
SYSTEM_DDL = (VERSIONS_DDL, DEAD_LETTERS_DDL, FOLLOWERS_DDL)

HEARTBEAT_SECONDS = 5.0  # how often a follower writes its row in rm_followers
STALE_AFTER_SECONDS = 30.0  # a follower row older than this is reported not alive
FORGET_AFTER_SECONDS = 600.0  # ... and one older than this (a killed process) is removed
RECENT_ERROR_SECONDS = 60.0  # an error this recent makes health "degraded"
MAX_BACKOFF_SECONDS = 30.0  # the longest wait between reconnection attempts
MAX_ERROR_CHARS = 2000  # an error kept in a dead letter or a health answer, at most


# PostgreSQL error classes that describe the server's state, not the statement: a
# connection exception, a rolled-back transaction (deadlock, serialisation), resources,
# operator intervention (shutdown, cancel), system errors; and a lock timeout.
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "25", "40", "53", "57", "58"})
# ... and the database's configuration rather than an event: a lock timeout, a missing
# privilege, a missing table or column (a deployment out of step with its schema). Every
# event would fail alike: setting them all aside would empty the read models.
TRANSIENT_SQLSTATES = frozenset({"55P03", "42501", "42P01", "42703"})
SQLITE_TRANSIENT_WORDS = (
    "locked",
    "busy",
    "disk i/o",
    "unable to open",
    "readonly",
    "disk is full",
    "no such table",
    "no such column",
    "malformed",
)


def transient(error: BaseException) -> bool:
    """Whether an error is the database's state (gone, restarting, locked, busy), which
    a later attempt can get past, rather than the event's or the handler's: the former
    is waited out, the latter makes a dead letter. (An index row too large or a NUL in
    a text value is the event's, whatever class the driver files it under.)"""
    import psycopg

    if isinstance(error, (PositionTaken, Undecodable)):
        return False
    seen: BaseException | None = error
    for _ in range(5):  # the library wraps the driver's error: look down the chain
        if seen is None:
            break
        if isinstance(seen, sqlite3.OperationalError):
            return any(w in str(seen).lower() for w in SQLITE_TRANSIENT_WORDS)
        if isinstance(seen, psycopg.Error):
            state = seen.sqlstate
            if state is None:  # raised by the client: no connection, a pool timeout
                return isinstance(seen, (psycopg.OperationalError, psycopg.InterfaceError))
            return state[:2] in TRANSIENT_SQLSTATE_CLASSES or state in TRANSIENT_SQLSTATES
        seen = seen.__cause__ or seen.__context__
    return isinstance(error, (InterfaceError, OperationalError, ConnectionError, TimeoutError))


def describe(error: BaseException) -> str:
    """An error as one line of printable text, bounded (it is stored and shown): the
    driver's first line only, never its DETAIL (which can quote a row's values)."""
    first = (str(error).strip().splitlines() or [""])[0]
    text = f"{type(error).__name__}: {first}"
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text[:MAX_ERROR_CHARS]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class _Item:
    """A notification of the page and its event (or why it could not be decoded)."""

    notification: Notification
    event: Any
    error: BaseException | None = None

    @property
    def id(self) -> int:
        return int(self.notification.id)


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
        on_death: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.app = app
        self.rename = rename  # write under other table names (projections.bluegreen)
        self.store = ReadStore(app)
        self.projections = list(projections)
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.positions = {p.name: 0 for p in self.projections}
        self.on_death = on_death  # called if the following thread ever ends by an error
        self.failure: BaseException | None = None  # ... and that error
        self.last_error: str | None = None
        self.last_error_at: str | None = None
        self.dead_lettered = 0  # events set aside by this follower since it started
        self.started_at = _now_iso()
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat = 0.0
        # Projections that cannot go on (an event they cannot apply and may not set
        # aside): name -> (when to try again, seconds waited last).
        self.stalled: dict[str, tuple[float, float]] = {}
        self.setup()

    # -- set-up and rebuild ------------------------------------------------------------

    def setup(self) -> None:
        """Create missing tables; rebuild any projection whose version changed."""
        with self.store.ddl() as tx:
            tx.rename = self.rename
            _replace_stale_followers_table(tx)
            for statement in SYSTEM_DDL:
                tx.execute(statement)
            known = {
                r["name"]: r["version"]
                for r in tx.execute("SELECT name, version FROM rm_projection_versions").all()
            }
            for p in self.projections:
                if known.get(p.name) not in (None, p.version):
                    log.warning("projection_version_changed", projection=p.name)
                    p.drop(tx)
                    self.store.forget_position(tx, p.name)
                    forget_dead_letters(tx, p.name)
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
            forget_dead_letters(tx, projection.name)
            projection.create(tx)
        self.positions[projection.name] = 0

    # -- following ---------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The log position every projection here has reached, but a stalled one: one
        projection that cannot go on (its lag shows in health) does not hold up the
        answers of every command that waits for the read models."""
        going = [v for name, v in self.positions.items() if name not in self.stalled]
        return min(going or self.positions.values(), default=0)

    def _decode(self, page: Sequence[Notification]) -> list[_Item]:
        items = []
        for n in page:
            try:
                items.append(_Item(n, self.app.mapper.to_domain_event(n)))
            except Exception as e:  # the record stays in the log; the projections go on
                items.append(_Item(n, None, Undecodable(describe(e))))
        return items

    def run_once(self) -> int:
        """Process one page of the log; return how many notifications were read."""
        # Positions come from the database each time: another process (a rebuild, a
        # second worker) may have moved them, and the database is the truth.
        self.positions = self.store.positions([p.name for p in self.projections])
        now = time.monotonic()
        active = [p for p in self.projections if self.stalled.get(p.name, (0.0, 0.0))[0] <= now]
        if not active:
            return 0
        start = min(self.positions[p.name] for p in active) + 1
        page: Sequence[Notification] = self.app.recorder.select_notifications(
            start, limit=self.page_size
        )
        if not page:
            return 0
        items = self._decode(page)
        failure: Exception | None = None
        for projection in active:
            done = self.positions[projection.name]
            todo = [item for item in items if item.id > done]
            if not todo:
                continue
            try:
                reached = self._follow(projection, done, todo)
            except PositionTaken:
                # Someone else recorded this stretch first: their rows stand, ours
                # were rolled back. Read the positions again on the next page.
                log.info("projection_position_taken", projection=projection.name)
                continue
            except Exception as e:
                if not transient(e):
                    raise  # a bug of the follower's own: the thread's handler decides
                failure = failure or e  # the database's state: every projection waits
                continue
            self.positions[projection.name] = reached
            if projection.name in self.stalled and reached == todo[-1].id:
                others = [
                    v for n, v in self.positions.items() if n not in self.stalled
                ]  # back in step once it has caught up with the rest: never a step back
                if not others or reached >= min(others):
                    self.stalled.pop(projection.name, None)
        with self._changed:
            self._changed.notify_all()
        if failure is not None:
            raise failure
        return len(page)

    def _stall(self, projection: Projection, error: Exception, at: int) -> None:
        """A projection that may not set an event aside stops at it, retried with growing
        pauses (a fix deployed, a restart), while the others go on."""
        _, waited = self.stalled.get(projection.name, (0.0, 0.0))
        wait = min(max(waited * 2, 1.0), 60.0)
        self.stalled[projection.name] = (time.monotonic() + wait, wait)
        self._error(f"{projection.name} stopped: {describe(error)}")
        log.error(
            "projection_stalled",
            projection=projection.name,
            position=at,
            error=describe(error),
            retry_in_seconds=wait,
        )

    def _apply(self, projection: Projection, done: int, todo: Sequence[_Item]) -> None:
        """Apply a stretch of events and record the position after it, in one write."""
        with self.store.write() as tx:
            tx.rename = self.rename
            if not self.store.claim_position(tx, projection.name, done):
                raise PositionTaken
            projection.apply_page(tx, [(item.notification, item.event) for item in todo])
            try:
                self.store.record_position(tx, projection.name, todo[-1].id)
            except IntegrityError as e:
                raise PositionTaken from e

    def _follow(self, projection: Projection, done: int, todo: Sequence[_Item]) -> int:
        """Apply a stretch in one write; if one of its events cannot be applied, go one
        by one to find it, and set it aside (or, a projection that may not, stop just
        before it). Returns the position reached."""
        if all(item.error is None for item in todo):
            try:
                self._apply(projection, done, todo)
                return todo[-1].id
            except Exception as e:
                if isinstance(e, PositionTaken) or transient(e):
                    raise
        return self._apply_one_by_one(projection, done, todo)

    def _apply_one_by_one(self, projection: Projection, done: int, todo: Sequence[_Item]) -> int:
        """Each event in its own write; one that fails for its own sake is recorded in
        rm_dead_letters, in the write that moves the position past it."""
        at = done
        for item in todo:
            try:
                if item.error is not None:
                    raise item.error
                self._apply(projection, at, [item])
            except PositionTaken:
                return at
            except Exception as e:
                if transient(e):
                    raise
                if not projection.sets_aside:
                    self._stall(projection, e, at)
                    return at
                try:
                    self._set_aside(projection, at, item, e)
                except PositionTaken:
                    return at
            at = item.id
        return at

    def _set_aside(self, projection: Projection, done: int, item: _Item, error: Exception) -> None:
        n = item.notification
        reason = describe(error)
        with self.store.write() as tx:
            if not self.store.claim_position(tx, projection.name, done):
                raise PositionTaken
            record_dead_letter(tx, projection.name, n, reason)
            try:
                self.store.record_position(tx, projection.name, n.id)
            except IntegrityError as e:
                raise PositionTaken from e
        self.dead_lettered += 1
        self._error(f"{projection.name} @ {n.id}: {reason}")
        log.error(
            "projection_dead_letter",
            projection=projection.name,
            notification_id=n.id,
            topic=n.topic,
            error=reason,
        )

    def _error(self, text: str) -> None:
        self.last_error = text[:MAX_ERROR_CHARS]
        self.last_error_at = _now_iso()

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

    # -- the thread --------------------------------------------------------------------

    def run_forever(self) -> None:
        """Follow until stopped. The database going away (a restart, a failover, its
        connections terminated) is waited out with growing pauses; the follower then
        resumes from its tracking positions, which the database kept."""
        listener: _Listener | None = None
        listener_retry_at = 0.0
        backoff = 0.0
        log.info("projections_started", projections=[p.name for p in self.projections])
        try:
            while not self._stop.is_set():
                try:
                    n = self.run_once()
                    if backoff:
                        log.info("projections_reconnected", follower=self.name)
                    backoff = 0.0
                    self._heartbeat()
                except Exception as e:
                    backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_SECONDS)
                    self._error(describe(e))
                    log.warning(
                        "projection_retrying",
                        error=describe(e),
                        transient=transient(e),
                        retry_in_seconds=backoff,
                    )
                    if listener is not None:
                        listener.close()
                        listener = None
                    self._stop.wait(backoff)
                    if transient(e):
                        self.store.recover()
                    continue
                if n >= self.page_size:
                    continue
                if (
                    listener is None
                    and self.store.dialect == "postgres"
                    and time.monotonic() >= listener_retry_at
                ):
                    listener = _Listener.open(self.store)
                    listener_retry_at = time.monotonic() + MAX_BACKOFF_SECONDS
                if listener is not None:
                    try:
                        listener.wait(self.poll_interval, self._wake)
                        continue
                    except Exception as e:  # polled instead until it can be opened again
                        log.warning("projection_listener_lost", error=describe(e))
                        listener.close()
                        listener = None
                self._wake.wait(self.poll_interval)
                self._wake.clear()
        finally:
            if listener is not None:
                listener.close()
            self._forget_beat()

    def _run(self) -> None:
        try:
            self.run_forever()
        except BaseException as e:  # the thread ends: the process must not go on silently
            self.failure = e
            self._error(describe(e))
            log.critical("projections_thread_died", error=describe(e))
            if self.on_death is not None:
                self.on_death(e)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- heartbeat: what another process's health check sees -------------------------

    def _heartbeat(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < HEARTBEAT_SECONDS:
            return
        self._last_beat = now
        forgotten = datetime.now(UTC) - timedelta(seconds=FORGET_AFTER_SECONDS)
        with self.store.write() as tx:
            tx.execute(
                "INSERT INTO rm_followers (follower, projections, position, started_at,"
                " beat_at, last_error, last_error_at, stalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (follower) DO UPDATE SET position = excluded.position,"
                " beat_at = excluded.beat_at, last_error = excluded.last_error,"
                " last_error_at = excluded.last_error_at, stalled = excluded.stalled",
                (
                    self.name,
                    ",".join(p.name for p in self.projections),
                    self.position,
                    self.started_at,
                    _now_iso(),
                    self.last_error,
                    self.last_error_at,
                    ",".join(sorted(self.stalled)),
                ),
            )
            # a process killed without a word (SIGKILL, the OOM killer) left its row
            tx.execute(
                "DELETE FROM rm_followers WHERE beat_at < ?",
                (forgotten.isoformat(timespec="seconds"),),
            )

    def _forget_beat(self) -> None:
        try:
            with self.store.write() as tx:
                tx.execute("DELETE FROM rm_followers WHERE follower = ?", (self.name,))
        except Exception as e:  # the database may be the reason we are stopping
            log.info("projections_heartbeat_not_removed", error=describe(e))

    def status(self) -> dict[str, Any]:
        """This follower as a health check reports it."""
        return {
            "follower": self.name,
            "in_process": True,
            "alive": self.alive,
            "position": self.position,
            "started_at": self.started_at,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "dead_lettered": self.dead_lettered,
            "stalled": sorted(self.stalled),
        }


def _replace_stale_followers_table(tx: Tx) -> None:
    """rm_followers holds only heartbeats: one of an older shape is dropped and made again
    (SYSTEM_DDL), rather than migrated."""
    if tx.dialect == "postgres":
        columns = {
            r["column_name"]
            for r in tx.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'rm_followers'"
            ).all()
        }
    else:
        columns = {r["name"] for r in tx.execute("PRAGMA table_info(rm_followers)").all()}
    if columns and "stalled" not in columns:
        tx.execute("DROP TABLE rm_followers")


def record_dead_letter(tx: Tx, projection: str, notification: Notification, reason: str) -> None:
    """Set an event aside for a projection (in the caller's write, which moves past it)."""
    tx.execute(
        "INSERT INTO rm_dead_letters (projection, notification_id, originator_id,"
        " originator_version, topic, error, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (projection, notification_id) DO UPDATE SET"
        " error = excluded.error, failed_at = excluded.failed_at",
        (
            projection,
            notification.id,
            str(notification.originator_id),
            notification.originator_version,
            notification.topic,
            reason,
            _now_iso(),
        ),
    )


def forget_dead_letters(tx: Tx, projection: str) -> None:
    tx.execute("DELETE FROM rm_dead_letters WHERE projection = ?", (projection,))


def dead_letters(store: ReadStore, projection: str | None = None) -> list[dict[str, Any]]:
    with store.read() as tx:
        if projection is None:
            return tx.execute(
                "SELECT * FROM rm_dead_letters ORDER BY projection, notification_id"
            ).all()
        return tx.execute(
            "SELECT * FROM rm_dead_letters WHERE projection = ? ORDER BY notification_id",
            (projection,),
        ).all()


def dead_letter_counts(store: ReadStore) -> dict[str, int]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT projection, COUNT(*) AS n FROM rm_dead_letters GROUP BY projection"
        ).all()
    return {r["projection"]: int(r["n"]) for r in rows}


def follower_rows(store: ReadStore) -> list[dict[str, Any]]:
    """Every follower that wrote a heartbeat, and whether it is recent enough to count
    as alive."""
    with store.read() as tx:
        rows = tx.execute("SELECT * FROM rm_followers ORDER BY follower").all()
    now = datetime.now(UTC)
    for row in rows:
        beat = datetime.fromisoformat(str(row["beat_at"]))
        row["alive"] = (now - beat).total_seconds() <= STALE_AFTER_SECONDS
        row["in_process"] = False
        row["stalled"] = [name for name in str(row.get("stalled") or "").split(",") if name]
    return rows


def recent(moment: str | None, now: datetime | None = None) -> bool:
    """Whether an ISO time is within RECENT_ERROR_SECONDS of now."""
    if not moment:
        return False
    now = now or datetime.now(UTC)
    return (now - datetime.fromisoformat(moment)).total_seconds() <= RECENT_ERROR_SECONDS


class _Listener:
    """PostgreSQL LISTEN on the channel the library NOTIFYs on every insert: a wake-up
    call only; the follower still reads the log itself, so a lost notice costs one poll,
    and a lost connection costs nothing but a reconnection."""

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
            connect_timeout=5,
        )
        self.conn.execute(f'LISTEN "{recorder.channel_name}"')

    @classmethod
    def open(cls, store: ReadStore) -> _Listener | None:
        try:
            return cls(store)
        except Exception as e:  # poll instead; the next quiet moment tries again
            log.warning("projection_listener_unavailable", error=describe(e))
            return None

    def wait(self, timeout: float, wake: threading.Event) -> bool:
        if wake.is_set():
            wake.clear()
            return True
        for _ in self.conn.notifies(timeout=timeout, stop_after=1):
            return True
        return False

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception as e:  # already broken
            log.info("projection_listener_close_failed", error=describe(e))
