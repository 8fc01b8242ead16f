"""The grid worker's (网格员) pages: the community's open needs by deadline, the needs
waiting for a rating that the grid worker may give on a resident's behalf (代评), and
the 微心愿卡: a need posted for a resident, registered on the spot if need be.

A grid worker's grant is for a community (its scope); the needs are read from the
community's ledger (routes_orders.ledger, the same access rule as the API's)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api import routes_directory, routes_orders, routes_system
from api.pages import home_for, need_for, page, pages, render
from api.pages.resident import (
    DEADLINE_WORDS,
    NEXT_FOR_GRID,
    SOURCES,
    URGENCIES,
    may,
    need_context,
)
from api.pages.shell import part_actor
from domain.actors import Actor, Role
from domain.errors import Forbidden
from domain.values import NeedSource

FAR = "9999"  # sorts a need without a deadline last


def community_of(actor: Actor) -> UUID:
    """The community a resident's or grid worker's grant is for."""
    if actor.scope_id is None:
        raise Forbidden(
            "no_scope", "登录凭证未指定社区，请重新登录", "the token names no community"
        )
    return actor.scope_id


def ledger_rows(
    request: Request, actor: Actor, status: str | None, grid: str | None = None
) -> list[dict[str, Any]]:
    """The community's needs ledger as the API answers it (one page of 500)."""
    found = routes_orders.ledger(
        community_of(actor),
        request,
        actor,
        status=status,
        category=None,
        urgency=None,
        grid=grid or None,
        source=None,
        overdue=None,
        q=None,
        sort="take_deadline",
        order="asc",
        page=1,
        size=500,
        format="json",
    )
    rows: list[dict[str, Any]] = found["items"]
    return rows


def open_needs(request: Request, actor: Actor, grid: str | None = None) -> list[dict[str, Any]]:
    """The community's needs not yet finished, nearest deadline first (the API's
    deadline of each)."""
    rows = ledger_rows(request, actor, "open", grid)
    rows.sort(key=lambda r: r.get("deadline") or FAR)
    return rows


def grids_of(request: Request, actor: Actor) -> dict[str, Any]:
    form: dict[str, Any] = routes_directory.registration_form(community_of(actor), request)
    return form


@home_for(Role.GRID_WORKER)
def grid_home(request: Request, actor: Actor) -> HTMLResponse:
    rows = open_needs(request, actor)
    rating = [r for r in rows if may(r["status"], "rate_satisfied")]
    others = [r for r in rows if r not in rating]
    return render(
        "app/parts/grid/home.html",
        rating=rating,
        needs=others[:10],
        more=max(0, len(others) - 10),
        deadline_words=DEADLINE_WORDS,
        community=grids_of(request, actor),
    )


@need_for(Role.GRID_WORKER)
def grid_need(request: Request, actor: Actor, order_id: UUID) -> HTMLResponse:
    row = routes_orders.get_need(order_id, request, actor)
    context = need_context(row, NEXT_FOR_GRID)
    return render("app/parts/resident/need.html", on_behalf=True, **context)


@pages.get("/app/parts/grid/grids", response_class=HTMLResponse)
def grids_part(request: Request) -> HTMLResponse:
    """The community's grids as a choice (the place of a need, typed)."""
    actor = part_actor(request)
    return render("app/parts/grid/grids.html", community=grids_of(request, actor))


@pages.get("/app/grid/needs", response_class=HTMLResponse)
def needs_page(request: Request) -> HTMLResponse:
    return page(request, "app/grid/needs.html", "本网格需求", needs_session=True)


@pages.get("/app/parts/grid/needs", response_class=HTMLResponse)
def needs_part(request: Request, grid: str = Query("", max_length=40)) -> HTMLResponse:
    actor = part_actor(request)
    return render(
        "app/parts/grid/needs.html",
        needs=open_needs(request, actor, grid),
        grid=grid,
        deadline_words=DEADLINE_WORDS,
        community=grids_of(request, actor),
        may=may,
    )


@pages.get("/app/grid/wish-card", response_class=HTMLResponse)
def wish_card_page(request: Request) -> HTMLResponse:
    return page(request, "app/grid/wish_card.html", "填写微心愿卡", needs_session=True)


@pages.get("/app/parts/grid/wish-card", response_class=HTMLResponse)
def wish_card_part(request: Request) -> HTMLResponse:
    actor = part_actor(request)
    community = grids_of(request, actor)
    # residents who posted in this community before (the ledger's own rows), to pick from
    seen: dict[str, dict[str, Any]] = {}
    for r in ledger_rows(request, actor, None):
        if r.get("resident_id") and r["resident_id"] not in seen:
            seen[r["resident_id"]] = r
    return render(
        "app/parts/grid/wish_card.html",
        community=community,
        residents=list(seen.values()),
        categories=routes_system.skill_categories(),
        urgencies=URGENCIES,
        sources=SOURCES,
        default_source=NeedSource.WISH_CARD.code,
    )
