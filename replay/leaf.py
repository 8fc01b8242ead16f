"""The leaf envelope: what a community log's Merkle tree commits to for one event.

A leaf is the RFC 8785 canonical JSON of::

    {"community": ..., "notification_id": ..., "originator_id": ...,
     "originator_version": ..., "recorded_at": ..., "seq": ..., "state_sha256": ...,
     "topic": ..., "v": 1}

(strings and integers only; members in canonical order). ``state_sha256`` is the hex
SHA-256 of the event's *stored* bytes, the recorder's ``state`` column exactly as
written (``state_digest``): never a re-serialisation of the decoded event, which could
differ from what was stored and would hide a change to it.

Conventions the sealer and the verifier share:

- ``seq`` is the leaf's position in its community log counting from 0, which is also
  its Merkle leaf index; a log's leaves have ``seq`` 0, 1, 2, ... with no gaps.
- ``community`` is the id of the log (a community id; the county's id for the county
  log), ``originator_id`` the aggregate id, both as ``str(uuid)`` (lowercase, hyphens).
- ``notification_id`` is the event's position in the global log, and
  ``originator_version`` its version in its aggregate, as the recorder stored them.
- ``recorded_at`` is the time the event was recorded, a string compared literally;
  the sealer should write ISO 8601 UTC (``2024-05-01T08:00:00.123456+00:00``).
- ``v`` is ``LEAF_VERSION``; a change to the envelope gets a new version, and a
  verifier refuses versions it does not know.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields

from replay.canonical import canonical
from replay.merkle import leaf_hash as _leaf_hash

LEAF_VERSION = 1

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_INT_FIELDS = ("seq", "notification_id", "originator_version")
_STR_FIELDS = ("community", "originator_id", "topic", "recorded_at", "state_sha256")
_FIELDS = frozenset(("v", *_INT_FIELDS, *_STR_FIELDS))


class LeafError(ValueError):
    """A leaf envelope that is malformed, or not in canonical form."""


def state_digest(stored_bytes: bytes) -> str:
    """The hex SHA-256 of an event's stored bytes (the recorder's ``state``)."""
    if not isinstance(stored_bytes, bytes | bytearray | memoryview):
        raise TypeError(f"stored bytes expected, got {type(stored_bytes).__name__}")
    return hashlib.sha256(stored_bytes).hexdigest()


@dataclass(frozen=True, slots=True)
class Leaf:
    community: str
    seq: int
    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    recorded_at: str
    state_sha256: str
    v: int = LEAF_VERSION

    def __post_init__(self) -> None:
        if self.v != LEAF_VERSION or isinstance(self.v, bool):
            raise LeafError(f"leaf version {self.v!r} unknown (this code knows {LEAF_VERSION})")
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise LeafError(f"leaf {name} must be a non-negative integer, not {value!r}")
        for name in _STR_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise LeafError(f"leaf {name} must be a non-empty string, not {value!r}")
        if not _HEX_SHA256.fullmatch(self.state_sha256):
            raise LeafError(
                f"leaf state_sha256 must be 64 lowercase hex digits, not {self.state_sha256!r}"
            )

    def as_dict(self) -> dict[str, str | int]:
        return {name: getattr(self, name) for name in _FIELD_ORDER}

    def encode(self) -> bytes:
        """The canonical JSON bytes of this envelope: the Merkle leaf."""
        return canonical(self.as_dict())

    def leaf_hash(self) -> bytes:
        """SHA-256(0x00 ‖ leaf): this leaf's hash in its log's Merkle tree."""
        return _leaf_hash(self.encode())


_FIELD_ORDER = tuple(f.name for f in fields(Leaf))


def leaf(
    community_id: str,
    seq: int,
    notification_id: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    recorded_at: str,
    state_sha256: str,
) -> bytes:
    """The canonical JSON bytes of the leaf envelope for one event in a community log.

    ``state_sha256`` is ``state_digest(stored.state)`` for the event's stored record.
    Raises ``LeafError`` for a negative or non-integer number, an empty string or a
    digest that is not 64 lowercase hex digits.
    """
    return Leaf(
        community=community_id,
        seq=seq,
        notification_id=notification_id,
        originator_id=originator_id,
        originator_version=originator_version,
        topic=topic,
        recorded_at=recorded_at,
        state_sha256=state_sha256,
    ).encode()


def _refuse_float(text: str) -> object:
    raise LeafError(f"leaf contains the number {text}; only integers are allowed")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise LeafError(f"leaf has the member {key!r} twice")
        result[key] = value
    return result


def decode_leaf(data: bytes) -> Leaf:
    """Read a leaf back, refusing anything that is not exactly what ``leaf`` writes:
    invalid UTF-8 or JSON, missing, extra or duplicated members, wrong types, an unknown
    ``v``, or any byte away from the canonical form."""
    try:
        text = bytes(data).decode("utf-8")
        obj = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_refuse_float,
            parse_constant=_refuse_float,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LeafError(f"leaf is not valid UTF-8 JSON: {e}") from None
    if not isinstance(obj, dict):
        raise LeafError(f"leaf must be a JSON object, not {type(obj).__name__}")
    if set(obj) != _FIELDS:
        missing = sorted(_FIELDS - set(obj))
        extra = sorted(set(obj) - _FIELDS)
        raise LeafError(f"leaf members wrong: missing {missing}, unexpected {extra}")
    result = Leaf(**obj)
    if result.encode() != bytes(data):
        raise LeafError("leaf is not in canonical form (RFC 8785)")
    return result
