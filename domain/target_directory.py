"""检查对象名录库 as frozen for one plan: never typed in. domain.population derives it
from the log at the moment the population is frozen; the frozen copy is a
`TargetDirectory` aggregate (one per plan: it is large, so the plan itself keeps only
its hash and counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.draw_hashes import directory_id
from replay import draw


@dataclass
class Population:
    """A plan's targets as derived: eligible ids per stratum, the excluded with their
    reason codes, each target's conflict keys."""

    strata: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    relations: dict[str, list[str]] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return draw.population_hash(self.strata, self.excluded, self.relations)

    @property
    def size(self) -> int:
        return sum(len(ids) for ids in self.strata.values())


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
        cls,
        plan_id: UUID,
        county_id: UUID,
        log_position: int,
        population: Population,
        now: datetime,
    ) -> TargetDirectory:
        return cls._create(
            cls.Frozen,
            id=directory_id(plan_id),
            plan_id=plan_id,
            county_id=county_id,
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
