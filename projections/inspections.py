"""两随机一公开: the inspector directory, joint meetings, and each inspection plan's draw,
assignments, skips, replacements, recusals and findings, as the log records them.

The ledger keeps what an auditor and the public need to follow a draw step by step:
the plan's document and hash, the population and roster hashes, the commitments and
revealed contributions, the seed, the sample with its tickets and the alternates, the
inspectors per target and every inspector passed over, and the findings with their
corrections. Two small maps (orders → community and member, members → unit) say whose
work a drawn target is, so members and their units see the results that concern them.
Residents' data is never copied here: a target is an opaque id.

The rows of the draw (targets, assignments, skips, findings) are written by
projections.inspection_draws; the views read this ledger: projections.plan_progress
(组织部, 督查, 审计: each plan in full, where its disclosure stands),
projections.plan_details (one plan's draw, target by target),
projections.inspector_workload (the roster, the meetings, an inspector's targets) and
projections.public_disclosure (一公开, and the results that concern a member or unit).
"""

from __future__ import annotations

from typing import Any

from domain.community import Community
from domain.inspection_items import PlanStatus
from domain.inspection_plan import InspectionPlan
from domain.inspectors import Inspector
from domain.member import Member
from domain.order import Order
from domain.plan_definition import PlanDefinition
from projections import inspection_draws
from projections.base import Handler, Projection
from projections.directory import iso
from projections.json_columns import dumps, loads
from projections.store import Tx


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
        definition = PlanDefinition.from_document(e.document)
        start, end = definition.period
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
                dumps(e.document),
                e.plan_hash,
                start.isoformat(),
                end.isoformat(),
                int(definition.unannounced),
                definition.seed.method.code,
                dumps(list(definition.seed.parties)),
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

    # the draw's rows: targets, assignments, skips, findings (projections.inspection_draws)

    def drawn(self, tx: Tx, e: InspectionPlan.Drawn) -> None:
        inspection_draws.drawn(tx, e)

    def target_replaced(self, tx: Tx, e: InspectionPlan.TargetReplaced) -> None:
        inspection_draws.target_replaced(tx, e)

    def inspector_recused(self, tx: Tx, e: InspectionPlan.InspectorRecused) -> None:
        inspection_draws.inspector_recused(tx, e)

    def finding_recorded(self, tx: Tx, e: InspectionPlan.FindingRecorded) -> None:
        inspection_draws.finding_recorded(tx, e)

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
