"""The checks of an inspection plan's steps that take more than a few lines, as plain
functions `InspectionPlan` calls before it records: a roster that can staff the draw,
a finding's fields for its item, a finding on every target, a step's public reason.
Each raises, or returns nothing."""

from __future__ import annotations

from domain.errors import Conflict, InvalidInput
from domain.inspection_items import InspectionItem
from domain.inspectors import roster_keys
from domain.masking import REASON_LABELS, REASONS_FOR
from domain.plan_definition import DrawRules


def check_staffable(
    roster: dict[str, list[str]],
    strata: dict[str, list[str]],
    relations: dict[str, list[str]],
    rules: DrawRules,
) -> None:
    """Every draw the seed could give can be staffed, as far as can be told before the
    seed exists: each target has enough inspectors free of conflicts, and the roster's
    capacity covers the sample (whose size follows from the rules alone)."""
    need = rules.inspectors_per_target
    if len(roster) < need:
        raise Conflict(
            "not_enough_inspectors",
            f"检查人员名录不足 {need} 人",
            f"the roster has fewer than {need} inspectors",
        )
    keys = {i: set(k) for i, k in roster_keys(roster).items()}
    short = [
        target
        for ids in strata.values()
        for target in ids
        if sum(1 for k in keys.values() if not k & set(relations.get(target, ()))) < need
    ]
    if short:
        raise Conflict(
            "conflicted_targets",
            f"有 {len(short)} 个检查对象找不到 {need} 名无利害关系的检查人员，请充实名录",
            f"{len(short)} targets lack {need} inspectors free of conflicts",
            targets=short[:20],
        )
    sample = sum(rules.rule_for(s).size(len(ids)) for s, ids in strata.items())
    if rules.load_cap * len(roster) < need * sample:
        raise Conflict(
            "roster_too_small",
            f"需检查 {sample} 个对象、每个 {need} 人，名录 {len(roster)} 人"
            f"每人上限 {rules.load_cap}，不够分配",
            f"{sample} targets x {need} inspectors exceed {len(roster)} x {rules.load_cap}",
        )


def check_finding(
    item: InspectionItem, confirmed: bool | None, stars: int | None, attendance: int | None
) -> None:
    """What a finding records for its item: a revisit the resident's confirmation (and
    stars 1–5, if given), a sit-in the attendance; nothing of a revisit elsewhere."""
    if item is InspectionItem.REVISIT:
        if confirmed is None:
            raise InvalidInput(
                "confirmation_required",
                "回访须记录群众是否确认服务完成",
                "a revisit records whether the resident confirms the service",
            )
        if stars is not None and not 1 <= stars <= 5:
            raise InvalidInput("invalid_stars", "评价星级应为 1 到 5", "stars are 1 to 5")
    elif confirmed is not None or stars is not None:
        raise InvalidInput(
            "not_a_revisit",
            "只有回访才记录群众确认与评价",
            "only a revisit records a confirmation and stars",
        )
    if item is InspectionItem.SIT_IN and attendance is None:
        raise InvalidInput(
            "attendance_required", "列席会议须记录到会人数", "a sit-in records attendance"
        )
    if attendance is not None and not 0 <= attendance <= 10_000:
        raise InvalidInput("invalid_attendance", "到会人数无效", "invalid attendance")


def require_findings(assignments: dict[str, list[str]], findings: dict[str, int]) -> None:
    """Every target of the plan has its finding."""
    missing = [t for t in assignments if not findings.get(t)]
    if missing:
        raise Conflict(
            "findings_missing",
            f"尚有 {len(missing)} 个对象未记录检查结果",
            f"{len(missing)} targets have no finding yet",
            missing=missing[:20],
        )


def public_reason(kind: str, code: str) -> str:
    """A reason's public code, from the fixed list for this kind of step (the public
    sees its Chinese label, and the typed reason only masked)."""
    allowed = REASONS_FOR[kind]
    if code not in allowed:
        raise InvalidInput(
            "invalid_reason_code",
            "理由类别应为：" + "、".join(f"{c}（{REASON_LABELS[c]}）" for c in allowed),
            f"reason_code is one of {', '.join(allowed)}",
            allowed=list(allowed),
        )
    return code
