"""Joining by the community's QR code: the poster (A4 SVG, PDF and PNG) and
the page a scan opens, /app/join/<社区编号>, where a member reports (党员报到) and a
resident registers (居民登记) after proving their phone with a code.

What the page shows of the community is the public registration form
(routes_directory.registration_form); the registrations are the API's commands
(POST /api/v1/registrations, POST /api/v1/residents), sent by app.js."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from api import poster, routes_directory
from api.context import services
from api.pages import page, pages, render
from domain.errors import DomainError
from domain.values import RegistrationBasis

# The choices of 报到类型: the domain's codes and labels, with a hint for each.
BASIS_HINTS = {
    RegistrationBasis.RESIDENCE: "我住在这个社区",
    RegistrationBasis.PAIRED: "我的单位与这个社区结对（包联）",
}
BASES = tuple((b.code, b.label, BASIS_HINTS.get(b, "")) for b in RegistrationBasis)
# Posters are public (a community's join link) and change only with its name or units.
POSTER_CACHE = "public, max-age=3600"


def poster_cache(request: Request) -> str:
    """A poster made from the configured public address may be kept by any cache; one
    made from the request's own Host only by the browser that asked."""
    return POSTER_CACHE if services(request).settings.public_url else "private, max-age=3600"


def public_base(request: Request) -> str:
    """The service's public address: configured (a deployment behind a proxy), else the
    address this request came to."""
    return (services(request).settings.public_url or str(request.base_url)).rstrip("/")


def join_url(base: str, community_id: UUID | str) -> str:
    return f"{base.rstrip('/')}/app/join/{community_id}"


def poster_of(form: dict[str, Any], base: str) -> poster.Poster:
    """The poster of a community from its registration form (the public read model)."""
    return poster.Poster(
        community_name=form["community_name"],
        join_url=join_url(base, form["community_id"]),
        paired_units=tuple(u["name"] for u in form["units"] if u["paired"]),
    )


def _poster(request: Request, community_id: UUID) -> poster.Poster:
    form = routes_directory.registration_form(community_id, request)
    return poster_of(form, public_base(request))


def _file_name(p: poster.Poster, suffix: str) -> str:
    from urllib.parse import quote

    return f"inline; filename*=UTF-8''{quote(p.community_name + '二维码' + suffix)}"


def _poster_answer(request: Request, community_id: UUID, suffix: str) -> Response:
    """One community's poster in one of its formats (``POSTER_FORMATS``)."""
    p = _poster(request, community_id)
    draw, media_type = POSTER_FORMATS[suffix]
    return Response(
        draw(p),
        media_type=media_type,
        headers={
            "Cache-Control": poster_cache(request),
            "Content-Disposition": _file_name(p, suffix),
        },
    )


POSTER_FORMATS: dict[str, tuple[Callable[[poster.Poster], bytes | str], str]] = {
    ".svg": (poster.svg, "image/svg+xml"),
    ".png": (poster.png, "image/png"),
    ".pdf": (poster.pdf, "application/pdf"),
}


@pages.get("/app/join/{community_id}/poster.svg")
def poster_svg(community_id: UUID, request: Request) -> Response:
    return _poster_answer(request, community_id, ".svg")


@pages.get("/app/join/{community_id}/poster.png")
def poster_png(community_id: UUID, request: Request) -> Response:
    return _poster_answer(request, community_id, ".png")


@pages.get("/app/join/{community_id}/poster.pdf")
def poster_pdf(community_id: UUID, request: Request) -> Response:
    return _poster_answer(request, community_id, ".pdf")


@pages.get("/app/join/{community_id}", response_class=HTMLResponse)
def join_page(community_id: UUID, request: Request) -> HTMLResponse:
    try:
        form = routes_directory.registration_form(community_id, request)
    except DomainError as refused:
        return render(
            "app/join/missing.html",
            status_code=404,
            title="找不到社区",
            path=request.url.path,
            message=refused.message_zh,
        )
    paired = [u for u in form["units"] if u["paired"]]
    others = [u for u in form["units"] if not u["paired"]]
    return page(
        request,
        "app/join/join.html",
        f"{form['community_name']} · 扫码报到登记",
        form=form,
        paired=paired,
        others=others,
        bases=BASES,
    )
