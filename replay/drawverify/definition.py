"""The draw's definition, implemented a second time for the auditor.

This module follows docs/draw-definition.md, the written definition of a 两随机一公开
draw, and nothing of the service: it imports no module of `domain/`, only the kernel's
building blocks (`replay.draw`: tickets, the sampler, sample sizes, the seed and the
population hash; `replay.canonical`: RFC 8785 JSON). A verifier that called the
service's own decision functions would only prove that the service agrees with itself;
this one proves that the recorded draw is the one the definition gives.

Section numbers (§) are those of docs/draw-definition.md.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid5

from replay import draw
from replay.canonical import canonical

BEIJING = timezone(timedelta(hours=8))  # Asia/Shanghai: UTC+8, no daylight saving
DIRECTORY_NAMESPACE = UUID("6f1d6a53-52b9-4c8e-9a3e-0f1c3c1e2d77")
ROSTER_SCHEMA = "sishuang/draw-roster/v1"
SAMPLE_SCHEMA = "sishuang/draw-sample/v1"
LOW_SUFFIX = "/low"  # a stratum named <code>/low follows the plan's "low" rule (§4)
CONFLICT, LOAD_FULL = "conflict", "load_full"  # the reasons a skip records (§5)
COMMIT_REVEAL, PUBLIC_VALUE = "commit_reveal", "public_value"
SEED_METHODS = (COMMIT_REVEAL, PUBLIC_VALUE)
PUBLIC_PARTY = "public"  # the party of a public value's reveal


# -------------------------------------------------------------------- encodings (§1)


def beijing_day(moment: datetime) -> date:
    """The Beijing calendar day of a moment (every date the definition uses)."""
    if moment.tzinfo is None:
        raise ValueError("a moment needs a timezone")
    return moment.astimezone(BEIJING).date()


def beijing_iso(moment: datetime) -> str:
    """A moment as the report shows it: Beijing time, ISO 8601 with +08:00."""
    return moment.astimezone(BEIJING).isoformat()


def sha256_canonical(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def plan_hash(document: Mapping[str, Any]) -> str:
    """§1: SHA-256 of the RFC 8785 JSON of the published document."""
    return sha256_canonical(document)


def directory_id(plan_id: UUID) -> UUID:
    """§1: the frozen target directory's id, UUIDv5 of the plan id's text."""
    return uuid5(DIRECTORY_NAMESPACE, str(plan_id))


def roster_hash(roster: Mapping[str, Sequence[str]]) -> str:
    """§3: SHA-256 of canonical {"schema": sishuang/draw-roster/v1, "inspectors": roster}."""
    return sha256_canonical({"schema": ROSTER_SCHEMA, "inspectors": roster})


def sample_commitment(
    seed: str,
    seed_hash: str,
    sample: Mapping[str, Sequence[Sequence[str]]],
    teams: Mapping[str, Sequence[str]],
) -> str:
    """§6: what an unannounced plan shows before its visits."""
    return sha256_canonical(
        {
            "schema": SAMPLE_SCHEMA,
            "seed_hash": seed_hash,
            "sample": sample,
            "seed": seed,
            "assignments": teams,
        }
    )


# ------------------------------------------------------------------------ the seed (§2)


def contributions(
    document: Mapping[str, Any], reveals: Sequence[tuple[str, str]]
) -> list[str] | None:
    """The seed's contributions in the plan's order, or None while one is missing.

    `reveals`: (party, contribution) in log order; a party's first reveal counts. For a
    public value, the one reveal of party "public"."""
    seed = document.get("seed") or {}
    first: dict[str, str] = {}
    for party, value in reveals:
        first.setdefault(party, value)
    if seed.get("method") == PUBLIC_VALUE:
        return [first[PUBLIC_PARTY]] if PUBLIC_PARTY in first else None
    parties = list(seed.get("parties") or [])
    if not parties or any(p not in first for p in parties):
        return None
    return [first[p] for p in parties]


# ---------------------------------------------------------------------- the sample (§4)


def stratum_rule(document: Mapping[str, Any], stratum: str) -> tuple[str, int]:
    """The (ratio, minimum) for a stratum: the plan's "low" rule for <code>/low, else
    its "normal" rule."""
    rule = document["strata"]["low" if stratum.endswith(LOW_SUFFIX) else "normal"]
    return str(rule["ratio"]), int(rule["minimum"])


@dataclass(frozen=True)
class Sample:
    """Per stratum: its size, the selected [id, ticket] rows and the alternates."""

    sizes: dict[str, int]
    selected: dict[str, list[list[str]]]
    alternates: dict[str, list[list[str]]]


def draw_sample(
    document: Mapping[str, Any], strata: Mapping[str, Sequence[str]], seed: str
) -> Sample:
    """§4: each stratum's n = min(N, max(m, ceil(r·N))) lowest tickets, then the next
    `alternates`, in increasing (ticket, id) order."""
    extra = int(document["alternates"])
    sizes: dict[str, int] = {}
    selected: dict[str, list[list[str]]] = {}
    alternates: dict[str, list[list[str]]] = {}
    for stratum, ids in strata.items():
        ratio, minimum = stratum_rule(document, stratum)
        n = draw.sample_size(len(ids), ratio, minimum)
        chosen, spare = draw.sample(ids, seed, n, extra)
        sizes[stratum] = n
        selected[stratum] = [[i, t] for i, t in chosen]
        alternates[stratum] = [[i, t] for i, t in spare]
    return Sample(sizes, selected, alternates)


def assignment_order(selected: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """§5: every selected target of every stratum, in increasing (ticket, id) order."""
    return [i for t, i in sorted((row[1], row[0]) for rows in selected.values() for row in rows)]


# ------------------------------------------------------------------- the teams (§5)


@dataclass(frozen=True)
class Rules:
    """What staffing needs: the seed's hash, each inspector's conflict keys (the roster
    row after name and unit name), each target's relations, the team size, the cap."""

    seed_hash: str
    keys: dict[str, frozenset[str]]
    relations: Mapping[str, Sequence[str]]
    per_target: int
    load_cap: int

    @classmethod
    def of(
        cls,
        document: Mapping[str, Any],
        roster: Mapping[str, Sequence[str]],
        relations: Mapping[str, Sequence[str]],
        seed_hash: str,
    ) -> Rules:
        keys = {i: frozenset(row[2:]) for i, row in roster.items()}
        return cls(
            seed_hash, keys, relations, int(document["min_inspectors"]), int(document["load_cap"])
        )

    def ranked(self, target: str) -> list[str]:
        """Every inspector of the roster by their ticket for `target`, lowest first."""
        return [
            i
            for _, i in sorted(
                (draw.inspector_ticket(self.seed_hash, target, i), i) for i in self.keys
            )
        ]


@dataclass
class Staffing:
    """Who a target gets, in the order chosen, and every inspector passed over on the
    way as [target, inspector, reason]; `short` when fewer than the places were free."""

    chosen: list[str]
    skips: list[list[str]]
    short: bool


def staff(
    target: str,
    places: int,
    candidates: Iterable[str],
    rules: Rules,
    load: Counter[str],
) -> Staffing:
    """§5: walk the candidates in ticket order until `places` are filled: one sharing a
    key with the target is skipped ("conflict"), else one at the cap is skipped
    ("load_full"), else chosen (and their load counted, in `load`)."""
    relations = frozenset(rules.relations.get(target, ()))
    chosen: list[str] = []
    skips: list[list[str]] = []
    for inspector in candidates:
        if len(chosen) == places:
            break
        if rules.keys.get(inspector, frozenset()) & relations:
            skips.append([target, inspector, CONFLICT])
        elif load[inspector] >= rules.load_cap:
            skips.append([target, inspector, LOAD_FULL])
        else:
            chosen.append(inspector)
            load[inspector] += 1
    return Staffing(chosen, skips, len(chosen) < places)


@dataclass
class Assignment:
    teams: dict[str, list[str]]
    skips: list[list[str]]
    short: str = ""  # the first target that could not get a full team (no draw then)


def assign(order: Sequence[str], rules: Rules) -> Assignment:
    """§5: the targets in `order` get their teams one after another, loads from zero."""
    load: Counter[str] = Counter()
    teams: dict[str, list[str]] = {}
    skips: list[list[str]] = []
    for target in order:
        got = staff(target, rules.per_target, rules.ranked(target), rules, load)
        skips += got.skips
        if got.short:
            return Assignment(teams, skips, target)
        teams[target] = got.chosen
    return Assignment(teams, skips)


# ----------------------------------------------------------- after the draw (§7, §8)


@dataclass
class PlanState:
    """The plan after its draw, step by step as the log records them (§7): each step is
    judged against the state before it, and the state then follows what was recorded."""

    stratum_of: dict[str, str]  # every target drawn or taken as a replacement
    unused: dict[str, list[tuple[str, str]]]  # alternates not yet taken, ticket order
    teams: dict[str, list[str]]  # the targets to inspect now and their teams
    load: Counter[str]
    recused: dict[str, list[str]] = field(default_factory=dict)
    findings: Counter[str] = field(default_factory=Counter)
    published: bool = False
    voided: bool = False

    @classmethod
    def after(cls, drawn: Any) -> PlanState:
        """The state the recorded Drawn leaves."""
        return cls(
            {t: s for s, rows in drawn.sample.items() for t, _ in rows},
            {s: [(r[0], r[1]) for r in rows] for s, rows in drawn.alternates.items()},
            {t: list(team) for t, team in drawn.assignments.items()},
            Counter(i for team in drawn.assignments.values() for i in team),
        )

    def _closed(self) -> str:
        if self.voided:
            return "方案已作废 / after the plan was voided"
        return ""

    def why_no_change(self, target: str, leaving: str | None = None) -> str:
        """Why replacing a target, or `leaving` withdrawing from it, is refused now
        ("" when it is not)."""
        if closed := self._closed():
            return closed
        if self.published:
            return "结果已公开 / after the results were published"
        if target not in self.teams:
            return "不是当时抽中的对象 / not a drawn target at the time"
        if leaving is not None and leaving not in self.teams[target]:
            return f"{leaving} 不在该对象的检查组 / not on the target's team"
        if self.findings[target]:
            return "该对象已有检查结果 / the target already had a finding"
        return ""

    def why_no_finding(self, target: str, inspector: str) -> str:
        if closed := self._closed():
            return closed
        if target not in self.teams:
            return "不是当时抽中的对象 / not a drawn target at the time"
        if inspector not in self.teams[target]:
            return f"{inspector} 未被分配 / not assigned"
        return ""

    def next_alternate(self, target: str) -> tuple[str, str] | None:
        """§7: the first unused alternate of the target's stratum, with its ticket."""
        pool = self.unused.get(self.stratum_of.get(target, ""), [])
        return pool[0] if pool else None

    def unused_rank(self, target: str, candidate: str) -> int | None:
        pool = self.unused.get(self.stratum_of.get(target, ""), [])
        return next((k for k, row in enumerate(pool) if row[0] == candidate), None)

    def replacement_team(self, target: str, replacement: str, rules: Rules) -> Staffing:
        """§7: the replacement's team as in the draw, from the loads of the moment less
        the replaced target's team."""
        load = Counter(self.load)
        for inspector in self.teams.get(target, []):
            load[inspector] -= 1
        return staff(replacement, rules.per_target, rules.ranked(replacement), rules, load)

    def next_inspector(self, target: str, leaving: str, rules: Rules) -> Staffing:
        """§8: one place, among the roster less the team, those who withdrew from this
        target before and the one leaving, with the loads of the moment."""
        out = set(self.teams.get(target, [])) | set(self.recused.get(target, [])) | {leaving}
        candidates = [i for i in rules.ranked(target) if i not in out]
        return staff(target, 1, candidates, rules, Counter(self.load))

    def apply(self, topic: str, event: Any) -> None:
        """Follow one recorded step (whatever the checks made of it)."""
        name = topic.rsplit(".", 1)[-1]
        if name == "TargetReplaced":
            stratum = self.stratum_of.get(event.target, "")
            self.stratum_of[event.replacement] = stratum
            self.unused[stratum] = [
                r for r in self.unused.get(stratum, []) if r[0] != event.replacement
            ]
            for inspector in self.teams.pop(event.target, []):
                self.load[inspector] -= 1
            self.teams[event.replacement] = list(event.inspectors)
            self.load.update(event.inspectors)
        elif name == "InspectorRecused":
            team = self.teams.get(event.target, [])
            if event.inspector_id in team:
                team[team.index(event.inspector_id)] = event.replacement_id
            self.recused.setdefault(event.target, []).append(event.inspector_id)
            self.load[event.inspector_id] -= 1
            self.load[event.replacement_id] += 1
        elif name == "FindingRecorded":
            self.findings[event.target] += 1
        elif name == "ResultsPublished":
            self.published = True
        elif name == "Voided":
            self.voided = True


# ----------------------------------------------------------------- the deadline (§9)


def calendar(document: Mapping[str, Any]) -> tuple[frozenset[date], frozenset[date]]:
    """The plan's (holidays, extra working days)."""
    return (
        frozenset(date.fromisoformat(d) for d in document.get("holidays", [])),
        frozenset(date.fromisoformat(d) for d in document.get("extra_workdays", [])),
    )


def is_working_day(day: date, holidays: frozenset[date], workdays: frozenset[date]) -> bool:
    """Monday to Friday unless a listed holiday; a listed extra working day (调休) always."""
    return day in workdays or (day.weekday() < 5 and day not in holidays)


def working_days_after(
    start: date, end: date, holidays: frozenset[date], workdays: frozenset[date]
) -> int:
    """The working days d with start < d <= end (0 when end <= start)."""
    days = (end - start).days
    return sum(
        1
        for k in range(1, days + 1)
        if is_working_day(start + timedelta(days=k), holidays, workdays)
    )


def nth_working_day_after(
    start: date, n: int, holidays: frozenset[date], workdays: frozenset[date]
) -> date:
    """The day on which n working days after `start` are complete (`start` for n = 0)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= is_working_day(day, holidays, workdays)
    return day


def disclosure_start(document: Mapping[str, Any], drawn_at: datetime) -> date:
    """The later of the draw's Beijing day and the period's last day."""
    return max(beijing_day(drawn_at), date.fromisoformat(document["period"][1]))


def disclosure_deadline(document: Mapping[str, Any], drawn_at: datetime) -> date:
    """§9: the plan's working days after `disclosure_start`."""
    return nth_working_day_after(
        disclosure_start(document, drawn_at),
        int(document["disclosure_working_days"]),
        *calendar(document),
    )
