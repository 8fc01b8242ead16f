"""The story of the last ten weeks, planned before anything is issued: 群众 register
(some by a grid worker, without a phone); they, grid workers and the 议事会 post needs
(民生需求台账) with their fates; each community holds one monthly matching meeting; and
the group activities (domain.demo.activities).

What each thing is (who lives where, what they ask for, how it ends) comes from the
seed alone, on its own stream; when it happens is laid out against the calendar
between `start` and `end` (working hours, the first days of a month), each need with
its own dice, so the calendar never changes what is asked for.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.demo.activities import plan_activities
from domain.demo.county import CENTRES, COMMUNITIES, address, near
from domain.demo.fates import fates
from domain.demo.flow import Staff, photo_id
from domain.demo.need_texts import (
    CATEGORY_WEIGHTS,
    CHILD_REQUESTERS,
    COUNCIL_REQUESTER,
    ELDERLY_REQUESTERS,
    FOR_THE_ELDERLY,
    HARD_NEEDS,
    HOUSEHOLD_REQUESTERS,
    IMPROPER_NEEDS,
    NEEDS,
    PREFERRED_TIMES,
    SOURCE_WEIGHTS,
    URGENCY_WEIGHTS,
    WECHAT_REQUESTERS,
    WISHES,
)
from domain.demo.people import RESIDENT_PHONE_PREFIXES, person, phone
from domain.demo.placement import place_need
from domain.demo.plans import MatchingPlan, NeedPlan, ResidentPlan, Story
from domain.demo.registration import CountyPlan
from domain.demo.rules import Rules
from domain.demo.schedule import CST, daytime, local

# 群众: most register in the first fortnight after the community promotes the app.
ELDERLY_SHARE = 0.2  # residents a grid worker registers, without a phone
EARLY_RESIDENT_SHARE = 0.6
EARLY_RESIDENT_DAYS = (3, 14)
LATE_RESIDENT_DAYS = (14, 64)
RESIDENT_HOURS = (8, 19)  # a grid worker or the app's residents register in the day
JITTER_MINUTES = 90
# The monthly matching meeting: in the first month that starts after members settle,
# on one of the first days (before the policy's day), at 09:30.
MATCHING_MONTH_AFTER_DAYS = 25
MATCHING_TIME = (9, 30)
# What a need is like.
REJECTED_SOURCES = ("app", "app", "wechat")
HARD_SOURCES = ("council", "council", "visit")
HARD_FATES = ("unclaimed", "open_unclaimed", "open_assigned")  # the ones no member takes
REJECTED_PEOPLE = (1, 3)
HARD_URGENT_SHARE = 0.5  # a hard need posted as normal is made urgent this often
LOCATED_SHARE = 0.6  # needs with a location on the map (a wish card's less often)
LOCATED_WISH_SHARE = 0.35
LOCATION_SPREAD = 0.004  # degrees round the community's centre
PHOTO_SHARE = 0.3  # of the needs posted in the app
# Who asked: a registered resident (a visit or wish card: often one without a phone).
REGISTERED_BEFORE = timedelta(minutes=30)
REGISTERED_REQUESTER_SHARE = 0.6


def plan_story(
    seed: int,
    plan: CountyPlan,
    rules: Rules,
    window: tuple[datetime, datetime],
    residents_per_community: int,
    needs_per_community: int,
) -> Story:
    """The residents, the needs and their fates, the activities and the matching meetings
    in the window (start, end]."""
    start = window[0]
    content = random.Random(f"sishuang-demo-story-{seed}")
    story = Story()
    staff = Staff(plan, start)
    _plan_residents(content, plan, story, start, residents_per_community)
    meetings = _plan_matchings(content, story, rules, start)
    for c in range(len(COMMUNITIES)):
        for i, fate in enumerate(fates(content, needs_per_community)):
            story.needs.append(_need(content, plan, c, i, fate))
    for n, need in enumerate(story.needs):
        place_need(seed, need, staff, plan, rules, window, meetings[need.community])
        _choose_requester(seed, need, story)
        if need.matched_member is not None:
            story.matchings[need.community].needs.append(n)
    for c in range(len(COMMUNITIES)):
        story.activities += plan_activities(seed, c, staff, rules, window)
    return story


def _plan_residents(
    content: random.Random, plan: CountyPlan, story: Story, start: datetime, per_community: int
) -> None:
    names = {m.name for m in plan.members}
    phones = {m.phone for m in plan.members}
    for c in range(len(COMMUNITIES)):
        for _ in range(per_community):
            name = person(content, names)
            elderly = content.random() < ELDERLY_SHARE
            number = "" if elderly else phone(content, phones, RESIDENT_PHONE_PREFIXES)
            early = content.random() < EARLY_RESIDENT_SHARE
            day = content.uniform(*EARLY_RESIDENT_DAYS if early else LATE_RESIDENT_DAYS)
            jitter = content.uniform(0, JITTER_MINUTES)
            at = daytime(start + timedelta(days=day), jitter, *RESIDENT_HOURS)
            grid = content.choice(plan.grids[c])
            home = address(content, c)
            story.residents.append(
                ResidentPlan(c, name, number, home, grid, at.replace(microsecond=0))
            )


def _plan_matchings(
    content: random.Random, story: Story, rules: Rules, start: datetime
) -> list[datetime]:
    """The monthly matching meeting of each community, before the policy's day."""
    last = max(0, rules.matching_before_day - 2)  # the 1st plus at most this many days
    meetings: list[datetime] = []
    for c in range(len(COMMUNITIES)):
        first_of_month = start.astimezone(CST).date() + timedelta(days=MATCHING_MONTH_AFTER_DAYS)
        while first_of_month.day != 1:
            first_of_month += timedelta(days=1)
        day = first_of_month + timedelta(days=content.randint(min(1, last), last))
        when = local(day, *MATCHING_TIME)
        meetings.append(when)
        story.matchings.append(MatchingPlan(c, when, when.astimezone(CST).strftime("%Y-%m")))
    return meetings


def _need(content: random.Random, plan: CountyPlan, c: int, i: int, fate: str) -> NeedPlan:
    """What need i of community c is: what it asks, how urgent, from whom, where."""
    source = content.choices([s for s, _ in SOURCE_WEIGHTS], [w for _, w in SOURCE_WEIGHTS])[0]
    hard, reason = False, ""
    if fate == "rejected":
        category, text, reason = content.choice(IMPROPER_NEEDS)
        done, (low, high) = "", REJECTED_PEOPLE
        source = content.choice(REJECTED_SOURCES)
    elif fate.startswith(HARD_FATES) or source == "council":
        category, text, done, low, high = content.choice(HARD_NEEDS)
        hard = True
        source = content.choice(HARD_SOURCES)
    elif source == "wish_card":
        category, text, done = content.choice(WISHES)
        low = high = 1
    else:
        category = content.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        text, done, low, high = content.choice(NEEDS[category])
    urgency = content.choices([u for u, _ in URGENCY_WEIGHTS], [w for _, w in URGENCY_WEIGHTS])[0]
    if hard and urgency == "normal" and content.random() < HARD_URGENT_SHARE:
        urgency = "urgent"
    location = None
    if content.random() < (LOCATED_WISH_SHARE if source == "wish_card" else LOCATED_SHARE):
        location = near(content, CENTRES[c], LOCATION_SPREAD)
    photos: tuple[str, ...] = ()
    if source == "app" and content.random() < PHOTO_SHARE:
        photos = (photo_id(c, i, 0),)
    return NeedPlan(
        community=c,
        index=i,
        fate=fate,
        category=category,
        content=text,
        done_note=done,
        urgency=urgency,
        people=content.randint(low, high),
        source=source,
        grid=content.choice(plan.grids[c]),
        location=location,
        preferred_time=content.choice(PREFERRED_TIMES),
        photos=photos,
        reject_reason=reason,
        requester_name=content.choice(_requester_names(source, category)),
    )


def _requester_names(source: str, category: str) -> tuple[str, ...]:
    """Who asked, when it is not a registered resident: by who is likely to ask for it."""
    if source == "council":
        return (COUNCIL_REQUESTER,)
    if source == "wechat":
        return WECHAT_REQUESTERS
    if category in ("childcare", "education"):
        return CHILD_REQUESTERS
    if category in FOR_THE_ELDERLY or source == "wish_card":
        return ELDERLY_REQUESTERS
    return HOUSEHOLD_REQUESTERS


def _choose_requester(seed: int, need: NeedPlan, story: Story) -> None:
    """Who asked: a registered resident where there is one (in the app: one with a phone;
    a grid worker's visit: often an elderly resident without one), else a name."""
    assert need.posted_at is not None
    dice = random.Random(f"{seed}/{need.community}/{need.index}/who")
    roll = dice.random()
    registered = [
        r
        for r, resident in enumerate(story.residents)
        if resident.community == need.community
        and resident.registered_at + REGISTERED_BEFORE <= need.posted_at
    ]
    with_phone = [r for r in registered if story.residents[r].phone]
    without = [r for r in registered if not story.residents[r].phone]
    share = REGISTERED_REQUESTER_SHARE
    if need.source == "app":
        if with_phone:
            need.resident = with_phone[int(roll * len(with_phone))]
        else:
            need.source = "visit"  # not in the app yet: the grid worker posts it
    elif need.source in ("visit", "wish_card") and roll < share and (without or registered):
        pool = without or registered
        need.resident = pool[int(roll / share * len(pool))]
    if need.resident is not None:
        need.grid = story.residents[need.resident].grid
