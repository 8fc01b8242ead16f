"""`replay draw-verify` on the command line: open the log, verify, print, exit 0/1/2."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

from replay.drawverify.log import BundleLog, StoreLog
from replay.drawverify.report import FAIL, INFO, OK, Check, Report
from replay.drawverify.run import UsageError, verify

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
