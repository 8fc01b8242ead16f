"""积分 read models: accounts, each member's statement (every entry with the balance
after it), partners, the catalogue and redemptions (for the member, for the partner's
settlement, and for the sweep that expires unconfirmed ones)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.actors import describe_ref
from domain.order import OUTCOME_LABELS
from domain.points import (
    CatalogueItem,
    ItemKind,
    Partner,
    PartnerKind,
    PointsAccount,
    Redemption,
    RedemptionStatus,
    SourceKind,
)
from domain.values import hours_text
from projections.base import Handler, Projection
from projections.directory import iso
from projections.people import names_of
from projections.store import ReadStore, Tx

ITEM_LABELS = {k.code: k.label for k in ItemKind}
PARTNER_LABELS = {k.code: k.label for k in PartnerKind}
REDEMPTION_LABELS = {k.code: k.label for k in RedemptionStatus}
SOURCE_LABELS = {k.code: k.label for k in SourceKind}
ENTRY_LABELS = {
    "earned": "计分",
    "reversed": "撤销",
    "held": "兑换",
    "returned": "退回",
}


class Points(Projection):
    name = "rm_points"
    version = 2  # 2: held is what waits for the partner; redeemed what the partner confirmed
    tables = (
        "rm_points_accounts",
        "rm_points_entries",
        "rm_partners",
        "rm_catalogue",
        "rm_redemptions",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_points_accounts ("
        " account_id TEXT PRIMARY KEY, member_id TEXT NOT NULL UNIQUE, county_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, unit_id TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0,"
        " assessment INTEGER NOT NULL DEFAULT 0, earned INTEGER NOT NULL DEFAULT 0,"
        " withheld INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0,"
        " redeemed INTEGER NOT NULL DEFAULT 0,"
        " returned INTEGER NOT NULL DEFAULT 0, reversed INTEGER NOT NULL DEFAULT 0,"
        " owed INTEGER NOT NULL DEFAULT 0, volunteer_stars INTEGER NOT NULL DEFAULT 0,"
        " opened_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_points_accounts_community"
        " ON rm_points_accounts (community_id)",
        "CREATE TABLE IF NOT EXISTS rm_points_entries ("
        " position INTEGER NOT NULL, seq INTEGER NOT NULL, member_id TEXT NOT NULL,"
        " at TEXT NOT NULL, entry TEXT NOT NULL, source TEXT, source_kind TEXT, source_id TEXT,"
        " redemption_id TEXT, description TEXT NOT NULL, hours TEXT NOT NULL,"
        " service_points INTEGER NOT NULL, assessment_points INTEGER NOT NULL,"
        " balance_after INTEGER NOT NULL, assessment_after INTEGER NOT NULL,"
        " PRIMARY KEY (position, seq))",
        "CREATE INDEX IF NOT EXISTS rm_points_entries_member ON rm_points_entries (member_id)",
        "CREATE TABLE IF NOT EXISTS rm_partners ("
        " partner_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " name TEXT NOT NULL, kind TEXT NOT NULL, contact TEXT NOT NULL,"
        " registered_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_catalogue ("
        " item_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " partner_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
        " description TEXT NOT NULL, price INTEGER NOT NULL, stock INTEGER,"
        " active INTEGER NOT NULL DEFAULT 1, withdrawn_reason TEXT, listed_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_catalogue_community ON rm_catalogue (community_id)",
        "CREATE TABLE IF NOT EXISTS rm_redemptions ("
        " redemption_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " member_id TEXT NOT NULL, item_id TEXT NOT NULL, partner_id TEXT NOT NULL,"
        " item_name TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price INTEGER NOT NULL,"
        " points INTEGER NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL,"
        " requested_at TEXT NOT NULL, expires_at TEXT NOT NULL, confirmed_at TEXT,"
        " confirmed_by TEXT, ended_at TEXT, ended_by TEXT, reason TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_redemptions_member ON rm_redemptions (member_id)",
        "CREATE INDEX IF NOT EXISTS rm_redemptions_partner ON rm_redemptions (partner_id)",
        "CREATE INDEX IF NOT EXISTS rm_redemptions_open ON rm_redemptions (status, expires_at)",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            PointsAccount.Opened: self.opened,
            PointsAccount.Earned: self.earned,
            PointsAccount.Reversed: self.reversed,
            PointsAccount.RedemptionHeld: self.held,
            PointsAccount.RedemptionReturned: self.returned,
            PointsAccount.VolunteerStarsChanged: self.volunteer_stars,
            Partner.Registered: self.partner_registered,
            CatalogueItem.Listed: self.item_listed,
            CatalogueItem.PriceChanged: self.item_price,
            CatalogueItem.Restocked: self.item_stock,
            CatalogueItem.StockTaken: self.item_stock,
            CatalogueItem.StockReturned: self.item_stock,
            CatalogueItem.Withdrawn: self.item_withdrawn,
            Redemption.Requested: self.redemption_requested,
            Redemption.Confirmed: self.redemption_confirmed,
            Redemption.Cancelled: self.redemption_ended,
            Redemption.Expired: self.redemption_ended,
        }

    # -- accounts and the statement ------------------------------------------------------

    def opened(self, tx: Tx, e: PointsAccount.Opened) -> None:
        at = iso(e.timestamp)
        tx.execute(
            "INSERT INTO rm_points_accounts (account_id, member_id, county_id, community_id,"
            " unit_id, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.member_id),
                str(e.county_id),
                str(e.community_id),
                str(e.unit_id),
                at,
                at,
            ),
        )

    def _entry(
        self,
        tx: Tx,
        e: Any,
        *,
        entry: str,
        totals: str,
        params: tuple[Any, ...],
        service: int,
        assessment: int,
        description: str,
        hours: str = "0",
        source: str | None = None,
        redemption_id: str | None = None,
    ) -> None:
        """Move the account's totals and write one statement line with the balance after."""
        account_id = str(e.originator_id)
        at = iso(e.timestamp)
        tx.execute(
            f"UPDATE rm_points_accounts SET {totals}, balance = balance + ?,"
            " assessment = assessment + ?, updated_at = ? WHERE account_id = ?",
            (*params, service, assessment, at, account_id),
        )
        row = tx.execute(
            "SELECT member_id, balance, assessment FROM rm_points_accounts WHERE account_id = ?",
            (account_id,),
        ).one()
        assert row is not None, f"points account {account_id} was never opened"
        kind, _, source_id = (source or "").partition(":")
        tx.execute(
            "INSERT INTO rm_points_entries (position, seq, member_id, at, entry, source,"
            " source_kind, source_id, redemption_id, description, hours, service_points,"
            " assessment_points, balance_after, assessment_after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tx.position,
                e.originator_version,
                row["member_id"],
                at,
                entry,
                source,
                kind or None,
                source_id or None,
                redemption_id,
                description,
                hours,
                service,
                assessment,
                row["balance"],
                row["assessment"],
            ),
        )

    def earned(self, tx: Tx, e: PointsAccount.Earned) -> None:
        hours = hours_text(e.hours)
        if e.points_rule == "full_hour" and e.hours_before is not None:
            total = hours_text(e.hours_before + e.hours)
            parts = [f"{hours} 小时，累计 {total} 小时，每满 1 小时 {e.rate} 分"]
        else:
            parts = [f"{hours} 小时，每小时 {e.rate} 分"]
        if e.bonus_points:
            parts.append(f"奖励 {e.bonus_points}")
        if e.withheld:
            parts.append(f"抵扣欠分 {e.withheld}")
        # Orders credited before the note was a label carry the outcome's code.
        note = OUTCOME_LABELS.get(e.note, e.note) if e.source_kind is SourceKind.ORDER else e.note
        description = f"{e.source_kind.label}：{note}（{'，'.join(parts)}）"
        self._entry(
            tx,
            e,
            entry="earned",
            totals="earned = earned + ?, withheld = withheld + ?, owed = owed - ?",
            params=(e.service_points, e.withheld, e.withheld),
            service=e.service_points - e.withheld,
            assessment=e.assessment_points,
            description=description,
            hours=str(e.hours),
            source=e.source,
        )

    def reversed(self, tx: Tx, e: PointsAccount.Reversed) -> None:
        description = f"撤销：{e.reason}"
        if e.unrecovered:
            description += f"（余额不足，{e.unrecovered} 分记为欠分）"
        self._entry(
            tx,
            e,
            entry="reversed",
            totals="reversed = reversed + ?, owed = owed + ?",
            params=(e.service_points, e.unrecovered),
            service=-e.service_points,
            assessment=-e.assessment_points,
            description=description,
            hours=str(-e.hours),
            source=e.source,
        )

    def held(self, tx: Tx, e: PointsAccount.RedemptionHeld) -> None:
        # The redemption is requested in the same write, just before its points are held.
        what = tx.execute(
            "SELECT r.item_name, r.quantity, p.name AS partner FROM rm_redemptions r"
            " LEFT JOIN rm_partners p ON p.partner_id = r.partner_id WHERE r.redemption_id = ?",
            (str(e.redemption_id),),
        ).one()
        description = "积分兑换"
        if what is not None:
            description += f"：{what['item_name']} × {what['quantity']}（{what['partner']}）"
        self._entry(
            tx,
            e,
            entry="held",
            totals="held = held + ?",
            params=(e.points,),
            service=-e.points,
            assessment=0,
            description=description,
            redemption_id=str(e.redemption_id),
        )

    def returned(self, tx: Tx, e: PointsAccount.RedemptionReturned) -> None:
        description = f"兑换{e.reason}，积分退回"
        if e.withheld:
            description += f"（抵扣欠分 {e.withheld}）"
        self._entry(
            tx,
            e,
            entry="returned",
            totals="returned = returned + ?, held = held - ?, withheld = withheld + ?,"
            " owed = owed - ?",
            params=(e.points, e.points, e.withheld, e.withheld),
            service=e.points - e.withheld,
            assessment=0,
            description=description,
            redemption_id=str(e.redemption_id),
        )

    def volunteer_stars(self, tx: Tx, e: PointsAccount.VolunteerStarsChanged) -> None:
        tx.execute(
            "UPDATE rm_points_accounts SET volunteer_stars = ? WHERE account_id = ?",
            (e.level, str(e.originator_id)),
        )

    # -- partners, catalogue, redemptions --------------------------------------------------

    def partner_registered(self, tx: Tx, e: Partner.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_partners (partner_id, county_id, community_id, name, kind, contact,"
            " registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.community_id),
                e.name,
                e.kind.code,
                e.contact,
                iso(e.timestamp),
            ),
        )

    def item_listed(self, tx: Tx, e: CatalogueItem.Listed) -> None:
        at = iso(e.timestamp)
        tx.execute(
            "INSERT INTO rm_catalogue (item_id, county_id, community_id, partner_id, kind, name,"
            " description, price, stock, listed_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.community_id),
                str(e.partner_id),
                e.kind.code,
                e.name,
                e.description,
                e.price,
                e.stock,
                at,
                at,
            ),
        )

    def item_price(self, tx: Tx, e: CatalogueItem.PriceChanged) -> None:
        tx.execute(
            "UPDATE rm_catalogue SET price = ?, updated_at = ? WHERE item_id = ?",
            (e.price, iso(e.timestamp), str(e.originator_id)),
        )

    def item_stock(self, tx: Tx, e: Any) -> None:
        delta = -e.quantity if isinstance(e, CatalogueItem.StockTaken) else e.quantity
        tx.execute(
            "UPDATE rm_catalogue SET stock = stock + ?, updated_at = ? WHERE item_id = ?",
            (delta, iso(e.timestamp), str(e.originator_id)),
        )

    def item_withdrawn(self, tx: Tx, e: CatalogueItem.Withdrawn) -> None:
        tx.execute(
            "UPDATE rm_catalogue SET active = 0, withdrawn_reason = ?, updated_at = ?"
            " WHERE item_id = ?",
            (e.reason, iso(e.timestamp), str(e.originator_id)),
        )

    def redemption_requested(self, tx: Tx, e: Redemption.Requested) -> None:
        tx.execute(
            "INSERT INTO rm_redemptions (redemption_id, county_id, community_id, member_id,"
            " item_id, partner_id, item_name, quantity, unit_price, points, code, status,"
            " requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                str(e.community_id),
                str(e.member_id),
                str(e.item_id),
                str(e.partner_id),
                e.item_name,
                e.quantity,
                e.unit_price,
                e.points,
                e.code,
                RedemptionStatus.REQUESTED.code,
                iso(e.timestamp),
                iso(e.expires_at),
            ),
        )

    def redemption_confirmed(self, tx: Tx, e: Redemption.Confirmed) -> None:
        at, redemption_id = iso(e.timestamp), str(e.originator_id)
        tx.execute(
            "UPDATE rm_redemptions SET status = ?, confirmed_at = ?, confirmed_by = ?"
            " WHERE redemption_id = ?",
            (RedemptionStatus.CONFIRMED.code, at, e.by, redemption_id),
        )
        # Handed over: the points no longer wait for the partner, they are spent.
        row = tx.execute(
            "SELECT member_id, points FROM rm_redemptions WHERE redemption_id = ?",
            (redemption_id,),
        ).one()
        assert row is not None, f"redemption {redemption_id} was never requested"
        tx.execute(
            "UPDATE rm_points_accounts SET held = held - ?, redeemed = redeemed + ?,"
            " updated_at = ? WHERE member_id = ?",
            (row["points"], row["points"], at, row["member_id"]),
        )

    def redemption_ended(self, tx: Tx, e: Any) -> None:
        status = (
            RedemptionStatus.CANCELLED
            if isinstance(e, Redemption.Cancelled)
            else RedemptionStatus.EXPIRED
        )
        tx.execute(
            "UPDATE rm_redemptions SET status = ?, ended_at = ?, ended_by = ?, reason = ?"
            " WHERE redemption_id = ?",
            (
                status.code,
                iso(e.timestamp),
                getattr(e, "by", "system:sweep"),
                getattr(e, "reason", ""),
                str(e.originator_id),
            ),
        )


# -- queries ----------------------------------------------------------------------------------


def account_of(store: ReadStore, member_id: str) -> dict[str, Any]:
    with store.read() as tx:
        row = tx.execute(
            "SELECT member_id, balance, assessment, earned, withheld, held, redeemed, returned,"
            " reversed,"
            " owed, volunteer_stars, updated_at FROM rm_points_accounts WHERE member_id = ?",
            (member_id,),
        ).one()
    if row is None:  # no account yet: nothing earned, nothing spent
        row = {
            "member_id": member_id,
            "balance": 0,
            "assessment": 0,
            "earned": 0,
            "withheld": 0,
            "held": 0,
            "redeemed": 0,
            "returned": 0,
            "reversed": 0,
            "owed": 0,
            "volunteer_stars": 0,
            "updated_at": None,
        }
    return row


def statement(
    store: ReadStore, member_id: str, start: str | None = None, end: str | None = None
) -> list[dict[str, Any]]:
    """Every entry of a member's account in log order, with the balance after each."""
    where, params = ["member_id = ?"], [member_id]
    if start:
        where.append("at >= ?")
        params.append(start)
    if end:
        where.append("at < ?")
        params.append(end)
    with store.read() as tx:
        rows = tx.execute(
            "SELECT position, at, entry, source, source_kind, source_id, redemption_id,"
            " description, hours, service_points, assessment_points, balance_after,"
            f" assessment_after FROM rm_points_entries WHERE {' AND '.join(where)}"
            " ORDER BY position, seq",
            params,
        ).all()
    for r in rows:
        r["entry_label"] = ENTRY_LABELS[r["entry"]]
        r["source_label"] = SOURCE_LABELS.get(r["source_kind"] or "", "")
    return rows


def partners_of(store: ReadStore, community_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_partners WHERE community_id = ? ORDER BY name, partner_id",
            (community_id,),
        ).all()
    for r in rows:
        r["kind_label"] = PARTNER_LABELS.get(r["kind"], r["kind"])
    return rows


def get_partner(store: ReadStore, partner_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.execute("SELECT * FROM rm_partners WHERE partner_id = ?", (partner_id,)).one()


def catalogue(
    store: ReadStore, community_id: str, *, include_withdrawn: bool = False
) -> list[dict[str, Any]]:
    where = "c.community_id = ?" + ("" if include_withdrawn else " AND c.active = 1")
    with store.read() as tx:
        rows = tx.execute(
            "SELECT c.*, p.name AS partner_name FROM rm_catalogue c"
            " JOIN rm_partners p ON p.partner_id = c.partner_id"
            f" WHERE {where} ORDER BY c.kind, c.price, c.name, c.item_id",
            (community_id,),
        ).all()
    for r in rows:
        r["kind_label"] = ITEM_LABELS.get(r["kind"], r["kind"])
        r["active"] = bool(r["active"])
        r["available"] = r["active"] and (r["stock"] is None or r["stock"] > 0)
    return rows


def _decorated(tx: Tx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Redemptions with their status in words and who confirmed or ended them by name
    (a member's own cancellation names the member, never their id)."""
    refs = [r.get(k) or "" for r in rows for k in ("confirmed_by", "ended_by")]
    names, _ = names_of(tx, refs)
    for r in rows:
        r["status_label"] = REDEMPTION_LABELS.get(r["status"], r["status"])
        for key in ("confirmed_by", "ended_by"):
            if r.get(key):
                r[key] = describe_ref(r[key], names)
    return rows


def redemptions_of(store: ReadStore, member_id: str) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_redemptions WHERE member_id = ? ORDER BY requested_at DESC,"
            " redemption_id",
            (member_id,),
        ).all()
        return _decorated(tx, rows)


def get_redemption(store: ReadStore, redemption_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT * FROM rm_redemptions WHERE redemption_id = ?", (redemption_id,)
        ).one()
        return None if row is None else _decorated(tx, [row])[0]


def partner_redemptions(
    store: ReadStore,
    partner_id: str,
    *,
    status: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[dict[str, Any]]:
    """A partner's redemptions for settlement: confirmed ones by the time of hand-over.
    No member phone numbers: the settlement goes to a business."""
    where, params = ["r.partner_id = ?"], [partner_id]
    if status:
        where.append("r.status = ?")
        params.append(status)
    when = "COALESCE(r.confirmed_at, r.requested_at)"
    if start:
        where.append(f"{when} >= ?")
        params.append(start)
    if end:
        where.append(f"{when} < ?")
        params.append(end)
    with store.read() as tx:
        rows = tx.execute(
            "SELECT r.redemption_id, r.item_id, r.item_name, r.quantity, r.unit_price, r.points,"
            " r.status, r.requested_at, r.confirmed_at, r.confirmed_by, r.ended_at, r.reason,"
            " r.member_id, m.name AS member_name FROM rm_redemptions r"
            " LEFT JOIN rm_members m ON m.member_id = r.member_id"
            f" WHERE {' AND '.join(where)} ORDER BY {when}, r.redemption_id",
            params,
        ).all()
        return _decorated(tx, rows)


def due_redemptions(store: ReadStore, now: datetime, limit: int = 1000) -> list[str]:
    """Redemptions past their confirmation deadline and still open: for the sweep."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT redemption_id FROM rm_redemptions WHERE status = ? AND expires_at <= ?"
            " ORDER BY expires_at LIMIT ?",
            (RedemptionStatus.REQUESTED.code, iso(now), limit),
        ).all()
    return [r["redemption_id"] for r in rows]


# The columns of its export (a 台账 a worker opens in Excel), as the JSON names them.
STATEMENT_COLUMNS = [
    ("at", "时间"),
    ("entry_label", "类型"),
    ("description", "摘要"),
    ("source_label", "来源"),
    ("source_id", "来源编号"),
    ("hours", "时长（小时）"),
    ("service_points", "服务积分变动"),
    ("balance_after", "服务积分余额"),
    ("assessment_points", "考核积分变动"),
    ("assessment_after", "考核积分累计"),
    ("position", "日志位置"),
]


SETTLEMENT_COLUMNS = [
    ("confirmed_at", "核销时间"),
    ("item_name", "兑换项目"),
    ("quantity", "数量"),
    ("unit_price", "单价（积分）"),
    ("points", "积分"),
    ("member_name", "兑换党员"),
    ("status_label", "状态"),
    ("requested_at", "兑换时间"),
    ("redemption_id", "兑换编号"),
]
