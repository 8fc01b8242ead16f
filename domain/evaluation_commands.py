"""Commands of 双评价: the three-level evaluation (三级联评), the quarterly standard check
(黄灯/红灯), written reports and stars."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.actors import Actor, Role
from domain.calendar import business_date, quarter_end
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.evaluation import Star
from domain.member import Member
from domain.points import (
    SourceKind,
)
from domain.service import Result, Service
from domain.values import clean_text


class EvaluationCommands(Service):
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

        def decide(member: Member) -> None:
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

        return self._decide(self.member, member_id, decide, about=evaluation_id)

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

        def decide(member: Member) -> None:
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

        return self._decide(self.member, member_id, decide, about=evaluation_id)

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

        def decide(member: Member) -> None:
            if actor.role is Role.MEMBER:
                access.require_self(actor, member_id)
            else:
                access.county_scope(actor)
                access.require_county(actor, member.county_id)
            member.file_written_report(warning_id, content, actor.ref, self.clock.now())

        return self._decide(self.member, member_id, decide, about=warning_id)

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
