"""Session: one sign-in's life (issue 14).

Started with the grant it acts as and the hash of its first refresh token; each
refresh rotates the token (the new hash, generation + 1); a token already rotated
away, presented again, means it was copied: the whole session ends (refresh token
reused), recorded. Ended also by sign-out, sign-out everywhere, the account disabled,
the grant revoked, the password changed, or expiry. Access tokens name the session;
every request checks the read model that it is live (api.context)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Unauthenticated
from domain.limits import LIMITS, Limits


class EndReason(StrEnum):
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    REFRESH_REUSED = "refresh_reused"
    ACCOUNT_DISABLED = "account_disabled"
    GRANT_REVOKED = "grant_revoked"
    PASSWORD_CHANGED = "password_changed"
    EXPIRED = "expired"


END_LABELS = {
    EndReason.SIGN_OUT: "退出登录",
    EndReason.SIGN_OUT_EVERYWHERE: "在所有设备上退出",
    EndReason.REFRESH_REUSED: "刷新凭证被重复使用（疑似被盗用）",
    EndReason.ACCOUNT_DISABLED: "账号停用",
    EndReason.GRANT_REVOKED: "身份撤销",
    EndReason.PASSWORD_CHANGED: "密码更改",
    EndReason.EXPIRED: "过期",
}


def _session_ended() -> Unauthenticated:
    return Unauthenticated("session_ended", "登录已失效，请重新登录", "the session has ended")


class Session(Aggregate):
    TOPIC = "sishuang:Session"

    class Event(Aggregate.Event):
        pass

    class Started(Event, Aggregate.Created):
        TOPIC = "sishuang:Session.Started"
        account_id: UUID
        grant_id: UUID | None  # None: a proven phone with no grant yet (registration)
        role: str
        scope_id: UUID | None
        subject: str
        refresh_hash: str  # SHA-256 of the refresh token's secret part
        restricted: bool  # may only change the password (a temporary password)
        method: str
        idle_until: datetime
        ends_by: datetime

    Created = Started

    class Refreshed(Event):
        TOPIC = "sishuang:Session.Refreshed"
        refresh_hash: str
        generation: int
        idle_until: datetime

        def apply(self, aggregate: Session) -> None:
            aggregate.used_hashes.add(aggregate.refresh_hash)
            aggregate.refresh_hash = self.refresh_hash
            aggregate.generation = self.generation
            aggregate.idle_until = self.idle_until

    class Ended(Event):
        TOPIC = "sishuang:Session.Ended"
        reason: str  # EndReason
        by: str

        def apply(self, aggregate: Session) -> None:
            aggregate.ended = EndReason(self.reason)

    def __init__(
        self,
        account_id: UUID,
        grant_id: UUID | None,
        role: str,
        scope_id: UUID | None,
        subject: str,
        refresh_hash: str,
        restricted: bool,
        method: str,
        idle_until: datetime,
        ends_by: datetime,
    ) -> None:
        self.account_id = account_id
        self.grant_id = grant_id
        self.role = role
        self.scope_id = scope_id
        self.subject = subject
        self.refresh_hash = refresh_hash
        self.restricted = restricted
        self.method = method
        self.idle_until = idle_until
        self.ends_by = ends_by
        self.generation = 0
        self.used_hashes: set[str] = set()
        self.ended: EndReason | None = None

    @classmethod
    def start(
        cls,
        session_id: UUID,
        *,
        account_id: UUID,
        grant_id: UUID | None,
        role: str,
        scope_id: UUID | None,
        subject: str,
        refresh_hash: str,
        restricted: bool,
        method: str,
        now: datetime,
        limits: Limits = LIMITS,
    ) -> Session:
        ends_by = now + timedelta(days=limits.session_max_days)
        return cls._create(
            cls.Started,
            id=session_id,
            account_id=account_id,
            grant_id=grant_id,
            role=role,
            scope_id=scope_id,
            subject=subject,
            refresh_hash=refresh_hash,
            restricted=restricted,
            method=method,
            idle_until=min(now + timedelta(days=limits.session_idle_days), ends_by),
            ends_by=ends_by,
            timestamp=now,
        )

    @property
    def live(self) -> bool:
        return self.ended is None

    def refresh(
        self, presented: str, new_hash: str, now: datetime, limits: Limits = LIMITS
    ) -> EndReason | None:
        """Rotate on the current token. A token rotated away ends the session (reuse);
        an expired session ends (expired). Returns the reason when it ended here; raises
        when there is nothing to do (ended before, or a token this session never had)."""
        if self.ended is not None:
            raise _session_ended()
        if presented in self.used_hashes:
            self.end(EndReason.REFRESH_REUSED, "system", now)
            return EndReason.REFRESH_REUSED
        if presented != self.refresh_hash:
            raise Unauthenticated(
                "invalid_refresh_token",
                "刷新凭证无效，请重新登录",
                "the refresh token is not valid",
            )
        if now >= self.idle_until or now >= self.ends_by:
            self.end(EndReason.EXPIRED, "system", now)
            return EndReason.EXPIRED
        self.trigger_event(
            self.Refreshed,
            refresh_hash=new_hash,
            generation=self.generation + 1,
            idle_until=min(now + timedelta(days=limits.session_idle_days), self.ends_by),
            timestamp=now,
        )
        return None

    def end(self, reason: EndReason, by: str, now: datetime) -> bool:
        if self.ended is not None:
            return False
        self.trigger_event(self.Ended, reason=reason.value, by=by, timestamp=now)
        return True
