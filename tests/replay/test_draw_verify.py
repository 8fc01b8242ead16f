"""`replay draw-verify`: a plan drawn, replaced, recused, inspected and published verifies
from the log (on SQLite and PostgreSQL, from the store and from exported bundles); each
kind of tampering fails the check it concerns: a closed order changed in the store, a
forged sample, a reveal that does not open its commitment, a replacement that skips an
alternate, a recusal that passes over the next inspector, a second draw, a wrong
lateness, a finding by an inspector not assigned; a public value that existed before
the freeze is flagged."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain import assignment, inspectors, plan_team, sampling, working_days
from domain import population as domain_population
from domain.assignment import Assignment, assign
from domain.clock import ManualClock
from domain.event_catalogue import events
from domain.inspection_items import Conclusion
from domain.inspection_plan import InspectionPlan
from domain.order import Order
from domain.plan_definition import DrawRules, SampleRule
from projections import ReadModels
from projections.settings import Settings
from replay import bundle as bundles
from replay import draw
from replay.cli import main as replay_main
from replay.drawverify import (
    CHECKS,
    FAIL,
    OK,
    SKIP,
    BundleLog,
    StoreLog,
    definition,
    population,
    verify,
)
from replay.drawverify.log import DIRECTORY_TOPIC, PLAN_TOPICS
from replay.export import export_from
from tests.builders import layers
from tests.builders.replay import Scene, statuses
from tests.builders.stores import sqlite_env

PLAN_CHECKS = [k for k in CHECKS if k not in ("voided", "bundles")]


@pytest.fixture
def scene(store_env: dict[str, str], clock: ManualClock) -> Iterator[Scene]:
    s = Scene(store_env, clock)
    yield s
    s.app.close()


def test_a_plan_followed_through_to_publication_verifies_check_by_check(scene: Scene) -> None:
    scene.follow_through()
    report = scene.verify()
    assert report.ok, report.text()
    assert statuses(report) == dict.fromkeys(PLAN_CHECKS, OK)
    text = report.text()
    assert "✗" not in text and "1 次替换" in text and "1 次回避" in text


def test_a_drawn_plan_verifies_and_steps_not_taken_are_shown_as_such(scene: Scene) -> None:
    report = scene.verify()
    assert report.ok, report.text()
    seen = statuses(report)
    assert {k for k, v in seen.items() if v == SKIP} == {"replacements", "recusals", "findings"}


# -- changed bytes in the store -------------------------------------------------------------


def _close_order_after_the_period(s: Scene) -> None:
    directory = s.app.target_directory(s.plan_id)
    order_id = UUID(directory.strata["JX"][0].rsplit(":", 1)[1])
    position = s.position("sishuang:Order.Closed", order_id)

    def later(state: dict[str, Any]) -> None:
        state["timestamp"]["_data_"] = "2026-05-15T03:00:00+00:00"

    s.edit(position, later)


def _forge_sample(s: Scene) -> None:
    def swap(state: dict[str, Any]) -> None:
        state["sample"]["JX"][1] = state["alternates"]["JX"][1]

    s.edit(s.position(InspectionPlan.Drawn.TOPIC), swap)


def _change_a_reveal(s: Scene) -> None:
    def other(state: dict[str, Any]) -> None:
        state["contribution"] = "骰子 3-5-2"

    s.edit(s.position(InspectionPlan.ContributionRevealed.TOPIC), other)


TAMPERS: dict[str, tuple[Callable[[Scene], None], set[str], set[str]]] = {
    # what: (tamper, checks that fail, checks that still pass)
    "an order closed in the period moved out of it": (
        _close_order_after_the_period,
        {"population", "directory"},
        {"events", "plan_hash", "roster", "seed_inputs", "drawn_once"},
    ),
    "a forged sample": (
        _forge_sample,
        {"sample"},
        {"population", "directory", "roster", "seed_inputs", "seed", "alternates"},
    ),
    "a reveal whose contribution differs": (
        _change_a_reveal,
        {"seed_inputs", "seed", "sample", "sample_commitment"},
        {"population", "directory", "roster", "plan_hash"},
    ),
}


@pytest.mark.parametrize("case", list(TAMPERS))
def test_an_event_changed_in_the_store_fails_the_check_it_concerns(scene: Scene, case: str) -> None:
    scene.follow_through()
    tamper, failing, passing = TAMPERS[case]
    tamper(scene)
    report = scene.verify()
    assert not report.ok
    seen = statuses(report)
    assert {k for k in failing if seen[k] == FAIL} == failing, report.text()
    assert {k for k in passing if seen[k] == OK} == passing, report.text()


# -- events recorded by hand, past the aggregate's rules --------------------------------------


def _relations(s: Scene) -> dict[str, list[str]]:
    return s.app.target_directory(s.plan_id).relations


def _skip_an_alternate(s: Scene) -> str:
    plan = s.app.plan(s.plan_id)
    target = s.drawn.sample["JX"][0][0]
    taken, ticket = s.drawn.alternates["JX"][1]  # the second: the first is passed over
    load = dict(plan.load)
    for inspector in plan.assignments[target]:
        load[inspector] -= 1
    team = assign(
        [taken],
        plan.roster_keys(),
        _relations(s),
        plan.seed_hash,
        2,
        plan.definition.rules.load_cap,
        load,
    )
    plan.trigger_event(
        InspectionPlan.TargetReplaced,
        target=target,
        replacement=taken,
        ticket=ticket,
        inspectors=team.assigned[taken],
        skips=team.skips,
        reason="群众已搬离",
        reason_code="moved_away",
        by=s.world.org.ref,
        timestamp=s.clock.now(),
    )
    s.app.save(plan)
    return s.drawn.alternates["JX"][0][0]


def _pass_over_an_inspector(s: Scene) -> str:
    plan = s.app.plan(s.plan_id)
    target = s.drawn.sample["JX"][0][0]
    team = plan.assignments[target]
    keys = plan.roster_keys()
    conflict = set(_relations(s)[target])
    free = sorted(
        (draw.inspector_ticket(plan.seed_hash, target, i), i)
        for i in keys
        if i not in team and not conflict & set(keys[i])
    )
    assert len(free) == 2
    plan.trigger_event(
        InspectionPlan.InspectorRecused,
        target=target,
        inspector_id=team[0],
        replacement_id=free[1][1],
        skips=[],
        reason="出差",
        reason_code="illness_or_leave",
        by=s.world.org.ref,
        timestamp=s.clock.now(),
    )
    s.app.save(plan)
    return free[0][1]


def _draw_again(s: Scene) -> str:
    plan = s.app.plan(s.plan_id)
    d = s.drawn
    plan.trigger_event(
        InspectionPlan.Drawn,
        seed=d.seed,
        seed_hash=d.seed_hash,
        algorithm=d.algorithm,
        sizes=d.sizes,
        sample=d.sample,
        alternates=d.alternates,
        assignments=d.assignments,
        skips=d.skips,
        sample_commitment=d.sample_commitment,
        disclosure_deadline=d.disclosure_deadline,
        by=s.world.org.ref,
        timestamp=s.clock.now(),
    )
    s.app.save(plan)
    return "抽取了 2 次"


def _publish_with_a_wrong_lateness(s: Scene) -> str:
    plan = s.app.plan(s.plan_id)
    plan.trigger_event(
        InspectionPlan.ResultsPublished,
        summary="",
        late_working_days=5,
        by=s.world.org.ref,
        timestamp=s.clock.now(),
    )
    s.app.save(plan)
    return "late_working_days 5 ≠ 0"


def _find_without_being_assigned(s: Scene) -> str:
    plan = s.app.plan(s.plan_id)
    target = s.drawn.sample["JX"][0][0]
    outsider = next(str(i) for i in s.sup.inspectors if str(i) not in plan.assignments[target])
    plan.trigger_event(
        InspectionPlan.FindingRecorded,
        target=target,
        inspector_id=outsider,
        co_inspectors=[],
        confirmed=True,
        stars=5,
        attendance=None,
        discussed="",
        photos=[],
        conclusion=Conclusion.PASS,
        note="",
        correction_reason="",
        by=f"inspector:{outsider}",
        timestamp=s.clock.now(),
    )
    s.app.save(plan)
    return outsider


FORGERIES: dict[str, tuple[Callable[[Scene], str], str]] = {
    # what: (record it by hand returning what the report must name, the check that fails)
    "a replacement that skips an alternate": (_skip_an_alternate, "replacements"),
    "a recusal that passes over the next inspector": (_pass_over_an_inspector, "recusals"),
    "a second draw": (_draw_again, "drawn_once"),
    "results published with a wrong lateness": (_publish_with_a_wrong_lateness, "deadline"),
    "a finding by an inspector not assigned": (_find_without_being_assigned, "findings"),
}


@pytest.mark.parametrize("case", list(FORGERIES))
def test_an_event_recorded_past_the_rules_fails_the_check_it_concerns(
    scene: Scene, case: str
) -> None:
    forge, key = FORGERIES[case]
    named = forge(scene)
    report = scene.verify()
    assert not report.ok
    (plan,) = report.plans
    assert plan.failed == [key], report.text()
    check = plan.check(key)
    assert check is not None and named in check.detail, check


# -- the public value -------------------------------------------------------------------------


def _public_plan(scene: Scene, available_in: timedelta) -> UUID:
    app, org, clock = scene.app, scene.world.org, scene.clock
    plan_id = scene.sup.plan(
        seed_method="public_value",
        public_value_source="2026年4月3日上证综指收盘价",
        public_value_available_after=clock.now() + available_in,
        public_value_pattern=r"\d{4}\.\d{2}",
        public_value_example="3317.45",
    )
    clock.advance(timedelta(hours=2))
    app.freeze_population(org, plan_id)
    app.freeze_roster(org, plan_id)
    clock.advance(timedelta(days=3))
    app.reveal_seed(org, plan_id, "3321.45")  # draws
    return plan_id


def test_a_public_value_revealed_after_it_exists_verifies(scene: Scene) -> None:
    plan_id = _public_plan(scene, timedelta(days=2))
    report = verify(StoreLog(scene.app), [plan_id])
    assert report.ok, report.text()


def test_a_public_value_that_existed_before_the_freeze_is_flagged(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the service refuses such a freeze; a log written past that rule is what is checked
    monkeypatch.setattr(InspectionPlan, "require_public_value_ahead", lambda self, now: None)
    plan_id = _public_plan(scene, timedelta(hours=1))  # frozen an hour after it existed
    report = verify(StoreLog(scene.app), [plan_id])
    (plan,) = report.plans
    assert plan.failed == ["seed_inputs"], report.text()


# -- from exported bundles --------------------------------------------------------------------


def _export(scene: Scene, tmp: Path) -> tuple[Path, Path, str]:
    read = ReadModels(scene.app, run_projections=True)
    assert read.follower is not None
    read.follower.catch_up()
    settings = Settings(data_dir=tmp, log_origin="sishuang.test")
    paths = []
    for community in (scene.world.community_id, scene.world.other_community_id):
        out = tmp / f"{community}.zip"
        export_from(scene.app, read, settings, community, out, progress=False)
        paths.append(out)
    return paths[0], paths[1], (tmp / "seal.vkey").read_text().strip()


def test_the_county_s_bundles_verify_and_a_missing_community_is_named(
    scene: Scene, tmp_path: Path
) -> None:
    scene.follow_through()
    jx, jc, vkey = _export(scene, tmp_path)
    both = [bundles.read(jx), bundles.read(jc)]
    report = verify(BundleLog(both), [scene.plan_id])
    assert report.ok, report.text()
    assert statuses(report) == dict.fromkeys(PLAN_CHECKS, OK)
    partial = verify(BundleLog([bundles.read(jc)]), [scene.plan_id])
    check = partial.plans[0].check("population")
    assert check is not None and check.status == FAIL and "JX" in check.detail, check
    code = replay_main(
        ["draw-verify", "--bundle", str(jx), "--bundle", str(jc), "--pubkey", vkey, "--json"]
    )
    assert code == 0


# -- the command line -------------------------------------------------------------------------


def _use_store(monkeypatch: pytest.MonkeyPatch, store_env: dict[str, str]) -> None:
    """Point Settings.from_env at the test's store, as an operator's environment would."""
    for key in list(os.environ):
        if key.startswith(("POSTGRES_", "SQLITE_", "SISHUANG_")) or key == "PERSISTENCE_MODULE":
            monkeypatch.delenv(key)
    if store_env["PERSISTENCE_MODULE"].endswith("sqlite"):
        monkeypatch.setenv("SISHUANG_DATABASE_URL", f"sqlite:///{store_env['SQLITE_DBNAME']}")
    else:
        for key, value in store_env.items():
            monkeypatch.setenv(key, value)


def test_the_command_exits_0_1_or_2_and_names_the_failing_check(
    scene: Scene,
    store_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use_store(monkeypatch, store_env)
    plan = str(scene.plan_id)
    assert replay_main(["draw-verify", "--plan", plan]) == 0
    out = capsys.readouterr().out
    assert "✓" in out and "✗" not in out and "全部 1 个方案核验通过" in out
    county = str(scene.world.county_id)
    assert replay_main(["draw-verify", "--county", county, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] and [p["plan_id"] for p in body["plans"]] == [plan]

    _forge_sample(scene)
    assert replay_main(["draw-verify", "--plan", plan]) == 1
    out = capsys.readouterr().out
    failing = next(line for line in out.splitlines() if "✗" in line)
    assert "抽中对象" in failing and "sample" in failing
    assert "FAILED (sample)" in out
    assert replay_main(["draw-verify", "--plan", plan, "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is False and body["plans"][0]["failed"] == ["sample"]

    assert replay_main(["draw-verify"]) == 2
    assert replay_main(["draw-verify", "--plan", "not-a-uuid"]) == 2
    assert replay_main(["draw-verify", "--plan", str(scene.world.county_id)]) == 2
    assert "no such plan" in capsys.readouterr().err
    assert replay_main(["draw-verify", "--county", str(scene.world.unit_id)]) == 2
    assert replay_main(["draw-verify", "--bundle", str(Path(os.devnull))]) == 2


# -- a service that decides wrongly: the verifier follows the definition, not the service --
#
# Each case replaces one of the service's own decisions (inside the functions the service
# draws, derives and decides with) by a wrong one, lets the service write its log with it,
# and verifies that log with the wrong decision still in place: a verifier that re-ran
# the service's functions would agree with them and pass. A function is replaced in
# every module that calls it by its name (ASSIGN_CALLERS for `assign`).

# the modules that call `assign` by its own name: the draw, a replacement, a recusal
ASSIGN_CALLERS = (sampling, plan_team, assignment)


def _wrong_assign(mp: pytest.MonkeyPatch, wrong: Callable[..., Assignment]) -> None:
    for module in ASSIGN_CALLERS:
        mp.setattr(module, "assign", wrong)


def _teams_in_reverse(mp: pytest.MonkeyPatch) -> None:
    """The draw's teams written highest ticket first."""
    original = assignment.assign

    def wrong(*args: Any, **kwargs: Any) -> Assignment:
        out = original(*args, **kwargs)
        return replace(out, assigned={t: team[::-1] for t, team in out.assigned.items()})

    _wrong_assign(mp, wrong)


def _low_stratum_by_the_normal_rule(mp: pytest.MonkeyPatch) -> None:
    """Every stratum sized by the plan's normal rule, the low-rated ones too."""

    def rule_for(rules: DrawRules, stratum: str) -> SampleRule:
        return SampleRule(rules.normal.ratio, rules.normal.minimum)

    mp.setattr(DrawRules, "rule_for", rule_for)


def _no_low_rated_orders(mp: pytest.MonkeyPatch) -> None:
    """The directory derived as if no order had been rated (so none is low-rated)."""
    original = domain_population._collect

    def collect(county_id: UUID, events: Any) -> Any:
        return original(county_id, (e for e in events if not isinstance(e, Order.Rated)))

    mp.setattr(domain_population, "_collect", collect)


def _roster_without_home_communities(mp: pytest.MonkeyPatch) -> None:
    """The roster frozen without the inspectors' home communities (their conflict key)."""
    mp.setattr(
        inspectors, "inspector_keys", lambda unit_id, home: [f"unit:{unit_id}"] if unit_id else []
    )


def _deadline_in_calendar_days(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(
        working_days, "add_working_days", lambda start, days, *_: start + timedelta(days=days)
    )


def _recusal_to_the_second_eligible(mp: pytest.MonkeyPatch) -> None:
    """One place to fill (a recusal's) goes to the second eligible inspector."""
    original = assignment.assign

    def wrong(targets: list[str], roster: dict[str, list[str]], *rest: Any) -> Any:
        out = original(targets, roster, *rest)
        if rest[2] != 1:  # per_target
            return out
        first = out.assigned[targets[0]][0]
        return original(targets, {i: k for i, k in roster.items() if i != first}, *rest)

    _wrong_assign(mp, wrong)


def _alternates_from_the_end(mp: pytest.MonkeyPatch) -> None:
    """The plan keeps its alternates last ticket first, so a replacement takes the last."""
    original = InspectionPlan.Drawn.apply

    def apply(self: Any, plan: InspectionPlan) -> None:
        original(self, plan)
        plan.alternates = {s: rows[::-1] for s, rows in plan.alternates.items()}

    mp.setattr(InspectionPlan.Drawn, "apply", apply)


WRONG: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], bool, set[str], set[str]]] = {
    # what the service gets wrong: (the patch, whether the plan is followed through after
    # the draw, checks that fail, checks that still pass)
    "teams written in another order than the inspectors' tickets": (
        _teams_in_reverse,
        False,
        {"assignments", "sample_commitment"},
        {"population", "directory", "roster", "seed", "sample", "alternates"},
    ),
    "a low-rated stratum sized by the normal rule": (
        _low_stratum_by_the_normal_rule,
        False,
        {"sample", "alternates", "assignments", "sample_commitment"},
        {"population", "directory", "roster", "seed"},
    ),
    "the directory derived without the low-rated strata": (
        _no_low_rated_orders,
        False,
        {"population", "directory"},
        {"events", "plan_hash", "roster", "seed_inputs", "drawn_once"},
    ),
    "the roster frozen without the inspectors' home communities": (
        _roster_without_home_communities,
        False,
        {"roster", "seed"},
        {"population", "directory", "seed_inputs", "drawn_once"},
    ),
    "the disclosure deadline counted in calendar days": (
        _deadline_in_calendar_days,
        True,
        {"deadline"},
        {"sample", "assignments", "replacements", "recusals", "findings"},
    ),
    "a recusal given to the second eligible inspector": (
        _recusal_to_the_second_eligible,
        True,
        {"recusals"},
        {"assignments", "replacements", "findings", "deadline"},
    ),
    "a replacement taken from the end of the alternates": (
        _alternates_from_the_end,
        True,
        {"replacements"},
        {"alternates", "recusals", "findings", "deadline"},
    ),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_a_log_the_service_wrote_by_a_wrong_rule_fails_by_the_definition(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    patch, follow, failing, passing = WRONG[case]
    patch(monkeypatch)
    scene = Scene(sqlite_env(tmp_path / "events.sqlite3"), clock)
    try:
        if follow:
            scene.follow_through()
        report = scene.verify()  # the wrong rule still in place while verifying
    finally:
        scene.app.close()
    seen = statuses(report)
    assert {k for k in failing if seen[k] == FAIL} == failing, report.text()
    assert {k for k in passing if seen[k] == OK} == passing, report.text()


def test_the_definition_is_implemented_without_the_service() -> None:
    """Only the log reader (the event classes that decode it) and the command (which
    opens the store as `replay export` does) import the service; the re-derivations and
    the checks import the kernel and each other only."""
    edges = layers.graph()
    package = [m for m in edges if m.startswith("replay.drawverify.")]
    assert len(package) >= 7
    for module in package:
        ours = {t for t in edges[module] if layers.layer_of(t) not in ("kernel", "replay")}
        if module == "replay.drawverify.log":
            assert ours == {"domain.event_catalogue", "domain.transcoder"}, ours
        elif module == "replay.drawverify.command":
            assert {layers.layer_of(t) for t in ours} <= {"domain", "projections"}
            assert not {t for t in ours if t.startswith("domain.")} - {
                "domain.application",
                "domain.clock",
            }, ours
        else:
            assert ours == set(), (module, ours)


def test_the_topics_the_verifier_reads_are_the_catalogue_s() -> None:
    """The verifier names events by their stored topics: each is in the event catalogue
    with the fields it reads, the plan's are all of them, and the directory is derived
    from the same facts the service derives it from."""
    catalogue = {info.topic: {name for name, _ in info.fields} for info in events()}
    plan_topics = {info.topic for info in events() if info.aggregate == "InspectionPlan"}
    assert set(PLAN_TOPICS) == plan_topics
    assert set(population.POPULATION_TOPICS) == set(domain_population.POPULATION_TOPICS)
    assert set(population.ROSTER_TOPICS) == set(inspectors.ROSTER_TOPICS)
    read = {
        population.COMMUNITY_REGISTERED: {"county_id", "code"},
        population.MEETING_SCHEDULED: {"meeting_id", "held_on"},
        population.MEETING_CANCELLED: {"meeting_id"},
        population.UNIT_REGISTERED: {"county_id"},
        population.UNIT_PAIRED: {"community_id"},
        population.UNIT_UNPAIRED: {"community_id"},
        population.MEMBER_REGISTERED: {"unit_id"},
        population.MEMBER_REPORTED: {"community_id"},
        population.ORDER_POSTED: {"county_id", "community_id"},
        population.ORDER_RATED: {"stars"},
        population.ORDER_CLOSED: {"member_id"},
        population.ORDER_FOUND_FALSE: set(),
        population.FINDING_RECORDED: {"target", "inspector_id", "co_inspectors"},
        population.INSPECTOR_REGISTERED: {
            "county_id",
            "name",
            "unit_id",
            "unit_name",
            "home_community_id",
        },
        population.INSPECTOR_RETIRED: set(),
        DIRECTORY_TOPIC: {
            "plan_id",
            "county_id",
            "log_position",
            "strata",
            "excluded",
            "relations",
            "population_hash",
        },
    }
    for topic, fields in read.items():
        assert fields <= catalogue[topic], topic


def test_working_days_follow_the_plan_s_calendar() -> None:
    """§9 by hand: 2026's National Day week (1–7 October off, Sunday 27 September and
    Saturday 10 October worked)."""
    document = {
        "period": ["2026-07-01", "2026-09-30"],
        "disclosure_working_days": 3,
        "holidays": [f"2026-10-0{d}" for d in range(1, 8)],
        "extra_workdays": ["2026-09-27", "2026-10-10"],
    }
    holidays, workdays = definition.calendar(document)
    drawn_at = datetime(2026, 9, 25, 17, tzinfo=UTC)  # Saturday 26 September in Beijing
    assert definition.disclosure_start(document, drawn_at) == date(2026, 9, 30)
    # 30 Sep (Wed) + 3 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, worked)
    assert definition.disclosure_deadline(document, drawn_at) == date(2026, 10, 10)
    assert (
        definition.working_days_after(date(2026, 9, 25), date(2026, 9, 28), holidays, workdays) == 2
    )  # Sunday 27 worked, Monday 28
    assert (
        definition.working_days_after(date(2026, 10, 10), date(2026, 10, 10), holidays, workdays)
        == 0
    )
