"""Where a benchmark runs: a throwaway PostgreSQL database, or a temporary directory.

Each target hands out event-store environments built the way production builds them
(`projections.settings`), one schema (PostgreSQL) or one file (SQLite) per name, and a raw
writer that inserts stored events into a plain table with the database driver alone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from projections.settings import Settings, postgres_env

# (originator_id, originator_version, topic, state): one stored event, as the log holds it
Row = tuple[uuid.UUID, int, str, bytes]

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class Unreachable(Exception):
    """The PostgreSQL server named by the URL could not be reached."""


class RawWriter(ABC):
    """INSERT + commit of stored events into a plain table, no library involved."""

    @abstractmethod
    def create(self, table: str) -> None: ...

    @abstractmethod
    def insert(self, table: str, rows: Sequence[Row], per_tx: int) -> None:
        """Insert the rows, `per_tx` rows to a transaction, committing each."""

    @abstractmethod
    def close(self) -> None: ...


class Target(ABC):
    kind: str  # "postgres" | "sqlite"
    title: str

    @abstractmethod
    def env(self, name: str) -> dict[str, str]:
        """An eventsourcing environment for a fresh, empty event store called `name`."""

    @abstractmethod
    def raw_writer(self) -> RawWriter: ...

    @abstractmethod
    def context(self) -> list[str]:
        """Lines describing the store's version and durability settings."""

    @abstractmethod
    def close(self) -> None:
        """Remove everything the target created."""


# -- PostgreSQL ---------------------------------------------------------------------------


class PostgresTarget(Target):
    kind = "postgres"
    title = "PostgreSQL"

    def __init__(self, url: str, base_env: dict[str, str], database: str) -> None:
        self.url = url
        self.base_env = base_env
        self.database = database

    @classmethod
    def create(cls, url: str) -> PostgresTarget:
        """Create a throwaway database on the server; Unreachable if there is none."""
        base_env = postgres_env(url)
        try:
            admin = _connect(base_env, base_env["POSTGRES_DBNAME"], autocommit=True)
        except psycopg.OperationalError as e:
            where = f"{base_env['POSTGRES_HOST']}:{base_env['POSTGRES_PORT']}"
            first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise Unreachable(f"{where} as {base_env['POSTGRES_USER']}: {first_line}") from e
        database = f"sishuang_bench_{uuid.uuid4().hex[:10]}"
        with admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return cls(url, base_env, database)

    def connect(self, *, autocommit: bool) -> psycopg.Connection[Any]:
        return _connect(self.base_env, self.database, autocommit=autocommit)

    def env(self, name: str) -> dict[str, str]:
        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        env = dict(self.base_env)
        env["POSTGRES_DBNAME"] = self.database
        env["POSTGRES_SCHEMA"] = name
        return env

    def raw_writer(self) -> RawWriter:
        return _PostgresRaw(self.connect(autocommit=False))

    def context(self) -> list[str]:
        with self.connect(autocommit=True) as conn:
            settings = {
                name: str(_scalar(conn, f"SHOW {name}"))
                for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
            }
        return [
            f"PostgreSQL {settings['server_version']} at "
            f"{self.base_env['POSTGRES_HOST']}:{self.base_env['POSTGRES_PORT']} "
            f"(fsync={settings['fsync']}, synchronous_commit={settings['synchronous_commit']}, "
            f"wal_sync_method={settings['wal_sync_method']}); "
            f"throwaway database {self.database}, pool size {self.base_env['POSTGRES_POOL_SIZE']}"
        ]

    def close(self) -> None:
        with _connect(self.base_env, self.base_env["POSTGRES_DBNAME"], autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )


def _connect(env: dict[str, str], dbname: str, *, autocommit: bool) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=dbname,
        autocommit=autocommit,
        connect_timeout=3,
    )


def _scalar(conn: psycopg.Connection[Any], statement: str) -> Any:
    row = conn.execute(statement.encode()).fetchone()
    return None if row is None else row[0]


class _PostgresRaw(RawWriter):
    SCHEMA = "raw"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.SCHEMA)))
        conn.commit()

    def _table(self, table: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.SCHEMA), sql.Identifier(table))

    def create(self, table: str) -> None:
        # The same columns and primary key as the library's stored_events table.
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
                " topic text, state bytea, PRIMARY KEY (originator_id, originator_version))"
            ).format(self._table(table))
        )
        self.conn.commit()

    def insert(self, table: str, rows: Sequence[Row], per_tx: int) -> None:
        statement = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)"
        ).format(self._table(table))
        conn = self.conn
        with conn.cursor() as cur:
            for i in range(0, len(rows), per_tx):
                for row in rows[i : i + per_tx]:
                    cur.execute(statement, row)
                conn.commit()

    def close(self) -> None:
        self.conn.close()


# -- SQLite -------------------------------------------------------------------------------


class SqliteTarget(Target):
    kind = "sqlite"
    title = "SQLite"

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="sishuang_bench_"))

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.sqlite3"

    def env(self, name: str) -> dict[str, str]:
        return Settings(database_url=f"sqlite:///{self.path(name)}").eventsourcing_env()

    def raw_writer(self) -> RawWriter:
        return _SqliteRaw(self.path("raw"))

    def context(self) -> list[str]:
        conn = _sqlite_connect(self.path("probe"))
        try:
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            conn.close()
        sync_name = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(synchronous, synchronous)
        return [
            f"SQLite {sqlite3.sqlite_version} (journal_mode={journal}, synchronous={sync_name}: "
            f"the library's defaults) in {self.directory} "
            f"(filesystem: {_filesystem(self.directory)})"
        ]

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    # As the library connects: autocommit mode, explicit BEGIN, WAL journal.
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


class _SqliteRaw(RawWriter):
    def __init__(self, path: Path) -> None:
        self.conn = _sqlite_connect(path)

    def create(self, table: str) -> None:
        # The same columns and primary key as the library's stored_events table.
        self.conn.execute(
            f"CREATE TABLE {table} (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )

    def insert(self, table: str, rows: Sequence[Row], per_tx: int) -> None:
        statement = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
        conn = self.conn
        for i in range(0, len(rows), per_tx):
            conn.execute("BEGIN")
            for oid, version, topic, state in rows[i : i + per_tx]:
                conn.execute(statement, (str(oid), version, topic, state))
            conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _filesystem(path: Path) -> str:
    """The filesystem type holding `path` (tmpfs would make fsync free), from /proc/mounts."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    target = os.path.realpath(path)
    best, kind = "", "unknown"
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, parts[2]
    return kind
