"""The ASGI middlewares every answer passes: request ids and logging, security headers.
(Input limits are in api.inputs.) Plain ASGI classes: Starlette's BaseHTTPMiddleware
would wrap errors raised while a body is read, such as BodyTooLarge, in an exception
group."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog

log = structlog.get_logger("api")

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a caller's id is echoed only if it is tame


class RequestIds:
    """Every request gets an id (the caller's X-Request-ID if it is tame), bound to the
    log context and returned in X-Request-ID; each request is logged once when answered."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers") or [] if k == b"x-request-id"), b"")
        text = given.decode("latin-1")
        rid = text if REQUEST_ID.fullmatch(text) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        started = time.perf_counter()
        status = 500

        async def with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*(message.get("headers") or []), (b"x-request-id", rid.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            log.info(
                "request",
                request_id=rid,
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )


# Pages are served with every asset from this service: nothing else may load, frame or
# be sent a referrer. JSON may load nothing at all.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc (api.contract) start from inline scripts and styles, and ReDoc
# runs a worker from a blob: still nothing from another host.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def error_headers() -> dict[str, str]:
    """What an answer made outside this middleware (the server's own 500) carries."""
    return {
        **{k.decode(): v.decode() for k, v in BASE_HEADERS},
        "content-security-policy": API_CSP,
        "cache-control": "no-store",
    }


# Paths whose answers carry a session's tokens (sign-in, refresh, registration).
TOKEN_PATHS = ("/api/v1/auth/", "/api/v1/registrations", "/api/v1/residents")


class SecurityHeaders:
    """Headers every answer carries: no MIME sniffing, no framing, no referrer, a
    content security policy, and no caching of answers to signed-in requests."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        signed = any(k.lower() == b"authorization" for k, _ in scope.get("headers") or [])
        # answers that hand out tokens are never kept by a cache, signed in or not
        private = signed or path.startswith(TOKEN_PATHS)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                extra = list(BASE_HEADERS)
                html = any(
                    k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers
                )
                policy = PAGE_CSP if html else API_CSP
                if html and path.startswith(DOCS_PATHS):
                    policy = DOCS_CSP
                extra.append((b"content-security-policy", policy.encode()))
                if private:
                    extra.append((b"cache-control", b"no-store"))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# The app's pages and their assets are compressed for a phone on a slow network; the
# JSON API is not (its clients, its tests and its content lengths stay as they are).
COMPRESSED_PATHS = ("/app/", "/console/", "/static/", "/public/")


class PageCompression:
    """gzip for the pages and assets (COMPRESSED_PATHS) when the browser accepts it."""

    def __init__(self, app: Any, minimum_size: int = 1024) -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(COMPRESSED_PATHS):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
