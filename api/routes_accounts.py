"""Accounts and signing in (docs/accounts.md): phone codes, passwords, TOTP, sessions,
and the administration of accounts and grants."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.accounts import (
    AccountPage,
    AccountWritten,
    CodeSent,
    GrantWritten,
    MyAccount,
    SessionsEnded,
    SessionTokens,
    SignInPage,
    StaffCreated,
    TotpEnrolled,
)
from api.answers.common import answer
from api.context import (
    SignedIn,
    SignedInSession,
    access_token,
    command_response,
    new_session,
    read_consistency,
    services,
)
from api.guard import GuardedRoute
from api.inputs import Body, Page, example
from api.tokens import new_refresh, parse_refresh
from domain.account import normalise_login
from domain.actors import Role
from domain.application import Result
from domain.errors import DomainError, Forbidden, NotFound
from domain.limits import LIMITS
from projections import accounts

router = APIRouter(
    tags=["accounts"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)

# Temporary passwords: 4 groups of 4 from letters and digits no one confuses (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def session_answer(request: Request, result: Result, refresh_token: str) -> Any:
    """The session's tokens, once the read models have the session (so the very next
    request with the access token finds it)."""
    svc = services(request)
    details = result.details
    body = {
        "session_id": details["session_id"],
        "account_id": details["account_id"],
        "access_token": access_token(request, details),
        "refresh_token": refresh_token,
        "expires_in_seconds": LIMITS.access_token_minutes * 60,
        "grant_id": details["grant_id"],
        "role": details["role"],
        "scope_id": details["scope_id"],
        "must_change_password": details["restricted"],
    }
    svc.read.wait_for(result.position, svc.settings.read_wait_seconds)
    row = accounts.get_account(svc.read.store, details["account_id"])
    grants = [] if row is None else row["grants"]
    return command_response(request, result, {**body, "grants": grants})


# -- signing in ----------------------------------------------------------------------------


class PhoneIn(Body):
    model_config = example({"phone": "13800001234"})

    phone: str = Field(description="手机号码", max_length=32)


class PhoneSignInIn(Body):
    model_config = example({"phone": "13800001234", "code": "123456", "grant_id": None})

    phone: str = Field(description="手机号码", max_length=32)
    code: str = Field(description="短信验证码（6 位）", max_length=16)
    grant_id: UUID | None = Field(None, description="以哪个身份登录（默认第一个）")


class SignInIn(Body):
    model_config = example(
        {
            "login": "jinxiu.li",
            "password": "锦绣社区的春天来了，大家好",
            "totp": None,
            "grant_id": None,
        }
    )

    login: str = Field(description="登录名", max_length=64)
    password: str = Field(description="密码", max_length=512)
    totp: str | None = Field(None, description="动态口令（已启用时必填）", max_length=16)
    grant_id: UUID | None = Field(None, description="以哪个身份登录（默认第一个）")


class RefreshIn(Body):
    model_config = example({"refresh_token": "ssr1.<会话编号>.<随机串>"})

    refresh_token: str = Field(description="刷新凭证", max_length=200)


@router.post(
    "/auth/phone-codes",
    summary="获取短信验证码（公开）",
    description=(
        "无论该手机号是否已有账号，回答都相同。同一手机号 60 秒内、每小时次数，"
        "同一来源地址每小时次数均有上限（429，带 Retry-After）。"
    ),
    responses=answer(CodeSent),
)
def request_phone_code(body: PhoneIn, request: Request) -> Any:
    services(request).app.request_phone_code(body.phone, _address(request))
    return {
        "sent": True,
        "expires_in_seconds": LIMITS.phone_code_valid_minutes * 60,
        "resend_after_seconds": LIMITS.phone_code_resend_seconds,
    }


@router.post(
    "/auth/phone-sign-in",
    summary="手机号 + 短信验证码登录（党员、群众、网格员；报到前验证手机号）",
    responses=answer(SessionTokens),
)
def phone_sign_in(body: PhoneSignInIn, request: Request) -> Any:
    new, refresh = new_session()
    result = services(request).app.sign_in_with_code(
        body.phone, body.code, new, grant_id=body.grant_id, address=_address(request)
    )
    return session_answer(request, result, refresh)


@router.post(
    "/auth/sign-in",
    summary="工作人员登录：登录名 + 密码（+ 动态口令）",
    description="连续输错达到上限后账号锁定一段时间；临时密码登录后只能修改密码。",
    responses=answer(SessionTokens),
)
def staff_sign_in(body: SignInIn, request: Request) -> Any:
    new, refresh = new_session()
    result = services(request).app.sign_in_with_password(
        body.login,
        body.password,
        new,
        totp_code=body.totp,
        grant_id=body.grant_id,
        address=_address(request),
    )
    return session_answer(request, result, refresh)


@router.post(
    "/auth/refresh",
    summary="用刷新凭证换取新的登录凭证（刷新凭证随之更换）",
    description="已被更换过的刷新凭证再次出现：整个会话结束（疑似被盗用），须重新登录。",
    responses=answer(SessionTokens),
)
def refresh(body: RefreshIn, request: Request) -> Any:
    svc = services(request)
    session_id, presented = parse_refresh(body.refresh_token)
    token, hashed = new_refresh(session_id)
    try:
        result = svc.app.refresh_session(session_id, presented, hashed)
    except DomainError as ended:  # a session ended here: refused once the read models know
        position = ended.details.get("log_position")
        if isinstance(position, int):
            svc.read.wait_for(position, svc.settings.read_wait_seconds)
        raise
    return session_answer(request, result, token)


@router.post("/auth/sign-out", summary="退出登录（本会话）", responses=answer(SessionsEnded))
def sign_out_session(request: Request, session: SignedInSession) -> Any:
    result = services(request).app.end_session(session.session_id, f"account:{session.account_id}")
    return command_response(request, result, {"account_id": str(session.account_id)})


@router.post(
    "/auth/sign-out-everywhere",
    summary="在所有设备上退出（本账号的全部会话）",
    responses=answer(SessionsEnded),
)
def sign_out_everywhere(request: Request, session: SignedInSession) -> Any:
    result = services(request).app.sign_out_everywhere(
        session.account_id, f"account:{session.account_id}"
    )
    return command_response(request, result, {"account_id": str(session.account_id)})


@router.get("/auth/me", summary="本人账号、全部身份与当前身份", responses=answer(MyAccount))
def my_account(request: Request, session: SignedInSession) -> Any:
    row = accounts.get_account(services(request).read.store, str(session.account_id))
    if row is None:
        raise NotFound("unknown_account", "账号不存在", "no such account")
    actor = session.actor
    return {
        "account": row,
        "session_id": str(session.session_id),
        "grant_id": None if session.grant_id is None else str(session.grant_id),
        "role": actor.role.value,
        "scope_id": None if actor.scope_id is None else str(actor.scope_id),
        "subject": actor.subject,
    }


# -- one's own password and TOTP --------------------------------------------------------------


class PasswordIn(Body):
    model_config = example(
        {"current_password": "abcd-efgh-jkmn-pqrs", "new_password": "锦绣社区的春天来了，大家好"}
    )

    current_password: str = Field(description="当前密码（或临时密码）", max_length=512)
    new_password: str = Field(description="新密码：至少 12 个字符，可以是一句话", max_length=512)


class TotpCodeIn(Body):
    model_config = example({"code": "123456"})

    code: str = Field(description="验证器应用中的 6 位动态口令", max_length=16)


@router.post(
    "/auth/password",
    summary="修改密码（临时密码登录后必须先做这一步）",
    description="本账号的全部会话结束，并返回一个新会话。",
    responses=answer(SessionTokens),
)
def change_password(body: PasswordIn, request: Request, session: SignedInSession) -> Any:
    new, refresh_token = new_session()
    result = services(request).app.change_password(
        session.account_id, body.current_password, body.new_password, new, _address(request)
    )
    return session_answer(request, result, refresh_token)


@router.post(
    "/auth/totp",
    summary="申请启用动态口令（返回 otpauth:// 地址，扫码后确认）",
    responses=answer(TotpEnrolled),
)
def enroll_totp(request: Request, session: SignedInSession) -> Any:
    result = services(request).app.enroll_totp(session.account_id)
    body = {"account_id": str(session.account_id), "otpauth_uri": result.details["otpauth_uri"]}
    return command_response(request, result, body)


@router.post(
    "/auth/totp/confirm",
    summary="以一个动态口令确认启用（此后登录须输入）",
    responses=answer(AccountWritten),
)
def confirm_totp(body: TotpCodeIn, request: Request, session: SignedInSession) -> Any:
    result = services(request).app.confirm_totp(session.account_id, body.code)
    return command_response(request, result, {"account_id": str(session.account_id)})


@router.post(
    "/auth/totp/remove", summary="停用动态口令（须输入当前口令）", responses=answer(AccountWritten)
)
def remove_totp(body: TotpCodeIn, request: Request, session: SignedInSession) -> Any:
    result = services(request).app.remove_totp(session.account_id, body.code)
    return command_response(request, result, {"account_id": str(session.account_id)})


# -- administration -----------------------------------------------------------------------------

ROLE_CODES = "org_dept, community_admin, unit_admin, inspector, auditor, grid_worker, partner"


class StaffAccountIn(Body):
    model_config = example(
        {
            "login": "jinxiu.li",
            "name": "李娟",
            "role": "community_admin",
            "scope_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
            "subject": "",
        }
    )

    login: str = Field(description="登录名：3–64 个字母、数字或 . _ @ -", max_length=64)
    name: str = Field(description="姓名", max_length=64)
    role: Role = Field(description=f"身份：{ROLE_CODES}")
    scope_id: UUID = Field(description="范围：县（区）、社区、单位或合作商家的编号")
    subject: str = Field("", description="凭证中的使用者（默认姓名；督查为检查人员编号）")


class GrantIn(Body):
    model_config = example(
        {
            "phone": "13900002222",
            "login": "",
            "name": "王芳",
            "role": "grid_worker",
            "scope_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
            "subject": "",
        }
    )

    phone: str = Field("", description="手机号（网格员等手机号账号；未登录过的手机号随之开户）")
    login: str = Field("", description="登录名（工作人员账号）", max_length=64)
    name: str = Field("", description="姓名（新开手机号账号时）", max_length=64)
    role: Role = Field(description=f"身份：{ROLE_CODES}")
    scope_id: UUID = Field(description="范围的编号")
    subject: str = Field("", description="凭证中的使用者（默认姓名）", max_length=64)


class ReasonIn(Body):
    model_config = example({"reason": "调离本社区"})

    reason: str = Field(description="理由", max_length=500)


class EmptyIn(Body):
    model_config = example({})


@router.post(
    "/accounts",
    status_code=201,
    summary="开设工作人员账号（组织部：本县社区、单位、督查、审计、组织部；社区：合作商家）",
    description="返回一次性的临时密码（只显示这一次）；首次登录须修改。",
    responses=answer(StaffCreated, 201),
)
def create_staff_account(body: StaffAccountIn, request: Request, actor: SignedIn) -> Any:
    password = temporary_password()
    result = services(request).app.create_staff_account(
        actor,
        login=body.login,
        name=body.name,
        role=body.role,
        scope_id=body.scope_id,
        temporary_password=password,
        subject=body.subject,
    )
    out = {
        "account_id": str(result.id),
        "login": normalise_login(body.login),
        "temporary_password": password,
    }
    return command_response(request, result, out, created=True)


@router.post(
    "/grants",
    status_code=201,
    summary="授予身份（组织部在本县，社区为本社区的网格员与合作商家）",
    responses=answer(GrantWritten, 201),
)
def add_grant(body: GrantIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.grant(
        actor,
        role=body.role,
        scope_id=body.scope_id,
        login=body.login,
        phone=body.phone,
        subject=body.subject,
        name=body.name,
    )
    out = {"account_id": result.details["account_id"], "grant_id": str(result.id)}
    return command_response(request, result, out, created=True)


@router.post(
    "/accounts/{account_id}/grants/{grant_id}/revoke",
    summary="撤销身份（其会话在下一次请求时失效）",
    responses=answer(AccountWritten),
)
def revoke_grant(
    account_id: UUID, grant_id: UUID, body: ReasonIn, request: Request, actor: SignedIn
) -> Any:
    result = services(request).app.revoke_grant(actor, account_id, grant_id, body.reason)
    return command_response(request, result, {"account_id": str(account_id)})


@router.post(
    "/accounts/{account_id}/disable",
    summary="停用账号（其会话在下一次请求时失效）",
    responses=answer(AccountWritten),
)
def disable_account(account_id: UUID, body: ReasonIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.disable_account(actor, account_id, body.reason)
    return command_response(request, result, {"account_id": str(account_id)})


@router.post(
    "/accounts/{account_id}/enable", summary="恢复启用账号", responses=answer(AccountWritten)
)
def enable_account(account_id: UUID, body: EmptyIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.enable_account(actor, account_id)
    return command_response(request, result, {"account_id": str(account_id)})


@router.post(
    "/accounts/{account_id}/reset-password",
    summary="重置密码：新的临时密码（只显示这一次），其会话结束，锁定解除，动态口令停用",
    responses=answer(StaffCreated),
)
def reset_password(account_id: UUID, body: EmptyIn, request: Request, actor: SignedIn) -> Any:
    password = temporary_password()
    app = services(request).app
    result = app.reset_password(actor, account_id, password)
    out = {
        "account_id": str(account_id),
        "login": app.user_account(account_id).login,
        "temporary_password": password,
    }
    return command_response(request, result, out)


Size = Annotated[int, Query(ge=1, le=200, description="每页条数")]


@router.get(
    "/accounts",
    summary="本范围的账号（组织部：本县；社区：本社区）",
    responses=answer(AccountPage),
)
def list_accounts(
    request: Request,
    actor: SignedIn,
    community_id: Annotated[UUID | None, Query(description="只看该社区（组织部）")] = None,
    page: Page = 1,
    size: Size = 20,
) -> Any:
    store = services(request).read.store
    if actor.role is Role.ORG_DEPT and actor.scope_id is not None:
        county, community = str(actor.scope_id), None if community_id is None else str(community_id)
        if community is not None:
            from projections import directory

            row = directory.get_community(store, community)
            if row is None or row["county_id"] != county:
                raise Forbidden("not_your_community", "无权查看该社区的账号", "not your county")
    elif actor.role is Role.COMMUNITY_ADMIN and actor.scope_id is not None:
        county, community = None, str(actor.scope_id)
    else:
        raise Forbidden(
            "forbidden_role", "当前身份无权查看账号", "only 组织部 and 社区 list accounts"
        )
    total, rows = accounts.accounts_in(
        store, county_id=county, community_id=community, page=page, size=size, reader=actor.role
    )
    return {"total": total, "page": page, "size": size, "items": rows}


@router.get(
    "/accounts/{account_id}/sign-ins",
    summary="账号的登录记录（成功与失败）",
    responses=answer(SignInPage),
)
def account_sign_ins(
    account_id: UUID, request: Request, actor: SignedIn, page: Page = 1, size: Size = 20
) -> Any:
    services(request).app.require_manages(actor, account_id)
    total, rows = accounts.sign_ins(services(request).read.store, str(account_id), page, size)
    return {"total": total, "page": page, "size": size, "items": rows}
