"""Account: a person's way in (issue 14, DESIGN.md §6a).

Two kinds: a phone account (members, residents, grid workers: they sign in with a code
sent to the phone; its id is derived from the phone) and a staff account (社区, 单位,
组织部, 督查, 审计, partners: a login name, a password, optionally TOTP; its id is
derived from the login). What an account may act as are its grants (role + scope +
the subject the Actor carries), each added and revoked by an event, so who could do
what, and when, is replayable. Every sign-in, failure, lock and grant is an event.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actors import ROLE_LABELS, Role
from domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from domain.limits import LIMITS, Limits
from domain.passwords import PasswordHash

NAMESPACE = UUID("3c1d5e7a-9b2f-4d6e-8a1c-5f7b9d2e4a60")
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


class AccountKind(StrEnum):
    PHONE = "phone"
    STAFF = "staff"


# The roles a phone account holds (signed in by an SMS code alone); every other role is
# staff and needs a staff account: a password, optional TOTP, the lock-out.
PHONE_ROLES = frozenset({Role.MEMBER, Role.RESIDENT, Role.GRID_WORKER})


def phone_account_id(phone: str) -> UUID:
    """A phone account's id: the same phone always names the same account."""
    return uuid5(NAMESPACE, f"phone:{phone}")


def normalise_login(login: str) -> str:
    """A staff login name: 3–64 of a–z, 0–9 and . _ @ -, compared case-folded."""
    cleaned = unicodedata.normalize("NFKC", login or "").strip().casefold()
    if not LOGIN_RE.match(cleaned):
        raise InvalidInput(
            "invalid_login",
            "登录名应为 3–64 个字母、数字或 . _ @ -，以字母或数字开头",
            "a login is 3-64 of a-z 0-9 . _ @ -, starting with a letter or digit",
        )
    return cleaned


def staff_account_id(login: str) -> UUID:
    return uuid5(NAMESPACE, f"login:{login}")


def grant_id_for(account_id: UUID, role: Role, scope_id: UUID | None) -> UUID:
    return uuid5(account_id, f"{role.value}|{scope_id or '-'}")


@dataclass(frozen=True)
class Grant:
    grant_id: UUID
    role: Role
    scope_id: UUID | None
    subject: str
    county_id: UUID | None  # where the scope lies: for lists and who may manage it
    community_id: UUID | None
    active: bool = True


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated(
        "invalid_credentials", "登录名或密码不正确", "the login or the password is wrong"
    )


class Account(Aggregate):
    TOPIC = "sishuang:Account"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:Account.Opened"
        kind: str  # AccountKind
        login: str  # staff only
        phone: str  # phone accounts; staff may have one
        name: str
        by: str

    Created = Opened

    class GrantAdded(Event):
        TOPIC = "sishuang:Account.GrantAdded"
        grant_id: UUID
        role: str
        scope_id: UUID | None
        subject: str
        county_id: UUID | None
        community_id: UUID | None
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.grants[self.grant_id] = Grant(
                self.grant_id,
                Role(self.role),
                self.scope_id,
                self.subject,
                self.county_id,
                self.community_id,
            )

    class GrantRevoked(Event):
        TOPIC = "sishuang:Account.GrantRevoked"
        grant_id: UUID
        reason: str
        by: str

        def apply(self, aggregate: Account) -> None:
            grant = aggregate.grants[self.grant_id]
            aggregate.grants[self.grant_id] = replace(grant, active=False)

    class PasswordSet(Event):
        TOPIC = "sishuang:Account.PasswordSet"
        algorithm: str
        salt: str
        digest: str
        memory_kib: int
        iterations: int
        lanes: int
        length: int
        must_change: bool  # a temporary password an administrator set
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.password = PasswordHash(
                self.algorithm,
                self.salt,
                self.digest,
                self.memory_kib,
                self.iterations,
                self.lanes,
                self.length,
            )
            aggregate.must_change = self.must_change
            aggregate.failures = 0
            aggregate.locked_until = None

    class TotpEnrolled(Event):
        TOPIC = "sishuang:Account.TotpEnrolled"
        sealed: str  # the TOTP secret, sealed (domain.totp.seal)
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.totp_pending = self.sealed

    class TotpConfirmed(Event):
        TOPIC = "sishuang:Account.TotpConfirmed"
        step: int

        def apply(self, aggregate: Account) -> None:
            aggregate.totp = aggregate.totp_pending
            aggregate.totp_pending = None
            aggregate.totp_last_step = self.step

    class TotpRemoved(Event):
        TOPIC = "sishuang:Account.TotpRemoved"
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.totp = None
            aggregate.totp_pending = None
            aggregate.totp_last_step = None

    class SignInSucceeded(Event):
        TOPIC = "sishuang:Account.SignInSucceeded"
        method: str  # phone_code, password, registration, password_change
        grant_id: UUID | None
        session_id: UUID
        address: str
        totp_step: int | None

        def apply(self, aggregate: Account) -> None:
            aggregate.failures = 0
            aggregate.locked_until = None
            if self.totp_step is not None:
                aggregate.totp_last_step = self.totp_step
            aggregate.sessions.append((self.session_id, self.timestamp, self.grant_id))

    class SignInFailed(Event):
        TOPIC = "sishuang:Account.SignInFailed"
        method: str
        reason: str  # wrong_password, wrong_totp, wrong_code
        address: str
        failures: int  # consecutive, this one included

        def apply(self, aggregate: Account) -> None:
            aggregate.failures = self.failures

    class Locked(Event):
        TOPIC = "sishuang:Account.Locked"
        until: datetime
        failures: int

        def apply(self, aggregate: Account) -> None:
            aggregate.locked_until = self.until
            aggregate.failures = 0

    class Disabled(Event):
        TOPIC = "sishuang:Account.Disabled"
        reason: str
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.disabled = True

    class Enabled(Event):
        TOPIC = "sishuang:Account.Enabled"
        by: str

        def apply(self, aggregate: Account) -> None:
            aggregate.disabled = False

    def __init__(self, kind: str, login: str, phone: str, name: str, by: str) -> None:
        self.kind = AccountKind(kind)
        self.login = login
        self.phone = phone
        self.name = name
        self.grants: dict[UUID, Grant] = {}
        self.password: PasswordHash | None = None
        self.must_change = False
        self.totp: str | None = None
        self.totp_pending: str | None = None
        self.totp_last_step: int | None = None
        self.failures = 0
        self.locked_until: datetime | None = None
        self.disabled = False
        self.sessions: list[tuple[UUID, datetime, UUID | None]] = []

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open_phone(cls, phone: str, name: str, by: str, now: datetime) -> Account:
        return cls._create(
            cls.Opened,
            id=phone_account_id(phone),
            kind=AccountKind.PHONE.value,
            login="",
            phone=phone,
            name=name,
            by=by,
            timestamp=now,
        )

    @classmethod
    def open_staff(cls, login: str, name: str, by: str, now: datetime) -> Account:
        return cls._create(
            cls.Opened,
            id=staff_account_id(login),
            kind=AccountKind.STAFF.value,
            login=login,
            phone="",
            name=name,
            by=by,
            timestamp=now,
        )

    # -- grants ------------------------------------------------------------------------

    def active_grants(self) -> list[Grant]:
        return [g for g in self.grants.values() if g.active]

    def add_grant(
        self,
        role: Role,
        scope_id: UUID | None,
        subject: str,
        place: tuple[UUID | None, UUID | None],
        by: str,
        now: datetime,
        limits: Limits = LIMITS,
    ) -> UUID:
        if (role in PHONE_ROLES) != (self.kind is AccountKind.PHONE):
            if self.kind is AccountKind.PHONE:
                raise InvalidInput(
                    "staff_role_needs_staff_account",
                    f"“{ROLE_LABELS[role]}”身份须授予工作人员账号（登录名和密码），不能授予手机号账号",
                    f"the role {role.value} needs a staff account (login and password)",
                )
            raise InvalidInput(
                "phone_role_needs_phone_account",
                f"“{ROLE_LABELS[role]}”身份须授予手机号账号（短信验证码登录）",
                f"the role {role.value} is held by a phone account",
            )
        grant_id = grant_id_for(self.id, role, scope_id)
        existing = self.grants.get(grant_id)
        if existing is not None and existing.active:
            raise Conflict(
                "grant_exists", "该账号已有这一身份", "the account already holds this grant"
            )
        if len(self.active_grants()) >= limits.max_grants:
            raise Conflict(
                "too_many_grants",
                f"一个账号最多 {limits.max_grants} 个身份",
                f"an account holds at most {limits.max_grants} grants",
            )
        self.trigger_event(
            self.GrantAdded,
            grant_id=grant_id,
            role=role.value,
            scope_id=scope_id,
            subject=subject,
            county_id=place[0],
            community_id=place[1],
            by=by,
            timestamp=now,
        )
        return grant_id

    def grant(self, grant_id: UUID) -> Grant:
        found = self.grants.get(grant_id)
        if found is None:
            raise NotFound("unknown_grant", "该账号没有这一身份", "no such grant on the account")
        return found

    def revoke(self, grant_id: UUID, reason: str, by: str, now: datetime) -> Grant:
        grant = self.grant(grant_id)
        if not grant.active:
            raise Conflict("grant_revoked", "该身份已撤销", "the grant is already revoked")
        self.trigger_event(
            self.GrantRevoked, grant_id=grant_id, reason=reason, by=by, timestamp=now
        )
        return grant

    def choose_grant(self, grant_id: UUID | None) -> Grant | None:
        """The grant a sign-in acts as: the one asked for, or the oldest active one
        (None: the account holds none yet: a phone proven before registering)."""
        active = self.active_grants()
        if grant_id is None:
            return active[0] if active else None
        for grant in active:
            if grant.grant_id == grant_id:
                return grant
        raise Conflict("unknown_grant", "该账号没有这一身份", "the account holds no such grant")

    # -- passwords and TOTP ------------------------------------------------------------

    def set_password(
        self, hashed: PasswordHash, *, must_change: bool, by: str, now: datetime
    ) -> None:
        self.trigger_event(
            self.PasswordSet,
            algorithm=hashed.algorithm,
            salt=hashed.salt,
            digest=hashed.digest,
            memory_kib=hashed.memory_kib,
            iterations=hashed.iterations,
            lanes=hashed.lanes,
            length=hashed.length,
            must_change=must_change,
            by=by,
            timestamp=now,
        )

    def require_staff(self) -> None:
        if self.kind is not AccountKind.STAFF:
            raise Conflict(
                "not_a_staff_account",
                "手机号账号使用短信验证码登录，没有密码",
                "a phone account signs in with a code and has no password",
            )

    def enroll_totp(self, sealed: str, by: str, now: datetime) -> None:
        self.require_staff()
        if self.totp is not None:
            raise Conflict(
                "totp_enrolled", "已启用动态口令，如需更换请先停用", "TOTP is already on"
            )
        self.trigger_event(self.TotpEnrolled, sealed=sealed, by=by, timestamp=now)

    def confirm_totp(self, step: int, now: datetime) -> None:
        self.trigger_event(self.TotpConfirmed, step=step, timestamp=now)

    def remove_totp(self, by: str, now: datetime) -> None:
        if self.totp is None and self.totp_pending is None:
            raise Conflict("totp_not_enrolled", "尚未启用动态口令", "TOTP is not on")
        self.trigger_event(self.TotpRemoved, by=by, timestamp=now)

    # -- signing in --------------------------------------------------------------------

    def check_may_sign_in(self, now: datetime) -> None:
        if self.disabled:
            raise Unauthenticated(
                "account_disabled", "账号已停用，请联系管理员", "the account is disabled"
            )
        if self.locked_until is not None and now < self.locked_until:
            minutes = int((self.locked_until - now).total_seconds() // 60) + 1
            raise Unauthenticated(
                "account_locked",
                f"连续输错次数过多，账号已锁定，请 {minutes} 分钟后再试",
                "too many failed sign-ins: the account is locked for a while",
                retry_after_seconds=int((self.locked_until - now).total_seconds()) + 1,
            )

    def fail_sign_in(
        self, method: str, reason: str, address: str, now: datetime, limits: Limits = LIMITS
    ) -> bool:
        """Record a failed sign-in; lock the account after too many in a row. Returns
        whether this failure locked it."""
        failures = self.failures + 1
        self.trigger_event(
            self.SignInFailed,
            method=method,
            reason=reason,
            address=address,
            failures=failures,
            timestamp=now,
        )
        if failures >= limits.lock_after_failures:
            until = now + timedelta(minutes=limits.lock_minutes)
            self.trigger_event(self.Locked, until=until, failures=failures, timestamp=now)
            return True
        return False

    def signed_in(
        self,
        method: str,
        grant: Grant | None,
        session_id: UUID,
        address: str,
        now: datetime,
        totp_step: int | None = None,
    ) -> None:
        self.trigger_event(
            self.SignInSucceeded,
            method=method,
            grant_id=None if grant is None else grant.grant_id,
            session_id=session_id,
            address=address,
            totp_step=totp_step,
            timestamp=now,
        )

    def recent_sessions(
        self, now: datetime, grant_id: UUID | None = None, limits: Limits = LIMITS
    ) -> list[UUID]:
        """The sessions that may still be live (started within the longest lifetime),
        of one grant or all."""
        since = now - timedelta(days=limits.session_max_days)
        return [
            sid
            for sid, started, gid in self.sessions
            if started > since and (grant_id is None or gid == grant_id)
        ]

    def disable(self, reason: str, by: str, now: datetime) -> None:
        if self.disabled:
            raise Conflict("account_disabled", "账号已停用", "the account is already disabled")
        self.trigger_event(self.Disabled, reason=reason, by=by, timestamp=now)

    def enable(self, by: str, now: datetime) -> None:
        if not self.disabled:
            raise Conflict("account_enabled", "账号未停用", "the account is not disabled")
        self.trigger_event(self.Enabled, by=by, timestamp=now)
