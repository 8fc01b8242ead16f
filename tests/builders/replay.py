"""The auditor's side: an export store (Store) and a drawn, inspected and published plan
(Scene) with draw-verify statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.inspection_plan import InspectionPlan
from replay.drawverify import (
    Report,
    StoreLog,
    verify,
)
from tests.builders.inspection import Supervision
from tests.builders.world import World


class Store:
    """Direct access to the event store's table, as an attacker with the DB would have."""

    def __init__(self, app: Sishuang) -> None:
        self.app = app
        recorder: Any = app.recorder
        self.table = recorder.events_table_name
        self.postgres = isinstance(recorder, PostgresApplicationRecorder)
        self.id = "notification_id" if self.postgres else "rowid"

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        recorder: Any = self.app.recorder
        with recorder.datastore.transaction(commit=True) as cursor:
            if self.postgres:
                cursor.execute(f'SET LOCAL search_path TO "{recorder.datastore.schema}"')
                sql = sql.replace("?", "%s")
            cursor.execute(sql, params)
            try:
                return list(cursor.fetchall())
            except Exception:
                return []

    def row(self, nid: int) -> tuple[Any, ...]:
        rows = self.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {self.table}"
            f" WHERE {self.id} = ?",
            (nid,),
        )
        r = rows[0]
        if isinstance(r, dict):
            return (r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
        return (r[0], r[1], r[2], bytes(r[3]))

    def set_state(self, nid: int, state: bytes) -> None:
        self.execute(f"UPDATE {self.table} SET state = ? WHERE {self.id} = ?", (state, nid))

    def delete(self, nid: int) -> None:
        self.execute(f"DELETE FROM {self.table} WHERE {self.id} = ?", (nid,))

    def swap(self, a: int, b: int) -> None:
        ra, rb = self.row(a), self.row(b)
        self.execute(f"UPDATE {self.table} SET originator_version = -1 WHERE {self.id} = ?", (a,))
        for nid, (oid, version, topic, state) in ((b, ra), (a, rb)):
            self.execute(
                f"UPDATE {self.table} SET originator_id = ?, originator_version = ?,"
                f" topic = ?, state = ? WHERE {self.id} = ?",
                (oid, version, topic, state, nid),
            )

    def insert_at(self, nid: int, row: tuple[Any, ...]) -> None:
        """Make room at `nid` by moving every later event up one, then write `row` there."""
        head = self.app.recorder.max_notification_id() or 0
        for n in range(head, nid - 1, -1):
            self.execute(f"UPDATE {self.table} SET {self.id} = ? WHERE {self.id} = ?", (n + 1, n))
        self.execute(
            f"INSERT INTO {self.table} ({self.id}, originator_id, originator_version, topic,"
            " state) VALUES (?, ?, ?, ?, ?)",
            (nid, *row),
        )


class Scene:
    """The Supervision county with a revisit plan drawn (three alternates a stratum),
    and a sixth inspector free of conflicts, so that a recusal has two candidates."""

    def __init__(self, store_env: dict[str, str], clock: ManualClock) -> None:
        self.app = Sishuang(store_env, clock=clock)
        self.clock = clock
        self.world = World(self.app)
        self.sup = Supervision(self.world, clock)
        self.sup.inspectors.append(
            self.app.register_inspector(self.world.org, name="冯督查", unit_name="县审计局").id
        )
        clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
        self.plan_id = self.sup.plan(alternates=3)
        self.sup.to_drawn(self.plan_id)
        self.drawn: InspectionPlan.Drawn = self.event(InspectionPlan.Drawn)
        self.store = Store(self.app)

    def event(self, cls: type) -> Any:
        return next(e for e in self.app.events.get(self.plan_id) if isinstance(e, cls))

    def actor(self, inspector_id: str) -> Any:
        return self.sup.inspector([str(i) for i in self.sup.inspectors].index(inspector_id))

    def follow_through(self) -> None:
        """A replacement, a recusal, every finding, publication within the deadline."""
        app, org, plan_id = self.app, self.world.org, self.plan_id
        target = self.drawn.sample["JX"][0][0]
        app.replace_target(org, plan_id, target, "群众已搬离")
        new = app.plan(plan_id).replaced[target]
        leaving = app.plan(plan_id).assignments[new][0]
        app.recuse_inspector(self.actor(leaving), plan_id, new, UUID(leaving), "与群众系亲属")
        for t, team in app.plan(plan_id).assignments.items():
            app.record_finding(
                self.actor(team[0]), plan_id, t, conclusion="pass", confirmed=True, stars=5
            )
        self.clock.advance(timedelta(days=3))
        app.publish_results(org, plan_id, "回访 3 单，均属实")

    def position(self, topic: str, originator: UUID | None = None, nth: int = 0) -> int:
        rows = self.app.recorder.select_notifications(1, 100_000, topics=[topic])
        if originator is not None:
            rows = [n for n in rows if UUID(str(n.originator_id)) == originator]
        return int(rows[nth].id)

    def edit(self, position: int, change: Callable[[dict[str, Any]], None]) -> None:
        """Change a stored event's JSON in the table itself, as one with the DB could."""
        state = orjson.loads(self.store.row(position)[3])
        change(state)
        self.store.set_state(position, orjson.dumps(state))

    def verify(self) -> Report:
        return verify(StoreLog(self.app), [self.plan_id])


def statuses(report: Report) -> dict[str, str]:
    (plan,) = report.plans
    return {c.key: c.status for c in plan.checks}
