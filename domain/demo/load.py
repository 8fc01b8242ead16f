"""The entry point: `load_demo(app)` registers the county, plans the county and its
story, and issues every command at its moment on a ManualClock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.actors import OPERATOR, Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.demo.activities import schedule_activities
from domain.demo.county import COUNTY_CODE, COUNTY_NAME, ORG_DEPT_SUBJECT
from domain.demo.directory import schedule_directory
from domain.demo.field import Field
from domain.demo.inspections import schedule_inspections
from domain.demo.orders import schedule_needs
from domain.demo.points_evaluation import schedule_points_and_evaluation
from domain.demo.registration import plan_county
from domain.demo.rules import Rules
from domain.demo.schedule import STORY_DAYS
from domain.demo.story import plan_story
from domain.demo.summary import finish, mark_already_loaded, new_summary
from domain.demo.sweeper import Sweeper
from domain.errors import Conflict

DEFAULT_SEED = 2026
DEFAULT_MEMBERS = 300
DEFAULT_RESIDENTS_PER_COMMUNITY = 40
DEFAULT_NEEDS_PER_COMMUNITY = 60


def load_demo(
    app: Sishuang,
    *,
    seed: int = DEFAULT_SEED,
    members: int = DEFAULT_MEMBERS,
    residents_per_community: int = DEFAULT_RESIDENTS_PER_COMMUNITY,
    needs_per_community: int = DEFAULT_NEEDS_PER_COMMUNITY,
) -> dict[str, Any]:
    """Load the demo county 泽州县 (code ZZ) with ten weeks of history; safe to call twice.

    The history ends at the app clock's time when called ("today") and starts STORY_DAYS
    before. A ManualClock is set back to the start, moved along, and left at today; any
    other clock is replaced by a ManualClock for the load and put back afterwards, so no
    event is dated in the future.

    Returns what this call loaded: the county id and the counts of communities, grids,
    units, pairings, unit reports, members and their review states, residents, needs
    (closed, open), activities. If the county already exists nothing is loaded,
    `already_loaded` is True and the counts are zero.
    """
    if min(members, residents_per_community, needs_per_community) < 0:
        raise ValueError("members, residents and needs must not be negative")
    original = app.clock
    today = original.now().replace(microsecond=0)
    start = today - timedelta(days=STORY_DAYS)
    clock = original if isinstance(original, ManualClock) else ManualClock(start)
    summary = new_summary()
    try:
        clock.set(start)
        app.clock = clock
        _load(app, clock, summary, seed, (members, residents_per_community, needs_per_community))
    finally:
        app.clock = original
        if clock is original:
            clock.set(today)
    return summary


def _load(
    app: Sishuang,
    clock: ManualClock,
    summary: dict[str, Any],
    seed: int,
    sizes: tuple[int, int, int],
) -> None:
    members, residents_per_community, needs_per_community = sizes
    start = clock.now()
    window = (start, start + timedelta(days=STORY_DAYS))
    county_id = _register_county(app, summary)
    if county_id is None:
        return
    policy = app.policy(county_id)  # the county's, as the app holds it
    rules = Rules.of(policy)
    plan = plan_county(seed, members, policy)
    story = plan_story(seed, plan, rules, window, residents_per_community, needs_per_community)
    org_dept = Actor(Role.ORG_DEPT, ORG_DEPT_SUBJECT, county_id)
    field = Field(app, clock, window, rules, summary, org_dept, plan, story)
    sweeper = Sweeper(field)
    schedule_directory(field)
    schedule_needs(field, sweeper)
    schedule_activities(field)
    schedule_points_and_evaluation(field, seed)
    schedule_inspections(field, seed)
    field.schedule.run(clock, field.today)
    finish(summary, sweeper.closed(), sweeper.open())


def _register_county(app: Sishuang, summary: dict[str, Any]) -> UUID | None:
    """运维 registers the county; None if it is there already (nothing more is loaded)."""
    try:
        county_id = app.register_county(OPERATOR, name=COUNTY_NAME, code=COUNTY_CODE).id
    except Conflict as error:
        if error.code != "duplicate_county":
            raise
        existing = app.county_by_code(COUNTY_CODE)
        mark_already_loaded(summary, str(existing.id) if existing else "")
        return None
    summary["county_id"] = str(county_id)
    return county_id
