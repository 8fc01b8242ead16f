"""双服务: residents, 群众点单—社区派单—党员接单—评价跟单, photos, the needs ledger."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from api.answers.activities import Suggestion
from api.answers.common import answer
from api.answers.orders import (
    Figures,
    LedgerPage,
    MyOrder,
    OpenNeed,
    OrderAnswer,
    OrderView,
    PhotoStored,
    PublicWishes,
    ResidentAnswer,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    current_actor,
    new_session,
    phone_session,
    read_consistency,
    registration_tokens,
    services,
)
from api.exports import export_response
from api.guard import GuardedRoute
from api.inputs import Body, Number, Page, YearQuery, example, within
from api.photos import PHOTO_MEDIA_TYPES
from domain import access
from domain.actors import Actor, Role
from domain.application import NeedInput
from domain.errors import Forbidden, NotFound
from projections import directory, needs, plan_progress

router = APIRouter(
    tags=["orders"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)


class ResidentIn(Body):
    model_config = example(
        {
            "community_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
            "name": "王秀英",
            "phone": "13900005678",
            "address": "锦绣小区 3 号楼 2 单元 501",
            "grid_code": "G01",
        }
    )

    community_id: UUID
    name: str = Field(description="姓名")
    phone: str = Field("", description="手机号码（网格员代为登记时可空）")
    address: str = Field("", description="住址")
    grid_code: str | None = Field(None, description="网格编码")


class NeedIn(Body):
    model_config = example(
        {
            "content": "楼道灯坏了，晚上上下楼看不见",
            "category": "plumbing_electrical",
            "urgency": "urgent",
            "people_affected": 12,
            "grid_code": "G01",
            "lat": "35.4901",
            "lon": "112.8512",
            "preferred_time": "周六上午",
            "photos": ["3f2b7c1d9e8a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"],
            "source": None,
            "resident_id": None,
            "requester_name": "",
        }
    )

    content: str = Field(description="需求内容")
    category: str = Field(description="类别（擅长领域编码，见 /meta/skill-categories）")
    urgency: Literal["normal", "urgent", "critical"] = Field("normal", description="紧急程度")
    people_affected: int = Field(1, description="涉及人数", json_schema_extra=within(1, 100000))
    grid_code: str | None = Field(None, description="网格编码")
    lat: Number | None = Field(None, description="纬度（可选）")
    lon: Number | None = Field(None, description="经度（可选）")
    preferred_time: str = Field("", description="期望服务时间")
    photos: list[str] = Field([], description="照片 SHA-256（先上传到 /photos）")
    source: str | None = Field(None, description="来源：visit/wechat/council/wish_card（代发时）")
    resident_id: UUID | None = Field(None, description="代发：已登记居民")
    requester_name: str = Field("", description="代发：未登记居民的称呼")


class NoteIn(Body):
    model_config = example({"note": "我是电工，周六上午可以去"})

    note: str = ""


class OrderReasonIn(Body):
    model_config = example({"reason": "居民已自行解决"})

    reason: str = ""


class DispatchIn(Body):
    model_config = example({"member_id": "2b8e4c6a-1d3f-4e5a-9b7c-0d2e4f6a8b1c"})

    member_id: UUID


class JointMeetingIn(Body):
    model_config = example(
        {
            "assignee_kind": "unit",
            "assignee_id": "7a1d9b2c-3e4f-4a5b-8c6d-9e0f1a2b3c4d",
            "assignee_name": "",
            "note": "大党委会议议定由结对单位承办",
        }
    )

    assignee_kind: Literal["member", "unit", "team"]
    assignee_id: UUID | None = None
    assignee_name: str = ""
    note: str = ""


class CheckInIn(Body):
    model_config = example({"lat": "35.4902", "lon": "112.8513"})

    lat: Number
    lon: Number


class PhotoIn(Body):
    model_config = example(
        {
            "sha256": "3f2b7c1d9e8a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
            "kind": "after",
        }
    )

    sha256: str
    kind: Literal["before", "after", "other"]


class ClaimIn(Body):
    model_config = example({"hours": "1.5", "note": "已更换楼道灯 3 盏"})

    hours: Number = Field(description="服务时长（小时）")
    note: str = ""


class RatingIn(Body):
    model_config = example({"stars": 5, "comment": "来得快，修得好", "solved": "yes"})

    stars: int = Field(description="1–5 星", json_schema_extra=within(1, 5))
    comment: str = ""
    solved: Literal["yes", "partly", "no"]


class LowRatingIn(Body):
    model_config = example(
        {"decision": "return_to_member", "reason": "居民反映仍有一盏灯不亮", "credit_hours": False}
    )

    decision: Literal["return_to_member", "return_to_pool", "close"]
    reason: str
    credit_hours: bool = False


class FollowUpIn(Body):
    model_config = example({"method": "phone", "outcome": "已电话督促，党员承诺本周五前完成"})

    method: Literal["phone", "joint_meeting"]
    outcome: str


# Who reads residents' names in full on an order: its community, and the resident.
RESIDENT_NAME_READERS = (Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.RESIDENT, Role.OPERATOR)


def _order_or_404(request: Request, order_id: UUID, actor: Actor) -> dict[str, Any]:
    svc = services(request)
    row = needs.get_order(
        svc.read.store,
        str(order_id),
        svc.clock.now(),
        residents_in_full=actor.role in RESIDENT_NAME_READERS,
    )
    if row is None:
        raise NotFound("unknown_order", "需求不存在", "no such order")
    access.require_read_order(
        actor,
        county_id=UUID(row["county_id"]),
        community_id=UUID(row["community_id"]),
        resident_id=UUID(row["resident_id"]) if row["resident_id"] else None,
        member_id=UUID(row["member_id"]) if row["member_id"] else None,
        applicants={UUID(a["member_id"]) for a in row["applicant_list"]},
    )
    return row


def _ok(request: Request, result: Any, order_id: UUID) -> Any:
    return command_response(request, result, {"order_id": str(order_id)})


# -- residents and needs ----------------------------------------------------------------


@router.post(
    "/residents",
    status_code=201,
    summary="居民登记（本人，或网格员代为登记）",
    responses=answer(ResidentAnswer, 201),
)
def register_resident(
    body: ResidentIn, request: Request, idempotency_key: IdempotencyKey = None
) -> Any:
    svc = services(request)
    actor = current_actor(request)
    on_behalf = actor.role in (Role.GRID_WORKER, Role.COMMUNITY_ADMIN)
    proven = None if on_behalf else phone_session(request)
    new, refresh_token = new_session()
    phone = body.phone
    if proven is not None:
        phone = body.phone or svc.app.user_account(proven.account_id).phone
    result = svc.app.register_resident(
        actor,
        community_id=body.community_id,
        name=body.name,
        phone=phone,
        address=body.address,
        grid_code=body.grid_code,
        idempotency_key=idempotency_key,
        account_id=None if proven is None else proven.account_id,
        session=None if proven is None else new,
    )
    out: dict[str, Any] = {"resident_id": str(result.id)}
    if proven is not None:
        grant = (Role.RESIDENT, body.community_id)
        out.update(registration_tokens(request, result, proven, new, refresh_token, grant))
    return command_response(request, result, out, created=True)


@router.post(
    "/photos",
    status_code=201,
    summary="上传照片（请求体为图片本身）",
    responses=answer(PhotoStored, 201),
)
async def upload_photo(request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    policy = svc.app.policy(svc.app.county_of(actor))
    data = await request.body()
    digest, media_type = svc.photos.put(data, policy.photo_max_bytes)
    return {"sha256": digest, "media_type": media_type, "bytes": len(data)}


@router.get(
    "/photos/{sha256}",
    summary="查看照片",
    response_class=Response,
    responses={
        200: {
            "description": "照片原文件",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in PHOTO_MEDIA_TYPES
            },
        }
    },
    description="只给能查看用到这张照片的需求（或抽查结果）的人；知道哈希值不够。",
)
def get_photo(sha256: str, request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    digest = sha256.lower()
    if not _may_see_photo(request, digest, actor):
        raise NotFound("unknown_photo", "照片不存在", "no such photo")
    data, media_type = svc.photos.get(digest)
    return Response(
        content=data, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"}
    )


def _may_see_photo(request: Request, digest: str, actor: Actor) -> bool:
    """Whether any need or finding that uses the photo is the actor's to read."""
    from projections import photos

    svc = services(request)
    for kind, resource_id in photos.uses_of(svc.read.store, digest):
        try:
            if kind == "order":
                _order_or_404(request, UUID(resource_id), actor)
            else:
                county = plan_progress.plan_county(svc.read.store, resource_id)
                if county is None:
                    continue
                access.require_county_reader(actor, UUID(county))
        except (Forbidden, NotFound):
            continue
        return True
    return actor.role is Role.OPERATOR


@router.post(
    "/needs", status_code=201, summary="群众点单 / 网格员代发", responses=answer(OrderAnswer, 201)
)
def post_need(
    body: NeedIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    svc = services(request)
    for digest in body.photos:
        if not svc.photos.exists(digest.lower()):
            raise NotFound("unknown_photo", "照片未上传或不存在", "upload the photo first")
    result = svc.app.post_need(
        actor, NeedInput(**body.model_dump()), idempotency_key=idempotency_key
    )
    return command_response(request, result, {"order_id": str(result.id)}, created=True)


@router.get("/needs/{order_id}", summary="需求详情与全过程记录", responses=answer(OrderView))
def get_need(order_id: UUID, request: Request, actor: SignedIn) -> Any:
    return _order_or_404(request, order_id, actor)


@router.get(
    "/needs/{order_id}/suggestions",
    summary="派单推荐（含排序理由）",
    responses=answer(list[Suggestion]),
)
def suggestions(order_id: UUID, request: Request, actor: SignedIn) -> Any:
    row = _order_or_404(request, order_id, actor)
    access.require_community_staff(actor, UUID(row["community_id"]))
    return needs.suggest_members(services(request).read.store, str(order_id))


# -- the steps --------------------------------------------------------------------------


@router.post(
    "/needs/{order_id}/applications", summary="接单申请（党员）", responses=answer(OrderAnswer)
)
def apply(order_id: UUID, body: NoteIn, request: Request, actor: SignedIn) -> Any:
    return _ok(request, services(request).app.request_take(actor, order_id, body.note), order_id)


@router.post(
    "/needs/{order_id}/dispatch",
    summary="派单（社区；交办单位的由单位派给本单位党员）",
    responses=answer(OrderAnswer),
)
def dispatch(
    order_id: UUID,
    body: DispatchIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.dispatch(actor, order_id, body.member_id)
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/joint-meeting", summary="记录大党委交办决定", responses=answer(OrderAnswer)
)
def joint_meeting(
    order_id: UUID,
    body: JointMeetingIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.record_joint_meeting(
        actor,
        order_id,
        assignee_kind=body.assignee_kind,
        assignee_id=body.assignee_id,
        assignee_name=body.assignee_name,
        note=body.note,
    )
    return _ok(request, result, order_id)


@router.post("/needs/{order_id}/accept", summary="确认接单（党员）", responses=answer(OrderAnswer))
def accept(order_id: UUID, request: Request, actor: SignedIn) -> Any:
    return _ok(request, services(request).app.accept(actor, order_id), order_id)


@router.post("/needs/{order_id}/decline", summary="拒单（党员）", responses=answer(OrderAnswer))
def decline(order_id: UUID, body: OrderReasonIn, request: Request, actor: SignedIn) -> Any:
    return _ok(request, services(request).app.decline(actor, order_id, body.reason), order_id)


@router.post(
    "/needs/{order_id}/check-in",
    summary="到场签到（定位）",
    description="可带 Idempotency-Key：网络不好重发时不会重复签到，返回第一次的结果。",
    responses=answer(OrderAnswer),
)
def check_in(
    order_id: UUID,
    body: CheckInIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.check_in(
        actor, order_id, body.lat, body.lon, idempotency_key=idempotency_key
    )
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/photos", summary="添加服务照片（服务前/后）", responses=answer(OrderAnswer)
)
def attach_photo(order_id: UUID, body: PhotoIn, request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    if not svc.photos.exists(body.sha256.lower()):
        raise NotFound("unknown_photo", "照片未上传或不存在", "upload the photo first")
    result = svc.app.attach_photo(actor, order_id, body.sha256, body.kind)
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/claim", summary="申请结单（填写服务时长）", responses=answer(OrderAnswer)
)
def claim_completion(order_id: UUID, body: ClaimIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.claim_completion(actor, order_id, body.hours, body.note)
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/rating", summary="评价（居民或网格员代评）", responses=answer(OrderAnswer)
)
def rate(order_id: UUID, body: RatingIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.rate(
        actor, order_id, stars=body.stars, comment=body.comment, solved=body.solved
    )
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/low-rating-decision",
    summary="差评处理：返单或结单（社区）",
    responses=answer(OrderAnswer),
)
def low_rating(
    order_id: UUID,
    body: LowRatingIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.decide_low_rating(
        actor, order_id, decision=body.decision, reason=body.reason, credit_hours=body.credit_hours
    )
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/follow-ups", summary="超期跟进（社区）", responses=answer(OrderAnswer)
)
def follow_up(order_id: UUID, body: FollowUpIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.follow_up(
        actor, order_id, method=body.method, outcome=body.outcome
    )
    return _ok(request, result, order_id)


@router.post(
    "/needs/{order_id}/cancel", summary="撤销需求（接单前）", responses=answer(OrderAnswer)
)
def cancel_need(order_id: UUID, body: OrderReasonIn, request: Request, actor: SignedIn) -> Any:
    return _ok(request, services(request).app.cancel_need(actor, order_id, body.reason), order_id)


@router.post(
    "/needs/{order_id}/reject", summary="驳回不当需求（社区）", responses=answer(OrderAnswer)
)
def reject(order_id: UUID, body: OrderReasonIn, request: Request, actor: SignedIn) -> Any:
    return _ok(request, services(request).app.reject_need(actor, order_id, body.reason), order_id)


# -- ledgers and views ------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/needs",
    summary="民生需求台账（筛选、排序、分页；format=xlsx/csv 导出）",
    responses=answer(LedgerPage),
)
def ledger(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    status: str | None = Query(None, description="状态编码，或 open 表示未办结"),
    category: str | None = None,
    urgency: str | None = None,
    grid: str | None = None,
    source: str | None = None,
    overdue: bool | None = None,
    q: str | None = Query(None, description="需求内容或求助人"),
    sort: Literal["posted_at", "urgency", "people_affected", "status", "take_deadline"] = (
        "posted_at"
    ),
    order: Literal["asc", "desc"] = "desc",
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Literal["json", "xlsx", "csv"] = "json",
) -> Any:
    svc = services(request)
    community = community_for_reader(request, community_id, actor)
    exporting = format != "json"
    total, rows = needs.ledger(
        svc.read.store,
        str(community_id),
        svc.clock.now(),
        status=status,
        category=category,
        urgency=urgency,
        grid=grid,
        source=source,
        overdue=overdue,
        text=q,
        sort=sort,
        descending=order == "desc",
        page=1 if exporting else page,
        size=100_000 if exporting else size,
    )
    if format == "json":
        return {"total": total, "page": page, "size": size, "items": rows}
    return export_response(
        rows, needs.LEDGER_COLUMNS, title=f"{community['name']}：民生需求台账", fmt=format
    )


@router.get(
    "/communities/{community_id}/figures",
    summary="社区需求办理指标",
    description="`year`：只计该年（北京时间）登记的需求；不填为全部。",
    responses=answer(Figures),
)
def figures(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    year: YearQuery = None,
) -> Any:
    community_for_reader(request, community_id, actor)
    return needs.community_figures(services(request).read.store, str(community_id), year)


# -- 微心愿墙: no login ----------------------------------------------------------------------


@router.get(
    "/public/communities/{community_id}/wishes",
    summary="公开：社区微心愿墙（无需登录）",
    description="社区的需求，新的在前：类别、遮蔽个人信息后截短的需求内容、登记与完成时间、"
    "状态（待认领、已认领、已完成）。不含求助人、党员、网格、地点与编号；"
    "已撤销、已驳回和核定虚假的需求不上墙。",
    responses=answer(PublicWishes),
)
def public_wishes(
    community_id: UUID,
    request: Request,
    state: Literal["open", "taken", "done"] | None = Query(
        None, description="只看某状态：open 待认领、taken 已认领、done 已完成"
    ),
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=50, description="每页条数")] = 20,
) -> Any:
    store = services(request).read.store
    community = directory.get_community(store, str(community_id))
    if community is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    total, counts, items = needs.public_wall(
        store, str(community_id), state=state, page=page, size=size
    )
    return {
        "community": community["name"],
        "counts": counts,
        "total": total,
        "page": page,
        "size": size,
        "items": items,
    }


@router.get(
    "/me/open-needs", summary="可接的需求（党员：擅长与网格优先）", responses=answer(list[OpenNeed])
)
def open_needs(request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    member_id = access.member_scope(actor)
    return needs.open_needs_for_member(svc.read.store, str(member_id), svc.clock.now())


@router.get(
    "/me/orders", summary="我的需求（居民）或我的服务记录（党员）", responses=answer(list[MyOrder])
)
def my_orders(request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    now = svc.clock.now()
    if actor.role is Role.MEMBER:
        member = str(access.member_scope(actor))
        rows = needs.orders_of(svc.read.store, now, member_id=member, reader=actor.role)
    else:
        resident = str(access.resident_id(actor))
        rows = needs.orders_of(svc.read.store, now, resident_id=resident, reader=actor.role)
    for row in rows:
        row.pop("posted_by", None)
    return rows
