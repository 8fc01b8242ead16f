"""Bearer tokens, signed with HMAC-SHA256 (docs/accounts.md).

- Service tokens, ss1.<base64url(JSON payload)>.<base64url(signature)>: a role, a scope
  and a subject, issued by the operator's CLI (`sishuang token`) for the operator and
  scripts. Stateless: any API process that shares the secret accepts them.
- Access tokens, ss2.<payload>.<signature>: a session's, short-lived; they name the
  session, the account and the grant; every request checks the session is live.
- Refresh tokens, ssr1.<session id>.<random>: only their hash is kept (Session events);
  each use rotates them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from domain.actors import SCOPE_KIND, Actor, Role
from domain.errors import Unauthenticated

PREFIX = "ss1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(
    secret: bytes,
    *,
    role: Role,
    subject: str,
    scope_id: UUID | None,
    now: datetime,
    valid_for: timedelta = timedelta(days=30),
) -> str:
    if SCOPE_KIND[role] is not None and scope_id is None:
        raise ValueError(f"role {role.value} needs a scope ({SCOPE_KIND[role]} id)")
    payload = {
        "role": role.value,
        "sub": subject,
        "scope": str(scope_id) if scope_id else None,
        "iat": int(now.timestamp()),
        "exp": int((now + valid_for).timestamp()),
    }
    body = _b64(orjson.dumps(payload))
    signature = hmac.new(secret, f"{PREFIX}.{body}".encode(), hashlib.sha256).digest()
    return f"{PREFIX}.{body}.{_b64(signature)}"


def _invalid() -> Unauthenticated:
    return Unauthenticated("invalid_token", "登录凭证无效，请重新登录", "the token is not valid")


def verify(secret: bytes, token: str, now: datetime) -> Actor:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise _invalid()
    expected = hmac.new(secret, f"{PREFIX}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        given = _unb64(parts[2])
        payload = orjson.loads(_unb64(parts[1]))
        role = Role(payload["role"])
        scope = UUID(payload["scope"]) if payload.get("scope") else None
        expires = int(payload["exp"])
        subject = str(payload["sub"])
    except (ValueError, KeyError, TypeError):
        raise _invalid() from None
    if not hmac.compare_digest(expected, given):
        raise _invalid()
    if now.timestamp() >= expires:
        raise Unauthenticated(
            "token_expired", "登录凭证已过期，请重新登录", "the token has expired"
        )
    return Actor(role=role, subject=subject, scope_id=scope)


# -- sessions: access tokens (ss2) and refresh tokens (ssr1) -------------------------------

ACCESS_PREFIX = "ss2"
REFRESH_PREFIX = "ssr1"


@dataclass(frozen=True)
class Access:
    """What an access token says: the session, its account, and the grant acted as."""

    session_id: UUID
    account_id: UUID
    grant_id: UUID | None
    actor: Actor
    restricted: bool


def issue_access(
    secret: bytes, details: dict[str, Any], *, now: datetime, valid_for: timedelta
) -> str:
    """An access token for a session (domain.account_commands.session_details)."""
    payload = {
        "sid": details["session_id"],
        "acc": details["account_id"],
        "gid": details["grant_id"],
        "role": details["role"],
        "scope": details["scope_id"],
        "sub": details["subject"],
        "rst": bool(details["restricted"]),
        "iat": int(now.timestamp()),
        "exp": int((now + valid_for).timestamp()),
    }
    body = _b64(orjson.dumps(payload))
    signature = hmac.new(secret, f"{ACCESS_PREFIX}.{body}".encode(), hashlib.sha256).digest()
    return f"{ACCESS_PREFIX}.{body}.{_b64(signature)}"


def verify_access(secret: bytes, token: str, now: datetime) -> Access:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != ACCESS_PREFIX:
        raise _invalid()
    expected = hmac.new(secret, f"{ACCESS_PREFIX}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            raise _invalid()
        p = orjson.loads(_unb64(parts[1]))
        access = Access(
            session_id=UUID(p["sid"]),
            account_id=UUID(p["acc"]),
            grant_id=UUID(p["gid"]) if p.get("gid") else None,
            actor=Actor(
                role=Role(p["role"]),
                subject=str(p["sub"]),
                scope_id=UUID(p["scope"]) if p.get("scope") else None,
            ),
            restricted=bool(p.get("rst")),
        )
        expires = int(p["exp"])
    except (ValueError, KeyError, TypeError):
        raise _invalid() from None
    if now.timestamp() >= expires:
        raise Unauthenticated(
            "token_expired",
            "登录凭证已过期，请用刷新凭证换取新的登录凭证",
            "the access token has expired: refresh it",
        )
    return access


def new_refresh(session_id: UUID) -> tuple[str, str]:
    """(refresh token, the hash the session keeps): ssr1.<session id>.<secret part>."""
    part = secrets.token_urlsafe(32)
    return f"{REFRESH_PREFIX}.{session_id}.{part}", refresh_hash(part)


def refresh_hash(part: str) -> str:
    return hashlib.sha256(part.encode()).hexdigest()


def parse_refresh(token: str) -> tuple[UUID, str]:
    """(session id, hash of the secret part) of a refresh token; 401 when malformed."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != REFRESH_PREFIX or not 20 <= len(parts[2]) <= 100:
        raise Unauthenticated(
            "invalid_refresh_token", "刷新凭证无效，请重新登录", "the refresh token is not valid"
        )
    try:
        session_id = UUID(parts[1])
    except ValueError:
        raise Unauthenticated(
            "invalid_refresh_token", "刷新凭证无效，请重新登录", "the refresh token is not valid"
        ) from None
    return session_id, refresh_hash(parts[2])
