"""`sishuang` — the operator's command line.

sishuang serve [--demo] [--host H] [--port P] [--workers N] [--no-projections]
sishuang worker                      run the projections (production, with PostgreSQL)
sishuang county create --name 泽州县 --code ZZ
sishuang token --role org_dept --scope <county id> --subject 组织部-王 [--days 30]
                                     a service token (ss1) for the operator and scripts
sishuang account create-org-dept --county <county id> --login L --name 王某
                                     the first 组织部 account; prints its temporary password
sishuang phone-code <phone>          the code last sent to a phone (development, no SMS gateway)
sishuang rebuild [projection ...]   drop and rebuild read models from the log
sishuang dead-letters [list|retry [projection ...]]   events a projection set aside
sishuang demo                        load the demo county into the store
sishuang deliver [--once]            deliver messages (SMS) as its own process
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

import structlog

from api.clocks import edge_clock
from api.logs import configure_logging
from api.tokens import issue
from domain.access import PLACE_LABELS
from domain.actors import OPERATOR, SCOPE_KIND, Actor, Role
from domain.application import Sishuang
from domain.errors import DomainError, InvalidInput
from domain.limits import LIMITS
from domain.values import clean_name
from projections.settings import Settings

log = structlog.get_logger("cli")


def _app(settings: Settings) -> Sishuang:
    from projections.store import schema_lock

    env = settings.eventsourcing_env()
    with schema_lock(env):
        return Sishuang(env, clock=edge_clock(settings), secret=settings.secret())


def _stalled(names: Iterable[str]) -> bool:
    """Say so when a projection stopped short of the log's head (an event it cannot
    apply and may not set aside): what was done then used read models that lag."""
    stopped = sorted(names)
    for name in stopped:
        print(
            f"警告：投影 {name} 停在一个无法处理的事件前，尚未跟上日志"
            f"（见 ./dev dead-letters 与 /api/v1/health）",
            file=sys.stderr,
        )
    return bool(stopped)


def _check_days(days: int) -> None:
    if not 1 <= days <= LIMITS.max_token_days:
        raise InvalidInput(
            "token_lifetime_out_of_range",
            f"凭证有效期应为 1 到 {LIMITS.max_token_days} 天",
            f"a token lives 1 to {LIMITS.max_token_days} days",
        )


def _token(settings: Settings, role: Role, subject: str, scope: UUID | None, days: int = 30) -> str:
    _check_days(days)
    return issue(
        settings.secret(),
        role=role,
        subject=subject,
        scope_id=scope,
        now=edge_clock(settings).now(),
        valid_for=timedelta(days=days),
    )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers > 1 and not args.no_projections:
        print(
            "多个 API 进程时请加 --no-projections，并另行运行一个 `./dev worker`"
            " (several API workers: add --no-projections and run one worker)",
            file=sys.stderr,
        )
        return 2
    if args.no_projections:
        os.environ["SISHUANG_PROJECTIONS_IN_PROCESS"] = "false"
    if args.demo:
        cmd_demo(args, settings)
    print(f"四双 sishuang: http://{args.host}:{args.port}/docs  (存储: {settings.store_kind})")
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        http="api.server:JsonErrorH11Protocol",
        # Headers a little over our own limit reach the app, which refuses them with
        # its JSON 431; beyond this the server refuses them itself (JSON 400).
        h11_max_incomplete_event_size=4 * settings.max_header_bytes,
    )
    return 0


WORKER_FAILED = 3  # the worker's exit status when its projections thread died


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from projections import open_service

    app, read = open_service(
        settings.eventsourcing_env(),
        edge_clock(settings),
        run_projections=True,
        poll_interval=settings.poll_interval_seconds,
    )
    follower = read.follower
    assert follower is not None

    def stop(signum: int, frame: Any) -> None:
        log.info("worker_stopping", signal=signum)
        follower.stop()

    from api.sweeper import Sweeper, publish_checkpoints

    sweeper = Sweeper(
        app,
        read.store,
        settings.sweep_seconds,
        checkpoints=lambda: publish_checkpoints(app, read.store, settings),
        checkpoint_interval=settings.checkpoint_seconds,
    )

    from api.delivery.worker import deliverer_for

    deliverer = deliverer_for(app, read.store, settings)

    def stop_all(signum: int, frame: Any) -> None:
        sweeper.stop()
        if deliverer is not None:
            deliverer.stop()
        stop(signum, frame)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    follower.start()
    if settings.sweep_seconds > 0:
        sweeper.start()
    if deliverer is not None:
        deliverer.start()
    while follower.alive:
        follower.join(timeout=0.5)
    sweeper.stop()
    if deliverer is not None:
        deliverer.stop()
    app.close()
    if follower.failure is not None:
        # The thread ended by an error, not by a signal: say so to the supervisor.
        print(f"投影线程异常终止 (projections thread died): {follower.failure!r}", file=sys.stderr)
        return WORKER_FAILED
    return 0


def cmd_county(args: argparse.Namespace, settings: Settings) -> int:
    _check_days(args.days)  # refused before the county is created
    app = _app(settings)
    result = app.register_county(OPERATOR, name=args.name, code=args.code)
    token = _token(settings, Role.ORG_DEPT, f"{args.name}组织部", result.id, days=args.days)
    print(f"county_id: {result.id}")
    print(f"组织部 token ({args.days} 天): {token}")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    role = Role(args.role)
    kind = SCOPE_KIND[role]
    try:
        scope = UUID(args.scope) if args.scope else None
    except ValueError:
        print(f"--scope 不是有效的编号：{args.scope}", file=sys.stderr)
        return 2
    if kind is not None and scope is None:
        print(f"角色 {role.value} 需要 --scope（{kind} 的 id）", file=sys.stderr)
        return 2
    subject = clean_name(args.subject, "使用者")
    if kind is not None and scope is not None:
        from api.guard import AGGREGATES  # the aggregate each kind of scope names

        app = _app(settings)
        try:
            found = app.find(AGGREGATES[kind], scope)
        finally:
            app.close()
        if found is None:
            print(f"没有这个{PLACE_LABELS[kind]}：{scope}（{kind}）", file=sys.stderr)
            return 2
    print(_token(settings, role, subject, scope, days=args.days))
    return 0


def cmd_account_org_dept(args: argparse.Namespace, settings: Settings) -> int:
    """The first 组织部 account of a county (on an empty store there is nobody else who
    may create one): a temporary password printed once, to be changed at first sign-in."""
    from api.routes_accounts import temporary_password

    try:
        county = UUID(args.county)
    except ValueError:
        print(f"--county 不是有效的编号：{args.county}", file=sys.stderr)
        return 2
    password = temporary_password()
    app = _app(settings)
    try:
        result = app.create_staff_account(
            OPERATOR,
            login=args.login,
            name=args.name,
            role=Role.ORG_DEPT,
            scope_id=county,
            temporary_password=password,
            subject=args.name,
        )
    finally:
        app.close()
    print(f"account_id: {result.id}")
    print(f"登录名: {args.login.strip().casefold()}")
    print(f"临时密码（只显示这一次，首次登录须修改）: {password}")
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Blue/green by default: the copy is built beside the live tables, then switched in
    one transaction; an interrupted rebuild resumes. `--in-place` drops and replays."""
    from projections import all_projections, bluegreen
    from projections.base import Follower

    app = _app(settings)
    chosen = [p for p in all_projections() if not args.names or p.name in args.names]
    unknown = set(args.names) - {p.name for p in chosen}
    if unknown:
        print(f"没有这些投影: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    failed = False
    for projection in chosen:

        def show(position: int, head: int, elapsed: float, name: str = projection.name) -> None:
            rate = position / elapsed if elapsed > 0 else 0.0
            left = (head - position) / rate if rate else 0.0
            print(
                f"\r{name}: {position}/{head} ({rate:,.0f} 事件/秒, 预计剩余 {left:,.0f} 秒)",
                end="",
                flush=True,
            )

        if args.in_place:
            follower = Follower(app, [projection])
            follower.reset(projection)
            started = time.perf_counter()
            while True:
                n = follower.run_once()
                show(follower.position, follower.store.head(), time.perf_counter() - started)
                if n < follower.page_size:
                    break
            bluegreen.analyze(follower.store, projection)
            print()
            failed = _stalled(follower.stalled) or failed
            continue
        figures = bluegreen.rebuild(app, projection, report=show)
        failed = _stalled(figures["stalled"]) or failed
        print(
            f"\n{projection.name}: 已切换到新副本（日志位置 {figures['position']}，"
            f"本次处理 {figures['events']} 条，用时 {figures['seconds']:.1f} 秒"
            + (f"，从 {figures['resumed_from']} 续建" if figures["resumed_from"] else "")
            + "）"
        )
    app.close()
    return 1 if failed else 0


def cmd_dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    """Events a projection set aside (it went on without them). After the fix that lets
    it apply them is deployed, `retry` rebuilds those projections blue/green: every event
    is applied again in order, and what still fails is set aside again."""
    from projections import all_projections, bluegreen
    from projections.base import dead_letter_counts, dead_letters
    from projections.store import ReadStore

    app = _app(settings)
    store = ReadStore(app)
    try:
        counts = dead_letter_counts(store)
        if args.action == "retry":
            chosen = [
                p
                for p in all_projections()
                if (p.name in args.names) or (not args.names and counts.get(p.name))
            ]
            for projection in chosen:
                figures = bluegreen.rebuild(app, projection)
                print(
                    f"{projection.name}: 已重建（日志位置 {figures['position']}，"
                    f"用时 {figures['seconds']:.1f} 秒）"
                )
            counts = dead_letter_counts(store)
        rows = dead_letters(store)
        if not rows:
            print("没有搁置的事件 (no dead letters)")
            return 0
        for row in rows:
            print(
                f"{row['projection']}\t日志位置 {row['notification_id']}\t{row['topic']}\t"
                f"{row['failed_at']}\t{row['error']}"
            )
        print(f"共 {sum(counts.values())} 条搁置的事件", file=sys.stderr)
        return 1 if args.action == "retry" else 0
    finally:
        app.close()


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """The quarterly standard check, for a scheduler (cron) as much as for a person."""
    from projections import evaluation, open_service

    county = UUID(args.county)
    app, read = open_service(
        settings.eventsourcing_env(), edge_clock(settings), run_projections=True
    )
    assert read.follower is not None
    read.follower.catch_up()
    _stalled(read.follower.stalled)
    actor = Actor(Role.ORG_DEPT, args.subject, county)
    ids = [UUID(i) for i in evaluation.approved_member_ids(read.store, str(county))]
    counts = app.check_standards(actor, year=args.year, quarter=args.quarter, member_ids=ids)
    print(
        f"{args.year} 年第 {args.quarter} 季度：检查 {counts['checked']} 人，"
        f"达标 {counts['passed']}，黄灯 {counts['yellow']}，红灯 {counts['red']}，"
        f"此前已检查 {counts['skipped']}"
    )
    app.close()
    return 0


def cmd_seal_key(args: argparse.Namespace, settings: Settings) -> int:
    """Print the verifier key auditors need (hand it over out of band)."""
    from projections.settings import signing_key

    print(signing_key(settings).vkey)
    return 0


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from api.sweeper import publish_checkpoints
    from projections import open_service

    app, read = open_service(
        settings.eventsourcing_env(), edge_clock(settings), run_projections=True
    )
    assert read.follower is not None
    read.follower.catch_up()
    stalled = _stalled(read.follower.stalled)
    print(f"已签发 {publish_checkpoints(app, read.store, settings)} 个检查点")
    app.close()
    return 1 if stalled else 0


def cmd_deliver(args: argparse.Namespace, settings: Settings) -> int:
    """The delivery worker as its own process: projections too unless
    SISHUANG_PROJECTIONS_IN_PROCESS=false (another process projects)."""
    from api.delivery.worker import Deliverer, worker_for
    from projections import open_service

    app, read = open_service(
        settings.eventsourcing_env(),
        edge_clock(settings),
        run_projections=settings.run_projections,
        poll_interval=settings.poll_interval_seconds,
    )
    worker = worker_for(app, read.store, settings)
    if read.follower is not None:
        read.follower.catch_up()
    if args.once:
        counts = worker.run_once()
        print("，".join(f"{k} {v}" for k, v in sorted(counts.items())) or "没有待发送的消息")
        app.close()
        return 0
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        log.info("delivery_stopping", signal=signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    read.start()
    interval = settings.delivery_seconds if settings.delivery_seconds > 0 else 10.0
    log.info("delivery_started", worker=worker.worker_id, interval=interval)
    deliverer = Deliverer(worker, interval)
    deliverer.start()
    while not stopping.wait(0.5):
        pass
    deliverer.stop()
    read.stop()
    app.close()
    return 0


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from api.sweeper import sweep_once
    from projections import open_service

    app, read = open_service(
        settings.eventsourcing_env(), edge_clock(settings), run_projections=True
    )
    assert read.follower is not None
    read.follower.catch_up()
    _stalled(read.follower.stalled)
    counts = sweep_once(app, read.store)
    print(
        f"无人接单 {counts['unclaimed']}，超时未评价结单 {counts['closed_unrated']}，"
        f"超期 {counts['overdue']}，兑换过期退回 {counts['redemptions_expired']}，"
        f"抽查结果逾期未公开 {counts['disclosures_overdue']}，"
        f"种子逾期未揭示而作废 {counts['plans_voided_unrevealed']}，"
        f"接单申请期即将截止提醒 {counts['take_window_ending']}，"
        f"评价期即将截止提醒 {counts['rating_window_ending']}，"
        f"短信结果不明 {counts['deliveries_in_doubt']}"
    )
    app.close()
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from domain.demo import load_demo

    app = _app(settings)
    summary = load_demo(app)
    county_id = UUID(summary["county_id"])
    if summary.get("already_loaded"):
        print("演示数据已存在，未重复导入。")
    else:
        print(
            f"演示数据已导入：{summary['communities']} 个社区，{summary['units']} 个单位，"
            f"{summary['members']} 名党员。"
        )
    print(f"county_id: {county_id}")
    token = _token(settings, Role.ORG_DEPT, "组织部演示账号", county_id)
    print(f"组织部 service token (ss1): {token}")
    app.close()
    _demo_accounts(settings, county_id)
    return 0


# The demo's staff accounts: login, name, role, and which place of the county it serves.
DEMO_STAFF = (
    ("demo.org", "组织部演示账号", Role.ORG_DEPT, "county"),
    ("demo.community", "社区演示账号", Role.COMMUNITY_ADMIN, "community"),
    ("demo.unit", "单位演示账号", Role.UNIT_ADMIN, "unit"),
    ("demo.inspector", "督查演示账号", Role.INSPECTOR, "inspector"),
    ("demo.auditor", "审计演示账号", Role.AUDITOR, "county"),
    ("demo.partner", "合作商家演示账号", Role.PARTNER, "partner"),
)


def _demo_accounts(settings: Settings, county_id: UUID) -> None:
    """An account for each role of the demo county, printed once, when first opened: the
    staff's with a temporary password (changed at first sign-in), a member's and a
    resident's phone (they sign in with a code: `sishuang phone-code <phone>` shows it
    while no SMS gateway is configured)."""
    from api.routes_accounts import temporary_password
    from domain.demo.county import GRID_WORKER_PHONE, grid_worker_name
    from projections import accounts, open_service

    app, read = open_service(
        settings.eventsourcing_env(),
        edge_clock(settings),
        run_projections=True,
        secret=settings.secret(),
    )
    try:
        assert read.follower is not None
        read.follower.catch_up()
        _demo_posters(settings, read.store, county_id)
        if app.account_by_login(DEMO_STAFF[0][0]) is not None:
            print("演示账号已存在（密码只在首次导入时显示）。")
            return
        found = accounts.first_of_each(read.store, str(county_id))
        print("演示账号（临时密码只显示这一次，首次登录须修改）：")
        for login, name, role, kind in DEMO_STAFF:
            place = found.get(kind) if kind != "county" else {"id": str(county_id)}
            if place is None:
                continue
            password = temporary_password()
            inspector = role is Role.INSPECTOR  # scope: the county; subject: the inspector
            app.create_staff_account(
                OPERATOR,
                login=login,
                name=place["name"] if inspector else name,
                role=role,
                scope_id=county_id if inspector else UUID(place["id"]),
                temporary_password=password,
                subject=place["id"] if inspector else name,
            )
            print(f"  {role.value:16} 登录名 {login:16} 临时密码 {password}")
        member, resident = found["member"], found["resident"]
        if member is not None:
            app.grant(
                OPERATOR, role=Role.MEMBER, scope_id=UUID(member["id"]), phone=member["phone"]
            )
            print(f"  {'member':16} 手机号 {member['phone']}（{member['name']}，短信验证码登录）")
        if resident is not None:
            app.grant(
                OPERATOR,
                role=Role.RESIDENT,
                scope_id=UUID(resident["community_id"]),
                phone=resident["phone"],
                subject=resident["id"],
            )
            phone, name = resident["phone"], resident["name"]
            print(f"  {'resident':16} 手机号 {phone}（{name}，短信验证码登录）")
        community = found["community"]
        if community is not None:
            name = grid_worker_name(_community_index(community["name"]), 0)
            app.grant(
                OPERATOR,
                role=Role.GRID_WORKER,
                scope_id=UUID(community["id"]),
                phone=GRID_WORKER_PHONE,
                subject=f"网格员{name}",
                name=name,
            )
            print(f"  {'grid_worker':16} 手机号 {GRID_WORKER_PHONE}（{name}，短信验证码登录）")
    finally:
        read.stop()
        app.close()


# Where the demo's posters point when no public address is configured: `serve`'s own.
DEMO_BASE_URL = "http://127.0.0.1:8000"


def _community_index(name: str) -> int:
    from domain.demo.county import COMMUNITIES

    return next((i for i, c in enumerate(COMMUNITIES) if c.name == name), 0)


def _demo_posters(settings: Settings, store: Any, county_id: UUID) -> None:
    """One QR poster per community of the demo county (A4 PDF and PNG) in
    <data dir>/posters/, each pointing at the community's join page."""
    from api import poster
    from api.pages.join import poster_of
    from projections import directory

    base = (settings.public_url or DEMO_BASE_URL).rstrip("/")
    folder = settings.data_dir / "posters"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"社区报到登记二维码海报（{folder}）：")
    for row in directory.list_communities(store, str(county_id)):
        community = directory.get_community(store, row["community_id"]) or {"units": []}
        form = {
            "community_id": row["community_id"],
            "community_name": row["name"],
            "units": [{"name": u["name"], "paired": True} for u in community["units"]],
        }
        shown = poster_of(form, base)
        stem = "".join("_" if ch in '/\\:*?"<>|' else ch for ch in row["name"])
        pdf_path, png_path = folder / f"{stem}.pdf", folder / f"{stem}.png"
        pdf_path.write_bytes(poster.pdf(shown))
        png_path.write_bytes(poster.png(shown))
        print(f"  {row['name']}  扫码地址 {shown.join_url}")
        print(f"    海报 {pdf_path}  {png_path}")


def cmd_phone_code(args: argparse.Namespace, settings: Settings) -> int:
    """The code last sent to a phone, for a development setup with no SMS gateway (the
    operator holds the secret the code is derived from anyway)."""
    from domain.phone_check import PhoneCheck, code_for, phone_check_id
    from domain.values import clean_phone

    app = _app(settings)
    try:
        check = app.find(PhoneCheck, phone_check_id(clean_phone(args.phone)))
    finally:
        app.close()
    if check is None or check.nonce is None:
        print("该手机号没有待用的验证码（先在应用中获取验证码）", file=sys.stderr)
        return 2
    print(code_for(settings.secret(), check.nonce))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sishuang", description="四双 sishuang 运维命令")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="启动 API 服务")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="先导入演示县数据")
    serve.add_argument("--no-projections", action="store_true", help="投影由单独的 worker 运行")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="运行投影（读模型）")
    worker.set_defaults(func=cmd_worker)

    county = sub.add_parser("county", help="县（区）")
    county_sub = county.add_subparsers(dest="action", required=True)
    create = county_sub.add_parser("create", help="登记县（区）并签发组织部凭证")
    create.add_argument("--name", required=True)
    create.add_argument("--code", required=True)
    create.add_argument("--days", type=int, default=30)
    create.set_defaults(func=cmd_county)

    token = sub.add_parser("token", help="签发登录凭证")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--scope", help="县/社区/单位/党员 id，视角色而定")
    token.add_argument("--subject", required=True, help="使用者，如 组织部-王")
    token.add_argument(
        "--days", type=int, default=30, help=f"有效天数（1–{LIMITS.max_token_days}）"
    )
    token.set_defaults(func=cmd_token)

    account = sub.add_parser("account", help="账号")
    account_sub = account.add_subparsers(dest="action", required=True)
    org_dept = account_sub.add_parser(
        "create-org-dept", help="开设县（区）的组织部账号，打印一次性临时密码"
    )
    org_dept.add_argument("--county", required=True, help="县（区）id")
    org_dept.add_argument("--login", required=True, help="登录名")
    org_dept.add_argument("--name", required=True, help="姓名")
    org_dept.set_defaults(func=cmd_account_org_dept)

    phone_code = sub.add_parser(
        "phone-code", help="显示发给某手机号的当前验证码（开发环境，未配置短信网关时）"
    )
    phone_code.add_argument("phone")
    phone_code.set_defaults(func=cmd_phone_code)

    rebuild = sub.add_parser("rebuild", help="从事件日志重建读模型")
    rebuild.add_argument("names", nargs="*", help="投影名（默认全部）")
    rebuild.add_argument(
        "--in-place", action="store_true", help="就地删表重放（默认蓝绿：旧表照常服务，建好后切换）"
    )
    rebuild.set_defaults(func=cmd_rebuild)

    dead = sub.add_parser(
        "dead-letters", help="投影搁置的事件：列出（list），或修复后重建重试（retry）"
    )
    dead.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    dead.add_argument("names", nargs="*", help="retry 时的投影名（默认：有搁置事件的投影）")
    dead.set_defaults(func=cmd_dead_letters)

    sweep = sub.add_parser(
        "sweep",
        help="立即执行一次期限检查（无人接单、超时未评价、超期、兑换过期、抽查结果逾期未公开）",
    )
    sweep.set_defaults(func=cmd_sweep)

    deliver = sub.add_parser("deliver", help="发送消息（短信等）：单独运行的发送进程")
    deliver.add_argument("--once", action="store_true", help="只发送一轮后退出")
    deliver.set_defaults(func=cmd_deliver)

    check = sub.add_parser("check-standards", help="季度服务标准检查（黄灯、红灯）")
    check.add_argument("--county", required=True, help="县（区）id")
    check.add_argument("--year", type=int, required=True)
    check.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
    check.add_argument("--subject", default="组织部（定时任务）", help="记录为检查人")
    check.set_defaults(func=cmd_check)

    seal_key = sub.add_parser("seal-key", help="显示检查点验证公钥（交给审计方）")
    seal_key.set_defaults(func=cmd_seal_key)

    cp = sub.add_parser("checkpoint", help="立即为增长的日志签发检查点")
    cp.set_defaults(func=cmd_checkpoint)

    demo = sub.add_parser("demo", help="导入演示县数据")
    demo.set_defaults(func=cmd_demo)

    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    try:
        code: int = args.func(args, settings)
    except DomainError as e:
        print(f"{e.code}: {e.message_zh}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
