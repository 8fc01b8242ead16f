"""The rows of a plan's draw in the 两随机一公开 ledger (projections.inspections): the
sample and the alternates with their tickets and whose work each target is, the
inspectors per target, every inspector passed over, replacements, recusals, findings
with their corrections. Handlers of `Inspections`, one per event."""

from __future__ import annotations

from typing import Any

from domain.inspection_items import PlanStatus
from domain.inspection_plan import InspectionPlan
from domain.population import parse_target
from projections.directory import iso
from projections.json_columns import dumps
from projections.store import Tx, rows_by_key


def drawn(tx: Tx, e: InspectionPlan.Drawn) -> None:
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
        for seq, (target, ticket) in enumerate([*e.sample[stratum], *e.alternates.get(stratum, [])])
    ]
    owners = _owners(tx, [target for _, target, _, _, _ in listed])
    tx.executemany(
        "INSERT INTO rm_insp_targets (plan_id, target, stratum, ticket, seq, drawn, active,"
        " kind, community_code, community_id, order_id, meeting_id, member_id, unit_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (plan_id, target, stratum, ticket, seq, int(drawn), int(drawn), *owners[target])
            for stratum, target, ticket, seq, drawn in listed
        ],
    )
    _assign(tx, plan_id, e.assignments, "draw", at)
    _skips(tx, plan_id, e.skips, "draw")


def _owners(tx: Tx, targets: list[str]) -> dict[str, tuple[str | None, ...]]:
    """Per target id: kind, community code, community, order, meeting, member, unit
    (the member's unit for an order or a service record), from this ledger's maps."""
    parts = {t: parse_target(t) for t in targets}
    orders = _lookup(tx, "rm_insp_orders", "order_id", "community_id, member_id", parts, "order_id")
    meetings = _lookup(tx, "rm_insp_meetings", "meeting_id", "community_id", parts, "meeting_id")
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


def _skips(tx: Tx, plan_id: str, skips: list[list[str]], via: str) -> None:
    tx.executemany(
        "INSERT INTO rm_insp_skips (plan_id, position, seq, target, inspector_id, reason,"
        " via) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (plan_id, tx.position, seq, target, inspector, reason, via)
            for seq, (target, inspector, reason) in enumerate(skips)
        ],
    )


def target_replaced(tx: Tx, e: InspectionPlan.TargetReplaced) -> None:
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
    _assign(tx, plan_id, {e.replacement: list(e.inspectors)}, "replacement", at)
    _skips(tx, plan_id, e.skips, "replacement")


def inspector_recused(tx: Tx, e: InspectionPlan.InspectorRecused) -> None:
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
    _skips(tx, plan_id, e.skips, "recusal")


def finding_recorded(tx: Tx, e: InspectionPlan.FindingRecorded) -> None:
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
