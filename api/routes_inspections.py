"""两随机一公开: the inspector directory (执法检查人员名录库), joint meetings, inspection
plans from publication to published results, the inspectors' own assignments, the
results that concern a member or a unit, and the public disclosure (一公开): JSON under
/api/v1/public/inspections and a plain page at /public/inspections, neither needing a
login, neither carrying any resident's name, phone or address."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from api.answers.common import answer
from api.answers.inspections import (
    InspectorAnswer,
    InspectorAssignments,
    InspectorRow,
    MeetingAnswer,
    MeetingRow,
    MemberInspections,
    PlanAnswer,
    PlanRow,
    PlanView,
    PublicDetail,
    PublicList,
    UnitInspections,
)
from api.context import (
    IdempotencyKey,
    SignedIn,
    command_response,
    community_for_reader,
    member_for_reader,
    read_consistency,
    services,
    today,
)
from api.guard import GuardedRoute
from api.inputs import Body, Day, Moment, Number, example, within
from api.pages import render
from domain import access
from domain.actors import Role
from domain.errors import NotFound
from domain.masking import REASON_LABELS, REASONS_FOR
from domain.plan_proposal import PlanProposal
from projections import directory, inspector_workload, plan_progress, public_disclosure

router = APIRouter(
    tags=["inspections"],
    dependencies=[Depends(read_consistency)],
    route_class=GuardedRoute,
)
# Pages are opened from shared links (WeChat adds ?from=…&isappinstalled=…): a page
# ignores parameters it does not take; the JSON API refuses them (api.guard.CheckedRoute).
pages = APIRouter(tags=["inspections"], include_in_schema=True)


# -- requests -----------------------------------------------------------------------------


class InspectorIn(Body):
    model_config = example(
        {
            "name": "冯建国",
            "unit_id": None,
            "unit_name": "县纪委监委",
            "home_community_id": "5f3c2a9e-8d41-4b7a-9c2e-1a6b3d4e5f60",
        }
    )

    name: str = Field(description="检查人员姓名")
    unit_id: UUID | None = Field(None, description="所在单位（本县已登记的单位党组织）")
    unit_name: str = Field("", description="所在单位名称（未登记的单位，如县纪委，填写名称）")
    home_community_id: UUID | None = Field(None, description="居住社区（回避用）")


class InspectionReasonIn(Body):
    model_config = example({"reason": "调离督查岗位"})

    reason: str = Field(description="理由")


class MeetingIn(Body):
    model_config = example(
        {
            "held_on": "2026-12-20",
            "topic": "四季度党建联席会议：冬季供暖问题",
            "place": "社区党群服务中心",
        }
    )

    held_on: Day = Field(description="会议日期 YYYY-MM-DD（今天或以后）")
    topic: str = Field(description="会议议题")
    place: str = Field(description="会议地点")


class PlanIn(Body):
    model_config = example(
        {
            "title": "2026年四季度回访抽查",
            "item": "revisit",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
            "seed_method": "commit_reveal",
            "parties": ["org_dept:组织部-王", "inspector:4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"],
        }
    )

    title: str = Field(description="抽查名称，如“2026年一季度回访抽查”")
    item: str = Field(
        description="检查事项：sit_in 随机列席党建联席会议、revisit 随机回访已办结需求、"
        "service_record 随机核查党员服务记录、unit_pairing 随机检查单位包联职责"
    )
    period_start: Day = Field(description="抽查期间起 YYYY-MM-DD")
    period_end: Day = Field(description="抽查期间止 YYYY-MM-DD")
    seed_method: str = Field(
        "commit_reveal",
        description="随机种子生成方式：commit_reveal 多方承诺后揭示；"
        "public_value 冻结后才产生的公开数值",
    )
    parties: list[str] = Field(
        [],
        description="种子提供方（2–5 方，各写其登录身份：org_dept:<姓名> 或 "
        "inspector:<检查人员编号>，如督查组组长与组织部见证人）；各方只能以本人身份承诺与揭示",
    )
    public_value_source: str = Field("", description="公开数值的来源（public_value 时必填）")
    public_value_available_after: Moment | None = Field(
        None, description="公开数值产生的时间（带时区，须晚于现在）"
    )
    public_value_pattern: str = Field(
        "",
        description="公开数值的书写格式（正则表达式，public_value 时必填），"
        "如 \\d{2}( \\d{2}){5} \\+ \\d{2}",
    )
    public_value_example: str = Field("", description="符合格式的示例，如 03 08 14 21 27 30 + 11")
    unannounced: bool | None = Field(
        None, description="不打招呼检查（列席会议默认是；不能用公开数值作种子）"
    )
    ratio: Number | None = Field(None, description="抽查比例 r（0–1），默认取县政策值")
    minimum: int | None = Field(
        None, description="每层最少抽取数 m", json_schema_extra=within(0, 10000)
    )
    low_ratio: Number | None = Field(None, description="低评价层抽查比例")
    low_minimum: int | None = Field(
        None, description="低评价层最少抽取数", json_schema_extra=within(0, 10000)
    )
    low_rated_below: int | None = Field(
        None, description="低于此星级的需求单独成层", json_schema_extra=within(1, 6)
    )
    inspectors_per_target: int | None = Field(
        None, description="每个对象的检查人员数（≥2）", json_schema_extra=within(2, 10)
    )
    load_cap: int | None = Field(
        None, description="每名检查人员的对象上限", json_schema_extra=within(1, 100000)
    )
    alternates: int | None = Field(
        None, description="每层备选对象数", json_schema_extra=within(0, 1000)
    )
    cooldown_days: int | None = Field(
        None, description="冷却期：此天数内检查过的对象不再抽", json_schema_extra=within(0, 3650)
    )
    disclosure_working_days: int | None = Field(
        None, description="抽取后公开结果的期限（工作日）", json_schema_extra=within(1, 250)
    )
    holidays: list[Day] = Field([], description="期限计算时扣除的法定节假日")
    extra_workdays: list[Day] = Field([], description="调休上班的周末日期")


class SeedCommitmentIn(Body):
    model_config = example(
        {
            "party": "org_dept:组织部-王",
            "commitment": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        }
    )

    party: str = Field("", description="种子提供方：即本人登录身份（可不填；填写须与本人一致）")
    commitment: str = Field(description="承诺值：SHA-256(数值 ‖ 盐) 的 64 位十六进制")


class RevealIn(Body):
    model_config = example(
        {"party": "org_dept:组织部-王", "contribution": "20261207", "salt": "b3f1c2a4d5e6"}
    )

    party: str = Field("", description="种子提供方：即本人登录身份（可不填；填写须与本人一致）")
    contribution: str = Field(description="揭示的数值（或公开数值）")
    salt: str = Field("", description="承诺时使用的盐")


def _codes(kind: str) -> str:
    return "、".join(f"{c} {REASON_LABELS[c]}" for c in REASONS_FOR[kind])


class ReplacementIn(Body):
    model_config = example(
        {
            "target": "ORD:JX:6d7e8f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
            "reason_code": "moved_away",
            "reason": "对象已迁出本县",
        }
    )

    target: str = Field(description="被替换的检查对象编号，如 ORD:JX:…")
    reason_code: str = Field("other", description=f"公开的理由类别：{_codes('replace')}")
    reason: str = Field(description="替换理由（如对象已不存在；公开时隐去个人信息）")


class RecusalIn(Body):
    model_config = example(
        {
            "target": "ORD:JX:6d7e8f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
            "inspector_id": "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
            "reason_code": "conflict_of_interest",
            "reason": "检查人员与对象系同一单位",
        }
    )

    target: str = Field(description="检查对象编号")
    inspector_id: UUID = Field(description="回避的检查人员")
    reason_code: str = Field("other", description=f"公开的理由类别：{_codes('recuse')}")
    reason: str = Field(description="回避理由（公开时隐去个人信息）")


class VoidIn(Body):
    model_config = example(
        {"reason_code": "wrong_parameters", "reason": "抽查期间填写有误，重新发布"}
    )

    reason_code: str = Field("other", description=f"公开的理由类别：{_codes('void')}")
    reason: str = Field(description="作废理由（永久公开，隐去个人信息）")


class FindingIn(Body):
    model_config = example(
        {
            "target": "ORD:JX:6d7e8f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
            "conclusion": "pass",
            "confirmed": True,
            "stars": 5,
            "attendance": None,
            "discussed": "",
            "photos": [],
            "note": "居民确认楼道灯已修好",
        }
    )

    target: str = Field(description="检查对象编号")
    conclusion: str = Field(description="检查结论：pass 合格、rectify 限期整改、admonish 诫勉谈话")
    confirmed: bool | None = Field(None, description="回访：群众是否确认服务已完成")
    stars: int | None = Field(
        None, description="回访：群众重新评价的星级 1–5", json_schema_extra=within(1, 5)
    )
    attendance: int | None = Field(
        None, description="列席：到会人数", json_schema_extra=within(0, 10000)
    )
    discussed: str = Field("", description="列席：议题与议定事项")
    photos: list[str] = Field([], description="照片 SHA-256（先上传到 /photos）")
    note: str = Field("", description="检查说明")
    correction_reason: str = Field("", description="更正理由（更正已有结果或结果公开后必填）")


class SummaryIn(Body):
    model_config = example({"summary": "本次回访抽查 12 件需求，均确认已办结"})

    summary: str = Field("", description="结果说明")


# -- helpers ------------------------------------------------------------------------------


def _plan_county(request: Request, plan_id: UUID) -> str:
    county_id = plan_progress.plan_county(services(request).read.store, str(plan_id))
    if county_id is None:
        raise NotFound("unknown_plan", "抽查方案不存在", "no such inspection plan")
    return county_id


def _plan_body(plan_id: UUID) -> dict[str, Any]:
    return {"plan_id": str(plan_id)}


# -- 执法检查人员名录库 -------------------------------------------------------------------------


@router.post(
    "/inspectors",
    status_code=201,
    summary="登记检查人员（组织部）",
    responses=answer(InspectorAnswer, 201),
)
def register_inspector(
    body: InspectorIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.register_inspector(
        actor,
        name=body.name,
        unit_id=body.unit_id,
        unit_name=body.unit_name,
        home_community_id=body.home_community_id,
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"inspector_id": str(result.id)}, created=True)


@router.post(
    "/inspectors/{inspector_id}/retire",
    summary="检查人员退出名录（组织部）",
    responses=answer(InspectorAnswer),
)
def retire_inspector(
    inspector_id: UUID,
    body: InspectionReasonIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.retire_inspector(actor, inspector_id, body.reason)
    return command_response(request, result, {"inspector_id": str(inspector_id)})


@router.get(
    "/counties/{county_id}/inspectors",
    summary="执法检查人员名录库",
    responses=answer(list[InspectorRow]),
)
def list_inspectors(county_id: UUID, request: Request, actor: SignedIn) -> Any:
    access.require_county_reader(actor, county_id)
    return inspector_workload.list_inspectors(services(request).read.store, str(county_id))


@router.get(
    "/inspectors/{inspector_id}/assignments",
    summary="检查人员本人的检查任务",
    description="本人（督查凭证的 subject 为检查人员编号）或本县组织部、审计可查看。"
    "回访对象的群众联系方式请从需求详情 GET /needs/{order_id} 查看。",
    responses=answer(InspectorAssignments),
)
def inspector_assignments(inspector_id: UUID, request: Request, actor: SignedIn) -> Any:
    store = services(request).read.store
    row = inspector_workload.get_inspector(store, str(inspector_id))
    if row is None:
        raise NotFound("unknown_inspector", "检查人员不存在", "no such inspector")
    if not (actor.role is Role.INSPECTOR and actor.subject == str(inspector_id)):
        access.require_role(actor, Role.ORG_DEPT, Role.AUDITOR)  # not another inspector's
        access.require_county_reader(actor, UUID(row["county_id"]))
    return {
        "inspector": row,
        "assignments": inspector_workload.assignments_of(store, str(inspector_id)),
    }


# -- 党建联席会议 ---------------------------------------------------------------------------------


@router.post(
    "/communities/{community_id}/meetings",
    status_code=201,
    summary="登记党建联席会议（社区）",
    responses=answer(MeetingAnswer, 201),
)
def schedule_meeting(
    community_id: UUID,
    body: MeetingIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.schedule_meeting(
        actor,
        community_id,
        held_on=body.held_on,
        topic=body.topic,
        place=body.place,
        idempotency_key=idempotency_key,
    )
    return command_response(request, result, {"meeting_id": str(result.id)}, created=True)


@router.post(
    "/communities/{community_id}/meetings/{meeting_id}/cancel",
    summary="取消党建联席会议（社区）",
    responses=answer(MeetingAnswer),
)
def cancel_meeting(
    community_id: UUID,
    meeting_id: UUID,
    body: InspectionReasonIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.cancel_meeting(actor, community_id, meeting_id, body.reason)
    return command_response(request, result, {"meeting_id": str(meeting_id)})


@router.get(
    "/communities/{community_id}/meetings",
    summary="社区党建联席会议",
    responses=answer(list[MeetingRow]),
)
def list_meetings(community_id: UUID, request: Request, actor: SignedIn) -> Any:
    community_for_reader(request, community_id, actor)
    return inspector_workload.list_meetings(services(request).read.store, str(community_id))


# -- the plan ---------------------------------------------------------------------------------


@router.post(
    "/inspection-plans",
    status_code=201,
    summary="发布抽查方案（组织部）",
    description="一单两库一细则：检查事项、期间、分层抽样规则 n = min(N, max(m, ⌈r·N⌉))、"
    "每对象检查人员数、任务上限、冷却期、公开期限与种子生成方式；方案全文及其哈希公开。",
    responses=answer(PlanAnswer, 201),
)
def publish_plan(
    body: PlanIn,
    request: Request,
    actor: SignedIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    result = services(request).app.publish_plan(
        actor, PlanProposal(**body.model_dump()), idempotency_key
    )
    return command_response(request, result, _plan_body(result.id), created=True)


@router.get(
    "/counties/{county_id}/inspection-plans",
    summary="本县抽查方案（组织部、督查、审计）",
    responses=answer(list[PlanRow]),
)
def list_plans(county_id: UUID, request: Request, actor: SignedIn) -> Any:
    access.require_county_reader(actor, county_id)
    return plan_progress.list_plans(services(request).read.store, str(county_id), today(request))


@router.get(
    "/inspection-plans/{plan_id}",
    summary="抽查方案全过程（组织部、督查、审计）",
    description="方案、冻结的对象与人员名录哈希、承诺与揭示、种子、抽中对象与备选、"
    "检查人员分配与每次跳过的原因、替换、回避、检查结果及更正。",
    responses=answer(PlanView),
)
def get_plan(plan_id: UUID, request: Request, actor: SignedIn) -> Any:
    access.require_county_reader(actor, UUID(_plan_county(request, plan_id)))
    plan = plan_progress.get_plan(services(request).read.store, str(plan_id), today(request))
    if plan is not None and actor.role is Role.INSPECTOR and not plan_progress.revealed(plan):
        # an unannounced plan before its visits: an inspector sees what the public sees
        # and their own targets, never the others' (their home community's meetings)
        view = public_disclosure.public_plan(
            services(request).read.store, str(plan_id), today(request)
        )
        assert view is not None
        view["my_targets"] = [
            t
            for t in plan["targets"]
            if any(a["inspector_id"] == actor.subject for a in t["inspectors"])
        ]
        return view
    return plan


@router.post(
    "/inspection-plans/{plan_id}/freeze-population",
    summary="冻结检查对象名录（组织部）",
    description="从事件日志按方案条件生成检查对象名录库，记录日志位置与哈希。",
    responses=answer(PlanAnswer),
)
def freeze_population(plan_id: UUID, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.freeze_population(actor, plan_id)
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/freeze-roster",
    summary="冻结检查人员名录（组织部）",
    responses=answer(PlanAnswer),
)
def freeze_roster(plan_id: UUID, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.freeze_roster(actor, plan_id)
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/commitments",
    summary="提交种子承诺（种子提供方）",
    responses=answer(PlanAnswer),
)
def commit_seed(
    plan_id: UUID,
    body: SeedCommitmentIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.commit_seed(
        actor, plan_id, body.commitment, party=body.party or None
    )
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/reveals",
    summary="揭示种子数值（种子提供方）；最后一方揭示时即完成抽取",
    description="各方承诺齐全后揭示数值与盐，须与承诺一致；公开数值方式在其产生后按规定格式填写。"
    "最后一个数值揭示的同一次写入中完成抽取，没有人能在已知种子后再决定是否抽取。",
    responses=answer(PlanAnswer),
)
def reveal_seed(
    plan_id: UUID,
    body: RevealIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.reveal_seed(
        actor, plan_id, body.contribution, body.salt, party=body.party or None
    )
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/draw",
    summary="抽取（组织部，每个方案只能一次）",
    description="算法 cs-sha256-v1：各层按票号取最小的 n 个对象并记录备选；"
    "检查人员按各自票号分配，跳过利害关系与满额人员并记录原因。",
    responses=answer(PlanAnswer),
)
def draw(plan_id: UUID, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.draw(actor, plan_id)
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/replacements",
    summary="替换检查对象（组织部）",
    description="对象已不存在等情形，按票号顺序由本层下一个备选对象替换。",
    responses=answer(PlanAnswer),
)
def replace_target(
    plan_id: UUID,
    body: ReplacementIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.replace_target(
        actor, plan_id, body.target, body.reason, body.reason_code
    )
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/recusals",
    summary="检查人员回避（本人或组织部）",
    description="由该对象票号顺序中下一名无利害关系且未满额的检查人员递补。",
    responses=answer(PlanAnswer),
)
def recuse_inspector(
    plan_id: UUID,
    body: RecusalIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.recuse_inspector(
        actor, plan_id, body.target, body.inspector_id, body.reason, body.reason_code
    )
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/findings",
    status_code=201,
    summary="记录检查结果（被分配的检查人员）",
    description="回访须记录群众是否确认服务完成；群众否认的，该需求核定为虚假，"
    "服务时长与积分随即撤销。已有结果或结果公开后再记录即为更正，须说明理由。",
    responses=answer(PlanAnswer, 201),
)
def record_finding(
    plan_id: UUID,
    body: FindingIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    svc = services(request)
    for digest in body.photos:
        if not svc.photos.exists(digest.lower()):
            raise NotFound("unknown_photo", "照片未上传或不存在", "upload the photo first")
    result = svc.app.record_finding(
        actor,
        plan_id,
        body.target,
        conclusion=body.conclusion,
        confirmed=body.confirmed,
        stars=body.stars,
        attendance=body.attendance,
        discussed=body.discussed,
        photos=body.photos,
        note=body.note,
        correction_reason=body.correction_reason,
    )
    return command_response(request, result, _plan_body(plan_id), created=True)


@router.post(
    "/inspection-plans/{plan_id}/visits-completed",
    summary="确认不打招呼检查已完成（公开抽样结果）",
    responses=answer(PlanAnswer),
)
def complete_visits(plan_id: UUID, request: Request, actor: SignedIn) -> Any:
    result = services(request).app.complete_visits(actor, plan_id)
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/publish-results",
    summary="公开检查结果（组织部）",
    responses=answer(PlanAnswer),
)
def publish_results(
    plan_id: UUID,
    body: SummaryIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.publish_results(actor, plan_id, body.summary)
    return command_response(request, result, _plan_body(plan_id))


@router.post(
    "/inspection-plans/{plan_id}/void",
    summary="作废抽查（组织部；理由类别与隐去个人信息的理由永久公开）",
    responses=answer(PlanAnswer),
)
def void_plan(
    plan_id: UUID,
    body: VoidIn,
    request: Request,
    actor: SignedIn,
) -> Any:
    result = services(request).app.void_plan(actor, plan_id, body.reason, body.reason_code)
    return command_response(request, result, _plan_body(plan_id))


# -- the results that concern a member or a unit ---------------------------------------------


@router.get(
    "/members/{member_id}/inspections",
    summary="与本人有关的抽查结果（党员本人、所在单位、社区、组织部）",
    responses=answer(MemberInspections),
)
def member_inspections(member_id: UUID, request: Request, actor: SignedIn) -> Any:
    member_for_reader(request, member_id, actor)
    rows = public_disclosure.results_concerning(
        services(request).read.store, today(request), member_id=str(member_id)
    )
    return {"member_id": str(member_id), "results": rows}


@router.get(
    "/units/{unit_id}/inspections",
    summary="与本单位及其党员有关的抽查结果（单位、组织部）",
    responses=answer(UnitInspections),
)
def unit_inspections(unit_id: UUID, request: Request, actor: SignedIn) -> Any:
    store = services(request).read.store
    unit = directory.get_unit(store, str(unit_id))
    if unit is None:
        raise NotFound("unknown_unit", "单位不存在", "no such unit")
    access.require_read_unit(actor, unit_id=unit_id, county_id=UUID(unit["county_id"]))
    rows = public_disclosure.results_concerning(store, today(request), unit_id=str(unit_id))
    return {"unit_id": str(unit_id), "unit_name": unit["name"], "results": rows}


# -- 一公开: no login -----------------------------------------------------------------------------


CountyFilter = Annotated[UUID | None, Query(description="只看某县（区）")]


@router.get(
    "/public/inspections",
    summary="公开：随机抽查一览（无需登录）",
    description="每个抽查方案的规则与哈希、种子承诺、抽取情况、公开期限与是否逾期、作废理由。"
    "不含任何群众姓名、电话与住址；检查对象以编号表示，单位与社区另写明名称。",
    responses=answer(PublicList),
)
def public_list(request: Request, county_id: CountyFilter = None) -> Any:
    store = services(request).read.store
    county = None if county_id is None else str(county_id)
    return {"plans": public_disclosure.public_plans(store, today(request), county)}


@router.get(
    "/public/inspections/{plan_id}",
    summary="公开：一次抽查的全过程（无需登录）",
    description="方案全文与哈希、对象与人员名录哈希、承诺与揭示的数值、种子、"
    "抽中对象（编号与票号；单位写明单位名称，社区的会议、需求与党员写明社区名称，"
    "群众与党员本人不公开）、"
    "备选、检查人员姓名与单位、跳过与回避、替换、检查结论与后续处理。"
    "不打招呼检查在列席完成前只公开抽样结果的承诺值。",
    responses=answer(PublicDetail),
)
def public_detail(plan_id: UUID, request: Request) -> Any:
    view = public_disclosure.public_plan(services(request).read.store, str(plan_id), today(request))
    if view is None:
        raise NotFound("unknown_plan", "抽查方案不存在", "no such inspection plan")
    return view


# -- the pages a resident can read (templates in api/templates/public/) --------------------


@pages.get(
    "/public/inspections",
    response_class=HTMLResponse,
    summary="公开页面：随机抽查结果（无需登录，大字）",
)
def public_page(request: Request, county_id: CountyFilter = None) -> HTMLResponse:
    store = services(request).read.store
    county = None if county_id is None else str(county_id)
    plans = public_disclosure.public_plans(store, today(request), county)
    return render("public/inspections.html", title="随机抽查结果公开", plans=plans)


@pages.get(
    "/public/inspections/{plan_id}",
    response_class=HTMLResponse,
    summary="公开页面：一次抽查的详情（无需登录，大字）",
)
def public_plan_page(plan_id: UUID, request: Request) -> HTMLResponse:
    v = public_disclosure.public_plan(services(request).read.store, str(plan_id), today(request))
    if v is None:
        return render(
            "public/missing.html",
            status_code=404,
            title="没有这次抽查",
            message="没有找到这次抽查。",
            back=("/public/inspections", "返回抽查一览"),
        )
    checks = [
        ("方案哈希", v["plan_hash"]),
        ("检查对象名录哈希", v["population_hash"]),
        ("检查人员名录哈希", v["roster_hash"]),
        ("抽样结果承诺值", v["sample_commitment"]),
    ]
    checks += [(f"承诺：{party}", c) for party, c in sorted(v["commitments"].items())]
    for party, c in sorted((v.get("contributions") or {}).items()):
        checks.append((f"揭示：{party}", f"{c['contribution']}（盐 {c['salt']}）"))
    if v.get("seed"):
        checks.append(("种子", v["seed"]))
    labels = {
        t["target"]: t.get("target_label")
        for t in [*(v.get("targets") or []), *v.get("alternates", [])]
    }
    return render("public/inspection.html", title=v["title"], v=v, checks=checks, labels=labels)
