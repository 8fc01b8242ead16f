"""A county's year for the 三级联评 views, written fast, straight through the domain.

One county with its communities and units (created through the application service),
its members registered, approved and reported (报到 complete: the three 亮 stated), and
a year of their service, evaluations, quarterly checks and stars. Everything after the
directory is built in memory by calling the aggregates' own decisions at the times a
ManualClock moves through, and saved in batches: no loads, no save per command.

Shortcut, said wherever the figures are printed: each closed order's credit is written
as what the write that closes it adds to the member's points account (PointsAccount
Opened on first use, Earned, and VolunteerStarsChanged when the level moves), through
`PointsAccount.open` and `account.earn` with the arguments `_credit_if_closed` passes;
the orders themselves are not in the log, so the needs ledger (rm_orders) is empty.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import TypeVar

from eventsourcing.domain import Aggregate

from bench.workload import phone
from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Sishuang
from domain.calendar import BEIJING, business_date, quarter_end
from domain.clock import ManualClock
from domain.evaluation import Star, WarningLevel, star_criteria
from domain.member import Member
from domain.points import PointsAccount, SourceKind
from domain.policies import Policy
from domain.values import RegistrationBasis, SkillCategory, Solved

YEAR = 2025
BATCH = 200  # aggregates per save (members), or credits per save (points accounts)
SKEW = 2.5  # member of credit i: ranking[int(members × u**SKEW)], u uniform: a few do most
RESIDENCE_SHARE = 3  # in 10 members report where they live rather than to a paired community
COMMUNITY_EVALUATED = 3  # in 10 members get a community evaluation each quarter …
CORRECTED = 50  # … and one in this many of those is corrected the next day
UNIT_EVALUATED = 2  # one in this many members gets the unit's annual evaluation
REPORTED_SHARE = 5  # one in this many red warnings gets its written report filed
STAR_SHARE = 250  # at most one star for this many members
HOURS = tuple(Decimal(h) for h in ("1", "1.5", "2", "2", "3"))
RATINGS = (5, 5, 5, 4, 4, 3, None)  # None: closed without a rating
SKILLS = tuple(SkillCategory)
HOUR = timedelta(hours=1)
T = TypeVar("T")
Save = Callable[[Sequence[Aggregate]], None]


@dataclass(frozen=True)
class Shape:
    members: int
    orders: int
    communities: int
    units: int
    seed: int = 4


@dataclass
class Written:
    """What went into the log, and how long writing it took."""

    events: int = 0
    aggregates: int = 0
    saves: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)  # events by type
    facts: Counter[str] = field(default_factory=Counter)  # what the generator decided
    hours: Decimal = Decimal(0)  # hours credited by orders in YEAR
    county_id: uuid.UUID | None = None

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class _Person:
    member: Member
    unit: int
    community: int
    account: PointsAccount | None = None


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock moment (the clock holds it in UTC)."""
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def write_log(
    app: Sishuang,
    clock: ManualClock,
    shape: Shape,
    progress: Callable[[str], None] = lambda _: None,
) -> Written:
    """The county and its year, into the app's log (the app must use `clock`)."""
    started = perf_counter()
    out = Written()
    rng = random.Random(shape.seed)

    def save(batch: Sequence[Aggregate]) -> None:
        if not batch:
            return
        for aggregate in batch:
            for event in aggregate.pending_events:
                out.kinds[type(event).__qualname__] += 1
        out.events += len(app.save(*batch))
        out.aggregates += len(batch)
        out.saves += 1

    # -- the directory, through the service: a few hundred commands ----------------------
    clock.set(_at(date(YEAR - 1, 11, 1), 9))
    before = int(app.recorder.max_notification_id() or 0)
    county_id = app.register_county(OPERATOR, name="基准县", code="EVAL").id
    out.county_id = county_id
    org = Actor(Role.ORG_DEPT, "组织部-基准", county_id)
    communities: list[uuid.UUID] = []
    for c in range(shape.communities):
        clock.advance(timedelta(minutes=5))
        communities.append(
            app.register_community(
                org,
                name=f"基准社区{c + 1:02d}",
                code=f"C{c + 1:03d}",
                grids=[("G01", "第一网格"), ("G02", "第二网格")],
            ).id
        )
    units: list[uuid.UUID] = []
    per_unit = -(-shape.members // shape.units)
    for u in range(shape.units):
        clock.advance(timedelta(minutes=5))
        unit_id = app.register_unit(org, name=f"基准单位{u + 1:03d}", member_count=per_unit).id
        app.pair_unit(org, unit_id, communities[u % shape.communities])
        units.append(unit_id)
    directory = int(app.recorder.max_notification_id() or 0) - before
    out.events += directory
    out.kinds["directory (service commands)"] += directory
    policy = app.policy(county_id)
    points_policy = {c: app.points_policy(c) for c in communities}

    # -- members: registered, approved, the three 亮 stated, reported (December) ---------
    people: list[_Person] = []
    span = timedelta(days=20) / max(shape.members, 1)
    first = _at(date(YEAR - 1, 12, 1), 9)
    batch: list[Aggregate] = []
    for m in range(shape.members):
        u = m % shape.units
        residence = m % 10 < RESIDENCE_SHARE
        c = rng.randrange(shape.communities) if residence else u % shape.communities
        clock.set(first + m * span)
        member_id = uuid.uuid4()
        member = Member.register(
            member_id,
            county_id=county_id,
            unit_id=units[u],
            community_id=communities[c],
            basis=RegistrationBasis.RESIDENCE if residence else RegistrationBasis.PAIRED,
            grid_code="G01" if m % 2 else "G02",
            name=f"党员{m:06d}",
            phone=phone(700_000_000 + m),
            post="科员",
            by=PUBLIC.ref,
            now=clock.now(),
        )
        me = f"member:{member_id}"
        member.approve(None, "", f"community_admin:社区{c + 1:02d}", clock.advance(HOUR))
        now = clock.advance(HOUR)
        member.state_identity("科员", m % 3 == 0, me, now)
        member.make_commitment("每季度至少服务一次", None, policy, me, now)
        member.declare_skills((SKILLS[m % len(SKILLS)],), ("志愿服务",), me, now)
        member.note_if_reported(now)
        people.append(_Person(member, u, c))
        batch.append(member)
        if len(batch) >= BATCH:
            save(batch)
            batch = []
            progress(f"members {m + 1:,}/{shape.members:,}")
    save(batch)
    out.facts["members"] = shape.members

    # -- the year, a quarter at a time ------------------------------------------------------
    ranking = list(range(shape.members))
    rng.shuffle(ranking)
    windows = []
    for q in range(1, 5):
        begin = _at(quarter_start(YEAR, q) + timedelta(days=0 if q == 1 else 5), 8)
        end = _at(quarter_end(YEAR, q), 21)
        windows.append((begin, end))
    total = sum((end - begin for begin, end in windows), timedelta())
    done = 0
    elapsed = timedelta()
    for q, (begin, end) in enumerate(windows, 1):
        elapsed += end - begin
        count = round(shape.orders * (elapsed / total)) - done
        _credits(save, clock, people, ranking, communities, points_policy, rng, out, q, count)
        done += count
        progress(f"Q{q}: {done:,}/{shape.orders:,} credits; checks")
        _checks(save, clock, people, policy, org, rng, out, q)
        progress(f"Q{q}: community evaluations")
        _community_evaluations(save, clock, people, policy, rng, out, q)

    progress("unit evaluations, stars")
    _unit_evaluations(save, clock, people, policy, rng, out)
    _stars(save, clock, people, communities, points_policy, out)
    out.seconds = perf_counter() - started
    return out


def _credits(
    save: Save,
    clock: ManualClock,
    people: list[_Person],
    ranking: list[int],
    communities: list[uuid.UUID],
    points_policy: dict[uuid.UUID, Policy],
    rng: random.Random,
    out: Written,
    quarter: int,
    count: int,
) -> None:
    """`count` closed orders' credits spread over the quarter's service window: what
    `_credit_if_closed` adds to the member's account in the write that closes the order."""
    begin = _at(quarter_start(YEAR, quarter) + timedelta(days=0 if quarter == 1 else 5), 8)
    end = _at(quarter_end(YEAR, quarter), 21)
    step = (end - begin) / max(count, 1)
    touched: dict[int, PointsAccount] = {}
    for k in range(count):
        person = people[ranking[int(len(people) * rng.random() ** SKEW)]]
        member = person.member
        now = begin + (k + 0.5) * step
        clock.set(now)
        if person.account is None:
            person.account = PointsAccount.open(
                member.id, member.county_id, member.community_id, member.unit_id, clock.now()
            )
            out.facts["accounts"] += 1
        policy = points_policy[communities[person.community]]
        stars = rng.choice(RATINGS)
        hours = rng.choice(HOURS)
        solved = None if stars is None else (Solved.YES if stars >= 4 else Solved.PARTLY)
        person.account.earn(
            kind=SourceKind.ORDER,
            source_id=uuid.uuid4(),  # the order, not itself in this log
            community_id=member.community_id,
            business_date=business_date(clock.now()),
            hours=hours,
            policy=policy,
            stars=stars,
            solved=solved,
            satisfied=None if stars is None else stars >= policy.satisfied_min_stars,
            urgent=rng.random() < 0.25,
            note="已处理",
            now=clock.now(),
        )
        out.facts["credits"] += 1
        out.hours += hours
        touched[id(person)] = person.account
        if len(touched) >= BATCH:
            save(list(touched.values()))
            touched = {}
    save(list(touched.values()))


def _checks(
    save: Save,
    clock: ManualClock,
    people: list[_Person],
    policy: Policy,
    org: Actor,
    rng: random.Random,
    out: Written,
    quarter: int,
) -> None:
    """组织部's quarterly check of every member (the day after the quarter ends), then
    some of the red warnings' written reports (two days later)."""
    end = quarter_end(YEAR, quarter)
    clock.set(_at(end + timedelta(days=1), 10))
    reds: list[tuple[_Person, uuid.UUID]] = []
    batch: list[Aggregate] = []
    for person in people:
        figures = person.account.year_figures(YEAR, end) if person.account else None
        warning_id = uuid.uuid4()
        outcome = person.member.check_standard(
            warning_id,
            year=YEAR,
            quarter=quarter,
            services=figures.services if figures else 0,
            hours=figures.hours if figures else Decimal(0),
            policy=policy,
            by=org.ref,
            now=clock.now(),
        )
        if outcome is None:
            out.facts["checks: passed"] += 1
        elif isinstance(outcome, WarningLevel):
            out.facts[f"checks: {outcome.code}"] += 1
            if outcome is WarningLevel.RED:
                reds.append((person, warning_id))
        batch.append(person.member)
        if len(batch) >= BATCH:
            save(batch)
            batch = []
    save(batch)
    clock.set(_at(end + timedelta(days=3), 15))
    filed = [r for r in reds if rng.randrange(REPORTED_SHARE) == 0]
    for chunk in _chunks(filed, BATCH):
        for person, warning_id in chunk:
            member = person.member
            member.file_written_report(
                warning_id, "本季度服务未达标的情况说明", f"member:{member.id}", clock.now()
            )
        save([p.member for p, _ in chunk])
    out.facts["written reports"] += len(filed)


def _community_evaluations(
    save: Save,
    clock: ManualClock,
    people: list[_Person],
    policy: Policy,
    rng: random.Random,
    out: Written,
    quarter: int,
) -> None:
    """The community evaluates some of its members for the quarter (two days after it
    ends); a few of those are corrected the next day."""
    end = quarter_end(YEAR, quarter)
    clock.set(_at(end + timedelta(days=2), 10))
    chosen = [p for i, p in enumerate(people) if (i + quarter) % 10 < COMMUNITY_EVALUATED]
    corrections: list[tuple[_Person, uuid.UUID]] = []
    for chunk in _chunks(chosen, BATCH):
        for person in chunk:
            evaluation_id = uuid.uuid4()
            person.member.evaluate_by_community(
                evaluation_id,
                year=YEAR,
                quarter=quarter,
                results=rng.randrange(60, 101),
                feedback=rng.randrange(60, 101),
                assessment=rng.randrange(60, 101),
                comment="服务认真",
                corrects=None,
                reason="",
                policy=policy,
                by=f"community_admin:社区{person.community + 1:02d}",
                now=clock.now(),
            )
            if rng.randrange(CORRECTED) == 0:
                corrections.append((person, evaluation_id))
        save([p.member for p in chunk])
    out.facts["community evaluations"] += len(chosen)
    clock.set(_at(end + timedelta(days=3), 10))
    for pairs in _chunks(corrections, BATCH):
        for person, wrong in pairs:
            person.member.evaluate_by_community(
                uuid.uuid4(),
                year=YEAR,
                quarter=quarter,
                results=rng.randrange(60, 101),
                feedback=rng.randrange(60, 101),
                assessment=rng.randrange(60, 101),
                comment="更正后的评价",
                corrects=wrong,
                reason="录入有误",
                policy=policy,
                by=f"community_admin:社区{person.community + 1:02d}",
                now=clock.now(),
            )
        save([p.member for p, _ in pairs])
    out.facts["community evaluation corrections"] += len(corrections)


def _unit_evaluations(
    save: Save,
    clock: ManualClock,
    people: list[_Person],
    policy: Policy,
    rng: random.Random,
    out: Written,
) -> None:
    """Units evaluate half their members for the year, in early January."""
    clock.set(_at(date(YEAR + 1, 1, 8), 10))
    chosen = people[::UNIT_EVALUATED]
    for chunk in _chunks(chosen, BATCH):
        for person in chunk:
            person.member.evaluate_by_unit(
                uuid.uuid4(),
                year=YEAR,
                score=rng.randrange(60, 101),
                comment="",
                corrects=None,
                reason="",
                policy=policy,
                by=f"unit_admin:单位{person.unit + 1:03d}",
                now=clock.now(),
            )
        save([p.member for p in chunk])
    out.facts["unit evaluations"] += len(chosen)


def _stars(
    save: Save,
    clock: ManualClock,
    people: list[_Person],
    communities: list[uuid.UUID],
    points_policy: dict[uuid.UUID, Policy],
    out: Written,
) -> None:
    """A few stars for members whose year meets the criteria, with the award's bonus
    points in the same write (as `award_star` does)."""
    clock.set(_at(date(YEAR + 1, 1, 12), 10))
    limit = max(5, len(people) // STAR_SHARE)
    awarded = 0
    batch: list[Aggregate] = []
    for person in people:
        account = person.account
        if account is None or awarded >= limit:
            continue
        figures = account.year_figures(YEAR)
        policy = points_policy[communities[person.community]]
        for star in (Star.PIONEER, Star.CARING, Star.TACKLING):
            criteria = star_criteria(
                star,
                hours=figures.hours,
                services=figures.services,
                ratings=figures.ratings,
                average_stars=figures.average_stars,
                urgent_solved=figures.urgent_solved,
                task_force=figures.task_force,
                activities=figures.activities,
                policy=policy,
            )
            if not all(c.met for c in criteria):
                continue
            award_id = uuid.uuid4()
            bonus = person.member.award_star(
                award_id,
                star=star,
                year=YEAR,
                figures=figures,
                policy=policy,
                by=f"community_admin:社区{person.community + 1:02d}",
                now=clock.now(),
            )
            account.earn(
                kind=SourceKind.AWARD,
                source_id=award_id,
                community_id=person.member.community_id,
                business_date=business_date(clock.now()),
                hours=Decimal(0),
                policy=policy,
                bonus_points=bonus,
                note=f"{star.label}（{YEAR}）",
                now=clock.now(),
            )
            out.facts["stars"] += 1
            awarded += 1
        if person.member.pending_events:
            batch.extend([person.member, account])
        if len(batch) >= BATCH:
            save(batch)
            batch = []
    save(batch)


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
