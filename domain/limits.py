"""Bounds on what comes in: named, with their sources (docs/configuration.md).

Policy values (domain.policies) are the program's rules, set per county; these are the
service's own bounds on input, the same everywhere: how far apart dates may lie, how
big a request, a page or a number may be. A value outside them is refused with a
clear 422 before it can become an event (an event is forever) or reach a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInput


@dataclass(frozen=True)
class Limits:
    # Years a date may fall in: the program began in the 2000s; 0001 or 9999 is a typo.
    earliest_year: int = 2000
    latest_year: int = 2100
    # Ledger pages: page numbers and rows per page.
    max_page: int = 100_000
    max_page_size: int = 500
    # Integers in a request: what a JavaScript client (the phone app) holds exactly.
    max_integer: int = 2**53 - 1
    # Digits of a decimal number in a request (hours, coordinates, radii, ratios).
    max_decimal_digits: int = 24
    # A JSON request body (the largest real one, an inspection plan, is a few kB).
    max_json_bytes: int = 256 * 1024
    # Nesting of a JSON body (real ones nest three levels).
    max_json_depth: int = 16
    # A photo upload, whatever a county's photo_max_bytes says (it may only be lower).
    max_photo_bytes: int = 20 * 1024 * 1024
    # Request headers together (a token is ~300 bytes).
    max_header_bytes: int = 32 * 1024
    # A catalogue item's price in points, and its stock (a county's shop, not a warehouse).
    max_item_points: int = 1_000_000
    max_item_stock: int = 1_000_000
    # Lifetimes of the tokens the operator's CLI and the registration issue, in days.
    max_token_days: int = 90
    member_token_days: int = 90
    resident_token_days: int = 180


LIMITS = Limits()

LIMIT_SOURCES: dict[str, str] = {
    "earliest_year": "sishuang (issue 11: years 2000–2100)",
    "latest_year": "sishuang (issue 11: years 2000–2100)",
    "max_page": "sishuang",
    "max_page_size": "sishuang (the ledger API's page)",
    "max_integer": "sishuang (JavaScript's safe integers)",
    "max_decimal_digits": "sishuang",
    "max_json_bytes": "sishuang (issue 11: JSON well under 1 MB)",
    "max_json_depth": "sishuang",
    "max_photo_bytes": "sishuang (ceiling of photo_max_bytes)",
    "max_header_bytes": "sishuang",
    "max_item_points": "sishuang",
    "max_item_stock": "sishuang",
    "max_token_days": "sishuang (issue 11: CLI token lifetimes capped)",
    "member_token_days": "sishuang",
    "resident_token_days": "sishuang",
}


def check_year(value: date | datetime | int, what_zh: str, limits: Limits = LIMITS) -> None:
    """Refuse a date outside the years the service takes (a typo, or an attack on the
    arithmetic that follows: 0001-01-01 in Beijing time is before year 1 in UTC)."""
    year = value if isinstance(value, int) else value.year
    if not limits.earliest_year <= year <= limits.latest_year:
        raise InvalidInput(
            "date_out_of_range",
            f"{what_zh}应在 {limits.earliest_year} 年到 {limits.latest_year} 年之间",
            f"a date between {limits.earliest_year} and {limits.latest_year} is expected",
        )


def markdown_table() -> str:
    """The limits table of docs/configuration.md (`python -m domain.limits`)."""
    rows = ["| name | value | source |", "| --- | --- | --- |"]
    rows += [
        f"| `{name}` | {value} | {LIMIT_SOURCES[name]} |" for name, value in vars(LIMITS).items()
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
