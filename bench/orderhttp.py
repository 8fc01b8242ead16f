"""The order loop over real HTTP: the API served by uvicorn in a subprocess, driven by
httpx clients in threads, so every command pays for HTTP, JSON, the bearer token, the
command itself and the read-after-write wait before its answer.

The county, the community, the unit, one approved member and one resident per client
thread are set up through the domain service directly, in the same store, before the
server starts; tokens are issued with the server's secret. Two photos are uploaded
once and attached to every order (from the second order on, the ledger flags them as
duplicates: that is expected here).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import httpx

from api.tokens import issue
from bench.workload import World, build_world, phone
from domain.actors import PUBLIC, Actor, Role
from domain.application import Sishuang
from domain.clock import SystemClock
from projections.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-" + "x" * 20
STEPS = ("post", "apply", "dispatch", "accept", "check_in", "photo", "claim", "rate")
COMMANDS_PER_ORDER = 9  # the photo step runs twice
# Claimed hours must be a whole number of the county's hours_step (the bench sets the
# finest, 0.01 h) and at most the time since check-in (wall clock, on the server): each
# client checks in on all its orders, then every client waits until 0.01 h (36 s) has
# passed since the last check-in, untimed, and claims and rates them all.
HOURS_STEP = "0.01"
CLAIM_HOURS = HOURS_STEP
CLAIM_WAIT = 36.5  # seconds: 0.01 h and a margin
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 16
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16
PLACE, NEAR = ("35.4901", "112.8512"), ("35.4905", "112.8515")


class ServerFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Person:
    """One client thread's people: a member and a resident, with their tokens."""

    member_id: uuid.UUID
    member: dict[str, str]
    resident: dict[str, str]


@dataclass
class Run:
    """One timed batch of order loops at one concurrency."""

    threads: int
    orders: int
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    stale: int = 0  # answers given before the read models caught up (X-Read-Model-Consistent)
    claim_retries: int = 0

    @property
    def commands(self) -> int:
        return self.orders * COMMANDS_PER_ORDER

    @property
    def commands_per_s(self) -> float:
        return self.commands / self.seconds if self.seconds > 0 else float("inf")

    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Loop:
    """The store set up for the loop, the server over it, and the clients."""

    def __init__(self, database_url: str, clients: int) -> None:
        self.database_url = database_url
        self.data_dir = Path(tempfile.mkdtemp(prefix="sishuang_bench_http_"))
        self.settings = Settings(
            data_dir=self.data_dir, database_url=database_url, token_secret=SECRET
        )
        self.secret = self.settings.secret()
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.command: list[str] = []
        self.world, self.staff, self.people = self._set_up(clients)
        self.photos: tuple[str, str] = ("", "")

    # -- the store, through the domain service ---------------------------------------

    def _token(self, role: Role, subject: str, scope: uuid.UUID) -> dict[str, str]:
        now = SystemClock().now()
        return _bearer(issue(self.secret, role=role, subject=subject, scope_id=scope, now=now))

    def _set_up(self, clients: int) -> tuple[World, dict[str, str], list[Person]]:
        app = Sishuang(self.settings.eventsourcing_env(), clock=SystemClock())
        try:
            world = build_world(app)
            org = Actor(Role.ORG_DEPT, "组织部-基准", world.county_id)
            app.change_policy(
                org, world.county_id, {"hours_step": HOURS_STEP}, "基准：最细的时长单位"
            )
            staff_actor = Actor(Role.COMMUNITY_ADMIN, "社区-基准", world.community_id)
            people = []
            for k in range(clients):
                member_id = app.register_member(
                    PUBLIC,
                    unit_id=world.unit_id,
                    community_id=world.community_id,
                    basis="paired",
                    name=f"党员{k}",
                    phone=phone(700_000_000 + k),
                    post="科员",
                    grid_code=world.grid_code,
                ).id
                app.review_member(staff_actor, member_id, approve=True)
                resident_id = app.register_resident(
                    PUBLIC,
                    community_id=world.community_id,
                    name=f"居民{k}",
                    phone=phone(710_000_000 + k),
                    grid_code=world.grid_code,
                ).id
                people.append(
                    Person(
                        member_id,
                        self._token(Role.MEMBER, str(member_id), member_id),
                        self._token(Role.RESIDENT, str(resident_id), world.community_id),
                    )
                )
        finally:
            app.close()
        staff = self._token(Role.COMMUNITY_ADMIN, "社区-基准", world.community_id)
        return world, staff, people

    # -- the server --------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(
            SISHUANG_DATABASE_URL=self.database_url,
            SISHUANG_TOKEN_SECRET=SECRET,
            SISHUANG_DATA_DIR=str(self.data_dir),
            SISHUANG_LOG_LEVEL="warning",
            SISHUANG_LOG_FORMAT="json",
        )
        log = (self.data_dir / "server.log").open("wb")
        self.command = ["-m", "api.cli", "serve", "--port", str(port)]
        self.process = subprocess.Popen(
            [sys.executable, *self.command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"the server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=1.0).status_code == 200:
                    self._upload_photos()
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise ServerFailed(f"the server did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self, lines: int = 30) -> str:
        path = self.data_dir / "server.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def _upload_photos(self) -> None:
        digests = []
        with httpx.Client(base_url=self.base_url, timeout=30.0) as client:
            for data, media in ((JPEG, "image/jpeg"), (PNG, "image/png")):
                r = client.post(
                    "/api/v1/photos",
                    content=data,
                    headers={**self.people[0].member, "Content-Type": media},
                )
                _expect(r, 201, "photo upload")
                digests.append(r.json()["sha256"])
        self.photos = (digests[0], digests[1])

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- the clients -------------------------------------------------------------------

    def run(self, threads: int, orders: int) -> Run:
        """`orders` order loops shared among `threads` clients, each its own member and
        resident on its own connection: every client takes its orders up to the check-in
        and photos, all wait (untimed) until the claimed hours have passed, then every
        client claims and rates its orders. Wall time: both timed phases, common start to
        the last client, the wait between them left out."""
        if threads > len(self.people):
            raise ValueError(f"set up for {len(self.people)} clients, asked for {threads}")
        run = Run(threads, orders)
        shares = [orders // threads + (1 if t < orders % threads else 0) for t in range(threads)]
        start, middle, resume = (threading.Barrier(threads + 1) for _ in range(3))
        lock = threading.Lock()
        errors: list[BaseException] = []

        def client(t: int) -> None:
            local = Run(threads, shares[t])
            try:
                with httpx.Client(base_url=self.base_url, timeout=30.0) as http:
                    start.wait()
                    begun = [
                        self._begin_order(http, self.people[t], local) for _ in range(shares[t])
                    ]
                    middle.wait()
                    resume.wait()
                    for need in begun:
                        self._finish_order(http, need, self.people[t], local)
            except BaseException as e:
                errors.append(e)
                for barrier in (start, middle, resume):
                    barrier.abort()
            with lock:
                for step, values in local.latencies.items():
                    run.latencies[step].extend(values)
                run.stale += local.stale
                run.claim_retries += local.claim_retries

        workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait()
            started = perf_counter()
            middle.wait()
            first = perf_counter() - started
            time.sleep(CLAIM_WAIT)
            resume.wait()
        resumed = perf_counter()
        for w in workers:
            w.join()
        run.seconds = first + perf_counter() - resumed
        if errors:
            raise errors[0]
        return run

    @staticmethod
    def _post(
        http: httpx.Client,
        run: Run,
        step: str,
        path: str,
        body: dict[str, Any],
        auth: dict[str, str],
    ) -> Any:
        began = perf_counter()
        r = http.post(f"/api/v1{path}", json=body, headers=auth)
        run.latencies[step].append(perf_counter() - began)
        if r.headers.get("X-Read-Model-Consistent") == "false":
            run.stale += 1
        return r

    def _begin_order(self, http: httpx.Client, who: Person, run: Run) -> str:
        """Post a need, apply, dispatch, accept, check in, attach the photos: its path."""

        def post(step: str, path: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
            return self._post(http, run, step, path, body, auth)

        r = post(
            "post",
            "/needs",
            {
                "content": "楼道灯坏了，晚上看不见",
                "category": "plumbing_electrical",
                "urgency": "urgent",
                "people_affected": 12,
                "grid_code": self.world.grid_code,
                "lat": PLACE[0],
                "lon": PLACE[1],
            },
            who.resident,
        )
        _expect(r, 201, "post need")
        need = f"/needs/{r.json()['order_id']}"
        _expect(post("apply", f"{need}/applications", {"note": "我来"}, who.member), 200, "apply")
        r = post("dispatch", f"{need}/dispatch", {"member_id": str(who.member_id)}, self.staff)
        _expect(r, 200, "dispatch")
        _expect(post("accept", f"{need}/accept", {}, who.member), 200, "accept")
        r = post("check_in", f"{need}/check-in", {"lat": NEAR[0], "lon": NEAR[1]}, who.member)
        _expect(r, 200, "check in")
        for digest, kind in zip(self.photos, ("before", "after"), strict=True):
            r = post("photo", f"{need}/photos", {"sha256": digest, "kind": kind}, who.member)
            _expect(r, 200, "attach photo")
        return need

    def _finish_order(self, http: httpx.Client, need: str, who: Person, run: Run) -> None:
        """Claim the hours and rate: the order closes."""

        def post(step: str, path: str, body: dict[str, Any], auth: dict[str, str]) -> Any:
            return self._post(http, run, step, path, body, auth)

        body = {"hours": CLAIM_HOURS, "note": "已换灯"}
        r = post("claim", f"{need}/claim", body, who.member)
        while r.status_code == 422 and r.json().get("code") == "hours_out_of_range":
            run.claim_retries += 1  # not enough wall-clock time since check-in yet
            time.sleep(0.005)
            r = post("claim", f"{need}/claim", body, who.member)
        _expect(r, 200, "claim")
        r = post(
            "rate", f"{need}/rating", {"stars": 5, "comment": "谢谢", "solved": "yes"}, who.resident
        )
        _expect(r, 200, "rate")


def _expect(r: httpx.Response, status: int, what: str) -> None:
    if r.status_code != status:
        raise ServerFailed(f"{what}: HTTP {r.status_code}, expected {status}: {r.text[:500]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
