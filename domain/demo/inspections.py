"""两随机一公开 in the demo: the supervision team's quarter. The roster on day one; each
community's 党建联席会议 on the calendar; and four plans, each in a telling state:

- a revisit of closed orders drawn three weeks ago, inspected (one order found false)
  and its results published, within the county's disclosure deadline;
- an earlier service-record check voided the day after it was published, its reason
  public;
- a unit-pairing check seeded by a public value (the lottery), drawn six weeks ago and
  its results still not published: past the county's default disclosure deadline
  (20 working days), the sweep shows it as overdue;
- an unannounced sit-in on the coming weeks' meetings, drawn yesterday, public only as
  its commitment until the visits are done.

Seeds are revealed within the county's reveal window after the roster freeze.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from domain.actors import Actor, Role
from domain.calendar import business_date
from domain.demo.county import COMMUNITIES
from domain.demo.field import Field
from domain.demo.schedule import local
from domain.plan_proposal import PlanProposal
from domain.working_days import add_working_days
from replay import draw

INSPECTORS = (
    # (name, unit index in UNITS or None, unit name when not a demo unit, home community)
    ("高建军", None, "泽州县纪委监委", None),
    ("常丽萍", None, "泽州县委巡察办", "JX"),
    ("牛志刚", None, "泽州县委组织部", None),
    ("秦晓燕", 0, "", "XR"),
    ("冯国华", 1, "", None),
    ("段文静", None, "泽州县委宣传部", "BG"),
    ("卫红梅", None, "泽州县民政局", None),
    ("焦永强", None, "泽州县委督查室", "ZZH"),
)
ROSTER_AT = timedelta(hours=5)  # from the story's start
MEETINGS_SCHEDULED_AT = timedelta(days=7, hours=3)  # ... a minute apart by community
MEETING_WEEKS = (2, 6, 10, 11, 12)  # each community's meetings, weeks from the start
MEETING_TOPICS = ("民生需求研判", "大党委季度例会", "供需对接复盘", "共驻共建项目推进")
MEETING_PLACE = "{}党群服务中心二楼会议室"
LOTTERY_PATTERN = r"\d{2}( \d{2}){5} \+ \d{2}"  # 双色球: six red balls + one blue
LOTTERY_DRAW = "03 08 14 21 27 30 + 11"
LOTTERY_SOURCE = "{:%Y年%m月%d日}福利彩票“双色球”开奖号码"
SEED_VALUE_RANGE = (100000, 999999)  # each party's secret value
FROZEN_AFTER = timedelta(hours=1)  # population and roster frozen after publishing
REVEAL_MARGIN = timedelta(hours=1)  # seeds revealed at least this long before the deadline
FINDINGS_BEFORE_RESULTS = timedelta(days=1)  # at the latest
RESULTS_BY = (10, 0)  # on the disclosure deadline's day at the latest, Beijing time
FINDING_STARS = (4, 5, 5)  # a revisited resident's rating of the service
RECTIFY_EVERY = 4  # of the unit-pairing targets, every fourth must rectify
FALSE_TARGET = 1  # of the revisit's targets (sorted), this one was false
VOID_REASON = "抽查比例录入有误（应为 10%），本批作废重新制定"
REVISIT_RESULTS = "回访群众均表示满意，1 单经核实为虚报，已撤销时长与积分"
SWEPT_BEFORE_TODAY = timedelta(minutes=1)
# Each plan's calendar: published so many days before today, its period (days before
# or after today), when each step follows, its sample (ratio, minimum) if its own.
VOIDED_PUBLISHED_DAYS_AGO = 30
VOIDED_PERIOD_DAYS_AGO = (60, 31)
VOIDED_AFTER = timedelta(days=1)
PAIRING_PUBLISHED_DAYS_AGO = 45
PAIRING_PERIOD_DAYS_AGO = (60, 46)
PAIRING_VALUE_AFTER = timedelta(days=2)  # the lottery's draw, after publishing
PAIRING_REVEALED_AFTER_VALUE = timedelta(hours=2)
PAIRING_FINDINGS_AFTER_VALUE = timedelta(days=9)
PAIRING_SAMPLE = ("0.5", 2)
REVISIT_PUBLISHED_DAYS_AGO = 21
REVISIT_PERIOD_ENDS_DAYS_AGO = 22  # it starts with the story
REVISIT_REVEALED_AFTER_FREEZE = timedelta(days=1, hours=1)
REVISIT_FINDINGS_AFTER = timedelta(days=6)
REVISIT_RESULTS_AFTER = timedelta(days=12)
REVISIT_RATIO = "0.1"
SIT_IN_PUBLISHED_DAYS_AGO = 2
SIT_IN_PERIOD_DAYS_AHEAD = (1, 30)
SIT_IN_REVEALED_AFTER_FREEZE = timedelta(days=1)
SIT_IN_SAMPLE = ("0.5", 1)


class _Team:
    """The supervision team's commands, with the dice they share (drawn as they run)."""

    def __init__(self, field: Field, seed: int) -> None:
        self.field = field
        self.app = field.app
        self.seed = seed
        self.rng = random.Random(seed * 37 + 6)
        self.inspector_ids: list[UUID] = []
        self.plans: dict[str, UUID] = {}
        self.values: dict[tuple[str, str], str] = {}  # (plan, party) -> its secret value

    def inspector(self, inspector_id: str) -> Actor:
        return Actor(Role.INSPECTOR, inspector_id, self.field.org_dept.scope_id)

    def parties(self) -> list[Actor]:
        """The seed's two parties: 组织部's witness and the team leader (高建军)."""
        return [self.field.org_dept, self.inspector(str(self.inspector_ids[0]))]

    def salt(self, party: Actor) -> str:
        return hashlib.sha256(f"{self.seed}-{party.ref}".encode()).hexdigest()

    def register_inspectors(self) -> None:
        codes = [c.code for c in COMMUNITIES]
        field = self.field
        for name, unit, unit_name, home in INSPECTORS:
            home_id = None if home is None else field.community_ids[codes.index(home)]
            self.inspector_ids.append(
                self.app.register_inspector(
                    field.org_dept,
                    name=name,
                    unit_id=None if unit is None else field.unit_ids[unit],
                    unit_name=unit_name,
                    home_community_id=home_id,
                ).id
            )
            field.summary["inspectors"] += 1

    def schedule_meetings(self, c: int) -> None:
        for weeks in MEETING_WEEKS:
            held_on = business_date(self.field.start) + timedelta(weeks=weeks, days=c)
            if held_on < business_date(self.app.clock.now()):
                continue
            self.app.schedule_meeting(
                self.field.admin(c),
                self.field.community_ids[c],
                held_on=held_on,
                topic=self.rng.choice(MEETING_TOPICS),
                place=MEETING_PLACE.format(COMMUNITIES[c].name),
            )
            self.field.summary["joint_meetings"] += 1

    def publish(self, key: str, **kw: Any) -> None:
        if kw.get("seed_method", "commit_reveal") == "commit_reveal":
            kw["parties"] = [p.ref for p in self.parties()]
        self.plans[key] = self.app.publish_plan(self.field.org_dept, PlanProposal(**kw)).id
        self.field.summary["inspection_plans"] += 1

    def freeze(self, key: str) -> None:
        """Freeze the population and the roster; each party commits to its seed value."""
        org_dept = self.field.org_dept
        self.app.freeze_population(org_dept, self.plans[key])
        self.app.freeze_roster(org_dept, self.plans[key])
        if self.app.plan(self.plans[key]).definition.seed.method.code != "commit_reveal":
            return
        for party in self.parties():
            value = f"{key}-{party.role.value}-{self.rng.randint(*SEED_VALUE_RANGE)}"
            self.values[(key, party.ref)] = value
            self.app.commit_seed(party, self.plans[key], draw.commitment(value, self.salt(party)))

    def reveal_and_draw(self, key: str, public_value: str = "") -> None:
        if public_value:
            self.app.reveal_seed(self.field.org_dept, self.plans[key], public_value)
            return
        for party in self.parties():  # the last reveal draws
            value = self.values[(key, party.ref)]
            self.app.reveal_seed(party, self.plans[key], value, self.salt(party))

    def findings(self, key: str) -> None:
        plan = self.app.plan(self.plans[key])
        for n, (target, team) in enumerate(sorted(plan.assignments.items())):
            if plan.findings.get(target):
                continue
            by = self.inspector(team[0])
            if plan.item.code == "revisit":
                false = n == FALSE_TARGET
                self.app.record_finding(
                    by,
                    self.plans[key],
                    target,
                    conclusion="admonish" if false else "pass",
                    confirmed=not false,
                    stars=None if false else self.rng.choice(FINDING_STARS),
                    note="群众表示无人上门服务，经核实为虚报"
                    if false
                    else "电话回访，群众确认服务属实",
                )
            else:
                rectify = n % RECTIFY_EVERY == RECTIFY_EVERY - 1
                self.app.record_finding(
                    by,
                    self.plans[key],
                    target,
                    conclusion="rectify" if rectify else "pass",
                    note="包联台账不全，限期一个月整改" if rectify else "结对共建台账齐全",
                )
            self.field.summary["inspection_findings"] += 1

    def void(self, key: str, reason: str) -> None:
        org_dept = self.field.org_dept
        self.app.void_plan(org_dept, self.plans[key], reason, reason_code="wrong_parameters")

    def publish_results(self, key: str, text: str) -> None:
        self.app.publish_results(self.field.org_dept, self.plans[key], text)

    def sweep(self) -> None:
        self.app.sweep_disclosures(list(self.plans.values()))


def schedule_inspections(field: Field, seed: int) -> None:
    team = _Team(field, seed)
    at = field.schedule.at
    at(field.start + ROSTER_AT, team.register_inspectors)
    for c in range(len(COMMUNITIES)):
        when = field.start + MEETINGS_SCHEDULED_AT + timedelta(minutes=c)
        at(when, partial(team.schedule_meetings, c))
    _voided(field, team)
    _pairing(field, team)
    _revisit(field, team)
    _sit_in(field, team)
    at(field.today - SWEPT_BEFORE_TODAY, team.sweep)


def _revealed(field: Field, since: datetime, after: timedelta) -> datetime:
    """When a seed is revealed: `after` the moment its deadline counts from, within it."""
    return since + min(after, field.rules.reveal_window - REVEAL_MARGIN)


def _days(day: date, days: int) -> str:
    return (day + timedelta(days=days)).isoformat()


def _voided(field: Field, team: _Team) -> None:
    """A service-record check voided the day after it was published (the reason stays
    public)."""
    day = business_date(field.today)
    published = field.today - timedelta(days=VOIDED_PUBLISHED_DAYS_AGO)
    since, until = VOIDED_PERIOD_DAYS_AGO
    field.schedule.at(
        published,
        partial(
            team.publish,
            "voided",
            title="党员服务记录随机核查（第一批）",
            item="service_record",
            period_start=_days(day, -since),
            period_end=_days(day, -until),
        ),
    )
    field.schedule.at(published + VOIDED_AFTER, partial(team.void, "voided", VOID_REASON))


def _pairing(field: Field, team: _Team) -> None:
    """The unit-pairing check, seeded by a public value, results not published."""
    at, day = field.schedule.at, business_date(field.today)
    published = field.today - timedelta(days=PAIRING_PUBLISHED_DAYS_AGO)
    value_at = published + PAIRING_VALUE_AFTER
    since, until = PAIRING_PERIOD_DAYS_AGO
    ratio, minimum = PAIRING_SAMPLE
    at(
        published,
        partial(
            team.publish,
            "pairing",
            title="单位包联职责随机检查",
            item="unit_pairing",
            period_start=_days(day, -since),
            period_end=_days(day, -until),
            seed_method="public_value",
            public_value_source=LOTTERY_SOURCE.format(business_date(value_at)),
            public_value_available_after=value_at,
            public_value_pattern=LOTTERY_PATTERN,
            public_value_example=LOTTERY_DRAW,
            ratio=ratio,
            minimum=minimum,
        ),
    )
    at(published + FROZEN_AFTER, partial(team.freeze, "pairing"))
    revealed = _revealed(field, value_at, PAIRING_REVEALED_AFTER_VALUE)
    at(revealed, partial(team.reveal_and_draw, "pairing", LOTTERY_DRAW))
    at(value_at + PAIRING_FINDINGS_AFTER_VALUE, partial(team.findings, "pairing"))


def _revisit(field: Field, team: _Team) -> None:
    """The revisit of closed orders: drawn, inspected, one false order, published in time."""
    at, day = field.schedule.at, business_date(field.today)
    published = field.today - timedelta(days=REVISIT_PUBLISHED_DAYS_AGO)
    period_end = day - timedelta(days=REVISIT_PERIOD_ENDS_DAYS_AGO)
    at(
        published,
        partial(
            team.publish,
            "revisit",
            title="已办结民生需求群众回访抽查",
            item="revisit",
            period_start=business_date(field.start).isoformat(),
            period_end=period_end.isoformat(),
            ratio=REVISIT_RATIO,
        ),
    )
    frozen = published + FROZEN_AFTER
    at(frozen, partial(team.freeze, "revisit"))
    drawn = _revealed(field, frozen, REVISIT_REVEALED_AFTER_FREEZE)
    at(drawn, partial(team.reveal_and_draw, "revisit"))
    no_holidays: frozenset[date] = frozenset()  # the demo's plans list none
    deadline = add_working_days(
        max(business_date(drawn), period_end),
        field.rules.disclosure_working_days,
        no_holidays,
        no_holidays,
    )
    results = min(published + REVISIT_RESULTS_AFTER, local(deadline, *RESULTS_BY))
    findings = min(published + REVISIT_FINDINGS_AFTER, results - FINDINGS_BEFORE_RESULTS)
    at(findings, partial(team.findings, "revisit"))
    at(results, partial(team.publish_results, "revisit", REVISIT_RESULTS))


def _sit_in(field: Field, team: _Team) -> None:
    """An unannounced sit-in on the coming weeks' joint meetings, drawn yesterday."""
    at, day = field.schedule.at, business_date(field.today)
    published = field.today - timedelta(days=SIT_IN_PUBLISHED_DAYS_AGO)
    first, last = SIT_IN_PERIOD_DAYS_AHEAD
    ratio, minimum = SIT_IN_SAMPLE
    at(
        published,
        partial(
            team.publish,
            "sit_in",
            title="党建联席会议不打招呼随机列席",
            item="sit_in",
            period_start=_days(day, first),
            period_end=_days(day, last),
            ratio=ratio,
            minimum=minimum,
        ),
    )
    frozen = published + FROZEN_AFTER
    at(frozen, partial(team.freeze, "sit_in"))
    revealed = _revealed(field, frozen, SIT_IN_REVEALED_AFTER_FREEZE)
    at(revealed, partial(team.reveal_and_draw, "sit_in"))
