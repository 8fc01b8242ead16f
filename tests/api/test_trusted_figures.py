"""Figures and outputs a community can trust (issue 12), over HTTP as a community worker,
a member and an inspector meet them: one Beijing calendar in every view, one definition
of a service that counts, Beijing times (JSON +08:00, real Excel dates, csv
"YYYY-MM-DD HH:MM"), a complete 民生需求台账 export that agrees with the JSON, hours
shown one way, refusals in Chinese, timelines that name people, and the smaller
findings."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from openpyxl import load_workbook

from domain.actors import Actor, Role
from domain.application import NeedInput
from domain.calendar import BEIJING
from tests.builders.http import JPEG, Api, domain_app, head, ready_member, setup_county, upload

NEAR = ("35.4905", "112.8515")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


class Story:
    """A county over HTTP, the order loop driven through the application with the clock
    set to the minute (the close is the moment the resident rates)."""

    def __init__(self, api: Api, start: datetime) -> None:
        api.clock.set(start)
        api.org = api.token(Role.ORG_DEPT, api.county_id)
        self.api = api
        self.ids = setup_county(api)
        self.community = UUID(self.ids["community"])
        self.staff = api.token(Role.COMMUNITY_ADMIN, self.community, "锦绣社区-李")
        self.member = ready_member(api, self.ids, "13800000011", "张电工")
        self.app = domain_app(api)
        self.resident_id = self.app.register_resident(
            Actor(Role.PUBLIC, "anonymous"),
            community_id=self.community,
            name="王奶奶",
            phone="13900000001",
            grid_code="G01",
        ).id
        self.resident = Actor(Role.RESIDENT, str(self.resident_id), self.community)
        self.photos = 0

    @property
    def me(self) -> Actor:
        return Actor(Role.MEMBER, self.member["id"], UUID(self.member["id"]))

    def photo(self) -> str:
        self.photos += 1
        return f"{self.photos:064x}"

    def serve(self, posted: datetime, closed: datetime, hours: str, stars: int = 5) -> str:
        """A need posted at `posted`, done, claimed half an hour before `closed` and rated
        (so closed) at `closed`."""
        clock, app, staff = (
            self.api.clock,
            self.app,
            Actor(Role.COMMUNITY_ADMIN, "锦绣社区-李", self.community),
        )
        clock.set(posted)
        order = app.post_need(
            self.resident,
            NeedInput(
                content="楼道灯坏了",
                category="plumbing_electrical",
                grid_code="G01",
                lat="35.4901",
                lon="112.8512",
            ),
        ).id
        app.dispatch(staff, order, UUID(self.member["id"]))
        app.accept(self.me, order)
        app.check_in(self.me, order, *NEAR)
        app.attach_photo(self.me, order, self.photo(), "before")
        app.attach_photo(self.me, order, self.photo(), "after")
        clock.set(closed - timedelta(minutes=30))
        app.claim_completion(self.me, order, hours)
        clock.set(closed)
        app.rate(self.resident, order, stars=stars, solved="yes")
        self.caught_up()
        return str(order)

    def caught_up(self) -> None:
        read = self.api.client.app.state.services.read  # type: ignore[attr-defined]
        read.follower.nudge()
        assert read.wait_for(head(self.api), 5.0)

    def get(self, path: str, **params: Any) -> Any:
        r = self.api.get(path, self.staff, **params)
        assert r.status_code == 200, r.text
        return r


# -- 1, 2: one calendar, one definition of a service --------------------------------------------


def figures_of(s: Story, year: int) -> dict[str, tuple[int, str]]:
    """(services, hours) of the member for a year, in every view that reports it."""
    mid, cid, uid = s.member["id"], s.ids["community"], s.ids["unit"]
    record = s.get(f"/members/{mid}/service-record", year=year).json()["totals"]
    view = s.get(f"/members/{mid}/evaluation", year=year).json()["year_figures"]
    [row] = s.get(f"/communities/{cid}/resources", year=year).json()
    [in_unit] = s.api.get(f"/units/{uid}/evaluation", s.api.org, year=year).json()["members"]
    community = s.get(f"/communities/{cid}/evaluation", year=year).json()["members"]
    [public] = s.api.get(f"/public/communities/{cid}/results", year=year).json()["members"]
    return {
        "service record": (record["services"], record["hours"]),
        "evaluation": (view["services"], view["hours"]),
        "resource ledger": (row["services_this_year"], row["hours_this_year"]),
        "unit": (in_unit["services"], in_unit["hours"]),
        "community": (community[0]["services"], community[0]["hours"]),
        "公示": (public["services"], public["hours"]),
    }


def test_every_view_files_a_service_by_the_beijing_day_it_closed(api: Api) -> None:
    """Finding 1: closed at 07:30 and 10:00 on 1 January in Beijing (one posted on 31
    December at 20:00, one at 06:00 on 1 January): both count in the new year in
    every view, none in the old."""
    s = Story(api, bj(2026, 12, 30, 9, 0))
    s.serve(bj(2026, 12, 31, 20, 0), bj(2027, 1, 1, 7, 30), "1.5")
    s.serve(bj(2027, 1, 1, 6, 0), bj(2027, 1, 1, 10, 0), "1.5")
    assert set(figures_of(s, 2026).values()) == {(0, "0.00")}
    assert set(figures_of(s, 2027).values()) == {(2, "3.00")}
    view = s.get(f"/members/{s.member['id']}/evaluation", year=2027).json()
    assert [q["hours"] for q in view["quarters"]] == ["3.00", "0.00", "0.00", "0.00"]
    record = s.get(f"/members/{s.member['id']}/service-record", year=2027).json()
    assert [o["closed_at"][:16] for o in record["orders"]] == [
        "2027-01-01T10:00",
        "2027-01-01T07:30",
    ]


def test_a_quarter_ends_at_midnight_in_beijing(api: Api) -> None:
    """23:59 on 31 March counts in the first quarter, 00:00 on 1 April in the second,
    in the evaluation and the points statement alike."""
    s = Story(api, bj(2026, 3, 30, 9, 0))
    s.serve(bj(2026, 3, 31, 20, 0), bj(2026, 3, 31, 23, 59), "1")
    s.serve(bj(2026, 3, 31, 21, 0), bj(2026, 4, 1, 0, 0), "2")
    view = s.get(f"/members/{s.member['id']}/evaluation", year=2026).json()
    assert [q["hours"] for q in view["quarters"][:2]] == ["1.00", "2.00"]
    # The statement for a year runs on Beijing days too (here, both in 2026).
    entries = s.get(f"/members/{s.member['id']}/points", year=2026).json()["entries"]
    assert [e["hours"] for e in entries] == ["1.00", "2.00"]


def test_a_false_order_counts_nowhere_and_is_shown_as_such(api: Api) -> None:
    """Finding 2: after a finding of falsehood the record counts 0 services, 0 hours,
    0 ratings, as the evaluation does, and lists the order marked as not counted."""
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    r = api.post(f"/orders/{order}/found-false", {"reason": "回访居民否认"}, s.staff)
    assert r.status_code == 200, r.text
    record = s.get(f"/members/{s.member['id']}/service-record", year=2026).json()
    totals = record["totals"]
    assert (totals["orders_closed"], totals["services"], totals["ratings"]) == (0, 0, 0)
    assert (totals["hours"], totals["satisfied"]) == ("0.00", 0)
    [listed] = record["orders"]
    assert listed["order_id"] == order and listed["found_false"] is True
    assert listed["counted"] is False
    assert set(figures_of(s, 2026).values()) == {(0, "0.00")}
    figures = s.get(f"/communities/{s.ids['community']}/figures").json()
    assert (figures["closed"], figures["found_false"]) == (0, 1)


# -- 3, 4: Beijing times; the complete 台账, agreeing with the JSON ----------------------------


def test_times_are_beijing_time_in_json_csv_and_xlsx(api: Api) -> None:
    """Finding 3: a need posted on Monday at 09:00 in Beijing reads 09:00 everywhere."""
    s = Story(api, bj(2026, 3, 2, 9, 0))
    s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    path = f"/communities/{s.ids['community']}/needs"
    [row] = s.get(path).json()["items"]
    assert row["posted_at"] == "2026-03-02T09:00:00+08:00"
    assert row["closed_at"] == "2026-03-02T12:00:00+08:00"
    body = s.get(path, format="csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[1][table[0].index("登记时间")] == "2026-03-02 09:00"
    sheet = load_workbook(io.BytesIO(s.get(path, format="xlsx").content)).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    posted = sheet.cell(row=2, column=headers.index("登记时间") + 1)
    assert posted.value == datetime(2026, 3, 2, 9, 0) and posted.number_format == "yyyy-mm-dd hh:mm"
    hours = sheet.cell(row=2, column=headers.index("计入时长（小时）") + 1)
    assert hours.value == 2 and hours.number_format == "0.00"
    # No UTC text anywhere a person reads: the order, the statement, the record.
    for answer in (
        s.get(f"/needs/{row['order_id']}").text,
        s.get(f"/members/{s.member['id']}/points").text,
        s.get(f"/members/{s.member['id']}/service-record").text,
    ):
        assert "+00:00" not in answer


def test_the_needs_ledger_export_carries_what_inspectors_look_for(api: Api) -> None:
    """Finding 4: 签到距离/异常, 重复照片, 满意度 and the responsible member, and every
    exported row agrees with the JSON ledger."""
    s = Story(api, bj(2026, 3, 2, 9, 0))
    s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2", stars=4)
    low = s.serve(bj(2026, 3, 3, 9, 0), bj(2026, 3, 3, 12, 0), "1", stars=2)
    open_order = s.app.post_need(
        s.resident, NeedInput(content="换灯泡", category="plumbing_electrical")
    ).id
    s.caught_up()
    path = f"/communities/{s.ids['community']}/needs"
    items = {r["order_id"]: r for r in s.get(path).json()["items"]}
    assert items[low]["satisfaction_label"] == "不满意"
    assert items[str(open_order)]["satisfaction_label"] == ""
    body = s.get(path, format="csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    headers = table[0]
    for header in ("签到距离（米）", "签到位置异常", "重复使用的照片数", "满意度", "责任党员"):
        assert header in headers
    sheet = load_workbook(io.BytesIO(s.get(path, format="xlsx").content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == headers
    ordered = s.get(path).json()["items"]
    assert len(table) - 1 == len(ordered) == sheet.max_row - 1 == 3
    from projections.needs import LEDGER_COLUMNS

    for row_json, row_csv, row_xlsx in zip(
        ordered, table[1:], sheet.iter_rows(min_row=2, values_only=True), strict=True
    ):
        for (key, _), text, cell in zip(LEDGER_COLUMNS, row_csv, row_xlsx, strict=True):
            assert text == as_csv(row_json.get(key)), key
            assert cell == as_xlsx(row_json.get(key)), key
    satisfied = [r for r in table[1:] if r[headers.index("满意度")] == "满意"]
    assert len(satisfied) == 1 and satisfied[0][headers.index("责任党员")] == "张电工"
    assert satisfied[0][headers.index("签到距离（米）")] == str(
        items[ordered[-1]["order_id"]]["checkin_distance_m"]
    )


def as_csv(value: Any) -> str:
    """A JSON ledger value as the csv writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", value):
        return value[:10] + " " + value[11:16]
    return str(value)


def as_xlsx(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", value):
        return datetime.fromisoformat(value).replace(tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d\d", value):
        return float(Decimal(value)) if Decimal(value) % 1 else int(Decimal(value))
    return value


# -- 5: hours one way, points independent of the split --------------------------------------


def test_hours_have_a_step_and_one_format(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.app.post_need(
        s.resident, NeedInput(content="修水管", category="plumbing_electrical")
    ).id
    staff = Actor(Role.COMMUNITY_ADMIN, "锦绣社区-李", s.community)
    s.app.dispatch(staff, order, UUID(s.member["id"]))
    s.app.accept(s.me, order)
    s.app.check_in(s.me, order, *NEAR)
    s.app.attach_photo(s.me, order, s.photo(), "before")
    s.app.attach_photo(s.me, order, s.photo(), "after")
    api.clock.advance(timedelta(hours=5))
    auth = {"Authorization": s.member["Authorization"]}
    api.keep_signed_in(auth)
    before = head(api)
    r = api.post(f"/needs/{order}/claim", {"hours": "1.3333"}, auth)
    assert (r.status_code, r.json()["code"]) == (422, "hours_off_step")
    assert "0.25 小时为单位" in r.json()["message"] and head(api) == before
    assert api.post(f"/needs/{order}/claim", {"hours": "0.25"}, auth).status_code == 200
    s.app.rate(s.resident, order, stars=4, solved="yes")
    s.serve(bj(2026, 3, 3, 9, 0), bj(2026, 3, 3, 12, 0), "0.25", stars=4)
    s.serve(bj(2026, 3, 4, 9, 0), bj(2026, 3, 4, 12, 0), "2", stars=4)
    account = s.get(f"/members/{s.member['id']}/points").json()
    # pro_rata on the accumulated 2.50 hours: 125 points, whatever the split (12 + 13 + 100)
    assert account["account"]["balance"] == 125
    assert [e["hours"] for e in account["entries"]] == ["0.25", "0.25", "2.00"]
    assert "0.25 小时，每小时 50 分" in account["entries"][0]["description"]
    record = s.get(f"/members/{s.member['id']}/service-record", year=2026).json()
    assert record["totals"]["hours"] == "2.50"
    assert {o["hours_credited"] for o in record["orders"]} == {"0.25", "2.00"}


# -- 7, 8: refusals in Chinese; timelines name people ------------------------------------------


def test_refusals_name_fields_and_values_in_chinese(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.app.post_need(
        s.resident, NeedInput(content="修水管", category="plumbing_electrical")
    ).id
    r = api.post(
        f"/needs/{order}/follow-ups", {"method": "visit", "outcome": "已电话联系"}, s.staff
    )
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "invalid_request")
    assert body["message"] == "请求内容不正确：跟进方式应为“电话核实”或“联席会议”。请修改后重试"
    assert "phone" in body["message_en"] and "joint_meeting" in body["message_en"]
    assert body["errors"][0]["allowed"] == ["phone", "joint_meeting"]
    r = api.client.post(
        f"/api/v1/needs/{order}/follow-ups",
        content=b"method=phone",
        headers={**s.staff, "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_json")
    r = api.client.post(f"/api/v1/needs/{order}/follow-ups", content=b"[1]", headers=s.staff)
    assert r.json()["message"].startswith("请求内容不正确：请求内容应为 JSON 对象")
    for refusal in (body, r.json()):
        assert not re.search(
            r"[A-Za-z]{3,}",
            refusal["message"]
            .replace("JSON", "")
            .replace("Content-Type", "")
            .replace("application/json", ""),
        )


def test_a_timeline_names_who_acted_and_whom_it_was_given_to(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    steps = s.get(f"/needs/{order}").json()["steps"]
    text = " ".join(f"{x['who']} {x['detail']}" for x in steps)
    assert not UUID_TEXT.search(text)
    by_step = {x["step"]: x for x in steps}
    assert by_step["点单"]["who"] == "群众 王奶奶"
    assert by_step["派单"]["who"] == "社区 锦绣社区-李"
    assert by_step["派单"]["detail"] == "派给党员 张电工"
    assert by_step["接单"]["who"] == "党员 张电工"
    assert by_step["评价"]["detail"].startswith("5 星，已解决")
    # The member reads the resident masked, as in their own list.
    mine = api.get(f"/needs/{order}", {"Authorization": s.member["Authorization"]}).json()
    assert {x["step"]: x["who"] for x in mine["steps"]}["点单"] == "群众 王**"
    assert mine["requester_name"] == "王**"
    statement = s.get(f"/members/{s.member['id']}/points").json()["entries"]
    assert statement[0]["description"].startswith("服务订单：满意办结（2.00 小时")
    assert "satisfied" not in statement[0]["description"]


# -- 9: the smaller findings --------------------------------------------------------------------


def test_the_smaller_findings(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    rauth = api.token(Role.RESIDENT, s.community, str(s.resident_id))
    before = head(api)
    r = api.post(
        "/needs",
        {"content": "帮忙买药", "category": "elderly_disabled", "source": "wish_card"},
        rauth,
    )
    assert (r.status_code, r.json()["code"]) == (422, "source_not_for_residents")
    assert "微心愿卡" in r.json()["message"] and head(api) == before
    # one photo is not both the before and the after photo
    order = s.app.post_need(
        s.resident, NeedInput(content="修水管", category="plumbing_electrical")
    ).id
    staff = Actor(Role.COMMUNITY_ADMIN, "锦绣社区-李", s.community)
    s.app.dispatch(staff, order, UUID(s.member["id"]))
    s.app.accept(s.me, order)
    auth = {"Authorization": s.member["Authorization"]}
    photo = upload(api, auth, JPEG + b"twice").json()["sha256"]
    assert (
        api.post(f"/needs/{order}/photos", {"sha256": photo, "kind": "before"}, auth).status_code
        == 200
    )
    r = api.post(f"/needs/{order}/photos", {"sha256": photo, "kind": "after"}, auth)
    assert (r.status_code, r.json()["code"]) == (409, "photo_already_used")
    # ?page_size= is refused, naming the parameters the ledger takes
    r = api.get(f"/communities/{s.ids['community']}/needs", s.staff, page_size=10)
    assert (r.status_code, r.json()["code"]) == (422, "unknown_query_parameter")
    assert "size（每页条数）" in r.json()["message"]


def test_held_points_leave_held_when_the_partner_confirms(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    partner = api.post(
        f"/communities/{s.ids['community']}/partners", {"name": "爱心超市", "kind": "shop"}, s.staff
    ).json()["partner_id"]
    item = api.post(
        f"/communities/{s.ids['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 50},
        s.staff,
    ).json()["item_id"]
    auth = {"Authorization": s.member["Authorization"]}
    code = api.post(f"/members/{s.member['id']}/redemptions", {"item_id": item}, auth).json()[
        "code"
    ]
    account = s.get(f"/members/{s.member['id']}/points").json()
    assert (account["account"]["held"], account["account"]["redeemed"]) == (50, 0)
    assert account["entries"][-1]["description"] == "积分兑换：洗衣液 × 1（爱心超市）"
    cashier = api.token(Role.PARTNER, UUID(partner), "爱心超市-收银员")
    assert (
        api.post(f"/partners/{partner}/confirmations", {"code": code}, cashier).status_code == 200
    )
    account = s.get(f"/members/{s.member['id']}/points").json()["account"]
    assert (account["held"], account["redeemed"], account["balance"]) == (0, 50, 60)
    [settled] = api.get(f"/partners/{partner}/redemptions", cashier).json()["redemptions"]
    assert settled["confirmed_by"] == "合作商家 爱心超市-收银员"


def test_an_activity_list_names_only_who_signed_in_and_is_confirmed_once(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    r = api.post(
        f"/communities/{s.ids['community']}/activities",
        {
            "kind": "red_service_day",
            "title": "红色服务日",
            "place": "社区广场",
            "starts_at": "2026-03-03T09:00:00+08:00",
            "ends_at": "2026-03-03T11:20:00+08:00",
        },
        s.staff,
    )
    assert r.status_code == 201, r.text
    activity = r.json()["activity_id"]
    api.clock.set(bj(2026, 3, 3, 9, 0))
    auth = {"Authorization": s.member["Authorization"]}
    assert (
        api.post(
            f"/activities/{activity}/sign-in", {"lat": NEAR[0], "lon": NEAR[1]}, auth
        ).status_code
        == 200
    )
    api.clock.set(bj(2026, 3, 3, 12, 0))
    before = head(api)
    stranger = "00000000-0000-4000-8000-000000000001"
    r = api.post(f"/activities/{activity}/confirm", {"excluded": [stranger]}, s.staff)
    assert (r.status_code, r.json()["code"]) == (422, "not_signed_in_here") and head(api) == before
    assert api.post(f"/activities/{activity}/confirm", {"excluded": []}, s.staff).status_code == 200
    r = api.post(f"/activities/{activity}/confirm", {"excluded": []}, s.staff)
    assert (r.status_code, r.json()["code"]) == (409, "activity_is_confirmed")
    assert r.json()["message"] == "活动名单已确认、时长已计入，不能再确认名单"
    # 2 h 20 min on site: 2.25 hours in quarter-hour steps (2.33 rounded to the step)
    record = s.get(f"/members/{s.member['id']}/service-record", year=2026).json()
    assert record["totals"]["hours_from_activities"] == "2.25"


def test_a_utc_clock_is_never_what_a_year_defaults_to(api: Api) -> None:
    """At 08:30 on 1 January in Beijing (still 31 December in UTC) "this year" is the new
    one: the record and the resource ledger default to it."""
    s = Story(api, datetime(2026, 12, 31, 10, 0, tzinfo=UTC))
    api.clock.set(bj(2027, 1, 1, 8, 30))
    assert s.get(f"/members/{s.member['id']}/service-record").json()["year"] == 2027


def test_no_answer_shows_a_utc_time(api: Api) -> None:
    """Every GET the OpenAPI document lists, with this county's ids filled in, read by
    the community and by 组织部: no UTC text ("+00:00") outside the documents served
    verbatim for their hashes (projections.display.VERBATIM)."""
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    ids = {
        "community_id": s.ids["community"],
        "unit_id": s.ids["unit"],
        "member_id": s.member["id"],
        "county_id": str(api.county_id),
        "order_id": order,
        "year": "2026",
    }
    spec = api.client.get("/openapi.json").json()
    seen = 0
    for path, operations in spec["paths"].items():
        if "get" not in operations or not path.startswith("/api/v1") or "/audit/" in path:
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(n not in ids for n in names):
            continue
        url = path.removeprefix("/api/v1").format(**ids)
        for reader in (s.staff, api.org):
            r = api.get(url, reader)
            if r.status_code == 200 and r.headers["content-type"].startswith("application/json"):
                seen += 1
                assert "+00:00" not in r.text, url
    assert seen > 30


def test_at_midnight_on_new_years_eve_every_period_turns(api: Api) -> None:
    """23:59 on 31 December counts in the old year, 00:00 on 1 January in the new, in
    every view that reports a year, the points statement and a partner's settlement
    (its dates are Beijing days)."""
    s = Story(api, bj(2026, 12, 30, 9, 0))
    s.serve(bj(2026, 12, 31, 20, 0), bj(2026, 12, 31, 23, 59), "1")
    s.serve(bj(2026, 12, 31, 21, 0), bj(2027, 1, 1, 0, 0), "2")
    assert set(figures_of(s, 2026).values()) == {(1, "1.00")}
    assert set(figures_of(s, 2027).values()) == {(1, "2.00")}
    mid = s.member["id"]
    for year, hours in ((2026, ["1.00"]), (2027, ["2.00"])):
        entries = s.get(f"/members/{mid}/points", year=year).json()["entries"]
        assert [e["hours"] for e in entries] == hours, year
    partner = api.post(
        f"/communities/{s.ids['community']}/partners", {"name": "爱心超市", "kind": "shop"}, s.staff
    ).json()["partner_id"]
    item = api.post(
        f"/communities/{s.ids['community']}/catalogue",
        {"partner_id": partner, "kind": "shop", "name": "洗衣液", "price": 10},
        s.staff,
    ).json()["item_id"]
    for moment in (bj(2027, 1, 31, 23, 59), bj(2027, 2, 1, 0, 0)):
        api.clock.set(moment - timedelta(minutes=1))
        auth = api.token(Role.MEMBER, UUID(mid), mid)
        cashier = api.token(Role.PARTNER, UUID(partner), "爱心超市-收银员")
        code = api.post(f"/members/{mid}/redemptions", {"item_id": item}, auth).json()["code"]
        api.clock.set(moment)
        r = api.post(f"/partners/{partner}/confirmations", {"code": code}, cashier)
        assert r.status_code == 200, r.text
    january = api.get(
        f"/partners/{partner}/redemptions", cashier, **{"from": "2027-01-01", "to": "2027-02-01"}
    ).json()
    february = api.get(f"/partners/{partner}/redemptions", cashier, **{"from": "2027-02-01"}).json()
    assert [r["confirmed_at"] for r in january["redemptions"]] == ["2027-01-31T23:59:00+08:00"]
    assert [r["confirmed_at"] for r in february["redemptions"]] == ["2027-02-01T00:00:00+08:00"]


def test_an_order_found_false_by_an_inspector_names_the_inspector(api: Api) -> None:
    s = Story(api, bj(2026, 3, 2, 9, 0))
    order = s.serve(bj(2026, 3, 2, 9, 0), bj(2026, 3, 2, 12, 0), "2")
    r = api.post("/inspectors", {"name": "冯督查", "unit_name": "县纪委"}, api.org)
    assert r.status_code == 201, r.text
    inspector = api.token(Role.INSPECTOR, api.county_id, r.json()["inspector_id"])
    r = api.post(f"/orders/{order}/found-false", {"reason": "回访居民否认"}, inspector)
    assert r.status_code == 200, r.text
    [step] = [
        x for x in s.get(f"/needs/{order}").json()["steps"] if x["step"].startswith("核定虚假")
    ]
    assert step["who"] == "督查 冯督查" and step["detail"] == "撤销 2.00 小时：回访居民否认"


def test_shared_links_and_cache_busters_are_not_refused(api: Api) -> None:
    """A page opened from a WeChat share carries ?from=…&isappinstalled=…; a script may
    add ?_=…: neither is an unknown parameter (the JSON API refuses only real ones)."""
    page = api.client.get(
        "/public/inspections", params={"from": "singlemessage", "isappinstalled": "0"}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert api.client.get("/api/v1/health", params={"_": "1700000000"}).status_code == 200
    r = api.client.get("/api/v1/health", params={"verbose": "1"})
    assert (r.status_code, r.json()["code"]) == (422, "unknown_query_parameter")
