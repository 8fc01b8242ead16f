"""When each need happens: its posting is chosen so that its whole story fits before
the end ("today"), closed ones anywhere from NEEDS_FROM_DAY on, open ones so that they
are where their fate leaves them at the end (no deadline passed that would move them
on). A need that cannot be told (too few members yet) falls back to a fate needing
fewer members."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.demo.fates import FALLBACKS, build_need
from domain.demo.flow import RATING_MARGIN, Flow, NoMember, Staff
from domain.demo.plans import NeedPlan
from domain.demo.registration import CountyPlan
from domain.demo.rules import Rules
from domain.demo.schedule import SWEEP_LAG, daytime

NEEDS_FROM_DAY = 9  # needs that members serve start once a few members are approved
EARLY_NEEDS_FROM_DAY = 5  # needs no member serves (rejected, cancelled, just posted)
EARLY_FATES = ("rejected", "cancelled", "open_posted_fresh")
POSTING_HOURS = (7, 21)  # residents post from 07:00 to 21:00
POSTING_JITTER_MINUTES = 120
# Hours before the end of the story at which an open need's latest step happens.
OPEN_ANCHORS: dict[str, tuple[float, float]] = {
    "open_posted_applied": (3, 40),
    "open_posted_fresh": (1, 40),
    "open_dispatched": (1, 30),
    "open_in_progress": (1, 40),
    "open_claimed": (1, 18),
    "open_low_rated": (1, 30),
    "open_unclaimed": (2, 40),
    "open_assigned": (2, 60),
    "open_overdue": (2, 60),
}
CLOSED_ANCHOR = (1, 2)  # drawn for every need, so the dice do not depend on the fate
CLOSED_MARGIN_HOURS = (2, 48)  # a closed need's story ends this long before today
OPEN_POSTED_BEFORE_ANCHOR = timedelta(days=3)  # the first aim for an open need
MATCHED_POSTED_BEFORE_HOURS = (20, 44)  # a matched need is posted before its meeting
MATCHED_POSTED_BY = timedelta(hours=1)  # ... at least this long before it
AIMS = 8  # tries to aim a story's end at its target
TOO_EARLY_STEP = timedelta(days=2)  # no member fits yet: try this much later
CLOSE_ENOUGH = timedelta(minutes=5)
SCAN_STEP = timedelta(hours=1)  # failing the aim, scan back from the end by this much
# Margins that keep an open need short of its next deadline at the end.
TAKE_MARGIN = timedelta(hours=1)
OVERDUE_MARGIN = timedelta(days=1)
NOT_YET_OVERDUE = ("open_dispatched", "open_in_progress", "open_assigned")


def fits(fate: str, flow: Flow, end: datetime, rules: Rules) -> bool:
    """Whether the laid-out need is, at the end, where its fate leaves it: everything
    (steps, and what the sweep does) by then, and no deadline passed that would change
    an open need's state (an unrated claim, an unclaimed post, an overdue order)."""
    if flow.horizon is None or flow.horizon > end - SWEEP_LAG:
        return False
    last = flow.steps[-1].when
    if fate == "open_claimed":
        return last > end - (rules.rating_window - RATING_MARGIN)
    if fate == "open_posted_fresh":
        return last > end - (rules.take_window - TAKE_MARGIN)
    if fate in NOT_YET_OVERDUE:
        return last > end - (rules.overdue_after - OVERDUE_MARGIN)
    return True


class _Placer:
    """One need's placement, with its own dice for when (separate from its story's)."""

    def __init__(
        self,
        seed: int,
        need: NeedPlan,
        staff: Staff,
        plan: CountyPlan,
        rules: Rules,
        window: tuple[datetime, datetime],
        meeting: datetime,
    ) -> None:
        start, self.end = window
        self.need, self.staff, self.rules, self.meeting = need, staff, rules, meeting
        self.key = f"{seed}/{need.community}/{need.index}"
        dice = random.Random(self.key + "/when")
        self.spot = dice.random()
        self.margin = dice.uniform(*CLOSED_MARGIN_HOURS)
        self.jitter = dice.uniform(0, POSTING_JITTER_MINUTES)
        anchor_low, anchor_high = OPEN_ANCHORS.get(need.fate, CLOSED_ANCHOR)
        self.anchor = self.end - timedelta(hours=dice.uniform(anchor_low, anchor_high))
        self.matched_before = timedelta(hours=dice.uniform(*MATCHED_POSTED_BEFORE_HOURS))
        self.paired = [u for u, cs in enumerate(plan.pairings) if need.community in cs]
        early = need.fate in EARLY_FATES
        self.earliest = start + timedelta(days=EARLY_NEEDS_FROM_DAY if early else NEEDS_FROM_DAY)

    def lay_out(self, fate: str, posted: datetime) -> Flow | None:
        """The need's steps if posted then (None: no member fits)."""
        posted = daytime(posted, self.jitter, *POSTING_HOURS).replace(microsecond=0)
        flow = Flow(random.Random(self.key), self.staff, self.need, self.paired, self.rules)
        self.need.matched_member = None
        try:
            build_need(flow, fate, posted, self.meeting if fate == "matched" else None)
        except NoMember:
            return None
        return flow

    def place(self, fate: str) -> Flow | None:
        if fate == "matched":
            return self._place_matched()
        return self._aim(fate) or self._scan_back(fate)

    def _place_matched(self) -> Flow | None:
        flow = self.lay_out("matched", self.meeting - self.matched_before)
        if flow is None or not fits("matched", flow, self.end, self.rules):
            return None
        return flow if flow.steps[0].when < self.meeting - MATCHED_POSTED_BY else None

    def _aim(self, fate: str) -> Flow | None:
        """Aim the latest step at the anchor (open) or anywhere before the end (closed);
        working hours make the aim jumpy, so it is corrected a few times."""
        is_open = fate.startswith("open")
        end, earliest = self.end, self.earliest
        if is_open:
            posted = self.anchor - OPEN_POSTED_BEFORE_ANCHOR
        else:
            posted = earliest + self.spot * (end - earliest)
        found: Flow | None = None
        for _ in range(AIMS):
            flow = self.lay_out(fate, posted)
            if flow is None:  # too early for enough members: later
                posted += TOO_EARLY_STEP
                if posted > end:
                    break
                continue
            if fits(fate, flow, end, self.rules):
                found = flow
            assert flow.horizon is not None
            margin = timedelta(hours=self.margin)
            target = self.anchor if is_open else min(flow.horizon, end - margin)
            shift = flow.horizon - target
            if abs(shift) < CLOSE_ENOUGH:
                break
            posted = max(posted - shift, earliest)
        return found

    def _scan_back(self, fate: str) -> Flow | None:
        """Failing the aim: the latest posting, hour by hour back, whose story fits."""
        posted = self.end - SCAN_STEP
        while posted >= self.earliest:
            flow = self.lay_out(fate, posted)
            if flow is not None and fits(fate, flow, self.end, self.rules):
                return flow
            posted -= SCAN_STEP
        return None


def place_need(
    seed: int,
    need: NeedPlan,
    staff: Staff,
    plan: CountyPlan,
    rules: Rules,
    window: tuple[datetime, datetime],
    meeting: datetime,
) -> None:
    """Choose when the need is posted so that its story fits in the window (start, end],
    and fix its steps; falls back to a fate with fewer members if need be (in the end
    to one needing none: cancelled before anyone took it, or just posted)."""
    placer = _Placer(seed, need, staff, plan, rules, window, meeting)
    fallbacks = (need.fate, *FALLBACKS.get(need.fate, ()))
    fallbacks += ("open_posted_fresh",) if need.fate.startswith("open") else ("cancelled_plain",)
    for fate in fallbacks:
        placed = placer.place(fate)
        if placed is not None:
            break
    assert placed is not None, need  # cancelled_plain and open_posted_fresh need no member
    need.fate = fate
    need.steps = placed.steps
    need.posted_at = placed.steps[0].when
    if fate == "matched":
        need.matched_member = placed.served[0]
    staff.load.update(placed.served)
