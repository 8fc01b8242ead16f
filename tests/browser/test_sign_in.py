"""Signing in by phone, the frame every role's pages share, and the inbox."""

from __future__ import annotations

from typing import Any

from tests.builders.browser import (
    DESKTOP,
    Server,
    assert_accessible,
    fits,
    new_page,
    shot,
    sign_in,
)


def test_a_resident_signs_in_with_a_code_and_reads_the_inbox(
    server: Server, phone: tuple[Any, Any]
) -> None:
    page, _ = phone
    page.goto(f"{server.url}/app/")
    assert page.locator("h1").inner_text() == "在职党员进社区"
    assert_accessible(page)
    shot(page, "app-entrance")
    page.goto(f"{server.url}/app/sign-in?next=/app/inbox")
    assert_accessible(page)
    shot(page, "app-sign-in")
    sign_in(page, server, server.phones["resident"], "/app/inbox")
    page.wait_for_selector("main .list, main .notice")
    assert "条" in page.inner_text("main")
    assert_accessible(page)
    shot(page, "app-inbox")


def test_a_wrong_code_says_what_to_do(server: Server, phone: tuple[Any, Any]) -> None:
    page, _ = phone
    page.goto(f"{server.url}/app/sign-in")
    page.fill("#phone", server.phones["member"])
    page.click("#send-code")
    page.wait_for_selector("#code-form .form-status.ok")
    sent = server.phone_code(server.phones["member"])
    page.fill("#code", "000000" if sent != "000000" else "111111")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#sign-in-form .form-status.error")
    assert "重新获取" in page.inner_text("#sign-in-form .form-status")
    assert page.url.endswith("/app/sign-in")


def test_big_text_is_kept_across_pages(server: Server, phone: tuple[Any, Any]) -> None:
    page, _ = phone
    page.goto(f"{server.url}/app/")
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "18px"
    page.click("[data-action=big-text]")
    page.goto(f"{server.url}/app/sign-in")
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "22px"
    assert page.get_attribute("[data-action=big-text]", "aria-pressed") == "true"


def test_a_page_that_needs_a_session_sends_a_stranger_to_sign_in(
    server: Server, phone: tuple[Any, Any]
) -> None:
    page, _ = phone
    page.goto(f"{server.url}/app/home")
    page.wait_for_url("**/app/sign-in?next=%2Fapp%2Fhome*")


def test_the_keyboard_goes_through_sign_in_in_reading_order(
    server: Server, phone: tuple[Any, Any]
) -> None:
    """Focus order: skip link, the header, then the fields and buttons as they read."""
    page, _ = phone
    page.goto(f"{server.url}/app/sign-in")
    order = []
    for _ in range(7):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.getAttribute('data-action') || e.textContent.trim(); }"
            )
        )
    assert order == [
        "跳到正文",
        "四双 · 在职党员进社区",
        "big-text",
        "phone",
        "send-code",
        "code",
        "登录",
    ]


def test_the_pages_fit_a_desktop_too(server: Server, browser: Any) -> None:
    """The phone pages at a desktop's size: one readable column, accessible."""
    page, watched = new_page(browser, DESKTOP)
    try:
        for path in ("/app/", "/app/sign-in"):
            page.goto(f"{server.url}{path}")
            fits(page)
            width = page.evaluate("() => document.querySelector('main').clientWidth")
            assert width <= 40 * 18 + 1  # 40rem
            assert_accessible(page)
        shot(page, "app-sign-in-desktop", full=False)
    finally:
        page.context.close()
    watched.check()
