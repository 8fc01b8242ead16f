"""Reservation: claims a key (a unique name, a phone within a unit, an idempotency key).

Its id is derived from the key (uuid5), so two commands that claim the same key
write the same aggregate at version 1 and the event store lets only one of them
through. The key itself is not stored: it may contain personal data.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

NAMESPACE = UUID("6f0c2a4e-3d4b-5c1e-9a57-5b3f1f4f2a10")


def reservation_id(key: str) -> UUID:
    return uuid5(NAMESPACE, key)


class Reservation(Aggregate):
    TOPIC = "sishuang:Reservation"

    class Event(Aggregate.Event):
        pass

    class Reserved(Event, Aggregate.Created):
        TOPIC = "sishuang:Reservation.Reserved"
        kind: str
        owner_id: UUID
        fingerprint: str

    Created = Reserved

    class Reassigned(Event):
        TOPIC = "sishuang:Reservation.Reassigned"
        owner_id: UUID
        fingerprint: str

        def apply(self, aggregate: Reservation) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.fingerprint = self.fingerprint

    def __init__(self, kind: str, owner_id: UUID, fingerprint: str) -> None:
        self.kind = kind
        self.owner_id = owner_id
        self.fingerprint = fingerprint

    @classmethod
    def reserve(
        cls, key: str, kind: str, owner_id: UUID, fingerprint: str, now: datetime
    ) -> Reservation:
        return cls._create(
            cls.Reserved,
            id=reservation_id(key),
            kind=kind,
            owner_id=owner_id,
            fingerprint=fingerprint,
            timestamp=now,
        )

    def reassign(self, owner_id: UUID, fingerprint: str, now: datetime) -> None:
        self.trigger_event(
            self.Reassigned, owner_id=owner_id, fingerprint=fingerprint, timestamp=now
        )
