"""一公开: the disclosure rules of 两随机一公开, for the public (no login) and for the
members and units a drawn target concerns.

- the public sees every plan's rules, hashes and commitments; the draw (seed, sample,
  inspectors, skips, replacements, recusals) once drawn; the findings once the results
  are published; a deadline missed, plainly;
- an unannounced plan (不打招呼) shows only its commitment to the sample until the
  visits are completed; then everything, checked against that commitment.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from domain.inspection_items import Conclusion
from projections.people import Mask, masker
from projections.plan_details import CONCLUSION_LABELS, details
from projections.plan_progress import (
    county_names,
    get_plan,
    plan_row,
    plan_texts,
    revealed,
)
from projections.store import ReadStore

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
        plans = [plan_row(r, today) for r in rows]
        county_names(tx, plans)
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
            plans.append(details(tx, plan_row(row, today)))
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
