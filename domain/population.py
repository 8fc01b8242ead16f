"""检查对象名录库, derived from the log (pure): the targets of a plan's item, their
strata, exclusions and conflict relations.

`derive_population` reads decoded domain events in log order (those up to the frozen
log position, filtered to `POPULATION_TOPICS`) and returns what a plan freezes as its
`TargetDirectory`. The service feeds it from the event store when a plan is frozen;
`replay draw-verify` derives the directory again by its own implementation of the
definition (replay/drawverify/population.py) and compares hashes. The roster is
derived the same way by domain.inspectors.derive_roster.

Target ids are plain stable strings:

- ``ORD:<community code>:<order id>``  — a closed order (回访), stratum the community's
  code, or ``<code>/low`` when any rating of the order was below the plan's threshold;
- ``MTG:<community code>:<meeting id>`` — a scheduled 党建联席会议 (列席);
- ``MBR:<community code>:<member id>`` — a member reported to the community;
- ``UNIT:<unit id>``                    — a unit (包联职责), one stratum ``county``.

A target's relations are the keys ``community:<id>`` and ``unit:<id>`` an inspector must
not share (their own unit, their home community, a member of their unit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.calendar import business_date
from domain.community import Community
from domain.inspection_items import COUNTY_STRATUM, LOW_SUFFIX, InspectionItem
from domain.inspection_plan import InspectionPlan
from domain.member import Member
from domain.order import Order
from domain.plan_definition import PlanDefinition
from domain.target_directory import Population
from domain.unit import Unit

POPULATION_RULES = "sishuang/population/v1"  # the derivation below, by version

POPULATION_TOPICS: tuple[str, ...] = (
    "sishuang:Community.Registered",
    "sishuang:Community.JointMeetingScheduled",
    "sishuang:Community.JointMeetingCancelled",
    "sishuang:Unit.Registered",
    "sishuang:Unit.Paired",
    "sishuang:Unit.Unpaired",
    "sishuang:Member.Registered",
    "sishuang:Member.Reported",
    "sishuang:Order.Posted",
    "sishuang:Order.Rated",
    "sishuang:Order.Closed",
    "sishuang:Order.FoundFalse",
    "sishuang:InspectionPlan.FindingRecorded",
)
# Why a target is not eligible: the codes are what the directory records and hashes;
# the labels are for people and may be reworded without touching any hash.
REASONS = {
    "found_false": "已核定为虚假",
    "cooldown": "冷却期内已检查",
    "cancelled": "会议已取消",
    "unpaired": "未结对社区",
}


def parse_target(target: str) -> dict[str, str | None]:
    """What a target id names: ORD:<code>:<order>, MTG:<code>:<meeting>,
    MBR:<code>:<member>, UNIT:<unit>."""
    kind, _, rest = target.partition(":")
    out: dict[str, str | None] = {
        "kind": kind,
        "community_code": None,
        "order_id": None,
        "meeting_id": None,
        "member_id": None,
        "unit_id": None,
    }
    if kind == "UNIT":
        out["unit_id"] = rest
        return out
    code, _, ident = rest.rpartition(":")
    out["community_code"] = code
    column = {"ORD": "order_id", "MTG": "meeting_id", "MBR": "member_id"}.get(kind)
    if column is not None:
        out[column] = ident
    return out


@dataclass
class _Facts:
    county_id: UUID
    communities: dict[UUID, str] = field(default_factory=dict)  # id -> code
    member_unit: dict[UUID, UUID] = field(default_factory=dict)
    units: set[UUID] = field(default_factory=set)
    pairings: dict[UUID, set[UUID]] = field(default_factory=dict)  # unit -> communities
    reported: dict[UUID, tuple[UUID, date]] = field(default_factory=dict)
    meetings: dict[UUID, tuple[UUID, date]] = field(default_factory=dict)
    cancelled: set[UUID] = field(default_factory=set)
    order_community: dict[UUID, UUID] = field(default_factory=dict)
    lowest_stars: dict[UUID, int] = field(default_factory=dict)
    closed: dict[UUID, tuple[date, UUID | None]] = field(default_factory=dict)
    found_false: set[UUID] = field(default_factory=set)
    last_inspected: dict[str, datetime] = field(default_factory=dict)


def _collect(county_id: UUID, events: Iterable[Any]) -> _Facts:
    facts = _Facts(county_id)
    for event in events:
        if isinstance(event, Community.Registered):
            if event.county_id == county_id:
                facts.communities[event.originator_id] = event.code
        elif isinstance(event, Community.JointMeetingScheduled):
            facts.meetings[event.meeting_id] = (event.originator_id, event.held_on)
        elif isinstance(event, Community.JointMeetingCancelled):
            facts.cancelled.add(event.meeting_id)
        elif isinstance(event, Unit.Registered):
            if event.county_id == county_id:
                facts.units.add(event.originator_id)
        elif isinstance(event, Unit.Paired):
            facts.pairings.setdefault(event.originator_id, set()).add(event.community_id)
        elif isinstance(event, Unit.Unpaired):
            facts.pairings.get(event.originator_id, set()).discard(event.community_id)
        elif isinstance(event, Member.Registered):
            facts.member_unit[event.originator_id] = event.unit_id
        elif isinstance(event, Member.Reported):
            facts.reported.setdefault(
                event.originator_id, (event.community_id, business_date(event.timestamp))
            )
        elif isinstance(event, Order.Posted):
            if event.county_id == county_id:
                facts.order_community[event.originator_id] = event.community_id
        elif isinstance(event, Order.Rated):
            previous = facts.lowest_stars.get(event.originator_id, 6)
            facts.lowest_stars[event.originator_id] = min(previous, event.stars)
        elif isinstance(event, Order.Closed):
            facts.closed[event.originator_id] = (business_date(event.timestamp), event.member_id)
        elif isinstance(event, Order.FoundFalse):
            facts.found_false.add(event.originator_id)
        elif isinstance(event, InspectionPlan.FindingRecorded):
            facts.last_inspected[event.target] = event.timestamp
    return facts


def derive_population(
    definition: PlanDefinition, county_id: UUID, events: Iterable[Any], cutoff: datetime
) -> Population:
    """The plan's target directory: eligible ids per stratum, exclusions with their reason
    codes (`REASONS`), conflict relations; rules version `POPULATION_RULES`. `events`
    are the log's events up to the frozen position (others are ignored); `cutoff` is the
    moment of freezing (the cool-down counts back from it)."""
    if definition.population_rules != POPULATION_RULES:
        raise ValueError(f"no derivation for population rules {definition.population_rules}")
    facts = _collect(county_id, events)
    item = definition.item
    start, end = definition.period
    cooldown = timedelta(days=definition.cooldown_days)
    low_below = definition.low_rated_below
    population = Population()

    def add(target: str, stratum: str, keys: list[str], excluded: str | None) -> None:
        last = facts.last_inspected.get(target)
        if excluded is None and last is not None and cutoff - last < cooldown:
            excluded = "cooldown"
        if excluded is not None:
            population.excluded[target] = excluded
            return
        population.strata.setdefault(stratum, []).append(target)
        population.relations[target] = sorted(set(keys))

    if item is InspectionItem.REVISIT:
        for order_id, (closed_on, member_id) in facts.closed.items():
            community_id = facts.order_community.get(order_id)
            if community_id not in facts.communities or not start <= closed_on <= end:
                continue
            code = facts.communities[community_id]
            keys = [f"community:{community_id}"]
            if member_id is not None and member_id in facts.member_unit:
                keys.append(f"unit:{facts.member_unit[member_id]}")
            low = facts.lowest_stars.get(order_id, 6) < low_below
            add(
                f"ORD:{code}:{order_id}",
                code + LOW_SUFFIX if low else code,
                keys,
                "found_false" if order_id in facts.found_false else None,
            )
    elif item is InspectionItem.SIT_IN:
        for meeting_id, (community_id, held_on) in facts.meetings.items():
            if community_id not in facts.communities or not start <= held_on <= end:
                continue
            code = facts.communities[community_id]
            add(
                f"MTG:{code}:{meeting_id}",
                code,
                [f"community:{community_id}"],
                "cancelled" if meeting_id in facts.cancelled else None,
            )
    elif item is InspectionItem.SERVICE_RECORD:
        for member_id, (community_id, reported_on) in facts.reported.items():
            if community_id not in facts.communities or reported_on > end:
                continue
            code = facts.communities[community_id]
            keys = [f"community:{community_id}"]
            if member_id in facts.member_unit:
                keys.append(f"unit:{facts.member_unit[member_id]}")
            add(f"MBR:{code}:{member_id}", code, keys, None)
    else:
        for unit_id in facts.units:
            add(
                f"UNIT:{unit_id}",
                COUNTY_STRATUM,
                [f"unit:{unit_id}"],
                None if facts.pairings.get(unit_id) else "unpaired",
            )
    population.strata = {s: sorted(ids) for s, ids in sorted(population.strata.items())}
    population.excluded = dict(sorted(population.excluded.items()))
    population.relations = dict(sorted(population.relations.items()))
    return population
