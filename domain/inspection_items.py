"""一单 (随机抽查事项清单) and the labels of 两随机一公开: what may be inspected, each with
its procedure, published as version `ITEM_LIST_VERSION`; a finding's conclusion; how a
seed is made; where a plan stands.

The other parts of 一单两库一细则 have their own modules: the target directory
(检查对象名录库) is derived from the log by domain.population and frozen as a
domain.target_directory.TargetDirectory; the inspector directory (执法检查人员名录库) is
domain.inspectors; the rules (抽查细则) are a plan's domain.plan_definition.PlanDefinition;
the plan itself is domain.inspection_plan.InspectionPlan.
"""

from __future__ import annotations

from domain.values import Labelled

ITEM_LIST_VERSION = "2026.1"


class InspectionItem(Labelled):
    SIT_IN = ("sit_in", "随机列席党建联席会议")
    REVISIT = ("revisit", "随机回访已办结需求的群众")
    SERVICE_RECORD = ("service_record", "随机核查党员服务记录")
    UNIT_PAIRING = ("unit_pairing", "随机检查单位包联职责")

    @classmethod
    def label_zh(cls) -> str:
        return "检查事项"


# 随机抽查事项清单: what each item inspects and how (published with the plan's hash).
PROCEDURES: dict[InspectionItem, str] = {
    InspectionItem.SIT_IN: (
        "不打招呼列席抽中的党建联席会议：记录到会人数、议题与议定事项，拍照留存；"
        "抽样结果在列席完成前只公开其承诺值"
    ),
    InspectionItem.REVISIT: (
        "电话或上门回访抽中需求的群众：核实服务是否真实完成，请群众重新评价（1–5星）；"
        "群众否认服务的，核定为虚假并撤销时长与积分"
    ),
    InspectionItem.SERVICE_RECORD: (
        "核查抽中党员的服务台账：服务记录、签到定位与照片是否一致，亮身份亮承诺是否落实"
    ),
    InspectionItem.UNIT_PAIRING: (
        "检查抽中单位的包联职责：单位报到、结对社区、参与大党委与民生项目情况"
    ),
}

# Which log facts make an item's targets, and how they are stratified.
TARGET_PREFIX: dict[InspectionItem, str] = {
    InspectionItem.SIT_IN: "MTG",
    InspectionItem.REVISIT: "ORD",
    InspectionItem.SERVICE_RECORD: "MBR",
    InspectionItem.UNIT_PAIRING: "UNIT",
}
COUNTY_STRATUM = "county"  # the one stratum of an item not stratified by community
LOW_SUFFIX = "/low"  # the low-rated orders of a community: their own stratum


class Conclusion(Labelled):
    PASS = ("pass", "合格")
    RECTIFY = ("rectify", "限期整改")
    ADMONISH = ("admonish", "诫勉谈话")

    @classmethod
    def label_zh(cls) -> str:
        return "检查结论"


class SeedMethod(Labelled):
    COMMIT_REVEAL = ("commit_reveal", "多方承诺后揭示")
    PUBLIC_VALUE = ("public_value", "冻结后才产生的公开数值")

    @classmethod
    def label_zh(cls) -> str:
        return "随机种子生成方式"


class PlanStatus(Labelled):
    PUBLISHED = ("published", "已发布方案")
    POPULATION_FROZEN = ("population_frozen", "检查对象已冻结")
    ROSTER_FROZEN = ("roster_frozen", "检查人员已冻结")
    DRAWN = ("drawn", "已抽取")
    RESULTS_PUBLISHED = ("results_published", "结果已公开")
    VOIDED = ("voided", "已作废")

    @classmethod
    def label_zh(cls) -> str:
        return "抽查状态"
