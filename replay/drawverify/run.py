"""The driver: re-derive each input from the log, run the checks in order, report.

A check whose inputs are missing (the plan not frozen or not drawn yet, a seed not
complete, an input that cannot be re-derived) and every check after it are shown as
not reached; a failed check does not stop the later ones, whose failure then says
which earlier check it follows from (UPSTREAM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from time import perf_counter
from uuid import UUID

from replay import draw
from replay.canonical import CanonicalJSONError
from replay.drawverify import checks
from replay.drawverify import definition as d
from replay.drawverify import population as pop
from replay.drawverify.log import PLAN, Entry, Log, PlanEvents, plans_in
from replay.drawverify.report import FAIL, INFO, PLAN_CHECKS, Check, PlanReport, Report

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
# What a re-derivation or a check raises on inputs it cannot work with (a malformed
# document or event): the check fails with the reason instead of the verifier stopping.
UNWORKABLE = (draw.DrawError, CanonicalJSONError, KeyError, ValueError, TypeError, AttributeError)


class UsageError(ValueError):
    """Nothing to verify: no such plan, no plan in the county, unreadable input."""


class _Run:
    """The report of one plan as the checks come in."""

    def __init__(self, report: PlanReport) -> None:
        self.report = report

    def add(self, check: Check) -> None:
        upstream = [
            c.key
            for c in self.report.checks
            if c.status == FAIL and c.key in UPSTREAM.get(check.key, ())
        ]
        if check.status == FAIL and upstream:
            check.detail += f"\n（上游已不符，此项随之不同 / follows from: {', '.join(upstream)}）"
        self.report.checks.append(check)

    def run(self, key: str, check: Callable[[], Check]) -> None:
        try:
            self.add(check())
        except UNWORKABLE as e:
            self.add(Check(key, FAIL, f"无法核对 / cannot be checked: {type(e).__name__}: {e}"))

    def skip_rest(self, why: str) -> None:
        done = {c.key for c in self.report.checks}
        for key in PLAN_CHECKS:
            if key not in done:
                self.add(Check(key, "skip", why))


def verify_plan(log: Log, plan_id: UUID, entries: list[Entry]) -> PlanReport:
    """Every check of one plan; `entries`: the plan's and its directory's (plans_in)."""
    started = perf_counter()
    plan = PlanEvents.of(plan_id, entries)
    run = _Run(PlanReport(str(plan_id)))
    _checks(log, plan, run)
    run.skip_rest("")
    for entry in plan.named("Voided"):
        run.report.checks.append(
            Check(
                "voided",
                INFO,
                f"#{entry.position} {entry.event.timestamp:%Y-%m-%d}：{entry.event.reason}",
            )
        )
    run.report.seconds = perf_counter() - started
    return run.report


def _checks(log: Log, plan: PlanEvents, run: _Run) -> None:
    """The checks in order, as far as the plan has gone and its inputs can be re-derived."""
    run.add(checks.events(plan))
    published = plan.published
    if published is None:
        run.skip_rest("没有可读的方案发布事件 / no readable Published")
        return
    run.report.title = published.title
    run.report.county_id = str(published.county_id)
    run.report.item = getattr(published.item, "code", str(published.item))
    document = published.document
    plan_hash = d.plan_hash(document)
    run.run("plan_hash", lambda: checks.plan_hash(plan, plan_hash))

    if not plan.named("PopulationFrozen"):
        run.skip_rest("检查对象尚未冻结 / the population is not frozen yet")
        return
    try:
        rebuilt = rebuild_population(log, plan)
    except (pop.DerivationError, *UNWORKABLE) as e:
        run.add(Check("population", FAIL, f"无法重建 / cannot rebuild: {e}"))
        run.skip_rest("")
        return
    run.run("population", lambda: checks.population(plan, rebuilt, log))
    run.run("directory", lambda: checks.directory(plan, rebuilt))

    if not plan.named("RosterFrozen"):
        run.skip_rest("检查人员尚未冻结 / the roster is not frozen yet")
        return
    try:
        roster = rebuild_roster(log, plan)
    except UNWORKABLE as e:
        run.add(Check("roster", FAIL, f"无法重建 / cannot rebuild: {e}"))
        run.skip_rest("")
        return
    run.run("roster", lambda: checks.roster(plan, roster))
    run.run("seed_inputs", lambda: checks.seed_inputs(plan))
    if (document.get("seed") or {}).get("method") not in d.SEED_METHODS:
        return

    drawn = plan.named("Drawn")
    if not drawn:
        run.skip_rest("尚未抽取 / not drawn yet")
        return
    reveals = [(e.event.party, e.event.contribution) for e in plan.named("ContributionRevealed")]
    contributions = d.contributions(document, reveals)
    run.run("drawn_once", lambda: checks.drawn_once(plan, contributions is not None))
    if contributions is None:
        run.skip_rest("种子未齐全 / the seed is not complete")
        return
    try:
        seed = draw.seed_from(plan_hash, rebuilt.hash, roster.hash, contributions)
    except draw.DrawError as e:
        run.add(Check("seed", FAIL, str(e)))
        run.skip_rest("")
        return
    recorded = drawn[0].event
    run.run("seed", lambda: checks.seed(recorded, seed))
    try:
        sample = d.draw_sample(document, rebuilt.population.strata, seed)
    except UNWORKABLE as e:
        run.add(Check("sample", FAIL, f"无法重算抽取 / the draw cannot be recomputed: {e}"))
        run.skip_rest("")
        return
    run.run("sample", lambda: checks.sample(recorded, sample))
    run.run("alternates", lambda: checks.alternates(recorded, sample))
    relations = rebuilt.population.relations
    commitment = None
    try:
        rules = d.Rules.of(document, roster.roster, relations, draw.seed_hash(seed))
        assignment = d.assign(d.assignment_order(sample.selected), rules)
    except UNWORKABLE as e:
        run.add(Check("assignments", FAIL, f"无法重算分配 / cannot be recomputed: {e}"))
    else:
        run.run("assignments", lambda: checks.assignments(recorded, assignment, rules.per_target))
        if not assignment.short:
            commitment = d.sample_commitment(
                seed, rules.seed_hash, sample.selected, assignment.teams
            )
    run.run("sample_commitment", lambda: checks.sample_commitment(recorded, commitment))

    # after the draw: replayed from the recorded draw, with its recorded seed hash
    def after() -> d.Rules:
        return d.Rules.of(document, roster.roster, relations, recorded.seed_hash)

    run.run("replacements", lambda: checks.replacements(plan, drawn[0], after()))
    run.run("recusals", lambda: checks.recusals(plan, drawn[0], after()))
    run.run("findings", lambda: checks.findings(plan, drawn[0]))
    run.run("deadline", lambda: checks.deadline(plan, drawn[0]))


def rebuild_population(log: Log, plan: PlanEvents) -> checks.Rebuilt:
    """§3 over the log up to the position the first PopulationFrozen recorded, with the
    freeze's own moment as the cut-off."""
    pf = plan.named("PopulationFrozen")[0].event
    published = plan.published
    bad: list[int] = []
    events = log.events(pop.POPULATION_TOPICS, pf.log_position, bad)
    rebuilt = pop.population(published.document, published.county_id, events, pf.timestamp)
    return checks.Rebuilt(rebuilt, rebuilt.hash, bad)


def rebuild_roster(log: Log, plan: PlanEvents) -> checks.RebuiltRoster:
    """§3 over the log up to the position the first RosterFrozen recorded."""
    rf = plan.named("RosterFrozen")[0].event
    bad: list[int] = []
    events = log.events(pop.ROSTER_TOPICS, rf.log_position, bad)
    roster = pop.roster(plan.published.county_id, events)
    return checks.RebuiltRoster(roster, d.roster_hash(roster), bad)


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
        published = next((e for e in entries if e.version == 1 and e.event is not None), None)
        if county_id is None or (
            published is not None
            and published.topic == PLAN + "Published"
            and published.event.county_id == county_id
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
