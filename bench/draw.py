"""`./dev bench draw`: a county's 两随机一公开 draw at scale, and its re-run by an auditor.

Per store (a SQLite file in a temporary directory, a throwaway PostgreSQL database):

1. Write a county into the log: `--communities` communities and `--units` units through
   the service; `--members` members (registered, approved, each in a unit) and
   `--orders` orders closed in the first quarter of 2026, one in `--low-share` rated
   below the satisfied line and closed by the community, built in memory through the
   aggregates' own decisions (posted, dispatched, accepted, checked in, before and after
   photos, claimed, rated, closed) and saved in batches, as bench/orderlog.py does;
   the photos' claims (Reservations) are not written. Then `--inspectors` inspectors
   through the service: some from the county's units (a conflict with every order
   their unit's members served), some living in a community (a conflict with its
   orders), the rest from outside units.
2. ANALYZE the events table (PostgreSQL: before it, the first read filtered by topic
   ran at half speed while autovacuum had not caught up), read the log once untimed.
   Publish a revisit plan over the quarter (the policy's ratios: 5 % of each community,
   half of its low-rated orders), with a load cap of `--headroom` × the even share
   (2 × sample / inspectors), and time through the service: freezing the population
   (derived from the log; also the derivation alone), freezing the roster (with its
   check that every target can be staffed), two commitments and the first reveal, and
   the last reveal, which draws in the same write (loads the plan and the directory,
   computes, saves; also `compute_draw` alone).
3. The stored sizes of TargetDirectory.Frozen and Drawn, and `replay draw-verify` of
   the plan from the store (every check, the population and roster rebuilt again).

On PostgreSQL the store runs with the service's own recorder (`projections/pgrecorder.py`, chosen
by `projections.settings.postgres_env`): a save over 1 MB goes outside psycopg's pipeline mode,
where psycopg 3.3.9 leaves a save larger than the socket buffers half sent and waits
forever (found here: the frozen directory of this county is ~19 MB).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from eventsourcing.domain import Aggregate

from bench.machine import PG_URL_ENV, cpu_probe, machine_context, progress
from bench.report import table
from bench.stores import DEFAULT_PG_URL, PostgresTarget, SqliteTarget, Target, Unreachable
from bench.workload import phone, read_log
from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Sishuang
from domain.calendar import BEIJING
from domain.clock import ManualClock
from domain.draw_hashes import directory_id
from domain.inspection_plan import InspectionPlan
from domain.member import Member
from domain.order import Order
from domain.plan_proposal import PlanProposal
from domain.policies import DEFAULT_POLICY
from domain.population import POPULATION_TOPICS, derive_population
from domain.sampling import compute_draw
from domain.values import GeoPoint, NeedSource, PhotoKind, RegistrationBasis, SkillCategory, Solved
from domain.values import Urgency as U
from replay import draw
from replay.drawverify import StoreLog, plans_in, verify

PERIOD = (date(2026, 1, 1), date(2026, 3, 31))
FIRST = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
LAST = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)  # the last order is posted before this
PUBLISHED = datetime(2026, 4, 2, 9, 0, tzinfo=BEIJING)
PLACE = GeoPoint(Decimal("35.4901"), Decimal("112.8512"))
NEAR = GeoPoint(Decimal("35.4905"), Decimal("112.8515"))
CONTENTS = ("楼道灯坏了，晚上看不见", "水龙头漏水", "教老人用智能手机", "门口积水需要清理")
CATEGORIES = tuple(SkillCategory)
URGENCIES = (U.NORMAL, U.NORMAL, U.URGENT, U.CRITICAL)
DISPATCH, ACCEPT = timedelta(minutes=30), timedelta(hours=1)
CHECK_IN, BEFORE, AFTER = timedelta(hours=2), timedelta(hours=2, minutes=5), timedelta(hours=3)
CLAIM, RATE, DECIDE = timedelta(hours=3, minutes=30), timedelta(hours=5), timedelta(hours=7)
HOURS = Decimal("1.5")
ORDER_BATCH = 200  # orders per save
SALTS = ("1" * 64, "2" * 64)
CONTRIBUTIONS = ("骰子 3-5-1", "骰子 6-2-2")


@dataclass(frozen=True)
class Shape:
    communities: int
    units: int
    members: int
    orders: int
    low_share: int  # one in this many orders rated low
    inspectors: int
    headroom: float


@dataclass
class County:
    county_id: uuid.UUID
    org: Actor
    communities: list[uuid.UUID]
    units: list[uuid.UUID]
    members: dict[int, list[uuid.UUID]] = field(default_factory=dict)  # community -> members
    closed: Counter[int] = field(default_factory=Counter)  # community -> normal orders
    low: Counter[int] = field(default_factory=Counter)  # community -> low-rated orders


def write_county(
    app: Sishuang, clock: ManualClock, shape: Shape, say: Callable[[str], None]
) -> County:
    """The county, its members and its closed orders, into the app's log."""
    clock.set(datetime(2025, 12, 1, 1, tzinfo=UTC))
    county_id = app.register_county(OPERATOR, name="基准县", code="DRAW").id
    org = Actor(Role.ORG_DEPT, "组织部-基准", county_id)
    communities = [
        app.register_community(
            org, name=f"基准社区{c + 1:03d}", code=f"C{c + 1:03d}", grids=[("G01", "第一网格")]
        ).id
        for c in range(shape.communities)
    ]
    units = []
    for u in range(shape.units):
        unit_id = app.register_unit(org, name=f"基准单位{u + 1:03d}", member_count=100).id
        app.pair_unit(org, unit_id, communities[u % shape.communities])
        units.append(unit_id)
    county = County(county_id, org, communities, units)

    def save(batch: Sequence[Aggregate]) -> None:
        app.save(*batch)

    now = datetime(2025, 12, 10, 1, tzinfo=UTC)
    batch: list[Aggregate] = []
    for m in range(shape.members):
        c = m % shape.communities
        member = Member.register(
            uuid.uuid4(),
            county_id=county_id,
            unit_id=units[m % shape.units],
            community_id=communities[c],
            basis=RegistrationBasis.PAIRED,
            grid_code="G01",
            name=f"党员{m:05d}",
            phone=phone(810_000_000 + m),
            post="科员",
            by=PUBLIC.ref,
            now=now,
        )
        member.approve("G01", "", f"community_admin:社区{c + 1:03d}", now)
        county.members.setdefault(c, []).append(member.id)
        batch.append(member)
        if len(batch) >= 500:
            save(batch)
            batch = []
    save(batch)

    step = (LAST - FIRST) / max(shape.orders, 1)
    batch = []
    for i in range(shape.orders):
        c = i % shape.communities
        low = i % shape.low_share == shape.low_share - 1
        batch.append(_order(i, county, c, low, FIRST + i * step))
        if low:
            county.low[c] += 1
        else:
            county.closed[c] += 1
        if len(batch) >= ORDER_BATCH:
            save(batch)
            batch = []
            if i % 5000 < ORDER_BATCH:
                say(f"orders {i + 1:,}/{shape.orders:,}")
    save(batch)
    return county


def _order(i: int, county: County, c: int, low: bool, t0: datetime) -> Order:
    policy = DEFAULT_POLICY
    members = county.members[c]
    member_id = members[(i // len(county.communities)) % len(members)]
    resident = f"resident:{uuid.UUID(int=i + 1)}"
    staff = f"community_admin:社区{c + 1:03d}"
    order = Order.post(
        uuid.uuid4(),
        county_id=county.county_id,
        community_id=county.communities[c],
        resident_id=None,
        requester_name=f"居民{i}",
        content=CONTENTS[i % len(CONTENTS)],
        category=CATEGORIES[i % len(CATEGORIES)],
        urgency=URGENCIES[i % len(URGENCIES)],
        people_affected=1 + i % 20,
        grid_code="G01",
        location=PLACE,
        preferred_time="周末上午",
        photos=(),
        source=NeedSource.VISIT,
        policy=policy,
        by=staff,
        now=t0,
    )
    order.dispatch(member_id, policy, staff, t0 + DISPATCH)
    order.accept(member_id, t0 + ACCEPT)
    order.check_in(member_id, NEAR, policy, t0 + CHECK_IN)
    for kind, offset in ((PhotoKind.BEFORE, BEFORE), (PhotoKind.AFTER, AFTER)):
        digest = hashlib.sha256(f"draw-bench-{i}-{kind.code}".encode()).hexdigest()
        order.attach_photo(member_id, digest, kind, None, t0 + offset)
    order.claim(member_id, HOURS, "已处理", policy, t0 + CLAIM)
    if low:
        order.rate(2, "不太满意", Solved.PARTLY, policy, resident, t0 + RATE)
        order.close_with_reason("已电话回访，确认已处理", True, staff, t0 + DECIDE)
    else:
        order.rate(5 - i % 2, "谢谢", Solved.YES, policy, resident, t0 + RATE)
    return order


def register_inspectors(app: Sishuang, county: County, count: int) -> list[uuid.UUID]:
    """A fifth from the county's units, a fifth living in one of its communities (some
    both), the rest from outside units: conflicts occur, the assignment stays feasible."""
    ids = []
    for k in range(count):
        from_unit = k % 5 == 0
        lives_in = k % 5 in (0, 1)
        ids.append(
            app.register_inspector(
                county.org,
                name=f"督查{k + 1:02d}",
                unit_id=county.units[(7 * k) % len(county.units)] if from_unit else None,
                unit_name="" if from_unit else f"县纪委监委第{k + 1}检查室",
                home_community_id=(
                    county.communities[(11 * k) % len(county.communities)] if lives_in else None
                ),
            ).id
        )
    return ids


def expected_sample(county: County) -> int:
    policy = DEFAULT_POLICY
    total = 0
    for c in range(len(county.communities)):
        if county.closed[c]:
            total += draw.sample_size(
                county.closed[c], policy.inspection_sample_ratio, policy.inspection_sample_min
            )
        if county.low[c]:
            total += draw.sample_size(
                county.low[c], policy.inspection_low_rated_ratio, policy.inspection_low_rated_min
            )
    return total


def stored_size(app: Sishuang, aggregate_id: uuid.UUID, topic: str) -> int:
    return sum(
        len(bytes(e.state)) for e in app.recorder.select_events(aggregate_id) if e.topic == topic
    )


def run(target: Target, shape: Shape) -> dict[str, Any]:
    title = target.title
    clock = ManualClock()
    app = Sishuang(target.env("draw"), clock=clock)
    f: dict[str, Any] = {}
    try:
        started = perf_counter()
        county = write_county(app, clock, shape, lambda what: progress(title, what))
        inspectors = register_inspectors(app, county, shape.inspectors)
        seconds = perf_counter() - started
        f["event store recorder"] = type(app.recorder).__name__
        f["log: events written"] = int(app.recorder.max_notification_id() or 0)
        f["log: write (s)"] = seconds
        f["log: events/s"] = f["log: events written"] / seconds
        f["closed orders in the period"] = sum(county.closed.values()) + sum(county.low.values())
        f["  of which rated low"] = sum(county.low.values())
        sample = expected_sample(county)
        load_cap = math.ceil(shape.headroom * 2 * sample / shape.inspectors)
        f["load cap (per inspector)"] = load_cap

        clock.set(PUBLISHED)
        org = county.org
        # the seed's parties: the 组织部 witness and the team leader (the first inspector)
        parties = (org, Actor(Role.INSPECTOR, str(inspectors[0]), county.county_id))
        plan_id = app.publish_plan(
            org,
            PlanProposal(
                title="2026年一季度回访抽查（基准）",
                item="revisit",
                period_start=PERIOD[0].isoformat(),
                period_end=PERIOD[1].isoformat(),
                parties=[p.ref for p in parties],
                load_cap=load_cap,
            ),
        ).id
        progress(title, "ANALYZE, warm-up")
        if target.kind == "postgres":  # as autovacuum would have long since in service
            recorder: Any = app.recorder
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(f"ANALYZE {table}")
        read_log(app, decode=False)  # untimed: the first read after the writes is cold
        progress(title, "derive the population")
        position = int(app.recorder.max_notification_id() or 0)
        plan = app.plan(plan_id)
        started = perf_counter()
        population = derive_population(
            plan.definition,
            plan.county_id,
            app._events(POPULATION_TOPICS, position),
            clock.now(),
        )
        f["derive population alone (s)"] = perf_counter() - started
        progress(title, "freeze the population")
        started = perf_counter()
        app.freeze_population(org, plan_id)
        f["freeze population: command (s)"] = perf_counter() - started
        f["population (eligible targets)"] = population.size
        f["strata"] = len(population.strata)
        progress(title, "freeze the roster")
        started = perf_counter()
        app.freeze_roster(org, plan_id)
        f["freeze roster: command (s)"] = perf_counter() - started
        started = perf_counter()
        for party, salt, value in zip(parties, SALTS, CONTRIBUTIONS, strict=True):
            app.commit_seed(party, plan_id, draw.commitment(value, salt))
        app.reveal_seed(parties[0], plan_id, CONTRIBUTIONS[0], SALTS[0])
        f["2 commits + first reveal (s)"] = perf_counter() - started

        plan = app.plan(plan_id)
        directory = app.target_directory(plan_id)
        progress(title, "compute the draw")
        started = perf_counter()
        outcome = compute_draw(
            plan.definition.rules,
            plan.plan_hash,
            directory.strata,
            directory.relations,
            directory.population_hash,
            plan.roster,
            plan.roster_hash,
            list(CONTRIBUTIONS),
        )
        f["compute_draw alone (s)"] = perf_counter() - started
        progress(title, "the last reveal draws")
        started = perf_counter()
        app.reveal_seed(parties[1], plan_id, CONTRIBUTIONS[1], SALTS[1])
        f["last reveal, which draws (s)"] = perf_counter() - started
        drawn = next(e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.Drawn))
        f["sample (targets)"] = sum(len(rows) for rows in drawn.sample.values())
        f["assignments (inspector-targets)"] = sum(len(t) for t in drawn.assignments.values())
        reasons = Counter(s[2] for s in drawn.skips)
        f["skips: conflict"] = reasons["conflict"]
        f["skips: load_full"] = reasons["load_full"]
        loads = Counter(i for team in drawn.assignments.values() for i in team)
        f["load: busiest inspector"] = max(loads.values())
        f["same as compute_draw alone"] = outcome.sample == drawn.sample
        f["TargetDirectory.Frozen (MB)"] = (
            stored_size(app, directory_id(plan_id), "sishuang:TargetDirectory.Frozen") / 1e6
        )
        f["Drawn (MB)"] = stored_size(app, plan_id, InspectionPlan.Drawn.TOPIC) / 1e6

        progress(title, "findings")
        findings_timed(app, plan_id, county.county_id, f)

        progress(title, "draw-verify")
        started = perf_counter()
        report = verify(StoreLog(app), [plan_id])
        f["draw-verify (s)"] = perf_counter() - started
        started = perf_counter()
        plans_in(StoreLog(app))
        f["  of which: the scan for plan events (s)"] = perf_counter() - started
        f["  of which: the rest (one plan's checks)"] = report.plans[0].seconds
        f["draw-verify ok"] = report.ok
        if not report.ok:
            print(report.text())
    finally:
        progress(title, "")
        app.close()
    return f


FINDINGS = 400  # findings recorded and timed, in target order


def findings_timed(
    app: Sishuang, plan_id: uuid.UUID, county_id: uuid.UUID, f: dict[str, Any]
) -> None:
    """Each finding loads the plan: its Drawn event and every finding before it. The
    first and last 50 of FINDINGS give the per-command cost and its growth, and so what
    the last finding of a whole sample would cost (no snapshots are taken)."""
    plan = app.plan(plan_id)
    targets = sorted(plan.assignments)[:FINDINGS]
    times = []
    for target in targets:
        inspector = Actor(Role.INSPECTOR, plan.assignments[target][0], county_id)
        started = perf_counter()
        app.record_finding(inspector, plan_id, target, conclusion="pass", confirmed=True, stars=5)
        times.append(perf_counter() - started)
    first = sum(times[:50]) / 50
    last = sum(times[-50:]) / 50
    growth = (last - first) / (len(times) - 50)  # seconds per earlier finding
    f["finding: first 50 (ms each)"] = first * 1000
    f[f"finding: last 50 of {len(times)} (ms each)"] = last * 1000
    f["finding: extra per earlier finding (ms)"] = growth * 1000
    f["finding: the last of the whole sample, extrapolated (ms)"] = (
        first + growth * len(plan.assignments)
    ) * 1000
    started = perf_counter()
    app.plan(plan_id)
    f[f"load the plan with {len(times)} findings (ms)"] = (perf_counter() - started) * 1000


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes 是" if value else "NO 否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1000 else f"{value:.2f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench draw",
        description="Benchmark a county's 两随机一公开 draw: freeze the population from the "
        "log, freeze the roster, draw (sample and inspector assignment), the event sizes, "
        f"and replay draw-verify. PostgreSQL: ${PG_URL_ENV} (default {DEFAULT_PG_URL}); a "
        "throwaway database is created on that server and dropped afterwards.",
    )
    parser.add_argument("--orders", type=int, default=100_000, help="closed orders (100000)")
    parser.add_argument("--communities", type=int, default=176, help="communities (176)")
    parser.add_argument("--units", type=int, default=60, help="units (60)")
    parser.add_argument("--members", type=int, default=3_000, help="members (3000)")
    parser.add_argument("--inspectors", type=int, default=50, help="inspectors (50)")
    parser.add_argument("--low-share", type=int, default=12, help="one in N orders low (12)")
    parser.add_argument(
        "--headroom", type=float, default=1.1, help="load cap over the even share (1.1)"
    )
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args(argv)
    if min(args.orders, args.communities, args.units, args.low_share) < 1:
        parser.error("counts must be at least 1")
    if args.members < args.communities or args.inspectors < 2 or args.headroom <= 0:
        parser.error("a member in every community, two inspectors, a positive headroom")
    shape = Shape(
        args.communities,
        args.units,
        args.members,
        args.orders,
        args.low_share,
        args.inspectors,
        args.headroom,
    )
    pg_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    started = perf_counter()
    print(
        f"sishuang draw benchmark 两随机一公开抽取基准测试 — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print("\n".join(machine_context()))
    print(
        f"county 县: {shape.communities} communities, {shape.units} units, {shape.members:,} "
        f"members, {shape.orders:,} orders closed in {PERIOD[0]}–{PERIOD[1]} (1 in "
        f"{shape.low_share} rated low), {shape.inspectors} inspectors; revisit plan with "
        "the policy's ratios, 2 inspectors a target"
    )
    print(
        "  orders written through the aggregates in batches (9–10 events each, the photos' "
        "claims not written); timings with time.perf_counter, one run each"
    )

    results: dict[str, dict[str, Any]] = {}
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for kind in kinds:
        target: Target
        if kind == "postgres":
            try:
                target = PostgresTarget.create(pg_url)
            except Unreachable as e:
                print(f"\n== PostgreSQL: UNREACHABLE 无法连接, skipped ({e})")
                continue
        else:
            target = SqliteTarget()
        try:
            print(f"\n== {target.title}: " + "; ".join(target.context()))
            print(f"  before: {cpu_probe()}")
            results[target.title] = run(target, shape)
            print(f"  after:  {cpu_probe()}")
            for name, value in results[target.title].items():
                print(f"  {name:<34} {_shown(value)}")
        finally:
            target.close()
    titles = list(results)
    names = list(next(iter(results.values()))) if results else []
    rows = [[name, *(_shown(results[t].get(name, "–")) for t in titles)] for name in names]
    print()
    print(table(["figure 指标", *titles], rows))
    print(f"\ntotal run time 总耗时: {perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
