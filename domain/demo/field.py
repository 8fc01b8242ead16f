"""The load in progress: the application and its clock, the summary being counted, the
schedule of commands, the ids the commands have made so far, and who acts (the actors
the people in the field would sign in as)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.demo.county import COMMUNITIES, UNITS, grid_worker_name
from domain.demo.plans import Story
from domain.demo.registration import CountyPlan
from domain.demo.rules import Rules
from domain.demo.schedule import Schedule


@dataclass
class Field:
    app: Sishuang
    clock: ManualClock
    window: tuple[datetime, datetime]  # the story's start and today
    rules: Rules
    summary: dict[str, Any]
    org_dept: Actor
    plan: CountyPlan
    story: Story
    schedule: Schedule = field(default_factory=Schedule)
    community_ids: list[UUID] = field(default_factory=list)
    unit_ids: list[UUID] = field(default_factory=list)
    member_ids: list[UUID | None] = field(default_factory=list)
    resident_ids: list[UUID | None] = field(default_factory=list)
    order_ids: dict[int, UUID] = field(default_factory=dict)  # need index -> order id
    activity_ids: dict[int, UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.member_ids = [None] * len(self.plan.members)
        self.resident_ids = [None] * len(self.story.residents)

    @property
    def start(self) -> datetime:
        return self.window[0]

    @property
    def today(self) -> datetime:
        return self.window[1]

    def member_id(self, i: int) -> UUID:
        member_id = self.member_ids[i]
        assert member_id is not None
        return member_id

    def admin(self, c: int) -> Actor:
        return Actor(Role.COMMUNITY_ADMIN, f"{COMMUNITIES[c].name}管理员", self.community_ids[c])

    def grid_worker(self, c: int, grid: str) -> Actor:
        """The grid's worker (网格员): the county's grid workers take the grids in turn."""
        name = grid_worker_name(c, self.plan.grids[c].index(grid))
        return Actor(Role.GRID_WORKER, f"网格员{name}", self.community_ids[c])

    def member(self, i: int) -> Actor:
        member_id = self.member_id(i)
        return Actor(Role.MEMBER, str(member_id), member_id)

    def unit_admin(self, u: int) -> Actor:
        return Actor(Role.UNIT_ADMIN, f"{UNITS[u].name}管理员", self.unit_ids[u])
