"""One plan's draw as the supervision team reads it, target by target: each target
with its inspectors (active and former, with recusals), its findings and conclusion,
named for people; the unused alternates; every skip; the replacements and recusals."""

from __future__ import annotations

from collections import Counter
from typing import Any

from domain.draw_hashes import sample_commitment
from domain.inspection_items import Conclusion
from domain.masking import reason_label
from projections.json_columns import loads
from projections.store import Tx, rows_by_key

CONCLUSION_LABELS = {c.code: c.label for c in Conclusion}
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


def roster_entry(plan: dict[str, Any], inspector_id: str) -> dict[str, str]:
    entry = plan["roster"].get(inspector_id) or ["", ""]
    return {"inspector_id": inspector_id, "name": entry[0], "unit_name": entry[1]}


def _finding(row: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    row["confirmed"] = None if row["confirmed"] is None else bool(row["confirmed"])
    row["latest"] = bool(row["latest"])
    row["co_inspectors"] = loads(row["co_inspectors"])
    row["photos"] = loads(row["photos"])
    row["conclusion_label"] = CONCLUSION_LABELS.get(row["conclusion"], row["conclusion"])
    row["inspector"] = roster_entry(plan, row["inspector_id"])
    return row


def _code(code: str | None, happened: Any) -> str | None:
    """A step's public reason code: its own, "other" for one recorded before codes."""
    return (code or "other") if happened else None


def _label(code: str | None, happened: Any) -> str | None:
    return reason_label(code or "other") if happened else None


def details(tx: Tx, plan: dict[str, Any]) -> dict[str, Any]:
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
            **roster_entry(plan, a["inspector_id"]),
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
            **roster_entry(plan, s["inspector_id"]),
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
