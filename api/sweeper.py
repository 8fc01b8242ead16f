"""The deadline sweep: every minute, the orders whose take window, rating window or
overdue deadline has passed get the event that says so, the take and rating windows
about to end get their reminders, SMS claims whose lease ran out are in doubt,
redemptions the partner did not confirm in time give their points back, and drawn
inspection plans whose results are not public by their disclosure deadline are marked
overdue. The read models say which to look at; each aggregate decides for itself with
the injected clock, so running it twice, or in two processes, records each event once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from domain.application import Sishuang
from projections import needs, outbox, plan_progress, points
from projections.settings import Settings
from projections.store import ReadStore

log = structlog.get_logger("sweep")


def sweep_once(app: Sishuang, store: ReadStore) -> dict[str, int]:
    due = needs.due_for_sweep(store, app.clock.now())
    from uuid import UUID

    counts = app.sweep([UUID(d) for d in due])
    expiring = points.due_redemptions(store, app.clock.now())
    counts["redemptions_expired"] = app.expire_redemptions([UUID(r) for r in expiring])
    late = plan_progress.due_disclosures(store, app.clock.now())
    counts["disclosures_overdue"] = app.sweep_disclosures([UUID(p) for p in late])
    unrevealed = plan_progress.awaiting_seed(store)
    counts["plans_voided_unrevealed"] = app.sweep_reveals([UUID(p) for p in unrevealed])
    reminders = outbox.reminder_candidates(store, app.clock.now())
    counts.update(app.sweep_reminders([UUID(o) for o in reminders]))
    expired = outbox.expired_claims(store, app.clock.now())
    counts["deliveries_in_doubt"] = app.sweep_deliveries([UUID(d) for d in expired])
    if any(counts.values()):
        log.info("sweep", **counts)
    return counts


class Sweeper:
    """Runs the sweep every `interval` seconds, and `checkpoints` (the sealer's signed
    checkpoints) every `checkpoint_interval` seconds, in one background thread."""

    def __init__(
        self,
        app: Sishuang,
        store: ReadStore,
        interval: float = 60.0,
        *,
        checkpoints: Callable[[], object] | None = None,
        checkpoint_interval: float = 300.0,
    ) -> None:
        self.app = app
        self.store = store
        self.interval = interval
        self.checkpoints = checkpoints
        self.checkpoint_interval = checkpoint_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        last_checkpoint = time.monotonic()
        while not self._stop.wait(self.interval):
            try:
                sweep_once(self.app, self.store)
            except Exception:
                log.exception("sweep_failed")
            if (
                self.checkpoints is not None
                and time.monotonic() - last_checkpoint >= self.checkpoint_interval
            ):
                last_checkpoint = time.monotonic()
                try:
                    self.checkpoints()
                except Exception:
                    log.exception("checkpoint_failed")

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="sweep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def publish_checkpoints(app: Sishuang, store: ReadStore, settings: Settings) -> int:
    """Sign a checkpoint for every sealed log that grew (the sealer's publishing)."""
    from projections import sealer
    from projections.settings import signing_key

    published = sealer.publish(store, signing_key(settings), settings.log_origin, app.clock.now())
    if published:
        log.info("checkpoints_published", logs=len(published))
    return len(published)
