"""The staff consoles: browser pages for the people who run the program (社区, 单位,
组织部, 督查, 审计, 合作商家), under /console/, at desktop size.

The same conventions as the people's app (``api.pages``): pages are shells any browser
may fetch; what a signed-in person may see comes in parts under /console/parts/, loaded
by htmx with the session's Authorization header (``static/app/app.js``, shared); a part
calls the JSON route's own function, so it reads the same read models with the same
access checks; commands are ``<form data-command="/api/v1/…">``. Nothing here decides a
rule.

Each role's module registers its home part (``console_home``) and the entries of its
menu (``menu``); the frame (``frame.py``) renders the menu of whoever is signed in.
Ledgers are parts with a filter form (``console/_table.html``): sort, page and filters
are the form's fields, so reloading the part after a command keeps them; export
buttons fetch the API's xlsx/csv with the session (``static/console/console.js``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.context import signed_in
from api.pages import env, page
from domain.access import require_role
from domain.actors import ROLE_LABELS, Actor, Role

# The roles that work in a console (members, residents and grid workers use /app/).
CONSOLE_ROLES = (
    Role.COMMUNITY_ADMIN,
    Role.UNIT_ADMIN,
    Role.ORG_DEPT,
    Role.INSPECTOR,
    Role.AUDITOR,
    Role.PARTNER,
)
CONSOLE_TITLES = {
    Role.COMMUNITY_ADMIN: "社区工作台",
    Role.UNIT_ADMIN: "单位党组织工作台",
    Role.ORG_DEPT: "组织部工作台",
    Role.INSPECTOR: "督查工作台",
    Role.AUDITOR: "审计工作台",
    Role.PARTNER: "合作商家柜台",
}


@dataclass(frozen=True)
class MenuItem:
    label: str
    path: str
    order: int


MENUS: dict[Role, list[MenuItem]] = {}
ConsoleHome = Callable[[Request, Actor], HTMLResponse]
HOMES: dict[Role, ConsoleHome] = {}


def menu(role: Role, label: str, path: str, order: int = 50) -> None:
    """Put a page on ``role``'s menu (kept sorted by ``order``, then label)."""
    items = MENUS.setdefault(role, [])
    if any(i.path == path for i in items):
        return
    items.append(MenuItem(label, path, order))
    items.sort(key=lambda i: (i.order, i.label))


def console_home(role: Role) -> Callable[[ConsoleHome], ConsoleHome]:
    """Register what /console/parts/home shows ``role``."""

    def register(f: ConsoleHome) -> ConsoleHome:
        HOMES[role] = f
        return f

    return register


def console_page(
    request: Request, template: str, title: str, *, signed: bool = True, **context: Any
) -> HTMLResponse:
    """A console page shell (``console/base.html``): ``signed`` pages send the browser to
    sign in when it has no session."""
    return page(request, template, title, needs_session=signed, **context)


def staff(request: Request, *roles: Role) -> Actor:
    """The signed-in actor of a part, refused (the API's 403) unless one of ``roles``."""
    actor = signed_in(request)
    if roles:
        require_role(actor, *roles)
    return actor


def scope_of(actor: Actor) -> str:
    """The actor's scope id as text (its community, unit, county or partner)."""
    return "" if actor.scope_id is None else str(actor.scope_id)


def with_params(base: str, params: Mapping[str, Any], **changes: Any) -> str:
    """``base`` with ``params`` updated by ``changes`` as its query (empty values left out)."""
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in (None, "")}, doseq=True)
    return f"{base}?{query}" if query else base


env.globals.update(
    with_params=with_params,
    ROLE_LABELS={r.value: label for r, label in ROLE_LABELS.items()},
    CONSOLE_TITLES={r.value: t for r, t in CONSOLE_TITLES.items()},
)
