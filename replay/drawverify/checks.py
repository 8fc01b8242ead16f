"""The checks of `replay draw-verify`, one function each, named after the check.

Each takes the plan's recorded events and what the definition re-derives
(definition.py, population.py: docs/draw-definition.md), compares, and returns one
`Check`; `run.py` runs them in order and decides what a missing input skips.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from replay import draw
from replay.drawverify import definition as d
from replay.drawverify.log import Entry, Log, PlanEvents
from replay.drawverify.population import Population
from replay.drawverify.report import (
    Check,
    at,
    diff,
    diff_rows,
    diff_strata,
    first_difference,
    judged,
    listed,
    result,
    short,
)


@dataclass(frozen=True)
class Rebuilt:
    """The population re-derived from the log, its hash, the positions that did not
    decode."""

    population: Population
    hash: str
    bad: list[int]


@dataclass(frozen=True)
class RebuiltRoster:
    roster: dict[str, list[str]]
    hash: str
    bad: list[int]


def _undecodable(bad: list[int]) -> str:
    return "日志中无法解码的记录 / records that do not decode: " + listed(at(bad))


def _moment(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


# --------------------------------------------------------------------- the inputs


def events(plan: PlanEvents) -> Check:
    """The plan's events read in log order: versions 1…n, each decodes, the first is the
    publication."""
    entries = plan.entries
    bad = [e for e in entries + plan.directory if e.event is None]
    versions = [e.version for e in entries]
    problems = []
    if bad:
        problems.append(
            "无法解码的记录 / records that do not decode: "
            + listed(f"#{e.position} {e.topic} v{e.version} ({e.error})" for e in bad)
        )
    if versions != list(range(1, len(entries) + 1)):
        problems.append(f"版本号不连续或顺序不符 / versions out of order: {versions[:20]}")
    if plan.published is None:
        problems.append("第一条事件不是方案发布 / the first event is not Published")
    if problems:
        return result("events", False, "\n".join(problems))
    kinds = Counter(e.name for e in entries)
    return result(
        "events",
        True,
        f"{len(entries)} 条事件 / events, v1–v{len(entries)}, 日志位置 / positions "
        f"#{entries[0].position}–#{entries[-1].position}: "
        + ", ".join(f"{k} {n}" for k, n in kinds.items()),
    )


def plan_hash(plan: PlanEvents, recomputed: str) -> Check:
    """§1: the recorded plan hash is the document's; the document names this plan, its
    county and the algorithm."""
    p = plan.published
    document = p.document
    problems = []
    if recomputed != p.plan_hash:
        problems.append(f"重算 / recomputed {recomputed} ≠ 记录 / recorded {p.plan_hash}")
    if document.get("plan_id") != str(plan.plan_id) or document.get("county_id") != str(
        p.county_id
    ):
        problems.append("方案文件中的方案或县（区）id 不符 / the document names another plan")
    if document.get("algorithm") != draw.ALGORITHM:
        problems.append(f"算法 / algorithm {document.get('algorithm')!r} ≠ {draw.ALGORITHM}")
    return result("plan_hash", not problems, "\n".join(problems) or f"sha256 {recomputed}")


def population(plan: PlanEvents, rebuilt: Rebuilt, log: Log) -> Check:
    """§3: the population re-derived from the log up to the frozen position hashes to
    the frozen hash, with the same counts and number excluded."""
    frozen = plan.named("PopulationFrozen")
    entry = frozen[0]
    pf = entry.event
    pop = rebuilt.population
    problems = []
    if len(frozen) > 1:
        problems.append(f"冻结了 {len(frozen)} 次 / frozen {len(frozen)} times")
    if pf.directory_id != d.directory_id(plan.plan_id):
        problems.append(
            f"名录 id / directory id {pf.directory_id} ≠ {d.directory_id(plan.plan_id)}"
        )
    if not pf.log_position < entry.position:
        problems.append(
            f"冻结位置 #{pf.log_position} 不在冻结事件 #{entry.position} 之前"
            f" / frozen position is not before the freeze event"
        )
    if rebuilt.bad:
        problems.append(_undecodable(rebuilt.bad))
    counts = {s: len(ids) for s, ids in sorted(pop.strata.items())}
    where = (
        f"日志 ≤ #{pf.log_position}，截止 {d.beijing_iso(pf.timestamp)}"
        f" / log ≤ #{pf.log_position}, cut-off {d.beijing_iso(pf.timestamp)}: "
        f"{pop.size} 个对象 / targets in {len(counts)} strata, "
        f"{len(pop.excluded)} 个不合格 / excluded"
    )
    if rebuilt.hash != pf.population_hash:
        problems.append(
            f"重建哈希 / rebuilt hash {rebuilt.hash} ≠ 冻结 / frozen {pf.population_hash}"
        )
    if counts != dict(pf.counts):
        differ = sorted(
            s for s in set(counts) | set(pf.counts) if counts.get(s) != pf.counts.get(s)
        )
        problems.append(
            "各层数量不同 / counts differ: "
            + listed(f"{s} {counts.get(s, 0)}≠{pf.counts.get(s, 0)}" for s in differ)
        )
        early = log.ends_before(pf.log_position)
        if early:
            problems.append(
                "导出包在冻结位置之前就结束了 / bundles that end before the frozen position: "
                + listed(early)
            )
        covered = log.covered_codes()
        if covered is not None:
            codes = {s.removesuffix(d.LOW_SUFFIX) for s in pf.counts}
            missing = sorted(codes - covered - {"county"})
            if missing:
                problems.append(
                    "导出包未覆盖这些社区 / no bundle covers communities: " + listed(missing)
                )
    if len(pop.excluded) != pf.excluded_count:
        problems.append(f"不合格数 / excluded {len(pop.excluded)} ≠ {pf.excluded_count}")
    return result("population", not problems, "\n".join([where, *problems]))


def directory(plan: PlanEvents, rebuilt: Rebuilt) -> Check:
    """The frozen TargetDirectory hashes to its hash and holds exactly the re-derived
    strata, exclusions and relations."""
    pf = plan.named("PopulationFrozen")[0].event
    frozen = [e for e in plan.directory if e.topic == "sishuang:TargetDirectory.Frozen"]
    if len(frozen) != 1:
        return result("directory", False, f"名录冻结事件 {len(frozen)} 条 / {len(frozen)} Frozen")
    td = frozen[0].event
    if td is None:
        return result("directory", False, "名录冻结事件无法解码 / the Frozen does not decode")
    pop = rebuilt.population
    problems = []
    if td.plan_id != plan.plan_id or td.county_id != plan.published.county_id:
        problems.append("名录属于另一方案 / the directory names another plan")
    if td.log_position != pf.log_position:
        problems.append(f"位置 / position #{td.log_position} ≠ #{pf.log_position}")
    if td.population_hash != pf.population_hash:
        problems.append("名录哈希与方案记录不同 / hash differs from the plan's")
    same = (td.strata, td.excluded, td.relations) == (pop.strata, pop.excluded, pop.relations)
    own = rebuilt.hash if same else draw.population_hash(td.strata, td.excluded, td.relations)
    if own != td.population_hash:
        problems.append(f"名录内容的哈希 / hash of its content {own} ≠ {td.population_hash}")
    if td.strata != pop.strata:
        problems.append("strata: " + diff_strata(td.strata, pop.strata))
    for name, theirs, ours in (
        ("excluded", td.excluded, pop.excluded),
        ("relations", td.relations, pop.relations),
    ):
        if theirs != ours:
            problems.append(f"{name}: " + diff(theirs, ours))
    return result(
        "directory",
        not problems,
        "\n".join(problems) or f"#{frozen[0].position}, {short(td.population_hash)}",
    )


def roster(plan: PlanEvents, rebuilt: RebuiltRoster) -> Check:
    """§3: the roster re-derived from the log up to its frozen position, and its hash;
    frozen after the population."""
    frozen = plan.named("RosterFrozen")
    entry = frozen[0]
    rf = entry.event
    problems = []
    if len(frozen) > 1:
        problems.append(f"冻结了 {len(frozen)} 次 / frozen {len(frozen)} times")
    if entry.position < plan.named("PopulationFrozen")[0].position:
        problems.append("人员名录在检查对象之前冻结 / roster frozen before the population")
    if not rf.log_position < entry.position:
        problems.append(f"冻结位置 #{rf.log_position} 不在冻结事件之前 / position not before")
    if rebuilt.bad:
        problems.append(_undecodable(rebuilt.bad))
    if rebuilt.hash != rf.roster_hash:
        problems.append(f"重建哈希 / rebuilt hash {rebuilt.hash} ≠ 冻结 / frozen {rf.roster_hash}")
    if rebuilt.roster != rf.roster:
        problems.append(diff(rf.roster, rebuilt.roster))
    if d.roster_hash(rf.roster) != rf.roster_hash:
        problems.append("记录的名录与其哈希不符 / the recorded roster does not hash to it")
    return result(
        "roster",
        not problems,
        "\n".join(
            [
                f"日志 ≤ #{rf.log_position} / log ≤ #{rf.log_position}: {len(rebuilt.roster)} 名"
                f" / inspectors, sha256 {rebuilt.hash}",
                *problems,
            ]
        ),
    )


# ------------------------------------------------------------------------ the seed


def seed_inputs(plan: PlanEvents) -> Check:
    """§2: every input frozen before the seed could be known; the reveals open the
    commitments exactly (commit–reveal), or the public value came later and is written
    as the plan says."""
    document = plan.published.document
    seed = document.get("seed") or {}
    method = seed.get("method")
    if method not in d.SEED_METHODS:
        return result("seed_inputs", False, f"未知的种子方式 / unknown seed method {seed!r}")
    roster_entry = plan.named("RosterFrozen")[0]
    population_entry = plan.named("PopulationFrozen")[0]
    commits = plan.named("SeedCommitted")
    reveals = plan.named("ContributionRevealed")
    problems: list[str] = []
    notes: list[str] = []
    hours = document.get("reveal_within_hours")
    if hours is not None:
        start = roster_entry.event.timestamp
        if method == d.PUBLIC_VALUE:
            later = _moment(seed.get("available_after"))
            start = max(start, later) if later is not None else start
        due = start + timedelta(hours=int(hours))
        notes.append(f"承诺与揭示期限 / due by {d.beijing_iso(due)}")
        for entry in [*commits, *reveals]:
            if entry.event.timestamp > due:
                problems.append(
                    f"#{entry.position} 逾期（{d.beijing_iso(entry.event.timestamp)}）"
                    " / after the seed's deadline"
                )
    if method == d.COMMIT_REVEAL:
        if not commits and not reveals:
            return result("seed_inputs", None, "尚无承诺 / no commitment yet")
        parties = list(seed.get("parties", []))
        problems += _commit_reveal(parties, commits, reveals, roster_entry.position)
        notes.append(
            f"{len(commits)} 项承诺、{len(reveals)} 项揭示 / commitments, reveals"
            f" ({'、'.join(parties)})"
        )
    else:
        problems += _public_value(seed, commits, reveals, population_entry, roster_entry, notes)
    return result("seed_inputs", not problems, "\n".join(notes + problems))


def _commit_reveal(
    parties: list[str], commits: list[Entry], reveals: list[Entry], frozen_at: int
) -> list[str]:
    problems = []
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
        if c.position < frozen_at:
            problems.append(
                f"#{c.position} {party} 的承诺早于名录冻结 / committed before the freeze"
            )
    last_commit = max((c.position for c in commits), default=0)
    revealed: set[str] = set()
    for r in reveals:
        party = r.event.party
        if party in revealed:
            problems.append(f"#{r.position} {party} 重复揭示 / revealed twice")
            continue
        revealed.add(party)
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
        elif not draw.opens(commitment.event.commitment, r.event.contribution, salt):
            problems.append(
                f"#{r.position} {party} 的揭示值打不开其承诺 #{commitment.position}"
                f" / the reveal does not open the commitment"
            )
        if len(committed) < len(parties) or r.position < last_commit:
            problems.append(
                f"#{r.position} {party} 在各方承诺齐全之前揭示 / revealed before every"
                " party committed"
            )
        if r.position < frozen_at:
            problems.append(f"#{r.position} 揭示早于名录冻结 / revealed before the freeze")
    if len(set(parties)) < 2:
        problems.append("种子提供方少于两方 / fewer than two seed parties")
    return problems


def _public_value(
    seed: dict[str, Any],
    commits: list[Entry],
    reveals: list[Entry],
    population_entry: Entry,
    roster_entry: Entry,
    notes: list[str],
) -> list[str]:
    problems = []
    available = _moment(seed.get("available_after"))
    if commits:
        problems.append("公开数值方式不应有承诺 / commitments under a public value")
    if available is None:
        problems.append("方案未写明公开数值的产生时间 / no available_after")
    else:
        notes.append(
            f"{seed.get('source', '')}，产生于 / available after {d.beijing_iso(available)}"
        )
        frozen_at = max(population_entry.event.timestamp, roster_entry.event.timestamp)
        if not frozen_at < available:
            problems.append(
                f"公开数值在冻结（{d.beijing_iso(frozen_at)}）之前已产生 / the value existed"
                " before the inputs were frozen"
            )
    public = [r for r in reveals if r.event.party == d.PUBLIC_PARTY]
    if len(reveals) != len(public) or len(public) > 1:
        problems.append(f"揭示 {len(reveals)} 项 / {len(reveals)} reveals (expected one)")
    for r in public:
        if available is not None and r.event.timestamp < available:
            problems.append(
                f"#{r.position} 在公开数值产生之前揭示 / revealed before it existed"
                f" ({d.beijing_iso(r.event.timestamp)})"
            )
        if r.position < roster_entry.position:
            problems.append(f"#{r.position} 揭示早于名录冻结 / revealed before the freeze")
        if not _spelled(seed.get("pattern"), r.event.contribution):
            problems.append(
                f"#{r.position} 公开数值不符合方案规定的写法 / the value is not written as the"
                f" plan says: {r.event.contribution!r}"
            )
    return problems


def _spelled(pattern: object, value: object) -> bool:
    """Whether a public value is written in the plan's spelling (the whole value)."""
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def drawn_once(plan: PlanEvents, seed_complete: bool) -> Check:
    """Exactly one Drawn, after the seed was complete (the last reveal draws), never
    after a void."""
    drawn = plan.named("Drawn")
    entry = drawn[0]
    problems = []
    if len(drawn) > 1:
        problems.append(
            f"抽取了 {len(drawn)} 次 / drawn {len(drawn)} times: "
            + listed(f"#{e.position}" for e in drawn)
        )
    reveals = [e.position for e in plan.named("ContributionRevealed")]
    if not seed_complete or any(entry.position < s for s in reveals):
        problems.append("抽取时种子尚未揭示齐全 / drawn before the seed was complete")
    if any(v.position < entry.position for v in plan.named("Voided")):
        problems.append("作废之后仍抽取 / drawn after the plan was voided")
    return result("drawn_once", not problems, "\n".join(problems) or f"#{entry.position}")


def seed(drawn: Any, recomputed: str) -> Check:
    """§2: the seed from the recomputed hashes and the contributions; its hash."""
    problems = []
    if recomputed != drawn.seed:
        problems.append(f"重算 / recomputed {recomputed} ≠ 记录 / recorded {drawn.seed}")
    if draw.seed_hash(drawn.seed) != drawn.seed_hash:
        problems.append("记录的种子哈希不符 / the recorded seed hash is not SHA-256(seed)")
    if drawn.algorithm != draw.ALGORITHM:
        problems.append(f"算法 / algorithm {drawn.algorithm!r}")
    return result("seed", not problems, "\n".join(problems) or f"seed {recomputed}")


# ------------------------------------------------------------------------ the draw


def sample(drawn: Any, recomputed: d.Sample) -> Check:
    """§4: every stratum's size and its selected ids with their tickets."""
    problems = []
    if recomputed.sizes != drawn.sizes:
        problems.append("各层数量 / sizes: " + diff(drawn.sizes, recomputed.sizes))
    if recomputed.selected != drawn.sample:
        problems.append("抽中对象 / sample: " + diff_rows(drawn.sample, recomputed.selected))
    total = sum(len(rows) for rows in recomputed.selected.values())
    return result(
        "sample",
        not problems,
        "\n".join(problems) or f"{total} 个对象 / targets in {len(recomputed.selected)} strata",
    )


def alternates(drawn: Any, recomputed: d.Sample) -> Check:
    """§4: each stratum's alternates, in ticket order."""
    same = recomputed.alternates == drawn.alternates
    return result(
        "alternates", same, "" if same else diff_rows(drawn.alternates, recomputed.alternates)
    )


def assignments(drawn: Any, recomputed: d.Assignment, per_target: int) -> Check:
    """§5: each target's team and every inspector passed over, with the reason."""
    problems = []
    if recomputed.short:
        problems.append(
            f"按规则 {recomputed.short} 找不到 {per_target} 名检查人员 / target"
            f" {recomputed.short} cannot get {per_target} inspectors by the rules"
        )
    if recomputed.teams != drawn.assignments:
        problems.append("分配 / assigned: " + diff(drawn.assignments, recomputed.teams))
    if recomputed.skips != drawn.skips:
        first = first_difference(drawn.skips, recomputed.skips)
        problems.append(
            f"跳过记录 / skips: {len(drawn.skips)} 记录 vs {len(recomputed.skips)} 重算,"
            f" first difference at #{first}"
        )
    reasons = Counter(s[2] for s in recomputed.skips)
    return result(
        "assignments",
        not problems,
        "\n".join(problems)
        or f"{len(recomputed.teams)} 个对象 / targets; 跳过 / skips: "
        + (", ".join(f"{k} {n}" for k, n in sorted(reasons.items())) or "无 / none"),
    )


def sample_commitment(drawn: Any, recomputed: str | None) -> Check:
    """§6: the hash of the sample, the seed and the teams."""
    if recomputed is None:
        return result("sample_commitment", None, "分配无法重算 / no assignment to commit to")
    same = recomputed == drawn.sample_commitment
    return result(
        "sample_commitment",
        same,
        recomputed if same else f"重算 / recomputed {recomputed} ≠ {drawn.sample_commitment}",
    )


# ---------------------------------------------------------------- after the draw

STEPS = ("TargetReplaced", "InspectorRecused", "FindingRecorded", "ResultsPublished", "Voided")


def _steps(plan: PlanEvents, drawn: Entry) -> tuple[list[Entry], list[Entry]]:
    """The plan's steps (§7) recorded before its draw, and those after it, in log order."""
    steps = [e for e in plan.entries if e.event is not None and e.name in STEPS]
    return [e for e in steps if e.position < drawn.position], [
        e for e in steps if e.position > drawn.position
    ]


def _before_the_draw(plan: PlanEvents, drawn: Entry, name: str) -> list[str]:
    early, _ = _steps(plan, drawn)
    return [
        f"#{e.position} {e.event.target}: 在抽取之前 / before the draw"
        for e in early
        if e.name == name
    ]


def replacements(plan: PlanEvents, drawn: Entry, rules: d.Rules) -> Check:
    """§7: each TargetReplaced, judged in the state of its moment, took the next unused
    alternate of the target's stratum, with its ticket, and the team and skips the
    staffing rule gives with the loads of the moment less the replaced team's."""
    problems = _before_the_draw(plan, drawn, "TargetReplaced")
    count = len(problems)
    state = d.PlanState.after(drawn.event)
    for entry in _steps(plan, drawn)[1]:
        if entry.name == "TargetReplaced":
            count += 1
            if problem := _replacement(entry.event, state, rules):
                problems.append(f"#{entry.position} {entry.event.target}: {problem}")
        state.apply(entry.topic, entry.event)
    return judged("replacements", count, problems, f"{count} 次替换 / replacements")


def _replacement(event: Any, state: d.PlanState, rules: d.Rules) -> str:
    if refused := state.why_no_change(event.target):
        return refused
    expected = state.next_alternate(event.target)
    if expected is None:
        return "该层已无备选 / no alternate was left"
    taken, ticket = expected
    if event.replacement != taken:
        rank = state.unused_rank(event.target, event.replacement)
        where = (
            f"第 {rank + 1} 个未用备选 / unused alternate #{rank + 1}"
            if rank is not None
            else "不在未用备选中 / not an unused alternate"
        )
        return (
            f"取了 {event.replacement}（{where}），应取下一备选 {taken}"
            f" / took {event.replacement}, the next alternate was {taken}"
        )
    if event.ticket != ticket:
        return f"签号 / ticket {event.ticket} ≠ {ticket}"
    team = state.replacement_team(event.target, taken, rules)
    if team.short:
        return "按规则找不到足够的检查人员 / no team could be assigned by the rules"
    if list(event.inspectors) != team.chosen:
        return f"人员 / inspectors {list(event.inspectors)} ≠ {team.chosen}"
    if [list(s) for s in event.skips] != team.skips:
        return "跳过记录不符 / skips differ"
    return ""


def recusals(plan: PlanEvents, drawn: Entry, rules: d.Rules) -> Check:
    """§8: each InspectorRecused, judged in the state of its moment, went to the next
    inspector in the target's ticket order who is not on the team, has not withdrawn
    from it before, has no conflict and is under the cap; with the same skips."""
    problems = _before_the_draw(plan, drawn, "InspectorRecused")
    count = len(problems)
    state = d.PlanState.after(drawn.event)
    for entry in _steps(plan, drawn)[1]:
        if entry.name == "InspectorRecused":
            count += 1
            if problem := _recusal(entry.event, state, rules):
                problems.append(f"#{entry.position} {entry.event.target}: {problem}")
        state.apply(entry.topic, entry.event)
    return judged("recusals", count, problems, f"{count} 次回避 / recusals")


def _recusal(event: Any, state: d.PlanState, rules: d.Rules) -> str:
    if refused := state.why_no_change(event.target, event.inspector_id):
        return refused
    got = state.next_inspector(event.target, event.inspector_id, rules)
    if got.short:
        return "按规则已无可接替的人员 / no eligible inspector was left"
    expected = got.chosen[0]
    if event.replacement_id != expected:
        return (
            f"由 {event.replacement_id} 接替，按签号应为 {expected}"
            f" / replaced by {event.replacement_id}, the next eligible was {expected}"
        )
    if [list(s) for s in event.skips] != got.skips:
        return "跳过记录不符 / skips differ"
    return ""


def findings(plan: PlanEvents, drawn: Entry) -> Check:
    """§7: each finding by an inspector on the target's team at the time, naming the
    rest of the team as co-inspectors; none before the draw or after a void."""
    problems = _before_the_draw(plan, drawn, "FindingRecorded")
    count = len(problems)
    state = d.PlanState.after(drawn.event)
    for entry in _steps(plan, drawn)[1]:
        event = entry.event
        if entry.name == "FindingRecorded":
            count += 1
            problem = state.why_no_finding(event.target, event.inspector_id)
            team = state.teams.get(event.target, [])
            rest = [i for i in team if i != event.inspector_id]
            if not problem and list(event.co_inspectors) != rest:
                problem = f"同组人员 / co_inspectors {list(event.co_inspectors)} ≠ {rest}"
            if problem:
                problems.append(f"#{entry.position} {event.target}: {problem}")
        state.apply(entry.topic, event)
    return judged("findings", count, problems, f"{count} 条检查结果 / findings")


def deadline(plan: PlanEvents, drawn: Entry) -> Check:
    """§9: the disclosure deadline, each publication's late working days, each overdue
    mark after the deadline and before any publication."""
    dr = drawn.event
    document = plan.published.document
    holidays, workdays = d.calendar(document)
    days = int(document["disclosure_working_days"])
    start = d.disclosure_start(document, dr.timestamp)
    due: date = d.disclosure_deadline(document, dr.timestamp)
    problems = []
    notes = [
        f"抽取日与期间止日中较晚者 {start} + {days} 个工作日 = {due}"
        f" / the later of the draw and the period's end + {days} working days"
    ]
    if dr.disclosure_deadline != due:
        problems.append(f"记录的期限 / recorded deadline {dr.disclosure_deadline} ≠ {due}")
    published = plan.named("ResultsPublished")
    if len(published) > 1:
        problems.append(
            f"结果公开了 {len(published)} 次 / results published {len(published)} times"
        )
    for entry in published:
        published_on = d.beijing_day(entry.event.timestamp)
        late = d.working_days_after(dr.disclosure_deadline, published_on, holidays, workdays)
        notes.append(
            f"#{entry.position} 公开于 / published {published_on}：逾期 {late} 个工作日"
            f" / {late} working days late"
        )
        if entry.event.late_working_days != late:
            problems.append(
                f"#{entry.position} late_working_days {entry.event.late_working_days} ≠ {late}"
            )
    overdue = plan.named("DisclosureOverdue")
    for k, entry in enumerate(overdue):
        marked_on = d.beijing_day(entry.event.timestamp)
        if entry.event.deadline != dr.disclosure_deadline or not marked_on > due:
            problems.append(
                f"#{entry.position} 逾期标记于 {marked_on}，期限 {entry.event.deadline}"
                " / overdue mark not after the deadline"
            )
        if k or any(p.position < entry.position for p in published):
            problems.append(
                f"#{entry.position} 重复或在公开之后的逾期标记 / an overdue mark repeated or"
                " after the publication"
            )
    return result("deadline", not problems, "\n".join(notes + problems))
