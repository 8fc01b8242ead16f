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
    # Lifetimes of the service tokens (ss1) the operator's CLI issues, in days.
    max_token_days: int = 90
    # Accounts and sessions (docs/accounts.md).
    # A staff password: at least this long, at most that long; no composition rules.
    staff_password_min_length: int = 12
    password_max_length: int = 128
    # Password hashes (argon2id, 64 MiB each) worked out at once in one process: a flood
    # of sign-ins waits its turn instead of taking every core and the memory.
    password_hashes_at_once: int = 2
    # Consecutive failed sign-ins that lock an account, and for how long.
    lock_after_failures: int = 10
    lock_minutes: int = 15
    # A phone code: valid this long, this many tries; how often one may be sent.
    phone_code_valid_minutes: int = 5
    phone_code_max_tries: int = 5
    phone_code_resend_seconds: int = 60
    phone_codes_per_hour: int = 5
    # …and this many a day: with 5 tries each, at most 50 guesses a day at one phone's code.
    phone_codes_per_day: int = 10
    address_codes_per_hour: int = 20
    # Failed password sign-ins from one client address in an hour (many accounts tried).
    sign_in_failures_per_address_per_hour: int = 30
    # An access token lives minutes; a session ends after days unused or at its maximum.
    access_token_minutes: int = 15
    session_idle_days: int = 14
    session_max_days: int = 30
    # TOTP: the time step, the steps accepted either side of now.
    totp_step_seconds: int = 30
    totp_window_steps: int = 1
    # Accounts in one answer (a scope's list), grants one account may hold.
    max_grants: int = 20


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
    "staff_password_min_length": "NIST SP 800-63B (at least 8; 12 for staff, sishuang)",
    "password_max_length": "NIST SP 800-63B (at least 64 allowed)",
    "password_hashes_at_once": "sishuang (100 parallel sign-ins made /health 300× slower)",
    "sign_in_failures_per_address_per_hour": (
        "sishuang (issue 14 review: password spraying across accounts)"
    ),
    "lock_after_failures": "NIST SP 800-63B §5.2.2 (at most 100 consecutive failures)",
    "lock_minutes": "sishuang",
    "phone_code_valid_minutes": "issue 14 (valid 5 minutes)",
    "phone_code_max_tries": "issue 14 (at most 5 tries)",
    "phone_code_resend_seconds": "issue 14 (resend throttled per phone)",
    "phone_codes_per_hour": "issue 14 (resend throttled per phone)",
    "phone_codes_per_day": "sishuang (issue 14 review: a cap on guesses at one phone over time)",
    "address_codes_per_hour": "issue 14 (throttled per client address)",
    "access_token_minutes": "issue 14 (short-lived access tokens)",
    "session_idle_days": "sishuang",
    "session_max_days": "sishuang",
    "totp_step_seconds": "RFC 6238 (30 s)",
    "totp_window_steps": "RFC 6238 §5.2 (one step of clock drift)",
    "max_grants": "sishuang",
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
