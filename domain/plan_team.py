"""替换与回避: a drawn target that cannot be inspected is replaced by the next unused
alternate of its stratum, with a team assigned as in the draw; an inspector who
withdraws from a target is followed by the next eligible inspector in that target's
ticket order. Plain functions `InspectionPlan.replace_target` and `.recuse` call: they
check the step and return what it records."""

from __future__ import annotations

from typing import Protocol

from domain.assignment import Assignment, assign, next_inspector
from domain.errors import Conflict, InvalidInput
from domain.plan_definition import PlanDefinition


class DrawnPlan(Protocol):
    """What these steps read of a drawn InspectionPlan."""

    definition: PlanDefinition
    seed_hash: str
    targets: dict[str, str]
    alternates: dict[str, list[list[str]]]
    assignments: dict[str, list[str]]
    recused: dict[str, list[str]]
    load: dict[str, int]
    findings: dict[str, int]

    def roster_keys(self) -> dict[str, list[str]]: ...


def replacement(
    plan: DrawnPlan, target: str, reason: str, relations: dict[str, list[str]]
) -> tuple[str, str, Assignment]:
    """The replacement of `target`, its ticket and its team (`relations`: the frozen
    directory's, the replacement's conflict keys)."""
    if plan.findings.get(target):
        raise Conflict(
            "target_inspected", "该对象已有检查结果，不能替换", "the target has a finding"
        )
    if not reason:
        raise InvalidInput("reason_required", "替换必须说明理由", "a replacement needs a reason")
    pool = plan.alternates.get(plan.targets[target], [])
    if not pool:
        raise Conflict("no_alternate", "该层已无备选对象", "no alternate is left in this stratum")
    taken, ticket = pool[0]
    load = dict(plan.load)
    for inspector in plan.assignments[target]:  # the replaced target's team is freed
        load[inspector] -= 1
    rules = plan.definition.rules
    team = assign(
        [taken],
        plan.roster_keys(),
        relations,
        plan.seed_hash,
        rules.inspectors_per_target,
        rules.load_cap,
        load,
    )
    return taken, ticket, team


def successor(
    plan: DrawnPlan,
    target: str,
    inspector_id: str,
    reason: str,
    relations: dict[str, list[str]],
) -> tuple[str, list[list[str]]]:
    """Who takes `inspector_id`'s place on `target`, and the inspectors passed over."""
    team = plan.assignments[target]
    if inspector_id not in team:
        raise Conflict(
            "not_assigned", "该检查人员未被分配到此对象", "the inspector is not on this target"
        )
    if plan.findings.get(target):
        raise Conflict(
            "target_inspected", "该对象已有检查结果，不能更换人员", "the target has a finding"
        )
    if not reason:
        raise InvalidInput("reason_required", "回避必须说明理由", "a recusal needs a reason")
    excluded = set(team) | set(plan.recused.get(target, [])) | {inspector_id}
    try:
        return next_inspector(
            target,
            plan.roster_keys(),
            relations,
            plan.seed_hash,
            plan.load,
            plan.definition.rules.load_cap,
            excluded,
        )
    except Conflict:
        raise Conflict(
            "not_enough_inspectors",
            "没有其他无利害关系且未满额的检查人员可替换",
            "no other unconflicted inspector under the cap is left",
        ) from None
