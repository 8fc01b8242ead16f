"""执法检查人员名录库: the supervision team's roster. Each `Inspector` is registered by
组织部 with unit and home community and retired with a reason; a plan freezes the roster
as `derive_roster` reads it from the log, each row with the inspector's side of the
conflict relation (`inspector_keys`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.draw_hashes import roster_hash
from domain.errors import Conflict

ROSTER_TOPICS: tuple[str, ...] = (
    "sishuang:Inspector.Registered",
    "sishuang:Inspector.Retired",
)


class Inspector(Aggregate):
    """One person of the supervision team roster (执法检查人员名录库)."""

    TOPIC = "sishuang:Inspector"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Inspector.Registered"
        county_id: UUID
        name: str
        unit_id: UUID | None
        unit_name: str
        home_community_id: UUID | None
        by: str

    Created = Registered

    class Retired(Event):
        TOPIC = "sishuang:Inspector.Retired"
        reason: str
        by: str

        def apply(self, inspector: Inspector) -> None:
            inspector.active = False

    def __init__(
        self,
        county_id: UUID,
        name: str,
        unit_id: UUID | None,
        unit_name: str,
        home_community_id: UUID | None,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.name = name
        self.unit_id = unit_id
        self.unit_name = unit_name
        self.home_community_id = home_community_id
        self.active = True

    @classmethod
    def register(
        cls,
        inspector_id: UUID,
        *,
        county_id: UUID,
        name: str,
        unit_id: UUID | None,
        unit_name: str,
        home_community_id: UUID | None,
        by: str,
        now: datetime,
    ) -> Inspector:
        return cls._create(
            cls.Registered,
            id=inspector_id,
            county_id=county_id,
            name=name,
            unit_id=unit_id,
            unit_name=unit_name,
            home_community_id=home_community_id,
            by=by,
            timestamp=now,
        )

    def retire(self, reason: str, by: str, now: datetime) -> None:
        if not self.active:
            raise Conflict("inspector_retired", "该检查人员已退出名录", "already retired")
        self.trigger_event(self.Retired, reason=reason, by=by, timestamp=now)


def inspector_keys(unit_id: UUID | None, home_community_id: UUID | None) -> list[str]:
    """An inspector's side of the conflict relation: their unit and home community."""
    keys = []
    if unit_id is not None:
        keys.append(f"unit:{unit_id}")
    if home_community_id is not None:
        keys.append(f"community:{home_community_id}")
    return keys


def roster_keys(roster: dict[str, list[str]]) -> dict[str, list[str]]:
    """inspector -> their conflict keys (a frozen roster row after name and unit name)."""
    return {i: list(row[2:]) for i, row in roster.items()}


def derive_roster(county_id: UUID, events: Iterable[Any]) -> tuple[dict[str, list[str]], str]:
    """The county's active inspectors: id -> [name, unit name, conflict keys...], and
    the roster's hash. `events`: the log's events of `ROSTER_TOPICS` up to the frozen
    position, in order (the service's, and a test's that rebuilds the roster)."""
    roster: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, Inspector.Registered) and event.county_id == county_id:
            roster[str(event.originator_id)] = [
                event.name,
                event.unit_name,
                *inspector_keys(event.unit_id, event.home_community_id),
            ]
        elif isinstance(event, Inspector.Retired):
            roster.pop(str(event.originator_id), None)
    roster = dict(sorted(roster.items()))
    return roster, roster_hash(roster)
