"""组织部: reporting progress per unit and per community, who has not reported, reminders."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.progress import NotReported, Progress, RemindersSent
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    read_consistency,
    services,
)
from api.guard import GuardedRoute
from api.inputs import Body, Page, example
from domain import access
from projections import members

router = APIRouter(
    tags=["progress"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)


class RemindIn(Body):
    model_config = example(
        {
            "member_ids": ["2b8e4c6a-1d3f-4e5a-9b7c-0d2e4f6a8b1c"],
            "unit_ids": [],
            "message": "请于本月底前完成到社区报到",
        }
    )

    member_ids: list[UUID] = Field([], description="要提醒的党员")
    unit_ids: list[UUID] = Field([], description="要提醒的单位（尚有党员未注册）")
    message: str = Field(description="提醒内容")


@router.get(
    "/counties/{county_id}/progress", summary="报到进度（按单位或社区）", responses=answer(Progress)
)
def progress(
    county_id: UUID,
    request: Request,
    actor: SignedIn,
    by: Literal["unit", "community"] = "unit",
) -> Any:
    access.require_county_reader(actor, county_id)
    svc = services(request)
    target = svc.app.policy(county_id).reporting_coverage_target
    if by == "unit":
        rows = members.progress_by_unit(svc.read.store, str(county_id), target)
        expected = sum(int(r["expected"]) for r in rows)
        basis = "已报到人数 ÷ 单位申报的在职党员人数"
    else:
        rows = members.progress_by_community(svc.read.store, str(county_id), target)
        expected = sum(int(r["registered"]) for r in rows)
        basis = "已报到人数 ÷ 向该社区注册（未驳回）的人数"
    reported = sum(int(r["reported"]) for r in rows)
    share = Decimal(reported) / Decimal(expected) if expected else None
    return {
        "county_id": str(county_id),
        "by": by,
        "target": float(target),
        "coverage_basis": basis,
        "totals": {
            "registered": sum(int(r["registered"]) for r in rows),
            "approved": sum(int(r["approved"]) for r in rows),
            "reported": reported,
            "expected": expected,
            "coverage": None if share is None else float(round(share, 4)),
            "meets_target": None if share is None else share >= target,
        },
        "rows": rows,
    }


@router.get(
    "/counties/{county_id}/not-reported",
    summary="未完成报到的党员名单",
    responses=answer(NotReported),
)
def not_reported(
    county_id: UUID,
    request: Request,
    actor: SignedIn,
    unit_id: UUID | None = None,
    community_id: UUID | None = None,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    access.require_county_reader(actor, county_id)
    total, rows = members.not_reported(
        services(request).read.store,
        str(county_id),
        unit_id=str(unit_id) if unit_id else None,
        community_id=str(community_id) if community_id else None,
        page=page,
        size=size,
    )
    return {"total": total, "page": page, "size": size, "items": rows}


@router.post(
    "/reminders",
    status_code=201,
    summary="发送报到提醒（每条提醒均记录）",
    responses=answer(RemindersSent, 201),
)
def send_reminders(
    body: RemindIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.send_reminders(
        actor,
        member_ids=body.member_ids,
        unit_ids=body.unit_ids,
        message=body.message,
        idempotency_key=idempotency_key,
    )
    return command_response(
        request, result, {"batch": str(result.id), **result.details}, created=True
    )
