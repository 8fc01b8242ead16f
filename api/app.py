"""The FastAPI application: wiring, errors, request ids, read-after-write."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import orjson
import structlog
from eventsourcing.persistence import IntegrityError, OperationalError
from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.logs import configure_logging
from api.photos import PhotoStore
from api.settings import Settings
from api.sweeper import Sweeper, publish_checkpoints
from api.tokens import verify
from domain import access
from domain.actors import PUBLIC, Actor
from domain.application import Result, Sishuang
from domain.clock import Clock, SystemClock, business_date
from domain.errors import DomainError, ErrorKind, NotFound, Unauthenticated
from projections import ReadModels, open_service

log = structlog.get_logger("api")

STATUS = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHENTICATED: 401,
}


# Chinese names of request fields, for validation messages a community worker can read.
FIELD_LABELS = {
    "name": "名称/姓名",
    "phone": "手机号码",
    "post": "职务",
    "unit_id": "单位",
    "community_id": "社区",
    "basis": "报到方式",
    "grid_code": "网格",
    "code": "编码",
    "grids": "网格",
    "member_count": "在职党员人数",
    "decision": "审核结果",
    "reason": "理由",
    "message": "提醒内容",
    "member_ids": "党员",
    "unit_ids": "单位",
    "hours_per_year": "承诺时长",
    "service_radius_km": "服务半径",
    "content": "需求内容",
    "category": "类别",
    "urgency": "紧急程度",
    "people_affected": "涉及人数",
    "stars": "星级",
    "solved": "是否解决",
    "hours": "服务时长",
    "lat": "纬度",
    "lon": "经度",
    "overrides": "政策参数",
    "held_on": "会议日期",
    "topic": "会议议题",
    "place": "会议地点",
    "period_start": "抽查期间起",
    "period_end": "抽查期间止",
    "public_value_available_after": "公开数值产生时间",
    "ratio": "抽查比例",
    "low_ratio": "低评价层抽查比例",
    "holidays": "节假日",
    "extra_workdays": "调休工作日",
    "target": "检查对象",
    "inspector_id": "检查人员",
    "confirmed": "群众是否确认",
    "attendance": "到会人数",
    "commitment": "承诺值",
    "contribution": "种子数值",
}


class OrjsonResponse(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str, option=orjson.OPT_NON_STR_KEYS)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    app: Sishuang
    read: ReadModels
    secret: bytes
    photos: PhotoStore


# Create commands accept this header: a retry with the same key returns the first result.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def today(request: Request) -> date:
    """The Beijing date now, on the service's clock."""
    return business_date(services(request).clock.now())


def current_actor(request: Request) -> Actor:
    """The bearer token's actor; a request without a token acts as the public."""
    header = request.headers.get("authorization", "")
    if not header:
        return PUBLIC
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "invalid_token", "请使用 Bearer 登录凭证", "use an Authorization: Bearer token"
        )
    svc = services(request)
    return verify(svc.secret, token.strip(), svc.clock.now())


def signed_in(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is PUBLIC:
        raise Unauthenticated("unauthenticated", "请先登录", "sign in first: no bearer token")
    return actor


def community_for_reader(request: Request, community_id: UUID, actor: Actor) -> dict[str, Any]:
    """The community's directory row, if the actor may read this community's ledgers."""
    from projections import directory

    row = directory.get_community(services(request).read.store, str(community_id))
    if row is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    access.require_read_community(
        actor, community_id=community_id, county_id=UUID(row["county_id"])
    )
    return row


def member_for_reader(request: Request, member_id: UUID, actor: Actor) -> dict[str, Any]:
    """The member's read-model row, if the actor may read this member (self, their
    community, their unit, the county's readers)."""
    from projections import members

    row = members.get_member(services(request).read.store, str(member_id))
    if row is None:
        raise NotFound("unknown_member", "党员不存在", "no such member")
    access.require_read_member(
        actor,
        member_id=member_id,
        county_id=UUID(row["county_id"]),
        community_id=UUID(row["community_id"]),
        unit_id=UUID(row["unit_id"]),
    )
    return row


def error_body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": zh, "message_en": en, **extra}


def command_response(
    request: Request, result: Result, body: dict[str, Any], *, created: bool = False
) -> OrjsonResponse:
    """Answer a command once the read models include it (bounded wait), and say so."""
    svc = services(request)
    consistent = svc.read.wait_for(result.position, svc.settings.read_wait_seconds)
    headers = {"X-Read-Model-Consistent": "true" if consistent else "false"}
    if result.position is not None:
        headers["X-Log-Position"] = str(result.position)
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    status = 201 if created and not result.replayed else 200
    return OrjsonResponse(
        {**body, "log_position": result.position}, status_code=status, headers=headers
    )


def read_consistency(request: Request, response: Response) -> None:
    """For queries: honour X-Min-Log-Position (wait, bounded) and report the lag."""
    if request.method != "GET":
        return
    svc = services(request)
    wanted = request.headers.get("x-min-log-position")
    if wanted and wanted.isdigit():
        svc.read.wait_for(int(wanted), svc.settings.read_wait_seconds)
    position, lag = svc.read.lag()
    response.headers["X-Read-Model-Position"] = str(position)
    response.headers["X-Read-Model-Lag"] = str(lag)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc: Services = app.state.services
        svc.read.start()
        sweeper = None
        if settings.run_projections and settings.sweep_seconds > 0:
            # The process that projects also sweeps (in production: the worker).
            sweeper = Sweeper(
                svc.app,
                svc.read.store,
                settings.sweep_seconds,
                checkpoints=lambda: publish_checkpoints(svc.app, svc.read.store, settings),
                checkpoint_interval=settings.checkpoint_seconds,
            )
            sweeper.start()
        log.info(
            "service_started",
            store=settings.store_kind,
            projections_in_process=settings.run_projections,
        )
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.stop()
            svc.read.stop()
            svc.app.close()

    application, read = open_service(
        settings.eventsourcing_env(),
        clock,
        run_projections=settings.run_projections,
        poll_interval=settings.poll_interval_seconds,
    )
    api = FastAPI(
        title="四双 sishuang",
        version="1.0",
        description="在职党员进社区：双报到、双服务、双包联、双评价。错误格式：{code, message}。",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
    )
    api.state.services = Services(
        settings,
        clock,
        application,
        read,
        settings.secret(),
        PhotoStore(settings.data_dir / "photos"),
    )
    _install_errors(api)
    _install_request_ids(api)

    from api import (
        routes_activities,
        routes_audit,
        routes_directory,
        routes_evaluation,
        routes_inspections,
        routes_members,
        routes_orders,
        routes_points,
        routes_progress,
        routes_system,
    )

    for module in (
        routes_system,
        routes_directory,
        routes_members,
        routes_progress,
        routes_orders,
        routes_activities,
        routes_points,
        routes_evaluation,
        routes_inspections,
        routes_audit,
    ):
        api.include_router(module.router, prefix="/api/v1")
    api.include_router(routes_inspections.pages)  # the public page, outside /api/v1
    return api


def create_app_from_env() -> FastAPI:
    """uvicorn factory: `uvicorn --factory api.app:create_app_from_env --workers 4`."""
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)


def _install_errors(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> OrjsonResponse:
        body = error_body(exc.code, exc.message_zh, exc.message_en)
        if exc.details:
            body["details"] = exc.details
        return OrjsonResponse(body, status_code=STATUS[exc.kind])

    @api.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> OrjsonResponse:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg")}
            for e in exc.errors()
        ]
        fields = "、".join(
            FIELD_LABELS.get(p["field"].split(".")[-1], p["field"]) or "请求体" for p in problems
        )
        return OrjsonResponse(
            error_body(
                "invalid_request",
                f"请求内容不正确：{fields}",
                "the request does not have the expected shape",
                errors=problems,
            ),
            status_code=422,
        )

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> OrjsonResponse:
        if exc.status_code == 404:
            body = error_body("not_found", "没有这个地址", "no such path")
        elif exc.status_code == 405:
            body = error_body("method_not_allowed", "不支持该请求方法", "method not allowed")
        else:
            body = error_body("http_error", "请求无法处理", str(exc.detail))
        return OrjsonResponse(body, status_code=exc.status_code)

    @api.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError) -> OrjsonResponse:
        log.warning("store_busy", error=str(exc))
        return OrjsonResponse(
            error_body(
                "store_busy", "系统繁忙，请稍后重试", "the store is busy (lock timeout); try again"
            ),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @api.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> OrjsonResponse:
        return OrjsonResponse(
            error_body(
                "concurrent_update",
                "数据正被他人同时修改，请稍后重试",
                "someone else changed this at the same moment; try again",
            ),
            status_code=409,
        )

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> OrjsonResponse:
        log.exception("unhandled_error")
        return OrjsonResponse(
            error_body("internal_error", "服务器内部错误，请稍后重试", "internal error"),
            status_code=500,
        )


def _install_request_ids(api: FastAPI) -> None:
    @api.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        log.info(
            "request",
            request_id=rid,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response
