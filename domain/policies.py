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
from typing import Any, TypeVar, cast

from domain.errors import InvalidInput
from domain.limits import LIMITS

T = TypeVar("T")


def rule(
    default: T, source: str, *, maximum: int | Decimal | None = None, positive: bool = False
) -> T:
    """A policy value's one declaration: its default, where it comes from (DESIGN.md §2:
    a county's document, or "sishuang" for our own), the highest value it may take (past
    it the rule stops meaning anything; unnamed: DEFAULT_MAXIMUM) and whether it must be
    above zero. POLICY_SOURCES, POLICY_MAXIMA and POSITIVE are read off these."""
    meta = {"source": source, "maximum": maximum, "positive": positive}
    return cast(T, dataclasses.field(default=default, metadata=meta))


@dataclass(frozen=True)
class Policy:
    # Member's annual standard: at least 4 services and 12 hours (泽州).
    member_annual_min_services: int = rule(4, "泽州", maximum=1000)
    member_annual_min_hours: int = rule(12, "泽州", maximum=8760)
    # 亮承诺: committed hours a year, default 12 (泽州: 每年服务不少于12小时).
    default_committed_hours: int = rule(12, "泽州", maximum=8760)
    # Upper bound of a credible commitment: 8 hours on each of 250 days (our bound).
    max_committed_hours: int = rule(2000, "sishuang (8 h x 250 days)", maximum=8760)
    # Member's reports to the community a year: at least 6 (田家庵).
    member_min_reports_per_year: int = rule(6, "田家庵", maximum=366)
    # Unit's annual standard: at least 2 livelihood issues solved (泽州).
    unit_min_livelihood_issues: int = rule(2, "泽州")
    # Take window after a need is posted, then unclaimed -> 大党委 (田家庵).
    take_window_days: int = rule(3, "田家庵", maximum=365, positive=True)
    # Rating window after completion is claimed (田家庵).
    rating_window_hours: int = rule(24, "田家庵", maximum=720, positive=True)
    # Overdue: not done this many days after dispatch (田家庵).
    overdue_days: int = rule(14, "田家庵", maximum=365, positive=True)
    # Points per service hour (锦绣社区).
    points_per_hour: int = rule(50, "锦绣社区", maximum=10_000, positive=True)
    # How hours become points (锦绣社区: "累计满1小时积50分"; docs/evaluation.md): both read
    # the member's accumulated live hours, so a total never depends on how hours were split
    # across orders. "pro_rata": ⌊accumulated hours × rate⌋; "full_hour": ⌊accumulated
    # hours⌋ × rate (only full hours earn; the rest waits for the next service).
    points_rule: str = rule(
        "pro_rata", "锦绣社区 (累计满1小时积50分: full_hour; pro_rata sishuang default)"
    )
    # Service hours are claimed and credited in steps of this many hours (sishuang: a
    # quarter of an hour); a claim finer than this is refused, activity time is rounded
    # to it. Hours are shown with two decimals everywhere (domain.values.hours_text).
    hours_step: Decimal = rule(Decimal("0.25"), "sishuang (15 minutes)")
    # Monthly matching meeting before this day of the month (泽州).
    matching_meeting_before_day: int = rule(5, "泽州", maximum=28)
    # Reporting coverage target: share of members reported (泽州, 田家庵).
    reporting_coverage_target: Decimal = rule(Decimal("0.95"), "泽州, 田家庵")
    # 服务半径 a member may declare, in km (our bounds: a walk to a county town).
    min_service_radius_km: Decimal = rule(Decimal("0.1"), "sishuang", maximum=Decimal(1000))
    max_service_radius_km: Decimal = rule(Decimal("50"), "sishuang", maximum=Decimal(1000))

    # Check-in farther than this from the need's location is flagged (our default).
    checkin_radius_m: int = rule(500, "sishuang", maximum=100_000)
    # A photo larger than this is refused (our default: a phone photo, compressed).
    photo_max_bytes: int = rule(
        10 * 1024 * 1024, "sishuang", maximum=LIMITS.max_photo_bytes, positive=True
    )
    # Rated at least this many stars: the order closes; below: the community decides (田家庵).
    satisfied_min_stars: int = rule(3, "田家庵")
    # Hours a single order may credit at most, whatever the check-in/claim span (our bound).
    max_hours_per_order: int = rule(24, "sishuang", maximum=168)

    # -- 积分 (points); the values in COMMUNITY_POLICY may be set per community ----------
    # Bonus service points for an order rated 5 stars (sishuang default).
    five_star_bonus_points: int = rule(10, "sishuang")
    # Bonus points for a star the community awards: its recommendation (sishuang default).
    star_award_bonus_points: int = rule(100, "sishuang (社区推荐)")
    # A redemption the partner has not confirmed within this many days returns its points.
    redemption_confirm_days: int = rule(7, "sishuang", maximum=365, positive=True)
    # Most pieces of one catalogue item in one redemption (our bound).
    max_redemption_quantity: int = rule(20, "sishuang", maximum=1000, positive=True)

    # -- 三级联评 (evaluation) ------------------------------------------------------------
    # Scores the community and the unit record run from 0 to this (our scale).
    evaluation_max_score: int = rule(100, "sishuang", maximum=1000, positive=True)
    # The community's quarterly score: weights of its three dimensions (泽州's dimensions).
    eval_weight_results: Decimal = rule(
        Decimal("0.4"), "泽州 (dimension); weight sishuang"
    )  # 服务成效
    eval_weight_feedback: Decimal = rule(
        Decimal("0.3"), "泽州 (dimension); weight sishuang"
    )  # 群众反馈
    eval_weight_assessment: Decimal = rule(
        Decimal("0.3"), "泽州 (dimension); weight sishuang"
    )  # 社区评价
    # The overall score: weights of the three levels (三级联评; weights ours).
    eval_weight_residents: Decimal = rule(Decimal("0.3"), "三级联评 (level); weight sishuang")
    eval_weight_community: Decimal = rule(Decimal("0.4"), "三级联评 (level); weight sishuang")
    eval_weight_unit: Decimal = rule(Decimal("0.3"), "三级联评 (level); weight sishuang")
    # Grades from the overall score (优秀 / 良好 / 合格, below: 不合格).
    grade_excellent_min: int = rule(90, "sishuang")
    grade_good_min: int = rule(75, "sishuang")
    grade_pass_min: int = rule(60, "sishuang")

    # -- stars (泽州 four stars, 田家庵 五星志愿星); criteria are published values --------
    star_pioneer_min_hours: int = rule(
        24, "泽州 (star); threshold sishuang"
    )  # 先锋示范星: hours this year
    star_pioneer_min_services: int = rule(
        8, "泽州 (star); threshold sishuang"
    )  # ... and services this year
    star_caring_min_ratings: int = rule(
        5, "泽州 (star); threshold sishuang"
    )  # 群众贴心星: ratings this year
    star_caring_min_average: Decimal = rule(
        Decimal("4.5"), "泽州 (star); threshold sishuang"
    )  # ... at this average
    star_tackling_min_services: int = rule(
        3, "泽州 (star); threshold sishuang"
    )  # 民生攻坚星: urgent orders solved + 攻坚组 activities
    star_service_min_activities: int = rule(
        4, "泽州 (star); threshold sishuang"
    )  # 社区服务星: group activities attended
    # 五星志愿星: hours in total (all years) for 1 to 5 stars.
    volunteer_star1_hours: int = rule(12, "田家庵 (五星志愿星); threshold sishuang")
    volunteer_star2_hours: int = rule(30, "田家庵 (五星志愿星); threshold sishuang")
    volunteer_star3_hours: int = rule(60, "田家庵 (五星志愿星); threshold sishuang")
    volunteer_star4_hours: int = rule(100, "田家庵 (五星志愿星); threshold sishuang")
    volunteer_star5_hours: int = rule(150, "田家庵 (五星志愿星); threshold sishuang")
    # From 3 stars up, the average rating must reach this (when rated at all).
    volunteer_star_min_average: Decimal = rule(Decimal("4.0"), "sishuang")

    # -- 两随机一公开 (random inspection); a plan may set its own, these are the defaults --
    # Sample size per stratum n = min(N, max(m, ceil(r·N))): r and m (sishuang defaults).
    inspection_sample_ratio: Decimal = rule(
        Decimal("0.05"), "两随机一公开 (抽查细则); value sishuang"
    )
    inspection_sample_min: int = rule(2, "两随机一公开 (抽查细则); value sishuang", maximum=10_000)
    # Low-rated orders (a rating below satisfied_min_stars) form their own stratum per
    # community with a higher ratio (两随机一公开: 重点对象提高抽查比例).
    inspection_low_rated_ratio: Decimal = rule(
        Decimal("0.5"), "两随机一公开 (重点对象); value sishuang"
    )
    inspection_low_rated_min: int = rule(
        1, "两随机一公开 (重点对象); value sishuang", maximum=10_000
    )
    # Inspectors per target: at least two (执法检查 两人以上).
    inspection_inspectors_per_target: int = rule(
        2, "两随机一公开 (两名以上检查人员)", maximum=10, positive=True
    )
    # Most targets one inspector carries in one plan (sishuang default).
    inspection_load_cap: int = rule(20, "sishuang", maximum=100_000, positive=True)
    # A target inspected within this many days is not eligible again (issue 6: 6 months).
    inspection_cooldown_days: int = rule(183, "issue 6 (6 个月内已回访不再抽取)", maximum=3650)
    # Seed commitments and reveals are due within this many hours of the roster freeze
    # (or of the public value's moment); past it the sweep voids the plan (sishuang).
    inspection_reveal_hours: int = rule(72, "sishuang (承诺—揭示期限)", maximum=720, positive=True)
    # Alternates drawn per stratum for replacements (sishuang default).
    inspection_alternates: int = rule(3, "sishuang", maximum=1000)
    # Results published within this many working days of the draw (市场监管 两随机一公开:
    # 抽查结果 20 个工作日内公示).
    inspection_disclosure_working_days: int = rule(
        20, "两随机一公开 (20 个工作日内公示, 市场监管)", maximum=250, positive=True
    )

    # -- messages (docs/notifications.md) -----------------------------------------------
    # No SMS in these Beijing hours unless urgent: from the start hour to the end hour
    # (22:00-08:00: sishuang, as Chinese SMS rules on marketing at night); deferred to the end.
    sms_quiet_start_hour: int = rule(22, "sishuang (夜间不发短信)", maximum=23)
    sms_quiet_end_hour: int = rule(8, "sishuang (夜间不发短信)", maximum=23)
    # A delivery attempted this many times without success is given up (sishuang).
    delivery_max_attempts: int = rule(5, "sishuang", maximum=100, positive=True)
    # The wait before the second attempt; it doubles with each failure up to the cap.
    delivery_backoff_seconds: int = rule(60, "sishuang", maximum=86_400, positive=True)
    delivery_backoff_max_seconds: int = rule(3600, "sishuang", maximum=604_800, positive=True)
    # How long a worker's claim holds: past it, a send not reported is in doubt (never resent).
    delivery_lease_seconds: int = rule(120, "sishuang", maximum=86_400, positive=True)
    # A message not yet sent this many hours after it was made is not sent by SMS any more
    # (after an outage, or when SMS is first switched on over a long history): sishuang.
    delivery_max_age_hours: int = rule(48, "sishuang", maximum=8760, positive=True)
    # Reminders this many hours before the take window and the rating window end.
    take_window_reminder_hours: int = rule(12, "sishuang (田家庵 3 天接单期)", maximum=720)
    rating_window_reminder_hours: int = rule(4, "sishuang (田家庵 24 小时评价期)", maximum=720)
    # At most this many 附近新需求 messages to one member a (Beijing) day (sishuang).
    nearby_need_max_per_day: int = rule(3, "sishuang", maximum=100)

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
            ("delivery_backoff_seconds", "delivery_backoff_max_seconds"),
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
        for name in POSITIVE:
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


# The highest value a policy may take when its `rule` names none (our bound: past it
# the rule stops meaning anything, and dates computed from it leave the calendar);
# shares and averages have their own checks in Policy.check.
DEFAULT_MAXIMUM = 1_000_000
MAX_PARSED = Decimal(10) ** 12

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

# Each value's source and bounds, as its field declares them (`rule`): the configuration
# reference (docs/configuration.md), the policy endpoint and the checks read these.
POLICY_SOURCES: dict[str, str] = {f.name: f.metadata["source"] for f in dataclasses.fields(Policy)}
POLICY_MAXIMA: dict[str, int | Decimal] = {
    f.name: f.metadata["maximum"]
    for f in dataclasses.fields(Policy)
    if f.metadata.get("maximum") is not None
}
POSITIVE: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Policy) if f.metadata.get("positive")
)

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
    rows = [
        "| name | default | highest | must be > 0 | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, value in DEFAULT_POLICY.as_dict().items():
        highest = POLICY_MAXIMA.get(name, "" if name in POLICY_CHOICES else DEFAULT_MAXIMUM)
        positive = "yes" if name in POSITIVE else ""
        rows.append(f"| `{name}` | {value} | {highest} | {positive} | {POLICY_SOURCES[name]} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
