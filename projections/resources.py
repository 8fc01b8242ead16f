"""党员资源台账 (resource ledger): each approved member of a community — skills, radius,
availability, open load, completed orders, and hours credited this year (closed orders
plus confirmed activities). A query over the members, needs and activities read models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.members import SKILL_LABELS, SLOT_LABELS, _attach_details
from projections.needs import ACTIVE_CODES
from projections.store import ReadStore


def resource_ledger(store: ReadStore, community_id: str, year: int) -> list[dict[str, Any]]:
    start, end = f"{year}-01-01", f"{year + 1}-01-01"
    marks = ",".join("?" * len(ACTIVE_CODES))
    with store.read() as tx:
        rows = tx.execute(
            "SELECT m.member_id, m.name, m.grid_code, m.post, u.name AS unit_name,"
            " m.service_radius_km, m.committed_hours, m.reported_at,"
            f" (SELECT COUNT(*) FROM rm_orders o WHERE o.member_id = m.member_id"
            f" AND o.status IN ({marks})) AS open_load,"
            " (SELECT COUNT(*) FROM rm_orders o WHERE o.member_id = m.member_id"
            " AND o.status = 'closed') AS completed_orders"
            " FROM rm_members m LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
            " WHERE m.community_id = ? AND m.status = 'approved' ORDER BY m.name, m.member_id",
            (*ACTIVE_CODES, community_id),
        ).all()
        _attach_details(tx, rows)
        ids = [r["member_id"] for r in rows]
        hours: dict[str, Decimal] = {i: Decimal(0) for i in ids}
        services: dict[str, int] = {i: 0 for i in ids}
        if ids:
            id_marks = ",".join("?" * len(ids))
            for h in tx.execute(
                "SELECT member_id, hours_credited FROM rm_orders WHERE status = 'closed'"
                f" AND closed_at >= ? AND closed_at < ? AND member_id IN ({id_marks})",
                (start, end, *ids),
            ).all():
                hours[h["member_id"]] += Decimal(h["hours_credited"] or "0")
                services[h["member_id"]] += 1
            for h in tx.execute(
                "SELECT member_id, hours_credited FROM rm_attendance WHERE confirmed = 1"
                f" AND credited_at >= ? AND credited_at < ? AND member_id IN ({id_marks})",
                (start, end, *ids),
            ).all():
                hours[h["member_id"]] += Decimal(h["hours_credited"] or "0")
                services[h["member_id"]] += 1
    for r in rows:
        r["skill_labels"] = [SKILL_LABELS.get(c, c) for c in r["skill_categories"]]
        r["time_slot_labels"] = [SLOT_LABELS.get(s, s) for s in r["time_slots"]]
        r["hours_this_year"] = str(hours[r["member_id"]])
        r["services_this_year"] = services[r["member_id"]]
        r["reported"] = r.pop("reported_at") is not None
    return rows
