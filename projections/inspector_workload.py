"""The supervision team's own ledgers: the roster (执法检查人员名录库), the joint meetings a
sit-in draws from, and one inspector's targets with where to go and with whom."""

from __future__ import annotations

from typing import Any

from domain.inspection_items import PlanStatus
from projections.json_columns import loads
from projections.plan_details import KIND_LABELS
from projections.plan_progress import ITEM_LABELS, STATUS_LABELS
from projections.store import ReadStore


def list_inspectors(store: ReadStore, county_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_insp_inspectors WHERE county_id = ?"
            " ORDER BY active DESC, registered_at, inspector_id",
            (county_id,),
        ).all()
    for r in rows:
        r["active"] = bool(r["active"])
    return rows


def get_inspector(store: ReadStore, inspector_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT * FROM rm_insp_inspectors WHERE inspector_id = ?", (inspector_id,)
        ).one()
    if row is not None:
        row["active"] = bool(row["active"])
    return row


def list_meetings(store: ReadStore, community_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_insp_meetings WHERE community_id = ?"
            " ORDER BY held_on DESC, meeting_id",
            (community_id,),
        ).all()
    for r in rows:
        r["cancelled"] = bool(r["cancelled"])
    return rows


def assignments_of(store: ReadStore, inspector_id: str) -> list[dict[str, Any]]:
    """An inspector's targets still to do or done, in plans not voided: where to go (the
    meeting's date and place; an order's id, whose details the inspector opens from the
    needs ledger), with whom, and whether a finding is recorded."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT a.plan_id, a.target, a.via, a.assigned_at, t.kind, t.stratum, t.seq,"
            " t.ticket, t.community_id, t.order_id, t.meeting_id, t.member_id, t.unit_id,"
            " p.title, p.item, p.status, p.unannounced, p.visits_completed,"
            " p.disclosure_deadline, p.roster, m.held_on, m.topic, m.place, m.cancelled,"
            " (SELECT COUNT(*) FROM rm_insp_findings f WHERE f.plan_id = a.plan_id"
            "  AND f.target = a.target) AS findings"
            " FROM rm_insp_assignments a"
            " JOIN rm_insp_targets t ON t.plan_id = a.plan_id AND t.target = a.target"
            " JOIN rm_insp_plans p ON p.plan_id = a.plan_id"
            " LEFT JOIN rm_insp_meetings m ON m.meeting_id = t.meeting_id"
            " WHERE a.inspector_id = ? AND a.active = 1 AND p.status IN (?, ?)"
            " ORDER BY p.disclosure_deadline, a.plan_id",
            (inspector_id, PlanStatus.DRAWN.code, PlanStatus.RESULTS_PUBLISHED.code),
        ).all()
        rows.sort(key=lambda r: (r["disclosure_deadline"], r["plan_id"], r["stratum"], r["seq"]))
        teams: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            for other in tx.execute(
                "SELECT inspector_id FROM rm_insp_assignments WHERE plan_id = ? AND target = ?"
                " AND active = 1 AND inspector_id <> ? ORDER BY slot",
                (r["plan_id"], r["target"], inspector_id),
            ).all():
                teams.setdefault((r["plan_id"], r["target"]), []).append(other["inspector_id"])
    out = []
    for r in rows:
        roster = loads(r.pop("roster"))
        r["unannounced"], r["visits_completed"] = (
            bool(r["unannounced"]),
            bool(r["visits_completed"]),
        )
        r["finding_recorded"] = r.pop("findings") > 0
        r["item_label"] = ITEM_LABELS.get(r["item"], r["item"])
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
        r["kind_label"] = KIND_LABELS.get(r["kind"], r["kind"])
        meeting = {k: r.pop(k) for k in ("held_on", "topic", "place", "cancelled")}
        r["meeting"] = (
            {**meeting, "cancelled": bool(meeting["cancelled"])} if r["meeting_id"] else None
        )
        r["co_inspectors"] = [
            {"inspector_id": i, "name": (roster.get(i) or [""])[0]}
            for i in teams.get((r["plan_id"], r["target"]), [])
        ]
        out.append(r)
    return out
