"""Resident (群众): registers in the app, or is registered by a grid worker (网格员) for
someone who has no phone or cannot use the app (the 微心愿卡 case)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate


class Resident(Aggregate):
    TOPIC = "sishuang:Resident"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Resident.Registered"
        county_id: UUID
        community_id: UUID
        grid_code: str | None
        name: str
        phone: str  # empty when a grid worker registers someone without a phone
        address: str
        by: str

    Created = Registered

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        grid_code: str | None,
        name: str,
        phone: str,
        address: str,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.grid_code = grid_code
        self.name = name
        self.phone = phone
        self.address = address

    @classmethod
    def register(
        cls,
        resident_id: UUID,
        *,
        county_id: UUID,
        community_id: UUID,
        grid_code: str | None,
        name: str,
        phone: str,
        address: str,
        by: str,
        now: datetime,
    ) -> Resident:
        return cls._create(
            cls.Registered,
            id=resident_id,
            county_id=county_id,
            community_id=community_id,
            grid_code=grid_code,
            name=name,
            phone=phone,
            address=address,
            by=by,
            timestamp=now,
        )
