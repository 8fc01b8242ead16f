"""Member (在职党员): registers online, is reviewed by the community, states 三亮.

报到 is complete ("reported") when the community has approved the registration and
the member has stated all three 亮: identity, commitment and skills. The moment it
becomes complete is recorded as its own event (Member.Reported).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput
from domain.policies import Policy
from domain.values import GeoPoint, MemberStatus, RegistrationBasis, SkillCategory, TimeSlot


class Member(Aggregate):
    TOPIC = "sishuang:Member"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Member.Registered"
        county_id: UUID
        unit_id: UUID
        community_id: UUID
        basis: RegistrationBasis
        grid_code: str | None
        name: str
        phone: str
        post: str
        by: str

    Created = Registered

    class Approved(Event):
        TOPIC = "sishuang:Member.Approved"
        grid_code: str | None
        note: str
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status = MemberStatus.APPROVED
            aggregate.grid_code = self.grid_code

    class Rejected(Event):
        TOPIC = "sishuang:Member.Rejected"
        reason: str
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.status = MemberStatus.REJECTED

    class IdentityStated(Event):
        """亮身份: unit and post; the phone is shown publicly only with consent."""

        TOPIC = "sishuang:Member.IdentityStated"
        post: str
        show_contact: bool
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.post = self.post
            aggregate.show_contact = self.show_contact
            aggregate.identity_stated = True

    class CommitmentMade(Event):
        """亮承诺: free text and the hours a year."""

        TOPIC = "sishuang:Member.CommitmentMade"
        text: str
        hours_per_year: int
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.commitment = (self.text, self.hours_per_year)

    class SkillsDeclared(Event):
        """亮特长: categories from the list plus free tags."""

        TOPIC = "sishuang:Member.SkillsDeclared"
        categories: tuple[SkillCategory, ...]
        tags: tuple[str, ...]
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.skills = (self.categories, self.tags)

    class AvailabilityDeclared(Event):
        """服务半径 around a base (home or workplace, optional) and the times available.

        Version 2 added `base`; stored version-1 events load with no base."""

        TOPIC = "sishuang:Member.AvailabilityDeclared"
        class_version = 2
        service_radius_km: Decimal
        time_slots: tuple[TimeSlot, ...]
        base: GeoPoint | None
        by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["base"] = None

        def apply(self, aggregate: Member) -> None:
            aggregate.availability = (self.service_radius_km, self.time_slots)
            aggregate.base = self.base

    class Reported(Event):
        """报到 complete: approved, and all three 亮 stated."""

        TOPIC = "sishuang:Member.Reported"
        community_id: UUID

        def apply(self, aggregate: Member) -> None:
            aggregate.reported = True

    class Reminded(Event):
        TOPIC = "sishuang:Member.Reminded"
        message: str
        batch: str
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.reminders += 1

    def __init__(
        self,
        county_id: UUID,
        unit_id: UUID,
        community_id: UUID,
        basis: RegistrationBasis,
        grid_code: str | None,
        name: str,
        phone: str,
        post: str,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.unit_id = unit_id
        self.community_id = community_id
        self.basis = basis
        self.grid_code = grid_code
        self.name = name
        self.phone = phone
        self.post = post
        self.status = MemberStatus.PENDING
        self.identity_stated = False
        self.show_contact = False
        self.commitment: tuple[str, int] | None = None
        self.skills: tuple[tuple[SkillCategory, ...], tuple[str, ...]] | None = None
        self.availability: tuple[Decimal, tuple[TimeSlot, ...]] | None = None
        self.base: GeoPoint | None = None
        self.reported = False
        self.reminders = 0

    # -- decisions ---------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        member_id: UUID,
        *,
        county_id: UUID,
        unit_id: UUID,
        community_id: UUID,
        basis: RegistrationBasis,
        grid_code: str | None,
        name: str,
        phone: str,
        post: str,
        by: str,
        now: datetime,
    ) -> Member:
        return cls._create(
            cls.Registered,
            id=member_id,
            county_id=county_id,
            unit_id=unit_id,
            community_id=community_id,
            basis=basis,
            grid_code=grid_code,
            name=name,
            phone=phone,
            post=post,
            by=by,
            timestamp=now,
        )

    def _require_pending(self) -> None:
        if self.status is not MemberStatus.PENDING:
            raise Conflict(
                "already_reviewed",
                f"该报到申请已审核（{self.status.label}），不能重复审核",
                f"the registration was already reviewed ({self.status.code})",
            )

    def approve(self, grid_code: str | None, note: str, by: str, now: datetime) -> None:
        self._require_pending()
        self.trigger_event(
            self.Approved, grid_code=grid_code or self.grid_code, note=note, by=by, timestamp=now
        )

    def reject(self, reason: str, by: str, now: datetime) -> None:
        self._require_pending()
        if not reason.strip():
            raise InvalidInput(
                "reason_required", "驳回报到申请必须说明理由", "a rejection needs a reason"
            )
        self.trigger_event(self.Rejected, reason=reason.strip(), by=by, timestamp=now)

    def _require_approved(self) -> None:
        if self.status is not MemberStatus.APPROVED:
            raise Conflict(
                "not_approved",
                "报到申请通过审核后才能亮身份、亮承诺、亮特长",
                "三亮 can be stated only after the registration is approved",
            )

    def state_identity(self, post: str, show_contact: bool, by: str, now: datetime) -> None:
        self._require_approved()
        if self.identity_stated and (post, show_contact) == (self.post, self.show_contact):
            return
        self.trigger_event(
            self.IdentityStated, post=post, show_contact=show_contact, by=by, timestamp=now
        )

    def make_commitment(
        self, text: str, hours_per_year: int | None, policy: Policy, by: str, now: datetime
    ) -> None:
        self._require_approved()
        hours = policy.default_committed_hours if hours_per_year is None else hours_per_year
        low, high = policy.member_annual_min_hours, policy.max_committed_hours
        if not isinstance(hours, int) or not low <= hours <= high:
            raise InvalidInput(
                "hours_out_of_range",
                f"承诺服务时长应在每年 {low} 到 {high} 小时之间",
                f"committed hours must be between {low} and {high} a year",
                minimum=low,
                maximum=high,
            )
        if self.commitment == (text, hours):
            return
        self.trigger_event(
            self.CommitmentMade, text=text, hours_per_year=hours, by=by, timestamp=now
        )

    def declare_skills(
        self,
        categories: tuple[SkillCategory, ...],
        tags: tuple[str, ...],
        by: str,
        now: datetime,
    ) -> None:
        self._require_approved()
        if not categories and not tags:
            raise InvalidInput(
                "skills_required",
                "请至少选择一个擅长领域或填写一个特长标签",
                "choose at least one skill category or tag",
            )
        if self.skills == (categories, tags):
            return
        self.trigger_event(
            self.SkillsDeclared, categories=categories, tags=tags, by=by, timestamp=now
        )

    def declare_availability(
        self,
        service_radius_km: Decimal,
        time_slots: tuple[TimeSlot, ...],
        policy: Policy,
        by: str,
        now: datetime,
        base: GeoPoint | None = None,
    ) -> None:
        self._require_approved()
        low, high = policy.min_service_radius_km, policy.max_service_radius_km
        if not low <= service_radius_km <= high:
            raise InvalidInput(
                "radius_out_of_range",
                f"服务半径应在 {low} 到 {high} 公里之间",
                f"service radius must be between {low} and {high} km",
            )
        if self.availability == (service_radius_km, time_slots) and self.base == base:
            return
        self.trigger_event(
            self.AvailabilityDeclared,
            service_radius_km=service_radius_km,
            time_slots=time_slots,
            base=base,
            by=by,
            timestamp=now,
        )

    def note_if_reported(self, now: datetime) -> None:
        """Record 报到 complete the first time all its parts are there."""
        if (
            not self.reported
            and self.status is MemberStatus.APPROVED
            and self.identity_stated
            and self.commitment is not None
            and self.skills is not None
        ):
            self.trigger_event(self.Reported, community_id=self.community_id, timestamp=now)

    def remind(self, message: str, batch: str, by: str, now: datetime) -> None:
        self.trigger_event(self.Reminded, message=message, batch=batch, by=by, timestamp=now)
