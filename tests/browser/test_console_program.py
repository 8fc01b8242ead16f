"""The 社区 console's program pages: 积分规则 read from the API and set on the page."""

from __future__ import annotations

from typing import Any

from tests.builders.browser import Server, assert_accessible, shot, staff_sign_in


def test_points_rules_are_shown_and_set_on_the_page(server: Server, desk: tuple[Any, Any]) -> None:
    page, _ = desk
    staff_sign_in(page, server, "community_admin", "/console/program/points-rules")
    page.wait_for_selector("#points-rules td[data-rule=points_per_hour]")
    before = int(page.inner_text("#points-rules td[data-rule=points_per_hour]"))
    shot(page, "console-program-points-rules")
    assert_accessible(page)
    page.fill("#set-points-rules input[name='overrides.points_per_hour']", str(before + 1))
    page.fill("#set-points-rules input[name=reason]", "社区两委会议通过")
    page.click("#set-points-rules button[type=submit]")
    page.wait_for_function(
        "n => document.querySelector('#points-rules td[data-rule=points_per_hour]')"
        "?.textContent.trim() === String(n)",
        arg=before + 1,
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_points_rules_part_needs_a_community_session(server: Server) -> None:
    with server.http() as client:
        assert client.get("/console/parts/program/points-rules").status_code == 401
