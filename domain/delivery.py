"""Deliveries, inboxes and preferences: how a message reaches a person, as events.

- **Delivery** (one per message and channel, id derived from both): a worker claims it
  (worker id, lease), sends, and records the outcome: sent (the provider's reference),
  failed (a definite failure: the next attempt after an exponential back-off, given up
  after `delivery_max_attempts`), or in doubt (the request may have reached the provider:
  a timeout after sending, or a claim whose lease ran out because its worker died
  mid-send). A delivery in doubt is never sent again: each message reaches each channel
  at most once. A non-urgent SMS in quiet hours is deferred to their end.
- **Inbox** (one per recipient key): which messages the recipient has read.
- **Preferences** (one per recipient key): SMS turned off per kind, and the opt-in to
  附近新需求 messages.

Rules are decided here with the county's Policy; the events only change state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.calendar import BEIJING, stored
from domain.errors import Conflict
from domain.messages import MESSAGES_NAMESPACE, Channel, MessageKind
from domain.policies import Policy
from domain.values import Labelled


class DeliveryStatus(Labelled):
    PENDING = ("pending", "待发送")  # the read model's row before any event
    DEFERRED = ("deferred", "夜间暂缓")
    CLAIMED = ("claimed", "发送中")
    SENT = ("sent", "已发送")
    FAILED = ("failed", "发送失败·待重试")
    GAVE_UP = ("gave_up", "多次失败·已放弃")
    IN_DOUBT = ("in_doubt", "结果不明·不重发")
    EXPIRED = ("expired", "已过时·不再发送")

    @classmethod
    def label_zh(cls) -> str:
        return "发送状态"


D = DeliveryStatus
FINAL = frozenset({D.SENT, D.GAVE_UP, D.IN_DOUBT, D.EXPIRED})
MAX_ERROR_CHARS = 300  # an error recorded in an event, at most


@dataclass(frozen=True)
class DeliveryFacts:
    """What a delivery is of, as the outbox's row has it: recorded by the first claim."""

    message_id: UUID
    channel: Channel
    kind: MessageKind
    urgent: bool
    county_id: UUID
    community_id: UUID | None
    message_at: datetime  # when the message was made (its event's time)
    valid_until: datetime | None = None  # the deadline it asks to be met by: not sent after


def delivery_id(message_id: UUID, channel: Channel) -> UUID:
    return uuid5(MESSAGES_NAMESPACE, f"delivery|{message_id}|{channel.code}")


def inbox_id(recipient: str) -> UUID:
    return uuid5(MESSAGES_NAMESPACE, f"inbox|{recipient}")


def preferences_id(recipient: str) -> UUID:
    return uuid5(MESSAGES_NAMESPACE, f"preferences|{recipient}")


def quiet_until(now: datetime, policy: Policy) -> datetime | None:
    """The end of the quiet hours (Beijing time) `now` falls in, or None outside them.
    Start == end: no quiet hours."""
    start, end = policy.sms_quiet_start_hour, policy.sms_quiet_end_hour
    local = now.astimezone(BEIJING)
    hour = local.hour
    if start == end:
        return None
    quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=BEIJING).astimezone(now.tzinfo)


def backoff_seconds(attempt: int, policy: Policy) -> int:
    """The wait after the `attempt`-th failed attempt: the base, doubled each time, capped."""
    exponent = min(max(attempt - 1, 0), 40)
    return int(
        min(policy.delivery_backoff_seconds * 2**exponent, policy.delivery_backoff_max_seconds)
    )


def _short(text: str) -> str:
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    return cleaned[:MAX_ERROR_CHARS]


class Delivery(Aggregate):
    TOPIC = "sishuang:Delivery"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        """The first claim of a message's channel: what the delivery is of."""

        TOPIC = "sishuang:Delivery.Opened"
        message_id: UUID
        channel: Channel
        kind: MessageKind
        urgent: bool
        county_id: UUID
        community_id: UUID | None
        message_at: datetime
        valid_until: datetime | None

    Created = Opened

    class Deferred(Event):
        """Quiet hours: a non-urgent SMS waits until they end."""

        TOPIC = "sishuang:Delivery.Deferred"
        until: datetime

        def apply(self, d: Delivery) -> None:
            d.status = D.DEFERRED
            d.next_attempt_at = self.until

    class Claimed(Event):
        TOPIC = "sishuang:Delivery.Claimed"
        worker: str
        attempt: int
        lease_until: datetime

        def apply(self, d: Delivery) -> None:
            d.status = D.CLAIMED
            d.worker = self.worker
            d.attempts = self.attempt
            d.lease_until = self.lease_until

    class Sent(Event):
        TOPIC = "sishuang:Delivery.Sent"
        worker: str
        provider_ref: str

        def apply(self, d: Delivery) -> None:
            d.status = D.SENT
            d.provider_ref = self.provider_ref

    class Failed(Event):
        """A definite failure (refused, the provider said no): tried again later."""

        TOPIC = "sishuang:Delivery.Failed"
        worker: str
        attempt: int
        error: str
        next_attempt_at: datetime

        def apply(self, d: Delivery) -> None:
            d.status = D.FAILED
            d.next_attempt_at = self.next_attempt_at
            d.last_error = self.error

    class GaveUp(Event):
        TOPIC = "sishuang:Delivery.GaveUp"
        worker: str
        attempts: int
        error: str

        def apply(self, d: Delivery) -> None:
            d.status = D.GAVE_UP
            d.last_error = self.error

    class Expired(Event):
        """Not sent: at its first claim the message was older than delivery_max_age_hours
        (news no longer), or the deadline it asks to be met by had passed (a rating
        request after the rating window, a sign-in code no longer valid). The inbox copy
        stands. `reason`: which, as the community's list of deliveries shows it."""

        TOPIC = "sishuang:Delivery.Expired"
        reason: str

        def apply(self, d: Delivery) -> None:
            d.status = D.EXPIRED

    class InDoubt(Event):
        """The request may have reached the provider: never sent again."""

        TOPIC = "sishuang:Delivery.InDoubt"
        worker: str
        reason: str

        def apply(self, d: Delivery) -> None:
            d.status = D.IN_DOUBT
            d.last_error = self.reason

    def __init__(
        self,
        message_id: UUID,
        channel: Channel,
        kind: MessageKind,
        urgent: bool,
        county_id: UUID,
        community_id: UUID | None,
        message_at: datetime,
        valid_until: datetime | None,
    ) -> None:
        self.message_id = message_id
        self.message_at = message_at
        self.valid_until = valid_until
        self.channel = channel
        self.kind = kind
        self.urgent = urgent
        self.county_id = county_id
        self.community_id = community_id
        self.status = D.PENDING
        self.worker = ""
        self.attempts = 0
        self.lease_until: datetime | None = None
        self.next_attempt_at: datetime | None = None
        self.provider_ref = ""
        self.last_error = ""

    @classmethod
    def open(cls, facts: DeliveryFacts, now: datetime) -> Delivery:
        return cls._create(
            cls.Opened,
            id=delivery_id(facts.message_id, facts.channel),
            message_id=facts.message_id,
            channel=facts.channel,
            kind=facts.kind,
            urgent=facts.urgent,
            county_id=facts.county_id,
            community_id=facts.community_id,
            message_at=facts.message_at,
            valid_until=facts.valid_until,
            timestamp=now,
        )

    # -- decisions -----------------------------------------------------------------------

    def claim(self, worker: str, policy: Policy, now: datetime) -> DeliveryStatus:
        """A worker asks to send. Returns what was recorded: CLAIMED (go ahead: send),
        DEFERRED (quiet hours), IN_DOUBT (an earlier claim's lease ran out unreported),
        EXPIRED (the message is older than delivery_max_age_hours, or its deadline passed).
        Refused (Conflict) while another claim holds, once final, or before it is due."""
        if self.status is D.CLAIMED:
            if self.expire(now):
                return D.IN_DOUBT
            raise Conflict(
                "delivery_taken", "该消息正由其他发送进程处理", "another worker holds it"
            )
        if self.status in FINAL:
            raise Conflict(
                "delivery_done",
                f"该消息已发送完毕（{self.status.label}）",
                f"the delivery is {self.status.code}",
            )
        if self.next_attempt_at is not None and now < self.next_attempt_at:
            raise Conflict("delivery_not_due", "尚未到重试时间", "the next attempt is not due yet")
        max_age = policy.delivery_max_age_hours
        if now >= self.message_at + timedelta(hours=max_age):
            self.trigger_event(self.Expired, reason=f"too_old: > {max_age} h", timestamp=now)
            return D.EXPIRED
        if self.valid_until is not None and now >= self.valid_until:
            self.trigger_event(
                self.Expired, reason=f"past_deadline: {stored(self.valid_until)}", timestamp=now
            )
            return D.EXPIRED
        if self.channel is Channel.SMS and not self.urgent:
            until = quiet_until(now, policy)
            if until is not None:
                self.trigger_event(self.Deferred, until=until, timestamp=now)
                return D.DEFERRED
        self.trigger_event(
            self.Claimed,
            worker=worker,
            attempt=self.attempts + 1,
            lease_until=now + timedelta(seconds=policy.delivery_lease_seconds),
            timestamp=now,
        )
        return D.CLAIMED

    def _require_claim(self, worker: str) -> None:
        if self.status is not D.CLAIMED or self.worker != worker:
            raise Conflict(
                "delivery_not_claimed",
                "该消息不在本发送进程的处理中",
                "this worker holds no claim on the delivery",
                status=self.status.code,
            )

    def sent(self, worker: str, provider_ref: str, now: datetime) -> None:
        """Sent. A late report on a delivery already in doubt settles the doubt."""
        if not (self.status is D.IN_DOUBT and self.worker == worker):
            self._require_claim(worker)
        self.trigger_event(
            self.Sent, worker=worker, provider_ref=_short(provider_ref), timestamp=now
        )

    def failed(self, worker: str, error: str, policy: Policy, now: datetime) -> DeliveryStatus:
        """A definite failure: FAILED (tried again after the back-off) or GAVE_UP."""
        self._require_claim(worker)
        if self.attempts >= policy.delivery_max_attempts:
            self.trigger_event(
                self.GaveUp,
                worker=worker,
                attempts=self.attempts,
                error=_short(error),
                timestamp=now,
            )
            return D.GAVE_UP
        self.trigger_event(
            self.Failed,
            worker=worker,
            attempt=self.attempts,
            error=_short(error),
            next_attempt_at=now + timedelta(seconds=backoff_seconds(self.attempts, policy)),
            timestamp=now,
        )
        return D.FAILED

    def doubt(self, worker: str, reason: str, now: datetime) -> None:
        """The worker cannot tell whether the provider got it (a timeout after sending)."""
        self._require_claim(worker)
        self.trigger_event(self.InDoubt, worker=worker, reason=_short(reason), timestamp=now)

    def expire(self, now: datetime) -> bool:
        """Sweep: a claim whose lease ran out unreported (its worker died mid-send) is in
        doubt. Returns whether it fired."""
        if self.status is D.CLAIMED and self.lease_until is not None and now >= self.lease_until:
            self.trigger_event(
                self.InDoubt, worker=self.worker, reason="lease_expired", timestamp=now
            )
            return True
        return False


class Inbox(Aggregate):
    """A recipient's 站内信: which messages they have read."""

    TOPIC = "sishuang:Inbox"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:Inbox.Opened"
        recipient: str
        county_id: UUID

    Created = Opened

    class MessageRead(Event):
        TOPIC = "sishuang:Inbox.MessageRead"
        message_id: UUID
        by: str

        def apply(self, inbox: Inbox) -> None:
            inbox.read.add(self.message_id)

    def __init__(self, recipient: str, county_id: UUID) -> None:
        self.recipient = recipient
        self.county_id = county_id
        self.read: set[UUID] = set()

    @classmethod
    def open(cls, recipient: str, county_id: UUID, now: datetime) -> Inbox:
        return cls._create(
            cls.Opened,
            id=inbox_id(recipient),
            recipient=recipient,
            county_id=county_id,
            timestamp=now,
        )

    def mark_read(self, message_id: UUID, by: str, now: datetime) -> bool:
        """Idempotent: a message read twice is recorded once. Returns whether it fired."""
        if message_id in self.read:
            return False
        self.trigger_event(self.MessageRead, message_id=message_id, by=by, timestamp=now)
        return True


class Preferences(Aggregate):
    """A person's message preferences: SMS off per kind, 附近新需求 opt-in."""

    TOPIC = "sishuang:Preferences"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:Preferences.Opened"
        recipient: str
        county_id: UUID

    Created = Opened

    class Set(Event):
        TOPIC = "sishuang:Preferences.Set"
        sms_off: tuple[MessageKind, ...]
        nearby_needs: bool
        by: str

        def apply(self, p: Preferences) -> None:
            p.sms_off = tuple(self.sms_off)
            p.nearby_needs = self.nearby_needs

    def __init__(self, recipient: str, county_id: UUID) -> None:
        self.recipient = recipient
        self.county_id = county_id
        self.sms_off: tuple[MessageKind, ...] = ()
        self.nearby_needs = False

    @classmethod
    def open(cls, recipient: str, county_id: UUID, now: datetime) -> Preferences:
        return cls._create(
            cls.Opened,
            id=preferences_id(recipient),
            recipient=recipient,
            county_id=county_id,
            timestamp=now,
        )

    def set(
        self, sms_off: tuple[MessageKind, ...], nearby_needs: bool, by: str, now: datetime
    ) -> bool:
        """Idempotent: the same preferences again record nothing."""
        if (
            tuple(sms_off) == self.sms_off
            and nearby_needs == self.nearby_needs
            and self.version > 1
        ):
            return False
        self.trigger_event(
            self.Set, sms_off=tuple(sms_off), nearby_needs=nearby_needs, by=by, timestamp=now
        )
        return True
