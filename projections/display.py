"""What a person reads: one rule for moments and hours in every answer (docs/figures.md).

Read models keep moments as UTC text and hours as exact decimals; an answer leaving the
service (JSON, a page, the auditor's printed ledgers) shows them the one way people read
them:

- a moment (UTC ISO 8601 text, domain.calendar.STORED_MOMENT) becomes Beijing time with
  its offset, "2026-03-02T09:00:00+08:00" (domain.calendar.local_iso);
- service hours (a value under one of HOURS_KEYS that is a decimal or decimal text) show
  with two decimals, "2.00" (domain.values.hours_text). Other numbers named in hours —
  a policy's windows (rating_window_hours), a commitment's whole hours, average times to
  dispatch — are not service hours and keep their own form.

Left exactly as recorded: what people typed (free text, projections.people's
FREE_TEXT_KEYS) and what a hash or a commitment covers (VERBATIM: an inspection plan's
document, its seed contributions and commitments, the drawn sample, a sealed log's leaf).
Exports (projections.exports) apply the same rule, as real dates and numbers for Excel.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from domain.calendar import local_iso, parse_stored
from domain.values import hours_text
from projections.people import FREE_TEXT_KEYS

# Keys whose values are served exactly as recorded (a hash or a commitment covers them).
VERBATIM = frozenset(
    {
        "document",
        "leaf",
        "contributions",
        "commitments",
        "sample",
        "alternates",
        "roster",
        "drawn_assignments",
    }
)

# The figures that are service hours (claimed, credited, summed, required by the standard).
HOURS_KEYS = frozenset(
    {
        "hours",
        "hours_credited",
        "claimed_hours",
        "hours_reversed",
        "hours_before",
        "hours_total",
        "hours_this_year",
        "hours_from_orders",
        "hours_from_activities",
        "required_hours",
        "due_hours",
    }
)


def hours_value(value: Any) -> str | None:
    """Hours text for a decimal (or decimal text) value; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, str)):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(value[:32])
        return hours_text(number) if number.is_finite() else None
    except (InvalidOperation, ValueError):
        return None


def for_people(value: Any) -> Any:
    """An answer with every moment in Beijing time and every service-hours figure in two
    decimals (a new structure; the argument is not changed)."""
    kind = type(value)
    if kind is str:
        return _moment(value)
    if kind is dict:
        return _dict(value)
    if kind is list or kind is tuple:
        return [for_people(item) for item in value]
    if isinstance(value, dict):
        return _dict(value)
    if isinstance(value, (list, tuple)):
        return [for_people(item) for item in value]
    return value


def _dict(value: dict[Any, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, item in value.items():
        if key in VERBATIM:
            out[key] = item
        elif key in HOURS_KEYS and (shown := hours_value(item)) is not None:
            out[key] = shown
        elif type(item) is str:
            out[key] = item if key in FREE_TEXT_KEYS else _moment(item)
        elif item is None or type(item) in (int, bool, float):
            out[key] = item
        else:
            out[key] = for_people(item)
    return out


def _moment(text: str) -> str:
    """A stored moment as Beijing time; any other text as it is."""
    if len(text) < 25 or not text.endswith("+00:00"):  # the cheap test first
        return text
    moment = parse_stored(text)
    return text if moment is None else local_iso(moment)
