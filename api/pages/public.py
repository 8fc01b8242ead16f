"""The public pages (公示), for anyone, with no sign-in: an index of the counties'
communities and units, each community's and unit's yearly 公示 of its members' service
and evaluation results, and each community's 微心愿墙 (its needs, masked).

Each page renders what the public JSON route answers, by calling the route's own
function (routes_directory.public_directory, routes_evaluation.public_community_results
and public_unit_results, routes_orders.public_wishes), so the page shows what the API
publishes and nothing more; a route's refusal (no such community) is the page's 404.
The pages are plain HTML in large type (/static/public.css), no script: a phone of 390
px and an office screen both read them without sideways scrolling.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api import routes_directory, routes_evaluation, routes_orders
from api.inputs import Page, YearQuery
from api.pages import pages, render
from domain.errors import NotFound
from domain.limits import LIMITS
from projections.evaluation import PUBLIC_COLUMNS
from projections.needs import WALL_STATES

WALL_PAGE_SIZE = 20


def _missing(title: str, message: str) -> HTMLResponse:
    return render("public/missing.html", status_code=404, title=title, message=message)


def _years(year: int) -> dict[str, int | None]:
    """The years a 公示 page links to, either side of ``year``, within the API's years."""
    return {
        "previous": year - 1 if year - 1 >= LIMITS.earliest_year else None,
        "next": year + 1 if year + 1 <= LIMITS.latest_year else None,
    }


@pages.get("/public", response_class=HTMLResponse)
def public_index(request: Request) -> HTMLResponse:
    directory = routes_directory.public_directory(request)
    return render("public/index.html", title="公示", counties=directory["counties"])


def _results(
    place: str, kind: str, found: dict[str, Any], path: str, *, with_wishes: bool = False
) -> HTMLResponse:
    """A community's or a unit's 公示 page from the public JSON route's answer;
    ``path`` is ``communities/<id>`` or ``units/<id>``."""
    return render(
        "public/results.html",
        title=f"{place} {found['year']}年度党员服务公示",
        place=place,
        kind=kind,
        year=found["year"],
        years=_years(found["year"]),
        members=found["members"],
        columns=PUBLIC_COLUMNS,
        base=f"/public/{path}/results",
        data=f"/api/v1/public/{path}/results",
        wishes=f"/public/{path}/wishes" if with_wishes else None,
    )


@pages.get("/public/communities/{community_id}/results", response_class=HTMLResponse)
def community_results_page(
    community_id: UUID, request: Request, year: YearQuery = None
) -> HTMLResponse:
    try:
        found = routes_evaluation.public_community_results(
            community_id, request, year=year, fmt="json"
        )
    except NotFound:
        return _missing("没有这个社区", "没有找到这个社区。")
    return _results(
        found["community"], "社区", found, f"communities/{community_id}", with_wishes=True
    )


@pages.get("/public/units/{unit_id}/results", response_class=HTMLResponse)
def unit_results_page(unit_id: UUID, request: Request, year: YearQuery = None) -> HTMLResponse:
    try:
        found = routes_evaluation.public_unit_results(unit_id, request, year=year, fmt="json")
    except NotFound:
        return _missing("没有这个单位", "没有找到这个单位。")
    return _results(found["unit"], "单位", found, f"units/{unit_id}")


@pages.get("/public/communities/{community_id}/wishes", response_class=HTMLResponse)
def wishes_page(
    community_id: UUID,
    request: Request,
    state: Literal["open", "taken", "done"] | None = Query(None),
    page: Page = 1,
) -> HTMLResponse:
    try:
        wall: dict[str, Any] = routes_orders.public_wishes(
            community_id, request, state=state, page=page, size=WALL_PAGE_SIZE
        )
    except NotFound:
        return _missing("没有这个社区", "没有找到这个社区。")
    return render(
        "public/wishes.html",
        title=f"{wall['community']} 微心愿墙",
        wall=wall,
        state=state,
        states=[(key, label) for key, (label, _) in WALL_STATES.items()],
        base=f"/public/communities/{community_id}/wishes",
        results=f"/public/communities/{community_id}/results",
        data=f"/api/v1/public/communities/{community_id}/wishes",
    )
