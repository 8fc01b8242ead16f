"""The member's (党员) pages: home (my tasks, needs nearby that fit me, activities), one
need with the steps a member takes on it (apply, accept or decline, check in, photos,
claim), the year's record against the standard, points and redemption codes, and the
三亮 profile.

Every part reads through the JSON routes' own functions (so the read models and access
checks are the API's) and first asks GET /me: before the community approves a member,
they see their registration and nothing else (the other routes would answer 403)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from api import (
    routes_activities,
    routes_directory,
    routes_evaluation,
    routes_members,
    routes_messages,
    routes_orders,
    routes_points,
    routes_system,
)
from api.pages import home_for, need_for, page, pages, render
from api.pages.shell import part_actor
from domain.actors import Actor, Role
from domain.errors import Forbidden

# The orders a member is working on (the rest of /me/orders is the record).
IN_HAND = ("dispatched", "in_progress", "completion_claimed", "low_rated")


def _me(request: Request, actor: Actor) -> dict[str, Any]:
    me: dict[str, Any] = routes_members.me(request, actor)
    return me


def _registration(me: dict[str, Any]) -> HTMLResponse:
    return render("app/parts/member/registration.html", me=me)


def _approved(me: dict[str, Any]) -> bool:
    return bool(me.get("status") == "approved")


def _policy(request: Request, actor: Actor, county_id: str) -> dict[str, Any]:
    """The county's policy values by name (the figures a page shows come from here)."""
    found = routes_directory.get_policy(UUID(county_id), request, actor)
    return {v["name"]: v["value"] for v in found["values"]}


# -- home ---------------------------------------------------------------------------------


@home_for(Role.MEMBER)
def member_home(request: Request, actor: Actor) -> HTMLResponse:
    me = _me(request, actor)
    if not _approved(me):
        return _registration(me)
    mine = routes_orders.my_orders(request, actor)
    tasks = [o for o in mine if o["status"] in IN_HAND]
    nearby = routes_orders.open_needs(request, actor)
    activities = routes_activities.my_activities(request, actor)
    inbox = routes_messages.my_messages(request, actor, unread=True, page=1, size=1)
    return render(
        "app/parts/member/home.html",
        me=me,
        tasks=tasks,
        nearby=nearby,
        activities=activities,
        unread=inbox["unread"],
    )


# -- one need -----------------------------------------------------------------------------


@need_for(Role.MEMBER)
def member_need(request: Request, actor: Actor, order_id: UUID) -> HTMLResponse:
    me = _me(request, actor)
    if not _approved(me):
        return _registration(me)
    try:
        need = routes_orders.get_need(order_id, request, actor)
        opened = False
    except Forbidden:
        # a need of my community I have not applied for: GET /needs/{id} is for the
        # members it was given to or who applied; the open needs list shows it to me
        found = [
            n for n in routes_orders.open_needs(request, actor) if n["order_id"] == str(order_id)
        ]
        if not found:
            raise
        need, opened = found[0], True
    mine = need.get("member_id") == me["member_id"]
    applied = (opened and bool(need.get("applied"))) or any(
        a["member_id"] == me["member_id"] for a in need.get("applicant_list", [])
    )
    policy = _policy(request, actor, need["county_id"])
    return render(
        "app/parts/member/need.html",
        me=me,
        need=need,
        opened=opened,
        mine=mine,
        applied=applied,
        checkin_radius_m=policy.get("checkin_radius_m"),
        hours_step=policy.get("hours_step"),
        max_hours=policy.get("max_hours_per_order"),
    )


# -- my record for the year ---------------------------------------------------------------


@pages.get("/app/member/record", response_class=HTMLResponse)
def record_page(request: Request) -> HTMLResponse:
    return page(request, "app/member/record.html", "我的服务记录", needs_session=True)


@pages.get("/app/parts/member/record", response_class=HTMLResponse)
def record_part(request: Request) -> HTMLResponse:
    actor = part_actor(request)
    me = _me(request, actor)
    if not _approved(me):
        return _registration(me)
    member_id = UUID(me["member_id"])
    evaluation = routes_evaluation.member_evaluation(member_id, request, actor, year=None)
    record = routes_activities.service_record(member_id, request, actor, year=None)
    policy = _policy(request, actor, me["county_id"])
    return render(
        "app/parts/member/record.html",
        me=me,
        ev=evaluation,
        record=record,
        annual_services=policy.get("member_annual_min_services"),
        annual_hours=policy.get("member_annual_min_hours"),
    )


# -- points -------------------------------------------------------------------------------


@pages.get("/app/member/points", response_class=HTMLResponse)
def points_page(request: Request) -> HTMLResponse:
    return page(request, "app/member/points.html", "我的积分", needs_session=True)


@pages.get("/app/parts/member/points", response_class=HTMLResponse)
def points_part(request: Request) -> HTMLResponse:
    actor = part_actor(request)
    me = _me(request, actor)
    if not _approved(me):
        return _registration(me)
    member_id = UUID(me["member_id"])
    statement = routes_points.statement(member_id, request, actor, year=None, fmt="json")
    catalogue = routes_points.get_catalogue(UUID(me["community_id"]), request, actor)
    redemptions = routes_points.list_redemptions(member_id, request, actor)
    return render(
        "app/parts/member/points.html",
        me=me,
        account=statement["account"],
        entries=statement["entries"],
        catalogue=catalogue,
        redemptions=redemptions,
    )


@pages.get("/app/member/redemptions/{redemption_id}", response_class=HTMLResponse)
def redemption_page(redemption_id: UUID, request: Request) -> HTMLResponse:
    return page(
        request,
        "app/member/redemption.html",
        "兑换码",
        needs_session=True,
        redemption_id=redemption_id,
    )


@pages.get("/app/parts/member/redemptions/{redemption_id}", response_class=HTMLResponse)
def redemption_part(redemption_id: UUID, request: Request) -> HTMLResponse:
    actor = part_actor(request)
    me = _me(request, actor)
    if not _approved(me):
        return _registration(me)
    rows = routes_points.list_redemptions(UUID(me["member_id"]), request, actor)
    found = [r for r in rows if r["redemption_id"] == str(redemption_id)]
    items = routes_points.get_catalogue(
        UUID(me["community_id"]), request, actor, include_withdrawn=True
    )
    partners = {i["item_id"]: i["partner_name"] for i in items}
    return render(
        "app/parts/member/redemption.html",
        me=me,
        r=found[0] if found else None,
        partner=partners.get(found[0]["item_id"]) if found else None,
    )


# -- 三亮 profile -------------------------------------------------------------------------


@pages.get("/app/member/profile", response_class=HTMLResponse)
def profile_page(request: Request) -> HTMLResponse:
    return page(request, "app/member/profile.html", "我的三亮信息", needs_session=True)


@pages.get("/app/parts/member/profile", response_class=HTMLResponse)
def profile_part(request: Request) -> HTMLResponse:
    actor = part_actor(request)
    me = _me(request, actor)
    return render(
        "app/parts/member/profile.html",
        me=me,
        categories=routes_system.skill_categories(),
        slots=routes_system.time_slots(),
    )
