"""A log of complete order lifecycles, written fast, and the rebuild of the ledgers from it.

The log is what the service would have written for `orders` needs that went the whole
way round (posted → applied → dispatched → accepted → checked in → before and after
photos → claimed → rated → closed), but it is built in memory by calling the aggregates'
own decisions with explicit, advancing times and saved in batches: no HTTP, no loads,
no save per command. Each photo is new, so each attach also writes the photo's claim
(a Reservation), as `attach_photo` through the service does.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from time import perf_counter

from eventsourcing.domain import Aggregate

from bench.workload import PAGE, Figure, phone
from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Sishuang
from domain.member import Member
from domain.order import Order, OrderStatus
from domain.policies import DEFAULT_POLICY
from domain.reservation import Reservation
from domain.resident import Resident
from domain.values import GeoPoint, NeedSource, PhotoKind, RegistrationBasis, SkillCategory, Solved
from domain.values import Urgency as U
from projections.base import Follower, Projection
from projections.store import ReadStore

START = datetime(2025, 1, 6, 0, 30, tzinfo=UTC)
PLACE = GeoPoint(Decimal("35.4901"), Decimal("112.8512"))
NEAR = GeoPoint(Decimal("35.4905"), Decimal("112.8515"))  # about 50 m away
CONTENTS = ("楼道灯坏了，晚上看不见", "水龙头漏水", "教老人用智能手机", "门口积水需要清理")
CATEGORIES = tuple(SkillCategory)
URGENCIES = (U.NORMAL, U.NORMAL, U.URGENT, U.CRITICAL)
EVENTS_PER_ORDER = 10  # posted, applied, dispatched, accepted, checked in, 2 photos, …
CLAIMS_PER_ORDER = 2  # … claimed, rated, closed; and the two photos' claims
ORDER_BATCH = 64  # orders per save: with their photo claims, ~200 aggregates
# The steps of one lifecycle, as offsets from posting. Check-in to claim is 1.5 h, so the
# claim of 1.5 hours is within the time since check-in.
APPLY, DISPATCH, ACCEPT = timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1)
CHECK_IN, BEFORE, AFTER = timedelta(hours=2), timedelta(hours=2, minutes=5), timedelta(hours=3)
CLAIM, RATE = timedelta(hours=3, minutes=30), timedelta(hours=5)
HOURS = Decimal("1.5")
BUSY = timedelta(hours=6)  # one member's orders start at least this far apart


@dataclass(frozen=True)
class Shape:
    orders: int
    members: int
    residents: int
    communities: int


@dataclass(frozen=True)
class Written:
    """What went into the log, and how long writing it took."""

    orders: int
    events: int
    aggregates: int
    saves: int
    seconds: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class _Place:
    community_id: uuid.UUID
    members: list[uuid.UUID]
    residents: list[tuple[uuid.UUID, str]]  # (id, name)


def write_log(
    app: Sishuang, shape: Shape, progress: Callable[[str], None] = lambda _: None
) -> Written:
    """The county, its people and `shape.orders` closed orders, into the app's log."""
    started = perf_counter()
    events = aggregates = saves = 0

    def save(batch: Sequence[Aggregate]) -> None:
        nonlocal events, aggregates, saves
        recordings = app.save(*batch)
        events += len(recordings)
        aggregates += len(batch)
        saves += 1

    # The county, its communities and the unit paired with them: a few commands.
    before = int(app.recorder.max_notification_id() or 0)
    county_id = app.register_county(OPERATOR, name="基准县", code="BENCH").id
    org = Actor(Role.ORG_DEPT, "组织部-基准", county_id)
    unit_id = app.register_unit(org, name="基准县财政局", member_count=shape.members).id
    places: list[_Place] = []
    for c in range(shape.communities):
        community_id = app.register_community(
            org, name=f"基准社区{c + 1}", code=f"B{c + 1}", grids=[("G01", "第一网格")]
        ).id
        app.pair_unit(org, unit_id, community_id)
        places.append(_Place(community_id, [], []))
    events += int(app.recorder.max_notification_id() or 0) - before

    # Members (registered and approved) and residents, spread over the communities.
    now = START - timedelta(days=30)
    people: list[Aggregate] = []
    for m in range(shape.members):
        place = places[m % shape.communities]
        member = Member.register(
            uuid.uuid4(),
            county_id=county_id,
            unit_id=unit_id,
            community_id=place.community_id,
            basis=RegistrationBasis.PAIRED,
            grid_code="G01",
            name=f"党员{m}",
            phone=phone(800_000_000 + m),
            post="科员",
            by=PUBLIC.ref,
            now=now,
        )
        member.approve("G01", "", f"community_admin:社区{m % shape.communities}", now)
        place.members.append(member.id)
        people.append(member)
    for r in range(shape.residents):
        place = places[r % shape.communities]
        name = f"居民{r}"
        resident = Resident.register(
            uuid.uuid4(),
            county_id=county_id,
            community_id=place.community_id,
            grid_code="G01",
            name=name,
            phone=phone(900_000_000 + r),
            address="",
            by=PUBLIC.ref,
            now=now,
        )
        place.residents.append((resident.id, name))
        people.append(resident)
    for i in range(0, len(people), 200):
        save(people[i : i + 200])

    # The orders: order i is posted `step` after order i-1, in community i % C, by one of
    # its residents, for one of its members, whose orders never overlap in time.
    step = max(timedelta(minutes=1), BUSY / max(shape.members, 1))
    batch: list[Aggregate] = []
    for i in range(shape.orders):
        place = places[i % shape.communities]
        k = i // shape.communities
        batch.extend(_lifecycle(i, county_id, place, k, START + i * step))
        if len(batch) >= ORDER_BATCH * (1 + CLAIMS_PER_ORDER):
            save(batch)
            batch = []
            progress(f"log: {i + 1:,}/{shape.orders:,} orders")
    if batch:
        save(batch)
    return Written(shape.orders, events, aggregates, saves, perf_counter() - started)


def _photo(i: int, kind: str) -> str:
    return hashlib.sha256(f"bench-photo-{i}-{kind}".encode()).hexdigest()


def _lifecycle(
    i: int, county_id: uuid.UUID, place: _Place, k: int, t0: datetime
) -> list[Aggregate]:
    """One order the whole way round, and its two photo claims."""
    policy = DEFAULT_POLICY
    member_id = place.members[k % len(place.members)]
    resident_id, resident_name = place.residents[k % len(place.residents)]
    staff = f"community_admin:社区-{place.community_id.hex[:6]}"
    order = Order.post(
        uuid.uuid4(),
        county_id=county_id,
        community_id=place.community_id,
        resident_id=resident_id,
        requester_name=resident_name,
        content=CONTENTS[i % len(CONTENTS)],
        category=CATEGORIES[i % len(CATEGORIES)],
        urgency=URGENCIES[i % len(URGENCIES)],
        people_affected=1 + i % 20,
        grid_code="G01",
        location=PLACE,
        preferred_time="周末上午",
        photos=(),
        source=NeedSource.APP,
        policy=policy,
        by=f"resident:{resident_id}",
        now=t0,
    )
    order.request_take(member_id, "我可以帮忙", t0 + APPLY)
    order.dispatch(member_id, policy, staff, t0 + DISPATCH)
    order.accept(member_id, t0 + ACCEPT)
    order.check_in(member_id, NEAR, policy, t0 + CHECK_IN)
    claims: list[Aggregate] = []
    for kind, offset in ((PhotoKind.BEFORE, BEFORE), (PhotoKind.AFTER, AFTER)):
        digest = _photo(i, kind.code)
        claims.append(Reservation.reserve(f"photo|{digest}", "photo", order.id, "", t0 + offset))
        order.attach_photo(member_id, digest, kind, None, t0 + offset)
    order.claim(member_id, HOURS, "已处理", policy, t0 + CLAIM)
    order.rate(5 - i % 2, "谢谢", Solved.YES, policy, f"resident:{resident_id}", t0 + RATE)
    return [order, *claims]


# -- reading and rebuilding ---------------------------------------------------------------


def rebuild(app: Sishuang, projections: Sequence[Projection]) -> Figure:
    """Drop the projections' tables and positions, and follow the whole log again: what
    `sishuang rebuild` does. Timed from the drop to the last page."""
    follower = Follower(app, projections, page_size=PAGE)
    started = perf_counter()
    for projection in follower.projections:
        follower.reset(projection)
    events = follower.catch_up()
    seconds = perf_counter() - started
    return Figure(-(-events // PAGE) if events else 1, events, seconds)


def ledger_check(app: Sishuang) -> dict[str, int]:
    """Row counts of the needs ledger: what the rebuild produced."""
    store = ReadStore(app)
    with store.read() as tx:
        counts = {
            table: int(tx.execute(f"SELECT COUNT(*) AS n FROM {table}").scalar() or 0)
            for table in ("rm_orders", "rm_order_steps", "rm_order_photos", "rm_residents")
        }
        counts["closed"] = int(
            tx.execute(
                "SELECT COUNT(*) AS n FROM rm_orders WHERE status = ?", (OrderStatus.CLOSED.code,)
            ).scalar()
            or 0
        )
        counts["overlap_flagged"] = int(
            tx.execute("SELECT COUNT(*) AS n FROM rm_orders WHERE overlap_flag = 1").scalar() or 0
        )
    return counts
