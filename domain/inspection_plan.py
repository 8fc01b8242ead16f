"""The inspection plan (`InspectionPlan`): 两随机一公开 from publication to published
results, every step an event that `replay draw-verify` re-runs from the log.

published → population frozen → roster frozen → seed committed (each party's
commitment, or a public value named in the plan) → seed revealed → drawn (once) →
findings → results published; voided at any point with a reason.

The plan decides by its rules (`self.definition`, a domain.plan_definition
.PlanDefinition read from the published document) and by plain functions of its own
field: the draw (domain.sampling), who inspects (domain.assignment), the seed's checks
(domain.seed) and the other steps' (domain.plan_checks).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import plan_team
from domain.calendar import business_date, local_text
from domain.draw_hashes import directory_id, roster_hash, sha256_canonical
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.inspection_items import Conclusion, InspectionItem, PlanStatus, SeedMethod
from domain.inspectors import roster_keys
from domain.plan_checks import check_finding, check_staffable, public_reason, require_findings
from domain.plan_definition import PlanDefinition
from domain.sampling import compute_draw
from domain.seed import (
    PUBLIC_PARTY,
    check_commitment,
    check_contribution,
    check_opening,
    check_public_value,
)
from domain.target_directory import TargetDirectory
from replay import draw


class InspectionPlan(Aggregate):
    TOPIC = "sishuang:InspectionPlan"

    class Event(Aggregate.Event):
        pass

    class Published(Event, Aggregate.Created):
        """The plan and its hash: the hash covers `document`, which holds every rule."""

        TOPIC = "sishuang:InspectionPlan.Published"
        county_id: UUID
        title: str
        item: InspectionItem
        document: dict[str, Any]
        plan_hash: str
        by: str

    Created = Published

    class PopulationFrozen(Event):
        TOPIC = "sishuang:InspectionPlan.PopulationFrozen"
        directory_id: UUID
        log_position: int
        population_hash: str
        counts: dict[str, int]
        excluded_count: int
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.status = PlanStatus.POPULATION_FROZEN
            plan.population_hash = self.population_hash
            plan.counts = dict(self.counts)

    class RosterFrozen(Event):
        """roster: inspector id -> [name, unit name, key, key...]; the keys are the
        inspector's side of the conflict relation."""

        TOPIC = "sishuang:InspectionPlan.RosterFrozen"
        log_position: int
        roster: dict[str, list[str]]
        roster_hash: str
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.status = PlanStatus.ROSTER_FROZEN
            plan.roster = {i: list(v) for i, v in self.roster.items()}
            plan.roster_hash = self.roster_hash
            plan.roster_frozen_at = self.timestamp

    class SeedCommitted(Event):
        TOPIC = "sishuang:InspectionPlan.SeedCommitted"
        party: str
        commitment: str
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.commitments[self.party] = self.commitment

    class ContributionRevealed(Event):
        """A party's contribution and salt (opening its commitment), or the public value
        (party "public", no salt)."""

        TOPIC = "sishuang:InspectionPlan.ContributionRevealed"
        party: str
        contribution: str
        salt: str
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.contributions[self.party] = self.contribution

    class Drawn(Event):
        """The one draw: seed, every selected target's ticket, the alternates, the
        inspectors per target and every inspector passed over with the reason.
        sample/alternates: stratum -> [[target id, ticket], ...] in ticket order."""

        TOPIC = "sishuang:InspectionPlan.Drawn"
        seed: str
        seed_hash: str
        algorithm: str
        sizes: dict[str, int]
        sample: dict[str, list[list[str]]]
        alternates: dict[str, list[list[str]]]
        assignments: dict[str, list[str]]
        skips: list[list[str]]
        sample_commitment: str
        disclosure_deadline: date
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.status = PlanStatus.DRAWN
            plan.seed_hash = self.seed_hash
            plan.drawn_at = self.timestamp
            plan.disclosure_deadline = self.disclosure_deadline
            for stratum, rows in self.sample.items():
                for target, _ in rows:
                    plan.targets[target] = stratum
            plan.alternates = {s: [list(r) for r in rows] for s, rows in self.alternates.items()}
            plan.assignments = {t: list(v) for t, v in self.assignments.items()}
            for inspectors in self.assignments.values():
                for inspector in inspectors:
                    plan.load[inspector] = plan.load.get(inspector, 0) + 1

    class TargetReplaced(Event):
        """A drawn target that cannot be inspected (gone, closed down) is replaced by the
        next unused alternate of its stratum; the replacement's inspectors are assigned
        as in the draw, with their skips."""

        TOPIC = "sishuang:InspectionPlan.TargetReplaced"
        class_version = 2  # 2: reason_code, what the public sees (earlier: "other")
        target: str
        replacement: str
        ticket: str
        inspectors: list[str]
        skips: list[list[str]]
        reason: str
        reason_code: str
        by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason_code"] = "other"

        def apply(self, plan: InspectionPlan) -> None:
            stratum = plan.targets[self.target]
            plan.replaced[self.target] = self.replacement
            plan.targets[self.replacement] = stratum
            plan.alternates[stratum] = [
                r for r in plan.alternates[stratum] if r[0] != self.replacement
            ]
            for inspector in plan.assignments.pop(self.target):
                plan.load[inspector] -= 1
            plan.assignments[self.replacement] = list(self.inspectors)
            for inspector in self.inspectors:
                plan.load[inspector] = plan.load.get(inspector, 0) + 1

    class InspectorRecused(Event):
        """An inspector withdraws from a target; the next inspector in that target's
        ticket order who is free of conflicts and under the cap takes the place."""

        TOPIC = "sishuang:InspectionPlan.InspectorRecused"
        class_version = 2  # 2: reason_code, what the public sees (earlier: "other")
        target: str
        inspector_id: str
        replacement_id: str
        skips: list[list[str]]
        reason: str
        reason_code: str
        by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason_code"] = "other"

        def apply(self, plan: InspectionPlan) -> None:
            team = plan.assignments[self.target]
            team[team.index(self.inspector_id)] = self.replacement_id
            plan.recused.setdefault(self.target, []).append(self.inspector_id)
            plan.load[self.inspector_id] -= 1
            plan.load[self.replacement_id] = plan.load.get(self.replacement_id, 0) + 1

    class FindingRecorded(Event):
        """One target's finding. For a revisit: whether the resident confirms the service
        (confirmed) and the stars they give; for a sit-in: attendance and what was
        discussed. A later finding on the same target corrects the earlier (reason)."""

        TOPIC = "sishuang:InspectionPlan.FindingRecorded"
        target: str
        inspector_id: str
        co_inspectors: list[str]
        confirmed: bool | None
        stars: int | None
        attendance: int | None
        discussed: str
        photos: list[str]
        conclusion: Conclusion
        note: str
        correction_reason: str
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.findings[self.target] = plan.findings.get(self.target, 0) + 1

    class VisitsCompleted(Event):
        """Unannounced visits done: the sample, public until now only as its
        commitment, is revealed (and checks against the commitment)."""

        TOPIC = "sishuang:InspectionPlan.VisitsCompleted"
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.visits_completed = True

    class ResultsPublished(Event):
        TOPIC = "sishuang:InspectionPlan.ResultsPublished"
        summary: str
        late_working_days: int
        by: str

        def apply(self, plan: InspectionPlan) -> None:
            plan.status = PlanStatus.RESULTS_PUBLISHED
            plan.published_at = self.timestamp

    class DisclosureOverdue(Event):
        """Recorded by the sweep the first day after the deadline without publication."""

        TOPIC = "sishuang:InspectionPlan.DisclosureOverdue"
        deadline: date

        def apply(self, plan: InspectionPlan) -> None:
            plan.overdue = True

    class Voided(Event):
        TOPIC = "sishuang:InspectionPlan.Voided"
        class_version = 2  # 2: reason_code, what the public sees (earlier: "other")
        reason: str
        reason_code: str
        by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason_code"] = "other"

        def apply(self, plan: InspectionPlan) -> None:
            plan.status = PlanStatus.VOIDED
            plan.void_reason = self.reason

    def __init__(
        self,
        county_id: UUID,
        title: str,
        item: InspectionItem,
        document: dict[str, Any],
        plan_hash: str,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.title = title
        self.item = item
        self.definition = PlanDefinition.from_document(document)
        self.plan_hash = plan_hash
        self.status = PlanStatus.PUBLISHED
        self.population_hash = ""
        self.counts: dict[str, int] = {}
        self.roster: dict[str, list[str]] = {}
        self.roster_hash = ""
        self.roster_frozen_at: datetime | None = None
        self.commitments: dict[str, str] = {}
        self.contributions: dict[str, str] = {}
        self.seed_hash = ""
        self.drawn_at: datetime | None = None
        self.disclosure_deadline: date | None = None
        self.targets: dict[str, str] = {}  # target -> stratum (selected and replacements)
        self.alternates: dict[str, list[list[str]]] = {}  # unused [id, ticket], ticket order
        self.assignments: dict[str, list[str]] = {}
        self.replaced: dict[str, str] = {}
        self.recused: dict[str, list[str]] = {}
        self.load: dict[str, int] = {}
        self.findings: dict[str, int] = {}
        self.visits_completed = False
        self.published_at: datetime | None = None
        self.overdue = False
        self.void_reason = ""

    # -- the rules ----------------------------------------------------------------------

    @property
    def document(self) -> dict[str, Any]:
        """The document as published: what `plan_hash` covers."""
        return self.definition.as_document()

    @property
    def live(self) -> bool:
        return self.status is not PlanStatus.VOIDED

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def publish(cls, definition: PlanDefinition, *, by: str, now: datetime) -> InspectionPlan:
        document = definition.as_document()
        return cls._create(
            cls.Published,
            id=definition.plan_id,
            county_id=definition.county_id,
            title=definition.title,
            item=definition.item,
            document=document,
            plan_hash=sha256_canonical(document),
            by=by,
            timestamp=now,
        )

    def require_stage(self, *statuses: PlanStatus, doing: str) -> None:
        if self.status is PlanStatus.VOIDED:
            raise Conflict(
                "plan_voided", f"该抽查已作废，不能{doing}", f"the plan was voided: cannot {doing}"
            )
        if self.status not in statuses:
            raise Conflict(
                "plan_wrong_stage",
                f"抽查当前为“{self.status.label}”，不能{doing}",
                f"the plan is {self.status.code}: cannot {doing}",
                status=self.status.code,
            )

    def require_public_value_ahead(self, now: datetime) -> None:
        """Inputs are frozen before the named public value exists, or never: once it is
        known, whoever freezes could pick a population or roster to suit it."""
        public = self.definition.public_value
        if public is not None and now >= public.available_after:
            raise Conflict(
                "public_value_already_known",
                "方案指定的公开数值已经产生，不能再冻结；请作废本方案后重新制定",
                "the named public value exists already: void the plan and make a new one",
            )

    def freeze_population(
        self, directory: TargetDirectory, excluded_count: int, by: str, now: datetime
    ) -> None:
        self.require_stage(PlanStatus.PUBLISHED, doing="冻结检查对象")
        self.require_public_value_ahead(now)
        if not directory.strata or not any(directory.strata.values()):
            raise Conflict(
                "empty_population",
                "按方案条件没有可抽查的对象",
                "no eligible target matches the plan",
            )
        self.trigger_event(
            self.PopulationFrozen,
            directory_id=directory.id,
            log_position=directory.log_position,
            population_hash=directory.population_hash,
            counts={s: len(ids) for s, ids in sorted(directory.strata.items())},
            excluded_count=excluded_count,
            by=by,
            timestamp=now,
        )

    def freeze_roster(
        self,
        roster: dict[str, list[str]],
        directory: TargetDirectory,
        log_position: int,
        by: str,
        now: datetime,
    ) -> None:
        """Freeze the roster, refused unless every draw the seed could give can be staffed
        (`check_staffable`). A seed-dependent failure after the reveal is then rare, and
        is refused with the reveal (nothing recorded), not left as a stuck plan."""
        self.require_stage(PlanStatus.POPULATION_FROZEN, doing="冻结检查人员名录")
        self.require_public_value_ahead(now)
        check_staffable(roster, directory.strata, directory.relations, self.definition.rules)
        self.trigger_event(
            self.RosterFrozen,
            log_position=log_position,
            roster=roster,
            roster_hash=roster_hash(roster),
            by=by,
            timestamp=now,
        )

    @property
    def reveal_deadline(self) -> datetime | None:
        return self.definition.reveal_deadline(self.roster_frozen_at)

    def _require_before_reveal_deadline(self, now: datetime) -> None:
        deadline = self.reveal_deadline
        if deadline is not None and now > deadline:
            raise Conflict(
                "reveal_deadline_passed",
                f"种子承诺与揭示的期限（北京时间 {local_text(deadline)}）已过，本方案将作废",
                f"the seed was due by {deadline.isoformat()}: the plan is void",
            )

    def missing_parties(self) -> list[str]:
        if self.definition.public_value is not None:
            return [] if PUBLIC_PARTY in self.contributions else [PUBLIC_PARTY]
        return [p for p in self.definition.seed.parties if p not in self.contributions]

    def default_unrevealed(self, now: datetime) -> bool:
        """The sweep's step: a seed not complete by its deadline voids the plan, naming
        who did not reveal, so withholding a reveal is itself on the record."""
        deadline = self.reveal_deadline
        if self.status is not PlanStatus.ROSTER_FROZEN or deadline is None or now <= deadline:
            return False
        missing = "、".join(self.missing_parties())
        self.trigger_event(
            self.Voided,
            reason=f"种子逾期未揭示齐全（截止北京时间 {local_text(deadline)}；未揭示：{missing}）",
            reason_code="seed_not_revealed",
            by="system:sweep",
            timestamp=now,
        )
        return True

    def commit_seed(self, party: str, commitment_hex: str, by: str, now: datetime) -> None:
        self.require_stage(PlanStatus.ROSTER_FROZEN, doing="提交种子承诺")
        self._require_before_reveal_deadline(now)
        seed = self.definition.seed
        if seed.method is not SeedMethod.COMMIT_REVEAL:
            raise Conflict(
                "seed_by_public_value",
                "本方案的种子取自公开数值，无需提交承诺",
                "this plan's seed is a named public value: no commitments",
            )
        if party not in seed.parties:
            raise Forbidden(
                "not_a_seed_party",
                f"“{party}”不是方案指定的种子提供方",
                f"{party} is not one of the plan's seed parties",
            )
        if party in self.commitments:
            raise Conflict("already_committed", "该方已提交承诺", "this party has committed")
        check_commitment(commitment_hex)
        self.trigger_event(
            self.SeedCommitted, party=party, commitment=commitment_hex, by=by, timestamp=now
        )

    def reveal(self, party: str, contribution: str, salt: str, by: str, now: datetime) -> None:
        """The contribution and the salt are taken exactly as given (a commitment was made
        over exact bytes): padded or over-long values, a salt in upper case, are refused,
        never trimmed or folded."""
        self.require_stage(PlanStatus.ROSTER_FROZEN, doing="揭示种子")
        self._require_before_reveal_deadline(now)
        check_contribution(contribution)
        public = self.definition.public_value
        if public is not None:
            check_public_value(public, contribution, now)
            party, salt = PUBLIC_PARTY, ""
        else:
            check_opening(self.commitments, self.definition.seed.parties, party, contribution, salt)
        if party in self.contributions:
            raise Conflict("already_revealed", "该方已揭示", "this party has revealed")
        self.trigger_event(
            self.ContributionRevealed,
            party=party,
            contribution=contribution,
            salt=salt,
            by=by,
            timestamp=now,
        )

    def contribution_list(self) -> list[str]:
        """The contributions in the plan's party order (or the one public value)."""
        if self.definition.public_value is not None:
            return [self.contributions[PUBLIC_PARTY]] if PUBLIC_PARTY in self.contributions else []
        parties = self.definition.seed.parties
        if any(p not in self.contributions for p in parties):
            return []
        return [self.contributions[p] for p in parties]

    def check_can_draw(self) -> None:
        if self.drawn_at is not None:
            raise Conflict("already_drawn", "本方案已抽取，不能再次抽取", "already drawn")
        self.require_stage(PlanStatus.ROSTER_FROZEN, doing="抽取")
        if not self.contribution_list():
            raise Conflict(
                "seed_not_revealed", "种子尚未揭示齐全，不能抽取", "the seed is not revealed"
            )

    def draw(self, directory: TargetDirectory, by: str, now: datetime) -> None:
        self.check_can_draw()
        if directory.id != directory_id(self.id) or directory.population_hash != (
            self.population_hash
        ):
            raise Conflict(
                "directory_mismatch", "检查对象名录与方案不符", "the directory is not the plan's"
            )
        outcome = compute_draw(
            self.definition.rules,
            self.plan_hash,
            directory.strata,
            directory.relations,
            directory.population_hash,
            self.roster,
            self.roster_hash,
            self.contribution_list(),
        )
        self.trigger_event(
            self.Drawn,
            seed=outcome.seed,
            seed_hash=outcome.seed_hash,
            algorithm=draw.ALGORITHM,
            sizes=outcome.sizes,
            sample=outcome.sample,
            alternates=outcome.alternates,
            assignments=outcome.assignment.assigned,
            skips=outcome.assignment.skips,
            sample_commitment=outcome.sample_commitment,
            disclosure_deadline=self.definition.disclosure_deadline(now),
            by=by,
            timestamp=now,
        )

    def _require_drawn(self, doing: str) -> None:
        self.require_stage(PlanStatus.DRAWN, doing=doing)

    def _require_target(self, target: str) -> None:
        if target not in self.assignments:
            raise Conflict(
                "not_a_drawn_target",
                f"{target} 不是本次抽中的检查对象",
                f"{target} is not a drawn target of this plan",
            )

    def replace_target(
        self,
        target: str,
        reason: str,
        relations: dict[str, list[str]],
        by: str,
        now: datetime,
        reason_code: str = "other",
    ) -> None:
        """`relations` are the frozen directory's (the replacement's conflict keys)."""
        self._require_drawn("替换检查对象")
        self._require_target(target)
        taken, ticket, team = plan_team.replacement(self, target, reason, relations)
        self.trigger_event(
            self.TargetReplaced,
            target=target,
            replacement=taken,
            ticket=ticket,
            inspectors=team.assigned[taken],
            skips=team.skips,
            reason=reason,
            reason_code=public_reason("replace", reason_code),
            by=by,
            timestamp=now,
        )

    def roster_keys(self) -> dict[str, list[str]]:
        return roster_keys(self.roster)

    def recuse(
        self,
        target: str,
        inspector_id: str,
        reason: str,
        relations: dict[str, list[str]],
        by: str,
        now: datetime,
        reason_code: str = "other",
    ) -> None:
        self._require_drawn("更换检查人员")
        self._require_target(target)
        replacement, skips = plan_team.successor(self, target, inspector_id, reason, relations)
        self.trigger_event(
            self.InspectorRecused,
            target=target,
            inspector_id=inspector_id,
            replacement_id=replacement,
            skips=skips,
            reason=reason,
            reason_code=public_reason("recuse", reason_code),
            by=by,
            timestamp=now,
        )

    def record_finding(
        self,
        target: str,
        inspector_id: str,
        *,
        confirmed: bool | None,
        stars: int | None,
        attendance: int | None,
        discussed: str,
        photos: list[str],
        conclusion: Conclusion,
        note: str,
        correction_reason: str,
        by: str,
        now: datetime,
    ) -> None:
        self.require_stage(PlanStatus.DRAWN, PlanStatus.RESULTS_PUBLISHED, doing="记录检查结果")
        self._require_target(target)
        if inspector_id not in self.assignments[target]:
            raise Forbidden(
                "inspector_not_assigned",
                "您未被分配检查该对象",
                "you are not assigned to this target",
            )
        correcting = bool(self.findings.get(target))
        if (correcting or self.status is PlanStatus.RESULTS_PUBLISHED) and not correction_reason:
            raise InvalidInput(
                "correction_reason_required",
                "已有检查结果或结果已公开，更正须说明理由",
                "a correction (or a finding after publication) needs a reason",
            )
        check_finding(self.item, confirmed, stars, attendance)
        team = self.assignments[target]
        self.trigger_event(
            self.FindingRecorded,
            target=target,
            inspector_id=inspector_id,
            co_inspectors=[i for i in team if i != inspector_id],
            confirmed=confirmed,
            stars=stars,
            attendance=attendance,
            discussed=discussed,
            photos=photos,
            conclusion=conclusion,
            note=note,
            correction_reason=correction_reason,
            by=by,
            timestamp=now,
        )

    def is_assigned(self, inspector_id: str) -> bool:
        return any(inspector_id in team for team in self.assignments.values())

    def complete_visits(self, by: str, now: datetime) -> None:
        self._require_drawn("确认列席完成")
        if not self.definition.unannounced:
            raise Conflict(
                "not_unannounced", "本方案不是不打招呼检查", "this plan is not unannounced"
            )
        if self.visits_completed:
            raise Conflict("visits_completed", "已确认完成", "already completed")
        require_findings(self.assignments, self.findings)
        self.trigger_event(self.VisitsCompleted, by=by, timestamp=now)

    def publish_results(self, summary: str, by: str, now: datetime) -> None:
        self._require_drawn("公开结果")
        if self.definition.unannounced and not self.visits_completed:
            raise Conflict(
                "visits_not_completed",
                "不打招呼检查须先确认列席完成",
                "complete the unannounced visits first",
            )
        require_findings(self.assignments, self.findings)
        assert self.disclosure_deadline is not None
        late = self.definition.calendar.between(self.disclosure_deadline, business_date(now))
        self.trigger_event(
            self.ResultsPublished, summary=summary, late_working_days=late, by=by, timestamp=now
        )

    def mark_disclosure_overdue(self, now: datetime) -> bool:
        """The sweep's step: past the deadline, unpublished, not yet marked."""
        if (
            self.status is not PlanStatus.DRAWN
            or self.overdue
            or self.disclosure_deadline is None
            or business_date(now) <= self.disclosure_deadline
        ):
            return False
        self.trigger_event(self.DisclosureOverdue, deadline=self.disclosure_deadline, timestamp=now)
        return True

    def void(self, reason: str, by: str, now: datetime, reason_code: str = "other") -> None:
        if self.status is PlanStatus.VOIDED:
            raise Conflict("plan_voided", "该抽查已作废", "already voided")
        if self.status is PlanStatus.RESULTS_PUBLISHED:
            raise Conflict(
                "results_published", "结果已公开的抽查不能作废", "results are already published"
            )
        if not reason:
            raise InvalidInput("reason_required", "作废必须说明理由", "a void needs a reason")
        self.trigger_event(
            self.Voided,
            reason=reason,
            reason_code=public_reason("void", reason_code),
            by=by,
            timestamp=now,
        )
