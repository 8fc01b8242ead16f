"""Commands of 两随机一公开: the inspector directory, joint meetings, inspection plans,
the draw, findings and publication. The rules live in domain.inspection; the target
directory and the roster are derived from the log by domain.draws."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.actors import Actor, Role
from domain.calendar import business_date
from domain.community import Community
from domain.draws import (
    POPULATION_TOPICS,
    ROSTER_TOPICS,
    derive_population,
    derive_roster,
    parse_target,
)
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.inspection import (
    ITEM_LIST_VERSION,
    PARTY_RE,
    POPULATION_RULES,
    PROCEDURES,
    Conclusion,
    InspectionItem,
    InspectionPlan,
    Inspector,
    PlanStatus,
    SeedMethod,
    TargetDirectory,
    clean_rule,
)
from domain.limits import check_year
from domain.masking import mask_numbers
from domain.order import Order
from domain.policies import POLICY_MAXIMA
from domain.service import Result, Service
from domain.values import check_text, clean_line, clean_name, clean_sha256, clean_text

PAGE = 5000  # notifications read per page when deriving from the log


MAX_PARTIES = 5


def _parse_date(value: object, what_zh: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(
                "invalid_date",
                f"{what_zh}应为 YYYY-MM-DD 格式的日期",
                f"{what_zh}: a YYYY-MM-DD date",
            ) from None
    check_year(day, what_zh)
    return day


MAX_PATTERN_LEN = 100


MAX_RANGE = 10  # the widest {n,m} a format may use


MAX_VARIABLE = 3  # quantifiers whose count varies (?, *, +, {n,m}), in the whole format


_TOKEN = re.compile(
    r"\\[dDsSwW.+*?(){}\[\]|\\^$ \-/:]"  # an escape: \d, \s, \+, \. …
    r"|\[(?:\\.|[^\]\\])+\]"  # a character class [0-9], [A-Z,]
    r"|\{(\d{1,3})(?:(,)(\d{1,3})?)?\}"  # {n}, {n,}, {n,m}
    r"|[?*+()]"
    r"|[^\\\[\]{}()?*+|^$.]"  # a literal character
)


def check_pattern(pattern: str) -> None:
    """A public value's format, in a small grammar that every match finishes quickly
    in, on any input: characters, escapes (\\d, \\+ …) and classes ([0-9]), each
    repeated {n}, {n,m} (m − n ≤ 10), ?, * or +; groups without groups inside,
    repeated only a fixed number of times ({n}) or made optional (?), holding only
    fixed counts; at most three counts that vary; no alternation (|), no
    back-references, no look-arounds. 双色球 is \\d{2}( \\d{2}){5} \\+ \\d{2}."""

    def unsafe() -> InvalidInput:
        return InvalidInput(
            "public_value_pattern_unsafe",
            f"公开数值格式应简单明确（不超过 {MAX_PATTERN_LEN} 个字符；只用字符、\\d 等、[…]，"
            "以 {n}、{n,m}、?、*、+ 计数；括号内只用固定次数，括号只可 {n} 或 ?；"
            f"可变次数最多 {MAX_VARIABLE} 处；不用 |），"
            "如 \\d{2}( \\d{2}){5} \\+ \\d{2}",
            "keep the format in the simple grammar: no alternation, no nested or repeated "
            "variable counts",
        )

    if len(pattern) > MAX_PATTERN_LEN:
        raise unsafe()
    depth, variable, at = 0, 0, 0
    previous = ""  # what the last token was: atom, group (closed), quantifier or open
    while at < len(pattern):
        found = _TOKEN.match(pattern, at)
        if found is None:
            raise unsafe()
        token = found.group()
        at = found.end()
        if token == "(":
            if depth:
                raise unsafe()
            depth, previous = 1, "open"
        elif token == ")":
            if not depth or previous == "open":
                raise unsafe()
            depth, previous = 0, "group"
        elif token in ("?", "*", "+") or token.startswith("{"):
            if previous not in ("atom", "group"):
                raise unsafe()
            low, comma, high = found.group(1), found.group(2), found.group(3)
            fixed = token.startswith("{") and not comma
            if (
                token.startswith("{")
                and comma
                and high is not None
                and (int(high) < int(low) or int(high) - int(low) > MAX_RANGE)
            ):
                raise unsafe()
            unbounded = token in ("*", "+") or (comma is not None and high is None)
            if not fixed:
                variable += 1
            if depth and not fixed:  # inside a group: fixed counts only
                raise unsafe()
            if previous == "group" and not (fixed or token == "?"):
                raise unsafe()
            if unbounded and previous == "group":
                raise unsafe()
            previous = "quantifier"
        else:
            previous = "atom"
    if depth or variable > MAX_VARIABLE:
        raise unsafe()
    try:
        re.compile(pattern)
    except re.error:
        raise unsafe() from None


def public_text(text: str, what_zh: str) -> str:
    """Text that is published as written (the plan's document is hashed and shown whole,
    so it cannot be masked afterwards): refused if it holds what the masking rule
    recognises without guessing: phones, ID and bank numbers, accounts, e-mail."""
    if mask_numbers(text) != text:
        raise InvalidInput(
            "personal_data_in_public_text",
            f"{what_zh}会原样公开，不能含有电话、证件号、银行卡号或邮箱",
            "this text is published as written: no phone, ID or bank number, no e-mail",
        )
    return text


def _count(value: object, what_zh: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            "invalid_number",
            f"{what_zh}应为 {low} 到 {high} 之间的整数",
            f"{what_zh}: an integer {low}-{high}",
        )
    return value


class InspectionCommands(Service):
    def _events(self, topics: Sequence[str], stop: int | None) -> Iterator[Any]:
        """The log's events of these topics up to `stop`, in order, read in pages."""
        start = 1
        while stop is None or start <= stop:
            page = self.recorder.select_notifications(start, PAGE, stop=stop, topics=topics)
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    # -- 执法检查人员名录库 -------------------------------------------------------------------

    def register_inspector(
        self,
        actor: Actor,
        *,
        name: str,
        unit_id: UUID | None = None,
        unit_name: str = "",
        home_community_id: UUID | None = None,
        idempotency_key: str | None = None,
    ) -> Result:
        county_id = access.county_scope(actor)
        name = clean_name(name, "检查人员姓名")
        unit_name = public_text(clean_line(unit_name, "所在单位"), "所在单位")
        payload = {"name": name, "unit": unit_id, "unit_name": unit_name, "home": home_community_id}

        def build() -> tuple[UUID, list[Aggregate]]:
            label = unit_name
            if unit_id is not None:
                unit = self.unit(unit_id)
                if unit.county_id != county_id:
                    raise Conflict("unit_not_in_county", "该单位不在本县（区）", "not in county")
                label = label or unit.name
            if not label:
                raise InvalidInput(
                    "unit_required", "请填写检查人员所在单位", "give the inspector's unit"
                )
            if home_community_id is not None:
                community = self.community(home_community_id)
                if community.county_id != county_id:
                    raise Conflict(
                        "community_not_in_county", "该社区不在本县（区）", "not in your county"
                    )
            new_id = uuid4()
            inspector = Inspector.register(
                new_id,
                county_id=county_id,
                name=name,
                unit_id=unit_id,
                unit_name=label,
                home_community_id=home_community_id,
                by=actor.ref,
                now=self.clock.now(),
            )
            return new_id, [inspector]

        return self._create(actor, "register_inspector", idempotency_key, payload, build)

    def retire_inspector(self, actor: Actor, inspector_id: UUID, reason: str) -> Result:
        reason = clean_text(reason, "退出理由", required=True)

        def decide(inspector: Inspector) -> None:
            access.require_role(actor, Role.ORG_DEPT)
            access.require_county(actor, inspector.county_id)
            inspector.retire(reason, actor.ref, self.clock.now())

        return self._decide(self.inspector, inspector_id, decide)

    # -- 党建联席会议 --------------------------------------------------------------------------

    def schedule_meeting(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        held_on: object,
        topic: str,
        place: str,
        idempotency_key: str | None = None,
    ) -> Result:
        access.require_community_staff(actor, community_id)
        day = _parse_date(held_on, "会议日期")
        topic = clean_line(topic, "会议议题", required=True)
        place = clean_line(place, "会议地点", required=True)
        payload = {"community": community_id, "day": day, "topic": topic, "place": place}

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            if day < self.today():
                raise InvalidInput(
                    "meeting_in_past", "会议日期不能早于今天", "a meeting is scheduled ahead"
                )
            meeting_id = uuid4()
            community.schedule_meeting(meeting_id, day, topic, place, actor.ref, self.clock.now())
            return meeting_id, [community]

        return self._create(actor, "schedule_meeting", idempotency_key, payload, build)

    def cancel_meeting(
        self, actor: Actor, community_id: UUID, meeting_id: UUID, reason: str
    ) -> Result:
        access.require_community_staff(actor, community_id)
        reason = clean_text(reason, "取消理由", required=True)

        def decide(community: Community) -> None:
            community.cancel_meeting(meeting_id, reason, actor.ref, self.clock.now())

        return self._decide(self.community, community_id, decide, about=meeting_id)

    def today(self) -> date:
        return business_date(self.clock.now())

    # -- the plan ------------------------------------------------------------------------

    def publish_plan(
        self,
        actor: Actor,
        *,
        title: str,
        item: str,
        period_start: object,
        period_end: object,
        seed_method: str = "commit_reveal",
        parties: Sequence[str] = (),
        public_value_source: str = "",
        public_value_available_after: datetime | None = None,
        public_value_pattern: str = "",
        public_value_example: str = "",
        unannounced: bool | None = None,
        ratio: object = None,
        minimum: object = None,
        low_ratio: object = None,
        low_minimum: object = None,
        low_rated_below: object = None,
        inspectors_per_target: object = None,
        load_cap: object = None,
        alternates: object = None,
        cooldown_days: object = None,
        disclosure_working_days: object = None,
        reveal_within_hours: object = None,
        holidays: Sequence[object] = (),
        extra_workdays: Sequence[object] = (),
        idempotency_key: str | None = None,
    ) -> Result:
        """一细则: the plan with every rule the draw follows; its hash is public."""
        county_id = access.county_scope(actor)
        title = public_text(clean_line(title, "抽查名称", required=True), "抽查名称")
        item_value = InspectionItem.from_code(item)
        method = SeedMethod.from_code(seed_method)
        start = _parse_date(period_start, "抽查期间起")
        end = _parse_date(period_end, "抽查期间止")
        if end < start:
            raise InvalidInput("invalid_period", "抽查期间止不能早于起", "the period ends first")
        if public_value_available_after is not None:
            check_year(public_value_available_after, "公开数值产生时间")
        holiday_list = sorted({_parse_date(d, "节假日").isoformat() for d in holidays})
        workday_list = sorted({_parse_date(d, "调休工作日").isoformat() for d in extra_workdays})
        party_list = [check_text(str(p), "种子提供方", lines=False).strip() for p in parties]
        for party in party_list:
            if not PARTY_RE.fullmatch(party):
                raise InvalidInput(
                    "invalid_seed_party",
                    "种子提供方应写作登录身份，如 org_dept:组织部-王 或 inspector:<检查人员编号>",
                    "a seed party is an actor: org_dept:<name> or inspector:<inspector id>",
                    party=party,
                )
        source = public_text(clean_line(public_value_source, "公开数值来源"), "公开数值来源")
        value_pattern = check_text(public_value_pattern or "", "公开数值格式", lines=False).strip()
        example = clean_line(public_value_example, "公开数值示例")
        payload = {
            "title": title,
            "item": item_value,
            "period": (start, end),
            "method": method,
            "parties": tuple(party_list),
            "source": source,
            "after": public_value_available_after,
            "pattern": (value_pattern, example),
            "rules": repr(
                (ratio, minimum, low_ratio, low_minimum, low_rated_below, inspectors_per_target)
            ),
            "more": repr(
                (load_cap, alternates, cooldown_days, disclosure_working_days, reveal_within_hours)
            ),
            "days": (tuple(holiday_list), tuple(workday_list)),
            "unannounced": unannounced,
        }

        def build() -> tuple[UUID, list[Aggregate]]:
            policy = self.policy(county_id)
            today = self.today()
            now = self.clock.now()
            if item_value is InspectionItem.SIT_IN:
                if start <= today:
                    raise InvalidInput(
                        "period_not_ahead",
                        "列席会议的抽查期间应从明天或以后开始",
                        "a sit-in plan covers meetings still ahead",
                    )
            elif end > today:
                raise InvalidInput(
                    "period_not_over",
                    "抽查期间应已结束（不晚于今天）",
                    "the period must be over (end today at the latest)",
                )
            is_unannounced = (
                item_value is InspectionItem.SIT_IN if unannounced is None else bool(unannounced)
            )
            if method is SeedMethod.COMMIT_REVEAL:
                if len(set(party_list)) < 2 or len(party_list) > MAX_PARTIES:
                    raise InvalidInput(
                        "seed_parties_required",
                        f"种子须由 2 到 {MAX_PARTIES} 个不同的提供方承诺"
                        "（如督查组组长、组织部见证人）",
                        f"a seed needs 2-{MAX_PARTIES} distinct parties",
                    )
                if len(set(party_list)) != len(party_list):
                    raise InvalidInput("duplicate_party", "种子提供方重复", "parties repeat")
                for party in party_list:
                    role, _, subject = party.partition(":")
                    if role == "inspector":
                        self._active_inspector(subject, county_id)
                seed: dict[str, Any] = {"method": method.code, "parties": party_list}
            else:
                if not source or public_value_available_after is None:
                    raise InvalidInput(
                        "public_value_required",
                        "请写明公开数值的来源及其产生时间",
                        "name the public value and when it becomes available",
                    )
                if public_value_available_after.tzinfo is None:
                    raise InvalidInput("invalid_time", "时间需带时区", "times need a timezone")
                if public_value_available_after <= now:
                    raise InvalidInput(
                        "public_value_exists",
                        "公开数值必须在方案冻结之后才产生",
                        "the public value must not exist yet",
                    )
                if is_unannounced:
                    raise InvalidInput(
                        "public_value_not_secret",
                        "不打招呼检查不能用公开数值作种子（人人可提前算出抽样结果）",
                        "an unannounced plan needs a secret seed: anyone could compute "
                        "the sample from a public value",
                    )
                check_pattern(value_pattern)
                try:
                    matches = bool(value_pattern) and bool(re.fullmatch(value_pattern, example))
                except re.error:
                    matches = False
                if not example or not matches:
                    raise InvalidInput(
                        "public_value_format_required",
                        "请规定公开数值的书写格式（正则表达式）并给出符合格式的示例",
                        "give the public value's exact format (a regular expression) "
                        "and an example that matches it",
                    )
                seed = {
                    "method": method.code,
                    "source": source,
                    "available_after": public_value_available_after.isoformat(),
                    "pattern": value_pattern,
                    "example": example,
                }
            normal = clean_rule(
                policy.inspection_sample_ratio if ratio is None else ratio,
                policy.inspection_sample_min if minimum is None else minimum,
                "",
            )
            low = clean_rule(
                policy.inspection_low_rated_ratio if low_ratio is None else low_ratio,
                policy.inspection_low_rated_min if low_minimum is None else low_minimum,
                "低评价层",
            )
            document: dict[str, Any] = {
                "title": title,
                "item": item_value.code,
                "item_list_version": ITEM_LIST_VERSION,
                "population_rules": POPULATION_RULES,
                "procedure": PROCEDURES[item_value],
                "period": [start.isoformat(), end.isoformat()],
                "stratify": "county" if item_value is InspectionItem.UNIT_PAIRING else "community",
                "strata": {"normal": normal.as_doc(), "low": low.as_doc()},
                "low_rated_below": _count(
                    policy.satisfied_min_stars if low_rated_below is None else low_rated_below,
                    "低评价星级线",
                    1,
                    6,
                ),
                "min_inspectors": _count(
                    policy.inspection_inspectors_per_target
                    if inspectors_per_target is None
                    else inspectors_per_target,
                    "每个对象的检查人员数",
                    2,
                    int(POLICY_MAXIMA["inspection_inspectors_per_target"]),
                ),
                "load_cap": _count(
                    policy.inspection_load_cap if load_cap is None else load_cap,
                    "每名检查人员的对象上限",
                    1,
                    int(POLICY_MAXIMA["inspection_load_cap"]),
                ),
                "alternates": _count(
                    policy.inspection_alternates if alternates is None else alternates,
                    "每层备选数",
                    0,
                    int(POLICY_MAXIMA["inspection_alternates"]),
                ),
                "cooldown_days": _count(
                    policy.inspection_cooldown_days if cooldown_days is None else cooldown_days,
                    "冷却期天数",
                    0,
                    int(POLICY_MAXIMA["inspection_cooldown_days"]),
                ),
                "algorithm": "cs-sha256-v1",
                "seed": seed,
                "unannounced": int(is_unannounced),
                "disclosure_working_days": _count(
                    policy.inspection_disclosure_working_days
                    if disclosure_working_days is None
                    else disclosure_working_days,
                    "公开期限（工作日）",
                    1,
                    int(POLICY_MAXIMA["inspection_disclosure_working_days"]),
                ),
                "reveal_within_hours": _count(
                    policy.inspection_reveal_hours
                    if reveal_within_hours is None
                    else reveal_within_hours,
                    "种子承诺与揭示期限（小时）",
                    1,
                    int(POLICY_MAXIMA["inspection_reveal_hours"]),
                ),
                "holidays": holiday_list,
                "extra_workdays": workday_list,
            }
            plan_id = uuid4()
            plan = InspectionPlan.publish(
                plan_id,
                county_id=county_id,
                title=title,
                item=item_value,
                document=document,
                by=actor.ref,
                now=now,
            )
            return plan_id, [plan]

        return self._create(actor, "publish_plan", idempotency_key, payload, build)

    def _plan_command(
        self,
        actor: Actor,
        plan_id: UUID,
        decide: Callable[[InspectionPlan], list[Aggregate]],
        *,
        roles: tuple[Role, ...] = (Role.ORG_DEPT,),
    ) -> Result:
        def checked(plan: InspectionPlan) -> list[Aggregate]:
            access.require_role(actor, *roles)
            access.require_county(actor, plan.county_id)
            return decide(plan)

        return self._decide(self.plan, plan_id, checked)

    def freeze_population(self, actor: Actor, plan_id: UUID) -> Result:
        """检查对象名录库: derived from the log as it stands, with its position and hash."""

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.require_stage(PlanStatus.PUBLISHED, doing="冻结检查对象")
            now = self.clock.now()
            position = self.recorder.max_notification_id() or 0
            population = derive_population(
                plan.document, plan.county_id, self._events(POPULATION_TOPICS, position), now
            )
            directory = TargetDirectory.freeze(plan, position, population, now)
            plan.freeze_population(directory, len(population.excluded), actor.ref, now)
            return [directory]

        return self._plan_command(actor, plan_id, decide)

    def freeze_roster(self, actor: Actor, plan_id: UUID) -> Result:
        def decide(plan: InspectionPlan) -> list[Aggregate]:
            position = self.recorder.max_notification_id() or 0
            roster, _ = derive_roster(plan.county_id, self._events(ROSTER_TOPICS, position))
            directory = self.target_directory(plan_id)
            plan.freeze_roster(roster, directory, position, actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def commit_seed(
        self, actor: Actor, plan_id: UUID, commitment: str, party: str | None = None
    ) -> Result:
        """A seed party commits H(contribution ‖ salt). The party is the acting person
        (their role and token subject, as the plan names them); nobody commits for another."""
        party = self._party_of(actor, party)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.commit_seed(party, commitment.strip().lower(), actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def reveal_seed(
        self,
        actor: Actor,
        plan_id: UUID,
        contribution: str,
        salt: str = "",
        party: str | None = None,
    ) -> Result:
        """A party reveals (or, for a public-value seed, anyone of the county's 组织部 or
        inspectors writes the value in the plan's format). The last reveal draws, in the
        same write: nobody holds a known seed with the draw still to be made."""
        party = self._party_of(actor, party)
        check_text(contribution, "揭示的数值", lines=False)
        check_text(salt, "盐", lines=False)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            now = self.clock.now()
            # taken exactly as given, like the contribution: the commitment was made over
            # these bytes, so a salt in another case or padded is refused, never mended
            plan.reveal(party, contribution, salt, actor.ref, now)
            if plan.contribution_list():
                plan.draw(self.target_directory(plan_id), actor.ref, now)
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    @staticmethod
    def _party_of(actor: Actor, party: str | None) -> str:
        if party is not None and party.strip() and party.strip() != actor.ref:
            raise Forbidden(
                "not_a_seed_party",
                "只能以本人身份提交或揭示种子",
                "a party commits and reveals for themself only",
            )
        return actor.ref

    def _active_inspector(self, subject: str, county_id: UUID) -> Inspector:
        try:
            inspector_id = UUID(subject)
        except ValueError:
            inspector_id = None
        inspector = None if inspector_id is None else self._find(Inspector, inspector_id)
        if inspector is None or inspector.county_id != county_id or not inspector.active:
            raise InvalidInput(
                "unknown_inspector",
                f"名录中没有该检查人员：{subject}",
                f"no active inspector {subject} in the county",
            )
        return inspector

    def draw(self, actor: Actor, plan_id: UUID) -> Result:
        """Draws a plan whose seed is complete and not yet drawn. The last reveal draws
        by itself, so this answers already_drawn or seed_not_revealed for any plan made
        by this code; it stays for plans whose reveals predate that."""

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.check_can_draw()
            plan.draw(self.target_directory(plan_id), actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def replace_target(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        reason: str,
        reason_code: str = "other",
    ) -> Result:
        reason = clean_text(reason, "替换理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            relations = self.target_directory(plan_id).relations
            plan.replace_target(target, reason, relations, actor.ref, self.clock.now(), reason_code)
            return []

        return self._plan_command(actor, plan_id, decide)

    def recuse_inspector(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        inspector_id: UUID,
        reason: str,
        reason_code: str = "other",
    ) -> Result:
        """An inspector withdraws from a target (a conflict not in the roster, illness)."""
        reason = clean_text(reason, "回避理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            if actor.role is Role.INSPECTOR and actor.subject != str(inspector_id):
                access.require_role(actor, Role.ORG_DEPT)
            relations = self.target_directory(plan_id).relations
            plan.recuse(
                target,
                str(inspector_id),
                reason,
                relations,
                actor.ref,
                self.clock.now(),
                reason_code,
            )
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def record_finding(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        *,
        conclusion: str,
        confirmed: bool | None = None,
        stars: int | None = None,
        attendance: int | None = None,
        discussed: str = "",
        photos: Sequence[str] = (),
        note: str = "",
        correction_reason: str = "",
    ) -> Result:
        """An assigned inspector records the finding. A revisit whose resident denies the
        service finds the order false: its hours and points are reversed in this write."""
        access.require_role(actor, Role.INSPECTOR)
        conclusion_value = Conclusion.from_code(conclusion)
        discussed = clean_text(discussed, "会议内容")
        note = clean_text(note, "检查说明")
        correction_reason = clean_text(correction_reason, "更正理由")
        photo_list = sorted({clean_sha256(p) for p in photos})
        if stars is not None and (isinstance(stars, bool) or not isinstance(stars, int)):
            raise InvalidInput("invalid_stars", "评价星级应为 1 到 5", "stars are 1 to 5")

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            now = self.clock.now()
            plan.record_finding(
                target,
                actor.subject,
                confirmed=confirmed,
                stars=stars,
                attendance=attendance,
                discussed=discussed,
                photos=photo_list,
                conclusion=conclusion_value,
                note=note,
                correction_reason=correction_reason,
                by=actor.ref,
                now=now,
            )
            if plan.item is not InspectionItem.REVISIT or confirmed is not False:
                return []
            return self._find_false(actor, target, note or "督查回访：群众否认服务", now)

        return self._plan_command(actor, plan_id, decide, roles=(Role.INSPECTOR,))

    def _find_false(self, actor: Actor, target: str, reason: str, now: datetime) -> list[Aggregate]:
        order_id = parse_target(target)["order_id"]
        assert order_id is not None, f"{target} names no order"
        order: Order = self.order(UUID(order_id))
        if order.found_false:
            return []
        return [order, *self._found_false(order, reason, "inspection", actor, now)]

    def complete_visits(self, actor: Actor, plan_id: UUID) -> Result:
        def decide(plan: InspectionPlan) -> list[Aggregate]:
            if actor.role is Role.INSPECTOR and not plan.is_assigned(actor.subject):
                raise Forbidden(
                    "inspector_not_assigned",
                    "只有本次抽查的检查人员可以确认列席完成",
                    "only the plan's inspectors may complete its visits",
                )
            plan.complete_visits(actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def publish_results(self, actor: Actor, plan_id: UUID, summary: str = "") -> Result:
        summary = clean_text(summary, "结果说明")

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.publish_results(summary, actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def void_plan(
        self, actor: Actor, plan_id: UUID, reason: str, reason_code: str = "other"
    ) -> Result:
        reason = clean_text(reason, "作废理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.void(reason, actor.ref, self.clock.now(), reason_code)
            return []

        return self._plan_command(actor, plan_id, decide)

    def sweep_reveals(self, plan_ids: Sequence[UUID]) -> int:
        """The sweep: each plan whose seed is not complete by its deadline is voided."""
        return self._sweep_plans(plan_ids, InspectionPlan.default_unrevealed)

    def sweep_disclosures(self, plan_ids: Sequence[UUID]) -> int:
        """The sweep: each drawn plan past its disclosure deadline gets its overdue mark."""
        return self._sweep_plans(plan_ids, InspectionPlan.mark_disclosure_overdue)

    def _sweep_plans(
        self, plan_ids: Sequence[UUID], step: Callable[[InspectionPlan, datetime], bool]
    ) -> int:
        """Run a deadline step on each plan; the count of plans it recorded an event for."""
        changed = 0
        for plan_id in plan_ids:

            def decide(plan: InspectionPlan) -> list[Aggregate]:
                step(plan, self.clock.now())
                return []

            if self._decide(self.plan, plan_id, decide).position is not None:
                changed += 1
        return changed
