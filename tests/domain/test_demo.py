"""The demo county (domain.demo.load_demo): what it loads is what the log holds, it loads
once, a seed always gives the same county, and its ten weeks of history (residents,
needs with every kind of fate, activities, the monthly matching) keep the rules and
end today, never later."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock, SystemClock
from domain.demo import load_demo
from domain.demo.county import UNITS
from domain.demo.schedule import STORY_DAYS
from domain.order import OPEN_STATUSES, OrderStatus
from domain.values import SkillCategory

MEMBERS = 60
SMALL = {"members": MEMBERS, "residents_per_community": 12, "needs_per_community": 16}
TODAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # ManualClock's default start


def make_app(path: Path | None = None, clock: Any = None) -> Sishuang:
    """On an SQLite file, or in memory (for the tests that only compare loads)."""
    env = {} if path is None else {"PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    if path is not None:
        env["SQLITE_DBNAME"] = str(path)
    return Sishuang(env, clock=clock or ManualClock(TODAY))


def events(app: Sishuang) -> list[tuple[str, Any]]:
    return [
        (n.topic, app.mapper.to_domain_event(n))
        for n in app.recorder.select_notifications(1, 100_000)
    ]


def of(app: Sishuang, topic: str) -> list[Any]:
    return [e for t, e in events(app) if t == f"sishuang:{topic}"]


def final_status(app: Sishuang) -> dict[UUID, OrderStatus]:
    return {e.originator_id: app.order(e.originator_id).status for e in of(app, "Order.Posted")}


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sishuang, dict[str, Any]]]:
    """One small demo county, shared by the tests that only read it."""
    app = make_app(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield app, load_demo(app, **SMALL)
    app.close()


def test_demo_summary_counts_match_the_event_store(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, summary = loaded
    topics = Counter(topic for topic, _ in events(app))

    assert summary["already_loaded"] is False
    assert topics["sishuang:County.Registered"] == 1
    assert summary["communities"] == topics["sishuang:Community.Registered"] == 4
    assert summary["units"] == topics["sishuang:Unit.Registered"]
    assert 8 <= summary["units"] <= 10
    assert summary["pairings"] == topics["sishuang:Unit.Paired"]
    assert summary["unit_reports"] == topics["sishuang:Unit.ReportedToCommunity"]
    assert summary["members"] == topics["sishuang:Member.Registered"] == MEMBERS
    assert summary["approved"] == topics["sishuang:Member.Approved"]
    assert summary["rejected"] == topics["sishuang:Member.Rejected"]
    assert summary["reported"] == topics["sishuang:Member.Reported"]
    assert summary["pending"] == MEMBERS - summary["approved"] - summary["rejected"]
    assert summary["residents"] == topics["sishuang:Resident.Registered"] == 4 * 12
    assert summary["needs"] == topics["sishuang:Order.Posted"] == 4 * 16
    assert summary["activities"] == topics["sishuang:Activity.Planned"]


def test_demo_has_every_review_state_and_members_not_yet_reported(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    _, summary = loaded
    assert summary["rejected"] > 0
    assert summary["pending"] > 0
    assert 0 < summary["reported"] < summary["approved"]  # the "not reported" list has names
    assert summary["approved"] >= 0.75 * MEMBERS


def test_demo_units_straddle_the_coverage_target(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    declared: dict[Any, int] = {}
    unit_of: dict[Any, Any] = {}
    reported: Counter[Any] = Counter()
    for topic, event in events(app):
        if topic == "sishuang:Unit.Registered":
            declared[event.originator_id] = event.member_count
        elif topic == "sishuang:Member.Registered":
            unit_of[event.originator_id] = event.unit_id
        elif topic == "sishuang:Member.Reported":
            reported[unit_of[event.originator_id]] += 1

    coverage = {unit: reported[unit] / count for unit, count in declared.items()}
    assert any(share >= 0.95 for share in coverage.values())
    assert any(share < 0.95 for share in coverage.values())
    assert 0.7 <= sum(reported.values()) / sum(declared.values()) <= 0.9


def test_demo_members_register_with_valid_details_and_fitting_skills(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    registered = of(app, "Member.Registered")
    assert len({e.phone for e in registered}) == len(registered)
    assert all(2 <= len(e.name) <= 3 for e in registered)
    declared = of(app, "Member.SkillsDeclared")
    assert declared
    assert all(1 <= len(e.categories) <= 3 and len(e.tags) <= 2 for e in declared)


def test_demo_data_uses_only_known_skill_categories() -> None:
    known = {c.code for c in SkillCategory}
    for unit in UNITS:
        used = {c for _, fitting in unit.posts for c in fitting} | set(unit.extra_categories)
        assert used <= known, unit.name


def test_demo_residents_have_unique_phones_and_some_were_registered_by_a_grid_worker(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    residents = of(app, "Resident.Registered")
    phones = [e.phone for e in residents if e.phone]
    assert len(set(phones)) == len(phones)
    assert all(p[:2] in ("13", "15", "18") for p in phones)
    without = [e for e in residents if not e.phone]
    assert without and all(e.by.startswith("grid_worker:") for e in without)
    assert all(e.address and e.grid_code for e in residents)


def test_the_needs_ledger_has_needs_in_every_kind_of_state(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, summary = loaded
    statuses = final_status(app)
    counts = Counter(statuses.values())
    assert summary["closed"] == counts[OrderStatus.CLOSED]
    assert summary["open"] == sum(n for s, n in counts.items() if s in OPEN_STATUSES)
    assert counts[OrderStatus.CANCELLED] > 0 and counts[OrderStatus.REJECTED] > 0
    assert counts[OrderStatus.CLOSED] >= 0.5 * len(statuses)
    assert 0.1 * len(statuses) <= summary["open"] <= 0.35 * len(statuses)
    assert len({s for s in counts if s in OPEN_STATUSES}) >= 3  # open in various states

    topics = Counter(t for t, _ in events(app))
    for fate in (
        "TakeRequested",  # members applied
        "MarkedUnclaimed",  # nobody took it in 3 days ...
        "JointMeetingDecided",  # ... so the joint meeting gave it to a unit or team
        "MarkedOverdue",
        "FollowedUp",
        "ReturnedToMember",  # 返单 after a low rating
    ):
        assert topics[f"sishuang:Order.{fate}"] > 0, fate
    assigned = {e.assignee_kind for e in of(app, "Order.JointMeetingDecided")}
    assert assigned <= {"unit", "team"} and assigned
    outcomes = Counter(e.outcome for e in of(app, "Order.Closed"))
    assert outcomes["satisfied"] > outcomes["unrated"] > 0  # some closed by the sweep
    sources = {e.source.code for e in of(app, "Order.Posted")}
    assert {"app", "wish_card"} <= sources


def test_hours_are_credited_for_closed_needs_within_what_was_claimed(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    claimed: dict[UUID, Decimal] = {}
    credited: list[Decimal] = []
    for topic, e in events(app):
        if topic == "sishuang:Order.CompletionClaimed":
            claimed[e.originator_id] = e.hours
        elif topic == "sishuang:Order.Closed":
            credited.append(e.hours_credited)
            assert e.hours_credited <= claimed[e.originator_id]
    assert any(h > 0 for h in credited)
    stars = [e.stars for e in of(app, "Order.Rated")]
    assert max(stars) == 5 and min(stars) <= 2  # mostly happy, some low ratings
    assert sum(s >= 4 for s in stars) >= 0.7 * len(stars)


def test_members_who_serve_are_approved_members_of_the_needs_community(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    community_of: dict[UUID, UUID] = {}
    approved_at: dict[UUID, datetime] = {}
    served = 0
    for topic, e in events(app):
        if topic == "sishuang:Member.Registered":
            community_of[e.originator_id] = e.community_id
        elif topic == "sishuang:Member.Approved":
            approved_at[e.originator_id] = e.timestamp
        elif topic == "sishuang:Order.Posted":
            community_of[e.originator_id] = e.community_id
        elif topic in ("sishuang:Order.TakeRequested", "sishuang:Order.Dispatched"):
            assert community_of[e.member_id] == community_of[e.originator_id]
            assert approved_at[e.member_id] < e.timestamp
            served += 1
    assert served > 0


def test_an_activity_list_is_confirmed_and_one_activity_is_coming(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    planned = of(app, "Activity.Planned")
    confirmed = of(app, "Activity.ListConfirmed")
    assert len(planned) >= 3 * 4
    assert len(confirmed) >= 2 * 4
    assert all(e.attendees and all(h > 0 for _, h in e.attendees) for e in confirmed)
    assert any(len(e.attendees) >= 5 for e in confirmed)
    assert {"red_service_day", "theme_month"} <= {e.kind.code for e in planned}
    upcoming = [e for e in planned if e.starts_at > TODAY]
    assert len(upcoming) == 4  # one per community


def test_each_community_held_its_monthly_matching_meeting_in_time(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    meetings = of(app, "Community.MatchingRecorded")
    assert len(meetings) == 4
    assert all(not m.late and m.adopted and m.open_needs >= len(m.adopted) for m in meetings)


def test_the_history_spans_ten_weeks_and_ends_today_on_a_manual_clock(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    assert app.clock.now() == TODAY  # the clock is left at "today"
    stamps = [e.timestamp for _, e in events(app)]
    assert min(stamps) >= TODAY - timedelta(days=STORY_DAYS)
    assert max(stamps) <= TODAY
    posted = [e.timestamp for e in of(app, "Order.Posted")]
    assert max(posted) - min(posted) >= timedelta(weeks=7)
    by_aggregate: dict[UUID, list[datetime]] = defaultdict(list)
    for _, e in events(app):
        by_aggregate[e.originator_id].append(e.timestamp)
    assert all(times == sorted(times) for times in by_aggregate.values())


def test_nothing_is_due_for_the_sweeper_when_the_demo_is_loaded(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    """Every passed deadline already has its event: the ledger is as the sweeper left it."""
    app, _ = loaded
    before = app.recorder.max_notification_id()
    open_ids = [i for i, s in final_status(app).items() if s in OPEN_STATUSES]
    assert app.sweep(open_ids) == {"unclaimed": 0, "closed_unrated": 0, "overdue": 0}
    assert app.recorder.max_notification_id() == before


def test_loading_the_demo_twice_records_nothing_new(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, first = loaded
    before = app.recorder.max_notification_id()

    second = load_demo(app, **SMALL)

    assert app.recorder.max_notification_id() == before
    assert second["already_loaded"] is True
    assert second["county_id"] == first["county_id"]
    assert second["members"] == second["needs"] == 0
    assert app.clock.now() == TODAY


def test_on_a_real_clock_nothing_is_dated_in_the_future_and_the_clock_is_put_back() -> None:
    clock = SystemClock()
    app = make_app(clock=clock)
    called_at = datetime.now(tz=UTC)
    summary = load_demo(app, **SMALL)
    done_at = datetime.now(tz=UTC)

    assert app.clock is clock
    stamps = [e.timestamp for _, e in events(app)]
    assert max(stamps) <= done_at
    assert max(stamps) <= called_at + timedelta(seconds=1)
    assert min(stamps) >= called_at - timedelta(days=STORY_DAYS, seconds=1)
    assert summary["closed"] > 0 and summary["open"] > 0


@pytest.mark.parametrize(
    "today",
    [
        datetime(2026, 3, 1, 17, 59, tzinfo=UTC),  # 01:59 in Beijing, a month's first day
        datetime(2026, 7, 31, 11, 30, tzinfo=UTC),  # 19:30 in Beijing, a month's last day
    ],
)
def test_the_demo_loads_whatever_the_calendar(today: datetime) -> None:
    app = make_app(clock=ManualClock(today))
    summary = load_demo(app, **SMALL)
    statuses = final_status(app)
    open_ids = [i for i, s in statuses.items() if s in OPEN_STATUSES]
    assert summary["open"] == len(open_ids) > 0
    assert app.sweep(open_ids) == {"unclaimed": 0, "closed_unrated": 0, "overdue": 0}
    assert max(e.timestamp for _, e in events(app)) <= today == app.clock.now()


def test_the_same_seed_gives_the_same_county(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    def county(app: Sishuang) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        members = [(e.name, e.phone, e.post, e.basis.code) for e in of(app, "Member.Registered")]
        needs = [
            (
                e.content,
                e.category.code,
                e.urgency.code,
                e.people_affected,
                e.source.code,
                e.requester_name,
                e.timestamp,
            )
            for e in of(app, "Order.Posted")
        ]
        return members, needs

    first, _ = loaded  # seed 2026
    again, other = make_app(), make_app()
    load_demo(again, **SMALL)
    load_demo(other, seed=7, **SMALL)

    assert county(first) == county(again)
    assert county(first)[0] != county(other)[0]
    assert [n[0] for n in county(first)[1]] != [n[0] for n in county(other)[1]]


def test_the_supervision_team_has_a_plan_in_every_telling_state(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    """两随机一公开 in the demo: published results with a false order reversed, a void with
    its reason, a missed disclosure deadline, an unannounced sit-in drawn but not shown."""
    app, summary = loaded
    published = of(app, "InspectionPlan.Published")
    assert summary["inspection_plans"] == len(published) == 4
    assert summary["inspectors"] == len(of(app, "Inspector.Registered")) == 8
    assert summary["joint_meetings"] == len(of(app, "Community.JointMeetingScheduled"))
    assert summary["inspection_findings"] == len(of(app, "InspectionPlan.FindingRecorded"))
    plans = {e.document["item"]: app.plan(e.originator_id) for e in published}
    assert plans["revisit"].status.code == "results_published"
    assert plans["service_record"].status.code == "voided" and plans["service_record"].void_reason
    assert plans["unit_pairing"].overdue and plans["unit_pairing"].status.code == "drawn"
    assert plans["sit_in"].definition.unannounced and not plans["sit_in"].visits_completed
    assert plans["sit_in"].assignments
    false = of(app, "Order.FoundFalse")
    assert [e.found_by for e in false].count("inspection") == 1
    # every assigned team is two inspectors free of conflicts
    for plan in plans.values():
        for team in plan.assignments.values():
            assert len(team) == len(set(team)) == 2
