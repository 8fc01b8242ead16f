"""Commands for group activities and the monthly matching meeting (供需对接)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.activity import Activity, ActivityKind
from domain.actors import Actor
from domain.community import Community
from domain.errors import Conflict, InvalidInput
from domain.limits import check_year
from domain.order import Order
from domain.service import Once, Result, Service
from domain.values import clean_line, clean_point, clean_text

MONTH_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


class ActivityCommands(Service):
    def plan_activity(
        self,
        actor: Actor,
        *,
        community_id: UUID,
        kind: str,
        title: str,
        place: str,
        starts_at: datetime,
        ends_at: datetime,
        lat: object | None = None,
        lon: object | None = None,
        idempotency_key: str | None = None,
    ) -> Result:
        access.require_community_staff(actor, community_id)
        kind_value = ActivityKind.from_code(kind)
        title = clean_line(title, "活动名称", required=True)
        place = clean_line(place, "活动地点", required=True)
        location = None if lat is None and lon is None else clean_point(lat, lon)
        check_year(starts_at, "开始时间")
        check_year(ends_at, "结束时间")
        payload = {
            "community": community_id,
            "kind": kind_value,
            "title": title,
            "place": place,
            "starts_at": starts_at,
            "ends_at": ends_at,
        }

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            new_id = uuid4()
            activity = Activity.plan(
                new_id,
                county_id=community.county_id,
                community_id=community_id,
                kind=kind_value,
                title=title,
                place=place,
                location=location,
                starts_at=starts_at,
                ends_at=ends_at,
                by=actor.ref,
                now=self.clock.now(),
            )
            return new_id, [activity]

        return self._create(actor, "plan_activity", idempotency_key, payload, build)

    def sign_in(
        self,
        actor: Actor,
        activity_id: UUID,
        lat: object,
        lon: object,
        *,
        idempotency_key: str | None = None,
    ) -> Result:
        member_id = access.member_scope(actor)
        point = clean_point(lat, lon)
        once = Once.of(actor, "sign_in", idempotency_key, {"activity": activity_id, "at": point})

        def decide(activity: Activity) -> None:
            member = self.member(member_id)
            if member.county_id != activity.county_id:
                raise Conflict(
                    "member_not_in_county", "该活动不在您报到的县（区）", "not in your county"
                )
            activity.sign_in(member_id, point, self.policy(activity.county_id), self.clock.now())

        return self._decide(self.activity, activity_id, decide, once)

    def sign_out(
        self,
        actor: Actor,
        activity_id: UUID,
        lat: object,
        lon: object,
        *,
        idempotency_key: str | None = None,
    ) -> Result:
        member_id = access.member_scope(actor)
        point = clean_point(lat, lon)
        once = Once.of(actor, "sign_out", idempotency_key, {"activity": activity_id, "at": point})
        return self._decide(
            self.activity,
            activity_id,
            lambda activity: activity.sign_out(member_id, point, self.clock.now()),
            once,
        )

    def confirm_activity(
        self, actor: Actor, activity_id: UUID, excluded: Sequence[UUID] = ()
    ) -> Result:
        def decide(activity: Activity) -> None:
            access.require_community_staff(actor, activity.community_id)
            activity.confirm_list(
                tuple(excluded), self.policy(activity.county_id), actor.ref, self.clock.now()
            )

        return self._decide(self.activity, activity_id, decide)

    def cancel_activity(self, actor: Actor, activity_id: UUID, reason: str) -> Result:
        reason = clean_text(reason, "取消理由", required=True)

        def decide(activity: Activity) -> None:
            access.require_community_staff(actor, activity.community_id)
            activity.cancel(reason, actor.ref, self.clock.now())

        return self._decide(self.activity, activity_id, decide)

    # -- 供需对接 -------------------------------------------------------------------------

    def record_matching(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        month: str,
        adopted: Sequence[tuple[UUID, UUID]],
        open_needs: int,
    ) -> Result:
        """The monthly matching meeting: the adopted (need, member) matches are recorded
        and each need is dispatched to its member, all in one write."""
        access.require_community_staff(actor, community_id)
        found = MONTH_RE.fullmatch(month) if isinstance(month, str) else None
        if found is None:
            raise InvalidInput("invalid_month", "月份格式应为 YYYY-MM", "month is YYYY-MM")
        check_year(int(found.group(1)), "月份")
        pairs = tuple(dict.fromkeys((o, m) for o, m in adopted))
        if len({o for o, _ in pairs}) != len(pairs):
            raise InvalidInput("duplicate_need", "同一需求只能对接一名党员", "one member per need")

        def decide(community: Community) -> list[Aggregate]:
            policy = self.policy(community.county_id)
            now = self.clock.now()
            orders: list[Aggregate] = []
            for order_id, member_id in pairs:
                order: Order = self.order(order_id)
                if order.community_id != community_id:
                    raise Conflict(
                        "not_your_community", "该需求不属于本社区", "the need is elsewhere"
                    )
                self._approved_member_of(member_id, community_id)
                order.dispatch(member_id, policy, actor.ref, now)
                orders.append(order)
            community.record_matching(
                month, pairs, open_needs, policy.matching_meeting_before_day, actor.ref, now
            )
            return [*orders]

        return self._decide(self.community, community_id, decide)
