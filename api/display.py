"""What a person reads: one rule for moments and hours in every answer (docs/figures.md).

Read models keep moments as UTC text and hours as exact decimals; an answer leaving the
service shows them the one way people read them:

- a moment (UTC ISO 8601 text, domain.calendar.STORED_MOMENT) becomes Beijing time with
  its offset, "2026-03-02T09:00:00+08:00" (`local_iso`);
- hours (a value under a key named `hours`, `hours_*` or `*_hours` that is a decimal or
  decimal text) show with two decimals, "2.00" (domain.values.hours_text).

Documents served verbatim because something hashes them (an inspection plan's document,
a sealed log's leaf) are left exactly as recorded: VERBATIM names their keys.
Exports (api.exports) apply the same rule, as real dates and numbers for Excel.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from domain.calendar import local_iso, parse_stored
from domain.values import hours_text

# Keys whose values are served exactly as recorded (a hash covers them).
VERBATIM = frozenset({"document", "leaf"})


def is_hours_key(key: str) -> bool:
    return key == "hours" or key.startswith("hours_") or key.endswith("_hours")


def hours_value(value: Any) -> str | None:
    """Hours text for a decimal (or decimal text) value; None for anything else."""
    if isinstance(value, Decimal):
        return hours_text(value) if value.is_finite() else None
    if isinstance(value, str) and 0 < len(value) <= 32:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return hours_text(number) if number.is_finite() else None
    return None


def for_people(value: Any) -> Any:
    """An answer with every moment in Beijing time and every hours figure in two
    decimals (a new structure; the argument is not changed)."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in VERBATIM:
                out[key] = item
            elif isinstance(key, str) and is_hours_key(key):
                shown = hours_value(item)
                out[key] = for_people(item) if shown is None else shown
            else:
                out[key] = for_people(item)
        return out
    if isinstance(value, (list, tuple)):
        return [for_people(item) for item in value]
    if isinstance(value, str):
        moment = parse_stored(value)
        return value if moment is None else local_iso(moment)
    return value
