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
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.refusals import unknown_query
from domain import access
from domain.access import Place
from domain.activity import Activity
from domain.actors import PUBLIC, Actor, Role
from domain.community import Community
from domain.county import County
from domain.errors import NotFound
from domain.inspection_plan import InspectionPlan
from domain.inspectors import Inspector
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


def from_read_models(request: Request, kind: str, key: UUID) -> Place | None:
    from api.context import services

    return place_of(services(request).read.store, kind, key)


def from_log(request: Request, kind: str, key: UUID) -> Place | None:
    """The place as the log has it now (the read models may not have caught up)."""
    from api.context import services

    found = services(request).app.find(AGGREGATES[kind], key)
    return None if found is None else access.place_of_aggregate(kind, found)


def _caught_up(request: Request) -> bool:
    from api.context import services

    _, lag = services(request).read.lag()
    return lag == 0


def check(request: Request, kind: str, key: UUID, actor: Actor) -> None:
    """Refuse (404 unknown, 403 outside the actor's scope) before the body is read. The
    read models answer first; before a refusal, if they lag behind the log, the log is
    asked too, since they may not yet show a change (an order just given to a unit)."""
    home_kind = HOME_KINDS.get(actor.role)

    def home(find: Callable[[Request, str, UUID], Place | None]) -> Place | None:
        if home_kind is None or actor.scope_id is None:
            return None
        return find(request, home_kind, actor.scope_id)

    place = from_read_models(request, kind, key)
    if place is not None and access.may_address(actor, place, home(from_read_models)):
        return
    # When the read models have every event their word stands; else the log is asked.
    target = place if _caught_up(request) else (from_log(request, kind, key) or place)
    if target is None:
        label = access.PLACE_LABELS.get(kind, "对象")
        raise NotFound(f"unknown_{kind}", f"{label}不存在", f"no such {kind}")
    fresh_home = None if target is place else home(from_log)
    access.require_address(actor, target, fresh_home or home(from_read_models))


def query_names(dependant: Dependant) -> list[str]:
    """The query parameters a route takes, its dependencies' included."""
    names: list[str] = []
    stack = [dependant]
    while stack:
        current = stack.pop()
        names += [p.alias for p in current.query_params]
        stack += current.dependencies
    return list(dict.fromkeys(names))


# A query parameter any JSON route ignores: the cache-buster (?_=1700000000) browsers'
# scripts add.
IGNORED_QUERY = frozenset({"_"})


class CheckedRoute(APIRoute):
    """A JSON route that refuses query parameters it does not take (422
    unknown_query_parameter), rather than answer as if they were not sent (a misspelt
    `page_size` would otherwise return the default page as if asked for)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        allowed = query_names(self.dependant)

        async def checked(request: Request) -> Response:
            unknown = [
                k
                for k in dict.fromkeys(request.query_params)
                if k not in allowed and k not in IGNORED_QUERY
            ]
            if unknown:
                from api.context import OrjsonResponse

                return OrjsonResponse(unknown_query(unknown, allowed), status_code=422)
            return await handler(request)

        return checked


class GuardedRoute(CheckedRoute):
    """A route that, when its path names a resource, checks the actor's relation to it
    before FastAPI reads the body (see the module's docstring); then CheckedRoute's
    query check."""

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
            from api.context import current_actor

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
