"""抽查细则: a plan's rules as a typed value (`PlanDefinition`).

The plan's `document` is what `InspectionPlan.Published` records and what the plan's
hash covers; `PlanDefinition.from_document` reads it and `as_document` writes it back
key for key, in the same order, so what is recorded never changes and stored plans
read as they always have (tests/domain/test_plan_definition.py). A document names:

- the item (一单: `item`, `item_list_version`, `procedure`) and the derivation of its
  targets (`population_rules`), the period, how it is stratified;
- the draw's rules (`DrawRules`): the sample rule n = min(N, max(m, ⌈r·N⌉)) per kind
  of stratum, the alternates per stratum, inspectors per target, the load cap;
- which targets are eligible: orders rated below `low_rated_below` in their own
  stratum, the cool-down;
- the seed (`SeedRule`): the parties' commit–reveal, or a named future public value;
- unannounced or not; the disclosure deadline in working days of its calendar
  (`WorkingCalendar`); the hours the seed is due within.

Older documents lack what was added since (the derivation's version, the seed's
deadline, a public value's format): those parts are None and stay absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.calendar import business_date
from domain.inspection_items import LOW_SUFFIX, InspectionItem, SeedMethod
from domain.working_days import WorkingCalendar
from replay import draw


@dataclass(frozen=True)
class SampleRule:
    """n = min(N, max(minimum, ceil(ratio·N))) for the strata of one kind."""

    ratio: str  # an exact decimal, e.g. "0.05"
    minimum: int

    def size(self, population: int) -> int:
        return draw.sample_size(population, self.ratio, self.minimum)

    def as_doc(self) -> dict[str, Any]:
        return {"ratio": self.ratio, "minimum": self.minimum}

    @classmethod
    def from_doc(cls, rule: dict[str, Any]) -> SampleRule:
        return cls(rule["ratio"], int(rule["minimum"]))


@dataclass(frozen=True)
class DrawRules:
    """What the draw follows once its inputs are frozen: the sample rule of each kind
    of stratum, the alternates drawn per stratum, inspectors per target, the load cap."""

    normal: SampleRule
    low: SampleRule  # the strata of low-rated orders (<code>/low)
    alternates: int
    inspectors_per_target: int
    load_cap: int

    def rule_for(self, stratum: str) -> SampleRule:
        """The sample rule for a stratum: the low-rated kind or the normal one."""
        return self.low if stratum.endswith(LOW_SUFFIX) else self.normal

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> DrawRules:
        strata = document["strata"]
        return cls(
            SampleRule.from_doc(strata["normal"]),
            SampleRule.from_doc(strata["low"]),
            int(document["alternates"]),
            int(document["min_inspectors"]),
            int(document["load_cap"]),
        )


@dataclass(frozen=True)
class PublicValue:
    """A value nobody knows before the freezes (a lottery draw): where it is published,
    from when, and exactly how it is written."""

    source: str
    available_after: datetime
    pattern: str | None  # a regular expression; None in a plan from before formats
    example: str | None

    def written_as(self) -> tuple[str, str]:
        """The format and its example (every plan made since formats were required)."""
        assert self.pattern is not None and self.example is not None, "no format named"
        return self.pattern, self.example


@dataclass(frozen=True)
class SeedRule:
    """How the seed is made: the parties' commit–reveal, in the plan's party order, or
    the named public value."""

    method: SeedMethod
    parties: tuple[str, ...]  # commit_reveal
    public_value: PublicValue | None  # public_value

    @classmethod
    def from_document(cls, seed: dict[str, Any]) -> SeedRule:
        method = SeedMethod.from_code(seed["method"])
        if method is SeedMethod.COMMIT_REVEAL:
            return cls(method, tuple(seed["parties"]), None)
        public = PublicValue(
            seed["source"],
            datetime.fromisoformat(seed["available_after"]),
            seed.get("pattern"),
            seed.get("example"),
        )
        return cls(method, (), public)

    def as_document(self) -> dict[str, Any]:
        if self.public_value is None:
            return {"method": self.method.code, "parties": list(self.parties)}
        public = self.public_value
        seed: dict[str, Any] = {
            "method": self.method.code,
            "source": public.source,
            "available_after": public.available_after.isoformat(),
        }
        if public.pattern is not None:
            seed["pattern"] = public.pattern
        if public.example is not None:
            seed["example"] = public.example
        return seed


@dataclass(frozen=True)
class PlanDefinition:
    """Every rule of one plan, as published (see the module's docstring)."""

    schema: str
    plan_id: UUID
    county_id: UUID
    title: str
    item: InspectionItem
    item_list_version: str
    population_rules: str | None  # None: a plan from before the derivation had versions
    procedure: str
    period: tuple[date, date]
    stratify: str  # "community", or "county" for unit pairing
    rules: DrawRules
    low_rated_below: int
    cooldown_days: int
    algorithm: str
    seed: SeedRule
    unannounced: bool
    disclosure_working_days: int
    reveal_within_hours: int | None  # None: a plan from before the seed's deadline
    calendar: WorkingCalendar

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PlanDefinition:
        start, end = document["period"]
        hours = document.get("reveal_within_hours")
        return cls(
            schema=document["schema"],
            plan_id=UUID(document["plan_id"]),
            county_id=UUID(document["county_id"]),
            title=document["title"],
            item=InspectionItem.from_code(document["item"]),
            item_list_version=document["item_list_version"],
            population_rules=document.get("population_rules"),
            procedure=document["procedure"],
            period=(date.fromisoformat(start), date.fromisoformat(end)),
            stratify=document["stratify"],
            rules=DrawRules.from_document(document),
            low_rated_below=int(document["low_rated_below"]),
            cooldown_days=int(document["cooldown_days"]),
            algorithm=document["algorithm"],
            seed=SeedRule.from_document(document["seed"]),
            unannounced=bool(document["unannounced"]),
            disclosure_working_days=int(document["disclosure_working_days"]),
            reveal_within_hours=None if hours is None else int(hours),
            calendar=WorkingCalendar(
                tuple(date.fromisoformat(d) for d in document["holidays"]),
                tuple(date.fromisoformat(d) for d in document["extra_workdays"]),
            ),
        )

    def as_document(self) -> dict[str, Any]:
        """The document as recorded: the same keys in the same order."""
        document: dict[str, Any] = {
            "schema": self.schema,
            "plan_id": str(self.plan_id),
            "county_id": str(self.county_id),
            "title": self.title,
            "item": self.item.code,
            "item_list_version": self.item_list_version,
        }
        if self.population_rules is not None:
            document["population_rules"] = self.population_rules
        rules = self.rules
        document.update(
            {
                "procedure": self.procedure,
                "period": [self.period[0].isoformat(), self.period[1].isoformat()],
                "stratify": self.stratify,
                "strata": {"normal": rules.normal.as_doc(), "low": rules.low.as_doc()},
                "low_rated_below": self.low_rated_below,
                "min_inspectors": rules.inspectors_per_target,
                "load_cap": rules.load_cap,
                "alternates": rules.alternates,
                "cooldown_days": self.cooldown_days,
                "algorithm": self.algorithm,
                "seed": self.seed.as_document(),
                "unannounced": int(self.unannounced),
                "disclosure_working_days": self.disclosure_working_days,
            }
        )
        if self.reveal_within_hours is not None:
            document["reveal_within_hours"] = self.reveal_within_hours
        document["holidays"] = [d.isoformat() for d in self.calendar.holidays]
        document["extra_workdays"] = [d.isoformat() for d in self.calendar.extra_workdays]
        return document

    @property
    def public_value(self) -> PublicValue | None:
        return self.seed.public_value

    def disclosure_deadline(self, drawn_at: datetime) -> date:
        """N working days after the draw, or after the period's end if that is later (a
        sit-in period runs ahead of the draw, and its meetings must happen first)."""
        return self.calendar.add(
            max(business_date(drawn_at), self.period[1]), self.disclosure_working_days
        )

    def reveal_deadline(self, roster_frozen_at: datetime | None) -> datetime | None:
        """Commitments and reveals are due within the plan's hours of the roster freeze
        (of the public value's moment, if later); None for a plan without the rule."""
        if self.reveal_within_hours is None or roster_frozen_at is None:
            return None
        start = roster_frozen_at
        if self.public_value is not None:
            start = max(start, self.public_value.available_after)
        return start + timedelta(hours=self.reveal_within_hours)
