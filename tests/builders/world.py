"""A small county to act in (World), refusals that leave no event, a member's full profile,
a need as stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest

from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Availability, Commitment, Identity, Sishuang, Skills
from domain.errors import DomainError
from domain.order import Order
from domain.policies import DEFAULT_POLICY
from domain.values import NeedSource, SkillCategory, Urgency


class World:
    """A small county to act in: one community with two grids, two units (one paired)."""

    def __init__(self, app: Sishuang) -> None:
        self.app = app
        self.county_id = app.register_county(OPERATOR, name="泽州县", code="ZZ").id
        self.org = Actor(Role.ORG_DEPT, "组织部-王", self.county_id)
        self.community_id = app.register_community(
            self.org, name="锦绣社区", code="JX", grids=[("G01", "第一网格"), ("G02", "第二网格")]
        ).id
        self.other_community_id = app.register_community(self.org, name="金村社区", code="JC").id
        self.unit_id = app.register_unit(self.org, name="泽州县财政局", member_count=4).id
        self.other_unit_id = app.register_unit(self.org, name="泽州县人民医院", member_count=2).id
        app.pair_unit(self.org, self.unit_id, self.community_id)
        self.staff = Actor(Role.COMMUNITY_ADMIN, "锦绣社区-李", self.community_id)
        self.other_staff = Actor(Role.COMMUNITY_ADMIN, "金村社区-赵", self.other_community_id)

    def register(self, name: str = "张伟", phone: str = "13800001234", **kw: object) -> uuid.UUID:
        args: dict[str, object] = {
            "unit_id": self.unit_id,
            "community_id": self.community_id,
            "basis": "paired",
            "name": name,
            "phone": phone,
            "post": "科员",
        }
        args.update(kw)
        return self.app.register_member(PUBLIC, **args).id  # type: ignore[arg-type]

    def member_actor(self, member_id: uuid.UUID) -> Actor:
        return Actor(Role.MEMBER, str(member_id), member_id)


@contextmanager
def refused(app: Sishuang, error: type[DomainError], code: str) -> Iterator[None]:
    """The command raises `error` with `code` and the log does not move."""
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as caught:
        yield
    assert caught.value.code == code
    assert app.recorder.max_notification_id() == before


def full_profile(world: World, member_id):  # type: ignore[no-untyped-def]
    return world.app.update_member_profile(
        world.member_actor(member_id),
        member_id,
        identity=Identity("科员", show_contact=True),
        commitment=Commitment("每月到社区服务一次", 24),
        skills=Skills(["medical", "legal"], ["量血压", " 量血压 "]),
        availability=Availability("3.5", ["weekend_morning", "on_call"]),
    )


def stored_need(world: World, content: str) -> Any:
    """A need recorded without the API's checks, as one was before the text rule: the
    poison event of the NUL finding."""
    now = world.app.clock.now()
    order = Order.post(
        uuid4(),
        county_id=world.county_id,
        community_id=world.community_id,
        resident_id=None,
        requester_name="李彤",
        content=content,
        category=SkillCategory.PLUMBING_ELECTRICAL,
        urgency=Urgency.NORMAL,
        people_affected=1,
        grid_code="G01",
        location=None,
        preferred_time="",
        photos=(),
        source=NeedSource.VISIT,
        policy=DEFAULT_POLICY,
        by=world.staff.ref,
        now=now,
    )
    world.app.save(order)
    return order.id
