"""The message catalogue: what the service tells people, whom, how urgently, by which
channels (docs/notifications.md).

The outbox projection (projections.outbox) turns events into messages with this
catalogue; the delivery worker (api.delivery) sends the SMS ones with the template id
its configuration names for the message's `sms_key`. Every message lands in the
recipient's inbox (站内信) except the sign-in code, which goes to a phone that may have
no inbox yet.

Recipients are keys derived from the domain:

| key | who reads it |
| --- | --- |
| `member:<member id>` | the 党员 |
| `resident:<resident id>` | the 群众 |
| `grid:<community id>:<subject>` | a 网格员, as the events record them (代发) |
| `community:<community id>` | the community's staff (社区) |
| `unit:<unit id>` | the unit's party organisation (单位) |
| `inspector:<inspector id>` | a 督查 inspector |
| `phone:<phone>` | a phone number only (the sign-in code) |

`inbox_keys(actor)` names the inboxes a signed-in actor reads.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from uuid import UUID, uuid5

from domain.actors import Actor, Role
from domain.errors import Forbidden, InvalidInput
from domain.values import Labelled

# The county of a message about no county: a sign-in code goes to a phone before anyone
# knows where its owner lives. Its delivery is in no county's or community's export.
SYSTEM_COUNTY = UUID(int=0)

MESSAGES_NAMESPACE = UUID("4b7e2c19-6a0d-4f3e-8b52-9c1d7e3a6f40")


class Channel(Labelled):
    INBOX = ("inbox", "站内信")
    SMS = ("sms", "短信")

    @classmethod
    def label_zh(cls) -> str:
        return "渠道"


class MessageKind(Labelled):
    DISPATCHED = ("dispatched", "派单通知")
    NEARBY_NEED = ("nearby_need", "附近新需求")
    APPLICATION_RESULT = ("application_result", "接单申请结果")
    RATING_REQUEST = ("rating_request", "请评价")
    TAKE_WINDOW_ENDING = ("take_window_ending", "接单申请期即将截止")
    RATING_WINDOW_ENDING = ("rating_window_ending", "评价期即将截止")
    OVERDUE = ("overdue", "需求超期")
    WARNING_YELLOW = ("warning_yellow", "黄灯提醒")
    WARNING_RED = ("warning_red", "红灯预警")
    REPORTING_REMINDER = ("reporting_reminder", "报到提醒")
    REDEMPTION_CODE = ("redemption_code", "积分兑换码")
    INSPECTION_ASSIGNMENT = ("inspection_assignment", "抽查任务")
    REGISTRATION_APPROVED = ("registration_approved", "报到审核通过")
    REGISTRATION_REJECTED = ("registration_rejected", "报到审核未通过")
    SIGN_IN_CODE = ("sign_in_code", "登录验证码")

    @classmethod
    def label_zh(cls) -> str:
        return "消息类型"


K = MessageKind


@dataclass(frozen=True)
class MessageSpec:
    """One kind of message: its title and body (templates over `params`), who receives
    it (as the docs say it), whether it is urgent (sent by SMS even in quiet hours),
    its channels, and the key its SMS template id is configured under. `computed`: SMS
    parameters the worker computes at send time (never stored: a sign-in code)."""

    kind: MessageKind
    title: str
    body: str
    recipients: str
    urgent: bool
    sms: bool
    inbox: bool = True
    computed: tuple[str, ...] = ()

    @property
    def sms_key(self) -> str:
        """The key the SMS template id is configured under (SISHUANG_SMS_TEMPLATES)."""
        return self.kind.code

    @property
    def params(self) -> tuple[str, ...]:
        """The template's parameter names, in order of first use: what the SMS carries."""
        names: list[str] = []
        for text in (self.title, self.body):
            for _, name, _, _ in string.Formatter().parse(text):
                if name and name not in names:
                    names.append(name)
        for name in self.computed:
            if name not in names:
                names.append(name)
        return tuple(names)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(c for c, on in ((Channel.INBOX, self.inbox), (Channel.SMS, self.sms)) if on)


CATALOGUE: dict[MessageKind, MessageSpec] = {
    spec.kind: spec
    for spec in (
        MessageSpec(
            K.DISPATCHED,
            "派单通知",
            "社区已将需求“{need}”派给您，请在“我的服务”中确认接单。办理期限：{deadline}。",
            "被派单的党员（含大党委交办、返单给原党员）",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.NEARBY_NEED,
            "附近有新需求",
            "您的服务范围内有一条{category}类新需求：“{need}”，接单申请截止 {deadline}。",
            "服务半径覆盖需求地点、擅长领域相符、开启了“附近新需求”提醒的党员（每人每天有上限）",
            urgent=False,
            sms=False,
        ),
        MessageSpec(
            K.APPLICATION_RESULT,
            "接单申请结果",
            "您申请的需求“{need}”{result}。",
            "申请接单而未被派单的党员",
            urgent=False,
            sms=False,
        ),
        MessageSpec(
            K.RATING_REQUEST,
            "请评价服务",
            "党员已为需求“{need}”申请结单，请在 {deadline} 前评价（超时视为未评价办结）。",
            "提出需求的群众；网格员代发的需求，同时通知代发的网格员",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.TAKE_WINDOW_ENDING,
            "接单申请期即将截止",
            "需求“{need}”的接单申请期将于 {deadline} 截止，目前 {applicants} 人申请；"
            "无人申请将转大党委。",
            "需求所在社区",
            urgent=False,
            sms=False,
        ),
        MessageSpec(
            K.RATING_WINDOW_ENDING,
            "评价期即将截止",
            "需求“{need}”的评价期将于 {deadline} 截止，请及时评价。",
            "提出需求的群众；网格员代发的需求，同时通知代发的网格员",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.OVERDUE,
            "需求超期",
            "需求“{need}”派单后超期未办结（派单期限 {deadline}），请跟进。",
            "需求所在社区",
            urgent=False,
            sms=False,
        ),
        MessageSpec(
            K.WARNING_YELLOW,
            "黄灯提醒",
            "您{year}年第{quarter}季度服务 {services} 次、{hours} 小时，"
            "低于应达到的 {required_services} 次、{required_hours} 小时，亮黄灯，请积极参与服务。",
            "党员本人",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.WARNING_RED,
            "红灯预警",
            "{name}{year}年第{quarter}季度服务 {services} 次、{hours} 小时，"
            "低于应达到的 {required_services} 次、{required_hours} 小时，亮红灯，"
            "须向组织部提交书面说明。",
            "党员本人及其所在单位",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.REPORTING_REMINDER,
            "报到提醒",
            "{text}",
            "组织部提醒的党员或单位",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.REDEMPTION_CODE,
            "积分兑换码",
            "您兑换的“{item}”×{quantity}（{points} 积分）兑换码为 {code}，"
            "请于 {deadline} 前到合作商家核销。",
            "兑换的党员",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.INSPECTION_ASSIGNMENT,
            "抽查任务",
            "您被随机选派参加抽查“{plan}”，负责 {targets} 个检查对象，请在“我的抽查”中查看。",
            "随机选派（含替补、回避后递补）的检查人员",
            urgent=False,
            sms=False,
        ),
        MessageSpec(
            K.REGISTRATION_APPROVED,
            "报到审核通过",
            "您在{community}的报到已审核通过，请完善亮身份、亮承诺、亮特长。",
            "报到的党员",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.REGISTRATION_REJECTED,
            "报到审核未通过",
            "您在{community}的报到未通过审核：{reason}。",
            "报到的党员",
            urgent=False,
            sms=True,
        ),
        MessageSpec(
            K.SIGN_IN_CODE,
            "登录验证码",
            "您的登录验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。",
            "登录的手机号",
            urgent=True,
            sms=True,
            inbox=False,
            computed=("code",),
        ),
    )
}

# Kinds a person may turn SMS off for (the sign-in code is never turned off).
SMS_OPTIONAL: tuple[MessageKind, ...] = tuple(
    k for k, spec in CATALOGUE.items() if spec.sms and not spec.urgent
)


def spec_of(code: str) -> MessageSpec:
    return CATALOGUE[MessageKind.from_code(code)]


def render(kind: MessageKind, params: dict[str, str]) -> tuple[str, str]:
    """The message's title and body with its parameters filled in."""
    spec = CATALOGUE[kind]
    shown = {name: params.get(name, "") for name in spec.params}
    return spec.title.format(**shown), spec.body.format(**shown)


def message_id(source_event: UUID, kind: MessageKind, recipient: str) -> UUID:
    """A message's id: the same for the same event, kind and recipient, on every
    rebuild and in every process."""
    return uuid5(MESSAGES_NAMESPACE, f"message|{source_event}|{kind.code}|{recipient}")


def source_key(originator_id: UUID, originator_version: int) -> UUID:
    """The id of the event a message comes from: its aggregate and version."""
    return uuid5(MESSAGES_NAMESPACE, f"event|{originator_id}|{originator_version}")


# -- recipients ---------------------------------------------------------------------------


def member_key(member_id: UUID | str) -> str:
    return f"member:{member_id}"


def resident_key(resident_id: UUID | str) -> str:
    return f"resident:{resident_id}"


def community_key(community_id: UUID | str) -> str:
    return f"community:{community_id}"


def unit_key(unit_id: UUID | str) -> str:
    return f"unit:{unit_id}"


def inspector_key(inspector_id: UUID | str) -> str:
    return f"inspector:{inspector_id}"


def grid_key(community_id: UUID | str, subject: str) -> str:
    return f"grid:{community_id}:{subject}"


def phone_key(phone: str) -> str:
    """A phone number as a recipient (the sign-in code: no inbox, the SMS only)."""
    return f"phone:{phone}"


def phone_of(recipient: str) -> str:
    """The phone a `phone:` recipient names, else ""."""
    return recipient[len("phone:") :] if recipient.startswith("phone:") else ""


def inbox_keys(actor: Actor) -> list[str]:
    """The inboxes a signed-in actor reads: their own, and for 社区 staff the
    community's. Roles that receive nothing (组织部, 审计, partners) read none."""
    role, scope = actor.role, actor.scope_id
    if role is Role.MEMBER and scope is not None:
        return [member_key(scope)]
    if role is Role.RESIDENT:
        return [resident_key(actor.subject)]
    if role is Role.GRID_WORKER and scope is not None:
        return [grid_key(scope, actor.subject)]
    if role is Role.COMMUNITY_ADMIN and scope is not None:
        return [community_key(scope)]
    if role is Role.UNIT_ADMIN and scope is not None:
        return [unit_key(scope)]
    if role is Role.INSPECTOR:
        return [inspector_key(actor.subject)]
    return []


def require_inbox(actor: Actor) -> list[str]:
    """The actor's inboxes; refused for a role that has none."""
    keys = inbox_keys(actor)
    if not keys:
        raise Forbidden("no_inbox", "该身份没有站内信", "this role has no inbox")
    return keys


def own_key(actor: Actor) -> str:
    """The one inbox an actor's preferences and reads belong to."""
    return require_inbox(actor)[0]


def clean_kinds(codes: object) -> tuple[MessageKind, ...]:
    """Kinds whose SMS a person turns off: each a known kind that may be turned off."""
    if not isinstance(codes, (list, tuple)):
        raise InvalidInput("invalid_kinds", "消息类型应为列表", "kinds: a list of codes")
    kinds: list[MessageKind] = []
    for code in codes:
        kind = MessageKind.from_code(str(code))
        if kind not in SMS_OPTIONAL:
            raise InvalidInput(
                "sms_not_optional",
                f"“{kind.label}”不发短信或不能关闭短信",
                f"{kind.code} has no SMS that may be turned off",
                kind=kind.code,
            )
        if kind not in kinds:
            kinds.append(kind)
    return tuple(sorted(kinds, key=lambda k: k.code))


def markdown_table() -> str:
    """The catalogue table of docs/notifications.md (`python -m domain.messages`)."""
    rows = [
        "| kind | 名称 | 谁收到 | 渠道 | 紧急 | SMS 参数 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind, spec in CATALOGUE.items():
        channels = "、".join(c.label for c in spec.channels)
        params = ", ".join(f"`{p}`" for p in spec.params)
        urgent = "是" if spec.urgent else ""
        cells = [f"`{kind.code}`", kind.label, spec.recipients, channels, urgent, params]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
