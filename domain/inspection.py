"""两随机一公开: supervision by random inspection, drawn so that anyone can re-run it.

一单两库一细则 in this module's terms:

- 一单, the item list (随机抽查事项清单): `InspectionItem`, each with its procedure
  (`PROCEDURES`), published as version `ITEM_LIST_VERSION`.
- 检查对象名录库, the target directory: never typed in. `domain.draws.derive_population`
  derives it from the log at the moment the population is frozen; the frozen copy is a
  `TargetDirectory` aggregate (one per plan; it is large, so the plan itself keeps only
  its hash and counts).
- 执法检查人员名录库, the inspector directory: `Inspector` aggregates, registered by 组织部,
  each with unit and home community; the plan freezes the roster from the log.
- 抽查细则, the rules: the plan's sample sizes per stratum kind, inspectors per target,
  load cap, revisit cool-down, disclosure deadline in working days.

The plan's life (`InspectionPlan`): published → population frozen → roster frozen →
seed committed (each party's commitment, or a public value named in the plan) → seed
revealed → drawn (once) → findings → results published; voided at any point with a
reason. Every step is an event, and `replay draw-verify` re-runs each from the log.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.calendar import business_date, local_text
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.masking import REASON_LABELS, REASONS_FOR
from domain.policies import POLICY_MAXIMA
from domain.values import Labelled
from replay import draw
from replay.canonical import canonical

ITEM_LIST_VERSION = "2026.1"
POPULATION_RULES = "sishuang/population/v1"  # the derivation in domain.draws, by version
MAX_CONTRIBUTION = 200
PARTY_RE = re.compile(r"(org_dept|inspector):\S.{0,99}")
PLAN_SCHEMA = "sishuang/draw-plan/v1"
ROSTER_SCHEMA = "sishuang/draw-roster/v1"
SAMPLE_SCHEMA = "sishuang/draw-sample/v1"
DIRECTORY_NAMESPACE = UUID("6f1d6a53-52b9-4c8e-9a3e-0f1c3c1e2d77")


class InspectionItem(Labelled):
    SIT_IN = ("sit_in", "随机列席党建联席会议")
    REVISIT = ("revisit", "随机回访已办结需求的群众")
    SERVICE_RECORD = ("service_record", "随机核查党员服务记录")
    UNIT_PAIRING = ("unit_pairing", "随机检查单位包联职责")

    @classmethod
    def label_zh(cls) -> str:
        return "检查事项"


# 随机抽查事项清单: what each item inspects and how (published with the plan's hash).
PROCEDURES: dict[InspectionItem, str] = {
    InspectionItem.SIT_IN: (
        "不打招呼列席抽中的党建联席会议：记录到会人数、议题与议定事项，拍照留存；"
        "抽样结果在列席完成前只公开其承诺值"
    ),
    InspectionItem.REVISIT: (
        "电话或上门回访抽中需求的群众：核实服务是否真实完成，请群众重新评价（1–5星）；"
        "群众否认服务的，核定为虚假并撤销时长与积分"
    ),
    InspectionItem.SERVICE_RECORD: (
        "核查抽中党员的服务台账：服务记录、签到定位与照片是否一致，亮身份亮承诺是否落实"
    ),
    InspectionItem.UNIT_PAIRING: (
        "检查抽中单位的包联职责：单位报到、结对社区、参与大党委与民生项目情况"
    ),
}

# Which log facts make an item's targets, and how they are stratified.
TARGET_PREFIX: dict[InspectionItem, str] = {
    InspectionItem.SIT_IN: "MTG",
    InspectionItem.REVISIT: "ORD",
    InspectionItem.SERVICE_RECORD: "MBR",
    InspectionItem.UNIT_PAIRING: "UNIT",
}
COUNTY_STRATUM = "county"  # the one stratum of an item not stratified by community
LOW_SUFFIX = "/low"  # the low-rated orders of a community: their own stratum


class Conclusion(Labelled):
    PASS = ("pass", "合格")
    RECTIFY = ("rectify", "限期整改")
    ADMONISH = ("admonish", "诫勉谈话")

    @classmethod
    def label_zh(cls) -> str:
        return "检查结论"


class SeedMethod(Labelled):
    COMMIT_REVEAL = ("commit_reveal", "多方承诺后揭示")
    PUBLIC_VALUE = ("public_value", "冻结后才产生的公开数值")

    @classmethod
    def label_zh(cls) -> str:
        return "随机种子生成方式"


class PlanStatus(Labelled):
    PUBLISHED = ("published", "已发布方案")
    POPULATION_FROZEN = ("population_frozen", "检查对象已冻结")
    ROSTER_FROZEN = ("roster_frozen", "检查人员已冻结")
    DRAWN = ("drawn", "已抽取")
    RESULTS_PUBLISHED = ("results_published", "结果已公开")
    VOIDED = ("voided", "已作废")

    @classmethod
    def label_zh(cls) -> str:
        return "抽查状态"


def sha256_canonical(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def directory_id(plan_id: UUID) -> UUID:
    """The frozen target directory of a plan has an id derived from the plan's."""
    return uuid5(DIRECTORY_NAMESPACE, str(plan_id))


# ------------------------------------------------------------------------------ rules


@dataclass(frozen=True)
class SampleRule:
    """n = min(N, max(minimum, ceil(ratio·N))) for the strata of one kind."""

    ratio: str  # an exact decimal, e.g. "0.05"
    minimum: int

    def size(self, population: int) -> int:
        return draw.sample_size(population, self.ratio, self.minimum)

    def as_doc(self) -> dict[str, Any]:
        return {"ratio": self.ratio, "minimum": self.minimum}


def clean_rule(ratio: object, minimum: object, what: str) -> SampleRule:
    try:
        value = Decimal(str(ratio).strip())
    except Exception:
        value = Decimal(-1)
    if isinstance(ratio, bool) or not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput(
            "invalid_sample_ratio",
            f"{what}抽查比例应为 0 到 1 之间的小数（如 0.05）",
            f"the {what} sample ratio is a decimal between 0 and 1, e.g. 0.05",
        )
    top = POLICY_MAXIMA["inspection_sample_min"]
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= top:
        raise InvalidInput(
            "invalid_sample_minimum",
            f"{what}最少抽取数应为 0 到 {top} 的整数",
            f"the {what} minimum sample is an integer 0-{top}",
        )
    return SampleRule(format(value.normalize(), "f"), minimum)


def _is_working_day(day: date, holidays: frozenset[date], workdays: frozenset[date]) -> bool:
    """Monday to Friday less the published holidays, plus the weekend days declared
    working days (调休)."""
    return (day.weekday() < 5 and day not in holidays) or day in workdays


def add_working_days(
    start: date, days: int, holidays: frozenset[date], workdays: frozenset[date]
) -> date:
    """The date `days` working days after `start`."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if _is_working_day(current, holidays, workdays):
            left -= 1
    return current


def working_days_between(
    start: date, end: date, holidays: frozenset[date], workdays: frozenset[date]
) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if _is_working_day(current, holidays, workdays):
            count += 1
    return count


def calendar_of(document: dict[str, Any]) -> tuple[frozenset[date], frozenset[date]]:
    """A plan's (holidays, extra workdays), as its document lists them."""
    return (
        frozenset(date.fromisoformat(d) for d in document.get("holidays", [])),
        frozenset(date.fromisoformat(d) for d in document.get("extra_workdays", [])),
    )


def rule_of(document: dict[str, Any], stratum: str) -> SampleRule:
    """The plan's sample rule for a stratum: the low-rated kind or the normal one."""
    rule = document["strata"]["low" if stratum.endswith(LOW_SUFFIX) else "normal"]
    return SampleRule(rule["ratio"], int(rule["minimum"]))


def roster_keys(roster: dict[str, list[str]]) -> dict[str, list[str]]:
    """inspector -> their conflict keys (a frozen roster row after name and unit name)."""
    return {i: list(row[2:]) for i, row in roster.items()}


# ---------------------------------------------------------------------------- roster


class Inspector(Aggregate):
    """One person of the supervision team roster (执法检查人员名录库)."""

    TOPIC = "sishuang:Inspector"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Inspector.Registered"
        county_id: UUID
        name: str
        unit_id: UUID | None
        unit_name: str
        home_community_id: UUID | None
        by: str

    Created = Registered

    class Retired(Event):
        TOPIC = "sishuang:Inspector.Retired"
        reason: str
        by: str

        def apply(self, inspector: Inspector) -> None:
            inspector.active = False

    def __init__(
        self,
        county_id: UUID,
        name: str,
        unit_id: UUID | None,
        unit_name: str,
        home_community_id: UUID | None,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.name = name
        self.unit_id = unit_id
        self.unit_name = unit_name
        self.home_community_id = home_community_id
        self.active = True

    @classmethod
    def register(
        cls,
        inspector_id: UUID,
        *,
        county_id: UUID,
        name: str,
        unit_id: UUID | None,
        unit_name: str,
        home_community_id: UUID | None,
        by: str,
        now: datetime,
    ) -> Inspector:
        return cls._create(
            cls.Registered,
            id=inspector_id,
            county_id=county_id,
            name=name,
            unit_id=unit_id,
            unit_name=unit_name,
            home_community_id=home_community_id,
            by=by,
            timestamp=now,
        )

    def retire(self, reason: str, by: str, now: datetime) -> None:
        if not self.active:
            raise Conflict("inspector_retired", "该检查人员已退出名录", "already retired")
        self.trigger_event(self.Retired, reason=reason, by=by, timestamp=now)


def inspector_keys(unit_id: UUID | None, home_community_id: UUID | None) -> list[str]:
    """An inspector's side of the conflict relation: their unit and home community."""
    keys = []
    if unit_id is not None:
        keys.append(f"unit:{unit_id}")
    if home_community_id is not None:
        keys.append(f"community:{home_community_id}")
    return keys


# ------------------------------------------------------------------ target directory


class TargetDirectory(Aggregate):
    """The frozen target directory of one plan: the population with eligibility."""

    TOPIC = "sishuang:TargetDirectory"

    class Event(Aggregate.Event):
        pass

    class Frozen(Event, Aggregate.Created):
        """strata: stratum -> sorted eligible target ids; excluded: id -> reason;
        relations: id -> the keys (community:<id>, unit:<id>) an inspector must not share."""

        TOPIC = "sishuang:TargetDirectory.Frozen"
        plan_id: UUID
        county_id: UUID
        log_position: int
        strata: dict[str, list[str]]
        excluded: dict[str, str]
        relations: dict[str, list[str]]
        population_hash: str

    Created = Frozen

    @classmethod
    def freeze(
        cls, plan: InspectionPlan, log_position: int, population: Any, now: datetime
    ) -> TargetDirectory:
        """`population`: a domain.draws.Population (strata, excluded, relations, hash)."""
        return cls._create(
            cls.Frozen,
            id=directory_id(plan.id),
            plan_id=plan.id,
            county_id=plan.county_id,
            log_position=log_position,
            strata=population.strata,
            excluded=population.excluded,
            relations=population.relations,
            population_hash=population.hash,
            timestamp=now,
        )

    def __init__(
        self,
        plan_id: UUID,
        county_id: UUID,
        log_position: int,
        strata: dict[str, list[str]],
        excluded: dict[str, str],
        relations: dict[str, list[str]],
        population_hash: str,
    ) -> None:
        self.plan_id = plan_id
        self.county_id = county_id
        self.log_position = log_position
        self.strata = strata
        self.excluded = excluded
        self.relations = relations
        self.population_hash = population_hash


# ----------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Assignment:
    """The outcome of assigning inspectors to targets (`assign`)."""

    assigned: dict[str, list[str]]  # target -> inspector ids, in ticket order
    skips: list[list[str]]  # [target, inspector, reason] for each inspector passed over
    load: dict[str, int]


def assign(
    targets: list[str],
    roster: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    per_target: int,
    load_cap: int,
    load: dict[str, int] | None = None,
) -> Assignment:
    """Inspectors per target by their own tickets (lowest first), skipping a conflict of
    interest (a shared unit or community key) or a full load; every skip is recorded.

    Targets are taken in the order given (the draw's: ticket order across all strata),
    so earlier targets get first pick; `load` carries the loads of earlier assignments.
    Raises Conflict when a target cannot get `per_target` inspectors.
    """
    loads = dict(load or dict.fromkeys(roster, 0))
    assigned: dict[str, list[str]] = {}
    skips: list[list[str]] = []
    for target in targets:
        ranked = sorted(
            (draw.inspector_ticket(seed_hash, target, inspector), inspector) for inspector in roster
        )
        keys = set(relations.get(target, ()))
        chosen: list[str] = []
        for _, inspector in ranked:
            if len(chosen) == per_target:
                break
            if keys & set(roster[inspector]):
                skips.append([target, inspector, "conflict"])
            elif loads.get(inspector, 0) >= load_cap:
                skips.append([target, inspector, "load_full"])
            else:
                chosen.append(inspector)
                loads[inspector] = loads.get(inspector, 0) + 1
        if len(chosen) < per_target:
            raise Conflict(
                "not_enough_inspectors",
                f"检查对象 {target} 找不到 {per_target} 名无利害关系且未满额的检查人员",
                f"target {target} cannot get {per_target} unconflicted inspectors under the cap",
                target=target,
            )
        assigned[target] = chosen
    return Assignment(assigned, skips, loads)


def next_inspector(
    target: str,
    roster: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    load: dict[str, int],
    load_cap: int,
    excluded: set[str],
) -> tuple[str, list[list[str]]]:
    """Who takes a recusing inspector's place on `target`: `assign`'s rule for one place,
    among the roster less `excluded` (the team, earlier recusals). Returns the inspector
    and the skips on the way; raises Conflict when nobody is left."""
    others = {i: keys for i, keys in roster.items() if i not in excluded}
    outcome = assign([target], others, relations, seed_hash, 1, load_cap, dict(load))
    return outcome.assigned[target][0], outcome.skips


def sample_commitment(
    seed: str,
    seed_hash: str,
    sample: dict[str, list[list[str]]],
    assignments: dict[str, list[str]],
) -> str:
    """What an unannounced plan publishes before its visits: the hash of the sample, the
    seed (secret until then, so the hash cannot be guessed) and the teams."""
    return sha256_canonical(
        {
            "schema": SAMPLE_SCHEMA,
            "seed_hash": seed_hash,
            "sample": sample,
            "seed": seed,
            "assignments": assignments,
        }
    )


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
        self.document = document
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

    # -- the document -------------------------------------------------------------------

    @property
    def seed_method(self) -> SeedMethod:
        return SeedMethod.from_code(self.document["seed"]["method"])

    @property
    def parties(self) -> list[str]:
        parties: list[str] = self.document["seed"].get("parties", [])
        return parties

    @property
    def unannounced(self) -> bool:
        return bool(self.document["unannounced"])

    @property
    def min_inspectors(self) -> int:
        value: int = self.document["min_inspectors"]
        return value

    @property
    def load_cap(self) -> int:
        value: int = self.document["load_cap"]
        return value

    @property
    def period(self) -> tuple[date, date]:
        start, end = self.document["period"]
        return date.fromisoformat(start), date.fromisoformat(end)

    @property
    def live(self) -> bool:
        return self.status is not PlanStatus.VOIDED

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def publish(
        cls,
        plan_id: UUID,
        *,
        county_id: UUID,
        title: str,
        item: InspectionItem,
        document: dict[str, Any],
        by: str,
        now: datetime,
    ) -> InspectionPlan:
        full = {"schema": PLAN_SCHEMA, "plan_id": str(plan_id), "county_id": str(county_id)}
        full.update(document)
        return cls._create(
            cls.Published,
            id=plan_id,
            county_id=county_id,
            title=title,
            item=item,
            document=full,
            plan_hash=sha256_canonical(full),
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
        if self.seed_method is not SeedMethod.PUBLIC_VALUE:
            return
        if now >= datetime.fromisoformat(self.document["seed"]["available_after"]):
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
        as far as can be told before the seed exists: each target has enough inspectors
        free of conflicts, and the roster's capacity covers the sample (whose size follows
        from the rules alone). A seed-dependent failure after the reveal is then rare, and
        is refused with the reveal (nothing recorded), not left as a stuck plan."""
        self.require_stage(PlanStatus.POPULATION_FROZEN, doing="冻结检查人员名录")
        self.require_public_value_ahead(now)
        need = self.min_inspectors
        if len(roster) < need:
            raise Conflict(
                "not_enough_inspectors",
                f"检查人员名录不足 {need} 人",
                f"the roster has fewer than {need} inspectors",
            )
        keys = {i: set(k) for i, k in roster_keys(roster).items()}
        short = [
            target
            for ids in directory.strata.values()
            for target in ids
            if sum(1 for k in keys.values() if not k & set(directory.relations.get(target, ())))
            < need
        ]
        if short:
            raise Conflict(
                "conflicted_targets",
                f"有 {len(short)} 个检查对象找不到 {need} 名无利害关系的检查人员，请充实名录",
                f"{len(short)} targets lack {need} inspectors free of conflicts",
                targets=short[:20],
            )
        sample = sum(
            rule_of(self.document, s).size(len(ids)) for s, ids in directory.strata.items()
        )
        if self.load_cap * len(roster) < need * sample:
            raise Conflict(
                "roster_too_small",
                f"需检查 {sample} 个对象、每个 {need} 人，名录 {len(roster)} 人"
                f"每人上限 {self.load_cap}，不够分配",
                f"{sample} targets x {need} inspectors exceed {len(roster)} x {self.load_cap}",
            )
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
        """Commitments and reveals are due within the plan's hours of the roster freeze
        (of the public value's moment, if later); None for a plan without the rule."""
        hours = self.document.get("reveal_within_hours")
        if hours is None or self.roster_frozen_at is None:
            return None
        start = self.roster_frozen_at
        if self.seed_method is SeedMethod.PUBLIC_VALUE:
            start = max(start, datetime.fromisoformat(self.document["seed"]["available_after"]))
        return start + timedelta(hours=int(hours))

    def _require_before_reveal_deadline(self, now: datetime) -> None:
        deadline = self.reveal_deadline
        if deadline is not None and now > deadline:
            raise Conflict(
                "reveal_deadline_passed",
                f"种子承诺与揭示的期限（北京时间 {local_text(deadline)}）已过，本方案将作废",
                f"the seed was due by {deadline.isoformat()}: the plan is void",
            )

    def missing_parties(self) -> list[str]:
        if self.seed_method is SeedMethod.PUBLIC_VALUE:
            return [] if "public" in self.contributions else ["public"]
        return [p for p in self.parties if p not in self.contributions]

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
        if self.seed_method is not SeedMethod.COMMIT_REVEAL:
            raise Conflict(
                "seed_by_public_value",
                "本方案的种子取自公开数值，无需提交承诺",
                "this plan's seed is a named public value: no commitments",
            )
        if party not in self.parties:
            raise Forbidden(
                "not_a_seed_party",
                f"“{party}”不是方案指定的种子提供方",
                f"{party} is not one of the plan's seed parties",
            )
        if party in self.commitments:
            raise Conflict("already_committed", "该方已提交承诺", "this party has committed")
        if not isinstance(commitment_hex, str) or not draw._HEX64.fullmatch(commitment_hex):
            raise InvalidInput(
                "invalid_commitment",
                "承诺值应为 64 位小写十六进制 SHA-256",
                "a commitment is 64 lowercase hex digits (SHA-256)",
            )
        self.trigger_event(
            self.SeedCommitted, party=party, commitment=commitment_hex, by=by, timestamp=now
        )

    def reveal(self, party: str, contribution: str, salt: str, by: str, now: datetime) -> None:
        """The contribution and the salt are taken exactly as given (a commitment was made
        over exact bytes): padded or over-long values, a salt in upper case, are refused,
        never trimmed or folded."""
        self.require_stage(PlanStatus.ROSTER_FROZEN, doing="揭示种子")
        self._require_before_reveal_deadline(now)
        if (
            not isinstance(contribution, str)
            or not 1 <= len(contribution) <= MAX_CONTRIBUTION
            or contribution != contribution.strip()
            or not contribution.isprintable()
        ):
            raise InvalidInput(
                "invalid_contribution",
                f"种子数值应为 1–{MAX_CONTRIBUTION} 个可打印字符，首尾不能有空格",
                f"a contribution is 1-{MAX_CONTRIBUTION} printable characters, no padding",
            )
        if self.seed_method is SeedMethod.PUBLIC_VALUE:
            available = datetime.fromisoformat(self.document["seed"]["available_after"])
            if now < available:
                raise Conflict(
                    "public_value_not_yet",
                    "方案指定的公开数值尚未产生",
                    "the named public value does not exist yet",
                )
            party, salt = "public", ""
            pattern = self.document["seed"]["pattern"]
            if not re.fullmatch(pattern, contribution):
                raise InvalidInput(
                    "public_value_format",
                    f"公开数值须严格按方案规定的格式书写：{self.document['seed']['example']}",
                    f"write the public value exactly as the plan says: {pattern}",
                )
        else:
            if len(self.commitments) < len(self.parties):
                raise Conflict(
                    "commitments_missing",
                    "各方承诺提交齐全后才能揭示",
                    "every party must commit before any reveal",
                )
            if party not in self.commitments:
                raise Forbidden(
                    "not_a_seed_party", f"“{party}”未提交承诺", f"{party} has not committed"
                )
            if not isinstance(salt, str) or not draw._HEX64.fullmatch(salt):
                raise InvalidInput(
                    "invalid_salt",
                    "盐应为承诺时所用的 64 位十六进制数字，字母一律小写（0–9、a–f），"
                    "须原样填写，不能改成大写，首尾不能有空格",
                    "the salt is the 64 lowercase hex digits used for the commitment, "
                    "exactly as committed: no upper case, no padding",
                )
            if not draw.opens(self.commitments[party], contribution, salt):
                raise InvalidInput(
                    "commitment_not_opened",
                    "揭示的数值或盐与承诺不符：须与承诺时逐字一致",
                    "the contribution and salt do not open the commitment "
                    "(they must be exactly the committed bytes)",
                )
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
        if self.seed_method is SeedMethod.PUBLIC_VALUE:
            return [self.contributions["public"]] if "public" in self.contributions else []
        if any(p not in self.contributions for p in self.parties):
            return []
        return [self.contributions[p] for p in self.parties]

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
        contributions = self.contribution_list()
        outcome = compute_draw(
            self.document,
            self.plan_hash,
            directory.strata,
            directory.relations,
            directory.population_hash,
            self.roster,
            self.roster_hash,
            contributions,
        )
        deadline = disclosure_deadline(self.document, now)
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
            disclosure_deadline=deadline,
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
        if self.findings.get(target):
            raise Conflict(
                "target_inspected", "该对象已有检查结果，不能替换", "the target has a finding"
            )
        if not reason:
            raise InvalidInput(
                "reason_required", "替换必须说明理由", "a replacement needs a reason"
            )
        pool = self.alternates.get(self.targets[target], [])
        if not pool:
            raise Conflict(
                "no_alternate", "该层已无备选对象", "no alternate is left in this stratum"
            )
        replacement, ticket = pool[0]
        load = dict(self.load)
        for inspector in self.assignments[target]:  # the replaced target's team is freed
            load[inspector] -= 1
        outcome = assign(
            [replacement],
            self.roster_keys(),
            relations,
            self.seed_hash,
            self.min_inspectors,
            self.load_cap,
            load,
        )
        self.trigger_event(
            self.TargetReplaced,
            target=target,
            replacement=replacement,
            ticket=ticket,
            inspectors=outcome.assigned[replacement],
            skips=outcome.skips,
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
        team = self.assignments[target]
        if inspector_id not in team:
            raise Conflict(
                "not_assigned", "该检查人员未被分配到此对象", "the inspector is not on this target"
            )
        if self.findings.get(target):
            raise Conflict(
                "target_inspected", "该对象已有检查结果，不能更换人员", "the target has a finding"
            )
        if not reason:
            raise InvalidInput("reason_required", "回避必须说明理由", "a recusal needs a reason")
        excluded = set(team) | set(self.recused.get(target, [])) | {inspector_id}
        try:
            outcome = next_inspector(
                target,
                self.roster_keys(),
                relations,
                self.seed_hash,
                self.load,
                self.load_cap,
                excluded,
            )
        except Conflict:
            raise Conflict(
                "not_enough_inspectors",
                "没有其他无利害关系且未满额的检查人员可替换",
                "no other unconflicted inspector under the cap is left",
            ) from None
        replacement, skips = outcome
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
        item = self.item
        if item is InspectionItem.REVISIT:
            if confirmed is None:
                raise InvalidInput(
                    "confirmation_required",
                    "回访须记录群众是否确认服务完成",
                    "a revisit records whether the resident confirms the service",
                )
            if stars is not None and not 1 <= stars <= 5:
                raise InvalidInput("invalid_stars", "评价星级应为 1 到 5", "stars are 1 to 5")
        elif confirmed is not None or stars is not None:
            raise InvalidInput(
                "not_a_revisit",
                "只有回访才记录群众确认与评价",
                "only a revisit records a confirmation and stars",
            )
        if item is InspectionItem.SIT_IN and attendance is None:
            raise InvalidInput(
                "attendance_required", "列席会议须记录到会人数", "a sit-in records attendance"
            )
        if attendance is not None and not 0 <= attendance <= 10_000:
            raise InvalidInput("invalid_attendance", "到会人数无效", "invalid attendance")
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
        if not self.unannounced:
            raise Conflict(
                "not_unannounced", "本方案不是不打招呼检查", "this plan is not unannounced"
            )
        if self.visits_completed:
            raise Conflict("visits_completed", "已确认完成", "already completed")
        missing = [t for t in self.assignments if not self.findings.get(t)]
        if missing:
            raise Conflict(
                "findings_missing",
                f"尚有 {len(missing)} 个对象未记录检查结果",
                f"{len(missing)} targets have no finding yet",
                missing=missing[:20],
            )
        self.trigger_event(self.VisitsCompleted, by=by, timestamp=now)

    def publish_results(self, summary: str, by: str, now: datetime) -> None:
        self._require_drawn("公开结果")
        if self.unannounced and not self.visits_completed:
            raise Conflict(
                "visits_not_completed",
                "不打招呼检查须先确认列席完成",
                "complete the unannounced visits first",
            )
        missing = [t for t in self.assignments if not self.findings.get(t)]
        if missing:
            raise Conflict(
                "findings_missing",
                f"尚有 {len(missing)} 个对象未记录检查结果",
                f"{len(missing)} targets have no finding yet",
                missing=missing[:20],
            )
        assert self.disclosure_deadline is not None
        late = working_days_between(
            self.disclosure_deadline, business_date(now), *calendar_of(self.document)
        )
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


def public_reason(kind: str, code: str) -> str:
    """A reason's public code, from the fixed list for this kind of step (the public
    sees its Chinese label, and the typed reason only masked)."""
    allowed = REASONS_FOR[kind]
    if code not in allowed:
        raise InvalidInput(
            "invalid_reason_code",
            "理由类别应为：" + "、".join(f"{c}（{REASON_LABELS[c]}）" for c in allowed),
            f"reason_code is one of {', '.join(allowed)}",
            allowed=list(allowed),
        )
    return code


def disclosure_deadline(document: dict[str, Any], drawn_at: datetime) -> date:
    """N working days after the draw, or after the period's end if that is later (a
    sit-in period runs ahead of the draw, and its meetings must happen first)."""
    period_end = date.fromisoformat(document["period"][1])
    return add_working_days(
        max(business_date(drawn_at), period_end),
        int(document["disclosure_working_days"]),
        *calendar_of(document),
    )


def roster_hash(roster: dict[str, list[str]]) -> str:
    return sha256_canonical({"schema": ROSTER_SCHEMA, "inspectors": roster})


@dataclass(frozen=True)
class DrawOutcome:
    seed: str
    seed_hash: str
    sizes: dict[str, int]
    sample: dict[str, list[list[str]]]
    alternates: dict[str, list[list[str]]]
    assignment: Assignment
    sample_commitment: str


def sample_strata(
    document: dict[str, Any], strata: dict[str, list[str]], seed: str
) -> tuple[dict[str, int], dict[str, list[list[str]]], dict[str, list[list[str]]]]:
    """Per stratum (by name): its size n = min(N, max(m, ceil(r·N))) under the plan's rule
    for its kind, the n lowest tickets and the next alternates, as [id, ticket] pairs.
    A stratum's sample depends on the seed and its own ids only."""
    sizes: dict[str, int] = {}
    sample: dict[str, list[list[str]]] = {}
    alternates: dict[str, list[list[str]]] = {}
    alternates_n = int(document["alternates"])
    for stratum in sorted(strata):
        ids = strata[stratum]
        n = rule_of(document, stratum).size(len(ids))
        chosen, extra = draw.sample(ids, seed, n, alternates_n)
        sizes[stratum] = n
        sample[stratum] = [[i, t] for i, t in chosen]
        alternates[stratum] = [[i, t] for i, t in extra]
    return sizes, sample, alternates


def compute_draw(
    document: dict[str, Any],
    plan_hash: str,
    strata: dict[str, list[str]],
    relations: dict[str, list[str]],
    population_hash: str,
    roster: dict[str, list[str]],
    roster_hash_hex: str,
    contributions: list[str],
) -> DrawOutcome:
    """The whole draw from its frozen inputs: what `InspectionPlan.draw` records and what
    `replay draw-verify` recomputes. Pure and deterministic."""
    seed = draw.seed_from(plan_hash, population_hash, roster_hash_hex, contributions)
    s_hash = draw.seed_hash(seed)
    sizes, sample, alternates = sample_strata(document, strata, seed)
    # targets get their teams in ticket order across all strata (tickets are uniform, so
    # no community's targets systematically pick first under the load cap)
    order = [target for _, target in sorted((t, i) for rows in sample.values() for i, t in rows)]
    assignment = assign(
        order,
        roster_keys(roster),
        relations,
        s_hash,
        int(document["min_inspectors"]),
        int(document["load_cap"]),
    )
    commitment_hex = sample_commitment(seed, s_hash, sample, assignment.assigned)
    return DrawOutcome(seed, s_hash, sizes, sample, alternates, assignment, commitment_hex)
