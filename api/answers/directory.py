from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import Answer, Written


class CountyAnswer(Written):
    county_id: UUID = Field(description="县（区）")


class CommunityViewGrid(Answer):
    code: str = Field(description="编码")
    name: str = Field(description="名称/姓名")


class CommunityViewUnit(Answer):
    unit_id: UUID = Field(description="单位")
    name: str = Field(description="名称/姓名")
    paired_at: datetime
    reported_at: datetime | None = None


class CommunityView(Answer):
    community_id: UUID = Field(description="社区")
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    code: str = Field(description="编码")
    address: str = Field(description="地址")
    registered_at: datetime
    grids: list[CommunityViewGrid] = Field(description="网格")
    units: list[CommunityViewUnit]


class PolicyViewValue(Answer):
    name: str = Field(description="名称/姓名")
    value: str | int
    source: str = Field(description="需求来源")


class PolicyView(Answer):
    county_id: UUID = Field(description="县（区）")
    values: list[PolicyViewValue]


class UnitViewCommunity(Answer):
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    paired_at: datetime
    reported_at: datetime | None = None
    report_note: str | None = None


class UnitView(Answer):
    unit_id: UUID = Field(description="单位")
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    member_count: int = Field(description="在职党员人数")
    registered_at: datetime
    reminder_count: int
    last_reminded_at: datetime | None = None
    communities: list[UnitViewCommunity]


class CommunityRow(Answer):
    community_id: UUID = Field(description="社区")
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    code: str = Field(description="编码")
    address: str = Field(description="地址")
    registered_at: datetime
    grid_count: int


class UnitRow(Answer):
    unit_id: UUID = Field(description="单位")
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    member_count: int = Field(description="在职党员人数")
    registered_at: datetime
    reminder_count: int
    last_reminded_at: datetime | None = None


class PairingAnswer(Written):
    unit_id: UUID = Field(description="单位")
    community_id: UUID = Field(description="社区")


class CommunityAnswer(Written):
    community_id: UUID = Field(description="社区")


class UnitAnswer(Written):
    unit_id: UUID = Field(description="单位")


class RegistrationFormUnit(Answer):
    unit_id: UUID = Field(description="单位")
    name: str = Field(description="名称/姓名")
    paired: bool


class RegistrationForm(Answer):
    community_id: UUID = Field(description="社区")
    community_name: str
    grids: list[CommunityViewGrid] = Field(description="网格")
    units: list[RegistrationFormUnit]


class GridAnswer(Written):
    community_id: UUID = Field(description="社区")
    grid: str = Field(description="网格编码")


class PublicDirectoryCommunity(Answer):
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")


class PublicDirectoryUnit(Answer):
    unit_id: UUID = Field(description="单位")
    name: str = Field(description="名称/姓名")


class PublicDirectoryCounty(Answer):
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    communities: list[PublicDirectoryCommunity]
    units: list[PublicDirectoryUnit]


class PublicDirectory(Answer):
    counties: list[PublicDirectoryCounty]
