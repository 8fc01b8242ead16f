"""The API's contract as clients read it (/openapi.json, /docs, /redoc).

What FastAPI generates is completed here, in one place:
- the error every refusal carries ({code, message, message_en, …}), documented on every
  operation for 400/401/403/404/409/413/422/429/431/503 with an example in Chinese, in place of
  FastAPI's own 422 schema, which this server never sends;
- a bearer security scheme (Swagger's Authorize), stated on each operation that reads
  a token: required where the route needs a signed-in actor, optional where the public
  may call it too;
- readable, stable operationIds: the route function's name (unique; a test keeps it so);
- Swagger UI and ReDoc from files installed with the package (fastapi-offline's
  static directory): no page of the documentation loads anything from another host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from api.context import current_actor, signed_in
from domain.limits import LIMITS
from projections.exports import XLSX

DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
DOCS_ASSETS_URL = "/docs-assets"
BEARER = "bearer"


class Problem(BaseModel):
    """One field a request got wrong (422 invalid_request)."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="字段路径，如 grids.0.code")
    label: str = Field(description="字段的中文名")
    problem: str | None = Field(None, description="问题（英文，供开发者）")
    allowed: list[Any] | None = Field(None, description="可选的值")
    allowed_labels: list[str] | None = Field(None, description="可选值的中文名")


class Error(BaseModel):
    """Every refusal: a stable code to branch on, a message for people in Chinese and in
    English. Some codes add fields (errors, details, limit, unknown, allowed)."""

    model_config = ConfigDict(extra="allow", title="Error")

    code: str = Field(description="稳定的错误编码，客户端据此判断")
    message: str = Field(description="给人看的中文说明，含下一步怎么做")
    message_en: str = Field(description="英文说明")
    errors: list[Problem] | None = Field(None, description="逐字段的问题（invalid_request）")
    details: dict[str, Any] | None = Field(None, description="与错误相关的编号等")


# status -> (what it means, an example body in Chinese)
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "请求无法读取（格式损坏）",
        {
            "code": "invalid_body",
            "message": "请求内容无法读取，请检查后重试",
            "message_en": "the body could not be read",
        },
    ),
    401: (
        "未登录或登录凭证无效、已过期",
        {
            "code": "unauthenticated",
            "message": "请先登录",
            "message_en": "sign in first: no bearer token",
        },
    ),
    403: (
        "已登录，但无权做这件事或看这些数据",
        {
            "code": "forbidden",
            "message": "无权操作：只有本社区的工作人员可以办理",
            "message_en": "not allowed for this role or scope",
        },
    ),
    404: (
        "所指的对象不存在",
        {
            "code": "unknown_order",
            "message": "需求不存在：3f2b…",
            "message_en": "no such order",
        },
    ),
    409: (
        "与当前状态冲突（例如需求已被他人接单），或他人同时修改",
        {
            "code": "concurrent_update",
            "message": "数据正被他人同时修改，请稍后重试",
            "message_en": "someone else changed this at the same moment; try again",
        },
    ),
    422: (
        "请求内容不正确：逐字段说明问题",
        {
            "code": "invalid_request",
            "message": "请求内容不正确：服务时长不能为空。请修改后重试",
            "message_en": "the request does not have the expected shape: hours: Field required",
            "errors": [
                {
                    "field": "hours",
                    "in": "body",
                    "label": "服务时长",
                    "type": "missing",
                    "problem": "Field required",
                }
            ],
        },
    ),
    413: (
        "请求内容超过上限（JSON、照片各有上限）",
        {
            "code": "body_too_large",
            "message": f"请求内容过大（最多 {LIMITS.max_json_bytes // 1024} KB）",
            "message_en": f"the request body is larger than {LIMITS.max_json_bytes} bytes",
            "limit": LIMITS.max_json_bytes,
        },
    ),
    429: (
        "过于频繁（如获取验证码），稍后重试；响应带 Retry-After",
        {
            "code": "too_many_codes",
            "message": "验证码已发送，请 60 秒后再试",
            "message_en": "a code was just sent; wait before asking again",
            "details": {"retry_after_seconds": 60},
        },
    ),
    431: (
        "请求头过大",
        {
            "code": "headers_too_large",
            "message": f"请求头过大（最多 {LIMITS.max_header_bytes // 1024} KB），请重新登录后再试",
            "message_en": f"request headers larger than {LIMITS.max_header_bytes} bytes",
        },
    ),
    503: (
        "系统繁忙（存储锁等待超时或正在恢复），稍后重试；响应带 Retry-After",
        {
            "code": "store_busy",
            "message": "系统繁忙，请稍后重试",
            "message_en": "the store is busy (lock timeout); try again",
        },
    ),
}


# A 台账 route with `?format=` answers JSON, or the ledger as a download (api.exports).
EXPORT_CONTENT = {
    XLSX: {"schema": {"type": "string", "format": "binary", "description": "Excel 工作簿"}},
    "text/csv": {"schema": {"type": "string", "description": "CSV（UTF-8，带 BOM）"}},
}


def operation_id(route: APIRoute) -> str:
    """The route function's name: `claim_completion`, `ledger`, … (a test keeps them
    unique, so a generated client's method names are the routes' own)."""
    return route.name


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _auth(route: APIRoute) -> str | None:
    """ "required" when the route needs a signed-in actor, "optional" when it reads a
    token if one is sent, None when it takes none."""
    calls = _calls(route.dependant)
    if signed_in in calls:
        return "required"
    if current_actor in calls:
        return "optional"
    return None


def _error_response(status: int, page: bool) -> dict[str, Any]:
    """A refusal: the Error as JSON; a page (text/html) refuses with a page."""
    meaning, example = ERRORS[status]
    if page:
        return {"description": meaning, "content": {"text/html": {"schema": {"type": "string"}}}}
    return {
        "description": meaning,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": example,
            }
        },
    }


# The operations' groups: ASCII names (a generated client's module names), Chinese descriptions.
TAGS: list[dict[str, str]] = [
    {"name": "system", "description": "系统"},
    {"name": "directory", "description": "名录"},
    {"name": "members", "description": "党员报到"},
    {"name": "progress", "description": "报到进度"},
    {"name": "orders", "description": "点单派单接单评单"},
    {"name": "activities", "description": "活动与对接"},
    {"name": "points", "description": "积分"},
    {"name": "evaluation", "description": "双评价"},
    {"name": "inspections", "description": "两随机一公开"},
    {"name": "messages", "description": "消息：站内信、消息设置、短信发送情况"},
    {"name": "audit", "description": "审计"},
    {"name": "accounts", "description": "账号与登录：短信验证码、密码、动态口令、会话、授权"},
]


def build(api: FastAPI, routers: list[APIRouter]) -> dict[str, Any]:
    """The OpenAPI document, completed (cached on the app like FastAPI's own).
    `routers`: the routers included, whose routes say which dependencies they take."""
    if api.openapi_schema:
        return api.openapi_schema
    doc = get_openapi(
        title=api.title,
        tags=TAGS,
        version=api.version,
        description=api.description,
        routes=api.routes,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in error_schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas["Error"] = error_schema
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "登录凭证：Authorization: Bearer <token>",
        }
    }
    auth = {
        operation_id(route): _auth(route)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            page = "text/html" in responses.get("200", {}).get("content", {})
            for status in ERRORS:
                responses[str(status)] = _error_response(status, page)
            if any(p.get("name") == "format" for p in operation.get("parameters", [])):
                responses["200"].setdefault("content", {}).update(EXPORT_CONTENT)
            needs = auth[operation["operationId"]]
            if needs == "required":
                operation["security"] = [{BEARER: []}]
            elif needs == "optional":
                operation["security"] = [{}, {BEARER: []}]
            else:
                operation["security"] = []
    api.openapi_schema = doc
    return doc


def install(api: FastAPI, routers: list[APIRouter]) -> None:
    """The completed contract at /openapi.json; Swagger UI at /docs and ReDoc at /redoc
    from local files."""
    api.openapi = lambda: build(api, routers)  # type: ignore[method-assign]
    api.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    favicon = f"{DOCS_ASSETS_URL}/favicon.png"

    @api.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title=f"{api.title} · 接口文档",
            swagger_js_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{favicon}",
            swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
        )

    @api.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}/openapi.json",
            title=f"{api.title} · 接口文档",
            redoc_js_url=f"{root}{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{favicon}",
            with_google_fonts=False,
        )
