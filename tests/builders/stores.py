"""The stores the tests run on: the PostgreSQL server's address, an event store's
environment for SQLite and for a PostgreSQL schema, an API's database URL."""

from __future__ import annotations

import os
from pathlib import Path

from projections.settings import PG_RECORDER_TOPIC

PG_HOST = os.environ.get("SISHUANG_TEST_PG_HOST", "127.0.0.1")


PG_PORT = int(os.environ.get("SISHUANG_TEST_PG_PORT", "5432"))


PG_USER = os.environ.get("SISHUANG_TEST_PG_USER", "postgres")


PG_PASSWORD = os.environ.get("SISHUANG_TEST_PG_PASSWORD", "")


def pg_env_for(database: str, schema: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": PG_HOST,
        "POSTGRES_PORT": str(PG_PORT),
        "POSTGRES_USER": PG_USER,
        "POSTGRES_PASSWORD": PG_PASSWORD,
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_LOCK_TIMEOUT": "5",
        "APPLICATION_RECORDER_TOPIC": PG_RECORDER_TOPIC,
    }


def pg_url_for(database: str, schema: str) -> str:
    auth = PG_USER + (f":{PG_PASSWORD}" if PG_PASSWORD else "")
    return f"postgresql://{auth}@{PG_HOST}:{PG_PORT}/{database}?schema={schema}"


def sqlite_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
