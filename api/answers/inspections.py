from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    Answer,
    ConclusionCode,
    InspectionItemCode,
    PlanStatusCode,
    SeedMethodCode,
    Written,
)


class MeetingAnswer(Written):
    meeting_id: UUID


class PlanAnswer(Written):
    plan_id: UUID


class PlanViewDocumentSeed(Answer):
    method: SeedMethodCode = Field(description="随机种子方式")
    parties: list[str] | None = Field(None, description="种子参与方")
    available_after: datetime | None = None
    example: str | None = None
    pattern: str | None = None
    source: str | None = Field(None, description="需求来源")


class PlanViewDocumentStrataLow(Answer):
    minimum: int = Field(description="最少抽取数")
    ratio: str = Field(description="抽查比例")


class PlanViewDocumentStrata(Answer):
    low: PlanViewDocumentStrataLow
    normal: PlanViewDocumentStrataLow


class PlanViewDocument(Answer):
    algorithm: str
    alternates: int = Field(description="备选数量")
    cooldown_days: int = Field(description="近期已查不再抽取的天数")
    county_id: UUID = Field(description="县（区）")
    disclosure_working_days: int = Field(description="结果公示期限（工作日）")
    extra_workdays: list[date] = Field(description="调休工作日")
    holidays: list[date] = Field(description="节假日")
    item: InspectionItemCode = Field(description="抽查事项")
    item_list_version: str
    load_cap: int = Field(description="每人最多检查对象数")
    low_rated_below: int = Field(description="低评价星级线")
    min_inspectors: int
    period: list[date]
    plan_id: UUID
    population_rules: str
    procedure: str
    reveal_within_hours: int
    schema_: str = Field(alias="schema", description="方案文件格式版本")
    seed: PlanViewDocumentSeed
    strata: PlanViewDocumentStrata
    stratify: str
    title: str = Field(description="名称")
    unannounced: int = Field(description="是否不打招呼")


class PlanViewAlternateMeeting(Answer):
    held_on: date = Field(description="会议日期")
    topic: str = Field(description="会议议题")
    place: str = Field(description="会议地点")
    cancelled: bool


class TargetFields(Answer):
    target: str = Field(description="检查对象")
    stratum: str
    ticket: str
    seq: int
    drawn: bool
    active: bool
    replaced_by: str | None = None
    replaces: str | None = None
    replace_reason: str | None = None
    replace_reason_code: str | None = None
    replaced_at: datetime | None = None
    kind: str = Field(description="类型")
    unit_name: str | None = Field(None, description="所在单位")
    target_label: str = Field(description="检查对象（中文）")
    replace_reason_label: str | None = Field(None, description="replace_reason 的中文名称")
    kind_label: str = Field(description="类型（中文）")


class DrawnTargetFields(TargetFields):
    plan_id: UUID
    order_id: UUID | None = Field(None, description="需求")
    member_id: UUID | None = Field(None, description="党员")
    unit_id: UUID | None = Field(None, description="单位")
    found_by: str | None = None
    found_at: datetime | None = None
    order_found_false: bool


class PlanViewAlternate(DrawnTargetFields):
    community_code: str | None = None
    community_id: UUID | None = Field(None, description="社区")
    meeting_id: UUID | None = None
    community_name: str | None = None
    meeting: PlanViewAlternateMeeting | None = None


class PlanViewDisclosure(Answer):
    deadline: date | None = Field(None, description="截止时间")
    published: bool
    published_at: datetime | None = None
    overdue_marked: bool
    overdue_marked_at: datetime | None = None
    late_working_days: int
    overdue: bool = Field(description="是否超期")
    label: str


class TeamMemberFields(Answer):
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    via: str
    via_label: str = Field(description="via 的中文名称")
    replaces_inspector: UUID | None = None
    active: bool
    recused: bool
    recusal_reason: str | None = None
    recusal_reason_code: str | None = None
    recusal_reason_label: str | None = Field(None, description="recusal_reason 的中文名称")
    assigned_at: datetime


class ActiveTeamMemberFields(TeamMemberFields):
    ended_at: datetime | None = None


class PlanViewTargetInspector(ActiveTeamMemberFields):
    pass


class PlanViewTargetFormerInspector(TeamMemberFields):
    ended_at: datetime


class PlanViewTargetFindingInspector(Answer):
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")


class PlanViewTargetFinding(Answer):
    plan_id: UUID
    position: int = Field(description="日志位置")
    target: str = Field(description="检查对象")
    inspector_id: UUID = Field(description="检查人员")
    co_inspectors: list[UUID]
    confirmed: bool | None = Field(None, description="群众是否确认")
    stars: int | None = Field(None, description="星级")
    attendance: int | None = Field(None, description="到会人数")
    discussed: str = Field(description="会议内容")
    photos: list[str] = Field(description="照片 SHA-256")
    conclusion: ConclusionCode = Field(description="检查结论")
    note: str = Field(description="说明")
    correction_reason: str = Field(description="更正理由")
    recorded_at: datetime
    latest: bool
    conclusion_label: str = Field(description="检查结论（中文）")
    inspector: PlanViewTargetFindingInspector


class PlanViewTarget(PlanViewAlternate):
    inspectors: list[PlanViewTargetInspector]
    former_inspectors: list[PlanViewTargetFormerInspector]
    findings: list[PlanViewTargetFinding]
    conclusion: ConclusionCode | None = Field(None, description="检查结论")
    conclusion_label: str | None = Field(None, description="检查结论（中文）")


class PlanViewSkip(Answer):
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    reason: str = Field(description="理由")
    reason_label: str = Field(description="理由（中文）")
    via: str
    via_label: str = Field(description="via 的中文名称")


class PlanViewRecusal(Answer):
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    via: str
    via_label: str = Field(description="via 的中文名称")
    replaces_inspector: UUID | None = None
    active: bool
    recused: bool
    recusal_reason: str
    recusal_reason_code: str
    recusal_reason_label: str = Field(description="recusal_reason 的中文名称")
    assigned_at: datetime
    ended_at: datetime
    replaced_by: UUID


class PlanViewReplacement(Answer):
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    replacement: str
    replacement_label: str = Field(description="replacement 的中文名称")
    reason_code: str = Field(description="理由类别")
    reason_label: str = Field(description="理由（中文）")
    reason: str = Field(description="理由")
    at: datetime = Field(description="时间")


class PlanViewConclusion(Answer):
    合格: int | None = None
    限期整改: int | None = None
    诫勉谈话: int | None = None


class PlanViewStrata(Answer):
    stratum: str
    community_name: str | None = None
    low_rated: bool
    population: int


class PlanViewMyTargetInspector(ActiveTeamMemberFields):
    pass


class PlanViewMyTarget(DrawnTargetFields):
    community_code: str
    community_id: UUID = Field(description="社区")
    meeting_id: UUID
    community_name: str
    meeting: PlanViewAlternateMeeting
    inspectors: list[PlanViewMyTargetInspector]
    former_inspectors: list[PlanViewTargetFormerInspector]
    findings: list[PlanViewTargetFinding]
    conclusion: str | None = Field(None, description="检查结论")
    conclusion_label: str | None = Field(None, description="检查结论（中文）")


class PlanFields(Answer):
    plan_id: UUID
    county_id: UUID = Field(description="县（区）")
    title: str = Field(description="名称")
    item: InspectionItemCode = Field(description="抽查事项")
    status: PlanStatusCode = Field(description="状态")
    plan_hash: str
    unannounced: bool = Field(description="是否不打招呼")
    seed_method: SeedMethodCode = Field(description="种子产生方式")
    parties: list[str] = Field(description="种子参与方")
    published_at: datetime
    population_hash: str
    excluded_count: int | None = None
    population_frozen_at: datetime | None = None
    roster_hash: str
    roster_frozen_at: datetime | None = None
    commitments: dict[str, str]
    sample_commitment: str
    drawn_at: datetime | None = None
    visits_completed: bool
    visits_completed_at: datetime | None = None
    summary: str = Field(description="结果说明")
    voided_at: datetime | None = None
    void_reason_code: str | None = None
    item_label: str = Field(description="抽查事项（中文）")
    status_label: str = Field(description="状态")
    seed_method_label: str = Field(description="种子产生方式（中文）")
    period: list[date]
    disclosure: PlanViewDisclosure
    void_reason_label: str | None = Field(None, description="void_reason 的中文名称")


class PlanPublicFields(PlanFields):
    seed: str | None = None
    void_reason: str | None = None
    county_name: str


class PlanDetailFields(PlanPublicFields):
    document: PlanViewDocument
    population_position: int | None = None
    counts: dict[str, int] | None = None
    roster_position: int | None = None
    seed_hash: str | None = None
    algorithm: str | None = None
    sizes: dict[str, int] | None = None
    replacements: list[PlanViewReplacement] | None = None
    sample_matches_commitment: bool | None = None
    strata: list[PlanViewStrata] | None = None
    plan_hash_matches: bool
    notice: str | None = None


class PlanView(PlanDetailFields):
    roster: dict[str, list[str]] | None = None
    contributions: dict[str, list[str]] | None = None
    sample: dict[str, list[list[str]]] | None = None
    alternates: list[PlanViewAlternate] | None = Field(None, description="备选数量")
    drawn_assignments: dict[str, list[UUID]] | None = None
    disclosure_deadline: date | None = None
    results_published_at: datetime | None = None
    late_working_days: int | None = None
    overdue: bool | None = Field(None, description="是否超期")
    overdue_at: datetime | None = None
    targets: list[PlanViewTarget] | None = None
    skips: list[PlanViewSkip] | None = None
    recusals: list[PlanViewRecusal] | None = None
    conclusions: PlanViewConclusion | None = None
    draw_revealed: bool | None = None
    results_published: bool | None = None
    my_targets: list[PlanViewMyTarget] | None = None


class InspectorFields(Answer):
    inspector_id: UUID = Field(description="检查人员")
    county_id: UUID = Field(description="县（区）")
    name: str = Field(description="名称/姓名")
    unit_id: UUID | None = Field(None, description="单位")
    unit_name: str = Field(description="所在单位")
    home_community_id: UUID | None = Field(None, description="所在社区")
    active: bool
    registered_at: datetime
    retired_at: datetime | None = None
    retire_reason: str | None = None


class InspectorAssignmentsInspector(InspectorFields):
    pass


class InspectorAssignmentsAssignmentCoInspector(Answer):
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")


class InspectorAssignmentsAssignment(Answer):
    plan_id: UUID
    target: str = Field(description="检查对象")
    via: str
    assigned_at: datetime
    kind: str = Field(description="类型")
    stratum: str
    seq: int
    ticket: str
    community_id: UUID | None = Field(None, description="社区")
    order_id: UUID | None = Field(None, description="需求")
    meeting_id: UUID | None = None
    member_id: UUID | None = Field(None, description="党员")
    unit_id: UUID | None = Field(None, description="单位")
    title: str = Field(description="名称")
    item: InspectionItemCode = Field(description="抽查事项")
    status: PlanStatusCode = Field(description="状态")
    unannounced: bool = Field(description="是否不打招呼")
    visits_completed: bool
    disclosure_deadline: date
    finding_recorded: bool
    item_label: str = Field(description="抽查事项（中文）")
    status_label: str = Field(description="状态")
    kind_label: str = Field(description="类型（中文）")
    meeting: PlanViewAlternateMeeting | None = None
    co_inspectors: list[InspectorAssignmentsAssignmentCoInspector]


class InspectorAssignments(Answer):
    inspector: InspectorAssignmentsInspector
    assignments: list[InspectorAssignmentsAssignment]


class InspectorRow(InspectorFields):
    pass


class MeetingRow(Answer):
    meeting_id: UUID
    community_id: UUID = Field(description="社区")
    held_on: date = Field(description="会议日期")
    topic: str = Field(description="会议议题")
    place: str = Field(description="会议地点")
    scheduled_at: datetime
    cancelled: bool
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


class PlanRow(PlanFields):
    population_position: int | None = None
    counts: dict[str, int]
    roster_position: int | None = None
    contributions: dict[str, list[str]]
    seed: str
    seed_hash: str
    algorithm: str
    sizes: dict[str, int]
    disclosure_deadline: date | None = None
    results_published_at: datetime | None = None
    late_working_days: int | None = None
    overdue: bool = Field(description="是否超期")
    overdue_at: datetime | None = None
    void_reason: str


class MemberInspectionsResultDisclosure(Answer):
    deadline: date = Field(description="截止时间")
    published: bool
    published_at: datetime
    overdue_marked: bool
    overdue_marked_at: datetime | None = None
    late_working_days: int
    overdue: bool = Field(description="是否超期")
    label: str


class FindingFields(Answer):
    conclusion: ConclusionCode = Field(description="检查结论")
    conclusion_label: str = Field(description="检查结论（中文）")
    confirmed: bool = Field(description="群众是否确认")
    attendance: int | None = Field(None, description="到会人数")
    discussed: str = Field(description="会议内容")
    note: str = Field(description="说明")
    correction_reason: str = Field(description="更正理由")
    recorded_at: datetime
    latest: bool
    inspector: PlanViewTargetFindingInspector
    photo_count: int


class MemberInspectionsResultFinding(FindingFields):
    stars: int = Field(description="星级")


class InspectionResultFields(Answer):
    plan_id: UUID
    title: str = Field(description="名称")
    item: InspectionItemCode = Field(description="抽查事项")
    item_label: str = Field(description="抽查事项（中文）")
    period: list[date]
    status: PlanStatusCode = Field(description="状态")
    status_label: str = Field(description="状态")
    drawn_at: datetime
    void_reason: str | None = None
    void_reason_label: str | None = Field(None, description="void_reason 的中文名称")
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    kind: str = Field(description="类型")
    kind_label: str = Field(description="类型（中文）")
    unit_id: UUID = Field(description="单位")
    active: bool
    replaced_by: str | None = None
    replace_reason: str | None = None
    replace_reason_label: str | None = Field(None, description="replace_reason 的中文名称")
    inspectors: list[PlanViewTargetFindingInspector]
    results_published: bool
    conclusion_label: str | None = Field(None, description="检查结论（中文）")


class MemberInspectionsResult(InspectionResultFields):
    disclosure: MemberInspectionsResultDisclosure
    order_id: UUID = Field(description="需求")
    member_id: UUID = Field(description="党员")
    member_name: str = Field(description="责任党员")
    findings: list[MemberInspectionsResultFinding]
    follow_up: str


class MemberInspections(Answer):
    member_id: UUID = Field(description="党员")
    results: list[MemberInspectionsResult] = Field(description="服务成效")


class PublicDetailContributionEntry(Answer):
    contribution: str = Field(description="种子数值")
    salt: str = Field(description="盐")


class PublicDetailTargetRecused(Answer):
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    reason_code: str = Field(description="理由类别")
    reason_label: str = Field(description="理由（中文）")
    reason: str = Field(description="理由")


class PublicDetailTargetFinding(FindingFields):
    stars: int | None = Field(None, description="星级")


class PublicDetailTarget(TargetFields):
    community_name: str | None = None
    inspectors: list[PlanViewTargetFindingInspector]
    recused: list[PublicDetailTargetRecused]
    findings: list[PublicDetailTargetFinding] | None = None
    conclusion_label: str | None = Field(None, description="检查结论（中文）")
    follow_up: str | None = None


class PublicDetailAlternate(Answer):
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    stratum: str
    ticket: str
    seq: int


class PublicDetailSkip(Answer):
    target: str = Field(description="检查对象")
    target_label: str = Field(description="检查对象（中文）")
    inspector_id: UUID = Field(description="检查人员")
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    reason: str = Field(description="理由")
    reason_label: str = Field(description="理由（中文）")


class PublicDetailRecusal(PublicDetailSkip):
    reason_code: str = Field(description="理由类别")
    replaced_by: UUID


class PublicDetailConclusion(Answer):
    合格: int
    限期整改: int | None = None
    诫勉谈话: int | None = None


class PublicDetail(PlanDetailFields):
    draw_revealed: bool
    results_published: bool
    roster: list[PlanViewTargetFindingInspector] | None = None
    contributions: dict[str, PublicDetailContributionEntry] | None = None
    targets: list[PublicDetailTarget] | None = None
    alternates: list[PublicDetailAlternate] | None = Field(None, description="备选数量")
    skips: list[PublicDetailSkip] | None = None
    recusals: list[PublicDetailRecusal] | None = None
    conclusions: PublicDetailConclusion | None = None


class PublicListPlan(PlanPublicFields):
    plan_hash_matches: bool | None = None
    draw_revealed: bool
    results_published: bool
    targets: int | None = None
    replacements: int | None = None
    conclusions: PublicDetailConclusion | None = None


class PublicList(Answer):
    plans: list[PublicListPlan]


class InspectorAnswer(Written):
    inspector_id: UUID = Field(description="检查人员")


class UnitInspectionsResultDisclosure(Answer):
    deadline: date = Field(description="截止时间")
    published: bool
    published_at: datetime | None = None
    overdue_marked: bool
    overdue_marked_at: datetime | None = None
    late_working_days: int
    overdue: bool = Field(description="是否超期")
    label: str


class UnitInspectionsResult(InspectionResultFields):
    disclosure: UnitInspectionsResultDisclosure
    order_id: UUID | None = Field(None, description="需求")
    member_id: UUID | None = Field(None, description="党员")
    member_name: str | None = Field(None, description="责任党员")
    findings: list[PublicDetailTargetFinding] | None = None
    follow_up: str | None = None


class UnitInspections(Answer):
    unit_id: UUID = Field(description="单位")
    unit_name: str = Field(description="所在单位")
    results: list[UnitInspectionsResult] = Field(description="服务成效")
