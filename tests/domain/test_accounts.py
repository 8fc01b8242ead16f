"""Accounts, phone codes and sessions against the application service (issue 14)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import totp
from domain.account import Account, phone_account_id, staff_account_id
from domain.actors import OPERATOR, Actor, Role
from domain.application import NewSession, Sishuang
from domain.clock import ManualClock
from domain.errors import Conflict, Forbidden, InvalidInput, Throttled, Unauthenticated
from domain.limits import LIMITS
from domain.passwords import PARAMS, check_new_password, hash_password, verify_password
from domain.phone_check import code_for
from domain.session import EndReason, Session
from tests.builders.codes import DOMAIN_SECRET, current_code
from tests.builders.world import World, refused

PASSWORD = "锦绣社区的春天来了，大家好"
PHONE = "13900002222"


def new() -> NewSession:
    return NewSession(uuid4(), hashlib.sha256(uuid4().bytes).hexdigest())


def phone_sign_in(app: Sishuang, phone: str, address: str = "10.0.0.1", grant: UUID | None = None):  # type: ignore[no-untyped-def]
    app.request_phone_code(phone, address)
    return app.sign_in_with_code(
        phone, current_code(app, phone, DOMAIN_SECRET), new(), grant_id=grant
    )


def staff(
    world: World,
    login: str = "jinxiu.li",
    role: Role = Role.COMMUNITY_ADMIN,
    scope: UUID | None = None,
) -> UUID:  # type: ignore[assignment]
    return world.app.create_staff_account(
        world.org,
        login=login,
        name="李娟",
        role=role,
        scope_id=scope or world.community_id,
        temporary_password="abcd-efgh-jkmn-pqrs",
    ).id


def first_sign_in(world: World, login: str = "jinxiu.li") -> dict[str, object]:
    """Sign in with the temporary password, change it: an unrestricted session."""
    app = world.app
    restricted = app.sign_in_with_password(login, "abcd-efgh-jkmn-pqrs", new())
    assert restricted.details["restricted"] is True
    account_id = UUID(str(restricted.details["account_id"]))
    changed = app.change_password(account_id, "abcd-efgh-jkmn-pqrs", PASSWORD, new())
    assert changed.details["restricted"] is False
    return changed.details


# -- phone codes ----------------------------------------------------------------------------


def test_a_code_signs_in_and_opens_the_phone_account(app: Sishuang) -> None:
    result = phone_sign_in(app, PHONE)
    assert result.details["account_id"] == str(phone_account_id(PHONE))
    assert result.details["grant_id"] is None and result.details["role"] == "public"
    assert app.user_account(phone_account_id(PHONE)).phone == PHONE


def test_the_code_is_derived_not_stored(app: Sishuang) -> None:
    app.request_phone_code(PHONE, "10.0.0.1")
    code = current_code(app, PHONE, DOMAIN_SECRET)
    stored = [n.state for n in app.recorder.select_notifications(1, 100)]
    assert not any(code.encode() in state for state in stored)
    assert code_for(b"another-secret-entirely", "nonce") != code_for(DOMAIN_SECRET, "nonce")


def test_a_code_expires_after_five_minutes(app: Sishuang, clock: ManualClock) -> None:
    app.request_phone_code(PHONE, "10.0.0.1")
    code = current_code(app, PHONE, DOMAIN_SECRET)
    clock.advance(timedelta(minutes=LIMITS.phone_code_valid_minutes, seconds=1))
    with refused(app, Unauthenticated, "invalid_code"):
        app.sign_in_with_code(PHONE, code, new())


def test_a_code_has_five_tries_then_is_spent(app: Sishuang) -> None:
    app.request_phone_code(PHONE, "10.0.0.1")
    code = current_code(app, PHONE, DOMAIN_SECRET)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(LIMITS.phone_code_max_tries):
        with pytest.raises(Unauthenticated):
            app.sign_in_with_code(PHONE, wrong, new())  # each try recorded
    with refused(app, Unauthenticated, "invalid_code"):
        app.sign_in_with_code(PHONE, code, new())  # even the right one: no tries left


def test_a_code_is_used_once(app: Sishuang) -> None:
    app.request_phone_code(PHONE, "10.0.0.1")
    code = current_code(app, PHONE, DOMAIN_SECRET)
    app.sign_in_with_code(PHONE, code, new())
    with refused(app, Unauthenticated, "invalid_code"):
        app.sign_in_with_code(PHONE, code, new())


def test_codes_are_throttled_per_phone(app: Sishuang, clock: ManualClock) -> None:
    app.request_phone_code(PHONE, "10.0.0.1")
    with refused(app, Throttled, "too_many_codes"):
        app.request_phone_code(PHONE, "10.0.0.2")
    for _ in range(LIMITS.phone_codes_per_hour - 1):
        clock.advance(timedelta(seconds=LIMITS.phone_code_resend_seconds))
        app.request_phone_code(PHONE, "10.0.0.1")
    clock.advance(timedelta(seconds=LIMITS.phone_code_resend_seconds))
    with refused(app, Throttled, "too_many_codes"):
        app.request_phone_code(PHONE, "10.0.0.1")
    clock.advance(timedelta(hours=1))
    app.request_phone_code(PHONE, "10.0.0.1")


def test_codes_are_throttled_per_address(app: Sishuang, clock: ManualClock) -> None:
    for i in range(LIMITS.address_codes_per_hour):
        app.request_phone_code(f"1390000{i:04d}", "10.9.9.9")
    with refused(app, Throttled, "too_many_codes"):
        app.request_phone_code("13911112222", "10.9.9.9")
    app.request_phone_code("13911112222", "10.9.9.8")  # another address
    clock.advance(timedelta(hours=1, seconds=1))
    app.request_phone_code("13911113333", "10.9.9.9")


# -- staff accounts, passwords, lock-out ------------------------------------------------------


def test_password_rules() -> None:
    with pytest.raises(InvalidInput) as short:
        check_new_password("short-one")
    assert short.value.code == "password_too_short"
    with pytest.raises(InvalidInput) as long:
        check_new_password("x" * (LIMITS.password_max_length + 1))
    assert long.value.code == "password_too_long"
    with pytest.raises(InvalidInput) as common:
        check_new_password("Unbelievable")
    assert common.value.code == "password_common"
    for padded in ("password1234", "!!Qwertyuiop99", "abababababab", "1111111111111"):
        with pytest.raises(InvalidInput) as guessable:
            check_new_password(padded)
        assert guessable.value.code == "password_common", padded
    assert check_new_password("password for 金村 2026")  # a common word inside a sentence
    with pytest.raises(InvalidInput) as login:
        check_new_password("jinxiu.li-2026-spring", login="jinxiu.li")
    assert login.value.code == "password_contains_login"
    assert check_new_password("correct horse battery staple")  # no composition rules


def test_argon2id_hash_keeps_its_parameters() -> None:
    hashed = hash_password(PASSWORD, b"0123456789abcdef")
    assert hashed.algorithm == "argon2id" and hashed.memory_kib == PARAMS.memory_kib
    assert verify_password(PASSWORD, hashed) and not verify_password(PASSWORD + "!", hashed)


def test_first_sign_in_with_a_temporary_password_must_change_it(world: World) -> None:
    staff(world)
    details = first_sign_in(world)
    assert details["role"] == "community_admin" and details["scope_id"] == str(world.community_id)
    with pytest.raises(Unauthenticated):
        world.app.sign_in_with_password("jinxiu.li", "abcd-efgh-jkmn-pqrs", new())
    assert (
        world.app.sign_in_with_password("JinXiu.Li", PASSWORD, new()).details["restricted"] is False
    )


def test_an_unknown_login_answers_as_a_wrong_password(world: World) -> None:
    """The same answer; what is recorded is the address's failed sign-in, nothing else."""
    before = world.app.recorder.max_notification_id() or 0
    with pytest.raises(Unauthenticated) as unknown:
        world.app.sign_in_with_password("nobody.here", PASSWORD, new(), address="10.1.2.3")
    assert unknown.value.code == "invalid_credentials"
    written = world.app.recorder.select_notifications(before + 1, 10)
    assert [n.topic for n in written] == [
        "sishuang:SignInQuota.Opened",
        "sishuang:SignInQuota.FailureCounted",
    ]


def test_lock_out_after_repeated_failures_and_unlock_after_the_window(
    world: World, clock: ManualClock
) -> None:
    staff(world)
    first_sign_in(world)
    for _ in range(LIMITS.lock_after_failures):
        with pytest.raises(Unauthenticated) as wrong:
            world.app.sign_in_with_password("jinxiu.li", "wrong password here", new())
        assert wrong.value.code == "invalid_credentials"
    with refused(world.app, Unauthenticated, "account_locked"):
        world.app.sign_in_with_password("jinxiu.li", PASSWORD, new())  # even the right one
    clock.advance(timedelta(minutes=LIMITS.lock_minutes, seconds=1))
    assert world.app.sign_in_with_password("jinxiu.li", PASSWORD, new()).details["session_id"]


# -- TOTP -------------------------------------------------------------------------------------


def test_totp_enrolled_and_confirmed_is_required_and_a_step_is_used_once(
    world: World, clock: ManualClock
) -> None:
    app = world.app
    account_id = staff_account_id("jinxiu.li")
    staff(world)
    first_sign_in(world)
    uri = str(app.enroll_totp(account_id).details["otpauth_uri"])
    assert uri.startswith("otpauth://totp/") and "secret=" in uri
    account = app.user_account(account_id)
    assert account.totp_pending is not None
    secret = totp.unseal(DOMAIN_SECRET, account.totp_pending, str(account_id))
    app.confirm_totp(account_id, totp.code_at(secret, clock.now()))
    with refused(app, Unauthenticated, "totp_required"):
        app.sign_in_with_password("jinxiu.li", PASSWORD, new())
    clock.advance(timedelta(seconds=LIMITS.totp_step_seconds))
    code = totp.code_at(secret, clock.now())
    assert app.sign_in_with_password("jinxiu.li", PASSWORD, new(), totp_code=code).details
    with pytest.raises(Unauthenticated) as again:  # the same step again
        app.sign_in_with_password("jinxiu.li", PASSWORD, new(), totp_code=code)
    assert again.value.code == "invalid_totp"


def test_rfc6238_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6 digits: 287082
    assert totp.hotp(b"12345678901234567890", 59 // 30, digits=8) == "94287082"


# -- sessions ---------------------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_ends_the_session(app: Sishuang) -> None:
    first = new()
    app.request_phone_code(PHONE, "10.0.0.1")
    app.sign_in_with_code(PHONE, current_code(app, PHONE, DOMAIN_SECRET), first)
    second = hashlib.sha256(b"second").hexdigest()
    app.refresh_session(first.session_id, first.refresh_hash, second)
    with pytest.raises(Unauthenticated) as reused:
        app.refresh_session(first.session_id, first.refresh_hash, "x" * 64)
    assert reused.value.code == "refresh_token_reused"
    session = app.find(Session, first.session_id)
    assert session is not None and session.ended is EndReason.REFRESH_REUSED
    with pytest.raises(Unauthenticated):  # the thief's rotated token is dead too
        app.refresh_session(first.session_id, second, "y" * 64)


def test_sign_out_everywhere_ends_every_session(world: World) -> None:
    staff(world)
    first_sign_in(world)
    a = world.app.sign_in_with_password("jinxiu.li", PASSWORD, new())
    b = world.app.sign_in_with_password("jinxiu.li", PASSWORD, new())
    world.app.sign_out_everywhere(staff_account_id("jinxiu.li"), "me")
    for r in (a, b):
        session = world.app.find(Session, UUID(str(r.details["session_id"])))
        assert session is not None and session.ended is EndReason.SIGN_OUT_EVERYWHERE


def test_revoking_a_grant_ends_its_sessions(world: World) -> None:
    staff(world)
    details = first_sign_in(world)
    account = staff_account_id("jinxiu.li")
    world.app.revoke_grant(world.org, account, UUID(str(details["grant_id"])), "调离")
    session = world.app.find(Session, UUID(str(details["session_id"])))
    assert session is not None and session.ended is EndReason.GRANT_REVOKED


# -- who may grant -----------------------------------------------------------------------------


def test_a_community_grants_its_grid_workers_by_phone_but_not_in_another_community(
    world: World,
) -> None:
    app = world.app
    granted = app.grant(
        world.staff, role=Role.GRID_WORKER, scope_id=world.community_id, phone=PHONE, name="王芳"
    )
    with refused(app, Forbidden, "may_not_grant"):
        app.grant(
            world.staff, role=Role.GRID_WORKER, scope_id=world.other_community_id, phone=PHONE
        )
    with refused(app, Forbidden, "may_not_grant"):
        app.grant(world.staff, role=Role.COMMUNITY_ADMIN, scope_id=world.community_id, phone=PHONE)
    signed = phone_sign_in(app, PHONE)  # day one: the grid worker signs in with a code
    assert signed.details["grant_id"] == str(granted.id) and signed.details["role"] == "grid_worker"


def test_org_dept_grants_in_its_county_only(world: World) -> None:
    app = world.app
    other = app.register_county(OPERATOR, name="陵川县", code="LC").id
    with refused(app, Forbidden, "may_not_grant"):
        staff(world, "auditor.x", Role.AUDITOR, other)
    staff(world, "auditor.y", Role.AUDITOR, world.county_id)
    member = Actor(Role.MEMBER, "x", uuid4())
    with refused(app, Forbidden, "may_not_grant"):
        app.create_staff_account(
            member,
            login="a.b.c",
            name="某",
            role=Role.AUDITOR,
            scope_id=world.county_id,
            temporary_password="abcd-efgh-jkmn-pqrs",
        )


def test_a_login_is_taken_once(world: World) -> None:
    staff(world)
    with refused(world.app, Conflict, "login_taken"):
        staff(world)


def test_registration_with_a_proven_phone_gains_the_member_grant_in_the_same_write(
    world: World,
) -> None:
    app = world.app
    proven = phone_sign_in(app, "13800001234")
    account_id = UUID(str(proven.details["account_id"]))
    session = new()
    member_id = app.register_member(
        Actor(Role.PUBLIC, f"phone:{account_id}"),
        unit_id=world.unit_id,
        community_id=world.community_id,
        basis="paired",
        name="张伟",
        phone="13800001234",
        post="科员",
        account_id=account_id,
        session=session,
    ).id
    grants = app.user_account(account_id).active_grants()
    assert [(g.role, g.scope_id) for g in grants] == [(Role.MEMBER, member_id)]
    started = app.session(session.session_id)
    assert started.role == "member" and started.scope_id == member_id
    with refused(app, Forbidden, "phone_not_verified"):
        app.register_member(
            Actor(Role.PUBLIC, f"phone:{account_id}"),
            unit_id=world.unit_id,
            community_id=world.community_id,
            basis="paired",
            name="张伟",
            phone="13800009876",  # not the proven phone
            post="科员",
            account_id=account_id,
            session=new(),
        )


# -- a property: an account's events replayed give the same state ---------------------------------

ACTIONS = st.lists(st.sampled_from(["wrong", "right", "wait", "grant", "revoke"]), max_size=14)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_replaying_an_account_gives_the_same_state(
    tmp_path_factory: pytest.TempPathFactory, actions: list[str]
) -> None:
    from tests.builders.stores import sqlite_env

    clock = ManualClock()
    path = tmp_path_factory.mktemp("acc") / "e.sqlite3"
    app = Sishuang(sqlite_env(path), clock=clock, secret=DOMAIN_SECRET)
    try:
        world = World(app)
        staff(world)
        first_sign_in(world)
        account_id = staff_account_id("jinxiu.li")
        for action in actions:
            try:
                if action == "wrong":
                    app.sign_in_with_password("jinxiu.li", "not the password!", new())
                elif action == "right":
                    app.sign_in_with_password("jinxiu.li", PASSWORD, new())
                elif action == "wait":
                    clock.advance(timedelta(minutes=LIMITS.lock_minutes))
                elif action == "grant":
                    app.grant(
                        world.org, role=Role.AUDITOR, scope_id=world.county_id, login="jinxiu.li"
                    )
                else:
                    grant = next(
                        g
                        for g in app.user_account(account_id).active_grants()
                        if g.role is Role.AUDITOR
                    )
                    app.revoke_grant(world.org, account_id, grant.grant_id, "调整")
            except (Unauthenticated, Conflict, StopIteration):
                pass
        live = app.user_account(account_id)
        events = app.repository.event_store.get(account_id)
        replayed: Account | None = None
        for e in events:
            replayed = e.mutate(replayed)
        assert replayed is not None
        assert vars(replayed) == vars(live)
    finally:
        app.close()


def test_a_community_opens_its_partners_accounts_and_only_its_own(world: World) -> None:
    app = world.app
    partner = app.register_partner(world.staff, world.community_id, name="爱心超市", kind="shop").id
    other = app.register_partner(
        world.other_staff, world.other_community_id, name="金村食堂", kind="canteen"
    ).id
    created = app.create_staff_account(
        world.staff,
        login="aixin.shop",
        name="爱心超市",
        role=Role.PARTNER,
        scope_id=partner,
        temporary_password="abcd-efgh-jkmn-pqrs",
    )
    grants = app.user_account(created.id).active_grants()
    assert [(g.role, g.scope_id, g.community_id) for g in grants] == [
        (Role.PARTNER, partner, world.community_id)
    ]
    with refused(app, Forbidden, "may_not_grant"):
        app.create_staff_account(
            world.staff,
            login="jincun.canteen",
            name="金村食堂",
            role=Role.PARTNER,
            scope_id=other,
            temporary_password="abcd-efgh-jkmn-pqrs",
        )


def test_one_client_spends_one_code_quota_however_its_address_is_written() -> None:
    from domain.phone_check import address_quota_id

    assert address_quota_id("::ffff:10.77.0.1") == address_quota_id("10.77.0.1")
    assert address_quota_id("2001:db8:1:2::a") == address_quota_id("2001:db8:1:2:ffff::b")
    assert address_quota_id("2001:db8:1:3::a") != address_quota_id("2001:db8:1:2::a")
    assert address_quota_id("10.77.0.1") != address_quota_id("10.77.0.2")
    assert address_quota_id("test:13900001111") != address_quota_id("test:13900002222")


def test_a_phone_gets_at_most_its_day_of_codes(app: Sishuang, clock: ManualClock) -> None:
    """5 tries a code and phone_codes_per_day codes: a bounded number of guesses a day."""
    for i in range(LIMITS.phone_codes_per_day):
        app.request_phone_code("13911114444", f"10.8.0.{i}")
        clock.advance(timedelta(hours=1, seconds=1) if i % 4 == 3 else timedelta(minutes=2))
    with refused(app, Throttled, "too_many_codes"):
        app.request_phone_code("13911114444", "10.8.1.1")
    clock.advance(timedelta(days=1))
    app.request_phone_code("13911114444", "10.8.1.1")


def test_one_address_has_its_hour_of_failed_sign_ins_then_waits(
    world: World, clock: ManualClock
) -> None:
    """Password spraying: many logins tried from one address. Past the hour's failures
    the address is refused before any password is hashed, even with the right one."""
    staff(world)
    first_sign_in(world)
    app = world.app
    for i in range(LIMITS.sign_in_failures_per_address_per_hour):
        with pytest.raises(Unauthenticated):
            app.sign_in_with_password(f"guess.{i}", "not the password!", new(), address="10.6.6.6")
    with pytest.raises(Throttled) as throttled:
        app.sign_in_with_password("jinxiu.li", PASSWORD, new(), address="10.6.6.6")
    assert throttled.value.code == "too_many_sign_in_failures"
    assert app.sign_in_with_password("jinxiu.li", PASSWORD, new(), address="10.6.6.7").details
    clock.advance(timedelta(hours=1, seconds=1))
    assert app.sign_in_with_password("jinxiu.li", PASSWORD, new(), address="10.6.6.6").details
