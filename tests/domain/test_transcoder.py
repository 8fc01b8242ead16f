"""The transcoder knows every coded value of the domain: an event or a request's
fingerprint (an idempotency key's claim) holding one never fails to encode."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from enum import Enum
from uuid import UUID

import pytest

import domain
from domain.service import fingerprint
from domain.transcoder import ENUMS, decode_value, encode_value
from domain.values import Labelled


def _labelled_enums() -> set[type[Enum]]:
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    found: set[type[Enum]] = set()
    todo: list[type] = [Labelled]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("domain.") and list(sub):  # type: ignore[call-overload]
                found.add(sub)
    return found


def test_every_coded_value_of_the_domain_is_registered() -> None:
    missing = sorted(e.__qualname__ for e in _labelled_enums() - set(ENUMS.values()))
    assert not missing, f"register these in domain.transcoder.ENUMS: {missing}"


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_each_registered_value_round_trips_and_fingerprints(name: str) -> None:
    for member in ENUMS[name]:
        value = {"v": member, "t": (member, UUID(int=1)), "at": datetime(2026, 3, 1, tzinfo=UTC)}
        assert decode_value(encode_value(value)) == value
        assert len(fingerprint(value)) == 64
