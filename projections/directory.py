"""名录: counties, communities with their grids, units, and unit–community pairings
(包联) with the units' reports (单位报到)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import stored
from domain.community import Community
from domain.county import County
from domain.reservation import Reservation
from domain.unit import Unit
from projections.base import Handler, Projection
from projections.store import ReadStore, Tx


def iso(value: Any) -> str:
    """A moment as read models store it (UTC ISO 8601, domain.calendar.stored); a date
    as ISO 8601."""
    return stored(value) if isinstance(value, datetime) else value.isoformat()


class Directory(Projection):
    name = "rm_directory"
    version = 2  # 2: rm_answers
    tables = (
        "rm_counties",
        "rm_communities",
        "rm_grids",
        "rm_units",
        "rm_pairings",
        "rm_answers",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_counties ("
        " county_id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL,"
        " registered_at TEXT NOT NULL, policy_overrides INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS rm_communities ("
        " community_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, name TEXT NOT NULL,"
        " code TEXT NOT NULL, address TEXT NOT NULL, registered_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_communities_county ON rm_communities (county_id)",
        "CREATE TABLE IF NOT EXISTS rm_grids ("
        " community_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
        " PRIMARY KEY (community_id, code))",
        "CREATE TABLE IF NOT EXISTS rm_units ("
        " unit_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, name TEXT NOT NULL,"
        " member_count INTEGER NOT NULL, registered_at TEXT NOT NULL,"
        " reminder_count INTEGER NOT NULL DEFAULT 0, last_reminded_at TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_units_county ON rm_units (county_id)",
        "CREATE TABLE IF NOT EXISTS rm_pairings ("
        " unit_id TEXT NOT NULL, community_id TEXT NOT NULL, paired_at TEXT NOT NULL,"
        " reported_at TEXT, report_note TEXT, PRIMARY KEY (unit_id, community_id))",
        "CREATE INDEX IF NOT EXISTS rm_pairings_community ON rm_pairings (community_id)",
        # Where each idempotent command's write reached in the log (its claim is the last
        # event of the write), so a retry answers with the first answer's position.
        "CREATE TABLE IF NOT EXISTS rm_answers ("
        " claim_id TEXT PRIMARY KEY, position INTEGER NOT NULL)",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            County.Registered: self.county_registered,
            County.PolicyChanged: self.policy_changed,
            Community.Registered: self.community_registered,
            Community.GridAdded: self.grid_added,
            Unit.Registered: self.unit_registered,
            Unit.MemberCountDeclared: self.member_count_declared,
            Unit.Paired: self.paired,
            Unit.Unpaired: self.unpaired,
            Unit.ReportedToCommunity: self.unit_reported,
            Unit.Reminded: self.unit_reminded,
            Reservation.Reserved: self.reserved,
        }

    # -- handlers ----------------------------------------------------------------------

    def county_registered(self, tx: Tx, e: County.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_counties (county_id, name, code, registered_at) VALUES (?, ?, ?, ?)",
            (str(e.originator_id), e.name, e.code, iso(e.timestamp)),
        )

    def policy_changed(self, tx: Tx, e: County.PolicyChanged) -> None:
        tx.execute(
            "UPDATE rm_counties SET policy_overrides = policy_overrides + 1 WHERE county_id = ?",
            (str(e.originator_id),),
        )

    def community_registered(self, tx: Tx, e: Community.Registered) -> None:
        cid = str(e.originator_id)
        tx.execute(
            "INSERT INTO rm_communities (community_id, county_id, name, code, address,"
            " registered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (cid, str(e.county_id), e.name, e.code, e.address, iso(e.timestamp)),
        )
        tx.executemany(
            "INSERT INTO rm_grids (community_id, code, name) VALUES (?, ?, ?)",
            [(cid, g.code, g.name) for g in e.grids],
        )

    def grid_added(self, tx: Tx, e: Community.GridAdded) -> None:
        tx.execute(
            "INSERT INTO rm_grids (community_id, code, name) VALUES (?, ?, ?)",
            (str(e.originator_id), e.grid.code, e.grid.name),
        )

    def unit_registered(self, tx: Tx, e: Unit.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_units (unit_id, county_id, name, member_count, registered_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (str(e.originator_id), str(e.county_id), e.name, e.member_count, iso(e.timestamp)),
        )

    def member_count_declared(self, tx: Tx, e: Unit.MemberCountDeclared) -> None:
        tx.execute(
            "UPDATE rm_units SET member_count = ? WHERE unit_id = ?",
            (e.member_count, str(e.originator_id)),
        )

    def paired(self, tx: Tx, e: Unit.Paired) -> None:
        tx.execute(
            "INSERT INTO rm_pairings (unit_id, community_id, paired_at) VALUES (?, ?, ?)",
            (str(e.originator_id), str(e.community_id), iso(e.timestamp)),
        )

    def unpaired(self, tx: Tx, e: Unit.Unpaired) -> None:
        tx.execute(
            "DELETE FROM rm_pairings WHERE unit_id = ? AND community_id = ?",
            (str(e.originator_id), str(e.community_id)),
        )

    def unit_reported(self, tx: Tx, e: Unit.ReportedToCommunity) -> None:
        tx.execute(
            "UPDATE rm_pairings SET reported_at = ?, report_note = ?"
            " WHERE unit_id = ? AND community_id = ?",
            (iso(e.timestamp), e.note, str(e.originator_id), str(e.community_id)),
        )

    def unit_reminded(self, tx: Tx, e: Unit.Reminded) -> None:
        tx.execute(
            "UPDATE rm_units SET reminder_count = reminder_count + 1, last_reminded_at = ?"
            " WHERE unit_id = ?",
            (iso(e.timestamp), str(e.originator_id)),
        )

    def reserved(self, tx: Tx, e: Reservation.Reserved) -> None:
        if e.fingerprint:  # an idempotency key's claim (unique names carry none)
            tx.execute(
                "INSERT INTO rm_answers (claim_id, position) VALUES (?, ?)",
                (str(e.originator_id), tx.position),
            )


# -- queries -------------------------------------------------------------------------


def answer_position(store: ReadStore, claim_id: str) -> int | None:
    """The log position an idempotent command's first answer reported."""
    with store.read() as tx:
        value = tx.execute(
            "SELECT position FROM rm_answers WHERE claim_id = ?", (claim_id,)
        ).scalar()
    return None if value is None else int(value)


def get_county(store: ReadStore, county_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.execute("SELECT * FROM rm_counties WHERE county_id = ?", (county_id,)).one()


def get_community(store: ReadStore, community_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT * FROM rm_communities WHERE community_id = ?", (community_id,)
        ).one()
        if row is None:
            return None
        row["grids"] = tx.execute(
            "SELECT code, name FROM rm_grids WHERE community_id = ? ORDER BY code",
            (community_id,),
        ).all()
        row["units"] = tx.execute(
            "SELECT u.unit_id, u.name, p.paired_at, p.reported_at FROM rm_pairings p"
            " JOIN rm_units u ON u.unit_id = p.unit_id WHERE p.community_id = ? ORDER BY u.name",
            (community_id,),
        ).all()
    return row


def list_communities(store: ReadStore, county_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM rm_grids g WHERE g.community_id = c.community_id)"
            " AS grid_count FROM rm_communities c WHERE c.county_id = ? ORDER BY c.code",
            (county_id,),
        ).all()
    return rows


def get_unit(store: ReadStore, unit_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute("SELECT * FROM rm_units WHERE unit_id = ?", (unit_id,)).one()
        if row is None:
            return None
        row["communities"] = tx.execute(
            "SELECT c.community_id, c.name, p.paired_at, p.reported_at, p.report_note"
            " FROM rm_pairings p JOIN rm_communities c ON c.community_id = p.community_id"
            " WHERE p.unit_id = ? ORDER BY c.code",
            (unit_id,),
        ).all()
    return row


def list_units(store: ReadStore, county_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_units WHERE county_id = ? ORDER BY name", (county_id,)
        ).all()


def public_directory(store: ReadStore) -> list[dict[str, Any]]:
    """Every county with the names of its communities and units, as anyone may read
    them (the 公示 pages' index): names and ids only."""
    with store.read() as tx:
        counties = tx.execute("SELECT county_id, name FROM rm_counties ORDER BY code").all()
        communities = tx.execute(
            "SELECT community_id, county_id, name FROM rm_communities ORDER BY code"
        ).all()
        units = tx.execute("SELECT unit_id, county_id, name FROM rm_units ORDER BY name").all()
    for county in counties:
        cid = county["county_id"]
        county["communities"] = [
            {"community_id": c["community_id"], "name": c["name"]}
            for c in communities
            if c["county_id"] == cid
        ]
        county["units"] = [
            {"unit_id": u["unit_id"], "name": u["name"]} for u in units if u["county_id"] == cid
        ]
    return counties
