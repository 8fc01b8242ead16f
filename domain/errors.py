"""Domain errors: a stable code, a message in Chinese and in English, and a kind.

The kind tells the edge which class of failure this is (the API maps it to an HTTP
status); the code is the stable contract clients program against.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    INVALID = "invalid"  # the input breaks a rule (422)
    NOT_FOUND = "not_found"  # a referenced thing does not exist (404)
    CONFLICT = "conflict"  # the current state forbids it (409)
    FORBIDDEN = "forbidden"  # the actor may not do this (403)
    UNAUTHENTICATED = "unauthenticated"  # no valid credentials (401)
    THROTTLED = "throttled"  # too many of these too soon (429, Retry-After)


class DomainError(Exception):
    kind: ErrorKind = ErrorKind.INVALID

    def __init__(self, code: str, message_zh: str, message_en: str, **details: object) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED


class Throttled(DomainError):
    kind = ErrorKind.THROTTLED
