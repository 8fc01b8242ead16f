"""The 两随机一公开 read model on SQLite and PostgreSQL: a plan through its whole life
shows what its events say; the public view masks an unannounced plan until its visits
are done and never carries residents' data; members and units see what concerns them;
the sweep marks a missed deadline and the public sees it; a rebuild gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest

from api.sweeper import sweep_once
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.inspection_plan import InspectionPlan
from projections import ReadModels, inspector_workload, plan_progress, public_disclosure
from projections.base import Follower
from projections.inspections import Inspections
from tests.builders.inspection import Supervision
from tests.builders.world import World

APRIL = datetime(2026, 4, 1, 2, tzinfo=UTC)  # a Wednesday, 10:00 in Beijing


@pytest.fixture
def live(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Supervision, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    sup = Supervision(World(app), clock)
    yield sup, read
    app.close()


def fresh(read: ReadModels) -> None:
    assert read.follower is not None
    read.follower.catch_up()


def today(sup: Supervision) -> date:
    return sup.app.today()


def drawn_event(app: Sishuang, plan_id: UUID) -> InspectionPlan.Drawn:
    return next(e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.Drawn))


def text(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def assert_rebuild_is_identical(sup: Supervision, read: ReadModels) -> None:
    fresh(read)
    projection = Inspections()
    before = projection.dump(read.store)
    assert before["rm_insp_plans"] and before["rm_insp_targets"], "nothing to rebuild"
    rebuilder = Follower(sup.app, [projection], page_size=7)
    rebuilder.reset(projection)
    rebuilder.catch_up()
    assert projection.dump(read.store) == before


def assert_no_resident_data(sup: Supervision, value: Any) -> None:
    body = text(value)
    resident = sup.app.resident(sup.resident_id)
    for secret in (resident.name, resident.phone, str(sup.resident_id), "楼道灯坏了"):
        assert secret not in body, secret


def by_index(sup: Supervision) -> dict[str, int]:
    return {str(i): n for n, i in enumerate(sup.inspectors)}


def test_a_plan_through_its_whole_life_reads_as_its_events_say(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    app, store = sup.app, read.store
    sup.clock.set(APRIL)
    plan_id = sup.plan(alternates=3)
    fresh(read)
    view = plan_progress.get_plan(store, str(plan_id), today(sup))
    assert view is not None
    plan = app.plan(plan_id)
    assert view["status"] == "published" and view["plan_hash"] == plan.plan_hash
    assert view["document"] == plan.document and view["plan_hash_matches"] is True
    assert view["targets"] == [] and view["sample_matches_commitment"] is None
    [summary] = public_disclosure.public_plans(store, today(sup), str(sup.world.county_id))
    assert summary["plan_id"] == str(plan_id) and summary["draw_revealed"] is False

    plan = sup.to_drawn(plan_id)
    drawn = drawn_event(app, plan_id)
    fresh(read)
    view = plan_progress.get_plan(store, str(plan_id), today(sup))
    assert view is not None
    assert view["status"] == "drawn" and view["county_name"] == "泽州县"
    assert view["population_hash"] == plan.population_hash
    assert view["roster_hash"] == plan.roster_hash and view["roster"] == plan.roster
    assert view["counts"] == plan.counts
    assert view["commitments"] == plan.commitments
    assert {p: c for p, (c, _) in view["contributions"].items()} == plan.contributions
    assert view["seed"] == drawn.seed and view["seed_hash"] == drawn.seed_hash
    assert view["sample"] == drawn.sample and view["sizes"] == drawn.sizes
    assert view["sample_commitment"] == drawn.sample_commitment
    assert view["sample_matches_commitment"] is True
    assert view["disclosure_deadline"] == drawn.disclosure_deadline.isoformat()
    teams = {t["target"]: [a["inspector_id"] for a in t["inspectors"]] for t in view["targets"]}
    assert teams == plan.assignments
    assert [(s["target"], s["inspector_id"], s["reason"]) for s in view["skips"]] == [
        tuple(s) for s in drawn.skips
    ]
    assert [[a["target"], a["ticket"]] for a in view["alternates"]] == [
        row for stratum in sorted(drawn.alternates) for row in drawn.alternates[stratum]
    ]
    tickets = {t["target"]: t["ticket"] for t in view["targets"]}
    assert tickets == {i: t for rows in drawn.sample.values() for i, t in rows}
    assert {s["stratum"]: s["population"] for s in view["strata"]} == plan.counts
    assert all(s["community_name"] == "锦绣社区" for s in view["strata"])

    # every ORD target is member 0's work (the Loop's orders), in the world's unit
    member, unit = str(sup.members[0]), str(sup.world.unit_id)
    assert all(t["member_id"] == member and t["unit_id"] == unit for t in view["targets"])
    mine = public_disclosure.results_concerning(store, today(sup), member_id=member)
    assert {r["target"] for r in mine} == set(plan.assignments)
    assert all(r["findings"] is None and r["results_published"] is False for r in mine)
    assert (
        public_disclosure.results_concerning(store, today(sup), member_id=str(sup.members[1])) == []
    )
    units = public_disclosure.results_concerning(store, today(sup), unit_id=unit)
    assert {r["target"] for r in units} == set(plan.assignments)
    assert {r["member_name"] for r in units} == {"张伟"}
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None and public["draw_revealed"] is True
    assert all("findings" not in t for t in public["targets"])

    # a replacement, then a recusal on the replacement
    stratum = "JX"
    gone = drawn.sample[stratum][0][0]
    app.replace_target(sup.org, plan_id, gone, "群众已搬离")
    plan = app.plan(plan_id)
    new = plan.replaced[gone]
    leaving = plan.assignments[new][0]
    app.recuse_inspector(
        sup.inspector(by_index(sup)[leaving]), plan_id, new, UUID(leaving), "与服务党员系亲属"
    )
    plan = app.plan(plan_id)
    fresh(read)
    view = plan_progress.get_plan(store, str(plan_id), today(sup))
    assert view is not None
    active = {
        t["target"]: [a["inspector_id"] for a in t["inspectors"]]
        for t in view["targets"]
        if t["active"]
    }
    assert active == plan.assignments
    [replacement] = view["replacements"]
    assert replacement == {
        "target": gone,
        "target_label": "锦绣社区的一项已办结需求",
        "replacement": new,
        "replacement_label": "锦绣社区的一项已办结需求",
        "reason_code": "other",
        "reason_label": "其他",
        "reason": "群众已搬离",
        "at": replacement["at"],
    }
    [recusal] = view["recusals"]
    assert recusal["target"] == new and recusal["inspector_id"] == leaving
    assert recusal["replaced_by"] in plan.assignments[new]
    assert recusal["recusal_reason"] == "与服务党员系亲属"
    assert new not in {a["target"] for a in view["alternates"]}
    old = next(t for t in view["targets"] if t["target"] == gone)
    assert old["active"] is False and old["replaced_by"] == new
    assert [a["inspector_id"] for a in old["former_inspectors"]] == drawn.assignments[gone]

    # findings: one order found false (and corrected once), the others pass
    targets = sorted(plan.assignments)
    false_target = targets[0]
    who = sup.inspector(by_index(sup)[plan.assignments[false_target][0]])
    app.record_finding(
        who, plan_id, false_target, conclusion="rectify", confirmed=False, note="群众说没人来过"
    )
    app.record_finding(
        who,
        plan_id,
        false_target,
        conclusion="admonish",
        confirmed=False,
        note="再次核实",
        correction_reason="核实后改为诫勉谈话",
    )
    for target in targets[1:]:
        inspector = sup.inspector(by_index(sup)[plan.assignments[target][1]])
        app.record_finding(inspector, plan_id, target, conclusion="pass", confirmed=True, stars=5)
    fresh(read)
    view = plan_progress.get_plan(store, str(plan_id), today(sup))
    assert view is not None
    false_row = next(t for t in view["targets"] if t["target"] == false_target)
    assert [f["conclusion"] for f in false_row["findings"]] == ["rectify", "admonish"]
    assert [f["latest"] for f in false_row["findings"]] == [False, True]
    assert false_row["conclusion"] == "admonish" and false_row["order_found_false"] is True
    assert false_row["findings"][1]["correction_reason"] == "核实后改为诫勉谈话"
    assert view["conclusions"] == {"诫勉谈话": 1, "合格": len(targets) - 1}

    sup.clock.advance(timedelta(days=2))
    app.publish_results(sup.org, plan_id, "回访 3 单，1 单核定不实")
    fresh(read)
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None
    assert public["results_published"] is True and public["summary"] == "回访 3 单，1 单核定不实"
    assert public["disclosure"]["overdue"] is False
    assert public["disclosure"]["label"].startswith("按期公开")
    row = next(t for t in public["targets"] if t["target"] == false_target)
    assert row["conclusion_label"] == "诫勉谈话"
    assert row["follow_up"] == "经回访核定服务不实，已撤销相应服务时长与积分"
    # a revisit's notes are about a resident: the public gets the conclusion, not the note
    assert [f["note"] for f in row["findings"]] == ["（回访记录涉及群众，不公开）"] * 2
    assert [f["correction_reason"] for f in row["findings"]][1]
    assert "群众说没人来过" not in text(public)
    assert public["conclusions"] == {"诫勉谈话": 1, "合格": len(targets) - 1}
    [summary] = public_disclosure.public_plans(store, today(sup))
    assert summary["conclusions"] == public["conclusions"] and summary["targets"] == len(targets)
    mine = public_disclosure.results_concerning(store, today(sup), member_id=member)
    found = next(r for r in mine if r["target"] == false_target)
    assert found["conclusion_label"] == "诫勉谈话" and found["follow_up"].startswith("经回访")
    replaced = next(r for r in mine if r["target"] == gone)
    assert replaced["active"] is False and replaced["replace_reason"] == "群众已搬离"

    # nothing about the resident, ever; members appear only as opaque ids
    for value in (public, public_disclosure.public_plans(store, today(sup))):
        assert_no_resident_data(sup, value)
        assert "张伟" not in text(value) and "李娜" not in text(value)
    assert_rebuild_is_identical(sup, read)


def sit_in_plan(sup: Supervision) -> tuple[UUID, list[UUID]]:
    """Meetings in both communities (one cancelled) and an unannounced sit-in plan."""
    app, world = sup.app, sup.world
    meetings = [
        app.schedule_meeting(
            staff, community, held_on=day, topic="研究民生实事项目", place="社区党群服务中心"
        ).id
        for staff, community, day in [
            (world.staff, world.community_id, "2026-04-10"),
            (world.staff, world.community_id, "2026-04-17"),
            (world.staff, world.community_id, "2026-04-24"),
            (world.other_staff, world.other_community_id, "2026-04-15"),
            (world.other_staff, world.other_community_id, "2026-04-22"),
        ]
    ]
    app.cancel_meeting(world.staff, world.community_id, meetings[2], "与上级会议冲突")
    plan_id = sup.plan(
        title="2026年4月不打招呼列席",
        item="sit_in",
        period_start="2026-04-02",
        period_end="2026-04-30",
        minimum=1,
    )
    return plan_id, meetings


def test_an_unannounced_sit_in_shows_only_its_commitment_until_the_visits_are_done(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    app, store = sup.app, read.store
    sup.clock.set(APRIL)
    plan_id, meetings = sit_in_plan(sup)
    fresh(read)
    listed = inspector_workload.list_meetings(store, str(sup.world.community_id))
    assert [m["held_on"] for m in listed] == ["2026-04-24", "2026-04-17", "2026-04-10"]
    assert [m["cancelled"] for m in listed] == [True, False, False]
    assert listed[0]["cancel_reason"] == "与上级会议冲突"

    plan = sup.to_drawn(plan_id)
    drawn = drawn_event(app, plan_id)
    fresh(read)
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None
    assert public["unannounced"] is True and public["draw_revealed"] is False
    assert public["sample_commitment"] == drawn.sample_commitment
    assert public["commitments"] == plan.commitments and public["plan_hash"] == plan.plan_hash
    for hidden in ("seed", "contributions", "targets", "alternates", "skips", "roster"):
        assert hidden not in public, hidden
    body = text(public) + text(public_disclosure.public_plans(store, today(sup)))
    assert "MTG:" not in body and drawn.seed not in body
    assert not any(str(m) in body for m in meetings)
    [summary] = public_disclosure.public_plans(store, today(sup))
    assert summary["seed"] is None and summary["targets"] is None

    # the supervision team sees the draw: where to go, and with whom
    inspector = plan.assignments[next(iter(plan.assignments))][0]
    tasks = inspector_workload.assignments_of(store, inspector)
    assert tasks and all(t["meeting"]["place"] == "社区党群服务中心" for t in tasks)
    assert {t["target"] for t in tasks} == {
        t for t, team in plan.assignments.items() if inspector in team
    }
    assert all(len(t["co_inspectors"]) == 1 for t in tasks)
    cancelled = f"MTG:JX:{meetings[2]}"
    assert cancelled not in plan.assignments

    for target, team in sorted(plan.assignments.items()):
        app.record_finding(
            sup.inspector(by_index(sup)[team[0]]),
            plan_id,
            target,
            conclusion="pass",
            attendance=9,
            discussed="议定加装楼道灯",
        )
    fresh(read)
    still = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert still is not None and "targets" not in still
    assert all(t["finding_recorded"] for t in inspector_workload.assignments_of(store, inspector))

    app.complete_visits(sup.org, plan_id)
    fresh(read)
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None and public["draw_revealed"] is True
    assert public["seed"] == drawn.seed and public["sample_matches_commitment"] is True
    assert {t["target"] for t in public["targets"]} == set(plan.assignments)
    assert all("findings" not in t for t in public["targets"])
    app.publish_results(sup.org, plan_id, "列席 2 次")
    fresh(read)
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None
    assert all(t["findings"][0]["attendance"] == 9 for t in public["targets"])
    assert all(t["findings"][0]["discussed"] == "议定加装楼道灯" for t in public["targets"])
    assert_rebuild_is_identical(sup, read)


def test_the_sweep_marks_a_missed_deadline_and_the_public_sees_it(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    app, store = sup.app, read.store
    sup.clock.set(APRIL)
    plan_id = sup.plan()
    plan = sup.to_drawn(plan_id)
    deadline = plan.disclosure_deadline
    assert deadline == date(2026, 4, 29)  # 20 working days after Wednesday 1 April
    fresh(read)
    assert plan_progress.due_disclosures(store, app.clock.now()) == []
    assert sweep_once(app, store)["disclosures_overdue"] == 0

    sup.clock.set(datetime(2026, 5, 6, 2, tzinfo=UTC))
    fresh(read)
    assert plan_progress.due_disclosures(store, app.clock.now()) == [str(plan_id)]
    before = app.recorder.max_notification_id()
    assert sweep_once(app, store)["disclosures_overdue"] == 1
    [marked] = [
        e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.DisclosureOverdue)
    ]
    assert marked.deadline == deadline
    fresh(read)
    assert plan_progress.due_disclosures(store, app.clock.now()) == []
    assert sweep_once(app, store)["disclosures_overdue"] == 0
    assert app.recorder.max_notification_id() == before + 1, "the mark is recorded once"

    late = plan.definition.calendar.between(deadline, date(2026, 5, 6))
    assert late == 5
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None
    assert public["disclosure"]["overdue"] is True and public["disclosure"]["overdue_marked"]
    assert public["disclosure"]["late_working_days"] == late
    assert public["disclosure"]["label"] == f"逾期 {late} 个工作日，尚未公开（期限 2026-04-29）"
    [summary] = public_disclosure.public_plans(store, today(sup))
    assert summary["disclosure"]["label"] == public["disclosure"]["label"]

    for target, team in sorted(plan.assignments.items()):
        app.record_finding(
            sup.inspector(by_index(sup)[team[0]]),
            plan_id,
            target,
            conclusion="pass",
            confirmed=True,
        )
    sup.clock.advance(timedelta(days=1))  # Thursday 7 May
    app.publish_results(sup.org, plan_id, "")
    fresh(read)
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None and public["results_published"] is True
    assert public["disclosure"]["late_working_days"] == 6
    assert public["disclosure"]["label"] == "逾期 6 个工作日公开（期限 2026-04-29）"
    assert public["disclosure"]["overdue"] is True
    assert plan_progress.due_disclosures(store, app.clock.now()) == []
    assert_rebuild_is_identical(sup, read)


def test_a_voided_draw_stays_public_with_its_reason_and_is_never_due(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    app, store = sup.app, read.store
    sup.clock.set(APRIL)
    plan_id = sup.plan()
    sup.to_drawn(plan_id)
    app.void_plan(sup.org, plan_id, "抽查比例填写有误，重新发布方案")
    sup.clock.set(datetime(2026, 6, 1, 2, tzinfo=UTC))
    fresh(read)
    assert plan_progress.due_disclosures(store, app.clock.now()) == []
    [summary] = public_disclosure.public_plans(store, today(sup))
    assert summary["status"] == "voided" and summary["status_label"] == "已作废"
    assert summary["void_reason"] == "抽查比例填写有误，重新发布方案"
    assert summary["disclosure"]["label"] == "已作废，不再公开结果"
    public = public_disclosure.public_plan(store, str(plan_id), today(sup))
    assert public is not None and public["void_reason"] == summary["void_reason"]
    assert public["draw_revealed"] is True and public["sample_matches_commitment"] is True
    assert public["conclusions"] is None
    [listed] = plan_progress.list_plans(store, str(sup.world.county_id), today(sup))
    assert listed["status"] == "voided" and "sample" not in listed


def test_the_inspector_directory_lists_the_county_and_retirements(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    sup.app.retire_inspector(sup.org, sup.inspectors[4], "调离")
    fresh(read)
    rows = inspector_workload.list_inspectors(read.store, str(sup.world.county_id))
    assert len(rows) == 5 and [r["active"] for r in rows] == [True] * 4 + [False]
    retired = rows[-1]
    assert retired["inspector_id"] == str(sup.inspectors[4]) and retired["retire_reason"] == "调离"
    first = inspector_workload.get_inspector(read.store, str(sup.inspectors[0]))
    assert first is not None and first["unit_id"] == str(sup.world.unit_id)
    assert first["unit_name"] == "泽州县财政局"
    second = inspector_workload.get_inspector(read.store, str(sup.inspectors[1]))
    assert second is not None and second["home_community_id"] == str(sup.world.community_id)


def test_members_and_units_see_an_unannounced_revisit_only_once_the_visits_are_done(
    live: tuple[Supervision, ReadModels],
) -> None:
    sup, read = live
    app, store = sup.app, read.store
    sup.clock.set(APRIL)
    plan_id = sup.plan(unannounced=True)
    plan = sup.to_drawn(plan_id)
    fresh(read)
    member, unit = str(sup.members[0]), str(sup.world.unit_id)
    assert public_disclosure.results_concerning(store, today(sup), member_id=member) == []
    assert public_disclosure.results_concerning(store, today(sup), unit_id=unit) == []
    for target, team in sorted(plan.assignments.items()):
        app.record_finding(
            sup.inspector(by_index(sup)[team[0]]),
            plan_id,
            target,
            conclusion="pass",
            confirmed=True,
        )
    app.complete_visits(sup.org, plan_id)
    fresh(read)
    mine = public_disclosure.results_concerning(store, today(sup), member_id=member)
    assert {r["target"] for r in mine} == set(plan.assignments)
    assert all(r["findings"] is None for r in mine), "findings wait for publication"
    assert {
        r["target"] for r in public_disclosure.results_concerning(store, today(sup), unit_id=unit)
    } == set(plan.assignments)


def test_free_text_for_the_public_masks_phones_and_id_numbers() -> None:
    from domain.masking import mask_free_text

    masked = mask_free_text("联系 13912345678 或 139-1234-5678，身份证 140502199001011234")
    assert "139****5678" in masked and "13912345678" not in masked
    assert "1234-5678" not in masked
    assert "140502********1234" in masked
    assert mask_free_text("会议 12 人到会") == "会议 12 人到会"
