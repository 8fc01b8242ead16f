"""The order loop against the application service (Loop): a resident, a grid worker, two
approved members, a need posted and taken to in-progress or claimed; places, photos and
a 红色服务日 plan."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.actors import PUBLIC, Actor, Role
from domain.application import NeedInput
from domain.clock import ManualClock
from tests.builders.world import World

PLACE = ("35.4901", "112.8512")


NEAR = ("35.4905", "112.8515")  # about 50 m away


FAR = ("35.5100", "112.8512")  # about 2.2 km away


PHOTO_BEFORE = "a" * 64


PHOTO_AFTER = "b" * 64


class Loop:
    def __init__(self, world: World, clock: ManualClock) -> None:
        self.world = world
        self.app = world.app
        self.clock = clock
        self.resident_id = self.app.register_resident(
            PUBLIC,
            community_id=world.community_id,
            name="王奶奶",
            phone="13900000001",
            grid_code="G01",
        ).id
        self.resident = Actor(Role.RESIDENT, str(self.resident_id), world.community_id)
        self.grid = Actor(Role.GRID_WORKER, "网格员小刘", world.community_id)
        self.members = []
        for i, name in enumerate(["张伟", "李娜"]):
            member_id = world.register(name=name, phone=f"1380000100{i}")
            self.app.review_member(world.staff, member_id, approve=True)
            self.members.append(member_id)
        self.member = world.member_actor(self.members[0])
        self.other = world.member_actor(self.members[1])

    def post(self, **kw: object) -> UUID:
        need = NeedInput(
            content="楼道灯坏了，晚上看不见",
            category="plumbing_electrical",
            urgency="urgent",
            people_affected=12,
            grid_code="G01",
            lat=PLACE[0],
            lon=PLACE[1],
        )
        need = NeedInput(**(need.__dict__ | kw))  # type: ignore[arg-type]
        return self.app.post_need(self.resident, need).id

    def to_in_progress(self, order_id: UUID) -> None:
        self.app.request_take(self.member, order_id)
        self.app.dispatch(self.world.staff, order_id, self.members[0])
        self.app.accept(self.member, order_id)

    def to_claimed(self, order_id: UUID, hours: str = "1.5") -> None:
        self.to_in_progress(order_id)
        self.app.check_in(self.member, order_id, *NEAR)
        self.app.attach_photo(self.member, order_id, PHOTO_BEFORE, "before")
        self.app.attach_photo(self.member, order_id, PHOTO_AFTER, "after")
        self.clock.advance(timedelta(hours=2))
        self.app.claim_completion(self.member, order_id, hours)


def plan(loop: Loop, hours: int = 3) -> tuple[object, datetime]:
    starts = loop.clock.now() + timedelta(days=1)
    activity_id = loop.app.plan_activity(
        loop.world.staff,
        community_id=loop.world.community_id,
        kind="red_service_day",
        title="红色服务日·义诊",
        place="社区党群服务中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        lat=PLACE[0],
        lon=PLACE[1],
    ).id
    return activity_id, starts
