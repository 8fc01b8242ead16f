"""The 社区 console's program pages: 积分规则 (the community's points rules, as the API
answers them, and setting them)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from api import routes_points
from api.pages import pages, render
from api.pages.consoles import console_page, menu, staff
from domain.actors import Role

menu(Role.COMMUNITY_ADMIN, "积分规则", "/console/program/points-rules", 75)

# The rules a community may set (PointsRulesIn), with their Chinese names.
RULE_LABELS = {
    "points_per_hour": "每小时服务积分",
    "five_star_bonus_points": "五星评价奖励积分",
    "star_award_bonus_points": "星级表彰奖励积分",
    "redemption_confirm_days": "兑换确认期限（天）",
}


@pages.get("/console/program/points-rules", response_class=HTMLResponse)
def points_rules_page(request: Request) -> HTMLResponse:
    return console_page(request, "console/program/points_rules.html", "积分规则")


@pages.get("/console/parts/program/points-rules", response_class=HTMLResponse)
def points_rules_part(request: Request) -> HTMLResponse:
    actor = staff(request, Role.COMMUNITY_ADMIN)
    community_id = UUID(str(actor.scope_id))
    rules = routes_points.get_points_rules(community_id, request, actor)
    return render(
        "console/parts/program/points_rules.html",
        actor=actor,
        community_id=str(community_id),
        rules=rules,
        labels=RULE_LABELS,
    )
