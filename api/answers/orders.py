from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    Answer,
    NeedSourceCode,
    OrderStatusCode,
    PhotoKindCode,
    SkillCategoryCode,
    SolvedCode,
    UrgencyCode,
    Written,
)


class OrderAnswer(Written):
    order_id: UUID = Field(description="需求")


class FiguresRatesBasis(Answer):
    completion_rate: str
    satisfaction_rate: str = Field(description="满意率")


class Figures(Answer):
    community_id: UUID = Field(description="社区")
    year: int | None = Field(None, description="年度")
    needs_posted: int
    needs_valid: int
    closed: int
    completion_rate: float
    satisfaction_rate: float | None = Field(None, description="满意率")
    avg_hours_to_dispatch: float
    avg_hours_to_close: float | None = None
    overdue: int = Field(description="是否超期")
    open: int
    found_false: int = Field(description="核定虚假")
    rates_basis: FiguresRatesBasis


class OrderViewApplicantList(Answer):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    applied_at: datetime
    note: str = Field(description="说明")


class OrderViewPhotoList(Answer):
    sha256: str = Field(description="照片编号")
    kind: PhotoKindCode = Field(description="类型")
    duplicate_of: UUID | None = None
    attached_at: datetime


class OrderViewStep(Answer):
    version: int
    at: datetime = Field(description="时间")
    step: str
    who: str
    role: str
    detail: str


class OrderCoreFields(Answer):
    order_id: UUID = Field(description="需求")
    county_id: UUID = Field(description="县（区）")
    community_id: UUID = Field(description="社区")
    requester_name: str = Field(description="求助人")
    content: str = Field(description="需求内容")
    category: SkillCategoryCode = Field(description="类别")
    urgency: UrgencyCode = Field(description="紧急程度")
    people_affected: int = Field(description="涉及人数")
    source: NeedSourceCode = Field(description="需求来源")
    status: OrderStatusCode = Field(description="状态")
    posted_at: datetime = Field(description="登记时间")
    take_deadline: datetime
    applicants: int
    assignee_kind: str | None = Field(None, description="交办类型")
    assignee_id: UUID | None = Field(None, description="交办对象")
    assignee_name: str | None = Field(None, description="交办对象名称")
    overdue: bool = Field(description="是否超期")
    follow_ups: int = Field(description="超期跟进次数")
    checkin_distance_m: int | None = Field(None, description="签到距离（米）")
    checkin_flagged: bool = Field(description="签到位置异常")
    photos: int = Field(description="照片")
    duplicate_photos: int = Field(description="重复使用的照片数")
    returns: int = Field(description="返单次数")
    overlap_flag: bool = Field(description="服务时间重叠")
    found_false: bool = Field(description="核定虚假")
    false_reason: str | None = Field(None, description="核定虚假理由")
    updated_at: datetime
    status_label: str = Field(description="状态")
    requester: str = Field(description="求助人")
    solved_label: str = Field(description="是否解决")
    satisfaction_label: str = Field(description="满意度")
    urgency_label: str = Field(description="紧急程度")
    source_label: str = Field(description="来源")
    category_label: str = Field(description="类别")
    outcome_label: str = Field(description="办结方式")
    days_open: int = Field(description="已办天数")


class OrderFields(OrderCoreFields):
    resident_id: UUID | None = Field(None, description="居民")
    lat: str | None = Field(None, description="纬度")
    lon: str | None = Field(None, description="经度")
    preferred_time: str = Field(description="期望服务时间")
    accepted_at: datetime | None = None
    checked_in_at: datetime | None = Field(None, description="签到时间")
    claimed_at: datetime | None = None
    claimed_hours: str | None = Field(None, description="申报时长（小时）")
    rate_deadline: datetime | None = None
    satisfied: bool | None = None
    closed_at: datetime | None = Field(None, description="结束时间")
    outcome: str | None = Field(None, description="跟进结果")
    hours_credited: str | None = Field(None, description="计入时长（小时）")


class OrderListFields(OrderFields):
    posted_by: str
    member_id: UUID | None = Field(None, description="党员")
    first_dispatched_at: datetime | None = None
    dispatched_at: datetime | None = None
    overdue_deadline: datetime | None = None


class OrderLedgerFields(OrderListFields):
    grid_code: str | None = Field(None, description="网格")
    stars: int | None = Field(None, description="星级")
    solved: SolvedCode | None = Field(None, description="是否解决")
    member_name: str | None = Field(None, description="责任党员")
    deadline: datetime | None = Field(None, description="截止时间")


class OrderView(OrderLedgerFields):
    applicant_list: list[OrderViewApplicantList]
    photo_list: list[OrderViewPhotoList]
    steps: list[OrderViewStep]


class LedgerPageRow(OrderLedgerFields):
    pass


class LedgerPage(Answer):
    total: int = Field(description="总条数（全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[LedgerPageRow]


class MyOrder(OrderFields):
    grid_code: str = Field(description="网格")
    member_id: UUID = Field(description="党员")
    first_dispatched_at: datetime
    dispatched_at: datetime
    overdue_deadline: datetime
    stars: int | None = Field(None, description="星级")
    solved: SolvedCode | None = Field(None, description="是否解决")
    member_name: str = Field(description="责任党员")
    deadline: datetime = Field(description="截止时间")


class OpenNeed(OrderListFields):
    grid_code: str = Field(description="网格")
    stars: list[str] | None = Field(None, description="星级")
    solved: int | None = Field(None, description="是否解决")
    skill_match: bool
    same_grid: bool
    applied: bool
    deadline: datetime = Field(description="截止时间")
    distance_m: int | None = None


class ResidentAnswer(Written):
    resident_id: UUID = Field(description="居民")
    token: str | None = Field(
        None, description="本人登记时：群众身份的登录凭证（ss2.…；代登记时无）"
    )
    refresh_token: str | None = Field(None, description="本人登记时：刷新凭证（ssr1.…）")
    session_id: UUID | None = Field(None, description="本人登记时：会话")


class PhotoStored(Answer):
    sha256: str = Field(description="照片编号")
    media_type: str
    bytes: int


class PublicWish(Answer):
    category: str = Field(description="类别编码")
    category_label: str = Field(description="类别")
    content: str = Field(description="需求内容（已遮蔽个人信息，截短）")
    posted_at: datetime = Field(description="登记时间")
    closed_at: datetime | None = Field(None, description="完成时间")
    state: str = Field(description="状态编码：open 待认领、taken 已认领、done 已完成")
    state_label: str = Field(description="状态")


class PublicWishCounts(Answer):
    open: int = Field(description="待认领")
    taken: int = Field(description="已认领")
    done: int = Field(description="已完成")


class PublicWishes(Answer):
    community: str = Field(description="社区")
    counts: PublicWishCounts
    total: int = Field(description="条数（本状态，全部页）")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    items: list[PublicWish]
