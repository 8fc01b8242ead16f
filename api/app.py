"""The FastAPI application: wiring, errors, request ids, read-after-write."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from eventsourcing.persistence import IntegrityError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import contract
from api.clocks import edge_clock
from api.context import OrjsonResponse, Services, services
from api.inputs import BodyTooLarge, InputLimits, error_body, too_large_body
from api.logs import configure_logging
from api.middleware import PageCompression, RequestIds, SecurityHeaders, error_headers
from api.photos import PhotoStore
from api.refusals import describe
from api.sweeper import Sweeper, publish_checkpoints
from domain.clock import Clock
from domain.errors import DomainError, ErrorKind
from projections import open_service
from projections.settings import Settings

log = structlog.get_logger("api")

STATIC_DIR = Path(__file__).resolve().parent / "static"

STATUS = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.THROTTLED: 429,
}


PROJECTIONS_DIED_EXIT = 3  # the exit status of a process whose projections thread died


def projections_died(error: BaseException) -> None:
    """The in-process projections thread has ended: a process that went on answering
    from frozen read models would mislead everyone, so it ends now, non-zero, for its
    supervisor to restart it."""
    log.critical("process_exiting_projections_died", error=repr(error)[:500])
    logging.shutdown()
    os._exit(PROJECTIONS_DIED_EXIT)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    clock = clock or edge_clock(settings)

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
        deliverer = None
        if settings.run_projections:
            from api.delivery.worker import deliverer_for

            deliverer = deliverer_for(svc.app, svc.read.store, settings)
            if deliverer is not None:
                deliverer.start()
        log.info(
            "service_started",
            store=settings.store_kind,
            projections_in_process=settings.run_projections,
        )
        try:
            yield
        finally:
            if deliverer is not None:
                deliverer.stop()
            if sweeper is not None:
                sweeper.stop()
            svc.read.stop()
            svc.app.close()

    application, read = open_service(
        settings.eventsourcing_env(),
        clock,
        run_projections=settings.run_projections,
        poll_interval=settings.poll_interval_seconds,
        on_death=projections_died,
        secret=settings.secret(),
    )
    api = FastAPI(
        title="四双 sishuang",
        version="1.0",
        description=(
            "在职党员进社区：双报到、双服务、双包联、双评价。"
            "每个拒绝都是同一格式 Error：{code, message, message_en}，code 稳定，可据此判断。"
            "登录凭证：Authorization: Bearer <token>（点 Authorize 填入）。"
        ),
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
        docs_url=None,  # served by api.contract from local files
        redoc_url=None,
        generate_unique_id_function=contract.operation_id,
    )
    api.state.services = Services(
        settings,
        clock,
        application,
        read,
        settings.secret(),
        PhotoStore(settings.secure_data_dir() / "photos"),
    )
    _install_errors(api)
    api.add_middleware(RequestIds)
    api.add_middleware(
        InputLimits,
        max_json_bytes=settings.max_json_bytes,
        max_header_bytes=settings.max_header_bytes,
    )
    api.add_middleware(PageCompression)  # pages and assets only, not the JSON API
    api.add_middleware(SecurityHeaders)  # on every answer, refusals included
    if settings.cors_origins:  # outermost: a browser's preflight is answered first
        api.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Min-Log-Position",
            ],
            expose_headers=[
                "X-Log-Position",
                "X-Read-Model-Consistent",
                "X-Read-Model-Position",
                "X-Read-Model-Lag",
                "Idempotent-Replayed",
                "Retry-After",
                "X-Request-Id",
            ],
            allow_credentials=False,  # bearer tokens, no cookies
            max_age=600,
        )

    from api import pages as app_pages
    from api import (
        routes_accounts,
        routes_activities,
        routes_audit,
        routes_directory,
        routes_evaluation,
        routes_inspections,
        routes_members,
        routes_messages,
        routes_orders,
        routes_points,
        routes_progress,
        routes_system,
    )

    modules = (
        routes_system,
        routes_directory,
        routes_members,
        routes_progress,
        routes_orders,
        routes_activities,
        routes_points,
        routes_evaluation,
        routes_inspections,
        routes_messages,
        routes_audit,
        routes_accounts,
    )
    for module in modules:
        api.include_router(module.router, prefix="/api/v1")
    api.include_router(routes_inspections.pages)  # the public page, outside /api/v1
    api.include_router(app_pages.router())  # the people's app, /app/ (not in the contract)
    # Every asset a page uses is served from here (intranets have no internet).
    api.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    contract.install(api, [*(m.router for m in modules), routes_inspections.pages])
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
        headers = {}
        if exc.details:
            body["details"] = exc.details
            retry = exc.details.get("retry_after_seconds")
            if isinstance(retry, int):
                headers["Retry-After"] = str(retry)
        return OrjsonResponse(body, status_code=STATUS[exc.kind], headers=headers)

    @api.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> OrjsonResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return OrjsonResponse(
                error_body(
                    "invalid_json",
                    "请求内容不是有效的 JSON，请检查后重试",
                    "the body is not valid JSON",
                ),
                status_code=422,
            )
        return OrjsonResponse(describe(list(errors)), status_code=422)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> OrjsonResponse:
        if exc.status_code == 404:
            body = error_body("not_found", "没有这个地址", "no such path")
        elif isinstance(exc, BodyTooLarge):
            body = too_large_body(exc.limit)
        elif exc.status_code == 400:
            body = error_body(
                "invalid_body", "请求内容无法读取，请检查后重试", "the body could not be read"
            )
        elif exc.status_code == 405:
            body = error_body("method_not_allowed", "不支持该请求方法", "method not allowed")
        else:
            body = error_body("http_error", "请求无法处理", str(exc.detail))
        return OrjsonResponse(body, status_code=exc.status_code)

    @api.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError) -> OrjsonResponse:
        log.warning("store_busy", error=str(exc))
        # A restart or failover leaves every pooled connection dead: replace them now,
        # so the client's retry does not meet the next one.
        await run_in_threadpool(services(request).read.store.recover)
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
            headers=error_headers(),  # made outside the middleware that adds them
        )
