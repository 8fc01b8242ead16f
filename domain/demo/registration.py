"""Who registers, and how it goes (from `random.Random(seed)`): each unit's pairings
(双包联) and its reports to the communities (单位报到); the members (党员) who register
by QR link, the community's review of each, what each approved member states (三亮);
and the members each unit declares (在职党员人数), so some units meet the coverage target
and some do not.

Times here are offsets from the start of the story.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from domain.demo.county import COMMUNITIES, GENERIC_COMMITMENTS, UNITS
from domain.demo.people import MOBILE_PREFIXES, person, phone
from domain.policies import Policy
from domain.values import TimeSlot

# Review mix (of all registrations) and the share of approved members who have not
# yet stated all three 亮 (so the "not reported" list has names in it).
REJECTED_SHARE = 0.05
PENDING_SHARE = 0.08
INCOMPLETE_SHARE_OF_APPROVED = 0.09
PAIRED_BASIS_SHARE = 0.45  # the rest register with their residence community
NO_GRID_AT_REGISTRATION_SHARE = 0.1  # the community assigns the grid at review
GRIDS_PER_COMMUNITY = (3, 6)  # fewest and most
SECOND_PAIRING_SHARE = 0.5  # units paired with a second community besides their home
UNIT_REPORT_SHARE = 0.75  # of the pairings of units that are not exemplary
UNIT_REPORTS_FROM = timedelta(days=1)  # ... within the three days after
UNIT_REPORTS_SPREAD_SECONDS = 3 * 86400
REGISTRATIONS_FROM = timedelta(days=2)  # members register over the three weeks after
REGISTRATIONS_SPREAD_SECONDS = 21 * 86400
REVIEW_AFTER_SECONDS = (2 * 3600, 3 * 86400)  # the community reviews within
PROFILE_AFTER_SECONDS = (3600, 5 * 86400)  # an approved member states 三亮 within
# How unevenly the shortfalls (rejected, pending, incomplete) fall on the units: an
# exemplary unit almost never, the others each by its own laxity.
EXEMPLARY_LAXITY = 0.02
LAXITY_RANGE = (0.3, 1.7)
# What an approved member who has not stated all three 亮 has stated (some nothing).
INCOMPLETE_PARTS: tuple[tuple[str, ...], ...] = (
    (),
    (),
    ("identity",),
    ("identity", "commitment"),
    ("identity", "availability"),
)
REPORTED_PARTS = ("identity", "commitment", "skills")  # all three 亮: reported
AVAILABILITY_SHARE = 0.85  # reported members who also say when and how far they serve
SHOW_CONTACT_SHARE = 0.7
MOST_COMMITTED_HOURS = 48  # commitments run from the policy's annual minimum to this
MOST_SKILL_CATEGORIES = 3  # the post's own categories and up to two of the unit's others
MOST_EXTRA_CATEGORIES = 2
MOST_TAGS = 2
SERVICE_RADIUS_KM = (1, 10)
TIME_SLOTS = (1, 3)  # fewest and most of the week's slots a member is free in
TIME_SLOT_CODES = tuple(slot.code for slot in TimeSlot)
UNREGISTERED_UNIT_SIZE = (3, 8)  # a unit none of whose members registered declares
MISSING_PER_REGISTERED = 20  # a unit that is not exemplary has up to 1 in 20 unregistered

REJECTION_REASONS = (
    "单位信息与组织关系不符",
    "所填单位与党组织关系所在单位不一致，请核实后重新报到",
    "手机号与党员信息库登记信息不一致",
    "经核实非在职党员，请联系所在党支部",
)

UNIT_REPORT_NOTES = (
    "签订共驻共建协议，认领社区服务项目",
    "单位党组织到社区报到，参加党建联席会议",
    "认领社区“微心愿”和民生实事项目",
)


@dataclass
class MemberPlan:
    name: str
    phone: str
    unit: int
    community: int
    basis: str
    post: str
    grid_code: str | None
    outcome: str = "approved"  # approved | rejected | pending
    review_grid: str | None = None
    reason: str = ""
    parts: tuple[str, ...] = ()  # which of identity/commitment/skills/availability it states
    show_contact: bool = False
    commitment: str = ""
    hours: int = 12
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    radius: str = "3"
    slots: tuple[str, ...] = ()
    registered_at: timedelta = timedelta(0)
    reviewed_at: timedelta = timedelta(0)
    profile_at: timedelta = timedelta(0)

    @property
    def reports(self) -> bool:
        return self.outcome == "approved" and set(REPORTED_PARTS) <= set(self.parts)


@dataclass
class CountyPlan:
    grids: list[list[str]] = field(default_factory=list)  # grid codes per community
    pairings: list[list[int]] = field(default_factory=list)  # community indexes per unit
    unit_reports: list[tuple[int, int, str, timedelta]] = field(default_factory=list)
    member_counts: list[int] = field(default_factory=list)
    members: list[MemberPlan] = field(default_factory=list)


def plan_county(seed: int, members: int, policy: Policy) -> CountyPlan:
    """The grids, pairings, unit reports and members, with the county's policy for the
    committed hours a member may state and the coverage target a unit is measured by."""
    rng = random.Random(seed)
    plan = CountyPlan()
    low, high = GRIDS_PER_COMMUNITY
    plan.grids = [[f"G{i:02d}" for i in range(1, rng.randint(low, high) + 1)] for _ in COMMUNITIES]
    _pair_units(rng, plan)
    _plan_unit_reports(rng, plan)
    _plan_members(rng, plan, members)
    incomplete = _review_outcomes(rng, plan)
    _plan_reviews_and_profiles(rng, plan, incomplete, policy)
    _declare_member_counts(rng, plan, policy.reporting_coverage_target)
    return plan


def _pair_units(rng: random.Random, plan: CountyPlan) -> None:
    """双包联: each unit with its home community and, for about half, one more."""
    codes = [c.code for c in COMMUNITIES]
    for unit in UNITS:
        home = codes.index(unit.home)
        paired = [home]
        if rng.random() < SECOND_PAIRING_SHARE:
            paired.append(rng.choice([i for i in range(len(COMMUNITIES)) if i != home]))
        plan.pairings.append(paired)


def _plan_unit_reports(rng: random.Random, plan: CountyPlan) -> None:
    """单位报到: exemplary units report everywhere; most others to each paired community."""
    for u, paired in enumerate(plan.pairings):
        for c in paired:
            if UNITS[u].exemplary or rng.random() < UNIT_REPORT_SHARE:
                when = UNIT_REPORTS_FROM + timedelta(
                    seconds=rng.randint(0, UNIT_REPORTS_SPREAD_SECONDS)
                )
                plan.unit_reports.append((u, c, rng.choice(UNIT_REPORT_NOTES), when))


def _plan_members(rng: random.Random, plan: CountyPlan, members: int) -> None:
    """党员 and their registrations: who, of which unit, with which community."""
    names: set[str] = set()
    phones: set[str] = set()
    unit_weights = [u.weight for u in UNITS]
    for _ in range(members):
        name = person(rng, names)
        number = phone(rng, phones, MOBILE_PREFIXES)
        u = rng.choices(range(len(UNITS)), unit_weights)[0]
        if rng.random() < PAIRED_BASIS_SHARE:
            basis, c = "paired", rng.choice(plan.pairings[u])
        else:
            basis, c = "residence", rng.randrange(len(COMMUNITIES))
        post = rng.choice(UNITS[u].posts)[0]
        grid = None if rng.random() < NO_GRID_AT_REGISTRATION_SHARE else rng.choice(plan.grids[c])
        registered_at = REGISTRATIONS_FROM + timedelta(
            seconds=rng.randint(0, REGISTRATIONS_SPREAD_SECONDS)
        )
        plan.members.append(
            MemberPlan(name, number, u, c, basis, post, grid, registered_at=registered_at)
        )


def _review_outcomes(rng: random.Random, plan: CountyPlan) -> set[int]:
    """Review outcomes in exact shares, the shortfalls falling (almost) only on the units
    that are not exemplary (weighted sampling without replacement, Efraimidis–Spirakis).
    Returns the approved members who will not state all three 亮."""
    n = len(plan.members)
    rejected = round(n * REJECTED_SHARE)
    pending = round(n * PENDING_SHARE)
    incomplete = round((n - rejected - pending) * INCOMPLETE_SHARE_OF_APPROVED)
    laxity = [EXEMPLARY_LAXITY if unit.exemplary else rng.uniform(*LAXITY_RANGE) for unit in UNITS]
    keys = [rng.random() ** (1 / laxity[m.unit]) for m in plan.members]
    order = sorted(range(n), key=lambda i: keys[i], reverse=True)
    for rank, i in enumerate(order):
        m = plan.members[i]
        if rank < rejected:
            m.outcome = "rejected"
            m.reason = rng.choice(REJECTION_REASONS)
        elif rank < rejected + pending:
            m.outcome = "pending"
    return set(order[rejected + pending : rejected + pending + incomplete])


def _plan_reviews_and_profiles(
    rng: random.Random, plan: CountyPlan, incomplete: set[int], policy: Policy
) -> None:
    """When each is reviewed and, for the approved, what they state of 三亮 and when."""
    for i, m in enumerate(plan.members):
        if m.outcome == "pending":
            continue
        m.reviewed_at = m.registered_at + timedelta(seconds=rng.randint(*REVIEW_AFTER_SECONDS))
        if m.outcome == "rejected":
            continue
        m.review_grid = m.grid_code or rng.choice(plan.grids[m.community])
        if i in incomplete:
            m.parts = rng.choice(INCOMPLETE_PARTS)
        else:
            m.parts = REPORTED_PARTS
            if rng.random() < AVAILABILITY_SHARE:
                m.parts += ("availability",)
        _state_profile(rng, m, policy)
        m.profile_at = m.reviewed_at + timedelta(seconds=rng.randint(*PROFILE_AFTER_SECONDS))


def _state_profile(rng: random.Random, m: MemberPlan, policy: Policy) -> None:
    """What the member would state: contact shown, commitment, skills, availability."""
    unit = UNITS[m.unit]
    m.show_contact = rng.random() < SHOW_CONTACT_SHARE
    m.commitment = rng.choice(unit.commitments + GENERIC_COMMITMENTS)
    fewest = policy.member_annual_min_hours
    most = min(max(fewest, MOST_COMMITTED_HOURS), policy.max_committed_hours)
    m.hours = rng.randint(fewest, most)
    fitting = dict(unit.posts)[m.post]
    extras = [c for c in unit.extra_categories if c not in fitting]
    room = MOST_SKILL_CATEGORIES - len(fitting)
    k = min(rng.randint(0, MOST_EXTRA_CATEGORIES), room, len(extras))
    m.categories = fitting + tuple(rng.sample(extras, k))
    m.tags = tuple(rng.sample(unit.tags, min(rng.randint(0, MOST_TAGS), len(unit.tags))))
    m.radius = str(rng.randint(*SERVICE_RADIUS_KM))
    chosen = set(rng.sample(TIME_SLOT_CODES, rng.randint(*TIME_SLOTS)))
    m.slots = tuple(code for code in TIME_SLOT_CODES if code in chosen)


def _declare_member_counts(rng: random.Random, plan: CountyPlan, target: Decimal) -> None:
    """Declared 在职党员人数: everyone registered (not rejected) plus, for units that are
    not exemplary, a few who have not registered yet; exemplary units stay at or above
    the coverage target."""
    for u, unit in enumerate(UNITS):
        registered = sum(1 for m in plan.members if m.unit == u and m.outcome != "rejected")
        reported = sum(1 for m in plan.members if m.unit == u and m.reports)
        if registered == 0:
            count = rng.randint(*UNREGISTERED_UNIT_SIZE)
        elif unit.exemplary:
            most = math.floor(reported / target)
            count = max(registered, min(registered + rng.randint(0, 1), most))
        else:
            count = registered + rng.randint(0, max(1, registered // MISSING_PER_REGISTERED))
        plan.member_counts.append(count)
