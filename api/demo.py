"""演示数据: a realistic demo county (泽州县) loaded through the application service.

`load_demo` plans everything first from `random.Random(seed)` (names, phones, posts,
review outcomes, 三亮, the declared member counts of the units), then issues the
commands the people in the field would issue (运维 registers the county, 组织部 the
communities, units and pairings, 单位 reports, 党员 register by QR link, 社区 reviews,
党员 state 三亮), in time order. Nothing is written around the application service.

If the app runs on a ManualClock, the clock is moved forward along the plan (about a
month), so registration and review times are spread as they would be in the field; a
wall clock is left alone.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

from domain.actors import OPERATOR, PUBLIC, Actor, Role
from domain.application import Availability, Commitment, Identity, Sishuang, Skills
from domain.clock import ManualClock
from domain.errors import Conflict
from domain.values import TimeSlot

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


def load_demo(app: Sishuang, *, seed: int = 2026, members: int = 300) -> dict[str, Any]:
    """Load the demo county 泽州县 (code ZZ); safe to call twice.

    Returns what this call loaded: the county id and the counts of communities,
    grids, units, pairings, unit reports, members and their review states. If the
    county already exists nothing is loaded, `already_loaded` is True and the counts
    are zero.
    """
    if members < 0:
        raise ValueError("members must not be negative")
    plan = _plan(seed, members)
    clock = app.clock if isinstance(app.clock, ManualClock) else None
    start = app.clock.now()
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
    }

    try:
        county_id = app.register_county(OPERATOR, name=COUNTY_NAME, code=COUNTY_CODE).id
    except Conflict as error:
        if error.code != "duplicate_county":
            raise
        existing = app.county_by_code(COUNTY_CODE)
        summary["county_id"] = str(existing.id) if existing else ""
        summary["already_loaded"] = True
        summary["message"] = f"演示数据（{COUNTY_NAME}）已存在，未重复加载"
        return summary
    summary["county_id"] = str(county_id)
    org_dept = Actor(Role.ORG_DEPT, ORG_DEPT_SUBJECT, county_id)

    community_ids: list[UUID] = []
    unit_ids: list[UUID] = []
    member_ids: list[UUID | None] = [None] * len(plan.members)

    # Every command, at its moment; ties keep plan order (setup before members).
    schedule: list[tuple[timedelta, int, Callable[[], None]]] = []

    def at(when: timedelta, action: Callable[[], None]) -> None:
        schedule.append((when, len(schedule), action))

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
        community_id = community_ids[m.community]
        admin = Actor(Role.COMMUNITY_ADMIN, f"{COMMUNITIES[m.community].name}管理员", community_id)
        if m.outcome == "approved":
            app.review_member(admin, member_id, approve=True, grid_code=m.review_grid)
            summary["approved"] += 1
        else:
            app.review_member(admin, member_id, approve=False, reason=m.reason)
            summary["rejected"] += 1

    def state_profile(i: int) -> None:
        m = plan.members[i]
        member_id = member_ids[i]
        assert member_id is not None
        app.update_member_profile(
            Actor(Role.MEMBER, str(member_id), member_id),
            member_id,
            identity=Identity(m.post, m.show_contact) if "identity" in m.parts else None,
            commitment=Commitment(m.commitment, m.hours) if "commitment" in m.parts else None,
            skills=Skills(m.categories, m.tags) if "skills" in m.parts else None,
            availability=(Availability(m.radius, m.slots) if "availability" in m.parts else None),
        )
        if m.reports:
            summary["reported"] += 1

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

    for when, _, action in sorted(schedule, key=lambda item: (item[0], item[1])):
        if clock is not None:
            clock.set(start + when)
        action()

    summary["message"] = (
        f"已加载演示数据：{COUNTY_NAME}，{summary['communities']} 个社区，"
        f"{summary['units']} 个单位，{summary['members']} 名在职党员"
    )
    return summary
