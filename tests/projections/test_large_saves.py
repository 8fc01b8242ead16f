"""A save of many megabytes (a county's frozen target directory) completes on both stores.

On PostgreSQL the library's recorder pipelines a save, and psycopg 3.3.9 leaves a
pipelined save larger than the socket buffers half sent, waiting forever with the events
table locked (projections/pgrecorder.py). The save runs in a thread here, so a regression fails
the test after a minute instead of hanging the suite."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.target_directory import TargetDirectory


def test_a_save_of_many_megabytes_completes(store_env: dict[str, str]) -> None:
    app = Sishuang(store_env, clock=ManualClock())
    try:
        ids = [f"ORD:JX:{uuid.UUID(int=i)}" for i in range(150_000)]
        directory = TargetDirectory._create(
            TargetDirectory.Frozen,
            id=uuid.uuid4(),
            plan_id=uuid.uuid4(),
            county_id=uuid.uuid4(),
            log_position=0,
            strata={"JX": ids},
            excluded={},
            relations={i: ["community:x"] for i in ids[:20_000]},
            population_hash="0" * 64,
            timestamp=datetime(2026, 4, 1, tzinfo=UTC),
        )
        outcome: list[object] = []

        def save() -> None:
            try:
                outcome.append(app.save(directory))
            except Exception as error:  # reported below
                outcome.append(error)

        worker = threading.Thread(target=save, daemon=True)
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive(), "a large save never completed (pipelined and stuck?)"
        assert not isinstance(outcome[0], Exception), outcome[0]
        stored = app.recorder.select_notifications(1, 1)[0]
        assert len(stored.state) > 5_000_000
        again = app.repository.get(directory.id)
        assert isinstance(again, TargetDirectory) and again.strata["JX"] == ids
    finally:
        app.close()
