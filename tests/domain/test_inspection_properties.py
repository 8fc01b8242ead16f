"""The draw as a whole (domain.sampling.compute_draw), as an auditor relies on it:

- determinism: a pinned vector (plan, population, roster, contributions → every hash,
  the seed, the sample, the alternates, the inspectors and each skip) that any machine
  must reproduce byte for byte; and the same inputs in any order give the same draw;
- sensitivity: changing any input changes its hash and so the seed;
- consistency: for a given seed, a community's sample does not change when another
  community is added (hypothesis);
- fairness: over many seeds each eligible target, and each eligible inspector of a
  target, is chosen about as often as chance says (binomial bounds);
- assignment rules: never a conflicted inspector, never above the load cap, always the
  required number per target, and every inspector passed over is recorded (hypothesis).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.assignment import assign
from domain.draw_hashes import roster_hash, sha256_canonical
from domain.plan_definition import DrawRules
from domain.sampling import compute_draw, sample_strata
from replay import draw

DOCUMENT: dict[str, Any] = {
    "schema": "sishuang/draw-plan/v1",
    "plan_id": "p1",
    "county_id": "c1",
    "item": "revisit",
    "period": ["2026-03-01", "2026-03-31"],
    "strata": {"normal": {"ratio": "0.2", "minimum": 2}, "low": {"ratio": "0.5", "minimum": 1}},
    "alternates": 2,
    "min_inspectors": 2,
    "load_cap": 3,
}
RULES = DrawRules.from_document(DOCUMENT)  # what the draw reads of the plan
STRATA = {
    "A": [f"ORD:A:{i}" for i in range(10)],
    "A/low": ["ORD:A:low1", "ORD:A:low2"],
    "B": [f"ORD:B:{i}" for i in range(7)],
}
RELATIONS = {
    t: ["community:A"] if t.startswith("ORD:A") else ["community:B"]
    for ids in STRATA.values()
    for t in ids
}
ROSTER = {
    "I1": ["甲", "纪委", "community:A"],
    "I2": ["乙", "巡察办"],
    "I3": ["丙", "组织部", "community:B"],
    "I4": ["丁", "宣传部"],
    "I5": ["戊", "财政局"],
}
CONTRIBUTIONS = ["3-5-1", "6-2-2"]


def pinned() -> Any:
    return compute_draw(
        RULES,
        sha256_canonical(DOCUMENT),
        STRATA,
        RELATIONS,
        draw.population_hash(STRATA, {}, RELATIONS),
        ROSTER,
        roster_hash(ROSTER),
        CONTRIBUTIONS,
    )


def test_a_pinned_draw_is_the_same_on_any_machine() -> None:
    assert sha256_canonical(DOCUMENT) == (
        "16bbfd2a5ab8f288ee7a0d08fc9160a80acb2be7ecc018af6931393e4d342fe7"
    )
    assert draw.population_hash(STRATA, {}, RELATIONS) == (
        "15915e7236357e65073b497a5483e7afc4d8357242ffbcd81db981e20ac137d3"
    )
    assert roster_hash(ROSTER) == (
        "6892bf5cf14f72842cfe6c86dd6330daea7d574ab068a9190fd7b093630fbd60"
    )
    outcome = pinned()
    assert outcome.seed == "d58d55c44e15022f0928eb0e249b4c16332e4ccbad6649f92f16bbf2419c356b"
    assert outcome.sizes == {"A": 2, "A/low": 1, "B": 2}
    assert {s: [i for i, _ in rows] for s, rows in outcome.sample.items()} == {
        "A": ["ORD:A:2", "ORD:A:5"],
        "A/low": ["ORD:A:low1"],
        "B": ["ORD:B:6", "ORD:B:4"],
    }
    assert {s: [i for i, _ in rows] for s, rows in outcome.alternates.items()} == {
        "A": ["ORD:A:1", "ORD:A:9"],
        "A/low": ["ORD:A:low2"],
        "B": ["ORD:B:1", "ORD:B:5"],
    }
    # teams in ticket order across strata: the low-rated order comes last, after I5 and
    # I2 are full
    assert outcome.assignment.assigned == {
        "ORD:A:2": ["I5", "I3"],
        "ORD:B:6": ["I4", "I2"],
        "ORD:A:5": ["I5", "I2"],
        "ORD:B:4": ["I2", "I5"],
        "ORD:A:low1": ["I3", "I4"],
    }
    assert list(outcome.assignment.assigned) == [
        "ORD:A:2",
        "ORD:B:6",
        "ORD:A:5",
        "ORD:B:4",
        "ORD:A:low1",
    ]
    assert outcome.assignment.skips == [
        ["ORD:B:4", "I3", "conflict"],
        ["ORD:A:low1", "I1", "conflict"],
        ["ORD:A:low1", "I5", "load_full"],
        ["ORD:A:low1", "I2", "load_full"],
    ]
    assert outcome.sample_commitment == (
        "1d4d74d7cef07b911ae8f55fc3090f92269308efbd69f0982a93178cc45a57a5"
    )
    # every ticket is the published sampler's
    for rows in outcome.sample.values():
        for target, ticket in rows:
            assert ticket == draw.ticket(outcome.seed, target)


def test_the_order_inputs_come_in_does_not_matter() -> None:
    shuffled = {s: list(reversed(ids)) for s, ids in reversed(list(STRATA.items()))}
    roster = dict(reversed(list(ROSTER.items())))
    again = compute_draw(
        RULES,
        sha256_canonical(dict(reversed(list(DOCUMENT.items())))),
        shuffled,
        RELATIONS,
        draw.population_hash(shuffled, {}, RELATIONS),
        roster,
        roster_hash(roster),
        CONTRIBUTIONS,
    )
    assert again == pinned()


def test_changing_any_input_changes_the_hashes_and_the_seed() -> None:
    base = pinned().seed
    changed_plan = {**DOCUMENT, "load_cap": 4}
    assert sha256_canonical(changed_plan) != sha256_canonical(DOCUMENT)
    moved = {**STRATA, "A": STRATA["A"][1:], "B": [*STRATA["B"], STRATA["A"][0]]}
    assert draw.population_hash(moved, {}, RELATIONS) != draw.population_hash(STRATA, {}, RELATIONS)
    assert draw.population_hash(STRATA, {"ORD:A:x": "已核定为虚假"}, RELATIONS) != (
        draw.population_hash(STRATA, {}, RELATIONS)
    )
    other_keys = {**RELATIONS, "ORD:B:0": ["community:B", "unit:u9"]}
    assert draw.population_hash(STRATA, {}, other_keys) != draw.population_hash(
        STRATA, {}, RELATIONS
    )
    assert roster_hash({**ROSTER, "I2": ["乙", "巡察办", "unit:u1"]}) != roster_hash(ROSTER)
    for contributions in (["3-5-1", "6-2-3"], ["6-2-2", "3-5-1"], ["3-5-1"]):
        again = compute_draw(
            RULES,
            sha256_canonical(DOCUMENT),
            STRATA,
            RELATIONS,
            draw.population_hash(STRATA, {}, RELATIONS),
            ROSTER,
            roster_hash(ROSTER),
            contributions,
        )
        assert again.seed != base


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.dictionaries(
        st.sampled_from(["C01", "C02", "C03", "C04", "C05", "C01/low", "C02/low"]),
        st.integers(min_value=1, max_value=40),
        min_size=1,
    ),
    added=st.integers(min_value=1, max_value=60),
    seed=st.text(min_size=1, max_size=20),
)
def test_adding_a_community_changes_no_other_communitys_sample(
    sizes: dict[str, int], added: int, seed: str
) -> None:
    strata = {s: [f"ORD:{s.split('/')[0]}:{s}-{i}" for i in range(n)] for s, n in sizes.items()}
    before = sample_strata(RULES, strata, seed)
    bigger = {**strata, "C99": [f"ORD:C99:{i}" for i in range(added)]}
    after = sample_strata(RULES, bigger, seed)
    for part in range(3):
        for stratum in strata:
            assert after[part][stratum] == before[part][stratum]
    # and within a stratum, the draw order is the consistent sampler's
    for stratum, ids in strata.items():
        order = [i for i, _ in draw.ranked(ids, seed)]
        n = before[0][stratum]
        assert [i for i, _ in before[1][stratum]] == order[:n]


def within_binomial(count: int, trials: int, p: float, z: float = 4.5) -> bool:
    mean = trials * p
    sd = math.sqrt(trials * p * (1 - p))
    return abs(count - mean) <= z * sd


def test_each_target_is_selected_as_often_as_chance_says() -> None:
    """2,000 seeds, a stratum of 25 with n = 5: each target's frequency ~ Bin(2000, 0.2).
    z = 4.5 keeps the chance of a false alarm across 25 targets below 1 in 10,000, and
    the seeds are fixed, so the test is deterministic."""
    ids = [f"ORD:C01:{i}" for i in range(25)]
    counts: Counter[str] = Counter()
    trials = 2000
    for k in range(trials):
        chosen, _ = draw.sample(ids, f"fairness-{k}", 5)
        counts.update(i for i, _ in chosen)
    assert sum(counts.values()) == trials * 5
    for target in ids:
        assert within_binomial(counts[target], trials, 0.2), (target, counts[target])
    # and the whole distribution is no more uneven than chance (chi-square, 24 df:
    # the 99.99th percentile is about 59.8)
    expected = trials * 5 / len(ids)
    chi2 = sum((counts[t] - expected) ** 2 / expected for t in ids)
    assert chi2 < 59.8


def test_each_free_inspector_is_assigned_as_often_as_chance_says() -> None:
    """One target, 8 inspectors of whom 2 are conflicted: the 2 per target come from
    the 6 free ones, each with probability 1/3."""
    roster = {f"I{i}": [] if i >= 2 else ["community:A"] for i in range(8)}
    counts: Counter[str] = Counter()
    trials = 1500
    for k in range(trials):
        s_hash = draw.seed_hash(f"inspectors-{k}")
        outcome = assign(["ORD:A:1"], roster, {"ORD:A:1": ["community:A"]}, s_hash, 2, 10)
        counts.update(outcome.assigned["ORD:A:1"])
    assert counts["I0"] == counts["I1"] == 0
    for inspector in [f"I{i}" for i in range(2, 8)]:
        assert within_binomial(counts[inspector], trials, 1 / 3), (inspector, counts)


@settings(max_examples=80, deadline=None)
@given(
    targets=st.integers(min_value=1, max_value=25),
    inspectors=st.integers(min_value=2, max_value=12),
    per_target=st.integers(min_value=2, max_value=3),
    cap=st.integers(min_value=1, max_value=10),
    conflicts=st.sets(st.tuples(st.integers(0, 24), st.integers(0, 11)), max_size=40),
    seed=st.text(min_size=1, max_size=10),
)
def test_assignment_respects_conflicts_caps_and_records_every_skip(
    targets: int,
    inspectors: int,
    per_target: int,
    cap: int,
    conflicts: set[tuple[int, int]],
    seed: str,
) -> None:
    ids = [f"T{t}" for t in range(targets)]
    roster = {f"I{i}": [f"k:I{i}"] for i in range(inspectors)}
    relations = {
        f"T{t}": [f"k:I{i}" for (tt, i) in conflicts if tt == t and i < inspectors]
        for t in range(targets)
    }
    s_hash = draw.seed_hash(seed)
    try:
        outcome = assign(ids, roster, relations, s_hash, per_target, cap)
    except Exception as refused:  # infeasible: some target could not be served
        assert getattr(refused, "code", "") == "not_enough_inspectors"
        return
    load: Counter[str] = Counter()
    for target in ids:
        team = outcome.assigned[target]
        assert len(team) == len(set(team)) == per_target
        assert not {f"k:{i}" for i in team} & set(relations[target])
        load.update(team)
        # the team is the first free inspectors in ticket order; everyone before them
        # who is not on the team was skipped with a reason
        ranked = [
            i for _, i in sorted((draw.inspector_ticket(s_hash, target, i), i) for i in roster)
        ]
        last = max(ranked.index(i) for i in team)
        passed = [i for i in ranked[: last + 1] if i not in team]
        skipped = [s[1] for s in outcome.skips if s[0] == target]
        assert skipped == passed
    assert all(n <= cap for n in load.values())
    assert dict(load) == {i: n for i, n in outcome.load.items() if n}
