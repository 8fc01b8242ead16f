"""两随机一公开 in the domain: a plan from publication to published results, and the
refusals (each leaves no event)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.inspection_items import PlanStatus
from domain.inspection_plan import InspectionPlan
from domain.inspectors import ROSTER_TOPICS, derive_roster
from domain.points import PointsAccount
from domain.population import POPULATION_TOPICS, derive_population
from domain.sampling import compute_draw
from domain.working_days import add_working_days, working_days_between
from replay import draw
from tests.builders.inspection import SALTS, VALUES, Supervision, refused
from tests.builders.world import World

LOTTERY = {
    "seed_method": "public_value",
    "public_value_pattern": r"\d{2}( \d{2}){5} \+ \d{2}",
    "public_value_example": "03 08 14 21 27 30 + 11",
}


@pytest.fixture
def sup(world: World, clock: ManualClock) -> Supervision:
    return Supervision(world, clock)


def events_of(app: Sishuang, topics: tuple[str, ...], stop: int) -> list[Any]:
    return list(app._events(topics, stop))


def test_a_revisit_plan_is_drawn_once_and_every_step_replays(sup: Supervision) -> None:
    app, clock = sup.app, sup.clock
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan()
    plan = sup.to_drawn(plan_id)
    assert plan.status is PlanStatus.DRAWN
    directory = app.target_directory(plan_id)
    code = "JX"
    assert set(directory.strata) == {code, code + "/low"}
    assert len(directory.strata[code + "/low"]) == 2  # two orders rated 2 stars
    assert all(t.startswith(f"ORD:{code}:") for s in directory.strata.values() for t in s)

    # the population and roster rebuild from the log to the same hashes
    frozen = next(
        e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.PopulationFrozen)
    )
    again = derive_population(
        plan.definition,
        plan.county_id,
        events_of(app, POPULATION_TOPICS, frozen.log_position),
        frozen.timestamp,
    )
    assert again.hash == plan.population_hash == directory.population_hash
    roster_frozen = next(
        e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.RosterFrozen)
    )
    roster, roster_hash = derive_roster(
        plan.county_id, events_of(app, ROSTER_TOPICS, roster_frozen.log_position)
    )
    assert roster_hash == plan.roster_hash and roster == plan.roster

    # the draw recomputes from its frozen inputs
    drawn = next(e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.Drawn))
    outcome = compute_draw(
        plan.definition.rules,
        plan.plan_hash,
        directory.strata,
        directory.relations,
        directory.population_hash,
        plan.roster,
        plan.roster_hash,
        ["骰子 3-5-1", "骰子 6-2-2"],
    )
    assert outcome.sample == drawn.sample and outcome.assignment.assigned == drawn.assignments
    assert drawn.sizes == {code: 2, code + "/low": 1}
    # conflicted inspectors are never assigned; their skips are recorded
    conflicted = {str(sup.inspectors[0]), str(sup.inspectors[1])}
    for team in drawn.assignments.values():
        assert len(team) == 2 and not conflicted & set(team)
    assert {s[1] for s in drawn.skips if s[2] == "conflict"} <= conflicted

    # a second draw is refused, and leaves nothing
    refused(app, Conflict, "already_drawn", lambda: app.draw(sup.org, plan_id))


def test_findings_a_false_order_is_reversed_and_results_are_published(sup: Supervision) -> None:
    app, clock = sup.app, sup.clock
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan()
    plan = sup.to_drawn(plan_id)
    targets = sorted(plan.assignments)
    by_id = {str(i): n for n, i in enumerate(sup.inspectors)}
    first = targets[0]
    who = sup.inspector(by_id[plan.assignments[first][0]])
    outsider = next(sup.inspector(n) for i, n in by_id.items() if i not in plan.assignments[first])
    refused(
        app,
        Forbidden,
        "inspector_not_assigned",
        lambda: app.record_finding(outsider, plan_id, first, conclusion="pass", confirmed=True),
    )
    refused(
        app,
        InvalidInput,
        "confirmation_required",
        lambda: app.record_finding(who, plan_id, first, conclusion="pass"),
    )
    order_id = UUID(first.rsplit(":", 1)[1])
    member_id = app.order(order_id).member_id
    assert member_id is not None
    account_before = app.points_account(member_id)
    assert account_before is not None
    balance = account_before.balance
    app.record_finding(
        who, plan_id, first, conclusion="admonish", confirmed=False, note="群众说没人来过"
    )
    assert app.order(order_id).found_false
    account = app.points_account(member_id)
    assert isinstance(account, PointsAccount) and account.balance < balance
    # a second finding on the same target is a correction and needs a reason
    refused(
        app,
        InvalidInput,
        "correction_reason_required",
        lambda: app.record_finding(who, plan_id, first, conclusion="rectify", confirmed=False),
    )
    refused(app, Conflict, "findings_missing", lambda: app.publish_results(sup.org, plan_id, ""))
    for target in targets[1:]:
        inspector = sup.inspector(by_id[plan.assignments[target][1]])
        app.record_finding(inspector, plan_id, target, conclusion="pass", confirmed=True, stars=5)
    clock.advance(timedelta(days=3))
    app.publish_results(sup.org, plan_id, "回访 3 单，1 单核定虚假")
    plan = app.plan(plan_id)
    assert plan.status is PlanStatus.RESULTS_PUBLISHED
    published = [
        e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.ResultsPublished)
    ]
    assert published[0].late_working_days == 0
    # after publication, a finding needs a correction reason
    refused(
        app,
        InvalidInput,
        "correction_reason_required",
        lambda: app.record_finding(
            sup.inspector(by_id[plan.assignments[targets[1]][0]]),
            plan_id,
            targets[1],
            conclusion="pass",
            confirmed=True,
        ),
    )


def test_the_order_of_steps_and_the_seed_are_enforced(sup: Supervision) -> None:
    app, clock, org = sup.app, sup.clock, sup.org
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan()
    leader = sup.inspector(2)
    refused(app, Conflict, "plan_wrong_stage", lambda: app.draw(org, plan_id))
    refused(
        app,
        Conflict,
        "plan_wrong_stage",
        lambda: app.commit_seed(org, plan_id, "0" * 64),
    )
    app.freeze_population(org, plan_id)
    refused(app, Conflict, "plan_wrong_stage", lambda: app.freeze_population(org, plan_id))
    app.freeze_roster(org, plan_id)
    # someone not named in the plan, or one person committing for another
    refused(
        app,
        Forbidden,
        "not_a_seed_party",
        lambda: app.commit_seed(sup.inspector(3), plan_id, "0" * 64),
    )
    refused(
        app,
        Forbidden,
        "not_a_seed_party",
        lambda: app.commit_seed(org, plan_id, "0" * 64, party=leader.ref),
    )
    refused(
        app,
        InvalidInput,
        "invalid_commitment",
        lambda: app.commit_seed(org, plan_id, "xyz"),
    )
    app.commit_seed(org, plan_id, draw.commitment("1", SALTS[0]))
    refused(
        app,
        Conflict,
        "commitments_missing",
        lambda: app.reveal_seed(org, plan_id, "1", SALTS[0]),
    )
    app.commit_seed(leader, plan_id, draw.commitment("2", SALTS[1]))
    refused(app, Conflict, "seed_not_revealed", lambda: app.draw(org, plan_id))
    refused(
        app,
        InvalidInput,
        "commitment_not_opened",
        lambda: app.reveal_seed(org, plan_id, "2", SALTS[0]),
    )
    refused(
        app,
        InvalidInput,
        "invalid_contribution",
        lambda: app.reveal_seed(org, plan_id, "1 ", SALTS[0]),
    )
    app.reveal_seed(org, plan_id, "1", SALTS[0])
    assert app.plan(plan_id).drawn_at is None
    app.reveal_seed(leader, plan_id, "2", SALTS[1])
    assert app.plan(plan_id).status is PlanStatus.DRAWN  # the last reveal drew
    refused(app, Conflict, "already_drawn", lambda: app.draw(org, plan_id))
    app.void_plan(org, plan_id, "抽查方案比例有误")
    refused(app, Conflict, "plan_voided", lambda: app.void_plan(org, plan_id, "再次"))
    assert app.plan(plan_id).void_reason == "抽查方案比例有误"


def test_bad_plans_are_refused(sup: Supervision) -> None:
    app = sup.app
    sup.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    refused(app, InvalidInput, "invalid_sample_ratio", lambda: sup.plan(ratio="1.5"))
    refused(app, InvalidInput, "seed_parties_required", lambda: sup.plan(parties=[sup.org.ref]))
    refused(app, InvalidInput, "invalid_seed_party", lambda: sup.plan(parties=["组长", "见证人"]))
    refused(
        app,
        InvalidInput,
        "unknown_inspector",
        lambda: sup.plan(parties=[sup.org.ref, "inspector:00000000-0000-0000-0000-000000000000"]),
    )
    refused(
        app,
        InvalidInput,
        "public_value_format_required",
        lambda: sup.plan(
            seed_method="public_value",
            public_value_source="上证综指收盘价",
            public_value_available_after=datetime(2026, 4, 3, tzinfo=UTC),
        ),
    )
    refused(
        app,
        InvalidInput,
        "public_value_not_secret",
        lambda: sup.plan(
            **LOTTERY,
            unannounced=True,
            public_value_source="双色球",
            public_value_available_after=datetime(2026, 4, 3, tzinfo=UTC),
        ),
    )
    refused(app, InvalidInput, "period_not_over", lambda: sup.plan(period_end="2026-05-01"))
    refused(app, InvalidInput, "invalid_period", lambda: sup.plan(period_start="2026-04-01"))
    refused(app, InvalidInput, "invalid_inspection_item", lambda: sup.plan(item="x"))
    refused(
        app,
        InvalidInput,
        "public_value_exists",
        lambda: sup.plan(
            **LOTTERY,
            public_value_source="上证综指收盘价",
            public_value_available_after=datetime(2026, 3, 1, tzinfo=UTC),
        ),
    )
    refused(
        app,
        InvalidInput,
        "invalid_number",
        lambda: sup.plan(inspectors_per_target=1),
    )


def test_replacements_follow_ticket_order_and_recusal_takes_the_next_inspector(
    sup: Supervision,
) -> None:
    app, clock, org = sup.app, sup.clock, sup.org
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan(alternates=3)
    plan = sup.to_drawn(plan_id)
    drawn = next(e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.Drawn))
    stratum = "JX"
    target = drawn.sample[stratum][0][0]
    app.replace_target(org, plan_id, target, "群众已搬离")
    plan = app.plan(plan_id)
    assert plan.replaced[target] == drawn.alternates[stratum][0][0]
    assert target not in plan.assignments
    new = plan.replaced[target]
    team = plan.assignments[new]
    leaving = team[0]
    n = [str(i) for i in sup.inspectors].index(leaving)
    app.recuse_inspector(sup.inspector(n), plan_id, new, UUID(leaving), "与该群众系亲属")
    plan = app.plan(plan_id)
    assert leaving not in plan.assignments[new] and len(plan.assignments[new]) == 2
    # every one of the three unconflicted inspectors is now taken or gone: no one is left
    other = plan.assignments[new][0]
    m = [str(i) for i in sup.inspectors].index(other)
    refused(
        app,
        Conflict,
        "not_enough_inspectors",
        lambda: app.recuse_inspector(sup.inspector(m), plan_id, new, UUID(other), "出差"),
    )
    refused(
        app,
        Conflict,
        "not_a_drawn_target",
        lambda: app.replace_target(org, plan_id, target, "再次"),
    )


def test_working_days() -> None:
    friday = date(2026, 10, 9)
    assert add_working_days(friday, 1, frozenset(), frozenset()) == date(2026, 10, 12)
    # 国庆 holidays and a 调休 Saturday
    holidays = frozenset({date(2026, 10, 12)})
    workdays = frozenset({date(2026, 10, 10)})
    assert add_working_days(friday, 1, holidays, workdays) == date(2026, 10, 10)
    assert add_working_days(friday, 2, holidays, workdays) == date(2026, 10, 13)
    assert working_days_between(friday, date(2026, 10, 13), holidays, workdays) == 2
    assert working_days_between(friday, friday, holidays, workdays) == 0


def test_a_public_value_seed_is_named_ahead_and_revealed_after_it_exists(
    sup: Supervision,
) -> None:
    app, clock, org = sup.app, sup.clock, sup.org
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    lottery = datetime(2026, 4, 2, 13, 30, tzinfo=UTC)
    plan_id = sup.plan(
        **LOTTERY,
        public_value_source="2026年4月2日 双色球开奖号码",
        public_value_available_after=lottery,
    )
    app.freeze_population(org, plan_id)
    app.freeze_roster(org, plan_id)
    refused(
        app,
        Conflict,
        "seed_by_public_value",
        lambda: app.commit_seed(org, plan_id, "0" * 64),
    )
    refused(
        app,
        Conflict,
        "public_value_not_yet",
        lambda: app.reveal_seed(org, plan_id, "03 08 14 21 27 30 + 11"),
    )
    clock.set(lottery + timedelta(hours=1))
    refused(
        app,
        InvalidInput,
        "public_value_format",
        lambda: app.reveal_seed(org, plan_id, "3,8,14,21,27,30,11"),
    )
    app.reveal_seed(org, plan_id, "03 08 14 21 27 30 + 11")
    plan = app.plan(plan_id)
    assert plan.contribution_list() == ["03 08 14 21 27 30 + 11"]

    # a plan whose public value came before its inputs were frozen cannot go on
    late = sup.plan(
        **LOTTERY,
        public_value_source="2026年4月4日 双色球开奖号码",
        public_value_available_after=lottery + timedelta(days=2),
    )
    clock.set(lottery + timedelta(days=2, minutes=1))
    refused(app, Conflict, "public_value_already_known", lambda: app.freeze_population(org, late))


def test_an_unannounced_sit_in_and_the_disclosure_deadline(sup: Supervision) -> None:
    app, clock, org, world = sup.app, sup.clock, sup.org, sup.world
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    for day in (10, 17, 24):
        for staff, community in (
            (world.staff, world.community_id),
            (world.other_staff, world.other_community_id),
        ):
            app.schedule_meeting(
                staff, community, held_on=f"2026-04-{day}", topic="大党委例会", place="会议室"
            )
    refused(
        app,
        InvalidInput,
        "meeting_in_past",
        lambda: app.schedule_meeting(
            world.staff, world.community_id, held_on="2026-03-01", topic="例会", place="会议室"
        ),
    )
    refused(
        app,
        InvalidInput,
        "period_not_ahead",
        lambda: sup.plan(item="sit_in", period_start="2026-03-01", period_end="2026-04-30"),
    )
    plan_id = sup.plan(
        item="sit_in", period_start="2026-04-02", period_end="2026-04-30", ratio="0.5", minimum=1
    )
    plan = sup.to_drawn(plan_id)
    assert plan.definition.unannounced and set(plan.counts) == {"JX", "JC"}
    assert all(t.startswith("MTG:") for t in plan.assignments)
    by_id = {str(i): n for n, i in enumerate(sup.inspectors)}
    refused(app, Conflict, "visits_not_completed", lambda: app.publish_results(org, plan_id))
    targets = sorted(plan.assignments)
    first = targets[0]
    team = plan.assignments[first]
    refused(
        app,
        InvalidInput,
        "attendance_required",
        lambda: app.record_finding(
            sup.inspector(by_id[team[0]]), plan_id, first, conclusion="pass"
        ),
    )
    refused(
        app,
        InvalidInput,
        "not_a_revisit",
        lambda: app.record_finding(
            sup.inspector(by_id[team[0]]),
            plan_id,
            first,
            conclusion="pass",
            attendance=9,
            confirmed=True,
        ),
    )
    refused(app, Conflict, "findings_missing", lambda: app.complete_visits(org, plan_id))
    for target in targets:
        inspector = sup.inspector(by_id[plan.assignments[target][0]])
        app.record_finding(
            inspector, plan_id, target, conclusion="pass", attendance=9, discussed="民生需求研判"
        )
    app.complete_visits(org, plan_id)
    # the deadline passes: the sweep marks it once, and publication records the delay
    deadline = app.plan(plan_id).disclosure_deadline
    assert deadline is not None
    clock.set(datetime.combine(deadline, datetime.min.time(), UTC) + timedelta(days=1, hours=2))
    assert app.sweep_disclosures([plan_id]) == 1
    assert app.sweep_disclosures([plan_id]) == 0
    clock.advance(timedelta(days=7))
    app.publish_results(org, plan_id, "列席 4 次")
    late = [e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.ResultsPublished)]
    assert late[0].late_working_days == working_days_between(
        deadline, (clock.now() + timedelta(hours=8)).date(), frozenset(), frozenset()
    )
    assert late[0].late_working_days >= 5


def test_a_roster_that_cannot_staff_the_draw_is_refused_before_the_seed(
    sup: Supervision,
) -> None:
    app, org = sup.app, sup.org
    sup.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    # two of five inspectors are conflicted with every order: four per target cannot be had
    four = sup.plan(inspectors_per_target=4)
    app.freeze_population(org, four)
    refused(app, Conflict, "conflicted_targets", lambda: app.freeze_roster(org, four))
    # 3 targets x 2 inspectors need 6 places; five inspectors with a cap of 1 give 5
    tight = sup.plan(load_cap=1)
    app.freeze_population(org, tight)
    refused(app, Conflict, "roster_too_small", lambda: app.freeze_roster(org, tight))


def test_unit_pairing_targets_follow_pairings_and_unpairings(sup: Supervision) -> None:
    app, org, world = sup.app, sup.org, sup.world
    sup.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    app.pair_unit(org, world.other_unit_id, world.other_community_id)
    app.unpair_unit(org, world.unit_id, world.community_id, reason="调整结对")
    plan_id = sup.plan(item="unit_pairing", minimum=1)
    app.freeze_population(org, plan_id)
    directory = app.target_directory(plan_id)
    assert directory.strata == {"county": [f"UNIT:{world.other_unit_id}"]}
    assert directory.excluded == {f"UNIT:{world.unit_id}": "unpaired"}


def test_a_sit_in_deadline_counts_from_the_end_of_its_period(sup: Supervision) -> None:
    app, world = sup.app, sup.world
    sup.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    app.schedule_meeting(
        world.staff, world.community_id, held_on="2026-06-20", topic="例会", place="会议室"
    )
    plan_id = sup.plan(item="sit_in", period_start="2026-04-02", period_end="2026-06-30", minimum=1)
    plan = sup.to_drawn(plan_id)
    # 20 working days after 30 June 2026 (a Tuesday), no holidays listed
    assert plan.disclosure_deadline == date(2026, 7, 28)


def test_a_seed_not_revealed_in_time_voids_the_plan_naming_who_withheld(
    sup: Supervision,
) -> None:
    app, clock, org = sup.app, sup.clock, sup.org
    clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
    plan_id = sup.plan(reveal_within_hours=48)
    app.freeze_population(org, plan_id)
    app.freeze_roster(org, plan_id)
    leader = sup.inspector(2)
    for party, salt, value in zip(sup.parties, SALTS, VALUES, strict=True):
        app.commit_seed(party, plan_id, draw.commitment(value, salt))
    app.reveal_seed(org, plan_id, VALUES[0], SALTS[0])
    clock.advance(timedelta(hours=47))
    assert app.sweep_reveals([plan_id]) == 0
    clock.advance(timedelta(hours=2))
    # the leader, who alone could still see the outcome, is too late
    refused(
        app,
        Conflict,
        "reveal_deadline_passed",
        lambda: app.reveal_seed(leader, plan_id, VALUES[1], SALTS[1]),
    )
    assert app.sweep_reveals([plan_id]) == 1
    assert app.sweep_reveals([plan_id]) == 0
    plan = app.plan(plan_id)
    assert plan.status is PlanStatus.VOIDED and leader.ref in plan.void_reason
    assert plan.drawn_at is None
