"""两随机一公开 over HTTP: the demo county (County), salts, values, and a refusal
that records nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.actors import Role
from replay import draw
from tests.builders.http import Api, close_order, head, ready_member, setup_county
from tests.builders.inspection import assert_definition_round_trips

VALUES = ("骰子 3-5-1", "骰子 6-2-2")


SALTS = ("a" * 64, "b" * 64)


def refused(api: Api, response: Any, status: int, code: str, before: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message"] and body["message_en"]
    assert head(api) == before, "a refused request records nothing"


class County:
    """泽州县 over HTTP: a community with a paired unit, a member with closed orders in
    March, four inspectors (one from the member's unit)."""

    def __init__(self, api: Api) -> None:
        api.clock.set(datetime(2026, 3, 10, 1, tzinfo=UTC))  # tokens last 30 days
        api.org = api.token(Role.ORG_DEPT, api.county_id, "组织部-王")
        self.api = api
        self.ids = setup_county(api)
        self.member = ready_member(api, self.ids, "13800000011", "张电工")
        self.orders = [close_order(api, self.ids, self.member, "2", stars=5) for _ in range(5)]
        self.inspectors: dict[str, str] = {}
        for name, extra in [
            ("钱督查", {"unit_id": self.ids["unit"]}),
            ("周督查", {"unit_name": "县委巡察办"}),
            ("吴督查", {"unit_name": "县委组织部"}),
            ("郑督查", {"unit_name": "县委宣传部"}),
        ]:
            r = api.post("/inspectors", {"name": name, **extra}, api.org)
            assert r.status_code == 201, r.text
            self.inspectors[r.json()["inspector_id"]] = name
        api.clock.set(datetime(2026, 4, 1, 2, tzinfo=UTC))
        # the seed's parties: 组织部's witness and the team leader (周督查), each acting
        # for themself with their own token
        leader = next(i for i, n in self.inspectors.items() if n == "周督查")
        self.parties = [
            ("org_dept:组织部-王", api.org),
            (f"inspector:{leader}", self.inspector(leader)),
        ]

    def commit_all(self, path: str) -> None:
        for (_, token), value, salt in zip(self.parties, VALUES, SALTS, strict=True):
            body = {"commitment": draw.commitment(value, salt)}
            r = self.api.post(f"{path}/commitments", body, token)
            assert r.status_code == 200, r.text

    def reveal_all(self, path: str) -> None:
        """The last reveal draws."""
        for (_, token), value, salt in zip(self.parties, VALUES, SALTS, strict=True):
            body = {"contribution": value, "salt": salt}
            r = self.api.post(f"{path}/reveals", body, token)
            assert r.status_code == 200, r.text
        assert r.headers["X-Read-Model-Consistent"] == "true", r.text

    def inspector(self, inspector_id: str) -> dict[str, str]:
        return self.api.token(Role.INSPECTOR, self.api.county_id, inspector_id)

    def plan(self, **overrides: Any) -> str:
        body = {
            "title": "2026年3月回访抽查",
            "item": "revisit",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "parties": [ref for ref, _ in self.parties],
            "ratio": 0.5,
            "minimum": 2,
            "load_cap": 10,
        }
        body.update(overrides)
        r = self.api.post("/inspection-plans", body, self.api.org)
        assert r.status_code == 201, r.text
        plan_id: str = r.json()["plan_id"]
        app = self.api.client.app.state.services.app  # type: ignore[attr-defined]
        assert_definition_round_trips(app, UUID(plan_id))
        return plan_id
