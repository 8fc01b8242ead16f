"""`python -m bench` (no subcommand): the registration command against the library's
bare save and raw INSERTs, on PostgreSQL and SQLite."""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter

from bench import workload
from bench.machine import PG_URL_ENV, cpu_probe, machine_context, progress
from bench.report import rate, ratio, table
from bench.stores import DEFAULT_PG_URL, PostgresTarget, SqliteTarget, Target, Unreachable
from bench.workload import Figure
from domain.application import Sishuang
from domain.clock import SystemClock

READ_REPEATS = 5

# Phone-number bases, so that no two measurements ever claim the same phone.
SERVICE, BARE_PAIR, BARE_SINGLE = 0, 200_000_000, 300_000_000
UNSEEN, BY_HAND = 500_000_000, 600_000_000


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    unit: str  # what one op is
    headline: str  # "ops" or "events": the rate the spread and the comparison use


ROWS = [
    Row("service", "1 register_member (service) 报到登记命令", "cmd", "ops"),
    Row("reads", "  …its 3 loads only 其中三次读取", "cmd", "ops"),
    Row("byhand", "  by hand: 3 gets + save 手写：三次读取+保存", "cmd", "ops"),
    Row("bare2", "2 bare save(member, claim) 库直接保存·2事件", "save", "ops"),
    Row("bare1", "  bare save(member) 库直接保存·1事件", "save", "ops"),
    Row("raw2", "3 raw INSERT+commit, 2 rows/tx 原始插入·每事务2行", "tx", "ops"),
    Row("raw1", "  raw INSERT+commit, 1 row/tx 原始插入·每事务1行", "tx", "ops"),
    Row("catchup", "4 projection catch-up 投影追赶（重建）", "page", "events"),
    Row("read", "  raw log read 原始读日志", "page", "events"),
    Row("decode", "  raw read + decode 读日志并解码", "page", "events"),
]

# (English, Chinese, numerator key, denominator key, which rate)
RATIOS = [
    ("service / by hand (3 gets + save)", "命令 / 手写同样读写", "service", "byhand", "ops"),
    ("service / bare save(member, claim)", "命令 / 直接保存·同样2事件", "service", "bare2", "ops"),
    ("service / bare save(member)", "命令 / 直接保存·1事件", "service", "bare1", "ops"),
    ("bare save(member, claim) / raw 2 rows/tx", "直接保存 / 原始插入", "bare2", "raw2", "ops"),
    ("bare save(member) / raw 1 row/tx", "直接保存 / 原始插入", "bare1", "raw1", "ops"),
    ("service / raw 2 rows/tx", "命令 / 原始插入", "service", "raw2", "ops"),
    ("catch-up / raw read", "追赶 / 原始读取", "catchup", "read", "events"),
    ("catch-up / raw read + decode", "追赶 / 读取并解码", "catchup", "decode", "events"),
]


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the registration command path against the library and the "
        "database, on PostgreSQL and SQLite. 基准测试：命令路径 vs 库 vs 数据库。 "
        f"PostgreSQL: ${PG_URL_ENV} (default {DEFAULT_PG_URL}); a throwaway database is "
        "created on that server and dropped afterwards. "
        "`python -m bench orders --help`: the order-loop benchmark; "
        "`python -m bench evaluation --help`: the evaluation views of a county; "
        "`python -m bench replay --help`: export, verify and rebuild of one community; "
        "`python -m bench draw --help`: a county's 两随机一公开 draw and its draw-verify.",
    )
    parser.add_argument(
        "--count", type=int, default=2000, help="commands / saves per figure (default 2000)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="split the writes into this many interleaved rounds (default 5)",
    )
    parser.add_argument(
        "--warmup", type=int, default=None, help="untimed operations first (default count/10, ≤50)"
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one store only")
    args = parser.parse_args(args_in)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if not 1 <= args.rounds <= args.count:
        parser.error("--rounds must be between 1 and --count")
    warmup = args.warmup if args.warmup is not None else max(1, min(50, args.count // 10))
    if warmup < 0:
        parser.error("--warmup must not be negative")
    pg_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)

    started = perf_counter()
    print(f"sishuang benchmark 基准测试 — {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    print(
        f"{args.count} commands / saves per figure in {args.rounds} interleaved rounds, "
        f"after {warmup} untimed; SystemClock; timed with time.perf_counter"
    )
    print("machine 机器:")
    for line in machine_context():
        print(f"  {line}")

    results: dict[str, dict[str, Figure]] = {}
    kinds = [args.only] if args.only else ["postgres", "sqlite"]
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
        try:
            print(f"\n== {target.title} ==")
            for line in target.context():
                print(f"  {line}")
            print(f"  before: {cpu_probe()}")
            sys.stdout.flush()
            results[target.title] = run_target(target, args.count, args.rounds, warmup)
        finally:
            progress(target.title, "")
            target.close()
        print(f"  after:  {cpu_probe()}")
        print_target(target.title, results[target.title], args.rounds)

    if len(results) == 2:
        print_comparison(results)
    print(f"\ntotal run time 总耗时: {perf_counter() - started:.1f} s")
    return 0


def split(count: int, rounds: int) -> list[int]:
    size, extra = divmod(count, rounds)
    return [size + (1 if r < extra else 0) for r in range(rounds)]


def shifted(base: int, numbers: range) -> range:
    return range(base + numbers.start, base + numbers.stop)


def run_target(target: Target, count: int, rounds: int, warmup: int) -> dict[str, Figure]:
    """Every measurement on one store.

    The writes run in rounds, each round doing a share of every write measurement in
    turn, so a slow stretch of the disk or the server lands on all of them alike. Each
    round's raw inserts write the stored bytes of that round's commands. The bare saves
    go to an event store of their own; the log the reads measure holds the setup, and
    the commands and their by-hand twins (the same two events each), warm-up included.
    """
    title = target.title
    samples: dict[str, list[Figure]] = defaultdict(list)
    app = Sishuang(target.env("cmd"), clock=SystemClock())
    bare = Sishuang(target.env("bare"), clock=SystemClock())
    writer = target.raw_writer()
    try:
        world = workload.build_world(app)
        for table_name in ("raw_warmup", "raw_pairs", "raw_singles"):
            writer.create(table_name)

        progress(title, "warm-up")
        first = range(warmup)
        before = workload.head(app)
        workload.register_members(app, world, shifted(SERVICE, first))
        workload.command_reads(app, world, shifted(UNSEEN, first))
        workload.by_hand(app, world, shifted(BY_HAND, first))
        workload.bare_saves(bare, world, shifted(BARE_PAIR, first), with_claim=True)
        workload.bare_saves(bare, world, shifted(BARE_SINGLE, first), with_claim=False)
        workload.raw_inserts(
            writer, "raw_warmup", workload.stored_rows(app, before)[: 2 * warmup], 1
        )

        start = warmup
        for r, size in enumerate(split(count, rounds), 1):
            progress(title, f"writes, round {r}/{rounds}")
            numbers = range(start, start + size)
            start += size
            mark = workload.head(app)
            samples["service"].append(
                workload.register_members(app, world, shifted(SERVICE, numbers))
            )
            rows = workload.stored_rows(app, mark)
            samples["reads"].append(workload.command_reads(app, world, shifted(UNSEEN, numbers)))
            samples["byhand"].append(workload.by_hand(app, world, shifted(BY_HAND, numbers)))
            samples["bare2"].append(
                workload.bare_saves(bare, world, shifted(BARE_PAIR, numbers), with_claim=True)
            )
            samples["bare1"].append(
                workload.bare_saves(bare, world, shifted(BARE_SINGLE, numbers), with_claim=False)
            )
            if len(rows) != 2 * size:
                print(f"  note: round {r}: expected {2 * size} stored events, found {len(rows)}")
            samples["raw2"].append(workload.raw_inserts(writer, "raw_pairs", rows, 2))
            samples["raw1"].append(workload.raw_inserts(writer, "raw_singles", rows, 1))

        workload.read_log(app, decode=True)  # warm-up
        for r in range(1, READ_REPEATS + 1):
            progress(title, f"reads, repeat {r}/{READ_REPEATS}")
            samples["read"].append(workload.read_log(app, decode=False))
            samples["decode"].append(workload.read_log(app, decode=True))
            samples["catchup"].append(workload.catch_up(app))
    finally:
        writer.close()
        bare.close()
        app.close()

    reads = {"read", "decode", "catchup"}
    return {
        key: workload.median(parts) if key in reads else workload.total(parts)
        for key, parts in samples.items()
    }


def _rate(figure: Figure, which: str) -> float:
    return figure.ops_per_s if which == "ops" else figure.events_per_s


def _spread(figure: Figure, which: str) -> str:
    rates = [_rate(p, which) for p in figure.parts]
    if len(rates) < 2:
        return "–"
    return f"{rate(min(rates))}–{rate(max(rates))}"


def print_target(title: str, figures: dict[str, Figure], rounds: int) -> None:
    headers = [
        "measurement 测量",
        "ops",
        "unit",
        "events",
        "seconds",
        "ops/s",
        "events/s",
        "ms/op",
        "spread 波动",
    ]
    body = []
    for row in ROWS:
        f = figures[row.key]
        body.append(
            [
                row.label,
                f"{f.ops:,}",
                row.unit,
                f"{f.events:,}" if f.events else "–",
                f"{f.seconds:.3f}",
                rate(f.ops_per_s),
                rate(f.events_per_s) if f.events else "–",
                f"{f.ms_per_op:.3f}",
                _spread(f, row.headline),
            ]
        )
    print(table(headers, body))
    print(
        f"  writes (1–3): totals over {rounds} interleaved rounds; spread: slowest–fastest "
        f"round, ops/s.\n  reads (4): median of {READ_REPEATS} full passes over the log; "
        "catch-up rebuilds from empty read models,\n  as `sishuang rebuild` does; "
        "spread: slowest–fastest pass, events/s."
    )
    print(f"\n  ratios 比值 ({title}):")
    lines = [
        [en, zh, ratio(_rate(figures[num], which) / _rate(figures[den], which))]
        for en, zh, num, den, which in RATIOS
    ]
    loads = figures["reads"].seconds / figures["service"].seconds
    lines.append(["3 loads / service time", "读取耗时占命令耗时", f"{loads:.0%}"])
    print(table(["ratio", "比值", "="], lines, indent="    ", left=2))


def print_comparison(results: dict[str, dict[str, Figure]]) -> None:
    pg, lite = results["PostgreSQL"], results["SQLite"]
    print("\n== PostgreSQL vs SQLite 对比 ==")
    headers = ["figure 指标", "rate", "PostgreSQL", "SQLite", "PG / SQLite"]
    body = []
    for row in ROWS:
        unit = f"{row.unit}/s" if row.headline == "ops" else "events/s"
        a, b = _rate(pg[row.key], row.headline), _rate(lite[row.key], row.headline)
        body.append([row.label, unit, rate(a), rate(b), ratio(a / b)])
    print(table(headers, body))
