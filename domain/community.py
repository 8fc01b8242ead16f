"""Community (社区): registered by 组织部 with its grids (网格)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput
from domain.values import Grid


class Community(Aggregate):
    TOPIC = "sishuang:Community"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Community.Registered"
        county_id: UUID
        name: str
        code: str
        address: str
        grids: tuple[Grid, ...]
        by: str

    Created = Registered

    class GridAdded(Event):
        TOPIC = "sishuang:Community.GridAdded"
        grid: Grid
        by: str

        def apply(self, aggregate: Community) -> None:
            aggregate.grids[self.grid.code] = self.grid

    def __init__(
        self,
        county_id: UUID,
        name: str,
        code: str,
        address: str,
        grids: tuple[Grid, ...],
        by: str,
    ) -> None:
        self.county_id = county_id
        self.name = name
        self.code = code
        self.address = address
        self.grids: dict[str, Grid] = {g.code: g for g in grids}

    @classmethod
    def register(
        cls,
        community_id: UUID,
        county_id: UUID,
        name: str,
        code: str,
        address: str,
        grids: tuple[Grid, ...],
        by: str,
        now: datetime,
    ) -> Community:
        codes = [g.code for g in grids]
        if len(set(codes)) != len(codes):
            raise InvalidInput("duplicate_grid", "网格编码重复", "grid codes repeat")
        return cls._create(
            cls.Registered,
            id=community_id,
            county_id=county_id,
            name=name,
            code=code,
            address=address,
            grids=grids,
            by=by,
            timestamp=now,
        )

    def add_grid(self, grid: Grid, by: str, now: datetime) -> None:
        if grid.code in self.grids:
            raise Conflict(
                "duplicate_grid",
                f"网格编码 {grid.code} 已存在",
                f"grid {grid.code} already exists",
            )
        self.trigger_event(self.GridAdded, grid=grid, by=by, timestamp=now)

    def require_grid(self, grid_code: str | None) -> str | None:
        if grid_code and grid_code not in self.grids:
            raise InvalidInput(
                "unknown_grid",
                f"社区没有编码为 {grid_code} 的网格",
                f"the community has no grid {grid_code}",
            )
        return grid_code or None
