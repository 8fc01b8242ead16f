"""三级联评: the community's quarterly and the unit's annual evaluations, the quarterly
standard check (黄灯/红灯) and written reports, stars, the evaluation views per member,
unit, community and county (each figure traceable to its events), and 公示."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from api.answers.common import answer
from api.answers.evaluation import (
    AwardAnswer,
    CommunityEvaluation,
    CountyEvaluation,
    EvaluationAnswer,
    MemberEvaluation,
    MemberSources,
    PublicCommunityResults,
    PublicUnitResults,
    StandardsChecked,
    UnitEvaluation,
    WarningAnswer,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    for_reader,
    member_for_reader,
    read_consistency,
    services,
    today,
)
from api.exports import export_response
from api.guard import GuardedRoute
from api.inputs import Body, BodyYear, YearPath, YearQuery, example, within
from domain import access
from domain.errors import NotFound
from projections import directory, evaluation

router = APIRouter(
    tags=["evaluation"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)

Year = YearQuery
Format = Annotated[Literal["json", "xlsx", "csv"], Query(alias="format")]


class CommunityEvaluationIn(Body):
    model_config = example(
        {
            "year": 2026,
            "quarter": 4,
            "results": 90,
            "feedback": 95,
            "assessment": 88,
            "comment": "本季度服务积极",
            "corrects": None,
            "reason": "",
        }
    )

    year: BodyYear
    quarter: int = Field(description="季度 1–4", json_schema_extra=within(1, 4))
    results: int = Field(
        description="服务成效（服务时长、解决问题、项目贡献），0–满分",
        json_schema_extra=within(0, 1000),
    )
    feedback: int = Field(
        description="群众反馈（满意度），0–满分", json_schema_extra=within(0, 1000)
    )
    assessment: int = Field(
        description="社区评价（参与度、急难任务响应、纪律），0–满分",
        json_schema_extra=within(0, 1000),
    )
    comment: str = ""
    corrects: UUID | None = Field(None, description="更正时：被更正的评价编号")
    reason: str = Field("", description="更正理由（更正时必填）")


class UnitEvaluationIn(Body):
    model_config = example(
        {"year": 2026, "score": 92, "comment": "完成年度包联任务", "corrects": None, "reason": ""}
    )

    year: BodyYear
    score: int = Field(description="单位党组织评分，0–满分", json_schema_extra=within(0, 1000))
    comment: str = ""
    corrects: UUID | None = None
    reason: str = ""


class CheckIn(Body):
    model_config = example({"year": 2026, "quarter": 4})

    year: BodyYear
    quarter: int = Field(description="季度 1–4", json_schema_extra=within(1, 4))


class ReportIn(Body):
    model_config = example({"content": "本季度因单位集中加班未完成服务，下季度补足 4 小时"})

    content: str = Field(description="书面报告内容")


class StarIn(Body):
    model_config = example({"star": "pioneer", "year": 2026})

    star: Literal["pioneer", "caring", "tackling", "community_service"]
    year: BodyYear


def _year(request: Request, year: int | None) -> int:
    return year if year is not None else today(request).year


# -- commands -----------------------------------------------------------------------------


@router.post(
    "/members/{member_id}/community-evaluations",
    status_code=201,
    summary="社区季度评价（社区）",
    description="每名已向本社区报到的党员每季度一次；更正时注明 corrects（被更正的评价）与理由。",
    responses=answer(EvaluationAnswer, 201),
)
def evaluate(
    member_id: UUID,
    body: CommunityEvaluationIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.evaluate_member(
        actor,
        member_id,
        year=body.year,
        quarter=body.quarter,
        results=body.results,
        feedback=body.feedback,
        assessment=body.assessment,
        comment=body.comment,
        corrects=body.corrects,
        reason=body.reason,
    )
    return command_response(request, result, {"evaluation_id": str(result.id)}, created=True)


@router.post(
    "/members/{member_id}/unit-evaluations",
    status_code=201,
    summary="单位年度评价（单位党组织）",
    responses=answer(EvaluationAnswer, 201),
)
def evaluate_by_unit(
    member_id: UUID,
    body: UnitEvaluationIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.evaluate_member_by_unit(
        actor,
        member_id,
        year=body.year,
        score=body.score,
        comment=body.comment,
        corrects=body.corrects,
        reason=body.reason,
    )
    return command_response(request, result, {"evaluation_id": str(result.id)}, created=True)


@router.post(
    "/counties/{county_id}/standard-checks",
    summary="季度服务标准检查（组织部）",
    description="季度结束后运行：低于按季折算标准的党员，本年首次黄灯，再次红灯（须书面报告）。"
    "同一季度重复运行只检查尚未检查的党员。",
    responses=answer(StandardsChecked),
)
def check_standards(
    county_id: UUID,
    body: CheckIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    access.require_county(actor, county_id)
    svc = services(request)
    ids = evaluation.approved_member_ids(svc.read.store, str(county_id))
    counts = svc.app.check_standards(
        actor, year=body.year, quarter=body.quarter, member_ids=[UUID(i) for i in ids]
    )
    svc.read.wait_for(svc.read.store.head(), svc.settings.read_wait_seconds)
    return {"year": body.year, "quarter": body.quarter, **counts}


@router.post(
    "/members/{member_id}/warnings/{warning_id}/report",
    summary="红灯书面报告（党员本人提交，或组织部登记）",
    responses=answer(WarningAnswer),
)
def file_report(
    member_id: UUID,
    warning_id: UUID,
    body: ReportIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.file_written_report(actor, member_id, warning_id, body.content)
    return command_response(request, result, {"warning_id": str(warning_id)})


@router.post(
    "/members/{member_id}/stars",
    status_code=201,
    summary="评星（社区）",
    description="先锋示范星、群众贴心星、民生攻坚星、社区服务星，按公布的标准（政策参数）核对；"
    "记录所依据的数据，并计入奖励积分。",
    responses=answer(AwardAnswer, 201),
)
def award_star(
    member_id: UUID,
    body: StarIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.award_star(
        actor, member_id, star=body.star, year=body.year, idempotency_key=idempotency_key
    )
    return command_response(request, result, {"award_id": str(result.id)}, created=True)


# -- views ------------------------------------------------------------------------------------


@router.get(
    "/members/{member_id}/evaluation",
    summary="党员年度评价（逐季度与全年）",
    responses=answer(MemberEvaluation),
)
def member_evaluation(
    member_id: UUID,
    request: Request,
    actor: SignedIn,
    year: Year = None,
) -> Any:
    member = member_for_reader(request, member_id, actor)
    store = services(request).read.store
    policy = evaluation.county_policy(store, member["county_id"])
    view = evaluation.member_view(store, member, _year(request, year), policy, today(request))
    return for_reader(request, actor, view)


@router.get(
    "/members/{member_id}/evaluation/{year}/sources",
    summary="数据来源：构成某项数字的每一条事件",
    description="figure 为 services、hours、orders_solved、ratings、satisfied、urgent_solved、"
    "activities、task_force 之一；每行给出日志位置（position）与事件类型，撤销行为负数。",
    responses=answer(MemberSources),
)
def member_sources(
    member_id: UUID,
    year: YearPath,
    request: Request,
    actor: SignedIn,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
    figure: Literal[
        "services",
        "hours",
        "orders_solved",
        "ratings",
        "satisfied",
        "urgent_solved",
        "activities",
        "task_force",
    ]
    | None = None,
) -> Any:
    member_for_reader(request, member_id, actor)
    rows = evaluation.sources(
        services(request).read.store, str(member_id), year, quarter=quarter, figure=figure
    )
    answer = {"figure": figure, "quarter": quarter, "year": year, "rows": rows}
    return for_reader(request, actor, answer)


@router.get(
    "/units/{unit_id}/evaluation",
    summary="单位年度评价视图（单位、组织部）",
    responses=answer(UnitEvaluation),
)
def unit_evaluation(
    unit_id: UUID,
    request: Request,
    actor: SignedIn,
    year: Year = None,
    fmt: Format = "json",
) -> Any:
    store = services(request).read.store
    unit = directory.get_unit(store, str(unit_id))
    if unit is None:
        raise NotFound("unknown_unit", "单位不存在", "no such unit")
    access.require_read_unit(actor, unit_id=unit_id, county_id=UUID(unit["county_id"]))
    y = _year(request, year)
    policy = evaluation.county_policy(store, unit["county_id"])
    view = for_reader(request, actor, evaluation.unit_view(store, unit, y, policy, today(request)))
    if fmt != "json":
        title = f"党员年度评价：{unit['name']}（{y}）"
        return export_response(view["members"], evaluation.MEMBER_COLUMNS, title=title, fmt=fmt)
    return view


@router.get(
    "/communities/{community_id}/evaluation",
    summary="社区年度评价视图",
    responses=answer(CommunityEvaluation),
)
def community_evaluation(
    community_id: UUID,
    request: Request,
    actor: SignedIn,
    year: Year = None,
    fmt: Format = "json",
) -> Any:
    community = community_for_reader(request, community_id, actor)
    store = services(request).read.store
    y = _year(request, year)
    policy = evaluation.county_policy(store, community["county_id"])
    view = evaluation.community_view(store, community, y, policy, today(request))
    if fmt != "json":
        title = f"党员年度评价：{community['name']}（{y}）"
        return export_response(view["members"], evaluation.MEMBER_COLUMNS, title=title, fmt=fmt)
    return view


@router.get(
    "/counties/{county_id}/evaluation",
    summary="全县评价汇总与预警（组织部）",
    responses=answer(CountyEvaluation),
)
def county_evaluation(
    county_id: UUID,
    request: Request,
    actor: SignedIn,
    year: Year = None,
) -> Any:
    access.require_county_reader(actor, county_id)
    store = services(request).read.store
    communities = directory.list_communities(store, str(county_id))
    policy = evaluation.county_policy(store, str(county_id))
    return evaluation.county_view(
        store, str(county_id), communities, _year(request, year), policy, today(request)
    )


# -- 公示: no login ---------------------------------------------------------------------------


@router.get(
    "/public/communities/{community_id}/results",
    summary="公示：社区党员年度服务与评价结果（无需登录）",
    description="只列党员姓名、单位与服务结果；不含居民信息、电话与评语。",
    responses=answer(PublicCommunityResults),
)
def public_community_results(
    community_id: UUID, request: Request, year: Year = None, fmt: Format = "json"
) -> Any:
    store = services(request).read.store
    community = directory.get_community(store, str(community_id))
    if community is None:
        raise NotFound("unknown_community", "社区不存在", "no such community")
    y = _year(request, year)
    policy = evaluation.county_policy(store, community["county_id"])
    rows = evaluation.public_results(
        store, "m.community_id = ?", (str(community_id),), y, policy, today(request)
    )
    if fmt != "json":
        title = f"公示：{community['name']}（{y}）"
        return export_response(rows, evaluation.PUBLIC_COLUMNS, title=title, fmt=fmt)
    return {"community": community["name"], "year": y, "members": rows}


@router.get(
    "/public/units/{unit_id}/results",
    summary="公示：单位党员年度服务与评价结果（无需登录）",
    responses=answer(PublicUnitResults),
)
def public_unit_results(
    unit_id: UUID, request: Request, year: Year = None, fmt: Format = "json"
) -> Any:
    store = services(request).read.store
    unit = directory.get_unit(store, str(unit_id))
    if unit is None:
        raise NotFound("unknown_unit", "单位不存在", "no such unit")
    y = _year(request, year)
    policy = evaluation.county_policy(store, unit["county_id"])
    rows = evaluation.public_results(
        store, "m.unit_id = ?", (str(unit_id),), y, policy, today(request)
    )
    if fmt != "json":
        title = f"公示：{unit['name']}（{y}）"
        return export_response(rows, evaluation.PUBLIC_COLUMNS, title=title, fmt=fmt)
    return {"unit": unit["name"], "year": y, "members": rows}
