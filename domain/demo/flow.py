"""The building blocks of a need's story, laid out forward from its posting: who in
the field may serve when (Staff), and how a need moves (Flow): applications, dispatch,
a decline, the work itself (accept, check in, photos, claim), a rating, the take window
running out, the joint meeting. Each need has its own dice (a Random), so one need's
calendar never changes another's."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.demo.county import CENTRES, COMMUNITIES, UNITS, near, unit_fits
from domain.demo.need_texts import (
    APPLY_NOTES,
    DECLINE_REASONS,
    DEFAULT_SERVICE_HOURS,
    FAIR_COMMENTS,
    GOOD_COMMENTS,
    LOW_COMMENTS,
    PARTLY_COMMENT,
    REDONE_COMMENTS,
    SERVICE_HOURS,
    TEAM_MEETING_NOTE,
    TEAMS,
    UNIT_MEETING_NOTE,
)
from domain.demo.plans import NeedPlan, Step
from domain.demo.registration import CountyPlan
from domain.demo.rules import Rules
from domain.demo.schedule import SWEEP_LAG, daytime

# How long people take, in hours (fewest, most); a time that falls outside working
# hours moves to the next morning, up to JITTER_MINUTES after it starts.
JITTER_MINUTES = 90
APPLY_AFTER_POST = (0.2, 30)
APPLICANTS = (1, 3)  # how many apply
DISPATCH_AFTER_APPLY = (0.5, 20)
DISPATCH_AFTER_POST = (0.5, 30)
DECLINE_AFTER_DISPATCH = (1, 12)
REDISPATCH_AFTER_DECLINE = (0.5, 12)
ACCEPT_AFTER_DISPATCH = (0.2, 8)
ARRIVE_AFTER_ACCEPT = (2, 40)
PHOTO_AFTER_ARRIVAL_MINUTES = (2, 8)
CLAIM_AFTER_DONE_MINUTES = (3, 40)
RATE_AFTER_CLAIM = (0.3, 12)
RATING_MARGIN = timedelta(minutes=10)  # a rating comes at least this long before the window ends
DISPATCH_AFTER_JOINT_MEETING = (2, 30)
JOINT_MEETING_AFTER_UNCLAIMED = (20, 96)
# Ratings: of a satisfied resident (five stars, four, or a middling "partly"), of one
# whose need was redone, of an unhappy one.
FIVE_STARS_SHARE = 0.68
FOUR_STARS_SHARE = 0.25  # the rest rate three stars, partly solved
REDONE_FIVE_STARS_SHARE = 0.6
LOW_STARS = (1, 2, 2)
# Check-ins scatter round the need in proportion to the check-in radius: most well
# inside it (±0.0006°, about 65 m, at 500 m), now and then one from far outside.
NEAR_CHECK_IN_DEGREES_PER_KM = Decimal("0.0012")
FAR_CHECK_IN_DEGREES_PER_KM = Decimal("0.016")
FAR_CHECK_IN_SHARE = 0.04
APPROVED_SETTLES = timedelta(minutes=10)  # a member is given needs this long after approval
FITTING_WEIGHT = 4.0  # a member whose skills fit is this much likelier to be picked


def photo_id(*parts: object) -> str:
    """A fake, deterministic photo id. The service only takes SHA-256 ids; the HTTP layer
    checks the photo's bytes were uploaded, the domain does not, so the demo's photos
    have ids and no bytes (their thumbnails do not load)."""
    return hashlib.sha256(("demo-photo-" + "-".join(map(str, parts))).encode()).hexdigest()


class NoMember(Exception):
    """No approved member of the community fits at that moment."""


class Staff:
    """Who in the field may do what, when: approved members by community (with the time
    they were approved), and how many needs each has been given so far."""

    def __init__(self, plan: CountyPlan, start: datetime) -> None:
        self.plan = plan
        self.approved_at: dict[int, datetime] = {}
        self.by_community: list[list[int]] = [[] for _ in COMMUNITIES]
        for i, m in enumerate(plan.members):
            if m.outcome == "approved":
                self.approved_at[i] = start + m.reviewed_at
                self.by_community[m.community].append(i)
        self.load: Counter[int] = Counter()
        self.skills_known: dict[int, datetime] = {
            i: start + m.profile_at for i, m in enumerate(plan.members) if "skills" in m.parts
        }

    def available(
        self, c: int, when: datetime, unit: int | None = None, exclude: tuple[int, ...] = ()
    ) -> list[int]:
        return [
            i
            for i in self.by_community[c]
            if self.approved_at[i] + APPROVED_SETTLES <= when
            and i not in exclude
            and (unit is None or self.plan.members[i].unit == unit)
        ]

    def pick(
        self,
        rng: random.Random,
        c: int,
        when: datetime,
        category: str,
        *,
        unit: int | None = None,
        exclude: tuple[int, ...] = (),
    ) -> int:
        """As a community worker picks: those whose skills fit first, the less busy first."""
        pool = self.available(c, when, unit, exclude)
        draw = rng.random()  # drawn whatever the pool, so the stream does not depend on it
        if not pool:
            raise NoMember
        weights = [
            (FITTING_WEIGHT if self.fits(i, category, when) else 1.0) / (1 + self.load[i])
            for i in pool
        ]
        total = sum(weights)
        running = 0.0
        for i, weight in zip(pool, weights, strict=True):
            running += weight
            if draw * total < running:
                return i
        return pool[-1]

    def fits(self, i: int, category: str, when: datetime) -> bool:
        known = self.skills_known.get(i)
        return known is not None and known <= when and category in self.plan.members[i].categories


class Flow:
    """Lays out one need's steps forward from its posting, with one need's dice."""

    def __init__(
        self,
        rng: random.Random,
        staff: Staff,
        need: NeedPlan,
        unit_ids: list[int],
        rules: Rules,
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.need = need
        self.paired_units = unit_ids
        self.rules = rules
        self.steps: list[Step] = []
        self.horizon: datetime | None = None
        self.served: list[int] = []
        self.photos = 0

    def after(self, when: datetime, low: float, high: float) -> datetime:
        """Some hours later, in working hours."""
        later = when + timedelta(hours=self.rng.uniform(low, high))
        return daytime(later, self.rng.uniform(0, JITTER_MINUTES)).replace(microsecond=0)

    def step(self, when: datetime, op: str, member: int | None = None, **args: Any) -> datetime:
        self.steps.append(Step(when, op, member, args))
        self.expect(when)
        return when

    def expect(self, when: datetime) -> None:
        """Something happens then (a step, or the sweep acting on a passed deadline)."""
        self.horizon = when if self.horizon is None else max(self.horizon, when)

    def pick(
        self, when: datetime, *, unit: int | None = None, exclude: tuple[int, ...] = ()
    ) -> int:
        member = self.staff.pick(
            self.rng, self.need.community, when, self.need.category, unit=unit, exclude=exclude
        )
        self.served.append(member)
        return member

    # -- to a dispatched member ----------------------------------------------------------

    def dispatched(self, posted: datetime, how: str) -> tuple[int, datetime]:
        """From posting to a dispatched member: directly ("direct"), after applications
        ("applied"), or after the first member declined ("declined")."""
        if how == "applied":
            return self._dispatched_after_applications(posted)
        when = self.after(posted, *DISPATCH_AFTER_POST)
        member = self.pick(when)
        self.step(when, "dispatch", member)
        if how == "declined":
            declined = self.after(when, *DECLINE_AFTER_DISPATCH)
            self.step(declined, "decline", member, reason=self.rng.choice(DECLINE_REASONS))
            when = self.after(declined, *REDISPATCH_AFTER_DECLINE)
            member = self.pick(when, exclude=(member,))
            self.step(when, "dispatch", member)
        return member, when

    def _dispatched_after_applications(self, posted: datetime) -> tuple[int, datetime]:
        count = self.rng.randint(*APPLICANTS)
        times = sorted(self.after(posted, *APPLY_AFTER_POST) for _ in range(count))
        applicants: list[int] = []
        for when in times:
            try:
                member = self.pick(when, exclude=tuple(applicants))
            except NoMember:
                if applicants:
                    continue
                raise
            applicants.append(member)
            self.step(when, "apply", member, note=self.rng.choice(APPLY_NOTES))
        chosen = applicants[self.rng.randrange(len(applicants))]
        when = self.after(times[-1], *DISPATCH_AFTER_APPLY)
        return chosen, self.step(when, "dispatch", chosen)

    # -- the work --------------------------------------------------------------------------

    def work(
        self,
        member: int,
        when: datetime,
        *,
        accept: bool = True,
        gap: tuple[float, float] = ARRIVE_AFTER_ACCEPT,
        upto: str = "claim",
    ) -> datetime:
        """Accept, go there (check in), photos before and after, claim the hours; or
        stop `upto` "accept" or "check_in"."""
        if accept:
            when = self.step(self.after(when, *ACCEPT_AFTER_DISPATCH), "accept", member)
            if upto == "accept":
                return when
        arrived = self.step(self.after(when, *gap), "check_in", member, point=self.check_in_point())
        before = arrived + timedelta(minutes=self.rng.randint(*PHOTO_AFTER_ARRIVAL_MINUTES))
        self.step(before, "photo", member, kind="before", sha256=self.photo())
        if upto == "check_in":
            return before
        drawn = self.rng.choice(SERVICE_HOURS.get(self.need.category, DEFAULT_SERVICE_HOURS))
        hours = self.rules.on_step(drawn)
        done = arrived + timedelta(hours=float(hours))
        self.step(done, "photo", member, kind="after", sha256=self.photo())
        claimed = done + timedelta(minutes=self.rng.randint(*CLAIM_AFTER_DONE_MINUTES))
        return self.step(claimed, "claim", member, hours=hours, note=self.need.done_note)

    def photo(self) -> str:
        self.photos += 1
        return photo_id(self.need.community, self.need.index, self.photos)

    def check_in_point(self) -> tuple[str, str]:
        centre = CENTRES[self.need.community]
        if self.need.location is not None:
            centre = (float(self.need.location[0]), float(self.need.location[1]))
        far = self.rng.random() < FAR_CHECK_IN_SHARE  # now and then someone checks in from afar
        per_km = FAR_CHECK_IN_DEGREES_PER_KM if far else NEAR_CHECK_IN_DEGREES_PER_KM
        return near(self.rng, centre, self.rules.spread(per_km))

    # -- the rating --------------------------------------------------------------------------

    def rate(self, claimed: datetime, stars: int, comment: str, solved: str) -> datetime:
        """Rated some hours after the claim, always within the rating window."""
        latest = claimed + self.rules.rating_window - RATING_MARGIN
        when = self.after(claimed, *RATE_AFTER_CLAIM)
        if when >= latest:  # never after the window
            low, high = RATE_AFTER_CLAIM
            hours = (latest - claimed) / timedelta(hours=1)
            when = claimed + timedelta(hours=self.rng.uniform(low, min(high, hours)))
        return self.step(
            when.replace(microsecond=0), "rate", stars=stars, comment=comment, solved=solved
        )

    def rate_well(self, claimed: datetime, redone: bool = False) -> datetime:
        """A rating that closes the order."""
        roll, satisfied = self.rng.random(), self.rules.satisfied
        if redone:
            stars = 5 if roll < REDONE_FIVE_STARS_SHARE else 4
            return self.rate(claimed, satisfied(stars), self.rng.choice(REDONE_COMMENTS), "yes")
        if roll < FIVE_STARS_SHARE:
            return self.rate(claimed, satisfied(5), self.rng.choice(GOOD_COMMENTS), "yes")
        if roll < FIVE_STARS_SHARE + FOUR_STARS_SHARE:
            return self.rate(claimed, satisfied(4), self.rng.choice(FAIR_COMMENTS), "yes")
        return self.rate(claimed, satisfied(3), PARTLY_COMMENT, "partly")

    def rate_low(self, claimed: datetime) -> datetime:
        """A rating that goes to the community to decide."""
        comment, solved = self.rng.choice(LOW_COMMENTS)
        return self.rate(claimed, self.rules.low(self.rng.choice(LOW_STARS)), comment, solved)

    # -- nobody takes it: the joint meeting ------------------------------------------------

    def unclaimed(self, posted: datetime) -> datetime:
        """Nobody applies: the sweep marks it unclaimed; the next joint meeting decides."""
        deadline = posted + self.rules.take_window
        self.expect(deadline + SWEEP_LAG)
        return self.after(deadline, *JOINT_MEETING_AFTER_UNCLAIMED)

    def joint_meeting(self, when: datetime, to_unit: bool) -> tuple[int, datetime]:
        """The 大党委 / 党建联席会议 gives it to a paired unit (whose admin then picks a member
        of theirs who serves here) or to a team (the community then dispatches)."""
        dispatch_at = self.after(when, *DISPATCH_AFTER_JOINT_MEETING)
        units = list(self.paired_units)
        self.rng.shuffle(units)
        units.sort(key=lambda u: not unit_fits(u, self.need.category))  # fitting ones first
        if to_unit:
            for u in units:
                if self.staff.available(self.need.community, dispatch_at, unit=u):
                    note = UNIT_MEETING_NOTE.format(UNITS[u].name)
                    self.step(when, "joint_meeting", kind="unit", unit=u, note=note)
                    member = self.pick(dispatch_at, unit=u)
                    return member, self.step(dispatch_at, "dispatch", member, by_unit=u)
            raise NoMember
        team = self.rng.choice(TEAMS)
        note = TEAM_MEETING_NOTE.format(team)
        self.step(when, "joint_meeting", kind="team", team=team, note=note)
        member = self.pick(dispatch_at)
        return member, self.step(dispatch_at, "dispatch", member)
