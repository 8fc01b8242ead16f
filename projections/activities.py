"""Group activities and their attendance: who signed in and out, where, and the hours
the organiser's confirmed list credited."""

from __future__ import annotations

from typing import Any

from domain.activity import Activity, ActivityKind
from domain.actors import describe_ref
from projections.base import Handler, Projection
from projections.directory import iso
from projections.store import ReadStore, Tx

KIND_LABELS = {k.code: k.label for k in ActivityKind}


class Activities(Projection):
    name = "rm_activities"
    version = 1
    tables = ("rm_activities", "rm_attendance")
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_activities ("
        " activity_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, title TEXT NOT NULL, place TEXT NOT NULL,"
        " starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL,"
        " planned_by TEXT NOT NULL, confirmed_at TEXT, attendees INTEGER NOT NULL DEFAULT 0,"
        " hours_credited TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_activities_community ON rm_activities (community_id)",
        "CREATE TABLE IF NOT EXISTS rm_attendance ("
        " activity_id TEXT NOT NULL, member_id TEXT NOT NULL, signed_in_at TEXT NOT NULL,"
        " signed_out_at TEXT, distance_m INTEGER, flagged INTEGER NOT NULL,"
        " confirmed INTEGER NOT NULL DEFAULT 0, excluded INTEGER NOT NULL DEFAULT 0,"
        " hours_credited TEXT, credited_at TEXT, PRIMARY KEY (activity_id, member_id))",
        "CREATE INDEX IF NOT EXISTS rm_attendance_member ON rm_attendance (member_id)",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            Activity.Planned: self.planned,
            Activity.SignedIn: self.signed_in,
            Activity.SignedOut: self.signed_out,
            Activity.ListConfirmed: self.confirmed,
            Activity.Cancelled: self.cancelled,
        }

    def planned(self, tx: Tx, e: Activity.Planned) -> None:
        tx.execute(
            "INSERT INTO rm_activities (activity_id, county_id, community_id, kind, title,"
            " place, starts_at, ends_at, status, planned_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.community_id),
                e.kind.code,
                e.title,
                e.place,
                iso(e.starts_at),
                iso(e.ends_at),
                "planned",
                e.by,
            ),
        )

    def signed_in(self, tx: Tx, e: Activity.SignedIn) -> None:
        tx.execute(
            "INSERT INTO rm_attendance (activity_id, member_id, signed_in_at, distance_m,"
            " flagged) VALUES (?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.member_id),
                iso(e.timestamp),
                e.distance_m,
                int(e.flagged),
            ),
        )

    def signed_out(self, tx: Tx, e: Activity.SignedOut) -> None:
        tx.execute(
            "UPDATE rm_attendance SET signed_out_at = ? WHERE activity_id = ? AND member_id = ?",
            (iso(e.timestamp), str(e.originator_id), str(e.member_id)),
        )

    def confirmed(self, tx: Tx, e: Activity.ListConfirmed) -> None:
        aid, at = str(e.originator_id), iso(e.timestamp)
        for member_id, hours in e.attendees:
            tx.execute(
                "UPDATE rm_attendance SET confirmed = 1, hours_credited = ?, credited_at = ?"
                " WHERE activity_id = ? AND member_id = ?",
                (str(hours), at, aid, str(member_id)),
            )
        for member_id in e.excluded:
            tx.execute(
                "UPDATE rm_attendance SET excluded = 1 WHERE activity_id = ? AND member_id = ?",
                (aid, str(member_id)),
            )
        total = sum((hours for _, hours in e.attendees), start=0)
        tx.execute(
            "UPDATE rm_activities SET status = 'confirmed', confirmed_at = ?, attendees = ?,"
            " hours_credited = ? WHERE activity_id = ?",
            (at, len(e.attendees), str(total), aid),
        )

    def cancelled(self, tx: Tx, e: Activity.Cancelled) -> None:
        tx.execute(
            "UPDATE rm_activities SET status = 'cancelled' WHERE activity_id = ?",
            (str(e.originator_id),),
        )


STATUS_LABELS = {"planned": "计划中", "confirmed": "已确认名单", "cancelled": "已取消"}


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    if row.get("planned_by"):  # staff, by role and name
        row["planned_by"] = describe_ref(row["planned_by"], {})
    row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    return row


def list_activities(store: ReadStore, community_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_activities WHERE community_id = ? ORDER BY starts_at DESC,"
            " activity_id",
            (community_id,),
        ).all()
    return [_decorate(r) for r in rows]


def get_activity(store: ReadStore, activity_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute("SELECT * FROM rm_activities WHERE activity_id = ?", (activity_id,)).one()
        if row is None:
            return None
        row["attendance"] = tx.execute(
            "SELECT a.*, m.name FROM rm_attendance a LEFT JOIN rm_members m"
            " ON m.member_id = a.member_id WHERE a.activity_id = ? ORDER BY a.signed_in_at,"
            " a.member_id",
            (activity_id,),
        ).all()
    for a in row["attendance"]:
        for flag in ("flagged", "confirmed", "excluded"):
            a[flag] = bool(a[flag])
    return _decorate(row)


def activities_of(store: ReadStore, member_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT v.activity_id, v.kind, v.title, v.place, v.starts_at, v.ends_at, v.status,"
            " a.signed_in_at, a.signed_out_at, a.confirmed, a.hours_credited"
            " FROM rm_attendance a JOIN rm_activities v ON v.activity_id = a.activity_id"
            " WHERE a.member_id = ? ORDER BY v.starts_at DESC, v.activity_id",
            (member_id,),
        ).all()
    for r in rows:
        r["confirmed"] = bool(r["confirmed"])
        _decorate(r)
    return rows
