"""Reservation: claims a key (a unique name, a phone within a unit, an idempotency key).

Its id is derived from the key (uuid5), so two commands that claim the same key
write the same aggregate at version 1 and the event store lets only one of them
through. The key itself is not stored: it may contain personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
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
        """Version 2 added `answer`: what an idempotent command answered besides its id
        (a redemption's code, a registration's status), so a retry answers the same;
        version-1 events load with an empty answer."""

        TOPIC = "sishuang:Reservation.Reserved"
        class_version = 2
        kind: str
        owner_id: UUID
        fingerprint: str
        answer: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["answer"] = {}

    Created = Reserved

    class Reassigned(Event):
        TOPIC = "sishuang:Reservation.Reassigned"
        owner_id: UUID
        fingerprint: str

        def apply(self, aggregate: Reservation) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.fingerprint = self.fingerprint

    def __init__(self, kind: str, owner_id: UUID, fingerprint: str, answer: dict[str, Any]) -> None:
        self.kind = kind
        self.owner_id = owner_id
        self.fingerprint = fingerprint
        self.answer = dict(answer)

    @classmethod
    def reserve(
        cls,
        key: str,
        kind: str,
        owner_id: UUID,
        fingerprint: str,
        now: datetime,
        answer: dict[str, Any] | None = None,
    ) -> Reservation:
        return cls._create(
            cls.Reserved,
            id=reservation_id(key),
            kind=kind,
            owner_id=owner_id,
            fingerprint=fingerprint,
            answer=dict(answer or {}),
            timestamp=now,
        )

    def reassign(self, owner_id: UUID, fingerprint: str, now: datetime) -> None:
        self.trigger_event(
            self.Reassigned, owner_id=owner_id, fingerprint=fingerprint, timestamp=now
        )
