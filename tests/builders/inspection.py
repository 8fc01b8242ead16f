"""两随机一公开 in the domain (Supervision): a county with inspectors, targets and a plan; salts,
values, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.errors import DomainError
from domain.inspection_plan import InspectionPlan
from domain.plan_definition import PlanDefinition
from domain.plan_proposal import PlanProposal
from replay import draw
from tests.builders.orders import Loop
from tests.builders.world import World

SALTS = ("a" * 64, "b" * 64)


VALUES = ("骰子 3-5-1", "骰子 6-2-2")


class Supervision(Loop):
    """Orders closed in two communities, four inspectors, a revisit plan."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        clock.set(datetime(2026, 3, 2, 1, tzinfo=UTC))
        super().__init__(world, clock)
        self.org = world.org
        self.closed: list[UUID] = []
        for i in range(6):
            self.closed.append(self.close(stars=5 if i % 3 else 2))
        app = self.app
        self.inspectors = [
            app.register_inspector(
                self.org, name="钱督查", unit_id=world.unit_id, home_community_id=None
            ).id,  # conflicted with every order (the members' unit)
            app.register_inspector(
                self.org, name="孙督查", unit_name="县纪委", home_community_id=world.community_id
            ).id,  # conflicted: lives in the community
            app.register_inspector(self.org, name="周督查", unit_name="县委巡察办").id,
            app.register_inspector(self.org, name="吴督查", unit_name="县委组织部").id,
            app.register_inspector(self.org, name="郑督查", unit_name="县委宣传部").id,
        ]
        # the seed's two parties: a 组织部 witness and the team leader (周督查)
        self.parties = (self.org, self.inspector(2))

    def close(self, stars: int = 5) -> UUID:
        order_id = self.post()
        self.to_claimed(order_id, "2")
        self.app.rate(self.resident, order_id, stars=stars, comment="好", solved="yes")
        if self.app.order(order_id).status.code != "closed":
            self.app.decide_low_rating(
                self.world.staff, order_id, decision="close", reason="已电话确认", credit_hours=True
            )
        self.clock.advance(timedelta(days=1))
        return order_id

    def inspector(self, i: int) -> Actor:
        return Actor(Role.INSPECTOR, str(self.inspectors[i]), self.world.county_id)

    def plan(self, **kw: Any) -> UUID:
        args: dict[str, Any] = {
            "title": "2026年一季度回访抽查",
            "item": "revisit",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "parties": [p.ref for p in self.parties],
            "minimum": 2,
            "low_minimum": 1,
            "load_cap": 10,
        }
        args.update(kw)
        plan_id = self.app.publish_plan(self.org, PlanProposal(**args)).id
        assert_definition_round_trips(self.app, plan_id)
        return plan_id

    def to_drawn(self, plan_id: UUID) -> InspectionPlan:
        app = self.app
        app.freeze_population(self.org, plan_id)
        app.freeze_roster(self.org, plan_id)
        for party, salt, value in zip(self.parties, SALTS, VALUES, strict=True):
            app.commit_seed(party, plan_id, draw.commitment(value, salt))
        for party, salt, value in zip(self.parties, SALTS, VALUES, strict=True):
            app.reveal_seed(party, plan_id, value, salt)  # the last reveal draws
        return app.plan(plan_id)


def refused(app: Sishuang, error: type[DomainError], code: str, call: Any) -> None:
    before = log_size(app)
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert log_size(app) == before, "a refused command leaves no event"


def assert_definition_round_trips(app: Sishuang, plan_id: UUID) -> None:
    """The plan's recorded document reads into its PlanDefinition and writes back byte for
    byte: the same keys, in the same order, with the same values."""
    (published,) = (e for e in app.events.get(plan_id) if isinstance(e, InspectionPlan.Published))
    again = PlanDefinition.from_document(published.document).as_document()
    assert orjson.dumps(again) == orjson.dumps(published.document)
    assert app.plan(plan_id).document == published.document


def log_size(app: Sishuang) -> int:
    return app.recorder.max_notification_id() or 0
