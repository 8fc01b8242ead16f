"""Read models on SQLite and PostgreSQL: live equals rebuilt, exactly once, and the
figures the ledgers show."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from domain.application import Availability, Commitment, Identity, Sishuang, Skills
from domain.clock import ManualClock
from projections import ReadModels, all_projections, members
from projections.base import Follower
from tests.builders.world import World


@pytest.fixture
def live(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[World, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield World(app), read
    app.close()


def populate(world: World) -> None:
    app = world.app
    ids = [
        world.register(name=name, phone=phone, grid_code=grid)
        for name, phone, grid in [
            ("张伟", "13800000001", "G01"),
            ("李娜", "13800000002", "G02"),
            ("王芳", "13800000003", None),
            ("刘洋", "13800000004", "G01"),
        ]
    ]
    for member_id in ids[:3]:
        app.review_member(world.staff, member_id, approve=True)
    app.review_member(world.staff, ids[3], approve=False, reason="单位信息不符")
    for member_id, skill, slot in [
        (ids[0], "medical", "weekend_morning"),
        (ids[1], "legal", "on_call"),
    ]:
        app.update_member_profile(
            world.member_actor(member_id),
            member_id,
            identity=Identity("科员", show_contact=True),
            commitment=Commitment("每月服务一次", 20),
            skills=Skills([skill], ["量血压"] if skill == "medical" else []),
            availability=Availability("2", [slot]),
        )
    app.send_reminders(
        world.org, member_ids=[ids[2]], unit_ids=[world.unit_id], message="请完成三亮"
    )
    app.register_member(
        world.staff,
        unit_id=world.other_unit_id,
        community_id=world.other_community_id,
        basis="residence",
        name="陈静",
        phone="13800000005",
        post="医生",
    )


def test_rebuilt_read_models_equal_the_live_ones(live: tuple[World, ReadModels]) -> None:
    world, read = live
    assert read.follower is not None
    populate(world)
    read.follower.catch_up()
    before = {p.name: p.dump(read.store) for p in read.projections}
    assert before["rm_members"]["rm_members"], "the live read model is empty"
    rebuilder = Follower(world.app, all_projections(), page_size=7)
    for projection in rebuilder.projections:
        rebuilder.reset(projection)
    rebuilder.catch_up()
    after = {p.name: p.dump(read.store) for p in read.projections}
    assert after == before


def test_each_event_is_applied_once_even_with_two_followers(
    live: tuple[World, ReadModels],
) -> None:
    world, read = live
    populate(world)
    second = Follower(world.app, all_projections(), page_size=5)
    assert read.follower is not None
    # Interleave two followers of the same projections over the same log.
    while read.follower.run_once() + second.run_once():
        pass
    _, lag = read.lag()
    assert lag == 0
    with read.store.read() as tx:
        count = tx.execute("SELECT COUNT(*) AS n FROM rm_reminders").scalar()
        reminded = tx.execute("SELECT reminder_count FROM rm_units ORDER BY name").all()
    assert count == 2
    assert sorted(r["reminder_count"] for r in reminded) == [0, 1]


def test_reporting_progress_counts_and_coverage(live: tuple[World, ReadModels]) -> None:
    world, read = live
    populate(world)
    assert read.follower is not None
    read.follower.catch_up()
    rows = {
        r["name"]: r
        for r in members.progress_by_unit(read.store, str(world.county_id), Decimal("0.95"))
    }
    finance = rows["泽州县财政局"]
    assert (finance["registered"], finance["approved"], finance["reported"]) == (3, 3, 2)
    assert finance["expected"] == 4 and finance["coverage"] == 0.5
    assert finance["meets_target"] is False and finance["not_registered"] == 1
    by_community = {
        r["name"]: r
        for r in members.progress_by_community(read.store, str(world.county_id), Decimal("0.95"))
    }
    assert by_community["锦绣社区"]["reported"] == 2
    total, rows_missing = members.not_reported(read.store, str(world.county_id))
    assert total == 3  # one approved without 三亮, one rejected, one pending elsewhere
    assert {r["name"] for r in rows_missing} == {"王芳", "刘洋", "陈静"}


def test_talent_pool_search_by_skill_grid_and_time(live: tuple[World, ReadModels]) -> None:
    world, read = live
    populate(world)
    assert read.follower is not None
    read.follower.catch_up()
    community = str(world.community_id)

    def names(**kw: str) -> set[str]:
        _, rows = members.search_talent_pool(read.store, community, **kw)  # type: ignore[arg-type]
        return {r["name"] for r in rows}

    assert names() == {"张伟", "李娜", "王芳"}  # approved only
    assert names(skill="medical") == {"张伟"}
    assert names(tag="血压") == {"张伟"}
    assert names(grid="G02") == {"李娜"}
    # Available on weekend mornings: the one who said so, and the one on call.
    assert names(slot="weekend_morning") == {"张伟", "李娜"}
    total, rows = members.search_talent_pool(read.store, community, skill="medical")
    assert total == 1 and rows[0]["skill_tags"] == ["量血压"]


def test_projection_version_change_rebuilds_it(
    live: tuple[World, ReadModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, read = live
    populate(world)
    assert read.follower is not None
    read.follower.catch_up()
    before = read.projections[1].dump(read.store)
    monkeypatch.setattr(members.Members, "version", members.Members.version + 1)
    follower = Follower(world.app, all_projections())
    assert follower.positions["rm_members"] == 0
    follower.catch_up()
    assert read.projections[1].dump(read.store) == before


def test_a_handler_error_is_set_aside_not_mistaken_for_a_lost_race(
    live: tuple[World, ReadModels],
) -> None:
    """Only a position another follower took is skipped quietly; a failing handler (here
    a duplicate key) must not be mistaken for one: its event is recorded as a dead letter
    with the error, in the write that moves the projection past it, and the projection
    goes on with the next events."""
    from domain.county import County
    from projections.base import Projection, dead_letters

    class Broken(Projection):
        name = "rm_broken"
        tables = ("rm_broken",)
        ddl = ("CREATE TABLE IF NOT EXISTS rm_broken (k TEXT PRIMARY KEY)",)

        def handlers(self) -> dict[type, object]:  # type: ignore[override]
            def twice(tx: object, e: object) -> None:
                for _ in range(2):
                    tx.execute("INSERT INTO rm_broken (k) VALUES ('same')")  # type: ignore[attr-defined]

            return {County.Registered: twice}

    world, _ = live
    follower = Follower(world.app, [Broken()])
    follower.catch_up()
    head = follower.store.head()
    assert follower.store.positions(["rm_broken"]) == {"rm_broken": head}
    letters = dead_letters(follower.store, "rm_broken")
    assert [(d["notification_id"], d["topic"]) for d in letters] == [
        (1, "sishuang:County.Registered")
    ]
    assert "IntegrityError" in letters[0]["error"]
    with follower.store.read() as tx:
        assert tx.execute("SELECT COUNT(*) AS n FROM rm_broken").scalar() == 0


def test_a_follower_that_lost_the_race_rolls_back_its_page(
    live: tuple[World, ReadModels], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Follower B records a page while A, having read the old positions, is about to:
    A's tracking write is refused, A's rows are rolled back, nothing is doubled."""
    world, read = live
    populate(world)
    late = Follower(world.app, all_projections())
    early = Follower(world.app, all_projections())
    stale = late.store.positions([p.name for p in late.projections])
    assert early.catch_up() > 0
    before = {p.name: p.dump(read.store) for p in read.projections}
    monkeypatch.setattr(late.store, "positions", lambda names: dict(stale))
    late.run_once()  # every projection's write is refused and rolled back
    assert {p.name: p.dump(read.store) for p in read.projections} == before
