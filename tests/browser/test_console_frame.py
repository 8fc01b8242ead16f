"""The consoles' frame: staff sign in with login and password, change a temporary
password first, find their role's menu, and manage their own account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.builders.browser import Server, assert_accessible, shot, staff_sign_in


def test_a_wrong_password_is_refused_with_what_to_do(server: Server, desk: tuple[Any, Any]) -> None:
    page, _ = desk
    page.goto(f"{server.url}/console/sign-in")
    assert_accessible(page)
    page.fill("#login", server.logins["auditor"][0])
    page.fill("#password", "这不是密码这不是密码")
    page.click("#staff-sign-in button[type=submit]")
    page.wait_for_selector("#staff-sign-in .form-status.error")
    assert "密码" in page.inner_text("#staff-sign-in .form-status")
    assert urlsplit(page.url).path == "/console/sign-in"


def test_without_a_session_a_console_page_asks_to_sign_in(
    server: Server, desk: tuple[Any, Any]
) -> None:
    page, _ = desk
    page.goto(f"{server.url}/console/home")
    page.wait_for_url(lambda url: urlsplit(url).path == "/console/sign-in")
    assert "next=%2Fconsole%2Fhome" in page.url


def test_first_sign_in_changes_the_temporary_password(
    server: Server, desk: tuple[Any, Any]
) -> None:
    page, _ = desk
    login, temporary = server.logins["auditor"]
    page.goto(f"{server.url}/console/sign-in")
    page.fill("#login", login)
    page.fill("#password", server.passwords.get("auditor", temporary))
    page.click("#staff-sign-in button[type=submit]")
    if "auditor" not in server.passwords:
        page.wait_for_url(lambda url: urlsplit(url).path == "/console/password")
        assert_accessible(page)
        shot(page, "console-password")
        page.fill("#current_password", temporary)
        page.fill("#new_password", "短")
        page.click("#password-form button[type=submit]")
        # the browser's own check (minlength) keeps a short one from being sent
        assert urlsplit(page.url).path == "/console/password"
        new = "四双浏览器测试的新密码·auditor"
        page.fill("#new_password", new)
        page.click("#password-form button[type=submit]")
        server.passwords["auditor"] = new
    page.wait_for_url(lambda url: urlsplit(url).path == "/console/home")
    page.wait_for_selector("nav.side ul")
    assert "审计" in page.inner_text("nav.side")
    # the temporary password no longer signs in
    other = page.context.browser.new_context()
    try:
        second = other.new_page()
        second.goto(f"{server.url}/console/sign-in")
        second.fill("#login", login)
        second.fill("#password", temporary)
        second.click("#staff-sign-in button[type=submit]")
        second.wait_for_selector("#staff-sign-in .form-status.error")
    finally:
        other.close()


def test_each_role_finds_its_menu_and_signs_out(server: Server, desk: tuple[Any, Any]) -> None:
    page, _ = desk
    for role, label in (("community_admin", "社区"), ("partner", "合作商家")):
        staff_sign_in(page, server, role)
        side = page.inner_text("nav.side")
        assert label in side and "我的账号" in side
        assert label in page.inner_text("#who")
        page.click("nav.side [data-action=sign-out]")
        page.wait_for_url(lambda url: urlsplit(url).path == "/console/sign-in")
        assert page.evaluate("() => localStorage.getItem('sishuang.session')") is None


def test_the_account_page_enrolls_a_totp_as_a_qr_code(
    server: Server, desk: tuple[Any, Any]
) -> None:
    page, _ = desk
    staff_sign_in(page, server, "unit_admin", "/console/account")
    page.wait_for_selector("#totp-enroll")
    assert_accessible(page)
    page.click("#totp-enroll button[type=submit]")
    page.wait_for_selector("#totp-qr svg")
    assert "手动输入密钥" in page.inner_text("#totp-qr")
    assert page.is_visible("#totp-confirm")
    shot(page, "console-account")
