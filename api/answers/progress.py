from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import Answer, MemberStatusCode, Written


class NotReportedItem(Answer):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    phone: str = Field(description="手机号码")
    unit_id: UUID = Field(description="单位")
    unit_name: str = Field(description="所在单位")
    community_id: UUID = Field(description="社区")
    community_name: str
    status: MemberStatusCode = Field(description="状态")
    identity_stated: int
    commitment_made: int
    skills_declared: int
    registered_at: datetime
    reminder_count: int
    last_reminded_at: datetime | None = None
    status_label: str = Field(description="状态")
    missing: list[str]


class NotReported(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[NotReportedItem]


class ProgressTotal(Answer):
    registered: int
    approved: int
    reported: int
    expected: int
    coverage: float
    meets_target: bool


class ProgressRow(ProgressTotal):
    unit_id: UUID = Field(description="单位")
    name: str = Field(description="名称/姓名")
    pending: int
    not_registered: int


class Progress(Answer):
    county_id: UUID = Field(description="县（区）")
    by: str = Field(description="统计口径")
    target: float = Field(description="检查对象")
    coverage_basis: str
    totals: ProgressTotal
    rows: list[ProgressRow]


class RemindersSent(Written):
    batch: UUID
    reminded: int
    skipped: list[UUID] = Field(description="已报到而跳过的党员")
