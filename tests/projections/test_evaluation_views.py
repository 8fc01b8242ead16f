"""三级联评 views on SQLite and PostgreSQL: every figure the views show equals a plain
recomputation from the log, each figure's sources add up to it and point at the log
positions they came from, a false order comes off its quarter, a county's weights change
the scores, and a rebuild gives the same rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.actors import OPERATOR
from domain.application import Sishuang
from domain.calendar import business_date
from domain.clock import ManualClock
from domain.evaluation import (
    WarningLevel,
)
from domain.points import PointsAccount
from domain.policies import DEFAULT_POLICY
from projections import ReadModels, directory, evaluation, members
from projections.base import Follower
from projections.evaluation import Evaluation
from projections.points import Points, statement
from projections.store import ReadStore
from tests.builders.evaluation import (
    NEW_WEIGHTS,
    YEAR,
    Scene,
    assert_sources_add_up,
    assert_views_match_the_log,
    caught_up,
    read_log,
    recompute,
    view_of,
)
from tests.builders.orders import NEAR, PLACE
from tests.builders.world import World

APRIL = datetime(YEAR, 4, 2, 1, 0, tzinfo=UTC)
JULY = datetime(YEAR, 7, 2, 1, 0, tzinfo=UTC)


# -- the history ---------------------------------------------------------------------------


def history(scene: Scene, before_false: Callable[[], None] | None = None) -> dict[str, UUID]:
    """Two quarters of a community's year (and one order in 金村), ending in July."""
    app, world, clock = scene.app, scene.world, scene.clock
    a, b = scene.active, scene.low
    ids: dict[str, UUID] = {}
    # -- first quarter ------------------------------------------------------------------
    ids["five"] = scene.rated(scene.done(a, "7"), 5, "yes")
    ids["false"] = scene.rated(scene.done(a, "1.5"), 4, "yes")
    ids["low_kept"] = scene.rated(scene.done(b, "1", urgency="normal"), 2, "partly")
    app.decide_low_rating(
        world.staff,
        ids["low_kept"],
        decision="close",
        reason="部分解决，按实计时",
        credit_hours=True,
    )
    ids["low_void"] = scene.rated(scene.done(b, "1"), 1, "no")
    app.decide_low_rating(world.staff, ids["low_void"], decision="close", reason="超出服务范围")
    ids["unrated"] = scene.done(a, "1", urgency="normal")
    clock.advance(timedelta(hours=24))
    assert app.sweep([ids["unrated"]])["closed_unrated"] == 1
    ids["far"] = scene.rated(
        scene.done(scene.far, "2", staff=world.other_staff, resident=scene.far_resident),
        3,
        "yes",
        resident=scene.far_resident,
    )
    starts = clock.now() + timedelta(days=1)
    ids["task_force"] = app.plan_activity(
        world.staff,
        community_id=world.community_id,
        kind="task_force",
        title="攻坚组·老旧小区改造",
        place="3号楼",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        lat=PLACE[0],
        lon=PLACE[1],
    ).id
    clock.set(starts)
    app.sign_in(world.member_actor(a), ids["task_force"], *NEAR)
    app.sign_in(world.member_actor(b), ids["task_force"], *NEAR)
    clock.set(starts + timedelta(hours=2))
    app.sign_out(world.member_actor(a), ids["task_force"], *NEAR)  # 2 h; 李娜 to the end: 3 h
    clock.set(starts + timedelta(hours=4))
    app.confirm_activity(world.staff, ids["task_force"])
    # 民生攻坚星: two urgent orders solved and one 攻坚组 activity.
    ids["star"] = app.award_star(world.staff, a, star="tackling", year=YEAR).id
    first = app.evaluate_member(
        world.staff, a, year=YEAR, quarter=1, results=80, feedback=90, assessment=70
    ).id
    ids["q1"] = app.evaluate_member(
        world.staff,
        a,
        year=YEAR,
        quarter=1,
        results=85,
        feedback=90,
        assessment=75,
        corrects=first,
        reason="补录攻坚组表现",
    ).id
    ids["q1_superseded"] = first
    app.evaluate_member_by_unit(scene.unit_admin, a, year=YEAR, score=88, comment="表现良好")
    app.evaluate_member_by_unit(scene.unit_admin, b, year=YEAR, score=65)
    # -- second quarter -----------------------------------------------------------------
    clock.set(APRIL)
    everyone = [a, b, scene.idle, scene.far, scene.pending]
    app.check_standards(world.org, year=YEAR, quarter=1, member_ids=everyone)
    ids["q2_order"] = scene.rated(scene.done(a, "1", urgency="normal"), 4, "yes")
    app.evaluate_member(
        world.staff, a, year=YEAR, quarter=2, results=71, feedback=70, assessment=70
    )
    if before_false is not None:
        before_false()
    app.find_order_false(world.staff, ids["false"], "照片与现场不符")
    # -- third quarter: the second check, a red warning and its written report ------------
    clock.set(JULY)
    app.check_standards(world.org, year=YEAR, quarter=2, member_ids=everyone)
    red = [
        w
        for w, (level, _, _) in app.member(scene.idle).warnings.items()
        if level is WarningLevel.RED
    ]
    assert len(red) == 1
    ids["red"] = red[0]
    app.file_written_report(
        world.member_actor(scene.idle), scene.idle, red[0], "上半年因病未能服务，下半年补足"
    )
    return ids


@pytest.fixture
def scene(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Scene, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield Scene(World(app), clock), read
    app.close()


# -- the plain recomputation from the log ------------------------------------------------


# -- (a) the views equal the log ----------------------------------------------------------


def check_views_equal_the_log(s: Scene, store: ReadStore, ids: dict[str, UUID]) -> None:
    truth = assert_views_match_the_log(s, store)
    people = truth["people"]
    # The history is the one meant: figures that exercise every branch.
    a, b = people[s.active], people[s.low]
    assert a["year"]["hours"] == Decimal("11") and a["year"]["services"] == 4  # 7+1+2+1
    assert a["year"]["ratings"] == 2 and a["year"]["average_stars"] == Decimal("4.50")
    assert a["year"]["urgent_solved"] == 1 and a["year"]["task_force"] == 1
    assert a["community"] == Decimal("76.95") and a["unit"] == Decimal("88")
    assert a["met"] is False and a["grade"] == "pass"  # 84.18, but below the standard
    assert b["year"]["ratings"] == 2 and b["year"]["satisfaction_rate"] == Decimal("0.00")
    assert b["year"]["services"] == 2 and b["year"]["hours"] == Decimal("4")
    assert people[s.idle]["checks"] == {1: "yellow", 2: "red"}
    assert people[s.far]["checks"] == {1: "yellow", 2: "red"} and truth["reports_due"] == 1
    view = view_of(store, s.active, s.world.county_id)
    history_rows = view["evaluation_history"]["community"]
    assert [(r["quarter"], r["evaluation_id"]) for r in history_rows[:2]] == [
        (1, str(ids["q1_superseded"])),
        (1, str(ids["q1"])),
    ]
    assert len(history_rows) == 3 and history_rows[2]["quarter"] == 2
    assert history_rows[0]["superseded_by"] == str(ids["q1"])
    assert history_rows[1]["corrects"] == str(ids["q1_superseded"])
    assert view["quarters"][0]["community_evaluation"]["corrected"] is True
    assert [st["star"] for st in view["stars"]] == ["tackling"]
    idle = view_of(store, s.idle, s.world.county_id)
    red = [c for c in idle["checks"] if c["outcome"] == "red"]
    assert red[0]["warning_id"] == str(ids["red"]) and red[0]["report_filed_at"] is not None
    # The pending registration is in no table; 公示 shows no phone number.
    public = evaluation.public_results(
        store, "m.county_id = ?", (str(s.world.county_id),), YEAR, truth["policy"]
    )
    assert {r["name"] for r in public} == {"张伟", "李娜", "王芳", "陈静"}
    assert not any("138000" in str(v) for r in public for v in r.values())


# -- (b) sources add up and point at the log -----------------------------------------------


def check_sources_add_up_and_name_their_log_positions(
    s: Scene, store: ReadStore, ids: dict[str, UUID]
) -> None:
    assert_sources_add_up(s.app, store, recompute(read_log(s.app), s.world.county_id, YEAR))
    # The auditor's question: which orders and activities make up 张伟's hours?
    rows = evaluation.sources(store, str(s.active), YEAR, None, "hours")
    assert sorted((r["source_id"], r["value"], r["reversal"]) for r in rows) == sorted(
        [
            (str(ids["five"]), "7.00", False),
            (str(ids["false"]), "1.50", False),
            (str(ids["false"]), "-1.50", True),
            (str(ids["unrated"]), "1.00", False),
            (str(ids["task_force"]), "2.00", False),
            (str(ids["q2_order"]), "1.00", False),
        ]
    )
    # Without a figure every credit row is listed, the star's award among them.
    every = evaluation.sources(store, str(s.active), YEAR)
    assert any(r["source_kind"] == "award" and r["source_id"] == str(ids["star"]) for r in every)
    assert [r["position"] for r in every] == sorted(r["position"] for r in every)


# -- (c) a false order comes off its quarter -----------------------------------------------


def check_the_false_order_came_off_its_quarter(
    s: Scene, store: ReadStore, ids: dict[str, UUID], before: dict[str, Any]
) -> None:
    after = view_of(store, s.active, s.world.county_id)
    q1_before, q1_after = before["view"]["quarters"][0], after["quarters"][0]
    assert Decimal(q1_before["hours"]) - Decimal(q1_after["hours"]) == Decimal("1.5")
    assert q1_before["services"] - q1_after["services"] == 1
    assert q1_before["orders_solved"] - q1_after["orders_solved"] == 1
    assert q1_before["urgent_solved"] - q1_after["urgent_solved"] == 1
    assert (q1_before["ratings"], q1_after["ratings"]) == (2, 1)
    assert (q1_before["average_stars"], q1_after["average_stars"]) == ("4.50", "5.00")
    # 12.5 hours in all made a one-star volunteer; 11 do not any more.
    assert (before["view"]["volunteer_stars"], after["volunteer_stars"]) == (1, 0)
    # The reversal, recorded in April, counts in the quarter of the credit it undoes.
    assert before["view"]["quarters"][1]["hours"] == after["quarters"][1]["hours"] == "1.00"
    assert Decimal(before["view"]["year_figures"]["hours"]) - Decimal(
        after["year_figures"]["hours"]
    ) == Decimal("1.5")
    rows = evaluation.sources(store, str(s.active), YEAR, 1, "hours")
    new = [r for r in rows if r not in before["rows"]]
    assert len(new) == 1
    reversal = new[0]
    assert reversal["reversal"] is True and reversal["value"] == "-1.50"
    assert reversal["source_kind"] == "order" and reversal["source_id"] == str(ids["false"])
    assert reversal["topic"] == PointsAccount.Reversed.TOPIC
    assert reversal["business_date"] < "2026-04-01" and reversal["recorded_at"] >= "2026-04-02"
    assert reversal["position"] > max(r["position"] for r in before["rows"])
    assert sum(Decimal(r["value"]) for r in rows) == Decimal(q1_after["hours"])
    # The statement shows the reversal too, with the points taken off.
    entries = statement(store, str(s.active))
    reversed_entries = [e for e in entries if e["entry"] == "reversed"]
    assert len(reversed_entries) == 1 and reversed_entries[0]["position"] == reversal["position"]
    assert reversed_entries[0]["service_points"] == -75 and reversed_entries[0]["hours"] == "-1.50"
    # The needs ledger's community figure counts the finding.
    community = directory.get_community(store, str(s.world.community_id))
    assert community is not None
    policy = evaluation.county_policy(store, str(s.world.county_id))
    assert evaluation.community_view(store, community, YEAR, policy)["needs"]["found_false"] == 1


# -- (d) the county's weights change the scores ---------------------------------------------


def check_a_change_of_weights_changes_the_scores(s: Scene, read: ReadModels) -> None:
    store = caught_up(read)
    county_id = str(s.world.county_id)
    assert evaluation.county_policy(store, county_id) == DEFAULT_POLICY
    old = view_of(store, s.active, s.world.county_id)
    assert old["overall_score"] == "84.18"
    s.app.change_policy(s.world.org, s.world.county_id, dict(NEW_WEIGHTS), "县委组织部调整权重")
    store = caught_up(read)
    policy = evaluation.county_policy(store, county_id)
    assert policy == s.app.county(s.world.county_id).policy != DEFAULT_POLICY
    for name, value in NEW_WEIGHTS.items():
        assert getattr(policy, name) == Decimal(value)
    truth = assert_views_match_the_log(s, store)
    assert truth["policy"] == policy
    new = view_of(store, s.active, s.world.county_id)
    # Q1 (85, 90, 75) → 83.75 and Q2 (71, 70, 70) → 70.50: the average 77.125 rounds
    # half up, as every score formula does; then 0.5 × 90 + 0.25 × 77.13 + 0.25 × 88.
    assert new["levels"]["community"] == "77.13"
    assert new["overall_score"] == "86.28" != old["overall_score"]
    assert [q["community_evaluation"]["score"] for q in new["quarters"][:2]] == ["83.75", "70.50"]
    # A second change of one group keeps the first change of the other.
    s.app.change_policy(
        s.world.org,
        s.world.county_id,
        {"eval_weight_residents": "0.2", "eval_weight_community": "0.4", "eval_weight_unit": "0.4"},
        "再次调整",
    )
    store = caught_up(read)
    policy = evaluation.county_policy(store, county_id)
    assert (policy.eval_weight_results, policy.eval_weight_unit) == (Decimal("0.5"), Decimal("0.4"))
    assert_views_match_the_log(s, store)
    # Another county keeps the default; a county unknown to the read model has it too.
    other = s.app.register_county(OPERATOR, name="阳城县", code="YC").id
    store = caught_up(read)
    assert evaluation.county_policy(store, str(other)) == DEFAULT_POLICY
    assert evaluation.county_policy(store, "no-such-county") == DEFAULT_POLICY


# -- (e) a rebuild gives the same rows ------------------------------------------------------


def check_a_rebuild_gives_the_same_rows(s: Scene, read: ReadModels) -> None:
    store = caught_up(read)
    projections = [Points(), Evaluation()]
    before = {p.name: p.dump(store) for p in projections}
    assert all(before["rm_evaluation"][t] for t in Evaluation.tables), "a table is empty"
    assert before["rm_points"]["rm_points_entries"]
    views_before = view_of(store, s.active, s.world.county_id)
    rebuilder = Follower(s.app, projections, page_size=7)
    for projection in rebuilder.projections:
        rebuilder.reset(projection)
    assert evaluation.sources(store, str(s.active), YEAR) == []
    rebuilder.catch_up()
    after = {p.name: p.dump(store) for p in projections}
    assert after == before
    assert view_of(store, s.active, s.world.county_id) == views_before


# -- the tests: one history per store, each check above on it ------------------------------


def test_views_and_sources_follow_the_log_and_a_false_order_comes_off(
    scene: tuple[Scene, ReadModels],
) -> None:
    """(a) the views equal a recomputation from the events, (b) each figure's sources add
    up to it and name their log positions, (c) a false order comes off its quarter."""
    s, read = scene
    before: dict[str, Any] = {}

    def snapshot() -> None:
        store = caught_up(read)
        before["view"] = view_of(store, s.active, s.world.county_id)
        before["rows"] = evaluation.sources(store, str(s.active), YEAR, 1, "hours")

    ids = history(s, before_false=snapshot)
    store = caught_up(read)
    check_views_equal_the_log(s, store, ids)
    check_sources_add_up_and_name_their_log_positions(s, store, ids)
    check_the_false_order_came_off_its_quarter(s, store, ids, before)


def test_a_change_of_weights_changes_the_scores_and_a_rebuild_gives_the_same_rows(
    scene: tuple[Scene, ReadModels],
) -> None:
    """(d) the county's weights, as logged, are the views' weights; (e) the Evaluation
    and Points projections rebuilt from the log equal the live ones, row for row."""
    s, read = scene
    history(s)
    check_a_change_of_weights_changes_the_scores(s, read)
    check_a_rebuild_gives_the_same_rows(s, read)


# -- years run on Beijing dates in every view ----------------------------------------------


def test_the_views_count_years_on_beijing_dates(
    store_env: dict[str, str], clock: ManualClock
) -> None:
    """An order closed at 00:30 on 1 January in Beijing (still 31 December in UTC) is
    the new year's: in the member's hours, and in the unit's livelihood issues solved;
    a need posted then is the new year's need (the credits' rule, domain.clock)."""
    clock.set(datetime(2025, 12, 26, 1, 0, tzinfo=UTC))
    app = Sishuang(store_env, clock=clock)
    try:
        read = ReadModels(app, run_projections=True)
        s = Scene(World(app), clock)
        world, member = s.world, s.low
        order_id = s.post(urgency="normal")
        clock.advance(timedelta(days=3))
        assert app.sweep([order_id])["unclaimed"] == 1
        app.record_joint_meeting(
            world.staff, order_id, assignee_kind="unit", assignee_id=world.unit_id, note="交财政局"
        )
        actor = world.member_actor(member)
        app.dispatch(s.unit_admin, order_id, member)
        app.accept(actor, order_id)
        clock.set(datetime(2025, 12, 31, 15, 0, tzinfo=UTC))
        app.check_in(actor, order_id, *NEAR)
        app.attach_photo(actor, order_id, s.photo(), "before")
        app.attach_photo(actor, order_id, s.photo(), "after")
        new_year = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
        assert business_date(new_year) == date(2026, 1, 1)
        clock.set(new_year)
        app.claim_completion(actor, order_id, "1")
        s.rated(order_id, 5, "yes")
        s.post(content="新年第一个需求", urgency="normal")
        store = caught_up(read)
        unit = directory.get_unit(store, str(world.unit_id))
        community = directory.get_community(store, str(world.community_id))
        assert unit is not None and community is not None
        # The needs block counts the needs posted in the year (closed or not by now).
        for year, hours, solved, needs_closed in ((2025, "0", 0, 1), (2026, "1", 1, 0)):
            view = view_of_year(store, member, year)
            assert Decimal(view["year_figures"]["hours"]) == Decimal(hours), year
            units = evaluation.unit_view(store, unit, year, DEFAULT_POLICY)
            assert units["livelihood_issues"]["solved"] == solved, year
            needs = evaluation.community_view(store, community, year, DEFAULT_POLICY)["needs"]
            assert (needs["posted"], needs["closed"]) == (1, needs_closed), year
    finally:
        app.close()


def view_of_year(store: ReadStore, member_id: UUID, year: int) -> dict[str, Any]:
    member = members.get_member(store, str(member_id))
    assert member is not None
    return evaluation.member_view(store, member, year, DEFAULT_POLICY)
