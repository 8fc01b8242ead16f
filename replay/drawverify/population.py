"""The target directory and the inspector roster, re-derived from the log's events.

The second implementation of docs/draw-definition.md §3 (the service's is
`domain.population` and `domain.inspectors`): it reads the decoded events as (topic,
event) pairs and uses only the fields the event catalogue (docs/events.md) lists for
those topics, never the service's derivation. Topics are the stable names the log stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from replay import draw
from replay.drawverify.definition import LOW_SUFFIX, beijing_day

RULES = "sishuang/population/v1"  # the rules version this derivation implements
COUNTY_STRATUM = "county"
ITEMS = ("revisit", "sit_in", "service_record", "unit_pairing")

COMMUNITY_REGISTERED = "sishuang:Community.Registered"
MEETING_SCHEDULED = "sishuang:Community.JointMeetingScheduled"
MEETING_CANCELLED = "sishuang:Community.JointMeetingCancelled"
UNIT_REGISTERED = "sishuang:Unit.Registered"
UNIT_PAIRED = "sishuang:Unit.Paired"
UNIT_UNPAIRED = "sishuang:Unit.Unpaired"
MEMBER_REGISTERED = "sishuang:Member.Registered"
MEMBER_REPORTED = "sishuang:Member.Reported"
ORDER_POSTED = "sishuang:Order.Posted"
ORDER_RATED = "sishuang:Order.Rated"
ORDER_CLOSED = "sishuang:Order.Closed"
ORDER_FOUND_FALSE = "sishuang:Order.FoundFalse"
FINDING_RECORDED = "sishuang:InspectionPlan.FindingRecorded"
INSPECTOR_REGISTERED = "sishuang:Inspector.Registered"
INSPECTOR_RETIRED = "sishuang:Inspector.Retired"

POPULATION_TOPICS: tuple[str, ...] = (
    COMMUNITY_REGISTERED,
    MEETING_SCHEDULED,
    MEETING_CANCELLED,
    UNIT_REGISTERED,
    UNIT_PAIRED,
    UNIT_UNPAIRED,
    MEMBER_REGISTERED,
    MEMBER_REPORTED,
    ORDER_POSTED,
    ORDER_RATED,
    ORDER_CLOSED,
    ORDER_FOUND_FALSE,
    FINDING_RECORDED,
)
ROSTER_TOPICS: tuple[str, ...] = (INSPECTOR_REGISTERED, INSPECTOR_RETIRED)


class DerivationError(ValueError):
    """The plan names rules or an item this derivation does not know."""


@dataclass
class Population:
    strata: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    relations: dict[str, list[str]] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return draw.population_hash(self.strata, self.excluded, self.relations)

    @property
    def size(self) -> int:
        return sum(len(ids) for ids in self.strata.values())


@dataclass
class _Facts:
    """What §3 reads from the log, one field per kind of fact."""

    county_id: UUID
    communities: dict[UUID, str] = field(default_factory=dict)  # the county's: id -> code
    meetings: dict[UUID, tuple[UUID, date]] = field(default_factory=dict)  # -> community, day
    cancelled: set[UUID] = field(default_factory=set)
    units: set[UUID] = field(default_factory=set)  # the county's
    pairings: dict[UUID, set[UUID]] = field(default_factory=dict)  # unit -> communities now
    member_unit: dict[UUID, UUID] = field(default_factory=dict)
    reported: dict[UUID, tuple[UUID, date]] = field(default_factory=dict)  # first report
    order_community: dict[UUID, UUID] = field(default_factory=dict)  # the county's orders
    lowest_stars: dict[UUID, int] = field(default_factory=dict)
    closed: dict[UUID, tuple[date, UUID | None]] = field(default_factory=dict)  # last close
    found_false: set[UUID] = field(default_factory=set)
    last_finding: dict[str, datetime] = field(default_factory=dict)  # target id -> moment

    def read(self, topic: str, e: Any) -> None:
        handler = _READERS.get(topic)
        if handler is not None:
            handler(self, e)


def _community(f: _Facts, e: Any) -> None:
    if e.county_id == f.county_id:
        f.communities[e.originator_id] = e.code


def _meeting(f: _Facts, e: Any) -> None:
    f.meetings[e.meeting_id] = (e.originator_id, e.held_on)


def _unit(f: _Facts, e: Any) -> None:
    if e.county_id == f.county_id:
        f.units.add(e.originator_id)


def _unpaired(f: _Facts, e: Any) -> None:
    f.pairings.get(e.originator_id, set()).discard(e.community_id)


def _reported(f: _Facts, e: Any) -> None:
    f.reported.setdefault(e.originator_id, (e.community_id, beijing_day(e.timestamp)))


def _posted(f: _Facts, e: Any) -> None:
    if e.county_id == f.county_id:
        f.order_community[e.originator_id] = e.community_id


def _rated(f: _Facts, e: Any) -> None:
    f.lowest_stars[e.originator_id] = min(f.lowest_stars.get(e.originator_id, e.stars), e.stars)


def _closed(f: _Facts, e: Any) -> None:
    f.closed[e.originator_id] = (beijing_day(e.timestamp), e.member_id)


_READERS: dict[str, Callable[[_Facts, Any], None]] = {
    COMMUNITY_REGISTERED: _community,
    MEETING_SCHEDULED: _meeting,
    MEETING_CANCELLED: lambda f, e: f.cancelled.add(e.meeting_id),
    UNIT_REGISTERED: _unit,
    UNIT_PAIRED: lambda f, e: f.pairings.setdefault(e.originator_id, set()).add(e.community_id),
    UNIT_UNPAIRED: _unpaired,
    MEMBER_REGISTERED: lambda f, e: f.member_unit.__setitem__(e.originator_id, e.unit_id),
    MEMBER_REPORTED: _reported,
    ORDER_POSTED: _posted,
    ORDER_RATED: _rated,
    ORDER_CLOSED: _closed,
    ORDER_FOUND_FALSE: lambda f, e: f.found_false.add(e.originator_id),
    FINDING_RECORDED: lambda f, e: f.last_finding.__setitem__(e.target, e.timestamp),
}


def population(
    document: dict[str, Any],
    county_id: UUID,
    events: Iterable[tuple[str, Any]],
    cutoff: datetime,
) -> Population:
    """§3: the plan's target directory from the log's events up to the frozen position
    (others are ignored); `cutoff` is the freeze's moment, the cool-down counts back
    from it."""
    if document.get("population_rules") != RULES:
        raise DerivationError(
            f"no derivation for population rules {document.get('population_rules')!r}"
        )
    item = document.get("item")
    if item not in ITEMS:
        raise DerivationError(f"unknown inspection item {item!r}")
    facts = _Facts(county_id)
    for topic, event in events:
        facts.read(topic, event)
    start, end = (date.fromisoformat(d) for d in document["period"])
    cooldown = timedelta(days=int(document["cooldown_days"]))
    out = Population()

    def add(target: str, stratum: str, keys: list[str], excluded: str | None) -> None:
        if excluded is None:
            last = facts.last_finding.get(target)
            if last is not None and cutoff - last < cooldown:
                excluded = "cooldown"
        if excluded is not None:
            out.excluded[target] = excluded
        else:
            out.strata.setdefault(stratum, []).append(target)
            out.relations[target] = sorted(set(keys))

    def member_keys(community_id: UUID, member_id: UUID | None) -> list[str]:
        keys = [f"community:{community_id}"]
        if member_id is not None and member_id in facts.member_unit:
            keys.append(f"unit:{facts.member_unit[member_id]}")
        return keys

    if item == "revisit":
        low_below = int(document["low_rated_below"])
        for order_id, (closed_on, member_id) in facts.closed.items():
            community_id = facts.order_community.get(order_id)
            if community_id not in facts.communities or not start <= closed_on <= end:
                continue
            code = facts.communities[community_id]
            low = order_id in facts.lowest_stars and facts.lowest_stars[order_id] < low_below
            add(
                f"ORD:{code}:{order_id}",
                code + LOW_SUFFIX if low else code,
                member_keys(community_id, member_id),
                "found_false" if order_id in facts.found_false else None,
            )
    elif item == "sit_in":
        for meeting_id, (community_id, held_on) in facts.meetings.items():
            if community_id not in facts.communities or not start <= held_on <= end:
                continue
            add(
                f"MTG:{facts.communities[community_id]}:{meeting_id}",
                facts.communities[community_id],
                [f"community:{community_id}"],
                "cancelled" if meeting_id in facts.cancelled else None,
            )
    elif item == "service_record":
        for member_id, (community_id, reported_on) in facts.reported.items():
            if community_id not in facts.communities or reported_on > end:
                continue
            code = facts.communities[community_id]
            add(f"MBR:{code}:{member_id}", code, member_keys(community_id, member_id), None)
    else:
        for unit_id in facts.units:
            paired = bool(facts.pairings.get(unit_id))
            add(
                f"UNIT:{unit_id}",
                COUNTY_STRATUM,
                [f"unit:{unit_id}"],
                None if paired else "unpaired",
            )
    out.strata = {s: sorted(ids) for s, ids in sorted(out.strata.items())}
    out.excluded = dict(sorted(out.excluded.items()))
    out.relations = dict(sorted(out.relations.items()))
    return out


def roster(county_id: UUID, events: Iterable[tuple[str, Any]]) -> dict[str, list[str]]:
    """§3: the county's inspectors registered and not retired, by id:
    [name, unit name, "unit:<unit id>" if any, "community:<home community id>" if any]."""
    found: dict[str, list[str]] = {}
    for topic, e in events:
        if topic == INSPECTOR_REGISTERED and e.county_id == county_id:
            keys = [f"unit:{e.unit_id}"] if e.unit_id is not None else []
            if e.home_community_id is not None:
                keys.append(f"community:{e.home_community_id}")
            found[str(e.originator_id)] = [e.name, e.unit_name, *keys]
        elif topic == INSPECTOR_RETIRED:
            found.pop(str(e.originator_id), None)
    return dict(sorted(found.items()))
