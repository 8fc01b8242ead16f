"""党员资源台账 (resource ledger) and a member's service record: each approved member of
a community — skills, radius, availability, open load — and what they did in a year.

What counts as a service, and in which year, is decided once: the evaluation read model's
credit rows (projections.evaluation, one per credit or reversal of the points account,
dated by the business calendar) are summed here exactly as the evaluation sums them, so
the ledger, the record, the evaluation, the unit and county views and 公示 agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import year_of
from domain.masking import mask_name
from domain.order import IN_HAND_CODES
from projections.evaluation import credits_by_member, year_figures
from projections.members import SKILL_LABELS, SLOT_LABELS, _attach_details
from projections.people import masker_for
from projections.store import ReadStore


def resource_ledger(store: ReadStore, community_id: str, year: int) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(IN_HAND_CODES))
    with store.read() as tx:
        rows = tx.execute(
            "SELECT m.member_id, m.name, m.grid_code, m.post, u.name AS unit_name,"
            " m.service_radius_km, m.committed_hours, m.reported_at,"
            f" (SELECT COUNT(*) FROM rm_orders o WHERE o.member_id = m.member_id"
            f" AND o.status IN ({marks})) AS open_load,"
            # orders that counted as a service, all years (net of those found false)
            " (SELECT COALESCE(SUM(c.services), 0) FROM rm_eval_credits c"
            " WHERE c.member_id = m.member_id AND c.source_kind = 'order') AS completed_orders"
            " FROM rm_members m LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
            " WHERE m.community_id = ? AND m.status = 'approved' ORDER BY m.name, m.member_id",
            (*IN_HAND_CODES, community_id),
        ).all()
        _attach_details(tx, rows)
        credits = credits_by_member(tx, [r["member_id"] for r in rows], year)
    for r in rows:
        figures = year_figures(credits.get(r["member_id"], []))
        r["skill_labels"] = [SKILL_LABELS.get(c, c) for c in r["skill_categories"]]
        r["time_slot_labels"] = [SLOT_LABELS.get(s, s) for s in r["time_slots"]]
        r["completed_orders"] = int(r["completed_orders"])
        r["hours_this_year"] = figures["hours"]
        r["services_this_year"] = figures["services"]
        r["reported"] = r.pop("reported_at") is not None
    return rows


def service_record(store: ReadStore, member_id: str, year: int, now: datetime) -> dict[str, Any]:
    """One member's service record for a (Beijing) year: the orders and activities that
    were credited in it — an order in the year it closed, an activity in the year it
    took place, each marked whether it counts (a false one is shown, counting nothing) —
    and the totals the evaluation shows; in the current year, the orders in hand too."""
    from projections.activities import activities_of
    from projections.needs import orders_of

    with store.read() as tx:
        credits = credits_by_member(tx, [member_id], year).get(member_id, [])
    counted: dict[tuple[str, str], int] = {}
    for c in credits:
        key = (c["source_kind"], c["source_id"])
        counted[key] = counted.get(key, 0) + c["services"]
    current = year_of(now) == year
    everything = orders_of(store, now, member_id=member_id)
    orders = [o for o in everything if ("order", o["order_id"]) in counted]
    in_hand = [o for o in everything if current and o["status"] in IN_HAND_CODES]
    # The record travels to units: no resident's name in full, no resident's whereabouts,
    # free text through the masking rule.
    shown = orders + in_hand
    mask = masker_for(store, [t for o in shown for t in (o["content"], o.get("false_reason"))])
    for o in shown:
        o["requester_name"] = mask_name(o["requester_name"] or "")
        o["content"] = mask(o["content"])
        o["false_reason"] = mask(o.get("false_reason")) or None
        o["counted"] = counted.get(("order", o["order_id"]), 0) > 0
        for private in ("posted_by", "resident_id", "lat", "lon", "preferred_time"):
            o.pop(private, None)
    attended = [a for a in activities_of(store, member_id) if _year_of(a["starts_at"]) == year]
    for a in attended:
        a["counted"] = counted.get(("activity", a["activity_id"]), 0) > 0
    figures = year_figures(credits)
    by_kind = {
        kind: year_figures([c for c in credits if c["source_kind"] == kind])
        for kind in ("order", "activity")
    }
    return {
        "member_id": member_id,
        "year": year,
        "orders": orders,
        "orders_in_hand": in_hand,
        "activities": attended,
        "totals": {
            "orders_closed": by_kind["order"]["services"],
            "activities_confirmed": by_kind["activity"]["services"],
            "services": figures["services"],
            "hours_from_orders": by_kind["order"]["hours"],
            "hours_from_activities": by_kind["activity"]["hours"],
            "hours": figures["hours"],
            "ratings": figures["ratings"],
            "average_stars": figures["average_stars"],
            "satisfied": figures["satisfied"],
        },
    }


def _year_of(stored: str) -> int:
    return year_of(datetime.fromisoformat(stored))


# The columns of its export (a 台账 a worker opens in Excel), as the JSON names them.
RESOURCE_COLUMNS = [
    ("name", "姓名"),
    ("unit_name", "单位"),
    ("post", "职务"),
    ("grid_code", "网格"),
    ("skill_labels", "擅长领域"),
    ("skill_tags", "特长标签"),
    ("service_radius_km", "服务半径（公里）"),
    ("time_slot_labels", "可服务时间"),
    ("open_load", "在办需求"),
    ("completed_orders", "已办结需求"),
    ("services_this_year", "本年服务次数"),
    ("hours_this_year", "本年服务时长（小时）"),
    ("committed_hours", "承诺时长（小时/年）"),
]
