"""Health, and the lists an app needs to draw its forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.app import OrjsonResponse, services
from domain.values import SkillCategory, TimeSlot

router = APIRouter(tags=["system 系统"])


@router.get(
    "/health",
    summary="服务状态：读模型进度、延迟、投影进程与搁置事件",
    description="status 为 ok 或 degraded（有搁置的事件 dead_letters、投影进程不在运行，"
    "或投影由独立进程运行而没有一个在运行）。本进程的投影线程已停止时返回 503。",
)
def health(request: Request) -> Any:
    svc = services(request)
    position, lag = svc.read.lag()
    from projections import sealer

    detail = svc.read.health()
    alive = [f for f in detail["followers"] if f["alive"]]
    own_dead = svc.read.follower is not None and not svc.read.follower.alive
    degraded = bool(detail["dead_letters"]) or len(alive) < len(detail["followers"]) or not alive
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


@router.get("/meta/skill-categories", summary="擅长领域列表")
def skill_categories() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in SkillCategory]


@router.get("/meta/time-slots", summary="可服务时间列表")
def time_slots() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in TimeSlot]
