"""A phone number proven by a one-time code sent by SMS (issue 14).

The code is never stored: a code sent records a random nonce and its expiry, and the
code is derived from the nonce with the service secret (`code_for`). Whoever sends the
SMS (the outbox, docs/accounts.md) derives it the same way from the `CodeSent` event's
`nonce`; whoever checks it derives it again. So the log alone never yields a code.

`PhoneCheck` (one per phone) holds the current code's nonce, expiry and tries and the
recent sends (the per-phone throttle); `AddressQuota` (one per client address) holds
that address's recent sends, so the per-address throttle holds across API processes
(both are saved in the one write that sends a code: optimistic concurrency decides).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import Throttled
from domain.limits import LIMITS, Limits

NAMESPACE = UUID("0f5e8a52-5b7e-4c1e-9d4a-3f2b6c7d8e91")
CODE_DIGITS = 6  # issue 14: 6 digits
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def code_for(secret: bytes, nonce: str) -> str:
    """The code sent for a nonce: 6 digits from HMAC-SHA256(secret, "phone-code|" + nonce),
    `secret` being the service secret (SISHUANG_TOKEN_SECRET; the prefix keeps it apart
    from every other use of that secret)."""
    mac = hmac.new(secret, f"phone-code|{nonce}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(mac[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def phone_check_id(phone: str) -> UUID:
    return uuid5(NAMESPACE, f"phone-check:{phone}")


def quota_key(address: str) -> str:
    """Whose quota a client address spends: an IPv4 address as itself (also when written
    IPv6-mapped, ::ffff:a.b.c.d), an IPv6 address by its /64 (one subscriber's network:
    a client rotating addresses inside it still spends one quota), anything else as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def address_quota_id(address: str) -> UUID:
    return uuid5(NAMESPACE, f"address:{quota_key(address)}")


def _recent(times: list[datetime], now: datetime, within: timedelta = HOUR) -> list[datetime]:
    return [t for t in times if t > now - within]


def _throttled(zh: str, en: str, retry_after: int) -> Throttled:
    return Throttled("too_many_codes", zh, en, retry_after_seconds=max(retry_after, 1))


def _seconds(wait: timedelta) -> int:
    return max(math.ceil(wait.total_seconds()), 1)


class PhoneCheck(Aggregate):
    TOPIC = "sishuang:PhoneCheck"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:PhoneCheck.Opened"
        phone: str

    Created = Opened

    class CodeSent(Event):
        """What the SMS needs: the phone, the nonce (code_for(secret, nonce) is the code),
        when it expires. `address`: the client address that asked."""

        TOPIC = "sishuang:PhoneCheck.CodeSent"
        phone: str
        nonce: str
        expires_at: datetime
        address: str

        def apply(self, aggregate: PhoneCheck) -> None:
            aggregate.nonce = self.nonce
            aggregate.expires_at = self.expires_at
            aggregate.tries = 0
            aggregate.sent = [*_recent(aggregate.sent, self.timestamp, DAY), self.timestamp]

    class CodeFailed(Event):
        TOPIC = "sishuang:PhoneCheck.CodeFailed"
        nonce: str
        tries: int

        def apply(self, aggregate: PhoneCheck) -> None:
            aggregate.tries = self.tries

    class CodeAccepted(Event):
        TOPIC = "sishuang:PhoneCheck.CodeAccepted"
        nonce: str
        account_id: UUID

        def apply(self, aggregate: PhoneCheck) -> None:
            aggregate.nonce = None
            aggregate.expires_at = None

    def __init__(self, phone: str) -> None:
        self.phone = phone
        self.nonce: str | None = None
        self.expires_at: datetime | None = None
        self.tries = 0
        self.sent: list[datetime] = []

    @classmethod
    def open(cls, phone: str, now: datetime) -> PhoneCheck:
        return cls._create(cls.Opened, id=phone_check_id(phone), phone=phone, timestamp=now)

    def send(self, nonce: str, address: str, now: datetime, limits: Limits = LIMITS) -> None:
        """A new code (the nonce); refused while the last one is too recent or the
        phone had its share this hour."""
        recent = _recent(self.sent, now)
        if recent:
            wait = recent[-1] + timedelta(seconds=limits.phone_code_resend_seconds) - now
            if wait > timedelta(0):
                seconds = _seconds(wait)
                raise _throttled(
                    f"验证码已发送，请 {seconds} 秒后再试",
                    "a code was just sent; wait before asking again",
                    seconds,
                )
        if len(recent) >= limits.phone_codes_per_hour:
            wait = recent[0] + timedelta(hours=1) - now
            raise _throttled(
                "该手机号本小时内获取验证码次数过多，请稍后再试",
                "too many codes for this phone this hour",
                _seconds(wait),
            )
        today = _recent(self.sent, now, DAY)
        if len(today) >= limits.phone_codes_per_day:
            raise _throttled(
                "该手机号今天获取验证码次数过多，请明天再试，或请社区工作人员协助",
                "too many codes for this phone today",
                _seconds(today[0] + DAY - now),
            )
        expires = now + timedelta(minutes=limits.phone_code_valid_minutes)
        self.trigger_event(
            self.CodeSent,
            phone=self.phone,
            nonce=nonce,
            expires_at=expires,
            address=address,
            timestamp=now,
        )

    def accepts(
        self, secret: bytes, code: str, now: datetime, limits: Limits = LIMITS
    ) -> bool | None:
        """True: the code is the current one; False: a wrong try that counts; None: there
        is no code to try (none sent, expired, used or out of tries)."""
        if self.nonce is None or self.expires_at is None or now >= self.expires_at:
            return None
        if self.tries >= limits.phone_code_max_tries:
            return None
        given = (code or "").strip().encode()[:64]
        return hmac.compare_digest(code_for(secret, self.nonce).encode(), given)

    def fail(self, now: datetime) -> None:
        assert self.nonce is not None
        self.trigger_event(self.CodeFailed, nonce=self.nonce, tries=self.tries + 1, timestamp=now)

    def accept(self, account_id: UUID, now: datetime) -> None:
        assert self.nonce is not None
        self.trigger_event(
            self.CodeAccepted, nonce=self.nonce, account_id=account_id, timestamp=now
        )


class AddressQuota(Aggregate):
    """The codes asked for from one client address in the last hour."""

    TOPIC = "sishuang:AddressQuota"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:AddressQuota.Opened"
        address: str

    Created = Opened

    class Used(Event):
        TOPIC = "sishuang:AddressQuota.Used"

        def apply(self, aggregate: AddressQuota) -> None:
            aggregate.used = [*_recent(aggregate.used, self.timestamp), self.timestamp]

    def __init__(self, address: str) -> None:
        self.address = address
        self.used: list[datetime] = []

    @classmethod
    def open(cls, address: str, now: datetime) -> AddressQuota:
        return cls._create(cls.Opened, id=address_quota_id(address), address=address, timestamp=now)

    def use(self, now: datetime, limits: Limits = LIMITS) -> None:
        recent = _recent(self.used, now)
        if len(recent) >= limits.address_codes_per_hour:
            wait = recent[0] + timedelta(hours=1) - now
            raise _throttled(
                "本网络获取验证码次数过多，请稍后再试",
                "too many codes asked from this address this hour",
                _seconds(wait),
            )
        self.trigger_event(self.Used, timestamp=now)
