"""两随机一公开: the inspector directory, joint meetings, and each inspection plan's draw,
assignments, skips, replacements, recusals and findings, as the log records them.

The ledger keeps what an auditor and the public need to follow a draw step by step:
the plan's document and hash, the population and roster hashes, the commitments and
revealed contributions, the seed, the sample with its tickets and the alternates, the
inspectors per target and every inspector passed over, and the findings with their
corrections. Two small maps (orders → community and member, members → unit) say whose
work a drawn target is, so members and their units see the results that concern them.
Residents' data is never copied here: a target is an opaque id.

The views (functions below the projection) apply the disclosure rules (一公开):

- the public sees every plan's rules, hashes and commitments; the draw (seed, sample,
  inspectors, skips, replacements, recusals) once drawn; the findings once the results
  are published; a deadline missed, plainly;
- an unannounced plan (不打招呼) shows only its commitment to the sample until the
  visits are completed; then everything, checked against that commitment.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import orjson

from domain.calendar import business_date
from domain.community import Community
from domain.draw_hashes import sample_commitment, sha256_canonical
from domain.inspection_items import Conclusion, InspectionItem, PlanStatus, SeedMethod
from domain.inspection_plan import InspectionPlan
from domain.inspectors import Inspector
from domain.masking import reason_label
from domain.member import Member
from domain.order import Order
from domain.plan_definition import PlanDefinition
from domain.population import parse_target
from projections.base import Handler, Projection
from projections.directory import iso
from projections.people import Mask, masker
from projections.store import ReadStore, Tx, rows_by_key

ITEM_LABELS = {i.code: i.label for i in InspectionItem}
STATUS_LABELS = {s.code: s.label for s in PlanStatus}
CONCLUSION_LABELS = {c.code: c.label for c in Conclusion}
SEED_LABELS = {m.code: m.label for m in SeedMethod}
SKIP_LABELS = {
    "conflict": "存在利害关系（本单位、居住社区或本单位党员），回避",
    "load_full": "检查任务已满额",
}
KIND_LABELS = {
    "ORD": "已办结需求（回访）",
    "MTG": "党建联席会议（列席）",
    "MBR": "党员服务记录",
    "UNIT": "单位包联职责",
}
# a target named for the public: a unit by its own name; a community's meeting, order
# or member by the community's name and what it is (never a resident's or a member's)
TARGET_NOUNS = {"ORD": "的一项已办结需求", "MTG": "党建联席会议", "MBR": "的一名党员"}
VIA_LABELS = {"draw": "抽取分配", "replacement": "替换对象后分配", "recusal": "回避后递补"}


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


class Inspections(Projection):
    name = "rm_inspections"
    version = 2  # 2: the public reason codes of voids, replacements and recusals
    tables = (
        "rm_insp_inspectors",
        "rm_insp_meetings",
        "rm_insp_members",
        "rm_insp_orders",
        "rm_insp_plans",
        "rm_insp_targets",
        "rm_insp_assignments",
        "rm_insp_skips",
        "rm_insp_findings",
    )
    ddl = (
        # 执法检查人员名录库
        "CREATE TABLE IF NOT EXISTS rm_insp_inspectors ("
        " inspector_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, name TEXT NOT NULL,"
        " unit_id TEXT, unit_name TEXT NOT NULL, home_community_id TEXT,"
        " active INTEGER NOT NULL, registered_at TEXT NOT NULL, retired_at TEXT,"
        " retire_reason TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_insp_inspectors_county ON rm_insp_inspectors (county_id)",
        # 党建联席会议 (what a sit-in draws from)
        "CREATE TABLE IF NOT EXISTS rm_insp_meetings ("
        " meeting_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, held_on TEXT NOT NULL,"
        " topic TEXT NOT NULL, place TEXT NOT NULL, scheduled_at TEXT NOT NULL,"
        " cancelled INTEGER NOT NULL DEFAULT 0, cancelled_at TEXT, cancel_reason TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_insp_meetings_community"
        " ON rm_insp_meetings (community_id, held_on)",
        # whose a drawn target is: members' units, orders' communities and members
        "CREATE TABLE IF NOT EXISTS rm_insp_members ("
        " member_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " unit_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_insp_orders ("
        " order_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " member_id TEXT, closed_at TEXT, found_false INTEGER NOT NULL DEFAULT 0,"
        " found_by TEXT, found_at TEXT)",
        # the plans, one row each; JSON columns hold what the events carry, as carried
        "CREATE TABLE IF NOT EXISTS rm_insp_plans ("
        " plan_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, title TEXT NOT NULL,"
        " item TEXT NOT NULL, status TEXT NOT NULL, document TEXT NOT NULL,"
        " plan_hash TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL,"
        " unannounced INTEGER NOT NULL, seed_method TEXT NOT NULL, parties TEXT NOT NULL,"
        " published_at TEXT NOT NULL,"
        " population_position INTEGER, population_hash TEXT NOT NULL DEFAULT '',"
        " counts TEXT NOT NULL DEFAULT '{}', excluded_count INTEGER,"
        " population_frozen_at TEXT,"
        " roster_position INTEGER, roster_hash TEXT NOT NULL DEFAULT '',"
        " roster TEXT NOT NULL DEFAULT '{}', roster_frozen_at TEXT,"
        " commitments TEXT NOT NULL DEFAULT '{}', contributions TEXT NOT NULL DEFAULT '{}',"
        " seed TEXT NOT NULL DEFAULT '', seed_hash TEXT NOT NULL DEFAULT '',"
        " algorithm TEXT NOT NULL DEFAULT '', sizes TEXT NOT NULL DEFAULT '{}',"
        " sample TEXT NOT NULL DEFAULT '{}', alternates TEXT NOT NULL DEFAULT '{}',"
        " drawn_assignments TEXT NOT NULL DEFAULT '{}',"
        " sample_commitment TEXT NOT NULL DEFAULT '', drawn_at TEXT,"
        " disclosure_deadline TEXT, visits_completed INTEGER NOT NULL DEFAULT 0,"
        " visits_completed_at TEXT, results_published_at TEXT,"
        " summary TEXT NOT NULL DEFAULT '', late_working_days INTEGER,"
        " overdue INTEGER NOT NULL DEFAULT 0, overdue_at TEXT,"
        " voided_at TEXT, void_reason TEXT NOT NULL DEFAULT '', void_reason_code TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_insp_plans_county ON rm_insp_plans (county_id)",
        "CREATE INDEX IF NOT EXISTS rm_insp_plans_due"
        " ON rm_insp_plans (status, overdue, disclosure_deadline)",
        # the sample and the alternates (drawn = 0), in ticket order per stratum (seq)
        "CREATE TABLE IF NOT EXISTS rm_insp_targets ("
        " plan_id TEXT NOT NULL, target TEXT NOT NULL, stratum TEXT NOT NULL,"
        " ticket TEXT NOT NULL, seq INTEGER NOT NULL, drawn INTEGER NOT NULL,"
        " active INTEGER NOT NULL, replaced_by TEXT, replaces TEXT, replace_reason TEXT,"
        " replace_reason_code TEXT,"
        " replaced_at TEXT, kind TEXT NOT NULL, community_code TEXT, community_id TEXT,"
        " order_id TEXT, meeting_id TEXT, member_id TEXT, unit_id TEXT,"
        " PRIMARY KEY (plan_id, target))",
        "CREATE INDEX IF NOT EXISTS rm_insp_targets_member ON rm_insp_targets (member_id)",
        "CREATE INDEX IF NOT EXISTS rm_insp_targets_unit ON rm_insp_targets (unit_id)",
        # inspectors per target; a recused one stays, inactive, with the reason
        "CREATE TABLE IF NOT EXISTS rm_insp_assignments ("
        " plan_id TEXT NOT NULL, target TEXT NOT NULL, inspector_id TEXT NOT NULL,"
        " slot INTEGER NOT NULL, via TEXT NOT NULL, replaces_inspector TEXT,"
        " active INTEGER NOT NULL, recused INTEGER NOT NULL DEFAULT 0, recusal_reason TEXT,"
        " recusal_reason_code TEXT,"
        " assigned_at TEXT NOT NULL, ended_at TEXT,"
        " PRIMARY KEY (plan_id, target, inspector_id))",
        "CREATE INDEX IF NOT EXISTS rm_insp_assignments_inspector"
        " ON rm_insp_assignments (inspector_id)",
        # every inspector passed over, with the reason (draw, replacement, recusal)
        "CREATE TABLE IF NOT EXISTS rm_insp_skips ("
        " plan_id TEXT NOT NULL, position INTEGER NOT NULL, seq INTEGER NOT NULL,"
        " target TEXT NOT NULL, inspector_id TEXT NOT NULL, reason TEXT NOT NULL,"
        " via TEXT NOT NULL, PRIMARY KEY (plan_id, position, seq))",
        # findings; a later one on the same target corrects the earlier (latest = 1)
        "CREATE TABLE IF NOT EXISTS rm_insp_findings ("
        " plan_id TEXT NOT NULL, position INTEGER NOT NULL, target TEXT NOT NULL,"
        " inspector_id TEXT NOT NULL, co_inspectors TEXT NOT NULL, confirmed INTEGER,"
        " stars INTEGER, attendance INTEGER, discussed TEXT NOT NULL, photos TEXT NOT NULL,"
        " conclusion TEXT NOT NULL, note TEXT NOT NULL, correction_reason TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, latest INTEGER NOT NULL,"
        " PRIMARY KEY (plan_id, position))",
        "CREATE INDEX IF NOT EXISTS rm_insp_findings_target ON rm_insp_findings (plan_id, target)",
    )

    def handlers(self) -> dict[type, Handler]:
        P = InspectionPlan
        return {
            Inspector.Registered: self.inspector_registered,
            Inspector.Retired: self.inspector_retired,
            Community.JointMeetingScheduled: self.meeting_scheduled,
            Community.JointMeetingCancelled: self.meeting_cancelled,
            Member.Registered: self.member_registered,
            Order.Posted: self.order_posted,
            Order.Closed: self.order_closed,
            Order.FoundFalse: self.order_found_false,
            P.Published: self.published,
            P.PopulationFrozen: self.population_frozen,
            P.RosterFrozen: self.roster_frozen,
            P.SeedCommitted: self.seed_committed,
            P.ContributionRevealed: self.contribution_revealed,
            P.Drawn: self.drawn,
            P.TargetReplaced: self.target_replaced,
            P.InspectorRecused: self.inspector_recused,
            P.FindingRecorded: self.finding_recorded,
            P.VisitsCompleted: self.visits_completed,
            P.ResultsPublished: self.results_published,
            P.DisclosureOverdue: self.disclosure_overdue,
            P.Voided: self.voided,
        }

    # -- 执法检查人员名录库 ------------------------------------------------------------------

    def inspector_registered(self, tx: Tx, e: Inspector.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_insp_inspectors (inspector_id, county_id, name, unit_id, unit_name,"
            " home_community_id, active, registered_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                e.name,
                None if e.unit_id is None else str(e.unit_id),
                e.unit_name,
                None if e.home_community_id is None else str(e.home_community_id),
                iso(e.timestamp),
            ),
        )

    def inspector_retired(self, tx: Tx, e: Inspector.Retired) -> None:
        tx.execute(
            "UPDATE rm_insp_inspectors SET active = 0, retired_at = ?, retire_reason = ?"
            " WHERE inspector_id = ?",
            (iso(e.timestamp), e.reason, str(e.originator_id)),
        )

    # -- 党建联席会议 -----------------------------------------------------------------------

    def meeting_scheduled(self, tx: Tx, e: Community.JointMeetingScheduled) -> None:
        tx.execute(
            "INSERT INTO rm_insp_meetings (meeting_id, community_id, held_on, topic, place,"
            " scheduled_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(e.meeting_id),
                str(e.originator_id),
                iso(e.held_on),
                e.topic,
                e.place,
                iso(e.timestamp),
            ),
        )

    def meeting_cancelled(self, tx: Tx, e: Community.JointMeetingCancelled) -> None:
        tx.execute(
            "UPDATE rm_insp_meetings SET cancelled = 1, cancelled_at = ?, cancel_reason = ?"
            " WHERE meeting_id = ?",
            (iso(e.timestamp), e.reason, str(e.meeting_id)),
        )

    # -- whose work a target is -------------------------------------------------------------

    def member_registered(self, tx: Tx, e: Member.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_insp_members (member_id, county_id, community_id, unit_id)"
            " VALUES (?, ?, ?, ?)",
            (str(e.originator_id), str(e.county_id), str(e.community_id), str(e.unit_id)),
        )

    def order_posted(self, tx: Tx, e: Order.Posted) -> None:
        tx.execute(
            "INSERT INTO rm_insp_orders (order_id, county_id, community_id) VALUES (?, ?, ?)",
            (str(e.originator_id), str(e.county_id), str(e.community_id)),
        )

    def order_closed(self, tx: Tx, e: Order.Closed) -> None:
        tx.execute(
            "UPDATE rm_insp_orders SET member_id = ?, closed_at = ? WHERE order_id = ?",
            (
                None if e.member_id is None else str(e.member_id),
                iso(e.timestamp),
                str(e.originator_id),
            ),
        )

    def order_found_false(self, tx: Tx, e: Order.FoundFalse) -> None:
        tx.execute(
            "UPDATE rm_insp_orders SET found_false = 1, found_by = ?, found_at = ?"
            " WHERE order_id = ?",
            (e.found_by, iso(e.timestamp), str(e.originator_id)),
        )

    # -- the plan ------------------------------------------------------------------------------

    def published(self, tx: Tx, e: InspectionPlan.Published) -> None:
        document = e.document
        start, end = document["period"]
        seed = document["seed"]
        tx.execute(
            "INSERT INTO rm_insp_plans (plan_id, county_id, title, item, status, document,"
            " plan_hash, period_start, period_end, unannounced, seed_method, parties,"
            " published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.county_id),
                e.title,
                e.item.code,
                PlanStatus.PUBLISHED.code,
                dumps(document),
                e.plan_hash,
                start,
                end,
                int(bool(document["unannounced"])),
                seed["method"],
                dumps(seed.get("parties", [])),
                iso(e.timestamp),
            ),
        )

    def population_frozen(self, tx: Tx, e: InspectionPlan.PopulationFrozen) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET status = ?, population_position = ?, population_hash = ?,"
            " counts = ?, excluded_count = ?, population_frozen_at = ? WHERE plan_id = ?",
            (
                PlanStatus.POPULATION_FROZEN.code,
                e.log_position,
                e.population_hash,
                dumps(e.counts),
                e.excluded_count,
                iso(e.timestamp),
                str(e.originator_id),
            ),
        )

    def roster_frozen(self, tx: Tx, e: InspectionPlan.RosterFrozen) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET status = ?, roster_position = ?, roster_hash = ?,"
            " roster = ?, roster_frozen_at = ? WHERE plan_id = ?",
            (
                PlanStatus.ROSTER_FROZEN.code,
                e.log_position,
                e.roster_hash,
                dumps(e.roster),
                iso(e.timestamp),
                str(e.originator_id),
            ),
        )

    def _update_json(self, tx: Tx, plan_id: str, column: str, key: str, value: Any) -> None:
        row = tx.execute(f"SELECT {column} FROM rm_insp_plans WHERE plan_id = ?", (plan_id,)).one()
        assert row is not None, f"plan {plan_id} was never published"
        current = loads(row[column])
        current[key] = value
        tx.execute(
            f"UPDATE rm_insp_plans SET {column} = ? WHERE plan_id = ?", (dumps(current), plan_id)
        )

    def seed_committed(self, tx: Tx, e: InspectionPlan.SeedCommitted) -> None:
        self._update_json(tx, str(e.originator_id), "commitments", e.party, e.commitment)

    def contribution_revealed(self, tx: Tx, e: InspectionPlan.ContributionRevealed) -> None:
        self._update_json(
            tx, str(e.originator_id), "contributions", e.party, [e.contribution, e.salt]
        )

    def drawn(self, tx: Tx, e: InspectionPlan.Drawn) -> None:
        plan_id, at = str(e.originator_id), iso(e.timestamp)
        tx.execute(
            "UPDATE rm_insp_plans SET status = ?, seed = ?, seed_hash = ?, algorithm = ?,"
            " sizes = ?, sample = ?, alternates = ?, drawn_assignments = ?,"
            " sample_commitment = ?, drawn_at = ?, disclosure_deadline = ? WHERE plan_id = ?",
            (
                PlanStatus.DRAWN.code,
                e.seed,
                e.seed_hash,
                e.algorithm,
                dumps(e.sizes),
                dumps(e.sample),
                dumps(e.alternates),
                dumps(e.assignments),
                e.sample_commitment,
                at,
                iso(e.disclosure_deadline),
                plan_id,
            ),
        )
        listed = [
            (stratum, target, ticket, seq, seq < len(e.sample[stratum]))
            for stratum in sorted(e.sample)
            for seq, (target, ticket) in enumerate(
                [*e.sample[stratum], *e.alternates.get(stratum, [])]
            )
        ]
        owners = self._owners(tx, [target for _, target, _, _, _ in listed])
        tx.executemany(
            "INSERT INTO rm_insp_targets (plan_id, target, stratum, ticket, seq, drawn, active,"
            " kind, community_code, community_id, order_id, meeting_id, member_id, unit_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (plan_id, target, stratum, ticket, seq, int(drawn), int(drawn), *owners[target])
                for stratum, target, ticket, seq, drawn in listed
            ],
        )
        self._assign(tx, plan_id, e.assignments, "draw", at)
        self._skips(tx, plan_id, e.skips, "draw")

    def _owners(self, tx: Tx, targets: list[str]) -> dict[str, tuple[str | None, ...]]:
        """Per target id: kind, community code, community, order, meeting, member, unit
        (the member's unit for an order or a service record), from this ledger's maps."""
        parts = {t: parse_target(t) for t in targets}
        orders = self._lookup(
            tx, "rm_insp_orders", "order_id", "community_id, member_id", parts, "order_id"
        )
        meetings = self._lookup(
            tx, "rm_insp_meetings", "meeting_id", "community_id", parts, "meeting_id"
        )
        members_of_orders = {r["member_id"] for r in orders.values() if r["member_id"]}
        wanted = {p["member_id"] for p in parts.values() if p["member_id"]} | members_of_orders
        members = rows_by_key(tx, "rm_insp_members", "member_id", "community_id, unit_id", wanted)
        out: dict[str, tuple[str | None, ...]] = {}
        for target, p in parts.items():
            community_id, member_id, unit_id = None, p["member_id"], p["unit_id"]
            if p["order_id"] in orders:
                order = orders[p["order_id"]]
                community_id, member_id = order["community_id"], order["member_id"]
            elif p["meeting_id"] in meetings:
                community_id = meetings[p["meeting_id"]]["community_id"]
            if member_id in members:
                unit_id = members[member_id]["unit_id"]
                community_id = community_id or members[member_id]["community_id"]
            out[target] = (
                p["kind"],
                p["community_code"],
                community_id,
                p["order_id"],
                p["meeting_id"],
                member_id,
                unit_id,
            )
        return out

    def _lookup(
        self,
        tx: Tx,
        table: str,
        key: str,
        columns: str,
        parts: dict[str, dict[str, str | None]],
        field: str,
    ) -> dict[str, dict[str, Any]]:
        ids = {value for p in parts.values() if (value := p[field]) is not None}
        return rows_by_key(tx, table, key, columns, ids)

    def _assign(
        self,
        tx: Tx,
        plan_id: str,
        teams: dict[str, list[str]],
        via: str,
        at: str,
        replaces: str | None = None,
    ) -> None:
        tx.executemany(
            "INSERT INTO rm_insp_assignments (plan_id, target, inspector_id, slot, via,"
            " replaces_inspector, active, assigned_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            [
                (plan_id, target, inspector, slot, via, replaces, at)
                for target, team in teams.items()
                for slot, inspector in enumerate(team)
            ],
        )

    def _skips(self, tx: Tx, plan_id: str, skips: list[list[str]], via: str) -> None:
        tx.executemany(
            "INSERT INTO rm_insp_skips (plan_id, position, seq, target, inspector_id, reason,"
            " via) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (plan_id, tx.position, seq, target, inspector, reason, via)
                for seq, (target, inspector, reason) in enumerate(skips)
            ],
        )

    def target_replaced(self, tx: Tx, e: InspectionPlan.TargetReplaced) -> None:
        plan_id, at = str(e.originator_id), iso(e.timestamp)
        tx.execute(
            "UPDATE rm_insp_targets SET active = 0, replaced_by = ?, replace_reason = ?,"
            " replace_reason_code = ?, replaced_at = ? WHERE plan_id = ? AND target = ?",
            (e.replacement, e.reason, e.reason_code, at, plan_id, e.target),
        )
        tx.execute(
            "UPDATE rm_insp_targets SET active = 1, replaces = ? WHERE plan_id = ? AND target = ?",
            (e.target, plan_id, e.replacement),
        )
        tx.execute(
            "UPDATE rm_insp_assignments SET active = 0, ended_at = ?"
            " WHERE plan_id = ? AND target = ? AND active = 1",
            (at, plan_id, e.target),
        )
        self._assign(tx, plan_id, {e.replacement: list(e.inspectors)}, "replacement", at)
        self._skips(tx, plan_id, e.skips, "replacement")

    def inspector_recused(self, tx: Tx, e: InspectionPlan.InspectorRecused) -> None:
        plan_id, at = str(e.originator_id), iso(e.timestamp)
        slot = tx.execute(
            "SELECT slot FROM rm_insp_assignments WHERE plan_id = ? AND target = ?"
            " AND inspector_id = ?",
            (plan_id, e.target, e.inspector_id),
        ).scalar()
        tx.execute(
            "UPDATE rm_insp_assignments SET active = 0, recused = 1, recusal_reason = ?,"
            " recusal_reason_code = ?, ended_at = ?"
            " WHERE plan_id = ? AND target = ? AND inspector_id = ?",
            (e.reason, e.reason_code, at, plan_id, e.target, e.inspector_id),
        )
        tx.execute(
            "INSERT INTO rm_insp_assignments (plan_id, target, inspector_id, slot, via,"
            " replaces_inspector, active, assigned_at) VALUES (?, ?, ?, ?, 'recusal', ?, 1, ?)",
            (plan_id, e.target, e.replacement_id, slot or 0, e.inspector_id, at),
        )
        self._skips(tx, plan_id, e.skips, "recusal")

    def finding_recorded(self, tx: Tx, e: InspectionPlan.FindingRecorded) -> None:
        plan_id = str(e.originator_id)
        tx.execute(
            "UPDATE rm_insp_findings SET latest = 0 WHERE plan_id = ? AND target = ?",
            (plan_id, e.target),
        )
        tx.execute(
            "INSERT INTO rm_insp_findings (plan_id, position, target, inspector_id,"
            " co_inspectors, confirmed, stars, attendance, discussed, photos, conclusion, note,"
            " correction_reason, recorded_at, latest)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (
                plan_id,
                tx.position,
                e.target,
                e.inspector_id,
                dumps(list(e.co_inspectors)),
                None if e.confirmed is None else int(e.confirmed),
                e.stars,
                e.attendance,
                e.discussed,
                dumps(list(e.photos)),
                e.conclusion.code,
                e.note,
                e.correction_reason,
                iso(e.timestamp),
            ),
        )

    def visits_completed(self, tx: Tx, e: InspectionPlan.VisitsCompleted) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET visits_completed = 1, visits_completed_at = ?"
            " WHERE plan_id = ?",
            (iso(e.timestamp), str(e.originator_id)),
        )

    def results_published(self, tx: Tx, e: InspectionPlan.ResultsPublished) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET status = ?, results_published_at = ?, summary = ?,"
            " late_working_days = ? WHERE plan_id = ?",
            (
                PlanStatus.RESULTS_PUBLISHED.code,
                iso(e.timestamp),
                e.summary,
                e.late_working_days,
                str(e.originator_id),
            ),
        )

    def disclosure_overdue(self, tx: Tx, e: InspectionPlan.DisclosureOverdue) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET overdue = 1, overdue_at = ? WHERE plan_id = ?",
            (iso(e.timestamp), str(e.originator_id)),
        )

    def voided(self, tx: Tx, e: InspectionPlan.Voided) -> None:
        tx.execute(
            "UPDATE rm_insp_plans SET status = ?, voided_at = ?, void_reason = ?,"
            " void_reason_code = ? WHERE plan_id = ?",
            (
                PlanStatus.VOIDED.code,
                iso(e.timestamp),
                e.reason,
                e.reason_code,
                str(e.originator_id),
            ),
        )


# == views ========================================================================================

JSON_COLUMNS = (
    "document",
    "parties",
    "counts",
    "roster",
    "commitments",
    "contributions",
    "sizes",
    "sample",
    "alternates",
    "drawn_assignments",
)


def _plan(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A plan row with its JSON decoded, its labels, and where its disclosure stands."""
    for column in JSON_COLUMNS:
        row[column] = loads(row[column])
    for flag in ("unannounced", "visits_completed", "overdue"):
        row[flag] = bool(row[flag])
    row["item_label"] = ITEM_LABELS.get(row["item"], row["item"])
    row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    row["seed_method_label"] = SEED_LABELS.get(row["seed_method"], row["seed_method"])
    row["period"] = [row.pop("period_start"), row.pop("period_end")]
    row["disclosure"] = disclosure(row, today)
    if row["voided_at"] is not None:
        row["void_reason_code"] = row["void_reason_code"] or "other"
        row["void_reason_label"] = reason_label(row["void_reason_code"])
    else:
        row["void_reason_label"] = None
    return row


def disclosure(plan: dict[str, Any], today: date) -> dict[str, Any]:
    """Where the plan's publication stands against its deadline, in plain words."""
    deadline = plan["disclosure_deadline"]
    published = plan["results_published_at"] is not None
    out: dict[str, Any] = {
        "deadline": deadline,
        "published": published,
        "published_at": plan["results_published_at"],
        "overdue_marked": plan["overdue"],
        "overdue_marked_at": plan["overdue_at"],
        "late_working_days": 0,
        "overdue": False,
    }
    if deadline is None:
        out["label"] = "已作废" if plan["status"] == PlanStatus.VOIDED.code else "尚未抽取"
        return out
    calendar = PlanDefinition.from_document(plan["document"]).calendar
    due = date.fromisoformat(deadline)
    if published:
        late = int(plan["late_working_days"] or 0)
        out["late_working_days"] = late
        out["overdue"] = late > 0 or plan["overdue"]
        out["label"] = (
            f"逾期 {late} 个工作日公开（期限 {deadline}）"
            if late > 0
            else f"按期公开（期限 {deadline}）"
        )
        if late == 0 and plan["overdue"]:
            out["label"] = f"逾期公开（期限 {deadline}，逾期不足 1 个工作日）"
        return out
    if plan["status"] == PlanStatus.VOIDED.code:
        out["overdue"] = plan["overdue"]
        out["label"] = "已作废，不再公开结果" + ("（作废前已逾期）" if plan["overdue"] else "")
        return out
    late = calendar.between(due, today)
    out["late_working_days"] = late
    out["overdue"] = plan["overdue"] or today > due
    if late > 0:
        out["label"] = f"逾期 {late} 个工作日，尚未公开（期限 {deadline}）"
    elif out["overdue"]:
        out["label"] = f"已过公开期限 {deadline}，尚未公开"
    else:
        out["label"] = f"公开期限 {deadline}，尚未公开"
    return out


def sample_matches_commitment(plan: dict[str, Any]) -> bool | None:
    """The drawn sample, seed and assignments hash to the commitment the draw published
    (None before the draw). The document is the one domain.sampling.compute_draw
    commits to."""
    if not plan["sample_commitment"]:
        return None
    recomputed = sample_commitment(
        plan["seed"], plan["seed_hash"], plan["sample"], plan["drawn_assignments"]
    )
    return recomputed == plan["sample_commitment"]


def revealed(plan: dict[str, Any]) -> bool:
    """Whether the draw may be shown beyond the supervision team: always, except for an
    unannounced plan whose visits are not completed yet. A voided plan's visits will
    never happen, so its draw is shown (a void cannot hide a sample)."""
    return bool(
        not plan["unannounced"] or plan["visits_completed"] or plan.get("voided_at") is not None
    )


def plan_texts(plan: dict[str, Any]) -> list[str | None]:
    """Every free text a plan's public view shows (what masking must know names in)."""
    texts: list[str | None] = [plan.get("void_reason"), plan.get("summary")]
    for t in plan.get("targets") or []:
        texts.append(t["replace_reason"])
        texts += [a["recusal_reason"] for a in t["former_inspectors"]]
        for f in t["findings"]:
            texts += [f["discussed"], f["note"], f["correction_reason"]]
    return texts


def _roster_entry(plan: dict[str, Any], inspector_id: str) -> dict[str, str]:
    entry = plan["roster"].get(inspector_id) or ["", ""]
    return {"inspector_id": inspector_id, "name": entry[0], "unit_name": entry[1]}


def _finding(row: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    row["confirmed"] = None if row["confirmed"] is None else bool(row["confirmed"])
    row["latest"] = bool(row["latest"])
    row["co_inspectors"] = loads(row["co_inspectors"])
    row["photos"] = loads(row["photos"])
    row["conclusion_label"] = CONCLUSION_LABELS.get(row["conclusion"], row["conclusion"])
    row["inspector"] = _roster_entry(plan, row["inspector_id"])
    return row


def _code(code: str | None, happened: Any) -> str | None:
    """A step's public reason code: its own, "other" for one recorded before codes."""
    return (code or "other") if happened else None


def _label(code: str | None, happened: Any) -> str | None:
    return reason_label(code or "other") if happened else None


def _details(tx: Tx, plan: dict[str, Any]) -> dict[str, Any]:
    """Everything drawn for one plan: targets (sample and replacements) with their
    inspectors, recusals and findings; the unused alternates; the skips."""
    plan_id = plan["plan_id"]
    rows = tx.execute(
        "SELECT t.*, o.found_false, o.found_by, o.found_at, m.held_on, m.topic, m.place,"
        " m.cancelled FROM rm_insp_targets t"
        " LEFT JOIN rm_insp_orders o ON o.order_id = t.order_id"
        " LEFT JOIN rm_insp_meetings m ON m.meeting_id = t.meeting_id"
        " WHERE t.plan_id = ?",
        (plan_id,),
    ).all()
    rows.sort(key=lambda t: (t["stratum"], t["seq"]))  # code points, as on SQLite
    assignments = tx.execute(
        "SELECT * FROM rm_insp_assignments WHERE plan_id = ? ORDER BY target, slot, assigned_at,"
        " inspector_id",
        (plan_id,),
    ).all()
    findings = tx.execute(
        "SELECT * FROM rm_insp_findings WHERE plan_id = ? ORDER BY position", (plan_id,)
    ).all()
    skips = tx.execute(
        "SELECT * FROM rm_insp_skips WHERE plan_id = ? ORDER BY position, seq", (plan_id,)
    ).all()
    teams: dict[str, list[dict[str, Any]]] = {}
    for a in assignments:
        entry = {
            **_roster_entry(plan, a["inspector_id"]),
            "via": a["via"],
            "via_label": VIA_LABELS.get(a["via"], a["via"]),
            "replaces_inspector": a["replaces_inspector"],
            "active": bool(a["active"]),
            "recused": bool(a["recused"]),
            "recusal_reason": a["recusal_reason"],
            "recusal_reason_code": _code(a["recusal_reason_code"], a["recused"]),
            "recusal_reason_label": _label(a["recusal_reason_code"], a["recused"]),
            "assigned_at": a["assigned_at"],
            "ended_at": a["ended_at"],
        }
        teams.setdefault(a["target"], []).append(entry)
    found: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        found.setdefault(f["target"], []).append(_finding(f, plan))
    labels = _target_names(tx, plan, rows)
    targets, alternates = [], []
    for t in rows:
        t["drawn"], t["active"] = bool(t["drawn"]), bool(t["active"])
        replaced = t["replaced_by"] is not None
        t["replace_reason_code"] = _code(t["replace_reason_code"], replaced)
        t["replace_reason_label"] = _label(t["replace_reason_code"], replaced)
        t["kind_label"] = KIND_LABELS.get(t["kind"], t["kind"])
        t["order_found_false"] = bool(t.pop("found_false") or 0)
        meeting = {k: t.pop(k) for k in ("held_on", "topic", "place", "cancelled")}
        t["meeting"] = (
            {**meeting, "cancelled": bool(meeting["cancelled"])} if t["meeting_id"] else None
        )
        if not t["drawn"] and t["replaces"] is None:
            alternates.append(t)
            continue
        team = teams.get(t["target"], [])
        t["inspectors"] = [a for a in team if a["active"]]
        t["former_inspectors"] = [a for a in team if not a["active"]]
        t["findings"] = found.get(t["target"], [])
        latest = t["findings"][-1] if t["findings"] else None
        t["conclusion"] = None if latest is None else latest["conclusion"]
        t["conclusion_label"] = None if latest is None else latest["conclusion_label"]
        targets.append(t)
    plan["targets"] = targets
    plan["alternates"] = alternates
    plan["skips"] = [
        {
            "target": s["target"],
            "target_label": labels.get(s["target"]),
            **_roster_entry(plan, s["inspector_id"]),
            "reason": s["reason"],
            "reason_label": SKIP_LABELS.get(s["reason"], s["reason"]),
            "via": s["via"],
            "via_label": VIA_LABELS.get(s["via"], s["via"]),
        }
        for s in skips
    ]
    plan["recusals"] = [
        {
            "target": t["target"],
            "target_label": t["target_label"],
            **a,
            "replaced_by": _successor(teams[t["target"]], a),
        }
        for t in targets
        for a in t["former_inspectors"]
        if a["recused"]
    ]
    plan["replacements"] = [
        {
            "target": t["target"],
            "target_label": t["target_label"],
            "replacement": t["replaced_by"],
            "replacement_label": labels.get(t["replaced_by"]),
            "reason_code": t["replace_reason_code"],
            "reason_label": t["replace_reason_label"],
            "reason": t["replace_reason"],
            "at": t["replaced_at"],
        }
        for t in targets
        if t["replaced_by"] is not None
    ]
    plan["conclusions"] = dict(
        Counter(t["conclusion_label"] for t in targets if t["active"] and t["conclusion"])
    )
    plan["sample_matches_commitment"] = sample_matches_commitment(plan)
    return plan


def _target_names(tx: Tx, plan: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, str]:
    """Name each target row for people (``community_name``, ``unit_name``,
    ``target_label``, from the directory's read model) and return target id → label.

    Units and communities are public bodies and are named; a unit's name is given only
    for a ``UNIT`` target (an order's or a member's unit would point at the member).
    Residents and members stay opaque: their targets are named by the community and what
    the target is. A name not (yet) in the directory leaves the label ``None`` and the
    id stands alone. The ids, the tickets and every hash are unchanged."""
    communities = {
        r["code"]: r["name"]
        for r in tx.execute(
            "SELECT code, name FROM rm_communities WHERE county_id = ?", (plan["county_id"],)
        ).all()
    }
    unit_ids = {t["unit_id"] for t in rows if t["kind"] == "UNIT" and t["unit_id"]}
    found = rows_by_key(tx, "rm_units", "unit_id", "name", unit_ids)
    units = {unit_id: row["name"] for unit_id, row in found.items()}
    labels: dict[str, str] = {}
    for t in rows:
        kind = t["kind"]
        community = communities.get(t["community_code"]) if t["community_code"] else None
        unit = units.get(t["unit_id"]) if kind == "UNIT" and t["unit_id"] else None
        label = unit if kind == "UNIT" else None
        if community is not None and kind in TARGET_NOUNS:
            label = community + TARGET_NOUNS[kind]
        t["community_name"], t["unit_name"], t["target_label"] = community, unit, label
        if label is not None:
            labels[t["target"]] = label
    return labels


def _successor(team: list[dict[str, Any]], recused: dict[str, Any]) -> str | None:
    return next(
        (a["inspector_id"] for a in team if a["replaces_inspector"] == recused["inspector_id"]),
        None,
    )


def _county_names(tx: Tx, plans: list[dict[str, Any]]) -> None:
    """The county's name beside each plan (from the directory's read model)."""
    for plan in plans:
        county = tx.execute(
            "SELECT name FROM rm_counties WHERE county_id = ?", (plan["county_id"],)
        ).one()
        plan["county_name"] = None if county is None else county["name"]


def _strata_names(tx: Tx, plan: dict[str, Any]) -> None:
    """Each stratum's population, with the name of the community its code stands for."""
    names = {
        r["code"]: r["name"]
        for r in tx.execute(
            "SELECT code, name FROM rm_communities WHERE county_id = ?", (plan["county_id"],)
        ).all()
    }
    plan["strata"] = [
        {
            "stratum": stratum,
            "community_name": names.get(stratum.split("/")[0]),
            "low_rated": stratum.endswith("/low"),
            "population": count,
        }
        for stratum, count in sorted(plan["counts"].items())
    ]


# -- 组织部, 督查, 审计 ------------------------------------------------------------------------


def list_plans(store: ReadStore, county_id: str, today: date) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_insp_plans WHERE county_id = ? ORDER BY published_at DESC, plan_id",
            (county_id,),
        ).all()
    plans = []
    for row in rows:
        plan = _plan(row, today)
        for heavy in ("document", "roster", "sample", "alternates", "drawn_assignments"):
            plan.pop(heavy)
        plans.append(plan)
    return plans


def get_plan(store: ReadStore, plan_id: str, today: date) -> dict[str, Any] | None:
    """One plan with everything (the supervision team's view: nothing masked)."""
    with store.read() as tx:
        row = tx.execute("SELECT * FROM rm_insp_plans WHERE plan_id = ?", (plan_id,)).one()
        if row is None:
            return None
        plan = _details(tx, _plan(row, today))
        _county_names(tx, [plan])
        _strata_names(tx, plan)
    plan["plan_hash_matches"] = sha256_canonical(plan["document"]) == plan["plan_hash"]
    return plan


def plan_county(store: ReadStore, plan_id: str) -> str | None:
    with store.read() as tx:
        value = tx.execute(
            "SELECT county_id FROM rm_insp_plans WHERE plan_id = ?", (plan_id,)
        ).scalar()
    return None if value is None else str(value)


def due_disclosures(store: ReadStore, now: datetime, limit: int = 1000) -> list[str]:
    """Drawn plans, results unpublished, past their deadline, not yet marked overdue."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT plan_id FROM rm_insp_plans WHERE status = ? AND overdue = 0"
            " AND disclosure_deadline < ? ORDER BY plan_id LIMIT ?",
            (PlanStatus.DRAWN.code, business_date(now).isoformat(), limit),
        ).all()
    return [r["plan_id"] for r in rows]


def awaiting_seed(store: ReadStore, limit: int = 1000) -> list[str]:
    """Plans with the roster frozen and no draw yet: the seed is being made. The domain
    decides whether a plan's reveal deadline has passed (few plans are ever here)."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT plan_id FROM rm_insp_plans WHERE status = ? ORDER BY plan_id LIMIT ?",
            (PlanStatus.ROSTER_FROZEN.code, limit),
        ).all()
    return [r["plan_id"] for r in rows]


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


# -- 一公开: no login ---------------------------------------------------------------------------

PUBLIC_PLAN_FIELDS = (
    "plan_id",
    "county_id",
    "county_name",
    "title",
    "item",
    "item_label",
    "period",
    "status",
    "status_label",
    "unannounced",
    "visits_completed",
    "visits_completed_at",
    "published_at",
    "document",
    "plan_hash",
    "plan_hash_matches",
    "population_position",
    "population_hash",
    "counts",
    "strata",
    "excluded_count",
    "population_frozen_at",
    "roster_position",
    "roster_hash",
    "roster_frozen_at",
    "seed_method",
    "seed_method_label",
    "parties",
    "commitments",
    "sample_commitment",
    "drawn_at",
    "disclosure",
    "summary",
    "voided_at",
    "void_reason",
    "void_reason_code",
    "void_reason_label",
)
PUBLIC_TARGET_FIELDS = (
    "target",
    "target_label",
    "community_name",
    "unit_name",
    "kind",
    "kind_label",
    "stratum",
    "ticket",
    "seq",
    "drawn",
    "active",
    "replaced_by",
    "replaces",
    "replace_reason",
    "replace_reason_code",
    "replace_reason_label",
    "replaced_at",
)
PUBLIC_SKIP_FIELDS = (
    "target",
    "target_label",
    "inspector_id",
    "name",
    "unit_name",
    "reason",
    "reason_label",
)
PUBLIC_FINDING_FIELDS = (
    "conclusion",
    "conclusion_label",
    "confirmed",
    "stars",
    "attendance",
    "discussed",
    "note",
    "correction_reason",
    "recorded_at",
    "latest",
)


def public_finding(finding: dict[str, Any], target: str, mask: Mask) -> dict[str, Any]:
    """A finding as the public sees it: free text masked; a revisit's notes, which are
    about a resident, withheld (the conclusion, the confirmation and the stars stay)."""
    row = {k: finding[k] for k in PUBLIC_FINDING_FIELDS}
    for key in ("discussed", "note", "correction_reason"):
        row[key] = mask(row[key])
    if target.startswith("ORD:"):
        row["note"] = "（回访记录涉及群众，不公开）" if finding["note"] else ""
    return {
        **row,
        "inspector": _person(finding["inspector"]),
        "photo_count": len(finding["photos"]),
    }


def _person(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("inspector_id", "name", "unit_name")}


def public_view(plan: dict[str, Any], mask: Mask) -> dict[str, Any]:
    """The plan as the public sees it (see the module's docstring for the rules): every
    reason as its code and label, with the typed text only masked."""
    out = {k: plan.get(k) for k in PUBLIC_PLAN_FIELDS}
    out["void_reason"] = mask(plan["void_reason"]) or None if plan["voided_at"] else None
    out["summary"] = mask(plan["summary"])
    show_draw = revealed(plan) and plan["drawn_at"] is not None
    out["draw_revealed"] = show_draw
    out["results_published"] = plan["results_published_at"] is not None
    if not revealed(plan):
        out["notice"] = (
            "本次为不打招呼检查：列席完成前只公开抽样结果的承诺值（sample_commitment），"
            "完成后公开种子、抽中对象与检查人员，并可核对与承诺值一致。"
        )
        out["counts"] = None
        out["strata"] = None
        return out
    out["roster"] = [
        {"inspector_id": i, "name": v[0], "unit_name": v[1]}
        for i, v in sorted(plan["roster"].items())
    ]
    out["contributions"] = {
        p: {"contribution": c, "salt": s} for p, (c, s) in plan["contributions"].items()
    }
    if not show_draw:
        return out
    out.update(
        seed=plan["seed"],
        seed_hash=plan["seed_hash"],
        algorithm=plan["algorithm"],
        sizes=plan["sizes"],
        sample_matches_commitment=plan["sample_matches_commitment"],
    )
    results = out["results_published"]
    targets = []
    for t in plan["targets"]:
        row = {k: t[k] for k in PUBLIC_TARGET_FIELDS}
        row["replace_reason"] = mask(row["replace_reason"]) or None
        row["inspectors"] = [_person(a) for a in t["inspectors"]]
        row["recused"] = [
            {**_person(a), **_public_recusal(a, mask)}
            for a in t["former_inspectors"]
            if a["recused"]
        ]
        if results:
            row["findings"] = [public_finding(f, t["target"], mask) for f in t["findings"]]
            row["conclusion_label"] = t["conclusion_label"]
            row["follow_up"] = follow_up(t)
        targets.append(row)
    out["targets"] = targets
    out["alternates"] = [
        {k: a[k] for k in ("target", "target_label", "stratum", "ticket", "seq")}
        for a in plan["alternates"]
    ]
    out["skips"] = [{k: s[k] for k in PUBLIC_SKIP_FIELDS} for s in plan["skips"]]
    out["replacements"] = [{**r, "reason": mask(r["reason"])} for r in plan["replacements"]]
    out["recusals"] = [
        {
            "target": r["target"],
            "target_label": r["target_label"],
            **_person(r),
            **_public_recusal(r, mask),
            "replaced_by": r["replaced_by"],
        }
        for r in plan["recusals"]
    ]
    out["conclusions"] = plan["conclusions"] if results else None
    return out


def _public_recusal(entry: dict[str, Any], mask: Mask) -> dict[str, Any]:
    return {
        "reason_code": entry["recusal_reason_code"],
        "reason_label": entry["recusal_reason_label"],
        "reason": mask(entry["recusal_reason"]),
    }


def follow_up(target: dict[str, Any]) -> str:
    """What follows from a target's finding, in plain words."""
    conclusion = target["conclusion"]
    if conclusion is None:
        return ""
    if target["order_found_false"]:
        return "经回访核定服务不实，已撤销相应服务时长与积分"
    return {
        Conclusion.PASS.code: "合格，无需整改",
        Conclusion.RECTIFY.code: "限期整改，整改情况由组织部跟踪",
        Conclusion.ADMONISH.code: "移交诫勉谈话",
    }[conclusion]


def public_plans(
    store: ReadStore, today: date, county_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Every plan's public summary, newest first."""
    where, params = ("WHERE county_id = ?", [county_id]) if county_id else ("", [])
    with store.read() as tx:
        rows = tx.execute(
            f"SELECT * FROM rm_insp_plans {where} ORDER BY published_at DESC, plan_id LIMIT ?",
            [*params, limit],
        ).all()
        plans = [_plan(r, today) for r in rows]
        _county_names(tx, plans)
        counted = {
            r["plan_id"]: r
            for r in tx.execute(
                "SELECT plan_id, SUM(active) AS targets, SUM(CASE WHEN replaces IS NOT NULL"
                " THEN 1 ELSE 0 END) AS replacements FROM rm_insp_targets"
                f" WHERE plan_id IN (SELECT plan_id FROM rm_insp_plans {where})"
                " GROUP BY plan_id",
                params,
            ).all()
        }
        conclusions: dict[str, Counter[str]] = {}
        for r in tx.execute(
            "SELECT f.plan_id, f.conclusion FROM rm_insp_findings f JOIN rm_insp_targets t"
            " ON t.plan_id = f.plan_id AND t.target = f.target AND t.active = 1"
            f" WHERE f.latest = 1 AND f.plan_id IN (SELECT plan_id FROM rm_insp_plans {where})",
            params,
        ).all():
            conclusions.setdefault(r["plan_id"], Counter())[
                CONCLUSION_LABELS.get(r["conclusion"], r["conclusion"])
            ] += 1
        mask_all = masker(tx, [t for plan in plans for t in plan_texts(plan)])
        masks = {plan["plan_id"]: mask_all for plan in plans}
    out = []
    for plan in plans:
        summary = {
            k: plan.get(k)
            for k in PUBLIC_PLAN_FIELDS
            if k not in ("document", "counts", "strata", "population_position", "roster_position")
        }
        mask = masks[plan["plan_id"]]
        summary["void_reason"] = mask(plan["void_reason"]) or None if plan["voided_at"] else None
        summary["summary"] = mask(plan["summary"])
        show = revealed(plan) and plan["drawn_at"] is not None
        summary["draw_revealed"] = show
        summary["results_published"] = plan["results_published_at"] is not None
        numbers = counted.get(plan["plan_id"], {})
        summary["targets"] = int(numbers.get("targets") or 0) if show else None
        summary["replacements"] = int(numbers.get("replacements") or 0) if show else None
        summary["seed"] = plan["seed"] if show else None
        summary["conclusions"] = (
            dict(conclusions.get(plan["plan_id"], Counter()))
            if summary["results_published"]
            else None
        )
        out.append(summary)
    return out


def public_plan(store: ReadStore, plan_id: str, today: date) -> dict[str, Any] | None:
    plan = get_plan(store, plan_id, today)
    if plan is None:
        return None
    with store.read() as tx:
        mask = masker(tx, plan_texts(plan))
    return public_view(plan, mask)


# -- members and units: the results that concern them --------------------------------------


def results_concerning(
    store: ReadStore, today: date, *, member_id: str | None = None, unit_id: str | None = None
) -> list[dict[str, Any]]:
    """Drawn targets that are a member's (their orders, their service record) or a unit's
    (its members' and its own pairing duties): the plan, the inspectors, and once the
    results are published the findings and what follows. An unannounced plan shows
    nothing here until its visits are completed."""
    column, value = ("t.member_id", member_id) if member_id else ("t.unit_id", unit_id)
    with store.read() as tx:
        rows = tx.execute(
            "SELECT t.plan_id FROM rm_insp_targets t JOIN rm_insp_plans p"
            " ON p.plan_id = t.plan_id"
            f" WHERE {column} = ? AND (t.drawn = 1 OR t.replaces IS NOT NULL)"
            " AND (p.unannounced = 0 OR p.visits_completed = 1)"
            " GROUP BY t.plan_id",
            (value,),
        ).all()
        plan_ids = sorted(r["plan_id"] for r in rows)
        plans = []
        for pid in plan_ids:
            row = tx.execute("SELECT * FROM rm_insp_plans WHERE plan_id = ?", (pid,)).one()
            assert row is not None
            plans.append(_details(tx, _plan(row, today)))
        names = {
            r["member_id"]: r["name"]
            for r in tx.execute(
                "SELECT m.member_id, m.name FROM rm_members m JOIN rm_insp_targets t"
                f" ON t.member_id = m.member_id WHERE {column} = ?",
                (value,),
            ).all()
        }
        mask_all = masker(tx, [t for p in plans for t in plan_texts(p)])
        masks = {p["plan_id"]: mask_all for p in plans}
    out = []
    for plan in sorted(plans, key=lambda p: (p["drawn_at"] or "", p["plan_id"]), reverse=True):
        published = plan["results_published_at"] is not None
        mask = masks[plan["plan_id"]]
        for t in plan["targets"]:
            mine = t["member_id"] == member_id if member_id else t["unit_id"] == unit_id
            if not mine:
                continue
            out.append(
                {
                    "plan_id": plan["plan_id"],
                    "title": plan["title"],
                    "item": plan["item"],
                    "item_label": plan["item_label"],
                    "period": plan["period"],
                    "status": plan["status"],
                    "status_label": plan["status_label"],
                    "drawn_at": plan["drawn_at"],
                    "void_reason": mask(plan["void_reason"]) or None,
                    "void_reason_label": plan["void_reason_label"],
                    "disclosure": plan["disclosure"],
                    "target": t["target"],
                    "target_label": t["target_label"],
                    "kind": t["kind"],
                    "kind_label": t["kind_label"],
                    "order_id": t["order_id"],
                    "member_id": t["member_id"],
                    "member_name": names.get(t["member_id"]),
                    "unit_id": t["unit_id"],
                    "active": t["active"],
                    "replaced_by": t["replaced_by"],
                    "replace_reason": mask(t["replace_reason"]) or None,
                    "replace_reason_label": t["replace_reason_label"],
                    "inspectors": [_person(a) for a in t["inspectors"]],
                    "results_published": published,
                    "findings": [public_finding(f, t["target"], mask) for f in t["findings"]]
                    if published
                    else None,
                    "conclusion_label": t["conclusion_label"] if published else None,
                    "follow_up": follow_up(t) if published else None,
                }
            )
    return out
