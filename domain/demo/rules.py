"""The county's policy values the story is laid against (domain.policies): the order
deadlines a need's steps keep or miss on purpose, the stars that close an order, the
step hours are claimed in, the check-in radius, the matching meeting's day, the
evaluation's scale, an inspection plan's reveal and disclosure deadlines. Read from
the county as the app holds it, so a different policy gives a story that keeps (and
misses) its rules the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from domain.policies import Policy


@dataclass(frozen=True)
class Rules:
    take_window: timedelta  # posted and nobody applied: unclaimed after this
    rating_window: timedelta  # completion claimed and not rated: closed unrated after this
    overdue_after: timedelta  # dispatched and not done: overdue after this
    satisfied_min_stars: int  # a rating this high closes the order; below, the community decides
    hours_step: Decimal  # hours are claimed in multiples of this
    checkin_radius_m: int  # a check-in farther from the need is flagged
    matching_before_day: int  # the monthly matching meeting is held before this day
    max_score: int  # the community's scores run from 0 to this
    reveal_window: timedelta  # an inspection plan's seed is revealed within this of the freeze
    disclosure_working_days: int  # ... and its results published within these of the draw

    @classmethod
    def of(cls, policy: Policy) -> Rules:
        return cls(
            take_window=timedelta(days=policy.take_window_days),
            rating_window=timedelta(hours=policy.rating_window_hours),
            overdue_after=timedelta(days=policy.overdue_days),
            satisfied_min_stars=policy.satisfied_min_stars,
            hours_step=policy.hours_step,
            checkin_radius_m=policy.checkin_radius_m,
            matching_before_day=policy.matching_meeting_before_day,
            max_score=policy.evaluation_max_score,
            reveal_window=timedelta(hours=policy.inspection_reveal_hours),
            disclosure_working_days=policy.inspection_disclosure_working_days,
        )

    def satisfied(self, stars: int) -> int:
        """A rating meant to close the order: at least the policy's satisfied stars."""
        return max(stars, self.satisfied_min_stars)

    def low(self, stars: int) -> int:
        """A rating meant to go to the community: below the policy's satisfied stars."""
        return min(stars, self.satisfied_min_stars - 1)

    def on_step(self, hours: str) -> str:
        """The hours as claimed: rounded up to the policy's step (at least one step)."""
        value = Decimal(hours)
        steps = max(1, math.ceil(value / self.hours_step))
        return hours if steps * self.hours_step == value else str(steps * self.hours_step)

    def spread(self, degrees_per_km: Decimal) -> float:
        """How far (in degrees) points scatter, in proportion to the check-in radius."""
        return float(degrees_per_km * self.checkin_radius_m / 1000)

    def score(self, percent: int) -> int:
        """A score given as a percentage of the policy's maximum."""
        return self.max_score * percent // 100
