"""Policy values: every rule with a number, named, with its source (DESIGN.md §2).

A county starts from DEFAULT_POLICY and may override values; an override is
recorded as an event (County.PolicyChanged), so a replay knows which values were
in force. Decisions take the Policy as an argument; events never re-check it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import InvalidInput
from domain.limits import LIMITS


@dataclass(frozen=True)
class Policy:
    # Member's annual standard: at least 4 services and 12 hours (泽州).
    member_annual_min_services: int = 4
    member_annual_min_hours: int = 12
    # 亮承诺: committed hours a year, default 12 (泽州: 每年服务不少于12小时).
    default_committed_hours: int = 12
    # Upper bound of a credible commitment: 8 hours on each of 250 days (our bound).
    max_committed_hours: int = 2000
    # Member's reports to the community a year: at least 6 (田家庵).
    member_min_reports_per_year: int = 6
    # Unit's annual standard: at least 2 livelihood issues solved (泽州).
    unit_min_livelihood_issues: int = 2
    # Take window after a need is posted, then unclaimed -> 大党委 (田家庵).
    take_window_days: int = 3
    # Rating window after completion is claimed (田家庵).
    rating_window_hours: int = 24
    # Overdue: not done this many days after dispatch (田家庵).
    overdue_days: int = 14
    # Points per service hour (锦绣社区).
    points_per_hour: int = 50
    # How hours become points (锦绣社区: "累计满1小时积50分"; docs/evaluation.md): both read
    # the member's accumulated live hours, so a total never depends on how hours were split
    # across orders. "pro_rata": ⌊accumulated hours × rate⌋; "full_hour": ⌊accumulated
    # hours⌋ × rate (only full hours earn; the rest waits for the next service).
    points_rule: str = "pro_rata"
    # Service hours are claimed and credited in steps of this many hours (sishuang: a
    # quarter of an hour); a claim finer than this is refused, activity time is rounded
    # to it. Hours are shown with two decimals everywhere (domain.values.hours_text).
    hours_step: Decimal = Decimal("0.25")
    # Monthly matching meeting before this day of the month (泽州).
    matching_meeting_before_day: int = 5
    # Reporting coverage target: share of members reported (泽州, 田家庵).
    reporting_coverage_target: Decimal = Decimal("0.95")
    # 服务半径 a member may declare, in km (our bounds: a walk to a county town).
    min_service_radius_km: Decimal = Decimal("0.1")
    max_service_radius_km: Decimal = Decimal("50")

    # Check-in farther than this from the need's location is flagged (our default).
    checkin_radius_m: int = 500
    # A photo larger than this is refused (our default: a phone photo, compressed).
    photo_max_bytes: int = 10 * 1024 * 1024
    # Rated at least this many stars: the order closes; below: the community decides (田家庵).
    satisfied_min_stars: int = 3
    # Hours a single order may credit at most, whatever the check-in/claim span (our bound).
    max_hours_per_order: int = 24

    # -- 积分 (points); the values in COMMUNITY_POLICY may be set per community ----------
    # Bonus service points for an order rated 5 stars (sishuang default).
    five_star_bonus_points: int = 10
    # Bonus points for a star the community awards: its recommendation (sishuang default).
    star_award_bonus_points: int = 100
    # A redemption the partner has not confirmed within this many days returns its points.
    redemption_confirm_days: int = 7
    # Most pieces of one catalogue item in one redemption (our bound).
    max_redemption_quantity: int = 20

    # -- 三级联评 (evaluation) ------------------------------------------------------------
    # Scores the community and the unit record run from 0 to this (our scale).
    evaluation_max_score: int = 100
    # The community's quarterly score: weights of its three dimensions (泽州's dimensions).
    eval_weight_results: Decimal = Decimal("0.4")  # 服务成效
    eval_weight_feedback: Decimal = Decimal("0.3")  # 群众反馈
    eval_weight_assessment: Decimal = Decimal("0.3")  # 社区评价
    # The overall score: weights of the three levels (三级联评; weights ours).
    eval_weight_residents: Decimal = Decimal("0.3")
    eval_weight_community: Decimal = Decimal("0.4")
    eval_weight_unit: Decimal = Decimal("0.3")
    # Grades from the overall score (优秀 / 良好 / 合格, below: 不合格).
    grade_excellent_min: int = 90
    grade_good_min: int = 75
    grade_pass_min: int = 60

    # -- stars (泽州 four stars, 田家庵 五星志愿星); criteria are published values --------
    star_pioneer_min_hours: int = 24  # 先锋示范星: hours this year
    star_pioneer_min_services: int = 8  # ... and services this year
    star_caring_min_ratings: int = 5  # 群众贴心星: ratings this year
    star_caring_min_average: Decimal = Decimal("4.5")  # ... at this average
    star_tackling_min_services: int = 3  # 民生攻坚星: urgent orders solved + 攻坚组 activities
    star_service_min_activities: int = 4  # 社区服务星: group activities attended
    # 五星志愿星: hours in total (all years) for 1 to 5 stars.
    volunteer_star1_hours: int = 12
    volunteer_star2_hours: int = 30
    volunteer_star3_hours: int = 60
    volunteer_star4_hours: int = 100
    volunteer_star5_hours: int = 150
    # From 3 stars up, the average rating must reach this (when rated at all).
    volunteer_star_min_average: Decimal = Decimal("4.0")

    # -- 两随机一公开 (random inspection); a plan may set its own, these are the defaults --
    # Sample size per stratum n = min(N, max(m, ceil(r·N))): r and m (sishuang defaults).
    inspection_sample_ratio: Decimal = Decimal("0.05")
    inspection_sample_min: int = 2
    # Low-rated orders (a rating below satisfied_min_stars) form their own stratum per
    # community with a higher ratio (两随机一公开: 重点对象提高抽查比例).
    inspection_low_rated_ratio: Decimal = Decimal("0.5")
    inspection_low_rated_min: int = 1
    # Inspectors per target: at least two (执法检查 两人以上).
    inspection_inspectors_per_target: int = 2
    # Most targets one inspector carries in one plan (sishuang default).
    inspection_load_cap: int = 20
    # A target inspected within this many days is not eligible again (issue 6: 6 months).
    inspection_cooldown_days: int = 183
    # Seed commitments and reveals are due within this many hours of the roster freeze
    # (or of the public value's moment); past it the sweep voids the plan (sishuang).
    inspection_reveal_hours: int = 72
    # Alternates drawn per stratum for replacements (sishuang default).
    inspection_alternates: int = 3
    # Results published within this many working days of the draw (市场监管 两随机一公开:
    # 抽查结果 20 个工作日内公示).
    inspection_disclosure_working_days: int = 20

    @property
    def volunteer_star_hours(self) -> tuple[int, int, int, int, int]:
        return (
            self.volunteer_star1_hours,
            self.volunteer_star2_hours,
            self.volunteer_star3_hours,
            self.volunteer_star4_hours,
            self.volunteer_star5_hours,
        )

    def with_overrides(self, overrides: dict[str, Any]) -> Policy:
        """A copy with named values replaced; unknown names or bad values are refused."""
        fields = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, raw in overrides.items():
            if name not in fields:
                raise InvalidInput(
                    "unknown_policy",
                    f"没有名为 {name} 的政策参数",
                    f"there is no policy value named {name}",
                    name=name,
                )
            changes[name] = (
                _choice(name, raw)
                if name in POLICY_CHOICES
                else _parse(name, raw, as_decimal=isinstance(getattr(self, name), Decimal))
            )
        updated = dataclasses.replace(self, **changes)
        updated.check(changed=changes)
        return updated

    def recorded(self, overrides: dict[str, Any]) -> Policy:
        """A copy with values an event recorded: they were checked when decided and are
        not checked again, so a bound added later cannot make history fail to load."""
        fields = {f.name for f in dataclasses.fields(self)}
        known: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in fields:
                continue
            if name in POLICY_CHOICES:
                known[name] = str(value)
                continue
            number = Decimal(str(value))  # as recorded (a read model may hold it as text)
            known[name] = number if isinstance(getattr(self, name), Decimal) else int(number)
        return dataclasses.replace(self, **known)

    def check(self, changed: Iterable[str] | None = None) -> None:
        """Values that only make sense together: each pair in order, shares within 0–1;
        and each value under its maximum (only the `changed` ones when given: a value
        recorded before a maximum was lowered does not block changing another)."""
        pairs = [
            ("member_annual_min_hours", "max_committed_hours"),
            ("member_annual_min_hours", "default_committed_hours"),
            ("default_committed_hours", "max_committed_hours"),
            ("min_service_radius_km", "max_service_radius_km"),
            ("grade_pass_min", "grade_good_min"),
            ("grade_good_min", "grade_excellent_min"),
            ("grade_excellent_min", "evaluation_max_score"),
            ("volunteer_star1_hours", "volunteer_star2_hours"),
            ("volunteer_star2_hours", "volunteer_star3_hours"),
            ("volunteer_star3_hours", "volunteer_star4_hours"),
            ("volunteer_star4_hours", "volunteer_star5_hours"),
        ]
        for low, high in pairs:
            if getattr(self, low) > getattr(self, high):
                raise InvalidInput(
                    "inconsistent_policy",
                    f"政策参数 {low} 不能大于 {high}",
                    f"policy {low} cannot exceed {high}",
                )
        values = {k: v for k, v in self.as_dict().items() if k not in POLICY_CHOICES}
        for name in values if changed is None else (n for n in changed if n in values):
            value, highest = values[name], POLICY_MAXIMA.get(name, DEFAULT_MAXIMUM)
            if value > highest:
                raise InvalidInput(
                    "invalid_policy_value",
                    f"政策参数 {name} 不能超过 {highest}",
                    f"policy {name} is at most {highest}",
                    maximum=str(highest),
                )
        for name in ("inspection_sample_ratio", "inspection_low_rated_ratio"):
            if not Decimal(0) <= getattr(self, name) <= Decimal(1):
                raise InvalidInput(
                    "invalid_policy_value",
                    f"抽查比例 {name} 应为 0 到 1 之间的小数",
                    f"{name} is a share between 0 and 1",
                )
        if not Decimal(0) < self.reporting_coverage_target <= Decimal(1):
            raise InvalidInput(
                "invalid_policy_value",
                "报到覆盖率目标应为 0 到 1 之间的小数（如 0.95）",
                "the coverage target is a share between 0 and 1, e.g. 0.95",
            )
        if not 1 <= self.satisfied_min_stars <= 5:
            raise InvalidInput(
                "invalid_policy_value", "满意星级应在 1 到 5 之间", "stars are 1 to 5"
            )
        for group in (
            ("eval_weight_results", "eval_weight_feedback", "eval_weight_assessment"),
            ("eval_weight_residents", "eval_weight_community", "eval_weight_unit"),
        ):
            if sum(getattr(self, name) for name in group) != Decimal(1):
                raise InvalidInput(
                    "inconsistent_policy",
                    f"权重 {'、'.join(group)} 之和应为 1",
                    f"weights {', '.join(group)} must add up to 1",
                )
        if not Decimal(0) <= self.star_caring_min_average <= Decimal(5) or not (
            Decimal(0) <= self.volunteer_star_min_average <= Decimal(5)
        ):
            raise InvalidInput(
                "invalid_policy_value", "平均星级应在 0 到 5 之间", "an average rating is 0 to 5"
            )
        if self.hours_step not in HOURS_STEPS:
            raise InvalidInput(
                "invalid_policy_value",
                "服务时长单位 hours_step 只能是 "
                + "、".join(f"{step} 小时" for step in sorted(HOURS_STEPS)),
                f"hours_step is one of {', '.join(str(s) for s in sorted(HOURS_STEPS))}",
            )
        if self.photo_max_bytes > LIMITS.max_photo_bytes:
            raise InvalidInput(
                "invalid_policy_value",
                f"照片大小上限 photo_max_bytes 不能超过 {LIMITS.max_photo_bytes} 字节",
                f"photo_max_bytes is at most {LIMITS.max_photo_bytes}",
            )
        for name in (
            "take_window_days",
            "rating_window_hours",
            "overdue_days",
            "photo_max_bytes",
            "points_per_hour",
            "redemption_confirm_days",
            "max_redemption_quantity",
            "evaluation_max_score",
            "inspection_inspectors_per_target",
            "inspection_load_cap",
            "inspection_disclosure_working_days",
            "inspection_reveal_hours",
        ):
            if getattr(self, name) <= 0:
                raise InvalidInput(
                    "invalid_policy_value", f"政策参数 {name} 应大于 0", f"{name} must be > 0"
                )

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _choice(name: str, raw: Any) -> str:
    allowed = POLICY_CHOICES[name]
    if not isinstance(raw, str) or raw not in allowed:
        labels = "、".join(f"{code}（{label}）" for code, label in allowed.items())
        raise InvalidInput(
            "invalid_policy_value",
            f"政策参数 {name} 只能是：{labels}",
            f"policy {name} is one of {', '.join(allowed)}",
        )
    return raw


def _parse(name: str, raw: Any, *, as_decimal: bool) -> Any:
    def invalid(zh: str) -> InvalidInput:
        return InvalidInput(
            "invalid_policy_value", f"政策参数 {name} {zh}", f"invalid value for policy {name}"
        )

    if isinstance(raw, bool) or raw is None:
        raise invalid("的取值无效")
    text = str(raw).strip()
    if len(text) > 24:  # "1e400" and 10**40 alike: no policy value is written so long
        raise invalid("的取值无效")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise invalid("的取值无效") from None
    if not value.is_finite() or value < 0 or value > MAX_PARSED:
        raise invalid("应为非负数，且不能过大")
    if as_decimal:
        return value
    if value != value.to_integral_value():
        raise invalid("应为整数")
    return int(value)


# The highest value each policy may take (our bounds: past them the rule stops meaning
# anything, and dates computed from them leave the calendar). Values not named here are
# at most DEFAULT_MAXIMUM; shares and averages have their own checks in Policy.check.
DEFAULT_MAXIMUM = 1_000_000
MAX_PARSED = Decimal(10) ** 12
POLICY_MAXIMA: dict[str, int | Decimal] = {
    "member_annual_min_services": 1000,
    "member_annual_min_hours": 8760,
    "default_committed_hours": 8760,
    "max_committed_hours": 8760,  # the hours of a year
    "member_min_reports_per_year": 366,
    "take_window_days": 365,
    "rating_window_hours": 720,
    "overdue_days": 365,
    "points_per_hour": 10_000,
    "matching_meeting_before_day": 28,
    "min_service_radius_km": Decimal(1000),
    "max_service_radius_km": Decimal(1000),
    "checkin_radius_m": 100_000,
    "photo_max_bytes": LIMITS.max_photo_bytes,
    "max_hours_per_order": 168,
    "redemption_confirm_days": 365,
    "max_redemption_quantity": 1000,
    "evaluation_max_score": 1000,
    "inspection_sample_min": 10_000,
    "inspection_low_rated_min": 10_000,
    "inspection_inspectors_per_target": 10,
    "inspection_load_cap": 100_000,
    "inspection_cooldown_days": 3650,
    "inspection_reveal_hours": 720,
    "inspection_alternates": 1000,
    "inspection_disclosure_working_days": 250,
}

# Policy values that name a rule rather than a number: the codes allowed, with labels.
POLICY_CHOICES: dict[str, dict[str, str]] = {
    "points_rule": {
        "pro_rata": "按累计时长折算（每小时 points_per_hour 分，不足 1 分的部分累计）",
        "full_hour": "累计满 1 小时计 points_per_hour 分",
    },
}
# The steps hours may be claimed in: each divides an hour and shows in two decimals.
HOURS_STEPS = frozenset(Decimal(s) for s in ("0.01", "0.05", "0.1", "0.25", "0.5", "1"))

DEFAULT_POLICY = Policy()

# Where each value comes from, for the configuration reference (docs/configuration.md).
POLICY_SOURCES: dict[str, str] = {
    "member_annual_min_services": "泽州",
    "member_annual_min_hours": "泽州",
    "default_committed_hours": "泽州",
    "max_committed_hours": "sishuang (8 h x 250 days)",
    "member_min_reports_per_year": "田家庵",
    "unit_min_livelihood_issues": "泽州",
    "take_window_days": "田家庵",
    "rating_window_hours": "田家庵",
    "overdue_days": "田家庵",
    "points_per_hour": "锦绣社区",
    "points_rule": "锦绣社区 (累计满1小时积50分: full_hour; pro_rata sishuang default)",
    "hours_step": "sishuang (15 minutes)",
    "matching_meeting_before_day": "泽州",
    "reporting_coverage_target": "泽州, 田家庵",
    "min_service_radius_km": "sishuang",
    "max_service_radius_km": "sishuang",
    "checkin_radius_m": "sishuang",
    "photo_max_bytes": "sishuang",
    "satisfied_min_stars": "田家庵",
    "max_hours_per_order": "sishuang",
    "five_star_bonus_points": "sishuang",
    "star_award_bonus_points": "sishuang (社区推荐)",
    "redemption_confirm_days": "sishuang",
    "max_redemption_quantity": "sishuang",
    "evaluation_max_score": "sishuang",
    "eval_weight_results": "泽州 (dimension); weight sishuang",
    "eval_weight_feedback": "泽州 (dimension); weight sishuang",
    "eval_weight_assessment": "泽州 (dimension); weight sishuang",
    "eval_weight_residents": "三级联评 (level); weight sishuang",
    "eval_weight_community": "三级联评 (level); weight sishuang",
    "eval_weight_unit": "三级联评 (level); weight sishuang",
    "grade_excellent_min": "sishuang",
    "grade_good_min": "sishuang",
    "grade_pass_min": "sishuang",
    "star_pioneer_min_hours": "泽州 (star); threshold sishuang",
    "star_pioneer_min_services": "泽州 (star); threshold sishuang",
    "star_caring_min_ratings": "泽州 (star); threshold sishuang",
    "star_caring_min_average": "泽州 (star); threshold sishuang",
    "star_tackling_min_services": "泽州 (star); threshold sishuang",
    "star_service_min_activities": "泽州 (star); threshold sishuang",
    "volunteer_star1_hours": "田家庵 (五星志愿星); threshold sishuang",
    "volunteer_star2_hours": "田家庵 (五星志愿星); threshold sishuang",
    "volunteer_star3_hours": "田家庵 (五星志愿星); threshold sishuang",
    "volunteer_star4_hours": "田家庵 (五星志愿星); threshold sishuang",
    "volunteer_star5_hours": "田家庵 (五星志愿星); threshold sishuang",
    "volunteer_star_min_average": "sishuang",
    "inspection_sample_ratio": "两随机一公开 (抽查细则); value sishuang",
    "inspection_sample_min": "两随机一公开 (抽查细则); value sishuang",
    "inspection_low_rated_ratio": "两随机一公开 (重点对象); value sishuang",
    "inspection_low_rated_min": "两随机一公开 (重点对象); value sishuang",
    "inspection_inspectors_per_target": "两随机一公开 (两名以上检查人员)",
    "inspection_load_cap": "sishuang",
    "inspection_cooldown_days": "issue 6 (6 个月内已回访不再抽取)",
    "inspection_alternates": "sishuang",
    "inspection_reveal_hours": "sishuang (承诺—揭示期限)",
    "inspection_disclosure_working_days": "两随机一公开 (20 个工作日内公示, 市场监管)",
}

# Values a community may set for itself (积分 rules are per community: 锦绣社区); the
# rest are the county's.
COMMUNITY_POLICY: frozenset[str] = frozenset(
    {
        "points_per_hour",
        "points_rule",
        "five_star_bonus_points",
        "star_award_bonus_points",
        "redemption_confirm_days",
    }
)


def markdown_table() -> str:
    """The policy table of docs/configuration.md (`python -m domain.policies`)."""
    rows = ["| name | default | source |", "| --- | --- | --- |"]
    rows += [
        f"| `{name}` | {value} | {POLICY_SOURCES[name]} |"
        for name, value in DEFAULT_POLICY.as_dict().items()
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
