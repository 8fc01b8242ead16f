"""演示数据: a realistic demo county (泽州县) with ten weeks of history, loaded through the
application service.

`load_demo` plans everything first and then issues the commands the people in the field
would issue, in time order. Nothing is written around the application service.

- Registration (from `random.Random(seed)`): 运维 registers the county, 组织部 the
  communities, units and pairings; 单位 report; 党员 register by QR link, 社区 reviews,
  党员 state 三亮 (names, phones, posts, review outcomes, the units' declared counts).
- The story (from the seed too, on its own stream): 群众 register (some by a grid worker,
  without a phone); they, grid workers and the 议事会 post needs (民生需求台账) whose fates
  are spread as in the field: most closed satisfied, some low-rated and returned or
  closed by the community, some closed unrated by the sweep, some unclaimed and given
  to a unit or team by the joint meeting, some overdue and followed up, some cancelled
  or rejected, about 15 % still open at the end; group activities with sign-ins and
  confirmed lists, one coming up; one monthly matching meeting per community.

The history runs over the STORY_DAYS (ten weeks) before the app clock's time at the
call, on a ManualClock moved along the plan: the app's own if it is one, else a
temporary one (the app's clock is put back afterwards). A sweeper is simulated: every
deadline that passes in the story is swept a minute later, as `api.sweeper` would.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime
from functools import partial
from typing import Any
from uuid import UUID

from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import (
    Availability,
    Commitment,
    Identity,
    NeedInput,
    Sishuang,
    Skills,
)
from domain.calendar import business_date, quarter_end, quarter_of
from domain.clock import ManualClock
from domain.errors import Conflict
from domain.order import OPEN_STATUSES as OPEN
from domain.order import Order, OrderStatus
from domain.values import TimeSlot
from replay import draw

COUNTY_NAME = "泽州县"
COUNTY_CODE = "ZZ"
ORG_DEPT_SUBJECT = "组织部演示账号"

# Review mix (of all registrations) and the share of approved members who have not
# yet stated all three 亮 (so the "not reported" list has names in it).
REJECTED_SHARE = 0.05
PENDING_SHARE = 0.08
INCOMPLETE_SHARE_OF_APPROVED = 0.09
PAIRED_BASIS_SHARE = 0.45  # the rest register with their residence community
NO_GRID_AT_REGISTRATION_SHARE = 0.1  # the community assigns the grid at review
COVERAGE_TARGET = 0.95  # 泽州, 田家庵: ≥ 95 % of a unit's members reported


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    code: str
    address: str


@dataclass(frozen=True)
class UnitSpec:
    name: str
    weight: int  # relative size: the share of demo members who belong to it
    exemplary: bool  # all its members report: it meets the coverage target
    home: str  # code of the community it is first paired with (包联)
    posts: tuple[tuple[str, tuple[str, ...]], ...]  # post, skill categories that fit it
    extra_categories: tuple[str, ...]
    tags: tuple[str, ...]
    commitments: tuple[str, ...]


COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec("锦绣社区", "JX", "泽州县金村镇锦绣路66号"),
    CommunitySpec("祥瑞社区", "XR", "泽州县金村镇祥瑞街18号"),
    CommunitySpec("赵庄社区", "ZZH", "泽州县南村镇赵庄大街9号"),
    CommunitySpec("巴公社区", "BG", "泽州县巴公镇巴公大街102号"),
)

GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格")

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        name="泽州县财政局",
        weight=8,
        exemplary=True,
        home="JX",
        posts=(
            ("科员", ("policy",)),
            ("副科长", ("policy",)),
            ("会计", ("finance",)),
            ("财政所所长", ("policy", "finance")),
        ),
        extra_categories=("finance", "elderly_disabled", "environment"),
        tags=("惠民政策解读", "财务咨询", "垃圾分类宣传"),
        commitments=("每季度为居民讲解一次惠民惠农政策",),
    ),
    UnitSpec(
        name="泽州县人民医院",
        weight=18,
        exemplary=False,
        home="ZZH",
        posts=(
            ("主治医师", ("medical",)),
            ("副主任医师", ("medical",)),
            ("住院医师", ("medical",)),
            ("护士长", ("medical", "elderly_disabled")),
            ("主管护师", ("medical", "elderly_disabled")),
            ("药剂师", ("medical",)),
        ),
        extra_categories=("elderly_disabled", "psychology", "sports"),
        tags=("量血压", "测血糖", "健康咨询", "慢病随访", "急救培训", "用药指导"),
        commitments=("每月到社区开展一次义诊", "每季度为社区老人开展一次健康讲座"),
    ),
    UnitSpec(
        name="泽州县司法局",
        weight=6,
        exemplary=True,
        home="XR",
        posts=(
            ("科员", ("legal",)),
            ("副科长", ("legal",)),
            ("公职律师", ("legal",)),
            ("司法所所长", ("legal", "mediation")),
            ("人民调解员", ("mediation",)),
        ),
        extra_categories=("mediation", "policy", "safety_patrol"),
        tags=("法律咨询", "法律援助", "纠纷调解", "普法宣传"),
        commitments=("每月在社区开展一次法律咨询", "每季度为居民办一场普法讲座"),
    ),
    UnitSpec(
        name="泽州县教育局",
        weight=7,
        exemplary=False,
        home="BG",
        posts=(
            ("科员", ("policy",)),
            ("副科长", ("policy", "education")),
            ("教研员", ("education",)),
            ("督学", ("education",)),
        ),
        extra_categories=("childcare", "culture", "psychology"),
        tags=("作业辅导", "家庭教育", "政策宣讲"),
        commitments=("每周为社区青少年开展一次课业辅导",),
    ),
    UnitSpec(
        name="泽州县实验学校",
        weight=14,
        exemplary=False,
        home="JX",
        posts=(
            ("教师", ("education",)),
            ("班主任", ("education", "childcare")),
            ("教研组长", ("education",)),
            ("心理教师", ("psychology", "education")),
            ("体育教师", ("sports", "education")),
        ),
        extra_categories=("childcare", "culture", "sports"),
        tags=("作业辅导", "心理疏导", "书法", "家庭教育", "暑期托管"),
        commitments=("寒暑假为社区学生开展作业辅导", "每月为社区少年儿童开展一次课外辅导"),
    ),
    UnitSpec(
        name="国网泽州县供电公司",
        weight=10,
        exemplary=True,
        home="BG",
        posts=(
            ("工程师", ("plumbing_electrical",)),
            ("电工", ("plumbing_electrical",)),
            ("运维班班长", ("plumbing_electrical", "safety_patrol")),
            ("客户经理", ("plumbing_electrical", "policy")),
        ),
        extra_categories=("appliance_repair", "safety_patrol", "it"),
        tags=("电路检修", "安全用电", "家电维修", "电费咨询"),
        commitments=("每月为社区独居老人检修一次用电线路",),
    ),
    UnitSpec(
        name="泽州县公安局",
        weight=12,
        exemplary=False,
        home="ZZH",
        posts=(
            ("民警", ("safety_patrol",)),
            ("社区民警", ("safety_patrol", "mediation")),
            ("副所长", ("safety_patrol",)),
            ("科员", ("policy",)),
            ("交警", ("transport", "safety_patrol")),
        ),
        extra_categories=("mediation", "transport", "it"),
        tags=("防诈骗宣传", "治安巡逻", "交通安全", "矛盾化解"),
        commitments=("每月参加一次社区治安巡逻", "每季度开展一次反诈宣传"),
    ),
    UnitSpec(
        name="泽州县交通运输局",
        weight=7,
        exemplary=False,
        home="XR",
        posts=(
            ("科员", ("transport",)),
            ("副科长", ("transport", "policy")),
            ("路政员", ("transport", "safety_patrol")),
            ("工程师", ("transport",)),
        ),
        extra_categories=("safety_patrol", "environment", "policy"),
        tags=("交通安全宣传", "文明交通劝导", "出行咨询"),
        commitments=("每月开展一次文明交通劝导",),
    ),
    UnitSpec(
        name="泽州县人力资源和社会保障局",
        weight=7,
        exemplary=False,
        home="BG",
        posts=(
            ("科员", ("employment",)),
            ("副科长", ("employment", "policy")),
            ("就业指导员", ("employment",)),
            ("社保经办员", ("policy",)),
        ),
        extra_categories=("policy", "elderly_disabled", "it"),
        tags=("社保咨询", "就业指导", "创业帮扶", "养老保险办理"),
        commitments=("每月为社区居民提供一次社保就业咨询",),
    ),
    UnitSpec(
        name="中国工商银行泽州支行",
        weight=6,
        exemplary=False,
        home="JX",
        posts=(
            ("客户经理", ("finance",)),
            ("柜员", ("finance",)),
            ("副行长", ("finance", "policy")),
            ("风险经理", ("finance",)),
        ),
        extra_categories=("it", "elderly_disabled"),
        tags=("防范金融诈骗", "理财咨询", "手机银行教学", "反假币宣传"),
        commitments=("每季度为社区老人讲一次防诈骗知识",),
    ),
)

GENERIC_COMMITMENTS = (
    "每月参加一次社区志愿服务",
    "每年为社区群众办一件实事",
    "每季度走访一次网格内困难群众",
    "积极参加社区红色服务日活动",
    "每月参加一次环境卫生整治",
    "结对帮扶一户困难家庭",
)

REJECTION_REASONS = (
    "单位信息与组织关系不符",
    "所填单位与党组织关系所在单位不一致，请核实后重新报到",
    "手机号与党员信息库登记信息不一致",
    "经核实非在职党员，请联系所在党支部",
)

UNIT_REPORT_NOTES = (
    "签订共驻共建协议，认领社区服务项目",
    "单位党组织到社区报到，参加党建联席会议",
    "认领社区“微心愿”和民生实事项目",
)

# Common surnames, weighted roughly by how common they are (with 晋城's own: 郭 牛 申 焦 …).
SURNAMES = (
    ("王", 12),
    ("李", 11),
    ("张", 10),
    ("刘", 8),
    ("陈", 6),
    ("杨", 5),
    ("赵", 5),
    ("郭", 5),
    ("黄", 3),
    ("周", 3),
    ("吴", 3),
    ("徐", 3),
    ("孙", 3),
    ("胡", 2),
    ("朱", 2),
    ("高", 2),
    ("林", 2),
    ("何", 2),
    ("马", 2),
    ("罗", 2),
    ("牛", 2),
    ("申", 2),
    ("焦", 2),
    ("常", 2),
    ("秦", 2),
    ("程", 2),
    ("段", 1),
    ("卫", 1),
    ("靳", 1),
    ("贾", 1),
    ("武", 1),
    ("崔", 1),
    ("韩", 1),
    ("冯", 1),
    ("宋", 1),
    ("梁", 1),
    ("董", 1),
    ("田", 1),
    ("任", 1),
)
GIVEN_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯俊旭晨宇建国志海文东晓亮峰瑞嘉"
    "丽敏静燕艳娟霞芳娜婷玲红梅琳雪倩慧颖佳欣瑶璐丹洁萍莉蕾楠彤晶晴"
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
TIME_SLOT_CODES = tuple(slot.code for slot in TimeSlot)


@dataclass
class _MemberPlan:
    name: str
    phone: str
    unit: int
    community: int
    basis: str
    post: str
    grid_code: str | None
    outcome: str = "approved"  # approved | rejected | pending
    review_grid: str | None = None
    reason: str = ""
    parts: tuple[str, ...] = ()  # which of identity/commitment/skills/availability it states
    show_contact: bool = False
    commitment: str = ""
    hours: int = 12
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    radius: str = "3"
    slots: tuple[str, ...] = ()
    registered_at: timedelta = timedelta(0)
    reviewed_at: timedelta = timedelta(0)
    profile_at: timedelta = timedelta(0)

    @property
    def reports(self) -> bool:
        return self.outcome == "approved" and {"identity", "commitment", "skills"} <= set(
            self.parts
        )


@dataclass
class _Plan:
    grids: list[list[str]] = field(default_factory=list)  # grid codes per community
    pairings: list[list[int]] = field(default_factory=list)  # community indexes per unit
    unit_reports: list[tuple[int, int, str, timedelta]] = field(default_factory=list)
    member_counts: list[int] = field(default_factory=list)
    members: list[_MemberPlan] = field(default_factory=list)


def _plan(seed: int, members: int) -> _Plan:
    rng = random.Random(seed)
    plan = _Plan()
    codes = [c.code for c in COMMUNITIES]
    plan.grids = [[f"G{i:02d}" for i in range(1, rng.randint(3, 6) + 1)] for _ in COMMUNITIES]

    # 双包联: each unit with its home community and, for about half, one more.
    for unit in UNITS:
        home = codes.index(unit.home)
        paired = [home]
        if rng.random() < 0.5:
            paired.append(rng.choice([i for i in range(len(COMMUNITIES)) if i != home]))
        plan.pairings.append(paired)

    # 单位报到: exemplary units report everywhere; most others to each paired community.
    for u, paired in enumerate(plan.pairings):
        for c in paired:
            if UNITS[u].exemplary or rng.random() < 0.75:
                when = timedelta(days=1, seconds=rng.randint(0, 3 * 86400))
                plan.unit_reports.append((u, c, rng.choice(UNIT_REPORT_NOTES), when))

    # 党员 and their registrations.
    names: set[str] = set()
    phones: set[str] = set()
    surnames = [s for s, _ in SURNAMES]
    surname_weights = [w for _, w in SURNAMES]
    unit_weights = [u.weight for u in UNITS]
    for _ in range(members):
        name = ""
        while not name or name in names:
            given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
            name = rng.choices(surnames, surname_weights)[0] + given
        names.add(name)
        phone = ""
        while not phone or phone in phones:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        phones.add(phone)
        u = rng.choices(range(len(UNITS)), unit_weights)[0]
        if rng.random() < PAIRED_BASIS_SHARE:
            basis, c = "paired", rng.choice(plan.pairings[u])
        else:
            basis, c = "residence", rng.randrange(len(COMMUNITIES))
        post = rng.choice(UNITS[u].posts)[0]
        grid = None if rng.random() < NO_GRID_AT_REGISTRATION_SHARE else rng.choice(plan.grids[c])
        registered_at = timedelta(days=2, seconds=rng.randint(0, 21 * 86400))
        plan.members.append(
            _MemberPlan(name, phone, u, c, basis, post, grid, registered_at=registered_at)
        )

    # Review outcomes: exact shares, the shortfalls falling (almost) only on the units
    # that are not exemplary (weighted sampling without replacement, Efraimidis–Spirakis).
    n = len(plan.members)
    rejected = round(n * REJECTED_SHARE)
    pending = round(n * PENDING_SHARE)
    incomplete = round((n - rejected - pending) * INCOMPLETE_SHARE_OF_APPROVED)
    # How unevenly the shortfalls fall: exemplary units almost never, the others by unit.
    laxity = [0.02 if unit.exemplary else rng.uniform(0.3, 1.7) for unit in UNITS]
    keys = [rng.random() ** (1 / laxity[m.unit]) for m in plan.members]
    order = sorted(range(n), key=lambda i: keys[i], reverse=True)
    incomplete_ids = set(order[rejected + pending : rejected + pending + incomplete])
    for rank, i in enumerate(order):
        m = plan.members[i]
        if rank < rejected:
            m.outcome = "rejected"
            m.reason = rng.choice(REJECTION_REASONS)
        elif rank < rejected + pending:
            m.outcome = "pending"

    for i, m in enumerate(plan.members):
        unit = UNITS[m.unit]
        if m.outcome == "pending":
            continue
        m.reviewed_at = m.registered_at + timedelta(seconds=rng.randint(2 * 3600, 3 * 86400))
        if m.outcome == "rejected":
            continue
        m.review_grid = m.grid_code or rng.choice(plan.grids[m.community])
        if i in incomplete_ids:
            m.parts = rng.choice(
                ((), (), ("identity",), ("identity", "commitment"), ("identity", "availability"))
            )
        else:
            m.parts = ("identity", "commitment", "skills")
            if rng.random() < 0.85:
                m.parts += ("availability",)
        m.show_contact = rng.random() < 0.7
        m.commitment = rng.choice(unit.commitments + GENERIC_COMMITMENTS)
        m.hours = rng.randint(12, 48)
        fitting = dict(unit.posts)[m.post]
        extras = [c for c in unit.extra_categories if c not in fitting]
        k = min(rng.randint(0, 2), 3 - len(fitting), len(extras))
        m.categories = fitting + tuple(rng.sample(extras, k))
        m.tags = tuple(rng.sample(unit.tags, min(rng.randint(0, 2), len(unit.tags))))
        m.radius = str(rng.randint(1, 10))
        chosen = set(rng.sample(TIME_SLOT_CODES, rng.randint(1, 3)))
        m.slots = tuple(code for code in TIME_SLOT_CODES if code in chosen)
        m.profile_at = m.reviewed_at + timedelta(seconds=rng.randint(3600, 5 * 86400))

    # Declared 在职党员人数: everyone registered (not rejected) plus, for units that are not
    # exemplary, a few who have not registered yet; exemplary units stay at or above 95 %.
    for u, unit in enumerate(UNITS):
        registered = sum(1 for m in plan.members if m.unit == u and m.outcome != "rejected")
        reported = sum(1 for m in plan.members if m.unit == u and m.reports)
        if registered == 0:
            count = rng.randint(3, 8)
        elif unit.exemplary:
            most = math.floor(reported / COVERAGE_TARGET)
            count = max(registered, min(registered + rng.randint(0, 1), most))
        else:
            count = registered + rng.randint(0, max(1, registered // 20))
        plan.member_counts.append(count)
    return plan


# -- the story: residents, needs, activities, the monthly matching (the last ten weeks) --

STORY_DAYS = 70  # the demo's history: about ten weeks, ending today
CST = timezone(timedelta(hours=8), "CST")  # the field's working hours are Beijing time
SWEEP_LAG = timedelta(minutes=1)  # the sweeper runs every minute
NEEDS_FROM_DAY = 9  # needs that members serve start once a few members are approved

# Centres of the communities (WGS-84, around 泽州 35.49 N 112.85 E) and their streets.
CENTRES: tuple[tuple[float, float], ...] = (
    (35.4938, 112.8472),
    (35.4862, 112.8601),
    (35.4715, 112.8390),
    (35.5102, 112.8655),
)
STREETS: tuple[tuple[str, ...], ...] = (
    ("锦绣路", "金村大街", "锦绣花园", "康乐小区"),
    ("祥瑞街", "金村新街", "祥和苑", "书院小区"),
    ("赵庄大街", "南村路", "赵庄新村", "电力小区"),
    ("巴公大街", "兴盛路", "化工小区", "巴公新苑"),
)
RESIDENT_PHONE_PREFIXES: tuple[str, ...] = (
    *("130", "131", "132", "133", "135", "136", "137", "138", "139"),
    *("150", "151", "152", "155", "156", "158", "159"),
    *("180", "181", "182", "183", "185", "186", "187", "188", "189"),
)
GRID_WORKERS = ("张敏", "李娟", "王芳", "赵丽", "郭燕", "牛霞", "申玲", "焦红")
ELDERLY_SHARE = 0.2  # residents a grid worker registers, without a phone

# What residents ask for, by category: (content, the member's note at completion,
# fewest and most people affected). Service time in hours, by category.
NEEDS: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "plumbing_electrical": (
        ("楼道灯不亮，晚上上下楼看不见，老人怕摔", "已更换楼道声控灯，测试正常", 6, 24),
        ("厨房水龙头一直滴水，关不紧", "已更换水龙头阀芯，不再漏水", 1, 3),
        ("家里插座冒火花，不敢用电", "已更换插座并检查线路，排除安全隐患", 1, 4),
        ("卫生间下水道堵塞，反水有异味", "已疏通下水管道，排水正常", 1, 4),
        ("暖气片接口漏水，地板泡了", "已更换暖气片阀门，漏点已处理", 1, 3),
        ("家里总闸老跳闸，冰箱经常断电", "已检查线路，更换漏电保护开关", 1, 3),
    ),
    "appliance_repair": (
        ("洗衣机不脱水，独居老人洗不了衣服", "已更换排水泵，洗衣机恢复正常", 1, 1),
        ("电视没有信号，机顶盒不会调", "已重新设置机顶盒，频道恢复", 1, 2),
        ("燃气热水器打不着火，洗不了澡", "已更换电池并清理点火针，热水器正常", 1, 3),
        ("电饭煲不加热了", "已更换温控器，电饭煲可正常使用", 1, 2),
        ("冰箱不制冷，天热菜放不住", "查明为温控器故障，已更换", 1, 3),
    ),
    "it": (
        (
            "老人想学用智能手机，视频通话和扫码不会用",
            "已教会微信视频通话和扫码，留了操作步骤卡",
            1,
            2,
        ),
        ("不会在手机上交医保、养老保险", "已协助在手机上完成缴费，并教会操作", 1, 2),
        ("想学在网上挂号、买火车票", "已教会用手机挂号和购票", 1, 2),
        ("医保电子凭证不会申领", "已协助申领医保电子凭证并演示使用", 1, 2),
        ("家里宽带连不上，孩子上网课用不了", "已重置路由器，网络恢复", 1, 4),
    ),
    "mediation": (
        ("楼上邻居晚上噪音大，多次沟通无果", "已上门两边沟通，双方达成作息约定", 2, 6),
        ("楼道堆放杂物引发邻里纠纷", "已组织双方协商，杂物已清理", 2, 8),
        ("卫生间漏水，与楼下邻居产生赔偿纠纷", "已调解，双方就维修费用达成一致", 2, 5),
        ("邻居家狗晚上叫，邻里有意见", "已上门调解，养犬户承诺文明养犬", 2, 10),
        ("赡养老人问题，子女之间有矛盾", "已组织家庭协商，签订赡养协议", 3, 6),
    ),
    "medical": (
        ("高血压老人需要上门量血压", "已上门测量血压并指导用药，约定每周随访", 1, 2),
        ("糖尿病老人想了解饮食注意事项", "已上门测血糖并讲解饮食控制要点", 1, 2),
        ("卧床老人需要上门换药", "已上门换药，伤口恢复良好", 1, 1),
        ("老人摔伤后行动不便，想咨询康复训练", "已上门指导康复训练方法", 1, 2),
        ("想请医生帮老人看看最近吃的药", "已逐一核对用药，调整了服药时间表", 1, 2),
    ),
    "education": (
        ("孩子作业辅导，数学跟不上", "已辅导数学作业，约定每周两次", 1, 2),
        ("双职工家庭，孩子放学后没人辅导作业", "已安排放学后作业辅导", 1, 3),
        ("初三孩子想了解中考志愿填报", "已讲解中考政策和志愿填报注意事项", 1, 3),
        ("孩子英语口语想找人练习", "已陪孩子练习口语，推荐了学习方法", 1, 2),
    ),
    "policy": (
        ("医保报销政策咨询，住院费用怎么报", "已讲解医保报销比例和办理流程", 1, 3),
        ("想了解高龄津贴怎么申请", "已协助准备材料，指导到社区申请", 1, 2),
        ("退休职工养老金资格认证不会办", "已协助完成养老金资格认证", 1, 2),
        ("老旧小区改造政策咨询", "已讲解改造范围和居民出资政策", 5, 30),
        ("低保申请条件咨询", "已讲解申请条件并协助准备材料", 1, 3),
    ),
    "legal": (
        ("房屋买卖合同纠纷，想咨询法律意见", "已提供法律咨询，建议协商并保留证据", 1, 3),
        ("农民工工资被拖欠，想咨询怎么维权", "已讲解维权途径，协助联系劳动监察", 1, 6),
        ("想立遗嘱，不知道怎么办理", "已讲解遗嘱形式和公证流程", 1, 2),
        ("租房押金房东不退，想咨询怎么办", "已讲解法律依据，协助与房东沟通", 1, 2),
    ),
    "psychology": (
        ("独居老人情绪低落，需要有人陪着聊聊", "已上门陪伴聊天，约定每周看望", 1, 1),
        ("孩子厌学，家长想咨询心理老师", "已与孩子和家长分别沟通，给出建议", 1, 3),
        ("失业后压力大，晚上睡不好", "已进行心理疏导，并推荐就业岗位信息", 1, 1),
    ),
    "culture": (
        ("社区老年合唱队想请人指导排练", "已指导合唱排练两首曲目", 8, 25),
        ("想学书法，想找老师指点", "已上门指导书法基本笔画", 1, 3),
        ("社区文艺汇演需要人帮忙排节目", "已协助编排节目", 10, 30),
    ),
    "environment": (
        ("小区垃圾堆放点长期没人清理，有异味", "已组织清理垃圾堆放点，联系环卫定时清运", 20, 120),
        ("楼下绿化带杂草丛生，蚊虫多", "已组织清除杂草并喷洒消杀", 10, 60),
        ("垃圾分类不会分，想请人讲讲", "已上门讲解垃圾分类知识并发放宣传册", 1, 6),
    ),
    "elderly_disabled": (
        ("独居老人行动不便，需要帮忙买菜", "已代购蔬菜米面送上门", 1, 1),
        ("残疾人想申请轮椅", "已协助申请并送达轮椅", 1, 1),
        ("老人需要陪同去医院复查", "已陪同就医，完成复查", 1, 1),
        ("高龄老人需要上门理发", "已上门理发", 1, 2),
    ),
    "safety_patrol": (
        ("小区门口晚上有陌生人徘徊", "已加强夜间巡逻，联系物业加装监控", 20, 150),
        ("楼道里给电动车充电，存在火灾隐患", "已上门宣传，清理楼道电动车", 10, 40),
        ("老人接到可疑电话，担心被骗", "已上门讲解防诈骗知识，安装国家反诈中心APP", 1, 2),
    ),
    "employment": (
        ("下岗职工想找工作", "已推荐3个岗位，协助投递简历", 1, 1),
        ("想开个小吃店，咨询创业担保贷款", "已讲解创业担保贷款政策和申请流程", 1, 2),
        ("高校毕业生想了解本地就业政策", "已讲解就业补贴政策，推荐招聘会", 1, 1),
    ),
    "finance": (
        ("老人想了解怎么防范理财诈骗", "已讲解常见金融诈骗手法", 1, 4),
        ("不会用手机银行转账", "已教会手机银行转账和查询", 1, 2),
    ),
    "sports": (
        ("社区广场舞队想学新的健身操", "已教授一套健身操", 10, 30),
        ("老人想学太极拳", "已教授简化太极拳前八式", 3, 12),
    ),
    "childcare": (
        ("周末孩子没人照看，父母都要上班", "已组织周末陪伴和读书活动", 1, 3),
        ("留守儿童想找人辅导功课、聊聊天", "已上门辅导功课并陪伴", 1, 2),
    ),
    "transport": (
        ("小区门口路口没有斑马线，孩子上学过马路危险", "已联系交警部门施划斑马线", 30, 200),
        ("老人想办理公交老年卡", "已协助办理老年卡", 1, 2),
    ),
}
CATEGORY_WEIGHTS: dict[str, int] = {
    "plumbing_electrical": 14,
    "elderly_disabled": 11,
    "it": 10,
    "medical": 10,
    "policy": 8,
    "mediation": 7,
    "education": 7,
    "appliance_repair": 6,
    "environment": 5,
    "safety_patrol": 4,
    "legal": 4,
    "psychology": 3,
    "employment": 3,
    "childcare": 2,
    "finance": 2,
    "culture": 2,
    "transport": 2,
    "sports": 1,
}
SERVICE_HOURS: dict[str, tuple[str, ...]] = {
    "medical": ("0.5", "1", "1", "1.5"),
    "policy": ("0.5", "1", "1"),
    "plumbing_electrical": ("0.5", "1", "1.5", "2"),
    "appliance_repair": ("1", "1.5", "2"),
    "it": ("1", "1.5", "2"),
    "education": ("1.5", "2", "2"),
    "mediation": ("1", "2", "2.5", "3"),
    "elderly_disabled": ("1", "1.5", "2", "3"),
    "environment": ("2", "3", "4"),
}
DEFAULT_SERVICE_HOURS = ("1", "1.5", "2")
# 微心愿: a grid worker posts them for 独居老人 and children in need.
WISHES: tuple[tuple[str, str, str], ...] = (
    ("elderly_disabled", "微心愿：想要一台收音机，听听戏", "已送上收音机，教会老人调台"),
    ("elderly_disabled", "微心愿：想要一副老花镜", "已陪同验光并送上老花镜"),
    ("elderly_disabled", "微心愿：冬天快到了，想要一床厚棉被", "已送上新棉被"),
    ("childcare", "微心愿：孩子想要一个新书包", "已送上新书包和文具"),
    ("elderly_disabled", "微心愿：想要一个助行器，出门遛弯方便些", "已送上助行器并调好高度"),
    ("culture", "微心愿：想要几本大字版的书", "已送上大字版图书5本"),
    ("childcare", "微心愿：想要一套课外读物", "已送上课外读物一套"),
    ("elderly_disabled", "微心愿：想要一个电暖器", "已送上电暖器并讲解安全用电"),
)
# Who asked, when it is not a registered resident: by who is likely to ask for it.
ELDERLY_REQUESTERS = ("李爷爷（独居）", "王奶奶（独居）", "张大爷（空巢）", "刘奶奶（独居）")
CHILD_REQUESTERS = ("小宇（留守儿童）", "小雨（困难家庭）", "小杰（单亲家庭）")
HOUSEHOLD_REQUESTERS = ("3号楼住户李女士", "6号楼住户赵先生", "1号楼住户刘女士", "8号楼孙先生")
FOR_THE_ELDERLY = ("elderly_disabled", "medical", "psychology", "appliance_repair", "it")
# Bigger problems (often from the 议事会) that no single member takes on.
HARD_NEEDS: tuple[tuple[str, str, str, int, int], ...] = (
    (
        "plumbing_electrical",
        "3号楼下水主管道老化，多户反映返味漏水",
        "已协调供水公司和物业更换主管道",
        20,
        36,
    ),
    ("environment", "背街小巷路面坑洼，雨天积水严重", "已协调施工队修补路面，疏通排水沟", 100, 400),
    ("transport", "小区停车难，想在空地规划临时停车位", "已协调规划临时停车位40个", 100, 300),
    (
        "safety_patrol",
        "老旧小区没有门禁，外来人员随意进出",
        "已协调安装门禁系统，建立值守制度",
        100,
        300,
    ),
    (
        "elderly_disabled",
        "老旧楼房没有电梯，高层老人下楼难，想了解加装电梯",
        "已入户征求意见，形成加装方案",
        18,
        40,
    ),
    (
        "plumbing_electrical",
        "小区路灯损坏多处，夜间出行不便",
        "已协调供电公司更换路灯12盏",
        150,
        500,
    ),
    (
        "mediation",
        "小区物业与业主因物业费矛盾较大",
        "已组织三方协商，达成收费和服务改进协议",
        80,
        300,
    ),
)
# Asked for, but not the members' to do: the community rejects them with a reason.
IMPROPER_NEEDS: tuple[tuple[str, str, str], ...] = (
    ("appliance_repair", "新买的空调想找人免费安装", "属于商家售后安装服务，请联系销售商家"),
    ("plumbing_electrical", "单元电梯故障停运", "属于物业维修范围，已转物业公司处理"),
    ("policy", "家里暖气温度不够", "属于供热公司职责，已转供热公司处理"),
    ("elderly_disabled", "想请人帮忙搬家", "不属于志愿服务范围，建议联系搬家公司"),
    ("finance", "想借点钱周转", "不属于服务范围，已告知可申请临时救助"),
    ("legal", "想请党员帮忙代写诉状起诉邻居", "已引导至县公共法律服务中心办理"),
)
SOURCE_WEIGHTS = (("app", 45), ("visit", 22), ("wechat", 12), ("council", 6), ("wish_card", 15))
URGENCY_WEIGHTS = (("normal", 65), ("urgent", 28), ("critical", 7))
PREFERRED_TIMES = ("", "", "越快越好", "周末上午", "工作日晚上7点以后", "本周内", "下午3点以后")
WECHAT_REQUESTERS = ("微信群居民王女士", "微信群居民刘先生", "5号楼张阿姨", "2号楼住户陈先生")
COUNCIL_REQUESTER = "居民议事会"
TEAMS = ("社区民生攻坚组", "老旧小区改造攻坚组", "环境整治攻坚组", "矛盾化解攻坚组")

GOOD_COMMENTS = (
    "非常满意，党员同志很热心！",
    "上门很及时，问题彻底解决了，感谢！",
    "服务周到，老人很高兴",
    "耐心细致，给社区党员点赞",
    "解决了我们家的大难题，谢谢",
    "",
)
FAIR_COMMENTS = ("挺好的，就是来得稍晚了一点", "问题解决了，态度很好", "基本满意，希望以后多来看看")
LOW_COMMENTS = (
    ("修完第二天又坏了", "no"),
    ("约好的时间没来，打电话才上门", "partly"),
    ("只讲了政策，实际问题没解决", "partly"),
    ("问题还是没解决", "no"),
)
REDONE_COMMENTS = ("返修后彻底好了，很满意", "第二次来处理得很好，谢谢", "这次解决了，辛苦了")
DECLINE_REASONS = (
    "本周单位值班，无法按时上门",
    "出差在外，建议派给其他党员",
    "对这方面不熟悉，建议派给专业党员",
)
CANCEL_REASONS = ("已自行解决", "家人已帮忙处理好了", "物业已经修好了", "暂时不需要了")
APPLY_NOTES = ("", "", "我就住在附近，可以随时上门", "这方面我比较熟悉", "周末有时间")
FOLLOW_UPS = (
    ("phone", "电话核实：党员因单位值班推迟上门，已约定本周六上午完成"),
    ("phone", "电话联系居民，需求仍需办理，已督促党员尽快上门"),
    ("joint_meeting", "联席会议督办：协调结对单位派专业人员协助，限期一周内完成"),
)
LOW_DECISIONS = {
    "return_to_member": "请原党员再次上门，彻底解决问题",
    "return_to_pool": "重新派单给更熟悉这方面的党员",
}
LOW_CLOSINGS = (
    ("经核实已按约定完成服务，居民另有诉求已转相关部门", True),
    ("居民诉求超出志愿服务范围，已做好解释工作", False),
)

# Group activities: the titles of each kind, where they are held.
ACTIVITY_TITLES: dict[str, tuple[str, ...]] = {
    "red_service_day": (
        "红色服务日·义诊进社区",
        "红色服务日·环境卫生大扫除",
        "红色服务日·防诈骗宣传进小区",
        "红色服务日·便民维修服务",
        "红色服务日·冬季安全用电检查",
    ),
    "theme_month": (
        "“关爱一老一小”主题服务月集中服务",
        "“法治进社区”主题服务月普法宣传",
        "“文明城市创建”主题服务月志愿服务",
    ),
    "task_force": (
        "老旧小区改造攻坚组入户征求意见",
        "背街小巷环境整治攻坚",
        "加装电梯意见征集攻坚组走访",
    ),
}
ACTIVITY_PLACES = ("党群服务中心", "文化广场", "社区活动室")

# The fates of the needs: what share of them ends which way. The first few are given
# one need each even in a small demo (in this order), so every state is there.
FATE_SHARES: dict[str, float] = {
    "satisfied_direct": 0.22,
    "satisfied_applied": 0.22,
    "satisfied_declined": 0.03,
    "low_return_member": 0.03,
    "low_return_pool": 0.02,
    "low_closed": 0.03,
    "unrated": 0.05,
    "unclaimed_unit": 0.03,
    "unclaimed_team": 0.03,
    "overdue": 0.04,
    "cancelled": 0.05,
    "rejected": 0.03,
    "open_posted_applied": 0.03,
    "open_posted_fresh": 0.02,
    "open_dispatched": 0.015,
    "open_in_progress": 0.03,
    "open_claimed": 0.015,
    "open_low_rated": 0.01,
    "open_unclaimed": 0.01,
    "open_assigned": 0.01,
    "open_overdue": 0.015,
}
MATCHED_PER_COMMUNITY = 2  # needs adopted at the monthly matching meeting
CORE_FATES = (
    "satisfied_applied",
    "unclaimed_unit",
    "cancelled",
    "open_in_progress",
    "satisfied_direct",
    "rejected",
    "unrated",
    "open_posted_applied",
    "low_return_member",
    "overdue",
    "open_claimed",
    "unclaimed_team",
)
# Hours before the end of the story at which an open need's latest step happens.
OPEN_ANCHORS: dict[str, tuple[float, float]] = {
    "open_posted_applied": (3, 40),
    "open_posted_fresh": (1, 40),
    "open_dispatched": (1, 30),
    "open_in_progress": (1, 40),
    "open_claimed": (1, 18),
    "open_low_rated": (1, 30),
    "open_unclaimed": (2, 40),
    "open_assigned": (2, 60),
    "open_overdue": (2, 60),
}
# When a fate needs more members than there are (a small demo, early days): try these.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "satisfied_declined": ("satisfied_direct",),
    "low_return_pool": ("low_return_member",),
    "unclaimed_unit": ("unclaimed_team",),
}


def _photo_id(*parts: object) -> str:
    """A fake, deterministic photo id. The service only takes SHA-256 ids; the HTTP layer
    checks the photo's bytes were uploaded, the domain does not, so the demo's photos
    have ids and no bytes (their thumbnails do not load)."""
    return hashlib.sha256(("demo-photo-" + "-".join(map(str, parts))).encode()).hexdigest()


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, dtime(hour, minute), CST).astimezone(UTC)


def _daytime(when: datetime, jitter_minutes: float, first: int = 8, last: int = 20) -> datetime:
    """`when`, or the next morning if it falls outside working hours (Beijing time)."""
    local = when.astimezone(CST)
    if first <= local.hour < last:
        return when
    day = local.date() if local.hour < first else local.date() + timedelta(days=1)
    return _local(day, first) + timedelta(minutes=jitter_minutes)


def _near(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[str, str]:
    lat = centre[0] + rng.uniform(-spread, spread)
    lon = centre[1] + rng.uniform(-spread, spread) * 1.2
    return f"{lat:.6f}", f"{lon:.6f}"


@dataclass
class _Step:
    when: datetime
    op: str
    member: int | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class _ResidentPlan:
    community: int
    name: str
    phone: str  # empty: registered by a grid worker
    address: str
    grid: str
    registered_at: datetime


@dataclass
class _NeedPlan:
    community: int
    index: int
    fate: str
    category: str
    content: str
    done_note: str
    urgency: str
    people: int
    source: str
    grid: str
    location: tuple[str, str] | None
    preferred_time: str
    photos: tuple[str, ...]
    reject_reason: str = ""
    resident: int | None = None  # index into the story's residents
    requester_name: str = ""
    posted_at: datetime | None = None
    steps: list[_Step] = field(default_factory=list)
    matched_member: int | None = None  # adopted at the matching meeting

    @property
    def poster(self) -> str:
        """Who posts it: the resident in the app, a grid worker, or the community (议事会)."""
        return {"app": "resident", "council": "admin"}.get(self.source, "grid")


@dataclass
class _ActivityPlan:
    community: int
    kind: str
    title: str
    place: str
    location: tuple[str, str]
    planned_at: datetime
    starts_at: datetime
    ends_at: datetime
    attendees: list[tuple[int, datetime, datetime | None, tuple[str, str]]]
    confirm_at: datetime | None


@dataclass
class _MatchingPlan:
    community: int
    when: datetime
    month: str
    needs: list[int] = field(default_factory=list)  # indexes into the story's needs


@dataclass
class _Story:
    residents: list[_ResidentPlan] = field(default_factory=list)
    needs: list[_NeedPlan] = field(default_factory=list)
    activities: list[_ActivityPlan] = field(default_factory=list)
    matchings: list[_MatchingPlan] = field(default_factory=list)


class _NoMember(Exception):
    """No approved member of the community fits at that moment."""


class _Staff:
    """Who in the field may do what, when: approved members by community (with the time
    they were approved), and how many needs each has been given so far."""

    def __init__(self, plan: _Plan, start: datetime) -> None:
        self.plan = plan
        self.approved_at: dict[int, datetime] = {}
        self.by_community: list[list[int]] = [[] for _ in COMMUNITIES]
        for i, m in enumerate(plan.members):
            if m.outcome == "approved":
                self.approved_at[i] = start + m.reviewed_at
                self.by_community[m.community].append(i)
        self.load: Counter[int] = Counter()
        self.skills_known: dict[int, datetime] = {
            i: start + m.profile_at for i, m in enumerate(plan.members) if "skills" in m.parts
        }

    def available(
        self, c: int, when: datetime, unit: int | None = None, exclude: tuple[int, ...] = ()
    ) -> list[int]:
        return [
            i
            for i in self.by_community[c]
            if self.approved_at[i] + timedelta(minutes=10) <= when
            and i not in exclude
            and (unit is None or self.plan.members[i].unit == unit)
        ]

    def pick(
        self,
        rng: random.Random,
        c: int,
        when: datetime,
        category: str,
        *,
        unit: int | None = None,
        exclude: tuple[int, ...] = (),
    ) -> int:
        """As a community worker picks: those whose skills fit first, the less busy first."""
        pool = self.available(c, when, unit, exclude)
        draw = rng.random()  # drawn whatever the pool, so the stream does not depend on it
        if not pool:
            raise _NoMember
        weights = [
            (4.0 if self.fits(i, category, when) else 1.0) / (1 + self.load[i]) for i in pool
        ]
        total = sum(weights)
        running = 0.0
        for i, weight in zip(pool, weights, strict=True):
            running += weight
            if draw * total < running:
                return i
        return pool[-1]

    def fits(self, i: int, category: str, when: datetime) -> bool:
        known = self.skills_known.get(i)
        return known is not None and known <= when and category in self.plan.members[i].categories


def _unit_fits(u: int, category: str) -> bool:
    unit = UNITS[u]
    return category in unit.extra_categories or any(category in c for _, c in unit.posts)


class _Flow:
    """Lays out one need's steps forward from its posting, with one need's dice."""

    def __init__(
        self, rng: random.Random, staff: _Staff, need: _NeedPlan, unit_ids: list[int]
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.need = need
        self.paired_units = unit_ids
        self.steps: list[_Step] = []
        self.horizon: datetime | None = None
        self.served: list[int] = []
        self.photos = 0

    def after(self, when: datetime, low: float, high: float) -> datetime:
        """Some hours later, in working hours."""
        later = when + timedelta(hours=self.rng.uniform(low, high))
        return _daytime(later, self.rng.uniform(0, 90)).replace(microsecond=0)

    def step(self, when: datetime, op: str, member: int | None = None, **args: Any) -> datetime:
        self.steps.append(_Step(when, op, member, args))
        self.expect(when)
        return when

    def expect(self, when: datetime) -> None:
        """Something happens then (a step, or the sweep acting on a passed deadline)."""
        self.horizon = when if self.horizon is None else max(self.horizon, when)

    def pick(
        self, when: datetime, *, unit: int | None = None, exclude: tuple[int, ...] = ()
    ) -> int:
        member = self.staff.pick(
            self.rng, self.need.community, when, self.need.category, unit=unit, exclude=exclude
        )
        self.served.append(member)
        return member

    # -- building blocks ---------------------------------------------------------------

    def dispatched(self, posted: datetime, how: str) -> tuple[int, datetime]:
        """From posting to a dispatched member: directly, after applications, or after
        the first member declined."""
        if how == "applied":
            times = sorted(self.after(posted, 0.2, 30) for _ in range(self.rng.randint(1, 3)))
            applicants: list[int] = []
            for when in times:
                try:
                    member = self.pick(when, exclude=tuple(applicants))
                except _NoMember:
                    if applicants:
                        continue
                    raise
                applicants.append(member)
                self.step(when, "apply", member, note=self.rng.choice(APPLY_NOTES))
            chosen = applicants[self.rng.randrange(len(applicants))]
            when = self.after(times[-1], 0.5, 20)
            return chosen, self.step(when, "dispatch", chosen)
        when = self.after(posted, 0.5, 30)
        member = self.pick(when)
        self.step(when, "dispatch", member)
        if how == "declined":
            declined = self.after(when, 1, 12)
            self.step(declined, "decline", member, reason=self.rng.choice(DECLINE_REASONS))
            when = self.after(declined, 0.5, 12)
            member = self.pick(when, exclude=(member,))
            self.step(when, "dispatch", member)
        return member, when

    def work(
        self,
        member: int,
        when: datetime,
        *,
        accept: bool = True,
        gap: tuple[float, float] = (2, 40),
        upto: str = "claim",
    ) -> datetime:
        """Accept, go there (check in), photos before and after, claim the hours."""
        if accept:
            when = self.step(self.after(when, 0.2, 8), "accept", member)
            if upto == "accept":
                return when
        arrived = self.step(self.after(when, *gap), "check_in", member, point=self.check_in_point())
        before = arrived + timedelta(minutes=self.rng.randint(2, 8))
        self.step(before, "photo", member, kind="before", sha256=self.photo())
        if upto == "check_in":
            return before
        hours = self.rng.choice(SERVICE_HOURS.get(self.need.category, DEFAULT_SERVICE_HOURS))
        done = arrived + timedelta(hours=float(hours))
        self.step(done, "photo", member, kind="after", sha256=self.photo())
        claimed = done + timedelta(minutes=self.rng.randint(3, 40))
        return self.step(claimed, "claim", member, hours=hours, note=self.need.done_note)

    def photo(self) -> str:
        self.photos += 1
        return _photo_id(self.need.community, self.need.index, self.photos)

    def check_in_point(self) -> tuple[str, str]:
        centre = CENTRES[self.need.community]
        if self.need.location is not None:
            centre = (float(self.need.location[0]), float(self.need.location[1]))
        far = self.rng.random() < 0.04  # now and then someone checks in from far away
        return _near(self.rng, centre, 0.008 if far else 0.0006)

    def rate(self, claimed: datetime, stars: int, comment: str, solved: str) -> datetime:
        when = self.after(claimed, 0.3, 12)
        if when >= claimed + timedelta(hours=23, minutes=50):  # never after the window
            when = claimed + timedelta(hours=self.rng.uniform(0.3, 12))
        return self.step(
            when.replace(microsecond=0), "rate", stars=stars, comment=comment, solved=solved
        )

    def rate_well(self, claimed: datetime, redone: bool = False) -> datetime:
        roll = self.rng.random()
        if redone:
            return self.rate(
                claimed, 5 if roll < 0.6 else 4, self.rng.choice(REDONE_COMMENTS), "yes"
            )
        if roll < 0.68:
            return self.rate(claimed, 5, self.rng.choice(GOOD_COMMENTS), "yes")
        if roll < 0.93:
            return self.rate(claimed, 4, self.rng.choice(FAIR_COMMENTS), "yes")
        return self.rate(claimed, 3, "问题解决了一部分，还需要再跟进", "partly")

    def rate_low(self, claimed: datetime) -> datetime:
        comment, solved = self.rng.choice(LOW_COMMENTS)
        return self.rate(claimed, self.rng.choice((1, 2, 2)), comment, solved)

    def unclaimed(self, posted: datetime) -> datetime:
        """Nobody applies: the sweep marks it unclaimed; the next joint meeting decides."""
        self.expect(posted + timedelta(days=3) + SWEEP_LAG)
        return self.after(posted + timedelta(days=3), 20, 96)

    def joint_meeting(self, when: datetime, to_unit: bool) -> tuple[int, datetime]:
        """The 大党委 / 党建联席会议 gives it to a paired unit (whose admin then picks a member
        of theirs who serves here) or to a team (the community then dispatches)."""
        dispatch_at = self.after(when, 2, 30)
        units = list(self.paired_units)
        self.rng.shuffle(units)
        units.sort(key=lambda u: not _unit_fits(u, self.need.category))  # fitting ones first
        if to_unit:
            for u in units:
                if self.staff.available(self.need.community, dispatch_at, unit=u):
                    self.step(
                        when,
                        "joint_meeting",
                        kind="unit",
                        unit=u,
                        note=f"党建联席会议研究，交{UNITS[u].name}牵头办理",
                    )
                    member = self.pick(dispatch_at, unit=u)
                    return member, self.step(dispatch_at, "dispatch", member, by_unit=u)
            raise _NoMember
        team = self.rng.choice(TEAMS)
        self.step(
            when, "joint_meeting", kind="team", team=team, note=f"大党委会议研究，交{team}统筹办理"
        )
        member = self.pick(dispatch_at)
        return member, self.step(dispatch_at, "dispatch", member)


def _build_need(flow: _Flow, fate: str, posted: datetime, meeting: datetime | None) -> None:
    """The steps of one need of this fate, posted then; raises _NoMember if it cannot be."""
    f, rng = flow, flow.rng
    f.step(posted, "post")
    how = rng.choice(("direct", "applied"))
    if fate.startswith("satisfied") or fate in ("unrated", "low_return_member", "low_closed"):
        mode = {"satisfied_direct": "direct", "satisfied_applied": "applied"}.get(fate, how)
        member, when = f.dispatched(posted, "declined" if fate == "satisfied_declined" else mode)
        claimed = f.work(member, when)
        if fate == "unrated":
            f.expect(claimed + timedelta(hours=24) + SWEEP_LAG)  # the sweep closes it
            return
        if fate.startswith("satisfied"):
            f.rate_well(claimed)
            return
        rated = f.rate_low(claimed)
        decided = f.after(rated, 1, 24)
        if fate == "low_closed":
            reason, credit = rng.choice(LOW_CLOSINGS)
            f.step(decided, "low_rating", decision="close", reason=reason, credit=credit)
            return
        reason = LOW_DECISIONS["return_to_member"]
        f.step(decided, "low_rating", decision="return_to_member", reason=reason)
        f.rate_well(f.work(member, decided), redone=True)
    elif fate == "low_return_pool":
        member, when = f.dispatched(posted, how)
        rated = f.rate_low(f.work(member, when))
        decided = f.after(rated, 1, 24)
        f.step(
            decided, "low_rating", decision="return_to_pool", reason=LOW_DECISIONS["return_to_pool"]
        )
        applied = f.after(decided, 0.5, 20)
        other = f.pick(applied, exclude=(member,))
        f.step(applied, "apply", other, note="这方面我比较熟悉，我来")
        dispatched = f.step(f.after(applied, 0.5, 12), "dispatch", other)
        f.rate_well(f.work(other, dispatched), redone=True)
    elif fate == "matched":
        assert meeting is not None
        member = f.pick(meeting)
        flow.need.matched_member = member
        f.expect(meeting)
        f.rate_well(f.work(member, meeting))
    elif fate in ("unclaimed_unit", "unclaimed_team", "open_unclaimed", "open_assigned"):
        meeting_at = f.unclaimed(posted)
        if fate == "open_unclaimed":
            return
        if fate == "open_assigned":
            team = rng.choice(TEAMS)
            note = f"大党委会议研究，交{team}统筹办理"
            f.step(meeting_at, "joint_meeting", kind="team", team=team, note=note)
            return
        member, when = f.joint_meeting(meeting_at, to_unit=fate == "unclaimed_unit")
        f.rate_well(f.work(member, when))
    elif fate in ("overdue", "open_overdue"):
        member, when = f.dispatched(posted, "direct")
        accepted = f.work(member, when, upto="accept")
        f.expect(when + timedelta(days=14) + SWEEP_LAG)  # the sweep marks it overdue
        method, outcome = rng.choice(FOLLOW_UPS)
        followed = f.after(when + timedelta(days=14), 3, 30)
        f.step(followed, "follow_up", method=method, outcome=outcome)
        if fate == "overdue":
            assert accepted < followed
            f.rate_well(f.work(member, followed, accept=False, gap=(12, 96)))
    elif fate == "cancelled":
        roll = rng.random()
        when = f.after(posted, 1, 40)
        if roll < 0.25:
            member = f.pick(when)
            f.step(when, "apply", member, note=rng.choice(APPLY_NOTES))
            when = f.after(when, 1, 20)
        elif roll < 0.4:
            member = f.pick(when)
            f.step(when, "dispatch", member)
            when = f.after(when, 1, 20)
        f.step(when, "cancel", reason=rng.choice(CANCEL_REASONS))
    elif fate == "cancelled_plain":
        f.step(f.after(posted, 1, 40), "cancel", reason=rng.choice(CANCEL_REASONS))
    elif fate == "rejected":
        f.step(f.after(posted, 1, 20), "reject", reason=flow.need.reject_reason)
    elif fate == "open_posted_applied":
        when = f.after(posted, 0.2, 20)
        member = f.pick(when)
        f.step(when, "apply", member, note=rng.choice(APPLY_NOTES))
        if rng.random() < 0.5:
            with contextlib.suppress(_NoMember):
                when = f.after(when, 0.2, 10)
                f.step(when, "apply", f.pick(when, exclude=(member,)), note="")
    elif fate == "open_dispatched":
        f.dispatched(posted, how)
    elif fate == "open_in_progress":
        member, when = f.dispatched(posted, how)
        f.work(member, when, upto=rng.choice(("accept", "check_in")))
    elif fate == "open_claimed":
        member, when = f.dispatched(posted, how)
        f.work(member, when)
    elif fate == "open_low_rated":
        member, when = f.dispatched(posted, how)
        f.rate_low(f.work(member, when))
    elif fate != "open_posted_fresh":
        raise ValueError(f"unknown fate {fate}")


def _fates(rng: random.Random, n: int) -> list[str]:
    """The fates of a community's n needs: the matched ones, one of each core fate, the
    rest by (this community's) share, largest remainder first; in a shuffled order."""
    chosen = (["matched"] * MATCHED_PER_COMMUNITY + list(CORE_FATES))[:n]
    rest = n - len(chosen)
    have = Counter(chosen)
    # Each community has its own mix: the shares vary by up to a half either way.
    want = {
        f: max(0.0, share * rng.uniform(0.5, 1.5) * n - have[f]) for f, share in FATE_SHARES.items()
    }
    total = sum(want.values()) or 1.0
    quotas = {f: w / total * rest for f, w in want.items()}
    counts = {f: math.floor(q) for f, q in quotas.items()}
    left = rest - sum(counts.values())
    for f in sorted(quotas, key=lambda f: quotas[f] - counts[f], reverse=True)[:left]:
        counts[f] += 1
    fates = chosen + [f for f, k in counts.items() for _ in range(k)]
    rng.shuffle(fates)
    return fates


def _phone(rng: random.Random, taken: set[str]) -> str:
    phone = ""
    while not phone or phone in taken:
        phone = rng.choice(RESIDENT_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    taken.add(phone)
    return phone


def _person(rng: random.Random, taken: set[str]) -> str:
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    name = ""
    while not name or name in taken:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choices(surnames, weights)[0] + given
    taken.add(name)
    return name


def _address(rng: random.Random, c: int) -> str:
    street = rng.choice(STREETS[c])
    unit, floor, room = rng.randint(1, 4), rng.randint(1, 6), rng.randint(1, 2)
    if street.endswith(("路", "街")):
        return f"{street}{rng.randint(1, 120)}号{unit}单元{floor}0{room}"
    return f"{street}{rng.randint(1, 16)}号楼{unit}单元{floor}0{room}"


def _plan_story(
    seed: int,
    plan: _Plan,
    start: datetime,
    end: datetime,
    residents_per_community: int,
    needs_per_community: int,
) -> _Story:
    """The residents, the needs and their fates, the activities and the matching meetings.

    The contents (who lives where, what they ask for, how it ends) come from the seed
    alone; when each thing happens is laid out against the calendar between `start` and
    `end` (working hours, the first days of a month), each need with its own dice, so
    the calendar never changes what is asked for.
    """
    content = random.Random(f"sishuang-demo-story-{seed}")
    story = _Story()
    staff = _Staff(plan, start)
    first_day = start.astimezone(CST).date()

    # 群众: most register in the first fortnight after the community promotes the app.
    names = {m.name for m in plan.members}
    phones = {m.phone for m in plan.members}
    for c in range(len(COMMUNITIES)):
        for _ in range(residents_per_community):
            name = _person(content, names)
            elderly = content.random() < ELDERLY_SHARE
            phone = "" if elderly else _phone(content, phones)
            day = content.uniform(3, 14) if content.random() < 0.6 else content.uniform(14, 64)
            at = _daytime(start + timedelta(days=day), content.uniform(0, 90), 8, 19)
            grid = content.choice(plan.grids[c])
            story.residents.append(
                _ResidentPlan(c, name, phone, _address(content, c), grid, at.replace(microsecond=0))
            )

    # The monthly matching meeting of the first month that starts after members settle.
    meetings: list[datetime] = []
    for c in range(len(COMMUNITIES)):
        first_of_month = first_day + timedelta(days=25)
        while first_of_month.day != 1:
            first_of_month += timedelta(days=1)
        when = _local(first_of_month + timedelta(days=content.randint(1, 3)), 9, 30)
        meetings.append(when)
        story.matchings.append(_MatchingPlan(c, when, when.astimezone(CST).strftime("%Y-%m")))

    # Needs: first what each is and how it ends (from the seed), then when (the calendar).
    categories = list(CATEGORY_WEIGHTS)
    category_weights = list(CATEGORY_WEIGHTS.values())
    sources = [s for s, _ in SOURCE_WEIGHTS]
    source_weights = [w for _, w in SOURCE_WEIGHTS]
    urgencies = [u for u, _ in URGENCY_WEIGHTS]
    urgency_weights = [w for _, w in URGENCY_WEIGHTS]
    for c in range(len(COMMUNITIES)):
        for i, fate in enumerate(_fates(content, needs_per_community)):
            source = content.choices(sources, source_weights)[0]
            hard, reason = False, ""
            if fate == "rejected":
                category, text, reason = content.choice(IMPROPER_NEEDS)
                done, low, high = "", 1, 3
                source = content.choice(("app", "app", "wechat"))
            elif fate.startswith(("unclaimed", "open_unclaimed", "open_assigned")) or (
                source == "council"
            ):
                category, text, done, low, high = content.choice(HARD_NEEDS)
                hard = True
                source = content.choice(("council", "council", "visit"))
            elif source == "wish_card":
                category, text, done = content.choice(WISHES)
                low = high = 1
            else:
                category = content.choices(categories, category_weights)[0]
                text, done, low, high = content.choice(NEEDS[category])
            urgency = content.choices(urgencies, urgency_weights)[0]
            if hard and urgency == "normal" and content.random() < 0.5:
                urgency = "urgent"
            location = None
            if content.random() < (0.35 if source == "wish_card" else 0.6):
                location = _near(content, CENTRES[c], 0.004)
            photos: tuple[str, ...] = ()
            if source == "app" and content.random() < 0.3:
                photos = (_photo_id(c, i, 0),)
            story.needs.append(
                _NeedPlan(
                    community=c,
                    index=i,
                    fate=fate,
                    category=category,
                    content=text,
                    done_note=done,
                    urgency=urgency,
                    people=content.randint(low, high),
                    source=source,
                    grid=content.choice(plan.grids[c]),
                    location=location,
                    preferred_time=content.choice(PREFERRED_TIMES),
                    photos=photos,
                    reject_reason=reason,
                    requester_name=content.choice(
                        (COUNCIL_REQUESTER,)
                        if source == "council"
                        else WECHAT_REQUESTERS
                        if source == "wechat"
                        else CHILD_REQUESTERS
                        if category in ("childcare", "education")
                        else ELDERLY_REQUESTERS
                        if category in FOR_THE_ELDERLY or source == "wish_card"
                        else HOUSEHOLD_REQUESTERS
                    ),
                )
            )

    for n, need in enumerate(story.needs):
        _place_need(seed, need, staff, plan, start, end, meetings[need.community])
        _choose_requester(seed, need, story)
        if need.matched_member is not None:
            story.matchings[need.community].needs.append(n)

    for c in range(len(COMMUNITIES)):
        _plan_activities(seed, c, story, staff, plan, start, end)
    return story


def _fits(fate: str, flow: _Flow, end: datetime) -> bool:
    """Whether the laid-out need is, at the end, where its fate leaves it: everything
    (steps, and what the sweep does) by then, and no deadline passed that would change
    an open need's state (an unrated claim, an unclaimed post)."""
    if flow.horizon is None or flow.horizon > end - SWEEP_LAG:
        return False
    last = flow.steps[-1].when
    if fate == "open_claimed":
        return last > end - timedelta(hours=23, minutes=50)
    if fate == "open_posted_fresh":
        return last > end - timedelta(hours=71)
    if fate in ("open_dispatched", "open_in_progress", "open_assigned"):
        return last > end - timedelta(days=13)
    return True


def _place_need(
    seed: int,
    need: _NeedPlan,
    staff: _Staff,
    plan: _Plan,
    start: datetime,
    end: datetime,
    meeting: datetime,
) -> None:
    """Choose when the need is posted so that its story fits in (start, end]: closed ones
    anywhere from day NEEDS_FROM_DAY on, open ones so that they are where their fate
    leaves them at the end. Falls back to a fate with fewer members if need be."""
    key = f"{seed}/{need.community}/{need.index}"
    dice = random.Random(key + "/when")
    spot, margin, jitter = dice.random(), dice.uniform(2, 48), dice.uniform(0, 120)
    anchor_low, anchor_high = OPEN_ANCHORS.get(need.fate, (1, 2))
    anchor = end - timedelta(hours=dice.uniform(anchor_low, anchor_high))
    paired = [u for u, communities in enumerate(plan.pairings) if need.community in communities]
    earliest = start + timedelta(days=NEEDS_FROM_DAY)
    if need.fate in ("rejected", "cancelled", "open_posted_fresh"):
        earliest = start + timedelta(days=5)
    fates = (need.fate, *FALLBACKS.get(need.fate, ()))
    fates += ("open_posted_fresh",) if need.fate.startswith("open") else ("cancelled_plain",)

    def lay_out(fate: str, posted: datetime) -> _Flow | None:
        """The need's steps if posted then (None: no member fits)."""
        posted = _daytime(posted, jitter, 7, 21).replace(microsecond=0)
        flow = _Flow(random.Random(key), staff, need, paired)
        need.matched_member = None
        try:
            _build_need(flow, fate, posted, meeting if fate == "matched" else None)
        except _NoMember:
            return None
        return flow

    def place(fate: str) -> _Flow | None:
        if fate == "matched":
            flow = lay_out(fate, meeting - timedelta(hours=dice.uniform(20, 44)))
            if flow is None or not _fits(fate, flow, end):
                return None
            return flow if flow.steps[0].when < meeting - timedelta(hours=1) else None
        # Aim the latest step at the anchor (open) or anywhere before the end (closed);
        # working hours make the aim jumpy, so failing that, scan back hour by hour.
        is_open = fate.startswith("open")
        posted = anchor - timedelta(days=3) if is_open else earliest + spot * (end - earliest)
        found: _Flow | None = None
        for _ in range(8):
            flow = lay_out(fate, posted)
            if flow is None:  # too early for enough members: later
                posted += timedelta(days=2)
                if posted > end:
                    break
                continue
            if _fits(fate, flow, end):
                found = flow
            assert flow.horizon is not None
            target = anchor if is_open else min(flow.horizon, end - timedelta(hours=margin))
            shift = flow.horizon - target
            if abs(shift) < timedelta(minutes=5):
                break
            posted = max(posted - shift, earliest)
        if found is not None:
            return found
        posted = end - timedelta(hours=1)
        while posted >= earliest:
            flow = lay_out(fate, posted)
            if flow is not None and _fits(fate, flow, end):
                return flow
            posted -= timedelta(hours=1)
        return None

    for fate in fates:
        placed = place(fate)
        if placed is not None:
            break
    assert placed is not None, need  # cancelled_plain and open_posted_fresh need no member
    need.fate = fate
    need.steps = placed.steps
    need.posted_at = placed.steps[0].when
    if fate == "matched":
        need.matched_member = placed.served[0]
    staff.load.update(placed.served)


def _choose_requester(seed: int, need: _NeedPlan, story: _Story) -> None:
    """Who asked: a registered resident where there is one (in the app: one with a phone;
    a grid worker's visit: often an elderly resident without one), else a name."""
    assert need.posted_at is not None
    dice = random.Random(f"{seed}/{need.community}/{need.index}/who")
    roll = dice.random()
    registered = [
        r
        for r, resident in enumerate(story.residents)
        if resident.community == need.community
        and resident.registered_at + timedelta(minutes=30) <= need.posted_at
    ]
    with_phone = [r for r in registered if story.residents[r].phone]
    without = [r for r in registered if not story.residents[r].phone]
    if need.source == "app":
        if with_phone:
            need.resident = with_phone[int(roll * len(with_phone))]
        else:
            need.source = "visit"  # not in the app yet: the grid worker posts it
    elif need.source in ("visit", "wish_card") and roll < 0.6 and (without or registered):
        pool = without or registered
        need.resident = pool[int(roll / 0.6 * len(pool))]
    if need.resident is not None:
        need.grid = story.residents[need.resident].grid


def _plan_activities(
    seed: int, c: int, story: _Story, staff: _Staff, plan: _Plan, start: datetime, end: datetime
) -> None:
    """Two or three past activities on Saturdays with their sign-ins and confirmed lists,
    and one planned for the coming weeks."""
    dice = random.Random(f"{seed}/{c}/activities")
    first_day = start.astimezone(CST).date()
    last_day = end.astimezone(CST).date()
    kinds = [("red_service_day", 26), ("theme_month", 40)]
    if dice.random() < 0.6:
        kinds.append(("task_force", 54))
    used: set[str] = set()
    community = COMMUNITIES[c]
    for kind, from_day in [*kinds, ("red_service_day", -1)]:
        upcoming = from_day < 0
        day = last_day + timedelta(days=3) if upcoming else first_day + timedelta(days=from_day)
        day += timedelta(days=dice.randint(0, 7))
        while day.weekday() != 5:  # Saturday
            day += timedelta(days=1)
        morning = dice.random() < 0.7
        starts = _local(day, 9) if morning else _local(day, 14, 30)
        ends = starts + timedelta(hours=dice.choice((2, 2.5, 3)))
        title = dice.choice([t for t in ACTIVITY_TITLES[kind] if t not in used])
        used.add(title)
        place = community.name + dice.choice(ACTIVITY_PLACES)
        location = _near(dice, CENTRES[c], 0.002)
        planned = _daytime(starts - timedelta(days=dice.uniform(4, 9)), dice.uniform(60, 120))
        if upcoming:
            planned = min(planned, end - timedelta(hours=dice.uniform(1, 20)))
        attendees: list[tuple[int, datetime, datetime | None, tuple[str, str]]] = []
        confirm_at = None
        if not upcoming:
            pool = staff.available(c, planned)
            count = min(len(pool), dice.randint(5, 15))
            for member in sorted(dice.sample(pool, count)):
                signed_in = starts + timedelta(minutes=dice.uniform(-40, 30))
                signed_out: datetime | None = ends + timedelta(minutes=dice.uniform(-30, 20))
                if dice.random() < 0.15:
                    signed_out = None  # forgot: counted to the end
                point = _near(dice, (float(location[0]), float(location[1])), 0.0004)
                attendees.append((member, signed_in.replace(microsecond=0), signed_out, point))
            confirm_at = _daytime(ends + timedelta(hours=dice.uniform(1, 20)), dice.uniform(0, 90))
        story.activities.append(
            _ActivityPlan(
                c,
                kind,
                title,
                place,
                location,
                planned.replace(microsecond=0),
                starts,
                ends,
                attendees,
                confirm_at,
            )
        )


# Steps that start no deadline and stop none (nor change the status, but for accept:
# DISPATCHED -> IN_PROGRESS, the overdue deadline running on): the sweeper's view of
# the order stays as it was.
UNTIMED_STEPS = frozenset({"accept", "check_in", "photo", "follow_up"})


def _next_deadline(order: Order) -> datetime | None:
    """When the sweep would next act on this order (the deadlines domain.order sweeps)."""
    dues: list[datetime] = []
    if order.status is OrderStatus.POSTED and not order.applicants:
        dues.append(order.take_deadline)
    if order.status is OrderStatus.COMPLETION_CLAIMED and order.rate_deadline is not None:
        dues.append(order.rate_deadline)
    if (
        not order.overdue
        and order.status in (OrderStatus.ASSIGNED, OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)
        and order.overdue_deadline is not None
    ):
        dues.append(order.overdue_deadline)
    return min(dues, default=None)


def load_demo(
    app: Sishuang,
    *,
    seed: int = 2026,
    members: int = 300,
    residents_per_community: int = 40,
    needs_per_community: int = 60,
) -> dict[str, Any]:
    """Load the demo county 泽州县 (code ZZ) with ten weeks of history; safe to call twice.

    The history ends at the app clock's time when called ("today") and starts STORY_DAYS
    before. A ManualClock is set back to the start, moved along, and left at today; any
    other clock is replaced by a ManualClock for the load and put back afterwards, so no
    event is dated in the future.

    Returns what this call loaded: the county id and the counts of communities, grids,
    units, pairings, unit reports, members and their review states, residents, needs
    (closed, open), activities. If the county already exists nothing is loaded,
    `already_loaded` is True and the counts are zero.
    """
    if min(members, residents_per_community, needs_per_community) < 0:
        raise ValueError("members, residents and needs must not be negative")
    original = app.clock
    today = original.now().replace(microsecond=0)
    start = today - timedelta(days=STORY_DAYS)
    clock = original if isinstance(original, ManualClock) else ManualClock(start)
    summary: dict[str, Any] = {
        "county_id": "",
        "county": COUNTY_NAME,
        "already_loaded": False,
        "communities": 0,
        "grids": 0,
        "units": 0,
        "pairings": 0,
        "unit_reports": 0,
        "members": 0,
        "approved": 0,
        "reported": 0,
        "pending": 0,
        "rejected": 0,
        "residents": 0,
        "needs": 0,
        "closed": 0,
        "open": 0,
        "activities": 0,
        "partners": 0,
        "catalogue_items": 0,
        "redemptions": 0,
        "community_evaluations": 0,
        "warnings": 0,
        "stars": 0,
        "inspectors": 0,
        "joint_meetings": 0,
        "inspection_plans": 0,
        "inspection_findings": 0,
    }
    try:
        clock.set(start)
        app.clock = clock
        _load(app, clock, summary, seed, members, residents_per_community, needs_per_community)
    finally:
        app.clock = original
        if clock is original:
            clock.set(today)
    return summary


def _load(
    app: Sishuang,
    clock: ManualClock,
    summary: dict[str, Any],
    seed: int,
    members: int,
    residents_per_community: int,
    needs_per_community: int,
) -> None:
    start = clock.now()
    today = start + timedelta(days=STORY_DAYS)
    try:
        county_id = app.register_county(OPERATOR, name=COUNTY_NAME, code=COUNTY_CODE).id
    except Conflict as error:
        if error.code != "duplicate_county":
            raise
        existing = app.county_by_code(COUNTY_CODE)
        summary["county_id"] = str(existing.id) if existing else ""
        summary["already_loaded"] = True
        summary["message"] = f"演示数据（{COUNTY_NAME}）已存在，未重复加载"
        return
    summary["county_id"] = str(county_id)
    org_dept = Actor(Role.ORG_DEPT, ORG_DEPT_SUBJECT, county_id)
    plan = _plan(seed, members)
    story = _plan_story(seed, plan, start, today, residents_per_community, needs_per_community)

    community_ids: list[UUID] = []
    unit_ids: list[UUID] = []
    member_ids: list[UUID | None] = [None] * len(plan.members)
    resident_ids: list[UUID | None] = [None] * len(story.residents)
    order_ids: dict[int, UUID] = {}  # need index -> order id
    activity_ids: dict[int, UUID] = {}
    statuses: dict[UUID, tuple[int, OrderStatus]] = {}  # order -> community, status
    sweeps: dict[UUID, datetime] = {}  # order -> when the sweeper next looks at it

    # Every command at its moment, in time order; ties keep the order they were added in
    # (setup before members, a need's steps in their order). The sweeper adds its own.
    queue: list[tuple[datetime, int, Callable[[], None]]] = []
    added = itertools.count()

    def at_time(when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(queue, (when, next(added), action))

    def at(when: timedelta, action: Callable[[], None]) -> None:
        at_time(start + when, action)

    def admin(c: int) -> Actor:
        return Actor(Role.COMMUNITY_ADMIN, f"{COMMUNITIES[c].name}管理员", community_ids[c])

    def grid_worker(c: int, grid: str) -> Actor:
        name = GRID_WORKERS[(c * len(GRID_NAMES) + plan.grids[c].index(grid)) % len(GRID_WORKERS)]
        return Actor(Role.GRID_WORKER, f"网格员{name}", community_ids[c])

    def member_actor(i: int) -> Actor:
        member_id = member_ids[i]
        assert member_id is not None
        return Actor(Role.MEMBER, str(member_id), member_id)

    def register_community(c: int) -> None:
        spec = COMMUNITIES[c]
        grids = [(code, GRID_NAMES[i]) for i, code in enumerate(plan.grids[c])]
        result = app.register_community(
            org_dept, name=spec.name, code=spec.code, address=spec.address, grids=grids
        )
        community_ids.append(result.id)
        summary["communities"] += 1
        summary["grids"] += len(grids)

    def register_unit(u: int) -> None:
        result = app.register_unit(org_dept, name=UNITS[u].name, member_count=plan.member_counts[u])
        unit_ids.append(result.id)
        summary["units"] += 1

    def pair(u: int, c: int) -> None:
        app.pair_unit(org_dept, unit_ids[u], community_ids[c])
        summary["pairings"] += 1

    def report_unit(u: int, c: int, note: str) -> None:
        unit_admin = Actor(Role.UNIT_ADMIN, f"{UNITS[u].name}管理员", unit_ids[u])
        app.report_unit(unit_admin, unit_ids[u], community_ids[c], note)
        summary["unit_reports"] += 1

    def register_member(i: int) -> None:
        m = plan.members[i]
        result = app.register_member(
            PUBLIC,
            unit_id=unit_ids[m.unit],
            community_id=community_ids[m.community],
            basis=m.basis,
            name=m.name,
            phone=m.phone,
            post=m.post,
            grid_code=m.grid_code,
        )
        member_ids[i] = result.id
        summary["members"] += 1
        if m.outcome == "pending":
            summary["pending"] += 1

    def review_member(i: int) -> None:
        m = plan.members[i]
        member_id = member_ids[i]
        assert member_id is not None
        if m.outcome == "approved":
            app.review_member(admin(m.community), member_id, approve=True, grid_code=m.review_grid)
            summary["approved"] += 1
        else:
            app.review_member(admin(m.community), member_id, approve=False, reason=m.reason)
            summary["rejected"] += 1

    def state_profile(i: int) -> None:
        m = plan.members[i]
        member_id = member_ids[i]
        assert member_id is not None
        app.update_member_profile(
            member_actor(i),
            member_id,
            identity=Identity(m.post, m.show_contact) if "identity" in m.parts else None,
            commitment=Commitment(m.commitment, m.hours) if "commitment" in m.parts else None,
            skills=Skills(m.categories, m.tags) if "skills" in m.parts else None,
            availability=(Availability(m.radius, m.slots) if "availability" in m.parts else None),
        )
        if m.reports:
            summary["reported"] += 1

    def register_resident(r: int) -> None:
        resident = story.residents[r]
        c = resident.community
        actor = grid_worker(c, resident.grid) if not resident.phone else PUBLIC
        resident_ids[r] = app.register_resident(
            actor,
            community_id=community_ids[c],
            name=resident.name,
            phone=resident.phone,
            address=resident.address,
            grid_code=resident.grid,
        ).id
        summary["residents"] += 1

    # -- the needs, and the sweeper that turns their passed deadlines into events --

    def track(order_id: UUID) -> None:
        order = app.order(order_id)
        statuses[order_id] = (statuses[order_id][0], order.status)
        due = _next_deadline(order)
        if due is None:
            sweeps.pop(order_id, None)
            return
        when = max(due, clock.now()) + SWEEP_LAG
        if when <= today and sweeps.get(order_id) != when:
            sweeps[order_id] = when
            at_time(when, partial(sweep, order_id, when))

    def sweep(order_id: UUID, when: datetime) -> None:
        if sweeps.get(order_id) != when:
            return  # the order moved on before its deadline
        del sweeps[order_id]
        app.sweep([order_id])
        track(order_id)

    def requester(need: _NeedPlan) -> Actor:
        c = need.community
        if need.poster == "resident":
            resident_id = resident_ids[need.resident] if need.resident is not None else None
            assert resident_id is not None
            return Actor(Role.RESIDENT, str(resident_id), community_ids[c])
        return admin(c) if need.poster == "admin" else grid_worker(c, need.grid)

    def post(n: int) -> None:
        need = story.needs[n]
        resident_id = resident_ids[need.resident] if need.resident is not None else None
        lat, lon = need.location or (None, None)
        order_id = app.post_need(
            requester(need),
            NeedInput(
                content=need.content,
                category=need.category,
                urgency=need.urgency,
                people_affected=need.people,
                grid_code=need.grid,
                lat=lat,
                lon=lon,
                preferred_time=need.preferred_time,
                photos=need.photos,
                source=None if need.poster == "resident" else need.source,
                resident_id=resident_id,
                requester_name="" if resident_id is not None else need.requester_name,
            ),
        ).id
        order_ids[n] = order_id
        statuses[order_id] = (need.community, OrderStatus.POSTED)
        summary["needs"] += 1
        track(order_id)

    def run(n: int, step: _Step) -> None:
        need = story.needs[n]
        order_id = order_ids[n]
        c = need.community
        member = member_actor(step.member) if step.member is not None else None
        args = step.args
        if step.op == "apply":
            assert member is not None
            app.request_take(member, order_id, args["note"])
        elif step.op == "dispatch":
            assert step.member is not None
            by = admin(c)
            if "by_unit" in args:
                u = args["by_unit"]
                by = Actor(Role.UNIT_ADMIN, f"{UNITS[u].name}管理员", unit_ids[u])
            member_id = member_ids[step.member]
            assert member_id is not None
            app.dispatch(by, order_id, member_id)
        elif step.op == "decline":
            assert member is not None
            app.decline(member, order_id, args["reason"])
        elif step.op == "accept":
            assert member is not None
            app.accept(member, order_id)
        elif step.op == "check_in":
            assert member is not None
            app.check_in(member, order_id, *args["point"])
        elif step.op == "photo":
            assert member is not None
            app.attach_photo(member, order_id, args["sha256"], args["kind"])
        elif step.op == "claim":
            assert member is not None
            app.claim_completion(member, order_id, args["hours"], args["note"])
        elif step.op == "rate":
            rater = requester(need) if need.poster == "resident" else grid_worker(c, need.grid)
            app.rate(
                rater, order_id, stars=args["stars"], comment=args["comment"], solved=args["solved"]
            )
        elif step.op == "low_rating":
            app.decide_low_rating(
                admin(c),
                order_id,
                decision=args["decision"],
                reason=args["reason"],
                credit_hours=args.get("credit", False),
            )
        elif step.op == "joint_meeting":
            if args["kind"] == "unit":
                app.record_joint_meeting(
                    admin(c),
                    order_id,
                    assignee_kind="unit",
                    assignee_id=unit_ids[args["unit"]],
                    note=args["note"],
                )
            else:
                app.record_joint_meeting(
                    admin(c),
                    order_id,
                    assignee_kind="team",
                    assignee_name=args["team"],
                    note=args["note"],
                )
        elif step.op == "follow_up":
            app.follow_up(admin(c), order_id, method=args["method"], outcome=args["outcome"])
        elif step.op == "cancel":
            canceller = requester(need) if need.poster == "resident" else grid_worker(c, need.grid)
            app.cancel_need(canceller, order_id, args["reason"])
        elif step.op == "reject":
            app.reject_need(admin(c), order_id, args["reason"])
        else:
            raise ValueError(f"unknown step {step.op}")
        if step.op == "accept":
            statuses[order_id] = (c, OrderStatus.IN_PROGRESS)
        elif step.op not in UNTIMED_STEPS:
            track(order_id)

    def hold_matching(k: int) -> None:
        matching = story.matchings[k]
        c = matching.community
        adopted: list[tuple[UUID, UUID]] = []
        for n in matching.needs:
            chosen = story.needs[n].matched_member
            member_id = member_ids[chosen] if chosen is not None else None
            if n in order_ids and member_id is not None:
                adopted.append((order_ids[n], member_id))
        open_needs = sum(
            1 for community, status in statuses.values() if community == c and status in OPEN
        )
        app.record_matching(
            admin(c), community_ids[c], month=matching.month, adopted=adopted, open_needs=open_needs
        )
        for order_id, _ in adopted:
            track(order_id)

    # -- activities --

    def plan_activity(a: int) -> None:
        activity = story.activities[a]
        activity_ids[a] = app.plan_activity(
            admin(activity.community),
            community_id=community_ids[activity.community],
            kind=activity.kind,
            title=activity.title,
            place=activity.place,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            lat=activity.location[0],
            lon=activity.location[1],
        ).id
        summary["activities"] += 1

    def sign(a: int, i: int, point: tuple[str, str], out: bool) -> None:
        command = app.sign_out if out else app.sign_in
        command(member_actor(i), activity_ids[a], *point)

    def confirm(a: int) -> None:
        app.confirm_activity(admin(story.activities[a].community), activity_ids[a])

    minute = timedelta(minutes=1)
    setup = timedelta(0)
    for c in range(len(COMMUNITIES)):
        setup += 10 * minute
        at(setup, partial(register_community, c))
    for u in range(len(UNITS)):
        setup += 10 * minute
        at(setup, partial(register_unit, u))
    for u, paired in enumerate(plan.pairings):
        for c in paired:
            setup += 5 * minute
            at(setup, partial(pair, u, c))
    for u, c, note, when in plan.unit_reports:
        at(when, partial(report_unit, u, c, note))
    for i, m in enumerate(plan.members):
        at(m.registered_at, partial(register_member, i))
        if m.outcome != "pending":
            at(m.reviewed_at, partial(review_member, i))
        if m.parts:
            at(m.profile_at, partial(state_profile, i))
    for r, resident in enumerate(story.residents):
        at_time(resident.registered_at, partial(register_resident, r))
    for n, need in enumerate(story.needs):
        for step in need.steps:
            action = partial(post, n) if step.op == "post" else partial(run, n, step)
            at_time(step.when, action)
    for k, matching in enumerate(story.matchings):
        at_time(matching.when, partial(hold_matching, k))
    for a, activity in enumerate(story.activities):
        at_time(activity.planned_at, partial(plan_activity, a))
        for i, signed_in, signed_out, point in activity.attendees:
            at_time(signed_in, partial(sign, a, i, point, False))
            if signed_out is not None:
                at_time(signed_out, partial(sign, a, i, point, True))
        if activity.confirm_at is not None and activity.confirm_at <= today:
            at_time(activity.confirm_at, partial(confirm, a))

    _plan_points_and_evaluation(
        app, at_time, start, today, seed, community_ids, member_ids, org_dept, admin, summary
    )
    _plan_inspections(
        app, at_time, start, today, seed, community_ids, unit_ids, org_dept, admin, summary
    )

    while queue:
        moment, _, next_action = heapq.heappop(queue)
        if moment > today:
            break
        clock.set(moment)
        next_action()
    clock.set(today)

    summary["closed"] = sum(1 for _, s in statuses.values() if s is OrderStatus.CLOSED)
    summary["open"] = sum(1 for _, s in statuses.values() if s in OPEN)
    summary["message"] = (
        f"已加载演示数据：{COUNTY_NAME}，{summary['communities']} 个社区，"
        f"{summary['units']} 个单位，{summary['members']} 名在职党员，"
        f"{summary['residents']} 名居民，{summary['needs']} 条民生需求，"
        f"{summary['activities']} 场活动，{summary['catalogue_items']} 个积分兑换项目，"
        f"{summary['redemptions']} 笔兑换，{summary['community_evaluations']} 份社区季度评价，"
        f"{summary['warnings']} 次预警，{summary['stars']} 颗星，"
        f"{summary['inspection_plans']} 次随机抽查（{summary['inspection_findings']} 条检查结果）"
    )


# -- 积分 and 三级联评 in the demo -------------------------------------------------------------

PARTNERS = (("锦绣物业服务中心", "property_company"), ("爱心超市", "shop"), ("社区食堂", "canteen"))
CATALOGUE = (
    # (partner index, kind, name, price, stock)
    (0, "property_fee", "物业费抵扣 20 元", 200, None),
    (1, "shop", "洗衣液一瓶", 150, 30),
    (1, "shop", "大米 5 公斤", 300, 12),
    (2, "canteen", "爱心午餐一份", 100, 60),
    (1, "gift", "党员志愿服务纪念徽章", 50, 100),
)


COMMENTS = ("积极参与社区服务", "响应及时，群众认可", "按时报到，表现良好")


def _last_quarter(today: date) -> tuple[int, int]:
    """The last quarter that ended before today."""
    quarter = quarter_of(today)
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def _plan_points_and_evaluation(
    app: Sishuang,
    at_time: Callable[[datetime, Callable[[], None]], None],
    start: datetime,
    today: datetime,
    seed: int,
    community_ids: list[UUID],
    member_ids: list[UUID | None],
    org_dept: Actor,
    admin: Callable[[int], Actor],
    summary: dict[str, Any],
) -> None:
    """Partners and catalogues from the first day; the community's evaluation of the
    last finished quarter and 组织部's check of it a week into the next (when that falls
    in the story); redemptions in the last weeks, some confirmed by the partner, one left
    for the partner, one cancelled; and stars for those who meet the criteria."""
    rng = random.Random(seed * 31 + 4)
    partners: dict[int, list[UUID]] = {}
    items: dict[int, list[UUID]] = {}

    def open_shop(c: int) -> None:
        partners[c] = []
        items[c] = []
        for name, kind in PARTNERS:
            partners[c].append(
                app.register_partner(admin(c), community_ids[c], name=name, kind=kind).id
            )
            summary["partners"] += 1
        for p, kind, name, price, stock in CATALOGUE:
            items[c].append(
                app.list_item(
                    admin(c),
                    community_ids[c],
                    partner_id=partners[c][p],
                    kind=kind,
                    name=name,
                    price=price,
                    stock=stock,
                ).id
            )
            summary["catalogue_items"] += 1

    def members_of(c: int) -> list[UUID]:
        out = []
        for member_id in member_ids:
            if member_id is None:
                continue
            member = app.member(member_id)
            if member.community_id == community_ids[c] and member.reported:
                out.append(member_id)
        return out

    year, quarter = _last_quarter(business_date(today))
    quarter_over = datetime.combine(quarter_end(year, quarter), dtime(0), CST) + timedelta(days=1)

    def evaluate(c: int) -> None:
        for member_id in members_of(c):
            app.evaluate_member(
                admin(c),
                member_id,
                year=year,
                quarter=quarter,
                results=rng.randint(70, 95),
                feedback=rng.randint(75, 100),
                assessment=rng.randint(70, 98),
                comment=rng.choice(
                    ("积极参与社区服务", "响应及时，群众认可", "按时报到，表现良好")
                ),
            )
            summary["community_evaluations"] += 1

    def check() -> None:
        ids = [m for m in member_ids if m is not None]
        counts = app.check_standards(org_dept, year=year, quarter=quarter, member_ids=ids)
        summary["warnings"] += counts["yellow"] + counts["red"]

    def redeem(c: int) -> None:
        for member_id in members_of(c):
            account = app.points_account(member_id)
            if account is None or account.balance < 100:
                continue
            member = Actor(Role.MEMBER, str(member_id), member_id)
            affordable = [
                i for i in items[c] if app.item(i).price <= account.balance and app.item(i).active
            ]
            if not affordable or rng.random() < 0.4:
                continue
            item_id = rng.choice(affordable)
            with contextlib.suppress(Conflict):
                result = app.redeem(member, member_id, item_id)
                summary["redemptions"] += 1
                fate = rng.random()
                item = app.item(item_id)
                partner = Actor(Role.PARTNER, "收银台", item.partner_id)
                if fate < 0.75:
                    app.confirm_redemption(partner, item.partner_id, result.details["code"])
                elif fate < 0.85:
                    app.cancel_redemption(member, result.id, "改天再来兑换")

    def award(c: int) -> None:
        for member_id in members_of(c):
            for star in ("caring", "pioneer", "tackling", "community_service"):
                with contextlib.suppress(Conflict):
                    app.award_star(admin(c), member_id, star=star, year=today.year)
                    summary["stars"] += 1

    for c in range(len(COMMUNITIES)):
        at_time(start + timedelta(hours=6, minutes=c), partial(open_shop, c))
        if start < quarter_over + timedelta(days=3) and quarter_over + timedelta(days=7) < today:
            at_time(quarter_over + timedelta(days=3, hours=2, minutes=c), partial(evaluate, c))
        at_time(today - timedelta(days=10, hours=c), partial(redeem, c))
        at_time(today - timedelta(days=2, hours=c), partial(award, c))
    if start < quarter_over and quarter_over + timedelta(days=7) < today:
        at_time(quarter_over + timedelta(days=7, hours=3), check)


# -- 两随机一公开 in the demo -------------------------------------------------------------------

INSPECTORS = (
    # (name, unit index in UNITS or None, unit name when not a demo unit, home community)
    ("高建军", None, "泽州县纪委监委", None),
    ("常丽萍", None, "泽州县委巡察办", "JX"),
    ("牛志刚", None, "泽州县委组织部", None),
    ("秦晓燕", 0, "", "XR"),
    ("冯国华", 1, "", None),
    ("段文静", None, "泽州县委宣传部", "BG"),
    ("卫红梅", None, "泽州县民政局", None),
    ("焦永强", None, "泽州县委督查室", "ZZH"),
)
LOTTERY_PATTERN = r"\d{2}( \d{2}){5} \+ \d{2}"  # 双色球: six red balls + one blue


def _plan_inspections(
    app: Sishuang,
    at_time: Callable[[datetime, Callable[[], None]], None],
    start: datetime,
    today: datetime,
    seed: int,
    community_ids: list[UUID],
    unit_ids: list[UUID],
    org_dept: Actor,
    admin: Callable[[int], Actor],
    summary: dict[str, Any],
) -> None:
    """The supervision team's quarter: the roster on day one; each community's 党建联席会议
    on the calendar; a revisit of closed orders drawn three weeks ago with its findings
    (one order found false) and results published; an earlier plan voided with its
    reason; a unit-pairing check seeded by a public value whose results are still not
    published (its deadline passed: shown as overdue); and an unannounced sit-in drawn
    yesterday, public only as its commitment until the visits are done."""
    rng = random.Random(seed * 37 + 6)
    inspector_ids: list[UUID] = []
    plans: dict[str, UUID] = {}

    def parties() -> list[Actor]:
        """The seed's two parties: 组织部's witness and the team leader (高建军)."""
        return [org_dept, inspector(str(inspector_ids[0]))]

    def salt(party: Actor) -> str:
        return hashlib.sha256(f"{seed}-{party.ref}".encode()).hexdigest()

    codes = [c.code for c in COMMUNITIES]

    def register_inspectors() -> None:
        for name, unit, unit_name, home in INSPECTORS:
            inspector_ids.append(
                app.register_inspector(
                    org_dept,
                    name=name,
                    unit_id=None if unit is None else unit_ids[unit],
                    unit_name=unit_name,
                    home_community_id=None if home is None else community_ids[codes.index(home)],
                ).id
            )
            summary["inspectors"] += 1

    def schedule_meetings(c: int) -> None:
        for weeks in (2, 6, 10, 11, 12):
            held_on = business_date(start) + timedelta(weeks=weeks, days=c)
            if held_on < business_date(app.clock.now()):
                continue
            app.schedule_meeting(
                admin(c),
                community_ids[c],
                held_on=held_on,
                topic=rng.choice(
                    ("民生需求研判", "大党委季度例会", "供需对接复盘", "共驻共建项目推进")
                ),
                place=f"{COMMUNITIES[c].name}党群服务中心二楼会议室",
            )
            summary["joint_meetings"] += 1

    def publish(key: str, **kw: Any) -> None:
        if kw.get("seed_method", "commit_reveal") == "commit_reveal":
            kw["parties"] = [p.ref for p in parties()]
        plans[key] = app.publish_plan(org_dept, **kw).id
        summary["inspection_plans"] += 1

    def freeze(key: str) -> None:
        app.freeze_population(org_dept, plans[key])
        app.freeze_roster(org_dept, plans[key])
        plan = app.plan(plans[key])
        if plan.seed_method.code == "commit_reveal":
            for party in parties():
                value = f"{key}-{party.role.value}-{rng.randint(100000, 999999)}"
                values[(key, party)] = value
                app.commit_seed(party, plans[key], draw.commitment(value, salt(party)))

    values: dict[tuple[str, Actor], str] = {}

    def reveal_and_draw(key: str, public_value: str = "") -> None:
        if public_value:
            app.reveal_seed(org_dept, plans[key], public_value)
        else:  # the last reveal draws
            for party in parties():
                app.reveal_seed(party, plans[key], values[(key, party)], salt(party))

    def inspector(inspector_id: str) -> Actor:
        return Actor(Role.INSPECTOR, inspector_id, org_dept.scope_id)

    def findings(key: str) -> None:
        plan = app.plan(plans[key])
        for n, (target, team) in enumerate(sorted(plan.assignments.items())):
            if plan.findings.get(target):
                continue
            if plan.item.code == "revisit":
                false = n == 1
                app.record_finding(
                    inspector(team[0]),
                    plans[key],
                    target,
                    conclusion="admonish" if false else "pass",
                    confirmed=not false,
                    stars=None if false else rng.choice((4, 5, 5)),
                    note="群众表示无人上门服务，经核实为虚报"
                    if false
                    else "电话回访，群众确认服务属实",
                )
            else:
                app.record_finding(
                    inspector(team[0]),
                    plans[key],
                    target,
                    conclusion="rectify" if n % 4 == 3 else "pass",
                    note="包联台账不全，限期一个月整改" if n % 4 == 3 else "结对共建台账齐全",
                )
            summary["inspection_findings"] += 1

    def void(key: str, reason: str) -> None:
        app.void_plan(org_dept, plans[key], reason, reason_code="wrong_parameters")

    def publish_results(key: str, text: str) -> None:
        app.publish_results(org_dept, plans[key], text)

    def sweep() -> None:
        app.sweep_disclosures(list(plans.values()))

    day = business_date(today)
    at_time(start + timedelta(hours=5), register_inspectors)
    for c in range(len(COMMUNITIES)):
        at_time(start + timedelta(days=7, hours=3, minutes=c), partial(schedule_meetings, c))

    # a revisit plan voided the day after it was published (the reason stays public)
    voided_at = today - timedelta(days=30)
    at_time(
        voided_at,
        partial(
            publish,
            "voided",
            title="党员服务记录随机核查（第一批）",
            item="service_record",
            period_start=(day - timedelta(days=60)).isoformat(),
            period_end=(day - timedelta(days=31)).isoformat(),
        ),
    )
    at_time(
        voided_at + timedelta(days=1),
        partial(void, "voided", "抽查比例录入有误（应为 10%），本批作废重新制定"),
    )

    # the unit-pairing check, seeded by a public value, results not published in time
    pairing_at = today - timedelta(days=45)
    value_at = pairing_at + timedelta(days=2)
    at_time(
        pairing_at,
        partial(
            publish,
            "pairing",
            title="单位包联职责随机检查",
            item="unit_pairing",
            period_start=(day - timedelta(days=60)).isoformat(),
            period_end=(day - timedelta(days=46)).isoformat(),
            seed_method="public_value",
            public_value_source=f"{business_date(value_at):%Y年%m月%d日}福利彩票“双色球”开奖号码",
            public_value_available_after=value_at,
            public_value_pattern=LOTTERY_PATTERN,
            public_value_example="03 08 14 21 27 30 + 11",
            ratio="0.5",
            minimum=2,
        ),
    )
    at_time(pairing_at + timedelta(hours=1), partial(freeze, "pairing"))
    at_time(
        value_at + timedelta(hours=2),
        partial(reveal_and_draw, "pairing", "03 08 14 21 27 30 + 11"),
    )
    at_time(value_at + timedelta(days=9), partial(findings, "pairing"))

    # the revisit of closed orders: drawn, inspected, one false order, published
    revisit_at = today - timedelta(days=21)
    at_time(
        revisit_at,
        partial(
            publish,
            "revisit",
            title="已办结民生需求群众回访抽查",
            item="revisit",
            period_start=business_date(start).isoformat(),
            period_end=(day - timedelta(days=22)).isoformat(),
            ratio="0.1",
        ),
    )
    at_time(revisit_at + timedelta(hours=1), partial(freeze, "revisit"))
    at_time(revisit_at + timedelta(days=1, hours=2), partial(reveal_and_draw, "revisit"))
    at_time(revisit_at + timedelta(days=6), partial(findings, "revisit"))
    at_time(
        revisit_at + timedelta(days=12),
        partial(
            publish_results,
            "revisit",
            "回访群众均表示满意，1 单经核实为虚报，已撤销时长与积分",
        ),
    )

    # an unannounced sit-in on the coming weeks' joint meetings, drawn yesterday
    sit_in_at = today - timedelta(days=2)
    at_time(
        sit_in_at,
        partial(
            publish,
            "sit_in",
            title="党建联席会议不打招呼随机列席",
            item="sit_in",
            period_start=(day + timedelta(days=1)).isoformat(),
            period_end=(day + timedelta(days=30)).isoformat(),
            ratio="0.5",
            minimum=1,
        ),
    )
    at_time(sit_in_at + timedelta(hours=1), partial(freeze, "sit_in"))
    at_time(sit_in_at + timedelta(days=1, hours=1), partial(reveal_and_draw, "sit_in"))
    at_time(today - timedelta(minutes=1), sweep)
