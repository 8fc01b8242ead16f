"""`./dev bench replay`: the auditor's figures for one community of ~50,000 events.

A log of complete orders in one community (bench.orderlog: the aggregates' own
decisions, saved in batches), then, per store: the raw log read (with and without
decoding), the sealer following the log, `replay export` of the community, `replay
verify` of the bundle, and `replay rebuild` (the bundle replayed into a fresh SQLite
store through the service's projections) in events per second against the raw read.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.machine import machine_context
from bench.orderlog import Shape, write_log
from bench.stores import DEFAULT_PG_URL, PostgresTarget, SqliteTarget, Target, Unreachable
from bench.workload import read_log
from domain.application import Sishuang
from domain.clock import SystemClock
from projections import ReadModels, sealer
from projections.base import Follower
from projections.sealer import Sealer
from projections.settings import Settings
from replay import bundle as bundles
from replay.export import export_from
from replay.rebuild import rebuild
from replay.verify import verify_bundle

EVENTS_PER_ORDER = 12  # with the photo claims: about what one complete order writes


def run(target: Target, orders: int) -> dict[str, Any]:
    app = Sishuang(target.env("replay"), clock=SystemClock())
    figures: dict[str, Any] = {"store": target.title}
    try:
        written = write_log(
            app, Shape(orders=orders, members=max(orders // 15, 10), residents=500, communities=1)
        )
        figures["events in the log"] = written.events
        raw = read_log(app, decode=False)
        decoded = read_log(app, decode=True)
        figures["raw read (events/s)"] = raw.events_per_s
        figures["raw read + decode (events/s)"] = decoded.events_per_s

        read = ReadModels(app, run_projections=False)
        seal = Follower(app, [Sealer()], page_size=1000)
        started = perf_counter()
        sealed = seal.catch_up()
        figures["sealer (events/s)"] = sealed / (perf_counter() - started)
        community = next(log for log in sealer.log_ids(read.store) if log.startswith("community:"))
        state = sealer.log_state(read.store, community)
        assert state is not None
        figures["community log (events)"] = state.size
        # the rest of the read models, for the export's lookups (directory)
        rest = Follower(app, [p for p in read.projections if p.name != Sealer.name], page_size=1000)
        rest.catch_up()

        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), log_origin="bench")
            out = Path(tmp) / "bundle.zip"
            started = perf_counter()
            summary = export_from(app, read, settings, _uuid(community), out, progress=False)
            figures["export (s)"] = perf_counter() - started
            figures["bundle (MB)"] = out.stat().st_size / 1e6
            vkey = (Path(tmp) / "seal.vkey").read_text().strip()
            started = perf_counter()
            loaded = bundles.read(out)
            report = verify_bundle(loaded, vkey, progress=False)
            figures["verify (s)"] = perf_counter() - started
            figures["verify ok"] = report.ok
            started = perf_counter()
            ledgers = rebuild(loaded, progress=False)
            seconds = perf_counter() - started
            figures["rebuild (s)"] = seconds
            figures["rebuild (events/s)"] = summary["events"] / seconds
            figures["rebuild / raw read+decode"] = (
                figures["rebuild (events/s)"] / figures["raw read + decode (events/s)"]
            )
            figures["needs rows rebuilt"] = len(ledgers.needs)
    finally:
        app.close()
        target.close()
    return figures


def _uuid(log_id: str) -> Any:
    from uuid import UUID

    return UUID(log_id.split(":", 1)[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench replay")
    parser.add_argument("--events", type=int, default=50_000, help="events in the community")
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    orders = max(args.events // EVENTS_PER_ORDER, 10)
    print("\n".join(machine_context()))
    results = []
    if args.store in ("sqlite", "both"):
        results.append(run(SqliteTarget(), orders))
    if args.store in ("postgres", "both"):
        try:
            results.append(run(PostgresTarget.create(args.pg_url), orders))
        except Unreachable as e:
            print(f"PostgreSQL skipped: {e}")
    for figures in results:
        print(f"\n== {figures.pop('store')}")
        for name, value in figures.items():
            shown = (
                f"{value:,.2f}"
                if isinstance(value, float)
                else f"{value:,}"
                if isinstance(value, int) and not isinstance(value, bool)
                else str(value)
            )
            print(f"  {name:<32} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
