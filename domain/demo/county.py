"""The county as the demo has it: 泽州县, its four communities (where they are, their
streets and grid workers), and the ten units whose members serve there."""

from __future__ import annotations

import random
from dataclasses import dataclass

COUNTY_NAME = "泽州县"
COUNTY_CODE = "ZZ"
ORG_DEPT_SUBJECT = "组织部演示账号"


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

# Commitments (亮承诺) any member may make, besides their unit's own.
GENERIC_COMMITMENTS = (
    "每月参加一次社区志愿服务",
    "每年为社区群众办一件实事",
    "每季度走访一次网格内困难群众",
    "积极参加社区红色服务日活动",
    "每月参加一次环境卫生整治",
    "结对帮扶一户困难家庭",
)

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
# The grid workers (网格员): the grids of all communities take them in turn.
GRID_WORKERS = ("张敏", "李娟", "王芳", "赵丽", "郭燕", "牛霞", "申玲", "焦红")
# The phone of the grid worker who uses the app in the demo (the worker of the first grid
# of the community the demo's community account serves): 147, a prefix the demo's
# members and residents never get, so no one else has it.
GRID_WORKER_PHONE = "14735600001"


def grid_worker_name(c: int, grid_index: int) -> str:
    """The worker of community ``c``'s grid number ``grid_index`` (from 0)."""
    return GRID_WORKERS[(c * len(GRID_NAMES) + grid_index) % len(GRID_WORKERS)]


def unit_fits(u: int, category: str) -> bool:
    """Whether the unit's members have the skills a need of this category asks for."""
    unit = UNITS[u]
    return category in unit.extra_categories or any(category in c for _, c in unit.posts)


def near(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[str, str]:
    """A point (lat, lon, as text) up to `spread` degrees from `centre`."""
    lat = centre[0] + rng.uniform(-spread, spread)
    lon = centre[1] + rng.uniform(-spread, spread) * 1.2
    return f"{lat:.6f}", f"{lon:.6f}"


def address(rng: random.Random, c: int) -> str:
    """A home in community c: on a street (号) or in an estate (号楼)."""
    street = rng.choice(STREETS[c])
    unit, floor, room = rng.randint(1, 4), rng.randint(1, 6), rng.randint(1, 2)
    if street.endswith(("路", "街")):
        return f"{street}{rng.randint(1, 120)}号{unit}单元{floor}0{room}"
    return f"{street}{rng.randint(1, 16)}号楼{unit}单元{floor}0{room}"
