"""Whole journeys on a phone (390 × 844), as the seeds tell them, on a service of their
own: a member scans the community's QR code and reports with a code, the community
approves, a resident posts a need from the phone, the member takes it, checks in 300 m
away (flagged: 组织部 set the check-in radius to 200 m), photographs before and after,
claims the hours when they have passed, the resident rates it, and the member's record
and points show it, then a redemption code for the counter; and a grid worker's
微心愿卡 for a resident without a phone.

Community staff and 组织部 act over the API with service tokens (their consoles are
issue 16); everyone on a phone acts through the pages only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.builders.browser import (
    Server,
    Watched,
    assert_accessible,
    bearer,
    chromium,
    county_of,
    fits,
    new_page,
    north_of,
    png,
    running_service,
    service_token,
    session_of,
    shot,
    sign_in,
)

MEMBER_PHONE = "15800002001"
RESIDENT_PHONE = "15800002002"
PLACE = (35.4921, 112.8533)  # where the resident is when posting the need
RADIUS_M = 200  # the check-in radius 组织部 sets for this journey (a policy value)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    chromium()
    with running_service(tmp_path_factory.mktemp("journey-data")) as running:
        yield running


def join_page(server: Server) -> tuple[str, str]:
    """The first community's join page, as the demo printed it (the poster's link)."""
    found = re.search(
        r"^\s+(\S+)\s+扫码地址 https?://[^/\s]+/app/join/([0-9a-f-]{36})$", server.demo, re.M
    )
    assert found, server.demo
    return found.group(1), found.group(2)


def prove_phone(page: Any, server: Server, number: str) -> None:
    page.fill("#phone", number)
    page.click("#send-code")
    page.wait_for_selector("#code-form .form-status.ok")
    page.fill("#code", server.phone_code(number))
    page.click("#verify-form button[type=submit]")


def at_path(page: Any, path: str) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def part_shown(page: Any) -> None:
    page.wait_for_function("() => !document.querySelector('[data-part] .loading')")
    page.wait_for_load_state("networkidle")


def look(page: Any, name: str, at: str = "") -> None:
    """What a person sees here: accessible, as wide as the phone and no wider (also on a
    360 px one), and photographed for people to look at (the whole page, and the
    screen as it first shows)."""
    assert_accessible(page)
    fits(page)
    shot(page, name)
    if at:
        page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, f"{name}-screen", full=False)
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": size["height"]})
    fits(page)
    page.set_viewport_size(size)


def test_scan_report_take_serve_rate_and_redeem(journey: Server, browser: Any) -> None:
    server = journey
    community_name, community = join_page(server)
    org = bearer(server, service_token(server, "org_dept", county_of(server)))
    staff = bearer(server, service_token(server, "community_admin", community, "李主任"))
    r = org.put(
        f"/api/v1/counties/{county_of(server)}/policy",
        json={
            "overrides": {"checkin_radius_m": RADIUS_M},
            "reason": "浏览器测试：签到半径收紧到 200 米",
        },
    )
    assert r.status_code == 200, r.text

    member, m_watch = new_page(browser)
    here = {"latitude": PLACE[0], "longitude": PLACE[1]}
    resident, r_watch = new_page(browser, geolocation=here, permissions=["geolocation"])
    watched: list[Watched] = [m_watch, r_watch]
    try:
        # -- a member scans the poster and reports (扫码报到) ---------------------------------
        member.goto(f"{server.url}/app/join/{community}")
        assert member.inner_text("h1") == community_name
        look(member, "journey-01-join")
        member.click("[data-choose=member]")
        member.wait_for_selector("#verify:not([hidden])")
        prove_phone(member, server, MEMBER_PHONE)
        member.wait_for_selector("#member:not([hidden])")
        member.fill("#member-name", "赵志刚")
        unit = member.eval_on_selector("#member-unit optgroup option", "o => o.value")
        member.select_option("#member-unit", unit)
        member.check("input[name=basis][value=residence]")
        member.fill("#member-post", "工程师")
        look(member, "journey-02-report")
        member.click("#member-form button[type=submit]")
        at_path(member, "/app/home")
        member.wait_for_selector("text=正在审核")
        look(member, "journey-03-pending")
        member_id = session_of(member)["scope_id"]

        # -- the community approves (its console is issue 16: over the API) ------------------
        r = staff.post(f"/api/v1/members/{member_id}/review", json={"decision": "approve"})
        assert r.status_code == 200, r.text

        # -- a resident registers by the same poster and posts a need (群众点单) -------------
        resident.goto(f"{server.url}/app/join/{community}")
        resident.click("[data-choose=resident]")
        prove_phone(resident, server, RESIDENT_PHONE)
        resident.wait_for_selector("#resident:not([hidden])")
        resident.fill("#resident-name", "孙桂芳")
        resident.fill("#resident-address", "幸福小区 3 号楼 2 单元 401")
        resident.select_option("#resident-grid", index=1)
        resident.click("#resident-form button[type=submit]")
        at_path(resident, "/app/home")
        resident.click("text=我要点单")
        at_path(resident, "/app/resident/post")
        resident.select_option("#category", "plumbing_electrical")
        resident.fill("#content", "厨房水管漏水，地上一直有水")
        resident.check("input[name=urgency][value=urgent]")
        resident.fill("#people_affected", "2")
        resident.select_option("#grid_code", index=1)
        resident.click("[data-action=place-locate]")
        resident.wait_for_selector(".place-status.ok")
        resident.set_input_files(
            "#photo-input",
            files=[{"name": "水管.png", "mimeType": "image/png", "buffer": png((40, 90, 200))}],
        )
        resident.wait_for_selector(".photo-list input[name=photos]", state="attached")
        look(resident, "journey-04-post")
        resident.click("#need-form button[type=submit]")
        resident.wait_for_url(re.compile(r".*/app/needs/[0-9a-f-]{36}$"))
        order_id = urlsplit(resident.url).path.rsplit("/", 1)[1]
        resident.wait_for_selector("ol.steps li")
        assert "待接单" in resident.inner_text("main")
        look(resident, "journey-05-posted")

        # -- the member, approved, finds it nearby and applies (党员接单) --------------------
        member.reload()
        member.wait_for_selector(f"a[href='/app/needs/{order_id}']")
        look(member, "journey-06-member-home")
        member.click(f"a[href='/app/needs/{order_id}']")
        member.wait_for_selector("#apply-note")
        member.fill("#apply-note", "我懂水电，今天下午可以去")
        member.click("form[data-command$='/applications'] button[type=submit]")
        member.wait_for_selector("[data-doing]:has-text('您已申请接单')")

        # -- the community dispatches it to the member (社区派单) ----------------------------
        r = staff.post(f"/api/v1/needs/{order_id}/dispatch", json={"member_id": member_id})
        assert r.status_code == 200, r.text

        # -- accept, check in 300 m away: flagged against the 200 m radius ------------------
        member.reload()
        member.click("form[data-command$='/accept'] button[type=submit]")
        member.wait_for_selector("[data-action=check-in]")
        member.context.grant_permissions(["geolocation"], origin=server.url)
        lat, lon = north_of(PLACE, 300)
        member.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 10})
        member.click("[data-action=check-in]")
        member.wait_for_selector("[data-checkin-flag]")
        assert abs(int(member.inner_text("[data-checkin-distance]")) - 300) < 15
        assert "签到位置异常" in member.inner_text("[data-checkin-flag]")
        assert str(RADIUS_M) in member.inner_text("[data-checkin-flag]")
        look(member, "journey-07-checkin", at="[data-checkin-distance]")

        # -- photos before and after, from the camera -------------------------------------
        for shown, (kind, colour) in enumerate(
            (("before", (120, 60, 20)), ("after", (30, 160, 60))), 1
        ):
            member.set_input_files(
                f"#photo-{kind}",
                files=[{"name": f"{kind}.png", "mimeType": "image/png", "buffer": png(colour)}],
            )
            member.wait_for_function(
                "n => document.querySelectorAll('img[data-photo][src]').length >= n", arg=shown
            )
        part_shown(member)
        look(member, "journey-08-photos")

        # -- an hour and ten minutes of work later: claim one hour (申请结单) ----------------
        server.advance(timedelta(minutes=70))
        member.reload()
        member.wait_for_selector("#claim-hours")
        part_shown(member)
        member.fill("#claim-hours", "1")
        member.fill("#claim-note", "更换了厨房水管接头，试水不漏")
        member.click("form[data-command$='/claim'] button[type=submit]")
        member.wait_for_selector("[data-doing]:has-text('您已申请结单')")
        look(member, "journey-09-claimed")

        # -- the resident rates it within the window, with large stars (评价跟单) ------------
        resident.reload()
        resident.wait_for_selector("form.rating")
        assert "评价截止" in resident.inner_text("main")
        resident.click(".star-row label:nth-child(5)")
        resident.check("input[name=solved][value=yes]")
        resident.fill("form.rating textarea[name=comment]", "来得快，修得好，谢谢")
        look(resident, "journey-10-rate", at="form.rating")
        resident.click("form.rating button[type=submit]")
        resident.wait_for_selector("ol.steps >> text=评价")
        assert "5 星" in resident.inner_text("main")
        look(resident, "journey-11-rated")

        # -- the member's record and points show the hour; a code for the counter ----------
        member.goto(f"{server.url}/app/member/record")
        member.wait_for_selector("#bar-hours")
        record = member.inner_text("main")
        assert re.search(r"服务时长：\s*1\s*/", record), record
        assert "厨房水管漏水" in record
        look(member, "journey-12-record")
        member.goto(f"{server.url}/app/member/points")
        member.wait_for_selector("[data-balance]")
        balance = int(member.inner_text("[data-balance]"))
        with bearer(server, session_of(member)["access_token"]) as mine:
            statement = mine.get(f"/api/v1/members/{member_id}/points").json()
            catalogue = mine.get(f"/api/v1/communities/{community}/catalogue").json()
        assert balance == statement["account"]["balance"] > 0
        look(member, "journey-13-points")
        item = min((i for i in catalogue if i["available"]), key=lambda i: i["price"])
        assert item["price"] <= balance, (item, balance)
        member.once("dialog", lambda d: d.accept())  # 用 N 积分兑换「…」吗？
        member.click(f"button[aria-label='兑换 {item['name']}']")
        member.wait_for_selector("[data-code], main .form-status.error")
        assert "/app/member/redemptions/" in member.url, member.inner_text("main .form-status")
        member.wait_for_selector("[data-code]")
        assert re.fullmatch(r"\d{8}", member.inner_text("[data-code]").strip())
        look(member, "journey-14-code")
    finally:
        for page in (member, resident):
            page.context.close()
    for w in watched:
        w.check()


def test_a_grid_worker_fills_a_wish_card_for_a_neighbour_without_a_phone(
    journey: Server, browser: Any
) -> None:
    server = journey
    page, watched = new_page(browser)
    try:
        sign_in(page, server, server.phones["grid_worker"], "/app/home")
        page.wait_for_selector("text=网格员工作台")
        look(page, "journey-20-grid-home")
        page.click("text=填写微心愿卡")
        at_path(page, "/app/grid/wish-card")
        page.fill("#new-name", "刘奶奶")
        page.fill("#new-address", "幸福小区 1 号楼 1 单元 101")
        page.select_option("#new-grid", index=1)
        page.click("#resident-form button[type=submit]")
        page.wait_for_selector("#resident-form .form-status.ok")
        assert page.is_checked("input[name=source][value=wish_card]")
        page.select_option("#wish-form #category", index=1)
        page.fill("#wish-form #content", "微心愿：想有人陪着去社区医院量血压")
        page.select_option("#wish-form #grid_code", index=1)
        look(page, "journey-21-wish-card")
        page.click("#wish-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/app/needs/[0-9a-f-]{36}$"))
        page.wait_for_selector("ol.steps li")
        text = page.inner_text("main")
        assert "刘奶奶" in text and "微心愿卡" in text
        look(page, "journey-22-wish-posted")
        page.goto(f"{server.url}/app/grid/needs")
        page.wait_for_selector("main .needs")
        assert "陪着去社区医院量血压" in page.inner_text("main .needs")
    finally:
        page.context.close()
    watched.check()


def test_a_need_sent_again_after_a_lost_answer_is_posted_once(
    journey: Server, browser: Any
) -> None:
    """A slow network: the need reaches the service but its answer never reaches the
    phone. Pressing 发布 again sends the same Idempotency-Key, so there is one need."""
    server = journey
    _, community = join_page(server)
    page, watched = new_page(browser)
    try:
        page.goto(f"{server.url}/app/join/{community}")
        page.click("[data-choose=resident]")
        prove_phone(page, server, "15800002003")
        page.wait_for_selector("#resident:not([hidden])")
        page.fill("#resident-name", "周大爷")
        page.fill("#resident-address", "幸福小区 5 号楼 3 单元 202")
        page.click("#resident-form button[type=submit]")
        at_path(page, "/app/home")
        page.goto(f"{server.url}/app/resident/post")
        page.select_option("#category", "plumbing_electrical")
        page.fill("#content", "门锁坏了，钥匙插不进去")
        keys: list[str] = []

        def lose_the_answer(route: Any) -> None:
            keys.append(route.request.headers.get("idempotency-key", ""))
            route.fetch()  # the service gets it and records the need …
            route.abort("failed")  # … and the phone never hears back

        page.route("**/api/v1/needs", lose_the_answer)
        page.click("#need-form button[type=submit]")
        page.wait_for_selector("#need-form .form-status.error")
        assert "不会重复" in page.inner_text("#need-form .form-status")
        page.unroute("**/api/v1/needs")
        page.on(
            "request",
            lambda r: (
                keys.append(r.headers.get("idempotency-key", ""))
                if r.url.endswith("/api/v1/needs") and r.method == "POST"
                else None
            ),
        )
        page.click("#need-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/app/needs/[0-9a-f-]{36}$"))
        assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
        with bearer(server, session_of(page)["access_token"]) as me:
            mine = me.get("/api/v1/me/orders").json()
        assert [o["content"] for o in mine].count("门锁坏了，钥匙插不进去") == 1
    finally:
        page.context.close()
    watched.check()
