"""The draw from its frozen inputs (docs/draw-definition.md §2–§6): the seed, each
stratum's sample and alternates by the cs-sha256-v1 sampler, the teams in ticket order
across all strata, the sample commitment. Pure and deterministic: what
`InspectionPlan.draw` records."""

from __future__ import annotations

from dataclasses import dataclass

from domain.assignment import Assignment, assign
from domain.draw_hashes import sample_commitment
from domain.inspectors import roster_keys
from domain.plan_definition import DrawRules
from replay import draw


@dataclass(frozen=True)
class DrawOutcome:
    seed: str
    seed_hash: str
    sizes: dict[str, int]
    sample: dict[str, list[list[str]]]
    alternates: dict[str, list[list[str]]]
    assignment: Assignment
    sample_commitment: str


def sample_strata(
    rules: DrawRules, strata: dict[str, list[str]], seed: str
) -> tuple[dict[str, int], dict[str, list[list[str]]], dict[str, list[list[str]]]]:
    """Per stratum (by name): its size n = min(N, max(m, ceil(r·N))) under the plan's rule
    for its kind, the n lowest tickets and the next alternates, as [id, ticket] pairs.
    A stratum's sample depends on the seed and its own ids only."""
    sizes: dict[str, int] = {}
    sample: dict[str, list[list[str]]] = {}
    alternates: dict[str, list[list[str]]] = {}
    for stratum in sorted(strata):
        ids = strata[stratum]
        n = rules.rule_for(stratum).size(len(ids))
        chosen, extra = draw.sample(ids, seed, n, rules.alternates)
        sizes[stratum] = n
        sample[stratum] = [[i, t] for i, t in chosen]
        alternates[stratum] = [[i, t] for i, t in extra]
    return sizes, sample, alternates


def compute_draw(
    rules: DrawRules,
    plan_hash: str,
    strata: dict[str, list[str]],
    relations: dict[str, list[str]],
    population_hash: str,
    roster: dict[str, list[str]],
    roster_hash_hex: str,
    contributions: list[str],
) -> DrawOutcome:
    """The whole draw from its frozen inputs: what `InspectionPlan.draw` records and what
    `replay draw-verify` recomputes. Pure and deterministic."""
    seed = draw.seed_from(plan_hash, population_hash, roster_hash_hex, contributions)
    s_hash = draw.seed_hash(seed)
    sizes, sample, alternates = sample_strata(rules, strata, seed)
    # targets get their teams in ticket order across all strata (tickets are uniform, so
    # no community's targets systematically pick first under the load cap)
    order = [target for _, target in sorted((t, i) for rows in sample.values() for i, t in rows)]
    assignment = assign(
        order,
        roster_keys(roster),
        relations,
        s_hash,
        rules.inspectors_per_target,
        rules.load_cap,
    )
    commitment_hex = sample_commitment(seed, s_hash, sample, assignment.assigned)
    return DrawOutcome(seed, s_hash, sizes, sample, alternates, assignment, commitment_hex)
