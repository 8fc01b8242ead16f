"""Joining by the community's QR code: the page a scan opens, a new phone proven by code,
a member's report (党员报到) and a resident's registration (居民登记), and the poster."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from tests.builders.browser import DESKTOP, Server, assert_accessible, new_page, shot

# Numbers no one in the demo has (147: a prefix the demo never gives its people).
NEW_MEMBER = "14735600011"
NEW_RESIDENT = "14735600012"


def join_path(server: Server) -> tuple[str, str]:
    """The first community's name and join page, as the demo printed them."""
    found = re.search(
        r"^\s+(\S+)\s+扫码地址 https?://[^/\s]+(/app/join/[0-9a-f-]{36})$", server.demo, re.M
    )
    assert found, server.demo
    return found.group(1), found.group(2)


def prove_phone(page: Any, server: Server, number: str) -> None:
    page.fill("#phone", number)
    page.click("#send-code")
    page.wait_for_selector("#code-form .form-status.ok, #code-form .form-status.error")
    assert "已发送" in page.inner_text("#code-form .form-status")
    page.fill("#code", server.phone_code(number))
    page.click("#verify-form button[type=submit]")


def stored_role(page: Any) -> str:
    role: str = page.evaluate("() => JSON.parse(localStorage.getItem('sishuang.session')).role")
    return role


def test_a_new_phone_reports_as_a_member(server: Server, phone: tuple[Any, Any]) -> None:
    page, _ = phone
    name, path = join_path(server)
    page.goto(f"{server.url}{path}")
    assert page.inner_text("h1") == name
    assert page.is_visible("text=党员报到") and page.is_visible("text=居民登记")
    assert_accessible(page)
    shot(page, "join")
    page.click("[data-choose=member]")
    page.wait_for_selector("#verify:not([hidden])")
    prove_phone(page, server, NEW_MEMBER)
    page.wait_for_selector("#member:not([hidden])")
    assert stored_role(page) == "public"
    page.fill("#member-name", "测试党员")
    unit = page.eval_on_selector("#member-unit optgroup option", "o => o.value")
    page.select_option("#member-unit", unit)
    page.check("input[name=basis][value=paired]")
    page.fill("#member-post", "科员")
    assert_accessible(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "join-member")
    page.click("#member-form button[type=submit]")
    page.wait_for_url("**/app/home")
    assert stored_role(page) == "member"
    page.wait_for_selector("main [data-part] > :not(.loading)")
    shot(page, "join-member-home")
    # the same phone again: the API's refusal says what is wrong
    page.goto(f"{server.url}{path}")
    page.click("[data-choose=member]")
    page.wait_for_selector("#member:not([hidden])")
    page.fill("#member-name", "测试党员")
    page.select_option("#member-unit", unit)
    page.click("#member-form button[type=submit]")
    page.wait_for_selector("#member-form .form-status.error")
    assert "请勿重复" in page.inner_text("#member-form .form-status")
    assert page.url.endswith(path)


def test_a_new_phone_registers_as_a_resident(server: Server, phone: tuple[Any, Any]) -> None:
    page, _ = phone
    _, path = join_path(server)
    page.goto(f"{server.url}{path}")
    page.click("[data-choose=resident]")
    prove_phone(page, server, NEW_RESIDENT)
    page.wait_for_selector("#resident:not([hidden])")
    page.fill("#resident-name", "测试居民")
    page.fill("#resident-address", "巴公新苑 2 号楼 1 单元 302")
    page.select_option("#resident-grid", index=1)
    assert_accessible(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "join-resident")
    page.click("#resident-form button[type=submit]")
    page.wait_for_url("**/app/home")
    assert stored_role(page) == "resident"


def test_an_unknown_community_says_what_to_do(server: Server, phone: tuple[Any, Any]) -> None:
    page, _ = phone
    response = page.goto(f"{server.url}/app/join/{uuid4()}")
    assert response.status == 404
    assert "找不到这个社区" in page.inner_text("h1")
    assert "再扫一次" in page.inner_text("main")
    assert_accessible(page)


def test_the_poster_shows_in_a_browser(server: Server, browser: Any) -> None:
    page, watched = new_page(browser, DESKTOP)
    try:
        name, path = join_path(server)
        response = page.goto(f"{server.url}{path}/poster.svg")
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert name in page.content()
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        shot(page, "poster", full=False)
        response = page.request.get(f"{server.url}{path}/poster.pdf")
        assert response.ok and response.body().startswith(b"%PDF-")
    finally:
        page.context.close()
    watched.check()
