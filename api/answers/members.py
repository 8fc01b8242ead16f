from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    Answer,
    MemberStatusCode,
    RegistrationBasisCode,
    TimeSlotCode,
    Written,
)


class MemberReminder(Answer):
    batch: str = Field(description="提醒批次")
    message: str = Field(description="提醒内容")
    sent_by: str = Field(description="发送人")
    sent_at: datetime = Field(description="发送时间")


class MemberCoreFields(Answer):
    member_id: UUID = Field(description="党员")
    unit_id: UUID = Field(description="单位")
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    phone: str = Field(description="手机号码")
    status: MemberStatusCode = Field(description="状态")
    registered_at: datetime
    reminder_count: int
    last_reminded_at: datetime | None = None
    unit_name: str = Field(description="所在单位")
    community_name: str
    status_label: str = Field(description="状态")


class MemberFields(MemberCoreFields):
    county_id: UUID = Field(description="县（区）")
    basis: RegistrationBasisCode = Field(description="报到方式")
    post: str = Field(description="职务")
    identity_stated: bool
    show_contact: bool = Field(description="是否公开联系方式")
    service_radius_km: str | None = Field(None, description="服务半径")
    superseded: int
    base_lat: str | None = Field(None, description="常驻位置纬度")
    base_lon: str | None = Field(None, description="常驻位置经度")
    updated_at: datetime
    reported: bool


class MemberDetailFields(MemberFields):
    review_note: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    commitment_text: str | None = None
    committed_hours: int | None = Field(None, description="承诺时长（小时/年）")
    reported_at: datetime | None = None


class MemberView(MemberDetailFields):
    grid_code: str = Field(description="网格")
    skill_categories: list[str]
    skill_tags: list[str] = Field(description="特长标签")
    time_slots: list[TimeSlotCode] = Field(description="可服务时间")
    reminders: list[MemberReminder]
    skill_labels: list[str] = Field(description="擅长领域")
    time_slot_labels: list[str] = Field(description="可服务时间")


class RegistrationPageItem(MemberDetailFields):
    grid_code: str | None = Field(None, description="网格")


class RegistrationPage(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[RegistrationPageItem]


class MemberProfileFields(MemberFields):
    # empty (null) until the community reviews and the member makes a commitment: a
    # member signed in before approval reads their own registration (issue 14)
    grid_code: str | None = Field(description="网格")
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    commitment_text: str | None
    committed_hours: int | None = Field(description="承诺时长（小时/年）")
    skill_categories: list[str]
    skill_tags: list[str] = Field(description="特长标签")
    time_slots: list[TimeSlotCode] = Field(description="可服务时间")
    skill_labels: list[str] = Field(description="擅长领域")
    time_slot_labels: list[str] = Field(description="可服务时间")


class Me(MemberProfileFields):
    reported_at: datetime | None = None
    reminders: list[MemberReminder]


class RegistrationAnswer(Written):
    member_id: UUID = Field(description="党员")
    status: MemberStatusCode = Field(description="状态")
    token: str = Field(description="党员身份的登录凭证（ss2.…，短期有效）")
    refresh_token: str = Field(description="刷新凭证（ssr1.…，/auth/refresh 换取新的登录凭证）")
    session_id: UUID = Field(description="会话")


class ReviewAnswer(Written):
    member_id: UUID = Field(description="党员")
    status: MemberStatusCode = Field(description="状态")


class TalentPoolItem(MemberProfileFields):
    reported_at: datetime


class TalentPool(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[TalentPoolItem]


class MemberAnswer(Written):
    member_id: UUID = Field(description="党员")
