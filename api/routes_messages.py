"""消息: my inbox (站内信) with read and unread, my message preferences; for a
community's staff, the community's SMS deliveries with the failed and in-doubt ones
(docs/notifications.md)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.messages import (
    DeliveryPage,
    InboxPage,
    MessageRead,
    Preferences,
    PreferencesWritten,
    UnreadCount,
)
from api.context import SignedIn, command_response, for_reader, read_consistency, services
from api.guard import GuardedRoute
from api.inputs import Body, Page, example
from domain import access
from domain.delivery import DeliveryStatus
from domain.errors import NotFound
from domain.messages import CATALOGUE, SMS_OPTIONAL, own_key, require_inbox
from projections import outbox

router = APIRouter(
    tags=["messages"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)

Size = Annotated[int, Query(ge=1, le=200, description="每页条数")]
PROBLEMS = ("failed", "gave_up", "in_doubt")


class PreferencesIn(Body):
    model_config = example({"sms_off": ["nearby_need", "reporting_reminder"], "nearby_needs": True})

    sms_off: list[str] = Field(
        default_factory=list,
        max_length=len(CATALOGUE),
        description="关闭短信的消息类型（站内信照常收到）；登录验证码不能关闭",
    )
    nearby_needs: bool = Field(False, description="是否接收附近新需求提醒（党员）")


@router.get(
    "/me/messages",
    summary="我的站内信",
    description="最新的在前；unread=true 只看未读。社区工作人员看到的是本社区的消息。",
    responses=answer(InboxPage),
)
def my_messages(
    request: Request,
    actor: SignedIn,
    unread: bool = Query(False, description="只看未读"),
    page: Page = 1,
    size: Size = 20,
) -> Any:
    keys = require_inbox(actor)
    page_of = outbox.inbox(
        services(request).read.store, keys, unread_only=unread, page=page, page_size=size
    )
    return for_reader(request, actor, page_of)  # a unit reads free text masked


@router.get(
    "/me/messages/unread-count",
    summary="我的未读消息数",
    responses=answer(UnreadCount),
)
def my_unread_count(request: Request, actor: SignedIn) -> Any:
    keys = require_inbox(actor)
    return {"unread": outbox.unread_count(services(request).read.store, keys)}


@router.post(
    "/me/messages/{message_id}/read",
    summary="标记已读",
    description="重复标记不再记录。",
    responses=answer(MessageRead),
)
def read_message(message_id: UUID, request: Request, actor: SignedIn) -> Any:
    svc = services(request)
    keys = require_inbox(actor)
    if outbox.message_of(svc.read.store, keys, str(message_id)) is None:
        raise NotFound("unknown_message", "没有这条消息", "no such message in your inbox")
    result = svc.app.read_message(actor, message_id)
    return command_response(request, result, {"message_id": str(message_id), "read": True})


def _preferences(request: Request, recipient: str) -> dict[str, Any]:
    found = outbox.preferences(services(request).read.store, recipient)
    found["kinds"] = [
        {
            "code": kind.code,
            "label": kind.label,
            "recipients": spec.recipients,
            "sms": spec.sms,
            "sms_optional": kind in SMS_OPTIONAL,
        }
        for kind, spec in CATALOGUE.items()
        if spec.inbox
    ]
    return found


@router.get(
    "/me/message-preferences",
    summary="我的消息设置",
    responses=answer(Preferences),
)
def my_preferences(request: Request, actor: SignedIn) -> Any:
    return _preferences(request, own_key(actor))


@router.put(
    "/me/message-preferences",
    summary="修改我的消息设置",
    description="关闭某类消息的短信（站内信照常收到），开启或关闭附近新需求提醒。设置与原来相同时不记录。",
    responses=answer(PreferencesWritten),
)
def set_my_preferences(body: PreferencesIn, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.set_preferences(
        actor, sms_off=body.sms_off, nearby_needs=body.nearby_needs
    )
    return command_response(request, result, {"preferences_id": str(result.id)})


@router.get(
    "/communities/{community_id}/deliveries",
    summary="本社区短信发送情况",
    description="社区工作人员查看：status=problems 只看发送失败、已放弃与结果不明（不重发）的。",
    responses=answer(DeliveryPage),
)
def community_deliveries(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    status: str | None = Query(
        None, description="发送状态编码，或 problems：发送失败、已放弃、结果不明"
    ),
    page: Page = 1,
    size: Size = 50,
) -> Any:
    access.require_community_staff(actor, community_id)
    if status is None:
        statuses: tuple[str, ...] = ()
    elif status == "problems":
        statuses = PROBLEMS
    else:
        statuses = (DeliveryStatus.from_code(status).code,)
    return outbox.community_deliveries(
        services(request).read.store,
        str(community_id),
        statuses=statuses,
        page=page,
        page_size=size,
    )
