"""The auditor's page (审计): every community's sealed log with its latest signed
checkpoint, the county's log, how far the sealer is behind (/health's sealer_lag),
checkpoints signed on demand, consistency and inclusion proofs, and the exact command
lines that export a community's history and verify it offline (``./dev replay``).

Every figure is the JSON route's own function (routes_audit, routes_directory,
routes_system), with the API's access checks: 审计 and 组织部 of the county."""

from __future__ import annotations

import json
import shlex
from typing import Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api import routes_audit, routes_directory, routes_system
from api.pages import pages, render
from api.pages.consoles import console_home, console_page, menu, staff
from domain.actors import Actor, Role
from domain.errors import NotFound

READERS = (Role.AUDITOR, Role.ORG_DEPT)

menu(Role.AUDITOR, "日志与检查点", "/console/audit/logs", 10)


def _checkpoint(request: Request, actor: Actor, kind: str, subject: UUID) -> dict[str, Any] | None:
    """The log's latest signed checkpoint, None while it has none."""
    try:
        found: dict[str, Any] = routes_audit.checkpoint(
            kind,  # type: ignore[arg-type]  # "community" or "county"
            subject,
            request,
            actor,
            size=None,
        )
    except NotFound:
        return None
    return found


def _health(request: Request) -> dict[str, Any]:
    answer = routes_system.health(request)
    found: dict[str, Any] = json.loads(bytes(answer.body))
    return found


def _overview(request: Request, actor: Actor) -> dict[str, Any]:
    communities = routes_directory.list_communities(request, actor)
    county_id = UUID(str(actor.scope_id))
    rows = [
        {**c, "checkpoint": _checkpoint(request, actor, "community", UUID(c["community_id"]))}
        for c in communities
    ]
    health = _health(request)
    return {
        "communities": rows,
        "county_id": county_id,
        "county": _checkpoint(request, actor, "county", county_id),
        "sealer_lag": health["sealer_lag"],
        "log_head": health["log_head"],
        "read_model_lag": health["read_model_lag"],
        "status": health["status"],
    }


def commands(community: dict[str, Any]) -> dict[str, str]:
    """The auditor's command lines for one community, as ``replay/cli.py`` takes them."""
    bundle = shlex.quote(f"{community['name']}.zip")
    previous = shlex.quote(f"{community['name']}-上次检查点.txt")
    export = f"./dev replay export --community {community['community_id']} --out {bundle}"
    return {
        "export": export,
        "verify": f"./dev replay verify {bundle} --pubkey seal.vkey",
        "verify_previous": f"./dev replay verify {bundle} --pubkey seal.vkey --previous {previous}",
        "previous": previous,
    }


@console_home(Role.AUDITOR)
def auditor_home(request: Request, actor: Actor) -> HTMLResponse:
    return render("console/parts/audit/overview.html", home=True, **_overview(request, actor))


@pages.get("/console/audit/logs", response_class=HTMLResponse)
def logs_page(request: Request) -> HTMLResponse:
    return console_page(request, "console/audit/logs.html", "日志与检查点")


@pages.get("/console/parts/audit/overview", response_class=HTMLResponse)
def overview_part(request: Request) -> HTMLResponse:
    actor = staff(request, *READERS)
    return render("console/parts/audit/overview.html", home=False, **_overview(request, actor))


@pages.get("/console/audit/community/{community_id}", response_class=HTMLResponse)
def community_page(request: Request, community_id: UUID) -> HTMLResponse:
    return console_page(
        request, "console/audit/community.html", "社区日志审计", community_id=community_id
    )


@pages.get("/console/parts/audit/community/{community_id}", response_class=HTMLResponse)
def community_part(request: Request, community_id: UUID) -> HTMLResponse:
    actor = staff(request, *READERS)
    checkpoint = _checkpoint(request, actor, "community", community_id)  # access checked here
    community = routes_directory.get_community(community_id, request, actor)
    return render(
        "console/parts/audit/community.html",
        community=community,
        checkpoint=checkpoint,
        commands=commands(community),
        sealer_lag=_health(request)["sealer_lag"],
    )


@pages.get("/console/parts/audit/community/{community_id}/consistency", response_class=HTMLResponse)
def consistency_part(
    request: Request,
    community_id: UUID,
    first: int = Query(0, alias="from", ge=0),
    second: int | None = Query(None, alias="to", ge=1),
) -> HTMLResponse:
    actor = staff(request, *READERS)
    proof = routes_audit.consistency(
        "community", community_id, request, actor, first=first, second=second
    )
    return render("console/parts/audit/consistency.html", proof=proof)


@pages.get("/console/parts/audit/community/{community_id}/inclusion", response_class=HTMLResponse)
def inclusion_part(
    request: Request,
    community_id: UUID,
    notification_id: int = Query(..., ge=1),
) -> HTMLResponse:
    actor = staff(request, *READERS)
    proof = routes_audit.inclusion(
        "community", community_id, request, actor, notification_id=notification_id, size=None
    )
    return render("console/parts/audit/inclusion.html", proof=proof)
