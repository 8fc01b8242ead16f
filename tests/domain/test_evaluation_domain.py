"""双评价: the community's quarterly and the unit's annual evaluations, the quarterly check
of the annual standard (yellow, red, written report), stars, and the formulas."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.actors import OPERATOR, Actor, Role
from domain.calendar import quarter_end
from domain.clock import ManualClock
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.evaluation import (
    Grade,
    Star,
    WarningLevel,
    community_quarter_score,
    grade_of,
    overall_score,
    quarters_in_year,
    required_by,
    residents_score,
    star_criteria,
)
from domain.member import Member
from domain.points import PointsAccount, SourceKind, account_id
from domain.policies import DEFAULT_POLICY
from tests.builders.evaluation import beijing
from tests.builders.points import Points, of_type
from tests.builders.world import World, full_profile, refused


class Evaluated(Points):
    """Two approved members: 张伟 (0) has reported (三亮 complete), 李娜 (1) has not."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        super().__init__(world, clock)
        full_profile(world, self.members[0])
        assert self.app.member(self.members[0]).reported
        self.org = world.org
        self.unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id)

    def evaluate(self, member: int = 0, **kw: Any) -> UUID:
        args: dict[str, Any] = {
            "year": 2026,
            "quarter": 1,
            "results": 80,
            "feedback": 90,
            "assessment": 85,
            "comment": "服务积极",
        }
        args.update(kw)
        return self.app.evaluate_member(self.world.staff, self.members[member], **args).id

    def check(self, quarter: int, *members: int, year: int = 2026) -> dict[str, int]:
        ids = [self.members[m] for m in (members or (0, 1))]
        return self.app.check_standards(self.org, year=year, quarter=quarter, member_ids=ids)

    def member_events(self, member: int, kind: type) -> list[Any]:
        return of_type(list(self.app.events.get(self.members[member])), kind)


@pytest.fixture
def ev(world: World, clock: ManualClock) -> Evaluated:
    return Evaluated(world, clock)


# -- level 2: the community's quarterly evaluation ---------------------------------------


def test_the_community_evaluates_a_reported_member(ev: Evaluated) -> None:
    evaluation_id = ev.evaluate(results=80, feedback=90, assessment=85)
    member = ev.app.member(ev.members[0])
    assert member.community_evaluations == {(2026, 1): evaluation_id}
    [e] = ev.member_events(0, Member.CommunityEvaluated)
    assert (e.evaluation_id, e.community_id, e.year, e.quarter) == (
        evaluation_id,
        ev.world.community_id,
        2026,
        1,
    )
    assert (e.results, e.feedback, e.assessment, e.corrects, e.by) == (
        80,
        90,
        85,
        None,
        ev.world.staff.ref,
    )
    assert community_quarter_score(e.results, e.feedback, e.assessment, DEFAULT_POLICY) == (
        Decimal("84.50")
    )


def test_a_member_not_reported_is_not_evaluated(ev: Evaluated) -> None:
    with refused(ev.app, Conflict, "member_not_reported"):
        ev.evaluate(member=1)


@pytest.mark.parametrize(
    "scores",
    [
        {"results": 101},
        {"feedback": -1},
        {"assessment": True},
        {"results": 80.5},
        {"results": "80"},
    ],
)
def test_scores_out_of_range_are_refused(ev: Evaluated, scores: dict[str, Any]) -> None:
    with refused(ev.app, InvalidInput, "score_out_of_range"):
        ev.evaluate(**scores)


TEN_POINT_SCALE = {
    "evaluation_max_score": 10,
    "grade_excellent_min": 9,
    "grade_good_min": 7,
    "grade_pass_min": 6,
}


def test_the_scale_follows_the_policy(ev: Evaluated) -> None:
    ev.app.change_policy(ev.org, ev.world.county_id, TEN_POINT_SCALE, "十分制")
    with refused(ev.app, InvalidInput, "score_out_of_range"):
        ev.evaluate(results=11, feedback=5, assessment=5)
    ev.evaluate(results=10, feedback=0, assessment=5)


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ({"quarter": 0}, "invalid_quarter"),
        ({"quarter": 5}, "invalid_quarter"),
        ({"year": 1999}, "invalid_year"),
        ({"year": 2027}, "invalid_year"),
        ({"quarter": 2}, "period_in_future"),  # it is January
    ],
)
def test_the_period_must_have_begun(ev: Evaluated, period: dict[str, int], code: str) -> None:
    with refused(ev.app, InvalidInput, code):
        ev.evaluate(**period)


def test_a_past_period_may_be_evaluated(ev: Evaluated) -> None:
    ev.evaluate(year=2025, quarter=4)
    assert (2025, 4) in ev.app.member(ev.members[0]).community_evaluations


def test_a_second_evaluation_must_be_a_correction_with_a_reason(ev: Evaluated) -> None:
    first = ev.evaluate()
    with refused(ev.app, Conflict, "already_evaluated"):
        ev.evaluate(results=60)
    with pytest.raises(Conflict) as caught:
        ev.evaluate(results=60)
    assert caught.value.details == {"evaluation_id": str(first)}
    with refused(ev.app, Conflict, "corrects_superseded"):
        ev.evaluate(results=60, corrects=uuid4(), reason="录入错误")
    with refused(ev.app, InvalidInput, "reason_required"):
        ev.evaluate(results=60, corrects=first)
    with refused(ev.app, InvalidInput, "reason_required"):
        ev.evaluate(results=60, corrects=first, reason="   ")
    second = ev.evaluate(results=60, corrects=first, reason="服务成效录入错误")
    assert ev.app.member(ev.members[0]).community_evaluations == {(2026, 1): second}
    # The first is no longer in force: only the current one can be corrected.
    with refused(ev.app, Conflict, "corrects_superseded"):
        ev.evaluate(results=70, corrects=first, reason="再次更正")
    ev.evaluate(results=70, corrects=second, reason="再次更正")
    events = ev.member_events(0, Member.CommunityEvaluated)
    assert [(e.results, e.corrects) for e in events] == [(80, None), (60, first), (70, second)]
    # Another quarter is evaluated separately; correcting where there is nothing is refused.
    with refused(ev.app, Conflict, "nothing_to_correct"):
        ev.evaluate(year=2025, quarter=4, corrects=first, reason="更正")


def test_only_the_members_community_evaluates(ev: Evaluated) -> None:
    with refused(ev.app, Forbidden, "not_your_community"):
        ev.app.evaluate_member(
            ev.world.other_staff,
            ev.members[0],
            year=2026,
            quarter=1,
            results=1,
            feedback=1,
            assessment=1,
        )
    for actor in (ev.unit_admin, ev.org, ev.actor(0)):
        with refused(ev.app, Forbidden, "forbidden_role"):
            ev.app.evaluate_member(
                actor, ev.members[0], year=2026, quarter=1, results=1, feedback=1, assessment=1
            )
    with refused(ev.app, NotFound, "unknown_member"):
        ev.app.evaluate_member(
            ev.world.staff, uuid4(), year=2026, quarter=1, results=1, feedback=1, assessment=1
        )


# -- level 3: the unit's annual evaluation -----------------------------------------------


def test_the_unit_evaluates_its_own_member_once_a_year(ev: Evaluated) -> None:
    first = ev.app.evaluate_member_by_unit(
        ev.unit_admin, ev.members[1], year=2026, score=88, comment="工作认真"
    ).id
    assert ev.app.member(ev.members[1]).unit_evaluations == {2026: first}
    [e] = ev.member_events(1, Member.UnitEvaluated)
    assert (e.unit_id, e.year, e.score, e.by) == (ev.world.unit_id, 2026, 88, ev.unit_admin.ref)
    with refused(ev.app, Conflict, "already_evaluated"):
        ev.app.evaluate_member_by_unit(ev.unit_admin, ev.members[1], year=2026, score=70)
    with refused(ev.app, InvalidInput, "reason_required"):
        ev.app.evaluate_member_by_unit(
            ev.unit_admin, ev.members[1], year=2026, score=70, corrects=first
        )
    second = ev.app.evaluate_member_by_unit(
        ev.unit_admin, ev.members[1], year=2026, score=70, corrects=first, reason="复核"
    ).id
    assert ev.app.member(ev.members[1]).unit_evaluations == {2026: second}
    with refused(ev.app, InvalidInput, "score_out_of_range"):
        ev.app.evaluate_member_by_unit(ev.unit_admin, ev.members[1], year=2025, score=101)
    with refused(ev.app, InvalidInput, "invalid_year"):
        ev.app.evaluate_member_by_unit(ev.unit_admin, ev.members[1], year=2027, score=90)


def test_only_the_members_unit_evaluates(ev: Evaluated) -> None:
    other_unit = Actor(Role.UNIT_ADMIN, "医院党办", ev.world.other_unit_id)
    with refused(ev.app, Forbidden, "not_your_member"):
        ev.app.evaluate_member_by_unit(other_unit, ev.members[0], year=2026, score=90)
    for actor in (ev.world.staff, ev.org, ev.actor(0)):
        with refused(ev.app, Forbidden, "forbidden_role"):
            ev.app.evaluate_member_by_unit(actor, ev.members[0], year=2026, score=90)


def test_a_member_not_approved_is_not_evaluated_by_the_unit(ev: Evaluated) -> None:
    pending = ev.world.register(name="王芳", phone="13800002000")
    with refused(ev.app, Conflict, "not_approved"):
        ev.app.evaluate_member_by_unit(ev.unit_admin, pending, year=2026, score=90)


# -- the quarterly check of the annual standard ------------------------------------------


def test_a_quarter_is_checked_only_once_it_is_over(ev: Evaluated) -> None:
    ev.clock.set(beijing(2026, 3, 31, 23, 59))
    with refused(ev.app, Conflict, "quarter_not_over"):
        ev.check(1)
    ev.clock.set(beijing(2026, 4, 1, 0, 0))
    assert ev.check(1)["checked"] == 2


@pytest.mark.parametrize(
    ("period", "code"),
    [({"quarter": 0}, "invalid_quarter"), ({"quarter": 5}, "invalid_quarter")],
)
def test_the_check_needs_a_quarter(ev: Evaluated, period: dict[str, int], code: str) -> None:
    with refused(ev.app, InvalidInput, code):
        ev.app.check_standards(ev.org, year=2025, member_ids=ev.members, **period)


def test_only_the_county_checks_its_members(ev: Evaluated) -> None:
    ev.clock.set(beijing(2026, 4, 2))
    for actor in (ev.world.staff, ev.unit_admin, ev.actor(0)):
        with refused(ev.app, Forbidden, "forbidden_role"):
            ev.app.check_standards(actor, year=2026, quarter=1, member_ids=ev.members)
    county = ev.app.register_county(OPERATOR, name="阳城县", code="YC").id
    other_org = Actor(Role.ORG_DEPT, "阳城组织部", county)
    with refused(ev.app, Forbidden, "not_your_county"):
        ev.app.check_standards(other_org, year=2026, quarter=1, member_ids=ev.members)


def test_shortfalls_warn_yellow_then_red_and_passes_are_recorded(ev: Evaluated) -> None:
    # 李娜 serves 1 time for 3 hours in the first quarter: exactly the pro-rated standard.
    ev.close(hours="3", stars=4, member=1)
    ev.clock.set(beijing(2026, 4, 2))
    counts = ev.check(1)
    assert counts == {"checked": 2, "passed": 1, "yellow": 1, "red": 0, "skipped": 0}
    [passed] = ev.member_events(1, Member.StandardChecked)
    assert (passed.year, passed.quarter, passed.services, passed.hours) == (2026, 1, 1, Decimal(3))
    assert (passed.required_services, passed.required_hours) == (1, Decimal("3.00"))
    [yellow] = ev.member_events(0, Member.Warned)
    assert yellow.level is WarningLevel.YELLOW and yellow.unit_id == ev.world.unit_id
    assert (yellow.services, yellow.hours, yellow.required_services, yellow.required_hours) == (
        0,
        Decimal(0),
        1,
        Decimal("3.00"),
    )
    # Running the same quarter again reaches nobody; a member named twice counts once.
    before = ev.app.recorder.max_notification_id()
    again = ev.app.check_standards(
        ev.org, year=2026, quarter=1, member_ids=[ev.members[0], ev.members[1], ev.members[0]]
    )
    assert again == {"checked": 0, "passed": 0, "yellow": 0, "red": 0, "skipped": 2}
    assert ev.app.recorder.max_notification_id() == before
    # Second quarter: nobody did anything more; 李娜 is now short (yellow, her first),
    # 张伟 is short a second time (red).
    ev.clock.set(beijing(2026, 7, 2))
    assert ev.check(2) == {"checked": 2, "passed": 0, "yellow": 1, "red": 1, "skipped": 0}
    levels = [(e.quarter, e.level) for e in ev.member_events(0, Member.Warned)]
    assert levels == [(1, WarningLevel.YELLOW), (2, WarningLevel.RED)]
    [her] = ev.member_events(1, Member.Warned)
    assert (her.level, her.required_services, her.required_hours) == (
        WarningLevel.YELLOW,
        2,
        Decimal("6.00"),
    )
    # A third shortfall is red again.
    ev.clock.set(beijing(2026, 10, 2))
    ev.check(3, 0)
    levels = [(e.quarter, e.level) for e in ev.member_events(0, Member.Warned)]
    assert levels[-1] == (3, WarningLevel.RED)
    member = ev.app.member(ev.members[0])
    assert set(member.checked) == {(2026, 1), (2026, 2), (2026, 3)}
    # A new year starts again from yellow.
    ev.clock.set(beijing(2027, 4, 2))
    ev.check(1, 0, year=2027)
    assert ev.member_events(0, Member.Warned)[-1].level is WarningLevel.YELLOW


def test_the_check_counts_only_the_year_up_to_the_quarters_end(ev: Evaluated) -> None:
    ev.clock.set(beijing(2026, 4, 3))
    ev.close(hours="3", stars=4)  # in the second quarter, before the check of the first
    ev.close(hours="3", stars=4)
    assert ev.check(1, 0)["yellow"] == 1
    ev.clock.set(beijing(2026, 7, 3))
    ev.close(hours="3", stars=4)  # in the third quarter, before the check of the second
    assert ev.check(2, 0)["passed"] == 1
    [checked] = ev.member_events(0, Member.StandardChecked)
    assert (checked.quarter, checked.services, checked.hours) == (2, 2, Decimal(6))
    assert (checked.required_services, checked.required_hours) == (2, Decimal("6.00"))


def test_reversed_hours_do_not_count_in_the_check(ev: Evaluated) -> None:
    order_id = ev.close(hours="3", stars=4)
    ev.app.find_order_false(ev.world.staff, order_id, "核定虚假")
    ev.clock.set(beijing(2026, 4, 2))
    assert ev.check(1, 0)["yellow"] == 1


def test_activities_count_in_the_check(ev: Evaluated) -> None:
    from tests.builders.orders import NEAR

    activity_id, starts = ev.plan(hours=3)
    ev.clock.set(starts)
    ev.app.sign_in(ev.actor(0), activity_id, *NEAR)
    ev.clock.set(starts + timedelta(hours=3))
    ev.app.confirm_activity(ev.world.staff, activity_id)
    ev.clock.set(beijing(2026, 4, 2))
    assert ev.check(1, 0)["passed"] == 1


def test_the_standard_is_pro_rated_from_the_quarter_of_approval(ev: Evaluated) -> None:
    ev.clock.set(beijing(2026, 8, 10))
    late = ev.world.register(name="赵强", phone="13800003000")
    ev.app.review_member(ev.world.staff, late, approve=True)
    ids = [late]
    # Not a member yet in the second quarter: skipped, nothing recorded.
    counts = ev.app.check_standards(ev.org, year=2026, quarter=2, member_ids=ids)
    assert counts["skipped"] == 1 and counts["checked"] == 0
    assert ev.app.member(late).checked == {}
    ev.clock.set(beijing(2026, 10, 2))
    ev.app.check_standards(ev.org, year=2026, quarter=3, member_ids=ids)
    ev.clock.set(beijing(2027, 1, 2))
    ev.app.check_standards(ev.org, year=2026, quarter=4, member_ids=ids)
    warned = of_type(list(ev.app.events.get(late)), Member.Warned)
    assert [(e.quarter, e.required_services, e.required_hours, e.level) for e in warned] == [
        (3, 1, Decimal("3.00"), WarningLevel.YELLOW),
        (4, 2, Decimal("6.00"), WarningLevel.RED),
    ]
    # Members approved the year before answer for every quarter.
    ev.clock.set(beijing(2027, 4, 2))
    ev.app.check_standards(ev.org, year=2027, quarter=1, member_ids=ids)
    assert of_type(list(ev.app.events.get(late)), Member.Warned)[-1].required_hours == Decimal(
        "3.00"
    )


def test_the_quarter_of_approval_is_the_beijing_date(ev: Evaluated) -> None:
    """Approved at 00:30 on 1 April in Beijing (16:30 UTC on 31 March): a member from the
    second quarter, not answerable for the first."""
    ev.clock.set(beijing(2026, 4, 1, 0, 30))
    late = ev.world.register(name="赵强", phone="13800003000")
    ev.app.review_member(ev.world.staff, late, approve=True)
    assert ev.app.member(late).approved_on == date(2026, 4, 1)
    ev.clock.set(beijing(2026, 4, 2))
    counts = ev.app.check_standards(ev.org, year=2026, quarter=1, member_ids=[late])
    assert counts["skipped"] == 1


def test_a_quarter_begun_in_beijing_may_be_evaluated(ev: Evaluated) -> None:
    ev.clock.set(beijing(2026, 4, 1, 0, 30))  # still 31 March in UTC
    ev.evaluate(quarter=2)
    assert (2026, 2) in ev.app.member(ev.members[0]).community_evaluations


# -- the written report after a red warning ----------------------------------------------


def red_and_yellow(ev: Evaluated) -> tuple[UUID, UUID]:
    ev.clock.set(beijing(2026, 4, 2))
    ev.check(1, 0)
    ev.clock.set(beijing(2026, 7, 2))
    ev.check(2, 0)
    yellow, red = (e.warning_id for e in ev.member_events(0, Member.Warned))
    return yellow, red


def test_a_written_report_follows_a_red_warning_once(ev: Evaluated) -> None:
    yellow, red = red_and_yellow(ev)
    member_id = ev.members[0]
    with refused(ev.app, Conflict, "report_not_required"):
        ev.app.file_written_report(ev.actor(0), member_id, yellow, "情况说明")
    with refused(ev.app, NotFound, "unknown_warning"):
        ev.app.file_written_report(ev.actor(0), member_id, uuid4(), "情况说明")
    with refused(ev.app, InvalidInput, "empty_text"):
        ev.app.file_written_report(ev.actor(0), member_id, red, "  ")
    with refused(ev.app, Forbidden, "not_your_profile"):
        ev.app.file_written_report(ev.actor(1), member_id, red, "代写")
    with refused(ev.app, Forbidden, "forbidden_role"):
        ev.app.file_written_report(ev.world.staff, member_id, red, "社区代交")
    ev.app.file_written_report(ev.actor(0), member_id, red, "上半年单位任务重，下半年补足服务")
    [filed] = ev.member_events(0, Member.WrittenReportFiled)
    assert (filed.warning_id, filed.by) == (red, ev.actor(0).ref)
    assert ev.app.member(member_id).warnings[red] == (WarningLevel.RED, 2026, True)
    with refused(ev.app, Conflict, "report_already_filed"):
        ev.app.file_written_report(ev.actor(0), member_id, red, "再交一份")
    with refused(ev.app, Conflict, "report_already_filed"):
        ev.app.file_written_report(ev.org, member_id, red, "组织部代录")


def test_the_county_may_file_the_report_for_the_member(ev: Evaluated) -> None:
    _, red = red_and_yellow(ev)
    ev.app.file_written_report(ev.org, ev.members[0], red, "纸质报告，组织部代录")
    assert ev.app.member(ev.members[0]).warnings[red][2] is True


# -- stars -------------------------------------------------------------------------------


def test_a_star_is_refused_with_the_figures_when_the_criteria_are_not_met(
    ev: Evaluated,
) -> None:
    ev.close(hours="3", stars=5)
    with refused(ev.app, Conflict, "star_criteria_not_met"):
        ev.app.award_star(ev.world.staff, ev.members[0], star="pioneer", year=2026)
    with pytest.raises(Conflict) as caught:
        ev.app.award_star(ev.world.staff, ev.members[0], star="pioneer", year=2026)
    assert caught.value.details == {
        "criteria": [
            {"name": "hours", "label": "服务时长（小时）", "required": "24.00", "actual": "3.00"},
            {"name": "services", "label": "服务次数", "required": "8", "actual": "1"},
        ]
    }
    message = caught.value.message_zh
    assert "服务时长（小时）为 3.00，标准为 24.00" in message and "hours" not in message


def test_a_star_met_is_awarded_with_its_bonus_points(ev: Evaluated) -> None:
    for _ in range(3):  # urgent needs (the Loop posts them urgent), solved
        ev.close(hours="1", stars=5)
    balance = ev.balance()
    assert balance == 3 * 60
    result = ev.app.award_star(ev.world.staff, ev.members[0], star="tackling", year=2026)
    [awarded] = ev.member_events(0, Member.StarAwarded)
    assert (awarded.award_id, awarded.star, awarded.year, awarded.bonus_points) == (
        result.id,
        Star.TACKLING,
        2026,
        100,
    )
    assert awarded.criteria == (("urgent_solved_and_task_force", "3", "3"),)
    assert dict(awarded.figures)["urgent_solved"] == "3"
    assert dict(awarded.figures)["average_stars"] == "5.00"
    assert ev.app.member(ev.members[0]).stars == {(Star.TACKLING, 2026): result.id}
    account = ev.account()
    assert account.balance == balance + 100
    [bonus] = [
        e
        for e in ev.app.events.get(account_id(ev.members[0]))
        if isinstance(e, PointsAccount.Earned) and e.source_kind is SourceKind.AWARD
    ]
    assert bonus.source == f"award:{result.id}" and bonus.source_id == result.id
    assert (bonus.hours, bonus.services, bonus.bonus_points, bonus.service_points) == (
        Decimal(0),
        0,
        100,
        100,
    )
    # The award's points change no service figure.
    figures = account.year_figures(2026)
    assert (figures.services, figures.hours) == (3, Decimal(3))
    # Once a year per star.
    with refused(ev.app, Conflict, "star_already_awarded"):
        ev.app.award_star(ev.world.staff, ev.members[0], star="tackling", year=2026)


def test_different_stars_and_the_communitys_bonus(ev: Evaluated) -> None:
    ev.app.change_policy(
        ev.org,
        ev.world.county_id,
        {"star_caring_min_ratings": 2, "star_tackling_min_services": 2},
        "试点标准",
    )
    ev.app.set_points_rules(
        ev.world.staff, ev.world.community_id, {"star_award_bonus_points": 30}, "社区推荐分"
    )
    ev.close(hours="1", stars=5)
    ev.close(hours="1", stars=4)
    ev.app.award_star(ev.world.staff, ev.members[0], star="caring", year=2026)  # avg 4.5
    ev.app.award_star(ev.world.staff, ev.members[0], star="tackling", year=2026)
    awarded = ev.member_events(0, Member.StarAwarded)
    assert [(e.star, e.bonus_points) for e in awarded] == [(Star.CARING, 30), (Star.TACKLING, 30)]
    assert awarded[0].criteria == (("ratings", "2", "2"), ("average_stars", "4.5", "4.50"))
    assert ev.balance() == 60 + 50 + 30 + 30


def test_stars_are_awarded_by_the_members_community_for_a_year_begun(ev: Evaluated) -> None:
    with refused(ev.app, Forbidden, "not_your_community"):
        ev.app.award_star(ev.world.other_staff, ev.members[0], star="pioneer", year=2026)
    with refused(ev.app, Forbidden, "forbidden_role"):
        ev.app.award_star(ev.org, ev.members[0], star="pioneer", year=2026)
    with refused(ev.app, InvalidInput, "invalid_star"):
        ev.app.award_star(ev.world.staff, ev.members[0], star="gold", year=2026)
    with refused(ev.app, InvalidInput, "invalid_year"):
        ev.app.award_star(ev.world.staff, ev.members[0], star="pioneer", year=2027)
    pending = ev.world.register(name="王芳", phone="13800002000")
    with refused(ev.app, Conflict, "not_approved"):
        ev.app.award_star(ev.world.staff, pending, star="pioneer", year=2026)


def test_a_star_for_last_year_counts_last_years_figures(ev: Evaluated) -> None:
    ev.app.change_policy(ev.org, ev.world.county_id, {"star_tackling_min_services": 1}, "试点")
    ev.close(hours="1", stars=5)  # 2026
    with refused(ev.app, Conflict, "star_criteria_not_met"):
        ev.app.award_star(ev.world.staff, ev.members[0], star="tackling", year=2025)
    ev.clock.set(beijing(2027, 1, 10))
    ev.app.award_star(ev.world.staff, ev.members[0], star="tackling", year=2026)
    # The bonus is earned on the day of the award, in 2027; 2026's figures are unchanged.
    bonus = [
        e
        for e in ev.app.events.get(account_id(ev.members[0]))
        if isinstance(e, PointsAccount.Earned) and e.source_kind is SourceKind.AWARD
    ]
    assert [e.business_date for e in bonus] == [date(2027, 1, 10)]


def test_an_award_with_an_idempotency_key_is_made_once(ev: Evaluated) -> None:
    ev.app.change_policy(ev.org, ev.world.county_id, {"star_tackling_min_services": 1}, "试点")
    ev.close(hours="1", stars=5)
    first = ev.app.award_star(
        ev.world.staff, ev.members[0], star="tackling", year=2026, idempotency_key="star-1"
    )
    again = ev.app.award_star(
        ev.world.staff, ev.members[0], star="tackling", year=2026, idempotency_key="star-1"
    )
    assert again.replayed and again.id == first.id
    assert ev.balance() == 60 + 100


# -- the formulas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "quarter", "end"),
    [
        (2026, 1, date(2026, 3, 31)),
        (2026, 2, date(2026, 6, 30)),
        (2026, 3, date(2026, 9, 30)),
        (2026, 4, date(2026, 12, 31)),
        (2024, 1, date(2024, 3, 31)),
    ],
)
def test_quarter_end(year: int, quarter: int, end: date) -> None:
    assert quarter_end(year, quarter) == end


@pytest.mark.parametrize(
    ("quarters", "services", "hours"),
    [
        (0, 0, "0.00"),
        (1, 1, "3.00"),
        (2, 2, "6.00"),
        (3, 3, "9.00"),
        (4, 4, "12.00"),
        (5, 4, "12.00"),
        (-1, 0, "0.00"),
    ],
)
def test_required_by_pro_rates_the_annual_standard(
    quarters: int, services: int, hours: str
) -> None:
    assert required_by(DEFAULT_POLICY, quarters) == (services, Decimal(hours))


def test_required_by_rounds_services_up_and_keeps_hours_exact() -> None:
    policy = DEFAULT_POLICY.with_overrides(
        {
            "member_annual_min_services": 5,
            "member_annual_min_hours": 13,
            "default_committed_hours": 13,
        }
    )
    assert required_by(policy, 1) == (2, Decimal("3.25"))
    assert required_by(policy, 3) == (4, Decimal("9.75"))


@pytest.mark.parametrize(
    ("quarter", "approved_on", "expected"),
    [
        (4, None, 0),
        (1, date(2025, 11, 1), 1),
        (4, date(2025, 11, 1), 4),
        (1, date(2026, 1, 1), 1),
        (4, date(2026, 3, 31), 4),
        (4, date(2026, 4, 1), 3),
        (4, date(2026, 8, 10), 2),
        (2, date(2026, 8, 10), 0),
        (4, date(2027, 1, 1), 0),
    ],
)
def test_quarters_in_year(quarter: int, approved_on: date | None, expected: int) -> None:
    assert quarters_in_year(2026, quarter, approved_on) == expected


def test_residents_and_overall_scores() -> None:
    p = DEFAULT_POLICY
    assert residents_score(None, p) is None
    assert residents_score(Decimal("4.50"), p) == Decimal("90.00")
    assert residents_score(Decimal("5"), p) == Decimal("100.00")
    assert overall_score(None, None, None, p) is None
    # All three levels: 0.3 × 90 + 0.4 × 80 + 0.3 × 70 = 80.
    assert overall_score(Decimal(90), Decimal(80), Decimal(70), p) == Decimal("80.00")
    # A level with no score yet leaves its weight to the others: (0.3 × 90 + 0.4 × 80) / 0.7.
    assert overall_score(Decimal(90), Decimal(80), None, p) == Decimal("84.29")
    assert overall_score(None, None, Decimal(70), p) == Decimal("70.00")


@pytest.mark.parametrize(
    ("score", "met", "grade"),
    [
        (None, True, Grade.NONE),
        (Decimal(95), True, Grade.EXCELLENT),
        (Decimal(90), True, Grade.EXCELLENT),
        (Decimal("89.99"), True, Grade.GOOD),
        (Decimal(75), True, Grade.GOOD),
        (Decimal(95), False, Grade.PASS),  # below the standard: at best 合格
        (Decimal(60), True, Grade.PASS),
        (Decimal("59.99"), True, Grade.FAIL),
        (Decimal(0), False, Grade.FAIL),
    ],
)
def test_grades(score: Decimal | None, met: bool, grade: Grade) -> None:
    assert grade_of(score, met, DEFAULT_POLICY) is grade


def test_grades_follow_the_scale() -> None:
    """On a ten-point scale the thresholds are points of that scale (the policy keeps
    them at or below the maximum score)."""
    with pytest.raises(InvalidInput) as caught:
        DEFAULT_POLICY.with_overrides({"evaluation_max_score": 10})
    assert caught.value.code == "inconsistent_policy"
    policy = DEFAULT_POLICY.with_overrides(TEN_POINT_SCALE)
    assert grade_of(Decimal("9.5"), True, policy) is Grade.EXCELLENT
    assert grade_of(Decimal("7.2"), True, policy) is Grade.GOOD
    assert grade_of(Decimal("6.5"), True, policy) is Grade.PASS
    assert grade_of(Decimal("5.9"), True, policy) is Grade.FAIL
    assert grade_of(residents_score(Decimal("2.5"), policy), True, policy) is Grade.FAIL
    assert residents_score(Decimal("4.5"), policy) == Decimal("9.00")


def test_star_criteria_name_each_figure() -> None:
    p = DEFAULT_POLICY
    figures: dict[str, Any] = {
        "hours": Decimal(24),
        "services": 7,
        "ratings": 5,
        "average_stars": None,
        "urgent_solved": 2,
        "task_force": 1,
        "activities": 4,
    }
    pioneer = star_criteria(Star.PIONEER, **figures, policy=p)
    assert [(c.name, c.met) for c in pioneer] == [("hours", True), ("services", False)]
    caring = star_criteria(Star.CARING, **figures, policy=p)
    assert [(c.name, c.actual, c.met) for c in caring] == [
        ("ratings", Decimal(5), True),
        ("average_stars", Decimal(0), False),
    ]
    [tackling] = star_criteria(Star.TACKLING, **figures, policy=p)
    assert tackling.actual == 3 and tackling.met
    [service] = star_criteria(Star.SERVICE, **figures, policy=p)
    assert service.actual == 4 and service.met
