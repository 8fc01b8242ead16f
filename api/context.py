"""What every route shares: the service's parts on the request (`services`), who is
asking (`current_actor`, `signed_in`), the reader checks that name a resource, the JSON
answer (moments and hours as people read them), the answer to a command (read-after-
write, idempotent retries) and the read models' consistency headers. The routers import
this module, the application (api.app) imports the routers: one direction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import orjson
from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from api.photos import PhotoStore
from api.tokens import ACCESS_PREFIX, Access, issue_access, new_refresh, verify, verify_access
from domain import access
from domain.actors import PUBLIC, Actor, Role
from domain.application import NewSession, Result, Sishuang
from domain.calendar import business_date
from domain.clock import Clock
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.limits import LIMITS
from projections import ReadModels
from projections.display import for_people
from projections.settings import Settings


class OrjsonResponse(JSONResponse):
    """Every JSON answer: moments in Beijing time, hours in two decimals (projections.display)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(for_people(content), default=str, option=orjson.OPT_NON_STR_KEYS)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    app: Sishuang
    read: ReadModels
    secret: bytes
    photos: PhotoStore


# Create commands accept this header: a retry with the same key returns the first result.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def today(request: Request) -> date:
    """The Beijing date now, on the service's clock."""
    return business_date(services(request).clock.now())


# What a session that must change its (temporary) password may still do.
RESTRICTED_PATHS = frozenset({"/api/v1/auth/password", "/api/v1/auth/me", "/api/v1/auth/sign-out"})


def _ended() -> Unauthenticated:
    return Unauthenticated("session_ended", "登录已失效，请重新登录", "the session has ended")


def check_live(request: Request, access: Access) -> None:
    """The session is live, its account enabled, its grant held: the read model says so
    (one indexed query); a session it does not know yet is looked up in the log."""
    from projections import accounts

    svc = services(request)
    row = accounts.live_session(svc.read.store, str(access.session_id))
    if row is not None:
        if row["ended_reason"] or row["disabled"] or row["revoked"]:
            raise _ended()
        return
    from domain.account import Account
    from domain.session import Session

    session = svc.app.find(Session, access.session_id)
    account = svc.app.find(Account, access.account_id)
    if session is None or account is None or not session.live or account.disabled:
        raise _ended()
    if session.grant_id is not None and not account.grant(session.grant_id).active:
        raise _ended()


def current_access(request: Request) -> Access | None:
    """The session behind the request's access token (ss2), checked live; None for a
    service token (ss1) or no token."""
    if hasattr(request.state, "access"):
        found: Access | None = request.state.access
        return found
    current_actor(request)
    found = getattr(request.state, "access", None)
    return found


def current_actor(request: Request) -> Actor:
    """The bearer token's actor; a request without a token acts as the public. An access
    token's session must be live (check_live); one that must change its password may
    only do that (RESTRICTED_PATHS)."""
    header = request.headers.get("authorization", "")
    if not header:
        request.state.access = None
        return PUBLIC
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "invalid_token", "请使用 Bearer 登录凭证", "use an Authorization: Bearer token"
        )
    svc = services(request)
    token = token.strip()
    if not token.startswith(f"{ACCESS_PREFIX}."):
        request.state.access = None
        return verify(svc.secret, token, svc.clock.now())
    cached: Access | None = getattr(request.state, "access", None)
    if cached is None:
        cached = verify_access(svc.secret, token, svc.clock.now())
        check_live(request, cached)
        request.state.access = cached
    if cached.restricted and request.url.path not in RESTRICTED_PATHS:
        raise Forbidden(
            "password_change_required",
            "请先修改临时密码，再进行其他操作",
            "change the temporary password first",
        )
    return cached.actor


def signed_in(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is PUBLIC:
        raise Unauthenticated("unauthenticated", "请先登录", "sign in first: no bearer token")
    return actor


# Who is asking, signed in: every route that needs a token takes `actor: SignedIn`.
SignedIn = Annotated[Actor, Depends(signed_in)]


def signed_in_session(request: Request, actor: SignedIn) -> Access:
    """The session of a request signed in with an access token (not a service token)."""
    access = current_access(request)
    if access is None:
        raise Unauthenticated(
            "session_required",
            "请以账号登录（短信验证码或密码），服务凭证不能用于此操作",
            "sign in with an account: a service token cannot do this",
        )
    return access


# The session of an account signed in (sign-out, own password, own TOTP, registration).
SignedInSession = Annotated[Access, Depends(signed_in_session)]


def phone_session(request: Request) -> Access:
    """The session of someone who proved their phone with a code (registration by the QR
    link needs one: the phone registered is the phone proven)."""
    access = current_access(request)
    if access is None:
        raise Unauthenticated(
            "phone_not_verified",
            "请先用短信验证码验证手机号（/auth/phone-codes，/auth/phone-sign-in），再报到登记",
            "prove the phone with a code first: /auth/phone-codes then /auth/phone-sign-in",
        )
    return access


def new_session() -> tuple[NewSession, str]:
    """A session about to be handed out (its id, its refresh token's hash) and the
    refresh token itself (never recorded)."""
    session_id = uuid4()
    token, hashed = new_refresh(session_id)
    return NewSession(session_id, hashed), token


def registration_tokens(
    request: Request,
    result: Result,
    proven: Access,
    new: NewSession,
    refresh_token: str,
    grant: tuple[Role, UUID],
) -> dict[str, str]:
    """The session a registration answers (`token`, `refresh_token`, `session_id`): the
    one started in the registration's write; for an idempotent retry, whose first
    answer's tokens were never stored, a new session for the same grant (role, scope)."""
    from domain.account_commands import session_details

    app = services(request).app
    details = (
        app.start_session_for(proven.account_id, grant[0], grant[1], new).details
        if result.replayed
        else session_details(app.session(new.session_id))
    )
    return {
        "token": access_token(request, details),
        "refresh_token": refresh_token,
        "session_id": details["session_id"],
    }


def access_token(request: Request, details: dict[str, Any]) -> str:
    """An access token for a session the application just started or refreshed."""
    svc = services(request)
    return issue_access(
        svc.secret,
        details,
        now=svc.clock.now(),
        valid_for=timedelta(minutes=LIMITS.access_token_minutes),
    )


def community_for_reader(request: Request, community_id: UUID, actor: Actor) -> dict[str, Any]:
    """The community's directory row, if the actor may read this community's ledgers."""
    from projections import directory

    row = directory.get_community(services(request).read.store, str(community_id))
    if row is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    access.require_read_community(
        actor, community_id=community_id, county_id=UUID(row["county_id"])
    )
    return row


def member_for_reader(request: Request, member_id: UUID, actor: Actor) -> dict[str, Any]:
    """The member's read-model row, if the actor may read this member (self, their
    community, their unit, the county's readers)."""
    from projections import members

    row = members.get_member(services(request).read.store, str(member_id))
    if row is None:
        raise NotFound("unknown_member", "党员不存在", "no such member")
    access.require_read_member(
        actor,
        member_id=member_id,
        county_id=UUID(row["county_id"]),
        community_id=UUID(row["community_id"]),
        unit_id=UUID(row["unit_id"]),
    )
    return row


def for_reader(request: Request, actor: Actor, answer: Any) -> Any:
    """An answer as its reader may see it: a unit reads every free-text field through
    the masking rule (residents' names, phones, addresses never reach a unit)."""
    if actor.role is Role.UNIT_ADMIN:
        from projections.people import mask_free_texts

        mask_free_texts(services(request).read.store, answer)
    return answer


def command_response(
    request: Request, result: Result, body: dict[str, Any], *, created: bool = False
) -> OrjsonResponse:
    """Answer a command once the read models include it (bounded wait), and say so.

    An idempotent retry answers exactly as the first answer did (status, body, log
    position), plus Idempotent-Replayed: the position is the one the first write reached,
    which the read models keep for its claim (projections.directory.answer_position)."""
    from projections import directory

    svc = services(request)
    position = result.position
    if result.replayed and result.claim_id is not None:
        claim = str(result.claim_id)
        position = directory.answer_position(svc.read.store, claim)
        if position is None:
            # the first write is in the log: wait (bounded) until the read models have it
            svc.read.wait_for(svc.read.store.head(), svc.settings.read_wait_seconds)
            position = directory.answer_position(svc.read.store, claim)
    consistent = svc.read.wait_for(position, svc.settings.read_wait_seconds)
    headers = {"X-Read-Model-Consistent": "true" if consistent else "false"}
    if position is not None:
        headers["X-Log-Position"] = str(position)
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return OrjsonResponse(
        {**body, "log_position": position}, status_code=201 if created else 200, headers=headers
    )


def read_consistency(request: Request, response: Response) -> None:
    """For queries: honour X-Min-Log-Position (wait, bounded) and report the lag."""
    if request.method != "GET":
        return
    svc = services(request)
    wanted = request.headers.get("x-min-log-position", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:
        # never for a position the log has not reached: that wait could only time out
        svc.read.wait_for(min(int(wanted), svc.read.store.head()), svc.settings.read_wait_seconds)
    position, lag = svc.read.lag()
    response.headers["X-Read-Model-Position"] = str(position)
    response.headers["X-Read-Model-Lag"] = str(lag)
