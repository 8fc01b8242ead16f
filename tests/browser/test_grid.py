"""The grid worker's (网格员) pages: the community's open needs and those waiting for a
rating, a 微心愿卡 for a resident without a phone (registered on the spot), and a
rating given on a resident's behalf (代评)."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import urlsplit

from tests.builders.browser import (
    Server,
    assert_accessible,
    bearer,
    county_of,
    new_page,
    service_token,
    shot,
    sign_in,
)


def claimed_need(server: Server) -> dict[str, Any]:
    """A need whose member claimed it done (the demo has some in every community),
    preferably one posted for someone without an account (the resident tests rate the
    others)."""
    org = bearer(server, service_token(server, "org_dept", county_of(server)))
    found: list[dict[str, Any]] = []
    for c in org.get("/api/v1/communities").json():
        found += org.get(
            f"/api/v1/communities/{c['community_id']}/needs",
            params={"status": "completion_claimed"},
        ).json()["items"]
    assert found, "the demo has needs waiting for a rating"
    found.sort(key=lambda r: r["resident_id"] is not None)
    return found[0]


def test_a_grid_worker_fills_a_wish_card_and_rates_for_a_resident(
    server: Server, browser: Any
) -> None:
    claimed = claimed_need(server)
    community = claimed["community_id"]
    phone = "1391" + "".join(random.choice("0123456789") for _ in range(7))
    with bearer(server, service_token(server, "community_admin", community)) as staff:
        granted = staff.post(
            "/api/v1/grants",
            json={"phone": phone, "name": "郭燕", "role": "grid_worker", "scope_id": community},
        )
    assert granted.status_code == 201, granted.text

    page, watched = new_page(browser)
    try:
        sign_in(page, server, phone, "/app/home")
        page.wait_for_url(lambda url: urlsplit(url).path == "/app/home")
        page.wait_for_selector("text=网格员工作台")
        main = page.inner_text("main")
        assert "填写微心愿卡" in main and "等待评价" in main
        assert claimed["content"] in main
        assert "期限" in main
        assert_accessible(page)
        shot(page, "grid-home")

        page.click("text=填写微心愿卡")
        page.wait_for_url("**/app/grid/wish-card")
        page.wait_for_selector("#resident-form")
        # a resident without a phone, registered on the spot
        page.fill("#new-name", "张桂兰")
        page.fill("#new-address", "6 号楼 1 单元 102")
        page.select_option("#new-grid", index=1)
        page.click("#resident-form button[type=submit]")
        page.wait_for_selector("#resident-form .form-status.ok")
        assert page.input_value("#resident_id") != ""
        assert page.is_checked("input[name=source][value=wish_card]")
        page.select_option("#wish-form #category", index=1)
        page.fill("#wish-form #content", "微心愿：想要一台收音机，听戏用")
        page.select_option("#wish-form #grid_code", index=1)
        assert_accessible(page)
        shot(page, "grid-wish-card")
        page.click("#wish-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/app/needs/[0-9a-f-]{36}$"))
        page.wait_for_selector("ol.steps li")
        text = page.inner_text("main")
        assert "想要一台收音机" in text and "微心愿卡" in text and "张桂兰" in text

        page.goto(f"{server.url}/app/grid/needs")
        page.wait_for_selector("main .needs")
        assert "想要一台收音机" in page.inner_text("main .needs")
        assert_accessible(page)

        # 代评: rate the finished need for its resident
        page.goto(f"{server.url}/app/needs/{claimed['order_id']}")
        page.wait_for_selector("form.rating")
        assert "代居民评价" in page.inner_text("main")
        page.click(".star-row label:nth-child(5)")
        assert page.locator(".star-row label.on").count() == 5
        page.check("input[name=solved][value=yes]")
        assert_accessible(page)
        shot(page, "grid-need")
        page.click("form.rating button[type=submit]")
        page.wait_for_selector("ol.steps >> text=评价")
        assert page.locator("form.rating").count() == 0
        assert "5 星" in page.inner_text("main")
    finally:
        page.context.close()
    watched.check()
