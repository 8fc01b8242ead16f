"""The HTTP server's own refusals in the API's JSON error shape.

uvicorn answers a request it cannot parse (headers over `h11_max_incomplete_event_size`,
a malformed request line) with a plain-text 400 before the application sees it. This
protocol sends the same status as the API's JSON error instead, so a client (the phone
app) can show the message like any other."""

from __future__ import annotations

import h11
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

from domain.limits import LIMITS

BAD_REQUEST = orjson.dumps(
    {
        "code": "bad_http_request",
        "message": "请求无法解析：请求头过大（最多 "
        f"{LIMITS.max_header_bytes // 1024} KB）或格式不正确，请重新登录后再试",
        "message_en": "the request could not be parsed: headers too large or malformed",
    }
)


class JsonErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        event = h11.Response(
            status_code=400,
            headers=[
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BAD_REQUEST)).encode()),
                (b"connection", b"close"),
            ],
            reason=b"Bad Request",
        )
        self.transport.write(self.conn.send(event))
        self.transport.write(self.conn.send(h11.Data(data=BAD_REQUEST)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()
