"""三级联评 scenes, and a plain recomputation of every figure from the log to hold the
views against."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from domain.actors import PUBLIC, Actor, Role
from domain.application import Commitment, Identity, NeedInput, Sishuang, Skills
from domain.calendar import BEIJING, business_date
from domain.clock import ManualClock
from domain.county import County
from domain.evaluation import (
    WarningLevel,
    community_quarter_score,
    grade_of,
    overall_score,
    quarters_in_year,
    required_by,
    residents_score,
)
from domain.member import Member
from domain.order import Order
from domain.points import PointsAccount, SourceKind, account_id
from domain.policies import DEFAULT_POLICY
from domain.values import Solved
from projections import ReadModels, directory, evaluation, members
from projections.store import ReadStore
from tests.builders.orders import NEAR, PLACE, Loop
from tests.builders.world import World


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


YEAR = 2026


TWO = Decimal("0.01")


# The county's new weights in (d): levels 0.5 / 0.25 / 0.25, dimensions likewise.
NEW_WEIGHTS = {
    "eval_weight_residents": "0.5",
    "eval_weight_community": "0.25",
    "eval_weight_unit": "0.25",
    "eval_weight_results": "0.5",
    "eval_weight_feedback": "0.25",
    "eval_weight_assessment": "0.25",
}


class Scene(Loop):
    """Loop's 锦绣社区 (张伟 and 李娜, a resident) plus 王芳 who serves nowhere, a
    registration still pending, and 金村社区 with 陈静 and a resident of its own."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        super().__init__(world, clock)
        app = self.app
        self.active, self.low = self.members
        self.idle = world.register(name="王芳", phone="13800001010")
        app.review_member(world.staff, self.idle, approve=True)
        self.pending = world.register(name="赵磊", phone="13800001011")
        self.far = world.register(
            name="陈静",
            phone="13800001012",
            unit_id=world.other_unit_id,
            community_id=world.other_community_id,
            basis="residence",
        )
        app.review_member(world.other_staff, self.far, approve=True)
        far_resident = app.register_resident(
            PUBLIC, community_id=world.other_community_id, name="赵大爷", phone="13900000009"
        ).id
        self.far_resident = Actor(Role.RESIDENT, str(far_resident), world.other_community_id)
        # 报到 complete: the community evaluates only members reported to it.
        app.update_member_profile(
            world.member_actor(self.active),
            self.active,
            identity=Identity("科员"),
            commitment=Commitment("每月服务两次", 24),
            skills=Skills(["plumbing_electrical"], ["水电维修"]),
        )
        self.unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id)
        self.photos = 0

    def approved(self) -> set[UUID]:
        """The members every view lists: the approved ones (not 赵磊, still pending)."""
        return {self.active, self.low, self.idle, self.far}

    def photo(self) -> str:
        self.photos += 1
        return f"{self.photos:064x}"

    def done(
        self,
        member_id: UUID,
        hours: str,
        *,
        urgency: str = "urgent",
        staff: Actor | None = None,
        resident: Actor | None = None,
    ) -> UUID:
        """A need posted, taken, done with evidence and claimed: waiting for its rating."""
        staff = staff or self.world.staff
        resident = resident or self.resident
        need = NeedInput(
            content=f"需求{self.photos}",
            category="plumbing_electrical",
            urgency=urgency,
            lat=PLACE[0],
            lon=PLACE[1],
        )
        order_id = self.app.post_need(resident, need).id
        actor = self.world.member_actor(member_id)
        self.app.request_take(actor, order_id)
        self.app.dispatch(staff, order_id, member_id)
        self.app.accept(actor, order_id)
        self.app.check_in(actor, order_id, *NEAR)
        self.app.attach_photo(actor, order_id, self.photo(), "before")
        self.app.attach_photo(actor, order_id, self.photo(), "after")
        self.clock.advance(timedelta(hours=float(Decimal(hours))) + timedelta(minutes=30))
        self.app.claim_completion(actor, order_id, hours)
        return order_id

    def rated(self, order_id: UUID, stars: int, solved: str, resident: Actor | None = None) -> UUID:
        self.app.rate(resident or self.resident, order_id, stars=stars, solved=solved)
        return order_id


def caught_up(read: ReadModels) -> ReadStore:
    assert read.follower is not None
    read.follower.catch_up()
    return read.store


def read_log(app: Sishuang) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start, limit=100)
        if not page:
            return out
        out += [(n.id, app.mapper.to_domain_event(n)) for n in page]
        start = page[-1].id + 1


def figures(credits: list[PointsAccount.Earned]) -> dict[str, Any]:
    """Sums over the live credits, written out without the projection's SQL."""
    services = orders_solved = ratings = stars = satisfied = urgent = activities = task = 0
    hours = Decimal(0)
    for e in credits:
        services += e.services
        hours += e.hours
        if e.source_kind is SourceKind.ORDER:
            if e.solved is Solved.YES:
                orders_solved += 1
                urgent += 1 if e.urgent else 0
            if e.stars is not None:
                ratings += 1
                stars += e.stars
                satisfied += 1 if e.satisfied else 0
        if e.source_kind is SourceKind.ACTIVITY and e.services > 0:
            activities += 1
            task += 1 if e.activity_kind == "task_force" else 0
    return {
        "services": services,
        "hours": hours,
        "orders_solved": orders_solved,
        "ratings": ratings,
        "satisfied": satisfied,
        "average_stars": (Decimal(stars) / ratings).quantize(TWO) if ratings else None,
        "satisfaction_rate": (Decimal(satisfied) / ratings).quantize(TWO) if ratings else None,
        "urgent_solved": urgent,
        "activities": activities,
        "task_force": task,
    }


def recompute(log: list[tuple[int, Any]], county_id: UUID, year: int) -> dict[str, Any]:
    """Every approved member's year, the communities' needs and the checks, from events."""
    overrides: dict[str, Any] = {}
    home: dict[UUID, tuple[UUID, UUID]] = {}
    approved: dict[UUID, date] = {}
    owner: dict[UUID, UUID] = {}
    earned: dict[tuple[UUID, str], PointsAccount.Earned] = {}
    reversed_: set[tuple[UUID, str]] = set()
    community_evals: list[Member.CommunityEvaluated] = []
    unit_evals: list[Member.UnitEvaluated] = []
    checks: dict[UUID, dict[int, str]] = {}
    reports: set[UUID] = set()
    reported: set[UUID] = set()
    red: dict[UUID, UUID] = {}
    orders: dict[UUID, dict[str, Any]] = {}
    for _, e in log:
        if isinstance(e, County.PolicyChanged) and e.originator_id == county_id:
            overrides.update(e.overrides)
        elif isinstance(e, Member.Registered):
            home[e.originator_id] = (e.community_id, e.unit_id)
        elif isinstance(e, Member.Approved):
            approved[e.originator_id] = business_date(e.timestamp)
        elif isinstance(e, Member.Reported):
            reported.add(e.originator_id)
        elif isinstance(e, PointsAccount.Opened):
            owner[e.originator_id] = e.member_id
        elif isinstance(e, PointsAccount.Earned):
            earned[(owner[e.originator_id], e.source)] = e
        elif isinstance(e, PointsAccount.Reversed):
            reversed_.add((owner[e.originator_id], e.source))
        elif isinstance(e, Member.CommunityEvaluated):
            community_evals.append(e)
        elif isinstance(e, Member.UnitEvaluated):
            unit_evals.append(e)
        elif isinstance(e, Member.StandardChecked) and e.year == year:
            checks.setdefault(e.originator_id, {})[e.quarter] = "passed"
        elif isinstance(e, Member.Warned) and e.year == year:
            checks.setdefault(e.originator_id, {})[e.quarter] = e.level.code
            if e.level is WarningLevel.RED:
                red[e.warning_id] = e.originator_id
        elif isinstance(e, Member.WrittenReportFiled):
            reports.add(e.warning_id)
        elif isinstance(e, Order.Posted):
            orders[e.originator_id] = {
                "community_id": e.community_id,
                "year": e.timestamp.year,
                "status": "open",
                "stars": None,
                "satisfied": False,
                "false": False,
            }
        elif isinstance(e, Order.Rated):
            orders[e.originator_id].update(stars=e.stars, satisfied=e.satisfied)
        elif isinstance(e, Order.ReturnedToMember | Order.Reopened):
            orders[e.originator_id].update(stars=None, satisfied=False)
        elif isinstance(e, Order.Closed):
            orders[e.originator_id]["status"] = "closed"
        elif isinstance(e, Order.Cancelled | Order.Rejected):
            orders[e.originator_id]["status"] = "withdrawn"
        elif isinstance(e, Order.FoundFalse):
            orders[e.originator_id]["false"] = True
    policy = DEFAULT_POLICY.with_overrides(overrides)
    superseded = {e.corrects for e in community_evals if e.corrects}
    superseded |= {e.corrects for e in unit_evals if e.corrects}

    people: dict[UUID, dict[str, Any]] = {}
    for member_id, approved_on in approved.items():
        live = [
            e
            for (m, source), e in earned.items()
            if m == member_id
            and e.business_date.year == year
            and (member_id, source) not in reversed_
        ]
        year_figures = figures(live)
        quarters = {
            q: figures([e for e in live if (e.business_date.month - 1) // 3 + 1 == q])
            for q in range(1, 5)
        }
        in_force = {
            e.quarter: community_quarter_score(e.results, e.feedback, e.assessment, policy)
            for e in community_evals
            if e.originator_id == member_id and e.year == year and e.evaluation_id not in superseded
        }
        community = (
            (sum(in_force.values(), Decimal(0)) / len(in_force)).quantize(TWO, ROUND_HALF_UP)
            if in_force
            else None
        )
        unit_scores = [
            Decimal(e.score)
            for e in unit_evals
            if e.originator_id == member_id and e.year == year and e.evaluation_id not in superseded
        ]
        assert len(unit_scores) <= 1
        unit = unit_scores[0] if unit_scores else None
        residents = residents_score(year_figures["average_stars"], policy)
        overall = overall_score(residents, community, unit, policy)
        need_services, need_hours = required_by(policy, quarters_in_year(year, 4, approved_on))
        met = year_figures["services"] >= need_services and year_figures["hours"] >= need_hours
        by_quarter = checks.get(member_id, {})
        people[member_id] = {
            "community_id": home[member_id][0],
            "unit_id": home[member_id][1],
            "year": year_figures,
            "quarters": quarters,
            "quarter_scores": in_force,
            "residents": residents,
            "community": community,
            "unit": unit,
            "overall": overall,
            "met": met,
            "grade": grade_of(overall, met, policy).code,
            "last_check": by_quarter[max(by_quarter)] if by_quarter else None,
            "checks": by_quarter,
        }
    return {
        "policy": policy,
        "people": people,
        "orders": orders,
        "reported": reported,
        "home": home,
        "reports_due": sum(1 for w in red if w not in reports),
    }


def as_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def assert_figures(shown: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for name in ("services", "orders_solved", "ratings", "urgent_solved", "activities"):
        assert shown[name] == expected[name], (where, name)
    assert shown["task_force"] == expected["task_force"], where
    assert Decimal(shown["hours"]) == expected["hours"], where
    assert as_decimal(shown["average_stars"]) == expected["average_stars"], where
    assert as_decimal(shown["satisfaction_rate"]) == expected["satisfaction_rate"], where


def view_of(store: ReadStore, member_id: UUID, county_id: UUID) -> dict[str, Any]:
    member = members.get_member(store, str(member_id))
    assert member is not None
    policy = evaluation.county_policy(store, str(county_id))
    return evaluation.member_view(store, member, YEAR, policy)


def assert_views_match_the_log(scene: Scene, store: ReadStore) -> dict[str, Any]:
    world = scene.world
    truth = recompute(read_log(scene.app), world.county_id, YEAR)
    policy = evaluation.county_policy(store, str(world.county_id))
    assert policy == truth["policy"] == scene.app.county(world.county_id).policy
    people = truth["people"]
    assert set(people) == scene.approved()

    # member_view: the year, each quarter, the three levels, overall, grade, standard.
    for member_id, want in people.items():
        view = view_of(store, member_id, world.county_id)
        assert_figures(view["year_figures"], want["year"], f"{member_id} year")
        for q in view["quarters"]:
            assert_figures(q, want["quarters"][q["quarter"]], f"{member_id} Q{q['quarter']}")
            evaluated = q["community_evaluation"]
            score = want["quarter_scores"].get(q["quarter"])
            assert (None if evaluated is None else Decimal(evaluated["score"])) == score
        assert as_decimal(view["levels"]["residents"]) == want["residents"]
        assert as_decimal(view["levels"]["community"]) == want["community"]
        assert as_decimal(view["levels"]["unit"]) == want["unit"]
        assert as_decimal(view["overall_score"]) == want["overall"]
        assert view["grade"] == want["grade"]
        assert view["standard"]["met"] is want["met"]
        assert {c["quarter"]: c["outcome"] for c in view["checks"]} == want["checks"]

    # members_table / community_view: the same figures per row, and the totals.
    communities = directory.list_communities(store, str(world.county_id))
    assert {c["community_id"] for c in communities} == {
        str(world.community_id),
        str(world.other_community_id),
    }
    county = evaluation.county_view(store, str(world.county_id), communities, YEAR, policy)
    all_rows: list[dict[str, Any]] = []
    for community in communities:
        cid = community["community_id"]
        view = evaluation.community_view(store, community, YEAR, policy)
        mine = {m: w for m, w in people.items() if str(w["community_id"]) == cid}
        rows = {r["member_id"]: r for r in view["members"]}
        assert set(rows) == {str(m) for m in mine}
        table = evaluation.members_table(store, "m.community_id = ?", (cid,), YEAR, policy)
        assert table == view["members"]
        for member_id, want in mine.items():
            row = rows[str(member_id)]
            assert_figures(row, want["year"], f"{member_id} table")
            assert as_decimal(row["residents_score"]) == want["residents"]
            assert as_decimal(row["community_score"]) == want["community"]
            assert as_decimal(row["unit_score"]) == want["unit"]
            assert as_decimal(row["overall_score"]) == want["overall"]
            assert row["grade"] == want["grade"]
            assert row["standard_met"] is want["met"]
            assert row["last_check"] == want["last_check"]
        all_rows += view["members"]
        totals = view["totals"]
        assert totals["members"] == len(mine)
        assert totals["members_active"] == sum(
            1 for w in mine.values() if w["year"]["services"] > 0
        )
        assert totals["services"] == sum(w["year"]["services"] for w in mine.values())
        assert Decimal(totals["hours"]) == sum(
            (w["year"]["hours"] for w in mine.values()), Decimal(0)
        )
        assert totals["standard_met"] == sum(1 for w in mine.values() if w["met"])
        grades = [w["grade"] for w in mine.values()]
        assert totals["grades"] == {g: grades.count(g) for g in totals["grades"]}
        warned = [q for w in mine.values() for q in w["checks"].values()]
        assert sum(1 for w in view["warnings"] if w["outcome"] == "yellow") == warned.count(
            "yellow"
        )
        assert sum(1 for w in view["warnings"] if w["outcome"] == "red") == warned.count("red")
        # The needs block. An order found false stays closed (Order.FoundFalse) but is no
        # completion: it counts under found_false only. Satisfaction is over closings, a
        # closing without a rating counting as not satisfied (as community_figures does).
        needs = [o for o in truth["orders"].values() if str(o["community_id"]) == cid]
        closed = [o for o in needs if o["status"] == "closed" and not o["false"]]
        rated = [o for o in closed if o["stars"] is not None]
        counted = [o for o in needs if o["status"] != "withdrawn"]
        assert view["needs"]["posted"] == len(needs)
        assert view["needs"]["closed"] == len(closed)
        assert view["needs"]["found_false"] == sum(1 for o in needs if o["false"])
        assert as_decimal(view["needs"]["completion_rate"]) == (
            (Decimal(len(closed)) / len(counted)).quantize(TWO) if counted else None
        )
        assert view["needs"]["rated"] == len(rated)
        assert as_decimal(view["needs"]["satisfaction_rate"]) == (
            (Decimal(sum(1 for o in rated if o["satisfied"])) / len(closed)).quantize(TWO)
            if closed
            else None
        )

    # unit_view: the unit's members (the same rows), its reporting rate and warnings.
    by_id = {r["member_id"]: r for r in all_rows}
    for unit_id in (world.unit_id, world.other_unit_id):
        unit = directory.get_unit(store, str(unit_id))
        assert unit is not None
        view = evaluation.unit_view(store, unit, YEAR, policy)
        mine = {m: w for m, w in people.items() if w["unit_id"] == unit_id}
        assert {r["member_id"]: r for r in view["members"]} == {str(m): by_id[str(m)] for m in mine}
        assert view["totals"]["services"] == sum(w["year"]["services"] for w in mine.values())
        reported = [m for m in truth["reported"] if truth["home"][m][1] == unit_id]
        assert view["reporting"]["reported"] == len(reported)
        assert view["reporting"]["declared"] == unit["member_count"]
        warned = sorted(q for w in mine.values() for q in w["checks"].values() if q != "passed")
        assert sorted(w["outcome"] for w in view["warnings"]) == warned

    # county_view: the county's totals are the members' sums and the checks' counts.
    totals = county["totals"]
    assert totals["members"] == len(people) == len(all_rows)
    assert totals["services"] == sum(w["year"]["services"] for w in people.values())
    assert Decimal(totals["hours"]) == sum(
        (w["year"]["hours"] for w in people.values()), Decimal(0)
    )
    assert totals["members_active"] == sum(1 for w in people.values() if w["year"]["services"])
    outcomes = [q for w in people.values() for q in w["checks"].values()]
    assert (totals["yellow"], totals["red"]) == (outcomes.count("yellow"), outcomes.count("red"))
    assert totals["reports_due"] == truth["reports_due"]
    return truth


def assert_sources_add_up(app: Sishuang, store: ReadStore, truth: dict[str, Any]) -> None:
    """Every figure of every member (the year's and each quarter's) is the sum of its
    sources() rows, and each row is the credit or reversal at the log position it names."""
    names = {"services", "hours", "orders_solved", "ratings", "satisfied"}
    names |= {"urgent_solved", "activities", "task_force"}
    assert names == set(evaluation.FIGURES)
    for member_id, want in truth["people"].items():
        account = account_id(member_id)
        for quarter in (None, 1, 2, 3, 4):
            expected = want["year"] if quarter is None else want["quarters"][quarter]
            for name in names:
                rows = evaluation.sources(store, str(member_id), YEAR, quarter, name)
                total = sum((Decimal(str(r["value"])) for r in rows), Decimal(0))
                assert total == expected[name], (member_id, quarter, name)
                assert all(Decimal(str(r["value"])) != 0 for r in rows)
                for r in rows:
                    notification = app.recorder.select_notifications(r["position"], limit=1)[0]
                    assert notification.id == r["position"]
                    assert notification.originator_id == account
                    assert notification.topic == r["topic"]
                    event = app.mapper.to_domain_event(notification)
                    kind = PointsAccount.Reversed if r["reversal"] else PointsAccount.Earned
                    assert isinstance(event, kind)
                    assert event.source == f"{r['source_kind']}:{r['source_id']}"
