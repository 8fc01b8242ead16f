"""The delivery worker: picks due deliveries from the outbox, claims each by a command
(only one worker wins), sends it through the gateway, records the outcome. Runs as a
thread in the projecting API process (like api.sweeper) or as its own process
(`sishuang deliver`, `python -m api.delivery`).

At most once per channel: a delivery is sent only by the worker whose claim was
recorded; a claim whose worker died mid-send runs out and is recorded in doubt, never
sent again; a timeout after the request went out is in doubt too.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from uuid import UUID, uuid4

import structlog

from api.delivery.gateway import DefiniteFailure, Doubtful, Gateway, HttpGateway, LogSink, Sms
from domain.application import Sishuang
from domain.delivery import DeliveryFacts, DeliveryStatus
from domain.errors import Conflict, NotFound
from domain.message_commands import delivery_actor
from domain.messages import CATALOGUE, Channel, MessageKind, render
from domain.phone_check import code_for
from projections import outbox
from projections.settings import Settings
from projections.store import ReadStore

log = structlog.get_logger("delivery")

# Parameters computed at send time, by kind: the stored parameters in, the computed out
# (a sign-in code from its nonce: never stored in a read model or an event).
Computers = Mapping[str, Callable[[Mapping[str, str]], Mapping[str, str]]]


def gateway_from(settings: Settings) -> Gateway:
    """The HTTP adapter when SISHUANG_SMS_URL is set, else the log sink."""
    if not settings.sms_url:
        return LogSink()
    return HttpGateway(
        url=settings.sms_url,
        sign_name=settings.sms_sign_name,
        access_key_id=settings.sms_access_key_id,
        access_key_secret=settings.sms_access_key_secret,
        templates=dict(settings.sms_templates),
        connect_timeout=settings.sms_connect_timeout_seconds,
        timeout=settings.sms_timeout_seconds,
    )


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"


class DeliveryWorker:
    def __init__(
        self,
        app: Sishuang,
        store: ReadStore,
        gateway: Gateway,
        *,
        worker_id: str | None = None,
        batch: int = 50,
        computers: Computers | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.gateway = gateway
        self.worker_id = worker_id or new_worker_id()
        self.actor = delivery_actor(self.worker_id)
        self.batch = batch
        self.computers = dict(computers or {})

    def run_once(self) -> dict[str, int]:
        """One round over the due deliveries; the counts of what each came to."""
        counts: dict[str, int] = {}
        for row in outbox.due_deliveries(self.store, self.app.clock.now(), self.batch):
            what = self._one(row)
            counts[what] = counts.get(what, 0) + 1
        if counts:
            log.info("delivery_round", worker=self.worker_id, **counts)
        return counts

    def _one(self, row: Mapping[str, object]) -> str:
        facts = DeliveryFacts(
            message_id=UUID(str(row["message_id"])),
            channel=Channel.from_code(str(row["channel"])),
            kind=MessageKind.from_code(str(row["kind"])),
            urgent=bool(row["urgent"]),
            county_id=UUID(str(row["county_id"])),
            community_id=UUID(str(row["community_id"])) if row["community_id"] else None,
            message_at=datetime.fromisoformat(str(row["created_at"])),
            valid_until=(
                datetime.fromisoformat(str(row["valid_until"])) if row.get("valid_until") else None
            ),
        )
        try:
            outcome = self.app.claim_delivery(self.actor, facts, self.worker_id)
        except Conflict as e:
            return e.code  # another worker holds it, it is done, or not due (stale row)
        if outcome is not DeliveryStatus.CLAIMED:
            return outcome.code
        return self._send(UUID(str(row["delivery_id"])), facts.kind).code

    def _send(self, delivery_id: UUID, kind: MessageKind) -> DeliveryStatus:
        item = outbox.to_send(self.store, str(delivery_id))
        phone = str((item or {}).get("phone") or "")
        if item is None or not phone:
            return self._failed(delivery_id, "no_phone: the recipient has no phone")
        spec = CATALOGUE[kind]
        stored: dict[str, str] = {k: str(v) for k, v in item["params"].items()}
        params = {name: stored.get(name, "") for name in spec.params if name not in spec.computed}
        if spec.computed:
            computer = self.computers.get(kind.code)
            if computer is None:
                return self._failed(delivery_id, f"no_computer: {kind.code} needs {spec.computed}")
            params.update(computer(stored))
        attempt = self.app.delivery(delivery_id).attempts
        sms = Sms(
            kind=spec.sms_key,
            phone=phone,
            params=params,
            out_id=str(delivery_id),
            attempt=attempt,
            text="：".join(render(kind, {**stored, **params})),
        )
        try:
            ref = self.gateway.send(sms, self.app.clock.now())
        except DefiniteFailure as e:
            return self._failed(delivery_id, str(e))
        except Doubtful as e:
            return self._doubt(delivery_id, str(e))
        except Exception as e:  # whatever went wrong, the request may have gone out
            log.exception("delivery_unexpected_error", delivery_id=str(delivery_id))
            return self._doubt(delivery_id, f"unexpected: {type(e).__name__}")
        try:
            self.app.record_delivery_sent(self.actor, delivery_id, self.worker_id, ref)
        except (Conflict, NotFound) as e:
            log.warning("delivery_outcome_refused", delivery_id=str(delivery_id), code=e.code)
        return DeliveryStatus.SENT

    def _failed(self, delivery_id: UUID, error: str) -> DeliveryStatus:
        try:
            return self.app.record_delivery_failed(self.actor, delivery_id, self.worker_id, error)
        except (Conflict, NotFound) as e:
            log.warning("delivery_outcome_refused", delivery_id=str(delivery_id), code=e.code)
            return DeliveryStatus.IN_DOUBT

    def _doubt(self, delivery_id: UUID, reason: str) -> DeliveryStatus:
        try:
            self.app.record_delivery_in_doubt(self.actor, delivery_id, self.worker_id, reason)
        except (Conflict, NotFound) as e:
            log.warning("delivery_outcome_refused", delivery_id=str(delivery_id), code=e.code)
        return DeliveryStatus.IN_DOUBT


class Deliverer:
    """Runs the worker every `interval` seconds in a background thread."""

    def __init__(self, worker: DeliveryWorker, interval: float) -> None:
        self.worker = worker
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.worker.run_once()
            except Exception:
                log.exception("delivery_round_failed")
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def deliverer_for(app: Sishuang, store: ReadStore, settings: Settings) -> Deliverer | None:
    """The delivery thread of a projecting process (the API by default, else the
    worker), or None when SISHUANG_DELIVERY_SECONDS is 0."""
    if settings.delivery_seconds <= 0:
        return None
    return Deliverer(worker_for(app, store, settings), settings.delivery_seconds)


def computers_for(settings: Settings) -> Computers:
    """The SMS parameters computed at send time: a sign-in code from its nonce, with the
    service secret (never stored anywhere)."""
    secret = settings.secret()
    return {"sign_in_code": lambda params: {"code": code_for(secret, params["nonce"])}}


def worker_for(app: Sishuang, store: ReadStore, settings: Settings) -> DeliveryWorker:
    """The delivery worker as configured: its gateway, batch and computed parameters."""
    return DeliveryWorker(
        app,
        store,
        gateway_from(settings),
        batch=settings.delivery_batch,
        computers=computers_for(settings),
    )
