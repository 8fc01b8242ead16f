"""No single event, lost connection or dead thread stops the read side for good.

- An event a projection cannot apply (a value the store refuses, a handler that fails,
  a record that cannot be decoded) is set aside as a dead letter, counted in health,
  and the projection goes on; a rebuild after a fix retries it.
- The follower outlives its database connections (terminated, as in a restart or a
  failover) and resumes from its tracking position; live equals rebuilt.
- A projections thread that dies ends its process with a non-zero status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.order import Order
from projections import ReadModels, all_projections, bluegreen, needs
from projections.base import Follower, Projection, dead_letters, follower_rows, transient
from tests.builders.stores import PG_HOST, PG_PASSWORD, PG_PORT, PG_USER
from tests.builders.world import World, stored_need

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[World, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield World(app), read
    read.stop()
    app.close()


def post_need(world: World, content: str = "帮忙修水管") -> Any:
    from domain.application import NeedInput

    return world.app.post_need(
        world.staff, NeedInput(content=content, category="plumbing_electrical", requester_name="王")
    ).id


def dump_all(read: ReadModels) -> dict[str, Any]:
    return {p.name: p.dump(read.store) for p in read.projections}


def rebuilt(app: Sishuang) -> dict[str, Any]:
    """Every projection built again from the log, beside the live tables."""
    out = {}
    for projection in all_projections():
        mapping = bluegreen.renames(projection)
        copy = bluegreen.Copy(projection)
        follower = Follower(app, [copy], rename=mapping)
        follower.catch_up()
        out[projection.name] = _dump_renamed(follower, projection, mapping)
        with follower.store.ddl() as tx:
            tx.rename = mapping
            projection.drop(tx)
    return out


def _dump_renamed(follower: Follower, projection: Projection, mapping: dict[str, str]) -> Any:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with follower.store.read() as tx:
        for table in projection.tables:
            rows = tx.execute(f"SELECT * FROM {mapping[table]}").all()
            out[table] = sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)
    return out


# -- dead letters ----------------------------------------------------------------------------

BROKEN = {"yes": True}


class Fragile(Projection):
    """A projection whose handler fails on a need that says 坏, while BROKEN says so."""

    name = "rm_fragile"
    tables = ("rm_fragile",)
    ddl = ("CREATE TABLE IF NOT EXISTS rm_fragile (order_id TEXT PRIMARY KEY)",)

    def handlers(self) -> dict[type, Any]:
        def posted(tx: Any, e: Any) -> None:
            if BROKEN["yes"] and "坏" in e.content:
                raise KeyError("a handler's bug")
            tx.execute("INSERT INTO rm_fragile (order_id) VALUES (?)", (str(e.originator_id),))

        return {Order.Posted: posted}


def test_a_need_the_store_cannot_hold_is_set_aside_and_the_rest_go_on(
    live: tuple[World, ReadModels],
) -> None:
    """The NUL finding: a stored need holding U+0000 (PostgreSQL's text cannot) no
    longer wedges every read model behind it; the needs ledger sets it aside, every
    other projection and every later event goes on, health counts it."""
    world, read = live
    poison = stored_need(world, "修水管\x00x")
    later = post_need(world)
    assert read.follower is not None
    read.follower.catch_up()
    head = read.store.head()
    health = read.health()
    positions = {p["name"]: p["position"] for p in health["projections"]}
    assert set(positions.values()) == {head}, positions
    assert needs.get_order(read.store, str(later), world.app.clock.now()) is not None
    letters = dead_letters(read.store)
    if read.store.dialect == "postgres":
        assert [(d["projection"], d["originator_id"]) for d in letters] == [
            ("rm_needs", str(poison))
        ]
        assert "NUL" in letters[0]["error"]
        assert health["dead_letters"] == 1
        assert {p["name"]: p["dead_letters"] for p in health["projections"]}["rm_needs"] == 1
    else:  # SQLite's text holds NUL: nothing set aside, and the export copes (test_exports)
        assert letters == [] and health["dead_letters"] == 0


def test_a_handler_that_fails_sets_its_event_aside_until_a_rebuild_retries_it(
    live: tuple[World, ReadModels],
) -> None:
    world, _ = live
    broken = BROKEN
    broken["yes"] = True
    first = post_need(world, "一")
    bad = post_need(world, "坏了")
    last = post_need(world, "三")
    follower = Follower(world.app, [Fragile()], page_size=2)
    follower.catch_up()
    assert follower.position == follower.store.head()
    assert [d["originator_id"] for d in dead_letters(follower.store, "rm_fragile")] == [str(bad)]
    assert follower.dead_lettered == 1 and "KeyError" in (follower.last_error or "")
    with follower.store.read() as tx:
        rows = {r["order_id"] for r in tx.execute("SELECT order_id FROM rm_fragile").all()}
    assert rows == {str(first), str(last)}

    broken["yes"] = False  # the fix is deployed; the operator retries by rebuilding
    bluegreen.rebuild(world.app, Fragile())
    assert dead_letters(follower.store, "rm_fragile") == []
    with follower.store.read() as tx:
        rows = {r["order_id"] for r in tx.execute("SELECT order_id FROM rm_fragile").all()}
    assert rows == {str(first), str(bad), str(last)}


def test_a_record_that_cannot_be_decoded_is_set_aside_and_stops_the_sealer(
    live: tuple[World, ReadModels],
) -> None:
    """Every projection sets the record aside and goes on, but the sealer: its logs hold
    every event in order, so it stops there, says so in health, and holds nobody up."""
    world, read = live
    stranger = uuid4()
    world.app.recorder.insert_events(
        [StoredEvent(stranger, 1, "sishuang:NoSuchEvent", b'{"x": 1}')]
    )
    later = post_need(world)
    follower = read.follower
    assert follower is not None
    follower.catch_up()
    head = read.store.head()
    positions = read.store.positions(list(read.names))
    assert positions["rm_seal"] == head - 2  # stopped before the stranger
    assert {n for n, p in positions.items() if p == head} == set(read.names) - {"rm_seal"}
    assert follower.position == head  # commands are not held up by the stopped sealer
    letters = dead_letters(read.store)
    assert {d["projection"] for d in letters} == set(read.names) - {"rm_seal"}
    assert {d["originator_id"] for d in letters} == {str(stranger)}
    assert needs.get_order(read.store, str(later), world.app.clock.now()) is not None
    status = follower.status()
    assert status["stalled"] == ["rm_seal"] and "rm_seal stopped" in (status["last_error"] or "")


def test_the_database_state_is_waited_out_the_events_fault_is_not() -> None:
    import sqlite3

    from eventsourcing.persistence import DataError, OperationalError

    def wrapped(error: Exception, outer: type[Exception]) -> Exception:
        try:
            raise outer(str(error)) from error
        except Exception as e:
            return e

    assert transient(wrapped(sqlite3.OperationalError("database is locked"), OperationalError))
    # the database's configuration, not an event: every event would fail alike
    assert transient(wrapped(sqlite3.OperationalError("no such table: x"), OperationalError))
    assert transient(
        wrapped(sqlite3.OperationalError("database or disk is full"), OperationalError)
    )
    assert transient(
        wrapped(sqlite3.OperationalError("attempt to write a readonly database"), OperationalError)
    )
    assert transient(psycopg.errors.ReadOnlySqlTransaction("read-only transaction"))
    assert transient(psycopg.errors.InsufficientPrivilege("permission denied"))
    assert transient(psycopg.errors.UndefinedTable("relation does not exist"))
    assert transient(psycopg.errors.DiskFull("no space left"))
    assert transient(wrapped(psycopg.OperationalError("connection refused"), OperationalError))
    assert transient(psycopg.errors.AdminShutdown("terminating connection"))
    assert transient(psycopg.errors.LockNotAvailable("lock timeout"))
    assert transient(psycopg.errors.DeadlockDetected("deadlock"))
    assert not transient(psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum"))
    assert not transient(wrapped(psycopg.DataError("cannot contain NUL"), DataError))
    assert not transient(KeyError("handler bug"))
    assert not transient(psycopg.errors.UniqueViolation("duplicate key"))


# -- connections lost ----------------------------------------------------------------------


def terminate_backends(database: str) -> int:
    """What a restart or a failover does to every client: its connections end."""
    with psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        password=PG_PASSWORD,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def save_retrying(action: Any, attempts: int = 20) -> Any:
    """A client's retry: the first attempt after a restart may meet a dead connection."""
    from eventsourcing.persistence import InterfaceError, OperationalError

    for _ in range(attempts - 1):
        try:
            return action()
        except (OperationalError, InterfaceError):
            time.sleep(0.1)
    return action()


def wait_until(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.mark.postgres
def test_the_follower_outlives_its_connections_and_resumes(
    pg_database: str, pg_schema: str, clock: ManualClock
) -> None:
    from tests.builders.stores import pg_env_for

    app = Sishuang(pg_env_for(pg_database, pg_schema), clock=clock)
    read = ReadModels(app, run_projections=True, poll_interval=0.05)
    read.start()
    try:
        world = World(app)
        assert read.follower is not None
        for round_ in range(3):
            for n in range(5):
                save_retrying(lambda n=n, r=round_: post_need(world, f"第{r}轮需求{n}"))
            assert terminate_backends(pg_database) >= 1  # the follower's own, mid-stream
        head = read.store.head()
        assert wait_until(lambda: read.follower is not None and read.follower.position >= head)
        assert read.follower.alive
        health = save_retrying(read.health)
        assert health["followers"][0]["alive"] and health["dead_letters"] == 0
        assert save_retrying(lambda: dump_all(read)) == save_retrying(lambda: rebuilt(app))
    finally:
        read.stop()
        app.close()


# -- a dead thread ends the process ----------------------------------------------------------


def test_a_follower_whose_thread_dies_says_so(live: tuple[World, ReadModels]) -> None:
    world, _ = live
    deaths: list[BaseException] = []
    follower = Follower(world.app, all_projections(), on_death=deaths.append)

    def explode() -> None:
        raise SystemExit("not an Exception: run_forever cannot catch it")

    follower.run_forever = explode  # type: ignore[method-assign]
    follower.start()
    follower.join(5)
    assert not follower.alive and isinstance(follower.failure, SystemExit)
    assert deaths == [follower.failure]


DYING = """
import sys, time
from projections.base import Follower

def explode(self):
    raise SystemExit("the projections thread ends")

Follower.run_forever = explode
{body}
"""

API_BODY = """
from fastapi.testclient import TestClient
from api.app import create_app
from projections.settings import Settings
with TestClient(create_app(Settings(data_dir=__import__('pathlib').Path(sys.argv[1]),
                                    token_secret='x' * 20))):
    time.sleep(30)
print("still running")
"""

WORKER_BODY = """
from api.cli import main
sys.exit(main(["worker"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("body", [API_BODY, WORKER_BODY], ids=["api", "worker"])
def test_a_process_whose_projections_thread_dies_exits_non_zero(tmp_path: Path, body: str) -> None:
    script = tmp_path / "dying.py"
    script.write_text(textwrap.dedent(DYING.format(body=body)))
    env = {
        **os.environ,
        "SISHUANG_DATA_DIR": str(tmp_path),
        "SISHUANG_TOKEN_SECRET": "x" * 20,
        "SISHUANG_SWEEP_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr.decode()[-2000:]
    assert b"still running" not in done.stdout
    assert b"projections_thread_died" in done.stderr + done.stdout


def test_health_names_each_follower_and_projection(api: Any) -> None:
    assert wait_until(lambda: api.get("/health").json()["read_model_lag"] == 0)
    r = api.get("/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["dead_letters"] == 0
    (follower,) = body["followers"]
    assert follower["alive"] and follower["in_process"] and follower["last_error"] is None
    assert {p["name"] for p in body["projections"]} >= {"rm_needs", "rm_seal", "rm_points"}
    assert all(p["lag"] == 0 for p in body["projections"])


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_a_worker_killed_and_cut_off_resumes_where_it_stood(
    pg_database: str, pg_schema: str, clock: ManualClock, tmp_path: Path
) -> None:
    """Production shape: the projections run in `sishuang worker`. Its connections are
    terminated mid-stream (it carries on), then it is killed with SIGKILL and its
    backends terminated; a new worker resumes from the tracking positions and the read
    models equal a rebuild from the log."""
    from tests.builders.stores import pg_env_for, pg_url_for

    env = {
        **os.environ,
        "SISHUANG_DATABASE_URL": pg_url_for(pg_database, pg_schema),
        "SISHUANG_DATA_DIR": str(tmp_path),
        "SISHUANG_TOKEN_SECRET": "x" * 20,
        "SISHUANG_LOG_FORMAT": "json",
        "SISHUANG_POLL_INTERVAL_SECONDS": "0.05",
        "SISHUANG_SWEEP_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "worker.log"
    app = Sishuang(pg_env_for(pg_database, pg_schema), clock=clock)
    read = ReadModels(app, run_projections=False)
    world = World(app)
    worker = start_worker(env, log)
    try:
        for round_ in range(3):
            for n in range(10):
                save_retrying(lambda n=n, r=round_: post_need(world, f"第{r}轮需求{n}"))
            terminate_backends(pg_database)
        head = save_retrying(read.store.head)
        assert wait_until(lambda: save_retrying(read.position) >= head, 60), log.read_text()
        assert worker.poll() is None, log.read_text()[-3000:]  # still running

        worker.kill()
        worker.wait(10)
        terminate_backends(pg_database)
        for n in range(10):
            save_retrying(lambda n=n: post_need(world, f"停机期间的需求{n}"))
        worker = start_worker(env, log)
        head = save_retrying(read.store.head)
        assert wait_until(lambda: save_retrying(read.position) >= head, 60), log.read_text()
        health = save_retrying(read.health)
        assert any(f["alive"] for f in health["followers"]) and health["dead_letters"] == 0
        assert save_retrying(lambda: dump_all(read)) == save_retrying(lambda: rebuilt(app))
        # the killed worker's heartbeat stays a while (alive for 30 s, then not, then
        # forgotten); the service is not degraded for it while a live follower works
        from fastapi.testclient import TestClient

        from api.app import create_app
        from projections.settings import Settings

        settings = Settings(
            data_dir=tmp_path,
            database_url=env["SISHUANG_DATABASE_URL"],
            token_secret="x" * 20,
            run_projections=False,
        )
        with TestClient(create_app(settings)) as client:
            body = client.get("/api/v1/health").json()
        assert body["status"] == "ok", body
        assert len(body["followers"]) == 2  # the killed one's row, until it is forgotten
        assert all(f["last_error"] is None for f in body["followers"])  # not without a token
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.close()


@pytest.mark.postgres
def test_the_api_answers_again_after_its_database_connections_end(
    pg_database: str, pg_schema: str, tmp_path: Path
) -> None:
    """In-process projections (the default): after a restart cut every connection, a
    client sees at most a 503 with Retry-After, then the service answers as before and
    its projections have carried on."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from domain.clock import ManualClock
    from projections.settings import Settings
    from tests.builders.http import Api, setup_county
    from tests.builders.stores import pg_url_for

    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_url_for(pg_database, pg_schema),
        token_secret="test-secret-for-the-api-tests",
        read_wait_seconds=5.0,
        poll_interval_seconds=0.05,
    )
    with TestClient(create_app(settings, clock=ManualClock())) as client:
        api = Api(client, settings, ManualClock())
        ids = setup_county(api)
        statuses = []
        for n in range(3):
            terminate_backends(pg_database)
            for _ in range(10):
                r = api.post("/units", {"name": f"单位{n}", "member_count": 1}, api.org)
                statuses.append(r.status_code)
                if r.status_code != 503:
                    break
                assert r.headers["Retry-After"] == "1" and r.json()["code"] == "store_busy"
            assert r.status_code == 201, r.text
            assert r.headers["X-Read-Model-Consistent"] == "true"
        assert statuses.count(503) <= 3, statuses
        assert api.get(f"/communities/{ids['community']}", api.org).status_code == 200
        health = api.get("/health").json()
        assert health["followers"][0]["alive"] and health["dead_letters"] == 0


@pytest.mark.postgres
def test_a_service_starts_and_answers_on_a_store_holding_a_poison_event(
    pg_database: str,
    pg_schema: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The NUL finding as the operator met it: a fresh `serve` on that database failed at
    start-up and every command answered X-Read-Model-Consistent: false."""
    from types import SimpleNamespace

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.cli import main as cli
    from domain.actors import OPERATOR, Actor, Role
    from projections.settings import Settings
    from tests.builders.http import Api
    from tests.builders.stores import pg_env_for, pg_url_for

    app = Sishuang(pg_env_for(pg_database, pg_schema), clock=ManualClock())
    county = app.register_county(OPERATOR, name="陵川县", code="LC").id
    org = Actor(Role.ORG_DEPT, "组织部", county)
    community = app.register_community(org, name="城关社区", code="CG", grids=[("G01", "一")]).id
    place = SimpleNamespace(
        app=app,
        county_id=county,
        community_id=community,
        staff=Actor(Role.COMMUNITY_ADMIN, "社区", community),
    )
    stored_need(place, "修水管\x00x")  # type: ignore[arg-type]
    app.close()
    url = pg_url_for(pg_database, pg_schema)
    settings = Settings(data_dir=tmp_path, database_url=url, token_secret="t" * 20)
    with TestClient(create_app(settings, clock=ManualClock())) as client:
        api = Api(client, settings, ManualClock())
        r = api.post("/units", {"name": "泽州县财政局", "member_count": 2}, api.org)
        assert r.status_code == 201 and r.headers["X-Read-Model-Consistent"] == "true"
        health = api.get("/health").json()
        assert health["status"] == "degraded" and health["dead_letters"] == 1

    monkeypatch.setenv("SISHUANG_DATABASE_URL", url)
    monkeypatch.setenv("SISHUANG_DATA_DIR", str(tmp_path))
    try:
        assert cli(["dead-letters"]) == 0
        listed = capsys.readouterr().out
        assert "rm_needs" in listed and "NUL" in listed
        assert cli(["dead-letters", "retry"]) == 1  # a NUL still cannot be stored
        assert "rm_needs: 已重建" in capsys.readouterr().out
    finally:
        import structlog

        structlog.reset_defaults()  # the CLI logged to this test's captured stderr


def test_a_killed_followers_heartbeat_is_shown_then_forgotten(api: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from projections.base import FORGET_AFTER_SECONDS, STALE_AFTER_SECONDS

    services = api.client.app.state.services
    store, follower = services.read.store, services.read.follower
    now = datetime.now(UTC)
    with store.write() as tx:
        for name, age in (
            ("old:1", STALE_AFTER_SECONDS + 5),
            ("ancient:2", FORGET_AFTER_SECONDS + 5),
        ):
            beat = (now - timedelta(seconds=age)).isoformat(timespec="seconds")
            tx.execute(
                "INSERT INTO rm_followers (follower, projections, position, started_at,"
                " beat_at) VALUES (?, 'rm_needs', 1, ?, ?)",
                (name, beat, beat),
            )
    body = api.get("/health").json()
    assert body["status"] == "ok"  # the in-process follower is alive and well
    assert [f["alive"] for f in body["followers"]].count(False) == 2
    follower._heartbeat(force=True)
    with store.read() as tx:
        left = {r["follower"] for r in tx.execute("SELECT follower FROM rm_followers").all()}
    assert "old:1" in left and "ancient:2" not in left
    details = api.get("/health", api.org).json()  # 组织部 sees the names and errors
    assert any(f["follower"] == "old:1" for f in details["followers"])


def test_a_blue_green_switch_sets_aside_what_the_copy_cannot_apply(
    live: tuple[World, ReadModels],
) -> None:
    """The last events before a switch are applied in the switch's transaction: one the
    copy cannot apply is set aside there too, instead of aborting the rebuild."""
    world, _ = live
    BROKEN["yes"] = True
    first = post_need(world, "一")
    live_projection = Fragile()
    live_follower = Follower(world.app, [live_projection])
    live_follower.catch_up()
    mapping = bluegreen.renames(live_projection)
    copy = bluegreen.Copy(live_projection)
    Follower(world.app, [copy], rename=mapping).catch_up()  # the copy, up to here
    bad = post_need(world, "坏了")
    live_follower.catch_up()  # the live one sets it aside; the copy has not seen it
    store = live_follower.store
    bluegreen.switch(world.app, store, live_projection, copy, mapping)
    letters = dead_letters(store, "rm_fragile")
    assert [d["originator_id"] for d in letters] == [str(bad)]
    with store.read() as tx:
        rows = {r["order_id"] for r in tx.execute("SELECT order_id FROM rm_fragile").all()}
    assert rows == {str(first)}


def test_a_worker_with_a_stopped_sealer_holds_no_command_up(tmp_path: Path) -> None:
    """Projections in a separate worker: its heartbeat says the sealer stopped, and the
    API's commands stop waiting for it."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from projections.settings import Settings
    from tests.builders.http import Api

    settings = Settings(
        data_dir=tmp_path, token_secret="t" * 24, run_projections=False, read_wait_seconds=2.0
    )
    clock = ManualClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client, settings, clock)
        app = client.app.state.services.app  # type: ignore[attr-defined]
        worker_app = Sishuang(settings.eventsourcing_env(), clock=clock)
        worker = Follower(worker_app, all_projections(), poll_interval=0.05)
        worker.start()
        try:
            app.recorder.insert_events(
                [StoredEvent(uuid4(), 1, "sishuang:NoSuchEvent", b'{"x": 1}')]
            )
            assert wait_until(lambda: "rm_seal" in worker.stalled, 10)
            worker._heartbeat(force=True)
            started = time.monotonic()
            r = api.post("/units", {"name": "泽州县财政局", "member_count": 2}, api.org)
            assert r.status_code == 201 and r.headers["X-Read-Model-Consistent"] == "true"
            assert time.monotonic() - started < settings.read_wait_seconds
            health = api.get("/health").json()
            assert health["status"] == "degraded" and health["sealer_lag"] > 0
            assert any(f["stalled"] == ["rm_seal"] for f in health["followers"])
        finally:
            worker.stop()
            worker_app.close()


def test_a_heartbeat_table_of_an_older_shape_is_made_again(
    store_env: dict[str, str], clock: ManualClock
) -> None:
    app = Sishuang(store_env, clock=clock)
    try:
        store = ReadModels(app, run_projections=False).store
        with store.ddl() as tx:
            tx.execute("DROP TABLE rm_followers")
            tx.execute(
                "CREATE TABLE rm_followers (follower TEXT PRIMARY KEY, projections TEXT NOT NULL,"
                " position INTEGER NOT NULL, started_at TEXT NOT NULL, beat_at TEXT NOT NULL,"
                " last_error TEXT, last_error_at TEXT)"
            )
        follower = Follower(app, all_projections())
        follower._heartbeat(force=True)
        (row,) = follower_rows(store)
        assert row["stalled"] == [] and row["alive"]
    finally:
        app.close()
