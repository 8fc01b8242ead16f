"""`python -m bench evaluation`: the 三级联评 views of a county, recomputed from the log.

Per store (a SQLite file in a temporary directory, a throwaway PostgreSQL database):

1. Write a county's year into the log straight through the domain (bench/countylog.py):
   communities, units, `--members` members approved and reported, `--orders` closed
   orders' worth of credits (written as the points-account events the closing write
   adds, not as orders), quarterly community evaluations, unit evaluations, a quarterly
   check of every member for four quarters with its warnings, some written reports,
   a few stars.
2. Read the raw log (select_notifications in pages; and with decoding), as bench orders
   does, and rebuild the Evaluation projection alone from position 0, then the
   Directory and Members projections the views join (rm_units, rm_members), timed apart.
3. Time the views: county_view (community_view for every community), community_view
   and members_table for the largest community, the warnings lists, and member_view for
   `--samples` members; again after ANALYZE. An untimed pass tallies the statements.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from time import perf_counter
from typing import Any

from bench import countylog, workload
from bench.machine import PG_URL_ENV, cpu_probe, machine_context, progress
from bench.report import rate, ratio, table
from bench.stores import DEFAULT_PG_URL, PostgresTarget, SqliteTarget, Target, Unreachable
from bench.workload import Figure
from domain.application import Sishuang
from domain.clock import ManualClock
from projections.base import Follower, Projection
from projections.directory import Directory
from projections.evaluation import (
    Evaluation,
    community_view,
    county_policy,
    county_view,
    member_view,
    members_table,
    warnings_in,
)
from projections.members import Members
from projections.needs import Needs
from projections.store import ReadStore, Tx

YEAR = countylog.YEAR
SMALL = (2000, 3000)  # --small: members, orders


@dataclass(frozen=True)
class Timing:
    """One view, `calls` calls a pass, `rows` what one pass returned, one pass per repeat."""

    calls: int
    rows: int
    passes: tuple[float, ...]

    @property
    def first(self) -> float:
        return self.passes[0]

    @property
    def median(self) -> float:
        return statistics.median(self.passes)

    @property
    def per_call(self) -> float:
        return self.median / self.calls if self.calls else 0.0


@dataclass
class Results:
    title: str
    written: countylog.Written | None = None
    figures: dict[str, Figure] = field(default_factory=dict)
    views: dict[str, Timing] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (what, got, expected)
    rows: dict[str, int] = field(default_factory=dict)  # read-model row counts
    statements: list[tuple[str, int, float]] = field(default_factory=list)
    plans: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    analyze_seconds: float = 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench evaluation",
        description="Benchmark the 三级联评 views of one county: write a county's year into "
        "the log through the domain, rebuild the evaluation read model from the log against "
        "a raw read of it, and time county_view, community_view, members_table and "
        f"member_view. PostgreSQL: ${PG_URL_ENV} (default {DEFAULT_PG_URL}); a throwaway "
        "database is created on that server and dropped afterwards.",
    )
    parser.add_argument(
        "--members", type=int, default=None, help="approved, reported members (default 50000)"
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help="closed orders' credits over the year (default 70000)",
    )
    parser.add_argument(
        "--communities", type=int, default=40, help="communities in the county (default 40)"
    )
    parser.add_argument("--units", type=int, default=150, help="units in the county (default 150)")
    parser.add_argument(
        "--store", choices=["sqlite", "postgres", "both"], default="both", help="default both"
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help=f"a quick check: {SMALL[0]} members, {SMALL[1]} orders (unless given)",
    )
    parser.add_argument(
        "--reads", type=int, default=3, help="raw-read passes, the median reported (default 3)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="passes of each view, first and median (default 3)"
    )
    parser.add_argument(
        "--samples", type=int, default=100, help="members whose member_view is timed (default 100)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the query plans of the views' statements"
    )
    parser.add_argument(
        "--index-warning-id",
        action="store_true",
        help="EXPERIMENT: before the Evaluation rebuild's catch-up, add an index on "
        "rm_eval_checks (warning_id), which the projection lacks: each written report's "
        "UPDATE … WHERE warning_id = ? scans the whole table",
    )
    parser.add_argument("--seed", type=int, default=4, help="random seed of the log (default 4)")
    args = parser.parse_args(argv)
    members = args.members if args.members is not None else (SMALL[0] if args.small else 50_000)
    orders = args.orders if args.orders is not None else (SMALL[1] if args.small else 70_000)
    if min(members, args.communities, args.units, args.reads, args.repeats, args.samples) < 1:
        parser.error("counts must be at least 1")
    if orders < 0:
        parser.error("--orders must not be negative")
    if args.communities > members or args.units > members:
        parser.error("need at least one member in every community and unit")
    shape = countylog.Shape(members, orders, args.communities, args.units, args.seed)
    pg_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)

    started = perf_counter()
    print(
        "sishuang evaluation-views benchmark 三级联评视图基准测试 — "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )
    print(
        f"county 县: {shape.communities} communities, {shape.units} units, {shape.members:,} "
        f"members (approved, reported), {shape.orders:,} closed orders' credits in {YEAR}; "
        f"seed {shape.seed}"
    )
    print(
        "  log written through the aggregates with a ManualClock, saved in batches; "
        "SHORTCUT: each order's credit is written as\n  PointsAccount.Opened/Earned "
        "(+VolunteerStarsChanged) via PointsAccount.open/earn, as _credit_if_closed does; "
        "the orders themselves are\n  not in the log (rm_orders stays empty, the views' "
        "needs figures are 0)"
    )
    print(
        f"  raw read: median of {args.reads}; rebuilds once each; views: {args.repeats} "
        f"passes (first, median); member_view: {args.samples} members"
    )
    print("timed with time.perf_counter; machine 机器:")
    for line in machine_context():
        print(f"  {line}")

    results: dict[str, Results] = {}
    kinds = ["postgres", "sqlite"] if args.store == "both" else [args.store]
    for kind in kinds:
        target: Target
        if kind == "postgres":
            try:
                target = PostgresTarget.create(pg_url)
            except Unreachable as e:
                print(f"\n== PostgreSQL: UNREACHABLE 无法连接, skipped; carrying on. ({e})")
                print(f"   set {PG_URL_ENV}=postgresql://user@host:port/db to point elsewhere")
                continue
        else:
            target = SqliteTarget()
        result = Results(target.title)
        try:
            print(f"\n== {target.title} ==")
            for line in target.context():
                print(f"  {line}")
            print(f"  before: {cpu_probe()}")
            sys.stdout.flush()
            run_store(target, shape, args, result)
        finally:
            progress(target.title, "")
            target.close()
        print_store(result, shape, args)
        print(f"  after:  {cpu_probe()}")
        sys.stdout.flush()
        results[target.title] = result

    if len(results) == 2:
        print_comparison(results["PostgreSQL"], results["SQLite"])
    print(f"\ntotal run time 总耗时: {perf_counter() - started:.1f} s")
    return 0


# -- one store ------------------------------------------------------------------------------


def run_store(
    target: Target, shape: countylog.Shape, args: argparse.Namespace, result: Results
) -> None:
    title = target.title
    clock = ManualClock(datetime(YEAR - 1, 11, 1, 1, 0, tzinfo=UTC))
    app = Sishuang(target.env("county"), clock=clock)
    try:
        result.written = countylog.write_log(app, clock, shape, lambda w: progress(title, w))

        progress(title, "raw read, warm-up")
        workload.read_log(app, decode=False)
        raw, decoded = [], []
        for r in range(1, args.reads + 1):
            progress(title, f"raw read {r}/{args.reads}")
            raw.append(workload.read_log(app, decode=False))
            progress(title, f"raw read + decode {r}/{args.reads}")
            decoded.append(workload.read_log(app, decode=True))
        result.figures["read"] = workload.median(raw)
        result.figures["decode"] = workload.median(decoded)

        progress(title, "rebuild Evaluation")
        extra = [WARNING_INDEX] if args.index_warning_id else []
        result.figures["evaluation"] = rebuild(app, [Evaluation()], extra)
        progress(title, "rebuild Directory + Members")
        result.figures["directory"] = rebuild(app, [Directory(), Members()])
        store = ReadStore(app)
        with store.write() as tx:
            Needs().create(tx)  # community_view reads rm_orders: here, empty
        result.rows = row_counts(store)
        measure_views(store, result, args, title)
    finally:
        app.close()


WARNING_INDEX = "CREATE INDEX bench_rm_eval_checks_warning ON rm_eval_checks (warning_id)"
COMMUNITY_INDEX = (
    "CREATE INDEX bench_rm_eval_checks_community ON rm_eval_checks (community_id, year)"
)


def rebuild(
    app: Sishuang, projections: Sequence[Projection], extra_ddl: Sequence[str] = ()
) -> Figure:
    """Drop the projections' tables and position and follow the whole log again, as
    `sishuang rebuild` does; timed from the drop to the last page.

    Unlike orderlog.rebuild, the drop runs outside pipeline mode: on PostgreSQL a DROP
    sent in a pipeline on a connection that holds prepared statements (an earlier
    rebuild's) leaves psycopg 3.3's prepared-statement cache out of step with the
    server, and the next statements fail ("prepared statement "_pg3_N" does not
    exist", or a fetch gets another statement's result). The catch-up is unchanged."""
    follower = Follower(app, projections, page_size=workload.PAGE)
    started = perf_counter()
    follower.store.pipeline = False
    for projection in follower.projections:
        follower.reset(projection)
    with follower.store.write() as tx:
        for statement in extra_ddl:
            tx.execute(statement)
    follower.store.pipeline = True
    events = follower.catch_up()
    seconds = perf_counter() - started
    return Figure(-(-events // workload.PAGE) if events else 1, events, seconds)


def row_counts(store: ReadStore) -> dict[str, int]:
    with store.read() as tx:
        return {
            t: int(tx.execute(f"SELECT COUNT(*) AS n FROM {t}").scalar() or 0)
            for t in (*Evaluation.tables, "rm_members", "rm_units", "rm_communities")
        }


def _timed(work: Callable[[], Any], repeats: int) -> tuple[Any, tuple[float, ...]]:
    passes = []
    out: Any = None
    for _ in range(repeats):
        started = perf_counter()
        out = work()
        passes.append(perf_counter() - started)
    return out, tuple(passes)


def measure_views(store: ReadStore, result: Results, args: argparse.Namespace, title: str) -> None:
    written = result.written
    assert written is not None and written.county_id is not None
    county = str(written.county_id)
    policy = county_policy(store, county)
    with store.read() as tx:
        communities = tx.execute(
            "SELECT community_id, name FROM rm_communities WHERE county_id = ? ORDER BY code",
            (county,),
        ).all()
        sizes = {
            r["community_id"]: int(r["n"])
            for r in tx.execute(
                "SELECT community_id, COUNT(*) AS n FROM rm_members"
                " WHERE county_id = ? AND status = 'approved' GROUP BY community_id",
                (county,),
            ).all()
        }
        people = tx.execute(
            "SELECT member_id, name, unit_id, community_id, reviewed_at FROM rm_members"
            " WHERE county_id = ? AND status = 'approved' ORDER BY name",
            (county,),
        ).all()
    largest = max(communities, key=lambda c: sizes.get(c["community_id"], 0))
    cid, size = largest["community_id"], sizes.get(largest["community_id"], 0)
    step = max(1, len(people) // args.samples)
    sample = people[::step][: args.samples]
    if store.dialect == "postgres":
        result.notes.append(f"statistics when the views ran: {pg_stats(store)}")

    def views(suffix: str, repeats: int) -> dict[str, Any]:
        progress(title, f"views{suffix}: county_view")
        county_out, passes = _timed(
            lambda: county_view(store, county, communities, YEAR, policy), repeats
        )
        result.views["county" + suffix] = Timing(1, len(communities), passes)
        progress(title, f"views{suffix}: member_view")

        def members() -> int:
            return sum(len(member_view(store, m, YEAR, policy)["quarters"]) for m in sample)

        _, passes = _timed(members, repeats)
        result.views["member" + suffix] = Timing(len(sample), len(sample), passes)
        return dict(county_out)

    county_out = views("", args.repeats)
    progress(title, "views: community")
    out, passes = _timed(lambda: community_view(store, largest, YEAR, policy), args.repeats)
    result.views["community"] = Timing(1, len(out["members"]), passes)
    out, passes = _timed(
        lambda: members_table(store, "m.community_id = ?", (cid,), YEAR, policy), args.repeats
    )
    result.views["table"] = Timing(1, len(out), passes)
    out, passes = _timed(
        lambda: warnings_in(store, "c.community_id = ?", (cid,), YEAR), args.repeats
    )
    result.views["warnings_community"] = Timing(1, len(out), passes)
    out, passes = _timed(lambda: warnings_in(store, "c.county_id = ?", (county,), YEAR), 1)
    result.views["warnings_county"] = Timing(1, len(out), passes)
    result.labels["largest"] = f"{largest['name']}, {size:,} members"
    result.labels["sample"] = f"{len(sample)} members, every {step:,}th by name"

    progress(title, "ANALYZE")
    started = perf_counter()
    with store.write() as tx:
        tx.execute("ANALYZE")
    result.analyze_seconds = perf_counter() - started
    views(" analyzed", args.repeats)

    check_totals(result, county_out)

    progress(title, "statement tally")
    tally = Tally()
    with tally.watching():
        started = perf_counter()
        county_view(store, county, communities, YEAR, policy)
        county_pass = perf_counter() - started
        county_sql = tally.total()
        started = perf_counter()
        for m in sample:
            member_view(store, m, YEAR, policy)
        member_pass = perf_counter() - started
    result.statements = tally.top()
    result.notes.append(
        f"untimed pass with the tally: county_view {county_pass:.2f} s, of which statements "
        f"{county_sql[1]:.2f} s in {county_sql[0]:,} calls; member_view × {len(sample)} "
        f"{member_pass:.2f} s, statements {tally.total()[1] - county_sql[1]:.2f} s in "
        f"{tally.total()[0] - county_sql[0]:,} calls"
    )
    if args.explain:
        progress(title, "query plans")
        plans = Tally()
        with plans.watching():
            community_view(store, largest, YEAR, policy)
            member_view(store, sample[0], YEAR, policy)
        result.plans = explain(store, plans)

    # EXPERIMENT, last (the tally and the plans above are of the tables as the projection
    # makes them): warnings_in(c.community_id = ?) has no index to use.
    progress(title, "index on rm_eval_checks (community_id, year)")
    with store.write() as tx:
        tx.execute(COMMUNITY_INDEX)
        tx.execute("ANALYZE rm_eval_checks")
    _, passes = _timed(lambda: county_view(store, county, communities, YEAR, policy), args.repeats)
    result.views["county indexed"] = Timing(1, len(communities), passes)


def pg_stats(store: ReadStore) -> str:
    with store.read() as tx:
        row = tx.execute(
            "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables"
            " WHERE schemaname = ? AND relname = 'rm_eval_credits'",
            (store.schema,),
        ).one()
        autovacuum = tx.execute("SHOW autovacuum").scalar()
    if row is None:
        state = "rm_eval_credits not in pg_stat_user_tables"
    elif row["last_analyze"] or row["last_autoanalyze"]:
        state = "rm_eval_credits had been analyzed"
    else:
        state = "rm_eval_credits never analyzed: the planner had no statistics"
    return f"{state} (server: autovacuum={autovacuum})"


def check_totals(result: Results, county_out: dict[str, Any]) -> None:
    """What the county view adds up to against what the generator wrote."""
    written = result.written
    assert written is not None
    facts, totals = written.facts, county_out["totals"]
    red = facts["checks: red"]
    expected: dict[str, Any] = {
        "members": facts["members"],
        "services": facts["credits"],
        "hours": str(written.hours),
        "yellow": facts["checks: yellow"],
        "red": red,
        "reports_due": red - facts["written reports"],
    }
    for key, want in expected.items():
        got = totals[key]
        same = Decimal(got) == Decimal(want) if key == "hours" else got == want
        result.checks.append((key, str(got), "ok" if same else f"DIFFERS, expected {want}"))
    grades: dict[str, int] = {}
    for c in county_out["communities"]:
        for grade, n in c["totals"]["grades"].items():
            grades[grade] = grades.get(grade, 0) + n
    result.checks.append(("grades", ", ".join(f"{k} {v:,}" for k, v in grades.items()), ""))
    result.checks.append(("county warnings listed", f"{len(county_out['warnings']):,}", ""))


# -- statements: a tally of what the views send, and their plans --------------------------------


def _label(sql: str) -> str:
    text = " ".join(sql.split())
    found = re.search(r"\bFROM (\w+)", text)
    if text.startswith("SELECT") and found and found.start() > 40:
        text = "SELECT … " + text[found.start() :]
    return text if len(text) <= 110 else text[:109] + "…"


class Tally:
    """Count and time every statement the read side sends (execute and its fetch), by
    patching projections.store.Tx for the duration: untimed passes only."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.first: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def _add(self, key: str, seconds: float) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds

    @contextmanager
    def watching(self) -> Iterator[None]:
        execute = Tx.execute
        fetches = {name: getattr(Tx, name) for name in ("all", "one", "scalar")}
        tally = self

        def timed_execute(tx: Tx, sql: str, params: Any = ()) -> Tx:
            key = _label(sql)
            tally.calls[key] = tally.calls.get(key, 0) + 1
            tally.first.setdefault(key, (sql, tuple(params)))
            tx.bench_last = key  # type: ignore[attr-defined]
            started = perf_counter()
            try:
                return execute(tx, sql, params)
            finally:
                tally._add(key, perf_counter() - started)

        def timed_fetch(original: Callable[[Tx], Any]) -> Callable[[Tx], Any]:
            def fetch(tx: Tx) -> Any:
                started = perf_counter()
                try:
                    return original(tx)
                finally:
                    tally._add(getattr(tx, "bench_last", "?"), perf_counter() - started)

            return fetch

        setattr(Tx, "execute", timed_execute)  # noqa: B010
        for name, original in fetches.items():
            setattr(Tx, name, timed_fetch(original))
        try:
            yield
        finally:
            setattr(Tx, "execute", execute)  # noqa: B010
            for name, original in fetches.items():
                setattr(Tx, name, original)

    def total(self) -> tuple[int, float]:
        return sum(self.calls.values()), sum(self.seconds.values())

    def top(self, n: int = 14) -> list[tuple[str, int, float]]:
        ranked = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        return [(key, self.calls.get(key, 0), seconds) for key, seconds in ranked[:n]]


def explain(store: ReadStore, tally: Tally) -> list[tuple[str, list[str]]]:
    out = []
    with store.read() as tx:
        for key, (sql, params) in tally.first.items():
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if store.dialect == "postgres":
                rows = tx.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params).all()
                lines = [r["QUERY PLAN"] for r in rows]
            else:
                rows = tx.execute("EXPLAIN QUERY PLAN " + sql, params).all()
                lines = [r["detail"] for r in rows]
            out.append((key, lines))
    return out


# -- printing -----------------------------------------------------------------------------------

REBUILD_ROWS = [
    ("read", "raw log read (select_notifications) 原始读日志"),
    ("decode", "  raw read + decode 读日志并解码"),
    ("evaluation", "rebuild Evaluation (rm_eval_*) from 0 重建联评读模型"),
    ("directory", "rebuild Directory + Members from 0 重建名录与党员台账"),
]


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f}"


def view_rows(result: Results, shape: countylog.Shape) -> list[tuple[str, str, str]]:
    """(key, label, what a call is)."""
    return [
        ("county", "county_view 县级视图", f"1 county, {shape.communities} communities"),
        ("community", "  community_view, largest community", result.labels.get("largest", "")),
        ("table", "  members_table, largest community", result.labels.get("largest", "")),
        ("warnings_community", "  warnings_in, largest community", "c.community_id = ?"),
        ("warnings_county", "  warnings_in, county (1 pass)", "c.county_id = ?"),
        ("member", "member_view 党员视图 (per member)", result.labels.get("sample", "")),
        ("county analyzed", "county_view, after ANALYZE", ""),
        ("member analyzed", "member_view, after ANALYZE (per member)", ""),
        (
            "county indexed",
            "county_view, + index checks (community_id, year)",
            "EXPERIMENT: bench-made index",
        ),
    ]


def print_store(result: Results, shape: countylog.Shape, args: argparse.Namespace) -> None:
    written, figures = result.written, result.figures
    if written is None:
        return
    print(
        f"  log 日志: {written.events:,} events in {written.aggregates:,} aggregate saves over "
        f"{written.saves:,} batches; written in {written.seconds:.1f} s "
        f"({rate(written.events_per_s)} events/s)"
    )
    kinds = sorted(written.kinds.items(), key=lambda kv: -kv[1])
    print("  events 事件: " + ", ".join(f"{k} {v:,}" for k, v in kinds))
    facts = ", ".join(f"{k} {v:,}" for k, v in written.facts.items())
    print(f"  generated 生成: {facts}; order hours credited {written.hours:,}")
    if "read" not in figures:
        return
    raw = figures["read"]
    headers = ["measurement 测量", "events", "seconds", "events/s", "× raw read time"]
    body = [
        [
            label,
            f"{figures[key].events:,}",
            f"{figures[key].seconds:.2f}",
            rate(figures[key].events_per_s),
            ratio(figures[key].seconds / raw.seconds),
        ]
        for key, label in REBUILD_ROWS
        if key in figures
    ]
    print(table(headers, body))
    spread = [p.seconds for p in raw.parts]
    decode = figures["decode"]
    evaluation = figures["evaluation"]
    work = max(evaluation.seconds - decode.seconds, 0.0)
    print(
        f"  raw read: median of {len(spread)} passes of {workload.PAGE}-row pages "
        f"({min(spread):.2f}–{max(spread):.2f} s); a rebuild drops the projection's tables and "
        "position (outside pipeline mode: see rebuild()) and follows the whole log\n"
        "  Evaluation rebuild: reading "
        f"{raw.seconds:.1f} s, decoding {decode.seconds - raw.seconds:.1f} s, handlers and "
        f"their SQL {work:.1f} s ({work / evaluation.seconds:.0%})"
    )
    if args.index_warning_id:
        print(
            "  EXPERIMENT (--index-warning-id): the Evaluation rebuild ran with an extra index "
            "the projection does not have:\n    " + WARNING_INDEX
        )
    counts = ", ".join(f"{t} {n:,}" for t, n in result.rows.items())
    print(f"  read-model rows 读模型行数: {counts}")

    if result.views:
        headers = ["view 视图", "a call", "rows", "first s", "median s", "ms / call"]
        body = []
        for key, label, what in view_rows(result, shape):
            t = result.views.get(key)
            if t is None:
                continue
            body.append(
                [
                    label,
                    what,
                    f"{t.rows:,}",
                    f"{t.first:.3f}",
                    f"{t.median:.3f}",
                    _ms(t.per_call),
                ]
            )
        print(table(headers, body, left=2))
        print(
            f"  {args.repeats} passes each (first, median); rows: communities (county_view), "
            "members, warnings; member_view: a pass is every sampled member, ms / call the "
            f"mean per member; ANALYZE took {result.analyze_seconds:.2f} s"
        )
        for note in result.notes:
            print(f"  {note}")
        county = result.views["county"]
        total = figures["evaluation"].seconds + figures["directory"].seconds + county.first
        print(
            f"  from the log to the county view 从日志到县级视图: rebuild Evaluation "
            f"{figures['evaluation'].seconds:.1f} s + Directory/Members "
            f"{figures['directory'].seconds:.1f} s + county_view {county.first:.2f} s "
            f"= {total:.1f} s"
        )
    if result.checks:
        checks = [f"{what} {got}{' ' + note if note else ''}" for what, got, note in result.checks]
        print("  county_view totals against the log 县级合计核对: " + "; ".join(checks))
    if result.statements:
        print(
            "  statements, county_view + member_view × samples "
            "(untimed pass after ANALYZE; execute + fetch):"
        )
        body = [
            [key, f"{calls:,}", _ms(seconds), f"{1000 * seconds / calls:.2f}" if calls else "–"]
            for key, calls, seconds in result.statements
        ]
        print(table(["statement 语句", "calls", "ms", "ms/call"], body, indent="    "))
    for key, lines in result.plans:
        print(f"  plan: {key}")
        for line in lines:
            print(f"      {line}")


def print_comparison(pg: Results, lite: Results) -> None:
    print("\n== PostgreSQL vs SQLite 对比 ==")
    headers = ["figure 指标", "unit", "PostgreSQL", "SQLite", "PG / SQLite"]
    body = []
    if pg.written and lite.written:
        a, b = pg.written.events_per_s, lite.written.events_per_s
        body.append(["writing the log (batched saves)", "events/s", rate(a), rate(b), ratio(a / b)])
    for key, label in REBUILD_ROWS:
        if key in pg.figures and key in lite.figures:
            a, b = pg.figures[key].events_per_s, lite.figures[key].events_per_s
            body.append([label, "events/s", rate(a), rate(b), ratio(a / b)])
    for key, label in (
        ("county", "county_view, median"),
        ("table", "members_table, largest community, median"),
        ("member", "member_view, mean per member"),
        ("county analyzed", "county_view after ANALYZE, median"),
    ):
        if key in pg.views and key in lite.views:
            a, b = pg.views[key].per_call, lite.views[key].per_call
            body.append([label, "ms", _ms(a), _ms(b), ratio(a / b) if b else "–"])
    if body:
        print(table(headers, body))
