"""Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second
steps, one step of drift either side; a step once used is not accepted again.

The secret is kept sealed (AES-GCM under a key derived from the service secret, passed
in), so the event log alone never yields a working code. Pure computation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.limits import LIMITS, Limits

DIGITS = 6  # RFC 6238's and every authenticator app's default
SECRET_BYTES = 20  # RFC 4226 §4: 160 bits
ISSUER = "四双"


def hotp(secret: bytes, counter: int, digits: int = DIGITS) -> str:
    mac = hmac.new(secret, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_of(now: datetime, limits: Limits = LIMITS) -> int:
    return int(now.timestamp()) // limits.totp_step_seconds


def code_at(secret: bytes, now: datetime, limits: Limits = LIMITS) -> str:
    return hotp(secret, step_of(now, limits))


def matching_step(
    secret: bytes, code: str, now: datetime, last_used: int | None, limits: Limits = LIMITS
) -> int | None:
    """The time step the code belongs to (now ± the window), if it is one not used yet."""
    code = (code or "").strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = step_of(now, limits)
    window = limits.totp_window_steps
    for step in range(current - window, current + window + 1):
        if last_used is not None and step <= last_used:
            continue
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def otpauth_uri(secret: bytes, account: str, issuer: str = ISSUER) -> str:
    """What an authenticator app scans (the Key Uri Format)."""
    label = quote(f"{issuer}:{account}")
    encoded = base64.b32encode(secret).decode().rstrip("=")
    return (
        f"otpauth://totp/{label}?secret={encoded}&issuer={quote(issuer)}"
        f"&algorithm=SHA1&digits={DIGITS}&period={LIMITS.totp_step_seconds}"
    )


def _key(service_secret: bytes) -> bytes:
    return hmac.new(service_secret, b"sishuang totp seal v1", hashlib.sha256).digest()


def seal(service_secret: bytes, secret: bytes, account_id: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(service_secret)).encrypt(nonce, secret, account_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(service_secret: bytes, sealed: str, account_id: str) -> bytes:
    raw = base64.b64decode(sealed)
    return AESGCM(_key(service_secret)).decrypt(raw[:12], raw[12:], account_id.encode())
