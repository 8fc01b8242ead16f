"""`python -m bench orders`: the order loop, on PostgreSQL and SQLite in one run.

1. Order commands per second through the API: complete order loops over real HTTP
   (uvicorn in a subprocess, httpx clients in threads): post need → apply → dispatch
   → accept → check in → 2 photos → claim → rate, 9 commands an order.
2. The time to rebuild the ledgers from a log of `--orders` complete orders, against a
   raw read of the same log: every projection, and the needs ledger alone.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench import orderhttp, orderlog, workload
from bench.machine import PG_URL_ENV, cpu_probe, machine_context, progress
from bench.orderhttp import STEPS, Run, percentile
from bench.report import rate, ratio, table
from bench.stores import DEFAULT_PG_URL, PostgresTarget, SqliteTarget, Target, Unreachable
from bench.workload import Figure
from domain.application import Sishuang
from domain.clock import SystemClock
from projections import all_projections
from projections.needs import Needs

HTTP_WARMUP = 5  # untimed order loops before the timed ones


@dataclass
class Results:
    title: str
    runs: list[Run] = field(default_factory=list)
    written: orderlog.Written | None = None
    figures: dict[str, Figure] = field(default_factory=dict)
    checks: dict[str, dict[str, int]] = field(default_factory=dict)
    projections: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench orders",
        description="Benchmark the order loop: commands per second over HTTP, and the "
        "rebuild of the ledgers from a large log against a raw read of it, on PostgreSQL "
        f"and SQLite. PostgreSQL: ${PG_URL_ENV} (default {DEFAULT_PG_URL}); a throwaway "
        "database is created on that server and dropped afterwards.",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=100_000,
        help="complete orders in the log the rebuild reads (default 100000, ~12 events each)",
    )
    parser.add_argument(
        "--sqlite-orders",
        type=int,
        default=None,
        help="orders in the SQLite log (default --orders)",
    )
    parser.add_argument(
        "--members", type=int, default=500, help="members the log's orders go to (default 500)"
    )
    parser.add_argument(
        "--residents", type=int, default=2000, help="residents who post them (default 2000)"
    )
    parser.add_argument(
        "--communities", type=int, default=5, help="communities they are in (default 5)"
    )
    parser.add_argument(
        "--reads", type=int, default=3, help="raw-read passes, the median reported (default 3)"
    )
    parser.add_argument(
        "--http-orders",
        type=int,
        default=200,
        help="order loops over HTTP at each concurrency (default 200: 1800 commands)",
    )
    parser.add_argument(
        "--threads",
        default="1,4",
        help="concurrent HTTP clients, comma-separated levels (default 1,4)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one store only")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP figure")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild figure")
    args = parser.parse_args(argv)
    try:
        levels = [int(x) for x in args.threads.split(",") if x.strip()]
    except ValueError:
        parser.error("--threads: comma-separated whole numbers, e.g. 1,4")
    if not levels or min(levels) < 1:
        parser.error("--threads: at least one level, each at least 1")
    sqlite_orders = args.sqlite_orders if args.sqlite_orders is not None else args.orders
    if min(args.orders, sqlite_orders, args.reads, args.http_orders) < 1:
        parser.error("counts must be at least 1")
    if min(args.members, args.residents, args.communities) < 1 or (
        args.communities > min(args.members, args.residents)
    ):
        parser.error("need at least one member and one resident in every community")
    pg_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)

    started = perf_counter()
    print(
        "sishuang order-loop benchmark 下单流程基准测试 — "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )
    if not args.no_http:
        print(
            f"HTTP: {args.http_orders} order loops × {orderhttp.COMMANDS_PER_ORDER} commands at "
            f"{', '.join(map(str, levels))} concurrent client(s), after {HTTP_WARMUP} untimed; "
            "uvicorn (1 process, projections in-process) in a subprocess, httpx clients"
        )
    if not args.no_rebuild:
        print(
            f"log: complete orders (PostgreSQL {args.orders:,}, SQLite {sqlite_orders:,}) for "
            f"{args.members} members and {args.residents} residents in {args.communities} "
            f"communities; raw read median of {args.reads}, each rebuild once"
        )
    print("timed with time.perf_counter; machine 机器:")
    for line in machine_context():
        print(f"  {line}")

    results: dict[str, Results] = {}
    for kind in [args.only] if args.only else ["postgres", "sqlite"]:
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
            if not args.no_http:
                result.runs = run_http(target, levels, args.http_orders)
                print_http(result.runs)
                sys.stdout.flush()
            if not args.no_rebuild:
                orders = args.orders if kind == "postgres" else sqlite_orders
                shape = orderlog.Shape(orders, args.members, args.residents, args.communities)
                run_rebuild(target, shape, args.reads, result)
                print_rebuild(result)
        finally:
            progress(target.title, "")
            target.close()
        print(f"  after:  {cpu_probe()}")
        results[target.title] = result

    if len(results) == 2:
        print_comparison(results["PostgreSQL"], results["SQLite"])
    print(f"\ntotal run time 总耗时: {perf_counter() - started:.1f} s")
    return 0


# -- 1. over HTTP -------------------------------------------------------------------------


def server_url(target: Target, name: str) -> str:
    """SISHUANG_DATABASE_URL for a fresh store called `name` in the target."""
    if isinstance(target, PostgresTarget):
        target.env(name)  # creates the schema
        parts = urlsplit(target.url)
        query = urlencode({"schema": name})
        return urlunsplit((parts.scheme, parts.netloc, f"/{target.database}", query, ""))
    assert isinstance(target, SqliteTarget)
    return f"sqlite:///{target.path(name)}"


def run_http(target: Target, levels: list[int], orders: int) -> list[Run]:
    progress(target.title, "HTTP: setting up")
    loop = orderhttp.Loop(server_url(target, "http"), max(levels))
    try:
        loop.start()
        print(
            f"  server: python {' '.join(loop.command)} (pid {loop.pid()}), "
            f"SISHUANG_DATABASE_URL={loop.database_url}"
        )
        progress(target.title, "HTTP: warm-up")
        loop.run(1, HTTP_WARMUP)
        runs = []
        for threads in levels:
            progress(target.title, f"HTTP: {threads} client(s)")
            runs.append(loop.run(threads, orders))
        return runs
    except orderhttp.ServerFailed:
        print(f"  server log (tail):\n{loop.log()}")
        raise
    finally:
        loop.close()


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


def print_http(runs: list[Run]) -> None:
    headers = [
        "order loop over HTTP 经API完整流程",
        "clients",
        "orders",
        "commands",
        "seconds",
        "cmd/s",
        "orders/s",
        "p50 ms",
        "p95 ms",
        "stale",
    ]
    body = []
    for run in runs:
        latencies = run.all_latencies()
        body.append(
            [
                "9 commands an order 每单9条命令",
                str(run.threads),
                f"{run.orders:,}",
                f"{run.commands:,}",
                f"{run.seconds:.2f}",
                rate(run.commands_per_s),
                rate(run.orders / run.seconds),
                _ms(percentile(latencies, 50)),
                _ms(percentile(latencies, 95)),
                str(run.stale),
            ]
        )
    print(table(headers, body))
    retries = sum(r.claim_retries for r in runs)
    print(
        "  cmd/s = commands ÷ wall time from the clients' common start to the last answer, "
        "less the untimed 36 s wait before the claims (0.01 h must pass since check-in); "
        "p50/p95: per request.\n  stale: answers that came back before the read models "
        "caught up (X-Read-Model-Consistent: false)"
        + (f"; claims repeated for lack of elapsed time: {retries}" if retries else "")
    )
    step_headers = ["step 步骤", *(f"p50/p95 ms ×{r.threads}" for r in runs)]
    steps = []
    for step in STEPS:
        cells = [step]
        for run in runs:
            values = run.latencies.get(step, [])
            cells.append(f"{_ms(percentile(values, 50))} / {_ms(percentile(values, 95))}")
        steps.append(cells)
    print(table(step_headers, steps, indent="    "))


# -- 2. the rebuild -----------------------------------------------------------------------


def run_rebuild(target: Target, shape: orderlog.Shape, reads: int, result: Results) -> None:
    title = target.title
    app = Sishuang(target.env("log"), clock=SystemClock())
    try:
        result.written = orderlog.write_log(app, shape, lambda what: progress(title, what))
        progress(title, "raw read, warm-up")
        workload.read_log(app, decode=False)
        raw, decoded = [], []
        for r in range(1, reads + 1):
            progress(title, f"raw read {r}/{reads}")
            raw.append(workload.read_log(app, decode=False))
            progress(title, f"raw read + decode {r}/{reads}")
            decoded.append(workload.read_log(app, decode=True))
        result.figures["read"] = workload.median(raw)
        result.figures["decode"] = workload.median(decoded)
        progress(title, "rebuild, every projection")
        projections = all_projections()
        result.projections = [p.name for p in projections]
        result.figures["all"] = orderlog.rebuild(app, projections)
        result.checks["all"] = orderlog.ledger_check(app)
        progress(title, "rebuild, needs ledger only")
        result.figures["needs"] = orderlog.rebuild(app, [Needs()])
        result.checks["needs"] = orderlog.ledger_check(app)
    finally:
        app.close()


REBUILD_ROWS = [
    ("read", "raw log read (select_notifications) 原始读日志"),
    ("decode", "  raw read + decode 读日志并解码"),
    ("all", "rebuild every projection 重建全部读模型"),
    ("needs", "rebuild needs ledger only 仅重建需求台账"),
]


def print_rebuild(result: Results) -> None:
    written, figures = result.written, result.figures
    assert written is not None
    print(
        f"  log 日志: {written.orders:,} orders, {written.events:,} events in "
        f"{written.aggregates:,} aggregates, {written.saves:,} saves; written in "
        f"{written.seconds:.1f} s ({rate(written.events_per_s)} events/s)"
    )
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
    ]
    print(table(headers, body))
    spread = [p.seconds for p in raw.parts]
    print(
        f"  raw read: median of {len(spread)} passes of {workload.PAGE}-row pages "
        f"({min(spread):.2f}–{max(spread):.2f} s); rebuild: drop the tables and positions, "
        "then catch up from the start, as `sishuang rebuild` does;\n  every projection: "
        f"{', '.join(result.projections)}; needs ledger: {Needs.name}"
    )
    allp, decode = figures["all"], figures["decode"]
    work = max(allp.seconds - decode.seconds, 0.0)
    print(
        f"  where the rebuild's time goes: reading {raw.seconds:.1f} s, decoding "
        f"{decode.seconds - raw.seconds:.1f} s, projection handlers and their SQL "
        f"{work:.1f} s ({work / allp.seconds:.0%})"
    )
    a, n = result.checks["all"], result.checks["needs"]
    print(
        f"  ledger after the rebuild 重建结果: rm_orders {a['rm_orders']:,} "
        f"({a['closed']:,} closed, {a['overlap_flagged']:,} overlap-flagged), "
        f"rm_order_steps {a['rm_order_steps']:,}, rm_order_photos {a['rm_order_photos']:,}, "
        f"rm_residents {a['rm_residents']:,}; needs-only rebuild "
        + ("gave the same counts" if a == n else f"DIFFERS: {n}")
    )


# -- both stores --------------------------------------------------------------------------


def print_comparison(pg: Results, lite: Results) -> None:
    print("\n== PostgreSQL vs SQLite 对比 ==")
    headers = ["figure 指标", "rate", "PostgreSQL", "SQLite", "PG / SQLite"]
    body = []
    lite_runs = {r.threads: r for r in lite.runs}
    for run in pg.runs:
        other = lite_runs.get(run.threads)
        if other is not None:
            a, b = run.commands_per_s, other.commands_per_s
            body.append(
                [
                    f"HTTP order commands, {run.threads} client(s)",
                    "cmd/s",
                    rate(a),
                    rate(b),
                    ratio(a / b),
                ]
            )
    if pg.written is not None and lite.written is not None:
        a, b = pg.written.events_per_s, lite.written.events_per_s
        body.append(["writing the log (batched saves)", "events/s", rate(a), rate(b), ratio(a / b)])
    for key, label in REBUILD_ROWS:
        if key in pg.figures and key in lite.figures:
            a, b = pg.figures[key].events_per_s, lite.figures[key].events_per_s
            body.append([label, "events/s", rate(a), rate(b), ratio(a / b)])
    if body:
        print(table(headers, body))
    if pg.written and lite.written and pg.written.orders != lite.written.orders:
        print(f"  (logs differ: {pg.written.orders:,} vs {lite.written.orders:,} orders)")
