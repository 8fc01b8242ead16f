"""Commands of the order loop (群众点单—社区派单—党员接单—评价跟单), residents, and an
order found false (核定虚假). The order's rules live in domain.order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.account_commands import NewSession, registration_grant
from domain.actors import Actor, Role
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.order import Order
from domain.reservation import Reservation, reservation_id
from domain.resident import Resident
from domain.service import Once, Result, Service
from domain.values import (
    FollowUpMethod,
    MemberStatus,
    NeedSource,
    PhotoKind,
    SkillCategory,
    Solved,
    Urgency,
    clean_line,
    clean_name,
    clean_phone,
    clean_point,
    clean_sha256,
    clean_text,
    to_decimal,
)

SYSTEM = Actor(Role.OPERATOR, "sweep")


@dataclass(frozen=True)
class NeedInput:
    content: str
    category: str
    urgency: str = "normal"
    people_affected: int = 1
    grid_code: str | None = None
    lat: object | None = None
    lon: object | None = None
    preferred_time: str = ""
    photos: Sequence[str] = ()
    source: str | None = None
    resident_id: UUID | None = None
    requester_name: str = ""


class OrderCommands(Service):
    # -- residents ------------------------------------------------------------------------

    def register_resident(
        self,
        actor: Actor,
        *,
        community_id: UUID,
        name: str,
        phone: str = "",
        address: str = "",
        grid_code: str | None = None,
        idempotency_key: str | None = None,
        account_id: UUID | None = None,
        session: NewSession | None = None,
    ) -> Result:
        """A resident registers in the app, or a grid worker registers them (phone optional).
        `account_id`: the phone account that proved the phone (a resident's own
        registration; the API requires one): it gains the resident's grant, and `session`
        a session for it, in the same write."""
        on_behalf = actor.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN)
        if on_behalf:
            access.require_community_staff_or_grid(actor, community_id)
        name = clean_name(name, "姓名")
        phone = clean_phone(phone) if (phone or not on_behalf) else ""
        address = clean_line(address, "住址")
        payload = {"community": community_id, "name": name, "phone": phone, "address": address}

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            grid = community.require_grid(grid_code)
            new_id = uuid4()
            resident = Resident.register(
                new_id,
                county_id=community.county_id,
                community_id=community_id,
                grid_code=grid,
                name=name,
                phone=phone,
                address=address,
                by=actor.ref,
                now=self.clock.now(),
            )
            out: list[Aggregate] = [resident]
            if not on_behalf:
                place = (community.county_id, community_id)
                out += registration_grant(
                    self,
                    account_id,
                    phone,
                    (Role.RESIDENT, community_id, str(new_id)),
                    place,
                    session,
                )
            if phone:
                out.append(
                    self._claim_unique(
                        f"resident-phone|{community_id}|{phone}",
                        "resident-phone",
                        new_id,
                        Conflict(
                            "duplicate_resident",
                            "该手机号已在本社区登记",
                            "this phone is already registered in the community",
                        ),
                    )
                )
            return new_id, out

        return self._create(actor, "register_resident", idempotency_key, payload, build)

    # -- 群众点单 -------------------------------------------------------------------------

    def post_need(
        self, actor: Actor, need: NeedInput, *, idempotency_key: str | None = None
    ) -> Result:
        content = clean_text(need.content, "需求内容", required=True)
        category = SkillCategory.from_code(need.category)
        urgency = Urgency.from_code(need.urgency)
        photos = tuple(dict.fromkeys(clean_sha256(p) for p in need.photos))
        location = None
        if need.lat is not None or need.lon is not None:
            location = clean_point(need.lat, need.lon)
        preferred_time = clean_line(need.preferred_time, "期望时间")
        requester_name = clean_line(need.requester_name, "求助人")
        if actor.role is Role.RESIDENT:
            resident_id: UUID | None = access.resident_id(actor)
            source = NeedSource.from_code(need.source or NeedSource.APP.code)
            if source is not NeedSource.APP:
                raise InvalidInput(
                    "source_not_for_residents",
                    f"居民本人点单的来源是“{NeedSource.APP.label}”；"
                    f"“{source.label}”由网格员或社区代为登记",
                    f"a resident's own need comes from the app, not {source.code}",
                )
        elif actor.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN):
            resident_id = need.resident_id
            source = NeedSource.from_code(need.source or NeedSource.VISIT.code)
            if source is NeedSource.APP:
                raise InvalidInput(
                    "source_for_residents_only",
                    f"“{NeedSource.APP.label}”是居民本人在手机上点单；代为登记请选择"
                    + "、".join(f"“{s.label}”" for s in NeedSource if s is not NeedSource.APP),
                    "the app is the resident's own channel: choose visit, wechat, council "
                    "or wish_card",
                )
            if resident_id is None and not requester_name:
                raise InvalidInput(
                    "requester_required",
                    "代发需求请选择居民或填写求助人姓名",
                    "name the resident the need is posted for",
                )
        else:
            raise Forbidden("forbidden_role", "当前身份不能发布需求", "this role cannot post needs")
        payload = {
            "need": need.__dict__ | {"photos": photos, "resident_id": resident_id},
        }

        def build() -> tuple[UUID, list[Aggregate]]:
            now = self.clock.now()
            if resident_id is not None:
                resident = self.resident(resident_id)
                community_id = resident.community_id
                name = resident.name
                if actor.role is not Role.RESIDENT:
                    access.require_community_staff_or_grid(actor, community_id)
            else:
                if actor.scope_id is None:
                    raise Forbidden(
                        "no_scope", "登录凭证未指定社区", "the token names no community"
                    )
                community_id = actor.scope_id
                name = requester_name
            community = self.community(community_id)
            grid = community.require_grid(need.grid_code)
            policy = self.policy(community.county_id)
            order_id = uuid4()
            order = Order.post(
                order_id,
                county_id=community.county_id,
                community_id=community_id,
                resident_id=resident_id,
                requester_name=name or requester_name,
                content=content,
                category=category,
                urgency=urgency,
                people_affected=need.people_affected,
                grid_code=grid,
                location=location,
                preferred_time=preferred_time,
                photos=photos,
                source=source,
                policy=policy,
                by=actor.ref,
                now=now,
            )
            return order_id, [order]

        return self._create(actor, "post_need", idempotency_key, payload, build)

    def request_take(self, actor: Actor, order_id: UUID, note: str = "") -> Result:
        member_id = access.member_scope(actor)
        note = clean_text(note, "申请说明")

        def decide(order: Order) -> None:
            self._approved_member_of(member_id, order.community_id)
            order.request_take(member_id, note, self.clock.now())

        return self._decide(self.order, order_id, decide)

    def dispatch(self, actor: Actor, order_id: UUID, member_id: UUID) -> Result:
        def decide(order: Order) -> None:
            if order.assignee and order.assignee[0] == "unit" and actor.role is Role.UNIT_ADMIN:
                # A need the joint meeting gave to a unit: the unit picks one of its members.
                if actor.scope_id != order.assignee[1]:
                    raise Forbidden(
                        "not_your_unit", "该需求未交办给本单位", "not given to your unit"
                    )
                member = self.member(member_id)
                if member.unit_id != actor.scope_id or member.status is not MemberStatus.APPROVED:
                    raise Conflict(
                        "member_not_in_unit",
                        "该党员不是本单位已报到党员",
                        "not a member of your unit",
                    )
            else:
                access.require_community_staff(actor, order.community_id)
                self._approved_member_of(member_id, order.community_id)
            order.dispatch(member_id, self.policy(order.county_id), actor.ref, self.clock.now())

        return self._decide(self.order, order_id, decide)

    def record_joint_meeting(
        self,
        actor: Actor,
        order_id: UUID,
        *,
        assignee_kind: str,
        assignee_id: UUID | None = None,
        assignee_name: str = "",
        note: str = "",
    ) -> Result:
        """大党委 joint meeting's decision on an unclaimed need: a member, a unit or a team."""
        note = clean_text(note, "会议意见")

        def decide(order: Order) -> None:
            access.require_community_staff(actor, order.community_id)
            name = clean_line(assignee_name, "交办对象")
            if assignee_kind == "member":
                if assignee_id is None:
                    raise InvalidInput("assignee_required", "请选择党员", "choose a member")
                name = self._approved_member_of(assignee_id, order.community_id).name
            elif assignee_kind == "unit":
                if assignee_id is None:
                    raise InvalidInput("assignee_required", "请选择单位", "choose a unit")
                unit = self.unit(assignee_id)
                if order.community_id not in unit.paired:
                    raise Conflict(
                        "unit_not_paired",
                        "该单位不是本社区的结对单位",
                        "the unit is not paired here",
                    )
                name = unit.name
            elif assignee_kind == "team" and not name:
                raise InvalidInput("assignee_required", "请填写攻坚组名称", "name the team")
            order.record_joint_meeting(
                assignee_kind,
                assignee_id,
                name,
                note,
                self.policy(order.county_id),
                actor.ref,
                self.clock.now(),
            )

        return self._decide(self.order, order_id, decide)

    def accept(self, actor: Actor, order_id: UUID) -> Result:
        member_id = access.member_scope(actor)
        return self._decide(
            self.order, order_id, lambda order: order.accept(member_id, self.clock.now())
        )

    def decline(self, actor: Actor, order_id: UUID, reason: str) -> Result:
        member_id = access.member_scope(actor)
        reason = clean_text(reason, "拒单理由", required=True)
        return self._decide(
            self.order, order_id, lambda order: order.decline(member_id, reason, self.clock.now())
        )

    def check_in(
        self,
        actor: Actor,
        order_id: UUID,
        lat: object,
        lon: object,
        *,
        idempotency_key: str | None = None,
    ) -> Result:
        """A check-in may be repeated (the member moved); a retried one is not: with an
        idempotency key the retry returns the first result and records nothing."""
        member_id = access.member_scope(actor)
        point = clean_point(lat, lon)
        once = Once.of(actor, "check_in", idempotency_key, {"order": order_id, "at": point})
        return self._decide(
            self.order,
            order_id,
            lambda order: order.check_in(
                member_id, point, self.policy(order.county_id), self.clock.now()
            ),
            once,
        )

    def attach_photo(self, actor: Actor, order_id: UUID, sha256: str, kind: str) -> Result:
        """Photos are content-addressed: a photo already used on another order is flagged."""
        member_id = access.member_scope(actor)
        digest = clean_sha256(sha256)
        photo_kind = PhotoKind.from_code(kind)

        def decide(order: Order) -> list[Aggregate]:
            key = f"photo|{digest}"
            claim = self._find(Reservation, reservation_id(key))
            duplicate_of = None
            extra: list[Aggregate] = []
            if claim is None:
                extra.append(Reservation.reserve(key, "photo", order_id, "", self.clock.now()))
            elif claim.owner_id != order_id:
                duplicate_of = claim.owner_id
            order.attach_photo(member_id, digest, photo_kind, duplicate_of, self.clock.now())
            return extra if order.pending_events else []

        return self._decide(self.order, order_id, decide)

    def claim_completion(
        self, actor: Actor, order_id: UUID, hours: object, note: str = ""
    ) -> Result:
        member_id = access.member_scope(actor)
        spent = to_decimal(hours, "服务时长")
        note = clean_text(note, "结单说明")
        return self._decide(
            self.order,
            order_id,
            lambda order: order.claim(
                member_id, spent, note, self.policy(order.county_id), self.clock.now()
            ),
        )

    # -- 评价跟单 -------------------------------------------------------------------------

    def rate(
        self, actor: Actor, order_id: UUID, *, stars: int, comment: str = "", solved: str
    ) -> Result:
        comment = clean_text(comment, "评价内容")
        solved_value = Solved.from_code(solved)

        def decide(order: Order) -> None:
            if actor.role is Role.RESIDENT:
                if order.resident_id is None or access.resident_id(actor) != order.resident_id:
                    raise Forbidden(
                        "not_your_order", "只能评价本人发布的需求", "you did not post this need"
                    )
            elif actor.role is Role.GRID_WORKER:
                if actor.scope_id != order.community_id:
                    raise Forbidden(
                        "not_your_community", "只能代本社区居民评价", "not your community"
                    )
            else:
                raise Forbidden(
                    "forbidden_role", "只有求助居民或网格员可以评价", "only the resident rates"
                )
            order.rate(
                stars,
                comment,
                solved_value,
                self.policy(order.county_id),
                actor.ref,
                self.clock.now(),
            )

        return self._decide(self.order, order_id, decide)

    def decide_low_rating(
        self,
        actor: Actor,
        order_id: UUID,
        *,
        decision: str,
        reason: str,
        credit_hours: bool = False,
    ) -> Result:
        """返单 to the same member, back to the pool for re-dispatch, or close with a reason."""
        reason = clean_text(reason, "处理意见", required=True)

        def decide(order: Order) -> None:
            access.require_community_staff(actor, order.community_id)
            policy = self.policy(order.county_id)
            now = self.clock.now()
            if decision == "return_to_member":
                order.return_to_member(reason, policy, actor.ref, now)
            elif decision == "return_to_pool":
                order.return_to_pool(reason, policy, actor.ref, now)
            elif decision == "close":
                order.close_with_reason(reason, credit_hours, actor.ref, now)
            else:
                raise InvalidInput(
                    "invalid_decision",
                    "处理方式应为返单给原党员、重新派单或结单",
                    "decision: return_to_member, return_to_pool or close",
                )

        return self._decide(self.order, order_id, decide)

    def follow_up(self, actor: Actor, order_id: UUID, *, method: str, outcome: str) -> Result:
        method_value = FollowUpMethod.from_code(method)
        outcome = clean_text(outcome, "跟进结果", required=True)

        def decide(order: Order) -> None:
            access.require_community_staff(actor, order.community_id)
            order.follow_up(method_value, outcome, actor.ref, self.clock.now())

        return self._decide(self.order, order_id, decide)

    def cancel_need(self, actor: Actor, order_id: UUID, reason: str = "") -> Result:
        reason = clean_text(reason, "撤销理由")

        def decide(order: Order) -> None:
            if actor.role is Role.RESIDENT:
                if order.resident_id is None or access.resident_id(actor) != order.resident_id:
                    raise Forbidden(
                        "not_your_order", "只能撤销本人发布的需求", "you did not post this need"
                    )
            else:
                access.require_community_staff_or_grid(actor, order.community_id)
            order.cancel(reason, actor.ref, self.clock.now())

        return self._decide(self.order, order_id, decide)

    def reject_need(self, actor: Actor, order_id: UUID, reason: str) -> Result:
        reason = clean_text(reason, "驳回理由")

        def decide(order: Order) -> None:
            access.require_community_staff(actor, order.community_id)
            order.reject(reason, actor.ref, self.clock.now())

        return self._decide(self.order, order_id, decide)

    # -- deadlines ------------------------------------------------------------------------

    def sweep(self, order_ids: Sequence[UUID]) -> dict[str, int]:
        """Turn passed deadlines into events: unclaimed after the take window, closed
        unrated after the rating window, overdue after the overdue window. The ids come
        from the read model's list of open orders; each order decides for itself."""
        counts = {"unclaimed": 0, "closed_unrated": 0, "overdue": 0}
        for order_id in order_ids:
            for what in self._sweep_one(order_id):
                counts[what] += 1
        return counts

    def _sweep_one(self, order_id: UUID) -> list[str]:
        fired: list[str] = []

        def decide(order: Order) -> None:
            fired.clear()  # a retried attempt decides afresh
            now = self.clock.now()
            if order.mark_unclaimed(now):
                fired.append("unclaimed")
            if order.close_unrated(now):
                fired.append("closed_unrated")
            if order.mark_overdue(now):
                fired.append("overdue")

        try:
            self._decide(self.order, order_id, decide)
        except Conflict:
            return []
        return fired

    def sweep_reminders(self, order_ids: Sequence[UUID]) -> dict[str, int]:
        """Record the reminders due before a deadline passes: the take window and the
        rating window end within their lead times (policy). The ids come from the
        outbox's list of candidates; each order decides, once per window."""
        counts = {"take_window_ending": 0, "rating_window_ending": 0}
        for order_id in order_ids:
            for what in self._remind_one(order_id):
                counts[what] += 1
        return counts

    def _remind_one(self, order_id: UUID) -> list[str]:
        fired: list[str] = []

        def decide(order: Order) -> None:
            fired.clear()  # a retried attempt decides afresh
            now = self.clock.now()
            policy = self.policy(order.county_id)
            if order.remind_take_window(policy, now):
                fired.append("take_window_ending")
            if order.remind_rating_window(policy, now):
                fired.append("rating_window_ending")

        try:
            self._decide(self.order, order_id, decide)
        except (Conflict, NotFound):
            return []
        return fired

    # -- reversal ------------------------------------------------------------------------

    def find_order_false(
        self, actor: Actor, order_id: UUID, reason: str, *, found_by: str = "community"
    ) -> Result:
        """A closed order found false: the order records it, and its member's hours and
        points are reversed, in one write."""
        reason = clean_text(reason, "核定理由", required=True)
        if found_by not in ("community", "inspection"):
            raise InvalidInput("invalid_found_by", "核定来源无效", "found_by: community|inspection")

        def decide(order: Order) -> list[Aggregate]:
            if found_by == "inspection":
                access.require_role(actor, Role.INSPECTOR)
                access.require_county(actor, order.county_id)
            else:
                access.require_community_staff(actor, order.community_id)
            return self._found_false(order, reason, found_by, actor, self.clock.now())

        return self._decide(self.order, order_id, decide)
