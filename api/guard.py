"""Authorization before anything else: a request whose path names a resource (an order,
a member, a community …) is first checked for the actor's relation to that resource
(domain.access.may_address), before its body is read, parsed or validated. So a stranger
learns nothing from a 422 about a body, nor from a 409 about a state: they get the same
403 (or 401 without a valid token) whatever they send.

`GuardedRoute` is the routers' route class; the public routes (/public…, the QR
registration form) are left alone, and a request without a token goes on to its route,
which answers 401 or serves the public.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from domain import access
from domain.access import Place
from domain.activity import Activity
from domain.actors import PUBLIC, Actor, Role
from domain.community import Community
from domain.county import County
from domain.errors import NotFound
from domain.inspection import InspectionPlan, Inspector
from domain.member import Member
from domain.order import Order
from domain.points import CatalogueItem, Partner, Redemption
from domain.unit import Unit
from projections.places import place_of

# The path parameters that name a resource, and the kind of resource each names.
RESOURCE_PARAMS = {
    "order_id": "order",
    "member_id": "member",
    "community_id": "community",
    "unit_id": "unit",
    "county_id": "county",
    "activity_id": "activity",
    "redemption_id": "redemption",
    "item_id": "item",
    "partner_id": "partner",
    "plan_id": "plan",
    "inspector_id": "inspector",
}
AGGREGATES: dict[str, type[Aggregate]] = {
    "order": Order,
    "member": Member,
    "community": Community,
    "unit": Unit,
    "county": County,
    "activity": Activity,
    "redemption": Redemption,
    "item": CatalogueItem,
    "partner": Partner,
    "plan": InspectionPlan,
    "inspector": Inspector,
}
# Where an actor's own scope sits, by role.
HOME_KINDS = {
    Role.ORG_DEPT: "county",
    Role.AUDITOR: "county",
    Role.INSPECTOR: "county",
    Role.COMMUNITY_ADMIN: "community",
    Role.GRID_WORKER: "community",
    Role.RESIDENT: "community",
    Role.UNIT_ADMIN: "unit",
    Role.MEMBER: "member",
    Role.PARTNER: "partner",
}
UNGUARDED = ("/api/v1/public/", "/public/", "/api/v1/registration-form/")


def _place_of_aggregate(kind: str, found: Any) -> Place:
    """The place of an aggregate the read models have not caught up with yet."""
    county = found.id if kind == "county" else found.county_id
    community = getattr(found, "community_id", None)
    if kind == "community":
        community = found.id
    units: set[UUID] = set()
    members: set[UUID] = set()
    if kind == "order":
        members = {m for m in [found.member_id, *found.applicants] if m}
        if found.assignee and found.assignee[0] == "unit" and found.assignee[1]:
            units = {found.assignee[1]}
    elif kind == "member":
        units, members = {found.unit_id}, {found.id}
    elif kind == "unit":
        units = {found.id}
    elif kind == "redemption":
        members = {found.member_id}
    partner = getattr(found, "partner_id", None) or (found.id if kind == "partner" else None)
    return Place(
        kind,
        county,
        community=community if kind not in ("plan", "inspector", "unit", "county") else None,
        units=frozenset(units),
        members=frozenset(members),
        resident=getattr(found, "resident_id", None),
        partner=partner,
    )


def locate(request: Request, kind: str, key: UUID) -> Place | None:
    """A resource's place: from the read models, else from the log itself (a command
    just saved, not yet projected), else None."""
    from api.app import services

    svc = services(request)
    place = place_of(svc.read.store, kind, key)
    if place is not None:
        return place
    found = svc.app._find(AGGREGATES[kind], key)
    return None if found is None else _place_of_aggregate(kind, found)


def check(request: Request, kind: str, key: UUID, actor: Actor) -> None:
    place = locate(request, kind, key)
    if place is None:
        label = access.PLACE_LABELS.get(kind, "对象")
        raise NotFound(f"unknown_{kind}", f"{label}不存在", f"no such {kind}")
    home_kind = HOME_KINDS.get(actor.role)
    home = None
    if home_kind is not None and actor.scope_id is not None:
        home = locate(request, home_kind, actor.scope_id)
    access.require_address(actor, place, home)


class GuardedRoute(APIRoute):
    """A route that, when its path names a resource, checks the actor's relation to it
    before FastAPI reads the body (see the module's docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        names = [
            name for name in self.param_convertors if name in RESOURCE_PARAMS
        ]  # in the order they appear in the path
        ordered = sorted(names, key=self.path.index)
        if not ordered or self.path.startswith(UNGUARDED):
            return handler
        param, kind = ordered[0], RESOURCE_PARAMS[ordered[0]]

        async def guarded(request: Request) -> Response:
            from api.app import current_actor

            actor = current_actor(request)
            if actor is not PUBLIC:
                try:
                    key = UUID(str(request.path_params.get(param, "")))
                except ValueError:
                    key = None  # the route's own validation answers 422
                if key is not None:
                    await run_in_threadpool(check, request, kind, key, actor)
            return await handler(request)

        return guarded
