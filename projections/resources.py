"""党员资源台账 (resource ledger): each approved member of a community — skills, radius,
availability, open load, completed orders, and hours credited this year (closed orders
plus confirmed activities). A query over the members, needs and activities read models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.masking import mask_name
from projections.members import SKILL_LABELS, SLOT_LABELS, _attach_details
from projections.needs import ACTIVE_CODES
from projections.people import masker_for
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


def service_record(store: ReadStore, member_id: str, year: int) -> dict[str, Any]:
    """One member's service record for a year: orders and activities, hours, ratings."""
    from datetime import UTC, datetime

    from projections.activities import activities_of
    from projections.needs import orders_of

    now = datetime(year + 1, 1, 1, tzinfo=UTC)
    start, end = f"{year}-01-01", f"{year + 1}-01-01"
    orders = [
        o for o in orders_of(store, now, member_id=member_id) if start <= o["posted_at"] < end
    ]
    # The record travels to units: no resident's name in full, no resident's whereabouts,
    # free text through the masking rule.
    mask = masker_for(store, [t for o in orders for t in (o["content"], o.get("false_reason"))])
    for o in orders:
        o["requester_name"] = mask_name(o["requester_name"] or "")
        o["content"] = mask(o["content"])
        o["false_reason"] = mask(o.get("false_reason")) or None
        for private in ("posted_by", "resident_id", "lat", "lon", "preferred_time"):
            o.pop(private, None)
    attended = [a for a in activities_of(store, member_id) if start <= a["starts_at"] < end]
    closed = [o for o in orders if o["status"] == "closed"]
    rated = [o["stars"] for o in closed if o["stars"] is not None]
    order_hours = sum((Decimal(o["hours_credited"] or "0") for o in closed), Decimal(0))
    activity_hours = sum(
        (Decimal(a["hours_credited"] or "0") for a in attended if a["confirmed"]), Decimal(0)
    )
    return {
        "member_id": member_id,
        "year": year,
        "orders": orders,
        "activities": attended,
        "totals": {
            "orders_closed": len(closed),
            "activities_confirmed": sum(1 for a in attended if a["confirmed"]),
            "services": len(closed) + sum(1 for a in attended if a["confirmed"]),
            "hours_from_orders": str(order_hours),
            "hours_from_activities": str(activity_hours),
            "hours": str(order_hours + activity_hours),
            "ratings": len(rated),
            "average_stars": round(sum(rated) / len(rated), 2) if rated else None,
            "satisfied": sum(1 for o in closed if o["outcome"] == "satisfied"),
        },
    }
