"""Messages over HTTP: my inbox with read and unread, my preferences, and the
community's SMS deliveries for its staff."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from api.delivery.gateway import LogSink
from api.delivery.worker import DeliveryWorker
from domain.actors import Actor, Role
from domain.application import NeedInput
from tests.builders.http import (
    NEAR,
    Api,
    bearer,
    domain_app,
    head,
    ready_member,
    registration,
    setup_county,
)


def wait(api: Api) -> None:
    read = api.client.app.state.services.read  # type: ignore[attr-defined]
    read.follower.nudge()
    assert read.wait_for(head(api), 5.0)


def test_a_member_reads_the_approval_in_the_inbox_and_marks_it_read(api: Api) -> None:
    ids = setup_county(api)
    member = ready_member(api, ids, "13800002222", "张伟")
    me = {"Authorization": member["Authorization"]}
    inbox = api.get("/me/messages", me).json()
    assert inbox["total"] == 1 and inbox["unread"] == 1
    message = inbox["items"][0]
    assert message["kind"] == "registration_approved" and "锦绣社区" in message["body"]
    assert not message["read"]
    assert api.get("/me/messages/unread-count", me).json() == {"unread": 1}
    r = api.post(f"/me/messages/{message['message_id']}/read", {}, me)
    assert r.status_code == 200, r.text
    assert r.json()["read"] is True and r.json()["log_position"]
    assert api.get("/me/messages/unread-count", me).json() == {"unread": 0}
    assert api.get("/me/messages", me, unread="true").json()["total"] == 0
    before = head(api)
    again = api.post(f"/me/messages/{message['message_id']}/read", {}, me)
    assert again.status_code == 200 and head(api) == before  # read twice, recorded once
    shown = api.get("/me/messages", me).json()["items"][0]
    assert shown["read"] and shown["read_at"].endswith("+08:00")


def test_nobody_marks_or_sees_another_persons_message(api: Api) -> None:
    ids = setup_county(api)
    mine = ready_member(api, ids, "13800002222", "张伟")
    theirs = ready_member(api, ids, "13800003333", "李娜")
    message = api.get("/me/messages", {"Authorization": theirs["Authorization"]}).json()
    message_id = message["items"][0]["message_id"]
    me = {"Authorization": mine["Authorization"]}
    before = head(api)
    r = api.post(f"/me/messages/{message_id}/read", {}, me)
    assert r.status_code == 404 and r.json()["code"] == "unknown_message"
    r = api.post(f"/me/messages/{uuid4()}/read", {}, me)
    assert r.status_code == 404
    assert head(api) == before
    r = api.get("/me/messages", api.org)
    assert r.status_code == 403 and r.json()["code"] == "no_inbox"
    assert api.get("/me/messages").status_code == 401


def test_preferences_are_read_and_set_over_http(api: Api) -> None:
    ids = setup_county(api)
    member = ready_member(api, ids, "13800002222", "张伟")
    me = {"Authorization": member["Authorization"]}
    prefs = api.get("/me/message-preferences", me).json()
    assert prefs["sms_off"] == [] and prefs["nearby_needs"] is False
    kinds = {k["code"]: k for k in prefs["kinds"]}
    assert kinds["dispatched"]["sms_optional"] and not kinds["nearby_need"]["sms"]
    assert "sign_in_code" not in kinds  # no inbox: a sign-in code goes to a phone only
    r = api.put("/me/message-preferences", {"sms_off": ["dispatched"], "nearby_needs": True}, me)
    assert r.status_code == 200, r.text
    prefs = api.get("/me/message-preferences", me).json()
    assert prefs["sms_off"] == ["dispatched"] and prefs["nearby_needs"] is True
    before = head(api)
    r = api.put("/me/message-preferences", {"sms_off": ["sign_in_code"]}, me)
    assert r.status_code == 422 and r.json()["code"] == "sms_not_optional"
    r = api.put("/me/message-preferences", {"sms_off": ["nonsense"]}, me)
    assert r.status_code == 422 and r.json()["code"] == "invalid_message_kind"
    assert head(api) == before


def test_the_grid_worker_who_posted_for_a_resident_is_asked_to_rate_too(api: Api) -> None:
    ids = setup_county(api)
    member = ready_member(api, ids, "13800002222", "张伟")
    app = domain_app(api)
    community = UUID(ids["community"])
    grid = Actor(Role.GRID_WORKER, "网格员小刘", community)
    resident = app.register_resident(grid, community_id=community, name="王奶奶").id
    order = app.post_need(
        grid,
        NeedInput(
            content="帮老人换灯泡",
            category="plumbing_electrical",
            source="wish_card",
            resident_id=resident,
            grid_code="G01",
            lat="35.4901",
            lon="112.8512",
        ),
    ).id
    me = Actor(Role.MEMBER, member["id"], UUID(member["id"]))
    app.dispatch(Actor(Role.COMMUNITY_ADMIN, "李", community), order, UUID(member["id"]))
    app.accept(me, order)
    app.check_in(me, order, *NEAR)
    app.attach_photo(me, order, "a" * 64, "before")
    app.attach_photo(me, order, "b" * 64, "after")
    api.clock.advance(timedelta(hours=2))
    app.claim_completion(me, order, "1")
    wait(api)
    grid_inbox = api.get("/me/messages", api.token(Role.GRID_WORKER, community, "网格员小刘"))
    assert [m["kind"] for m in grid_inbox.json()["items"]] == ["rating_request"]
    member_inbox = api.get("/me/messages", {"Authorization": member["Authorization"]}).json()
    assert "dispatched" in [m["kind"] for m in member_inbox["items"]]


def test_community_staff_see_their_communitys_deliveries_and_problems(api: Api) -> None:
    ids = setup_county(api)
    ready_member(api, ids, "13800002222", "张伟")
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    page = api.get(f"/communities/{ids['community']}/deliveries", staff).json()
    assert page["total"] == 1
    row = page["items"][0]
    assert row["kind"] == "registration_approved" and row["status"] == "pending"
    assert row["recipient_name"] == "张伟"
    assert (
        api.get(f"/communities/{ids['community']}/deliveries", staff, status="problems").json()[
            "total"
        ]
        == 0
    )
    services = api.client.app.state.services  # type: ignore[attr-defined]
    DeliveryWorker(services.app, services.read.store, LogSink(), worker_id="t").run_once()
    wait(api)
    sent = api.get(f"/communities/{ids['community']}/deliveries", staff, status="sent").json()
    assert sent["total"] == 1 and sent["items"][0]["provider_ref"].startswith("log:")
    r = api.get(f"/communities/{ids['community']}/deliveries", staff, status="lost")
    assert r.status_code == 422 and r.json()["code"] == "invalid_delivery_status"
    other = api.post(
        "/communities",
        {"name": "金村社区", "code": "JC", "address": "金村", "grids": []},
        api.org,
    ).json()["community_id"]
    r = api.get(f"/communities/{other}/deliveries", staff)
    assert r.status_code == 403
    r = api.get(f"/communities/{ids['community']}/deliveries", api.org)
    assert r.status_code == 403


def test_a_registration_rejected_is_told_with_its_reason(api: Api) -> None:
    ids = setup_county(api)
    reg = api.register(registration(ids, phone="13800004444")).json()
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    r = api.post(
        f"/members/{reg['member_id']}/review",
        {"decision": "reject", "reason": "单位信息不符"},
        staff,
    )
    assert r.status_code == 200, r.text
    inbox = api.get("/me/messages", bearer(reg["token"])).json()
    assert inbox["items"][0]["kind"] == "registration_rejected"
    assert "单位信息不符" in inbox["items"][0]["body"]
