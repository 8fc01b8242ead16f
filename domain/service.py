"""The shared base of every command group: load, decide, save, with idempotency and
optimistic retries.

Every command method (the groups in domain/*_commands.py, composed into one
application by domain.application) takes the acting Actor first, checks scope
(domain.access), loads the aggregates it needs, lets them decide with the county's
Policy, and saves all resulting events in one atomic write through `_decide` or
`_create`. A command that raises records nothing.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Transcoder

from domain import access
from domain.activity import Activity
from domain.actors import Actor, Role
from domain.calendar import business_date
from domain.clock import Clock
from domain.community import Community
from domain.county import County
from domain.draw_hashes import directory_id
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.inspection_plan import InspectionPlan
from domain.inspectors import Inspector
from domain.member import Member
from domain.order import OUTCOME_LABELS, Order
from domain.points import (
    CatalogueItem,
    Partner,
    PointsAccount,
    Redemption,
    SourceKind,
    account_id,
)
from domain.policies import Policy
from domain.reservation import Reservation, reservation_id
from domain.resident import Resident
from domain.target_directory import TargetDirectory
from domain.transcoder import OrjsonTranscoder, encode_value
from domain.unit import Unit
from domain.values import (
    MemberStatus,
    Urgency,
)

A = TypeVar("A", bound=Aggregate)


MAX_ATTEMPTS = 8  # optimistic-concurrency retries: reload, re-decide, save again


BACKOFF_SECONDS = 0.005  # first back-off bound; doubles with each retry (max ~0.6 s)


@dataclass(frozen=True)
class Result:
    """What a command did: the thing it is about, and the log position it reached."""

    id: UUID
    position: int | None  # notification id of the last event written; None: nothing written
    replayed: bool = False  # an idempotent retry: the first result, nothing new recorded
    details: dict[str, Any] = field(default_factory=dict)
    # When the command was decided (a retry: when the first was), and for a retry the
    # claim whose write the first answer reached (its log position: api.context).
    at: datetime | None = None
    claim_id: UUID | None = None


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(
        orjson.dumps(encode_value(payload), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def _check_idempotency_key(key: str) -> str:
    cleaned = key.strip()
    if not 1 <= len(cleaned) <= 128 or not cleaned.isprintable():
        raise InvalidInput(
            "invalid_idempotency_key",
            "幂等键应为 1–128 个可打印字符",
            "an idempotency key is 1-128 printable characters",
        )
    return cleaned


@dataclass(frozen=True)
class Once:
    """A command done once per idempotency key: the key's claim (a Reservation) is saved
    in the same write as the command's events, so a retry after an answer that never
    arrived finds it and gets the first result, recording nothing."""

    key: str
    command: str
    fingerprint: str

    @classmethod
    def of(
        cls, actor: Actor, command: str, idempotency_key: str | None, payload: Any
    ) -> Once | None:
        if idempotency_key is None:
            return None
        key = f"idem|{actor.namespace}|{command}|{_check_idempotency_key(idempotency_key)}"
        return cls(key, command, fingerprint(payload))

    def replayed(self, service: Service) -> Result | None:
        """The first result, if this key was used; Conflict if for another request."""
        existing = service._find(Reservation, reservation_id(self.key))
        if existing is None:
            return None
        if existing.fingerprint != self.fingerprint:
            raise Conflict(
                "idempotency_key_reused",
                "该幂等键已用于另一内容不同的请求",
                "this idempotency key was used for a different request",
            )
        return Result(
            existing.owner_id,
            None,
            replayed=True,
            details=dict(existing.answer),
            at=existing.created_on,
            claim_id=existing.id,
        )

    def claim(self, owner_id: UUID, now: datetime, answer: dict[str, Any]) -> Reservation:
        """The key's claim, saved last in the command's write (so its log position is the
        write's) with what the command answered besides its id."""
        return Reservation.reserve(
            self.key, self.command, owner_id, self.fingerprint, now, answer=answer
        )


class Service(Application[UUID]):
    """Plumbing shared by every command group (domain.application composes them): the
    one load–decide–save–retry path, idempotency, unique claims, the aggregates by id,
    and the crediting that goes with every close."""

    name = "sishuang"  # pinned: PostgreSQL tables are named after it

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock) -> None:
        self.clock = clock
        super().__init__(env)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    # -- plumbing ------------------------------------------------------------------------

    def _save(self, *aggregates: Aggregate | None) -> int | None:
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=None)

    def _get(self, cls: type[A], aggregate_id: UUID, code: str, what_zh: str) -> A:
        aggregate: Any
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(code, f"{what_zh}不存在：{aggregate_id}", f"no such {code[8:]}")
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate as the log has it now, or None (for the API's scope checks)."""
        return self._find(cls, aggregate_id)

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        aggregate: Any
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _retrying(self, attempt: Callable[[], Result]) -> Result:
        """Run a decision; if another writer got there first, reload and decide again.

        Writers that collided back off for a short random while (growing with each
        try), so a crowd on one aggregate — many members applying for one need — drains
        instead of colliding again in lockstep.
        """
        for n in range(MAX_ATTEMPTS - 1):
            try:
                return attempt()
            except IntegrityError:
                time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**n))
        try:
            return attempt()
        except IntegrityError:
            raise Conflict(
                "concurrent_update",
                "数据正被他人同时修改，请稍后重试",
                "someone else changed this at the same moment; try again",
            ) from None

    def _create(
        self,
        actor: Actor,
        command: str,
        idempotency_key: str | None,
        payload: dict[str, Any],
        build: Callable[[], tuple[UUID, list[Aggregate]]],
        answer: dict[str, Any] | None = None,
    ) -> Result:
        """Create something; with an idempotency key a retry returns the first result.
        `answer`: filled by `build` with what the command answers besides the id."""
        return self._decide_once(Once.of(actor, command, idempotency_key, payload), build, answer)

    def _decide_once(
        self,
        once: Once | None,
        decide: Callable[[], tuple[UUID, list[Aggregate]]],
        answer: dict[str, Any] | None = None,
    ) -> Result:
        """Decide and save, retried on races. With an idempotency key (`once`) its claim
        is saved in the command's own write, with `answer` (what `decide` put there),
        and a retry of a command already done gets the first result and records nothing."""
        answered: dict[str, Any] = {} if answer is None else answer

        def attempt() -> Result:
            if once is not None and (replayed := once.replayed(self)) is not None:
                return replayed
            answered.clear()  # a retried attempt decides afresh
            owner_id, aggregates = decide()
            now = self.clock.now()
            if once is not None:
                aggregates = [*aggregates, once.claim(owner_id, now, answered)]
            return Result(owner_id, self._save(*aggregates), details=dict(answered), at=now)

        return self._retrying(attempt)

    def _decide(
        self,
        load: Callable[[UUID], A],
        aggregate_id: UUID,
        decide: Callable[[A], Iterable[Aggregate] | None],
        once: Once | None = None,
        *,
        about: UUID | None = None,
    ) -> Result:
        """The one load–decide–save–retry path of a command on an aggregate that exists:
        load it, let `decide(aggregate)` trigger its events (and return any other
        aggregates it changed), credit what closed in this write, save all in one write.
        A race reloads and decides again; with `once` (an idempotency key) a retry of a
        command already done returns the first result and records nothing. `about`: what
        the answer names when it is not the aggregate (a new evaluation, a meeting)."""

        def decided() -> tuple[UUID, list[Aggregate]]:
            aggregate = load(aggregate_id)
            others = list(decide(aggregate) or ())
            answer_id = aggregate_id if about is None else about
            return answer_id, [aggregate, *others, *self._credits(aggregate)]

        return self._decide_once(once, decided)

    def _claim_unique(self, key: str, kind: str, owner_id: UUID, conflict: Conflict) -> Reservation:
        """A new claim on a unique key, or Conflict if someone holds it."""
        if self._find(Reservation, reservation_id(key)) is not None:
            raise conflict
        return Reservation.reserve(key, kind, owner_id, "", self.clock.now())

    # -- the aggregates by id ------------------------------------------------------------

    def county(self, county_id: UUID) -> County:
        return self._get(County, county_id, "unknown_county", "县（区）")

    def community(self, community_id: UUID) -> Community:
        return self._get(Community, community_id, "unknown_community", "社区")

    def unit(self, unit_id: UUID) -> Unit:
        return self._get(Unit, unit_id, "unknown_unit", "单位")

    def member(self, member_id: UUID) -> Member:
        return self._get(Member, member_id, "unknown_member", "党员")

    def policy(self, county_id: UUID) -> Policy:
        return self.county(county_id).policy

    def county_by_code(self, code: str) -> County | None:
        claim = self._find(Reservation, reservation_id(f"county-code|{code}"))
        return None if claim is None else self._find(County, claim.owner_id)

    def county_of(self, actor: Actor) -> UUID:
        """The county whose policy applies to what this actor does."""
        if actor.role is Role.MEMBER:
            return self.member(access.member_scope(actor)).county_id
        if actor.role in (Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_ADMIN):
            if actor.scope_id is None:
                raise Forbidden("no_scope", "登录凭证未指定社区", "the token names no community")
            return self.community(actor.scope_id).county_id
        if actor.role is Role.UNIT_ADMIN and actor.scope_id is not None:
            return self.unit(actor.scope_id).county_id
        return access.county_reader_scope(actor)

    def order(self, order_id: UUID) -> Order:
        return self._get(Order, order_id, "unknown_order", "需求")

    def resident(self, resident_id: UUID) -> Resident:
        return self._get(Resident, resident_id, "unknown_resident", "居民")

    def activity(self, activity_id: UUID) -> Activity:
        return self._get(Activity, activity_id, "unknown_activity", "活动")

    def partner(self, partner_id: UUID) -> Partner:
        return self._get(Partner, partner_id, "unknown_partner", "合作商家")

    def item(self, item_id: UUID) -> CatalogueItem:
        return self._get(CatalogueItem, item_id, "unknown_item", "兑换项目")

    def redemption(self, redemption_id: UUID) -> Redemption:
        return self._get(Redemption, redemption_id, "unknown_redemption", "兑换记录")

    def points_account(self, member_id: UUID) -> PointsAccount | None:
        return self._find(PointsAccount, account_id(member_id))

    def inspector(self, inspector_id: UUID) -> Inspector:
        return self._get(Inspector, inspector_id, "unknown_inspector", "检查人员")

    def plan(self, plan_id: UUID) -> InspectionPlan:
        return self._get(InspectionPlan, plan_id, "unknown_plan", "抽查方案")

    def target_directory(self, plan_id: UUID) -> TargetDirectory:
        return self._get(
            TargetDirectory, directory_id(plan_id), "unknown_directory", "检查对象名录"
        )

    def _approved_member_of(self, member_id: UUID, community_id: UUID) -> Member:
        member = self.member(member_id)
        if member.status is not MemberStatus.APPROVED or member.community_id != community_id:
            raise Conflict(
                "member_not_in_community",
                "该党员未在本社区报到通过",
                "the member is not an approved member of this community",
            )
        return member

    # -- crediting: hours and points go with the close, in the same write -------------------

    def _credits(self, aggregate: Aggregate) -> list[Aggregate]:
        """Hours and points go with the close, in the same write, whichever command
        closed it: an order that closes credits its member, an activity list confirmed
        credits each attendee."""
        if isinstance(aggregate, Order):
            return self._credit_if_closed(aggregate)
        if isinstance(aggregate, Activity):
            return self._credit_if_confirmed(aggregate)
        return []

    def points_policy(self, community_id: UUID) -> Policy:
        """The policy for 积分: the county's, with the community's own points rules."""
        community = self.community(community_id)
        return community.policy(self.policy(community.county_id))

    def account(self, member: Member) -> PointsAccount:
        """The member's points account, opened (unsaved) on first use."""
        found = self._find(PointsAccount, account_id(member.id))
        if found is not None:
            return found
        return PointsAccount.open(
            member.id, member.county_id, member.community_id, member.unit_id, self.clock.now()
        )

    def _credit_if_closed(self, order: Order) -> list[Aggregate]:
        """An order that closes in this write credits its member's hours and points."""
        closed = [e for e in order.pending_events if isinstance(e, Order.Closed)]
        if not closed or closed[-1].member_id is None:
            return []
        event = closed[-1]
        assert event.member_id is not None
        account = self.account(self.member(event.member_id))
        stars, solved = order.rating if order.rating is not None else (None, None)
        policy = self.points_policy(order.community_id)
        account.earn(
            kind=SourceKind.ORDER,
            source_id=order.id,
            community_id=order.community_id,
            business_date=business_date(event.timestamp),
            hours=event.hours_credited,
            policy=policy,
            stars=stars,
            solved=solved,
            satisfied=None if stars is None else stars >= policy.satisfied_min_stars,
            urgent=order.urgency in (Urgency.URGENT, Urgency.CRITICAL),
            note=OUTCOME_LABELS.get(event.outcome, event.outcome),
            now=event.timestamp,
        )
        return [account]

    def _credit_if_confirmed(self, activity: Activity) -> list[Aggregate]:
        """A confirmed list credits each attendee's hours and points in the same write."""
        confirmed = [e for e in activity.pending_events if isinstance(e, Activity.ListConfirmed)]
        if not confirmed:
            return []
        event = confirmed[-1]
        policy = self.points_policy(activity.community_id)
        accounts: list[Aggregate] = []
        for member_id, hours in event.attendees:
            account = self.account(self.member(member_id))
            account.earn(
                kind=SourceKind.ACTIVITY,
                source_id=activity.id,
                community_id=activity.community_id,
                business_date=business_date(activity.starts_at),
                hours=hours,
                policy=policy,
                activity_kind=activity.kind.code,
                note=activity.title,
                now=event.timestamp,
            )
            accounts.append(account)
        return accounts

    def _found_false(
        self, order: Order, reason: str, found_by: str, actor: Actor, now: datetime
    ) -> list[Aggregate]:
        """The order records it was found false; its member's hours and points are
        reversed. Returns the points account to save with the order (or nothing)."""
        order.find_false(reason, found_by, actor.ref, now)
        if order.member_id is None:
            return []
        account = self.points_account(order.member_id)
        if account is None or not account.reverse(
            SourceKind.ORDER, order.id, reason, actor.ref, now
        ):
            return []
        account.follow_volunteer_stars(self.points_policy(order.community_id), now)
        return [account]
