"""Property (issue 4): for any history of a small community's year, the evaluation views
equal a plain recomputation from the events, each figure's sources add up to it, and a
command the domain refuses records nothing.

The history: 2 to 4 approved members, reported or not, of two units; orders closed rated
(any hours within the cap, 3 to 5 stars, solved or not), closed unrated by the sweep, or
rated low and closed by the community with or without hours; confirmed activities of
every kind; community evaluations of a quarter and corrections of the one in force; unit
evaluations; the clock moved on by days or weeks across quarters (within the year); the
quarterly check of a finished quarter; closed orders found false; the county's weights
changed. SQLite only: the fixed story of tests/projections/test_evaluation_views.py runs on both
stores, and this test is about the histories, not the store."""

from __future__ import annotations

import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.application import Sishuang
from domain.clock import ManualClock
from projections import ReadModels, directory, evaluation, members, resources
from projections.store import ReadStore
from tests.builders.evaluation import (
    YEAR,
    assert_sources_add_up,
    assert_views_match_the_log,
    caught_up,
)
from tests.builders.stores import sqlite_env
from tests.builders.stories import (
    STARTS,
    Story,
    casts,
    run,
    step,
)
from tests.builders.world import World

# -- the steps ------------------------------------------------------------------------------

steps = st.lists(step, min_size=3, max_size=12)


# Every kind of step, across three quarters: a correction, an order closed just after the
# first quarter's last midnight, a false order whose credit is in the quarter before its
# finding, checks that warn, a weight change, an activity across the second quarter's end.
@example(
    start=STARTS[0],
    cast=(False, [(False, True)]),  # 李娜 and 党员0 (人民医院) have not reported
    sequence=[
        ("close", 0, "2.5", "urgent", 5, "yes"),
        ("unrated", 1, "1", "normal"),
        ("low", 2, "1.5", "critical", 2, "partly", True),
        ("low", 0, "0.75", "normal", 1, "no", False),
        ("activity", "task_force", 1440, 3, [(0, None), (1, 90), (2, 30)], 30),
        ("community", 0, 0, 80, 90, 70, "new"),
        ("community", 0, 0, 85, 90, 75, "correct"),
        ("community", 1, 0, 60, 60, 60, "new"),  # 李娜 has not reported: refused
        ("unit", 2, 77, "either"),
        ("quarter_end", 90),
        ("close", 1, "2", "urgent", 4, "yes"),  # posted 22:30 on 31 March, closed in April
        ("check", 1),
        ("false", 0),
        ("policy", 0),
        ("community", 0, 0, 71, 70, 70, "either"),
        ("quarter_end", 90),
        # 22:40 on 30 June to 00:40, confirmed in July: the second quarter's hours.
        ("activity", "theme_month", 10, 2, [(1, None), (0, 60)], 0),
        ("check", 1),
    ],
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(STARTS), cast=casts, sequence=steps)
def test_the_views_equal_a_recomputation_from_the_events(
    start: datetime, cast: tuple[bool, list[tuple[bool, bool]]], sequence: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(start)
        app = Sishuang(sqlite_env(Path(tmp) / "events.sqlite3"), clock=clock)
        try:
            read = ReadModels(app, run_projections=True)
            story = Story(World(app), clock, *cast)
            for each in sequence:
                run(story, each)
            store = caught_up(read)
            truth = assert_views_match_the_log(story, store)
            assert_sources_add_up(app, store, truth)
            assert_every_view_agrees(story, store, clock.now())
        finally:
            app.close()


def assert_every_view_agrees(s: Story, store: ReadStore, now: datetime) -> None:
    """One definition of a service that counts (issue 12): for every member, the service
    record, the resource ledger, the evaluation, the unit and community views and 公示
    show the same services and hours for the year, reversals (found false) included; and
    the county's totals are the members' sums."""
    world = s.world
    policy = evaluation.county_policy(store, str(world.county_id))
    community = directory.get_community(store, str(world.community_id))
    assert community is not None
    ledger = {
        r["member_id"]: r for r in resources.resource_ledger(store, str(world.community_id), YEAR)
    }
    in_community = {
        r["member_id"]: r
        for r in evaluation.community_view(store, community, YEAR, policy)["members"]
    }
    public = {
        r["name"]: r
        for r in evaluation.public_results(
            store, "m.community_id = ?", (str(world.community_id),), YEAR, policy
        )
    }
    services = hours = Decimal(0)
    for member_id in s.members:
        mid = str(member_id)
        member = members.get_member(store, mid)
        assert member is not None
        view = evaluation.member_view(store, member, YEAR, policy)["year_figures"]
        record = resources.service_record(store, mid, YEAR, now)["totals"]
        unit = directory.get_unit(store, member["unit_id"])
        assert unit is not None
        in_unit = {
            r["member_id"]: r for r in evaluation.unit_view(store, unit, YEAR, policy)["members"]
        }[mid]
        shown = [
            ("evaluation", view["services"], view["hours"]),
            ("service record", record["services"], record["hours"]),
            ("resource ledger", ledger[mid]["services_this_year"], ledger[mid]["hours_this_year"]),
            ("unit view", in_unit["services"], in_unit["hours"]),
            ("community view", in_community[mid]["services"], in_community[mid]["hours"]),
            ("公示", public[member["name"]]["services"], public[member["name"]]["hours"]),
        ]
        for where, count, total in shown:
            assert (count, Decimal(total)) == (view["services"], Decimal(view["hours"])), where
        assert record["ratings"] == view["ratings"]
        assert record["average_stars"] == view["average_stars"]
        # A false order is listed in the record, counting nothing.
        for order in resources.service_record(store, mid, YEAR, now)["orders"]:
            assert order["counted"] == (
                not order["found_false"] and Decimal(order["hours_credited"] or 0) > 0
            )
        services += view["services"]
        hours += Decimal(view["hours"])
    county = evaluation.county_view(store, str(world.county_id), [community], YEAR, policy)
    assert (county["totals"]["services"], Decimal(county["totals"]["hours"])) == (services, hours)
