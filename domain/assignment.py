"""Who inspects which target: inspectors by their own tickets per target (lowest
first), passing over a conflict of interest or a full load, every skip recorded; the
same rule fills one place when an inspector recuses (docs/draw-definition.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Conflict
from replay import draw


@dataclass(frozen=True)
class Assignment:
    """The outcome of assigning inspectors to targets (`assign`)."""

    assigned: dict[str, list[str]]  # target -> inspector ids, in ticket order
    skips: list[list[str]]  # [target, inspector, reason] for each inspector passed over
    load: dict[str, int]


def assign(
    targets: list[str],
    roster: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    per_target: int,
    load_cap: int,
    load: dict[str, int] | None = None,
) -> Assignment:
    """Inspectors per target by their own tickets (lowest first), skipping a conflict of
    interest (a shared unit or community key) or a full load; every skip is recorded.

    Targets are taken in the order given (the draw's: ticket order across all strata),
    so earlier targets get first pick; `load` carries the loads of earlier assignments.
    Raises Conflict when a target cannot get `per_target` inspectors.
    """
    loads = dict(load or dict.fromkeys(roster, 0))
    assigned: dict[str, list[str]] = {}
    skips: list[list[str]] = []
    for target in targets:
        ranked = sorted(
            (draw.inspector_ticket(seed_hash, target, inspector), inspector) for inspector in roster
        )
        keys = set(relations.get(target, ()))
        chosen: list[str] = []
        for _, inspector in ranked:
            if len(chosen) == per_target:
                break
            if keys & set(roster[inspector]):
                skips.append([target, inspector, "conflict"])
            elif loads.get(inspector, 0) >= load_cap:
                skips.append([target, inspector, "load_full"])
            else:
                chosen.append(inspector)
                loads[inspector] = loads.get(inspector, 0) + 1
        if len(chosen) < per_target:
            raise Conflict(
                "not_enough_inspectors",
                f"检查对象 {target} 找不到 {per_target} 名无利害关系且未满额的检查人员",
                f"target {target} cannot get {per_target} unconflicted inspectors under the cap",
                target=target,
            )
        assigned[target] = chosen
    return Assignment(assigned, skips, loads)


def next_inspector(
    target: str,
    roster: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    load: dict[str, int],
    load_cap: int,
    excluded: set[str],
) -> tuple[str, list[list[str]]]:
    """Who takes a recusing inspector's place on `target`: `assign`'s rule for one place,
    among the roster less `excluded` (the team, earlier recusals). Returns the inspector
    and the skips on the way; raises Conflict when nobody is left."""
    others = {i: keys for i, keys in roster.items() if i not in excluded}
    outcome = assign([target], others, relations, seed_hash, 1, load_cap, dict(load))
    return outcome.assigned[target][0], outcome.skips
