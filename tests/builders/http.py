"""Helpers for the HTTP tests: an API on SQLite with a manual clock, tokens, a county."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.tokens import issue
from domain.actors import OPERATOR, Actor, Role
from domain.application import NeedInput, Sishuang
from domain.clock import ManualClock
from projections.settings import Settings


class Api:
    def __init__(self, client: TestClient, settings: Settings, clock: ManualClock) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock
        app = client.app.state.services.app  # type: ignore[attr-defined]
        self.county_id = app.register_county(OPERATOR, name="泽州县", code="ZZ").id
        self.org = self.token(Role.ORG_DEPT, self.county_id)

    def token(self, role: Role, scope: UUID | None, subject: str = "测试") -> dict[str, str]:
        token = issue(
            self.settings.secret(), role=role, subject=subject, scope_id=scope, now=self.clock.now()
        )
        return {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=headers or {})

    def put(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.put(f"/api/v1{path}", json=body, headers=headers or {})

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=headers or {}, params=params)


def setup_county(api: Api) -> dict[str, Any]:
    r = api.post(
        "/communities",
        {
            "name": "锦绣社区",
            "code": "JX",
            "address": "泽州县锦绣路1号",
            "grids": [{"code": "G01", "name": "第一网格"}, {"code": "G02", "name": "第二网格"}],
        },
        api.org,
    )
    assert r.status_code == 201, r.text
    community = r.json()["community_id"]
    r = api.post("/units", {"name": "泽州县财政局", "member_count": 2}, api.org)
    assert r.status_code == 201, r.text
    unit = r.json()["unit_id"]
    r = api.post(f"/units/{unit}/pairings", {"community_id": community}, api.org)
    assert r.status_code == 201, r.text
    return {"community": community, "unit": unit}


def registration(ids: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "unit_id": ids["unit"],
        "community_id": ids["community"],
        "basis": "paired",
        "name": "张伟",
        "phone": "13800001234",
        "post": "科员",
        "grid_code": "G01",
    }
    body.update(overrides)
    return body


JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4


def ready_member(api: Api, ids: dict[str, Any], phone: str, name: str) -> dict[str, str]:
    reg = api.post("/registrations", registration(ids, phone=phone, name=name)).json()
    staff = api.token(Role.COMMUNITY_ADMIN, UUID(ids["community"]))
    assert (
        api.post(f"/members/{reg['member_id']}/review", {"decision": "approve"}, staff).status_code
        == 200
    )
    auth = bearer(reg["token"])
    r = api.put(
        f"/members/{reg['member_id']}/profile",
        {
            "identity": {"post": "电工"},
            "commitment": {"text": "每月一次"},
            "skills": {"categories": ["plumbing_electrical"]},
        },
        auth,
    )
    assert r.status_code == 200, r.text
    return {"id": reg["member_id"], **auth}


def upload(api: Api, auth: dict[str, str], data: bytes) -> Any:
    return api.client.post(
        "/api/v1/photos", content=data, headers={**auth, "Content-Type": "image/jpeg"}
    )


NEAR = ("35.4905", "112.8515")


def domain_app(api: Api) -> Sishuang:
    app: Sishuang = api.client.app.state.services.app  # type: ignore[attr-defined]
    return app


def close_order(
    api: Api,
    ids: dict[str, Any],
    member: dict[str, str],
    hours: str,
    stars: int,
    *,
    resident_name: str = "王奶奶",
    content: str = "楼道灯坏了",
) -> str:
    """A need posted, dispatched, done and rated, through the application service."""
    app = domain_app(api)
    community = UUID(ids["community"])
    resident = app.register_resident(
        Actor(Role.PUBLIC, "anonymous"),
        community_id=community,
        name=resident_name,
        phone=f"139{next(PHONES):08d}",
        grid_code="G01",
    ).id
    resident_actor = Actor(Role.RESIDENT, str(resident), community)
    staff = Actor(Role.COMMUNITY_ADMIN, "社区-李", community)
    me = Actor(Role.MEMBER, member["id"], UUID(member["id"]))
    order = app.post_need(
        resident_actor,
        NeedInput(
            content=content,
            category="plumbing_electrical",
            urgency="urgent",
            grid_code="G01",
            lat="35.4901",
            lon="112.8512",
        ),
    ).id
    app.request_take(me, order)
    app.dispatch(staff, order, UUID(member["id"]))
    app.accept(me, order)
    app.check_in(me, order, *NEAR)
    app.attach_photo(me, order, "a" * 63 + str(stars), "before")
    app.attach_photo(me, order, "b" * 63 + str(stars), "after")
    api.clock.advance(timedelta(hours=3))
    app.claim_completion(me, order, hours)
    app.rate(resident_actor, order, stars=stars, solved="yes")
    read = api.client.app.state.services.read  # type: ignore[attr-defined]
    read.follower.nudge()
    assert read.wait_for(head(api), 5.0)  # commands sent past HTTP: wait for the read models
    return str(order)


def head(api: Api) -> int:
    return domain_app(api).recorder.max_notification_id() or 0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


PHONES = itertools.count(1)
