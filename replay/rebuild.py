"""`replay rebuild` and `replay diff`: a community's ledgers as they stood at a moment,
rebuilt from a bundle by the same projection code the service runs.

The bundle's events (the community's log and its county's) are written, in their
original log order, into a fresh SQLite event store in a temporary directory, and the
service's projections follow that store as they follow the live one.

Which moment: `--as-of T` keeps the events *recorded* at or before T (event
timestamps: what the system knew by then). Business dates inside the events (the day
an order closed in Beijing time, the quarter a credit counts in, an activity's date)
are not what `--as-of` filters on; they decide which year and quarter a figure falls
in, as they do in the live views. `--until-seq N` keeps the first N events of the
community's log (and the county's events recorded before the last of them).
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.application import Sishuang
from domain.calendar import business_date
from domain.clock import ManualClock
from projections import ReadModels, directory, evaluation, needs, resources
from projections.base import Follower
from projections.display import for_people
from projections.exports import to_csv, to_xlsx
from projections.sealer import Sealer
from replay.bundle import Bundle, BundleError, read
from replay.progress import Progress

BATCH = 500

POINTS_COLUMNS = [
    ("name", "姓名"),
    ("balance", "服务积分余额"),
    ("assessment", "考核积分"),
    ("earned", "累计获得"),
    ("held", "兑换扣减"),
    ("returned", "退回"),
    ("reversed", "撤销"),
    ("owed", "欠分"),
    ("volunteer_stars", "志愿星级"),
]


@dataclass
class Ledgers:
    moment: str
    events: int
    needs: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    points: list[dict[str, Any]]
    evaluation: list[dict[str, Any]]
    year: int

    def tables(self) -> list[tuple[str, str, list[dict[str, Any]], list[tuple[str, str]], str]]:
        """(file stem, title, rows, columns, key column) for each ledger."""
        return [
            ("needs", "民生需求台账", self.needs, needs.LEDGER_COLUMNS, "order_id"),
            ("resources", "党员资源台账", self.resources, resources.RESOURCE_COLUMNS, "member_id"),
            ("points", "积分账户", self.points, POINTS_COLUMNS, "member_id"),
            (
                "evaluation",
                f"{self.year} 年度评价",
                self.evaluation,
                evaluation.MEMBER_COLUMNS,
                "member_id",
            ),
        ]


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"时刻格式应为 ISO 8601，如 2026-10-01T00:00+08:00：{text}") from None
    if moment.tzinfo is None:
        raise SystemExit(f"请写明时区，如 +08:00：{text}")
    return moment.astimezone(UTC)


def select(
    bundle: Bundle, *, as_of: datetime | None = None, until_seq: int | None = None
) -> list[dict[str, Any]]:
    """The bundle's events to replay, in log order."""
    community = bundle.community.events
    rows = sorted(
        (e for part in bundle.logs for e in part.events), key=lambda e: int(e["notification_id"])
    )
    if until_seq is not None:
        if until_seq <= 0:
            return []
        kept = {e["notification_id"] for e in community[:until_seq]}
        last = max(kept) if kept else 0
        county = {e["notification_id"] for p in bundle.logs[1:] for e in p.events}
        rows = [
            e
            for e in rows
            if e["notification_id"] in kept
            or (e["notification_id"] in county and e["notification_id"] <= last)
        ]
    if as_of is not None:  # a record without a readable time (tampered) is not "known by T"
        rows = [e for e in rows if (_recorded(e) or datetime.max.replace(tzinfo=UTC)) <= as_of]
    return rows


def _recorded(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event["recorded_at"])).astimezone(UTC)
    except (KeyError, ValueError):
        return None


def rebuild(
    bundle: Bundle,
    *,
    as_of: datetime | None = None,
    until_seq: int | None = None,
    year: int | None = None,
    progress: bool = True,
) -> Ledgers:
    rows = select(bundle, as_of=as_of, until_seq=until_seq)
    times = [t for t in (_recorded(e) for e in rows) if t is not None]
    moment = as_of or (times[-1] if times else datetime.now(UTC))
    with tempfile.TemporaryDirectory(prefix="sishuang-replay-") as tmp:
        app = Sishuang(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(Path(tmp) / "replay.sqlite3"),
            },
            clock=ManualClock(moment),
        )
        try:
            bar = Progress("重放", len(rows) * 2, every=0.5 if progress else 1e9)
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                app.recorder.insert_events(
                    [
                        StoredEvent(
                            originator_id=UUID(e["originator_id"]),
                            originator_version=int(e["originator_version"]),
                            topic=e["topic"],
                            state=base64.b64decode(e["state"]),
                        )
                        for e in batch
                    ]
                )
                bar.advance(len(batch))
            read = ReadModels(app, run_projections=False)
            projections = [p for p in read.projections if not isinstance(p, Sealer)]
            follower = Follower(app, projections, page_size=1000)
            done = 0
            while True:
                n = follower.run_once()
                if n == 0:
                    break
                done += n
                bar.advance(n)
            bar.finish()
            return _ledgers(read, bundle, moment, len(rows), year)
        finally:
            app.close()


def _ledgers(
    read: ReadModels, bundle: Bundle, moment: datetime, events: int, year: int | None
) -> Ledgers:
    store = read.store
    community_id = str(bundle.manifest["community_id"])
    y = year or business_date(moment).year
    _, needs_rows = needs.ledger(store, community_id, moment, page=1, size=1_000_000)
    resource_rows = resources.resource_ledger(store, community_id, y)
    community = directory.get_community(store, community_id)
    evaluation_rows: list[dict[str, Any]] = []
    if community is not None:
        policy = evaluation.county_policy(store, community["county_id"])
        view = evaluation.community_view(store, community, y, policy, business_date(moment))
        evaluation_rows = view["members"]
    with store.read() as tx:
        points_rows = tx.execute(
            "SELECT a.member_id, m.name, a.balance, a.assessment, a.earned, a.held,"
            " a.returned, a.reversed, a.owed, a.volunteer_stars FROM rm_points_accounts a"
            " LEFT JOIN rm_members m ON m.member_id = a.member_id"
            " WHERE a.community_id = ? ORDER BY m.name, a.member_id",
            (community_id,),
        ).all()
    return Ledgers(
        moment=moment.isoformat(),
        events=events,
        needs=needs_rows,
        resources=resource_rows,
        points=points_rows,
        evaluation=evaluation_rows,
        year=y,
    )


def _print_table(title: str, rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    print(f"\n== {title}（{len(rows)} 行）")
    shown = columns[:8]
    print(" | ".join(h for _, h in shown))
    for r in for_people(rows[:40]):
        print(" | ".join(_cell(r.get(k)) for k, _ in shown))
    if len(rows) > 40:
        print(f"…… 另有 {len(rows) - 40} 行（完整内容见 --out 写出的文件）")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"


def command(args: argparse.Namespace) -> int:
    try:
        bundle = read(args.bundle)
    except BundleError as e:
        print(f"无法读取：{e}", file=sys.stderr)
        return 2
    as_of = parse_moment(args.as_of) if args.as_of else None
    ledgers = rebuild(
        bundle, as_of=as_of, until_seq=args.until_seq, year=args.year, progress=not args.quiet
    )
    what = (
        f"记录时间截至 {ledgers.moment}（系统当时已知的事件；业务日期按北京时间归入年度、季度）"
        if as_of
        else f"社区日志前 {args.until_seq} 条"
        if args.until_seq is not None
        else f"导出包全部事件（至 {ledgers.moment}）"
    )
    print(f"{bundle.manifest.get('community')}：{what}，重放 {ledgers.events} 条事件")
    for stem, title, rows, columns, _ in ledgers.tables():
        _print_table(title, rows, columns)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{stem}.xlsx").write_bytes(to_xlsx(rows, columns, title))
            (args.out / f"{stem}.csv").write_bytes(to_csv(rows, columns))
    if args.out:
        print(f"\n已写出 {args.out}/（.xlsx 与 .csv）")
    return 0


# -- diff ---------------------------------------------------------------------------------------


def diff_ledgers(before: Ledgers, after: Ledgers) -> list[str]:
    """Rows added, removed and changed (with the fields that changed), per ledger."""
    lines: list[str] = []
    for (_, title, old_rows, columns, key), (_, _, new_rows, _, _) in zip(
        before.tables(), after.tables(), strict=True
    ):
        # Compared as a person reads them (the live API shows Beijing times, hours in
        # two decimals: projections.display), so only real differences show.
        old = {str(r.get(key)): r for r in for_people(old_rows)}
        new = {str(r.get(key)): r for r in for_people(new_rows)}
        labels = dict(columns)
        added = [k for k in new if k not in old]
        removed = [k for k in old if k not in new]
        changed = []
        for k in new:
            if k in old:
                fields = [c for c, _ in columns if _cell(old[k].get(c)) != _cell(new[k].get(c))]
                if fields:
                    changed.append((k, fields))
        lines.append(f"== {title}：新增 {len(added)}，减少 {len(removed)}，变化 {len(changed)}")
        for k in added[:20]:
            lines.append(f"  + {k} {_cell(new[k].get(columns[1][0]))}")
        for k in removed[:20]:
            lines.append(f"  - {k} {_cell(old[k].get(columns[1][0]))}")
        for k, fields in changed[:20]:
            parts = [
                f"{labels[f]}：{_cell(old[k].get(f))} → {_cell(new[k].get(f))}" for f in fields
            ]
            lines.append(f"  ~ {k} " + "；".join(parts))
    return lines


def live_ledgers(url: str, token: str, community_id: str, year: int) -> Ledgers:
    """What the live API serves now (needs, resources, evaluation), for comparison."""
    import json
    import urllib.request

    def get(path: str) -> Any:
        request = urllib.request.Request(
            f"{url.rstrip('/')}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    needs_rows: list[dict[str, Any]] = []
    page = 1
    while True:  # the API pages at most 500 rows
        body = get(f"/communities/{community_id}/needs?size=500&page={page}")
        needs_rows += body["items"]
        if not body["items"] or len(needs_rows) >= body["total"]:
            break
        page += 1
    resource_rows = get(f"/communities/{community_id}/resources?year={year}")
    if isinstance(resource_rows, dict):
        resource_rows = resource_rows.get("members", resource_rows.get("items", []))
    view = get(f"/communities/{community_id}/evaluation?year={year}")
    return Ledgers(
        moment="live",
        events=0,
        needs=needs_rows,
        resources=resource_rows,
        points=[],
        evaluation=view["members"],
        year=year,
    )


def diff_command(args: argparse.Namespace) -> int:
    try:
        bundle = read(args.bundle)
    except BundleError as e:
        print(f"无法读取：{e}", file=sys.stderr)
        return 2
    if args.live:
        if not args.token:
            print("--live 需要 --token", file=sys.stderr)
            return 2
        ours = rebuild(bundle, progress=not args.quiet)
        import urllib.error

        try:
            theirs = live_ledgers(
                args.live, args.token, str(bundle.manifest["community_id"]), ours.year
            )
        except (urllib.error.URLError, ValueError, KeyError) as e:
            print(f"无法读取线上服务：{e}", file=sys.stderr)
            return 2
        ours.points = []  # the live API serves points per member only
        lines = diff_ledgers(ours, theirs)
        print(f"导出包（至 {ours.moment}）与线上服务相比：")
    else:
        if len(args.at) != 2:
            print("请给出两个时刻：--at T1 --at T2", file=sys.stderr)
            return 2
        first, second = (parse_moment(a) for a in args.at)
        year = business_date(second).year
        before = rebuild(bundle, as_of=first, year=year, progress=not args.quiet)
        after = rebuild(bundle, as_of=second, year=year, progress=not args.quiet)
        lines = diff_ledgers(before, after)
        print(f"{before.moment} → {after.moment}（记录时间）：")
    print("\n".join(lines))
    return 0
