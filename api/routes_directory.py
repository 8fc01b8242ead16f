"""组织部: communities with grids, units, pairings (包联), unit reports (单位报到), policy."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.directory import (
    CommunityAnswer,
    CommunityRow,
    CommunityView,
    CountyAnswer,
    GridAnswer,
    PairingAnswer,
    PolicyView,
    PublicDirectory,
    RegistrationForm,
    UnitAnswer,
    UnitRow,
    UnitView,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    read_consistency,
    services,
)
from api.guard import GuardedRoute
from api.inputs import Body, example, within
from domain import access
from domain.actors import Role
from domain.errors import NotFound
from domain.policies import POLICY_SOURCES
from domain.unit import MAX_UNIT_MEMBERS
from projections import directory

router = APIRouter(
    tags=["directory"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)


class GridIn(Body):
    model_config = example({"code": "G03", "name": "第三网格"})

    code: str = Field(description="网格编码，如 G01")
    name: str = Field(description="网格名称，如 第一网格")


class CommunityIn(Body):
    model_config = example(
        {
            "name": "锦绣社区",
            "code": "JX",
            "address": "泽州县锦绣路1号",
            "grids": [{"code": "G01", "name": "第一网格"}],
        }
    )

    name: str = Field(description="社区名称")
    code: str = Field(description="社区编码")
    address: str = ""
    grids: list[GridIn] = Field([])


class UnitIn(Body):
    model_config = example({"name": "泽州县财政局党组", "member_count": 42})

    name: str = Field(description="单位党组织名称")
    member_count: int = Field(
        description="在职党员人数（报到覆盖率的分母）",
        json_schema_extra=within(0, MAX_UNIT_MEMBERS),
    )


class MemberCountIn(Body):
    model_config = example({"member_count": 45})

    member_count: int = Field(
        description="在职党员人数", json_schema_extra=within(0, MAX_UNIT_MEMBERS)
    )


class PairingIn(Body):
    model_config = example({"community_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60"})

    community_id: UUID


class EndPairingIn(Body):
    model_config = example({"reason": "单位搬迁，改与新址所在社区结对"})

    reason: str


class UnitReportIn(Body):
    model_config = example(
        {
            "community_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
            "note": "单位党组织到社区报到，认领楼道照明项目",
        }
    )

    community_id: UUID
    note: str = ""


class PolicyIn(Body):
    model_config = example(
        {
            "overrides": {"take_window_days": 5},
            "reason": "县委组织部 2026 年 3 号文：接单期延长至 5 天",
        }
    )

    overrides: dict[str, Any]
    reason: str


def _community_or_404(request: Request, community_id: UUID) -> dict[str, Any]:
    row = directory.get_community(services(request).read.store, str(community_id))
    if row is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    return row


def _unit_or_404(request: Request, unit_id: UUID) -> dict[str, Any]:
    row = directory.get_unit(services(request).read.store, str(unit_id))
    if row is None:
        raise NotFound("unknown_unit", "单位不存在", "no such unit")
    return row


@router.post(
    "/communities",
    status_code=201,
    summary="登记社区（组织部）",
    responses=answer(CommunityAnswer, 201),
)
def register_community(
    body: CommunityIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    svc = services(request)
    result = svc.app.register_community(
        actor,
        name=body.name,
        code=body.code,
        address=body.address,
        grids=[(g.code, g.name) for g in body.grids],
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"community_id": str(result.id)}, created=True)


@router.get("/communities", summary="本县社区列表", responses=answer(list[CommunityRow]))
def list_communities(request: Request, actor: SignedIn) -> Any:
    county_id = access.county_reader_scope(actor)
    return directory.list_communities(services(request).read.store, str(county_id))


@router.get(
    "/communities/{community_id}",
    summary="社区详情（网格、结对单位）",
    responses=answer(CommunityView),
)
def get_community(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    return community_for_reader(request, community_id, actor)


@router.post(
    "/communities/{community_id}/grids",
    status_code=201,
    summary="增加网格",
    responses=answer(GridAnswer, 201),
)
def add_grid(
    community_id: UUID,
    body: GridIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.add_grid(
        actor, community_id, code=body.code, name=body.name, idempotency_key=idempotency_key
    )
    return command_response(
        request, result, {"community_id": str(community_id), "grid": body.code}, created=True
    )


@router.get(
    "/registration-form/{community_id}",
    summary="报到二维码落地页所需信息（公开）",
    description=(
        "扫码报到页面：社区名称、网格、本县单位及其中与本社区结对的单位。"
        "提交报到（POST /registrations）前须先用短信验证码验证手机号（/auth/phone-codes）。"
    ),
    responses=answer(RegistrationForm),
)
def registration_form(community_id: UUID, request: Request) -> Any:
    store = services(request).read.store
    row = _community_or_404(request, community_id)
    units = directory.list_units(store, row["county_id"])
    paired = {u["unit_id"] for u in row["units"]}
    return {
        "community_id": row["community_id"],
        "community_name": row["name"],
        "grids": row["grids"],
        "units": [
            {"unit_id": u["unit_id"], "name": u["name"], "paired": u["unit_id"] in paired}
            for u in units
        ],
    }


@router.get(
    "/public/directory",
    summary="公开：各县（区）的社区与单位名录（无需登录）",
    description="公示页面的索引：县（区）、社区与单位的名称和编号，别无其他。",
    responses=answer(PublicDirectory),
)
def public_directory(request: Request) -> Any:
    return {"counties": directory.public_directory(services(request).read.store)}


@router.post(
    "/units", status_code=201, summary="登记单位党组织（组织部）", responses=answer(UnitAnswer, 201)
)
def register_unit(
    body: UnitIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.register_unit(
        actor, name=body.name, member_count=body.member_count, idempotency_key=idempotency_key
    )
    return command_response(request, result, {"unit_id": str(result.id)}, created=True)


@router.get("/units", summary="本县单位列表", responses=answer(list[UnitRow]))
def list_units(request: Request, actor: SignedIn) -> Any:
    county_id = access.county_reader_scope(actor)
    return directory.list_units(services(request).read.store, str(county_id))


@router.get(
    "/units/{unit_id}", summary="单位详情（结对社区、报到情况）", responses=answer(UnitView)
)
def get_unit(unit_id: UUID, request: Request, actor: SignedIn) -> Any:
    row = _unit_or_404(request, unit_id)
    access.require_read_unit(actor, unit_id=unit_id, county_id=UUID(row["county_id"]))
    return row


@router.put(
    "/units/{unit_id}/member-count", summary="申报在职党员人数", responses=answer(UnitAnswer)
)
def declare_member_count(
    unit_id: UUID,
    body: MemberCountIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.declare_unit_member_count(actor, unit_id, body.member_count)
    return command_response(request, result, {"unit_id": str(unit_id)})


@router.post(
    "/units/{unit_id}/pairings",
    status_code=201,
    summary="单位与社区结对（包联）",
    responses=answer(PairingAnswer, 201),
)
def pair_unit(
    unit_id: UUID,
    body: PairingIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.pair_unit(
        actor, unit_id, body.community_id, idempotency_key=idempotency_key
    )
    body_out = {"unit_id": str(unit_id), "community_id": str(body.community_id)}
    return command_response(request, result, body_out, created=True)


@router.post(
    "/units/{unit_id}/pairings/{community_id}/end",
    summary="解除结对",
    responses=answer(PairingAnswer),
)
def end_pairing(
    unit_id: UUID,
    community_id: UUID,
    body: EndPairingIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.unpair_unit(actor, unit_id, community_id, body.reason)
    return command_response(
        request, result, {"unit_id": str(unit_id), "community_id": str(community_id)}
    )


@router.post(
    "/units/{unit_id}/reports",
    status_code=201,
    summary="单位报到",
    responses=answer(PairingAnswer, 201),
)
def report_unit(
    unit_id: UUID,
    body: UnitReportIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.report_unit(
        actor, unit_id, body.community_id, body.note, idempotency_key=idempotency_key
    )
    return command_response(
        request,
        result,
        {"unit_id": str(unit_id), "community_id": str(body.community_id)},
        created=True,
    )


@router.get(
    "/counties/{county_id}/policy", summary="政策参数（含来源）", responses=answer(PolicyView)
)
def get_policy(county_id: UUID, request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    county = None if actor.role is Role.OPERATOR else svc.app.county_of(actor)
    access.require_in_county(actor, county, county_id)
    policy = svc.app.policy(county_id)
    return {
        "county_id": str(county_id),
        "values": [
            {"name": name, "value": value, "source": POLICY_SOURCES.get(name, "")}
            for name, value in policy.as_dict().items()
        ],
    }


@router.put(
    "/counties/{county_id}/policy",
    summary="调整政策参数（组织部，记录为事件）",
    responses=answer(CountyAnswer),
)
def change_policy(
    county_id: UUID,
    body: PolicyIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.change_policy(actor, county_id, body.overrides, body.reason)
    return command_response(request, result, {"county_id": str(county_id)})
