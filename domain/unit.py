"""Unit (单位党组织): registered by 组织部, paired with communities (包联), reports (单位报到)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput

MAX_UNIT_MEMBERS = 100_000


def check_member_count(count: int) -> int:
    if not isinstance(count, int) or count < 0 or count > MAX_UNIT_MEMBERS:
        raise InvalidInput(
            "invalid_member_count",
            f"在职党员人数应在 0 到 {MAX_UNIT_MEMBERS} 之间",
            f"member count must be between 0 and {MAX_UNIT_MEMBERS}",
        )
    return count


class Unit(Aggregate):
    TOPIC = "sishuang:Unit"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Unit.Registered"
        county_id: UUID
        name: str
        member_count: int  # 在职党员人数 the unit declares: the denominator of coverage
        by: str

    Created = Registered

    class MemberCountDeclared(Event):
        TOPIC = "sishuang:Unit.MemberCountDeclared"
        member_count: int
        by: str

        def apply(self, aggregate: Unit) -> None:
            aggregate.member_count = self.member_count

    class Paired(Event):
        TOPIC = "sishuang:Unit.Paired"
        community_id: UUID
        by: str

        def apply(self, aggregate: Unit) -> None:
            aggregate.paired.add(self.community_id)

    class Unpaired(Event):
        TOPIC = "sishuang:Unit.Unpaired"
        community_id: UUID
        reason: str
        by: str

        def apply(self, aggregate: Unit) -> None:
            aggregate.paired.discard(self.community_id)
            aggregate.reported.discard(self.community_id)

    class ReportedToCommunity(Event):
        TOPIC = "sishuang:Unit.ReportedToCommunity"
        community_id: UUID
        note: str
        by: str

        def apply(self, aggregate: Unit) -> None:
            aggregate.reported.add(self.community_id)

    class Reminded(Event):
        TOPIC = "sishuang:Unit.Reminded"
        message: str
        batch: str
        by: str

        def apply(self, aggregate: Unit) -> None:
            aggregate.reminders += 1

    def __init__(self, county_id: UUID, name: str, member_count: int, by: str) -> None:
        self.county_id = county_id
        self.name = name
        self.member_count = member_count
        self.paired: set[UUID] = set()
        self.reported: set[UUID] = set()
        self.reminders = 0

    @classmethod
    def register(
        cls, unit_id: UUID, county_id: UUID, name: str, member_count: int, by: str, now: datetime
    ) -> Unit:
        return cls._create(
            cls.Registered,
            id=unit_id,
            county_id=county_id,
            name=name,
            member_count=check_member_count(member_count),
            by=by,
            timestamp=now,
        )

    def declare_member_count(self, member_count: int, by: str, now: datetime) -> None:
        check_member_count(member_count)
        if member_count != self.member_count:
            self.trigger_event(
                self.MemberCountDeclared, member_count=member_count, by=by, timestamp=now
            )

    def pair(self, community_id: UUID, by: str, now: datetime) -> None:
        if community_id in self.paired:
            raise Conflict(
                "already_paired", "该单位已与此社区结对", "the unit is already paired with it"
            )
        self.trigger_event(self.Paired, community_id=community_id, by=by, timestamp=now)

    def unpair(self, community_id: UUID, reason: str, by: str, now: datetime) -> None:
        if community_id not in self.paired:
            raise Conflict("not_paired", "该单位未与此社区结对", "the unit is not paired with it")
        self.trigger_event(
            self.Unpaired, community_id=community_id, reason=reason, by=by, timestamp=now
        )

    def report_to(self, community_id: UUID, note: str, by: str, now: datetime) -> None:
        if community_id not in self.paired:
            raise Conflict(
                "not_paired",
                "单位只能向结对社区报到",
                "a unit reports only to a community it is paired with",
            )
        if community_id in self.reported:
            raise Conflict(
                "already_reported", "该单位已向此社区报到", "the unit has already reported there"
            )
        self.trigger_event(
            self.ReportedToCommunity, community_id=community_id, note=note, by=by, timestamp=now
        )

    def remind(self, message: str, batch: str, by: str, now: datetime) -> None:
        self.trigger_event(self.Reminded, message=message, batch=batch, by=by, timestamp=now)
