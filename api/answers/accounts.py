"""Answers of the accounts routes (api.routes_accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, WithJsonSchema

from api.answers.common import Answer, Written, code_schema
from domain.actors import ROLE_LABELS, Role

RoleCode = Annotated[
    str,
    WithJsonSchema(code_schema(((r.value, ROLE_LABELS[r]) for r in Role), "身份")),
]


class CodeSent(Answer):
    sent: bool = Field(description="已受理（手机号是否已有账号，回答都相同）")
    expires_in_seconds: int = Field(description="验证码有效秒数")
    resend_after_seconds: int = Field(description="多少秒后可重新获取")


class GrantView(Answer):
    grant_id: UUID
    role: RoleCode = Field(description="身份")
    scope_id: UUID | None = Field(description="范围（县、社区、单位、党员、合作商家）")
    subject: str = Field(description="凭证中的使用者")
    county_id: UUID | None = Field(description="范围所在县（区）")
    community_id: UUID | None = Field(description="范围所在社区")
    active: bool = Field(description="是否有效（未撤销）")
    granted_at: datetime


class SessionTokens(Written):
    """A session handed out: the access token (Authorization: Bearer), the refresh
    token to get the next one, and the grant it acts as."""

    session_id: UUID
    account_id: UUID
    access_token: str = Field(description="登录凭证（ss2.…，短期有效）")
    refresh_token: str = Field(description="刷新凭证（ssr1.…，每次使用后更换）")
    expires_in_seconds: int = Field(description="登录凭证有效秒数")
    grant_id: UUID | None = Field(description="当前身份；空：手机号已验证、尚无身份")
    role: RoleCode = Field(description="当前身份的角色")
    scope_id: UUID | None = Field(description="当前身份的范围")
    must_change_password: bool = Field(description="须先修改临时密码（只能改密码）")
    grants: list[GrantView] = Field(description="账号的全部身份（可另选一个重新登录）")


class AccountView(Answer):
    account_id: UUID
    kind: str = Field(description="phone 手机号账号；staff 工作人员账号")
    login: str = Field(description="登录名（工作人员）")
    phone: str = Field(description="手机号码")
    name: str = Field(description="姓名")
    disabled: bool = Field(description="是否停用")
    must_change_password: bool = Field(description="是否须修改临时密码")
    totp: bool = Field(description="是否已启用动态口令")
    locked_until: datetime | None = Field(description="锁定至")
    last_sign_in: datetime | None = Field(description="最近登录")
    opened_at: datetime
    grants: list[GrantView]


class MyAccount(Answer):
    account: AccountView
    session_id: UUID
    grant_id: UUID | None = Field(description="当前身份")
    role: RoleCode = Field(description="当前身份的角色")
    scope_id: UUID | None
    subject: str


class AccountPage(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[AccountView]


class SignInRow(Answer):
    at: datetime
    method: str = Field(
        description=(
            "phone_code 短信验证码；password 密码；registration 报到注册；password_change 改密码"
        )
    )
    outcome: str = Field(description="succeeded 成功；failed 失败")
    reason: str = Field(description="失败原因：wrong_password、wrong_totp、wrong_code")
    address: str = Field(description="来源地址")


class SignInPage(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[SignInRow]


class AccountWritten(Written):
    account_id: UUID


class StaffCreated(Written):
    account_id: UUID
    login: str
    temporary_password: str = Field(description="临时密码（只显示这一次；首次登录须修改）")


class GrantWritten(Written):
    account_id: UUID
    grant_id: UUID


class TotpEnrolled(Written):
    account_id: UUID
    otpauth_uri: str = Field(description="otpauth:// 地址：用验证器应用扫码（只显示这一次）")


class SessionsEnded(Written):
    account_id: UUID
