"""`replay draw-verify`: re-run a 两随机一公开 draw from the log and compare, step by step.

For one plan (or every plan of a county) the verifier reads the plan's events from the
log, in log order, and recomputes each step from what came before it, never from the
plan aggregate or the service's read models:

1. ``plan_hash``: SHA-256 of the RFC 8785 JSON of the published document.
2. ``population``: the target directory rebuilt from the log up to the position the
   PopulationFrozen event recorded, with the freeze's own time as the cut-off
   (`domain.draws.derive_population`, the function the service froze it with), hashed
   (`replay.draw.population_hash`) and compared with the recorded hash and counts;
   ``directory``: the frozen TargetDirectory holds exactly the rebuilt lists.
3. ``roster``: the inspector roster rebuilt from the log up to RosterFrozen's position.
4. ``seed_inputs``: every party's commitment came after the roster was frozen and is
   opened by its reveal (`replay.draw.opens`), no reveal before every party committed;
   or, for a public value, that the value became available only after the freezes and
   was revealed after that.
5. ``seed``: `replay.draw.seed_from` over the recomputed plan, population and roster
   hashes and the contributions, in the plan's party order.
6. ``drawn_once``: exactly one Drawn, after the seed was complete, never after a void.
7. ``sample``, ``alternates``, ``assignments``, ``sample_commitment``: the whole draw
   recomputed (`domain.inspection.compute_draw`) from the rebuilt population and roster.
8. ``replacements`` and ``recusals``: replayed in log order from the recorded draw, each
   must be what `InspectionPlan.replace_target` / `recuse` decide: the next unused
   alternate of the stratum in ticket order, the next inspector in the target's own
   ticket order free of conflicts and under the load cap, with the same skips.
9. ``findings``: each by an inspector assigned to the target at the time.
10. ``deadline``: the disclosure deadline (working days after the later of the draw and
    the period's end), and each
    ResultsPublished's ``late_working_days`` and DisclosureOverdue recomputed.

The log is either the event store (`StoreLog`, opened as `replay export` opens it) or a
set of exported bundles (`BundleLog`: every community bundle of the county; each holds
the county's log too). The encodings are in `replay.draw`'s module notes.

Exit codes of the command: 0 every check passed, 1 a check failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from domain.calendar import business_date, local_iso
from domain.community import Community
from domain.draws import (
    POPULATION_TOPICS,
    ROSTER_TOPICS,
    Population,
    derive_population,
    derive_roster,
)
from domain.errors import DomainError
from domain.inspection import (
    LOW_SUFFIX,
    InspectionPlan,
    SeedMethod,
    TargetDirectory,
    assign,
    calendar_of,
    compute_draw,
    directory_id,
    disclosure_deadline,
    next_inspector,
    roster_hash,
    roster_keys,
    sha256_canonical,
    working_days_between,
)
from domain.transcoder import OrjsonTranscoder
from replay import draw
from replay.bundle import Bundle

PAGE = 5000
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

PLAN_TOPICS: tuple[str, ...] = tuple(
    sorted(
        {
            str(vars(value)["TOPIC"])
            for value in vars(InspectionPlan).values()
            if isinstance(value, type)
            and issubclass(value, InspectionPlan.Event)
            and "TOPIC" in vars(value)
        }
    )
)
DIRECTORY_TOPIC = TargetDirectory.Frozen.TOPIC
# The checks whose failure makes a later one fail too (the report says so).
_INPUTS = ("plan_hash", "population", "roster", "seed_inputs")
UPSTREAM: dict[str, tuple[str, ...]] = {
    "seed": _INPUTS,
    "sample": (*_INPUTS, "seed"),
    "alternates": (*_INPUTS, "seed"),
    "assignments": (*_INPUTS, "seed"),
    "sample_commitment": (*_INPUTS, "seed"),
    "replacements": ("population", "roster"),
    "recusals": ("population", "roster"),
}
SHOWN = 5  # ids named in a detail line before "…"


class UsageError(ValueError):
    """Nothing to verify: no such plan, no plan in the county, unreadable input."""


# ------------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class Entry:
    """One stored event at its log position, decoded (or why it does not decode)."""

    position: int
    originator_id: UUID
    version: int
    topic: str
    event: Any  # None when the stored record does not decode
    error: str = ""


class Log(ABC):
    """The events a verification reads: in log order, filtered by topic, up to a position."""

    description: str = ""
    problems: list[str]

    @abstractmethod
    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]: ...

    def covered_codes(self) -> set[str] | None:
        """Community codes the log covers, when it may cover only part of a county."""
        return None

    def ends_before(self, position: int) -> list[str]:
        """Parts of the log that end before `position` (bundles exported too early)."""
        return []


def _decode(mapper: Mapper[UUID], stored: StoredEvent, position: int) -> Entry:
    originator = UUID(str(stored.originator_id))
    try:
        event = mapper.to_domain_event(stored)
        return Entry(position, originator, stored.originator_version, stored.topic, event)
    except Exception as e:  # a changed record: name it, keep going
        return Entry(
            position,
            originator,
            stored.originator_version,
            stored.topic,
            None,
            f"{type(e).__name__}: {str(e)[:120]}",
        )


class StoreLog(Log):
    """The event store itself, read through its recorder in pages."""

    def __init__(self, app: Any, description: str = "event store") -> None:
        self.app = app
        self.description = description
        self.problems = []

    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]:
        start = 1
        while stop is None or start <= stop:
            page = self.app.recorder.select_notifications(
                start, PAGE, stop=stop, topics=list(topics)
            )
            for n in page:
                stored = StoredEvent(
                    originator_id=UUID(str(n.originator_id)),
                    originator_version=n.originator_version,
                    topic=n.topic,
                    state=bytes(n.state),
                )
                yield _decode(self.app.mapper, stored, n.id)
            if len(page) < PAGE:
                return
            start = page[-1].id + 1


class BundleLog(Log):
    """Exported bundles (`replay export`), merged by log position: the county's log is in
    every community's bundle; the population needs every community of the county."""

    def __init__(self, bundles: Sequence[Bundle], names: Sequence[str] = ()) -> None:
        self.mapper: Mapper[UUID] = Mapper(transcoder=OrjsonTranscoder())
        self.problems = []
        rows: dict[int, dict[str, Any]] = {}
        self.until: dict[str, int] = {}
        for index, bundle in enumerate(bundles):
            name = names[index] if index < len(names) else f"bundle {index + 1}"
            self.until[name] = int(bundle.manifest.get("until_notification_id") or 0)
            for part in bundle.logs:
                for row in part.events:
                    position = int(row["notification_id"])
                    seen = rows.get(position)
                    if seen is None:
                        rows[position] = row
                    elif (seen["state"], seen["topic"], seen["originator_id"]) != (
                        row["state"],
                        row["topic"],
                        row["originator_id"],
                    ):
                        self.problems.append(
                            f"日志位置 #{position} 在两个导出包中不同 / position #{position}"
                            f" differs between two bundles ({name})"
                        )
        self.rows = [rows[p] for p in sorted(rows)]
        self.description = f"{len(bundles)} 个导出包 / bundles: " + ", ".join(
            names or [f"bundle {i + 1}" for i in range(len(bundles))]
        )

    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]:
        wanted = set(topics)
        for row in self.rows:
            position = int(row["notification_id"])
            if stop is not None and position > stop:
                return
            if row["topic"] not in wanted:
                continue
            try:
                stored = StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=int(row["originator_version"]),
                    topic=str(row["topic"]),
                    state=base64.b64decode(row["state"]),
                )
            except (KeyError, ValueError) as e:
                yield Entry(position, UUID(int=0), 0, str(row.get("topic")), None, str(e))
                continue
            yield _decode(self.mapper, stored, position)

    def ends_before(self, position: int) -> list[str]:
        return [f"{name} #{until}" for name, until in self.until.items() if until < position]

    def covered_codes(self) -> set[str]:
        return {
            e.event.code
            for e in self.entries([Community.Registered.TOPIC])
            if isinstance(e.event, Community.Registered)
        }


# ---------------------------------------------------------------------------- the report

OK, FAIL, SKIP, INFO = "ok", "fail", "skip", "info"
SYMBOL = {OK: "✓", FAIL: "✗", SKIP: "–", INFO: "·"}

CHECKS: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "events": ("方案事件按日志顺序完整读出", "the plan's events read from the log, in order"),
    "plan_hash": ("方案哈希 = 发布的方案文件的 SHA-256", "plan hash = SHA-256 of the document"),
    "population": (
        "从日志重建的检查对象名录与冻结的哈希一致",
        "population rebuilt from the log matches the frozen hash",
    ),
    "directory": (
        "冻结的检查对象名录库与重建结果逐项一致",
        "the frozen target directory equals the rebuilt one",
    ),
    "roster": (
        "从日志重建的检查人员名录与冻结的哈希一致",
        "roster rebuilt from the log matches the frozen hash",
    ),
    "seed_inputs": (
        "种子在冻结之后产生：承诺与揭示相符（或公开数值在冻结后才产生）",
        "seed made after the freezes: reveals open commitments (or a later public value)",
    ),
    "seed": (
        "种子可由三个哈希与揭示值重算",
        "seed recomputed from the three hashes and the contributions",
    ),
    "drawn_once": ("只抽取一次，且在种子齐全之后", "drawn exactly once, after the seed"),
    "sample": ("抽中对象、各层数量与签号可重算", "sample, sizes and tickets recomputed"),
    "alternates": ("备选对象及其顺序可重算", "alternates recomputed, in ticket order"),
    "assignments": (
        "检查人员分配与跳过记录可重算",
        "inspector assignments and skips recomputed",
    ),
    "sample_commitment": ("抽样承诺值可重算", "sample commitment recomputed"),
    "replacements": (
        "每次替换都取该层签号顺序中的下一备选",
        "each replacement is the next unused alternate in ticket order",
    ),
    "recusals": (
        "每次回避都由该对象签号顺序中下一名合格人员接替",
        "each recusal goes to the next eligible inspector in ticket order",
    ),
    "findings": ("检查结果均由当时被分配的人员记录", "every finding by an assigned inspector"),
    "deadline": (
        "公开期限与逾期工作日可重算",
        "disclosure deadline and late working days recomputed",
    ),
    "voided": ("抽查已作废（作废记录公开）", "the plan was voided (the void is public)"),
    "bundles": ("导出包签名与封存记录核验", "bundles verified against the key"),
}


@dataclass
class Check:
    key: str
    status: str
    detail: str = ""
    zh: str = ""
    en: str = ""

    def __post_init__(self) -> None:
        zh, en = CHECKS[self.key]
        self.zh = self.zh or zh
        self.en = self.en or en

    def line(self) -> str:
        text = f"  {SYMBOL[self.status]} {self.zh} / {self.en}"
        if self.detail:
            text += "\n      " + self.detail.replace("\n", "\n      ")
        return text


@dataclass
class PlanReport:
    plan_id: str
    title: str = ""
    county_id: str = ""
    item: str = ""
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.key for c in self.checks if c.status == FAIL]

    def check(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)

    def text(self) -> str:
        head = f"抽查方案 Plan {self.plan_id}"
        if self.title:
            head += f"  {self.title}"
        if self.item:
            head += f"（{self.item}）"
        lines = [head, *(c.line() for c in self.checks)]
        passed = sum(1 for c in self.checks if c.status == OK)
        if self.ok:
            lines.append(f"  结论：{passed} 项核对一致，无不符 / result: {passed} checks passed")
        else:
            names = ", ".join(self.failed)
            lines.append(
                f"  结论：{len(self.failed)} 项不符 / result: {len(self.failed)} FAILED ({names})"
            )
        lines.append(f"  用时 {self.seconds:.2f} 秒 / {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass
class Report:
    source: str
    plans: list[PlanReport] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)  # about the source (bundles)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.plans) and all(c.status != FAIL for c in self.checks)

    def text(self) -> str:
        lines = [f"数据来源 Source: {self.source}", *(c.line() for c in self.checks), ""]
        for plan in self.plans:
            lines += [plan.text(), ""]
        bad = sum(1 for p in self.plans if not p.ok)
        if self.ok:
            lines.append(
                f"全部 {len(self.plans)} 个方案核验通过 / all {len(self.plans)} plans verified"
            )
        else:
            lines.append(
                f"{bad} / {len(self.plans)} 个方案有不符项 / {bad} of {len(self.plans)} plans"
                " FAILED verification"
            )
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "seconds": round(self.seconds, 3),
            "checks": [asdict(c) for c in self.checks],
            "plans": [
                {
                    "plan_id": p.plan_id,
                    "title": p.title,
                    "county_id": p.county_id,
                    "item": p.item,
                    "ok": p.ok,
                    "failed": p.failed,
                    "seconds": round(p.seconds, 3),
                    "checks": [asdict(c) for c in p.checks],
                }
                for p in self.plans
            ],
        }


# ----------------------------------------------------------------------- the verification


def plans_in(log: Log) -> dict[UUID, list[Entry]]:
    """Every plan's events and its directory's, by plan id, in log order (one pass)."""
    plans: dict[UUID, list[Entry]] = {}
    directories: dict[UUID, list[Entry]] = {}
    for entry in log.entries([*PLAN_TOPICS, DIRECTORY_TOPIC]):
        if entry.topic == DIRECTORY_TOPIC:
            directories.setdefault(entry.originator_id, []).append(entry)
        else:
            plans.setdefault(entry.originator_id, []).append(entry)
    for plan_id, entries in plans.items():
        entries.extend(directories.get(directory_id(plan_id), []))
    return plans


def select_plans(
    found: dict[UUID, list[Entry]], plan_ids: Sequence[UUID] = (), county_id: UUID | None = None
) -> list[UUID]:
    """The plans asked for; UsageError when one is not in the log or the county has none."""
    if plan_ids:
        missing = [str(p) for p in plan_ids if p not in found]
        if missing:
            raise UsageError(
                f"日志中没有这个抽查方案 / no such plan in the log: {', '.join(missing)}"
            )
        return list(plan_ids)
    chosen = []
    for plan_id, entries in found.items():
        published = next((e.event for e in entries if e.version == 1 and e.event), None)
        if county_id is None or (
            isinstance(published, InspectionPlan.Published) and published.county_id == county_id
        ):
            chosen.append(plan_id)
    if not chosen:
        where = f"county {county_id}" if county_id else "the log"
        raise UsageError(f"没有可核验的抽查方案 / no inspection plan in {where}")
    return chosen


def verify(log: Log, plan_ids: Sequence[UUID] = (), county_id: UUID | None = None) -> Report:
    """Verify the plans asked for (or all of a county, or all in the log)."""
    started = perf_counter()
    found = plans_in(log)
    report = Report(log.description)
    for plan_id in select_plans(found, plan_ids, county_id):
        report.plans.append(verify_plan(log, plan_id, found[plan_id]))
    for problem in log.problems:
        report.checks.append(Check("bundles", FAIL, problem))
    report.seconds = perf_counter() - started
    return report


def _short(text: str) -> str:
    return text[:16] + "…" if len(text) > 16 else text


def _listed(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:SHOWN])
    return shown + (f" …（共 {len(items)} / {len(items)} in all）" if len(items) > SHOWN else "")


@dataclass
class _Inputs:
    """What the steps so far recomputed, for the steps after them."""

    plan_hash: str = ""
    population: Population | None = None
    population_hash: str = ""  # computed once: hashing 100,000 targets takes a second
    roster: dict[str, list[str]] | None = None
    roster_hash: str = ""
    contributions: list[str] | None = None


class _PlanVerifier:
    def __init__(self, log: Log, plan_id: UUID, entries: list[Entry]) -> None:
        self.log = log
        self.plan_id = plan_id
        self.dir_id = directory_id(plan_id)
        self.plan_entries = [e for e in entries if e.originator_id == plan_id]
        self.directory_entries = [e for e in entries if e.originator_id == self.dir_id]
        self.report = PlanReport(str(plan_id))
        self.inputs = _Inputs()

    # -- helpers ---------------------------------------------------------------------------

    def add(self, key: str, ok: bool | None, detail: str = "") -> bool:
        status = SKIP if ok is None else OK if ok else FAIL
        before = UPSTREAM.get(key, ())
        upstream = [c.key for c in self.report.checks if c.status == FAIL and c.key in before]
        if status == FAIL and upstream:
            detail += f"\n（上游已不符，此项随之不同 / follows from: {', '.join(upstream)}）"
        self.report.checks.append(Check(key, status, detail))
        return bool(ok)

    def skip_rest(self, keys: Sequence[str], why: str) -> None:
        done = {c.key for c in self.report.checks}
        for key in keys:
            if key not in done:
                self.add(key, None, why)

    def of(self, cls: type) -> list[Entry]:
        return [e for e in self.plan_entries if isinstance(e.event, cls)]

    def events(self, topics: Sequence[str], stop: int, bad: list[int]) -> Iterator[Any]:
        for entry in self.log.entries(topics, stop):
            if entry.event is None:
                bad.append(entry.position)
            else:
                yield entry.event

    # -- the steps -------------------------------------------------------------------------

    def run(self) -> PlanReport:
        started = perf_counter()
        steps: list[Callable[[], bool]] = [
            self.check_events,
            self.check_plan_hash,
            self.check_population,
            self.check_roster,
            self.check_seed_inputs,
            self.check_draw,
            self.check_after_draw,
        ]
        for step in steps:
            if not step():
                break
        self.skip_rest(list(CHECKS)[: list(CHECKS).index("deadline") + 1], "")
        voided = self.of(InspectionPlan.Voided)
        for entry in voided:
            self.report.checks.append(
                Check(
                    "voided",
                    INFO,
                    f"#{entry.position} {entry.event.timestamp:%Y-%m-%d}：{entry.event.reason}",
                )
            )
        self.report.seconds = perf_counter() - started
        return self.report

    def check_events(self) -> bool:
        entries = self.plan_entries
        bad = [e for e in entries + self.directory_entries if e.event is None]
        versions = [e.version for e in entries]
        problems = []
        if bad:
            problems.append(
                "无法解码的记录 / records that do not decode: "
                + _listed(f"#{e.position} {e.topic} v{e.version} ({e.error})" for e in bad)
            )
        if versions != list(range(1, len(entries) + 1)):
            problems.append(f"版本号不连续或顺序不符 / versions out of order: {versions[:20]}")
        published = entries[0].event if entries else None
        if not isinstance(published, InspectionPlan.Published):
            problems.append("第一条事件不是方案发布 / the first event is not Published")
        else:
            self.report.title = published.title
            self.report.county_id = str(published.county_id)
            self.report.item = published.item.code
        if problems:
            self.add("events", False, "\n".join(problems))
            if not isinstance(published, InspectionPlan.Published):
                self.skip_rest(list(CHECKS)[:-2], "没有可读的方案发布事件 / no readable Published")
                return False
            return True
        kinds = Counter(e.topic.split(".")[-1] for e in entries)
        self.add(
            "events",
            True,
            f"{len(entries)} 条事件 / events, v1–v{len(entries)}, 日志位置 / positions "
            f"#{entries[0].position}–#{entries[-1].position}: "
            + ", ".join(f"{k} {n}" for k, n in kinds.items()),
        )
        return True

    @property
    def published(self) -> InspectionPlan.Published:
        event = self.plan_entries[0].event
        assert isinstance(event, InspectionPlan.Published)
        return event

    def check_plan_hash(self) -> bool:
        p = self.published
        document = p.document
        recomputed = sha256_canonical(document)
        self.inputs.plan_hash = recomputed
        problems = []
        if recomputed != p.plan_hash:
            problems.append(f"重算 / recomputed {recomputed} ≠ 记录 / recorded {p.plan_hash}")
        if document.get("plan_id") != str(self.plan_id) or document.get("county_id") != str(
            p.county_id
        ):
            problems.append("方案文件中的方案或县（区）id 不符 / the document names another plan")
        if document.get("algorithm") != draw.ALGORITHM:
            problems.append(f"算法 / algorithm {document.get('algorithm')!r} ≠ {draw.ALGORITHM}")
        self.add("plan_hash", not problems, "\n".join(problems) or f"sha256 {recomputed}")
        return True

    def check_population(self) -> bool:
        frozen = self.of(InspectionPlan.PopulationFrozen)
        if not frozen:
            self.skip_rest(list(CHECKS)[:-2], "检查对象尚未冻结 / the population is not frozen yet")
            return False
        entry = frozen[0]
        pf: InspectionPlan.PopulationFrozen = entry.event
        p = self.published
        problems = []
        if len(frozen) > 1:
            problems.append(f"冻结了 {len(frozen)} 次 / frozen {len(frozen)} times")
        if pf.directory_id != self.dir_id:
            problems.append(f"名录 id / directory id {pf.directory_id} ≠ {self.dir_id}")
        if not pf.log_position < entry.position:
            problems.append(
                f"冻结位置 #{pf.log_position} 不在冻结事件 #{entry.position} 之前"
                f" / frozen position is not before the freeze event"
            )
        bad: list[int] = []
        try:
            rebuilt = derive_population(
                p.document,
                p.county_id,
                self.events(POPULATION_TOPICS, pf.log_position, bad),
                pf.timestamp,
            )
            rebuilt_hash = self.inputs.population_hash = rebuilt.hash
        except (DomainError, draw.DrawError, KeyError, ValueError, TypeError) as e:
            self.add("population", False, f"无法重建 / cannot rebuild: {e}")
            self.skip_rest(list(CHECKS)[:-2], "")
            return False
        self.inputs.population = rebuilt
        if bad:
            problems.append(
                "日志中无法解码的记录 / records that do not decode: " + _listed(bad_at(bad))
            )
        counts = {s: len(ids) for s, ids in sorted(rebuilt.strata.items())}
        where = (
            f"日志 ≤ #{pf.log_position}，截止 {local_iso(pf.timestamp)}"
            f" / log ≤ #{pf.log_position}, cut-off {local_iso(pf.timestamp)}: "
            f"{rebuilt.size} 个对象 / targets in {len(counts)} strata, "
            f"{len(rebuilt.excluded)} 个不合格 / excluded"
        )
        if rebuilt_hash != pf.population_hash:
            problems.append(
                f"重建哈希 / rebuilt hash {rebuilt_hash} ≠ 冻结 / frozen {pf.population_hash}"
            )
        if counts != dict(pf.counts):
            differ = sorted(
                s for s in set(counts) | set(pf.counts) if counts.get(s) != pf.counts.get(s)
            )
            problems.append(
                "各层数量不同 / counts differ: "
                + _listed(f"{s} {counts.get(s, 0)}≠{pf.counts.get(s, 0)}" for s in differ)
            )
            early = self.log.ends_before(pf.log_position)
            if early:
                problems.append(
                    "导出包在冻结位置之前就结束了 / bundles that end before the frozen position: "
                    + _listed(early)
                )
            covered = self.log.covered_codes()
            if covered is not None:
                codes = {s.removesuffix(LOW_SUFFIX) for s in pf.counts}
                missing = sorted(codes - covered - {"county"})
                if missing:
                    problems.append(
                        "导出包未覆盖这些社区 / no bundle covers communities: " + _listed(missing)
                    )
        if len(rebuilt.excluded) != pf.excluded_count:
            problems.append(f"不合格数 / excluded {len(rebuilt.excluded)} ≠ {pf.excluded_count}")
        self.add("population", not problems, "\n".join([where, *problems]))
        self.check_directory(pf, rebuilt)
        return True

    def check_directory(self, pf: Any, rebuilt: Population) -> None:
        entries = self.directory_entries
        frozen = [e for e in entries if isinstance(e.event, TargetDirectory.Frozen)]
        if len(frozen) != 1:
            self.add("directory", False, f"名录冻结事件 {len(frozen)} 条 / {len(frozen)} Frozen")
            return
        d: TargetDirectory.Frozen = frozen[0].event
        problems = []
        if d.plan_id != self.plan_id or d.county_id != self.published.county_id:
            problems.append("名录属于另一方案 / the directory names another plan")
        if d.log_position != pf.log_position:
            problems.append(f"位置 / position #{d.log_position} ≠ #{pf.log_position}")
        if d.population_hash != pf.population_hash:
            problems.append("名录哈希与方案记录不同 / hash differs from the plan's")
        same = (d.strata, d.excluded, d.relations) == (
            rebuilt.strata,
            rebuilt.excluded,
            rebuilt.relations,
        )
        own = (
            self.inputs.population_hash
            if same
            else draw.population_hash(d.strata, d.excluded, d.relations)
        )
        if own != d.population_hash:
            problems.append(f"名录内容的哈希 / hash of its content {own} ≠ {d.population_hash}")
        if d.strata != rebuilt.strata:
            problems.append("strata: " + _diff_strata(d.strata, rebuilt.strata))
        for name, theirs, ours in (
            ("excluded", d.excluded, rebuilt.excluded),
            ("relations", d.relations, rebuilt.relations),
        ):
            if theirs != ours:
                problems.append(f"{name}: " + _diff(theirs, ours))
        self.add(
            "directory",
            not problems,
            "\n".join(problems) or f"#{frozen[0].position}, {_short(d.population_hash)}",
        )

    def check_roster(self) -> bool:
        frozen = self.of(InspectionPlan.RosterFrozen)
        if not frozen:
            self.skip_rest(list(CHECKS)[:-2], "检查人员尚未冻结 / the roster is not frozen yet")
            return False
        entry = frozen[0]
        rf: InspectionPlan.RosterFrozen = entry.event
        problems = []
        if len(frozen) > 1:
            problems.append(f"冻结了 {len(frozen)} 次 / frozen {len(frozen)} times")
        population_at = self.of(InspectionPlan.PopulationFrozen)[0].position
        if entry.position < population_at:
            problems.append("人员名录在检查对象之前冻结 / roster frozen before the population")
        if not rf.log_position < entry.position:
            problems.append(f"冻结位置 #{rf.log_position} 不在冻结事件之前 / position not before")
        bad: list[int] = []
        roster, rebuilt_hash = derive_roster(
            self.published.county_id, self.events(ROSTER_TOPICS, rf.log_position, bad)
        )
        self.inputs.roster, self.inputs.roster_hash = roster, rebuilt_hash
        if bad:
            problems.append("无法解码的记录 / records that do not decode: " + _listed(bad_at(bad)))
        if rebuilt_hash != rf.roster_hash:
            problems.append(
                f"重建哈希 / rebuilt hash {rebuilt_hash} ≠ 冻结 / frozen {rf.roster_hash}"
            )
        if roster != rf.roster:
            problems.append(_diff(rf.roster, roster))
        if roster_hash(rf.roster) != rf.roster_hash:
            problems.append("记录的名录与其哈希不符 / the recorded roster does not hash to it")
        self.add(
            "roster",
            not problems,
            "\n".join(
                [
                    f"日志 ≤ #{rf.log_position} / log ≤ #{rf.log_position}: {len(roster)} 名 / "
                    f"inspectors, sha256 {rebuilt_hash}",
                    *problems,
                ]
            ),
        )
        return True

    def check_seed_inputs(self) -> bool:
        p = self.published
        seed = p.document.get("seed", {})
        roster_entry = self.of(InspectionPlan.RosterFrozen)[0]
        population_entry = self.of(InspectionPlan.PopulationFrozen)[0]
        commits = self.of(InspectionPlan.SeedCommitted)
        reveals = self.of(InspectionPlan.ContributionRevealed)
        problems: list[str] = []
        notes: list[str] = []
        try:
            method = SeedMethod.from_code(seed.get("method"))
        except (DomainError, ValueError):
            self.add("seed_inputs", False, f"未知的种子方式 / unknown seed method {seed!r}")
            return False
        hours = p.document.get("reveal_within_hours")
        if hours is not None:
            start = roster_entry.event.timestamp
            if method is SeedMethod.PUBLIC_VALUE:
                later = _moment(seed.get("available_after"))
                start = max(start, later) if later is not None else start
            due = start + timedelta(hours=int(hours))
            notes.append(f"承诺与揭示期限 / due by {local_iso(due)}")
            for entry in [*commits, *reveals]:
                if entry.event.timestamp > due:
                    problems.append(
                        f"#{entry.position} 逾期（{local_iso(entry.event.timestamp)}）"
                        " / after the seed's deadline"
                    )
        if method is SeedMethod.COMMIT_REVEAL:
            parties: list[str] = list(seed.get("parties", []))
            committed: dict[str, Entry] = {}
            for c in commits:
                party = c.event.party
                if party not in parties:
                    problems.append(f"#{c.position} {party} 不是提供方 / is not a seed party")
                if party in committed:
                    problems.append(f"#{c.position} {party} 重复承诺 / committed twice")
                committed.setdefault(party, c)
                if c.event.by != party:
                    problems.append(
                        f"#{c.position} {c.event.by} 代 {party} 承诺 / committed for another party"
                    )
                if c.position < roster_entry.position:
                    problems.append(
                        f"#{c.position} {party} 的承诺早于名录冻结 / committed before the freeze"
                    )
            last_commit = max((c.position for c in commits), default=0)
            revealed: dict[str, str] = {}
            for r in reveals:
                party = r.event.party
                if party in revealed:
                    problems.append(f"#{r.position} {party} 重复揭示 / revealed twice")
                    continue
                revealed[party] = r.event.contribution
                if r.event.by != party:
                    problems.append(
                        f"#{r.position} {r.event.by} 代 {party} 揭示 / revealed for another party"
                    )
                commitment = committed.get(party)
                salt = r.event.salt
                if not isinstance(salt, str) or not draw._HEX64.fullmatch(salt):
                    # reveals are taken exactly: a salt in upper case or padded opens nothing
                    problems.append(
                        f"#{r.position} {party} 的盐不是 64 位小写十六进制 / the salt is not"
                        f" 64 lowercase hex digits: {salt!r}"
                    )
                if commitment is None:
                    problems.append(f"#{r.position} {party} 未曾承诺 / never committed")
                elif not draw.opens(
                    commitment.event.commitment, r.event.contribution, r.event.salt
                ):
                    problems.append(
                        f"#{r.position} {party} 的揭示值打不开其承诺 #{commitment.position}"
                        f" / the reveal does not open the commitment"
                    )
                if len(committed) < len(parties) or r.position < last_commit:
                    problems.append(
                        f"#{r.position} {party} 在各方承诺齐全之前揭示 / revealed before every"
                        " party committed"
                    )
                if r.position < roster_entry.position:
                    problems.append(f"#{r.position} 揭示早于名录冻结 / revealed before the freeze")
            if len(set(parties)) < 2:
                problems.append("种子提供方少于两方 / fewer than two seed parties")
            complete = all(party in revealed for party in parties) and bool(parties)
            self.inputs.contributions = [revealed[x] for x in parties] if complete else None
            notes.append(
                f"{len(commits)} 项承诺、{len(reveals)} 项揭示 / commitments, reveals"
                f" ({'、'.join(parties)})"
            )
        else:
            available = _moment(seed.get("available_after"))
            source = seed.get("source", "")
            if commits:
                problems.append("公开数值方式不应有承诺 / commitments under a public value")
            if available is None:
                problems.append("方案未写明公开数值的产生时间 / no available_after")
            else:
                notes.append(f"{source}，产生于 / available after {local_iso(available)}")
                frozen_at = max(population_entry.event.timestamp, roster_entry.event.timestamp)
                if not frozen_at < available:
                    problems.append(
                        f"公开数值在冻结（{local_iso(frozen_at)}）之前已产生 / the value existed"
                        " before the inputs were frozen"
                    )
            public = [r for r in reveals if r.event.party == "public"]
            if len(reveals) != len(public) or len(public) > 1:
                problems.append(f"揭示 {len(reveals)} 项 / {len(reveals)} reveals (expected one)")
            for r in public:
                if available is not None and r.event.timestamp < available:
                    problems.append(
                        f"#{r.position} 在公开数值产生之前揭示 / revealed before it existed"
                        f" ({local_iso(r.event.timestamp)})"
                    )
                if r.position < roster_entry.position:
                    problems.append(f"#{r.position} 揭示早于名录冻结 / revealed before the freeze")
            self.inputs.contributions = [public[0].event.contribution] if public else None
        if not commits and not reveals and method is SeedMethod.COMMIT_REVEAL:
            self.add("seed_inputs", None, "尚无承诺 / no commitment yet")
        else:
            self.add("seed_inputs", not problems, "\n".join(notes + problems))
        return True

    def check_draw(self) -> bool:
        drawn = self.of(InspectionPlan.Drawn)
        if not drawn:
            self.skip_rest(list(CHECKS)[:-2], "尚未抽取 / not drawn yet")
            return False
        entry = drawn[0]
        d: InspectionPlan.Drawn = entry.event
        inputs = self.inputs
        # drawn once, after the seed, never after a void
        problems = []
        if len(drawn) > 1:
            problems.append(
                f"抽取了 {len(drawn)} 次 / drawn {len(drawn)} times: "
                + _listed(f"#{e.position}" for e in drawn)
            )
        seed_at = [e.position for e in self.of(InspectionPlan.ContributionRevealed)]
        if inputs.contributions is None or any(entry.position < s for s in seed_at):
            problems.append("抽取时种子尚未揭示齐全 / drawn before the seed was complete")
        voids = [e.position for e in self.of(InspectionPlan.Voided)]
        if any(v < entry.position for v in voids):
            problems.append("作废之后仍抽取 / drawn after the plan was voided")
        self.add("drawn_once", not problems, "\n".join(problems) or f"#{entry.position}")
        assert inputs.population is not None and inputs.roster is not None
        if inputs.contributions is None:
            self.skip_rest(list(CHECKS)[:-2], "种子未齐全 / the seed is not complete")
            return False
        population = inputs.population
        try:
            seed = draw.seed_from(
                inputs.plan_hash,
                inputs.population_hash,
                inputs.roster_hash,
                inputs.contributions,
            )
        except draw.DrawError as e:
            self.add("seed", False, str(e))
            self.skip_rest(list(CHECKS)[:-2], "")
            return False
        problems = []
        if seed != d.seed:
            problems.append(f"重算 / recomputed {seed} ≠ 记录 / recorded {d.seed}")
        if draw.seed_hash(d.seed) != d.seed_hash:
            problems.append("记录的种子哈希不符 / the recorded seed hash is not SHA-256(seed)")
        if d.algorithm != draw.ALGORITHM:
            problems.append(f"算法 / algorithm {d.algorithm!r}")
        self.add("seed", not problems, "\n".join(problems) or f"seed {seed}")
        try:
            outcome = compute_draw(
                self.published.document,
                inputs.plan_hash,
                population.strata,
                population.relations,
                inputs.population_hash,
                inputs.roster,
                inputs.roster_hash,
                inputs.contributions,
            )
        except (DomainError, draw.DrawError, KeyError, ValueError, TypeError) as e:
            self.add("sample", False, f"无法重算抽取 / the draw cannot be recomputed: {e}")
            self.skip_rest(list(CHECKS)[:-2], "")
            return False
        total = sum(len(rows) for rows in outcome.sample.values())
        problems = []
        if outcome.sizes != d.sizes:
            problems.append("各层数量 / sizes: " + _diff(d.sizes, outcome.sizes))
        if outcome.sample != d.sample:
            problems.append("抽中对象 / sample: " + _diff_rows(d.sample, outcome.sample))
        self.add(
            "sample",
            not problems,
            "\n".join(problems) or f"{total} 个对象 / targets in {len(outcome.sample)} strata",
        )
        same = outcome.alternates == d.alternates
        self.add("alternates", same, "" if same else _diff_rows(d.alternates, outcome.alternates))
        problems = []
        if outcome.assignment.assigned != d.assignments:
            problems.append("分配 / assigned: " + _diff(d.assignments, outcome.assignment.assigned))
        if outcome.assignment.skips != d.skips:
            first = next(
                (
                    i
                    for i, (a, b) in enumerate(zip(d.skips, outcome.assignment.skips, strict=False))
                    if a != b
                ),
                min(len(d.skips), len(outcome.assignment.skips)),
            )
            problems.append(
                f"跳过记录 / skips: {len(d.skips)} 记录 vs {len(outcome.assignment.skips)} 重算,"
                f" first difference at #{first}"
            )
        reasons = Counter(s[2] for s in outcome.assignment.skips)
        self.add(
            "assignments",
            not problems,
            "\n".join(problems)
            or f"{len(outcome.assignment.assigned)} 个对象 / targets; 跳过 / skips: "
            + (", ".join(f"{k} {n}" for k, n in sorted(reasons.items())) or "无 / none"),
        )
        self.add(
            "sample_commitment",
            outcome.sample_commitment == d.sample_commitment,
            outcome.sample_commitment
            if outcome.sample_commitment == d.sample_commitment
            else f"重算 / recomputed {outcome.sample_commitment} ≠ {d.sample_commitment}",
        )
        return True

    def check_after_draw(self) -> bool:
        drawn_entry = self.of(InspectionPlan.Drawn)[0]
        d: InspectionPlan.Drawn = drawn_entry.event
        document = self.published.document
        assert self.inputs.population is not None and self.inputs.roster is not None
        relations = self.inputs.population.relations
        keys = roster_keys(self.inputs.roster)
        per_target = int(document["min_inspectors"])
        load_cap = int(document["load_cap"])
        # the state the plan keeps after the draw (InspectionPlan.Drawn.apply)
        targets = {t: s for s, rows in d.sample.items() for t, _ in rows}
        unused = {s: [list(r) for r in rows] for s, rows in d.alternates.items()}
        assignments = {t: list(v) for t, v in d.assignments.items()}
        load: Counter[str] = Counter(i for team in d.assignments.values() for i in team)
        recused: dict[str, list[str]] = {}
        findings: Counter[str] = Counter()
        replaced: list[str] = []
        recusals: list[str] = []
        finding_problems: list[str] = []
        replacements, recusal_count, finding_count = 0, 0, 0
        later = [
            e
            for e in self.plan_entries
            if e.position > drawn_entry.position
            and isinstance(
                e.event,
                InspectionPlan.TargetReplaced
                | InspectionPlan.InspectorRecused
                | InspectionPlan.FindingRecorded,
            )
        ]
        for entry in later:
            event = entry.event
            if isinstance(event, InspectionPlan.TargetReplaced):
                replacements += 1
                problem = _replacement(
                    event,
                    targets,
                    unused,
                    assignments,
                    load,
                    findings,
                    keys,
                    relations,
                    d.seed_hash,
                    per_target,
                    load_cap,
                )
                if problem:
                    replaced.append(f"#{entry.position} {event.target}: {problem}")
                stratum = targets.get(event.target, "")
                targets[event.replacement] = stratum
                unused[stratum] = [r for r in unused.get(stratum, []) if r[0] != event.replacement]
                for inspector in assignments.pop(event.target, []):
                    load[inspector] -= 1
                assignments[event.replacement] = list(event.inspectors)
                load.update(event.inspectors)
            elif isinstance(event, InspectionPlan.InspectorRecused):
                recusal_count += 1
                problem = _recusal(
                    event,
                    assignments,
                    recused,
                    load,
                    findings,
                    keys,
                    relations,
                    d.seed_hash,
                    load_cap,
                )
                if problem:
                    recusals.append(f"#{entry.position} {event.target}: {problem}")
                team = assignments.get(event.target, [])
                if event.inspector_id in team:
                    team[team.index(event.inspector_id)] = event.replacement_id
                recused.setdefault(event.target, []).append(event.inspector_id)
                load[event.inspector_id] -= 1
                load[event.replacement_id] += 1
            else:
                finding_count += 1
                if event.inspector_id not in assignments.get(event.target, []):
                    finding_problems.append(
                        f"#{entry.position} {event.target}: {event.inspector_id}"
                        " 未被分配 / not assigned"
                    )
                findings[event.target] += 1
        self.add(
            "replacements",
            not replaced if replacements else None,
            "\n".join(replaced) or f"{replacements} 次替换 / replacements",
        )
        self.add(
            "recusals",
            not recusals if recusal_count else None,
            "\n".join(recusals) or f"{recusal_count} 次回避 / recusals",
        )
        self.add(
            "findings",
            not finding_problems if finding_count else None,
            "\n".join(finding_problems) or f"{finding_count} 条检查结果 / findings",
        )
        self.check_deadline(drawn_entry)
        return True

    def check_deadline(self, drawn_entry: Entry) -> None:
        d: InspectionPlan.Drawn = drawn_entry.event
        document = self.published.document
        holidays, workdays = calendar_of(document)
        days = int(document["disclosure_working_days"])
        start = max(business_date(d.timestamp), date.fromisoformat(document["period"][1]))
        deadline = disclosure_deadline(document, d.timestamp)
        problems = []
        notes = [
            f"抽取日与期间止日中较晚者 {start} + {days} 个工作日 = {deadline}"
            f" / the later of the draw and the period's end + {days} working days"
        ]
        if d.disclosure_deadline != deadline:
            problems.append(f"记录的期限 / recorded deadline {d.disclosure_deadline} ≠ {deadline}")
        for entry in self.of(InspectionPlan.ResultsPublished):
            published_on = business_date(entry.event.timestamp)
            late = working_days_between(d.disclosure_deadline, published_on, holidays, workdays)
            notes.append(
                f"#{entry.position} 公开于 / published {published_on}：逾期 {late} 个工作日"
                f" / {late} working days late"
            )
            if entry.event.late_working_days != late:
                problems.append(
                    f"#{entry.position} late_working_days {entry.event.late_working_days} ≠ {late}"
                )
        for entry in self.of(InspectionPlan.DisclosureOverdue):
            marked_on = business_date(entry.event.timestamp)
            if entry.event.deadline != d.disclosure_deadline or not marked_on > deadline:
                problems.append(
                    f"#{entry.position} 逾期标记于 {marked_on}，期限 {entry.event.deadline}"
                    " / overdue mark not after the deadline"
                )
        self.add("deadline", not problems, "\n".join(notes + problems))


def _replacement(
    event: Any,
    targets: dict[str, str],
    unused: dict[str, list[list[str]]],
    assignments: dict[str, list[str]],
    load: Counter[str],
    findings: Counter[str],
    keys: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    per_target: int,
    load_cap: int,
) -> str:
    """What is wrong with a TargetReplaced, by InspectionPlan.replace_target's rules."""
    if event.target not in assignments:
        return "不是当时抽中的对象 / not a drawn target at the time"
    if findings[event.target]:
        return "该对象已有检查结果 / the target already had a finding"
    pool = unused.get(targets[event.target], [])
    if not pool:
        return "该层已无备选 / no alternate was left"
    expected, ticket = pool[0]
    if [event.replacement, event.ticket] != [expected, ticket]:
        rank = next((i for i, r in enumerate(pool) if r[0] == event.replacement), None)
        where = (
            f"第 {rank + 1} 个未用备选 / unused alternate #{rank + 1}"
            if rank is not None
            else "不在未用备选中 / not an unused alternate"
        )
        return (
            f"取了 {event.replacement}（{where}），应取下一备选 {expected}"
            f" / took {event.replacement}, the next alternate was {expected}"
        )
    freed = dict(load)
    for inspector in assignments[event.target]:
        freed[inspector] -= 1
    try:
        outcome = assign([expected], keys, relations, seed_hash, per_target, load_cap, freed)
    except DomainError:
        return "按规则找不到足够的检查人员 / no team could be assigned by the rules"
    if outcome.assigned[expected] != list(event.inspectors):
        return f"人员 / inspectors {event.inspectors} ≠ {outcome.assigned[expected]}"
    if outcome.skips != [list(s) for s in event.skips]:
        return "跳过记录不符 / skips differ"
    return ""


def _recusal(
    event: Any,
    assignments: dict[str, list[str]],
    recused: dict[str, list[str]],
    load: Counter[str],
    findings: Counter[str],
    keys: dict[str, list[str]],
    relations: dict[str, list[str]],
    seed_hash: str,
    load_cap: int,
) -> str:
    """What is wrong with an InspectorRecused, by InspectionPlan.recuse's rules."""
    team = assignments.get(event.target)
    if team is None:
        return "不是当时抽中的对象 / not a drawn target at the time"
    if event.inspector_id not in team:
        return f"{event.inspector_id} 不在该对象的检查组 / not on the target's team"
    if findings[event.target]:
        return "该对象已有检查结果 / the target already had a finding"
    excluded = set(team) | set(recused.get(event.target, [])) | {event.inspector_id}
    try:
        expected, skips = next_inspector(
            event.target, keys, relations, seed_hash, dict(load), load_cap, excluded
        )
    except DomainError:
        return "按规则已无可接替的人员 / no eligible inspector was left"
    if event.replacement_id != expected:
        return (
            f"由 {event.replacement_id} 接替，按签号应为 {expected}"
            f" / replaced by {event.replacement_id}, the next eligible was {expected}"
        )
    if [list(s) for s in event.skips] != skips:
        return "跳过记录不符 / skips differ"
    return ""


def verify_plan(log: Log, plan_id: UUID, entries: list[Entry]) -> PlanReport:
    """Every check of one plan; `entries`: the plan's and its directory's (plans_in)."""
    return _PlanVerifier(log, plan_id, entries).run()


def bad_at(positions: Iterable[int]) -> list[str]:
    return [f"#{n}" for n in positions]


def _moment(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _diff(recorded: dict[str, Any], recomputed: dict[str, Any]) -> str:
    only_recorded = sorted(k for k in recorded if k not in recomputed)
    only_rebuilt = sorted(k for k in recomputed if k not in recorded)
    changed = sorted(k for k in recorded if k in recomputed and recorded[k] != recomputed[k])
    parts = []
    if only_recorded:
        parts.append("仅在记录中 / only recorded: " + _listed(only_recorded))
    if only_rebuilt:
        parts.append("仅在重算中 / only recomputed: " + _listed(only_rebuilt))
    if changed:
        parts.append("内容不同 / differ: " + _listed(changed))
    return "; ".join(parts) or "顺序不同 / order differs"


def _diff_strata(frozen: dict[str, list[str]], rebuilt: dict[str, list[str]]) -> str:
    a = {i: stratum for stratum, ids in frozen.items() for i in ids}
    b = {i: stratum for stratum, ids in rebuilt.items() for i in ids}
    parts = []
    if only := sorted(set(a) - set(b)):
        parts.append("仅在冻结名录中 / only in the frozen directory: " + _listed(only))
    if only := sorted(set(b) - set(a)):
        parts.append("仅在重建中 / only in the rebuild: " + _listed(only))
    if moved := sorted(i for i in set(a) & set(b) if a[i] != b[i]):
        parts.append(
            "所在层不同 / in another stratum: " + _listed(f"{i} {a[i]}→{b[i]}" for i in moved)
        )
    return "; ".join(parts) or "顺序不同 / order differs"


def _diff_rows(recorded: dict[str, list[list[str]]], recomputed: dict[str, list[list[str]]]) -> str:
    strata = sorted(set(recorded) | set(recomputed))
    parts = []
    for stratum in strata:
        a, b = recorded.get(stratum, []), recomputed.get(stratum, [])
        if a == b:
            continue
        ids_a, ids_b = [r[0] for r in a], [r[0] for r in b]
        extra = [i for i in ids_a if i not in set(ids_b)]
        missing = [i for i in ids_b if i not in set(ids_a)]
        detail = f"{stratum}: 记录 {len(a)} / recorded, 重算 {len(b)} / recomputed"
        if extra:
            detail += "; 多出 / not drawn: " + _listed(extra)
        if missing:
            detail += "; 缺少 / missing: " + _listed(missing)
        if not extra and not missing:
            detail += "; 签号或顺序不同 / tickets or order differ"
        parts.append(detail)
    return "\n".join(parts)


# -------------------------------------------------------------------------- the command


def command(args: argparse.Namespace) -> int:
    try:
        plan_ids = [UUID(p) for p in args.plan]
        county_id = UUID(args.county) if args.county else None
    except ValueError as e:
        print(f"id 格式不对 / not an id: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.bundle:
            report = _from_bundles(args, plan_ids, county_id)
        else:
            if not plan_ids and county_id is None:
                print("请给出 --plan 或 --county / give --plan or --county", file=sys.stderr)
                return EXIT_USAGE
            report = _from_store(plan_ids, county_id)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return EXIT_OK if report.ok else EXIT_FAILED


def _from_store(plan_ids: Sequence[UUID], county_id: UUID | None) -> Report:
    from domain.application import Sishuang
    from domain.clock import SystemClock
    from projections.settings import Settings
    from projections.store import schema_lock

    settings = Settings.from_env()
    env = settings.eventsourcing_env()
    with schema_lock(env):
        app = Sishuang(env, clock=SystemClock())
    try:
        where = env.get("SQLITE_DBNAME") or (
            f"PostgreSQL {env.get('POSTGRES_HOST')}/{env.get('POSTGRES_DBNAME')}"
            f" schema {env.get('POSTGRES_SCHEMA', 'public')}"
        )
        return verify(StoreLog(app, f"事件库 / event store: {where}"), plan_ids, county_id)
    finally:
        app.close()


def _from_bundles(
    args: argparse.Namespace, plan_ids: Sequence[UUID], county_id: UUID | None
) -> Report:
    from replay.bundle import BundleError, read

    bundles = []
    for path in args.bundle:
        try:
            bundles.append(read(path))
        except BundleError as e:
            raise UsageError(f"无法读取 / unreadable: {e}") from e
    checks = []
    if args.pubkey:
        from replay.verify import verify_bundle

        key = args.pubkey
        if Path(key).is_file():
            key = Path(key).read_text(encoding="utf-8").strip()
        for path, bundle in zip(args.bundle, bundles, strict=True):
            result = verify_bundle(bundle, key, None, progress=False)
            checks.append(
                Check(
                    "bundles",
                    OK if result.ok else FAIL,
                    f"{path}: "
                    + ("未被改动 / unaltered" if result.ok else str(result.first_problem)),
                )
            )
    else:
        checks.append(
            Check(
                "bundles",
                INFO,
                "未核验导出包（加 --pubkey 先核验签名与封存记录）/ bundles not verified against a"
                " key: add --pubkey",
            )
        )
    report = verify(BundleLog(bundles, [str(p) for p in args.bundle]), plan_ids, county_id)
    report.checks[:0] = checks
    return report
