"""社区派单: how the community's dispatch suggestions rank members for a need.

The seeds describe dispatch as matching a need to the member best placed to do it: the
skill it calls for (亮特长), nearness (the member's service radius, or the same grid
when no place is known), who applied (党员接单), how much the member already has in
hand, and how residents rated their past services (评价跟单). The weights are named
here, once; the read model gathers the facts and this rule scores them, each point with
its reason in words, so the worker sees why a member is first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingWeights:
    skill_match: float = 3.0  # the need's category is one of the member's declared skills
    nearby: float = 2.0  # within the member's service radius, or the same grid
    applied: float = 2.0  # the member asked to take this need
    per_order_in_hand: float = 1.0  # subtracted for each order the member is working on
    neutral_stars: float = 3.0  # past average above this adds, below it subtracts


WEIGHTS = RankingWeights()


@dataclass(frozen=True)
class Candidate:
    """What the read model knows about one approved member, for one need."""

    skill_match: bool
    skill_label: str  # the need's category in words
    distance_m: int | None  # from the member's base to the need, when both are known
    radius_m: float | None  # the member's service radius, when declared
    same_grid: bool
    applied: bool
    in_hand: int
    rated: int  # past services rated
    star_sum: int


@dataclass(frozen=True)
class Ranking:
    score: float
    average_stars: float | None
    reasons: tuple[str, ...]


def rank(c: Candidate, weights: RankingWeights = WEIGHTS) -> Ranking:
    reasons: list[str] = []
    score = 0.0
    if c.skill_match:
        score += weights.skill_match
        reasons.append(f"擅长{c.skill_label}")
    if c.distance_m is not None and c.radius_m is not None and c.distance_m <= c.radius_m:
        score += weights.nearby
        reasons.append(f"距离 {c.distance_m} 米，在服务半径内")
    elif c.distance_m is not None:
        reasons.append(f"距离 {c.distance_m} 米，超出服务半径")
    elif c.same_grid:
        score += weights.nearby
        reasons.append("同一网格")
    if c.applied:
        score += weights.applied
        reasons.append("已申请接单")
    score -= weights.per_order_in_hand * c.in_hand
    reasons.append(f"在办 {c.in_hand} 单" if c.in_hand else "当前无在办需求")
    average = None
    if c.rated:
        average = round(c.star_sum / c.rated, 2)
        score += average - weights.neutral_stars
        reasons.append(f"历史评价 {average} 星（{c.rated} 次）")
    else:
        reasons.append("暂无评价")
    return Ranking(round(score, 2), average, tuple(reasons))
