"""County (县): the scope of an organisation department (组织部) and of policy values."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.policies import DEFAULT_POLICY, Policy


class County(Aggregate):
    TOPIC = "sishuang:County"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:County.Registered"
        name: str
        code: str
        by: str

    Created = Registered

    class PolicyChanged(Event):
        TOPIC = "sishuang:County.PolicyChanged"
        overrides: dict[str, Any]
        reason: str
        by: str

        def apply(self, aggregate: County) -> None:
            aggregate.policy_overrides.update(self.overrides)

    def __init__(self, name: str, code: str, by: str) -> None:
        self.name = name
        self.code = code
        self.policy_overrides: dict[str, Any] = {}

    @classmethod
    def register(cls, county_id: UUID, name: str, code: str, by: str, now: datetime) -> County:
        return cls._create(cls.Registered, id=county_id, name=name, code=code, by=by, timestamp=now)

    @property
    def policy(self) -> Policy:
        return DEFAULT_POLICY.recorded(self.policy_overrides)

    def change_policy(self, overrides: dict[str, Any], reason: str, by: str, now: datetime) -> None:
        # Validate and normalise through the Policy type before recording.
        updated = self.policy.with_overrides(overrides)
        normalised = {name: getattr(updated, name) for name in overrides}
        changed = {k: v for k, v in normalised.items() if getattr(self.policy, k) != v}
        if changed:
            self.trigger_event(
                self.PolicyChanged, overrides=changed, reason=reason, by=by, timestamp=now
            )
