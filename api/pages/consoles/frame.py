"""The consoles' frame: staff sign-in (login, password, 动态口令), the forced change of a
temporary password, the menu of whoever is signed in, the home, and one's own account
(password, 动态口令, sign out everywhere). The roles' own pages are in the modules
beside this one."""

from __future__ import annotations

from typing import Any

import segno
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from api.context import current_access, services
from api.inputs import Body
from api.pages import pages, render
from api.pages.consoles import CONSOLE_ROLES, HOMES, MENUS, console_page, staff
from domain.actors import Role
from domain.errors import InvalidInput
from projections import accounts

# Why the console sent someone to sign in (/console/sign-in?why=<code>).
SIGN_IN_REASONS = {
    "expired": "登录已过期，请重新登录。",
    "ended": "登录已失效（已退出、账号停用或身份撤销），请重新登录。",
}


@pages.get("/console", response_class=HTMLResponse)
def console_root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=308)


@pages.get("/console/", response_class=HTMLResponse)
def console_entrance() -> RedirectResponse:
    return RedirectResponse("/console/home", status_code=303)


@pages.get("/console/sign-in", response_class=HTMLResponse)
def console_sign_in(request: Request, why: str = Query("", max_length=32)) -> HTMLResponse:
    return console_page(
        request,
        "console/sign_in.html",
        "工作人员登录",
        signed=False,
        why=SIGN_IN_REASONS.get(why, ""),
    )


@pages.get("/console/password", response_class=HTMLResponse)
def console_password(request: Request) -> HTMLResponse:
    # no menu: a session on a temporary password may do nothing else
    return console_page(request, "console/password.html", "修改密码", bare=True)


@pages.get("/console/home", response_class=HTMLResponse)
def console_home_page(request: Request) -> HTMLResponse:
    return console_page(request, "console/home.html", "首页")


@pages.get("/console/account", response_class=HTMLResponse)
def console_account(request: Request) -> HTMLResponse:
    return console_page(request, "console/account.html", "我的账号")


def _account(request: Request) -> dict[str, Any] | None:
    access = current_access(request)
    if access is None:
        return None
    return accounts.get_account(services(request).read.store, str(access.account_id))


@pages.get("/console/parts/menu", response_class=HTMLResponse)
def menu_part(request: Request) -> HTMLResponse:
    """The menu of the signed-in role, with who is signed in."""
    actor = staff(request)
    return render(
        "console/parts/menu.html",
        actor=actor,
        account=_account(request),
        items=MENUS.get(actor.role, []),
        path=request.query_params.get("at", ""),
    )


@pages.get("/console/parts/home", response_class=HTMLResponse)
def home_part(request: Request) -> HTMLResponse:
    actor = staff(request)
    shown = HOMES.get(actor.role)
    if shown is not None:
        return shown(request, actor)
    return render("console/parts/home_other.html", actor=actor)


@pages.get("/console/parts/account", response_class=HTMLResponse)
def account_part(request: Request) -> HTMLResponse:
    actor = staff(request)
    return render("console/parts/account.html", actor=actor, account=_account(request))


class QrIn(Body):
    text: str = Field(description="otpauth:// 地址", max_length=512)


@pages.post("/console/parts/totp-qr")
def totp_qr(body: QrIn, request: Request) -> Response:
    """The QR code of the otpauth:// address the API just returned, for the
    authenticator app to scan. Posted, so the secret in it is never in a URL or a log."""
    staff(request, *CONSOLE_ROLES, Role.OPERATOR)
    if not body.text.startswith("otpauth://totp/"):
        raise InvalidInput("not_otpauth", "这不是动态口令的地址", "not an otpauth://totp/ URI")
    svg = segno.make(body.text, error="m").svg_inline(scale=5, border=2, title="动态口令二维码")
    no_store = {"Cache-Control": "no-store"}
    return Response(svg, media_type="text/html; charset=utf-8", headers=no_store)
