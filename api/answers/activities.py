from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    ActivityKindCode,
    Answer,
    RedemptionStatusCode,
    SolvedCode,
    TimeSlotCode,
    Written,
)
from api.answers.orders import OrderCoreFields


class ActivityAnswer(Written):
    activity_id: UUID


class ActivityViewAttendance(Answer):
    activity_id: UUID
    member_id: UUID = Field(description="党员")
    signed_in_at: datetime
    signed_out_at: datetime | None = None
    distance_m: int
    flagged: bool
    confirmed: bool = Field(description="群众是否确认")
    excluded: bool = Field(description="排除名单")
    hours_credited: str | None = Field(None, description="计入时长（小时）")
    credited_at: datetime | None = None
    name: str = Field(description="名称/姓名")


class ActivityFields(Answer):
    activity_id: UUID
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    kind: ActivityKindCode = Field(description="类型")
    title: str = Field(description="名称")
    place: str = Field(description="会议地点")
    starts_at: datetime = Field(description="开始时间")
    ends_at: datetime = Field(description="结束时间")
    status: str = Field(description="状态")
    planned_by: str
    confirmed_at: datetime | None = Field(None, description="核销时间")
    attendees: int
    hours_credited: str | None = Field(None, description="计入时长（小时）")
    kind_label: str = Field(description="类型（中文）")
    status_label: str = Field(description="状态")


class ActivityView(ActivityFields):
    attendance: list[ActivityViewAttendance] = Field(description="到会人数")


class ActivityRow(ActivityFields):
    pass


class Suggestion(Answer):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    grid_code: str = Field(description="网格")
    score: float = Field(description="评分")
    load: int
    average_stars: float | None = Field(None, description="平均星级")
    distance_m: int | None = None
    applied: bool
    reasons: list[str]
    rank: int


class MatchingSuggestionsItem(Answer):
    order_id: UUID = Field(description="需求")
    content: str = Field(description="需求内容")
    category_label: str = Field(description="类别")
    urgency_label: str = Field(description="紧急程度")
    status_label: str = Field(description="状态")
    suggestions: list[Suggestion]


class MatchingSuggestions(Answer):
    open_needs: int
    items: list[MatchingSuggestionsItem]


class AttendedActivityFields(Answer):
    activity_id: UUID
    kind: ActivityKindCode = Field(description="类型")
    title: str = Field(description="名称")
    place: str = Field(description="会议地点")
    starts_at: datetime = Field(description="开始时间")
    ends_at: datetime = Field(description="结束时间")
    signed_in_at: datetime
    signed_out_at: datetime | None = None
    confirmed: bool = Field(description="群众是否确认")
    kind_label: str = Field(description="类型（中文）")
    status_label: str = Field(description="状态")


class MyActivity(AttendedActivityFields):
    status: RedemptionStatusCode = Field(description="状态")
    hours_credited: str = Field(description="计入时长（小时）")


class MatchingAnswer(Written):
    community_id: UUID = Field(description="社区")
    month: str = Field(description="月份")


class ResourceRow(Answer):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    grid_code: str = Field(description="网格")
    post: str = Field(description="职务")
    unit_name: str = Field(description="所在单位")
    service_radius_km: str | None = Field(None, description="服务半径")
    committed_hours: int | None = Field(None, description="承诺时长（小时/年）")
    open_load: int = Field(description="在办需求")
    completed_orders: int = Field(description="已办结需求")
    skill_categories: list[str]
    skill_tags: list[str] = Field(description="特长标签")
    time_slots: list[TimeSlotCode] = Field(description="可服务时间")
    skill_labels: list[str] = Field(description="擅长领域")
    time_slot_labels: list[str] = Field(description="可服务时间")
    hours_this_year: str = Field(description="本年服务时长（小时）")
    services_this_year: int = Field(description="本年服务次数")
    reported: bool


class ServiceOrderFields(OrderCoreFields):
    grid_code: str | None = Field(None, description="网格")
    member_id: UUID = Field(description="党员")
    first_dispatched_at: datetime
    dispatched_at: datetime
    overdue_deadline: datetime
    member_name: str = Field(description="责任党员")
    deadline: datetime = Field(description="截止时间")
    counted: bool


class ServiceRecordOrder(ServiceOrderFields):
    accepted_at: datetime
    checked_in_at: datetime = Field(description="签到时间")
    claimed_at: datetime
    claimed_hours: str = Field(description="申报时长（小时）")
    rate_deadline: datetime
    stars: int | None = Field(None, description="星级")
    solved: SolvedCode | None = Field(None, description="是否解决")
    satisfied: bool
    closed_at: datetime = Field(description="结束时间")
    outcome: str = Field(description="跟进结果")
    hours_credited: str = Field(description="计入时长（小时）")


class ServiceRecordOrdersInHand(ServiceOrderFields):
    accepted_at: datetime | None = None
    checked_in_at: datetime | None = Field(None, description="签到时间")
    claimed_at: datetime | None = None
    claimed_hours: str | None = Field(None, description="申报时长（小时）")
    rate_deadline: datetime | None = None
    stars: list[str] | None = Field(None, description="星级")
    solved: int | None = Field(None, description="是否解决")
    satisfied: bool | None = None
    closed_at: datetime | None = Field(None, description="结束时间")
    outcome: str | None = Field(None, description="跟进结果")
    hours_credited: str | None = Field(None, description="计入时长（小时）")


class ServiceRecordActivity(AttendedActivityFields):
    status: str = Field(description="状态")
    hours_credited: str | None = Field(None, description="计入时长（小时）")
    counted: bool


class ServiceRecordTotal(Answer):
    orders_closed: int
    activities_confirmed: int
    services: int = Field(description="服务次数")
    hours_from_orders: str
    hours_from_activities: str
    hours: str = Field(description="服务时长")
    ratings: int = Field(description="评价数")
    average_stars: str | None = Field(None, description="平均星级")
    satisfied: int


class ServiceRecord(Answer):
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    member_id: UUID = Field(description="党员")
    year: int = Field(description="年度")
    orders: list[ServiceRecordOrder]
    orders_in_hand: list[ServiceRecordOrdersInHand]
    activities: list[ServiceRecordActivity]
    totals: ServiceRecordTotal
