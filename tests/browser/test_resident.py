"""The resident's (群众) pages: post a need with a photo and the phone's location,
follow it step by step, cancel one before it is taken, rate one with stars."""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any

from tests.builders.browser import (
    Server,
    assert_accessible,
    bearer,
    county_of,
    new_page,
    png,
    service_token,
    shot,
    sign_in,
)

PLACE = {"latitude": 35.513003, "longitude": 112.869845}


def fresh_phone() -> str:
    return "1390" + "".join(random.choice("0123456789") for _ in range(7))


def keep_session(page: Any, access: str, refresh: str | None, role: str, scope: str) -> None:
    """Put a session in the page's storage the way app.js keeps one."""
    value = {
        "access_token": access,
        "refresh_token": refresh,
        "expires_at": int(time.time() * 1000) + 14 * 60 * 1000,
        "role": role,
        "scope_id": scope,
    }
    page.evaluate(
        "v => localStorage.setItem('sishuang.session', v)", json.dumps(value, ensure_ascii=False)
    )


def test_a_resident_posts_a_need_follows_it_and_cancels_another(
    server: Server, browser: Any
) -> None:
    page, watched = new_page(browser, geolocation=PLACE, permissions=["geolocation"])
    try:
        # a new resident signs in with a code, then registers in the community
        phone = fresh_phone()
        sign_in(page, server, phone)
        page.wait_for_selector("main h1")
        session = page.evaluate("() => JSON.parse(localStorage.getItem('sishuang.session'))")
        org = bearer(server, service_token(server, "org_dept", county_of(server)))
        community = org.get("/api/v1/communities").json()[0]["community_id"]
        with bearer(server, session["access_token"]) as me:
            answer = me.post(
                "/api/v1/residents",
                json={"community_id": community, "name": "王秀英", "address": "3 号楼 501"},
            )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        keep_session(page, body["token"], body["refresh_token"], "resident", community)

        page.goto(f"{server.url}/app/home")
        page.wait_for_selector("main .notice")
        assert "我要点单" in page.inner_text("main")
        assert_accessible(page)

        page.click("text=我要点单")
        page.wait_for_url("**/app/resident/post")
        page.wait_for_selector("#grid_code")
        page.select_option("#category", "plumbing_electrical")
        page.fill("#content", "楼道灯坏了，晚上上下楼看不见")
        page.check("input[name=urgency][value=urgent]")
        page.fill("#people_affected", "12")
        page.fill("#preferred_time", "周六上午")
        page.select_option("#grid_code", index=1)
        page.click("[data-action=place-locate]")
        page.wait_for_selector(".place-status.ok")
        assert page.input_value("#lat") == f"{PLACE['latitude']:.6f}"
        page.set_input_files(
            "#photo-input",
            files=[{"name": "灯.png", "mimeType": "image/png", "buffer": png(width=64, height=48)}],
        )
        page.wait_for_selector(".photo-list input[name=photos]", state="attached")
        assert "已上传" in page.inner_text(".photo-list")
        assert_accessible(page)
        shot(page, "resident-post")

        page.click("#need-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/app/needs/[0-9a-f-]{36}$"))
        page.wait_for_selector("ol.steps li")
        text = page.inner_text("main")
        assert "楼道灯坏了" in text and "待接单" in text and "点单" in text
        assert "12 人" in text
        assert "共 1 张" in text  # the photo sent with the need (its view lists no hashes)
        assert_accessible(page)
        shot(page, "resident-need")

        # another need, posted over the API, cancelled on its page before anyone takes it
        with bearer(server, body["token"]) as me:
            other = me.post(
                "/api/v1/needs",
                json={"content": "想请人教我用手机视频", "category": "it"},
            )
        assert other.status_code == 201, other.text
        page.goto(f"{server.url}/app/needs/{other.json()['order_id']}")
        page.wait_for_selector("form.cancel")
        page.fill("form.cancel input[name=reason]", "孩子回来教会我了")
        page.once("dialog", lambda d: d.accept())
        page.click("form.cancel button[type=submit]")
        page.wait_for_selector("text=已撤销")
        page.wait_for_selector("ol.steps >> text=撤销")
        assert page.locator("form.cancel").count() == 0
        page.goto(f"{server.url}/app/home")
        page.wait_for_selector("main .needs")
        assert "已撤销" in page.inner_text("main .needs")
    finally:
        page.context.close()
    watched.check()


def test_a_resident_rates_a_finished_need_with_stars(server: Server, browser: Any) -> None:
    org = bearer(server, service_token(server, "org_dept", county_of(server)))
    claimed = None
    for c in org.get("/api/v1/communities").json():
        rows = org.get(
            f"/api/v1/communities/{c['community_id']}/needs",
            params={"status": "completion_claimed"},
        ).json()["items"]
        claimed = next((r for r in rows if r["resident_id"]), None)
        if claimed:
            break
    assert claimed, "the demo has a need whose member claimed it done, posted by a resident"
    resident = service_token(server, "resident", claimed["community_id"], claimed["resident_id"])
    page, watched = new_page(browser)
    try:
        page.goto(f"{server.url}/app/")
        keep_session(page, resident, None, "resident", claimed["community_id"])
        page.goto(f"{server.url}/app/home")
        page.wait_for_selector("main .needs")
        first = page.locator("main .needs > li").first
        assert "请评价" in first.inner_text() and "前评价" in first.inner_text()
        assert_accessible(page)
        shot(page, "resident-home")

        page.goto(f"{server.url}/app/needs/{claimed['order_id']}")
        page.wait_for_selector("form.rating")
        assert "评价截止" in page.inner_text("main")
        page.click(".star-row label:nth-child(4)")
        assert page.locator(".star-row label.on").count() == 4
        page.keyboard.press("ArrowLeft")  # the keyboard moves the choice: 3 stars lit
        assert page.locator(".star-row label.on").count() == 3
        page.keyboard.press("ArrowRight")
        assert page.locator(".star-row label.on").count() == 4
        page.check("input[name=solved][value=partly]")
        page.fill("form.rating textarea[name=comment]", "灯修好了，还有一盏不太亮")
        assert_accessible(page)
        shot(page, "resident-rate")
        page.click("form.rating button[type=submit]")
        page.wait_for_selector("ol.steps >> text=评价")
        assert page.locator("form.rating").count() == 0
        assert "4 星" in page.inner_text("main")
    finally:
        page.context.close()
    watched.check()


def test_a_refused_location_says_what_to_do_instead(server: Server, browser: Any) -> None:
    county = county_of(server)
    org = bearer(server, service_token(server, "org_dept", county))
    community = org.get("/api/v1/communities").json()[0]["community_id"]
    page, watched = new_page(browser)  # no permission for the location: refused
    try:
        page.goto(f"{server.url}/app/")
        resident = service_token(
            server, "resident", community, "00000000-0000-4000-8000-000000000001"
        )
        keep_session(page, resident, None, "resident", community)
        page.goto(f"{server.url}/app/resident/post")
        page.wait_for_selector("#grid_code")
        page.click("[data-action=place-locate]")
        page.wait_for_selector(".place-status.error")
        words = page.inner_text(".place-status")
        assert "允许" in words and "网格" in words and "地址" in words
        assert page.input_value("#lat") == ""
    finally:
        page.context.close()
    watched.check()
