"""Member (在职党员): registers online, is reviewed by the community, states 三亮.

报到 is complete ("reported") when the community has approved the registration and
the member has stated all three 亮: identity, commitment and skills. The moment it
becomes complete is recorded as its own event (Member.Reported).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.calendar import business_date, quarter_of
from domain.errors import Conflict, InvalidInput, NotFound
from domain.evaluation import Star, WarningLevel, quarters_in_year, required_by, star_criteria
from domain.points import YearFigures
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
            # The Beijing date: what quarters count in (domain.clock.business_date).
            aggregate.approved_on = business_date(self.timestamp)

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

    # -- 三级联评, the annual standard, stars ----------------------------------------------

    class CommunityEvaluated(Event):
        """Level 2: the community's quarterly evaluation on the three dimensions (泽州).
        A correction is a new one that names the one it replaces, with a reason."""

        TOPIC = "sishuang:Member.CommunityEvaluated"
        evaluation_id: UUID
        community_id: UUID
        year: int
        quarter: int
        results: int  # 服务成效
        feedback: int  # 群众反馈
        assessment: int  # 社区评价
        comment: str
        corrects: UUID | None
        reason: str
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.community_evaluations[(self.year, self.quarter)] = self.evaluation_id

    class UnitEvaluated(Event):
        """Level 3: the unit party organisation's annual evaluation of its member."""

        TOPIC = "sishuang:Member.UnitEvaluated"
        evaluation_id: UUID
        unit_id: UUID
        year: int
        score: int
        comment: str
        corrects: UUID | None
        reason: str
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.unit_evaluations[self.year] = self.evaluation_id

    class StandardChecked(Event):
        """The quarterly check found the member at or above the pro-rated standard."""

        TOPIC = "sishuang:Member.StandardChecked"
        year: int
        quarter: int
        services: int
        hours: Decimal
        required_services: int
        required_hours: Decimal
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.checked[(self.year, self.quarter)] = None

    class Warned(Event):
        """黄灯 (first shortfall in the year: an online reminder) or 红灯 (a second: a
        written report to 组织部 is due). Seen by the member and their unit."""

        TOPIC = "sishuang:Member.Warned"
        warning_id: UUID
        level: WarningLevel
        year: int
        quarter: int
        services: int
        hours: Decimal
        required_services: int
        required_hours: Decimal
        unit_id: UUID
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.checked[(self.year, self.quarter)] = self.warning_id
            aggregate.warnings[self.warning_id] = (self.level, self.year, False)

    class WrittenReportFiled(Event):
        TOPIC = "sishuang:Member.WrittenReportFiled"
        warning_id: UUID
        content: str
        by: str

        def apply(self, aggregate: Member) -> None:
            level, year, _ = aggregate.warnings[self.warning_id]
            aggregate.warnings[self.warning_id] = (level, year, True)

    class StarAwarded(Event):
        """A star the community awards, with the criteria and the figures it rested on."""

        TOPIC = "sishuang:Member.StarAwarded"
        award_id: UUID
        star: Star
        year: int
        figures: tuple[tuple[str, str], ...]
        criteria: tuple[tuple[str, str, str], ...]  # (name, required, actual)
        bonus_points: int
        by: str

        def apply(self, aggregate: Member) -> None:
            aggregate.stars[(self.star, self.year)] = self.award_id

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
        self.approved_on: date | None = None
        self.community_evaluations: dict[tuple[int, int], UUID] = {}
        self.unit_evaluations: dict[int, UUID] = {}
        self.checked: dict[tuple[int, int], UUID | None] = {}
        self.warnings: dict[UUID, tuple[WarningLevel, int, bool]] = {}
        self.stars: dict[tuple[Star, int], UUID] = {}

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

    # -- 三级联评 ---------------------------------------------------------------------------

    def _check_score(self, value: int, what_zh: str, policy: Policy) -> None:
        top = policy.evaluation_max_score
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise InvalidInput(
                "score_out_of_range",
                f"{what_zh}应为 0 到 {top} 的整数",
                f"scores are whole numbers from 0 to {top}",
                maximum=top,
            )

    def _check_correction(
        self, current: UUID | None, corrects: UUID | None, reason: str, what_zh: str
    ) -> None:
        if current is None:
            if corrects is not None:
                raise Conflict(
                    "nothing_to_correct",
                    f"该期尚无{what_zh}，无需更正",
                    "there is no evaluation to correct for this period",
                )
            return
        if corrects is None:
            raise Conflict(
                "already_evaluated",
                f"该期已有{what_zh}；如需更正，请注明所更正的评价及理由",
                "already evaluated for this period; a correction names the one it replaces",
                evaluation_id=str(current),
            )
        if corrects != current:
            raise Conflict(
                "corrects_superseded",
                f"只能更正该期现行的{what_zh}",
                "a correction replaces the evaluation now in force",
                evaluation_id=str(current),
            )
        if not reason:
            raise InvalidInput(
                "reason_required", "更正评价必须说明理由", "a correction needs a reason"
            )

    def evaluate_by_community(
        self,
        evaluation_id: UUID,
        *,
        year: int,
        quarter: int,
        results: int,
        feedback: int,
        assessment: int,
        comment: str,
        corrects: UUID | None,
        reason: str,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> None:
        if not self.reported:
            raise Conflict(
                "member_not_reported",
                "该党员尚未完成向本社区报到，不能评价",
                "the member has not reported to this community",
            )
        _check_period(year, quarter, now)
        for value, zh in ((results, "服务成效"), (feedback, "群众反馈"), (assessment, "社区评价")):
            self._check_score(value, zh, policy)
        current = self.community_evaluations.get((year, quarter))
        self._check_correction(current, corrects, reason, "社区季度评价")
        self.trigger_event(
            self.CommunityEvaluated,
            evaluation_id=evaluation_id,
            community_id=self.community_id,
            year=year,
            quarter=quarter,
            results=results,
            feedback=feedback,
            assessment=assessment,
            comment=comment,
            corrects=corrects,
            reason=reason,
            by=by,
            timestamp=now,
        )

    def evaluate_by_unit(
        self,
        evaluation_id: UUID,
        *,
        year: int,
        score: int,
        comment: str,
        corrects: UUID | None,
        reason: str,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> None:
        if self.status is not MemberStatus.APPROVED:
            raise Conflict("not_approved", "该党员报到尚未通过审核", "the member is not approved")
        _check_period(year, 1, now)
        self._check_score(score, "单位评价", policy)
        current = self.unit_evaluations.get(year)
        self._check_correction(current, corrects, reason, "单位年度评价")
        self.trigger_event(
            self.UnitEvaluated,
            evaluation_id=evaluation_id,
            unit_id=self.unit_id,
            year=year,
            score=score,
            comment=comment,
            corrects=corrects,
            reason=reason,
            by=by,
            timestamp=now,
        )

    # -- the annual standard -------------------------------------------------------------

    def check_standard(
        self,
        warning_id: UUID,
        *,
        year: int,
        quarter: int,
        services: int,
        hours: Decimal,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> WarningLevel | bool | None:
        """Compare the member's year so far with the pro-rated standard; False when this
        quarter was checked already or the member was not approved by then."""
        if (year, quarter) in self.checked or self.status is not MemberStatus.APPROVED:
            return False
        quarters = quarters_in_year(year, quarter, self.approved_on)
        if quarters == 0:
            return False
        need_services, need_hours = required_by(policy, quarters)
        figures: dict[str, Any] = {
            "year": year,
            "quarter": quarter,
            "services": services,
            "hours": hours,
            "required_services": need_services,
            "required_hours": need_hours,
            "by": by,
            "timestamp": now,
        }
        if services >= need_services and hours >= need_hours:
            self.trigger_event(self.StandardChecked, **figures)
            return None
        earlier = sum(1 for _, y, _ in self.warnings.values() if y == year)
        level = WarningLevel.YELLOW if earlier == 0 else WarningLevel.RED
        self.trigger_event(
            self.Warned, warning_id=warning_id, level=level, unit_id=self.unit_id, **figures
        )
        return level

    def file_written_report(self, warning_id: UUID, content: str, by: str, now: datetime) -> None:
        warning = self.warnings.get(warning_id)
        if warning is None:
            raise NotFound("unknown_warning", "没有这条预警", "no such warning")
        level, _, filed = warning
        if level is not WarningLevel.RED:
            raise Conflict(
                "report_not_required", "黄灯预警无需书面报告", "only a red warning needs a report"
            )
        if filed:
            raise Conflict("report_already_filed", "书面报告已提交", "the report was filed")
        if not content:
            raise InvalidInput("empty_text", "书面报告不能为空", "the report is empty")
        self.trigger_event(
            self.WrittenReportFiled, warning_id=warning_id, content=content, by=by, timestamp=now
        )

    # -- stars ---------------------------------------------------------------------------

    def award_star(
        self,
        award_id: UUID,
        *,
        star: Star,
        year: int,
        figures: YearFigures,
        policy: Policy,
        by: str,
        now: datetime,
    ) -> int:
        if self.status is not MemberStatus.APPROVED:
            raise Conflict("not_approved", "该党员报到尚未通过审核", "the member is not approved")
        _check_period(year, 1, now)
        if (star, year) in self.stars:
            raise Conflict(
                "star_already_awarded",
                f"该党员本年度已获{star.label}",
                f"{star.code} was already awarded this year",
            )
        criteria = star_criteria(
            star,
            hours=figures.hours,
            services=figures.services,
            ratings=figures.ratings,
            average_stars=figures.average_stars,
            urgent_solved=figures.urgent_solved,
            task_force=figures.task_force,
            activities=figures.activities,
            policy=policy,
        )
        missing = [c for c in criteria if not c.met]
        if missing:
            raise Conflict(
                "star_criteria_not_met",
                "未达到评星标准："
                + "；".join(
                    f"{c.label}为 {c.shown(c.actual)}，标准为 {c.shown(c.required)}"
                    for c in missing
                ),
                "the star's criteria are not met: "
                + "; ".join(f"{c.name} {c.actual}/{c.required}" for c in missing),
                criteria=[
                    {
                        "name": c.name,
                        "label": c.label,
                        "required": c.shown(c.required),
                        "actual": c.shown(c.actual),
                    }
                    for c in criteria
                ],
            )
        self.trigger_event(
            self.StarAwarded,
            award_id=award_id,
            star=star,
            year=year,
            figures=figures.as_pairs(),
            criteria=tuple((c.name, str(c.required), str(c.actual)) for c in criteria),
            bonus_points=policy.star_award_bonus_points,
            by=by,
            timestamp=now,
        )
        return policy.star_award_bonus_points


def _check_period(year: int, quarter: int, now: datetime) -> None:
    today = business_date(now)  # years and quarters run on Beijing dates
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year:
        raise InvalidInput(
            "invalid_year", f"年度应在 2000 到 {today.year} 之间", "the year is not valid"
        )
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise InvalidInput("invalid_quarter", "季度应为 1 到 4", "the quarter is 1 to 4")
    if (year, quarter) > (today.year, quarter_of(today)):
        raise InvalidInput(
            "period_in_future", "不能评价尚未开始的季度", "that quarter has not begun"
        )
