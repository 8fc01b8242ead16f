"""三级联评 read models and views (docs/evaluation.md has the formulas).

The projection keeps facts, one row per event that moves a figure: each credit of an
order, activity or award (and each reversal, as a negated copy dated like the credit it
undoes), each community and unit evaluation (with what it corrects), each quarterly
check and warning, each star. The views are sums over those rows, computed when asked
with the county's policy (weights and thresholds) as the log says it stood, so every
figure can be traced back to the log positions it came from.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import orjson

from domain.actors import describe_ref
from domain.calendar import business_date, period_of, quarter_of, stored_span
from domain.county import County
from domain.evaluation import (
    CRITERION_LABELS,
    Grade,
    Star,
    WarningLevel,
    community_quarter_score,
    criterion_text,
    grade_of,
    overall_score,
    quarters_in_year,
    required_by,
    residents_score,
)
from domain.member import Member
from domain.points import PointsAccount, SourceKind
from domain.policies import DEFAULT_POLICY, Policy
from domain.values import Solved
from projections.base import Handler, Projection
from projections.directory import iso
from projections.needs import CLOSED
from projections.store import ReadStore, Tx, chunks

STAR_LABELS = {s.code: s.label for s in Star}
WARNING_LABELS = {w.code: w.label for w in WarningLevel}
TWO = Decimal("0.01")

# The figures a view shows that sum credit rows, and the column each sums.
FIGURES: dict[str, str] = {
    "services": "services",
    "hours": "hours",
    "orders_solved": "solved",
    "ratings": "rated",
    "satisfied": "satisfied",
    "urgent_solved": "urgent_solved",
    "activities": "activities",
    "task_force": "task_force",
}


class Evaluation(Projection):
    name = "rm_evaluation"
    # 2: indexes on rm_eval_checks (warning_id), (community_id, year); 3: star criteria
    # with their Chinese labels, hours in two decimals
    version = 3
    tables = (
        "rm_eval_policy",
        "rm_eval_members",
        "rm_eval_accounts",
        "rm_eval_credits",
        "rm_eval_community",
        "rm_eval_unit",
        "rm_eval_checks",
        "rm_eval_stars",
        "rm_eval_volunteer",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_eval_policy ("
        " county_id TEXT PRIMARY KEY, overrides TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_eval_members ("
        " member_id TEXT PRIMARY KEY, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " unit_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_eval_accounts ("
        " account_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, county_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, unit_id TEXT NOT NULL)",
        # One row per credit or reversal; every number column is signed so figures are SUMs.
        "CREATE TABLE IF NOT EXISTS rm_eval_credits ("
        " position INTEGER NOT NULL, member_id TEXT NOT NULL, county_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, unit_id TEXT NOT NULL, source TEXT NOT NULL,"
        " source_kind TEXT NOT NULL, source_id TEXT NOT NULL, topic TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, business_date TEXT NOT NULL, year INTEGER NOT NULL,"
        " quarter INTEGER NOT NULL, hours TEXT NOT NULL, services INTEGER NOT NULL,"
        " solved INTEGER NOT NULL, rated INTEGER NOT NULL, stars INTEGER NOT NULL,"
        " satisfied INTEGER NOT NULL, urgent_solved INTEGER NOT NULL,"
        " activities INTEGER NOT NULL, task_force INTEGER NOT NULL,"
        " service_points INTEGER NOT NULL, reversal INTEGER NOT NULL,"
        " PRIMARY KEY (position, member_id))",
        "CREATE INDEX IF NOT EXISTS rm_eval_credits_member ON rm_eval_credits (member_id, year)",
        "CREATE INDEX IF NOT EXISTS rm_eval_credits_community"
        " ON rm_eval_credits (community_id, year)",
        "CREATE INDEX IF NOT EXISTS rm_eval_credits_unit ON rm_eval_credits (unit_id, year)",
        "CREATE TABLE IF NOT EXISTS rm_eval_community ("
        " evaluation_id TEXT PRIMARY KEY, position INTEGER NOT NULL, member_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL,"
        " results INTEGER NOT NULL, feedback INTEGER NOT NULL, assessment INTEGER NOT NULL,"
        " comment TEXT NOT NULL, corrects TEXT, reason TEXT NOT NULL, by TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, superseded_by TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_eval_community_member"
        " ON rm_eval_community (member_id, year)",
        "CREATE TABLE IF NOT EXISTS rm_eval_unit ("
        " evaluation_id TEXT PRIMARY KEY, position INTEGER NOT NULL, member_id TEXT NOT NULL,"
        " unit_id TEXT NOT NULL, year INTEGER NOT NULL, score INTEGER NOT NULL,"
        " comment TEXT NOT NULL, corrects TEXT, reason TEXT NOT NULL, by TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, superseded_by TEXT)",
        "CREATE INDEX IF NOT EXISTS rm_eval_unit_member ON rm_eval_unit (member_id, year)",
        "CREATE TABLE IF NOT EXISTS rm_eval_checks ("
        " member_id TEXT NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL,"
        " position INTEGER NOT NULL, county_id TEXT NOT NULL, community_id TEXT NOT NULL,"
        " unit_id TEXT NOT NULL, outcome TEXT NOT NULL, warning_id TEXT,"
        " services INTEGER NOT NULL, hours TEXT NOT NULL, required_services INTEGER NOT NULL,"
        " required_hours TEXT NOT NULL, checked_at TEXT NOT NULL, by TEXT NOT NULL,"
        " report_filed_at TEXT, report_content TEXT, report_by TEXT,"
        " PRIMARY KEY (member_id, year, quarter))",
        "CREATE INDEX IF NOT EXISTS rm_eval_checks_unit ON rm_eval_checks (unit_id, year)",
        "CREATE INDEX IF NOT EXISTS rm_eval_checks_county ON rm_eval_checks (county_id, year)",
        "CREATE INDEX IF NOT EXISTS rm_eval_checks_community"
        " ON rm_eval_checks (community_id, year)",
        "CREATE INDEX IF NOT EXISTS rm_eval_checks_warning ON rm_eval_checks (warning_id)",
        "CREATE TABLE IF NOT EXISTS rm_eval_stars ("
        " award_id TEXT PRIMARY KEY, position INTEGER NOT NULL, member_id TEXT NOT NULL,"
        " community_id TEXT NOT NULL, unit_id TEXT NOT NULL, star TEXT NOT NULL,"
        " year INTEGER NOT NULL, figures TEXT NOT NULL, criteria TEXT NOT NULL,"
        " bonus_points INTEGER NOT NULL, by TEXT NOT NULL, awarded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rm_eval_stars_member ON rm_eval_stars (member_id, year)",
        "CREATE TABLE IF NOT EXISTS rm_eval_volunteer ("
        " member_id TEXT PRIMARY KEY, level INTEGER NOT NULL, hours_total TEXT NOT NULL,"
        " average_stars TEXT, changed_at TEXT NOT NULL, position INTEGER NOT NULL)",
    )

    def handlers(self) -> dict[type, Handler]:
        return {
            County.Registered: self.county_registered,
            County.PolicyChanged: self.policy_changed,
            Member.Registered: self.member_registered,
            PointsAccount.Opened: self.account_opened,
            PointsAccount.Earned: self.earned,
            PointsAccount.Reversed: self.reversed,
            PointsAccount.VolunteerStarsChanged: self.volunteer,
            Member.CommunityEvaluated: self.community_evaluated,
            Member.UnitEvaluated: self.unit_evaluated,
            Member.StandardChecked: self.checked,
            Member.Warned: self.checked,
            Member.WrittenReportFiled: self.report_filed,
            Member.StarAwarded: self.star_awarded,
        }

    # -- the county's policy, as the log says it stood ----------------------------------

    def county_registered(self, tx: Tx, e: County.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_eval_policy (county_id, overrides) VALUES (?, ?)",
            (str(e.originator_id), "{}"),
        )

    def policy_changed(self, tx: Tx, e: County.PolicyChanged) -> None:
        row = tx.execute(
            "SELECT overrides FROM rm_eval_policy WHERE county_id = ?", (str(e.originator_id),)
        ).one()
        overrides = orjson.loads(row["overrides"]) if row else {}
        overrides.update({k: str(v) for k, v in e.overrides.items()})
        tx.execute(
            "UPDATE rm_eval_policy SET overrides = ? WHERE county_id = ?",
            (orjson.dumps(overrides).decode(), str(e.originator_id)),
        )

    # -- members and credits ------------------------------------------------------------

    def member_registered(self, tx: Tx, e: Member.Registered) -> None:
        tx.execute(
            "INSERT INTO rm_eval_members (member_id, county_id, community_id, unit_id)"
            " VALUES (?, ?, ?, ?)",
            (str(e.originator_id), str(e.county_id), str(e.community_id), str(e.unit_id)),
        )

    def _member(self, tx: Tx, member_id: str) -> dict[str, Any]:
        row = tx.execute(
            "SELECT county_id, community_id, unit_id FROM rm_eval_members WHERE member_id = ?",
            (member_id,),
        ).one()
        assert row is not None, f"member {member_id} was never registered"
        return row

    def account_opened(self, tx: Tx, e: PointsAccount.Opened) -> None:
        tx.execute(
            "INSERT INTO rm_eval_accounts (account_id, member_id, county_id, community_id,"
            " unit_id) VALUES (?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                str(e.member_id),
                str(e.county_id),
                str(e.community_id),
                str(e.unit_id),
            ),
        )

    def _account(self, tx: Tx, account_id: str) -> dict[str, Any]:
        row = tx.execute(
            "SELECT member_id, county_id, community_id, unit_id FROM rm_eval_accounts"
            " WHERE account_id = ?",
            (account_id,),
        ).one()
        assert row is not None, f"points account {account_id} was never opened"
        return row

    def earned(self, tx: Tx, e: PointsAccount.Earned) -> None:
        who = self._account(tx, str(e.originator_id))
        order = e.source_kind is SourceKind.ORDER
        solved = order and e.solved is Solved.YES
        activity = e.source_kind is SourceKind.ACTIVITY and e.services > 0
        rated = order and e.stars is not None
        self._insert_credit(
            tx,
            who,
            e,
            reversal=False,
            source=e.source,
            source_kind=e.source_kind.code,
            source_id=str(e.source_id),
            community_id=str(e.community_id),
            business_date=e.business_date.isoformat(),
            numbers=(
                str(e.hours),
                e.services,
                int(solved),
                int(rated),
                e.stars if rated and e.stars is not None else 0,
                int(bool(rated and e.satisfied)),
                int(solved and e.urgent),
                int(activity),
                int(activity and e.activity_kind == "task_force"),
                e.service_points,
            ),
        )

    def reversed(self, tx: Tx, e: PointsAccount.Reversed) -> None:
        """A negated copy of the credit it undoes, in the credit's year and quarter."""
        who = self._account(tx, str(e.originator_id))
        row = tx.execute(
            "SELECT * FROM rm_eval_credits WHERE member_id = ? AND source = ? AND reversal = 0",
            (who["member_id"], e.source),
        ).one()
        assert row is not None, f"reversal of {e.source} that never earned"
        self._insert_credit(
            tx,
            who,
            e,
            reversal=True,
            source=e.source,
            source_kind=row["source_kind"],
            source_id=row["source_id"],
            community_id=row["community_id"],
            business_date=row["business_date"],
            numbers=(
                str(-Decimal(row["hours"])),
                -row["services"],
                -row["solved"],
                -row["rated"],
                -row["stars"],
                -row["satisfied"],
                -row["urgent_solved"],
                -row["activities"],
                -row["task_force"],
                -(e.service_points + e.unrecovered),
            ),
        )

    def _insert_credit(
        self,
        tx: Tx,
        who: dict[str, Any],
        e: Any,
        *,
        reversal: bool,
        source: str,
        source_kind: str,
        source_id: str,
        community_id: str,
        business_date: str,
        numbers: tuple[Any, ...],
    ) -> None:
        period = period_of(date.fromisoformat(business_date))
        tx.execute(
            "INSERT INTO rm_eval_credits (position, member_id, county_id, community_id,"
            " unit_id, source, source_kind, source_id, topic, recorded_at, business_date,"
            " year, quarter, hours, services, solved, rated, stars, satisfied, urgent_solved,"
            " activities, task_force, service_points, reversal)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tx.position,
                who["member_id"],
                who["county_id"],
                community_id,
                who["unit_id"],
                source,
                source_kind,
                source_id,
                type(e).TOPIC,
                iso(e.timestamp),
                business_date,
                period.year,
                period.quarter,
                *numbers,
                int(reversal),
            ),
        )

    def volunteer(self, tx: Tx, e: PointsAccount.VolunteerStarsChanged) -> None:
        who = self._account(tx, str(e.originator_id))
        params = (
            e.level,
            str(e.hours_total),
            None if e.average_stars is None else str(e.average_stars),
            iso(e.timestamp),
            tx.position,
        )
        tx.execute("DELETE FROM rm_eval_volunteer WHERE member_id = ?", (who["member_id"],))
        tx.execute(
            "INSERT INTO rm_eval_volunteer (member_id, level, hours_total, average_stars,"
            " changed_at, position) VALUES (?, ?, ?, ?, ?, ?)",
            (who["member_id"], *params),
        )

    # -- evaluations, checks, stars -------------------------------------------------------

    def community_evaluated(self, tx: Tx, e: Member.CommunityEvaluated) -> None:
        evaluation_id = str(e.evaluation_id)
        tx.execute(
            "INSERT INTO rm_eval_community (evaluation_id, position, member_id, community_id,"
            " year, quarter, results, feedback, assessment, comment, corrects, reason, by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                evaluation_id,
                tx.position,
                str(e.originator_id),
                str(e.community_id),
                e.year,
                e.quarter,
                e.results,
                e.feedback,
                e.assessment,
                e.comment,
                str(e.corrects) if e.corrects else None,
                e.reason,
                e.by,
                iso(e.timestamp),
            ),
        )
        if e.corrects:
            tx.execute(
                "UPDATE rm_eval_community SET superseded_by = ? WHERE evaluation_id = ?",
                (evaluation_id, str(e.corrects)),
            )

    def unit_evaluated(self, tx: Tx, e: Member.UnitEvaluated) -> None:
        evaluation_id = str(e.evaluation_id)
        tx.execute(
            "INSERT INTO rm_eval_unit (evaluation_id, position, member_id, unit_id, year, score,"
            " comment, corrects, reason, by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                evaluation_id,
                tx.position,
                str(e.originator_id),
                str(e.unit_id),
                e.year,
                e.score,
                e.comment,
                str(e.corrects) if e.corrects else None,
                e.reason,
                e.by,
                iso(e.timestamp),
            ),
        )
        if e.corrects:
            tx.execute(
                "UPDATE rm_eval_unit SET superseded_by = ? WHERE evaluation_id = ?",
                (evaluation_id, str(e.corrects)),
            )

    def checked(self, tx: Tx, e: Any) -> None:
        member = self._member(tx, str(e.originator_id))
        warned = isinstance(e, Member.Warned)
        tx.execute(
            "INSERT INTO rm_eval_checks (member_id, year, quarter, position, county_id,"
            " community_id, unit_id, outcome, warning_id, services, hours, required_services,"
            " required_hours, checked_at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                e.year,
                e.quarter,
                tx.position,
                member["county_id"],
                member["community_id"],
                member["unit_id"],
                e.level.code if warned else "passed",
                str(e.warning_id) if warned else None,
                e.services,
                str(e.hours),
                e.required_services,
                str(e.required_hours),
                iso(e.timestamp),
                e.by,
            ),
        )

    def report_filed(self, tx: Tx, e: Member.WrittenReportFiled) -> None:
        tx.execute(
            "UPDATE rm_eval_checks SET report_filed_at = ?, report_content = ?, report_by = ?"
            " WHERE warning_id = ?",
            (iso(e.timestamp), e.content, e.by, str(e.warning_id)),
        )

    def star_awarded(self, tx: Tx, e: Member.StarAwarded) -> None:
        member = self._member(tx, str(e.originator_id))
        tx.execute(
            "INSERT INTO rm_eval_stars (award_id, position, member_id, community_id, unit_id,"
            " star, year, figures, criteria, bonus_points, by, awarded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.award_id),
                tx.position,
                str(e.originator_id),
                member["community_id"],
                member["unit_id"],
                e.star.code,
                e.year,
                orjson.dumps(dict(e.figures)).decode(),
                orjson.dumps(
                    [
                        {
                            "name": n,
                            "label": CRITERION_LABELS.get(n, n),
                            "required": criterion_text(n, r),
                            "actual": criterion_text(n, a),
                        }
                        for n, r, a in e.criteria
                    ]
                ).decode(),
                e.bonus_points,
                e.by,
                iso(e.timestamp),
            ),
        )


# -- the views ---------------------------------------------------------------------------------


def county_policy(store: ReadStore, county_id: str) -> Policy:
    """The county's policy as the log says it stands (what the views' weights are)."""
    with store.read() as tx:
        row = tx.execute(
            "SELECT overrides FROM rm_eval_policy WHERE county_id = ?", (county_id,)
        ).one()
    if row is None:
        return DEFAULT_POLICY
    return DEFAULT_POLICY.recorded(orjson.loads(row["overrides"]))


def _sums(rows: list[dict[str, Any]]) -> dict[str, Any]:
    hours = sum((Decimal(r["hours"]) for r in rows), Decimal(0))
    out: dict[str, Any] = {
        name: sum(r[column] for r in rows) for name, column in FIGURES.items() if name != "hours"
    }
    out["hours"] = hours
    out["stars_total"] = sum(r["stars"] for r in rows)
    return out


def credits_by_member(tx: Tx, member_ids: list[str], year: int) -> dict[str, list[dict[str, Any]]]:
    """The credit rows (credits and reversals) of these members in a business year."""
    out: dict[str, list[dict[str, Any]]] = {m: [] for m in member_ids}
    for ids in chunks(member_ids):
        for r in tx.execute(
            "SELECT * FROM rm_eval_credits WHERE year = ?"
            f" AND member_id IN ({','.join('?' * len(ids))})",
            (year, *ids),
        ).all():
            out[r["member_id"]].append(r)
    return out


def year_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What a view shows of credit rows: the one sum every view uses (services that
    count, hours, ratings, satisfied), hours as text."""
    figures = _public(_figures(rows))
    figures["satisfied"] = _sums(rows)["satisfied"]
    return figures


def _figures(rows: list[dict[str, Any]], policy: Policy | None = None) -> dict[str, Any]:
    s = _sums(rows)
    average = (Decimal(s["stars_total"]) / s["ratings"]).quantize(TWO) if s["ratings"] else None
    return {
        "services": s["services"],
        "hours": str(s["hours"]),
        "orders_solved": s["orders_solved"],
        "ratings": s["ratings"],
        "average_stars": None if average is None else str(average),
        "satisfaction_rate": (
            str((Decimal(s["satisfied"]) / s["ratings"]).quantize(TWO)) if s["ratings"] else None
        ),
        "urgent_solved": s["urgent_solved"],
        "activities": s["activities"],
        "task_force": s["task_force"],
        "_average": average,
        "_hours": s["hours"],
    }


def _community_scores(rows: list[dict[str, Any]], policy: Policy) -> dict[int, dict[str, Any]]:
    """The evaluation in force per quarter (the last correction), with its weighted score."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["superseded_by"] is None:
            score = community_quarter_score(r["results"], r["feedback"], r["assessment"], policy)
            out[r["quarter"]] = {
                "evaluation_id": r["evaluation_id"],
                "results": r["results"],
                "feedback": r["feedback"],
                "assessment": r["assessment"],
                "score": str(score),
                "comment": r["comment"],
                "corrected": r["corrects"] is not None,
                "reason": r["reason"],
                "by": describe_ref(r["by"], {}),
                "recorded_at": r["recorded_at"],
                "position": r["position"],
                "_score": score,
            }
    return out


def _mean_score(scores: list[Decimal]) -> Decimal | None:
    """The community level: the quarters' scores averaged, rounded half up like every
    other score formula (domain.evaluation), so 77.125 shows as 77.13 everywhere."""
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(TWO, rounding=ROUND_HALF_UP)


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def member_view(
    store: ReadStore,
    member: dict[str, Any],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> dict[str, Any]:
    """One member's year: per quarter and for the year, every figure, the three levels,
    the overall score and grade, the standard, warnings, stars and volunteer stars."""
    member_id = member["member_id"]
    with store.read() as tx:
        credits = tx.execute(
            "SELECT * FROM rm_eval_credits WHERE member_id = ? AND year = ?", (member_id, year)
        ).all()
        community = tx.execute(
            "SELECT * FROM rm_eval_community WHERE member_id = ? AND year = ? ORDER BY position",
            (member_id, year),
        ).all()
        unit = tx.execute(
            "SELECT * FROM rm_eval_unit WHERE member_id = ? AND year = ? ORDER BY position",
            (member_id, year),
        ).all()
        checks = tx.execute(
            "SELECT * FROM rm_eval_checks WHERE member_id = ? AND year = ? ORDER BY quarter",
            (member_id, year),
        ).all()
        stars = tx.execute(
            "SELECT * FROM rm_eval_stars WHERE member_id = ? AND year = ? ORDER BY position",
            (member_id, year),
        ).all()
        volunteer = tx.execute(
            "SELECT * FROM rm_eval_volunteer WHERE member_id = ?", (member_id,)
        ).one()
    quarters_scores = _community_scores(community, policy)
    unit_now = next((r for r in unit if r["superseded_by"] is None), None)
    unit_score = Decimal(unit_now["score"]) if unit_now else None
    link = f"/api/v1/members/{member_id}/evaluation/{year}/sources"
    quarters = []
    for q in range(1, 5):
        figures = _figures([c for c in credits if c["quarter"] == q], policy)
        evaluation = quarters_scores.get(q)
        residents = residents_score(figures["_average"], policy)
        quarters.append(
            {
                "quarter": q,
                **_public(figures),
                "residents_score": None if residents is None else str(residents),
                "community_evaluation": _public(evaluation) if evaluation else None,
                "sources": f"{link}?quarter={q}",
            }
        )
    year_figures = _figures(credits, policy)
    residents = residents_score(year_figures["_average"], policy)
    community_score = _mean_score([v["_score"] for v in quarters_scores.values()])
    overall = overall_score(residents, community_score, unit_score, policy)
    last_quarter = max((c["quarter"] for c in checks), default=None)
    standard = standard_of(year_figures, year, member.get("reviewed_at"), policy, as_of)
    grade = grade_of(overall, standard["_judged"], policy) if overall is not None else Grade.NONE
    return {
        "member_id": member_id,
        "name": member.get("name"),
        "unit_id": member.get("unit_id"),
        "community_id": member.get("community_id"),
        "year": year,
        "quarters": quarters,
        "year_figures": {**_public(year_figures), "sources": link},
        "levels": {
            "residents": None if residents is None else str(residents),
            "community": None if community_score is None else str(community_score),
            "unit": None if unit_score is None else str(unit_score),
        },
        "unit_evaluation": _unit_public(unit_now),
        "evaluation_history": {
            "community": [_history(r) for r in community],
            "unit": [_history(r) for r in unit],
        },
        "overall_score": None if overall is None else str(overall),
        "grade": grade.code,
        "grade_label": grade.label,
        "standard": {**_public(standard), "last_checked_quarter": last_quarter},
        "checks": [_check_public(c) for c in checks],
        "stars": [_star_public(s) for s in stars],
        "volunteer_stars": volunteer["level"] if volunteer else 0,
        "formula": FORMULA,
    }


def standard_of(
    figures: dict[str, Any],
    year: int,
    approved: str | None,
    policy: Policy,
    as_of: date | None,
) -> dict[str, Any]:
    """The annual standard for the member's quarters of the year, and whether the year's
    figures meet it. During the year (as_of inside it) the grade is judged against what
    was due by the last finished quarter ("on track"); after it, against the year."""
    approved_on = _date_or_none(approved)
    services, hours = figures["services"], figures["_hours"]
    need_services, need_hours = required_by(policy, quarters_in_year(year, 4, approved_on))
    met = services >= need_services and hours >= need_hours
    final = as_of is None or as_of.year > year
    done = 4 if final or as_of is None else quarter_of(as_of) - 1
    due_services, due_hours = required_by(policy, quarters_in_year(year, done, approved_on))
    on_track = services >= due_services and hours >= due_hours
    return {
        "required_services": need_services,
        "required_hours": str(need_hours),
        "met": met,
        "final": final,
        "quarters_finished": done,
        "due_services": due_services,
        "due_hours": str(due_hours),
        "on_track": on_track,
        "_judged": met if final else on_track,
    }


FORMULA = {
    "residents": "居民评价 = 平均星级 / 5 × 满分 (evaluation_max_score)",
    "community": (
        "社区评价 = 各季度 (服务成效×eval_weight_results + 群众反馈×eval_weight_feedback"
        " + 社区评价×eval_weight_assessment) 的平均"
    ),
    "unit": "单位评价 = 单位党组织年度评分",
    "overall": (
        "综合得分 = 三级得分按 eval_weight_residents / eval_weight_community /"
        " eval_weight_unit 加权；尚无得分的一级，其权重按比例分给其他级"
    ),
    "grade": (
        "等次：≥ grade_excellent_min 优秀，≥ grade_good_min 良好，≥ grade_pass_min 合格，"
        "其余不合格；未达年度服务标准者（年内：未达已结束季度应完成的标准者）最高为合格"
    ),
}


def _date_or_none(value: str | None) -> date | None:
    """The business date of an ISO timestamp from a read model (None stays None)."""
    return business_date(datetime.fromisoformat(value)) if value else None


def _history(r: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "evaluation_id",
        "quarter",
        "results",
        "feedback",
        "assessment",
        "score",
        "comment",
        "corrects",
        "reason",
        "by",
        "recorded_at",
        "superseded_by",
        "position",
    )
    out = {k: r[k] for k in keep if k in r}
    out["by"] = describe_ref(r["by"], {})  # staff, as their sign-in names them
    return out


def _unit_public(r: dict[str, Any] | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "evaluation_id": r["evaluation_id"],
        "score": r["score"],
        "comment": r["comment"],
        "corrected": r["corrects"] is not None,
        "by": describe_ref(r["by"], {}),
        "recorded_at": r["recorded_at"],
        "position": r["position"],
    }


def _check_public(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "quarter": c["quarter"],
        "outcome": c["outcome"],
        "outcome_label": WARNING_LABELS.get(c["outcome"], "达标"),
        "warning_id": c["warning_id"],
        "services": c["services"],
        "hours": c["hours"],
        "required_services": c["required_services"],
        "required_hours": c["required_hours"],
        "checked_at": c["checked_at"],
        "report_required": c["outcome"] == WarningLevel.RED.code,
        "report_filed_at": c["report_filed_at"],
        "position": c["position"],
    }


def _star_public(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "award_id": s["award_id"],
        "star": s["star"],
        "star_label": STAR_LABELS.get(s["star"], s["star"]),
        "year": s["year"],
        "figures": orjson.loads(s["figures"]),
        "criteria": orjson.loads(s["criteria"]),
        "bonus_points": s["bonus_points"],
        "awarded_at": s["awarded_at"],
        "position": s["position"],
    }


def sources(
    store: ReadStore,
    member_id: str,
    year: int,
    quarter: int | None = None,
    figure: str | None = None,
) -> list[dict[str, Any]]:
    """The rows behind a figure: each credit or reversal, its log position and event
    topic, the order / activity / award it names and what it added to the figure."""
    where, params = ["member_id = ?", "year = ?"], [member_id, year]
    if quarter is not None:
        where.append("quarter = ?")
        params.append(quarter)
    column = FIGURES.get(figure or "")
    with store.read() as tx:
        rows = tx.execute(
            "SELECT position, topic, recorded_at, business_date, quarter, source_kind,"
            " source_id, hours, services, solved, rated, stars, satisfied, urgent_solved,"
            " activities, task_force, service_points, reversal FROM rm_eval_credits"
            f" WHERE {' AND '.join(where)} ORDER BY position",
            params,
        ).all()
    out = []
    for r in rows:
        value = r[column] if column else None
        if column and column != "hours" and value == 0:
            continue
        if column == "hours" and Decimal(r["hours"]) == 0:
            continue
        r["reversal"] = bool(r["reversal"])
        r["value"] = value
        out.append(r)
    return out


def _member_rows(tx: Tx, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    return tx.execute(
        "SELECT m.member_id, m.name, m.unit_id, m.community_id, m.county_id, m.reviewed_at,"
        " m.reported_at, u.name AS unit_name FROM rm_members m"
        " LEFT JOIN rm_units u ON u.unit_id = m.unit_id"
        f" WHERE m.status = 'approved' AND {where} ORDER BY m.name, m.member_id",
        params,
    ).all()


def members_table(
    store: ReadStore,
    where: str,
    params: tuple[Any, ...],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """One row per approved member in the scope: the year's figures, three levels,
    overall, grade, standard, the last check's outcome, stars, volunteer stars. Computed
    in bulk (a handful of queries, not one per member)."""
    with store.read() as tx:
        members = _member_rows(tx, where, params)
        ids = [m["member_id"] for m in members]
        by_member: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        community: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        unit: dict[str, dict[str, Any]] = {}
        checks: dict[str, dict[str, Any]] = {}
        stars: dict[str, list[str]] = {i: [] for i in ids}
        volunteer: dict[str, int] = {}
        scope = f"member_id IN (SELECT m.member_id FROM rm_members m WHERE {where})"
        for r in tx.execute(
            "SELECT member_id, hours, services, solved, rated, stars, satisfied,"
            " urgent_solved, activities, task_force FROM rm_eval_credits"
            f" WHERE year = ? AND {scope}",
            (year, *params),
        ).all():
            by_member.setdefault(r["member_id"], []).append(r)
        for r in tx.execute(
            f"SELECT * FROM rm_eval_community WHERE year = ? AND superseded_by IS NULL AND {scope}",
            (year, *params),
        ).all():
            community.setdefault(r["member_id"], []).append(r)
        for r in tx.execute(
            f"SELECT * FROM rm_eval_unit WHERE year = ? AND superseded_by IS NULL AND {scope}",
            (year, *params),
        ).all():
            unit[r["member_id"]] = r
        for r in tx.execute(
            f"SELECT * FROM rm_eval_checks WHERE year = ? AND {scope} ORDER BY quarter",
            (year, *params),
        ).all():
            checks[r["member_id"]] = r
        for r in tx.execute(
            f"SELECT member_id, star FROM rm_eval_stars WHERE year = ? AND {scope}",
            (year, *params),
        ).all():
            stars.setdefault(r["member_id"], []).append(STAR_LABELS.get(r["star"], r["star"]))
        for r in tx.execute(
            f"SELECT member_id, level FROM rm_eval_volunteer WHERE {scope}", params
        ).all():
            volunteer[r["member_id"]] = r["level"]
    out = []
    for m in members:
        mid = m["member_id"]
        figures = _figures(by_member.get(mid, []), policy)
        residents = residents_score(figures["_average"], policy)
        scores = [v["_score"] for v in _community_scores(community.get(mid, []), policy).values()]
        community_score = _mean_score(scores)
        unit_score = Decimal(unit[mid]["score"]) if mid in unit else None
        overall = overall_score(residents, community_score, unit_score, policy)
        standard = standard_of(figures, year, m["reviewed_at"], policy, as_of)
        grade = grade_of(overall, standard["_judged"], policy)
        last = checks.get(mid)
        out.append(
            {
                "member_id": mid,
                "name": m["name"],
                "unit_id": m["unit_id"],
                "unit_name": m["unit_name"],
                "community_id": m["community_id"],
                "reported": m["reported_at"] is not None,
                **_public(figures),
                "residents_score": None if residents is None else str(residents),
                "community_score": None if community_score is None else str(community_score),
                "unit_score": None if unit_score is None else str(unit_score),
                "overall_score": None if overall is None else str(overall),
                "grade": grade.code,
                "grade_label": grade.label,
                "standard_met": standard["met"],
                "on_track": standard["on_track"],
                "last_check": None if last is None else last["outcome"],
                "last_check_label": (
                    None if last is None else WARNING_LABELS.get(last["outcome"], "达标")
                ),
                "stars": stars.get(mid, []),
                "volunteer_stars": volunteer.get(mid, 0),
            }
        )
    return out


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    hours = sum((Decimal(r["hours"]) for r in rows), Decimal(0))
    grades: dict[str, int] = {g.code: 0 for g in Grade}
    for r in rows:
        grades[r["grade"]] += 1
    return {
        "members": len(rows),
        "members_active": sum(1 for r in rows if r["services"] > 0),
        "services": sum(r["services"] for r in rows),
        "hours": str(hours),
        "standard_met": sum(1 for r in rows if r["standard_met"]),
        "grades": grades,
    }


def warnings_in(
    store: ReadStore, where: str, params: tuple[Any, ...], year: int
) -> list[dict[str, Any]]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT c.*, m.name FROM rm_eval_checks c"
            " LEFT JOIN rm_members m ON m.member_id = c.member_id"
            f" WHERE c.year = ? AND c.outcome != 'passed' AND {where}"
            " ORDER BY c.quarter, m.name, c.member_id",
            (year, *params),
        ).all()
    return [
        {
            "member_id": r["member_id"],
            "name": r["name"],
            "unit_id": r["unit_id"],
            "community_id": r["community_id"],
            **_check_public(r),
        }
        for r in rows
    ]


def unit_view(
    store: ReadStore,
    unit: dict[str, Any],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> dict[str, Any]:
    """A unit's members (figures, levels, grade), reporting rate, warnings, and the
    livelihood issues it solved (orders the 大党委 gave the unit, closed, not found false)
    against the unit standard."""
    unit_id = unit["unit_id"]
    rows = members_table(store, "m.unit_id = ?", (unit_id,), year, policy, as_of)
    with store.read() as tx:
        reported = tx.execute(
            "SELECT COUNT(*) FROM rm_members WHERE unit_id = ? AND reported_at IS NOT NULL",
            (unit_id,),
        ).scalar()
        solved = tx.execute(
            "SELECT order_id, content, closed_at, community_id FROM rm_orders"
            f" WHERE assignee_kind = 'unit' AND assignee_id = ? AND {CLOSED}"
            " AND closed_at >= ? AND closed_at < ? ORDER BY closed_at",
            (unit_id, *stored_span(year)),
        ).all()
    declared = unit.get("member_count") or 0
    return {
        "unit_id": unit_id,
        "name": unit.get("name"),
        "year": year,
        "members": rows,
        "totals": _totals(rows),
        "reporting": {
            "declared": declared,
            "reported": reported,
            "rate": str((Decimal(reported) / declared).quantize(TWO)) if declared else None,
        },
        "livelihood_issues": {
            "solved": len(solved),
            "standard": policy.unit_min_livelihood_issues,
            "met": len(solved) >= policy.unit_min_livelihood_issues,
            "orders": solved,
        },
        "warnings": warnings_in(store, "c.unit_id = ?", (unit_id,), year),
    }


NEEDS_SQL = (
    "SELECT COUNT(*) AS posted,"
    f" SUM(CASE WHEN {CLOSED} THEN 1 ELSE 0 END) AS closed,"
    " SUM(CASE WHEN status IN ('cancelled', 'rejected') THEN 1 ELSE 0 END) AS withdrawn,"
    f" SUM(CASE WHEN stars IS NOT NULL AND {CLOSED} THEN 1 ELSE 0 END) AS rated,"
    f" SUM(CASE WHEN satisfied = 1 AND {CLOSED} THEN 1 ELSE 0 END) AS satisfied,"
    " SUM(found_false) AS found_false"
    " FROM rm_orders WHERE community_id = ? AND posted_at >= ? AND posted_at < ?"
)


def needs_figures(store: ReadStore, community_id: str, year: int) -> dict[str, Any]:
    """The community's needs posted in the year: closed (not found false), completion and
    satisfaction rates."""
    start, end = stored_span(year)
    with store.read() as tx:
        needs = tx.execute(NEEDS_SQL, (community_id, start, end)).one() or {}
    posted = needs.get("posted") or 0
    closed = needs.get("closed") or 0
    withdrawn = needs.get("withdrawn") or 0
    rated = needs.get("rated") or 0
    counted = posted - withdrawn
    return {
        "posted": posted,
        "closed": closed,
        "withdrawn": withdrawn,
        "found_false": needs.get("found_false") or 0,
        "completion_rate": str((Decimal(closed) / counted).quantize(TWO)) if counted else None,
        "rated": rated,
        # As the community's figures count it (田家庵): satisfied closings over all
        # closings, a closing without a rating counting as not satisfied.
        "satisfaction_rate": (
            str((Decimal(needs.get("satisfied") or 0) / closed).quantize(TWO)) if closed else None
        ),
    }


def community_view(
    store: ReadStore,
    community: dict[str, Any],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> dict[str, Any]:
    community_id = community["community_id"]
    rows = members_table(store, "m.community_id = ?", (community_id,), year, policy, as_of)
    return {
        "community_id": community_id,
        "name": community.get("name"),
        "year": year,
        "needs": needs_figures(store, community_id, year),
        "members": rows,
        "totals": _totals(rows),
        "warnings": warnings_in(store, "c.community_id = ?", (community_id,), year),
    }


def county_view(
    store: ReadStore,
    county_id: str,
    communities: list[dict[str, Any]],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> dict[str, Any]:
    """组织部's view: each community's needs and members in one table, and the county's
    warnings with the written reports still due. The county's members and warnings are
    read once, then grouped by community (not one members query per community)."""
    rows = members_table(store, "m.county_id = ?", (county_id,), year, policy, as_of)
    warnings = warnings_in(store, "c.county_id = ?", (county_id,), year)
    members_of: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        members_of.setdefault(r["community_id"], []).append(r)
    warned: dict[str, list[dict[str, Any]]] = {}
    for w in warnings:
        warned.setdefault(w["community_id"], []).append(w)
    per_community = []
    for c in communities:
        cid = c["community_id"]
        mine = warned.get(cid, [])
        per_community.append(
            {
                "community_id": cid,
                "name": c.get("name"),
                "needs": needs_figures(store, cid, year),
                "totals": _totals(members_of.get(cid, [])),
                "yellow": sum(1 for w in mine if w["outcome"] == "yellow"),
                "red": sum(1 for w in mine if w["outcome"] == "red"),
            }
        )
    return {
        "county_id": county_id,
        "year": year,
        "communities": per_community,
        "totals": {
            "members": sum(c["totals"]["members"] for c in per_community),
            "members_active": sum(c["totals"]["members_active"] for c in per_community),
            "services": sum(c["totals"]["services"] for c in per_community),
            "hours": str(sum((Decimal(c["totals"]["hours"]) for c in per_community), Decimal(0))),
            "yellow": sum(1 for w in warnings if w["outcome"] == "yellow"),
            "red": sum(1 for w in warnings if w["outcome"] == "red"),
            "reports_due": sum(
                1 for w in warnings if w["report_required"] and not w["report_filed_at"]
            ),
        },
        "warnings": warnings,
        "formula": FORMULA,
    }


def public_results(
    store: ReadStore,
    where: str,
    params: tuple[Any, ...],
    year: int,
    policy: Policy,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """公示: the year's results, members by name and unit (their 亮身份 is public);
    no resident appears, no phone number, no comment."""
    rows = members_table(store, where, params, year, policy, as_of)
    keep = (
        "name",
        "unit_name",
        "services",
        "hours",
        "orders_solved",
        "average_stars",
        "grade_label",
        "stars",
        "volunteer_stars",
    )
    return [{k: r[k] for k in keep} for r in rows]


def approved_member_ids(store: ReadStore, county_id: str) -> list[str]:
    """The members the quarterly check looks at: every approved member of the county."""
    with store.read() as tx:
        rows = tx.execute(
            "SELECT member_id FROM rm_members WHERE county_id = ? AND status = 'approved'"
            " ORDER BY member_id",
            (county_id,),
        ).all()
    return [r["member_id"] for r in rows]


# The columns of its export (a 台账 a worker opens in Excel), as the JSON names them.
MEMBER_COLUMNS = [
    ("name", "姓名"),
    ("unit_name", "单位"),
    ("services", "服务次数"),
    ("hours", "服务时长（小时）"),
    ("orders_solved", "解决问题数"),
    ("ratings", "评价数"),
    ("average_stars", "平均星级"),
    ("satisfaction_rate", "满意率"),
    ("residents_score", "居民评价得分"),
    ("community_score", "社区评价得分"),
    ("unit_score", "单位评价得分"),
    ("overall_score", "综合得分"),
    ("grade_label", "等次"),
    ("standard_met", "达到年度服务标准"),
    ("last_check_label", "最近季度检查"),
    ("stars", "所获星级"),
    ("volunteer_stars", "志愿星级"),
]


PUBLIC_COLUMNS = [
    ("name", "姓名"),
    ("unit_name", "单位"),
    ("services", "服务次数"),
    ("hours", "服务时长（小时）"),
    ("orders_solved", "解决问题数"),
    ("average_stars", "平均星级"),
    ("grade_label", "等次"),
    ("stars", "所获星级"),
    ("volunteer_stars", "志愿星级"),
]
