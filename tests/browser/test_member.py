"""The member's (党员) pages in the browser: home, a need (apply; accept, check in with and
without the phone's location, photos before and after, claim), the record against the
standard, points (redeem, the code shown large, cancel), the 三亮 profile; and what a
member whose registration is pending or rejected sees."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.builders.browser import (
    Server,
    assert_accessible,
    county_of,
    new_page,
    north_of,
    png,
    service_token,
    session_of,
    shot,
    sign_in,
)

# The need's place (a point in the demo county); the member checks in north of it.
PLACE = (35.4901, 112.8512)


def token(server: Server, role: str, scope: str = "") -> dict[str, str]:
    return {"Authorization": f"Bearer {service_token(server, role, scope)}"}


def member_phone(server: Server) -> str:
    """Another phone for the demo member (server.phones["member"]), given by an operator:
    codes are throttled per phone (one a minute), and test_sign_in asks one for the demo
    member's phone, so this module leaves that phone alone."""
    phone = "13912340566"
    with server.http() as http:
        found = http.get(
            f"/api/v1/counties/{county_of(server)}/evaluation",
            headers=token(server, "org_dept", county_of(server)),
        )
        assert found.status_code == 200, found.text
        for community in found.json()["communities"]:
            staff = token(server, "community_admin", community["community_id"])
            rows = http.get(
                f"/api/v1/communities/{community['community_id']}/registrations",
                params={"status": "approved", "size": 200},
                headers=staff,
            ).json()["items"]
            for row in rows:
                if row["phone"] == server.phones["member"]:
                    r = http.post(
                        "/api/v1/grants",
                        json={"role": "member", "scope_id": row["member_id"], "phone": phone},
                        headers=token(server, "operator"),
                    )
                    assert r.status_code == 201, r.text
                    return phone
    raise AssertionError("the demo member is in no community's registrations")


def post_need(http: httpx.Client, staff: dict[str, str], content: str, **extra: Any) -> str:
    body = {
        "content": content,
        "category": "medical",
        "urgency": "urgent",
        "people_affected": 1,
        "lat": str(PLACE[0]),
        "lon": str(PLACE[1]),
        "source": "visit",
        "requester_name": "张大爷",
        **extra,
    }
    r = http.post("/api/v1/needs", json=body, headers=staff)
    assert r.status_code == 201, r.text
    order_id: str = r.json()["order_id"]
    return order_id


def test_a_member_applies_serves_a_need_and_redeems_points(server: Server, browser: Any) -> None:
    page, watched = new_page(browser)
    context = page.context
    page.on("dialog", lambda d: d.accept())
    try:
        sign_in(page, server, member_phone(server), "/app/home")
        # sign_in's "**/app/home" also matches /app/sign-in?next=/app/home: wait for home
        page.wait_for_url(re.compile(r"/app/home$"))
        page.wait_for_selector("[data-part] h1")
        s = session_of(page)
        member_id = s["scope_id"]
        with server.http() as http:
            mine = {"Authorization": f"Bearer {s['access_token']}"}
            me = http.get("/api/v1/me", headers=mine).json()
            staff = token(server, "community_admin", me["community_id"])
            policy = http.get(f"/api/v1/counties/{me['county_id']}/policy", headers=mine).json()
            radius = next(v["value"] for v in policy["values"] if v["name"] == "checkin_radius_m")
            open_id = post_need(http, staff, "浏览器测试：帮老人测血糖")
            task_id = post_need(http, staff, "浏览器测试：老人需要量血压")
            r = http.post(
                f"/api/v1/needs/{task_id}/dispatch", json={"member_id": member_id}, headers=staff
            )
            assert r.status_code == 200, r.text
            declined_id = post_need(http, staff, "浏览器测试：帮忙取药")
            r = http.post(
                f"/api/v1/needs/{declined_id}/dispatch",
                json={"member_id": member_id},
                headers=staff,
            )
            assert r.status_code == 200, r.text
            catalogue = http.get(
                f"/api/v1/communities/{me['community_id']}/catalogue", headers=mine
            ).json()
            balance = http.get(f"/api/v1/members/{member_id}/points", headers=mine).json()

        # home: my task (dispatched, awaiting accept) and the open need, each a link
        page.reload()
        page.wait_for_selector(f"a[href='/app/needs/{task_id}']")
        assert page.locator(f"#nearby ~ ul a[href='/app/needs/{open_id}']").count() == 1
        assert "请确认接单" in page.inner_text("main")
        assert_accessible(page)
        shot(page, "member-home")

        # an open need: apply with a note
        page.click(f"a[href='/app/needs/{open_id}']")
        page.wait_for_selector("#apply-note")
        assert_accessible(page)
        shot(page, "member-need")
        page.fill("#apply-note", "我是护士，今晚可以去")
        page.click("form[data-command$='/applications'] button[type=submit]")
        page.wait_for_selector("[data-doing]:has-text('您已申请接单')")

        # the dispatched need: accept
        page.goto(f"{server.url}/app/needs/{task_id}")
        page.click("form[data-command$='/accept'] button[type=submit]")
        page.wait_for_selector("[data-action=check-in]")

        # a dispatch I cannot take: decline with the reason
        page.goto(f"{server.url}/app/needs/{declined_id}")
        page.click("details.decline summary")
        page.fill("#decline-reason", "这周出差，不在本地")
        page.click("form[data-command$='/decline'] button[type=submit]")
        page.wait_for_selector("[data-doing]:has-text('正在等党员接单')")
        page.goto(f"{server.url}/app/needs/{task_id}")
        page.wait_for_selector("[data-action=check-in]")

        # check-in with the location refused: the explanation and what to do
        context.clear_permissions()
        page.click("[data-action=check-in]")
        page.wait_for_selector(".checkin .form-status.error")
        assert "没有签到" in page.inner_text(".checkin .form-status")
        assert page.is_visible(".checkin-help")
        assert "联系社区" in page.inner_text(".checkin-help")
        shot(page, "member-checkin-refused")

        # check-in outside the radius the county set: the distance and the flag explained
        context.grant_permissions(["geolocation"], origin=server.url)
        lat, lon = north_of(PLACE, radius + 200)
        context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 10})
        page.click("[data-action=check-in]")
        page.wait_for_selector("[data-checkin-flag]")
        distance = int(page.inner_text("[data-checkin-distance]"))
        assert abs(distance - (radius + 200)) < 20
        assert "签到位置异常" in page.inner_text("[data-checkin-flag]")
        assert_accessible(page)
        shot(page, "member-checkin")

        # photos before and after, with the upload's progress shown
        page.evaluate(
            """() => { window.sawProgress = false;
            new MutationObserver(() => {
              for (const p of document.querySelectorAll('.photo-upload progress'))
                if (!p.hidden) window.sawProgress = true;
            }).observe(document.body, {subtree: true, attributes: true, childList: true}); }"""
        )
        for kind, colour in (("before", (200, 30, 30)), ("after", (30, 160, 60))):
            page.set_input_files(
                f"#photo-{kind}",
                files=[
                    {"name": f"{kind}.png", "mimeType": "image/png", "buffer": png(colour, 24, 24)}
                ],
            )
            page.wait_for_selector(
                f".photo-upload[data-kind={kind}] ~ .photos img, "
                f"h3:has-text('已上传') + .photos img[data-photo]"
            )
        page.wait_for_function(
            "() => document.querySelectorAll('img[data-photo][src]').length >= 2"
        )
        assert page.evaluate("() => window.sawProgress")

        # claim hours: right after the check-in the API allows no time yet, and says so
        page.fill("#claim-hours", "0.25")
        page.click("form[data-command$='/claim'] button[type=submit]")
        page.wait_for_selector("form[data-command$='/claim'] .form-status.error")
        assert "签到至今" in page.inner_text("form[data-command$='/claim'] .form-status")
        shot(page, "member-claim")

        # the record for the year against the standard
        page.goto(f"{server.url}/app/member/record")
        page.wait_for_selector("#bar-services")
        assert "本年度标准" in page.inner_text("main")
        assert_accessible(page)
        shot(page, "member-record")

        # points: redeem the cheapest item, the code shown large, then cancel it
        page.goto(f"{server.url}/app/member/points")
        page.wait_for_selector("[data-balance]")
        assert page.inner_text("[data-balance]") == str(balance["account"]["balance"])
        assert_accessible(page)
        shot(page, "member-points")
        item = min((i for i in catalogue if i["available"]), key=lambda i: i["price"])
        page.click(f"button[aria-label='兑换 {item['name']}']")
        page.wait_for_url("**/app/member/redemptions/*")
        page.wait_for_selector("[data-code]")
        assert re.fullmatch(r"\d{8}", page.inner_text("[data-code]").strip())
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('[data-code]')).fontSize)"
        )
        assert size >= 48
        assert "有效期至" in page.inner_text("main")
        assert_accessible(page)
        shot(page, "member-code")
        page.click("details.decline summary")
        page.click("form[data-command$='/cancel'] button[type=submit]")
        page.wait_for_selector("main .notice:has-text('已取消')")

        # the 三亮 profile: change the post
        page.goto(f"{server.url}/app/member/profile")
        page.wait_for_selector("#p-post")
        assert_accessible(page)
        shot(page, "member-profile")
        page.fill("#p-post", "护士长（测试）")
        page.click("form:has(#p-post) button[type=submit]")
        page.wait_for_selector(
            "form:has(#p-post) .form-status.ok, form:has(#p-post) .form-status.error"
        )
        assert "已保存" in page.inner_text("form:has(#p-post) .form-status")
        page.reload()
        page.wait_for_selector("#p-post")
        assert page.input_value("#p-post") == "护士长（测试）"
    finally:
        context.close()
    watched.check()


def _checked_in_long_ago(server: Server, http: httpx.Client) -> tuple[str, str, str] | None:
    """An order of the demo checked in more than an hour ago and not yet claimed, and its
    member: hours are claimed up to the time since check-in, so a need checked in by
    this test could claim none yet."""
    county = re.search(r"county_id: (\S+)", server.demo)
    org = re.search(r"service token \(ss1\): (\S+)", server.demo)
    assert county and org
    found = http.get(
        f"/api/v1/counties/{county.group(1)}/evaluation",
        headers={"Authorization": f"Bearer {org.group(1)}"},
    )
    assert found.status_code == 200, found.text
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    for community in found.json()["communities"]:
        staff = token(server, "community_admin", community["community_id"])
        rows = http.get(
            f"/api/v1/communities/{community['community_id']}/needs",
            params={"status": "in_progress", "size": 100},
            headers=staff,
        ).json()["items"]
        for row in rows:
            at = row["checked_in_at"]
            if at and datetime.fromisoformat(at) < an_hour_ago and row["member_id"]:
                member = http.get(f"/api/v1/members/{row['member_id']}", headers=staff).json()
                return row["order_id"], row["member_id"], member["phone"]
    return None


def test_a_member_adds_photos_and_claims_hours(server: Server, browser: Any) -> None:
    """A demo member with an order they checked in at earlier (given a phone sign-in
    here, as an operator would) adds the photos and claims the hours."""
    with server.http() as http:
        found = _checked_in_long_ago(server, http)
        if found is None:
            pytest.skip("the demo has no order checked in an hour ago and still in progress")
        order_id, member_id, phone = found
        r = http.post(
            "/api/v1/grants",
            json={"role": "member", "scope_id": member_id, "phone": phone},
            headers=token(server, "operator"),
        )
        assert r.status_code == 201, r.text
    page, watched = new_page(browser)
    try:
        sign_in(page, server, phone, f"/app/needs/{order_id}")
        page.wait_for_url(re.compile(f"/app/needs/{order_id}$"))
        page.wait_for_selector("#claim-hours")
        for kind, colour in (("before", (90, 90, 200)), ("after", (200, 200, 40))):
            page.set_input_files(
                f"#photo-{kind}",
                files=[
                    {"name": f"{kind}.png", "mimeType": "image/png", "buffer": png(colour, 24, 24)}
                ],
            )
            page.wait_for_selector(f"#photo-{kind} ~ .form-status.ok, h3:has-text('已上传')")
        page.wait_for_function("() => document.querySelectorAll('h3 .tag.ok').length >= 2")
        page.wait_for_load_state("networkidle")  # the part's last reload, before typing
        page.fill("#claim-hours", "0.25")
        page.fill("#claim-note", "已上门测量血压并记录")
        page.click("form[data-command$='/claim'] button[type=submit]")
        page.wait_for_selector(
            "[data-doing]:has-text('您已申请结单'), form[data-command$='/claim'] .form-status.error"
        )
        claimed = page.locator("[data-doing]:has-text('您已申请结单')")
        assert claimed.count(), page.inner_text("main")
        assert "0.25 小时" in page.inner_text("dl.facts")
        assert_accessible(page)
        shot(page, "member-claimed")
    finally:
        page.context.close()
    watched.check()


def test_a_member_waiting_for_approval_sees_the_registration(server: Server) -> None:
    """Over HTTP: a newly registered member's parts show the registration, pending and
    then rejected with the community's reason and what to do."""
    phone = "13912340877"
    county = re.search(r"county_id: (\S+)", server.demo)
    org = re.search(r"service token \(ss1\): (\S+)", server.demo)
    assert county and org
    with server.http() as http:
        found = http.get(
            f"/api/v1/counties/{county.group(1)}/evaluation",
            headers={"Authorization": f"Bearer {org.group(1)}"},
        )
        assert found.status_code == 200, found.text
        community_id = found.json()["communities"][0]["community_id"]
        form = http.get(f"/api/v1/registration-form/{community_id}").json()
        assert http.post("/api/v1/auth/phone-codes", json={"phone": phone}).status_code == 200
        r = http.post(
            "/api/v1/auth/phone-sign-in", json={"phone": phone, "code": server.phone_code(phone)}
        )
        assert r.status_code == 200, r.text
        proven = {"Authorization": f"Bearer {r.json()['access_token']}"}
        body = {
            "unit_id": form["units"][0]["unit_id"],
            "community_id": community_id,
            "basis": "residence",
            "name": "测试党员",
            "post": "科员",
        }
        r = http.post("/api/v1/registrations", json=body, headers=proven)
        assert r.status_code == 201, r.text
        pending = {"Authorization": f"Bearer {r.json()['token']}"}
        new_id = r.json()["member_id"]
        home = http.get("/app/parts/home", headers=pending)
        assert home.status_code == 200, home.text
        assert "正在审核" in home.text
        assert "正在审核" in http.get("/app/parts/member/points", headers=pending).text
        staff = token(server, "community_admin", community_id)
        r = http.post(
            f"/api/v1/members/{new_id}/review",
            json={"decision": "reject", "reason": "单位信息不符，请核对所在单位"},
            headers=staff,
        )
        assert r.status_code == 200, r.text
        home = http.get("/app/parts/home", headers=pending)
        assert "未通过审核" in home.text and "单位信息不符" in home.text
        assert "重新扫描" in home.text


def test_the_record_shows_a_yellow_and_a_red_light_with_what_to_do() -> None:
    """The warnings of the standard check as the record part words them (rendered from
    the shape GET /members/{id}/evaluation answers; the browser flow has none)."""
    from api.pages import render

    def check(quarter: int, outcome: str, filed: str | None = None) -> dict[str, Any]:
        return {
            "quarter": quarter,
            "outcome": outcome,
            "outcome_label": {"yellow": "黄灯", "red": "红灯"}[outcome],
            "warning_id": f"00000000-0000-4000-8000-00000000000{quarter}",
            "services": 0,
            "hours": "0.00",
            "required_services": quarter,
            "required_hours": f"{3 * quarter}.00",
            "checked_at": "2026-10-02T09:00:00+08:00",
            "report_required": outcome == "red",
            "report_filed_at": filed,
            "position": quarter,
        }

    figures = {"services": 0, "hours": "0.00", "orders_solved": 0, "ratings": 0}
    ev = {
        "year": 2026,
        "year_figures": {**figures, "average_stars": None, "activities": 0},
        "standard": {
            "required_services": 4,
            "required_hours": "12.00",
            "met": False,
            "final": False,
            "quarters_finished": 2,
            "due_services": 2,
            "due_hours": "6.00",
            "on_track": False,
        },
        "checks": [check(1, "yellow"), check(2, "red")],
        "overall_score": None,
        "grade_label": "",
    }
    me = {"member_id": "m-1", "name": "测试", "unit_name": "单位"}
    html = render(
        "app/parts/member/record.html",
        me=me,
        ev=ev,
        record={"orders": [], "activities": []},
        annual_services=4,
        annual_hours=12,
    ).body.decode()
    assert "黄灯：第 1 季度未达服务标准" in html and "申请接单" in html
    assert "红灯：第 2 季度未达服务标准" in html
    assert 'data-command="/api/v1/members/m-1/warnings/' in html and "提交书面报告" in html
    assert "进度落后" in html
    ev["checks"] = [check(2, "red", filed="2026-10-03T09:00:00+08:00")]
    html = render(
        "app/parts/member/record.html",
        me=me,
        ev=ev,
        record={"orders": [], "activities": []},
        annual_services=4,
        annual_hours=12,
    ).body.decode()
    assert "已于" in html and "提交书面报告</button>" not in html
