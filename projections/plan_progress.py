"""两随机一公开 for 组织部, 督查 and 审计: each plan from the ledger with its labels and
where its disclosure stands against the deadline, the county's plans, one plan in full
(its draw from projections.plan_details), and the plans the sweep looks at."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.calendar import business_date
from domain.draw_hashes import sha256_canonical
from domain.inspection_items import InspectionItem, PlanStatus, SeedMethod
from domain.masking import reason_label
from domain.plan_definition import PlanDefinition
from projections.json_columns import loads
from projections.plan_details import details
from projections.store import ReadStore, Tx

ITEM_LABELS = {i.code: i.label for i in InspectionItem}
STATUS_LABELS = {s.code: s.label for s in PlanStatus}
SEED_LABELS = {m.code: m.label for m in SeedMethod}

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


def plan_row(row: dict[str, Any], today: date) -> dict[str, Any]:
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


def county_names(tx: Tx, plans: list[dict[str, Any]]) -> None:
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


def list_plans(store: ReadStore, county_id: str, today: date) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT * FROM rm_insp_plans WHERE county_id = ? ORDER BY published_at DESC, plan_id",
            (county_id,),
        ).all()
    plans = []
    for row in rows:
        plan = plan_row(row, today)
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
        plan = details(tx, plan_row(row, today))
        county_names(tx, [plan])
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
