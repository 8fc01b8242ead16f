"""The delivery worker against a real local HTTP receiver (http.server in a thread of
the test process): the request it sends (template, parameters, signature), retries
after the receiver fails or refuses, quiet hours, a timeout in doubt, and no duplicate
after a worker process is killed with SIGKILL mid-send."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest

from api.delivery.gateway import HttpGateway
from api.delivery.worker import DeliveryWorker, computers_for
from domain.actors import OPERATOR
from domain.application import Sishuang
from domain.calendar import BEIJING
from domain.clock import ManualClock, SystemClock
from domain.delivery import DeliveryStatus
from domain.messages import phone_key
from domain.phone_check import code_for
from domain.policies import DEFAULT_POLICY
from projections import ReadModels, outbox
from projections.settings import Settings
from tests.builders.stores import sqlite_env
from tests.builders.world import World

ROOT = Path(__file__).resolve().parents[2]
KEY_ID, SECRET = "test-key", "test-secret-0123456789"
TEMPLATES = {"registration_approved": "SMS_100", "dispatched": "SMS_200"}


class Receiver:
    """A provider's send-SMS endpoint: records every request; answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[str] = []  # "ok" (default), "500", "hold"
        self.got = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                receiver.got.set()
                how = receiver.answers.pop(0) if receiver.answers else "ok"
                if how == "hold":
                    receiver.release.wait(30)
                    return  # the client has gone: nothing to answer
                status = 500 if how == "500" else 200
                answer = orjson.dumps(
                    {"code": "OK", "message_id": f"m-{len(receiver.requests)}"}
                    if status == 200
                    else {"code": "InternalError"}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send?v=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def gateway(url: str, *, timeout: float = 5.0) -> HttpGateway:
    return HttpGateway(url, "四双平台", KEY_ID, SECRET, TEMPLATES, 2.0, timeout)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/sms/send"


class Scene:
    """A county with one approved member: one SMS (registration approved) to send."""

    def __init__(self, app: Sishuang) -> None:
        self.app = app
        self.world = World(app)
        self.read = ReadModels(app, run_projections=True)
        self.member_id = self.world.register(name="张伟", phone="13800001234")
        app.review_member(self.world.staff, self.member_id, approve=True)
        self.catch_up()

    def catch_up(self) -> None:
        assert self.read.follower is not None
        self.read.follower.catch_up()

    def worker(self, gw: HttpGateway, name: str = "w1") -> DeliveryWorker:
        return DeliveryWorker(self.app, self.read.store, gw, worker_id=name)

    def delivery(self) -> dict[str, Any]:
        with self.read.store.read() as tx:
            rows = tx.execute("SELECT * FROM rm_msg_deliveries").all()
        assert len(rows) == 1
        return rows[0]

    def status(self) -> DeliveryStatus:
        return self.app.delivery(UUID(self.delivery()["delivery_id"])).status


def daytime(clock: ManualClock) -> None:
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING))


def test_an_sms_reaches_the_provider_with_its_template_parameters_and_signature(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    assert scene.worker(gateway(receiver.url)).run_once() == {"sent": 1}
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = orjson.loads(request["body"])
    delivery = scene.delivery()
    assert body == {
        "phone": "13800001234",
        "sign_name": "四双平台",
        "template_id": "SMS_100",
        "params": {"community": "锦绣社区"},
        "out_id": delivery["delivery_id"],
    }
    headers = request["headers"]
    assert headers["X-Sms-Key-Id"] == KEY_ID
    assert headers["X-Sms-Timestamp"] == str(int(clock.now().timestamp()))
    assert headers["X-Sms-Nonce"] == f"{delivery['delivery_id']}.1"
    signed = "\n".join(
        [
            "POST",
            "/sms/send?v=1",
            headers["X-Sms-Timestamp"],
            headers["X-Sms-Nonce"],
            hashlib.sha256(request["body"]).hexdigest(),
        ]
    )
    expected = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Sms-Signature"], expected)
    scene.catch_up()
    assert scene.delivery()["status"] == "sent" and scene.delivery()["provider_ref"] == "m-1"
    assert scene.worker(gateway(receiver.url)).run_once() == {}  # nothing due: sent once


def test_a_provider_error_is_retried_after_the_back_off(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    receiver.answers = ["500"]
    worker = scene.worker(gateway(receiver.url))
    assert worker.run_once() == {"failed": 1}
    scene.catch_up()
    row = scene.delivery()
    assert row["status"] == "failed" and "http 500" in row["last_error"]
    assert worker.run_once() == {}  # not due before the back-off
    clock.advance(timedelta(seconds=DEFAULT_POLICY.delivery_backoff_seconds))
    assert worker.run_once() == {"sent": 1}
    nonces = [r["headers"]["X-Sms-Nonce"] for r in receiver.requests]
    assert [n.rsplit(".", 1)[1] for n in nonces] == ["1", "2"]
    assert {orjson.loads(r["body"])["out_id"] for r in receiver.requests} == {row["delivery_id"]}


def test_a_refused_connection_is_retried_and_given_up_after_the_last_attempt(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    refused = scene.worker(gateway(closed_port_url()))
    outcomes = []
    for _ in range(DEFAULT_POLICY.delivery_max_attempts):
        outcomes.append(refused.run_once())
        scene.catch_up()
        clock.advance(timedelta(seconds=DEFAULT_POLICY.delivery_backoff_max_seconds))
    assert outcomes[:-1] == [{"failed": 1}] * (DEFAULT_POLICY.delivery_max_attempts - 1)
    assert outcomes[-1] == {"gave_up": 1}
    assert "connect" in scene.delivery()["last_error"]
    assert scene.worker(gateway(receiver.url)).run_once() == {}
    assert receiver.requests == []


def test_quiet_hours_defer_an_sms_to_the_morning(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=BEIJING))
    scene = Scene(app)
    worker = scene.worker(gateway(receiver.url))
    assert worker.run_once() == {"deferred": 1}
    scene.catch_up()
    assert (
        scene.delivery()["next_attempt_at"]
        == datetime(2026, 3, 3, 8, 0, tzinfo=BEIJING).astimezone(UTC).isoformat()
    )
    clock.set(datetime(2026, 3, 3, 7, 59, tzinfo=BEIJING))
    assert worker.run_once() == {}
    assert receiver.requests == []
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=BEIJING))
    assert worker.run_once() == {"sent": 1}


def test_a_timeout_after_sending_is_in_doubt_and_never_sent_again(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    receiver.answers = ["hold"]
    assert scene.worker(gateway(receiver.url, timeout=0.5)).run_once() == {"in_doubt": 1}
    receiver.release.set()
    scene.catch_up()
    assert scene.delivery()["status"] == "in_doubt"
    clock.advance(timedelta(days=1))
    assert scene.worker(gateway(receiver.url), "w2").run_once() == {}
    assert len(receiver.requests) == 1


SIGN_IN_SETTINGS = Settings(token_secret="a-test-secret-of-32-characters!!")


def sign_in_code(scene: Scene, phone: str = "13900009999") -> tuple[str, str]:
    """A phone asks for a sign-in code (PhoneCheck.CodeSent); the outbox makes its SMS.
    Returns the delivery's id and the code the person must receive."""
    scene.app.request_phone_code(phone, "203.0.113.7")
    scene.catch_up()
    with scene.read.store.read() as tx:
        row = tx.execute(
            "SELECT d.delivery_id, m.params FROM rm_msg_deliveries d"
            " JOIN rm_msg_messages m ON m.message_id = d.message_id"
            " WHERE d.kind = 'sign_in_code' AND d.recipient = ?",
            (phone_key(phone),),
        ).one()
    assert row is not None, "the outbox made no SMS of the code"
    nonce = orjson.loads(row["params"])["nonce"]
    return str(row["delivery_id"]), code_for(SIGN_IN_SETTINGS.secret(), nonce)


def test_a_sign_in_code_reaches_the_phone_at_night_and_is_never_stored(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=BEIJING))  # urgent: sent in quiet hours
    scene = Scene(app)
    sign_in, code = sign_in_code(scene)
    templates = {**TEMPLATES, "sign_in_code": "SMS_900"}
    gw = HttpGateway(receiver.url, "四双平台", KEY_ID, SECRET, templates, 2.0, 5.0)
    worker = DeliveryWorker(
        app, scene.read.store, gw, worker_id="w1", computers=computers_for(SIGN_IN_SETTINGS)
    )
    assert worker.run_once() == {"sent": 1, "deferred": 1}
    body = orjson.loads(receiver.requests[0]["body"])
    assert body["phone"] == "13900009999" and body["template_id"] == "SMS_900"
    assert body["params"] == {"code": code, "minutes": "5"}
    assert app.delivery(UUID(sign_in)).status is DeliveryStatus.SENT
    scene.catch_up()
    with scene.read.store.read() as tx:
        for table in ("rm_msg_messages", "rm_msg_deliveries"):
            assert code not in str(tx.execute(f"SELECT * FROM {table}").all())


def test_a_sign_in_code_no_longer_valid_is_not_sent(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    sign_in, _ = sign_in_code(scene)
    clock.advance(timedelta(minutes=5))  # the code's validity (LIMITS.phone_code_valid_minutes)
    worker = DeliveryWorker(
        app, scene.read.store, gateway(receiver.url), computers=computers_for(SIGN_IN_SETTINGS)
    )
    assert worker.run_once() == {"expired": 1, "sent": 1}
    assert app.delivery(UUID(sign_in)).status is DeliveryStatus.EXPIRED
    assert len(receiver.requests) == 1  # only the other message's


def test_a_computed_parameter_without_its_computer_is_a_definite_failure(
    app: Sishuang, clock: ManualClock, receiver: Receiver
) -> None:
    daytime(clock)
    scene = Scene(app)
    sign_in, _ = sign_in_code(scene)
    assert scene.worker(gateway(receiver.url)).run_once() == {"failed": 1, "sent": 1}
    assert "no_computer" in app.delivery(UUID(sign_in)).last_error
    assert len(receiver.requests) == 1  # only the other message's


# -- a worker process killed mid-send ---------------------------------------------------------


def worker_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.delivery"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


@pytest.mark.slow
def test_no_duplicate_sms_after_a_worker_is_killed_mid_send(
    tmp_path: Path, receiver: Receiver
) -> None:
    store = tmp_path / "events.sqlite3"
    app = Sishuang(sqlite_env(store), clock=SystemClock())
    try:
        scene = Scene(app)
        lease = 2
        app.change_policy(
            OPERATOR,
            scene.world.county_id,
            {"delivery_lease_seconds": lease, "sms_quiet_start_hour": 0, "sms_quiet_end_hour": 0},
            "测试：短租约，不设免打扰",
        )
        scene.catch_up()
        env = {
            **os.environ,
            "SISHUANG_DATABASE_URL": f"sqlite:///{store}",
            "SISHUANG_DATA_DIR": str(tmp_path / "data"),
            "SISHUANG_TOKEN_SECRET": "t" * 24,
            "SISHUANG_SMS_URL": receiver.url,
            "SISHUANG_SMS_SIGN_NAME": "四双平台",
            "SISHUANG_SMS_ACCESS_KEY_ID": KEY_ID,
            "SISHUANG_SMS_ACCESS_KEY_SECRET": SECRET,
            "SISHUANG_SMS_TEMPLATES": ",".join(f"{k}={v}" for k, v in TEMPLATES.items()),
            "SISHUANG_SMS_TIMEOUT": "60",
            "SISHUANG_DELIVERY_SECONDS": "0.2",
            "SISHUANG_SWEEP_SECONDS": "0",
            "SISHUANG_LOG_FORMAT": "json",
        }
        receiver.answers = ["hold"]
        first = worker_process(env, tmp_path / "first.log")
        try:
            assert receiver.got.wait(60), (tmp_path / "first.log").read_text()
            assert scene.status() is DeliveryStatus.CLAIMED
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        receiver.release.set()
        second = worker_process(env, tmp_path / "second.log")
        try:
            deadline = time.monotonic() + 60
            while scene.status() is not DeliveryStatus.IN_DOUBT:
                assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
                assert second.poll() is None, (tmp_path / "second.log").read_text()
                time.sleep(0.2)
            time.sleep(lease + 1)  # more rounds: still nothing sent again
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
        assert len(receiver.requests) == 1
        scene.catch_up()
        row = scene.delivery()
        assert row["status"] == "in_doubt" and row["last_error"] == "lease_expired"
        problems = outbox.community_deliveries(
            scene.read.store,
            str(scene.world.community_id),
            statuses=["in_doubt"],
            page=1,
            page_size=10,
        )
        assert problems["total"] == 1
    finally:
        app.close()
