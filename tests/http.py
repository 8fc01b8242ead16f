"""Helpers for the HTTP tests: an API on SQLite with a manual clock, tokens, a county."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.tokens import issue
from domain.actors import OPERATOR, Role
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
