"""The PostgreSQL application recorder the service runs with.

It is the eventsourcing library's `PostgresApplicationRecorder` (same LOCK TABLE,
NOTIFY, INSERT … RETURNING, in one transaction), except that a save whose stored
state exceeds `LARGE_SAVE_BYTES` is sent statement by statement instead of in psycopg's
pipeline mode. With psycopg 3.3.9, a pipelined save larger than the socket buffers
(about 4 MB on this machine kind) is left half sent and waits forever while holding the
events table's EXCLUSIVE lock — every other writer then waits too. The target directory
a county's inspection plan freezes is such a save (about 18 MB for 100,000 orders).
Found by `./dev bench draw`; `tests/projections/test_large_saves.py` keeps it fixed.

Selected by `APPLICATION_RECORDER_TOPIC` (projections.settings.postgres_env).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

LARGE_SAVE_BYTES = 1_000_000


class LargeSaveRecorder(PostgresApplicationRecorder):
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if (
            self.datastore.enable_db_functions
            or sum(len(e.state) for e in stored_events) < LARGE_SAVE_BYTES
        ):
            return super().insert_events(stored_events, **kwargs)
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
