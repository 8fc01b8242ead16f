"""Where a thing sits: its county, community, units, members, resident, partner, as the
read models know it. The API asks this before anything else about a request whose path
names a resource (domain.access.may_address decides), so a refusal never depends on the
body, and never says anything about the resource's state."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.access import Place
from projections.store import ReadStore, Tx


def _ids(*values: object) -> frozenset[UUID]:
    return frozenset(UUID(str(v)) for v in values if v)


def _one(tx: Tx, sql: str, key: str) -> dict[str, object] | None:
    return tx.execute(sql, (key,)).one()


def _order(tx: Tx, key: str) -> Place | None:
    row = _one(
        tx,
        "SELECT county_id, community_id, resident_id, member_id, assignee_kind, assignee_id"
        " FROM rm_orders WHERE order_id = ?",
        key,
    )
    if row is None:
        return None
    applicants = [
        r["member_id"]
        for r in tx.execute(
            "SELECT member_id FROM rm_order_applicants WHERE order_id = ?", (key,)
        ).all()
    ]
    unit = row["assignee_id"] if row["assignee_kind"] == "unit" else None
    return Place(
        "order",
        UUID(str(row["county_id"])),
        community=UUID(str(row["community_id"])),
        units=_ids(unit),
        members=_ids(row["member_id"], *applicants),
        resident=UUID(str(row["resident_id"])) if row["resident_id"] else None,
    )


def _member(tx: Tx, key: str) -> Place | None:
    row = _one(
        tx,
        "SELECT county_id, community_id, unit_id, status FROM rm_members WHERE member_id = ?",
        key,
    )
    if row is None:
        return None
    return Place(
        "member",
        UUID(str(row["county_id"])),
        community=UUID(str(row["community_id"])),
        units=_ids(row["unit_id"]),
        members=_ids(key),
        approved=row["status"] == "approved",
    )


def _community(tx: Tx, key: str) -> Place | None:
    row = _one(tx, "SELECT county_id FROM rm_communities WHERE community_id = ?", key)
    if row is None:
        return None
    paired = [
        r["unit_id"]
        for r in tx.execute("SELECT unit_id FROM rm_pairings WHERE community_id = ?", (key,)).all()
    ]
    return Place("community", UUID(str(row["county_id"])), community=UUID(key), units=_ids(*paired))


def _in_community(kind: str, table: str, column: str) -> Callable[[Tx, str], Place | None]:
    def find(tx: Tx, key: str) -> Place | None:
        row = _one(tx, f"SELECT * FROM {table} WHERE {column} = ?", key)
        if row is None:
            return None
        return Place(
            kind,
            UUID(str(row["county_id"])),
            community=UUID(str(row["community_id"])),
            members=_ids(row.get("member_id")),
            partner=UUID(str(row["partner_id"])) if row.get("partner_id") else None,
        )

    return find


def _in_county(kind: str, table: str, column: str) -> Callable[[Tx, str], Place | None]:
    def find(tx: Tx, key: str) -> Place | None:
        row = _one(tx, f"SELECT county_id FROM {table} WHERE {column} = ?", key)
        return None if row is None else Place(kind, UUID(str(row["county_id"])))

    return find


def _unit(tx: Tx, key: str) -> Place | None:
    row = _one(tx, "SELECT county_id FROM rm_units WHERE unit_id = ?", key)
    return None if row is None else Place("unit", UUID(str(row["county_id"])), units=_ids(key))


def _partner(tx: Tx, key: str) -> Place | None:
    row = _one(tx, "SELECT county_id, community_id FROM rm_partners WHERE partner_id = ?", key)
    if row is None:
        return None
    return Place(
        "partner",
        UUID(str(row["county_id"])),
        community=UUID(str(row["community_id"])),
        partner=UUID(key),
    )


FINDERS: dict[str, Callable[[Tx, str], Place | None]] = {
    "order": _order,
    "member": _member,
    "community": _community,
    "unit": _unit,
    "county": _in_county("county", "rm_counties", "county_id"),
    "activity": _in_community("activity", "rm_activities", "activity_id"),
    "redemption": _in_community("redemption", "rm_redemptions", "redemption_id"),
    "item": _in_community("item", "rm_catalogue", "item_id"),
    "partner": _partner,
    "plan": _in_county("plan", "rm_insp_plans", "plan_id"),
    "inspector": _in_county("inspector", "rm_insp_inspectors", "inspector_id"),
}


def place_of(store: ReadStore, kind: str, key: UUID) -> Place | None:
    """The resource's place, or None when the read models do not (yet) know it."""
    with store.read() as tx:
        return FINDERS[kind](tx, str(key))
