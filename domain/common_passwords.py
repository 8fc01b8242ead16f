"""Common and breached passwords a new staff password may not be (NIST SP 800-63B §3.1.1.2).

The list is `domain/common_passwords.txt`, kept beside this module (see its first
lines for its source): constant data read once, like a module, never written. Entries
are compared case-folded; only entries that a length rule could let through matter, so
the file keeps those of 8 characters or more.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def is_common(folded: str) -> bool:
    return folded in common_passwords()
