from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from api.answers.common import (
    Answer,
    GradeCode,
    SourceKindCode,
    StarCode,
    WarningLevelCode,
    Written,
)


class AwardAnswer(Written):
    award_id: UUID


class StandardsChecked(Answer):
    year: int = Field(description="年度")
    quarter: int = Field(description="季度")
    checked: int
    passed: int
    yellow: int
    red: int
    skipped: int


class CommunityEvaluationNeed(Answer):
    posted: int
    closed: int
    withdrawn: int
    found_false: int = Field(description="核定虚假")
    completion_rate: str | None = None
    rated: int
    satisfaction_rate: str | None = Field(None, description="满意率")


class MemberFiguresFields(Answer):
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    orders_solved: int = Field(description="解决问题数")
    ratings: int = Field(description="评价数")
    average_stars: str | None = Field(None, description="平均星级")
    satisfaction_rate: str | None = Field(None, description="满意率")
    urgent_solved: int
    activities: int
    task_force: int
    residents_score: str | None = Field(None, description="居民评价得分")


class CommunityEvaluationMember(MemberFiguresFields):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    unit_id: UUID = Field(description="单位")
    unit_name: str = Field(description="所在单位")
    community_id: UUID = Field(description="社区")
    reported: bool
    community_score: str | None = Field(None, description="社区评价得分")
    unit_score: str | None = Field(None, description="单位评价得分")
    overall_score: str | None = Field(None, description="综合得分")
    grade: GradeCode
    grade_label: str = Field(description="等次")
    standard_met: bool = Field(description="达到年度服务标准")
    on_track: bool
    last_check: str | None = None
    last_check_label: str | None = Field(None, description="最近季度检查")
    stars: list[str] = Field(description="星级")
    volunteer_stars: int = Field(description="志愿星级")


class CommunityEvaluationTotal(Answer):
    members: int
    members_active: int
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    standard_met: int = Field(description="达到年度服务标准")
    grades: dict[str, int]


class StandardCheckFields(Answer):
    quarter: int = Field(description="季度")
    outcome_label: str = Field(description="办结方式")
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    required_services: int
    required_hours: str
    checked_at: datetime
    report_required: bool
    report_filed_at: datetime | None = None
    position: int = Field(description="日志位置")


class CommunityEvaluationWarning(StandardCheckFields):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    unit_id: UUID = Field(description="单位")
    community_id: UUID = Field(description="社区")
    outcome: WarningLevelCode = Field(description="跟进结果")
    warning_id: UUID


class CommunityEvaluation(Answer):
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    year: int = Field(description="年度")
    needs: CommunityEvaluationNeed
    members: list[CommunityEvaluationMember]
    totals: CommunityEvaluationTotal
    warnings: list[CommunityEvaluationWarning]


class CountyEvaluationCommunityNeed(Answer):
    posted: int
    closed: int
    withdrawn: int
    found_false: int = Field(description="核定虚假")
    completion_rate: str
    rated: int
    satisfaction_rate: str = Field(description="满意率")


class CountyEvaluationCommunity(Answer):
    community_id: UUID = Field(description="社区")
    name: str = Field(description="名称/姓名")
    needs: CountyEvaluationCommunityNeed
    totals: CommunityEvaluationTotal
    yellow: int
    red: int


class CountyEvaluationTotal(Answer):
    members: int
    members_active: int
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    yellow: int
    red: int
    reports_due: int


class CountyEvaluationFormula(Answer):
    residents: str
    community: str
    unit: str
    overall: str
    grade: str


class CountyEvaluation(Answer):
    county_id: UUID = Field(description="县（区）")
    year: int = Field(description="年度")
    communities: list[CountyEvaluationCommunity]
    totals: CountyEvaluationTotal
    warnings: list[CommunityEvaluationWarning]
    formula: CountyEvaluationFormula


class EvaluationAnswer(Written):
    evaluation_id: UUID


class MemberEvaluationQuarterCommunityEvaluation(Answer):
    evaluation_id: UUID
    results: int = Field(description="服务成效")
    feedback: int = Field(description="群众反馈")
    assessment: int = Field(description="社区评价")
    score: str = Field(description="评分")
    comment: str = Field(description="评语")
    corrected: bool
    reason: str = Field(description="理由")
    by: str = Field(description="统计口径")
    recorded_at: datetime
    position: int = Field(description="日志位置")


class MemberEvaluationQuarter(MemberFiguresFields):
    quarter: int = Field(description="季度")
    community_evaluation: MemberEvaluationQuarterCommunityEvaluation | None = None
    sources: str


class MemberEvaluationYearFigure(Answer):
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    orders_solved: int = Field(description="解决问题数")
    ratings: int = Field(description="评价数")
    average_stars: str | None = Field(None, description="平均星级")
    satisfaction_rate: str | None = Field(None, description="满意率")
    urgent_solved: int
    activities: int
    task_force: int
    sources: str


class MemberEvaluationLevel(Answer):
    residents: str | None = None
    community: str | None = None
    unit: str | None = None


class MemberEvaluationUnitEvaluation(Answer):
    evaluation_id: UUID
    score: int = Field(description="评分")
    comment: str = Field(description="评语")
    corrected: bool
    by: str = Field(description="统计口径")
    recorded_at: datetime
    position: int = Field(description="日志位置")


class MemberEvaluationEvaluationHistoryCommunity(Answer):
    evaluation_id: UUID
    quarter: int = Field(description="季度")
    results: int = Field(description="服务成效")
    feedback: int = Field(description="群众反馈")
    assessment: int = Field(description="社区评价")
    comment: str = Field(description="评语")
    corrects: UUID | None = Field(None, description="所更正的评价")
    reason: str = Field(description="理由")
    by: str = Field(description="统计口径")
    recorded_at: datetime
    superseded_by: UUID | None = None
    position: int = Field(description="日志位置")


class MemberEvaluationEvaluationHistoryUnit(Answer):
    evaluation_id: UUID
    score: int = Field(description="评分")
    comment: str = Field(description="评语")
    corrects: UUID | None = Field(None, description="所更正的评价")
    reason: str = Field(description="理由")
    by: str = Field(description="统计口径")
    recorded_at: datetime
    superseded_by: UUID | None = None
    position: int = Field(description="日志位置")


class MemberEvaluationEvaluationHistory(Answer):
    community: list[MemberEvaluationEvaluationHistoryCommunity]
    unit: list[MemberEvaluationEvaluationHistoryUnit]


class MemberEvaluationStandard(Answer):
    required_services: int
    required_hours: str
    met: bool
    final: bool
    quarters_finished: int
    due_services: int
    due_hours: str
    on_track: bool
    last_checked_quarter: int | None = None


class MemberEvaluationCheck(StandardCheckFields):
    outcome: str = Field(description="跟进结果")
    warning_id: UUID | None = None


class MemberEvaluationStarFigure(Answer):
    services: str = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    orders_solved: str = Field(description="解决问题数")
    ratings: str = Field(description="评价数")
    average_stars: str = Field(description="平均星级")
    urgent_solved: str
    activities: str
    task_force: str


class MemberEvaluationStarCriteria(Answer):
    name: str = Field(description="名称/姓名")
    label: str
    required: str
    actual: str


class MemberEvaluationStar(Answer):
    award_id: UUID
    star: StarCode = Field(description="星级")
    star_label: str = Field(description="星级（中文）")
    year: int = Field(description="年度")
    figures: MemberEvaluationStarFigure
    criteria: list[MemberEvaluationStarCriteria]
    bonus_points: int
    awarded_at: datetime
    position: int = Field(description="日志位置")


class MemberEvaluation(Answer):
    member_id: UUID = Field(description="党员")
    name: str = Field(description="名称/姓名")
    unit_id: UUID = Field(description="单位")
    community_id: UUID = Field(description="社区")
    year: int = Field(description="年度")
    quarters: list[MemberEvaluationQuarter]
    year_figures: MemberEvaluationYearFigure
    levels: MemberEvaluationLevel
    unit_evaluation: MemberEvaluationUnitEvaluation | None = None
    evaluation_history: MemberEvaluationEvaluationHistory
    overall_score: str | None = Field(None, description="综合得分")
    grade: GradeCode
    grade_label: str = Field(description="等次")
    standard: MemberEvaluationStandard
    checks: list[MemberEvaluationCheck]
    stars: list[MemberEvaluationStar] = Field(description="星级")
    volunteer_stars: int = Field(description="志愿星级")
    formula: CountyEvaluationFormula


class MemberSourcesRow(Answer):
    position: int = Field(description="日志位置")
    topic: str = Field(description="会议议题")
    recorded_at: datetime
    business_date: date
    quarter: int = Field(description="季度")
    source_kind: SourceKindCode
    source_id: UUID = Field(description="来源编号")
    hours: str = Field(description="服务时长")
    services: int = Field(description="服务次数")
    solved: int = Field(description="是否解决")
    rated: int
    stars: int = Field(description="星级")
    satisfied: int
    urgent_solved: int
    activities: int
    task_force: int
    service_points: int = Field(description="服务积分变动")
    reversal: bool
    value: str | None = None


class MemberSources(Answer):
    figure: str | None = Field(None, description="指标")
    quarter: int | None = Field(None, description="季度")
    year: int = Field(description="年度")
    rows: list[MemberSourcesRow]


class PublicCommunityResultsMember(Answer):
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    orders_solved: int = Field(description="解决问题数")
    average_stars: str | None = Field(None, description="平均星级")
    grade_label: str = Field(description="等次")
    stars: list[str] = Field(description="星级")
    volunteer_stars: int = Field(description="志愿星级")


class PublicCommunityResults(Answer):
    community: str
    year: int = Field(description="年度")
    members: list[PublicCommunityResultsMember]


class PublicUnitResultsMember(Answer):
    name: str = Field(description="名称/姓名")
    unit_name: str = Field(description="所在单位")
    services: int = Field(description="服务次数")
    hours: str = Field(description="服务时长")
    orders_solved: int = Field(description="解决问题数")
    average_stars: str | None = Field(None, description="平均星级")
    grade_label: str = Field(description="等次")
    stars: list[str] = Field(description="星级")
    volunteer_stars: int = Field(description="志愿星级")


class PublicUnitResults(Answer):
    unit: str
    year: int = Field(description="年度")
    members: list[PublicUnitResultsMember]


class UnitEvaluationReporting(Answer):
    declared: int
    reported: int
    rate: str


class UnitEvaluationLivelihoodIssueOrder(Answer):
    order_id: UUID = Field(description="需求")
    content: str = Field(description="需求内容")
    closed_at: datetime = Field(description="结束时间")
    community_id: UUID = Field(description="社区")


class UnitEvaluationLivelihoodIssue(Answer):
    solved: int = Field(description="是否解决")
    standard: int
    met: bool
    orders: list[UnitEvaluationLivelihoodIssueOrder]


class UnitEvaluation(Answer):
    unit_id: UUID = Field(description="单位")
    name: str = Field(description="名称/姓名")
    year: int = Field(description="年度")
    members: list[CommunityEvaluationMember]
    totals: CommunityEvaluationTotal
    reporting: UnitEvaluationReporting
    livelihood_issues: UnitEvaluationLivelihoodIssue
    warnings: list[CommunityEvaluationWarning]


class WarningAnswer(Written):
    warning_id: UUID = Field(description="预警")
