"""党员报到台账 and 人才库: every registration, its review, the member's 三亮, skills,
availability and reminders; with the talent-pool search and the reporting progress
that 组织部 watches (registered, approved, reported, coverage against the target)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.actors import Role, describe_ref
from domain.masking import phone_as_read
from domain.member import Member
from domain.values import MemberStatus, SkillCategory, TimeSlot
from projections.base import Handler, Projection
from projections.directory import iso
from projections.store import ReadStore, Tx, contains, like_pattern


class Members(Projection):
    name = "rm_members"
    version = 3
    tables = ("rm_members", "rm_member_skills", "rm_member_slots", "rm_reminders")
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_members ("
        " member_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, unit_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, basis TEXT NOT NULL, grid_code TEXT,"
        " name TEXT NOT NULL, phone TEXT NOT NULL, post TEXT NOT NULL,"
        " status TEXT NOT NULL, review_note TEXT, reviewed_by TEXT, reviewed_at TEXT,"
        " registered_at TEXT NOT NULL, identity_stated INTEGER NOT NULL DEFAULT 0,"
        " show_contact INTEGER NOT NULL DEFAULT 0, commitment_text TEXT,"
        " committed_hours INTEGER, service_radius_km TEXT, reported_at TEXT,"
        " reminder_count INTEGER NOT NULL DEFAULT 0, last_reminded_at TEXT,"
        " superseded INTEGER NOT NULL DEFAULT 0, base_lat TEXT, base_lon TEXT,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_members_unit ON rm_members (unit_id, status)",
        "CREATE INDEX IF NOT EXISTS rm_members_community ON rm_members (community_id, status)",
        "CREATE INDEX IF NOT EXISTS rm_members_county ON rm_members (county_id, status)",
        "CREATE TABLE IF NOT EXISTS rm_member_skills ("
        " member_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (member_id, kind, value))",
        "CREATE INDEX IF NOT EXISTS rm_member_skills_value ON rm_member_skills (kind, value)",
        "CREATE TABLE IF NOT EXISTS rm_member_slots ("
        " member_id TEXT NOT NULL, slot TEXT NOT NULL, PRIMARY KEY (member_id, slot))",
        "CREATE TABLE IF NOT EXISTS rm_reminders ("
        " batch TEXT NOT NULL, target_kind TEXT NOT NULL, target_id TEXT NOT NULL,"
        " message TEXT NOT NULL, sent_by TEXT NOT NULL, sent_at TEXT NOT NULL,"
        " PRIMARY KEY (batch, target_id))",
        "CREATE INDEX IF NOT EXISTS rm_reminders_target ON rm_reminders (target_id)",
    )

    def handlers(self) -> dict[type, Handler]:
        from domain.unit import Unit

        return {
            Member.Registered: self.registered,
            Member.Approved: self.approved,
            Member.Rejected: self.rejected,
            Member.IdentityStated: self.identity_stated,
            Member.CommitmentMade: self.commitment_made,
            Member.SkillsDeclared: self.skills_declared,
            Member.AvailabilityDeclared: self.availability_declared,
            Member.Reported: self.reported,
            Member.Reminded: self.reminded,
            Unit.Reminded: self.unit_reminded,
        }

    @staticmethod
    def _update(tx: Tx, e: Any, assignments: str, params: tuple[Any, ...]) -> None:
        sets = f"{assignments}, updated_at = ?" if assignments else "updated_at = ?"
        tx.execute(
            f"UPDATE rm_members SET {sets} WHERE member_id = ?",
            (*params, iso(e.timestamp), str(e.originator_id)),
        )

    def registered(self, tx: Tx, e: Member.Registered) -> None:
        # A person who registers again after a rejection: the rejected record is history.
        tx.execute(
            "UPDATE rm_members SET superseded = 1 WHERE unit_id = ? AND phone = ? AND status = ?",
            (str(e.unit_id), e.phone, MemberStatus.REJECTED.code),
        )
        tx.execute(
            "INSERT INTO rm_members (member_id, county_id, unit_id, community_id, basis,"
            " grid_code, name, phone, post, status, registered_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.unit_id),
                str(e.community_id),
                e.basis.code,
                e.grid_code,
                e.name,
                e.phone,
                e.post,
                MemberStatus.PENDING.code,
                iso(e.timestamp),
                iso(e.timestamp),
            ),
        )

    def approved(self, tx: Tx, e: Member.Approved) -> None:
        self._update(
            tx,
            e,
            "status = ?, grid_code = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?",
            (MemberStatus.APPROVED.code, e.grid_code, e.note, e.by, iso(e.timestamp)),
        )

    def rejected(self, tx: Tx, e: Member.Rejected) -> None:
        self._update(
            tx,
            e,
            "status = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?",
            (MemberStatus.REJECTED.code, e.reason, e.by, iso(e.timestamp)),
        )

    def identity_stated(self, tx: Tx, e: Member.IdentityStated) -> None:
        self._update(
            tx, e, "post = ?, show_contact = ?, identity_stated = 1", (e.post, int(e.show_contact))
        )

    def commitment_made(self, tx: Tx, e: Member.CommitmentMade) -> None:
        self._update(tx, e, "commitment_text = ?, committed_hours = ?", (e.text, e.hours_per_year))

    def skills_declared(self, tx: Tx, e: Member.SkillsDeclared) -> None:
        mid = str(e.originator_id)
        tx.execute("DELETE FROM rm_member_skills WHERE member_id = ?", (mid,))
        rows = [(mid, "category", c.code) for c in e.categories]
        rows += [(mid, "tag", t) for t in e.tags]
        tx.executemany(
            "INSERT INTO rm_member_skills (member_id, kind, value) VALUES (?, ?, ?)", rows
        )
        self._update(tx, e, "", ())

    def availability_declared(self, tx: Tx, e: Member.AvailabilityDeclared) -> None:
        mid = str(e.originator_id)
        tx.execute("DELETE FROM rm_member_slots WHERE member_id = ?", (mid,))
        tx.executemany(
            "INSERT INTO rm_member_slots (member_id, slot) VALUES (?, ?)",
            [(mid, s.code) for s in e.time_slots],
        )
        base = e.base
        self._update(
            tx,
            e,
            "service_radius_km = ?, base_lat = ?, base_lon = ?",
            (
                str(e.service_radius_km),
                str(base.lat) if base else None,
                str(base.lon) if base else None,
            ),
        )

    def reported(self, tx: Tx, e: Member.Reported) -> None:
        self._update(tx, e, "reported_at = ?", (iso(e.timestamp),))

    def reminded(self, tx: Tx, e: Member.Reminded) -> None:
        self._remember(tx, e, "member")
        self._update(
            tx,
            e,
            "reminder_count = reminder_count + 1, last_reminded_at = ?",
            (iso(e.timestamp),),
        )

    def unit_reminded(self, tx: Tx, e: Any) -> None:
        self._remember(tx, e, "unit")

    @staticmethod
    def _remember(tx: Tx, e: Any, kind: str) -> None:
        tx.execute(
            "INSERT INTO rm_reminders (batch, target_kind, target_id, message, sent_by, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (e.batch, kind, str(e.originator_id), e.message, e.by, iso(e.timestamp)),
        )


# -- queries -------------------------------------------------------------------------

STATUS_LABELS = {s.code: s.label for s in MemberStatus}
MEMBER_COLUMNS = "m.*, u.name AS unit_name, c.name AS community_name"
NOT_REPORTED_COLUMNS = (
    "m.member_id, m.name, m.phone, m.unit_id, u.name AS unit_name,"
    " m.community_id, c.name AS community_name, m.status, m.identity_stated,"
    " CASE WHEN m.commitment_text IS NULL THEN 0 ELSE 1 END AS commitment_made,"
    " CASE WHEN EXISTS (SELECT 1 FROM rm_member_skills s"
    " WHERE s.member_id = m.member_id) THEN 1 ELSE 0 END AS skills_declared,"
    " m.registered_at, m.reminder_count, m.last_reminded_at"
)
SKILL_LABELS = {s.code: s.label for s in SkillCategory}
SLOT_LABELS = {s.code: s.label for s in TimeSlot}


def _attach_details(tx: Tx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return rows
    ids = [r["member_id"] for r in rows]
    marks = ",".join("?" * len(ids))
    skills: dict[str, dict[str, list[str]]] = {i: {"category": [], "tag": []} for i in ids}
    for s in tx.execute(
        f"SELECT member_id, kind, value FROM rm_member_skills WHERE member_id IN ({marks})"
        " ORDER BY value",
        ids,
    ).all():
        skills[s["member_id"]][s["kind"]].append(s["value"])
    slots: dict[str, list[str]] = {i: [] for i in ids}
    for s in tx.execute(
        f"SELECT member_id, slot FROM rm_member_slots WHERE member_id IN ({marks}) ORDER BY slot",
        ids,
    ).all():
        slots[s["member_id"]].append(s["slot"])
    for r in rows:
        mid = r["member_id"]
        r["skill_categories"] = skills[mid]["category"]
        r["skill_tags"] = skills[mid]["tag"]
        r["time_slots"] = slots[mid]
        if r.get("reviewed_by"):  # staff, by role and name (never "community_admin:…")
            r["reviewed_by"] = describe_ref(r["reviewed_by"], {})
    return rows


def _page_of_members(
    tx: Tx, columns: str, where: str, params: list[Any], order: str, page: int, size: int
) -> tuple[int, list[dict[str, Any]]]:
    """One page of rm_members (with unit and community names) and the total that match."""
    total = tx.execute(f"SELECT COUNT(*) AS n FROM rm_members m WHERE {where}", params).scalar()
    rows = tx.execute(
        f"SELECT {columns} FROM rm_members m"
        " LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
        " LEFT JOIN rm_communities c ON c.community_id = m.community_id"
        f" WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    ).all()
    return int(total or 0), rows


def get_member(store: ReadStore, member_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT m.*, u.name AS unit_name, c.name AS community_name FROM rm_members m"
            " LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
            " LEFT JOIN rm_communities c ON c.community_id = m.community_id"
            " WHERE m.member_id = ?",
            (member_id,),
        ).one()
        if row is None:
            return None
        _attach_details(tx, [row])
        row["reminders"] = [
            {**r, "sent_by": describe_ref(r["sent_by"], {})}
            for r in tx.execute(
                "SELECT batch, message, sent_by, sent_at FROM rm_reminders WHERE target_id = ?"
                " ORDER BY sent_at",
                (member_id,),
            ).all()
        ]
    return row


def list_registrations(
    store: ReadStore, community_id: str, status: str | None, page: int, size: int
) -> tuple[int, list[dict[str, Any]]]:
    where = "m.community_id = ?"
    params: list[Any] = [community_id]
    if status:
        where += " AND m.status = ?"
        params.append(status)
    with store.read() as tx:
        return _page_of_members(
            tx, MEMBER_COLUMNS, where, params, "m.registered_at, m.member_id", page, size
        )


def search_talent_pool(
    store: ReadStore,
    community_id: str,
    *,
    skill: str | None = None,
    tag: str | None = None,
    grid: str | None = None,
    slot: str | None = None,
    text: str | None = None,
    page: int = 1,
    size: int = 20,
) -> tuple[int, list[dict[str, Any]]]:
    """人才库: approved members of a community, by skill, tag, grid, availability."""
    where = ["m.community_id = ?", "m.status = ?"]
    params: list[Any] = [community_id, MemberStatus.APPROVED.code]
    if skill:
        where.append(
            "EXISTS (SELECT 1 FROM rm_member_skills s WHERE s.member_id = m.member_id"
            " AND s.kind = 'category' AND s.value = ?)"
        )
        params.append(skill)
    if tag:
        where.append(
            "EXISTS (SELECT 1 FROM rm_member_skills s WHERE s.member_id = m.member_id"
            f" AND s.kind = 'tag' AND {contains('s.value')})"
        )
        params.append(like_pattern(tag))
    if grid:
        where.append("m.grid_code = ?")
        params.append(grid)
    if slot:
        where.append(
            "EXISTS (SELECT 1 FROM rm_member_slots t WHERE t.member_id = m.member_id"
            " AND t.slot IN (?, ?))"
        )
        params += [slot, TimeSlot.ON_CALL.code]
    if text:
        columns = ("m.name", "m.post", "m.commitment_text")
        where.append("(" + " OR ".join(contains(c) for c in columns) + ")")
        params += [like_pattern(text)] * 3
    clause = " AND ".join(where)
    order = "m.reported_at IS NULL, m.name, m.member_id"
    with store.read() as tx:
        total, rows = _page_of_members(tx, MEMBER_COLUMNS, clause, params, order, page, size)
        _attach_details(tx, rows)
    return total, rows


def _coverage(reported: int, expected: int, target: Decimal) -> dict[str, Any]:
    if expected <= 0:
        return {"coverage": None, "meets_target": None}
    share = Decimal(reported) / Decimal(expected)
    return {
        "coverage": float(round(share, 4)),
        "meets_target": share >= target,
    }


_COUNTS = (
    "COUNT(m.member_id) FILTER (WHERE m.status <> 'rejected') AS registered,"
    " COUNT(m.member_id) FILTER (WHERE m.status = 'approved') AS approved,"
    " COUNT(m.member_id) FILTER (WHERE m.reported_at IS NOT NULL) AS reported,"
    " COUNT(m.member_id) FILTER (WHERE m.status = 'pending') AS pending"
)


def progress_by_unit(store: ReadStore, county_id: str, target: Decimal) -> list[dict[str, Any]]:
    """Per unit: coverage = reported / the unit's declared number of in-service members."""
    with store.read() as tx:
        rows = tx.execute(
            f"SELECT u.unit_id, u.name, u.member_count AS expected, {_COUNTS}"
            " FROM rm_units u LEFT JOIN rm_members m ON m.unit_id = u.unit_id"
            " WHERE u.county_id = ? GROUP BY u.unit_id, u.name, u.member_count ORDER BY u.name",
            (county_id,),
        ).all()
    for r in rows:
        r["not_registered"] = max(int(r["expected"]) - int(r["registered"]), 0)
        r.update(_coverage(int(r["reported"]), int(r["expected"]), target))
    return rows


def progress_by_community(
    store: ReadStore, county_id: str, target: Decimal
) -> list[dict[str, Any]]:
    """Per community: coverage = reported / registrations (not rejected) with it."""
    with store.read() as tx:
        rows = tx.execute(
            f"SELECT c.community_id, c.name, {_COUNTS}"
            " FROM rm_communities c LEFT JOIN rm_members m ON m.community_id = c.community_id"
            " WHERE c.county_id = ? GROUP BY c.community_id, c.name, c.code ORDER BY c.code",
            (county_id,),
        ).all()
    for r in rows:
        r.update(_coverage(int(r["reported"]), int(r["registered"]), target))
    return rows


def member_view(row: dict[str, Any], reader: Role) -> dict[str, Any]:
    """A member's record as `reader` may see it (the phone: domain.masking.phone_as_read),
    with its coded fields in words."""
    out = dict(row)
    out["phone"] = phone_as_read(row["phone"], reader, consented=bool(row.get("show_contact")))
    out["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    out["identity_stated"] = bool(row.get("identity_stated"))
    out["show_contact"] = bool(row.get("show_contact"))
    out["reported"] = row.get("reported_at") is not None
    if "skill_categories" in row:
        out["skill_labels"] = [SKILL_LABELS.get(c, c) for c in row["skill_categories"]]
        out["time_slot_labels"] = [SLOT_LABELS.get(s, s) for s in row["time_slots"]]
    return out


def not_reported(
    store: ReadStore,
    county_id: str,
    *,
    unit_id: str | None = None,
    community_id: str | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    """Members who have registered but not completed 报到 (pending review, rejected,
    or approved without all three 亮), oldest first."""
    where = ["m.county_id = ?", "m.reported_at IS NULL", "m.superseded = 0"]
    params: list[Any] = [county_id]
    if unit_id:
        where.append("m.unit_id = ?")
        params.append(unit_id)
    if community_id:
        where.append("m.community_id = ?")
        params.append(community_id)
    clause = " AND ".join(where)
    with store.read() as tx:
        total, rows = _page_of_members(
            tx, NOT_REPORTED_COLUMNS, clause, params, "m.registered_at, m.member_id", page, size
        )
    for r in rows:  # a county-level list: readers remind through the system, no phones
        r["phone"] = phone_as_read(r["phone"], None)
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
        r["missing"] = _missing_steps(r)
    return total, rows


def _missing_steps(row: dict[str, Any]) -> list[str]:
    """What still stands between this member and a complete 报到, in the ledger's words."""
    if row["status"] == MemberStatus.PENDING.code:
        return ["待社区审核"]
    if row["status"] == MemberStatus.REJECTED.code:
        return ["申请被驳回，需重新注册"]
    steps = [
        ("identity_stated", "亮身份"),
        ("commitment_made", "亮承诺"),
        ("skills_declared", "亮特长"),
    ]
    return [label for key, label in steps if not row[key]]
