"""Commands of the directory: counties and their policy, communities and grids, units
and their pairings (双报到 of the unit), members' registration (报到), review and
profile (三亮), and reporting reminders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.account_commands import NewSession, registration_grant
from domain.actors import Actor, Role
from domain.community import Community
from domain.county import County
from domain.errors import Conflict, InvalidInput
from domain.member import Member
from domain.reservation import Reservation, reservation_id
from domain.service import Result, Service
from domain.unit import Unit
from domain.values import (
    Grid,
    MemberStatus,
    RegistrationBasis,
    SkillCategory,
    TimeSlot,
    clean_code,
    clean_line,
    clean_name,
    clean_phone,
    clean_point,
    clean_tags,
    clean_text,
    to_decimal,
)


@dataclass(frozen=True)
class Identity:
    post: str
    show_contact: bool = False


@dataclass(frozen=True)
class Commitment:
    text: str
    hours_per_year: int | None = None


@dataclass(frozen=True)
class Skills:
    categories: Sequence[str] = ()
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class Availability:
    service_radius_km: Any
    time_slots: Sequence[str] = ()
    base_lat: Any = None  # where the radius is measured from (optional)
    base_lon: Any = None


class DirectoryCommands(Service):
    def register_county(self, actor: Actor, *, name: str, code: str) -> Result:
        access.require_role(actor, Role.OPERATOR)
        name = clean_name(name, "县（区）名称")
        code = clean_code(code, "县（区）")
        new_id = uuid4()

        def build() -> tuple[UUID, list[Aggregate]]:
            county = County.register(new_id, name, code, actor.ref, self.clock.now())
            claim = self._claim_unique(
                f"county-code|{code}",
                "county-code",
                new_id,
                Conflict("duplicate_county", f"编码为 {code} 的县（区）已存在", "county exists"),
            )
            return new_id, [county, claim]

        return self._create(actor, "register_county", None, {}, build)

    def change_policy(
        self, actor: Actor, county_id: UUID, overrides: dict[str, Any], reason: str
    ) -> Result:
        access.require_role(actor, Role.ORG_DEPT, Role.OPERATOR)
        access.require_county(actor, county_id)
        reason = clean_text(reason, "调整理由", required=True)

        def decide(county: County) -> None:
            county.change_policy(overrides, reason, actor.ref, self.clock.now())

        return self._decide(self.county, county_id, decide)

    # -- communities and units ---------------------------------------------------------

    def register_community(
        self,
        actor: Actor,
        *,
        name: str,
        code: str,
        address: str = "",
        grids: Iterable[tuple[str, str]] = (),
        idempotency_key: str | None = None,
    ) -> Result:
        county_id = access.county_scope(actor)
        name = clean_name(name, "社区名称")
        code = clean_code(code, "社区")
        address = clean_line(address, "地址")
        grid_values = tuple(
            Grid(clean_code(g_code, "网格"), clean_name(g_name, "网格名称"))
            for g_code, g_name in grids
        )
        payload = {"name": name, "code": code, "address": address, "grids": grid_values}

        def build() -> tuple[UUID, list[Aggregate]]:
            self.county(county_id)
            new_id = uuid4()
            community = Community.register(
                new_id, county_id, name, code, address, grid_values, actor.ref, self.clock.now()
            )
            by_name = self._claim_unique(
                f"community-name|{county_id}|{name}",
                "community-name",
                new_id,
                Conflict("duplicate_community", f"社区“{name}”已登记", "community already exists"),
            )
            by_code = self._claim_unique(
                f"community-code|{county_id}|{code}",
                "community-code",
                new_id,
                Conflict("duplicate_community", f"社区编码 {code} 已被使用", "code already used"),
            )
            return new_id, [community, by_name, by_code]

        return self._create(actor, "register_community", idempotency_key, payload, build)

    def add_grid(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        code: str,
        name: str,
        idempotency_key: str | None = None,
    ) -> Result:
        grid = Grid(clean_code(code, "网格"), clean_name(name, "网格名称"))

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            if actor.role is Role.COMMUNITY_ADMIN:
                access.require_community_staff(actor, community_id)
            else:
                access.require_role(actor, Role.ORG_DEPT)
                access.require_county(actor, community.county_id)
            community.add_grid(grid, actor.ref, self.clock.now())
            return community_id, [community]

        payload = {"community": community_id, "grid": grid}
        return self._create(actor, "add_grid", idempotency_key, payload, build)

    def register_unit(
        self,
        actor: Actor,
        *,
        name: str,
        member_count: int,
        idempotency_key: str | None = None,
    ) -> Result:
        county_id = access.county_scope(actor)
        name = clean_name(name, "单位名称")
        payload = {"name": name, "member_count": member_count}

        def build() -> tuple[UUID, list[Aggregate]]:
            self.county(county_id)
            new_id = uuid4()
            unit = Unit.register(new_id, county_id, name, member_count, actor.ref, self.clock.now())
            claim = self._claim_unique(
                f"unit-name|{county_id}|{name}",
                "unit-name",
                new_id,
                Conflict("duplicate_unit", f"单位“{name}”已登记", "unit already exists"),
            )
            return new_id, [unit, claim]

        return self._create(actor, "register_unit", idempotency_key, payload, build)

    def _unit_for_county_staff(self, actor: Actor, unit_id: UUID) -> Unit:
        unit = self.unit(unit_id)
        access.require_role(actor, Role.ORG_DEPT)
        access.require_county(actor, unit.county_id)
        return unit

    def declare_unit_member_count(self, actor: Actor, unit_id: UUID, member_count: int) -> Result:
        """The denominator of a unit's coverage: set by 组织部, not by the unit measured."""

        def decide(unit: Unit) -> None:
            unit.declare_member_count(member_count, actor.ref, self.clock.now())

        return self._decide(lambda uid: self._unit_for_county_staff(actor, uid), unit_id, decide)

    def pair_unit(
        self,
        actor: Actor,
        unit_id: UUID,
        community_id: UUID,
        *,
        idempotency_key: str | None = None,
    ) -> Result:
        def build() -> tuple[UUID, list[Aggregate]]:
            unit = self._unit_for_county_staff(actor, unit_id)
            community = self.community(community_id)
            access.require_county(actor, community.county_id)
            unit.pair(community_id, actor.ref, self.clock.now())
            return unit_id, [unit]

        payload = {"unit": unit_id, "community": community_id}
        return self._create(actor, "pair_unit", idempotency_key, payload, build)

    def unpair_unit(self, actor: Actor, unit_id: UUID, community_id: UUID, reason: str) -> Result:
        reason = clean_text(reason, "解除结对理由", required=True)

        def decide(unit: Unit) -> None:
            unit.unpair(community_id, reason, actor.ref, self.clock.now())

        return self._decide(lambda uid: self._unit_for_county_staff(actor, uid), unit_id, decide)

    def report_unit(
        self,
        actor: Actor,
        unit_id: UUID,
        community_id: UUID,
        note: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> Result:
        """单位报到: the unit's party organisation reports to a paired community."""
        access.require_role(actor, Role.UNIT_ADMIN)
        if actor.scope_id != unit_id:
            raise access.Forbidden("not_your_unit", "只能为本单位报到", "this is not your unit")
        note = clean_text(note, "报到说明")

        def build() -> tuple[UUID, list[Aggregate]]:
            unit = self.unit(unit_id)
            self.community(community_id)
            unit.report_to(community_id, note, actor.ref, self.clock.now())
            return unit_id, [unit]

        payload = {"unit": unit_id, "community": community_id, "note": note}
        return self._create(actor, "report_unit", idempotency_key, payload, build)

    # -- members: 双报到 and 三亮 --------------------------------------------------------

    def register_member(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        community_id: UUID,
        basis: str,
        name: str,
        phone: str,
        post: str,
        grid_code: str | None = None,
        idempotency_key: str | None = None,
        account_id: UUID | None = None,
        session: NewSession | None = None,
    ) -> Result:
        """Online registration (the QR link): anyone may submit; the community reviews.
        `account_id`: the phone account that proved the phone (the API requires one):
        it gains the member's grant, and `session` a session for it, in the same write."""
        name = clean_name(name, "姓名")
        phone = clean_phone(phone)
        post = clean_line(post, "职务")
        basis_value = RegistrationBasis.from_code(basis)
        payload = {
            "unit_id": unit_id,
            "community_id": community_id,
            "basis": basis_value,
            "name": name,
            "phone": phone,
            "post": post,
            "grid_code": grid_code,
        }
        answer: dict[str, Any] = {}

        def build() -> tuple[UUID, list[Aggregate]]:
            unit = self.unit(unit_id)
            community = self.community(community_id)
            if community.county_id != unit.county_id:
                raise InvalidInput(
                    "community_outside_county",
                    "所选社区不在单位所在县（区）",
                    "the community is not in the unit's county",
                )
            if basis_value is RegistrationBasis.PAIRED and community_id not in unit.paired:
                raise Conflict(
                    "community_not_paired",
                    "所选社区不是本单位的结对社区",
                    "the community is not paired with the unit",
                )
            grid = community.require_grid(grid_code)
            new_id = uuid4()
            now = self.clock.now()
            member = Member.register(
                new_id,
                county_id=unit.county_id,
                unit_id=unit_id,
                community_id=community_id,
                basis=basis_value,
                grid_code=grid,
                name=name,
                phone=phone,
                post=post,
                by=actor.ref,
                now=now,
            )
            answer["status"] = member.status.code
            place = (unit.county_id, community_id)
            grant = (Role.MEMBER, new_id, str(new_id))
            linked = registration_grant(self, account_id, phone, grant, place, session)
            return new_id, [member, self._claim_phone(unit_id, phone, new_id), *linked]

        result = self._create(actor, "register_member", idempotency_key, payload, build, answer)
        if result.replayed and not result.details:  # a claim from before answers were kept
            return replace(result, details={"status": self.member(result.id).status.code})
        return result

    def _claim_phone(self, unit_id: UUID, phone: str, member_id: UUID) -> Reservation:
        """Same unit + phone is one person: a second registration is refused while the
        first is pending or approved; after a rejection the person may register again."""
        key = f"member-phone|{unit_id}|{phone}"
        claim = self._find(Reservation, reservation_id(key))
        now = self.clock.now()
        if claim is None:
            return Reservation.reserve(key, "member-phone", member_id, "", now)
        holder = self._find(Member, claim.owner_id)
        if holder is not None and holder.status is not MemberStatus.REJECTED:
            raise Conflict(
                "duplicate_registration",
                "该手机号已在本单位登记报到，请勿重复注册",
                "this phone is already registered for this unit",
            )
        claim.reassign(member_id, "", now)
        return claim

    def review_member(
        self,
        actor: Actor,
        member_id: UUID,
        *,
        approve: bool,
        reason: str = "",
        grid_code: str | None = None,
    ) -> Result:
        reason = clean_text(reason, "审核意见")

        def decide(member: Member) -> None:
            access.require_community_staff(actor, member.community_id)
            now = self.clock.now()
            if approve:
                grid = self.community(member.community_id).require_grid(grid_code)
                member.approve(grid, reason, actor.ref, now)
            else:
                member.reject(reason, actor.ref, now)

        return self._decide(self.member, member_id, decide)

    def update_member_profile(
        self,
        actor: Actor,
        member_id: UUID,
        *,
        identity: Identity | None = None,
        commitment: Commitment | None = None,
        skills: Skills | None = None,
        availability: Availability | None = None,
    ) -> Result:
        """三亮 and availability; each part that changes is its own event."""
        access.require_self(actor, member_id)
        post = clean_line(identity.post, "职务", required=True) if identity else ""
        text = clean_text(commitment.text, "承诺内容", required=True) if commitment else ""
        categories: tuple[SkillCategory, ...] = ()
        tags: tuple[str, ...] = ()
        if skills is not None:
            categories = tuple(dict.fromkeys(SkillCategory.from_code(c) for c in skills.categories))
            tags = clean_tags(tuple(skills.tags))
        radius = Decimal(0)
        slots: tuple[TimeSlot, ...] = ()
        base = None
        if availability is not None:
            radius = to_decimal(availability.service_radius_km, "服务半径")
            slots = tuple(dict.fromkeys(TimeSlot.from_code(s) for s in availability.time_slots))
            if availability.base_lat is not None or availability.base_lon is not None:
                base = clean_point(availability.base_lat, availability.base_lon)

        def decide(member: Member) -> None:
            policy = self.policy(member.county_id)
            now = self.clock.now()
            if identity is not None:
                member.state_identity(post, bool(identity.show_contact), actor.ref, now)
            if commitment is not None:
                member.make_commitment(text, commitment.hours_per_year, policy, actor.ref, now)
            if skills is not None:
                member.declare_skills(categories, tags, actor.ref, now)
            if availability is not None:
                member.declare_availability(radius, slots, policy, actor.ref, now, base)
            member.note_if_reported(now)

        return self._decide(self.member, member_id, decide)

    # -- reminders ----------------------------------------------------------------------

    def send_reminders(
        self,
        actor: Actor,
        *,
        member_ids: Sequence[UUID] = (),
        unit_ids: Sequence[UUID] = (),
        message: str,
        idempotency_key: str | None = None,
    ) -> Result:
        """组织部 reminds members who have not reported, and units with members missing.

        Members who have completed 报到 meanwhile are skipped (and listed as skipped);
        everyone else gets one Reminded event, all in one write.
        """
        access.county_scope(actor)
        message = clean_text(message, "提醒内容", required=True)
        members = tuple(dict.fromkeys(member_ids))
        units = tuple(dict.fromkeys(unit_ids))
        if not members and not units:
            raise InvalidInput(
                "nobody_to_remind", "请选择要提醒的党员或单位", "choose members or units to remind"
            )
        payload = {"members": members, "units": units, "message": message}
        answer: dict[str, Any] = {}

        def build() -> tuple[UUID, list[Aggregate]]:
            skipped: list[UUID] = []
            batch = uuid4()
            now = self.clock.now()
            out: list[Aggregate] = []
            for member_id in members:
                member = self.member(member_id)
                access.require_county(actor, member.county_id)
                if member.reported or member.status is MemberStatus.REJECTED:
                    skipped.append(member_id)  # done already, or must register again
                    continue
                member.remind(message, str(batch), actor.ref, now)
                out.append(member)
            for unit_id in units:
                unit = self.unit(unit_id)
                access.require_county(actor, unit.county_id)
                unit.remind(message, str(batch), actor.ref, now)
                out.append(unit)
            if not out:
                raise Conflict(
                    "nobody_to_remind", "所选党员均已完成报到", "everyone chosen has reported"
                )
            answer.update(
                reminded=len(members) + len(units) - len(skipped),
                skipped=[str(s) for s in skipped],
            )
            return batch, out

        return self._create(actor, "send_reminders", idempotency_key, payload, build, answer)
