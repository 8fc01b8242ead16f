"""Community (社区): registered by 组织部 with its grids (网格)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput
from domain.policies import COMMUNITY_POLICY, Policy
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

    class MatchingRecorded(Event):
        """供需对接: the monthly matching meeting, the matches it adopted (each dispatched
        in the same write) and whether it met before the policy's day of the month."""

        TOPIC = "sishuang:Community.MatchingRecorded"
        month: str
        adopted: tuple[tuple[UUID, UUID], ...]
        open_needs: int
        late: bool
        by: str

        def apply(self, aggregate: Community) -> None:
            aggregate.matchings[self.month] = len(self.adopted)

    class PointsRulesSet(Event):
        """The community's own 积分 values (rate per hour, bonuses, confirmation days);
        the rest of the policy is the county's."""

        TOPIC = "sishuang:Community.PointsRulesSet"
        overrides: dict[str, Any]
        reason: str
        by: str

        def apply(self, aggregate: Community) -> None:
            aggregate.policy_overrides.update(self.overrides)

    class JointMeetingScheduled(Event):
        """党建联席会议 on the calendar: what a supervision team may sit in on."""

        TOPIC = "sishuang:Community.JointMeetingScheduled"
        meeting_id: UUID
        held_on: date
        topic: str
        place: str
        by: str

        def apply(self, aggregate: Community) -> None:
            aggregate.meetings[self.meeting_id] = self.held_on

    class JointMeetingCancelled(Event):
        TOPIC = "sishuang:Community.JointMeetingCancelled"
        meeting_id: UUID
        reason: str
        by: str

        def apply(self, aggregate: Community) -> None:
            aggregate.meetings.pop(self.meeting_id, None)

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
        self.matchings: dict[str, int] = {}
        self.policy_overrides: dict[str, Any] = {}
        self.meetings: dict[UUID, date] = {}  # scheduled 党建联席会议, not cancelled

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

    def record_matching(
        self,
        month: str,
        adopted: tuple[tuple[UUID, UUID], ...],
        open_needs: int,
        before_day: int,
        by: str,
        now: datetime,
    ) -> None:
        if month in self.matchings:
            raise Conflict(
                "matching_already_recorded",
                f"{month} 的供需对接已记录",
                f"the matching for {month} is already recorded",
            )
        late = now.strftime("%Y-%m") != month or now.day >= before_day
        self.trigger_event(
            self.MatchingRecorded,
            month=month,
            adopted=adopted,
            open_needs=open_needs,
            late=late,
            by=by,
            timestamp=now,
        )

    def schedule_meeting(
        self, meeting_id: UUID, held_on: date, topic: str, place: str, by: str, now: datetime
    ) -> None:
        if meeting_id in self.meetings:
            raise Conflict("duplicate_meeting", "该会议已登记", "the meeting is already scheduled")
        self.trigger_event(
            self.JointMeetingScheduled,
            meeting_id=meeting_id,
            held_on=held_on,
            topic=topic,
            place=place,
            by=by,
            timestamp=now,
        )

    def cancel_meeting(self, meeting_id: UUID, reason: str, by: str, now: datetime) -> None:
        if meeting_id not in self.meetings:
            raise Conflict("unknown_meeting", "没有该会议", "no such meeting")
        self.trigger_event(
            self.JointMeetingCancelled, meeting_id=meeting_id, reason=reason, by=by, timestamp=now
        )

    def policy(self, county_policy: Policy) -> Policy:
        """The county's policy with this community's own 积分 values on top."""
        if not self.policy_overrides:
            return county_policy
        return county_policy.recorded(self.policy_overrides)

    def set_points_rules(
        self, overrides: dict[str, Any], county_policy: Policy, reason: str, by: str, now: datetime
    ) -> None:
        outside = sorted(set(overrides) - COMMUNITY_POLICY)
        if outside:
            raise InvalidInput(
                "not_a_community_policy",
                f"社区只能设置积分规则（{'、'.join(sorted(COMMUNITY_POLICY))}），"
                f"不能设置 {'、'.join(outside)}",
                f"a community sets only its points rules, not {', '.join(outside)}",
            )
        if not overrides:
            raise InvalidInput("nothing_to_change", "没有要修改的规则", "nothing to change")
        before = self.policy(county_policy)
        updated = before.with_overrides(overrides)
        changed = {
            name: getattr(updated, name)
            for name in overrides
            if getattr(updated, name) != getattr(before, name)
        }
        if changed:
            self.trigger_event(
                self.PointsRulesSet, overrides=changed, reason=reason, by=by, timestamp=now
            )

    def require_grid(self, grid_code: str | None) -> str | None:
        if grid_code and grid_code not in self.grids:
            raise InvalidInput(
                "unknown_grid",
                f"社区没有编码为 {grid_code} 的网格",
                f"the community has no grid {grid_code}",
            )
        return grid_code or None
