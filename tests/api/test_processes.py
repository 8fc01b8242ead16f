"""Production shape on PostgreSQL: two API processes with projections off and one
projection worker, all on one database, agree with each other; a write through one
API is visible through the other when the command returns."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.tokens import issue
from domain.actors import OPERATOR, Role
from domain.application import Sishuang
from domain.clock import SystemClock
from tests.builders.codes import current_code
from tests.builders.stores import pg_env_for, pg_url_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SECRET = "processes-test-secret"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture
def cluster(pg_database: str, pg_schema: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    env = {
        **os.environ,
        "SISHUANG_DATABASE_URL": pg_url_for(pg_database, pg_schema),
        "SISHUANG_TOKEN_SECRET": SECRET,
        "SISHUANG_DATA_DIR": str(tmp_path),
        "SISHUANG_LOG_FORMAT": "json",
        "SISHUANG_LOG_LEVEL": "warning",
        "SISHUANG_READ_WAIT_SECONDS": "10",
        "SISHUANG_POLL_INTERVAL_SECONDS": "0.5",
    }
    # No tables yet: the three processes create them at the same moment, as a
    # deployment's processes do.
    logs = [tmp_path / f"process-{i}.log" for i in range(3)]
    procs: list[subprocess.Popen[bytes]] = []
    ports = [free_port(), free_port()]
    try:
        for n, port in enumerate(ports):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "api.cli",
                        "serve",
                        "--no-projections",
                        "--port",
                        str(port),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=logs[n].open("wb"),
                )
            )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=logs[2].open("wb"),
            )
        )
        urls = [f"http://127.0.0.1:{p}/api/v1" for p in ports]
        for url, proc, log in zip(urls, procs, logs, strict=False):
            try:
                wait_ready(url + "/health", proc)
            except (RuntimeError, TimeoutError) as e:
                raise AssertionError(f"{e}; its log:\n{log.read_text()[-3000:]}") from None
        yield {"urls": urls, "env": pg_env_for(pg_database, pg_schema), "worker": procs[-1]}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_two_api_processes_and_one_worker_agree(cluster: dict[str, Any]) -> None:
    app = Sishuang(cluster["env"], clock=SystemClock())
    county_id = app.register_county(OPERATOR, name="泽州县", code="ZZ").id
    app.close()
    now = SystemClock().now()
    org = {
        "Authorization": "Bearer "
        + issue(SECRET.encode(), role=Role.ORG_DEPT, subject="组织部", scope_id=county_id, now=now)
    }
    a, b = (httpx.Client(base_url=u, timeout=20.0) for u in cluster["urls"])

    health = a.get("/health").json()
    assert health["store"] == "postgres" and health["projections_in_process"] is False

    r = a.post(
        "/communities",
        json={"name": "锦绣社区", "code": "JX", "grids": [{"code": "G01", "name": "第一网格"}]},
        headers=org,
    )
    assert r.status_code == 201, r.text
    assert r.headers["X-Read-Model-Consistent"] == "true"
    community = r.json()["community_id"]
    r = b.post("/units", json={"name": "泽州县财政局", "member_count": 2}, headers=org)
    unit = r.json()["unit_id"]
    assert (
        a.post(f"/units/{unit}/pairings", json={"community_id": community}, headers=org).status_code
        == 201
    )

    member_ids = []
    reader = Sishuang(cluster["env"], clock=SystemClock())
    for i, client in enumerate([a, b, a, b]):
        # the phone proven first (issue 14): a code asked of one process, used at the other
        phone = f"1380000000{i}"
        assert client.post("/auth/phone-codes", json={"phone": phone}).status_code == 200
        code = current_code(reader, phone, SECRET.encode())
        other = b if client is a else a
        r = other.post("/auth/phone-sign-in", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.text
        proven = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post(
            "/registrations",
            headers=proven,
            json={
                "unit_id": unit,
                "community_id": community,
                "basis": "paired",
                "name": f"党员{i}",
                "phone": f"1380000000{i}",
                "post": "科员",
            },
        )
        assert r.status_code == 201, r.text
        member_ids.append(r.json()["member_id"])
    reader.close()

    staff = {
        "Authorization": "Bearer "
        + issue(
            SECRET.encode(),
            role=Role.COMMUNITY_ADMIN,
            subject="社区",
            scope_id=UUID(community),
            now=now,
        )
    }
    # Approved through one process, read at once through the other.
    r = b.post(f"/members/{member_ids[0]}/review", json={"decision": "approve"}, headers=staff)
    assert r.status_code == 200 and r.headers["X-Read-Model-Consistent"] == "true"
    assert a.get(f"/members/{member_ids[0]}", headers=org).json()["status"] == "approved"

    progress_a = a.get(f"/counties/{county_id}/progress", headers=org).json()
    progress_b = b.get(f"/counties/{county_id}/progress", headers=org).json()
    assert progress_a == progress_b
    assert progress_a["totals"]["registered"] == 4 and progress_a["totals"]["approved"] == 1
    assert a.get("/health").json()["read_model_lag"] == 0
    assert cluster["worker"].poll() is None
