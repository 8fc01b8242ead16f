"""The partner's counter (合作商家柜台): the code a member shows on the phone is looked up
(what is handed over, for how many points, to whom: the name masked) before it is
confirmed, and the settlement list (兑换结算清单) as a ledger with its exports.

A partner's grant is for the partner (its scope). The look-up and the list are the JSON
routes' own functions (routes_points.code_lookup, routes_points.settlement), so they
refuse as the API does; the confirmation is the API's command, sent by app.js."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api import routes_points
from api.context import services
from api.pages import pages, render
from api.pages.consoles import console_home, console_page, menu, staff
from domain.actors import Actor, Role
from domain.calendar import business_date
from domain.errors import Forbidden
from projections.points import REDEMPTION_LABELS

SETTLEMENT_PAGE = 50
STATUSES = ("confirmed", "requested", "cancelled", "expired")  # the API's default first

menu(Role.PARTNER, "核销兑换码", "/console/partner/counter", 10)
menu(Role.PARTNER, "兑换结算清单", "/console/partner/settlement", 20)


def partner_of(actor: Actor) -> UUID:
    """The partner a partner's grant is for."""
    if actor.scope_id is None:
        raise Forbidden(
            "no_scope", "登录凭证未指定合作商家，请重新登录", "the token names no partner"
        )
    return actor.scope_id


def _today(request: Request) -> date:
    return business_date(services(request).clock.now())


def _settlement(
    request: Request,
    actor: Actor,
    status: str | None = "confirmed",
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = routes_points.settlement(
        partner_of(actor),
        request,
        actor,
        status=status,  # type: ignore[arg-type]  # one of STATUSES, checked by the caller
        start=start,
        end=end,
        fmt="json",
    )
    return found


@console_home(Role.PARTNER)
def partner_home(request: Request, actor: Actor) -> HTMLResponse:
    """Today's confirmations at a glance, and the way to the counter."""
    today = _today(request)
    found = _settlement(request, actor, "confirmed", today, today + timedelta(days=1))
    return render("console/parts/partner/home.html", actor=actor, today=today, found=found)


@pages.get("/console/partner/counter", response_class=HTMLResponse)
def counter_page(request: Request) -> HTMLResponse:
    return console_page(request, "console/partner/counter.html", "核销兑换码")


@pages.get("/console/parts/partner/counter", response_class=HTMLResponse)
def counter_part(request: Request) -> HTMLResponse:
    """The code form (the partner's id in the command's URL)."""
    actor = staff(request, Role.PARTNER)
    return render("console/parts/partner/counter.html", partner_id=partner_of(actor))


@pages.get("/console/parts/partner/code", response_class=HTMLResponse)
def code_part(request: Request, code: str = Query("", max_length=32)) -> HTMLResponse:
    """What the code names, before it is confirmed; a wrong, used or expired code is the
    API's refusal (shown by app.js in the part's place)."""
    actor = staff(request, Role.PARTNER)
    partner_id = partner_of(actor)
    found = routes_points.code_lookup(partner_id, request, actor, code=code.strip())
    return render(
        "console/parts/partner/code.html",
        partner_id=partner_id,
        code=code.strip(),
        found=found,
    )


@pages.get("/console/parts/partner/today", response_class=HTMLResponse)
def today_part(request: Request) -> HTMLResponse:
    """The confirmations of today (Beijing), latest first: what the counter just did."""
    actor = staff(request, Role.PARTNER)
    today = _today(request)
    found = _settlement(request, actor, "confirmed", today, today + timedelta(days=1))
    rows = list(reversed(found["redemptions"]))
    return render("console/parts/partner/today.html", found=found, rows=rows, today=today)


@pages.get("/console/partner/settlement", response_class=HTMLResponse)
def settlement_page(request: Request) -> HTMLResponse:
    return console_page(
        request,
        "console/partner/settlement.html",
        "兑换结算清单",
        statuses=[(s, REDEMPTION_LABELS[s]) for s in STATUSES],
    )


@pages.get("/console/parts/partner/settlement", response_class=HTMLResponse)
def settlement_part(
    request: Request,
    status: str = Query("confirmed", max_length=16),
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    """The settlement list as the API answers it (one filter at a time), paged here: the
    route answers the whole list with its totals."""
    actor = staff(request, Role.PARTNER)
    partner_id = partner_of(actor)
    chosen = status if status in STATUSES else "confirmed"
    found = _settlement(request, actor, chosen, start, end)
    rows = found["redemptions"]
    last = max(1, -(-len(rows) // SETTLEMENT_PAGE))
    page = min(page, last)
    shown = rows[(page - 1) * SETTLEMENT_PAGE : page * SETTLEMENT_PAGE]
    return render(
        "console/parts/partner/settlement.html",
        partner_id=partner_id,
        found=found,
        rows=shown,
        page=page,
        size=SETTLEMENT_PAGE,
        status=chosen,
        status_label=REDEMPTION_LABELS[chosen],
        state={"page": page},
    )
