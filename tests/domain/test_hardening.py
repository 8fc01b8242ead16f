"""Rules found by review: scoped idempotency keys, one phone one spelling, superseded
registrations, exact policy values, a shared token secret, masked phones."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from api.cli import main as cli_main
from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Availability, Commitment, Identity, Sishuang, Skills
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.policies import DEFAULT_POLICY
from projections import ReadModels, members
from projections.settings import Settings
from tests.builders.world import World, refused


def test_idempotency_keys_belong_to_the_actor_and_its_scope(world: World) -> None:
    other_county = world.app.register_county(OPERATOR, name="陵川县", code="LC").id
    same_name_elsewhere = Actor(Role.ORG_DEPT, world.org.subject, other_county)
    here = world.app.register_unit(world.org, name="县教育局", member_count=5, idempotency_key="k")
    there = world.app.register_unit(
        same_name_elsewhere, name="县教育局", member_count=5, idempotency_key="k"
    )
    assert not there.replayed and there.id != here.id
    assert world.app.unit(there.id).county_id == other_county


def test_a_full_width_phone_is_the_same_phone(world: World) -> None:
    world.register(phone="13800001234")
    with refused(world.app, Conflict, "duplicate_registration"):
        world.register(name="张伟", phone="１３８００００１２３４")
    with refused(world.app, InvalidInput, "invalid_phone"):
        world.register(phone="1380000123٤")


def test_a_rejected_registration_is_superseded_by_the_next_one(world: World) -> None:
    read = ReadModels(world.app, run_projections=True)
    first = world.register()
    world.app.review_member(world.staff, first, approve=False, reason="单位信息不符")
    second = world.register()
    world.app.review_member(world.staff, second, approve=True)
    world.app.update_member_profile(
        world.member_actor(second),
        second,
        identity=Identity("科员"),
        commitment=Commitment("每月服务"),
        skills=Skills(["it"]),
        availability=Availability("2", []),
    )
    assert read.follower is not None
    read.follower.catch_up()
    total, rows = members.not_reported(read.store, str(world.county_id))
    assert total == 0, rows
    with refused(world.app, Conflict, "nobody_to_remind"):
        world.app.send_reminders(world.org, member_ids=[first, second], message="请完成报到")


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"reporting_coverage_target": 95}, "invalid_policy_value"),
        ({"member_annual_min_hours": 3000}, "inconsistent_policy"),
        ({"min_service_radius_km": 100}, "inconsistent_policy"),
        ({"take_window_days": True}, "invalid_policy_value"),
        ({"take_window_days": 2.9}, "invalid_policy_value"),
        ({"take_window_days": 0}, "invalid_policy_value"),
        ({"satisfied_min_stars": 6}, "invalid_policy_value"),
        ({"overdue_days": -1}, "invalid_policy_value"),
    ],
)
def test_policy_values_are_checked_alone_and_together(
    world: World, overrides: dict[str, object], code: str
) -> None:
    with refused(world.app, InvalidInput, code):
        world.app.change_policy(world.org, world.county_id, overrides, "调整")


def test_policy_accepts_whole_numbers_given_as_text() -> None:
    policy = DEFAULT_POLICY.with_overrides({"take_window_days": "4", "points_per_hour": 60.0})
    assert policy.take_window_days == 4 and policy.points_per_hour == 60
    assert DEFAULT_POLICY.with_overrides(
        {"reporting_coverage_target": "0.9"}
    ).reporting_coverage_target == Decimal("0.9")


def test_a_unit_cannot_change_its_own_coverage_denominator(world: World) -> None:
    unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id)
    with refused(world.app, Forbidden, "forbidden_role"):
        world.app.declare_unit_member_count(unit_admin, world.unit_id, 0)
    world.app.declare_unit_member_count(world.org, world.unit_id, 5)


def test_pairing_with_an_idempotency_key_replays(world: World) -> None:
    first = world.app.pair_unit(
        world.org, world.other_unit_id, world.community_id, idempotency_key="pair-1"
    )
    again = world.app.pair_unit(
        world.org, world.other_unit_id, world.community_id, idempotency_key="pair-1"
    )
    assert again.replayed and again.id == first.id
    with refused(world.app, Conflict, "already_paired"):
        world.app.pair_unit(world.org, world.other_unit_id, world.community_id)


def test_search_is_case_insensitive_and_takes_wildcards_literally(
    store_env: dict[str, str],
) -> None:
    from domain.clock import ManualClock

    app = Sishuang(store_env, clock=ManualClock())
    try:
        world = World(app)
        read = ReadModels(app, run_projections=True)
        member_id = world.register()
        app.review_member(world.staff, member_id, approve=True)
        app.update_member_profile(
            world.member_actor(member_id), member_id, skills=Skills(["it"], ["Excel 表格"])
        )
        assert read.follower is not None
        read.follower.catch_up()
        community = str(world.community_id)
        assert members.search_talent_pool(read.store, community, tag="excel")[0] == 1
        assert members.search_talent_pool(read.store, community, tag="_")[0] == 0
        assert members.search_talent_pool(read.store, community, tag="%")[0] == 0
    finally:
        app.close()


def test_an_api_process_without_projections_answers_before_the_worker(tmp_path: Path) -> None:
    from domain.clock import ManualClock
    from tests.builders.stores import sqlite_env

    app = Sishuang(sqlite_env(tmp_path / "e.sqlite3"), clock=ManualClock())
    read = ReadModels(app, run_projections=False)
    from projections import directory

    assert directory.list_units(read.store, str(uuid4())) == []
    app.close()


def _read_secret(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(Settings(data_dir=Path(path)).secret().decode())


def test_processes_starting_together_share_one_token_secret(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_read_secret, args=(str(tmp_path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    secrets = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
    assert len(secrets) == 1 and len(secrets.pop()) == 64


def test_several_api_workers_need_a_separate_projection_worker() -> None:
    assert cli_main(["serve", "--workers", "2"]) == 2


def test_public_registration_conflict_names_no_member(world: World) -> None:
    world.register()
    with pytest.raises(Conflict) as caught:
        world.app.register_member(
            PUBLIC,
            unit_id=world.unit_id,
            community_id=world.community_id,
            basis="paired",
            name="张伟",
            phone="13800001234",
            post="",
        )
    assert caught.value.details == {}


def test_a_value_recorded_before_its_maximum_neither_breaks_nor_blocks(world: World) -> None:
    """History outlives its rules: a value an older version accepted loads as recorded,
    and changing another value is not refused for it."""
    from domain.county import County

    county = world.app.county(world.county_id)
    county.trigger_event(
        County.PolicyChanged,
        overrides={"max_hours_per_order": 500},
        reason="旧版本允许",
        by=world.org.ref,
        timestamp=world.app.clock.now(),
    )
    world.app.save(county)
    assert world.app.policy(world.county_id).max_hours_per_order == 500
    world.app.change_policy(world.org, world.county_id, {"take_window_days": 5}, "测试")
    assert world.app.policy(world.county_id).take_window_days == 5
    with refused(world.app, InvalidInput, "invalid_policy_value"):
        world.app.change_policy(
            world.org, world.county_id, {"inspection_inspectors_per_target": 20}, "测试"
        )
