"""Group activities: 红色服务日, 主题服务月, 攻坚组 projects. Planned with a place and a
time; members sign in and out with their location; the organiser confirms the list and
only then is each attendee's time credited."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput
from domain.policies import Policy
from domain.values import GeoPoint, Labelled, distance_m, to_step

SIGN_IN_EARLY = timedelta(hours=1)  # sign-in opens an hour before the start


class ActivityKind(Labelled):
    RED_SERVICE_DAY = ("red_service_day", "红色服务日")
    THEME_MONTH = ("theme_month", "主题服务月")
    TASK_FORCE = ("task_force", "攻坚组项目")

    @classmethod
    def label_zh(cls) -> str:
        return "活动类型"


class Activity(Aggregate):
    TOPIC = "sishuang:Activity"

    class Event(Aggregate.Event):
        pass

    class Planned(Event, Aggregate.Created):
        TOPIC = "sishuang:Activity.Planned"
        county_id: UUID
        community_id: UUID
        kind: ActivityKind
        title: str
        place: str
        location: GeoPoint | None
        starts_at: datetime
        ends_at: datetime
        by: str

    Created = Planned

    class SignedIn(Event):
        TOPIC = "sishuang:Activity.SignedIn"
        member_id: UUID
        point: GeoPoint
        distance_m: int | None
        flagged: bool

        def apply(self, activity: Activity) -> None:
            activity.signed_in[self.member_id] = self.timestamp

    class SignedOut(Event):
        TOPIC = "sishuang:Activity.SignedOut"
        member_id: UUID
        point: GeoPoint

        def apply(self, activity: Activity) -> None:
            activity.signed_out[self.member_id] = self.timestamp

    class ListConfirmed(Event):
        """The organiser's list: hours credited per attendee, here and nowhere else."""

        TOPIC = "sishuang:Activity.ListConfirmed"
        attendees: tuple[tuple[UUID, Decimal], ...]
        excluded: tuple[UUID, ...]
        by: str

        def apply(self, activity: Activity) -> None:
            activity.confirmed = True

    class Cancelled(Event):
        TOPIC = "sishuang:Activity.Cancelled"
        reason: str
        by: str

        def apply(self, activity: Activity) -> None:
            activity.cancelled = True

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        kind: ActivityKind,
        title: str,
        place: str,
        location: GeoPoint | None,
        starts_at: datetime,
        ends_at: datetime,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.kind = kind
        self.title = title
        self.location = location
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.signed_in: dict[UUID, datetime] = {}
        self.signed_out: dict[UUID, datetime] = {}
        self.confirmed = False
        self.cancelled = False

    @classmethod
    def plan(
        cls,
        activity_id: UUID,
        *,
        county_id: UUID,
        community_id: UUID,
        kind: ActivityKind,
        title: str,
        place: str,
        location: GeoPoint | None,
        starts_at: datetime,
        ends_at: datetime,
        by: str,
        now: datetime,
    ) -> Activity:
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise InvalidInput("invalid_time", "时间需带时区", "times need a timezone")
        if ends_at <= starts_at:
            raise InvalidInput(
                "invalid_time", "结束时间应晚于开始时间", "it must end after it starts"
            )
        return cls._create(
            cls.Planned,
            id=activity_id,
            county_id=county_id,
            community_id=community_id,
            kind=kind,
            title=title,
            place=place,
            location=location,
            starts_at=starts_at,
            ends_at=ends_at,
            by=by,
            timestamp=now,
        )

    def _require_open(self, doing: str) -> None:
        """Refuse `doing` (签到, 签退, 确认名单, 取消) on an activity that is over."""
        if self.cancelled:
            raise Conflict(
                "activity_is_cancelled",
                f"活动已取消，不能再{doing}",
                "the activity was cancelled",
            )
        if self.confirmed:
            raise Conflict(
                "activity_is_confirmed",
                f"活动名单已确认、时长已计入，不能再{doing}",
                "the list is confirmed",
            )

    def sign_in(self, member_id: UUID, point: GeoPoint, policy: Policy, now: datetime) -> None:
        self._require_open("签到")
        if not self.starts_at - SIGN_IN_EARLY <= now <= self.ends_at:
            raise Conflict(
                "outside_activity_time", "不在活动签到时间内", "outside the activity's time"
            )
        if member_id in self.signed_in:
            raise Conflict("already_signed_in", "您已签到", "you have already signed in")
        distance = None if self.location is None else distance_m(self.location, point)
        self.trigger_event(
            self.SignedIn,
            member_id=member_id,
            point=point,
            distance_m=distance,
            flagged=distance is not None and distance > policy.checkin_radius_m,
            timestamp=now,
        )

    def sign_out(self, member_id: UUID, point: GeoPoint, now: datetime) -> None:
        self._require_open("签退")
        if member_id not in self.signed_in:
            raise Conflict("not_signed_in", "请先签到", "sign in first")
        if member_id in self.signed_out:
            raise Conflict("already_signed_out", "您已签退", "you have already signed out")
        self.trigger_event(self.SignedOut, member_id=member_id, point=point, timestamp=now)

    def hours_of(self, member_id: UUID, step: Decimal) -> Decimal:
        """Time on site, clipped to the activity: sign-in to sign-out (or the end), in
        whole steps of the policy's hours_step (rounded half up)."""
        start = max(self.signed_in[member_id], self.starts_at)
        end = min(self.signed_out.get(member_id, self.ends_at), self.ends_at)
        seconds = max((end - start).total_seconds(), 0)
        return to_step(Decimal(seconds) / Decimal(3600), step)

    def confirm_list(
        self, excluded: tuple[UUID, ...], policy: Policy, by: str, now: datetime
    ) -> None:
        self._require_open("确认名单")
        if now < self.ends_at:
            raise Conflict(
                "activity_not_over", "活动结束后才能确认名单", "confirm the list after it ends"
            )
        strangers = sorted({m for m in excluded if m not in self.signed_in}, key=str)
        if strangers:
            raise InvalidInput(
                "not_signed_in_here",
                f"排除名单中有 {len(strangers)} 人未在本活动签到，请从签到名单中选择",
                "excluded members must be among those who signed in: "
                + ", ".join(str(m) for m in strangers),
                members=[str(m) for m in strangers],
            )
        attendees = tuple(
            (member_id, self.hours_of(member_id, policy.hours_step))
            for member_id in sorted(self.signed_in, key=str)
            if member_id not in excluded
        )
        self.trigger_event(
            self.ListConfirmed,
            attendees=attendees,
            excluded=tuple(sorted(set(excluded), key=str)),
            by=by,
            timestamp=now,
        )

    def cancel(self, reason: str, by: str, now: datetime) -> None:
        self._require_open("取消")
        self.trigger_event(self.Cancelled, reason=reason, by=by, timestamp=now)
