"""红色服务日 / 主题服务月 / 攻坚组 activities, the monthly matching meeting (供需对接), and
the resource ledger (党员资源台账)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from api.answers.activities import (
    ActivityAnswer,
    ActivityRow,
    ActivityView,
    MatchingAnswer,
    MatchingSuggestions,
    MyActivity,
    ResourceRow,
    ServiceRecord,
)
from api.answers.common import answer
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    for_reader,
    member_for_reader,
    read_consistency,
    services,
    today,
)
from api.exports import export_response
from api.guard import GuardedRoute
from api.inputs import Body, Moment, Number, YearQuery, example
from domain import access
from domain.actors import Role
from domain.errors import Forbidden, NotFound
from projections import activities, needs, resources

router = APIRouter(
    tags=["activities"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)


class ActivityIn(Body):
    model_config = example(
        {
            "kind": "red_service_day",
            "title": "红色服务日·义务理发",
            "place": "社区广场",
            "starts_at": "2026-12-12T09:00:00+08:00",
            "ends_at": "2026-12-12T11:30:00+08:00",
            "lat": "35.4901",
            "lon": "112.8512",
        }
    )

    kind: Literal["red_service_day", "theme_month", "task_force"]
    title: str = Field(description="活动名称")
    place: str = Field(description="活动地点")
    starts_at: Moment = Field(description="开始时间（带时区，如 2026-12-05T09:00:00+08:00）")
    ends_at: Moment
    lat: Number | None = None
    lon: Number | None = None


class PointIn(Body):
    model_config = example({"lat": "35.4901", "lon": "112.8512"})

    lat: Number
    lon: Number


class ConfirmIn(Body):
    model_config = example({"excluded": []})

    excluded: list[UUID] = Field([], description="不计入的签到党员")


class CancelActivityIn(Body):
    model_config = example({"reason": "雨雪天气，改期举行"})

    reason: str


class MatchIn(Body):
    order_id: UUID
    member_id: UUID


class MatchingIn(Body):
    model_config = example({"month": "2026-12", "adopted": []})

    month: str = Field(description="月份 YYYY-MM")
    adopted: list[MatchIn] = Field([])


@router.post(
    "/communities/{community_id}/activities",
    status_code=201,
    summary="计划活动（社区）",
    responses=answer(ActivityAnswer, 201),
)
def plan(
    community_id: UUID,
    body: ActivityIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.plan_activity(
        actor,
        community_id=community_id,
        kind=body.kind,
        title=body.title,
        place=body.place,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        lat=body.lat,
        lon=body.lon,
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"activity_id": str(result.id)}, created=True)


@router.get(
    "/communities/{community_id}/activities",
    summary="社区活动列表",
    responses=answer(list[ActivityRow]),
)
def list_activities(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    community_for_reader(request, community_id, actor)
    return activities.list_activities(services(request).read.store, str(community_id))


@router.get(
    "/activities/{activity_id}", summary="活动详情与签到名单", responses=answer(ActivityView)
)
def get_activity(activity_id: UUID, request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    row = activities.get_activity(svc.read.store, str(activity_id))
    if row is None:
        raise NotFound("unknown_activity", "活动不存在", "no such activity")
    if actor.role is not Role.MEMBER:
        community_for_reader(request, UUID(row["community_id"]), actor)
        return row
    # Members find activities to join across their county; the attendance list (names,
    # times, distances) is the organisers': a member sees only their own line of it.
    me = access.member_scope(actor)
    if svc.app.member(me).county_id != UUID(row["county_id"]):
        raise Forbidden("not_your_county", "只能查看本县（区）的活动", "outside your county")
    row["attendance"] = [a for a in row["attendance"] if a["member_id"] == str(me)]
    return row


@router.post(
    "/activities/{activity_id}/sign-in",
    summary="活动签到（党员，定位；可带 Idempotency-Key）",
    responses=answer(ActivityAnswer),
)
def sign_in(
    activity_id: UUID,
    body: PointIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.sign_in(
        actor, activity_id, body.lat, body.lon, idempotency_key=idempotency_key
    )
    return command_response(request, result, {"activity_id": str(activity_id)})


@router.post(
    "/activities/{activity_id}/sign-out",
    summary="活动签退（党员，定位；可带 Idempotency-Key）",
    responses=answer(ActivityAnswer),
)
def sign_out(
    activity_id: UUID,
    body: PointIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.sign_out(
        actor, activity_id, body.lat, body.lon, idempotency_key=idempotency_key
    )
    return command_response(request, result, {"activity_id": str(activity_id)})


@router.post(
    "/activities/{activity_id}/confirm",
    summary="确认名单并计入时长（组织者）",
    responses=answer(ActivityAnswer),
)
def confirm_activity(
    activity_id: UUID,
    body: ConfirmIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.confirm_activity(actor, activity_id, body.excluded)
    return command_response(request, result, {"activity_id": str(activity_id)})


@router.post(
    "/activities/{activity_id}/cancel", summary="取消活动", responses=answer(ActivityAnswer)
)
def cancel_activity(
    activity_id: UUID, body: CancelActivityIn, request: Request, actor: SignedIn
) -> Any:
    result = services(request).app.cancel_activity(actor, activity_id, body.reason)
    return command_response(request, result, {"activity_id": str(activity_id)})


@router.get(
    "/communities/{community_id}/matching",
    summary="供需对接：每个待办需求的推荐党员",
    responses=answer(MatchingSuggestions),
)
def matching_suggestions(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    access.require_community_staff(actor, community_id)
    svc = services(request)
    _, rows = needs.ledger(
        svc.read.store, str(community_id), svc.clock.now(), status="open", size=1000
    )
    waiting = [r for r in rows if r["status"] in ("posted", "unclaimed")]
    return {
        "open_needs": len(waiting),
        "items": [
            {
                "order_id": r["order_id"],
                "content": r["content"],
                "category_label": r["category_label"],
                "urgency_label": r["urgency_label"],
                "status_label": r["status_label"],
                "suggestions": needs.suggest_members(svc.read.store, r["order_id"], limit=3),
            }
            for r in waiting
        ],
    }


@router.post(
    "/communities/{community_id}/matching",
    status_code=201,
    summary="记录供需对接结果",
    responses=answer(MatchingAnswer, 201),
)
def record_matching(
    community_id: UUID,
    body: MatchingIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    svc = services(request)
    _, rows = needs.ledger(
        svc.read.store, str(community_id), svc.clock.now(), status="open", size=1000
    )
    open_needs = sum(1 for r in rows if r["status"] in ("posted", "unclaimed"))
    result = svc.app.record_matching(
        actor,
        community_id,
        month=body.month,
        adopted=[(m.order_id, m.member_id) for m in body.adopted],
        open_needs=open_needs,
    )
    return command_response(
        request, result, {"community_id": str(community_id), "month": body.month}, created=True
    )


@router.get(
    "/communities/{community_id}/resources",
    summary="党员资源台账（format=xlsx/csv 导出）",
    responses=answer(list[ResourceRow]),
)
def resource_ledger(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    year: YearQuery = None,
    format: Literal["json", "xlsx", "csv"] = "json",
) -> Any:
    svc = services(request)
    community = community_for_reader(request, community_id, actor)
    rows = resources.resource_ledger(svc.read.store, str(community_id), year or today(request).year)
    if format == "json":
        return rows
    return export_response(
        rows, resources.RESOURCE_COLUMNS, title=f"{community['name']}：党员资源台账", fmt=format
    )


@router.get("/me/activities", summary="我参加的活动（党员）", responses=answer(list[MyActivity]))
def my_activities(request: Request, actor: SignedIn) -> Any:
    member_id = access.member_scope(actor)
    return activities.activities_of(services(request).read.store, str(member_id))


@router.get(
    "/members/{member_id}/service-record",
    summary="党员服务记录（需求、活动、时长、评价）",
    responses=answer(ServiceRecord),
)
def service_record(
    member_id: UUID,
    request: Request,
    actor: SignedIn,
    year: YearQuery = None,
) -> Any:
    svc = services(request)
    row = member_for_reader(request, member_id, actor)
    record = resources.service_record(
        svc.read.store, str(member_id), year or today(request).year, svc.clock.now()
    )
    return for_reader(
        request, actor, {"name": row["name"], "unit_name": row["unit_name"], **record}
    )
