"""The auditor's command line: `python -m replay` (or `./dev replay`).

    replay export --community ID --out FILE.zip
    replay verify FILE.zip --pubkey KEY [--previous CHECKPOINT]
    replay rebuild FILE.zip [--as-of TIME | --until-seq N] [--out DIR] [--year Y]
    replay diff FILE.zip --at T1 --at T2         (or: --live URL --token TOKEN)
    replay draw-verify --plan ID | --county ID [--bundle FILE.zip ...] [--json]

`verify` needs only the standard library and `cryptography`; the others use the
service's own code (the same projections the service runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from uuid import UUID

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="replay", description="四双 审计工具")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("export", help="导出一个社区的完整历史（含封存记录与签名检查点）")
    ex.add_argument("--community", required=True, help="社区 id")
    ex.add_argument("--out", required=True, type=Path, help="输出文件（.zip）")

    ve = sub.add_parser("verify", help="离线核验导出包（只用给定的公钥）")
    ve.add_argument("bundle", type=Path)
    ve.add_argument("--pubkey", required=True, help="验证公钥（文本或文件路径），须带外获得")
    ve.add_argument("--previous", help="先前的检查点（文件），核验日志是其延续")
    ve.add_argument("--quiet", action="store_true", help="不显示进度")

    rb = sub.add_parser("rebuild", help="按导出包重建社区台账（某一时刻的状态）")
    rb.add_argument("bundle", type=Path)
    when = rb.add_mutually_exclusive_group()
    when.add_argument(
        "--as-of", help="记录时间（系统当时已知）截止，ISO 8601，如 2026-10-01T00:00+08:00"
    )
    when.add_argument("--until-seq", type=int, help="社区日志前 N 条")
    rb.add_argument("--year", type=int, help="评价与资源台账的年度（默认截止时刻所在年）")
    rb.add_argument("--out", type=Path, help="把台账写成 .xlsx 与 .csv 的目录")
    rb.add_argument("--quiet", action="store_true")

    df = sub.add_parser("diff", help="比较两个时刻的台账，或导出包与线上服务")
    df.add_argument("bundle", type=Path)
    df.add_argument("--at", action="append", default=[], help="时刻（两次）；缺省为导出包末尾")
    df.add_argument("--live", help="线上服务地址，如 http://127.0.0.1:8000")
    df.add_argument("--token", help="访问线上服务的登录凭证")
    df.add_argument("--quiet", action="store_true")

    dv = sub.add_parser(
        "draw-verify", help="重算两随机一公开的抽取并与记录比对 / re-run a recorded draw"
    )
    dv.add_argument("--plan", action="append", default=[], help="抽查方案 id（可多次）")
    dv.add_argument("--county", help="县（区）id：核验该县全部抽查方案")
    dv.add_argument(
        "--bundle",
        action="append",
        default=[],
        type=Path,
        help="改从导出包读日志（该县每个社区一个，可多次）",
    )
    dv.add_argument("--pubkey", help="先用此公钥核验导出包（文本或文件路径）")
    dv.add_argument("--json", action="store_true", help="机器可读的 JSON 输出")

    args = parser.parse_args(argv)
    if args.command == "export":
        return _export(args)
    if args.command == "verify":
        return _verify(args)
    if args.command == "rebuild":
        from replay.rebuild import command as rebuild_command

        return rebuild_command(args)
    if args.command == "draw-verify":
        from replay.drawverify import command as draw_verify_command

        return draw_verify_command(args)
    from replay.rebuild import diff_command

    return diff_command(args)


def _export(args: argparse.Namespace) -> int:
    from projections.settings import Settings
    from replay.export import ExportError, export

    try:
        summary = export(Settings.from_env(), UUID(args.community), args.out)
    except (ExportError, ValueError) as e:
        print(f"导出失败：{e}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"已导出 {summary['path']}：{summary['events']} 条事件"
        f"（读取日志 {summary['log_events_read']} 条，用时 {summary['seconds']:.1f} 秒）"
    )
    for log, size in summary["logs"].items():
        print(f"  {log}：检查点大小 {size}")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from replay.bundle import BundleError, read
    from replay.verify import verify_bundle

    key = args.pubkey
    if Path(key).is_file():
        key = Path(key).read_text(encoding="utf-8").strip()
    previous = Path(args.previous).read_text(encoding="utf-8") if args.previous else None
    try:
        bundle = read(args.bundle)
    except BundleError as e:
        print(f"无法读取：{e}", file=sys.stderr)
        return EXIT_USAGE
    report = verify_bundle(bundle, key, previous, progress=not args.quiet)
    manifest = bundle.manifest
    print(f"导出包：{manifest.get('community')}，领域代码版本 {manifest.get('domain_version')}")
    print(report.text())
    print(f"用时 {report.seconds:.2f} 秒")
    return EXIT_OK if report.ok else EXIT_FAILED
