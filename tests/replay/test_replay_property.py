"""Property (issue 5): for random histories of a community, rebuilding its exported bundle
as of the end equals the live ledgers now, and rebuilding it as of a moment T equals the
live ledgers as they stood at T (captured during the history).

The histories are those of tests/projections/test_evaluation_property.py, built by
tests/builders/stories.py (orders closed rated, unrated or by the community, activities,
evaluations and corrections, checks, false orders, the county's weights changed, the
clock moved across quarters), plus orders left open at some stage (their days open count
to "now") and the sweep that turns their passed deadlines into events (unclaimed,
overdue, closed unrated).

At a few drawn moments the clock is moved on past the last event, the live read models
are caught up and their ledgers taken with that moment T as "now", and the clock is moved
on again before the next step: T falls strictly between two events' recorded times (the
clock never goes back), as `--as-of` needs. The ledgers on both sides are those of
replay.rebuild._ledgers: needs, resources, points, evaluation. SQLite only."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from domain.application import Sishuang
from domain.clock import ManualClock
from projections import ReadModels
from projections.settings import Settings
from replay import bundle as bundles
from replay.export import export_from
from replay.rebuild import Ledgers, _ledgers, rebuild
from tests.builders.evaluation import caught_up
from tests.builders.stores import sqlite_env
from tests.builders.stories import STARTS, Story, casts, member, run, step
from tests.builders.world import World

# Besides the evaluation property's steps: an order left open once posted, dispatched,
# accepted or claimed (waiting for a rating), and, so many days on, a sweep of the open
# ones (past the take window of 3 days, the rating window of 24 hours, the overdue window
# of 14 days, or none yet).
STAGES = ["posted", "dispatched", "accepted", "claimed"]
extra = st.one_of(
    st.tuples(st.just("open"), member, st.sampled_from(STAGES)),
    st.tuples(st.just("sweep"), st.sampled_from([0, 1, 4, 15])),
)
# One step in four of these (a one_of of both would draw them one time in eight).
more = st.integers(0, 3).flatmap(lambda n: extra if n == 0 else step)
steps = st.lists(more, min_size=3, max_size=12)

# After which step (taken modulo the history's length) to look at the live ledgers, and
# how far past the last event the moment T lies.
pause = st.sampled_from([timedelta(seconds=1), timedelta(minutes=5), timedelta(days=2)])
moments = st.lists(
    st.tuples(st.integers(0, 11), pause), min_size=1, max_size=3, unique_by=lambda m: m[0]
)


class Tale(Story):
    """Story, remembering the orders it left open."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.open: list[UUID] = []


def play(s: Tale, each: tuple[Any, ...]) -> None:
    if each[0] == "open":
        _, who, stage = each
        member_id = s.member_at(who)
        if stage == "claimed":
            s.open.append(s.done(member_id, "1"))
            return
        order_id = s.post()
        if stage != "posted":
            actor = s.world.member_actor(member_id)
            s.app.request_take(actor, order_id)
            s.app.dispatch(s.world.staff, order_id, member_id)
            if stage == "accepted":
                s.app.accept(actor, order_id)
        s.open.append(order_id)
    elif each[0] == "sweep":
        s.clock.advance(timedelta(days=each[1]))
        for what, n in s.app.sweep(s.open).items():
            if n:
                event(f"sweep: {what}")
    else:
        run(s, each)


def live(read: ReadModels, community_id: UUID, moment: datetime) -> Ledgers:
    """The live service's ledgers of the community at `moment`, as a rebuild shows them."""
    caught_up(read)
    scope = bundles.Bundle(manifest={"community_id": str(community_id)}, logs=[])
    return _ledgers(read, scope, moment, 0, None)


def last_recorded(app: Sishuang) -> datetime:
    head = app.recorder.max_notification_id()
    assert head is not None
    (notification,) = app.recorder.select_notifications(head, limit=1)
    recorded: Any = app.mapper.to_domain_event(notification)
    return recorded.timestamp


def assert_same(rebuilt: Ledgers, shown: Ledgers, when: str) -> None:
    assert (rebuilt.moment, rebuilt.year) == (shown.moment, shown.year), when
    for (stem, _, ours, _, key), (_, _, theirs, _, _) in zip(
        rebuilt.tables(), shown.tables(), strict=True
    ):
        assert [r[key] for r in ours] == [r[key] for r in theirs], (when, stem)
        for mine, yours in zip(ours, theirs, strict=True):
            differ = {k: (mine.get(k), yours.get(k)) for k in mine.keys() | yours.keys()}
            differ = {k: v for k, v in differ.items() if v[0] != v[1]}
            assert not differ, (when, stem, mine[key], differ)


# Every open stage; the sweep closing the claimed one unrated, then marking the posted one
# unclaimed, then the two dispatched ones overdue; looked at while they stood open, after
# the sweeps (at 1 second, 5 minutes and 2 days past the last event) and at the end.
@example(
    start=STARTS[1],
    cast=(True, []),
    sequence=[
        ("open", 0, "posted"),
        ("open", 1, "dispatched"),
        ("open", 0, "accepted"),
        ("open", 1, "claimed"),
        ("sweep", 1),
        ("close", 0, "2", "urgent", 5, "yes"),
        ("sweep", 4),
        ("false", 0),
        ("sweep", 15),
    ],
    moments=[
        (3, timedelta(seconds=1)),
        (4, timedelta(minutes=5)),
        (8, timedelta(days=2)),
    ],
    last=timedelta(days=2),
)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(STARTS), cast=casts, sequence=steps, moments=moments, last=pause)
def test_a_rebuild_as_of_any_moment_equals_the_live_ledgers_then(
    start: datetime,
    cast: tuple[bool, list[tuple[bool, bool]]],
    sequence: list[tuple[Any, ...]],
    moments: list[tuple[int, timedelta]],
    last: timedelta,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(start)
        app = Sishuang(sqlite_env(Path(tmp) / "events.sqlite3"), clock=clock)
        try:
            read = ReadModels(app, run_projections=True)
            story = Tale(World(app), clock, *cast)
            community = story.world.community_id
            pauses = {index % len(sequence): after for index, after in moments}
            captured: list[Ledgers] = []
            for index, each in enumerate(sequence):
                play(story, each)
                if index in pauses:
                    # Every event so far was recorded before T; every later one after it.
                    moment = clock.advance(pauses[index])
                    captured.append(live(read, community, moment))
                    clock.advance(timedelta(seconds=1))
            now = clock.advance(last)
            at_end = live(read, community, last_recorded(app))
            at_now = live(read, community, now)

            out = Path(tmp) / "bundle.zip"
            data = Settings(data_dir=Path(tmp) / "data", log_origin="sishuang.test")
            export_from(app, read, data, community, out, progress=False)
            bundle = bundles.read(out)
            log = sorted(
                (e for p in bundle.logs for e in p.events), key=lambda e: e["notification_id"]
            )
            times = [datetime.fromisoformat(e["recorded_at"]) for e in log]
            assert times == sorted(times)  # so each T parts the log in two

            assert_same(rebuild(bundle, progress=False), at_end, "the end")
            assert_same(rebuild(bundle, as_of=now, progress=False), at_now, "now")
            for shown in captured:
                moment = datetime.fromisoformat(shown.moment)
                assert_same(rebuild(bundle, as_of=moment, progress=False), shown, shown.moment)
        finally:
            app.close()
