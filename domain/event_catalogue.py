"""The event catalogue as built: every aggregate, its events, their stable topics and
fields. `python -m domain.event_catalogue` prints docs/events.md; a test keeps them equal."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.account import Account
from domain.activity import Activity
from domain.community import Community
from domain.county import County
from domain.delivery import Delivery, Inbox, Preferences
from domain.inspection_plan import InspectionPlan
from domain.inspectors import Inspector
from domain.member import Member
from domain.order import Order
from domain.phone_check import AddressQuota, PhoneCheck
from domain.points import CatalogueItem, Partner, PointsAccount, Redemption
from domain.reservation import Reservation
from domain.resident import Resident
from domain.session import Session
from domain.sign_in_quota import SignInQuota
from domain.target_directory import TargetDirectory
from domain.unit import Unit

AGGREGATES: tuple[type[Aggregate], ...] = (
    County,
    Community,
    Unit,
    Member,
    Resident,
    Order,
    Activity,
    PointsAccount,
    Partner,
    CatalogueItem,
    Redemption,
    Reservation,
    Inspector,
    InspectionPlan,
    TargetDirectory,
    Delivery,
    Inbox,
    Preferences,
    Account,
    Session,
    PhoneCheck,
    AddressQuota,
    SignInQuota,
)
# Which log each event belongs to (the auditors' sealed logs, docs/audit.md): one log
# per community, one per county for what concerns no single community, and one system
# log for reservations whose owner is no aggregate (an idempotency key of a reminder
# batch) and for people's ways in (accounts, sessions, phone codes: personal, and no
# community's alone). An aggregate's creation event names its log, by its own id or by a field;
# every later event of the aggregate goes to the same log. A reservation goes to its
# owner's log. tests/domain/test_event_catalogue.py checks every aggregate has exactly one rule.
LOG_OF: dict[type[Aggregate], tuple[str, str]] = {
    County: ("county", "id"),
    Community: ("community", "id"),
    Unit: ("county", "county_id"),
    Member: ("community", "community_id"),
    Resident: ("community", "community_id"),
    Order: ("community", "community_id"),
    Activity: ("community", "community_id"),
    PointsAccount: ("community", "community_id"),
    Partner: ("community", "community_id"),
    CatalogueItem: ("community", "community_id"),
    Redemption: ("community", "community_id"),
    Reservation: ("owner", "owner_id"),
    Inspector: ("county", "county_id"),
    InspectionPlan: ("county", "county_id"),
    TargetDirectory: ("county", "county_id"),
    Delivery: ("county", "county_id"),
    Inbox: ("county", "county_id"),
    Preferences: ("county", "county_id"),
    Account: ("system", ""),
    Session: ("system", ""),
    PhoneCheck: ("system", ""),
    AddressQuota: ("system", ""),
    SignInQuota: ("system", ""),
}
SYSTEM_LOG = "system"


def log_of(event: Any, known: Callable[[UUID], str | None]) -> str:
    """The log an event belongs to: "community:<id>", "county:<id>" or "system".

    `known(aggregate_id)` answers the log an aggregate was attributed to (when its
    creation event was sealed) or None. The answer depends only on the log before the
    event, so every replay of the log attributes every event the same way.
    """
    if not isinstance(event, Aggregate.Created):
        found = known(event.originator_id)
        if found is None:
            raise LookupError(f"{event.originator_id} has no log: its creation was never seen")
        return found
    aggregate = _CREATED_BY[type(event)]
    kind, field_name = LOG_OF[aggregate]
    if kind == "system":
        return SYSTEM_LOG
    if kind == "owner":
        return known(getattr(event, field_name)) or SYSTEM_LOG
    value = event.originator_id if field_name == "id" else getattr(event, field_name)
    return f"{kind}:{value}"


BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}


NOTES: dict[str, str] = {
    "sishuang:County.Registered": "县（区）登记（运维）",
    "sishuang:County.PolicyChanged": "组织部调整政策参数；overrides 为改动后的取值",
    "sishuang:Community.Registered": "组织部登记社区及其网格",
    "sishuang:Community.GridAdded": "增加网格",
    "sishuang:Unit.Registered": "组织部登记单位党组织；member_count 为申报的在职党员人数",
    "sishuang:Unit.MemberCountDeclared": "单位或组织部更正在职党员人数",
    "sishuang:Unit.Paired": "单位与社区结对（包联）",
    "sishuang:Unit.Unpaired": "解除结对（附理由）",
    "sishuang:Unit.ReportedToCommunity": "单位报到",
    "sishuang:Unit.Reminded": "组织部提醒单位（尚有党员未注册）；batch 为同批提醒",
    "sishuang:Member.Registered": "党员线上报到注册（扫码）；basis 为居住地或结对社区",
    "sishuang:Member.Approved": "社区审核通过（可分配网格）",
    "sishuang:Member.Rejected": "社区驳回（附理由）",
    "sishuang:Member.IdentityStated": "亮身份：职务；show_contact 为是否同意公开电话",
    "sishuang:Member.CommitmentMade": "亮承诺：承诺内容与每年服务时长",
    "sishuang:Member.SkillsDeclared": "亮特长：擅长领域与自定义标签",
    "sishuang:Member.AvailabilityDeclared": (
        "服务半径（自 base 起算，可空）与可服务时间；v1 事件读取时 base 为空"
    ),
    "sishuang:Member.Reported": "报到完成：已通过审核且三亮齐全（首次齐全时记录一次）",
    "sishuang:Member.Reminded": "组织部提醒党员完成报到；batch 为同批提醒",
    "sishuang:Resident.Registered": "居民登记（本人在应用中，或网格员代为登记，电话可空）",
    "sishuang:Order.Posted": (
        "群众点单或网格员代发（来源、紧急程度、涉及人数、位置、照片）；接单申请截止时间随之确定"
    ),
    "sishuang:Order.TakeRequested": "党员接单申请（接单申请期内）",
    "sishuang:Order.Dispatched": "社区派单给党员；超期时间随之确定",
    "sishuang:Order.MarkedUnclaimed": "接单申请期满无人申请：转大党委",
    "sishuang:Order.JointMeetingDecided": "大党委/联席会议交办：党员、单位或攻坚组",
    "sishuang:Order.Accepted": "党员确认接单",
    "sishuang:Order.Declined": "党员拒单（附理由），需求回到待接单",
    "sishuang:Order.CheckedIn": "到场签到：位置、与需求地点的距离，超出范围则标记",
    "sishuang:Order.PhotoAttached": (
        "服务照片（SHA-256）；同一照片已用于其他需求则记下该需求；v1 事件读取时上传人为空"
    ),
    "sishuang:Order.CompletionClaimed": "申请结单与服务时长；评价截止时间随之确定",
    "sishuang:Order.Rated": "居民或网格员评价：星级、评语、是否解决",
    "sishuang:Order.Closed": "办结；hours_credited 为计入党员的服务时长（只在此处计入）",
    "sishuang:Order.ReturnedToMember": "返单给原党员重新办理",
    "sishuang:Order.Reopened": "返单重新派单：回到待接单，重新开始接单申请期",
    "sishuang:Order.MarkedOverdue": "派单后超期未办结",
    "sishuang:Order.TakeWindowEnding": (
        "接单申请期即将截止（截止前 take_window_reminder_hours 小时，每个申请期一次）：提醒社区"
    ),
    "sishuang:Order.RatingWindowEnding": (
        "评价期即将截止（截止前 rating_window_reminder_hours 小时，每个评价期一次）：提醒评价人"
    ),
    "sishuang:Order.FollowedUp": "超期跟进：电话核实或联席会议，及结果",
    "sishuang:Order.Cancelled": "撤销（接单前由居民或社区）",
    "sishuang:Order.Rejected": "社区驳回不当需求（附理由）",
    "sishuang:Community.MatchingRecorded": (
        "供需对接（每月）：采纳的需求—党员对接（同时派单）；late 表示未在规定日前召开"
    ),
    "sishuang:Activity.Planned": "红色服务日、主题服务月或攻坚组项目：地点与起止时间",
    "sishuang:Activity.SignedIn": "党员签到（定位；距活动地点过远则标记）",
    "sishuang:Activity.SignedOut": "党员签退（定位）",
    "sishuang:Activity.ListConfirmed": "组织者确认名单：每名参加者计入的时长（只在此处计入）",
    "sishuang:Activity.Cancelled": "活动取消（附理由）",
    "sishuang:Community.PointsRulesSet": "社区自定积分规则（每小时积分、奖励分、核销期限）",
    "sishuang:Member.CommunityEvaluated": (
        "社区季度评价：服务成效、群众反馈、社区评价三项得分与评语；更正时 corrects 指向被更正的评价"
    ),
    "sishuang:Member.UnitEvaluated": "单位党组织年度评价：得分与评语；更正同上",
    "sishuang:Member.StandardChecked": "季度检查：达到按季折算的年度服务标准",
    "sishuang:Member.Warned": (
        "季度检查未达标：本年首次黄灯（线上提醒），再次红灯（须向组织部书面报告）"
    ),
    "sishuang:Member.WrittenReportFiled": "红灯后的书面报告已提交组织部",
    "sishuang:Member.StarAwarded": "社区评星（先锋示范星等）：所依据的标准与数据，及奖励积分",
    "sishuang:Order.FoundFalse": "已办结需求经社区更正或督查核定为虚假：时长与积分同时撤销",
    "sishuang:PointsAccount.Opened": "党员积分账户开立（首次计分或兑换时）",
    "sishuang:PointsAccount.Earned": (
        "计分：来源（需求、活动、评星）只计一次；时长、服务次数、服务积分与考核积分、评价所需数据；"
        "v2 记下积分规则（points_rule）与此前累计时长"
    ),
    "sishuang:PointsAccount.Reversed": (
        "撤销某来源的时长与积分（按累计时长重算该来源所值）；余额不足部分记为欠分，"
        "以后计分或兑换退回时先抵扣"
    ),
    "sishuang:PointsAccount.RedemptionHeld": "兑换扣减服务积分（与兑换记录同一写入）",
    "sishuang:PointsAccount.RedemptionReturned": (
        "兑换取消或过期未核销：积分退回；有欠分时先抵扣（withheld）"
    ),
    "sishuang:PointsAccount.VolunteerStarsChanged": "五星志愿星等级随累计时长与平均评价变化",
    "sishuang:Partner.Registered": "积分兑换合作方（物业公司、社区食堂、爱心超市）",
    "sishuang:CatalogueItem.Listed": "兑换项目：类别、所需积分、库存（物业费抵扣不计库存）",
    "sishuang:CatalogueItem.PriceChanged": "兑换项目改价",
    "sishuang:CatalogueItem.Restocked": "补货",
    "sishuang:CatalogueItem.StockTaken": "兑换占用库存（与兑换同一写入）",
    "sishuang:CatalogueItem.StockReturned": "兑换取消或过期：库存退回",
    "sishuang:CatalogueItem.Withdrawn": "兑换项目下架（附理由）",
    "sishuang:Redemption.Requested": "党员兑换：数量、积分、兑换码、核销截止时间",
    "sishuang:Redemption.Confirmed": "合作方凭兑换码核销（已交付）",
    "sishuang:Redemption.Cancelled": "兑换取消（党员或社区），积分退回",
    "sishuang:Redemption.Expired": "逾期未核销，积分与库存退回",
    "sishuang:Reservation.Reserved": (
        "占用一个唯一键（名称、单位+手机号、幂等键）；键本身不存储；幂等键记下首次应答的内容，"
        "重试原样应答"
    ),
    "sishuang:Reservation.Reassigned": "唯一键转给新的持有者（如被驳回后重新注册）",
    "sishuang:Community.JointMeetingScheduled": (
        "党建联席会议排期：日期、议题、地点（可被随机列席）"
    ),
    "sishuang:Community.JointMeetingCancelled": "党建联席会议取消（附理由）",
    "sishuang:Inspector.Registered": (
        "执法检查人员名录库：检查人员及其所在单位、居住社区（回避依据）"
    ),
    "sishuang:Inspector.Retired": "检查人员退出名录（附理由）",
    "sishuang:TargetDirectory.Frozen": (
        "检查对象名录库（冻结）：按层排序的对象编号、不符合条件的对象及原因、回避关系、"
        "所依据的日志位置与哈希"
    ),
    "sishuang:InspectionPlan.Published": (
        "抽查方案（一单一细则）：事项、期间、分层抽样比例、每对象检查人数、上限、"
        "种子生成方式、公开期限；plan_hash 覆盖 document 全部内容"
    ),
    "sishuang:InspectionPlan.PopulationFrozen": (
        "检查对象已冻结：名录编号、日志位置、哈希、各层数量"
    ),
    "sishuang:InspectionPlan.RosterFrozen": "检查人员名录已冻结：人员、单位与回避关系，及其哈希",
    "sishuang:InspectionPlan.SeedCommitted": "种子提供方提交承诺 H(数值‖盐)",
    "sishuang:InspectionPlan.ContributionRevealed": (
        "种子提供方揭示数值与盐（或方案指定的公开数值）"
    ),
    "sishuang:InspectionPlan.Drawn": (
        "抽取（每方案一次）：种子、各层抽中对象及其签号、备选、检查人员分配及每次跳过的原因、"
        "抽样承诺值、公开截止日"
    ),
    "sishuang:InspectionPlan.TargetReplaced": "对象无法检查：按签号顺序由下一备选替换（附理由）",
    "sishuang:InspectionPlan.InspectorRecused": "检查人员回避：由该对象签号顺序中的下一名替换",
    "sishuang:InspectionPlan.FindingRecorded": (
        "检查结果：回访确认与评价、列席到会与内容、照片、结论（合格、限期整改、诫勉谈话）；"
        "更正须附理由"
    ),
    "sishuang:InspectionPlan.VisitsCompleted": (
        "不打招呼检查完成：抽样结果随之公开（可与承诺值核对）"
    ),
    "sishuang:InspectionPlan.ResultsPublished": (
        "结果公开（一公开）；late_working_days 为逾期工作日数"
    ),
    "sishuang:InspectionPlan.DisclosureOverdue": "超过公开期限仍未公开（由定时检查记录）",
    "sishuang:InspectionPlan.Voided": "抽查作废（附理由，作废记录同样公开）",
    "sishuang:Delivery.Opened": (
        "消息某一渠道的发送记录（首次领取时建立）：消息、渠道、类型、是否紧急"
    ),
    "sishuang:Delivery.Deferred": "夜间免打扰：非紧急短信推迟到 until（免打扰结束）",
    "sishuang:Delivery.Claimed": "发送进程领取（worker、第几次、租约到期时间）",
    "sishuang:Delivery.Sent": "已发送；provider_ref 为短信平台的回执编号",
    "sishuang:Delivery.Failed": (
        "明确失败（连接被拒、平台拒收）：next_attempt_at 后重试（指数退避）"
    ),
    "sishuang:Delivery.GaveUp": "多次失败后放弃（delivery_max_attempts）",
    "sishuang:Delivery.Expired": (
        "过时不再发送：首次领取时消息已超过 delivery_max_age_hours，或已过消息所说的期限"
        "（valid_until：接单、评价期限，兑换码、验证码有效期）；reason 说明是哪种（站内信照常）"
    ),
    "sishuang:Delivery.InDoubt": (
        "结果不明（发送后超时，或租约到期未报告：发送进程中途退出）：不再重发，社区可见"
    ),
    "sishuang:Inbox.Opened": "收件人的站内信箱（首次阅读时建立）",
    "sishuang:Inbox.MessageRead": "收件人已读一条站内信（重复阅读不再记录）",
    "sishuang:Preferences.Opened": "收件人的消息设置（首次设置时建立）",
    "sishuang:Preferences.Set": "消息设置：关闭短信的消息类型，是否接收附近新需求",
    "sishuang:Account.Opened": (
        "账号开立：手机号账号（党员、群众、网格员，编号由手机号导出）或工作人员账号（登录名）"
    ),
    "sishuang:Account.GrantAdded": (
        "授予身份：角色、范围、凭证中的使用者；county_id/community_id 为范围所在的县与社区"
    ),
    "sishuang:Account.GrantRevoked": "撤销身份（附理由）；该身份的登录会话同时结束",
    "sishuang:Account.PasswordSet": (
        "设置密码：argon2id 哈希及其参数（不存明文）；must_change 为管理员设置的临时密码"
    ),
    "sishuang:Account.TotpEnrolled": "申请启用动态口令：密钥经服务密钥加密保存，待确认",
    "sishuang:Account.TotpConfirmed": "以一个动态口令确认启用；step 为已用过的时间步",
    "sishuang:Account.TotpRemoved": "停用动态口令",
    "sishuang:Account.SignInSucceeded": (
        "登录成功：方式（短信验证码、密码、报到注册、改密码）、身份、会话、来源地址"
    ),
    "sishuang:Account.SignInFailed": "登录失败：方式、原因、来源地址、连续失败次数",
    "sishuang:Account.Locked": "连续失败次数达到上限：锁定至 until",
    "sishuang:Account.Disabled": "账号停用（附理由）；其登录会话同时结束",
    "sishuang:Account.Enabled": "账号恢复启用",
    "sishuang:Session.Started": (
        "登录会话开始：账号、身份、刷新凭证的哈希（不存凭证本身）；restricted 为只能改密码"
    ),
    "sishuang:Session.Refreshed": "刷新凭证轮换：新哈希、代数、闲置到期时间",
    "sishuang:Session.Ended": (
        "会话结束：退出、全部退出、刷新凭证被重复使用、账号停用、身份撤销、改密码、过期"
    ),
    "sishuang:PhoneCheck.Opened": "手机号验证记录（每个手机号一条）",
    "sishuang:PhoneCheck.CodeSent": (
        "发送短信验证码：只记随机数 nonce 与到期时间，不记验证码（验证码 = code_for(密钥, nonce)）"
    ),
    "sishuang:PhoneCheck.CodeFailed": "验证码输错：第几次",
    "sishuang:PhoneCheck.CodeAccepted": "验证码正确：手机号得到证明，验证码作废",
    "sishuang:AddressQuota.Opened": "按来源地址计的验证码发送额度（跨 API 进程）",
    "sishuang:AddressQuota.Used": "该地址获取一次验证码",
    "sishuang:SignInQuota.Opened": "按来源地址计的密码登录失败次数（跨 API 进程）",
    "sishuang:SignInQuota.FailureCounted": (
        "该地址一次密码登录失败（密码或动态口令错误，或登录名不存在）"
    ),
}


@dataclass(frozen=True)
class EventInfo:
    aggregate: str
    name: str
    topic: str
    fields: tuple[tuple[str, str], ...]
    doc: str


def events() -> list[EventInfo]:
    found: list[EventInfo] = []
    for aggregate in AGGREGATES:
        seen: set[type] = set()
        for name, value in vars(aggregate).items():
            if (
                not isinstance(value, type)
                or not issubclass(value, Aggregate.Event)
                or name == "Event"
                or value in seen
            ):
                continue
            seen.add(value)
            fields = tuple(
                (f.name, str(f.type))
                for f in dataclasses.fields(value)
                if f.name not in BASE_FIELDS
            )
            topic: str = getattr(value, "TOPIC", "")
            version = getattr(value, "class_version", 1)
            label = name if version == 1 else f"{name} (v{version})"
            found.append(EventInfo(aggregate.__name__, label, topic, fields, NOTES.get(topic, "")))
    return found


def markdown() -> str:
    lines = [
        "# Event catalogue (as built)",
        "",
        "Generated by `python -m domain.event_catalogue`;",
        "`tests/domain/test_event_catalogue.py` fails when this file and the code disagree.",
        "Topics are stable: they are what the log stores, so a class may move or be renamed",
        "without orphaning a single stored event. Every event also carries `originator_id` (the",
        "aggregate's UUID), `originator_version` and `timestamp` (UTC, from the injected",
        "clock); creation events carry `originator_topic`. An event marked (vN) has been",
        "versioned: older stored versions are upcast on load (`upcast_vN_vN+1`), never edited",
        "in the store.",
        "",
        "Each aggregate's events go to one sealed log (docs/audit.md), named under its heading.",
        "",
    ]
    current = ""
    by_name = {a.__name__: a for a in AGGREGATES}
    for info in events():
        if info.aggregate != current:
            current = info.aggregate
            kind, field_name = LOG_OF[by_name[current]]
            where = (
                "the system log"
                if kind == "system"
                else "its owner's log (the system log when the owner is no aggregate)"
                if kind == "owner"
                else f"the {kind} log of its own id"
                if field_name == "id"
                else f"the {kind} log named by `{field_name}` at creation"
            )
            lines += [
                f"## {current}",
                "",
                f"Log: {where}.",
                "",
                "| event | topic | fields | note |",
                "|---|---|---|---|",
            ]
        fields = ", ".join(f"`{n}: {t}`" for n, t in info.fields)
        lines.append(f"| {info.name} | `{info.topic}` | {fields} | {info.doc} |")
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("## ") and i > 0 and out and out[-1] != "":
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")


_CREATED_BY: dict[type, type[Aggregate]] = {
    value: aggregate
    for aggregate in AGGREGATES
    for value in vars(aggregate).values()
    if isinstance(value, type) and issubclass(value, Aggregate.Created)
}
