"""Blue/green rebuilds: the copy is built beside the live tables and switched in one
transaction; the rows equal the live ones; events that arrive meanwhile are not lost;
an interrupted rebuild resumes; a second rebuild works after the first (names
restored), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from projections import ReadModels, all_projections, bluegreen
from projections.base import Follower
from tests.builders.orders import Loop
from tests.builders.world import World


@pytest.fixture
def live(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Loop, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    loop = Loop(World(app), clock)
    for hours in ("1", "2"):
        order = loop.post()
        loop.to_claimed(order, hours=hours)
        app.rate(loop.resident, order, stars=4, solved="yes")
    assert read.follower is not None
    read.follower.catch_up()
    yield loop, read
    app.close()


def test_every_projection_rebuilt_blue_green_equals_the_live_one_twice(
    live: tuple[Loop, ReadModels],
) -> None:
    loop, read = live
    for projection in all_projections():
        before = projection.dump(read.store)
        for _ in range(2):  # the second proves the names were restored by the first
            figures = bluegreen.rebuild(loop.app, projection, page_size=7)
            assert figures["position"] == read.store.head()
            assert projection.dump(read.store) == before, projection.name
        assert read.store.positions([projection.name])[projection.name] == read.store.head()
        assert read.store.positions([projection.name + "__next"])[projection.name + "__next"] == 0


def test_events_during_the_rebuild_are_in_the_switched_copy(
    live: tuple[Loop, ReadModels],
) -> None:
    loop, read = live
    needs = next(p for p in read.projections if p.name == "rm_needs")
    copy = bluegreen.Copy(needs)
    mapping = bluegreen.renames(needs)
    half = Follower(loop.app, [copy], page_size=5, rename=mapping)
    half.run_once()  # the copy is part built ("interrupted") ...
    order = loop.post(content="重建期间的新需求")  # ... the log grows; the live side follows
    assert read.follower is not None
    read.follower.catch_up()
    expected = needs.dump(read.store)
    figures = bluegreen.rebuild(loop.app, needs, page_size=5)
    assert figures["resumed_from"] == 5
    assert needs.dump(read.store) == expected
    assert any(str(order) in str(row) for row in expected["rm_orders"])


def test_the_switch_brings_a_lagging_copy_to_the_live_position(
    live: tuple[Loop, ReadModels],
) -> None:
    loop, read = live
    evaluation = next(p for p in read.projections if p.name == "rm_evaluation")
    copy = bluegreen.Copy(evaluation)
    mapping = bluegreen.renames(evaluation)
    Follower(loop.app, [copy], page_size=10_000, rename=mapping).run_once()
    order = loop.post(content="切换前一刻的新需求")
    loop.to_claimed(order)
    loop.app.rate(loop.resident, order, stars=5, solved="yes")  # credits: evaluation rows
    assert read.follower is not None
    read.follower.catch_up()
    expected = evaluation.dump(read.store)
    at = bluegreen.switch(loop.app, read.store, evaluation, copy, mapping)
    assert at == read.store.head()
    assert evaluation.dump(read.store) == expected
