"""The measurements: each function does one kind of work `count` times and returns a Figure."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from time import perf_counter
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from bench.stores import RawWriter, Row
from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Sishuang
from domain.member import Member
from domain.reservation import Reservation, reservation_id
from domain.values import RegistrationBasis
from projections import all_projections
from projections.base import Follower

PAGE = 500  # the Follower's page size


@dataclass(frozen=True)
class Figure:
    """`ops` operations moving `events` events took `seconds`; `parts`: the samples."""

    ops: int
    events: int
    seconds: float
    parts: tuple[Figure, ...] = ()

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else float("inf")

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")

    @property
    def ms_per_op(self) -> float:
        return 1000 * self.seconds / self.ops if self.ops else 0.0


def timed(ops: int, events: int, work: Callable[[], object]) -> Figure:
    started = perf_counter()
    work()
    return Figure(ops, events, perf_counter() - started)


def total(parts: Sequence[Figure]) -> Figure:
    """Rounds of one measurement added up."""
    return Figure(
        sum(p.ops for p in parts),
        sum(p.events for p in parts),
        sum(p.seconds for p in parts),
        tuple(parts),
    )


def median(parts: Sequence[Figure]) -> Figure:
    """The middle one of equal-sized repetitions."""
    ordered = sorted(parts, key=lambda f: f.seconds)
    return replace(ordered[len(ordered) // 2], parts=tuple(parts))


def phone(i: int) -> str:
    """A distinct valid mainland mobile number for every i below 10**9."""
    return f"1{3 + i % 7}{i:09d}"


# -- the county the commands act in ---------------------------------------------------------


@dataclass(frozen=True)
class World:
    county_id: uuid.UUID
    community_id: uuid.UUID
    unit_id: uuid.UUID
    grid_code: str = "G01"

    def phone_key(self, number: str) -> str:
        # As Sishuang._claim_phone names the claim.
        return f"member-phone|{self.unit_id}|{number}"


def build_world(app: Sishuang) -> World:
    """One county, one community with two grids, one unit paired with it."""
    county_id = app.register_county(OPERATOR, name="基准县", code="BENCH").id
    org = Actor(Role.ORG_DEPT, "组织部-基准", county_id)
    community_id = app.register_community(
        org, name="基准社区", code="BC", grids=[("G01", "第一网格"), ("G02", "第二网格")]
    ).id
    unit_id = app.register_unit(org, name="基准县财政局", member_count=5000).id
    app.pair_unit(org, unit_id, community_id)
    return World(county_id, community_id, unit_id)


# -- 1. the command path --------------------------------------------------------------------


def register_members(app: Sishuang, world: World, numbers: range) -> Figure:
    """register_member through the application service, one command per phone."""

    def work() -> None:
        for i in numbers:
            app.register_member(
                PUBLIC,
                unit_id=world.unit_id,
                community_id=world.community_id,
                basis="paired",
                name="张伟",
                phone=phone(i),
                post="科员",
                grid_code=world.grid_code,
            )

    return timed(len(numbers), 2 * len(numbers), work)


def command_reads(app: Sishuang, world: World, numbers: range) -> Figure:
    """Only the loads a registration makes: unit, community, the (absent) phone claim."""

    def work() -> None:
        for i in numbers:
            app.repository.get(world.unit_id)
            app.repository.get(world.community_id)
            with contextlib.suppress(AggregateNotFoundError):
                app.repository.get(reservation_id(world.phone_key(phone(i))))

    return timed(len(numbers), 0, work)


# -- 2. the library's bare save -------------------------------------------------------------


def _new_member(app: Sishuang, world: World, number: str) -> Member:
    return Member.register(
        uuid.uuid4(),
        county_id=world.county_id,
        unit_id=world.unit_id,
        community_id=world.community_id,
        basis=RegistrationBasis.PAIRED,
        grid_code=world.grid_code,
        name="张伟",
        phone=number,
        post="科员",
        by=PUBLIC.ref,
        now=app.clock.now(),
    )


def _claim(app: Sishuang, world: World, member: Member) -> Reservation:
    key = world.phone_key(member.phone)
    return Reservation.reserve(key, "member-phone", member.id, "", app.clock.now())


def by_hand(app: Sishuang, world: World, numbers: range) -> Figure:
    """What register_member does, written against the library directly: the same three
    gets and the same save, without our validation, access checks and retry wrapper."""

    def work() -> None:
        for i in numbers:
            app.repository.get(world.unit_id)
            app.repository.get(world.community_id)
            number = phone(i)
            with contextlib.suppress(AggregateNotFoundError):
                app.repository.get(reservation_id(world.phone_key(number)))
            member = _new_member(app, world, number)
            app.save(member, _claim(app, world, member))

    return timed(len(numbers), 2 * len(numbers), work)


def bare_saves(app: Sishuang, world: World, numbers: range, *, with_claim: bool) -> Figure:
    """Create the aggregates directly and save them: no loads, no checks, no retries."""

    def work() -> None:
        for i in numbers:
            member = _new_member(app, world, phone(i))
            if with_claim:
                app.save(member, _claim(app, world, member))
            else:
                app.save(member)

    per_save = 2 if with_claim else 1
    return timed(len(numbers), per_save * len(numbers), work)


# -- 3. raw INSERT + commit -----------------------------------------------------------------


def stored_rows(app: Sishuang, after: int) -> list[Row]:
    """The stored bytes of every event in the log after notification id `after`."""
    rows: list[Row] = []
    start = after + 1
    while True:
        page = app.recorder.select_notifications(start, PAGE)
        rows.extend(
            (uuid.UUID(str(n.originator_id)), n.originator_version, n.topic, n.state) for n in page
        )
        if len(page) < PAGE:
            return rows
        start = page[-1].id + 1


def raw_inserts(writer: RawWriter, table: str, rows: Sequence[Row], per_tx: int) -> Figure:
    transactions = -(-len(rows) // per_tx)
    return timed(transactions, len(rows), lambda: writer.insert(table, rows, per_tx))


# -- 4. reading the log ---------------------------------------------------------------------


def read_log(app: Sishuang, *, decode: bool) -> Figure:
    """Page through the whole log as the Follower does, optionally decoding each event."""
    recorder = app.recorder
    to_event = app.mapper.to_domain_event
    pages = 0
    events = 0
    started = perf_counter()
    start = 1
    while True:
        page = recorder.select_notifications(start, PAGE)
        pages += 1
        events += len(page)
        if decode:
            for n in page:
                to_event(n)
        if len(page) < PAGE:
            break
        start = page[-1].id + 1
    return Figure(pages, events, perf_counter() - started)


def catch_up(app: Sishuang) -> Figure:
    """Rebuild every read model from an empty start, as `sishuang rebuild` does."""
    follower = Follower(app, all_projections(), page_size=PAGE)
    for projection in follower.projections:
        follower.reset(projection)
    started = perf_counter()
    events = follower.catch_up()
    seconds = perf_counter() - started
    pages = -(-events // PAGE) if events else 1
    return Figure(pages, events, seconds)


def head(app: Sishuang) -> int:
    position: Any = app.recorder.max_notification_id()
    return int(position or 0)
