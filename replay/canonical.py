"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) for the values we hash.

Only the subset the leaf envelopes need: objects with string keys, arrays, strings,
integers, ``true``, ``false`` and ``null``. Floats are refused rather than given
ECMAScript number formatting, so a value can never hash differently on two platforms.

The rules applied (RFC 8785 §3.2):

- no whitespace; object members sorted by their names as arrays of UTF-16 code units
  (not code points, not UTF-8 bytes: U+1F600 sorts *before* U+FB33);
- strings escape only ``"``, ``\\``, the control characters ``\\b \\f \\n \\r \\t``
  by their short forms and the other characters below U+0020 as ``\\u00xx`` (lowercase
  hex); everything else, U+007F and U+2028 included, is written as itself in UTF-8;
- integers in decimal, within ±(2⁵³ − 1) so that every JSON reader (an ECMAScript one
  included) reads back the same number;
- strings with lone surrogates (not valid Unicode) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

MAX_SAFE_INTEGER = 2**53 - 1

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_ESCAPES = {chr(c): f"\\u{c:04x}" for c in range(0x20)} | _SHORT_ESCAPES
_TRANSLATION = str.maketrans(_ESCAPES)
_PLAIN = re.compile('[^\x00-\x1f"\\\\\ud800-\udfff]*')


class CanonicalJSONError(ValueError):
    """A value outside the canonical JSON subset (a float, a non-string key, ...)."""


class _Refused(Exception):
    """Raised deep inside a value; the containers on the way out add their path."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: list[str] = []


def _string(s: str) -> str:
    if _PLAIN.fullmatch(s):  # the common case: nothing to escape, no surrogates
        return '"' + s + '"'
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _Refused(
            f"string contains a lone surrogate at index {e.start}; not valid Unicode"
        ) from None
    return '"' + s.translate(_TRANSLATION) + '"'


def _utf16_key(item: tuple[str, str, object]) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the sequences of code units do.
    return item[0].encode("utf-16-be", "surrogatepass")


def _write(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise _Refused(f"integer {value} is outside ±(2**53 - 1), not exact in every reader")
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise _Refused(f"float {value!r} not allowed; use an integer or a string")
    elif isinstance(value, Mapping):
        items = []
        for key, val in value.items():
            if not isinstance(key, str):
                raise _Refused(f"object key {key!r} is a {type(key).__name__}, not a string")
            items.append((key, _string(key), val))
        items.sort(key=_utf16_key)
        out.append("{")
        for i, (key, encoded_key, val) in enumerate(items):
            if i:
                out.append(",")
            out.append(encoded_key)
            out.append(":")
            try:
                _write(val, out)
            except _Refused as e:
                e.path.append(f".{key}")
                raise
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            try:
                _write(item, out)
            except _Refused as e:
                e.path.append(f"[{i}]")
                raise
        out.append("]")
    else:
        raise _Refused(
            f"a {type(value).__name__} has no canonical JSON form here "
            "(only objects, arrays, strings, integers, true, false and null)"
        )


def canonical(obj: object) -> bytes:
    """The RFC 8785 canonical JSON of ``obj`` as UTF-8 bytes.

    Raises ``CanonicalJSONError`` (a ``ValueError``) for floats, non-string keys, lone
    surrogates, integers beyond ±(2⁵³ − 1) and any other type, saying where in ``obj``
    (``$.members[2].name``).
    """
    out: list[str] = []
    try:
        _write(obj, out)
    except _Refused as e:
        where = "$" + "".join(reversed(e.path))
        raise CanonicalJSONError(f"{where}: {e.problem}") from None
    return "".join(out).encode("utf-8")
