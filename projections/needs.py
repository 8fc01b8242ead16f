"""民生需求台账 (needs ledger): every need, where it stands, who has it, by when, how it
ended; with each order's timeline, its applicants and photos, overlap flags, the
community's figures, and what the deadline sweep must look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from domain.actors import Role, describe_ref, split_ref
from domain.calendar import stored_span
from domain.dispatch import Candidate, rank
from domain.masking import mask_name, requester_as_read
from domain.order import IN_HAND_CODES, OPEN_STATUSES, OUTCOME_LABELS, Order, OrderStatus
from domain.resident import Resident
from domain.values import (
    GeoPoint,
    NeedSource,
    SkillCategory,
    Solved,
    Urgency,
    distance_m,
    hours_text,
)
from projections.base import Handler, Projection
from projections.directory import iso
from projections.people import masked_residents, masker, names_of
from projections.store import ReadStore, Tx, contains, like_pattern

# One order event's change to its row in rm_orders; answers the timeline line's detail.
RowChange = Callable[[Tx, Any, str, str], str]

STATUS_LABELS = {s.code: s.label for s in OrderStatus}
URGENCY_LABELS = {u.code: u.label for u in Urgency}
SOURCE_LABELS = {s.code: s.label for s in NeedSource}
CATEGORY_LABELS = {c.code: c.label for c in SkillCategory}
SOLVED_LABELS = {s.code: s.label for s in Solved}
URGENCY_RANK = {"critical": 3, "urgent": 2, "normal": 1}

# The 民生需求台账 as a worker keeps it and an inspector reads it: every column of the
# JSON ledger a person needs (the export and the JSON agree row by row).
LEDGER_COLUMNS = [
    ("posted_at", "登记时间"),
    ("content", "需求内容"),
    ("category_label", "类别"),
    ("urgency_label", "紧急程度"),
    ("people_affected", "涉及人数"),
    ("source_label", "来源"),
    ("grid_code", "网格"),
    ("requester", "求助人"),
    ("status_label", "状态"),
    ("member_name", "责任党员"),
    ("deadline", "截止时间"),
    ("days_open", "已办天数"),
    ("overdue", "是否超期"),
    ("follow_ups", "超期跟进次数"),
    ("checked_in_at", "签到时间"),
    ("checkin_distance_m", "签到距离（米）"),
    ("checkin_flagged", "签到位置异常"),
    ("photos", "照片数"),
    ("duplicate_photos", "重复使用的照片数"),
    ("overlap_flag", "服务时间重叠"),
    ("claimed_hours", "申报时长（小时）"),
    ("stars", "评价星级"),
    ("solved_label", "是否解决"),
    ("satisfaction_label", "满意度"),
    ("returns", "返单次数"),
    ("closed_at", "结束时间"),
    ("outcome_label", "办结方式"),
    ("hours_credited", "计入时长（小时）"),
    ("found_false", "核定虚假"),
    ("false_reason", "核定虚假理由"),
]

STEP_NAMES: dict[type, str] = {
    Order.Posted: "点单",
    Order.TakeRequested: "接单申请",
    Order.Dispatched: "派单",
    Order.MarkedUnclaimed: "无人接单，转大党委",
    Order.JointMeetingDecided: "大党委交办",
    Order.Accepted: "接单",
    Order.Declined: "拒单",
    Order.CheckedIn: "到场签到",
    Order.PhotoAttached: "上传照片",
    Order.CompletionClaimed: "申请结单",
    Order.Rated: "评价",
    Order.Closed: "办结",
    Order.ReturnedToMember: "返单给原党员",
    Order.Reopened: "返单重新派单",
    Order.MarkedOverdue: "超期",
    Order.FollowedUp: "超期跟进",
    Order.Cancelled: "撤销",
    Order.Rejected: "驳回",
    Order.FoundFalse: "核定虚假，撤销时长与积分",
}


class Needs(Projection):
    name = "rm_needs"
    # 2: found_false, false_reason; 3: a decline clears the overdue flag; 4: a step names
    # the member it gives the order to (subject), its text names nobody by id
    version = 4
    tables = (
        "rm_orders",
        "rm_order_applicants",
        "rm_order_photos",
        "rm_order_steps",
        "rm_residents",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_orders ("
        " order_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " resident_id TEXT, requester_name TEXT NOT NULL, content TEXT NOT NULL,"
        " category TEXT NOT NULL, urgency TEXT NOT NULL, people_affected INTEGER NOT NULL,"
        " source TEXT NOT NULL, grid_code TEXT, lat TEXT, lon TEXT, preferred_time TEXT,"
        " status TEXT NOT NULL, posted_at TEXT NOT NULL, posted_by TEXT NOT NULL,"
        " take_deadline TEXT NOT NULL, applicants INTEGER NOT NULL DEFAULT 0,"
        " member_id TEXT, assignee_kind TEXT, assignee_id TEXT, assignee_name TEXT,"
        " first_dispatched_at TEXT, dispatched_at TEXT, overdue_deadline TEXT,"
        " overdue INTEGER NOT NULL DEFAULT 0, follow_ups INTEGER NOT NULL DEFAULT 0,"
        " accepted_at TEXT, checked_in_at TEXT, checkin_distance_m INTEGER,"
        " checkin_flagged INTEGER NOT NULL DEFAULT 0, photos INTEGER NOT NULL DEFAULT 0,"
        " duplicate_photos INTEGER NOT NULL DEFAULT 0, claimed_at TEXT, claimed_hours TEXT,"
        " rate_deadline TEXT, stars INTEGER, solved TEXT, satisfied INTEGER,"
        " closed_at TEXT, outcome TEXT, hours_credited TEXT,"
        " returns INTEGER NOT NULL DEFAULT 0, overlap_flag INTEGER NOT NULL DEFAULT 0,"
        " found_false INTEGER NOT NULL DEFAULT 0, false_reason TEXT,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_orders_community ON rm_orders (community_id, status)",
        "CREATE INDEX IF NOT EXISTS rm_orders_member ON rm_orders (member_id, status)",
        "CREATE INDEX IF NOT EXISTS rm_orders_resident ON rm_orders (resident_id)",
        "CREATE INDEX IF NOT EXISTS rm_orders_status ON rm_orders (status)",
        "CREATE TABLE IF NOT EXISTS rm_order_applicants ("
        " order_id TEXT NOT NULL, member_id TEXT NOT NULL, applied_at TEXT NOT NULL,"
        " note TEXT NOT NULL, PRIMARY KEY (order_id, member_id))",
        "CREATE TABLE IF NOT EXISTS rm_order_photos ("
        " order_id TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,"
        " duplicate_of TEXT, attached_at TEXT NOT NULL, PRIMARY KEY (order_id, sha256, kind))",
        "CREATE TABLE IF NOT EXISTS rm_order_steps ("
        " order_id TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL,"
        " step TEXT NOT NULL, by TEXT NOT NULL, subject TEXT, detail TEXT NOT NULL,"
        " PRIMARY KEY (order_id, version))",
        "CREATE TABLE IF NOT EXISTS rm_residents ("
        " resident_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, grid_code TEXT,"
        " name TEXT NOT NULL, phone TEXT NOT NULL, address TEXT NOT NULL,"
        " registered_at TEXT NOT NULL)",
        # the masking rule looks residents' names up by name (projections.people)
        "CREATE INDEX IF NOT EXISTS rm_residents_name ON rm_residents (name)",
        "CREATE INDEX IF NOT EXISTS rm_orders_requester ON rm_orders (requester_name)",
    )

    def handlers(self) -> dict[type, Handler]:
        handlers: dict[type, Handler] = {t: self.step for t in STEP_NAMES}
        handlers[Resident.Registered] = self.resident_registered
        return handlers

    @cached_property
    def row_changes(self) -> dict[type, RowChange]:
        """Each order event's own change to its row (the timeline line is `step`'s)."""
        return {
            Order.Posted: self._posted,
            Order.TakeRequested: self._takerequested,
            Order.Dispatched: self._dispatched,
            Order.MarkedUnclaimed: self._markedunclaimed,
            Order.JointMeetingDecided: self._jointmeetingdecided,
            Order.Accepted: self._accepted,
            Order.Declined: self._declined,
            Order.CheckedIn: self._checkedin,
            Order.PhotoAttached: self._photoattached,
            Order.CompletionClaimed: self._completionclaimed,
            Order.Rated: self._rated,
            Order.Closed: self._closed,
            Order.ReturnedToMember: self._returnedtomember,
            Order.Reopened: self._reopened,
            Order.MarkedOverdue: self._markedoverdue,
            Order.FollowedUp: self._followedup,
            Order.Cancelled: self._cancelled,
            Order.FoundFalse: self._foundfalse,
            Order.Rejected: self._rejected,
        }

    def resident_registered(self, tx: Tx, e: Resident.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_residents (resident_id, community_id, grid_code, name, phone,"
            " address, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.community_id),
                e.grid_code,
                e.name,
                e.phone,
                e.address,
                iso(e.timestamp),
            ),
        )

    # Every order event: its own change to the row, then one line in the timeline.
    def step(self, tx: Tx, e: Any) -> None:
        oid = str(e.originator_id)
        at = iso(e.timestamp)
        detail = self.row_changes[type(e)](tx, e, oid, at)
        if not isinstance(e, Order.Posted):
            tx.execute("UPDATE rm_orders SET updated_at = ? WHERE order_id = ?", (at, oid))
        tx.execute(
            "INSERT INTO rm_order_steps (order_id, version, at, step, by, subject, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                oid,
                e.originator_version,
                at,
                STEP_NAMES[type(e)],
                getattr(e, "by", "") or _member_ref(e),
                _subject(e),
                detail or "",
            ),
        )

    @staticmethod
    def _set(tx: Tx, oid: str, assignments: str, params: tuple[Any, ...]) -> None:
        tx.execute(f"UPDATE rm_orders SET {assignments} WHERE order_id = ?", (*params, oid))

    def _posted(self, tx: Tx, e: Order.Posted, oid: str, at: str) -> str:
        tx.execute(
            "INSERT INTO rm_orders (order_id, county_id, community_id, resident_id,"
            " requester_name, content, category, urgency, people_affected, source, grid_code,"
            " lat, lon, preferred_time, status, posted_at, posted_by, take_deadline, photos,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                oid,
                str(e.county_id),
                str(e.community_id),
                str(e.resident_id) if e.resident_id else None,
                e.requester_name,
                e.content,
                e.category.code,
                e.urgency.code,
                e.people_affected,
                e.source.code,
                e.grid_code,
                str(e.location.lat) if e.location else None,
                str(e.location.lon) if e.location else None,
                e.preferred_time,
                OrderStatus.POSTED.code,
                at,
                e.by,
                iso(e.take_deadline),
                len(e.photos),
                at,
            ),
        )
        return f"{SOURCE_LABELS[e.source.code]}：{e.content}"

    def _takerequested(self, tx: Tx, e: Order.TakeRequested, oid: str, at: str) -> str:
        tx.execute(
            "INSERT INTO rm_order_applicants (order_id, member_id, applied_at, note)"
            " VALUES (?, ?, ?, ?)",
            (oid, str(e.member_id), at, e.note),
        )
        self._set(tx, oid, "applicants = applicants + 1", ())
        return e.note

    def _dispatched(self, tx: Tx, e: Order.Dispatched, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, member_id = ?, dispatched_at = ?, overdue = 0,"
            " first_dispatched_at = COALESCE(first_dispatched_at, ?), overdue_deadline = ?",
            (OrderStatus.DISPATCHED.code, str(e.member_id), at, at, iso(e.overdue_deadline)),
        )
        return "（申请人）" if e.from_applicants else ""

    def _markedunclaimed(self, tx: Tx, e: Order.MarkedUnclaimed, oid: str, at: str) -> str:
        self._set(tx, oid, "status = ?", (OrderStatus.UNCLAIMED.code,))
        return ""

    def _jointmeetingdecided(self, tx: Tx, e: Order.JointMeetingDecided, oid: str, at: str) -> str:
        member = e.assignee_kind == "member"
        self._set(
            tx,
            oid,
            "status = ?, assignee_kind = ?, assignee_id = ?, assignee_name = ?,"
            " overdue_deadline = ?, member_id = ?, dispatched_at = ?, overdue = 0,"
            " first_dispatched_at = COALESCE(first_dispatched_at, ?)",
            (
                (OrderStatus.DISPATCHED if member else OrderStatus.ASSIGNED).code,
                e.assignee_kind,
                str(e.assignee_id) if e.assignee_id else None,
                e.assignee_name,
                iso(e.overdue_deadline),
                str(e.assignee_id) if member else None,
                at,
                at,
            ),
        )
        return f"{e.assignee_name}：{e.note}"

    def _accepted(self, tx: Tx, e: Order.Accepted, oid: str, at: str) -> str:
        self._set(tx, oid, "status = ?, accepted_at = ?", (OrderStatus.IN_PROGRESS.code, at))
        return ""

    def _declined(self, tx: Tx, e: Order.Declined, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, member_id = NULL, overdue_deadline = NULL, overdue = 0",
            (OrderStatus.POSTED.code,),
        )
        tx.execute(
            "DELETE FROM rm_order_applicants WHERE order_id = ? AND member_id = ?",
            (oid, str(e.member_id)),
        )
        tx.execute(
            "UPDATE rm_orders SET applicants = (SELECT COUNT(*) FROM rm_order_applicants a"
            " WHERE a.order_id = rm_orders.order_id) WHERE order_id = ?",
            (oid,),
        )
        return e.reason

    def _checkedin(self, tx: Tx, e: Order.CheckedIn, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "checked_in_at = COALESCE(checked_in_at, ?), checkin_distance_m = ?,"
            " checkin_flagged = CASE WHEN ? = 1 THEN 1 ELSE checkin_flagged END",
            (at, e.distance_m, int(e.flagged)),
        )
        where = "" if e.distance_m is None else f"距需求地点 {e.distance_m} 米"
        return where + ("（超出范围）" if e.flagged else "")

    def _photoattached(self, tx: Tx, e: Order.PhotoAttached, oid: str, at: str) -> str:
        tx.execute(
            "INSERT INTO rm_order_photos (order_id, sha256, kind, duplicate_of, attached_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id, sha256, kind) DO NOTHING",
            (oid, e.sha256, e.kind.code, str(e.duplicate_of) if e.duplicate_of else None, at),
        )
        self._set(
            tx,
            oid,
            "photos = photos + 1, duplicate_photos = duplicate_photos + ?",
            (1 if e.duplicate_of else 0,),
        )
        return e.kind.label + ("（与其他需求照片重复）" if e.duplicate_of else "")

    def _completionclaimed(self, tx: Tx, e: Order.CompletionClaimed, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, claimed_at = ?, claimed_hours = ?, rate_deadline = ?",
            (OrderStatus.COMPLETION_CLAIMED.code, at, str(e.hours), iso(e.rate_deadline)),
        )
        # Overlapping service of the same member is flagged on both orders.
        row = tx.execute("SELECT checked_in_at FROM rm_orders WHERE order_id = ?", (oid,)).one()
        start = row["checked_in_at"] if row else None
        if start:
            overlapping = tx.execute(
                "SELECT order_id FROM rm_orders WHERE member_id = ? AND order_id <> ?"
                " AND checked_in_at IS NOT NULL AND claimed_at IS NOT NULL"
                " AND checked_in_at < ? AND claimed_at > ?",
                (str(e.member_id), oid, at, start),
            ).all()
            if overlapping:
                ids = [oid] + [r["order_id"] for r in overlapping]
                marks = ",".join("?" * len(ids))
                tx.execute(
                    f"UPDATE rm_orders SET overlap_flag = 1 WHERE order_id IN ({marks})", ids
                )
        return f"{hours_text(e.hours)} 小时 {e.note}".strip()

    def _rated(self, tx: Tx, e: Order.Rated, oid: str, at: str) -> str:
        status = OrderStatus.COMPLETION_CLAIMED if e.satisfied else OrderStatus.LOW_RATED
        self._set(
            tx,
            oid,
            "status = ?, stars = ?, solved = ?, satisfied = ?",
            (status.code, e.stars, e.solved.code, int(e.satisfied)),
        )
        return f"{e.stars} 星，{e.solved.label}。{e.comment}"

    def _closed(self, tx: Tx, e: Order.Closed, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, closed_at = ?, outcome = ?, hours_credited = ?,"
            " satisfied = CASE WHEN ? = 'unrated' THEN 0 ELSE satisfied END",
            (OrderStatus.CLOSED.code, at, e.outcome, str(e.hours_credited), e.outcome),
        )
        outcome = OUTCOME_LABELS.get(e.outcome, e.outcome)
        return f"{outcome}，计入 {hours_text(e.hours_credited)} 小时 {e.reason}"

    def _returnedtomember(self, tx: Tx, e: Order.ReturnedToMember, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, returns = returns + 1, overdue_deadline = ?, dispatched_at = ?,"
            " overdue = 0, checked_in_at = NULL, checkin_distance_m = NULL,"
            " claimed_at = NULL, claimed_hours = NULL, rate_deadline = NULL, stars = NULL,"
            " solved = NULL, satisfied = NULL",
            (OrderStatus.DISPATCHED.code, iso(e.overdue_deadline), at),
        )
        return e.reason

    def _reopened(self, tx: Tx, e: Order.Reopened, oid: str, at: str) -> str:
        self._set(
            tx,
            oid,
            "status = ?, returns = returns + 1, take_deadline = ?, member_id = NULL,"
            " overdue_deadline = NULL, overdue = 0, applicants = 0, checked_in_at = NULL,"
            " checkin_distance_m = NULL, claimed_at = NULL, claimed_hours = NULL,"
            " rate_deadline = NULL, stars = NULL, solved = NULL, satisfied = NULL",
            (OrderStatus.POSTED.code, iso(e.take_deadline)),
        )
        tx.execute("DELETE FROM rm_order_applicants WHERE order_id = ?", (oid,))
        return e.reason

    def _markedoverdue(self, tx: Tx, e: Order.MarkedOverdue, oid: str, at: str) -> str:
        self._set(tx, oid, "overdue = 1", ())
        return ""

    def _followedup(self, tx: Tx, e: Order.FollowedUp, oid: str, at: str) -> str:
        self._set(tx, oid, "follow_ups = follow_ups + 1", ())
        return f"{e.method.label}：{e.outcome}"

    def _cancelled(self, tx: Tx, e: Order.Cancelled, oid: str, at: str) -> str:
        self._set(tx, oid, "status = ?, closed_at = ?", (OrderStatus.CANCELLED.code, at))
        return e.reason

    def _foundfalse(self, tx: Tx, e: Order.FoundFalse, oid: str, at: str) -> str:
        self._set(tx, oid, "found_false = 1, false_reason = ?, hours_credited = ?", (e.reason, "0"))
        return f"撤销 {hours_text(e.hours_reversed)} 小时：{e.reason}"

    def _rejected(self, tx: Tx, e: Order.Rejected, oid: str, at: str) -> str:
        self._set(tx, oid, "status = ?, closed_at = ?", (OrderStatus.REJECTED.code, at))
        return e.reason


def _member_ref(e: Any) -> str:
    member = getattr(e, "member_id", None)
    return f"member:{member}" if member else "system"


def _subject(e: Any) -> str | None:
    """The member a step gives the order to (named when the timeline is read)."""
    return str(e.member_id) if isinstance(e, Order.Dispatched) else None


# How a step that gives the order to a member reads, the member's name filled in.
SUBJECT_STEPS = {"派单": "派给党员 {name}{detail}"}


def timeline(
    tx: Tx, rows: list[dict[str, Any]], *, residents_in_full: bool
) -> list[dict[str, Any]]:
    """An order's steps as a person reads them: who acted (role and name, masked per the
    reader: `residents_in_full` for the community and the resident), and whom a step
    gave the order to, by name; never an id."""
    refs = [r["by"] for r in rows]
    names, residents = names_of(tx, refs, [r["subject"] for r in rows if r["subject"]])
    if not residents_in_full:
        names = masked_residents(names, residents)
    out = []
    for r in rows:
        detail = r["detail"]
        if r["subject"] and r["step"] in SUBJECT_STEPS:
            name = names.get(r["subject"], "")
            detail = SUBJECT_STEPS[r["step"]].format(name=name, detail=detail)
        out.append(
            {
                "version": r["version"],
                "at": r["at"],
                "step": r["step"],
                "who": describe_ref(r["by"], names),
                "role": split_ref(r["by"])[0] or "system",
                "detail": detail,
            }
        )
    return out


# -- queries ----------------------------------------------------------------------------

SORTS = {
    "posted_at": "o.posted_at",
    "urgency": "CASE o.urgency WHEN 'critical' THEN 3 WHEN 'urgent' THEN 2 ELSE 1 END",
    "people_affected": "o.people_affected",
    "status": "o.status",
    "take_deadline": "o.take_deadline",
}
OPEN_CODES = tuple(s.code for s in OPEN_STATUSES)


def _days_open(row: dict[str, Any], now: datetime) -> int:
    start = datetime.fromisoformat(row["posted_at"])
    end = datetime.fromisoformat(row["closed_at"]) if row.get("closed_at") else now
    return max((end - start).days, 0)


def satisfaction_of(row: dict[str, Any]) -> str:
    """满意度 as the 台账 writes it: 满意 / 不满意 (rated), 未评价 (completion claimed or
    closed without a rating), nothing before the rating is due; a rating of an order found
    false is no feedback (不计)."""
    if row.get("found_false"):
        return "不计（已核定虚假）"
    if row.get("stars") is not None:
        return "满意" if row.get("satisfied") else "不满意"
    if row.get("claimed_at") or row["status"] == OrderStatus.CLOSED.code:
        return "未评价"
    return ""


def _decorate(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    row["requester"] = mask_name(row.get("requester_name") or "")
    row["solved_label"] = SOLVED_LABELS.get(row.get("solved") or "", "")
    row["satisfaction_label"] = satisfaction_of(row)
    row["urgency_label"] = URGENCY_LABELS.get(row["urgency"], row["urgency"])
    row["source_label"] = SOURCE_LABELS.get(row["source"], row["source"])
    row["category_label"] = CATEGORY_LABELS.get(row["category"], row["category"])
    row["outcome_label"] = OUTCOME_LABELS.get(row.get("outcome") or "", "")
    row["days_open"] = _days_open(row, now)
    for flag in ("overdue", "checkin_flagged", "overlap_flag", "found_false"):
        row[flag] = bool(row.get(flag))
    if row.get("satisfied") is not None:
        row["satisfied"] = bool(row["satisfied"])
    row["deadline"] = (
        row["take_deadline"]
        if row["status"] == OrderStatus.POSTED.code
        else row.get("rate_deadline") or row.get("overdue_deadline")
    )
    return row


def ledger(
    store: ReadStore,
    community_id: str,
    now: datetime,
    *,
    status: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    grid: str | None = None,
    source: str | None = None,
    overdue: bool | None = None,
    text: str | None = None,
    sort: str = "posted_at",
    descending: bool = True,
    page: int = 1,
    size: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    where = ["o.community_id = ?"]
    params: list[Any] = [community_id]
    if status == "open":
        where.append(f"o.status IN ({','.join('?' * len(OPEN_CODES))})")
        params += OPEN_CODES
    elif status:
        where.append("o.status = ?")
        params.append(status)
    for column, value in (
        ("category", category),
        ("urgency", urgency),
        ("grid_code", grid),
        ("source", source),
    ):
        if value:
            where.append(f"o.{column} = ?")
            params.append(value)
    if overdue is not None:
        where.append("o.overdue = ?")
        params.append(int(overdue))
    if text:
        where.append(f"({contains('o.content')} OR {contains('o.requester_name')})")
        params += [like_pattern(text)] * 2
    clause = " AND ".join(where)
    order = SORTS.get(sort, SORTS["posted_at"]) + (" DESC" if descending else " ASC")
    with store.read() as tx:
        total = tx.execute(f"SELECT COUNT(*) AS n FROM rm_orders o WHERE {clause}", params).scalar()
        rows = tx.execute(
            "SELECT o.*, m.name AS member_name FROM rm_orders o"
            " LEFT JOIN rm_members m ON m.member_id = o.member_id"
            f" WHERE {clause} ORDER BY {order}, o.order_id LIMIT ? OFFSET ?",
            [*params, size, (page - 1) * size],
        ).all()
        _name_posters(tx, rows)
    return int(total or 0), [_decorate(r, now) for r in rows]


def get_order(
    store: ReadStore, order_id: str, now: datetime, *, residents_in_full: bool = True
) -> dict[str, Any] | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT o.*, m.name AS member_name FROM rm_orders o"
            " LEFT JOIN rm_members m ON m.member_id = o.member_id WHERE o.order_id = ?",
            (order_id,),
        ).one()
        if row is None:
            return None
        row["applicant_list"] = tx.execute(
            "SELECT a.member_id, m.name, a.applied_at, a.note FROM rm_order_applicants a"
            " LEFT JOIN rm_members m ON m.member_id = a.member_id WHERE a.order_id = ?"
            " ORDER BY a.applied_at",
            (order_id,),
        ).all()
        row["photo_list"] = tx.execute(
            "SELECT sha256, kind, duplicate_of, attached_at FROM rm_order_photos"
            " WHERE order_id = ? ORDER BY attached_at, sha256",
            (order_id,),
        ).all()
        steps = tx.execute(
            "SELECT version, at, step, by, subject, detail FROM rm_order_steps"
            " WHERE order_id = ? ORDER BY version",
            (order_id,),
        ).all()
        row["steps"] = timeline(tx, steps, residents_in_full=residents_in_full)
        names, residents = names_of(tx, [row["posted_by"]])
        if not residents_in_full:
            row["requester_name"] = mask_name(row["requester_name"] or "")
            names = masked_residents(names, residents)
        row["posted_by"] = describe_ref(row["posted_by"], names)
    return _decorate(row, now)


def due_for_sweep(store: ReadStore, now: datetime, limit: int = 1000) -> list[str]:
    """Orders whose deadline has passed and on which the sweep may have work."""
    at = now.isoformat()
    with store.read() as tx:
        rows = tx.execute(
            "SELECT order_id FROM rm_orders WHERE"
            " (status = 'posted' AND take_deadline <= ? AND applicants = 0)"
            " OR (status = 'completion_claimed' AND rate_deadline <= ?)"
            " OR (status IN ('assigned', 'dispatched', 'in_progress') AND overdue = 0"
            " AND overdue_deadline <= ?)"
            " ORDER BY order_id LIMIT ?",
            (at, at, at, limit),
        ).all()
    return [r["order_id"] for r in rows]


def orders_of(
    store: ReadStore,
    now: datetime,
    *,
    member_id: str | None = None,
    resident_id: str | None = None,
    reader: Role | None = None,
) -> list[dict[str, Any]]:
    """A member's services or a resident's needs, newest first; with `reader`, as that
    reader may see them (the requester's name: domain.masking.requester_as_read)."""
    column, value = ("member_id", member_id) if member_id else ("resident_id", resident_id)
    with store.read() as tx:
        rows = tx.execute(
            f"SELECT o.*, m.name AS member_name FROM rm_orders o"
            f" LEFT JOIN rm_members m ON m.member_id = o.member_id WHERE o.{column} = ?"
            " ORDER BY o.posted_at DESC, o.order_id",
            (value,),
        ).all()
        _name_posters(tx, rows)
    if reader is not None:
        for r in rows:
            r["requester_name"] = requester_as_read(r["requester_name"] or "", reader)
    return [_decorate(r, now) for r in rows]


def _name_posters(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """Who posted each need, by role and name (a resident masked, as 求助人 is in a list)."""
    names, residents = names_of(tx, [r["posted_by"] for r in rows])
    names = masked_residents(names, residents)
    for r in rows:
        r["posted_by"] = describe_ref(r["posted_by"], names)


def _distance(
    base_lat: str | None, base_lon: str | None, lat: str | None, lon: str | None
) -> int | None:
    if base_lat is None or base_lon is None or lat is None or lon is None:
        return None
    return distance_m(
        GeoPoint(Decimal(base_lat), Decimal(base_lon)), GeoPoint(Decimal(lat), Decimal(lon))
    )


def open_needs_for_member(store: ReadStore, member_id: str, now: datetime) -> list[dict[str, Any]]:
    """Needs a member may apply for: posted, window open, in their community, and within
    their service radius where both places are known; those that fit their skills
    first, then their grid, then the most urgent."""
    with store.read() as tx:
        member = tx.execute(
            "SELECT community_id, grid_code, service_radius_km, base_lat, base_lon, status"
            " FROM rm_members WHERE member_id = ?",
            (member_id,),
        ).one()
        if member is None or member["status"] != "approved":
            return []  # before approval a member applies for nothing (and sees nothing)
        rows = tx.execute(
            "SELECT o.*, CASE WHEN EXISTS (SELECT 1 FROM rm_member_skills s"
            " WHERE s.member_id = ? AND s.kind = 'category' AND s.value = o.category)"
            " THEN 1 ELSE 0 END AS skill_match,"
            " CASE WHEN o.grid_code = ? THEN 1 ELSE 0 END AS same_grid,"
            " CASE WHEN EXISTS (SELECT 1 FROM rm_order_applicants a WHERE a.order_id ="
            " o.order_id AND a.member_id = ?) THEN 1 ELSE 0 END AS applied"
            " FROM rm_orders o WHERE o.community_id = ? AND o.status = 'posted'"
            " AND o.take_deadline > ?"
            " ORDER BY skill_match DESC, same_grid DESC,"
            f" {SORTS['urgency']} DESC, o.posted_at, o.order_id",
            (member_id, member["grid_code"], member_id, member["community_id"], now.isoformat()),
        ).all()
    radius_m = float(member["service_radius_km"]) * 1000 if member["service_radius_km"] else None
    out = []
    for r in rows:
        r = _decorate(r, now)
        for flag in ("skill_match", "same_grid", "applied"):
            r[flag] = bool(r[flag])
        r["distance_m"] = _distance(member["base_lat"], member["base_lon"], r["lat"], r["lon"])
        if r["distance_m"] is not None and radius_m is not None and r["distance_m"] > radius_m:
            continue  # beyond the radius the member declared
        out.append(r)
    return out


# 办结 as every figure counts it: closed and not found false (a false order is no
# completion, and its rating no feedback); projections.evaluation's needs figures too.
CLOSED = "status = 'closed' AND found_false = 0"


def community_figures(
    store: ReadStore, community_id: str, year: int | None = None
) -> dict[str, Any]:
    """Needs posted (in a Beijing year, or all), 办结率, satisfaction rate, average time to
    dispatch and close, overdue."""
    where, params = "community_id = ?", [community_id]
    if year is not None:
        where += " AND posted_at >= ? AND posted_at < ?"
        params += list(stored_span(year))
    with store.read() as tx:
        rows = tx.execute(
            "SELECT status, posted_at, first_dispatched_at, closed_at, outcome, satisfied,"
            f" overdue, CASE WHEN {CLOSED} THEN 1 ELSE 0 END AS counted"
            f" FROM rm_orders WHERE {where}",
            params,
        ).all()
    posted = len(rows)
    valid = [r for r in rows if r["status"] not in ("cancelled", "rejected")]
    closed = [r for r in valid if r["counted"]]
    satisfied = [r for r in closed if r["outcome"] == "satisfied" and r["satisfied"]]

    def hours_between(a: str | None, b: str | None) -> float | None:
        if not a or not b:
            return None
        delta = datetime.fromisoformat(b) - datetime.fromisoformat(a)
        return delta.total_seconds() / 3600

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(sum(present) / len(present), 1) if present else None

    def share(part: int, whole: int) -> float | None:
        return float(round(Decimal(part) / Decimal(whole), 4)) if whole else None

    return {
        "community_id": community_id,
        "year": year,
        "needs_posted": posted,
        "needs_valid": len(valid),
        "closed": len(closed),
        "completion_rate": share(len(closed), len(valid)),
        "satisfaction_rate": share(len(satisfied), len(closed)),
        "avg_hours_to_dispatch": mean(
            [hours_between(r["posted_at"], r["first_dispatched_at"]) for r in valid]
        ),
        "avg_hours_to_close": mean([hours_between(r["posted_at"], r["closed_at"]) for r in closed]),
        "overdue": sum(1 for r in valid if r["overdue"]),
        "open": sum(1 for r in valid if r["status"] != "closed"),
        "found_false": sum(1 for r in valid if r["status"] == "closed" and not r["counted"]),
        "rates_basis": {
            "completion_rate": "办结数（不含核定虚假）÷ 有效需求数（不含撤销、驳回）",
            "satisfaction_rate": "满意办结数（评价 ≥ 3 星）÷ 办结数；超时未评价不计为满意",
        },
    }


def suggest_members(store: ReadStore, order_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """Ranked members for 派单, each rank with its reasons: skill match, same grid,
    whether they applied, current load, past ratings."""
    with store.read() as tx:
        order = tx.execute(
            "SELECT community_id, category, grid_code, lat, lon FROM rm_orders WHERE order_id = ?",
            (order_id,),
        ).one()
        if order is None:
            return []
        marks = ",".join("?" * len(IN_HAND_CODES))
        rows = tx.execute(
            "SELECT m.member_id, m.name, m.grid_code, u.name AS unit_name, m.base_lat,"
            " m.base_lon, m.service_radius_km,"
            " CASE WHEN EXISTS (SELECT 1 FROM rm_member_skills s WHERE s.member_id ="
            " m.member_id AND s.kind = 'category' AND s.value = ?) THEN 1 ELSE 0 END"
            " AS skill_match,"
            " CASE WHEN EXISTS (SELECT 1 FROM rm_order_applicants a WHERE a.order_id = ?"
            " AND a.member_id = m.member_id) THEN 1 ELSE 0 END AS applied,"
            f" (SELECT COUNT(*) FROM rm_orders o WHERE o.member_id = m.member_id"
            f" AND o.status IN ({marks})) AS load,"
            " (SELECT COUNT(*) FROM rm_orders o WHERE o.member_id = m.member_id"
            " AND o.stars IS NOT NULL) AS rated,"
            " (SELECT SUM(o.stars) FROM rm_orders o WHERE o.member_id = m.member_id"
            " AND o.stars IS NOT NULL) AS star_sum"
            " FROM rm_members m LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
            " WHERE m.community_id = ? AND m.status = 'approved'",
            (order["category"], order_id, *IN_HAND_CODES, order["community_id"]),
        ).all()
    ranked = []
    for r in rows:
        radius = float(r["service_radius_km"]) * 1000 if r["service_radius_km"] else None
        distance = _distance(r["base_lat"], r["base_lon"], order["lat"], order["lon"])
        ranking = rank(
            Candidate(
                skill_match=bool(r["skill_match"]),
                skill_label=CATEGORY_LABELS.get(order["category"], order["category"]),
                distance_m=distance,
                radius_m=radius,
                same_grid=bool(order["grid_code"]) and r["grid_code"] == order["grid_code"],
                applied=bool(r["applied"]),
                in_hand=int(r["load"]),
                rated=int(r["rated"]),
                star_sum=int(r["star_sum"] or 0),
            )
        )
        ranked.append(
            {
                "member_id": r["member_id"],
                "name": r["name"],
                "unit_name": r["unit_name"],
                "grid_code": r["grid_code"],
                "score": ranking.score,
                "load": int(r["load"]),
                "average_stars": ranking.average_stars,
                "distance_m": distance,
                "applied": bool(r["applied"]),
                "reasons": list(ranking.reasons),
            }
        )
    ranked.sort(key=lambda x: (-x["score"], x["name"], x["member_id"]))
    for place, item in enumerate(ranked, 1):
        item["rank"] = place
    return ranked[:limit]


# -- the needs wall (微心愿墙): what the public may read of a community's needs ------------

# The wall's three states, each the statuses it stands for: a need nobody has yet, one
# a member (or a unit, a team) has taken, one done. Withdrawn, rejected and false needs
# are not on the wall.
WALL_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("待认领", (OrderStatus.POSTED.code, OrderStatus.UNCLAIMED.code)),
    "taken": (
        "已认领",
        tuple(
            s.code
            for s in (
                OrderStatus.ASSIGNED,
                OrderStatus.DISPATCHED,
                OrderStatus.IN_PROGRESS,
                OrderStatus.COMPLETION_CLAIMED,
                OrderStatus.LOW_RATED,
            )
        ),
    ),
    "done": ("已完成", (OrderStatus.CLOSED.code,)),
}
WALL_STATE_OF = {code: state for state, (_, codes) in WALL_STATES.items() for code in codes}
WALL_TEXT_LENGTH = 60  # characters of a need's (masked) words on the wall


def _short(text: str, length: int = WALL_TEXT_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def public_wall(
    store: ReadStore, community_id: str, *, state: str | None = None, page: int = 1, size: int = 20
) -> tuple[int, dict[str, int], list[dict[str, Any]]]:
    """A community's needs as the public reads them, newest first: the category, the
    need's words through the masking rule (knowing the residents' names in them) and
    shortened, when it was posted (and done), and where it stands; no requester, member,
    grid, place or id. Answers the total of the page's state, the count of each state,
    and the page."""
    codes = [code for _, group in WALL_STATES.values() for code in group]
    if state in WALL_STATES:
        codes = list(WALL_STATES[state][1])
    marks = ",".join("?" * len(codes))
    where = f"community_id = ? AND found_false = 0 AND status IN ({marks})"
    with store.read() as tx:
        counts = {key: 0 for key in WALL_STATES}
        for r in tx.execute(
            "SELECT status, COUNT(*) AS n FROM rm_orders WHERE community_id = ?"
            " AND found_false = 0 GROUP BY status",
            (community_id,),
        ).all():
            if r["status"] in WALL_STATE_OF:
                counts[WALL_STATE_OF[r["status"]]] += int(r["n"])
        total = tx.execute(
            f"SELECT COUNT(*) AS n FROM rm_orders WHERE {where}", [community_id, *codes]
        ).scalar()
        rows = tx.execute(
            "SELECT content, category, status, posted_at, closed_at FROM rm_orders"
            f" WHERE {where} ORDER BY posted_at DESC, order_id LIMIT ? OFFSET ?",
            [community_id, *codes, size, (page - 1) * size],
        ).all()
        mask = masker(tx, [r["content"] for r in rows])
    items = []
    for r in rows:
        wall = WALL_STATE_OF[r["status"]]
        items.append(
            {
                "category": r["category"],
                "category_label": CATEGORY_LABELS.get(r["category"], r["category"]),
                "content": _short(mask(r["content"])),
                "posted_at": r["posted_at"],
                "closed_at": r["closed_at"],
                "state": wall,
                "state_label": WALL_STATES[wall][0],
            }
        )
    return int(total or 0), counts, items
