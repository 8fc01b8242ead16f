"""The app's frame: the entrance, sign-in, home, inbox and "mine" pages, for every role
that uses a phone. The role's own pages are in the modules beside this one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import routes_messages
from api.context import current_access, current_actor, signed_in
from api.pages import HOMES, NEEDS, page, pages, pages_of, render
from domain.actors import ROLE_LABELS, Actor, Role
from domain.messages import MessageKind

PHONE_ROLES = (Role.MEMBER, Role.RESIDENT, Role.GRID_WORKER)
# Why the app sent someone to sign in (/app/sign-in?why=<code>).
SIGN_IN_REASONS = {
    "expired": "登录已过期，请重新登录。",
    "ended": "您已在其他设备上退出或登录已失效，请重新登录。",
}
# Messages about an order: the inbox links each to the need's page.
ORDER_KINDS = frozenset(
    k.code
    for k in (
        MessageKind.DISPATCHED,
        MessageKind.NEARBY_NEED,
        MessageKind.APPLICATION_RESULT,
        MessageKind.RATING_REQUEST,
        MessageKind.TAKE_WINDOW_ENDING,
        MessageKind.RATING_WINDOW_ENDING,
        MessageKind.OVERDUE,
    )
)


def part_actor(request: Request) -> Actor:
    """The signed-in actor of a part's request (a 401 the app answers by signing in)."""
    return signed_in(request)


@pages.get("/app", response_class=HTMLResponse)
def app_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=308)


@pages.get("/app/", response_class=HTMLResponse)
def entrance(request: Request) -> HTMLResponse:
    return page(request, "app/entrance.html", "欢迎")


@pages.get("/app/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request,
    why: str = Query("", max_length=32),
) -> HTMLResponse:
    # a code, never text from the link: the page says only what the service wrote
    return page(request, "app/sign_in.html", "手机号登录", why=SIGN_IN_REASONS.get(why, ""))


@pages.get("/app/home", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return page(request, "app/home.html", "首页", needs_session=True)


@pages.get("/app/parts/home", response_class=HTMLResponse)
def home_part(request: Request) -> HTMLResponse:
    actor = current_actor(request)
    if actor.role is Role.PUBLIC and current_access(request) is None:
        actor = part_actor(request)  # no session at all: 401, and the app signs in
    context: dict[str, Any] = {"actor": actor, "role_label": ROLE_LABELS[actor.role]}
    if actor.role is Role.PUBLIC:  # a verified phone that has not registered yet
        return render("app/parts/home_new.html", **context)
    shown = HOMES.get(actor.role)
    if shown is not None:
        return shown(request, actor)
    return render("app/parts/home_other.html", **context)


@pages.get("/app/inbox", response_class=HTMLResponse)
def inbox(request: Request) -> HTMLResponse:
    return page(request, "app/inbox.html", "消息", needs_session=True)


@pages.get("/app/parts/inbox", response_class=HTMLResponse)
def inbox_part(
    request: Request,
    unread: bool = False,
    page_number: int = Query(1, alias="page", ge=1, le=10000),
) -> HTMLResponse:
    actor = part_actor(request)
    found = routes_messages.my_messages(request, actor, unread=unread, page=page_number, size=20)
    return render(
        "app/parts/inbox.html",
        inbox=found,
        unread=unread,
        page=page_number,
        pages=pages_of(found["total"], found["size"]),
        ORDER_KINDS=ORDER_KINDS,
    )


@pages.get("/app/mine", response_class=HTMLResponse)
def mine(request: Request) -> HTMLResponse:
    return page(request, "app/mine.html", "我的", needs_session=True)


@pages.get("/app/needs/{order_id}", response_class=HTMLResponse)
def need_page(order_id: UUID, request: Request) -> HTMLResponse:
    return page(request, "app/need.html", "需求详情", needs_session=True, order_id=order_id)


@pages.get("/app/parts/needs/{order_id}", response_class=HTMLResponse)
def need_part(order_id: UUID, request: Request) -> HTMLResponse:
    """One need as the signed-in person sees it: its own module per role."""
    actor = part_actor(request)
    shown = NEEDS.get(actor.role)
    if shown is not None:
        return shown(request, actor, order_id)
    return render("app/parts/home_other.html", actor=actor, role_label=ROLE_LABELS[actor.role])
