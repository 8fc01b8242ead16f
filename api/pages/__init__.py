"""The people's app: pages served by the service for phones (members, residents, grid
workers), under /app/.

Sign-in is bearer-only (no cookies, so no cross-site request forgery), so a page is a
shell that any browser may fetch; the parts of it that show someone's data are HTML
fragments under /app/parts/, fetched by htmx with the Authorization header that
``static/app/app.js`` adds. A part calls the JSON route's own function, so it reads the
same read models with the same access checks; a refusal is the API's JSON error, which
app.js shows in the part's place. Commands are sent by app.js to /api/v1 as JSON, each
form keeping one Idempotency-Key until it succeeds. Nothing here decides a rule.

Templates live in ``api/templates/app`` (autoescaped); every asset in ``api/static``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from domain.actors import Actor, Role
from domain.calendar import local
from domain.limits import LIMITS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Pages are not part of the typed API (/openapi.json): they are for people.
pages = APIRouter(include_in_schema=False)


def beijing(value: Any, with_year: bool = False) -> str:
    """An ISO timestamp (or datetime) as a person in China reads it, in Beijing time:
    12月7日 18:50 (2026年12月7日 18:50 ``with_year``)."""
    if value in (None, ""):
        return "—"
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    t = local(when)
    year = f"{t.year}年" if with_year else ""
    return f"{year}{t.month}月{t.day}日 {t:%H:%M}"


def day(value: Any) -> str:
    """A date (or ISO date) as 12月7日."""
    if value in (None, ""):
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.month}月{d.day}日"


def number(value: Any) -> str:
    """A decimal without trailing zeros: 1.50 → 1.5, 12.0 → 12."""
    if value in (None, ""):
        return "0"
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(part: Any, whole: Any) -> int:
    """``part`` of ``whole`` as a whole percentage, 0–100 (for progress bars)."""
    try:
        p, w = float(part or 0), float(whole or 0)
    except (TypeError, ValueError):
        return 0
    if w <= 0:
        return 100 if p > 0 else 0
    return max(0, min(100, round(100 * p / w)))


def pages_of(total: int, size: int) -> int:
    """How many pages ``total`` rows fill at ``size`` a page (at least one)."""
    return max(1, -(-int(total) // max(1, int(size))))


ROLE_HOME_TITLES = {
    Role.MEMBER.value: "党员",
    Role.RESIDENT.value: "群众",
    Role.GRID_WORKER.value: "网格员",
}

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(("html",), default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(beijing=beijing, day=day, number=number)
env.globals.update(
    percent=percent,
    pages_of=pages_of,
    ROLE_HOME_TITLES=ROLE_HOME_TITLES,
    # what the sign-in pages say about a code, from the limits the API enforces
    CODE_VALID_MINUTES=LIMITS.phone_code_valid_minutes,
    CODE_RESEND_SECONDS=LIMITS.phone_code_resend_seconds,
)


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A whole page or a part, rendered from ``api/templates/<template>``."""
    html = env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)


def page(request: Request, template: str, title: str, **context: Any) -> HTMLResponse:
    """A page shell: ``app/base.html`` with the page's title and blocks."""
    return render(template, title=title, path=request.url.path, **context)


# Each role's home part and need part, registered by the role's module (member.py …).
Home = Callable[[Request, Actor], HTMLResponse]
NeedPart = Callable[[Request, Actor, UUID], HTMLResponse]
HOMES: dict[Role, Home] = {}
NEEDS: dict[Role, NeedPart] = {}


def home_for(role: Role) -> Callable[[Home], Home]:
    """Register the home part of ``role`` (what /app/parts/home shows them)."""

    def register(f: Home) -> Home:
        HOMES[role] = f
        return f

    return register


def need_for(role: Role) -> Callable[[NeedPart], NeedPart]:
    """Register how ``role`` sees one need (/app/parts/needs/{order_id})."""

    def register(f: NeedPart) -> NeedPart:
        NEEDS[role] = f
        return f

    return register


# The modules whose routes make up the app, in the order their paths are matched.
MODULES = (
    "api.pages.shell",
    "api.pages.join",
    "api.pages.member",
    "api.pages.resident",
    "api.pages.grid",
    # the staff consoles (api/pages/consoles/)
    "api.pages.consoles.charts",
    "api.pages.consoles.frame",
    "api.pages.public",
    "api.pages.consoles.unit",
    "api.pages.consoles.community_program",
    "api.pages.consoles.partner",
    "api.pages.consoles.audit",
)


def router() -> APIRouter:
    """The app's router, with every page module's routes on it."""
    import importlib

    for name in MODULES:
        importlib.import_module(name)
    return pages
