"""SMS gateways: one HTTP adapter for a provider's send-SMS request, and the development
sink that writes each message to the log (docs/notifications.md).

The adapter sends, for one message:

    POST <SISHUANG_SMS_URL>
    Content-Type: application/json; charset=utf-8
    X-Sms-Key-Id: <SISHUANG_SMS_ACCESS_KEY_ID>
    X-Sms-Timestamp: <unix seconds>
    X-Sms-Nonce: <the delivery id>.<attempt>
    X-Sms-Signature: hex(HMAC-SHA256(<SISHUANG_SMS_ACCESS_KEY_SECRET>, string to sign))

    {"phone": "13800001234", "sign_name": "<SISHUANG_SMS_SIGN_NAME>",
     "template_id": "<the kind's id in SISHUANG_SMS_TEMPLATES>",
     "params": {"need": "…", "deadline": "…"}, "out_id": "<the delivery id>"}

where the string to sign is the lines `POST`, the URL's path (with its query), the
timestamp, the nonce and the hex SHA-256 of the body bytes, joined by "\\n". The body is
compact JSON with its keys sorted. A 2xx answer is sent (its JSON `message_id`, or
`biz_id`, is the provider's reference) unless its JSON `code` is present and not "OK";
anything else is a definite failure, as is a refused connection. A timeout or a broken
connection after the request went out is in doubt: the worker does not send it again.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

import orjson
import structlog

from domain.masking import mask_phone

log = structlog.get_logger("sms")

MAX_ANSWER_BYTES = 64 * 1024  # what is read of the provider's answer, at most


class DefiniteFailure(Exception):
    """The provider did not take the message (refused, said no): try again later."""


class Doubtful(Exception):
    """The request may have reached the provider: never send it again."""


@dataclass(frozen=True)
class Sms:
    """One SMS as the worker hands it to a gateway."""

    kind: str  # the message kind (its template key)
    phone: str
    params: Mapping[str, str]
    out_id: str  # the delivery id: the provider may deduplicate on it
    attempt: int
    text: str  # the message as the inbox shows it (the log sink writes it)


class Gateway(Protocol):
    def send(self, sms: Sms, now: datetime) -> str:
        """Send; return the provider's reference. Raises DefiniteFailure or Doubtful."""
        ...


class LogSink:
    """Development: every SMS is written to the log (the phone masked), nothing sent."""

    def send(self, sms: Sms, now: datetime) -> str:
        log.info(
            "sms_sink",
            kind=sms.kind,
            phone=mask_phone(sms.phone),
            params=dict(sms.params),
            text=sms.text,
            out_id=sms.out_id,
        )
        return f"log:{sms.out_id}"


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method, path, timestamp, nonce, hashlib.sha256(body).hexdigest()])


def signature(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class HttpGateway:
    url: str
    sign_name: str
    access_key_id: str
    access_key_secret: str
    templates: Mapping[str, str]
    connect_timeout: float = 3.0
    timeout: float = 10.0

    def request(self, sms: Sms, now: datetime) -> tuple[str, dict[str, str], bytes]:
        """The path, headers and body of the send-SMS request (the module's docstring)."""
        template = self.templates.get(sms.kind)
        if not template:
            raise DefiniteFailure(f"no_template: SISHUANG_SMS_TEMPLATES names none for {sms.kind}")
        parts = urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = orjson.dumps(
            {
                "phone": sms.phone,
                "sign_name": self.sign_name,
                "template_id": template,
                "params": dict(sms.params),
                "out_id": sms.out_id,
            },
            option=orjson.OPT_SORT_KEYS,
        )
        timestamp = str(int(now.timestamp()))
        nonce = f"{sms.out_id}.{sms.attempt}"
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Sms-Key-Id": self.access_key_id,
            "X-Sms-Timestamp": timestamp,
            "X-Sms-Nonce": nonce,
            "X-Sms-Signature": signature(
                self.access_key_secret, string_to_sign("POST", path, timestamp, nonce, body)
            ),
        }
        return path, headers, body

    def send(self, sms: Sms, now: datetime) -> str:
        path, headers, body = self.request(sms, now)
        parts = urlsplit(self.url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        if not parts.hostname:
            raise DefiniteFailure("no_host: SISHUANG_SMS_URL names no host")
        conn = connection_class(parts.hostname, parts.port, timeout=self.connect_timeout)
        try:
            try:
                conn.connect()  # nothing has left yet: any failure here is definite
            except OSError as e:
                raise DefiniteFailure(f"connect: {type(e).__name__}: {e}") from None
            if conn.sock is not None:
                conn.sock.settimeout(self.timeout)
            try:
                conn.request("POST", path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read(MAX_ANSWER_BYTES)
            except (OSError, http.client.HTTPException) as e:
                raise Doubtful(f"after sending: {type(e).__name__}: {e}") from None
        finally:
            conn.close()
        if not 200 <= answer.status < 300:
            raise DefiniteFailure(f"http {answer.status}: {data[:200].decode(errors='replace')}")
        try:
            parsed = orjson.loads(data) if data else {}
        except orjson.JSONDecodeError:
            parsed = {}
        if not isinstance(parsed, dict):
            parsed = {}
        code = parsed.get("code")
        if code is not None and str(code).upper() != "OK":
            raise DefiniteFailure(f"provider: {code}: {str(parsed.get('message', ''))[:200]}")
        return str(parsed.get("message_id") or parsed.get("biz_id") or "")
