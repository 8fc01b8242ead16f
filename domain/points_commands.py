"""Commands of 积分: the community's points rules, partners, the redemption catalogue
(兑换目录) and redemptions. Hours and points of orders and activities are credited in
the write that closes or confirms them (Service._credits)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.actors import Actor, Role
from domain.community import Community
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.points import (
    CatalogueItem,
    ItemKind,
    Partner,
    PartnerKind,
    Redemption,
)
from domain.reservation import Reservation, reservation_id
from domain.service import Result, Service
from domain.values import MemberStatus, clean_line, clean_name, clean_text

CODE_DIGITS = 8  # a redemption code the partner types: 8 digits, 10^8 per partner


CODE_ATTEMPTS = 5


def random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class PointsCommands(Service):
    codes: Callable[[], str]  # where redemption codes come from (random_code; tests inject)

    # -- the community's points rules, partners and catalogue --------------------------

    def set_points_rules(
        self, actor: Actor, community_id: UUID, overrides: dict[str, Any], reason: str = ""
    ) -> Result:
        access.require_community_staff(actor, community_id)
        reason = clean_text(reason, "调整理由")

        def decide(community: Community) -> None:
            community.set_points_rules(
                overrides, self.policy(community.county_id), reason, actor.ref, self.clock.now()
            )

        return self._decide(self.community, community_id, decide)

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

        def decide(item: CatalogueItem) -> None:
            access.require_community_staff(actor, item.community_id)
            now = self.clock.now()
            if price is not None:
                item.change_price(price, actor.ref, now)
            if restock is not None:
                item.restock(restock, actor.ref, now)
            if reason is not None:
                item.withdraw(reason, actor.ref, now)

        return self._decide(self.item, item_id, decide)

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

    def redemption_to_confirm(self, actor: Actor, partner_id: UUID, code: str) -> Redemption:
        """The redemption the member's code names, refused as confirming it now would be:
        what the partner checks before handing over (reads only)."""
        access.require_role(actor, Role.PARTNER)
        if actor.scope_id != partner_id:
            raise Forbidden("not_your_partner", "只能核销本商家的兑换", "not your redemptions")
        code = (code or "").strip()
        claim = self._find(Reservation, reservation_id(f"redeem-code|{partner_id}|{code}"))
        if not code.isdigit() or claim is None:
            raise NotFound("unknown_code", "兑换码无效", "no redemption has this code")
        redemption = self.redemption(claim.owner_id)
        redemption.require_confirmable(self.clock.now())
        return redemption

    def confirm_redemption(self, actor: Actor, partner_id: UUID, code: str) -> Result:
        """The partner types or scans the member's code: the hand-over is recorded."""
        found = self.redemption_to_confirm(actor, partner_id, code)
        return self._decide(
            self.redemption,
            found.id,
            lambda redemption: redemption.confirm(actor.ref, self.clock.now()),
        )

    def cancel_redemption(self, actor: Actor, redemption_id: UUID, reason: str = "") -> Result:
        reason = clean_text(reason, "取消理由")

        def decide(redemption: Redemption) -> list[Aggregate]:
            if actor.role is Role.MEMBER:
                access.require_self(actor, redemption.member_id)
            else:
                access.require_community_staff(actor, redemption.community_id)
            redemption.cancel(reason, actor.ref, self.clock.now())
            return self._give_back(redemption)

        return self._decide(self.redemption, redemption_id, decide)

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

            def decide(redemption: Redemption) -> list[Aggregate]:
                if not redemption.expire(self.clock.now()):
                    return []
                return self._give_back(redemption)

            if self._decide(self.redemption, redemption_id, decide).position is not None:
                expired += 1
        return expired
