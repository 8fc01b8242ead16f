"""Accounts, phone codes and sessions (issue 14, docs/accounts.md): the command group.

Signing in, refreshing and signing out are commands like any other: decided on the
aggregates (Account, PhoneCheck, AddressQuota, Session), saved in one write. A failed
sign-in is a fact and is recorded before the refusal is answered; a refused command
(a throttled code, a grant outside one's scope) records nothing.

The API generates what must never be in the log — a refresh token's secret part, a
temporary password — and passes in only what may be: the refresh token's hash (in a
`NewSession`), the password to be hashed here. The service secret (`secret`, the one
the tokens use) derives the phone codes (domain.phone_check.code_for) and seals TOTP
secrets (domain.totp).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import access, totp
from domain.account import (
    Account,
    AccountKind,
    Grant,
    invalid_credentials,
    normalise_login,
    phone_account_id,
    staff_account_id,
)
from domain.actors import Actor, Role
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.passwords import (
    PARAMS,
    PasswordHash,
    check_new_password,
    hash_password,
    verify_password,
)
from domain.phone_check import AddressQuota, PhoneCheck, address_quota_id, phone_check_id
from domain.service import Result, Service
from domain.session import EndReason, Session
from domain.sign_in_quota import SignInQuota, sign_in_quota_id
from domain.values import clean_line, clean_name, clean_phone

MAX_ADDRESS_LEN = 64


@dataclass(frozen=True)
class NewSession:
    """A session the API is about to hand out: its id and its refresh token's hash."""

    session_id: UUID
    refresh_hash: str


@cache
def _dummy_hash() -> PasswordHash:
    """What an unknown login's password is checked against, so that an unknown login
    takes as long to refuse as a wrong password."""
    return hash_password("no such account", b"sishuang-dummy-salt", PARAMS)


def clean_address(address: str) -> str:
    return "".join(c for c in (address or "")[:MAX_ADDRESS_LEN] if c.isprintable()) or "-"


def _code_refused() -> Unauthenticated:
    return Unauthenticated(
        "invalid_code",
        "验证码不正确或已失效，请重新获取",
        "the code is wrong, expired or used up; ask for a new one",
    )


def session_details(session: Session) -> dict[str, Any]:
    return {
        "session_id": str(session.id),
        "account_id": str(session.account_id),
        "grant_id": None if session.grant_id is None else str(session.grant_id),
        "role": session.role,
        "scope_id": None if session.scope_id is None else str(session.scope_id),
        "subject": session.subject,
        "restricted": session.restricted,
    }


def start_session(
    app: Service,
    account: Account,
    grant: Grant | None,
    new: NewSession,
    method: str,
    address: str,
    *,
    restricted: bool = False,
    totp_step: int | None = None,
) -> Session:
    now = app.clock.now()
    account.signed_in(method, grant, new.session_id, address, now, totp_step)
    if grant is None:
        role, scope, subject = Role.PUBLIC.value, None, f"phone:{account.id}"
    else:
        role, scope, subject = grant.role.value, grant.scope_id, grant.subject
    return Session.start(
        new.session_id,
        account_id=account.id,
        grant_id=None if grant is None else grant.grant_id,
        role=role,
        scope_id=scope,
        subject=subject,
        refresh_hash=new.refresh_hash,
        restricted=restricted,
        method=method,
        now=now,
    )


def registration_grant(
    app: Service,
    account_id: UUID | None,
    phone: str,
    grant: tuple[Role, UUID, str],
    place: tuple[UUID | None, UUID | None],
    new: NewSession | None,
) -> list[Aggregate]:
    """The phone account that registered gains the member's or resident's grant (role,
    scope, subject) and a session for it, saved with the registration."""
    if account_id is None:
        return []
    account = app._get(Account, account_id, "unknown_account", "账号")
    if account.kind is not AccountKind.PHONE or account.phone != phone:
        raise Forbidden(
            "phone_not_verified",
            "手机号须与验证码登录的手机号一致",
            "the phone must be the one proven by the code",
        )
    now = app.clock.now()
    account.check_may_sign_in(now)
    role, scope_id, subject = grant
    grant_id = account.add_grant(role, scope_id, subject, place, f"account:{account.id}", now)
    out: list[Aggregate] = [account]
    if new is not None:
        out.append(start_session(app, account, account.grant(grant_id), new, "registration", "-"))
    return out


class AccountCommands(Service):
    """Accounts, grants, passwords, TOTP, phone codes, sessions."""

    secret: bytes = b""

    def _service_secret(self) -> bytes:
        if not self.secret:
            raise RuntimeError("the application was started without the service secret")
        return self.secret

    # -- the aggregates by id ------------------------------------------------------------

    def user_account(self, account_id: UUID) -> Account:
        return self._get(Account, account_id, "unknown_account", "账号")

    def session(self, session_id: UUID) -> Session:
        return self._get(Session, session_id, "unknown_session", "登录会话")

    def account_by_login(self, login: str) -> Account | None:
        try:
            return self._find(Account, staff_account_id(normalise_login(login)))
        except InvalidInput:
            return None

    def _write(self, decide: Callable[[], tuple[UUID, list[Aggregate]]]) -> Result:
        return self._decide_once(None, decide)

    def _end_sessions(
        self, account: Account, reason: EndReason, by: str, grant_id: UUID | None = None
    ) -> list[Aggregate]:
        now = self.clock.now()
        ended: list[Aggregate] = []
        for session_id in account.recent_sessions(now, grant_id):
            session = self._find(Session, session_id)
            if session is not None and session.end(reason, by, now):
                ended.append(session)
        return ended

    # -- phone codes ---------------------------------------------------------------------

    def request_phone_code(self, phone: str, address: str) -> Result:
        """Send a code to the phone (known or not: the answer is the same), throttled per
        phone and per client address."""
        phone = clean_phone(phone)
        address = clean_address(address)

        def decide() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            check = self._find(PhoneCheck, phone_check_id(phone)) or PhoneCheck.open(phone, now)
            quota = self._find(AddressQuota, address_quota_id(address)) or AddressQuota.open(
                address, now
            )
            check.send(secrets.token_urlsafe(16), address, now)
            quota.use(now)
            return check.id, [check, quota]

        return self._write(decide)

    def sign_in_with_code(
        self,
        phone: str,
        code: str,
        new: NewSession,
        *,
        grant_id: UUID | None = None,
        address: str = "",
    ) -> Result:
        """The code proves the phone: its account (opened now if new) gets a session for
        the grant asked for (or its first; none before registration). A wrong code is
        recorded as a try; after the last try the code is spent."""
        phone = clean_phone(phone)
        address = clean_address(address)
        refused: list[DomainError] = []

        def decide() -> tuple[UUID, list[Aggregate]]:
            refused.clear()
            now = self.clock.now()
            check = self._find(PhoneCheck, phone_check_id(phone))
            verdict = None if check is None else check.accepts(self._service_secret(), code, now)
            if check is None or verdict is None:
                raise _code_refused()
            if verdict is False:
                check.fail(now)
                refused.append(_code_refused())
                return check.id, [check]
            account = self._find(Account, phone_account_id(phone))
            if account is None:
                account = Account.open_phone(phone, "", "self", now)
            account.check_may_sign_in(now)
            grant = account.choose_grant(grant_id)
            check.accept(account.id, now)
            session = start_session(self, account, grant, new, "phone_code", address)
            return session.id, [check, account, session]

        result = self._write(decide)
        if refused:
            raise refused[0]
        return self._with_session(result)

    def _with_session(self, result: Result) -> Result:
        session = self.session(result.id)
        return Result(result.id, result.position, details=session_details(session), at=result.at)

    # -- staff sign-in ---------------------------------------------------------------------

    def sign_in_with_password(
        self,
        login: str,
        password: str,
        new: NewSession,
        *,
        totp_code: str | None = None,
        grant_id: UUID | None = None,
        address: str = "",
    ) -> Result:
        """Login and password (and the TOTP code when enrolled). Every failure counts
        toward the lock; a temporary password gives a session that may only change it."""
        address = clean_address(address)
        quota_id = sign_in_quota_id(address)
        known = self._find(SignInQuota, quota_id)
        if known is not None:
            known.check(self.clock.now())  # before any hashing: a refusal costs nothing
        found = self.account_by_login(login)
        if found is None or found.password is None:
            verify_password(password or "", _dummy_hash())  # the same time as a wrong one

            def count_only() -> tuple[UUID, list[Aggregate]]:
                return quota_id, [self._failure_counted(address)]

            self._write(count_only)
            raise invalid_credentials()
        refused: list[DomainError] = []

        def decide() -> tuple[UUID, list[Aggregate]]:
            refused.clear()
            now = self.clock.now()
            account = self.user_account(found.id)
            account.check_may_sign_in(now)
            assert account.password is not None
            if not verify_password(password or "", account.password):
                account.fail_sign_in("password", "wrong_password", address, now)
                refused.append(invalid_credentials())
                return account.id, [account, self._failure_counted(address)]
            step = None
            if account.totp is not None:
                if not totp_code:
                    raise Unauthenticated(
                        "totp_required",
                        "请输入动态口令（验证器应用中的 6 位数字）",
                        "a TOTP code is needed",
                    )
                secret = totp.unseal(self._service_secret(), account.totp, str(account.id))
                step = totp.matching_step(secret, totp_code, now, account.totp_last_step)
                if step is None:
                    account.fail_sign_in("password", "wrong_totp", address, now)
                    failed = self._failure_counted(address)
                    refused.append(
                        Unauthenticated(
                            "invalid_totp",
                            "动态口令不正确或已用过",
                            "the TOTP code is wrong or used",
                        )
                    )
                    return account.id, [account, failed]
            grant = account.choose_grant(grant_id)
            if grant is None:
                raise Forbidden(
                    "no_grant", "该账号尚无任何身份，请联系管理员", "the account holds no grant"
                )
            session = start_session(
                self,
                account,
                grant,
                new,
                "password",
                address,
                restricted=account.must_change,
                totp_step=step,
            )
            return session.id, [account, session]

        result = self._write(decide)
        if refused:
            raise refused[0]
        return self._with_session(result)

    def _failure_counted(self, address: str) -> SignInQuota:
        """The address's quota with this failure counted (saved with the failure)."""
        now = self.clock.now()
        quota = self._find(SignInQuota, sign_in_quota_id(address)) or SignInQuota.open(
            address, now
        )
        quota.count(now)
        return quota

    # -- sessions --------------------------------------------------------------------------

    def refresh_session(self, session_id: UUID, presented: str, new_hash: str) -> Result:
        """Rotate the refresh token. A token already rotated away ends the session (and
        says so); a session past its time ends (expired). The account disabled or the
        grant revoked: refused (their sessions were ended when that was recorded)."""
        ended: list[EndReason] = []

        def decide() -> tuple[UUID, list[Aggregate]]:
            ended.clear()
            session = self._find(Session, session_id)
            if session is None:
                raise Unauthenticated(
                    "invalid_refresh_token",
                    "刷新凭证无效，请重新登录",
                    "the refresh token is not valid",
                )
            reason = session.refresh(presented, new_hash, self.clock.now())
            if reason is not None:
                ended.append(reason)
            return session.id, [session]

        result = self._write(decide)
        # the end is recorded: `log_position` lets the answer wait for the read models
        if ended and ended[0] is EndReason.REFRESH_REUSED:
            raise Unauthenticated(
                "refresh_token_reused",
                "该刷新凭证已被使用过，为安全起见本次登录已失效，请重新登录",
                "this refresh token was already used: the session has been ended",
                log_position=result.position,
            )
        if ended:
            raise Unauthenticated(
                "session_expired",
                "登录已过期，请重新登录",
                "the session expired",
                log_position=result.position,
            )
        return self._with_session(result)

    def end_session(self, session_id: UUID, by: str) -> Result:
        def decide() -> tuple[UUID, list[Aggregate]]:
            session = self.session(session_id)
            session.end(EndReason.SIGN_OUT, by, self.clock.now())
            return session.id, [session]

        return self._write(decide)

    def sign_out_everywhere(self, account_id: UUID, by: str) -> Result:
        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            return account.id, self._end_sessions(account, EndReason.SIGN_OUT_EVERYWHERE, by)

        return self._write(decide)

    # -- one's own password and TOTP ---------------------------------------------------------

    def change_password(
        self,
        account_id: UUID,
        current: str,
        new_password: str,
        new: NewSession,
        address: str = "",
    ) -> Result:
        """Change one's password (the current one proves it is you): every session of
        the account ends, and a new unrestricted one is answered."""
        address = clean_address(address)
        account = self.user_account(account_id)
        account.require_staff()
        check_new_password(new_password, login=account.login, phone=account.phone)
        if account.password is None or not verify_password(current or "", account.password):
            raise Unauthenticated(
                "invalid_credentials", "当前密码不正确", "the current password is wrong"
            )
        if verify_password(new_password, account.password):
            raise InvalidInput(
                "password_unchanged", "新密码不能与当前密码相同", "the new password is the old one"
            )
        hashed = hash_password(new_password, secrets.token_bytes(PARAMS.salt_bytes))

        def decide() -> tuple[UUID, list[Aggregate]]:
            fresh = self.user_account(account_id)
            by = f"account:{fresh.id}"
            ended = self._end_sessions(fresh, EndReason.PASSWORD_CHANGED, by)
            fresh.set_password(hashed, must_change=False, by=by, now=self.clock.now())
            # the grant the changing session acted as, if still held; else the first
            grant = fresh.choose_grant(None)
            if grant is None:
                raise Forbidden("no_grant", "该账号尚无任何身份", "the account holds no grant")
            session = start_session(self, fresh, grant, new, "password_change", address)
            return session.id, [*ended, fresh, session]

        return self._with_session(self._write(decide))

    def enroll_totp(self, account_id: UUID) -> Result:
        """A new TOTP secret, pending until confirmed with a code; details carry the
        otpauth:// URI once (never stored in the clear)."""
        raw = secrets.token_bytes(totp.SECRET_BYTES)
        uri: dict[str, Any] = {}

        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            sealed = totp.seal(self._service_secret(), raw, str(account.id))
            account.enroll_totp(sealed, f"account:{account.id}", self.clock.now())
            uri["otpauth_uri"] = totp.otpauth_uri(raw, account.login)
            return account.id, [account]

        result = self._write(decide)
        return Result(result.id, result.position, details=uri, at=result.at)

    def confirm_totp(self, account_id: UUID, code: str) -> Result:
        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            if account.totp_pending is None:
                raise Conflict("totp_not_enrolled", "请先申请启用动态口令", "enroll first")
            secret = totp.unseal(self._service_secret(), account.totp_pending, str(account.id))
            step = totp.matching_step(secret, code, self.clock.now(), None)
            if step is None:
                raise InvalidInput("invalid_totp", "动态口令不正确", "the TOTP code is wrong")
            account.confirm_totp(step, self.clock.now())
            return account.id, [account]

        return self._write(decide)

    def remove_totp(self, account_id: UUID, code: str) -> Result:
        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            if account.totp is None:
                raise Conflict("totp_not_enrolled", "尚未启用动态口令", "TOTP is not on")
            secret = totp.unseal(self._service_secret(), account.totp, str(account.id))
            now = self.clock.now()
            if totp.matching_step(secret, code, now, account.totp_last_step) is None:
                raise InvalidInput(
                    "invalid_totp", "动态口令不正确或已用过", "the TOTP code is wrong"
                )
            account.remove_totp(f"account:{account.id}", now)
            return account.id, [account]

        return self._write(decide)

    # -- administration: accounts and grants --------------------------------------------------

    def _place_of_scope(
        self, role: Role, scope_id: UUID | None, subject: str
    ) -> tuple[UUID | None, UUID | None]:
        """(county, community) where a grant's scope lies; its scope must exist."""
        if scope_id is None:
            raise InvalidInput("no_scope", "请指定该身份的范围", "the grant needs a scope")
        if role in (Role.ORG_DEPT, Role.AUDITOR):
            return self.county(scope_id).id, None
        if role is Role.INSPECTOR:
            county = self.county(scope_id).id
            try:
                inspector = self.inspector(UUID(subject))
            except ValueError:
                raise InvalidInput(
                    "invalid_subject",
                    "督查身份须指定检查人员编号",
                    "an inspector grant names the inspector id",
                ) from None
            if inspector.county_id != county:
                raise InvalidInput(
                    "inspector_outside_county",
                    "该检查人员不在本县（区）名录",
                    "not this county's inspector",
                )
            return county, None
        if role in (Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.RESIDENT):
            community = self.community(scope_id)
            return community.county_id, community.id
        if role is Role.UNIT_ADMIN:
            return self.unit(scope_id).county_id, None
        if role is Role.MEMBER:
            member = self.member(scope_id)
            return member.county_id, member.community_id
        if role is Role.PARTNER:
            partner = self.partner(scope_id)
            return partner.county_id, partner.community_id
        raise InvalidInput("invalid_role", "不能授予该身份", f"role {role.value} cannot be granted")

    def _subject(self, role: Role, scope_id: UUID | None, subject: str, name: str) -> str:
        if role in (Role.MEMBER,):
            return str(scope_id)
        cleaned = clean_line(subject, "身份名称") if subject else ""
        return cleaned or name

    def create_staff_account(
        self,
        actor: Actor,
        *,
        login: str,
        name: str,
        role: Role,
        scope_id: UUID | None,
        temporary_password: str,
        subject: str = "",
    ) -> Result:
        """A staff account with its first grant and a temporary password (to be changed
        at the first sign-in), created by whoever may grant that role in that scope."""
        login = normalise_login(login)
        name = clean_name(name, "姓名")
        check_new_password(temporary_password, login=login)
        hashed = hash_password(temporary_password, secrets.token_bytes(PARAMS.salt_bytes))

        def decide() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            place = self._place_of_scope(role, scope_id, subject)
            access.require_may_grant(actor, role, *place)
            if self._find(Account, staff_account_id(login)) is not None:
                raise Conflict("login_taken", "该登录名已被使用", "this login is taken")
            account = Account.open_staff(login, name, actor.ref, now)
            account.set_password(hashed, must_change=True, by=actor.ref, now=now)
            account.add_grant(
                role, scope_id, self._subject(role, scope_id, subject, name), place, actor.ref, now
            )
            return account.id, [account]

        return self._write(decide)

    def grant(
        self,
        actor: Actor,
        *,
        role: Role,
        scope_id: UUID | None,
        login: str = "",
        phone: str = "",
        subject: str = "",
        name: str = "",
    ) -> Result:
        """A grant on a staff account (by login) or a phone account (by phone: opened
        now if the phone never signed in — a grid worker on day one)."""
        if bool(login) == bool(phone):
            raise InvalidInput(
                "login_or_phone", "请指定登录名或手机号（二选一）", "give a login or a phone"
            )
        phone = clean_phone(phone) if phone else ""
        login = normalise_login(login) if login else ""
        name = clean_name(name, "姓名") if name else ""

        def decide() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            place = self._place_of_scope(role, scope_id, subject)
            access.require_may_grant(actor, role, *place)
            if login:
                account = self._find(Account, staff_account_id(login))
                if account is None:
                    raise NotFound("unknown_account", "没有这个登录名的账号", "no such login")
            else:
                account = self._find(Account, phone_account_id(phone)) or Account.open_phone(
                    phone, name, actor.ref, now
                )
            if any(
                not access.may_manage(actor, g.role, g.county_id, g.community_id)
                for g in account.active_grants()
            ) and actor.role is not Role.OPERATOR:
                raise Forbidden(
                    "not_your_account",
                    "该账号另有您无权管理的身份，请由管理该身份的部门授予",
                    "the account holds a grant outside your scope",
                )
            person = name or account.name or account.login or phone
            grant_id = account.add_grant(
                role,
                scope_id,
                self._subject(role, scope_id, subject, person),
                place,
                actor.ref,
                now,
            )
            return grant_id, [account]

        result = self._write(decide)
        account_id = staff_account_id(login) if login else phone_account_id(phone)
        return Result(
            result.id, result.position, details={"account_id": str(account_id)}, at=result.at
        )

    def _managed(self, actor: Actor, account: Account) -> None:
        """The actor looks after this account: they may manage every grant it holds (an
        account without active grants: one it held). Managing one grant of an account
        is not enough — otherwise whoever may add a small grant (a 社区 a partner) could
        reset the password of an account that also holds 组织部."""
        if actor.role is Role.OPERATOR:
            return
        grants = account.active_grants() or list(account.grants.values())
        if grants and all(
            access.may_manage(actor, g.role, g.county_id, g.community_id) for g in grants
        ):
            return
        raise Forbidden("not_your_account", "无权管理该账号", "this account is outside your scope")

    def revoke_grant(self, actor: Actor, account_id: UUID, grant_id: UUID, reason: str) -> Result:
        reason = clean_line(reason, "理由", required=True)

        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            grant = account.grant(grant_id)
            if not (
                actor.role is Role.OPERATOR
                or access.may_manage(actor, grant.role, grant.county_id, grant.community_id)
            ):
                raise Forbidden(
                    "not_your_account", "无权撤销该身份", "this grant is outside your scope"
                )
            account.revoke(grant_id, reason, actor.ref, self.clock.now())
            ended = self._end_sessions(account, EndReason.GRANT_REVOKED, actor.ref, grant_id)
            return account.id, [account, *ended]

        return self._write(decide)

    def disable_account(self, actor: Actor, account_id: UUID, reason: str) -> Result:
        reason = clean_line(reason, "理由", required=True)

        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            self._managed(actor, account)
            if actor.subject and any(
                g.subject == actor.subject and g.role is actor.role and g.scope_id == actor.scope_id
                for g in account.active_grants()
            ):
                raise Conflict(
                    "own_account", "不能停用自己的账号", "you cannot disable your own account"
                )
            account.disable(reason, actor.ref, self.clock.now())
            ended = self._end_sessions(account, EndReason.ACCOUNT_DISABLED, actor.ref)
            return account.id, [account, *ended]

        return self._write(decide)

    def enable_account(self, actor: Actor, account_id: UUID) -> Result:
        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            self._managed(actor, account)
            account.enable(actor.ref, self.clock.now())
            return account.id, [account]

        return self._write(decide)

    def reset_password(self, actor: Actor, account_id: UUID, temporary_password: str) -> Result:
        """A new temporary password from an administrator: to be changed at the next
        sign-in; the account's sessions end; the lock is lifted; TOTP is turned off (the
        usual reason is a lost phone; the person enrolls again)."""

        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            self._managed(actor, account)
            account.require_staff()
            check_new_password(temporary_password, login=account.login, phone=account.phone)
            hashed = hash_password(temporary_password, secrets.token_bytes(PARAMS.salt_bytes))
            ended = self._end_sessions(account, EndReason.PASSWORD_CHANGED, actor.ref)
            now = self.clock.now()
            account.set_password(hashed, must_change=True, by=actor.ref, now=now)
            if account.totp is not None or account.totp_pending is not None:
                account.remove_totp(actor.ref, now)  # a lost authenticator: enrolled anew
            return account.id, [account, *ended]

        return self._write(decide)

    def require_manages(self, actor: Actor, account_id: UUID) -> Account:
        """The account, if the actor looks after it (for the read side's history)."""
        account = self.user_account(account_id)
        self._managed(actor, account)
        return account

    # -- registration: the proven phone gains the grant in the same write -------------------

    def start_session_for(
        self, account_id: UUID, role: Role, scope_id: UUID, new: NewSession
    ) -> Result:
        """A fresh session on the grant a registration gave (a retried registration's
        answer: the first one's session tokens were never stored)."""

        def decide() -> tuple[UUID, list[Aggregate]]:
            account = self.user_account(account_id)
            account.check_may_sign_in(self.clock.now())
            grant = next(
                (g for g in account.active_grants() if g.role is role and g.scope_id == scope_id),
                None,
            )
            if grant is None:
                raise Forbidden("no_grant", "该账号没有这一身份", "the account holds no such grant")
            session = start_session(self, account, grant, new, "registration", "-")
            return session.id, [account, session]

        return self._with_session(self._write(decide))
