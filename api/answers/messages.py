"""Answers of the messages routes (api.routes_messages): the inbox, preferences and the
community's deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.answers.common import Answer, Written, coded
from domain.delivery import DeliveryStatus
from domain.messages import Channel, MessageKind

MessageKindCode = Annotated[str, coded(MessageKind, "消息类型")]
DeliveryStatusCode = Annotated[str, coded(DeliveryStatus, "发送状态")]
ChannelCode = Annotated[str, coded(Channel, "渠道")]


class InboxMessage(Answer):
    message_id: UUID
    recipient: str = Field(description="收件人（member:…、resident:…、community:… 等）")
    kind: MessageKindCode
    kind_label: str = Field(description="消息类型的中文名")
    title: str = Field(description="标题")
    body: str = Field(description="正文")
    urgent: bool = Field(description="是否紧急（夜间也发短信）")
    community_id: UUID | None = Field(description="相关社区")
    about_id: UUID | None = Field(description="相关对象（需求、兑换、抽查计划等）")
    created_at: datetime = Field(description="时间（北京时间）")
    read: bool = Field(description="是否已读")
    read_at: datetime | None = Field(description="阅读时间")


class InboxPage(Answer):
    total: int = Field(description="总条数（全部页；只看未读时为未读条数）")
    unread: int = Field(description="未读条数")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[InboxMessage]


class UnreadCount(Answer):
    unread: int = Field(description="未读条数")


class MessageRead(Written):
    message_id: UUID
    read: bool = Field(description="已读")


class KindOption(Answer):
    code: MessageKindCode
    label: str = Field(description="消息类型的中文名")
    recipients: str = Field(description="谁会收到")
    sms: bool = Field(description="是否发短信")
    sms_optional: bool = Field(description="短信可否关闭")


class Preferences(Answer):
    recipient: str = Field(description="收件人")
    sms_off: list[MessageKindCode] = Field(description="已关闭短信的消息类型")
    nearby_needs: bool = Field(description="是否接收附近新需求提醒")
    updated_at: datetime | None = Field(description="最近修改时间")
    kinds: list[KindOption] = Field(description="全部消息类型")


class PreferencesWritten(Written):
    preferences_id: UUID


class DeliveryRow(Answer):
    delivery_id: UUID
    message_id: UUID
    channel: ChannelCode
    recipient: str = Field(description="收件人")
    recipient_name: str = Field(description="收件人姓名")
    kind: MessageKindCode
    kind_label: str
    title: str = Field(description="消息标题")
    urgent: bool
    status: DeliveryStatusCode
    status_label: str = Field(description="发送状态的中文名")
    attempts: int = Field(description="已尝试次数")
    next_attempt_at: datetime | None = Field(description="下次尝试时间（失败重试、夜间暂缓）")
    last_error: str = Field(description="最近一次失败或结果不明的原因")
    provider_ref: str = Field(description="短信平台回执编号")
    created_at: datetime
    updated_at: datetime


class DeliveryPage(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[DeliveryRow]
