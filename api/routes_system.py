"""Health, and the lists an app needs to draw its forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.answers.common import answer
from api.answers.system import CodeLabel, Health
from api.context import OrjsonResponse, current_actor, services
from api.guard import CheckedRoute
from domain.actors import Role
from domain.errors import DomainError
from domain.values import SkillCategory, TimeSlot
from projections.base import recent

router = APIRouter(tags=["system"], route_class=CheckedRoute)


@router.get(
    "/health",
    summary="服务状态：读模型进度、延迟、投影进程与搁置事件",
    description="status 为 ok 或 degraded（有搁置的事件 dead_letters、"
    "某个投影停在无法处理的事件上、一分钟内出过错、没有一个投影进程在运行）。"
    "本进程的投影线程已停止时返回 503。"
    "错误内容与进程名只给运维、组织部与审计的登录凭证。",
    responses=answer(Health),
)
def health(request: Request) -> Any:
    svc = services(request)
    position, lag = svc.read.lag()
    from projections import sealer

    detail = svc.read.health()
    followers = detail["followers"]
    alive = [f for f in followers if f["alive"]]
    own_dead = svc.read.follower is not None and not svc.read.follower.alive
    troubled = any(f["stalled"] or recent(f["last_error_at"]) for f in alive)
    degraded = bool(detail["dead_letters"]) or not alive or own_dead or troubled
    if not _may_see_details(request):
        # Error texts, host names and process ids are for the operator and 组织部.
        for f in followers:
            f["last_error"] = None
            f["follower"] = "in-process" if f["in_process"] else "worker"
    body = {
        "status": "degraded" if degraded else "ok",
        "store": svc.settings.store_kind,
        "projections_in_process": svc.settings.run_projections,
        "log_head": position + lag,
        "read_model_position": position,
        "read_model_lag": lag,
        # events in the log the sealer has not yet appended to their community's log
        "sealer_lag": sealer.lag(svc.read.store),
        **detail,
    }
    return OrjsonResponse(body, status_code=503 if own_dead else 200)


def _may_see_details(request: Request) -> bool:
    try:
        actor = current_actor(request)
    except DomainError:
        return False
    return actor.role in (Role.OPERATOR, Role.ORG_DEPT, Role.AUDITOR)


@router.get("/meta/skill-categories", summary="擅长领域列表", responses=answer(list[CodeLabel]))
def skill_categories() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in SkillCategory]


@router.get("/meta/time-slots", summary="可服务时间列表", responses=answer(list[CodeLabel]))
def time_slots() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in TimeSlot]
