"""Blue/green rebuild of one projection, while the live copy keeps serving.

1. A copy is built under other names (every table and index of the projection with
   `__next` appended; `Tx.rename` rewrites the projection's own SQL) and follows the
   log under its own tracking name (`<projection>__next`), page by page. An interrupted
   rebuild resumes from that tracking position: run it again.
2. The switch is one transaction: the live projection's tracking row is locked (its
   follower waits), the copy is brought to the live position or past it, the live
   tables are dropped and the copy's renamed into their place (indexes too), and the
   live tracking position moves to where the copy stands, and the copy's dead letters
   replace the live ones. Readers wait for that transaction, then read the new tables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from domain.application import Sishuang
from projections.base import (
    Follower,
    Projection,
    describe,
    forget_dead_letters,
    record_dead_letter,
    transient,
)
from projections.store import ReadStore, Tx

SUFFIX = "__next"
INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)", re.IGNORECASE)


def index_names(projection: Projection) -> list[str]:
    return [m.group(1) for statement in projection.ddl for m in INDEX.finditer(statement)]


def renames(projection: Projection) -> dict[str, str]:
    names = list(projection.tables) + index_names(projection)
    return {name: name + SUFFIX for name in names}


class Copy(Projection):
    """The projection under its copy's tracking name; its SQL is renamed by the Tx."""

    def __init__(self, live: Projection) -> None:
        self.live = live
        self.name = live.name + SUFFIX  # type: ignore[misc]
        self.version = live.version  # type: ignore[misc]
        self.tables = live.tables  # type: ignore[misc]
        self.ddl = live.ddl  # type: ignore[misc]
        self.sets_aside = live.sets_aside  # type: ignore[misc]
        self._handlers = {}

    def handlers(self) -> dict[type, Any]:
        return {}

    def apply(self, tx: Tx, event: Any) -> None:
        self.live.apply(tx, event)


def rebuild(
    app: Sishuang,
    live: Projection,
    *,
    page_size: int = 1000,
    report: Callable[[int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Build the copy, catch it up, switch. Returns figures (events, seconds)."""
    mapping = renames(live)
    copy = Copy(live)
    follower = Follower(app, [copy], page_size=page_size, rename=mapping)
    store = follower.store
    started = time.perf_counter()
    resumed_from = follower.position
    while True:
        n = follower.run_once()
        if report is not None:
            report(follower.position, store.head(), time.perf_counter() - started)
        if n < follower.page_size:
            break
    switched_at = switch(app, store, live, copy, mapping)
    analyze(store, live)
    return {
        "projection": live.name,
        "stalled": sorted(follower.stalled),  # a projection that stopped short of the head
        "resumed_from": resumed_from,
        "position": switched_at,
        "events": switched_at - resumed_from,
        "seconds": time.perf_counter() - started,
    }


def analyze(store: ReadStore, projection: Projection) -> None:
    """Fresh planner statistics for tables that were just filled (PostgreSQL): a server
    whose autovacuum has not reached them yet plans the views' queries blind."""
    if store.dialect != "postgres":
        return
    with store.ddl() as tx:
        for table in projection.tables:
            tx.execute(f"ANALYZE {table}")


def switch(
    app: Sishuang, store: ReadStore, live: Projection, copy: Copy, mapping: dict[str, str]
) -> int:
    with store.ddl() as tx:
        live_at = _lock(store, tx, live.name)
        copy_at = _lock(store, tx, copy.name)
        if copy_at < live_at:  # the last few events, applied to the copy in this transaction
            for notification in app.recorder.select_notifications(
                copy_at + 1, limit=live_at - copy_at, stop=live_at
            ):
                _apply_or_set_aside(tx, app, copy, notification, mapping)
            copy_at = live_at
        elif copy_at > live_at:
            store.record_position(tx, live.name, copy_at)
        for table in reversed(live.tables):
            tx.execute(f"DROP TABLE IF EXISTS {table}")
        for table in live.tables:
            tx.execute(f"ALTER TABLE {table}{SUFFIX} RENAME TO {table}")
        _rename_indexes(store, tx, live, mapping)
        tx.execute(f"DELETE FROM {store.tracking_table} WHERE application_name = ?", (copy.name,))
        tx.execute("DELETE FROM rm_projection_versions WHERE name = ?", (copy.name,))
        # The copy's dead letters are the live projection's now; the old ones are gone
        # with the old tables (the copy applied those events again).
        forget_dead_letters(tx, live.name)
        tx.execute(
            "UPDATE rm_dead_letters SET projection = ? WHERE projection = ?",
            (live.name, copy.name),
        )
    return copy_at


def _apply_or_set_aside(
    tx: Tx, app: Sishuang, copy: Copy, notification: Any, mapping: dict[str, str]
) -> None:
    """One of the last events, in the switch's transaction: inside a savepoint, so one
    the copy cannot apply is set aside as the follower would (or, for a projection that
    may not set aside, stops the switch with a plain message)."""
    tx.execute("SAVEPOINT switch_event")
    tx.rename = mapping
    try:
        tx.position = notification.id
        tx.notification = notification
        copy.apply(tx, app.mapper.to_domain_event(notification))
    except Exception as e:
        tx.rename = None
        tx.execute("ROLLBACK TO SAVEPOINT switch_event")
        if transient(e) or not copy.sets_aside:
            raise RuntimeError(
                f"{copy.live.name}: 切换时无法处理日志位置 {notification.id} 的事件"
                f"（{describe(e)}），未切换；修复后再运行一次"
            ) from e
        record_dead_letter(tx, copy.name, notification, describe(e))
    finally:
        tx.rename = None
    tx.execute("RELEASE SAVEPOINT switch_event")


def _lock(store: ReadStore, tx: Tx, name: str) -> int:
    store.ensure_position(tx, name)
    store.claim_position(tx, name, -1)  # takes the lock; the answer is not needed
    tx.execute(
        f"SELECT notification_id FROM {store.tracking_table} WHERE application_name = ?",
        (name,),
    )
    return int(tx.scalar() or 0)


def _rename_indexes(store: ReadStore, tx: Tx, live: Projection, mapping: dict[str, str]) -> None:
    if store.dialect == "postgres":
        # Named indexes, and the ones PostgreSQL named after the table (keys, uniques).
        for table in live.tables:
            rows = tx.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = ?",
                (table,),
            ).all()
            for row in rows:
                name = row["indexname"]
                target = name.replace(f"{table}{SUFFIX}", table)
                for original, copied in mapping.items():
                    if name == copied:
                        target = original
                if target != name:
                    tx.execute(f'ALTER INDEX "{name}" RENAME TO "{target}"')
        return
    # SQLite cannot rename an index: drop the copy's and create the live names again.
    for name in index_names(live):
        tx.execute(f"DROP INDEX IF EXISTS {name}{SUFFIX}")
    for statement in live.ddl:
        if INDEX.search(statement):
            tx.execute(statement)
