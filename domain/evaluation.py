"""三级联评 and the annual standard: the kinds of stars and warnings, the formulas.

The formulas are plain functions of figures and the Policy, used by the domain (the
quarterly check, the star criteria) and by the evaluation views alike, so what a view
shows and what a command decided come from one definition (docs/evaluation.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.calendar import quarter_of
from domain.policies import Policy
from domain.values import Labelled, hours_text


class Star(Labelled):
    """The four stars a community awards (泽州)."""

    PIONEER = ("pioneer", "先锋示范星")
    CARING = ("caring", "群众贴心星")
    TACKLING = ("tackling", "民生攻坚星")
    SERVICE = ("community_service", "社区服务星")

    @classmethod
    def label_zh(cls) -> str:
        return "星级"


class WarningLevel(Labelled):
    YELLOW = ("yellow", "黄灯")
    RED = ("red", "红灯")

    @classmethod
    def label_zh(cls) -> str:
        return "预警等级"


class Grade(Labelled):
    EXCELLENT = ("excellent", "优秀")
    GOOD = ("good", "良好")
    PASS = ("pass", "合格")
    FAIL = ("fail", "不合格")
    NONE = ("none", "未评价")

    @classmethod
    def label_zh(cls) -> str:
        return "评定等次"


TWO = Decimal("0.01")


def required_by(policy: Policy, quarters: int) -> tuple[int, Decimal]:
    """The pro-rated annual standard after `quarters` quarters of membership in the year:
    services rounded up, hours exact (4 and 12 a year → 1 and 3 a quarter)."""
    quarters = max(0, min(4, quarters))
    services = math.ceil(policy.member_annual_min_services * quarters / 4)
    hours = (Decimal(policy.member_annual_min_hours) * quarters / 4).quantize(TWO)
    return services, hours


def quarters_in_year(year: int, quarter: int, approved_on: date | None) -> int:
    """Quarters of this year up to `quarter` in which the member was approved: a member
    approved in the third quarter answers for two quarters at the end of the fourth."""
    if approved_on is None:
        return 0
    if approved_on.year < year:
        return quarter
    if approved_on.year > year:
        return 0
    first = quarter_of(approved_on)
    return max(0, quarter - first + 1)


def community_quarter_score(
    results: int, feedback: int, assessment: int, policy: Policy
) -> Decimal:
    """The community's score for a quarter: its three dimensions, weighted."""
    return (
        policy.eval_weight_results * results
        + policy.eval_weight_feedback * feedback
        + policy.eval_weight_assessment * assessment
    ).quantize(TWO, rounding=ROUND_HALF_UP)


def residents_score(average_stars: Decimal | None, policy: Policy) -> Decimal | None:
    """Level 1: the residents' average rating on the evaluation scale (5 stars = max)."""
    if average_stars is None:
        return None
    return (average_stars / 5 * policy.evaluation_max_score).quantize(TWO, rounding=ROUND_HALF_UP)


def overall_score(
    residents: Decimal | None,
    community: Decimal | None,
    unit: Decimal | None,
    policy: Policy,
) -> Decimal | None:
    """The three levels weighted; a level with no score yet leaves its weight to the others."""
    parts = [
        (policy.eval_weight_residents, residents),
        (policy.eval_weight_community, community),
        (policy.eval_weight_unit, unit),
    ]
    present = [(w, s) for w, s in parts if s is not None]
    weight = sum((w for w, _ in present), Decimal(0))
    if not present or weight == 0:
        return None
    total = sum((w * s for w, s in present), Decimal(0))
    return (total / weight).quantize(TWO, rounding=ROUND_HALF_UP)


def grade_of(score: Decimal | None, standard_met: bool, policy: Policy) -> Grade:
    """Grade by thresholds; a member below the annual standard is at best 合格. The
    thresholds are scores on the evaluation scale (the policy keeps them at or below
    `evaluation_max_score`), like the scores they are compared with."""
    if score is None:
        return Grade.NONE
    if score >= policy.grade_excellent_min and standard_met:
        return Grade.EXCELLENT
    if score >= policy.grade_good_min and standard_met:
        return Grade.GOOD
    if score >= policy.grade_pass_min:
        return Grade.PASS
    return Grade.FAIL


@dataclass(frozen=True)
class Criterion:
    name: str
    required: Decimal
    actual: Decimal

    @property
    def met(self) -> bool:
        return self.actual >= self.required

    @property
    def label(self) -> str:
        return CRITERION_LABELS.get(self.name, self.name)

    def shown(self, value: Decimal) -> str:
        return criterion_text(self.name, value)


def criterion_text(name: str, value: object) -> str:
    """A criterion's figure as a person reads it: hours in two decimals, counts as counts."""
    return hours_text(value) if name == "hours" else str(value)


CRITERION_LABELS = {
    "hours": "服务时长（小时）",
    "services": "服务次数",
    "ratings": "评价次数",
    "average_stars": "平均星级",
    "urgent_solved_and_task_force": "解决急难事项及攻坚项目",
    "activities": "参加集体活动",
}


def star_criteria(
    star: Star,
    *,
    hours: Decimal,
    services: int,
    ratings: int,
    average_stars: Decimal | None,
    urgent_solved: int,
    task_force: int,
    activities: int,
    policy: Policy,
) -> list[Criterion]:
    """The published criteria of a star, each with the member's figure beside it."""
    if star is Star.PIONEER:
        return [
            Criterion("hours", Decimal(policy.star_pioneer_min_hours), hours),
            Criterion("services", Decimal(policy.star_pioneer_min_services), Decimal(services)),
        ]
    if star is Star.CARING:
        return [
            Criterion("ratings", Decimal(policy.star_caring_min_ratings), Decimal(ratings)),
            Criterion("average_stars", policy.star_caring_min_average, average_stars or Decimal(0)),
        ]
    if star is Star.TACKLING:
        return [
            Criterion(
                "urgent_solved_and_task_force",
                Decimal(policy.star_tackling_min_services),
                Decimal(urgent_solved + task_force),
            )
        ]
    return [
        Criterion("activities", Decimal(policy.star_service_min_activities), Decimal(activities))
    ]
