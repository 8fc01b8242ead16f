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
from domain.errors import InvalidInput
from domain.limits import LIMITS
from domain.values import clean_phone
from projections.settings import Settings
from tests.builders.codes import current_code

FALLBACK_PHONE = "13800009999"  # proven when a test sends a phone no one could prove


class Api:
    """A TestClient with tokens. The people the builders sign in (registration, a proven
    phone) keep their sessions going as a phone app does: an access token the clock has
    run past is refreshed (/auth/refresh) before a request, and a session past its
    lifetime is signed in again with a new code, for the same grant. A test that holds
    the first answer's headers so stays signed in across the months it moves the clock."""

    def __init__(self, client: TestClient, settings: Settings, clock: ManualClock) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock
        self.sessions: dict[str, dict[str, Any]] = {}  # first access token -> the session now
        self.proofs: dict[str, dict[str, str]] = {}  # phone -> a session that proved it
        self._send = client.request
        client.request = self._request  # type: ignore[method-assign]
        app = client.app.state.services.app  # type: ignore[attr-defined]
        self.county_id = app.register_county(OPERATOR, name="泽州县", code="ZZ").id
        self.org = self.token(Role.ORG_DEPT, self.county_id)

    def token(self, role: Role, scope: UUID | None, subject: str = "测试") -> dict[str, str]:
        token = issue(
            self.settings.secret(), role=role, subject=subject, scope_id=scope, now=self.clock.now()
        )
        return {"Authorization": f"Bearer {token}"}

    def _request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        headers = kwargs.get("headers")
        if isinstance(headers, dict):
            token = str(headers.get("Authorization", "")).partition(" ")[2]
            entry = self.sessions.get(token)
            if entry is not None:
                if self.clock.now() >= entry["expires"]:
                    self._renew(entry)
                kwargs["headers"] = {**headers, "Authorization": f"Bearer {entry['access']}"}
        return self._send(method, url, *args, **kwargs)

    def keep_signed_in(self, headers: dict[str, str]) -> None:
        """Renew now (not at the next request) a session the clock has run past, so a
        test that counts the events a request writes counts only the request's."""
        entry = self.sessions.get(str(headers.get("Authorization", "")).partition(" ")[2])
        if entry is not None and self.clock.now() >= entry["expires"]:
            self._renew(entry)

    def _keep(self, entry: dict[str, Any], answer: dict[str, Any]) -> None:
        entry["access"] = answer.get("access_token") or answer["token"]
        entry["refresh"] = answer["refresh_token"]
        seconds = answer.get("expires_in_seconds", LIMITS.access_token_minutes * 60)
        entry["expires"] = self.clock.now() + timedelta(seconds=seconds - 1)

    def _renew(self, entry: dict[str, Any]) -> None:
        r = self._send("POST", "/api/v1/auth/refresh", json={"refresh_token": entry["refresh"]})
        if r.status_code == 200:
            self._keep(entry, r.json())
            return
        if r.json()["code"] != "session_expired":
            return  # ended or revoked: the request goes as it is, and meets its refusal
        self._keep(entry, self.phone_session(entry["phone"], entry["grant_id"], keep=False))

    def remember(self, answer: dict[str, Any], phone: str) -> None:
        """Keep the session an answer handed out going (see the class's docstring)."""
        token = answer.get("access_token") or answer.get("token")
        if not token or "refresh_token" not in answer:
            return
        # a registration's answer names no grant: its account's first (its only) one
        entry: dict[str, Any] = {"phone": phone, "grant_id": answer.get("grant_id")}
        self._keep(entry, answer)
        self.sessions[token] = entry

    def phone_session(
        self, phone: str, grant_id: str | None = None, *, keep: bool = True
    ) -> dict[str, Any]:
        """Prove a phone as a person would: a code asked for (through the application,
        from an address of the phone's own, so the per-address quota of the test client
        is not spent), read back with `code_for`, then signed in over HTTP. Returns the
        session's answer."""
        app = domain_app(self)
        try:
            clean = clean_phone(phone)
        except InvalidInput:
            clean = FALLBACK_PHONE  # hostile input tests: the route refuses their phone
        app.request_phone_code(clean, f"test:{clean}")
        code = current_code(app, clean, self.settings.secret())
        body = {"phone": clean, "code": code, "grant_id": grant_id}
        r = self._send("POST", "/api/v1/auth/phone-sign-in", json=body)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        if keep:
            self.remember(answer, clean)
        return answer

    def proven(self, phone: str) -> dict[str, str]:
        """The Authorization header of a session that proved the phone (one per phone,
        kept going: a phone is proven once, as a person does before registering)."""
        if phone not in self.proofs:
            self.proofs[phone] = bearer(self.phone_session(phone)["access_token"])
        return self.proofs[phone]

    def register(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        """POST /registrations as the QR link does now: the phone proven first."""
        phone = str(body.get("phone") or FALLBACK_PHONE)
        r = self.post("/registrations", body, {**self.proven(phone), **(headers or {})})
        if r.status_code == 201:
            self.remember(r.json(), phone)
        return r

    def register_resident(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        """POST /residents by the resident themself: the phone proven first."""
        phone = str(body.get("phone") or FALLBACK_PHONE)
        r = self.post("/residents", body, {**self.proven(phone), **(headers or {})})
        if r.status_code == 201:
            self.remember(r.json(), phone)
        return r

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
    reg = api.register(registration(ids, phone=phone, name=name)).json()
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


def caught_up(api: Api) -> None:
    """Wait until the read models have every event (after commands whose refusal, such
    as a failed sign-in, is recorded but not waited for)."""
    read = api.client.app.state.services.read  # type: ignore[attr-defined]
    read.follower.nudge()
    assert read.wait_for(head(api), 5.0)


def head(api: Api) -> int:
    return domain_app(api).recorder.max_notification_id() or 0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


PHONES = itertools.count(1)
