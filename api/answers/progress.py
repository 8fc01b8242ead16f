from __future__ import annotations

from uuid import UUID

from pydantic import Field

from api.answers.common import Answer, Written
from api.answers.members import MemberCoreFields


class NotReportedItem(MemberCoreFields):
    identity_stated: int
    commitment_made: int
    skills_declared: int
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
