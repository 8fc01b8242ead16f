"""Staff passwords: the rules a new one must meet (NIST SP 800-63B) and argon2id hashing.

Pure computation: the salt comes from the caller, the hash from `cryptography`'s
Argon2id. The rules: at least `staff_password_min_length` characters, at most
`password_max_length`, no composition rules, not one of the common passwords
(domain.common_passwords), not containing the login or the phone number.
"""

from __future__ import annotations

import base64
import hmac
import string
import threading
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from domain.common_passwords import is_common
from domain.errors import InvalidInput
from domain.limits import LIMITS, Limits

ALGORITHM = "argon2id"


@dataclass(frozen=True)
class HashParams:
    """Argon2id's cost: OWASP Password Storage Cheat Sheet's first choice
    (m = 19 MiB, t = 2, p = 1); the output and salt lengths are RFC 9106's."""

    memory_kib: int = 19 * 1024
    iterations: int = 2
    lanes: int = 1
    length: int = 32
    salt_bytes: int = 16


PARAMS = HashParams()


@dataclass(frozen=True)
class PasswordHash:
    """What an account keeps of a password: the hash and everything needed to check it
    again, so the parameters can be raised later without breaking old hashes."""

    algorithm: str
    salt: str  # base64
    digest: str  # base64
    memory_kib: int
    iterations: int
    lanes: int
    length: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# At most LIMITS.password_hashes_at_once argon2id derivations run at once in a process
# (a computation's own bound, like a size limit; the rest wait their turn).
_HASHING = threading.BoundedSemaphore(LIMITS.password_hashes_at_once)


def _derive(
    password: str, salt: bytes, memory_kib: int, iterations: int, lanes: int, length: int
) -> bytes:
    kdf = Argon2id(
        salt=salt, length=length, iterations=iterations, lanes=lanes, memory_cost=memory_kib
    )
    with _HASHING:
        return kdf.derive(_normalised(password).encode("utf-8"))


def _normalised(password: str) -> str:
    """One spelling per password (NIST: Unicode normalisation, NFKC)."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, salt: bytes, params: HashParams = PARAMS) -> PasswordHash:
    if len(salt) < 8:
        raise ValueError("argon2id needs a salt of at least 8 bytes")
    digest = _derive(
        password, salt, params.memory_kib, params.iterations, params.lanes, params.length
    )
    return PasswordHash(
        ALGORITHM,
        _b64(salt),
        _b64(digest),
        params.memory_kib,
        params.iterations,
        params.lanes,
        params.length,
    )


def verify_password(password: str, stored: PasswordHash) -> bool:
    if stored.algorithm != ALGORITHM or len(password) > 4 * LIMITS.password_max_length:
        return False
    derived = _derive(
        password,
        base64.b64decode(stored.salt),
        stored.memory_kib,
        stored.iterations,
        stored.lanes,
        stored.length,
    )
    return hmac.compare_digest(derived, base64.b64decode(stored.digest))


def _refuse(code: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(code, zh, en)


def _core(folded: str) -> str:
    """A password without the digits and symbols padded around it ("password1234!" is
    "password"): a common password padded is as easy to guess (NIST SP 800-63B asks
    for "expected" values to be refused, and padding is the first guess)."""
    return folded.strip(string.digits + string.punctuation + string.whitespace)


def check_new_password(
    password: str, *, login: str = "", phone: str = "", limits: Limits = LIMITS
) -> str:
    """The password, if it meets the rules; else InvalidInput saying which one."""
    if not isinstance(password, str) or not password:
        raise _refuse("password_empty", "密码不能为空", "the password is empty")
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise _refuse(
            "password_invalid", "密码不能含控制字符", "the password has control characters"
        )
    length = len(_normalised(password))
    if length < limits.staff_password_min_length:
        raise _refuse(
            "password_too_short",
            f"密码至少 {limits.staff_password_min_length} 个字符（可以是一句好记的话）",
            f"a password has at least {limits.staff_password_min_length} characters",
        )
    if length > limits.password_max_length:
        raise _refuse(
            "password_too_long",
            f"密码不能超过 {limits.password_max_length} 个字符",
            f"a password has at most {limits.password_max_length} characters",
        )
    folded = _normalised(password).casefold()
    if is_common(folded) or is_common(_core(folded)) or len(set(folded)) <= 3:
        raise _refuse(
            "password_common",
            "这个密码太常见，容易被猜中，请换一个",
            "this password is on the list of common passwords",
        )
    for part in (login, phone):
        if len(part) >= 3 and part.casefold() in folded:
            raise _refuse(
                "password_contains_login",
                "密码不能包含登录名或手机号",
                "the password contains the login name or the phone number",
            )
    return password
