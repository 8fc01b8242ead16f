"""积分: the community's points rules, partners and catalogue; members' redemptions and
statements; partners' confirmations and settlement lists; orders found false."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.directory import CommunityAnswer
from api.answers.orders import OrderAnswer
from api.answers.points import (
    CatalogueItem,
    CodeLookup,
    ItemAnswer,
    PartnerAnswer,
    PartnerRow,
    PointsRules,
    RedemptionAnswer,
    RedemptionConfirmed,
    RedemptionIssued,
    RedemptionRow,
    Settlement,
    Statement,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    for_reader,
    member_for_reader,
    read_consistency,
    services,
)
from api.exports import export_response
from api.guard import GuardedRoute
from api.inputs import Body, Day, YearQuery, example, within
from domain import access
from domain.actors import Actor, Role
from domain.calendar import days_span, stored_span
from domain.errors import Forbidden, NotFound
from domain.limits import LIMITS
from domain.masking import mask_name
from domain.policies import COMMUNITY_POLICY
from projections import directory, points

router = APIRouter(
    tags=["points"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)

Format = Annotated[Literal["json", "xlsx", "csv"], Query(alias="format")]


class PointsRulesIn(Body):
    model_config = example({"overrides": {"points_per_hour": 50}, "reason": "社区两委会议通过"})

    overrides: dict[str, Any] = Field(
        description="要修改的积分规则：points_per_hour、five_star_bonus_points、"
        "star_award_bonus_points、redemption_confirm_days"
    )
    reason: str = ""


class PartnerIn(Body):
    model_config = example(
        {"name": "锦绣物业", "kind": "property_company", "contact": "0356-1234567"}
    )

    name: str = Field(description="合作商家名称")
    kind: Literal["property_company", "canteen", "shop", "community"]
    contact: str = ""


class ItemIn(Body):
    model_config = example(
        {
            "partner_id": "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
            "kind": "property_fee",
            "name": "物业费抵扣 50 元",
            "description": "抵扣当年物业费",
            "price": 500,
            "stock": None,
        }
    )

    partner_id: UUID
    kind: Literal["property_fee", "canteen", "shop", "gift"]
    name: str = Field(description="兑换项目名称，如“物业费抵扣 50 元”")
    description: str = ""
    price: int = Field(
        description="所需服务积分（正整数）", json_schema_extra=within(1, LIMITS.max_item_points)
    )
    stock: int | None = Field(
        None,
        description="库存；物业费抵扣等不计库存的项目留空",
        json_schema_extra=within(0, LIMITS.max_item_stock),
    )


class ItemChangeIn(Body):
    model_config = example({"price": None, "restock": 20, "withdraw_reason": None})

    price: int | None = Field(None, json_schema_extra=within(1, LIMITS.max_item_points))
    restock: int | None = Field(
        None, description="补货数量", json_schema_extra=within(1, LIMITS.max_item_stock)
    )
    withdraw_reason: str | None = Field(None, description="下架理由（填写即下架）")


class RedeemIn(Body):
    model_config = example({"item_id": "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b", "quantity": 1})

    item_id: UUID
    quantity: int = Field(1, description="数量", json_schema_extra=within(1, 1000))


class RedemptionCancelIn(Body):
    model_config = example({"reason": "换成超市商品"})

    reason: str = ""


class CodeIn(Body):
    model_config = example({"code": "40718263"})

    code: str = Field(description="党员出示的兑换码（8 位数字）")


class FoundFalseIn(Body):
    model_config = example({"reason": "回访居民否认接受过服务"})

    reason: str = Field(description="核定为虚假的依据")


# -- rules, partners, catalogue ---------------------------------------------------------------


@router.put(
    "/communities/{community_id}/points-rules",
    summary="设置本社区积分规则（社区）",
    responses=answer(CommunityAnswer),
)
def set_points_rules(
    community_id: UUID,
    body: PointsRulesIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.set_points_rules(
        actor, community_id, body.overrides, body.reason
    )
    return command_response(request, result, {"community_id": str(community_id)})


@router.get(
    "/communities/{community_id}/points-rules",
    summary="本社区现行积分规则",
    responses=answer(PointsRules),
)
def get_points_rules(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    _community_or_member(request, community_id, actor)
    policy = services(request).app.points_policy(community_id)
    return {name: getattr(policy, name) for name in sorted(COMMUNITY_POLICY)}


def _community_or_member(request: Request, community_id: UUID, actor: Actor) -> dict[str, Any]:
    """The community's members and partners see its rules and catalogue too (not those of
    another community: a member redeems where they reported)."""
    row = directory.get_community(services(request).read.store, str(community_id))
    if row is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    if actor.role is Role.MEMBER:
        member = services(request).app.member(access.member_scope(actor))
        if member.community_id == community_id:
            return row
    if actor.role is Role.PARTNER and actor.scope_id is not None:
        partner = points.get_partner(services(request).read.store, str(actor.scope_id))
        if partner is not None and partner["community_id"] == str(community_id):
            return row
    return community_for_reader(request, community_id, actor)


@router.post(
    "/communities/{community_id}/partners",
    status_code=201,
    summary="登记合作商家",
    responses=answer(PartnerAnswer, 201),
)
def register_partner(
    community_id: UUID,
    body: PartnerIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.register_partner(
        actor,
        community_id,
        name=body.name,
        kind=body.kind,
        contact=body.contact,
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"partner_id": str(result.id)}, created=True)


@router.get(
    "/communities/{community_id}/partners",
    summary="合作商家列表",
    responses=answer(list[PartnerRow]),
)
def list_partners(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    community_for_reader(request, community_id, actor)
    return points.partners_of(services(request).read.store, str(community_id))


@router.post(
    "/communities/{community_id}/catalogue",
    status_code=201,
    summary="上架兑换项目",
    responses=answer(ItemAnswer, 201),
)
def list_item(
    community_id: UUID,
    body: ItemIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.list_item(
        actor,
        community_id,
        partner_id=body.partner_id,
        kind=body.kind,
        name=body.name,
        description=body.description,
        price=body.price,
        stock=body.stock,
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"item_id": str(result.id)}, created=True)


@router.get(
    "/communities/{community_id}/catalogue",
    summary="积分兑换目录",
    responses=answer(list[CatalogueItem]),
)
def get_catalogue(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    include_withdrawn: bool = False,
) -> Any:
    _community_or_member(request, community_id, actor)
    return points.catalogue(
        services(request).read.store, str(community_id), include_withdrawn=include_withdrawn
    )


@router.patch(
    "/catalogue/{item_id}", summary="改价、补货或下架（社区）", responses=answer(ItemAnswer)
)
def change_item(
    item_id: UUID,
    body: ItemChangeIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.change_item(
        actor,
        item_id,
        price=body.price,
        restock=body.restock,
        withdraw_reason=body.withdraw_reason,
    )
    return command_response(request, result, {"item_id": str(item_id)})


# -- redemptions ------------------------------------------------------------------------------


@router.post(
    "/members/{member_id}/redemptions",
    status_code=201,
    summary="积分兑换（党员本人）",
    description="扣减服务积分并生成兑换码；合作商家凭兑换码核销。积分不足或库存不足时拒绝，不记录任何事件。",
    responses=answer(RedemptionIssued, 201),
)
def redeem(
    member_id: UUID,
    body: RedeemIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.redeem(
        actor, member_id, body.item_id, quantity=body.quantity, idempotency_key=idempotency_key
    )
    return command_response(
        request, result, {"redemption_id": str(result.id), **result.details}, created=True
    )


@router.get(
    "/members/{member_id}/redemptions",
    summary="党员的兑换记录",
    responses=answer(list[RedemptionRow]),
)
def list_redemptions(member_id: UUID, request: Request, actor: SignedIn) -> Any:
    member_for_reader(request, member_id, actor)
    rows = points.redemptions_of(services(request).read.store, str(member_id))
    if actor.role is not Role.MEMBER:  # the code is the member's to show, nobody else's
        for r in rows:
            r.pop("code", None)
    return for_reader(request, actor, rows)


@router.post(
    "/redemptions/{redemption_id}/cancel",
    summary="取消兑换（党员本人或社区），积分退回",
    responses=answer(RedemptionAnswer),
)
def cancel_redemption(
    redemption_id: UUID,
    body: RedemptionCancelIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.cancel_redemption(actor, redemption_id, body.reason)
    return command_response(request, result, {"redemption_id": str(redemption_id)})


@router.get(
    "/partners/{partner_id}/code",
    summary="核销前查看兑换码（合作商家）",
    description="凭党员出示的兑换码查看兑换项目、数量、积分与兑换党员（姓名遮挡），不核销；"
    "兑换码无效、已核销、已取消或已过期时，与核销时同样拒绝。兑换码放在查询参数中。",
    responses=answer(CodeLookup),
)
def code_lookup(
    partner_id: UUID,
    request: Request,
    actor: SignedIn,
    code: Annotated[str, Query(max_length=32, description="党员出示的兑换码（8 位数字）")],
) -> Any:
    svc = services(request)
    found = svc.app.redemption_to_confirm(actor, partner_id, code)
    row = points.get_redemption(svc.read.store, str(found.id))
    if row is None:  # not yet in the read model: the member only just redeemed
        raise NotFound("unknown_code", "兑换码无效", "no redemption has this code (yet)")
    # the code alone names the member only as far as the masking rule lets it
    name = mask_name(svc.app.member(found.member_id).name)
    keys = ("redemption_id", "item_id", "item_name", "quantity", "unit_price", "points")
    answer_row = {k: row[k] for k in keys}
    return {
        **answer_row,
        "member_name": name,
        "requested_at": row["requested_at"],
        "expires_at": row["expires_at"],
    }


@router.post(
    "/partners/{partner_id}/confirmations",
    summary="合作商家凭兑换码核销",
    responses=answer(RedemptionConfirmed),
)
def confirm_redemption(
    partner_id: UUID,
    body: CodeIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    svc = services(request)
    result = svc.app.confirm_redemption(actor, partner_id, body.code)
    redemption = svc.app.redemption(result.id)
    member = svc.app.member(redemption.member_id)
    return command_response(
        request,
        result,
        {
            "redemption_id": str(result.id),
            "item_id": str(redemption.item_id),
            "quantity": redemption.quantity,
            "points": redemption.points,
            "member_name": member.name,
        },
    )


def _partner_for_reader(request: Request, partner_id: UUID, actor: Actor) -> dict[str, Any]:
    row = points.get_partner(services(request).read.store, str(partner_id))
    if row is None:
        raise NotFound("unknown_partner", "合作商家不存在", "no such partner")
    if actor.role is Role.PARTNER:
        if actor.scope_id != partner_id:
            raise Forbidden("not_your_partner", "只能查看本商家的兑换", "not your redemptions")
        return row
    community_for_reader(request, UUID(row["community_id"]), actor)
    return row


@router.get(
    "/partners/{partner_id}/redemptions",
    summary="合作商家兑换结算清单",
    description="默认列出已核销的兑换，按核销时间；`from`/`to` 为日期（含 from，不含 to）；"
    "`format=xlsx|csv` 下载。",
    responses=answer(Settlement),
)
def settlement(
    partner_id: UUID,
    request: Request,
    actor: SignedIn,
    status: Literal["requested", "confirmed", "cancelled", "expired"] | None = "confirmed",
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    fmt: Format = "json",
) -> Any:
    partner = _partner_for_reader(request, partner_id, actor)
    low, high = days_span(start, end)  # Beijing days, as stored moments compare
    rows = points.partner_redemptions(
        services(request).read.store, str(partner_id), status=status, start=low, end=high
    )
    for r in rows:
        r.pop("member_id", None)
    if fmt != "json":
        return export_response(
            rows, points.SETTLEMENT_COLUMNS, title=f"兑换结算清单：{partner['name']}", fmt=fmt
        )
    return {
        "partner": partner,
        "redemptions": rows,
        "total_points": sum(r["points"] for r in rows),
        "count": len(rows),
    }


# -- the member's account and statement ----------------------------------------------------


@router.get(
    "/members/{member_id}/points",
    summary="党员积分账户与明细",
    description="服务积分（可兑换）与考核积分（不兑换）分开记；明细逐笔列出计分、兑换、退回、撤销及"
    "每笔后的余额。`year` 限定年度；`format=xlsx|csv` 下载。",
    responses=answer(Statement),
)
def statement(
    member_id: UUID,
    request: Request,
    actor: SignedIn,
    year: YearQuery = None,
    fmt: Format = "json",
) -> Any:
    member = member_for_reader(request, member_id, actor)
    store = services(request).read.store
    start = end = None
    if year is not None:
        start, end = stored_span(year)  # the Beijing year
    rows = for_reader(request, actor, points.statement(store, str(member_id), start, end))
    if fmt != "json":
        title = f"积分明细：{member['name']}" + (f"（{year}）" if year else "")
        return export_response(rows, points.STATEMENT_COLUMNS, title=title, fmt=fmt)
    return {"account": points.account_of(store, str(member_id)), "entries": rows}


# -- orders found false -------------------------------------------------------------------------


@router.post(
    "/orders/{order_id}/found-false",
    summary="核定需求为虚假（社区更正或督查），撤销时长与积分",
    responses=answer(OrderAnswer),
)
def found_false(
    order_id: UUID,
    body: FoundFalseIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    found_by = "inspection" if actor.role is Role.INSPECTOR else "community"
    result = services(request).app.find_order_false(actor, order_id, body.reason, found_by=found_by)
    return command_response(request, result, {"order_id": str(order_id)})
