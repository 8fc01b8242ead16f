"""Commands of 双评价 and 积分: evaluations, the quarterly check, stars, the catalogue,
redemptions and reversals. Hours and points of orders and activities are credited by
the order and activity commands themselves (OrderService._credit_if_closed,
ActivityService._credit_if_confirmed), in the write that closes or confirms."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.activities import ActivityService
from domain.actors import Actor, Role
from domain.calendar import business_date, quarter_end
from domain.clock import Clock
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.evaluation import Star
from domain.order import Order
from domain.points import (
    CatalogueItem,
    ItemKind,
    Partner,
    PartnerKind,
    PointsAccount,
    Redemption,
    SourceKind,
    account_id,
)
from domain.reservation import Reservation, reservation_id
from domain.service import Result
from domain.values import MemberStatus, clean_line, clean_name, clean_text

CODE_DIGITS = 8  # a redemption code the partner types: 8 digits, 10^8 per partner
CODE_ATTEMPTS = 5


def random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class EvaluationService(ActivityService):
    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock,
        codes: Callable[[], str] = random_code,
    ) -> None:
        self.codes = codes
        super().__init__(env, clock=clock)

    # -- lookups -----------------------------------------------------------------------

    def partner(self, partner_id: UUID) -> Partner:
        return self._get(Partner, partner_id, "unknown_partner", "合作商家")

    def item(self, item_id: UUID) -> CatalogueItem:
        return self._get(CatalogueItem, item_id, "unknown_item", "兑换项目")

    def redemption(self, redemption_id: UUID) -> Redemption:
        return self._get(Redemption, redemption_id, "unknown_redemption", "兑换记录")

    def points_account(self, member_id: UUID) -> PointsAccount | None:
        return self._find(PointsAccount, account_id(member_id))

    # -- the community's points rules, partners and catalogue --------------------------

    def set_points_rules(
        self, actor: Actor, community_id: UUID, overrides: dict[str, Any], reason: str = ""
    ) -> Result:
        access.require_community_staff(actor, community_id)
        reason = clean_text(reason, "调整理由")

        def attempt() -> Result:
            community = self.community(community_id)
            community.set_points_rules(
                overrides, self.policy(community.county_id), reason, actor.ref, self.clock.now()
            )
            return Result(community_id, self._save(community))

        return self._retrying(attempt)

    def register_partner(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        name: str,
        kind: str,
        contact: str = "",
        idempotency_key: str | None = None,
    ) -> Result:
        access.require_community_staff(actor, community_id)
        name = clean_name(name, "合作商家名称")
        kind_value = PartnerKind.from_code(kind)
        contact = clean_line(contact, "联系方式")
        payload = {"community": community_id, "name": name, "kind": kind, "contact": contact}

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            partner_id = uuid4()
            unique = self._claim_unique(
                f"partner-name|{community_id}|{name}",
                "partner_name",
                partner_id,
                Conflict(
                    "duplicate_partner",
                    f"本社区已有名为“{name}”的合作商家",
                    "a partner with this name exists",
                ),
            )
            partner = Partner.register(
                partner_id,
                county_id=community.county_id,
                community_id=community_id,
                name=name,
                kind=kind_value,
                contact=contact,
                by=actor.ref,
                now=self.clock.now(),
            )
            return partner_id, [partner, unique]

        return self._create(actor, "register_partner", idempotency_key, payload, build)

    def list_item(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        partner_id: UUID,
        kind: str,
        name: str,
        description: str = "",
        price: int,
        stock: int | None = None,
        idempotency_key: str | None = None,
    ) -> Result:
        access.require_community_staff(actor, community_id)
        kind_value = ItemKind.from_code(kind)
        name = clean_name(name, "兑换项目名称")
        description = clean_text(description, "说明")
        payload = {
            "community": community_id,
            "partner": partner_id,
            "kind": kind,
            "name": name,
            "description": description,
            "price": price,
            "stock": stock,
        }

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            partner = self.partner(partner_id)
            if partner.community_id != community_id:
                raise Conflict(
                    "partner_of_other_community",
                    "该合作商家不属于本社区",
                    "the partner belongs to another community",
                )
            item_id = uuid4()
            item = CatalogueItem.list_item(
                item_id,
                county_id=community.county_id,
                community_id=community_id,
                partner_id=partner_id,
                kind=kind_value,
                name=name,
                description=description,
                price=price,
                stock=stock,
                by=actor.ref,
                now=self.clock.now(),
            )
            return item_id, [item]

        return self._create(actor, "list_item", idempotency_key, payload, build)

    def change_item(
        self,
        actor: Actor,
        item_id: UUID,
        *,
        price: int | None = None,
        restock: int | None = None,
        withdraw_reason: str | None = None,
    ) -> Result:
        if price is None and restock is None and withdraw_reason is None:
            raise InvalidInput("nothing_to_change", "没有要修改的内容", "nothing to change")
        reason = clean_text(withdraw_reason, "下架理由") if withdraw_reason is not None else None

        def attempt() -> Result:
            item = self.item(item_id)
            access.require_community_staff(actor, item.community_id)
            now = self.clock.now()
            if price is not None:
                item.change_price(price, actor.ref, now)
            if restock is not None:
                item.restock(restock, actor.ref, now)
            if reason is not None:
                item.withdraw(reason, actor.ref, now)
            return Result(item_id, self._save(item))

        return self._retrying(attempt)

    # -- redemptions ---------------------------------------------------------------------

    def redeem(
        self,
        actor: Actor,
        member_id: UUID,
        item_id: UUID,
        *,
        quantity: int = 1,
        idempotency_key: str | None = None,
    ) -> Result:
        """Hold the points, take the stock and issue a code, in one write or not at all.
        Two redemptions racing for one balance: the second to save reloads and decides
        again against what is left (optimistic concurrency on the account)."""
        access.require_self(actor, member_id)
        payload = {"member": member_id, "item": item_id, "quantity": quantity}
        issued: dict[str, Any] = {}

        def build() -> tuple[UUID, list[Aggregate]]:
            member = self.member(member_id)
            if member.status is not MemberStatus.APPROVED:
                raise Conflict("not_approved", "报到审核通过后才能兑换", "not approved yet")
            item = self.item(item_id)
            if item.county_id != member.county_id:
                raise Forbidden(
                    "item_of_other_county", "该兑换项目不在您所在的县（区）", "not in your county"
                )
            policy = self.points_policy(item.community_id)
            now = self.clock.now()
            redemption_id = uuid4()
            code, claim = self._new_code(item.partner_id, redemption_id)
            redemption = Redemption.request(
                redemption_id,
                member_id=member_id,
                item=item,
                quantity=quantity,
                code=code,
                policy=policy,
                now=now,
            )
            account = self.account(member)
            account.hold(redemption_id, item_id, redemption.points, now)
            item.take(redemption_id, quantity, now)
            issued.update(
                code=code,
                points=redemption.points,
                balance=account.balance,
                expires_at=redemption.expires_at.isoformat(),
            )
            return redemption_id, [redemption, account, item, claim]

        result = self._create(actor, "redeem", idempotency_key, payload, build, issued)
        if result.replayed and not result.details:  # a claim from before answers were kept
            r = self.redemption(result.id)
            details = {"code": r.code, "points": r.points, "expires_at": r.expires_at.isoformat()}
            return replace(result, details=details)
        return result

    def _new_code(self, partner_id: UUID, redemption_id: UUID) -> tuple[str, Reservation]:
        for _ in range(CODE_ATTEMPTS):
            code = self.codes()
            key = f"redeem-code|{partner_id}|{code}"
            if self._find(Reservation, reservation_id(key)) is None:
                return code, Reservation.reserve(
                    key, "redeem_code", redemption_id, "", self.clock.now()
                )
        raise Conflict("code_exhausted", "暂时无法生成兑换码，请重试", "no free code; try again")

    def confirm_redemption(self, actor: Actor, partner_id: UUID, code: str) -> Result:
        """The partner types or scans the member's code: the hand-over is recorded."""
        access.require_role(actor, Role.PARTNER)
        if actor.scope_id != partner_id:
            raise Forbidden("not_your_partner", "只能核销本商家的兑换", "not your redemptions")
        code = (code or "").strip()
        claim = self._find(Reservation, reservation_id(f"redeem-code|{partner_id}|{code}"))
        if not code.isdigit() or claim is None:
            raise NotFound("unknown_code", "兑换码无效", "no redemption has this code")

        def attempt() -> Result:
            redemption = self.redemption(claim.owner_id)
            redemption.confirm(actor.ref, self.clock.now())
            return Result(redemption.id, self._save(redemption))

        return self._retrying(attempt)

    def cancel_redemption(self, actor: Actor, redemption_id: UUID, reason: str = "") -> Result:
        reason = clean_text(reason, "取消理由")

        def attempt() -> Result:
            redemption = self.redemption(redemption_id)
            if actor.role is Role.MEMBER:
                access.require_self(actor, redemption.member_id)
            else:
                access.require_community_staff(actor, redemption.community_id)
            now = self.clock.now()
            redemption.cancel(reason, actor.ref, now)
            return Result(redemption_id, self._save(redemption, *self._give_back(redemption)))

        return self._retrying(attempt)

    def _give_back(self, redemption: Redemption) -> list[Aggregate]:
        now = self.clock.now()
        account = self.account(self.member(redemption.member_id))
        account.give_back(redemption.id, redemption.status.label, now)
        item = self.item(redemption.item_id)
        item.put_back(redemption.id, redemption.quantity, now)
        return [account, item]

    def expire_redemptions(self, redemption_ids: Sequence[UUID]) -> int:
        """Sweep: redemptions not confirmed in time give their points and stock back."""
        expired = 0
        for redemption_id in redemption_ids:

            def attempt(rid: UUID = redemption_id) -> Result:
                redemption = self.redemption(rid)
                if not redemption.expire(self.clock.now()):
                    return Result(rid, None)
                return Result(rid, self._save(redemption, *self._give_back(redemption)))

            if self._retrying(attempt).position is not None:
                expired += 1
        return expired

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

        return self._order_command(order_id, decide)

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

    # -- 三级联评 ---------------------------------------------------------------------------

    def evaluate_member(
        self,
        actor: Actor,
        member_id: UUID,
        *,
        year: int,
        quarter: int,
        results: int,
        feedback: int,
        assessment: int,
        comment: str = "",
        corrects: UUID | None = None,
        reason: str = "",
    ) -> Result:
        """Level 2: the community's quarterly evaluation of a member reported to it."""
        comment = clean_text(comment, "评语")
        reason = clean_text(reason, "更正理由")
        evaluation_id = uuid4()

        def attempt() -> Result:
            member = self.member(member_id)
            access.require_community_staff(actor, member.community_id)
            member.evaluate_by_community(
                evaluation_id,
                year=year,
                quarter=quarter,
                results=results,
                feedback=feedback,
                assessment=assessment,
                comment=comment,
                corrects=corrects,
                reason=reason,
                policy=self.policy(member.county_id),
                by=actor.ref,
                now=self.clock.now(),
            )
            return Result(evaluation_id, self._save(member))

        return self._retrying(attempt)

    def evaluate_member_by_unit(
        self,
        actor: Actor,
        member_id: UUID,
        *,
        year: int,
        score: int,
        comment: str = "",
        corrects: UUID | None = None,
        reason: str = "",
    ) -> Result:
        """Level 3: the unit party organisation's annual evaluation of its member."""
        comment = clean_text(comment, "评语")
        reason = clean_text(reason, "更正理由")
        evaluation_id = uuid4()

        def attempt() -> Result:
            member = self.member(member_id)
            access.require_role(actor, Role.UNIT_ADMIN)
            if actor.scope_id != member.unit_id:
                raise Forbidden(
                    "not_your_member", "只能评价本单位的党员", "not a member of your unit"
                )
            member.evaluate_by_unit(
                evaluation_id,
                year=year,
                score=score,
                comment=comment,
                corrects=corrects,
                reason=reason,
                policy=self.policy(member.county_id),
                by=actor.ref,
                now=self.clock.now(),
            )
            return Result(evaluation_id, self._save(member))

        return self._retrying(attempt)

    # -- the annual standard: the quarterly check ----------------------------------------

    def check_standards(
        self, actor: Actor, *, year: int, quarter: int, member_ids: Sequence[UUID]
    ) -> dict[str, int]:
        """组织部's quarterly check: each member below the pro-rated standard is warned
        (yellow the first time in the year, red after). A quarter is checked once per
        member; running the check again only reaches those not yet checked. The ids come
        from the read model's list of approved members; each member decides for itself
        from their own account."""
        county_id = access.county_scope(actor)
        if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
            raise InvalidInput("invalid_quarter", "季度应为 1 到 4", "the quarter is 1 to 4")
        if isinstance(year, bool) or not isinstance(year, int) or year < 2000:
            raise InvalidInput("invalid_year", "年度无效", "the year is not valid")
        end = quarter_end(year, quarter)
        if business_date(self.clock.now()) <= end:
            raise Conflict(
                "quarter_not_over",
                f"{year} 年第 {quarter} 季度尚未结束，结束后才能检查",
                "the quarter is not over yet",
            )
        policy = self.policy(county_id)
        counts = {"checked": 0, "passed": 0, "yellow": 0, "red": 0, "skipped": 0}
        for member_id in dict.fromkeys(member_ids):

            def attempt(mid: UUID = member_id) -> Result:
                member = self.member(mid)
                access.require_county(actor, member.county_id)
                account = self.points_account(mid)
                figures = account.year_figures(year, end) if account else None
                outcome = member.check_standard(
                    uuid4(),
                    year=year,
                    quarter=quarter,
                    services=figures.services if figures else 0,
                    hours=figures.hours if figures else Decimal(0),
                    policy=policy,
                    by=actor.ref,
                    now=self.clock.now(),
                )
                if outcome is False:
                    key = "skipped"
                elif outcome is None or outcome is True:
                    key = "passed"
                else:
                    key = outcome.code
                return Result(mid, self._save(member), details={"outcome": key})

            result = self._retrying(attempt)
            outcome = result.details["outcome"]
            counts[outcome] += 1
            if outcome != "skipped":
                counts["checked"] += 1
        return counts

    def file_written_report(
        self, actor: Actor, member_id: UUID, warning_id: UUID, content: str
    ) -> Result:
        """The member's written report after a red warning, filed with 组织部."""
        content = clean_text(content, "书面报告", required=True)

        def attempt() -> Result:
            member = self.member(member_id)
            if actor.role is Role.MEMBER:
                access.require_self(actor, member_id)
            else:
                access.county_scope(actor)
                access.require_county(actor, member.county_id)
            member.file_written_report(warning_id, content, actor.ref, self.clock.now())
            return Result(warning_id, self._save(member))

        return self._retrying(attempt)

    # -- stars ---------------------------------------------------------------------------

    def award_star(
        self,
        actor: Actor,
        member_id: UUID,
        *,
        star: str,
        year: int,
        idempotency_key: str | None = None,
    ) -> Result:
        """The community awards a star against the published criteria; the award and its
        bonus points are one write."""
        star_value = Star.from_code(star)
        payload = {"member": member_id, "star": star, "year": year}

        def build() -> tuple[UUID, list[Aggregate]]:
            member = self.member(member_id)
            access.require_community_staff(actor, member.community_id)
            policy = self.points_policy(member.community_id)
            account = self.account(member)
            award_id = uuid4()
            now = self.clock.now()
            bonus = member.award_star(
                award_id,
                star=star_value,
                year=year,
                figures=account.year_figures(year),
                policy=policy,
                by=actor.ref,
                now=now,
            )
            account.earn(
                kind=SourceKind.AWARD,
                source_id=award_id,
                community_id=member.community_id,
                business_date=business_date(now),
                hours=Decimal(0),
                policy=policy,
                bonus_points=bonus,
                note=f"{star_value.label}（{year}）",
                now=now,
            )
            return award_id, [member, account]

        return self._create(actor, "award_star", idempotency_key, payload, build)
