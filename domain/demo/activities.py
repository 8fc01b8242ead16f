"""Group activities: in each community two or three past ones on Saturdays (a 红色服务日,
a theme month's, now and then a task force's), with members signing in and out and the
community confirming the list; and one planned for the coming weeks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from domain.demo.county import CENTRES, COMMUNITIES, near
from domain.demo.field import Field
from domain.demo.flow import Staff
from domain.demo.plans import ActivityPlan
from domain.demo.rules import Rules
from domain.demo.schedule import CST, daytime, local

# The titles of each kind, where they are held.
ACTIVITY_TITLES: dict[str, tuple[str, ...]] = {
    "red_service_day": (
        "红色服务日·义诊进社区",
        "红色服务日·环境卫生大扫除",
        "红色服务日·防诈骗宣传进小区",
        "红色服务日·便民维修服务",
        "红色服务日·冬季安全用电检查",
    ),
    "theme_month": (
        "“关爱一老一小”主题服务月集中服务",
        "“法治进社区”主题服务月普法宣传",
        "“文明城市创建”主题服务月志愿服务",
    ),
    "task_force": (
        "老旧小区改造攻坚组入户征求意见",
        "背街小巷环境整治攻坚",
        "加装电梯意见征集攻坚组走访",
    ),
}
ACTIVITY_PLACES = ("党群服务中心", "文化广场", "社区活动室")
# The past activities: kind and the story's day from which its Saturday is sought.
PAST_ACTIVITIES = (("red_service_day", 26), ("theme_month", 40))
TASK_FORCE = ("task_force", 54)
TASK_FORCE_SHARE = 0.6  # communities with a task force's activity
UPCOMING_KIND = "red_service_day"
UPCOMING_AFTER_DAYS = 3  # the coming one: the Saturday after today and this many days
SATURDAY = 5
DAYS_LATER = (0, 7)  # ... or up to a week later
MORNING_SHARE = 0.7
MORNING, AFTERNOON = (9, 0), (14, 30)
DURATION_HOURS = (2, 2.5, 3)
LOCATION_SPREAD = 0.002  # degrees round the community's centre
PLANNED_DAYS_BEFORE = (4, 9)
PLANNED_JITTER_MINUTES = (60, 120)
UPCOMING_PLANNED_HOURS_AGO = (1, 20)  # the coming one is planned by today
ATTENDEES = (5, 15)
SIGN_IN_MINUTES = (-40, 30)  # round the start
SIGN_OUT_MINUTES = (-30, 20)  # round the end
FORGOT_SIGN_OUT_SHARE = 0.15  # counted to the end
# Sign-ins scatter round the place in proportion to the check-in radius (±0.0004° at
# 500 m).
SIGN_IN_DEGREES_PER_KM = Decimal("0.0008")
CONFIRM_AFTER_HOURS = (1, 20)
CONFIRM_JITTER_MINUTES = 90

Attendee = tuple[int, datetime, datetime | None, tuple[str, str]]


def plan_activities(
    seed: int, c: int, staff: Staff, rules: Rules, window: tuple[datetime, datetime]
) -> list[ActivityPlan]:
    """Community c's activities, the past ones with their attendees, then the coming one."""
    start, end = window
    dice = random.Random(f"{seed}/{c}/activities")
    first_day = start.astimezone(CST).date()
    last_day = end.astimezone(CST).date()
    kinds = list(PAST_ACTIVITIES)
    if dice.random() < TASK_FORCE_SHARE:
        kinds.append(TASK_FORCE)
    used: set[str] = set()
    out = []
    for kind, from_day in [*kinds, (UPCOMING_KIND, -1)]:
        upcoming = from_day < 0
        if upcoming:
            day = last_day + timedelta(days=UPCOMING_AFTER_DAYS)
        else:
            day = first_day + timedelta(days=from_day)
        day += timedelta(days=dice.randint(*DAYS_LATER))
        while day.weekday() != SATURDAY:
            day += timedelta(days=1)
        starts = local(day, *(MORNING if dice.random() < MORNING_SHARE else AFTERNOON))
        ends = starts + timedelta(hours=dice.choice(DURATION_HOURS))
        title = dice.choice([t for t in ACTIVITY_TITLES[kind] if t not in used])
        used.add(title)
        place = COMMUNITIES[c].name + dice.choice(ACTIVITY_PLACES)
        location = near(dice, CENTRES[c], LOCATION_SPREAD)
        before = timedelta(days=dice.uniform(*PLANNED_DAYS_BEFORE))
        planned = daytime(starts - before, dice.uniform(*PLANNED_JITTER_MINUTES))
        attendees: list[Attendee] = []
        confirm_at = None
        if upcoming:
            ago = timedelta(hours=dice.uniform(*UPCOMING_PLANNED_HOURS_AGO))
            planned = min(planned, end - ago)
        else:
            attendees = _attendees(dice, staff.available(c, planned), starts, ends, location, rules)
            later = ends + timedelta(hours=dice.uniform(*CONFIRM_AFTER_HOURS))
            confirm_at = daytime(later, dice.uniform(0, CONFIRM_JITTER_MINUTES))
        planned = planned.replace(microsecond=0)
        plan = ActivityPlan(
            c, kind, title, place, location, planned, starts, ends, attendees, confirm_at
        )
        out.append(plan)
    return out


def _attendees(
    dice: random.Random,
    pool: list[int],
    starts: datetime,
    ends: datetime,
    location: tuple[str, str],
    rules: Rules,
) -> list[Attendee]:
    """Who came (some of the approved members), when they signed in and out, and where."""
    count = min(len(pool), dice.randint(*ATTENDEES))
    centre = (float(location[0]), float(location[1]))
    out: list[Attendee] = []
    for member in sorted(dice.sample(pool, count)):
        signed_in = starts + timedelta(minutes=dice.uniform(*SIGN_IN_MINUTES))
        signed_out: datetime | None = ends + timedelta(minutes=dice.uniform(*SIGN_OUT_MINUTES))
        if dice.random() < FORGOT_SIGN_OUT_SHARE:
            signed_out = None  # forgot: counted to the end
        point = near(dice, centre, rules.spread(SIGN_IN_DEGREES_PER_KM))
        out.append((member, signed_in.replace(microsecond=0), signed_out, point))
    return out


# -- issued ------------------------------------------------------------------------------


def schedule_activities(field: Field) -> None:
    """Each activity planned, its sign-ins and sign-outs, its list confirmed (by today)."""
    at = field.schedule.at
    for a, activity in enumerate(field.story.activities):
        at(activity.planned_at, partial(_plan_activity, field, a))
        for i, signed_in, signed_out, point in activity.attendees:
            at(signed_in, partial(_sign, field, a, i, point, False))
            if signed_out is not None:
                at(signed_out, partial(_sign, field, a, i, point, True))
        if activity.confirm_at is not None and activity.confirm_at <= field.today:
            at(activity.confirm_at, partial(_confirm, field, a))


def _plan_activity(field: Field, a: int) -> None:
    activity = field.story.activities[a]
    c = activity.community
    field.activity_ids[a] = field.app.plan_activity(
        field.admin(c),
        community_id=field.community_ids[c],
        kind=activity.kind,
        title=activity.title,
        place=activity.place,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        lat=activity.location[0],
        lon=activity.location[1],
    ).id
    field.summary["activities"] += 1


def _sign(field: Field, a: int, i: int, point: tuple[str, str], out: bool) -> None:
    command = field.app.sign_out if out else field.app.sign_in
    command(field.member(i), field.activity_ids[a], *point)


def _confirm(field: Field, a: int) -> None:
    community = field.story.activities[a].community
    field.app.confirm_activity(field.admin(community), field.activity_ids[a])
