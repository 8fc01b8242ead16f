"""Messages: deliveries claimed, sent and settled by the delivery worker; messages read;
preferences set (domain.delivery's aggregates; docs/notifications.md).

The worker acts as the operator's system actor (`delivery_actor`): it claims a delivery
(only one worker wins: the claim is an event at the delivery's next version), sends,
and records the outcome. A person reads their own inbox and sets their own preferences.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import access
from domain.actors import Actor, Role
from domain.delivery import (
    Delivery,
    DeliveryFacts,
    DeliveryStatus,
    Inbox,
    Preferences,
    delivery_id,
    inbox_id,
    preferences_id,
)
from domain.errors import Conflict, NotFound
from domain.messages import SYSTEM_COUNTY, clean_kinds, own_key
from domain.policies import DEFAULT_POLICY, Policy
from domain.service import Result, Service


def delivery_actor(worker: str) -> Actor:
    """The actor a delivery worker's commands are recorded under."""
    return Actor(Role.OPERATOR, f"delivery:{worker}")


class MessageCommands(Service):
    # -- deliveries (the worker) ------------------------------------------------------------

    def delivery(self, delivery_id_: UUID) -> Delivery:
        return self._get(Delivery, delivery_id_, "unknown_delivery", "消息发送记录")

    def _delivery_policy(self, delivery: Delivery) -> Policy:
        """The county's policy; a message about no county (a sign-in code) the default."""
        if delivery.county_id == SYSTEM_COUNTY:
            return DEFAULT_POLICY
        return self.policy(delivery.county_id)

    def claim_delivery(self, actor: Actor, facts: DeliveryFacts, worker: str) -> DeliveryStatus:
        """Claim a delivery to send it: CLAIMED (send now), DEFERRED (quiet hours) or
        IN_DOUBT (an earlier claim ran out unreported: not sent again). Conflict when
        another worker holds it, it is done, or not due."""
        access.require_role(actor, Role.OPERATOR)
        key = delivery_id(facts.message_id, facts.channel)
        outcome: list[DeliveryStatus] = []

        def decide() -> tuple[UUID, list[Aggregate]]:
            outcome.clear()
            now = self.clock.now()
            found = self._find(Delivery, key)
            delivery = found or Delivery.open(facts, now)
            outcome.append(delivery.claim(worker, self._delivery_policy(delivery), now))
            return key, [delivery]

        self._decide_once(None, decide)
        return outcome[0]

    def record_delivery_sent(
        self, actor: Actor, delivery_id_: UUID, worker: str, provider_ref: str
    ) -> Result:
        access.require_role(actor, Role.OPERATOR)
        return self._decide(
            self.delivery,
            delivery_id_,
            lambda d: d.sent(worker, provider_ref, self.clock.now()),
        )

    def record_delivery_failed(
        self, actor: Actor, delivery_id_: UUID, worker: str, error: str
    ) -> DeliveryStatus:
        """A definite failure: FAILED (retried after the back-off) or GAVE_UP."""
        access.require_role(actor, Role.OPERATOR)
        outcome: list[DeliveryStatus] = []

        def decide(d: Delivery) -> None:
            outcome.clear()
            outcome.append(d.failed(worker, error, self._delivery_policy(d), self.clock.now()))

        self._decide(self.delivery, delivery_id_, decide)
        return outcome[0]

    def record_delivery_in_doubt(
        self, actor: Actor, delivery_id_: UUID, worker: str, reason: str
    ) -> Result:
        access.require_role(actor, Role.OPERATOR)
        return self._decide(
            self.delivery, delivery_id_, lambda d: d.doubt(worker, reason, self.clock.now())
        )

    def sweep_deliveries(self, delivery_ids: Sequence[UUID]) -> int:
        """Claims whose lease ran out unreported are in doubt (never resent)."""
        fired = 0
        for each in delivery_ids:
            hit: list[bool] = []

            def decide(d: Delivery, hit: list[bool] = hit) -> None:
                hit.clear()
                hit.append(d.expire(self.clock.now()))

            try:
                self._decide(self.delivery, each, decide)
            except (Conflict, NotFound):
                continue
            fired += bool(hit and hit[0])
        return fired

    # -- the inbox and preferences (the person) -----------------------------------------

    def read_message(self, actor: Actor, message_id: UUID) -> Result:
        """The actor has read a message of their inbox (the API checks it is theirs);
        reading it again records nothing."""
        recipient = own_key(actor)
        county_id = self.county_of(actor)

        def decide() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            inbox = self._find(Inbox, inbox_id(recipient)) or Inbox.open(recipient, county_id, now)
            inbox.mark_read(message_id, actor.ref, now)
            return message_id, [inbox]

        return self._decide_once(None, decide)

    def set_preferences(
        self, actor: Actor, *, sms_off: Sequence[str], nearby_needs: bool
    ) -> Result:
        """The actor's own preferences: SMS off for these kinds; 附近新需求 on or off."""
        recipient = own_key(actor)
        kinds = clean_kinds(list(sms_off))
        county_id = self.county_of(actor)
        key = preferences_id(recipient)

        def decide() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            prefs = self._find(Preferences, key) or Preferences.open(recipient, county_id, now)
            prefs.set(kinds, bool(nearby_needs), actor.ref, now)
            return key, [prefs]

        return self._decide_once(None, decide)

    def preferences_of(self, actor: Actor) -> Preferences | None:
        return self._find(Preferences, preferences_id(own_key(actor)))
