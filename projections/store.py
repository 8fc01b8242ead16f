"""The read side's access to the database that holds the events.

Read models live in the same database (SQLite file or PostgreSQL schema) as the
event store, and each projection commits its rows together with its tracking
position in one transaction, through the eventsourcing library's own datastore
and tracking recorder. SQL is written once with `?` placeholders; on PostgreSQL
they become `%s` and the schema is put on the search path for the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.application import Sishuang


@lru_cache(maxsize=512)
def _to_pyformat(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


_NAMES = re.compile(r"\b(rm_[a-z0-9_]+)\b")


def renamed(sql: str, names: Mapping[str, str]) -> str:
    """The statement with the projection's table and index names replaced."""
    return _NAMES.sub(lambda m: names.get(m.group(1), m.group(1)), sql)


def like_pattern(text: str) -> str:
    """A user's search text as a LIKE pattern for "contains", its own % and _ literal."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def chunks(items: Sequence[str], size: int = 500) -> list[list[str]]:
    """Items in lists of at most `size`: what one IN (?, ?, …) list may hold."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def rows_by_key(
    tx: Tx, table: str, key: str, columns: str, ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Rows of a read-model table by key (`SELECT key, columns … WHERE key IN …`), read in
    chunks an IN list may hold."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(ids))):
        marks = ",".join("?" * len(chunk))
        for row in tx.execute(
            f"SELECT {key}, {columns} FROM {table} WHERE {key} IN ({marks})", chunk
        ).all():
            found[row[key]] = row
    return found


def contains(column: str) -> str:
    """Case-insensitive "column contains ?", the same on SQLite and PostgreSQL."""
    return f"LOWER({column}) LIKE ? ESCAPE '\\'"


class Tx:
    """One transaction: execute statements, fetch rows as dicts."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self.cursor = cursor
        self.dialect = dialect
        self.position = 0  # the log position of the event being applied (set by Follower)
        self.notification: Any = None  # its stored record, bytes as stored (the sealer's)
        # Table and index names to write under instead (a blue/green rebuild's copy).
        self.rename: dict[str, str] | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Tx:
        if self.rename:
            sql = renamed(sql, self.rename)
        if self.dialect == "postgres":
            self.cursor.execute(_to_pyformat(sql), tuple(params))
        else:
            self.cursor.execute(sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.rename:
            sql = renamed(sql, self.rename)
        if self.dialect == "postgres":
            self.cursor.executemany(_to_pyformat(sql), [tuple(r) for r in rows])
        else:
            self.cursor.executemany(sql, [tuple(r) for r in rows])

    def all(self) -> list[dict[str, Any]]:
        rows = self.cursor.fetchall()
        return [dict(r) for r in rows]

    def one(self) -> dict[str, Any] | None:
        row = self.cursor.fetchone()
        return None if row is None else dict(row)

    def scalar(self) -> Any:
        row = self.cursor.fetchone()
        if row is None:
            return None
        return next(iter(dict(row).values()))


class ReadStore:
    def __init__(self, app: Sishuang) -> None:
        self.app = app
        self.tracking: TrackingRecorder = app.factory.tracking_recorder()
        if isinstance(self.tracking, PostgresTrackingRecorder):
            self.dialect = "postgres"
            self.schema = self.tracking.datastore.schema
            self.tracking_table = self.tracking.tracking_table_name
        elif isinstance(self.tracking, SQLiteTrackingRecorder):
            self.dialect = "sqlite"
            self.schema = ""
            self.tracking_table = "tracking"
        else:  # pragma: no cover - we only configure the two
            raise TypeError(f"unsupported tracking recorder {type(self.tracking).__name__}")
        self.datastore: Any = self.tracking.datastore
        # Pipeline mode for PostgreSQL writes: off. With it on (1.5-2x faster rebuilds
        # here), psycopg 3.3.9 was seen to hand a fetch another statement's result ("the
        # last operation didn't produce records (command status: INSERT 0 1)") and to lose
        # track of its prepared statements on pooled connections; a read model must not
        # risk that. Batched statements (executemany) still pipeline inside psycopg.
        self.pipeline = False

    @contextmanager
    def _transaction(self, *, commit: bool, pipeline: bool = True) -> Iterator[Tx]:
        with self.datastore.transaction(commit=commit) as cursor:
            tx = Tx(cursor, self.dialect)
            if self.dialect != "postgres":
                yield tx
                return
            tx.execute(f'SET LOCAL search_path TO "{self.schema}"')
            if not (commit and pipeline and self.pipeline):
                yield tx
                return
            # Writes go out in pipeline mode: statements are sent without waiting for
            # each answer (a fetch, or the end, syncs), so a page of small INSERTs and
            # UPDATEs is not one network round trip each.
            with cursor.connection.pipeline():
                yield tx

    def write(self) -> Any:
        return self._transaction(commit=True)

    def ddl(self) -> Any:
        """A write that creates or drops tables: never in pipeline mode. (psycopg forgets
        its prepared statements when it sees a DROP; in a pipeline that bookkeeping can
        fall out of step with the server's, and a later prepared statement on the same
        pooled connection fails with "prepared statement does not exist".)"""
        return self._transaction(commit=True, pipeline=False)

    def read(self) -> Any:
        return self._transaction(commit=False)

    # -- tracking ---------------------------------------------------------------------

    def record_position(self, tx: Tx, name: str, notification_id: int) -> None:
        """Advance a projection's tracking row in the same transaction as its rows.

        The library refuses to move a position backwards or to repeat it (it raises
        IntegrityError), which is what makes two followers of one projection safe:
        the second one's whole transaction rolls back.
        """
        self.tracking._insert_tracking(  # type: ignore[attr-defined]
            tx.cursor, Tracking(name, notification_id)
        )

    def forget_position(self, tx: Tx, name: str) -> None:
        """Back to the start of the log: the row stays (at 0) so it can be locked."""
        tx.execute(f"DELETE FROM {self.tracking_table} WHERE application_name = ?", (name,))
        self.ensure_position(tx, name)

    def ensure_position(self, tx: Tx, name: str) -> None:
        tx.execute(
            f"INSERT INTO {self.tracking_table} (application_name, notification_id)"
            " VALUES (?, 0) ON CONFLICT (application_name) DO NOTHING",
            (name,),
        )

    def claim_position(self, tx: Tx, name: str, expected: int) -> bool:
        """Lock this projection's tracking row for the transaction and check it still
        stands where this follower read it. False: another follower moved it first.

        The lock is what tells a lost race from a handler's own error: a follower that
        gets past here is the only one writing this projection until it commits."""
        if self.dialect == "postgres":
            tx.execute(
                f"SELECT notification_id FROM {self.tracking_table}"
                " WHERE application_name = ? FOR UPDATE",
                (name,),
            )
        else:
            # SQLite: a write takes the database's write lock for the transaction.
            tx.execute(
                f"UPDATE {self.tracking_table} SET notification_id = notification_id"
                " WHERE application_name = ?",
                (name,),
            )
            tx.execute(
                f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = ?",
                (name,),
            )
        current = tx.scalar()
        return int(current or 0) == expected

    def positions(self, names: Sequence[str]) -> dict[str, int]:
        if not names:
            return {}
        marks = ",".join("?" * len(names))
        with self.read() as tx:
            rows = tx.execute(
                f"SELECT application_name, notification_id FROM {self.tracking_table} "
                f"WHERE application_name IN ({marks})",
                list(names),
            ).all()
        found = {r["application_name"]: int(r["notification_id"]) for r in rows}
        return {name: found.get(name, 0) for name in names}

    def recover(self) -> None:
        """After a connection error: test the pooled connections now and replace the
        broken ones, so that the next statements do not meet them one by one (after a
        restart every pooled connection is dead; the pool only learns it on use)."""
        if self.dialect != "postgres":
            return
        try:
            self.datastore.pool.check()
        except Exception:  # the server may still be away: the next attempt tells
            return

    def head(self) -> int:
        """The highest notification id in the log (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0


@contextmanager
def schema_lock(env: Mapping[str, str]) -> Iterator[None]:
    """Serialise start-up table creation between processes on one PostgreSQL database.

    `CREATE TABLE IF NOT EXISTS` is not safe when several processes (uvicorn workers,
    a projection worker) run it at the same moment: one of them can fail on a unique
    violation in the catalogue. A session advisory lock makes them take turns. SQLite
    needs nothing: its DDL runs under the file's write lock.
    """
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        yield
        return
    import psycopg

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env.get("POSTGRES_HOST", "127.0.0.1"),
        port=env.get("POSTGRES_PORT", "5432"),
        user=env.get("POSTGRES_USER", "postgres"),
        password=env.get("POSTGRES_PASSWORD", ""),
        autocommit=True,
        connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "5") or 5),
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('sishuang:create-tables'))")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('sishuang:create-tables'))")
