"""双报到 and 三亮: online registration, the community's review, the member's profile,
and the talent pool (人才库) community staff search."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.members import (
    Me,
    MemberAnswer,
    MemberView,
    RegistrationAnswer,
    RegistrationPage,
    ReviewAnswer,
    TalentPool,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    current_actor,
    member_for_reader,
    new_session,
    phone_session,
    read_consistency,
    registration_tokens,
    services,
)
from api.guard import GuardedRoute
from api.inputs import Body, Number, Page, example, within
from domain import access
from domain.actors import Role
from domain.application import Availability, Commitment, Identity, Skills
from domain.errors import NotFound
from projections import members

router = APIRouter(
    tags=["members"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)


class RegistrationIn(Body):
    model_config = example(
        {
            "unit_id": "7a1d9b2c-3e4f-4a5b-8c6d-9e0f1a2b3c4d",
            "community_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
            "basis": "residence",
            "name": "张伟",
            "phone": "13800001234",
            "post": "科员",
            "grid_code": "G01",
        }
    )

    unit_id: UUID = Field(description="所在单位")
    community_id: UUID = Field(description="报到社区")
    basis: Literal["residence", "paired"] = Field(description="居住地社区 / 单位结对社区")
    name: str = Field(description="姓名")
    phone: str = Field("", description="手机号码（可空：取验证码登录的手机号；填写则须一致）")
    post: str = Field("", description="职务")
    grid_code: str | None = Field(None, description="居住网格编码（可选）")


class ReviewIn(Body):
    model_config = example({"decision": "approve", "reason": "", "grid_code": "G01"})

    decision: Literal["approve", "reject"]
    reason: str = Field("", description="审核意见；驳回时必填")
    grid_code: str | None = Field(None, description="分配网格（可选）")


class IdentityIn(Body):
    post: str = Field(description="职务")
    show_contact: bool = Field(False, description="是否同意公开联系电话")


class MemberCommitmentIn(Body):
    text: str = Field(description="承诺内容")
    hours_per_year: int | None = Field(
        None, description="每年承诺服务时长（小时），默认 12", json_schema_extra=within(1, 8760)
    )


class SkillsIn(Body):
    categories: list[str] = Field([], description="擅长领域编码，见 /meta/skill-categories")
    tags: list[str] = Field([], description="自定义特长标签")


class AvailabilityIn(Body):
    service_radius_km: Number = Field(description="服务半径（公里）")
    time_slots: list[str] = Field([], description="可服务时间编码，见 /meta/time-slots")


class ProfileIn(Body):
    model_config = example(
        {
            "identity": {"post": "科员", "show_contact": True},
            "commitment": {"text": "每月参加一次社区志愿服务", "hours_per_year": 12},
            "skills": {"categories": ["plumbing_electrical"], "tags": ["电工证"]},
            "availability": {"service_radius_km": "3", "time_slots": ["weekend"]},
        }
    )

    identity: IdentityIn | None = None
    commitment: MemberCommitmentIn | None = None
    skills: SkillsIn | None = None
    availability: AvailabilityIn | None = None


def _member_or_404(request: Request, member_id: UUID) -> dict[str, Any]:
    row = members.get_member(services(request).read.store, str(member_id))
    if row is None:
        raise NotFound("unknown_member", "党员不存在", "no such member")
    return row


@router.post(
    "/registrations",
    status_code=201,
    summary="党员线上报到注册（扫码；须先用短信验证码验证手机号）",
    description=(
        "须以验证码登录的会话提交（手机号即验证过的手机号）。账号随之获得党员身份；"
        "返回该身份的会话：token（登录凭证）与 refresh_token。审核通过前只能查看本人的报到信息。"
    ),
    responses=answer(RegistrationAnswer, 201),
)
def register(body: RegistrationIn, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    svc = services(request)
    actor = current_actor(request)
    proven = phone_session(request)
    phone = svc.app.user_account(proven.account_id).phone
    new, refresh_token = new_session()
    result = svc.app.register_member(
        actor,
        unit_id=body.unit_id,
        community_id=body.community_id,
        basis=body.basis,
        name=body.name,
        phone=body.phone or phone,
        post=body.post,
        grid_code=body.grid_code,
        idempotency_key=idempotency_key,
        account_id=proven.account_id,
        session=new,
    )
    body_out = {
        "member_id": str(result.id),
        "status": result.details["status"],
        **registration_tokens(
            request, result, proven, new, refresh_token, (Role.MEMBER, result.id)
        ),
    }
    return command_response(request, result, body_out, created=True)


@router.get(
    "/communities/{community_id}/registrations",
    summary="报到申请列表（社区审核）",
    responses=answer(RegistrationPage),
)
def list_registrations(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    status: Literal["pending", "approved", "rejected"] | None = None,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Any:
    access.require_community_staff(actor, community_id)
    total, rows = members.list_registrations(
        services(request).read.store, str(community_id), status, page, size
    )
    return {
        "total": total,
        "page": page,
        "size": size,
        "items": [members.member_view(r, actor.role) for r in rows],
    }


@router.post(
    "/members/{member_id}/review", summary="审核报到申请（社区）", responses=answer(ReviewAnswer)
)
def review(
    member_id: UUID,
    body: ReviewIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.review_member(
        actor,
        member_id,
        approve=body.decision == "approve",
        reason=body.reason,
        grid_code=body.grid_code,
    )
    status = "approved" if body.decision == "approve" else "rejected"
    return command_response(request, result, {"member_id": str(member_id), "status": status})


@router.get("/me", summary="本人报到信息（党员）", responses=answer(Me))
def me(request: Request, actor: SignedIn) -> Any:
    return members.member_view(_member_or_404(request, access.member_scope(actor)), actor.role)


@router.get("/members/{member_id}", summary="党员报到信息", responses=answer(MemberView))
def get_member(member_id: UUID, request: Request, actor: SignedIn) -> Any:
    return members.member_view(member_for_reader(request, member_id, actor), actor.role)


@router.put(
    "/members/{member_id}/profile",
    summary="亮身份、亮承诺、亮特长与可服务时间（本人）",
    description="只提交要修改的部分；每一处改动记录为一个事件，未改动的不记录。",
    responses=answer(MemberAnswer),
)
def update_profile(
    member_id: UUID,
    body: ProfileIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.update_member_profile(
        actor,
        member_id,
        identity=Identity(body.identity.post, body.identity.show_contact)
        if body.identity
        else None,
        commitment=(
            Commitment(body.commitment.text, body.commitment.hours_per_year)
            if body.commitment
            else None
        ),
        skills=Skills(body.skills.categories, body.skills.tags) if body.skills else None,
        availability=(
            Availability(body.availability.service_radius_km, body.availability.time_slots)
            if body.availability
            else None
        ),
    )
    return command_response(request, result, {"member_id": str(member_id)})


@router.get(
    "/communities/{community_id}/talent-pool",
    summary="人才库检索（社区）",
    responses=answer(TalentPool),
)
def talent_pool(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    skill: Annotated[str | None, Query(description="擅长领域编码")] = None,
    tag: Annotated[str | None, Query(description="特长标签（包含）")] = None,
    grid: Annotated[str | None, Query(description="网格编码")] = None,
    slot: Annotated[str | None, Query(description="可服务时间编码")] = None,
    q: Annotated[str | None, Query(description="姓名、职务或承诺中的文字")] = None,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Any:
    store = services(request).read.store
    community_for_reader(request, community_id, actor)
    total, rows = members.search_talent_pool(
        store,
        str(community_id),
        skill=skill,
        tag=tag,
        grid=grid,
        slot=slot,
        text=q,
        page=page,
        size=size,
    )
    return {
        "total": total,
        "page": page,
        "size": size,
        "items": [members.member_view(r, actor.role) for r in rows],
    }
