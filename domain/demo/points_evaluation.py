"""积分 and 三级联评 in the demo: each community's partners and catalogue from the first
day; the community's evaluation of the last finished quarter and 组织部's check of the
standards a week into the next (when that falls in the story); redemptions in the last
weeks (most confirmed by the partner, some cancelled, the rest left for the partner);
and the stars for those who meet the criteria (the domain decides who does)."""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import partial
from uuid import UUID

from domain.actors import Actor, Role
from domain.calendar import business_date, quarter_end, quarter_of
from domain.demo.county import COMMUNITIES
from domain.demo.field import Field
from domain.demo.schedule import CST
from domain.errors import Conflict
from domain.evaluation import Star

PARTNERS = (("锦绣物业服务中心", "property_company"), ("爱心超市", "shop"), ("社区食堂", "canteen"))
CATALOGUE = (
    # (partner index, kind, name, price, stock)
    (0, "property_fee", "物业费抵扣 20 元", 200, None),
    (1, "shop", "洗衣液一瓶", 150, 30),
    (1, "shop", "大米 5 公斤", 300, 12),
    (2, "canteen", "爱心午餐一份", 100, 60),
    (1, "gift", "党员志愿服务纪念徽章", 50, 100),
)
COMMENTS = ("积极参与社区服务", "响应及时，群众认可", "按时报到，表现良好")
# The community's scores, as percentages of the policy's highest score (fewest, most).
RESULTS_SCORE = (70, 95)
FEEDBACK_SCORE = (75, 100)
ASSESSMENT_SCORE = (70, 98)
# When, from the story's start, the quarter's end, today.
SHOPS_OPEN = timedelta(hours=6)  # on the first day (a minute apart by community)
EVALUATED_AFTER_QUARTER = timedelta(days=3, hours=2)
CHECKED_AFTER_QUARTER = timedelta(days=7, hours=3)
EVALUATION_WINDOW = (timedelta(days=3), timedelta(days=7))  # in the story if it spans these
REDEEMED_DAYS_AGO = timedelta(days=10)  # (an hour apart by community)
AWARDED_DAYS_AGO = timedelta(days=2)
# Redemptions: members with at least this balance; some do not redeem; of those who do,
# rolls below the first are confirmed by the partner, below the second cancelled.
REDEEMING_BALANCE = 100
NOT_REDEEMING_SHARE = 0.4
CONFIRMED_BELOW = 0.75
CANCELLED_BELOW = 0.85
CANCEL_REASON = "改天再来兑换"
CASHIER = "收银台"
STARS_TRIED = (Star.CARING, Star.PIONEER, Star.TACKLING, Star.SERVICE)


def last_quarter(today: date) -> tuple[int, int]:
    """The last quarter that ended before today."""
    quarter = quarter_of(today)
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def schedule_points_and_evaluation(field: Field, seed: int) -> None:
    quarter = _Quarter(field, seed)
    start, today = field.window
    at, over = field.schedule.at, quarter.over
    first, checked_after = EVALUATION_WINDOW
    for c in range(len(COMMUNITIES)):
        at(start + SHOPS_OPEN + timedelta(minutes=c), partial(quarter.open_shop, c))
        if start < over + first and over + checked_after < today:
            at(over + EVALUATED_AFTER_QUARTER + timedelta(minutes=c), partial(quarter.evaluate, c))
        at(today - REDEEMED_DAYS_AGO - timedelta(hours=c), partial(quarter.redeem, c))
        at(today - AWARDED_DAYS_AGO - timedelta(hours=c), partial(quarter.award, c))
    if start < over and over + checked_after < today:
        at(over + CHECKED_AFTER_QUARTER, quarter.check)


class _Quarter:
    """The commands, with the dice they share (drawn in the order they run)."""

    def __init__(self, field: Field, seed: int) -> None:
        self.field = field
        self.app = field.app
        self.rng = random.Random(seed * 31 + 4)
        self.partners: dict[int, list[UUID]] = {}
        self.items: dict[int, list[UUID]] = {}
        self.year, self.quarter = last_quarter(business_date(field.today))
        ended = quarter_end(self.year, self.quarter)
        self.over = datetime.combine(ended, dtime(0), CST) + timedelta(days=1)

    def members_of(self, c: int) -> list[UUID]:
        """The community's reported members."""
        out = []
        for member_id in self.field.member_ids:
            if member_id is None:
                continue
            member = self.app.member(member_id)
            if member.community_id == self.field.community_ids[c] and member.reported:
                out.append(member_id)
        return out

    def open_shop(self, c: int) -> None:
        admin, community_id = self.field.admin(c), self.field.community_ids[c]
        self.partners[c] = []
        self.items[c] = []
        for name, kind in PARTNERS:
            partner = self.app.register_partner(admin, community_id, name=name, kind=kind)
            self.partners[c].append(partner.id)
            self.field.summary["partners"] += 1
        for p, kind, name, price, stock in CATALOGUE:
            item = self.app.list_item(
                admin,
                community_id,
                partner_id=self.partners[c][p],
                kind=kind,
                name=name,
                price=price,
                stock=stock,
            )
            self.items[c].append(item.id)
            self.field.summary["catalogue_items"] += 1

    def evaluate(self, c: int) -> None:
        score, rng = self.field.rules.score, self.rng
        for member_id in self.members_of(c):
            self.app.evaluate_member(
                self.field.admin(c),
                member_id,
                year=self.year,
                quarter=self.quarter,
                results=rng.randint(score(RESULTS_SCORE[0]), score(RESULTS_SCORE[1])),
                feedback=rng.randint(score(FEEDBACK_SCORE[0]), score(FEEDBACK_SCORE[1])),
                assessment=rng.randint(score(ASSESSMENT_SCORE[0]), score(ASSESSMENT_SCORE[1])),
                comment=rng.choice(COMMENTS),
            )
            self.field.summary["community_evaluations"] += 1

    def check(self) -> None:
        ids = [m for m in self.field.member_ids if m is not None]
        counts = self.app.check_standards(
            self.field.org_dept, year=self.year, quarter=self.quarter, member_ids=ids
        )
        self.field.summary["warnings"] += counts["yellow"] + counts["red"]

    def redeem(self, c: int) -> None:
        for member_id in self.members_of(c):
            account = self.app.points_account(member_id)
            if account is None or account.balance < REDEEMING_BALANCE:
                continue
            affordable = [
                i
                for i in self.items[c]
                if self.app.item(i).price <= account.balance and self.app.item(i).active
            ]
            if not affordable or self.rng.random() < NOT_REDEEMING_SHARE:
                continue
            with contextlib.suppress(Conflict):
                self._redeem_one(member_id, self.rng.choice(affordable))

    def _redeem_one(self, member_id: UUID, item_id: UUID) -> None:
        member = Actor(Role.MEMBER, str(member_id), member_id)
        result = self.app.redeem(member, member_id, item_id)
        self.field.summary["redemptions"] += 1
        fate = self.rng.random()
        item = self.app.item(item_id)
        partner = Actor(Role.PARTNER, CASHIER, item.partner_id)
        if fate < CONFIRMED_BELOW:
            self.app.confirm_redemption(partner, item.partner_id, result.details["code"])
        elif fate < CANCELLED_BELOW:
            self.app.cancel_redemption(member, result.id, CANCEL_REASON)

    def award(self, c: int) -> None:
        year = self.field.today.year
        for member_id in self.members_of(c):
            for star in STARS_TRIED:
                with contextlib.suppress(Conflict):
                    self.app.award_star(self.field.admin(c), member_id, star=star.code, year=year)
                    self.field.summary["stars"] += 1
