"""一细则 as 组织部 proposes it, checked into a `PlanDefinition`.

`PlanProposal` holds the raw fields of a proposal as a client sends them (the body of
POST /inspection-plans, or the demo's and the tests' plans), nothing checked. It
becomes a definition in two steps, in this order:

1. `PlanProposal.checked()`: what needs nothing but the proposal (texts, dates, the
   item, the seed method and the parties' spelling). It runs before an idempotency key
   is looked up, and its `fingerprint()` is what the key's claim records;
2. `define_plan(checked, ...)`: what needs the county's policy (the defaults of every
   rule a proposal leaves out), today, and the roster (a party who is an inspector must
   be an active one of the county); it returns the `PlanDefinition` that is published.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.draw_hashes import PLAN_SCHEMA
from domain.errors import InvalidInput
from domain.inspection_input import check_count, check_pattern, parse_date, public_text
from domain.inspection_items import ITEM_LIST_VERSION, PROCEDURES, InspectionItem, SeedMethod
from domain.limits import check_year
from domain.plan_definition import DrawRules, PlanDefinition, PublicValue, SampleRule, SeedRule
from domain.policies import POLICY_MAXIMA, Policy
from domain.population import POPULATION_RULES
from domain.values import check_text, clean_line
from domain.working_days import WorkingCalendar
from replay import draw

MAX_PARTIES = 5
PARTY_RE = re.compile(r"(org_dept|inspector):\S.{0,99}")


@dataclass(frozen=True)
class PlanProposal:
    """A plan as proposed: every rule left None takes the county's policy value."""

    title: str
    item: str
    period_start: object
    period_end: object
    seed_method: str = "commit_reveal"
    parties: Sequence[str] = ()
    public_value_source: str = ""
    public_value_available_after: datetime | None = None
    public_value_pattern: str = ""
    public_value_example: str = ""
    unannounced: bool | None = None
    ratio: object = None
    minimum: object = None
    low_ratio: object = None
    low_minimum: object = None
    low_rated_below: object = None
    inspectors_per_target: object = None
    load_cap: object = None
    alternates: object = None
    cooldown_days: object = None
    disclosure_working_days: object = None
    reveal_within_hours: object = None
    holidays: Sequence[object] = ()
    extra_workdays: Sequence[object] = ()

    def checked(self) -> CheckedProposal:
        """Step 1: the checks that need nothing but the proposal."""
        title = public_text(clean_line(self.title, "抽查名称", required=True), "抽查名称")
        item = InspectionItem.from_code(self.item)
        method = SeedMethod.from_code(self.seed_method)
        start = parse_date(self.period_start, "抽查期间起")
        end = parse_date(self.period_end, "抽查期间止")
        if end < start:
            raise InvalidInput("invalid_period", "抽查期间止不能早于起", "the period ends first")
        available_after = self.public_value_available_after
        if available_after is not None:
            check_year(available_after, "公开数值产生时间")
        holidays = sorted({parse_date(d, "节假日").isoformat() for d in self.holidays})
        workdays = sorted({parse_date(d, "调休工作日").isoformat() for d in self.extra_workdays})
        parties = [check_text(str(p), "种子提供方", lines=False).strip() for p in self.parties]
        for party in parties:
            if not PARTY_RE.fullmatch(party):
                raise InvalidInput(
                    "invalid_seed_party",
                    "种子提供方应写作登录身份，如 org_dept:组织部-王 或 inspector:<检查人员编号>",
                    "a seed party is an actor: org_dept:<name> or inspector:<inspector id>",
                    party=party,
                )
        source = public_text(clean_line(self.public_value_source, "公开数值来源"), "公开数值来源")
        pattern = check_text(self.public_value_pattern or "", "公开数值格式", lines=False).strip()
        example = clean_line(self.public_value_example, "公开数值示例")
        return CheckedProposal(
            proposal=self,
            title=title,
            item=item,
            method=method,
            start=start,
            end=end,
            holidays=holidays,
            workdays=workdays,
            parties=parties,
            source=source,
            pattern=pattern,
            example=example,
        )


@dataclass(frozen=True)
class CheckedProposal:
    """A proposal after step 1: its texts clean, its dates and codes parsed."""

    proposal: PlanProposal
    title: str
    item: InspectionItem
    method: SeedMethod
    start: date
    end: date
    holidays: list[str]
    workdays: list[str]
    parties: list[str]
    source: str
    pattern: str
    example: str

    def fingerprint(self) -> dict[str, Any]:
        """What an idempotency key's claim records of the request."""
        p = self.proposal
        return {
            "title": self.title,
            "item": self.item,
            "period": (self.start, self.end),
            "method": self.method,
            "parties": tuple(self.parties),
            "source": self.source,
            "after": p.public_value_available_after,
            "pattern": (self.pattern, self.example),
            "rules": repr(
                (
                    p.ratio,
                    p.minimum,
                    p.low_ratio,
                    p.low_minimum,
                    p.low_rated_below,
                    p.inspectors_per_target,
                )
            ),
            "more": repr(
                (
                    p.load_cap,
                    p.alternates,
                    p.cooldown_days,
                    p.disclosure_working_days,
                    p.reveal_within_hours,
                )
            ),
            "days": (tuple(self.holidays), tuple(self.workdays)),
            "unannounced": p.unannounced,
        }


def clean_rule(ratio: object, minimum: object, what: str) -> SampleRule:
    try:
        value = Decimal(str(ratio).strip())
    except Exception:
        value = Decimal(-1)
    if isinstance(ratio, bool) or not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput(
            "invalid_sample_ratio",
            f"{what}抽查比例应为 0 到 1 之间的小数（如 0.05）",
            f"the {what} sample ratio is a decimal between 0 and 1, e.g. 0.05",
        )
    top = POLICY_MAXIMA["inspection_sample_min"]
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= top:
        raise InvalidInput(
            "invalid_sample_minimum",
            f"{what}最少抽取数应为 0 到 {top} 的整数",
            f"the {what} minimum sample is an integer 0-{top}",
        )
    return SampleRule(format(value.normalize(), "f"), minimum)


def _or(value: object, default: object) -> object:
    """The proposal's value, or the policy's when the proposal leaves it out."""
    return default if value is None else value


def _limit(name: str) -> int:
    return int(POLICY_MAXIMA[name])


def define_plan(
    checked: CheckedProposal,
    *,
    plan_id: UUID,
    county_id: UUID,
    policy: Policy,
    today: date,
    now: datetime,
    check_inspector: Callable[[str], object],
) -> PlanDefinition:
    """Step 2: the rules with the county's policy, today and the roster; raises
    InvalidInput (nothing is recorded) or returns the definition to publish.
    `check_inspector(subject)` refuses a party who is not an active inspector."""
    p, item = checked.proposal, checked.item
    if item is InspectionItem.SIT_IN:
        if checked.start <= today:
            raise InvalidInput(
                "period_not_ahead",
                "列席会议的抽查期间应从明天或以后开始",
                "a sit-in plan covers meetings still ahead",
            )
    elif checked.end > today:
        raise InvalidInput(
            "period_not_over",
            "抽查期间应已结束（不晚于今天）",
            "the period must be over (end today at the latest)",
        )
    unannounced = item is InspectionItem.SIT_IN if p.unannounced is None else bool(p.unannounced)
    seed = _seed_rule(checked, unannounced, now, check_inspector)
    normal = clean_rule(
        _or(p.ratio, policy.inspection_sample_ratio),
        _or(p.minimum, policy.inspection_sample_min),
        "",
    )
    low = clean_rule(
        _or(p.low_ratio, policy.inspection_low_rated_ratio),
        _or(p.low_minimum, policy.inspection_low_rated_min),
        "低评价层",
    )
    low_rated_below = check_count(
        _or(p.low_rated_below, policy.satisfied_min_stars), "低评价星级线", 1, 6
    )
    per_target = check_count(
        _or(p.inspectors_per_target, policy.inspection_inspectors_per_target),
        "每个对象的检查人员数",
        2,
        _limit("inspection_inspectors_per_target"),
    )
    load_cap = check_count(
        _or(p.load_cap, policy.inspection_load_cap),
        "每名检查人员的对象上限",
        1,
        _limit("inspection_load_cap"),
    )
    alternates = check_count(
        _or(p.alternates, policy.inspection_alternates),
        "每层备选数",
        0,
        _limit("inspection_alternates"),
    )
    cooldown_days = check_count(
        _or(p.cooldown_days, policy.inspection_cooldown_days),
        "冷却期天数",
        0,
        _limit("inspection_cooldown_days"),
    )
    disclosure_days = check_count(
        _or(p.disclosure_working_days, policy.inspection_disclosure_working_days),
        "公开期限（工作日）",
        1,
        _limit("inspection_disclosure_working_days"),
    )
    reveal_hours = check_count(
        _or(p.reveal_within_hours, policy.inspection_reveal_hours),
        "种子承诺与揭示期限（小时）",
        1,
        _limit("inspection_reveal_hours"),
    )
    return PlanDefinition(
        schema=PLAN_SCHEMA,
        plan_id=plan_id,
        county_id=county_id,
        title=checked.title,
        item=item,
        item_list_version=ITEM_LIST_VERSION,
        population_rules=POPULATION_RULES,
        procedure=PROCEDURES[item],
        period=(checked.start, checked.end),
        stratify="county" if item is InspectionItem.UNIT_PAIRING else "community",
        rules=DrawRules(normal, low, alternates, per_target, load_cap),
        low_rated_below=low_rated_below,
        cooldown_days=cooldown_days,
        algorithm=draw.ALGORITHM,
        seed=seed,
        unannounced=unannounced,
        disclosure_working_days=disclosure_days,
        reveal_within_hours=reveal_hours,
        calendar=WorkingCalendar(
            tuple(date.fromisoformat(d) for d in checked.holidays),
            tuple(date.fromisoformat(d) for d in checked.workdays),
        ),
    )


def _seed_rule(
    checked: CheckedProposal,
    unannounced: bool,
    now: datetime,
    check_inspector: Callable[[str], object],
) -> SeedRule:
    """The parties' commit–reveal (2–5 distinct actors, inspectors active in the county),
    or a public value that does not exist yet, in an exact format, for a plan that is
    not unannounced."""
    parties = checked.parties
    if checked.method is SeedMethod.COMMIT_REVEAL:
        if len(set(parties)) < 2 or len(parties) > MAX_PARTIES:
            raise InvalidInput(
                "seed_parties_required",
                f"种子须由 2 到 {MAX_PARTIES} 个不同的提供方承诺（如督查组组长、组织部见证人）",
                f"a seed needs 2-{MAX_PARTIES} distinct parties",
            )
        if len(set(parties)) != len(parties):
            raise InvalidInput("duplicate_party", "种子提供方重复", "parties repeat")
        for party in parties:
            role, _, subject = party.partition(":")
            if role == "inspector":
                check_inspector(subject)
        return SeedRule(checked.method, tuple(parties), None)
    after = checked.proposal.public_value_available_after
    if not checked.source or after is None:
        raise InvalidInput(
            "public_value_required",
            "请写明公开数值的来源及其产生时间",
            "name the public value and when it becomes available",
        )
    if after.tzinfo is None:
        raise InvalidInput("invalid_time", "时间需带时区", "times need a timezone")
    if after <= now:
        raise InvalidInput(
            "public_value_exists",
            "公开数值必须在方案冻结之后才产生",
            "the public value must not exist yet",
        )
    if unannounced:
        raise InvalidInput(
            "public_value_not_secret",
            "不打招呼检查不能用公开数值作种子（人人可提前算出抽样结果）",
            "an unannounced plan needs a secret seed: anyone could compute "
            "the sample from a public value",
        )
    pattern, example = checked.pattern, checked.example
    check_pattern(pattern)
    try:
        matches = bool(pattern) and bool(re.fullmatch(pattern, example))
    except re.error:
        matches = False
    if not example or not matches:
        raise InvalidInput(
            "public_value_format_required",
            "请规定公开数值的书写格式（正则表达式）并给出符合格式的示例",
            "give the public value's exact format (a regular expression) "
            "and an example that matches it",
        )
    return SeedRule(checked.method, (), PublicValue(checked.source, after, pattern, example))
