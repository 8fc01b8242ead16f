"""The hashes a draw is bound by (docs/draw-definition.md §1): a document's SHA-256
over its RFC 8785 JSON, the frozen roster's, the sample commitment an unannounced plan
publishes before its visits; and the frozen target directory's id, derived from its
plan's."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID, uuid5

from replay.canonical import canonical

PLAN_SCHEMA = "sishuang/draw-plan/v1"
ROSTER_SCHEMA = "sishuang/draw-roster/v1"
SAMPLE_SCHEMA = "sishuang/draw-sample/v1"
DIRECTORY_NAMESPACE = UUID("6f1d6a53-52b9-4c8e-9a3e-0f1c3c1e2d77")


def sha256_canonical(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def directory_id(plan_id: UUID) -> UUID:
    """The frozen target directory of a plan has an id derived from the plan's."""
    return uuid5(DIRECTORY_NAMESPACE, str(plan_id))


def roster_hash(roster: dict[str, list[str]]) -> str:
    return sha256_canonical({"schema": ROSTER_SCHEMA, "inspectors": roster})


def sample_commitment(
    seed: str,
    seed_hash: str,
    sample: dict[str, list[list[str]]],
    assignments: dict[str, list[str]],
) -> str:
    """What an unannounced plan publishes before its visits: the hash of the sample, the
    seed (secret until then, so the hash cannot be guessed) and the teams."""
    return sha256_canonical(
        {
            "schema": SAMPLE_SCHEMA,
            "seed_hash": seed_hash,
            "sample": sample,
            "seed": seed,
            "assignments": assignments,
        }
    )
