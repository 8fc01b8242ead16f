from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    Answer,
    ItemKindCode,
    PartnerKindCode,
    RedemptionStatusCode,
    SourceKindCode,
    Written,
)


class RedemptionConfirmed(Written):
    redemption_id: UUID = Field(description="兑换编号")
    item_id: UUID = Field(description="兑换项目")
    quantity: int = Field(description="数量")
    points: int = Field(description="积分")
    member_name: str = Field(description="责任党员")


class CodeLookup(Answer):
    redemption_id: UUID = Field(description="兑换编号")
    item_id: UUID = Field(description="兑换项目")
    item_name: str = Field(description="兑换项目名称")
    quantity: int = Field(description="数量")
    unit_price: int = Field(description="单价（积分）")
    points: int = Field(description="积分")
    member_name: str = Field(description="兑换党员（姓名遮挡，如 张*）")
    requested_at: datetime = Field(description="兑换时间")
    expires_at: datetime = Field(description="兑换码有效期至")


class CatalogueItem(Answer):
    item_id: UUID = Field(description="兑换项目")
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    partner_id: UUID = Field(description="合作商家")
    kind: ItemKindCode = Field(description="类型")
    name: str = Field(description="名称/姓名")
    description: str = Field(description="说明")
    price: int = Field(description="积分")
    stock: int | None = Field(None, description="库存")
    active: bool
    withdrawn_reason: str | None = None
    listed_at: datetime
    updated_at: datetime
    partner_name: str
    kind_label: str = Field(description="类型（中文）")
    available: bool


class PointsRules(Answer):
    five_star_bonus_points: int
    points_per_hour: int
    points_rule: str
    redemption_confirm_days: int
    star_award_bonus_points: int


class ItemAnswer(Written):
    item_id: UUID = Field(description="兑换项目")


class PartnerRow(Answer):
    partner_id: UUID = Field(description="合作商家")
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    kind: PartnerKindCode = Field(description="类型")
    contact: str = Field(description="联系方式")
    registered_at: datetime
    kind_label: str = Field(description="类型（中文）")


class RedemptionFields(Answer):
    redemption_id: UUID = Field(description="兑换编号")
    item_id: UUID = Field(description="兑换项目")
    item_name: str = Field(description="兑换项目")
    quantity: int = Field(description="数量")
    unit_price: int = Field(description="单价（积分）")
    points: int = Field(description="积分")
    status: RedemptionStatusCode = Field(description="状态")
    requested_at: datetime = Field(description="兑换时间")
    ended_at: datetime | None = None
    reason: str | None = Field(None, description="理由")
    status_label: str = Field(description="状态")


class RedemptionRow(RedemptionFields):
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    member_id: UUID = Field(description="党员")
    partner_id: UUID = Field(description="合作商家")
    expires_at: datetime
    confirmed_at: datetime | None = Field(None, description="核销时间")
    confirmed_by: str | None = None
    ended_by: str | None = None


class RedemptionIssued(Written):
    redemption_id: UUID = Field(description="兑换编号")
    code: str = Field(description="编码")
    points: int = Field(description="积分")
    balance: int
    expires_at: datetime


class PartnerAnswer(Written):
    partner_id: UUID = Field(description="合作商家")


class SettlementPartner(Answer):
    partner_id: UUID = Field(description="合作商家")
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    kind: PartnerKindCode = Field(description="类型")
    contact: str = Field(description="联系方式")
    registered_at: datetime


class SettlementRedemption(RedemptionFields):
    confirmed_at: datetime = Field(description="核销时间")
    confirmed_by: str
    member_name: str = Field(description="责任党员")


class Settlement(Answer):
    partner: SettlementPartner
    redemptions: list[SettlementRedemption]
    total_points: int
    count: int


class StatementAccount(Answer):
    member_id: UUID = Field(description="党员")
    balance: int
    assessment: int = Field(description="社区评价")
    earned: int
    withheld: int
    held: int
    redeemed: int
    returned: int
    reversed: int
    owed: int
    volunteer_stars: int = Field(description="志愿星级")
    updated_at: datetime | None = None


class StatementEntry(Answer):
    position: int = Field(description="日志位置")
    at: datetime = Field(description="时间")
    entry: str
    source: str | None = Field(None, description="需求来源")
    source_kind: SourceKindCode | None = None
    source_id: UUID | None = Field(None, description="来源编号")
    redemption_id: UUID | None = Field(None, description="兑换编号")
    description: str = Field(description="说明")
    hours: str = Field(description="服务时长")
    service_points: int = Field(description="服务积分变动")
    assessment_points: int = Field(description="考核积分变动")
    balance_after: int = Field(description="服务积分余额")
    assessment_after: int = Field(description="考核积分累计")
    entry_label: str = Field(description="类型")
    source_label: str = Field(description="来源")


class Statement(Answer):
    account: StatementAccount
    entries: list[StatementEntry]


class RedemptionAnswer(Written):
    redemption_id: UUID = Field(description="兑换编号")
