"""The resident's (群众) pages: home (my needs, the ones to rate first), post a need
(点单), one need followed step by step, rated or cancelled.

What a resident may do with a need now is read from the domain's own transitions
(domain.order.TRANSITIONS), never restated here; labels and deadlines are the API's."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from api import routes_orders, routes_system
from api.pages import home_for, need_for, page, pages, render
from domain.actors import Actor, Role
from domain.order import TRANSITIONS, OrderStatus
from domain.values import NeedSource, PhotoKind, Solved, Urgency

URGENCIES = [{"code": u.code, "label": u.label} for u in Urgency]
SOLVED = [{"code": s.code, "label": s.label} for s in Solved]
SOURCES = [{"code": s.code, "label": s.label} for s in NeedSource if s is not NeedSource.APP]
PHOTO_KINDS = {k.code: k.label for k in PhotoKind}

# What happens next, in plain words, for a person who posted a need (by status code).
NEXT_FOR_RESIDENT = {
    OrderStatus.POSTED.code: "等待党员申请接单或社区派单。还没有人接单时，您可以撤销。",
    OrderStatus.UNCLAIMED.code: "暂时没有党员接单，社区正在请大党委协调安排。",
    OrderStatus.ASSIGNED.code: "已交给结对单位或攻坚组办理，他们会安排人员联系您。",
    OrderStatus.DISPATCHED.code: "社区已派给党员，等党员确认接单后会联系您。",
    OrderStatus.IN_PROGRESS.code: "党员已接单，正在办理；到场时会签到并拍照。",
    OrderStatus.COMPLETION_CLAIMED.code: "党员说已经办好了，请您在期限内评价：满意吗？解决了吗？",
    OrderStatus.LOW_RATED.code: "您的评价不满意，社区会跟进处理，可能请党员再来一次。",
    OrderStatus.CLOSED.code: "已经办结，谢谢您的评价。",
    OrderStatus.CANCELLED.code: "已撤销，不会再有人来办理。",
    OrderStatus.REJECTED.code: "社区没有受理这个需求，理由见下面的记录；有疑问请联系社区。",
}
# The same for a grid worker who follows a need on a resident's behalf.
NEXT_FOR_GRID = NEXT_FOR_RESIDENT | {
    OrderStatus.POSTED.code: "等待党员申请接单或社区派单。还没有人接单时，可以撤销。",
    OrderStatus.COMPLETION_CLAIMED.code: "党员已申请结单：请居民评价；居民不会用手机时，由您代评。",
    OrderStatus.LOW_RATED.code: "评价不满意，社区会跟进处理。",
    OrderStatus.CLOSED.code: "已经办结。",
}

# What the API's deadline of a need is, by status (none shown where it means nothing now).
DEADLINE_WORDS = {
    OrderStatus.POSTED.code: "接单期限",
    OrderStatus.ASSIGNED.code: "办理期限",
    OrderStatus.DISPATCHED.code: "办理期限",
    OrderStatus.IN_PROGRESS.code: "办理期限",
    OrderStatus.COMPLETION_CLAIMED.code: "评价期限",
}


def may(status: str, step: str) -> bool:
    """Whether the domain lets an order in ``status`` take ``step`` (its own table)."""
    try:
        current = OrderStatus.from_code(status)
    except Exception:  # an unknown code: nothing to offer
        return False
    return (current, step) in TRANSITIONS


def need_context(row: dict[str, Any], next_words: dict[str, str]) -> dict[str, Any]:
    """What a need's page shows, from the API's own order view."""
    return {
        "o": row,
        "next": next_words.get(row["status"], ""),
        "deadline_words": DEADLINE_WORDS.get(row["status"], ""),
        "may_rate": may(row["status"], "rate_satisfied"),
        "may_cancel": may(row["status"], "cancel"),
        "stars": range(1, 6),
        "solved": SOLVED,
        "photo_kinds": PHOTO_KINDS,
    }


def waiting_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those waiting for a rating first (nearest deadline first), then as the API gave."""
    rating = [r for r in rows if may(r["status"], "rate_satisfied")]
    rating.sort(key=lambda r: r.get("rate_deadline") or "")
    return rating + [r for r in rows if r not in rating]


@home_for(Role.RESIDENT)
def resident_home(request: Request, actor: Actor) -> HTMLResponse:
    rows = routes_orders.my_orders(request, actor)
    return render(
        "app/parts/resident/home.html",
        orders=waiting_first(rows),
        next=NEXT_FOR_RESIDENT,
        may=may,
    )


@need_for(Role.RESIDENT)
def resident_need(request: Request, actor: Actor, order_id: UUID) -> HTMLResponse:
    row = routes_orders.get_need(order_id, request, actor)
    return render(
        "app/parts/resident/need.html", on_behalf=False, **need_context(row, NEXT_FOR_RESIDENT)
    )


@pages.get("/app/resident/post", response_class=HTMLResponse)
def post_page(request: Request) -> HTMLResponse:
    return page(
        request,
        "app/resident/post.html",
        "我要点单",
        needs_session=True,
        categories=routes_system.skill_categories(),
        urgencies=URGENCIES,
    )


@pages.get("/app/resident/needs", response_class=HTMLResponse)
def my_needs_page(request: Request) -> HTMLResponse:
    return page(request, "app/resident/needs.html", "我的需求", needs_session=True)
