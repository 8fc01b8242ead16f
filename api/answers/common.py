"""What every answer model shares: strict objects and coded fields with their labels.

The answer models document the 2xx bodies in the OpenAPI contract (`contract.answer`);
the routes return the read models' rows as they are, so a model costs nothing at run
time. Models forbid undeclared fields (`additionalProperties: false`): the suite checks
every answer it receives against the document (tests/contract_check.py), so a field a
read model adds without declaring it here fails a test instead of surprising a client.

A coded field (状态, 类别, 紧急程度 …) is a string whose schema lists its codes
(`enum`) and their Chinese labels (`x-enum-descriptions`, in the same order, and in
the description), from the domain's own `Labelled` enums: one list, no copy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from domain.activity import ActivityKind
from domain.evaluation import Grade, Star, WarningLevel
from domain.inspection_items import Conclusion, InspectionItem, PlanStatus, SeedMethod
from domain.order import OrderStatus
from domain.points import ItemKind, PartnerKind, RedemptionStatus, SourceKind
from domain.values import (
    Labelled,
    MemberStatus,
    NeedSource,
    PhotoKind,
    RegistrationBasis,
    SkillCategory,
    Solved,
    TimeSlot,
    Urgency,
)


class Answer(BaseModel):
    """The base of every answer model: no undeclared field."""

    model_config = ConfigDict(extra="forbid")


class Written(Answer):
    """What every command answers besides the ids it names: where the log stands."""

    log_position: int | None = Field(
        description="命令写入后的日志位置（X-Log-Position；可作为 X-Min-Log-Position 读取）"
    )


def code_schema(pairs: Iterable[tuple[str, str]], what: str) -> dict[str, Any]:
    """The JSON schema of a coded string: its codes, their labels."""
    items = list(pairs)
    return {
        "type": "string",
        "enum": [code for code, _ in items],
        "x-enum-descriptions": [label for _, label in items],
        "description": f"{what}：" + "；".join(f"{code} {label}" for code, label in items),
    }


def coded(enum: type[Labelled], what: str) -> WithJsonSchema:
    return WithJsonSchema(code_schema(((item.code, item.label) for item in enum), what))


ActivityKindCode = Annotated[str, coded(ActivityKind, "活动类型")]
ConclusionCode = Annotated[str, coded(Conclusion, "抽查结论")]
GradeCode = Annotated[str, coded(Grade, "评价等次")]
InspectionItemCode = Annotated[str, coded(InspectionItem, "抽查事项")]
ItemKindCode = Annotated[str, coded(ItemKind, "兑换品类型")]
MemberStatusCode = Annotated[str, coded(MemberStatus, "报到审核状态")]
NeedSourceCode = Annotated[str, coded(NeedSource, "需求来源")]
OrderStatusCode = Annotated[str, coded(OrderStatus, "需求状态")]
PartnerKindCode = Annotated[str, coded(PartnerKind, "合作方类型")]
PhotoKindCode = Annotated[str, coded(PhotoKind, "照片类型")]
PlanStatusCode = Annotated[str, coded(PlanStatus, "抽查计划状态")]
RedemptionStatusCode = Annotated[str, coded(RedemptionStatus, "兑换状态")]
RegistrationBasisCode = Annotated[str, coded(RegistrationBasis, "报到方式")]
SeedMethodCode = Annotated[str, coded(SeedMethod, "随机种子方式")]
SkillCategoryCode = Annotated[str, coded(SkillCategory, "擅长领域")]
SolvedCode = Annotated[str, coded(Solved, "是否解决")]
SourceKindCode = Annotated[str, coded(SourceKind, "积分来源")]
StarCode = Annotated[str, coded(Star, "星级党员")]
TimeSlotCode = Annotated[str, coded(TimeSlot, "服务时段")]
UrgencyCode = Annotated[str, coded(Urgency, "紧急程度")]
WarningLevelCode = Annotated[str, coded(WarningLevel, "预警等级")]


def answer(model: Any, status: int = 200, description: str = "成功") -> dict[int | str, Any]:
    """A route's `responses=`: the model of its success body, for the contract only (the
    route answers its read model's row as it is; the suite checks it against this)."""
    return {status: {"model": model, "description": description}}
