"""How the needs end (the spread of fates, as in the field) and the steps of each fate.

Most needs close satisfied; some are rated low and returned or closed by the community;
some close unrated by the sweep; some go unclaimed and the joint meeting gives them to
a unit or a team; some run overdue and are followed up; some are cancelled or rejected;
about 15 % are still open at the end, in every open state. A fate's steps are laid out
with a Flow (domain.demo.flow) against the county's deadlines.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from domain.demo.flow import Flow, NoMember
from domain.demo.need_texts import (
    APPLY_NOTES,
    CANCEL_REASONS,
    FOLLOW_UPS,
    LOW_CLOSINGS,
    LOW_DECISIONS,
    REAPPLY_NOTE,
    TEAM_MEETING_NOTE,
    TEAMS,
)
from domain.demo.schedule import SWEEP_LAG

# The fates of the needs: what share of them ends which way. The first few are given
# one need each even in a small demo (in this order), so every state is there.
FATE_SHARES: dict[str, float] = {
    "satisfied_direct": 0.22,
    "satisfied_applied": 0.22,
    "satisfied_declined": 0.03,
    "low_return_member": 0.03,
    "low_return_pool": 0.02,
    "low_closed": 0.03,
    "unrated": 0.05,
    "unclaimed_unit": 0.03,
    "unclaimed_team": 0.03,
    "overdue": 0.04,
    "cancelled": 0.05,
    "rejected": 0.03,
    "open_posted_applied": 0.03,
    "open_posted_fresh": 0.02,
    "open_dispatched": 0.015,
    "open_in_progress": 0.03,
    "open_claimed": 0.015,
    "open_low_rated": 0.01,
    "open_unclaimed": 0.01,
    "open_assigned": 0.01,
    "open_overdue": 0.015,
}
MATCHED_PER_COMMUNITY = 2  # needs adopted at the monthly matching meeting
CORE_FATES = (
    "satisfied_applied",
    "unclaimed_unit",
    "cancelled",
    "open_in_progress",
    "satisfied_direct",
    "rejected",
    "unrated",
    "open_posted_applied",
    "low_return_member",
    "overdue",
    "open_claimed",
    "unclaimed_team",
)
SHARE_VARIATION = (0.5, 1.5)  # each community's mix: a share varies by up to a half either way
# When a fate needs more members than there are (a small demo, early days): try these.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "satisfied_declined": ("satisfied_direct",),
    "low_return_pool": ("low_return_member",),
    "unclaimed_unit": ("unclaimed_team",),
}

# How long the community and the residents take, in hours (fewest, most).
LOW_DECISION_AFTER_RATING = (1, 24)
REAPPLY_AFTER_RETURN = (0.5, 20)
REDISPATCH_AFTER_REAPPLY = (0.5, 12)
FOLLOW_UP_AFTER_OVERDUE = (3, 30)
ARRIVE_AFTER_FOLLOW_UP = (12, 96)
CANCEL_AFTER_POST = (1, 40)
CANCEL_AFTER_TAKEN = (1, 20)
REJECT_AFTER_POST = (1, 20)
OPEN_APPLY_AFTER_POST = (0.2, 20)
SECOND_APPLY_AFTER = (0.2, 10)
# A cancelled need: rolls below the first were applied for first, below the second
# dispatched first; the rest were cancelled before anyone took them.
CANCELLED_APPLIED_BELOW = 0.25
CANCELLED_DISPATCHED_BELOW = 0.4
SECOND_APPLICANT_SHARE = 0.5  # an open need with applications: a second member applied

Builder = Callable[[Flow, str, datetime, str, datetime | None], None]


def fates(rng: random.Random, n: int) -> list[str]:
    """The fates of a community's n needs: the matched ones, one of each core fate, the
    rest by (this community's) share, largest remainder first; in a shuffled order."""
    chosen = (["matched"] * MATCHED_PER_COMMUNITY + list(CORE_FATES))[:n]
    rest = n - len(chosen)
    have = Counter(chosen)
    want = {
        f: max(0.0, share * rng.uniform(*SHARE_VARIATION) * n - have[f])
        for f, share in FATE_SHARES.items()
    }
    total = sum(want.values()) or 1.0
    quotas = {f: w / total * rest for f, w in want.items()}
    counts = {f: math.floor(q) for f, q in quotas.items()}
    left = rest - sum(counts.values())
    for f in sorted(quotas, key=lambda f: quotas[f] - counts[f], reverse=True)[:left]:
        counts[f] += 1
    out = chosen + [f for f, k in counts.items() for _ in range(k)]
    rng.shuffle(out)
    return out


def build_need(flow: Flow, fate: str, posted: datetime, meeting: datetime | None) -> None:
    """The steps of one need of this fate, posted then; raises NoMember if it cannot be.
    `meeting` is the matching meeting that adopts a "matched" need."""
    flow.step(posted, "post")
    how = flow.rng.choice(("direct", "applied"))
    builder = BUILDERS.get(fate)
    if builder is None:
        raise ValueError(f"unknown fate {fate}")
    builder(flow, fate, posted, how, meeting)


# -- closed -----------------------------------------------------------------------------


def _satisfied(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    mode = {"satisfied_direct": "direct", "satisfied_applied": "applied"}.get(fate, "declined")
    member, when = f.dispatched(posted, mode)
    f.rate_well(f.work(member, when))


def _unrated(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    member, when = f.dispatched(posted, how)
    claimed = f.work(member, when)
    f.expect(claimed + f.rules.rating_window + SWEEP_LAG)  # the sweep closes it


def _low_rated(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Rated low: the community closes it, or returns it to the member who redoes it."""
    member, when = f.dispatched(posted, how)
    rated = f.rate_low(f.work(member, when))
    decided = f.after(rated, *LOW_DECISION_AFTER_RATING)
    if fate == "low_closed":
        reason, credit = f.rng.choice(LOW_CLOSINGS)
        f.step(decided, "low_rating", decision="close", reason=reason, credit=credit)
        return
    reason = LOW_DECISIONS["return_to_member"]
    f.step(decided, "low_rating", decision="return_to_member", reason=reason)
    f.rate_well(f.work(member, decided), redone=True)


def _returned_to_pool(
    f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None
) -> None:
    """Rated low and returned to the pool: another member applies and does it again."""
    member, when = f.dispatched(posted, how)
    rated = f.rate_low(f.work(member, when))
    decided = f.after(rated, *LOW_DECISION_AFTER_RATING)
    reason = LOW_DECISIONS["return_to_pool"]
    f.step(decided, "low_rating", decision="return_to_pool", reason=reason)
    applied = f.after(decided, *REAPPLY_AFTER_RETURN)
    other = f.pick(applied, exclude=(member,))
    f.step(applied, "apply", other, note=REAPPLY_NOTE)
    dispatched = f.step(f.after(applied, *REDISPATCH_AFTER_REAPPLY), "dispatch", other)
    f.rate_well(f.work(other, dispatched), redone=True)


def _matched(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Adopted at the monthly matching meeting with a member, who then does it."""
    assert meeting is not None
    member = f.pick(meeting)
    f.need.matched_member = member
    f.expect(meeting)
    f.rate_well(f.work(member, meeting))


def _unclaimed(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Nobody took it in the take window: the joint meeting gives it to a unit or a team
    (or, still open, has not met yet or has given it to a team just now)."""
    meeting_at = f.unclaimed(posted)
    if fate == "open_unclaimed":
        return
    if fate == "open_assigned":
        team = f.rng.choice(TEAMS)
        note = TEAM_MEETING_NOTE.format(team)
        f.step(meeting_at, "joint_meeting", kind="team", team=team, note=note)
        return
    member, when = f.joint_meeting(meeting_at, to_unit=fate == "unclaimed_unit")
    f.rate_well(f.work(member, when))


def _overdue(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Accepted and not done: the sweep marks it overdue, the community follows up, and
    (unless still open) the member then does it."""
    member, when = f.dispatched(posted, "direct")
    accepted = f.work(member, when, upto="accept")
    deadline = when + f.rules.overdue_after
    f.expect(deadline + SWEEP_LAG)  # the sweep marks it overdue
    method, outcome = f.rng.choice(FOLLOW_UPS)
    followed = f.after(deadline, *FOLLOW_UP_AFTER_OVERDUE)
    f.step(followed, "follow_up", method=method, outcome=outcome)
    if fate == "overdue":
        assert accepted < followed
        f.rate_well(f.work(member, followed, accept=False, gap=ARRIVE_AFTER_FOLLOW_UP))


def _cancelled(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Cancelled by who asked: before anyone took it, or after an application or a
    dispatch ("cancelled_plain": always before, needing no member)."""
    if fate == "cancelled_plain":
        f.step(f.after(posted, *CANCEL_AFTER_POST), "cancel", reason=f.rng.choice(CANCEL_REASONS))
        return
    roll = f.rng.random()
    when = f.after(posted, *CANCEL_AFTER_POST)
    if roll < CANCELLED_APPLIED_BELOW:
        member = f.pick(when)
        f.step(when, "apply", member, note=f.rng.choice(APPLY_NOTES))
        when = f.after(when, *CANCEL_AFTER_TAKEN)
    elif roll < CANCELLED_DISPATCHED_BELOW:
        member = f.pick(when)
        f.step(when, "dispatch", member)
        when = f.after(when, *CANCEL_AFTER_TAKEN)
    f.step(when, "cancel", reason=f.rng.choice(CANCEL_REASONS))


def _rejected(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    f.step(f.after(posted, *REJECT_AFTER_POST), "reject", reason=f.need.reject_reason)


# -- still open at the end ----------------------------------------------------------------


def _open_applied(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    when = f.after(posted, *OPEN_APPLY_AFTER_POST)
    member = f.pick(when)
    f.step(when, "apply", member, note=f.rng.choice(APPLY_NOTES))
    if f.rng.random() < SECOND_APPLICANT_SHARE:
        with contextlib.suppress(NoMember):
            when = f.after(when, *SECOND_APPLY_AFTER)
            f.step(when, "apply", f.pick(when, exclude=(member,)), note="")


def _open_served(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Dispatched, in progress (accepted or checked in), claimed, or rated low."""
    member, when = f.dispatched(posted, how)
    if fate == "open_in_progress":
        f.work(member, when, upto=f.rng.choice(("accept", "check_in")))
    elif fate == "open_claimed":
        f.work(member, when)
    elif fate == "open_low_rated":
        f.rate_low(f.work(member, when))


def _posted(f: Flow, fate: str, posted: datetime, how: str, meeting: datetime | None) -> None:
    """Just posted: nothing yet."""


BUILDERS: dict[str, Builder] = {
    "satisfied_direct": _satisfied,
    "satisfied_applied": _satisfied,
    "satisfied_declined": _satisfied,
    "unrated": _unrated,
    "low_return_member": _low_rated,
    "low_closed": _low_rated,
    "low_return_pool": _returned_to_pool,
    "matched": _matched,
    "unclaimed_unit": _unclaimed,
    "unclaimed_team": _unclaimed,
    "open_unclaimed": _unclaimed,
    "open_assigned": _unclaimed,
    "overdue": _overdue,
    "open_overdue": _overdue,
    "cancelled": _cancelled,
    "cancelled_plain": _cancelled,
    "rejected": _rejected,
    "open_posted_applied": _open_applied,
    "open_dispatched": _open_served,
    "open_in_progress": _open_served,
    "open_claimed": _open_served,
    "open_low_rated": _open_served,
    "open_posted_fresh": _posted,
}
