"""Races on PostgreSQL, with real threads: exactly one of two conflicting commands wins,
the other gets a conflict naming the current state; nothing is lost or doubled."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any
from uuid import UUID

import pytest

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import Conflict
from domain.order import Order
from tests.builders.orders import Loop
from tests.builders.races import race
from tests.builders.stores import pg_env_for
from tests.builders.world import World

pytestmark = pytest.mark.postgres
ROUNDS = 6


@pytest.fixture
def loop(pg_database: str, pg_schema: str) -> Iterator[Loop]:
    clock = ManualClock()
    env = pg_env_for(pg_database, pg_schema) | {"POSTGRES_POOL_SIZE": "10"}
    app = Sishuang(env, clock=clock)
    yield Loop(World(app), clock)
    app.close()


def events_of(app: Sishuang, order_id: UUID, kind: type) -> list[Any]:
    return [e for e in app.events.get(order_id) if isinstance(e, kind)]


def one_winner(outcomes: list[Any], code_prefix: str = "order_is_") -> Conflict:
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    others = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)]
    assert not others, others
    assert len(conflicts) == len(outcomes) - 1, outcomes
    assert conflicts[0].code.startswith(code_prefix)
    return conflicts[0]


def test_two_staff_dispatching_at_once_one_wins(loop: Loop) -> None:
    staff_a = loop.world.staff
    staff_b = Actor(Role.COMMUNITY_ADMIN, "锦绣社区-王", loop.world.community_id)
    for _ in range(ROUNDS):
        order_id = loop.post()
        outcomes = race(
            partial(loop.app.dispatch, staff_a, order_id, loop.members[0]),
            partial(loop.app.dispatch, staff_b, order_id, loop.members[1]),
        )
        loser = one_winner(outcomes)
        assert loser.code == "order_is_dispatched"
        assert len(events_of(loop.app, order_id, Order.Dispatched)) == 1


def test_a_rating_submitted_twice_at_once_counts_once(loop: Loop) -> None:
    for _ in range(ROUNDS):
        order_id = loop.post()
        loop.to_claimed(order_id)
        outcomes = race(
            partial(loop.app.rate, loop.resident, order_id, stars=5, solved="yes"),
            partial(loop.app.rate, loop.grid, order_id, stars=1, solved="no"),
        )
        one_winner(outcomes)
        assert len(events_of(loop.app, order_id, Order.Rated)) == 1
        assert len(events_of(loop.app, order_id, Order.Closed)) <= 1


def test_accepting_while_the_resident_cancels_one_wins(loop: Loop) -> None:
    for _ in range(ROUNDS):
        order_id = loop.post()
        loop.app.dispatch(loop.world.staff, order_id, loop.members[0])
        outcomes = race(
            partial(loop.app.accept, loop.member, order_id),
            partial(loop.app.cancel_need, loop.resident, order_id, "不需要了"),
        )
        loser = one_winner(outcomes)
        assert loser.code in ("order_is_in_progress", "order_is_cancelled")
        accepted = events_of(loop.app, order_id, Order.Accepted)
        cancelled = events_of(loop.app, order_id, Order.Cancelled)
        assert len(accepted) + len(cancelled) == 1


def test_a_claim_sent_twice_at_once_is_recorded_once(loop: Loop) -> None:
    from datetime import timedelta

    from tests.builders.orders import NEAR, PHOTO_AFTER, PHOTO_BEFORE

    order_id = loop.post()
    loop.to_in_progress(order_id)
    loop.app.check_in(loop.member, order_id, *NEAR)
    loop.app.attach_photo(loop.member, order_id, PHOTO_BEFORE, "before")
    loop.app.attach_photo(loop.member, order_id, PHOTO_AFTER, "after")
    loop.clock.advance(timedelta(hours=2))
    outcomes = race(
        lambda: loop.app.claim_completion(loop.member, order_id, "1.5"),
        lambda: loop.app.claim_completion(loop.member, order_id, "1.5"),
    )
    loser = one_winner(outcomes)
    assert loser.code == "order_is_completion_claimed"
    assert len(events_of(loop.app, order_id, Order.CompletionClaimed)) == 1


def test_many_members_applying_at_once_are_all_recorded(loop: Loop) -> None:
    extra = []
    for i in range(4):
        member_id = loop.world.register(name=f"党员{i}", phone=f"1370000000{i}")
        loop.app.review_member(loop.world.staff, member_id, approve=True)
        extra.append(loop.world.member_actor(member_id))
    order_id = loop.post()
    applicants = [loop.member, loop.other, *extra]
    outcomes = race(*[(lambda a=a: loop.app.request_take(a, order_id)) for a in applicants])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(events_of(loop.app, order_id, Order.TakeRequested)) == len(applicants)
    assert len(loop.app.order(order_id).applicants) == len(applicants)
