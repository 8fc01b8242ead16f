"""Bearer tokens: a role, a scope and a subject, signed with HMAC-SHA256.

ss1.<base64url(JSON payload)>.<base64url(signature)>; issued by the operator's CLI
(`sishuang token`) and, for their own profile, to a member when they register.
Stateless, so any number of API processes that share the secret accept them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
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
