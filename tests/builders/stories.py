"""Random histories of a small community's year (hypothesis strategies and the Story that
runs them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import event
from hypothesis import strategies as st

from domain.actors import Actor, Role
from domain.application import Commitment, Identity, Sishuang, Skills
from domain.calendar import BEIJING, business_date, quarter_end
from domain.clock import ManualClock
from domain.errors import DomainError
from tests.builders.evaluation import (
    NEW_WEIGHTS,
    YEAR,
    Scene,
)
from tests.builders.orders import NEAR, PLACE, Loop
from tests.builders.world import World

# When the county registers and approves its members: early in the year, or later, so
# that they answer for fewer quarters; one of them at 00:30 on 1 April in Beijing, still
# the first quarter in UTC (the second quarter's member, on Beijing dates).
STARTS = [
    datetime(YEAR, 1, 5, 1, 0, tzinfo=UTC),
    datetime(YEAR, 3, 31, 16, 30, tzinfo=UTC),
    datetime(YEAR, 9, 1, 1, 0, tzinfo=UTC),
]


# The clock stops moving on here, so that every step stays in the year the views show.
LAST = datetime(YEAR, 12, 10, 1, 0, tzinfo=UTC)


# County weight changes: three valid ones, back to the defaults, and one the county
# refuses (the levels would add up to 1.2).
WEIGHTS: list[dict[str, str]] = [
    NEW_WEIGHTS,
    {"eval_weight_residents": "0.2", "eval_weight_community": "0.4", "eval_weight_unit": "0.4"},
    {"eval_weight_results": "0.6", "eval_weight_feedback": "0.2", "eval_weight_assessment": "0.2"},
    {
        "eval_weight_residents": "0.3",
        "eval_weight_community": "0.4",
        "eval_weight_unit": "0.3",
        "eval_weight_results": "0.4",
        "eval_weight_feedback": "0.3",
        "eval_weight_assessment": "0.3",
    },
    {"eval_weight_residents": "0.5"},
]


class Story(Scene):
    """Scene's helpers (done, rated) on a cast of its own: Loop's 张伟 (reported) and
    李娜 (reported or not), and up to two more, each reported or not, of 财政局 (paired)
    or 人民医院 (by residence). Everyone serves 锦绣社区; 金村 has no one."""

    def __init__(
        self,
        world: World,
        clock: ManualClock,
        low_reported: bool,
        extras: list[tuple[bool, bool]],
    ) -> None:
        Loop.__init__(self, world, clock)  # not Scene's cast
        self.photos = 0
        self.admins = {
            world.unit_id: Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id),
            world.other_unit_id: Actor(Role.UNIT_ADMIN, "医院党办", world.other_unit_id),
        }
        reported = [True, low_reported]
        for i, (is_reported, in_hospital) in enumerate(extras):
            options: dict[str, object] = (
                {"unit_id": world.other_unit_id, "basis": "residence"} if in_hospital else {}
            )
            member_id = world.register(name=f"党员{i}", phone=f"1380000200{i}", **options)
            self.app.review_member(world.staff, member_id, approve=True)
            self.members.append(member_id)
            reported.append(is_reported)
        for member_id, is_reported in zip(self.members, reported, strict=True):
            if is_reported:
                self.app.update_member_profile(
                    world.member_actor(member_id),
                    member_id,
                    identity=Identity("科员"),
                    commitment=Commitment("每月服务两次", 24),
                    skills=Skills(["plumbing_electrical"], ["水电维修"]),
                )
        self.closed: list[UUID] = []  # orders closed, in order

    def approved(self) -> set[UUID]:
        return set(self.members)

    def member_at(self, index: int) -> UUID:
        return self.members[index % len(self.members)]

    def admin_of(self, member_id: UUID) -> Actor:
        return self.admins[self.app.member(member_id).unit_id]

    def quarter_now(self) -> int:
        return (business_date(self.clock.now()).month - 1) // 3 + 1


# Taken modulo the cast's size; 张伟 (reported) oftenest, so that evaluations meet.
member = st.sampled_from([0, 0, 0, 1, 2, 3])


hours = st.integers(1, 24).map(lambda n: str(Decimal(n) / 4))  # 0.25 to 6 hours


urgency = st.sampled_from(["normal", "urgent", "critical"])


solved = st.sampled_from(["yes", "partly", "no"])


score = st.integers(0, 100)


# An evaluation: "new" (refused if the period has one), "correct" the one in force
# (refused if none), or "either": a correction if there is one to correct, else new.
mode = st.sampled_from(["either", "either", "new", "correct"])


step = st.one_of(
    st.tuples(st.just("close"), member, hours, urgency, st.integers(3, 5), solved),
    st.tuples(st.just("unrated"), member, hours, urgency),
    st.tuples(st.just("low"), member, hours, urgency, st.integers(1, 2), solved, st.booleans()),
    st.tuples(
        st.just("activity"),
        st.sampled_from(["red_service_day", "theme_month", "task_force"]),
        st.sampled_from([10, 24 * 60]),  # minutes from now to its start
        st.integers(1, 4),  # hours it lasts
        # Who signs in at the start, and after how many minutes they sign out (None: not).
        st.lists(st.tuples(member, st.sampled_from([None, 30, 90, 300])), max_size=4),
        st.sampled_from([0, 2, 30]),  # hours after the end the list is confirmed
    ),
    # The current quarter, one or two back (not before the first), or the next (refused).
    st.tuples(
        st.just("community"),
        member,
        st.sampled_from([0, 0, 0, 1, 2, -1]),
        score,
        score,
        score,
        mode,
    ),
    st.tuples(st.just("unit"), member, score, mode),
    st.tuples(st.just("advance"), st.sampled_from([1, 6, 20, 45, 90])),  # days
    # To so many minutes before the quarter ends (midnight in Beijing, 16:00 UTC): the
    # next order closes in the next quarter, an activity starts there.
    st.tuples(st.just("quarter_end"), st.sampled_from([10, 90, 600])),
    st.tuples(st.just("quarter_end"), st.sampled_from([10, 90, 600])),
    # A quarter so many back (past the first: the current one, not over, refused).
    st.tuples(st.just("check"), st.integers(1, 3)),
    st.tuples(st.just("false"), st.integers(0, 15)),  # which closed order
    st.tuples(st.just("policy"), st.integers(0, len(WEIGHTS) - 1)),
)


casts = st.tuples(st.booleans(), st.lists(st.tuples(st.booleans(), st.booleans()), max_size=2))


def refusable(app: Sishuang, what: str, command: Callable[[], object]) -> None:
    """Run a command the drawn state may not allow; if refused, nothing was recorded."""
    before = app.recorder.max_notification_id()
    try:
        command()
    except DomainError as e:
        assert app.recorder.max_notification_id() == before, e
        event(f"{what} refused: {e.code}")
    else:
        event(
            f"{what} recorded" if app.recorder.max_notification_id() > before else f"{what} no-op"
        )


def correction(how: str, current: UUID | None) -> dict[str, Any]:
    """The corrects / reason arguments of an evaluation, for its mode (see `mode`)."""
    if how == "new" or (how == "either" and current is None):
        return {"corrects": None, "reason": ""}
    return {"corrects": current or uuid4(), "reason": "补充材料后更正"}


def run(s: Story, step: tuple[Any, ...]) -> None:
    app, world, clock, kind = s.app, s.world, s.clock, step[0]
    if kind == "close":
        _, who, spent, urgent, stars, answer = step
        s.closed.append(s.rated(s.done(s.member_at(who), spent, urgency=urgent), stars, answer))
    elif kind == "unrated":
        _, who, spent, urgent = step
        order_id = s.done(s.member_at(who), spent, urgency=urgent)
        clock.advance(timedelta(hours=24))
        assert app.sweep([order_id])["closed_unrated"] == 1
        s.closed.append(order_id)
    elif kind == "low":
        _, who, spent, urgent, stars, answer, credit = step
        order_id = s.rated(s.done(s.member_at(who), spent, urgency=urgent), stars, answer)
        app.decide_low_rating(
            world.staff, order_id, decision="close", reason="社区核实后结单", credit_hours=credit
        )
        s.closed.append(order_id)
    elif kind == "activity":
        _, activity_kind, lead, length, attendance, delay = step
        starts = clock.now() + timedelta(minutes=lead)
        ends = starts + timedelta(hours=length)
        activity_id = app.plan_activity(
            world.staff,
            community_id=world.community_id,
            kind=activity_kind,
            title="集中服务活动",
            place="社区广场",
            starts_at=starts,
            ends_at=ends,
            lat=PLACE[0],
            lon=PLACE[1],
        ).id
        stays = {s.member_at(who): stay for who, stay in reversed(attendance)}
        clock.set(starts)
        for member_id in stays:
            app.sign_in(world.member_actor(member_id), activity_id, *NEAR)
        leaving = [(m, stay) for m, stay in stays.items() if stay is not None]
        for member_id, minutes in sorted(leaving, key=lambda pair: pair[1]):
            clock.set(min(starts + timedelta(minutes=minutes), ends))
            app.sign_out(world.member_actor(member_id), activity_id, *NEAR)
        clock.set(ends + timedelta(hours=delay))
        app.confirm_activity(world.staff, activity_id)
    elif kind == "community":
        _, who, back, results, feedback, assessment, how = step
        member_id, quarter = s.member_at(who), max(1, s.quarter_now() - back)
        args = correction(how, app.member(member_id).community_evaluations.get((YEAR, quarter)))
        refusable(
            app,
            "community " + ("correction" if args["corrects"] else "evaluation"),
            lambda: app.evaluate_member(
                world.staff,
                member_id,
                year=YEAR,
                quarter=quarter,
                results=results,
                feedback=feedback,
                assessment=assessment,
                **args,
            ),
        )
    elif kind == "unit":
        _, who, points, how = step
        member_id = s.member_at(who)
        args = correction(how, app.member(member_id).unit_evaluations.get(YEAR))
        refusable(
            app,
            "unit " + ("correction" if args["corrects"] else "evaluation"),
            lambda: app.evaluate_member_by_unit(
                s.admin_of(member_id),
                member_id,
                year=YEAR,
                score=points,
                **args,
            ),
        )
    elif kind in ("advance", "quarter_end"):
        if kind == "advance":
            target = clock.now() + timedelta(days=step[1])
        else:
            end = quarter_end(YEAR, s.quarter_now()) + timedelta(days=1)
            target = datetime.combine(end, time(), BEIJING) - timedelta(minutes=step[1])
        clock.set(max(min(target, LAST), clock.now()))
    elif kind == "check":
        quarter = s.quarter_now() - step[1]
        if quarter < 1:
            quarter = s.quarter_now()
        refusable(
            app,
            "check",
            lambda: app.check_standards(
                world.org, year=YEAR, quarter=quarter, member_ids=s.members
            ),
        )
    elif kind == "false":
        if s.closed:
            order_id = s.closed[step[1] % len(s.closed)]
            refusable(
                app, "false", lambda: app.find_order_false(world.staff, order_id, "照片与现场不符")
            )
    elif kind == "policy":
        overrides = WEIGHTS[step[1]]
        refusable(
            app,
            "policy",
            lambda: app.change_policy(world.org, world.county_id, dict(overrides), "调整权重"),
        )
    else:  # pragma: no cover - the strategy draws no other
        raise AssertionError(kind)
