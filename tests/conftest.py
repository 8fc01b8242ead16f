"""Stores for the tests: an SQLite file per test, and a PostgreSQL schema per test in a
database created for the session and dropped after it.

Outside CI the PostgreSQL tests skip, saying why, when no server is reachable; with
CI=true an unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.app import create_app
from domain.application import Sishuang
from domain.clock import ManualClock
from projections.settings import Settings
from tests.builders.codes import DOMAIN_SECRET
from tests.builders.http import Api
from tests.builders.stores import (
    PG_HOST,
    PG_PASSWORD,
    PG_PORT,
    PG_USER,
    pg_env_for,
    pg_url_for,
    sqlite_env,
)
from tests.builders.world import World

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    """Every answer a test receives through a TestClient is checked against the
    published OpenAPI document (tests/contract_check.py); a breach fails that test."""
    from tests import contract_check

    original = TestClient.request

    def checked(self: TestClient, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        response = original(self, method, url, *args, **kwargs)
        if kwargs.get("stream") or not hasattr(response, "content"):
            return response
        problems = contract_check.check(
            method,
            response.request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )
        assert not problems, "the answer breaks the OpenAPI contract: " + "; ".join(problems)
        return response

    TestClient.request = checked  # type: ignore[method-assign]


def _connect(dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        password=PG_PASSWORD,
        dbname=dbname,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    try:
        admin = _connect()
    except psycopg.OperationalError as e:
        reason = f"no PostgreSQL server reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {e}"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"sishuang_test_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _connect() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_schema(pg_database: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _connect(pg_database) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with _connect(pg_database) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The event store's environment, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "events.sqlite3")
    database = request.getfixturevalue("pg_database")
    schema = request.getfixturevalue("pg_schema")
    return pg_env_for(database, schema)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Sishuang]:
    """An application on an SQLite file: for the domain rules."""
    application = Sishuang(
        sqlite_env(tmp_path / "events.sqlite3"), clock=clock, secret=DOMAIN_SECRET
    )
    yield application
    application.close()


@pytest.fixture
def world(app: Sishuang) -> World:
    return World(app)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The API over HTTP on an SQLite file, with a manual clock."""
    settings = Settings(
        data_dir=tmp_path, token_secret="test-secret-for-the-api-tests", read_wait_seconds=5.0
    )
    clock = ManualClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        yield Api(client, settings, clock)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The API over HTTP with a manual clock, once on SQLite and once on PostgreSQL."""
    url = ""
    if request.param == "postgres":
        url = pg_url_for(
            request.getfixturevalue("pg_database"), request.getfixturevalue("pg_schema")
        )
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        token_secret="test-secret-for-the-api-tests",
        read_wait_seconds=5.0,
    )
    clock = ManualClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        yield Api(client, settings, clock)
