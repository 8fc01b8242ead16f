"""Need / Order (民生需求): 群众点单 — 社区派单 — 党员接单 — 评价跟单.

The state machine is the table TRANSITIONS below and nothing else: every command
names its step, `_step` looks up (current status, step) and refuses what the table
does not allow with a code that names the current status. Each event's `apply` sets
the status its step leads to (a test walks the table to prove they agree).

Deadlines (take window, rating window, overdue) are policy values; they are fixed
into the events when they start (take_deadline, rate_deadline, overdue_deadline),
and only a command — the sweep — turns a passed deadline into an event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, Forbidden, InvalidInput
from domain.policies import Policy
from domain.values import (
    HOURS_PLACES,
    FollowUpMethod,
    GeoPoint,
    Labelled,
    NeedSource,
    PhotoKind,
    SkillCategory,
    Solved,
    Urgency,
    distance_m,
    hours_text,
    on_step,
)


class OrderStatus(Labelled):
    POSTED = ("posted", "待接单")
    UNCLAIMED = ("unclaimed", "无人接单·待大党委")
    ASSIGNED = ("assigned", "已交办单位或攻坚组")
    DISPATCHED = ("dispatched", "已派单·待党员确认")
    IN_PROGRESS = ("in_progress", "办理中")
    COMPLETION_CLAIMED = ("completion_claimed", "已申请结单·待评价")
    LOW_RATED = ("low_rated", "差评·待社区处理")
    CLOSED = ("closed", "已办结")
    CANCELLED = ("cancelled", "已撤销")
    REJECTED = ("rejected", "已驳回")

    @classmethod
    def label_zh(cls) -> str:
        return "需求状态"


S = OrderStatus

# (current status, step) -> status after the step. Nothing else moves an order.
TRANSITIONS: dict[tuple[OrderStatus, str], OrderStatus] = {
    (S.POSTED, "request_take"): S.POSTED,
    (S.POSTED, "dispatch"): S.DISPATCHED,
    (S.POSTED, "mark_unclaimed"): S.UNCLAIMED,
    (S.POSTED, "cancel"): S.CANCELLED,
    (S.POSTED, "reject"): S.REJECTED,
    (S.UNCLAIMED, "dispatch"): S.DISPATCHED,
    (S.UNCLAIMED, "escalate_to_member"): S.DISPATCHED,
    (S.UNCLAIMED, "escalate_to_unit"): S.ASSIGNED,
    (S.UNCLAIMED, "escalate_to_team"): S.ASSIGNED,
    (S.UNCLAIMED, "cancel"): S.CANCELLED,
    (S.UNCLAIMED, "reject"): S.REJECTED,
    (S.ASSIGNED, "dispatch"): S.DISPATCHED,
    (S.ASSIGNED, "mark_overdue"): S.ASSIGNED,
    (S.ASSIGNED, "follow_up"): S.ASSIGNED,
    (S.ASSIGNED, "cancel"): S.CANCELLED,
    (S.DISPATCHED, "accept"): S.IN_PROGRESS,
    (S.DISPATCHED, "decline"): S.POSTED,
    (S.DISPATCHED, "mark_overdue"): S.DISPATCHED,
    (S.DISPATCHED, "follow_up"): S.DISPATCHED,
    (S.DISPATCHED, "cancel"): S.CANCELLED,
    (S.IN_PROGRESS, "check_in"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "attach_photo"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "claim"): S.COMPLETION_CLAIMED,
    (S.IN_PROGRESS, "mark_overdue"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "follow_up"): S.IN_PROGRESS,
    (S.COMPLETION_CLAIMED, "rate_satisfied"): S.CLOSED,
    (S.COMPLETION_CLAIMED, "rate_unsatisfied"): S.LOW_RATED,
    (S.COMPLETION_CLAIMED, "close_unrated"): S.CLOSED,
    (S.LOW_RATED, "return_to_member"): S.DISPATCHED,
    (S.LOW_RATED, "return_to_pool"): S.POSTED,
    (S.LOW_RATED, "close_with_reason"): S.CLOSED,
}

STEP_LABELS: dict[str, str] = {
    "request_take": "接单申请",
    "dispatch": "派单",
    "mark_unclaimed": "标记无人接单",
    "escalate_to_member": "大党委交办党员",
    "escalate_to_unit": "大党委交办单位",
    "escalate_to_team": "大党委交办攻坚组",
    "accept": "接单",
    "decline": "拒单",
    "check_in": "到场签到",
    "attach_photo": "上传照片",
    "claim": "申请结单",
    "rate_satisfied": "评价",
    "rate_unsatisfied": "评价",
    "close_unrated": "超时未评价结单",
    "return_to_member": "返单给原党员",
    "return_to_pool": "返单重新派单",
    "close_with_reason": "差评结单",
    "mark_overdue": "标记超期",
    "follow_up": "超期跟进",
    "cancel": "撤销",
    "reject": "驳回",
}

# How an order closed (Order.Closed.outcome), as the ledger and statements name it.
OUTCOME_LABELS: dict[str, str] = {
    "satisfied": "满意办结",
    "unrated": "超时未评价",
    "closed_by_community": "社区处理后办结",
}

# In a member's hands: what counts as their current load (派单 ranking, 党员资源台账).
IN_HAND_STATUSES: tuple[OrderStatus, ...] = (
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.COMPLETION_CLAIMED,
    S.LOW_RATED,
)
IN_HAND_CODES: tuple[str, ...] = tuple(s.code for s in IN_HAND_STATUSES)

OPEN_STATUSES = frozenset(
    {
        S.POSTED,
        S.UNCLAIMED,
        S.ASSIGNED,
        S.DISPATCHED,
        S.IN_PROGRESS,
        S.COMPLETION_CLAIMED,
        S.LOW_RATED,
    }
)


class Order(Aggregate):
    TOPIC = "sishuang:Order"

    class Event(Aggregate.Event):
        pass

    class Posted(Event, Aggregate.Created):
        """群众点单, or a grid worker's 代发 with its source."""

        TOPIC = "sishuang:Order.Posted"
        county_id: UUID
        community_id: UUID
        resident_id: UUID | None
        requester_name: str
        content: str
        category: SkillCategory
        urgency: Urgency
        people_affected: int
        grid_code: str | None
        location: GeoPoint | None
        preferred_time: str
        photos: tuple[str, ...]
        source: NeedSource
        take_deadline: datetime
        by: str

    Created = Posted

    class TakeRequested(Event):
        TOPIC = "sishuang:Order.TakeRequested"
        member_id: UUID
        note: str

        def apply(self, order: Order) -> None:
            order.applicants.append(self.member_id)

    class Dispatched(Event):
        TOPIC = "sishuang:Order.Dispatched"
        member_id: UUID
        from_applicants: bool
        overdue_deadline: datetime
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.DISPATCHED
            order.member_id = self.member_id
            order.overdue_deadline = self.overdue_deadline
            order.overdue = False  # a new dispatch, a new deadline
            order.dispatches += 1

    class MarkedUnclaimed(Event):
        TOPIC = "sishuang:Order.MarkedUnclaimed"

        def apply(self, order: Order) -> None:
            order.status = S.UNCLAIMED

    class JointMeetingDecided(Event):
        """大党委 / 党建联席会议 decision on an unclaimed need."""

        TOPIC = "sishuang:Order.JointMeetingDecided"
        assignee_kind: str  # member | unit | team
        assignee_id: UUID | None
        assignee_name: str
        note: str
        overdue_deadline: datetime
        by: str

        def apply(self, order: Order) -> None:
            order.overdue_deadline = self.overdue_deadline
            order.overdue = False
            order.assignee = (self.assignee_kind, self.assignee_id, self.assignee_name)
            if self.assignee_kind == "member":
                order.status = S.DISPATCHED
                order.member_id = self.assignee_id
                order.dispatches += 1
            else:
                order.status = S.ASSIGNED

    class Accepted(Event):
        TOPIC = "sishuang:Order.Accepted"
        member_id: UUID

        def apply(self, order: Order) -> None:
            order.status = S.IN_PROGRESS

    class Declined(Event):
        TOPIC = "sishuang:Order.Declined"
        member_id: UUID
        reason: str

        def apply(self, order: Order) -> None:
            order.status = S.POSTED
            order.member_id = None
            order.overdue_deadline = None
            order.overdue = False
            if self.member_id in order.applicants:
                order.applicants.remove(self.member_id)

    class CheckedIn(Event):
        """到场签到: where the member was, how far from the need, flagged if too far."""

        TOPIC = "sishuang:Order.CheckedIn"
        member_id: UUID
        point: GeoPoint
        distance_m: int | None
        flagged: bool

        def apply(self, order: Order) -> None:
            if order.checked_in_at is None:
                order.checked_in_at = self.timestamp

    class PhotoAttached(Event):
        """Content-addressed photo; `duplicate_of` names another order that used it first.

        Version 2 added `member_id` (who attached it); version-1 events load with None."""

        TOPIC = "sishuang:Order.PhotoAttached"
        class_version = 2
        sha256: str
        kind: PhotoKind
        duplicate_of: UUID | None
        member_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["member_id"] = None

        def apply(self, order: Order) -> None:
            order.evidence.append((self.sha256, self.kind))

    class CompletionClaimed(Event):
        """申请结单 with the hours spent; the rating window starts."""

        TOPIC = "sishuang:Order.CompletionClaimed"
        member_id: UUID
        hours: Decimal
        note: str
        rate_deadline: datetime

        def apply(self, order: Order) -> None:
            order.status = S.COMPLETION_CLAIMED
            order.claimed_hours = self.hours
            order.rate_deadline = self.rate_deadline

    class Rated(Event):
        TOPIC = "sishuang:Order.Rated"
        stars: int
        comment: str
        solved: Solved
        satisfied: bool
        by: str

        def apply(self, order: Order) -> None:
            order.rating = (self.stars, self.solved)
            if not self.satisfied:
                order.status = S.LOW_RATED

    class Closed(Event):
        """办结: hours are credited here and nowhere else."""

        TOPIC = "sishuang:Order.Closed"
        outcome: str  # satisfied | unrated | closed_by_community
        member_id: UUID | None
        hours_credited: Decimal
        reason: str
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.CLOSED
            order.hours_credited = self.hours_credited

    class ReturnedToMember(Event):
        """返单 to the same member: they accept it again and redo the work."""

        TOPIC = "sishuang:Order.ReturnedToMember"
        member_id: UUID
        reason: str
        overdue_deadline: datetime
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.DISPATCHED
            order.overdue_deadline = self.overdue_deadline
            order.overdue = False
            order.reset_work()

    class Reopened(Event):
        """返单 for re-dispatch: back to the pool with a new take window."""

        TOPIC = "sishuang:Order.Reopened"
        reason: str
        take_deadline: datetime
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.POSTED
            order.member_id = None
            order.applicants = []
            order.take_deadline = self.take_deadline
            order.overdue_deadline = None
            order.overdue = False
            order.reset_work()

    class MarkedOverdue(Event):
        TOPIC = "sishuang:Order.MarkedOverdue"

        def apply(self, order: Order) -> None:
            order.overdue = True

    class TakeWindowEnding(Event):
        """The take window ends within the reminder lead time (once per window)."""

        TOPIC = "sishuang:Order.TakeWindowEnding"
        take_deadline: datetime
        applicants: int

        def apply(self, order: Order) -> None:
            order.take_reminded_for = self.take_deadline

    class RatingWindowEnding(Event):
        """The rating window ends within the reminder lead time (once per window)."""

        TOPIC = "sishuang:Order.RatingWindowEnding"
        rate_deadline: datetime

        def apply(self, order: Order) -> None:
            order.rate_reminded_for = self.rate_deadline

    class FollowedUp(Event):
        TOPIC = "sishuang:Order.FollowedUp"
        method: FollowUpMethod
        outcome: str
        by: str

        def apply(self, order: Order) -> None:
            order.follow_ups += 1

    class Cancelled(Event):
        TOPIC = "sishuang:Order.Cancelled"
        reason: str
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.CANCELLED

    class Rejected(Event):
        TOPIC = "sishuang:Order.Rejected"
        reason: str
        by: str

        def apply(self, order: Order) -> None:
            order.status = S.REJECTED

    class FoundFalse(Event):
        """A closed order found false (a community correction or an inspection finding):
        its hours and points are reversed in the same write. The order stays closed."""

        TOPIC = "sishuang:Order.FoundFalse"
        reason: str
        found_by: str  # community | inspection
        hours_reversed: Decimal
        by: str

        def apply(self, order: Order) -> None:
            order.found_false = True

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        resident_id: UUID | None,
        requester_name: str,
        content: str,
        category: SkillCategory,
        urgency: Urgency,
        people_affected: int,
        grid_code: str | None,
        location: GeoPoint | None,
        preferred_time: str,
        photos: tuple[str, ...],
        source: NeedSource,
        take_deadline: datetime,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.resident_id = resident_id
        self.category = category
        self.urgency = urgency
        self.found_false = False
        self.location = location
        self.posted_by = by
        self.take_deadline = take_deadline
        self.status = S.POSTED
        self.applicants: list[UUID] = []
        self.member_id: UUID | None = None
        self.assignee: tuple[str, UUID | None, str] | None = None
        self.overdue_deadline: datetime | None = None
        self.overdue = False
        self.follow_ups = 0
        self.dispatches = 0
        self.checked_in_at: datetime | None = None
        self.evidence: list[tuple[str, PhotoKind]] = []
        self.claimed_hours: Decimal | None = None
        self.rate_deadline: datetime | None = None
        self.rating: tuple[int, Solved] | None = None
        self.hours_credited: Decimal | None = None
        self.take_reminded_for: datetime | None = None
        self.rate_reminded_for: datetime | None = None

    def reset_work(self) -> None:
        self.checked_in_at = None
        self.evidence = []
        self.claimed_hours = None
        self.rate_deadline = None
        self.rating = None

    # -- the state machine --------------------------------------------------------------

    def _step(self, step: str) -> OrderStatus:
        try:
            return TRANSITIONS[(self.status, step)]
        except KeyError:
            raise Conflict(
                f"order_is_{self.status.code}",
                f"该需求当前状态为“{self.status.label}”，不能{STEP_LABELS.get(step, step)}",
                f"the order is {self.status.code}: {step} is not allowed",
                status=self.status.code,
            ) from None

    def _require_member(self, member_id: UUID) -> None:
        if self.member_id != member_id:
            raise Forbidden(
                "not_assigned_member", "该需求未派给您", "this order is not assigned to you"
            )

    # -- decisions -----------------------------------------------------------------------

    @classmethod
    def post(
        cls,
        order_id: UUID,
        *,
        county_id: UUID,
        community_id: UUID,
        resident_id: UUID | None,
        requester_name: str,
        content: str,
        category: SkillCategory,
        urgency: Urgency,
        people_affected: int,
        grid_code: str | None,
        location: GeoPoint | None,
        preferred_time: str,
        photos: tuple[str, ...],
        source: NeedSource,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> Order:
        if not isinstance(people_affected, int) or not 1 <= people_affected <= 100_000:
            raise InvalidInput(
                "invalid_people_affected",
                "涉及人数应为 1 到 100000 之间的整数",
                "people affected must be between 1 and 100000",
            )
        return cls._create(
            cls.Posted,
            id=order_id,
            county_id=county_id,
            community_id=community_id,
            resident_id=resident_id,
            requester_name=requester_name,
            content=content,
            category=category,
            urgency=urgency,
            people_affected=people_affected,
            grid_code=grid_code,
            location=location,
            preferred_time=preferred_time,
            photos=photos,
            source=source,
            take_deadline=now + timedelta(days=policy.take_window_days),
            by=by,
            timestamp=now,
        )

    def request_take(self, member_id: UUID, note: str, now: datetime) -> None:
        self._step("request_take")
        if now >= self.take_deadline:
            raise Conflict("take_window_closed", "接单申请期已过", "the take window has closed")
        if member_id in self.applicants:
            raise Conflict("already_applied", "您已申请过该需求", "you have already applied")
        self.trigger_event(self.TakeRequested, member_id=member_id, note=note, timestamp=now)

    def dispatch(self, member_id: UUID, policy: Policy, by: str, now: datetime) -> None:
        self._step("dispatch")
        self.trigger_event(
            self.Dispatched,
            member_id=member_id,
            from_applicants=member_id in self.applicants,
            overdue_deadline=now + timedelta(days=policy.overdue_days),
            by=by,
            timestamp=now,
        )

    def mark_unclaimed(self, now: datetime) -> bool:
        """Sweep: the take window passed and nobody applied. Returns whether it fired."""
        if (
            (self.status, "mark_unclaimed") in TRANSITIONS
            and now >= self.take_deadline
            and not self.applicants
        ):
            self.trigger_event(self.MarkedUnclaimed, timestamp=now)
            return True
        return False

    def record_joint_meeting(
        self,
        assignee_kind: str,
        assignee_id: UUID | None,
        assignee_name: str,
        note: str,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> None:
        if assignee_kind not in ("member", "unit", "team"):
            raise InvalidInput(
                "invalid_assignee",
                "交办对象应为党员、单位或攻坚组",
                "assignee: member, unit or team",
            )
        self._step(f"escalate_to_{assignee_kind}")
        self.trigger_event(
            self.JointMeetingDecided,
            assignee_kind=assignee_kind,
            assignee_id=assignee_id,
            assignee_name=assignee_name,
            note=note,
            overdue_deadline=now + timedelta(days=policy.overdue_days),
            by=by,
            timestamp=now,
        )

    def accept(self, member_id: UUID, now: datetime) -> None:
        self._require_member(member_id)  # first: refusing a stranger reveals no state
        self._step("accept")
        self.trigger_event(self.Accepted, member_id=member_id, timestamp=now)

    def decline(self, member_id: UUID, reason: str, now: datetime) -> None:
        self._require_member(member_id)  # first: refusing a stranger reveals no state
        self._step("decline")
        self.trigger_event(self.Declined, member_id=member_id, reason=reason, timestamp=now)

    def check_in(self, member_id: UUID, point: GeoPoint, policy: Policy, now: datetime) -> None:
        self._require_member(member_id)  # first: refusing a stranger reveals no state
        self._step("check_in")
        distance = None if self.location is None else distance_m(self.location, point)
        self.trigger_event(
            self.CheckedIn,
            member_id=member_id,
            point=point,
            distance_m=distance,
            flagged=distance is not None and distance > policy.checkin_radius_m,
            timestamp=now,
        )

    def attach_photo(
        self,
        member_id: UUID,
        sha256: str,
        kind: PhotoKind,
        duplicate_of: UUID | None,
        now: datetime,
    ) -> None:
        self._require_member(member_id)  # first: refusing a stranger reveals no state
        self._step("attach_photo")
        if (sha256, kind) in self.evidence:
            return
        used_as = next((k for digest, k in self.evidence if digest == sha256), None)
        if used_as is not None:
            raise Conflict(
                "photo_already_used",
                f"这张照片已作为“{used_as.label}”照片上传，不能再作为“{kind.label}”照片；"
                "请另拍一张",
                f"this photo is already the order's {used_as.code} photo",
                used_as=used_as.code,
            )
        self.trigger_event(
            self.PhotoAttached,
            sha256=sha256,
            kind=kind,
            duplicate_of=duplicate_of,
            member_id=member_id,
            timestamp=now,
        )

    def claim(
        self, member_id: UUID, hours: Decimal, note: str, policy: Policy, now: datetime
    ) -> None:
        """申请结单: after check-in and before/after photos; hours within the cap."""
        self._require_member(member_id)  # first: refusing a stranger reveals no state
        self._step("claim")
        if self.checked_in_at is None:
            raise Conflict("check_in_first", "请先到场签到", "check in at the place first")
        kinds = {kind for _, kind in self.evidence}
        if not {PhotoKind.BEFORE, PhotoKind.AFTER} <= kinds:
            raise Conflict(
                "before_after_photos_required",
                "申请结单前请上传服务前、服务后照片",
                "upload a before and an after photo first",
            )
        elapsed = Decimal((now - self.checked_in_at).total_seconds()) / Decimal(3600)
        cap = min(elapsed, Decimal(policy.max_hours_per_order))
        if hours <= 0 or hours > cap:
            raise InvalidInput(
                "hours_out_of_range",
                f"服务时长应大于 0 且不超过签到至今的 {hours_text(cap)} 小时",
                f"hours must be > 0 and at most {hours_text(cap)} (time since check-in)",
                maximum=hours_text(cap),
            )
        if not on_step(hours, policy.hours_step):
            step = hours_text(policy.hours_step)
            raise InvalidInput(
                "hours_off_step",
                f"服务时长以 {step} 小时为单位填写（如 {hours_text(policy.hours_step * 5)}），"
                f"请改为 {step} 的整数倍",
                f"hours are claimed in steps of {step} h",
                step=step,
            )
        hours = hours.quantize(HOURS_PLACES)
        self.trigger_event(
            self.CompletionClaimed,
            member_id=member_id,
            hours=hours,
            note=note,
            rate_deadline=now + timedelta(hours=policy.rating_window_hours),
            timestamp=now,
        )

    def rate(
        self, stars: int, comment: str, solved: Solved, policy: Policy, by: str, now: datetime
    ) -> None:
        if not isinstance(stars, int) or not 1 <= stars <= 5:
            raise InvalidInput("invalid_stars", "评价应为 1 到 5 星", "stars must be 1 to 5")
        satisfied = stars >= policy.satisfied_min_stars
        self._step("rate_satisfied" if satisfied else "rate_unsatisfied")
        assert self.rate_deadline is not None
        if now >= self.rate_deadline:
            raise Conflict("rating_window_closed", "评价期已过", "the rating window has closed")
        self.trigger_event(
            self.Rated,
            stars=stars,
            comment=comment,
            solved=solved,
            satisfied=satisfied,
            by=by,
            timestamp=now,
        )
        if satisfied:
            self._close("satisfied", self.claimed_hours or Decimal(0), "", by, now)

    def _close(self, outcome: str, hours: Decimal, reason: str, by: str, now: datetime) -> None:
        self.trigger_event(
            self.Closed,
            outcome=outcome,
            member_id=self.member_id,
            hours_credited=hours,
            reason=reason,
            by=by,
            timestamp=now,
        )

    def close_unrated(self, now: datetime) -> bool:
        """Sweep: no rating within the window: closes, not counted as satisfied."""
        if self.status is S.COMPLETION_CLAIMED and self.rate_deadline and now >= self.rate_deadline:
            self._step("close_unrated")
            self._close("unrated", self.claimed_hours or Decimal(0), "", "system:sweep", now)
            return True
        return False

    def return_to_member(self, reason: str, policy: Policy, by: str, now: datetime) -> None:
        self._step("return_to_member")
        assert self.member_id is not None
        self.trigger_event(
            self.ReturnedToMember,
            member_id=self.member_id,
            reason=reason,
            overdue_deadline=now + timedelta(days=policy.overdue_days),
            by=by,
            timestamp=now,
        )

    def return_to_pool(self, reason: str, policy: Policy, by: str, now: datetime) -> None:
        self._step("return_to_pool")
        self.trigger_event(
            self.Reopened,
            reason=reason,
            take_deadline=now + timedelta(days=policy.take_window_days),
            by=by,
            timestamp=now,
        )

    def close_with_reason(self, reason: str, credit_hours: bool, by: str, now: datetime) -> None:
        self._step("close_with_reason")
        hours = (self.claimed_hours or Decimal(0)) if credit_hours else Decimal(0)
        self._close("closed_by_community", hours, reason, by, now)

    def mark_overdue(self, now: datetime) -> bool:
        """Sweep: not done by the overdue deadline (14 days after dispatch by default)."""
        if (
            not self.overdue
            and (self.status, "mark_overdue") in TRANSITIONS
            and self.overdue_deadline is not None
            and now >= self.overdue_deadline
        ):
            self.trigger_event(self.MarkedOverdue, timestamp=now)
            return True
        return False

    def remind_take_window(self, policy: Policy, now: datetime) -> bool:
        """Sweep: the take window of a posted need ends within the lead time; recorded
        once per window. Returns whether it fired."""
        lead = timedelta(hours=policy.take_window_reminder_hours)
        if (
            self.status is S.POSTED
            and policy.take_window_reminder_hours > 0
            and self.take_reminded_for != self.take_deadline
            and self.take_deadline - lead <= now < self.take_deadline
        ):
            self.trigger_event(
                self.TakeWindowEnding,
                take_deadline=self.take_deadline,
                applicants=len(self.applicants),
                timestamp=now,
            )
            return True
        return False

    def remind_rating_window(self, policy: Policy, now: datetime) -> bool:
        """Sweep: the rating window ends within the lead time; recorded once per window."""
        lead = timedelta(hours=policy.rating_window_reminder_hours)
        if (
            self.status is S.COMPLETION_CLAIMED
            and policy.rating_window_reminder_hours > 0
            and self.rate_deadline is not None
            and self.rate_reminded_for != self.rate_deadline
            and self.rate_deadline - lead <= now < self.rate_deadline
        ):
            self.trigger_event(
                self.RatingWindowEnding, rate_deadline=self.rate_deadline, timestamp=now
            )
            return True
        return False

    def follow_up(self, method: FollowUpMethod, outcome: str, by: str, now: datetime) -> None:
        self._step("follow_up")
        if not self.overdue:
            raise Conflict("not_overdue", "该需求未超期，无需跟进", "the order is not overdue")
        self.trigger_event(self.FollowedUp, method=method, outcome=outcome, by=by, timestamp=now)

    def cancel(self, reason: str, by: str, now: datetime) -> None:
        self._step("cancel")
        self.trigger_event(self.Cancelled, reason=reason, by=by, timestamp=now)

    def reject(self, reason: str, by: str, now: datetime) -> None:
        self._step("reject")
        if not reason.strip():
            raise InvalidInput(
                "reason_required", "驳回需求必须说明理由", "a rejection needs a reason"
            )
        self.trigger_event(self.Rejected, reason=reason, by=by, timestamp=now)

    def find_false(self, reason: str, found_by: str, by: str, now: datetime) -> None:
        if self.status is not S.CLOSED:
            raise Conflict(
                "order_not_closed",
                "只有已办结的需求才能核定为虚假",
                "only a closed order can be found false",
            )
        if self.found_false:
            raise Conflict("already_found_false", "该需求已核定为虚假", "already found false")
        if not reason:
            raise InvalidInput("reason_required", "核定虚假必须说明理由", "a reason is required")
        self.trigger_event(
            self.FoundFalse,
            reason=reason,
            found_by=found_by,
            hours_reversed=self.hours_credited or Decimal(0),
            by=by,
            timestamp=now,
        )
