"""Health, and the lists an app needs to draw its forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.app import services
from domain.values import SkillCategory, TimeSlot

router = APIRouter(tags=["system 系统"])


@router.get("/health", summary="服务状态与读模型延迟")
def health(request: Request) -> dict[str, Any]:
    svc = services(request)
    position, lag = svc.read.lag()
    from projections import sealer

    return {
        "status": "ok",
        "store": svc.settings.store_kind,
        "projections_in_process": svc.settings.run_projections,
        "log_head": position + lag,
        "read_model_position": position,
        "read_model_lag": lag,
        # events in the log the sealer has not yet appended to their community's log
        "sealer_lag": sealer.lag(svc.read.store),
    }


@router.get("/meta/skill-categories", summary="擅长领域列表")
def skill_categories() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in SkillCategory]


@router.get("/meta/time-slots", summary="可服务时间列表")
def time_slots() -> list[dict[str, str]]:
    return [{"code": s.code, "label": s.label} for s in TimeSlot]
