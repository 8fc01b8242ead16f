"""One member's year, on the injected clock: services, a missed quarter, a yellow and then
a red warning, the written report, redemptions (confirmed, expired, cancelled), a false
order reversed, a star, the three levels of evaluation; every figure checked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.actors import Actor, Role
from domain.clock import ManualClock
from domain.evaluation import (
    Grade,
    Star,
    WarningLevel,
    community_quarter_score,
    grade_of,
    overall_score,
    residents_score,
)
from domain.member import Member
from domain.points import PointsAccount, RedemptionStatus, YearFigures
from tests.builders.evaluation import beijing
from tests.builders.orders import NEAR
from tests.builders.points import Points, assert_consistent, of_type
from tests.builders.world import World, full_profile


def test_a_members_year(world: World, clock: ManualClock) -> None:
    p = Points(world, clock)  # 5 January 2026: 张伟 approved
    app, staff, org = p.app, world.staff, world.org
    zhang = p.members[0]
    me = p.actor()
    full_profile(world, zhang)
    fee_item = p.list_item(kind="property_fee", name="物业费抵扣 25 元", price=50, stock=None)

    def check(year: int, quarter: int) -> dict[str, int]:
        return app.check_standards(org, year=year, quarter=quarter, member_ids=[zhang])

    def figures(until: date | None = None) -> YearFigures:
        return p.account().year_figures(2026, until)

    def account_events(kind: type) -> list[Any]:
        return of_type(list(app.events.get(p.account().id)), kind)

    # -- first quarter: two services, a redemption confirmed ------------------------------
    clock.set(beijing(2026, 1, 10))
    a = p.close(hours="2", stars=5)  # 100 + 10
    clock.set(beijing(2026, 2, 20))
    b = p.close(hours="1.5", stars=4)  # 75
    assert p.balance() == 185
    clock.set(beijing(2026, 3, 1))
    rice = app.redeem(me, zhang, p.item_id)
    clock.set(beijing(2026, 3, 2))
    app.confirm_redemption(p.partner, p.partner_id, rice.details["code"])
    assert p.balance() == 85
    clock.set(beijing(2026, 3, 25))
    q1 = app.evaluate_member(
        staff, zhang, year=2026, quarter=1, results=80, feedback=90, assessment=85
    ).id
    clock.set(beijing(2026, 4, 2))
    assert check(2026, 1)["passed"] == 1

    # -- second quarter: nothing done; the check finds the first shortfall ----------------
    clock.set(beijing(2026, 6, 28))
    q2 = app.evaluate_member(
        staff, zhang, year=2026, quarter=2, results=60, feedback=70, assessment=60
    ).id
    clock.set(beijing(2026, 7, 2))
    assert check(2026, 2)["yellow"] == 1

    # -- third quarter: an activity, a service, an expired redemption, a false order ------
    clock.set(beijing(2026, 7, 14, 9))
    activity_id, starts = p.plan(hours=3)  # 15 July
    clock.set(starts)
    app.sign_in(me, activity_id, *NEAR)
    clock.set(starts + timedelta(hours=3))
    app.confirm_activity(staff, activity_id)  # 150
    clock.set(beijing(2026, 8, 10))
    c = p.close(hours="1", stars=4)  # 50
    assert p.balance() == 285
    clock.set(beijing(2026, 8, 20))
    fee = app.redeem(me, zhang, fee_item, quantity=2)  # 100, never collected
    assert p.balance() == 185
    clock.set(beijing(2026, 8, 28))
    assert app.expire_redemptions([fee.id, rice.id]) == 1
    assert p.balance() == 285
    clock.set(beijing(2026, 9, 1))
    app.find_order_false(staff, b, "回访核实：该次服务未实际开展")
    assert p.balance() == 210
    clock.set(beijing(2026, 10, 2))
    # A + activity + C: 3 services but 6 hours of the 9 due by 30 September.
    assert check(2026, 3)["red"] == 1
    yellow, red = (e.warning_id for e in of_type(list(app.events.get(zhang)), Member.Warned))
    clock.set(beijing(2026, 10, 5))
    app.file_written_report(me, zhang, red, "第三季度单位专项任务较多，第四季度补足服务时长")

    # -- fourth quarter: catching up, a cancelled redemption, a star, the unit's view ----
    clock.set(beijing(2026, 11, 8))
    d = p.close(hours="4", stars=5)  # 200 + 10
    clock.set(beijing(2026, 11, 15))
    e = p.close(hours="2", stars=4)  # 100
    clock.set(beijing(2026, 11, 20))
    second = p.redeem()
    app.cancel_redemption(me, second, "改天再兑")
    assert p.balance() == 520
    assert p.account().volunteer_stars == 1  # 12 hours in all, after the reversal
    clock.set(beijing(2026, 12, 20))
    award = app.award_star(staff, zhang, star="tackling", year=2026).id  # A, C, D, E: urgent
    clock.set(beijing(2026, 12, 28))
    unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id)
    unit = app.evaluate_member_by_unit(unit_admin, zhang, year=2026, score=85).id
    clock.set(beijing(2027, 1, 2))
    assert check(2026, 4)["passed"] == 1

    # -- the account ------------------------------------------------------------------------
    account = assert_consistent(app, zhang)
    assert account.balance == 620 and account.owed == 0
    assert account.assessment == 110 + 150 + 50 + 210 + 100 + 100  # B reversed
    assert account.volunteer_stars == 1
    assert figures() == YearFigures(
        services=5,
        hours=Decimal(12),
        orders_solved=4,
        ratings=4,
        stars_total=18,
        satisfied=4,
        urgent_solved=4,
        activities=1,
        task_force=0,
    )
    assert figures().average_stars == Decimal("4.50")
    # As of the quarters' ends (B, found false in September, no longer counts anywhere).
    assert (figures(date(2026, 3, 31)).services, figures(date(2026, 3, 31)).hours) == (
        1,
        Decimal(2),
    )
    assert figures(date(2026, 6, 30)) == figures(date(2026, 3, 31))
    assert (figures(date(2026, 9, 30)).services, figures(date(2026, 9, 30)).hours) == (
        3,
        Decimal(6),
    )
    assert p.account().year_figures(2027).services == 0
    earned = account_events(PointsAccount.Earned)
    assert [(e_.source, e_.service_points, e_.withheld) for e_ in earned] == [
        (f"order:{a}", 110, 0),
        (f"order:{b}", 75, 0),
        (f"activity:{activity_id}", 150, 0),
        (f"order:{c}", 50, 0),
        (f"order:{d}", 210, 0),
        (f"order:{e}", 100, 0),
        (f"award:{award}", 100, 0),
    ]
    [reversal] = account_events(PointsAccount.Reversed)
    assert (reversal.source, reversal.hours, reversal.service_points, reversal.unrecovered) == (
        f"order:{b}",
        Decimal("1.5"),
        75,
        0,
    )
    held = account_events(PointsAccount.RedemptionHeld)
    returned = account_events(PointsAccount.RedemptionReturned)
    assert [h.redemption_id for h in held] == [rice.id, fee.id, second]
    assert [(r.redemption_id, r.points) for r in returned] == [(fee.id, 100), (second, 100)]
    assert [app.redemption(r).status for r in (rice.id, fee.id, second)] == [
        RedemptionStatus.CONFIRMED,
        RedemptionStatus.EXPIRED,
        RedemptionStatus.CANCELLED,
    ]
    assert app.item(p.item_id).stock == 9  # one bag of rice handed over
    # Every point earned is spendable, or was spent (the rice).
    assert account.balance + 100 == account.assessment

    # -- the member -------------------------------------------------------------------------
    member = app.member(zhang)
    assert member.reported and member.approved_on == date(2026, 1, 5)
    assert member.checked == {(2026, 1): None, (2026, 2): yellow, (2026, 3): red, (2026, 4): None}
    assert member.warnings == {
        yellow: (WarningLevel.YELLOW, 2026, False),
        red: (WarningLevel.RED, 2026, True),
    }
    assert member.community_evaluations == {(2026, 1): q1, (2026, 2): q2}
    assert member.unit_evaluations == {2026: unit}
    assert member.stars == {(Star.TACKLING, 2026): award}
    checks = of_type(list(app.events.get(zhang)), Member.StandardChecked)
    assert [
        (x.quarter, x.services, x.hours, x.required_services, x.required_hours) for x in checks
    ] == [
        (1, 2, Decimal("3.5"), 1, Decimal("3.00")),
        (4, 5, Decimal(12), 4, Decimal("12.00")),
    ]
    warned = of_type(list(app.events.get(zhang)), Member.Warned)
    assert [(x.quarter, x.level, x.services, x.hours) for x in warned] == [
        (2, WarningLevel.YELLOW, 2, Decimal("3.5")),
        (3, WarningLevel.RED, 3, Decimal(6)),
    ]

    # -- the year's evaluation, from the same figures and the formulas -------------------
    policy = app.policy(world.county_id)
    residents = residents_score(figures().average_stars, policy)
    community = (
        community_quarter_score(80, 90, 85, policy) + community_quarter_score(60, 70, 60, policy)
    ) / 2
    assert (residents, community) == (Decimal("90.00"), Decimal("73.75"))
    overall = overall_score(residents, community, Decimal(85), policy)
    assert overall == Decimal("82.00")
    standard_met = figures().services >= 4 and figures().hours >= 12
    assert grade_of(overall, standard_met, policy) is Grade.GOOD
