"""What a load returns: the county id and the counts of what it loaded, with a message
in Chinese for the operator."""

from __future__ import annotations

from typing import Any

from domain.demo.county import COUNTY_NAME

COUNTS = (
    "communities",
    "grids",
    "units",
    "pairings",
    "unit_reports",
    "members",
    "approved",
    "reported",
    "pending",
    "rejected",
    "residents",
    "needs",
    "closed",
    "open",
    "activities",
    "partners",
    "catalogue_items",
    "redemptions",
    "community_evaluations",
    "warnings",
    "stars",
    "inspectors",
    "joint_meetings",
    "inspection_plans",
    "inspection_findings",
)


def new_summary() -> dict[str, Any]:
    """Nothing loaded yet: every count zero."""
    return {
        "county_id": "",
        "county": COUNTY_NAME,
        "already_loaded": False,
        **dict.fromkeys(COUNTS, 0),
    }


def mark_already_loaded(summary: dict[str, Any], county_id: str) -> None:
    summary["county_id"] = county_id
    summary["already_loaded"] = True
    summary["message"] = f"演示数据（{COUNTY_NAME}）已存在，未重复加载"


def finish(summary: dict[str, Any], closed: int, still_open: int) -> None:
    """The needs' final count, and the message."""
    summary["closed"] = closed
    summary["open"] = still_open
    summary["message"] = (
        f"已加载演示数据：{COUNTY_NAME}，{summary['communities']} 个社区，"
        f"{summary['units']} 个单位，{summary['members']} 名在职党员，"
        f"{summary['residents']} 名居民，{summary['needs']} 条民生需求，"
        f"{summary['activities']} 场活动，{summary['catalogue_items']} 个积分兑换项目，"
        f"{summary['redemptions']} 笔兑换，{summary['community_evaluations']} 份社区季度评价，"
        f"{summary['warnings']} 次预警，{summary['stars']} 颗星，"
        f"{summary['inspection_plans']} 次随机抽查（{summary['inspection_findings']} 条检查结果）"
    )
