"""Failed password sign-ins counted per client address (issue 14's review): the lock-out
holds one account, this holds one address trying many accounts (password spraying) or
one account's lock kept on from afar. Checked before any password is hashed, so a
refused attempt costs no argon2id work; kept in the log like the phone codes' address
quota (domain.phone_check), so it holds across API processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import Throttled
from domain.limits import LIMITS, Limits
from domain.phone_check import quota_key

NAMESPACE = UUID("5d0c1f7e-8a43-4b6e-9f21-7c3e2a9b4d10")
HOUR = timedelta(hours=1)


def sign_in_quota_id(address: str) -> UUID:
    return uuid5(NAMESPACE, f"sign-in:{quota_key(address)}")


class SignInQuota(Aggregate):
    TOPIC = "sishuang:SignInQuota"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:SignInQuota.Opened"
        address: str

    Created = Opened

    class FailureCounted(Event):
        """A failed password sign-in from this address (a wrong password or TOTP code, or
        a login that does not exist)."""

        TOPIC = "sishuang:SignInQuota.FailureCounted"

        def apply(self, aggregate: SignInQuota) -> None:
            aggregate.failures = [*_within_hour(aggregate.failures, self.timestamp), self.timestamp]

    def __init__(self, address: str) -> None:
        self.address = address
        self.failures: list[datetime] = []

    @classmethod
    def open(cls, address: str, now: datetime) -> SignInQuota:
        return cls._create(cls.Opened, id=sign_in_quota_id(address), address=address, timestamp=now)

    def check(self, now: datetime, limits: Limits = LIMITS) -> None:
        """Refused while the address has used up its failures for the hour."""
        recent = _within_hour(self.failures, now)
        if len(recent) >= limits.sign_in_failures_per_address_per_hour:
            wait = recent[0] + HOUR - now
            raise Throttled(
                "too_many_sign_in_failures",
                "该网络本小时内登录失败次数过多，请稍后再试；忘记密码请联系管理员重置",
                "too many failed sign-ins from this address this hour",
                retry_after_seconds=max(int(wait.total_seconds()) + 1, 1),
            )

    def count(self, now: datetime) -> None:
        self.trigger_event(self.FailureCounted, timestamp=now)


def _within_hour(times: list[datetime], now: datetime) -> list[datetime]:
    return [t for t in times if t > now - HOUR]
