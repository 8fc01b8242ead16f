"""Commands of 两随机一公开: the inspector directory, joint meetings, inspection plans,
the draw, findings and publication. The rules live with the aggregates
(domain.inspectors, domain.inspection_plan, domain.target_directory) and the plan's
definition (domain.plan_definition, checked from a proposal by domain.plan_proposal);
the target directory and the roster are derived from the log by domain.population and
domain.inspectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import access
from domain.actors import Actor, Role
from domain.calendar import business_date
from domain.community import Community
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.inspection_input import parse_date, public_text
from domain.inspection_items import Conclusion, InspectionItem, PlanStatus
from domain.inspection_plan import InspectionPlan
from domain.inspectors import ROSTER_TOPICS, Inspector, derive_roster
from domain.order import Order
from domain.plan_proposal import PlanProposal, define_plan
from domain.population import POPULATION_TOPICS, derive_population, parse_target
from domain.service import Result, Service
from domain.target_directory import TargetDirectory
from domain.values import check_text, clean_line, clean_name, clean_sha256, clean_text

PAGE = 5000  # notifications read per page when deriving from the log


class InspectionCommands(Service):
    def _events(self, topics: Sequence[str], stop: int | None) -> Iterator[Any]:
        """The log's events of these topics up to `stop`, in order, read in pages."""
        start = 1
        while stop is None or start <= stop:
            page = self.recorder.select_notifications(start, PAGE, stop=stop, topics=topics)
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    # -- 执法检查人员名录库 -------------------------------------------------------------------

    def register_inspector(
        self,
        actor: Actor,
        *,
        name: str,
        unit_id: UUID | None = None,
        unit_name: str = "",
        home_community_id: UUID | None = None,
        idempotency_key: str | None = None,
    ) -> Result:
        county_id = access.county_scope(actor)
        name = clean_name(name, "检查人员姓名")
        unit_name = public_text(clean_line(unit_name, "所在单位"), "所在单位")
        payload = {"name": name, "unit": unit_id, "unit_name": unit_name, "home": home_community_id}

        def build() -> tuple[UUID, list[Aggregate]]:
            label = unit_name
            if unit_id is not None:
                unit = self.unit(unit_id)
                if unit.county_id != county_id:
                    raise Conflict("unit_not_in_county", "该单位不在本县（区）", "not in county")
                label = label or unit.name
            if not label:
                raise InvalidInput(
                    "unit_required", "请填写检查人员所在单位", "give the inspector's unit"
                )
            if home_community_id is not None:
                community = self.community(home_community_id)
                if community.county_id != county_id:
                    raise Conflict(
                        "community_not_in_county", "该社区不在本县（区）", "not in your county"
                    )
            new_id = uuid4()
            inspector = Inspector.register(
                new_id,
                county_id=county_id,
                name=name,
                unit_id=unit_id,
                unit_name=label,
                home_community_id=home_community_id,
                by=actor.ref,
                now=self.clock.now(),
            )
            return new_id, [inspector]

        return self._create(actor, "register_inspector", idempotency_key, payload, build)

    def retire_inspector(self, actor: Actor, inspector_id: UUID, reason: str) -> Result:
        reason = clean_text(reason, "退出理由", required=True)

        def decide(inspector: Inspector) -> None:
            access.require_role(actor, Role.ORG_DEPT)
            access.require_county(actor, inspector.county_id)
            inspector.retire(reason, actor.ref, self.clock.now())

        return self._decide(self.inspector, inspector_id, decide)

    # -- 党建联席会议 --------------------------------------------------------------------------

    def schedule_meeting(
        self,
        actor: Actor,
        community_id: UUID,
        *,
        held_on: object,
        topic: str,
        place: str,
        idempotency_key: str | None = None,
    ) -> Result:
        access.require_community_staff(actor, community_id)
        day = parse_date(held_on, "会议日期")
        topic = clean_line(topic, "会议议题", required=True)
        place = clean_line(place, "会议地点", required=True)
        payload = {"community": community_id, "day": day, "topic": topic, "place": place}

        def build() -> tuple[UUID, list[Aggregate]]:
            community = self.community(community_id)
            if day < self.today():
                raise InvalidInput(
                    "meeting_in_past", "会议日期不能早于今天", "a meeting is scheduled ahead"
                )
            meeting_id = uuid4()
            community.schedule_meeting(meeting_id, day, topic, place, actor.ref, self.clock.now())
            return meeting_id, [community]

        return self._create(actor, "schedule_meeting", idempotency_key, payload, build)

    def cancel_meeting(
        self, actor: Actor, community_id: UUID, meeting_id: UUID, reason: str
    ) -> Result:
        access.require_community_staff(actor, community_id)
        reason = clean_text(reason, "取消理由", required=True)

        def decide(community: Community) -> None:
            community.cancel_meeting(meeting_id, reason, actor.ref, self.clock.now())

        return self._decide(self.community, community_id, decide, about=meeting_id)

    def today(self) -> date:
        return business_date(self.clock.now())

    # -- the plan ------------------------------------------------------------------------

    def publish_plan(
        self,
        actor: Actor,
        proposal: PlanProposal,
        idempotency_key: str | None = None,
    ) -> Result:
        """一细则: the plan with every rule the draw follows; its hash is public."""
        county_id = access.county_scope(actor)
        checked = proposal.checked()

        def build() -> tuple[UUID, list[Aggregate]]:
            policy = self.policy(county_id)
            today, now = self.today(), self.clock.now()
            plan_id = uuid4()
            definition = define_plan(
                checked,
                plan_id=plan_id,
                county_id=county_id,
                policy=policy,
                today=today,
                now=now,
                check_inspector=lambda subject: self._active_inspector(subject, county_id),
            )
            plan = InspectionPlan.publish(definition, by=actor.ref, now=now)
            return plan_id, [plan]

        return self._create(actor, "publish_plan", idempotency_key, checked.fingerprint(), build)

    def _plan_command(
        self,
        actor: Actor,
        plan_id: UUID,
        decide: Callable[[InspectionPlan], list[Aggregate]],
        *,
        roles: tuple[Role, ...] = (Role.ORG_DEPT,),
    ) -> Result:
        def checked(plan: InspectionPlan) -> list[Aggregate]:
            access.require_role(actor, *roles)
            access.require_county(actor, plan.county_id)
            return decide(plan)

        return self._decide(self.plan, plan_id, checked)

    def freeze_population(self, actor: Actor, plan_id: UUID) -> Result:
        """检查对象名录库: derived from the log as it stands, with its position and hash."""

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.require_stage(PlanStatus.PUBLISHED, doing="冻结检查对象")
            now = self.clock.now()
            position = self.recorder.max_notification_id() or 0
            population = derive_population(
                plan.definition, plan.county_id, self._events(POPULATION_TOPICS, position), now
            )
            directory = TargetDirectory.freeze(plan.id, plan.county_id, position, population, now)
            plan.freeze_population(directory, len(population.excluded), actor.ref, now)
            return [directory]

        return self._plan_command(actor, plan_id, decide)

    def freeze_roster(self, actor: Actor, plan_id: UUID) -> Result:
        def decide(plan: InspectionPlan) -> list[Aggregate]:
            position = self.recorder.max_notification_id() or 0
            roster, _ = derive_roster(plan.county_id, self._events(ROSTER_TOPICS, position))
            directory = self.target_directory(plan_id)
            plan.freeze_roster(roster, directory, position, actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def commit_seed(
        self, actor: Actor, plan_id: UUID, commitment: str, party: str | None = None
    ) -> Result:
        """A seed party commits H(contribution ‖ salt). The party is the acting person
        (their role and token subject, as the plan names them); nobody commits for another."""
        party = self._party_of(actor, party)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.commit_seed(party, commitment.strip().lower(), actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def reveal_seed(
        self,
        actor: Actor,
        plan_id: UUID,
        contribution: str,
        salt: str = "",
        party: str | None = None,
    ) -> Result:
        """A party reveals (or, for a public-value seed, anyone of the county's 组织部 or
        inspectors writes the value in the plan's format). The last reveal draws, in the
        same write: nobody holds a known seed with the draw still to be made."""
        party = self._party_of(actor, party)
        check_text(contribution, "揭示的数值", lines=False)
        check_text(salt, "盐", lines=False)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            now = self.clock.now()
            # taken exactly as given, like the contribution: the commitment was made over
            # these bytes, so a salt in another case or padded is refused, never mended
            plan.reveal(party, contribution, salt, actor.ref, now)
            if plan.contribution_list():
                plan.draw(self.target_directory(plan_id), actor.ref, now)
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    @staticmethod
    def _party_of(actor: Actor, party: str | None) -> str:
        if party is not None and party.strip() and party.strip() != actor.ref:
            raise Forbidden(
                "not_a_seed_party",
                "只能以本人身份提交或揭示种子",
                "a party commits and reveals for themself only",
            )
        return actor.ref

    def _active_inspector(self, subject: str, county_id: UUID) -> Inspector:
        try:
            inspector_id = UUID(subject)
        except ValueError:
            inspector_id = None
        inspector = None if inspector_id is None else self._find(Inspector, inspector_id)
        if inspector is None or inspector.county_id != county_id or not inspector.active:
            raise InvalidInput(
                "unknown_inspector",
                f"名录中没有该检查人员：{subject}",
                f"no active inspector {subject} in the county",
            )
        return inspector

    def draw(self, actor: Actor, plan_id: UUID) -> Result:
        """Draws a plan whose seed is complete and not yet drawn. The last reveal draws
        by itself, so this answers already_drawn or seed_not_revealed for any plan made
        by this code; it stays for plans whose reveals predate that."""

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.check_can_draw()
            plan.draw(self.target_directory(plan_id), actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def replace_target(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        reason: str,
        reason_code: str = "other",
    ) -> Result:
        reason = clean_text(reason, "替换理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            relations = self.target_directory(plan_id).relations
            plan.replace_target(target, reason, relations, actor.ref, self.clock.now(), reason_code)
            return []

        return self._plan_command(actor, plan_id, decide)

    def recuse_inspector(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        inspector_id: UUID,
        reason: str,
        reason_code: str = "other",
    ) -> Result:
        """An inspector withdraws from a target (a conflict not in the roster, illness)."""
        reason = clean_text(reason, "回避理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            if actor.role is Role.INSPECTOR and actor.subject != str(inspector_id):
                access.require_role(actor, Role.ORG_DEPT)
            relations = self.target_directory(plan_id).relations
            plan.recuse(
                target,
                str(inspector_id),
                reason,
                relations,
                actor.ref,
                self.clock.now(),
                reason_code,
            )
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def record_finding(
        self,
        actor: Actor,
        plan_id: UUID,
        target: str,
        *,
        conclusion: str,
        confirmed: bool | None = None,
        stars: int | None = None,
        attendance: int | None = None,
        discussed: str = "",
        photos: Sequence[str] = (),
        note: str = "",
        correction_reason: str = "",
    ) -> Result:
        """An assigned inspector records the finding. A revisit whose resident denies the
        service finds the order false: its hours and points are reversed in this write."""
        access.require_role(actor, Role.INSPECTOR)
        conclusion_value = Conclusion.from_code(conclusion)
        discussed = clean_text(discussed, "会议内容")
        note = clean_text(note, "检查说明")
        correction_reason = clean_text(correction_reason, "更正理由")
        photo_list = sorted({clean_sha256(p) for p in photos})
        if stars is not None and (isinstance(stars, bool) or not isinstance(stars, int)):
            raise InvalidInput("invalid_stars", "评价星级应为 1 到 5", "stars are 1 to 5")

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            now = self.clock.now()
            plan.record_finding(
                target,
                actor.subject,
                confirmed=confirmed,
                stars=stars,
                attendance=attendance,
                discussed=discussed,
                photos=photo_list,
                conclusion=conclusion_value,
                note=note,
                correction_reason=correction_reason,
                by=actor.ref,
                now=now,
            )
            if plan.item is not InspectionItem.REVISIT or confirmed is not False:
                return []
            return self._find_false(actor, target, note or "督查回访：群众否认服务", now)

        return self._plan_command(actor, plan_id, decide, roles=(Role.INSPECTOR,))

    def _find_false(self, actor: Actor, target: str, reason: str, now: datetime) -> list[Aggregate]:
        order_id = parse_target(target)["order_id"]
        assert order_id is not None, f"{target} names no order"
        order: Order = self.order(UUID(order_id))
        if order.found_false:
            return []
        return [order, *self._found_false(order, reason, "inspection", actor, now)]

    def complete_visits(self, actor: Actor, plan_id: UUID) -> Result:
        def decide(plan: InspectionPlan) -> list[Aggregate]:
            if actor.role is Role.INSPECTOR and not plan.is_assigned(actor.subject):
                raise Forbidden(
                    "inspector_not_assigned",
                    "只有本次抽查的检查人员可以确认列席完成",
                    "only the plan's inspectors may complete its visits",
                )
            plan.complete_visits(actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide, roles=(Role.ORG_DEPT, Role.INSPECTOR))

    def publish_results(self, actor: Actor, plan_id: UUID, summary: str = "") -> Result:
        summary = clean_text(summary, "结果说明")

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.publish_results(summary, actor.ref, self.clock.now())
            return []

        return self._plan_command(actor, plan_id, decide)

    def void_plan(
        self, actor: Actor, plan_id: UUID, reason: str, reason_code: str = "other"
    ) -> Result:
        reason = clean_text(reason, "作废理由", required=True)

        def decide(plan: InspectionPlan) -> list[Aggregate]:
            plan.void(reason, actor.ref, self.clock.now(), reason_code)
            return []

        return self._plan_command(actor, plan_id, decide)

    def sweep_reveals(self, plan_ids: Sequence[UUID]) -> int:
        """The sweep: each plan whose seed is not complete by its deadline is voided."""
        return self._sweep_plans(plan_ids, InspectionPlan.default_unrevealed)

    def sweep_disclosures(self, plan_ids: Sequence[UUID]) -> int:
        """The sweep: each drawn plan past its disclosure deadline gets its overdue mark."""
        return self._sweep_plans(plan_ids, InspectionPlan.mark_disclosure_overdue)

    def _sweep_plans(
        self, plan_ids: Sequence[UUID], step: Callable[[InspectionPlan, datetime], bool]
    ) -> int:
        """Run a deadline step on each plan; the count of plans it recorded an event for."""
        changed = 0
        for plan_id in plan_ids:

            def decide(plan: InspectionPlan) -> list[Aggregate]:
                step(plan, self.clock.now())
                return []

            if self._decide(self.plan, plan_id, decide).position is not None:
                changed += 1
        return changed
