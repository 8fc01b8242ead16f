"""The 单位 console (UNIT_ADMIN): its home part, the unit's members' reporting at a
glance, read through the JSON routes' own functions (``/units/{id}/evaluation``)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from api import routes_evaluation
from api.pages import render
from api.pages.consoles import console_home
from domain.actors import Actor, Role


@console_home(Role.UNIT_ADMIN)
def unit_home(request: Request, actor: Actor) -> HTMLResponse:
    """The unit's reporting (reported/declared), members below the annual standard and
    the warnings still waiting for a written report."""
    unit_id = UUID(str(actor.scope_id))
    view = routes_evaluation.unit_evaluation(unit_id, request, actor, None, "json")
    below = [m for m in view["members"] if not m["standard_met"]]
    waiting = [w for w in view["warnings"] if w["report_required"] and not w["report_filed_at"]]
    return render(
        "console/parts/unit/home.html", actor=actor, view=view, below=below, waiting=waiting
    )
