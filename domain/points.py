"""积分: a member's points account, the community's partners and catalogue, redemptions.

Two kinds of points are kept apart, as the field does: 考核积分 (assessment points,
counted for evaluation, never spent) and 服务积分 (service points, redeemable). Both
are earned together, by one `Earned` event that names its source (an order, an activity,
an award); a source earns once. The account also carries the service record the
evaluation needs (hours, services, ratings per business date), so the quarterly check
and the star criteria decide from the account alone.

Service balance = Σ earned − Σ held for redemptions + Σ returned − Σ withheld − Σ reversed,
never negative: a redemption that does not fit is refused; a reversal takes what is
there and records the rest as owed, which later earnings and returned redemptions
settle first (withheld).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, InvalidInput
from domain.limits import LIMITS
from domain.policies import Policy
from domain.values import Labelled, Solved

POINTS_NAMESPACE = UUID("6f1d4a52-8c3e-4b7a-9a51-2f0c5d7e9b13")


def account_id(member_id: UUID) -> UUID:
    return uuid5(POINTS_NAMESPACE, f"points|{member_id}")


class SourceKind(Labelled):
    ORDER = ("order", "服务订单")
    ACTIVITY = ("activity", "集体活动")
    AWARD = ("award", "星级评定")

    @classmethod
    def label_zh(cls) -> str:
        return "积分来源"


class ItemKind(Labelled):
    PROPERTY_FEE = ("property_fee", "物业费抵扣")
    CANTEEN = ("canteen", "社区食堂")
    SHOP = ("shop", "超市商品")
    GIFT = ("gift", "礼品")

    @classmethod
    def label_zh(cls) -> str:
        return "兑换类别"


class PartnerKind(Labelled):
    PROPERTY_COMPANY = ("property_company", "物业公司")
    CANTEEN = ("canteen", "社区食堂")
    SHOP = ("shop", "爱心超市")
    COMMUNITY = ("community", "社区")

    @classmethod
    def label_zh(cls) -> str:
        return "合作方类别"


class RedemptionStatus(Labelled):
    REQUESTED = ("requested", "待核销")
    CONFIRMED = ("confirmed", "已核销")
    CANCELLED = ("cancelled", "已取消")
    EXPIRED = ("expired", "已过期")

    @classmethod
    def label_zh(cls) -> str:
        return "兑换状态"


def source_key(kind: SourceKind, source_id: UUID) -> str:
    """A source's key in the account: an order or award earns once; an activity once per
    attendee (the account is per member, so the activity id alone is enough)."""
    return f"{kind.code}:{source_id}"


def points_for(hours: Decimal, rate: int) -> int:
    """The first rule (events before points_rule was recorded): each order's hours × rate,
    rounded half up per order. Kept to read those events; new credits use `points_upto`."""
    return int((hours * rate).to_integral_value(rounding=ROUND_HALF_UP))


PER_ORDER = "per_order"  # the rule of credits recorded before points_rule existed


def points_upto(hours: Decimal, rate: int, rule: str) -> int:
    """The points `hours` accumulated hours are worth under a rule (policy points_rule):
    pro_rata ⌊hours × rate⌋, full_hour ⌊hours⌋ × rate. A credit earns the difference
    this makes to the member's accumulated live hours, so the total is the worth of the
    total, however the hours were split across orders."""
    if rule == "full_hour":
        return int(hours.to_integral_value(rounding=ROUND_FLOOR)) * rate
    return int((hours * rate).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Credit:
    """What one source contributed (what an auditor sees behind a figure)."""

    key: str
    kind: SourceKind
    source_id: UUID
    business_date: date
    hours: Decimal
    services: int
    service_points: int
    assessment_points: int
    stars: int | None
    solved: Solved | None
    satisfied: bool | None
    urgent: bool
    activity_kind: str | None
    rate: int = 0
    rule: str = PER_ORDER
    bonus_points: int = 0
    reversed: bool = False


@dataclass(frozen=True)
class YearFigures:
    """A member's service record for a year up to a date, from the account's credits."""

    services: int
    hours: Decimal
    orders_solved: int
    ratings: int
    stars_total: int
    satisfied: int
    urgent_solved: int
    activities: int
    task_force: int

    @property
    def average_stars(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.stars_total) / self.ratings).quantize(Decimal("0.01"))

    def as_pairs(self) -> tuple[tuple[str, str], ...]:
        avg = self.average_stars
        return (
            ("services", str(self.services)),
            ("hours", str(self.hours)),
            ("orders_solved", str(self.orders_solved)),
            ("ratings", str(self.ratings)),
            ("average_stars", "" if avg is None else str(avg)),
            ("urgent_solved", str(self.urgent_solved)),
            ("activities", str(self.activities)),
            ("task_force", str(self.task_force)),
        )


class PointsAccount(Aggregate):
    TOPIC = "sishuang:PointsAccount"

    class Event(Aggregate.Event):
        pass

    class Opened(Event, Aggregate.Created):
        TOPIC = "sishuang:PointsAccount.Opened"
        member_id: UUID
        county_id: UUID
        community_id: UUID
        unit_id: UUID

    Created = Opened

    class Earned(Event):
        """Credit from one source: hours and services for the record, both kinds of
        points (rate × hours + bonus), and what the evaluation needs of the source."""

        TOPIC = "sishuang:PointsAccount.Earned"
        class_version = 2
        source: str
        source_kind: SourceKind
        source_id: UUID
        community_id: UUID
        business_date: date
        hours: Decimal
        services: int
        rate: int
        bonus_points: int
        service_points: int
        assessment_points: int
        withheld: int  # taken at once against points owed from an earlier reversal
        stars: int | None
        solved: Solved | None
        satisfied: bool | None
        urgent: bool
        activity_kind: str | None
        note: str
        # Version 2: the rule the points were reckoned by (policy points_rule) and the
        # member's accumulated live hours before this credit; version-1 events were
        # reckoned per order (PER_ORDER) and load with None before.
        points_rule: str
        hours_before: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["points_rule"] = PER_ORDER
            state["hours_before"] = None

        def apply(self, account: PointsAccount) -> None:
            account.credits[self.source] = Credit(
                key=self.source,
                kind=self.source_kind,
                source_id=self.source_id,
                business_date=self.business_date,
                hours=self.hours,
                services=self.services,
                service_points=self.service_points,
                assessment_points=self.assessment_points,
                stars=self.stars,
                solved=self.solved,
                satisfied=self.satisfied,
                urgent=self.urgent,
                activity_kind=self.activity_kind,
                rate=self.rate,
                rule=self.points_rule,
                bonus_points=self.bonus_points,
            )
            account.balance += self.service_points - self.withheld
            account.owed -= self.withheld
            account.assessment += self.assessment_points

    class Reversed(Event):
        """An order found false: its hours, services and points come off again."""

        TOPIC = "sishuang:PointsAccount.Reversed"
        source: str
        hours: Decimal
        services: int
        service_points: int  # taken from the balance now
        unrecovered: int  # could not be taken (already spent): owed
        assessment_points: int
        reason: str
        by: str

        def apply(self, account: PointsAccount) -> None:
            credit = account.credits[self.source]
            account.credits[self.source] = replace(credit, reversed=True)
            account.balance -= self.service_points
            account.owed += self.unrecovered
            account.assessment -= self.assessment_points

    class RedemptionHeld(Event):
        """Points taken for a redemption (one event or none)."""

        TOPIC = "sishuang:PointsAccount.RedemptionHeld"
        redemption_id: UUID
        item_id: UUID
        points: int

        def apply(self, account: PointsAccount) -> None:
            account.balance -= self.points
            account.held[self.redemption_id] = self.points

    class RedemptionReturned(Event):
        """A cancelled or unconfirmed redemption gives its points back; points owed from
        a reversal are settled from them first (withheld), as from an earning."""

        TOPIC = "sishuang:PointsAccount.RedemptionReturned"
        redemption_id: UUID
        points: int
        withheld: int
        reason: str

        def apply(self, account: PointsAccount) -> None:
            account.balance += self.points - self.withheld
            account.owed -= self.withheld
            account.held.pop(self.redemption_id, None)

    class VolunteerStarsChanged(Event):
        """五星志愿星: the level that follows from total hours and the average rating."""

        TOPIC = "sishuang:PointsAccount.VolunteerStarsChanged"
        level: int
        previous: int
        hours_total: Decimal
        average_stars: Decimal | None

        def apply(self, account: PointsAccount) -> None:
            account.volunteer_stars = self.level

    def __init__(self, member_id: UUID, county_id: UUID, community_id: UUID, unit_id: UUID):
        self.member_id = member_id
        self.county_id = county_id
        self.community_id = community_id
        self.unit_id = unit_id
        self.credits: dict[str, Credit] = {}
        self.balance = 0
        self.owed = 0
        self.assessment = 0
        self.held: dict[UUID, int] = {}
        self.volunteer_stars = 0

    @classmethod
    def open(
        cls, member_id: UUID, county_id: UUID, community_id: UUID, unit_id: UUID, now: datetime
    ) -> PointsAccount:
        return cls._create(
            cls.Opened,
            id=account_id(member_id),
            member_id=member_id,
            county_id=county_id,
            community_id=community_id,
            unit_id=unit_id,
            timestamp=now,
        )

    # -- decisions ---------------------------------------------------------------------

    def earn(
        self,
        *,
        kind: SourceKind,
        source_id: UUID,
        community_id: UUID,
        business_date: date,
        hours: Decimal,
        policy: Policy,
        stars: int | None = None,
        solved: Solved | None = None,
        satisfied: bool | None = None,
        urgent: bool = False,
        activity_kind: str | None = None,
        bonus_points: int = 0,
        note: str = "",
        now: datetime,
    ) -> None:
        key = source_key(kind, source_id)
        if key in self.credits:
            raise Conflict(
                "already_credited", "该来源已计入积分，不能重复计分", "this source earned already"
            )
        if hours < 0 or bonus_points < 0:
            raise InvalidInput("invalid_points", "积分不能为负", "points cannot be negative")
        bonus = bonus_points
        if kind is SourceKind.ORDER and stars == 5:
            bonus += policy.five_star_bonus_points
        before = self.live_hours()
        rate, rule = policy.points_per_hour, policy.points_rule
        earned = points_upto(before + hours, rate, rule) - points_upto(before, rate, rule) + bonus
        withheld = min(self.owed, earned)
        self.trigger_event(
            self.Earned,
            source=key,
            source_kind=kind,
            source_id=source_id,
            community_id=community_id,
            business_date=business_date,
            hours=hours,
            services=1 if counts_as_service(hours) else 0,
            rate=rate,
            bonus_points=bonus,
            service_points=earned,
            assessment_points=earned,
            withheld=withheld,
            stars=stars,
            solved=solved,
            satisfied=satisfied,
            urgent=urgent,
            activity_kind=activity_kind,
            note=note,
            points_rule=rule,
            hours_before=before,
            timestamp=now,
        )
        self._follow_volunteer_stars(policy, now)

    def reverse(
        self, kind: SourceKind, source_id: UUID, reason: str, by: str, now: datetime
    ) -> bool:
        """Reverse one source's credit; False if it never earned here (nothing to do)."""
        key = source_key(kind, source_id)
        credit = self.credits.get(key)
        if credit is None:
            return False
        if credit.reversed:
            raise Conflict("already_reversed", "该来源的积分已撤销", "this credit was reversed")
        due = self._worth_of(credit)
        taken = min(self.balance, due)
        self.trigger_event(
            self.Reversed,
            source=key,
            hours=credit.hours,
            services=credit.services,
            service_points=taken,
            unrecovered=due - taken,
            assessment_points=due,
            reason=reason,
            by=by,
            timestamp=now,
        )
        return True

    def _worth_of(self, credit: Credit) -> int:
        """What taking a credit away takes: its bonus, and what its hours add to the
        accumulated live hours under its rule (so the total stays the worth of the hours
        left). A credit reckoned per order gives back what it earned."""
        if credit.rule == PER_ORDER:
            return credit.service_points
        total = self.live_hours()
        rate, rule = credit.rate, credit.rule
        worth = points_upto(total, rate, rule) - points_upto(total - credit.hours, rate, rule)
        return worth + credit.bonus_points

    def hold(self, redemption_id: UUID, item_id: UUID, points: int, now: datetime) -> None:
        if points <= 0:
            raise InvalidInput("invalid_points", "兑换积分应大于 0", "points must be positive")
        if points > self.balance:
            raise Conflict(
                "insufficient_points",
                f"服务积分不足：需要 {points}，可用 {self.balance}",
                f"not enough points: {points} needed, {self.balance} available",
                needed=points,
                available=self.balance,
            )
        self.trigger_event(
            self.RedemptionHeld,
            redemption_id=redemption_id,
            item_id=item_id,
            points=points,
            timestamp=now,
        )

    def give_back(self, redemption_id: UUID, reason: str, now: datetime) -> None:
        points = self.held.get(redemption_id)
        if points is None:
            return
        self.trigger_event(
            self.RedemptionReturned,
            redemption_id=redemption_id,
            points=points,
            withheld=min(self.owed, points),
            reason=reason,
            timestamp=now,
        )

    def _follow_volunteer_stars(self, policy: Policy, now: datetime) -> None:
        level, hours, average = volunteer_level(self.live_credits(), policy)
        if level != self.volunteer_stars:
            self.trigger_event(
                self.VolunteerStarsChanged,
                level=level,
                previous=self.volunteer_stars,
                hours_total=hours,
                average_stars=average,
                timestamp=now,
            )

    def follow_volunteer_stars(self, policy: Policy, now: datetime) -> None:
        self._follow_volunteer_stars(policy, now)

    # -- figures -----------------------------------------------------------------------

    def live_credits(self) -> list[Credit]:
        return [c for c in self.credits.values() if not c.reversed]

    def live_hours(self) -> Decimal:
        """The hours of every credit not reversed: what points_rule reckons from."""
        return sum((c.hours for c in self.live_credits()), Decimal(0))

    def year_figures(self, year: int, until: date | None = None) -> YearFigures:
        return figures_of(
            c
            for c in self.live_credits()
            if c.business_date.year == year and (until is None or c.business_date <= until)
        )


def counts_as_service(hours_credited: Decimal) -> bool:
    """A service that counts (docs/figures.md): a closed order or a confirmed activity
    that credits hours. A credit that is later reversed (found false) stops counting:
    its Reversed event takes the service off in the period it was counted in."""
    return hours_credited > 0


def figures_of(credits: object) -> YearFigures:
    services = orders_solved = ratings = stars_total = satisfied = 0
    urgent_solved = activities = task_force = 0
    hours = Decimal(0)
    for c in credits:  # type: ignore[attr-defined]
        services += c.services
        hours += c.hours
        if c.kind is SourceKind.ORDER:
            if c.solved is Solved.YES:
                orders_solved += 1
                if c.urgent:
                    urgent_solved += 1
            if c.stars is not None:
                ratings += 1
                stars_total += c.stars
                satisfied += 1 if c.satisfied else 0
        elif c.kind is SourceKind.ACTIVITY and c.services:
            activities += 1
            if c.activity_kind == "task_force":
                task_force += 1
    return YearFigures(
        services=services,
        hours=hours,
        orders_solved=orders_solved,
        ratings=ratings,
        stars_total=stars_total,
        satisfied=satisfied,
        urgent_solved=urgent_solved,
        activities=activities,
        task_force=task_force,
    )


def volunteer_level(credits: list[Credit], policy: Policy) -> tuple[int, Decimal, Decimal | None]:
    """五星志愿星 from total hours; from 3 stars up the average rating must also reach
    `volunteer_star_min_average` (when the member has been rated at all)."""
    figures = figures_of(credits)
    level = sum(1 for threshold in policy.volunteer_star_hours if figures.hours >= threshold)
    average = figures.average_stars
    if level >= 3 and average is not None and average < policy.volunteer_star_min_average:
        level = 2
    return level, figures.hours, average


# -- partners and the catalogue ---------------------------------------------------------


class Partner(Aggregate):
    """A business that honours redemptions: the property company (物业费抵扣), the
    canteen, the shop. It confirms each hand-over with the redemption's code."""

    TOPIC = "sishuang:Partner"

    class Event(Aggregate.Event):
        pass

    class Registered(Event, Aggregate.Created):
        TOPIC = "sishuang:Partner.Registered"
        county_id: UUID
        community_id: UUID
        name: str
        kind: PartnerKind
        contact: str
        by: str

    Created = Registered

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        name: str,
        kind: PartnerKind,
        contact: str,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.name = name
        self.kind = kind

    @classmethod
    def register(
        cls,
        partner_id: UUID,
        *,
        county_id: UUID,
        community_id: UUID,
        name: str,
        kind: PartnerKind,
        contact: str,
        by: str,
        now: datetime,
    ) -> Partner:
        return cls._create(
            cls.Registered,
            id=partner_id,
            county_id=county_id,
            community_id=community_id,
            name=name,
            kind=kind,
            contact=contact,
            by=by,
            timestamp=now,
        )


def _check_price(price: int) -> None:
    top = LIMITS.max_item_points
    if isinstance(price, bool) or not isinstance(price, int) or not 0 < price <= top:
        raise InvalidInput(
            "invalid_price",
            f"兑换所需积分应为 1 到 {top} 之间的整数",
            f"the price is a whole number from 1 to {top}",
        )


def _check_stock(stock: int | None) -> None:
    top = LIMITS.max_item_stock
    if stock is not None and (
        isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= top
    ):
        raise InvalidInput(
            "invalid_stock",
            f"库存应为 0 到 {top} 之间的整数",
            f"stock is a whole number from 0 to {top}",
        )


class CatalogueItem(Aggregate):
    """One thing on a community's 积分兑换 list, with its price and, where it applies,
    its stock (物业费抵扣 has none)."""

    TOPIC = "sishuang:CatalogueItem"

    class Event(Aggregate.Event):
        pass

    class Listed(Event, Aggregate.Created):
        TOPIC = "sishuang:CatalogueItem.Listed"
        county_id: UUID
        community_id: UUID
        partner_id: UUID
        kind: ItemKind
        name: str
        description: str
        price: int
        stock: int | None
        by: str

    Created = Listed

    class PriceChanged(Event):
        TOPIC = "sishuang:CatalogueItem.PriceChanged"
        price: int
        by: str

        def apply(self, item: CatalogueItem) -> None:
            item.price = self.price

    class Restocked(Event):
        TOPIC = "sishuang:CatalogueItem.Restocked"
        quantity: int
        by: str

        def apply(self, item: CatalogueItem) -> None:
            if item.stock is not None:
                item.stock += self.quantity

    class StockTaken(Event):
        TOPIC = "sishuang:CatalogueItem.StockTaken"
        redemption_id: UUID
        quantity: int

        def apply(self, item: CatalogueItem) -> None:
            if item.stock is not None:
                item.stock -= self.quantity

    class StockReturned(Event):
        TOPIC = "sishuang:CatalogueItem.StockReturned"
        redemption_id: UUID
        quantity: int

        def apply(self, item: CatalogueItem) -> None:
            if item.stock is not None:
                item.stock += self.quantity

    class Withdrawn(Event):
        TOPIC = "sishuang:CatalogueItem.Withdrawn"
        reason: str
        by: str

        def apply(self, item: CatalogueItem) -> None:
            item.active = False

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        partner_id: UUID,
        kind: ItemKind,
        name: str,
        description: str,
        price: int,
        stock: int | None,
        by: str,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.partner_id = partner_id
        self.kind = kind
        self.name = name
        self.price = price
        self.stock = stock
        self.active = True

    @classmethod
    def list_item(
        cls,
        item_id: UUID,
        *,
        county_id: UUID,
        community_id: UUID,
        partner_id: UUID,
        kind: ItemKind,
        name: str,
        description: str,
        price: int,
        stock: int | None,
        by: str,
        now: datetime,
    ) -> CatalogueItem:
        _check_price(price)
        _check_stock(stock)
        return cls._create(
            cls.Listed,
            id=item_id,
            county_id=county_id,
            community_id=community_id,
            partner_id=partner_id,
            kind=kind,
            name=name,
            description=description,
            price=price,
            stock=stock,
            by=by,
            timestamp=now,
        )

    def _require_active(self) -> None:
        if not self.active:
            raise Conflict("item_withdrawn", "该兑换项目已下架", "this item was withdrawn")

    def change_price(self, price: int, by: str, now: datetime) -> None:
        self._require_active()
        _check_price(price)
        if price != self.price:
            self.trigger_event(self.PriceChanged, price=price, by=by, timestamp=now)

    def restock(self, quantity: int, by: str, now: datetime) -> None:
        self._require_active()
        if self.stock is None:
            raise Conflict("no_stock_kept", "该项目不计库存", "this item keeps no stock")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InvalidInput("invalid_stock", "补货数量应为正整数", "restock a positive number")
        _check_stock(self.stock + quantity)
        self.trigger_event(self.Restocked, quantity=quantity, by=by, timestamp=now)

    def withdraw(self, reason: str, by: str, now: datetime) -> None:
        self._require_active()
        self.trigger_event(self.Withdrawn, reason=reason, by=by, timestamp=now)

    def take(self, redemption_id: UUID, quantity: int, now: datetime) -> None:
        self._require_active()
        if self.stock is not None:
            if quantity > self.stock:
                raise Conflict(
                    "out_of_stock",
                    f"库存不足：剩余 {self.stock}",
                    f"not enough stock: {self.stock} left",
                    available=self.stock,
                )
            self.trigger_event(
                self.StockTaken, redemption_id=redemption_id, quantity=quantity, timestamp=now
            )

    def put_back(self, redemption_id: UUID, quantity: int, now: datetime) -> None:
        if self.stock is not None:
            self.trigger_event(
                self.StockReturned, redemption_id=redemption_id, quantity=quantity, timestamp=now
            )


class Redemption(Aggregate):
    """积分兑换: requested by the member (points held, stock taken, in one write), then
    confirmed by the partner with the code, or cancelled / expired (points returned)."""

    TOPIC = "sishuang:Redemption"

    class Event(Aggregate.Event):
        pass

    class Requested(Event, Aggregate.Created):
        TOPIC = "sishuang:Redemption.Requested"
        county_id: UUID
        community_id: UUID
        member_id: UUID
        item_id: UUID
        partner_id: UUID
        item_name: str
        quantity: int
        unit_price: int
        points: int
        code: str
        expires_at: datetime

    Created = Requested

    class Confirmed(Event):
        TOPIC = "sishuang:Redemption.Confirmed"
        by: str

        def apply(self, r: Redemption) -> None:
            r.status = RedemptionStatus.CONFIRMED

    class Cancelled(Event):
        TOPIC = "sishuang:Redemption.Cancelled"
        reason: str
        by: str

        def apply(self, r: Redemption) -> None:
            r.status = RedemptionStatus.CANCELLED

    class Expired(Event):
        TOPIC = "sishuang:Redemption.Expired"

        def apply(self, r: Redemption) -> None:
            r.status = RedemptionStatus.EXPIRED

    def __init__(
        self,
        county_id: UUID,
        community_id: UUID,
        member_id: UUID,
        item_id: UUID,
        partner_id: UUID,
        item_name: str,
        quantity: int,
        unit_price: int,
        points: int,
        code: str,
        expires_at: datetime,
    ) -> None:
        self.county_id = county_id
        self.community_id = community_id
        self.member_id = member_id
        self.item_id = item_id
        self.partner_id = partner_id
        self.quantity = quantity
        self.points = points
        self.code = code
        self.expires_at = expires_at
        self.status = RedemptionStatus.REQUESTED

    @classmethod
    def request(
        cls,
        redemption_id: UUID,
        *,
        member_id: UUID,
        item: CatalogueItem,
        quantity: int,
        code: str,
        policy: Policy,
        now: datetime,
    ) -> Redemption:
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= policy.max_redemption_quantity
        ):
            raise InvalidInput(
                "invalid_quantity",
                f"兑换数量应为 1 到 {policy.max_redemption_quantity}",
                f"quantity must be 1 to {policy.max_redemption_quantity}",
            )
        return cls._create(
            cls.Requested,
            id=redemption_id,
            county_id=item.county_id,
            community_id=item.community_id,
            member_id=member_id,
            item_id=item.id,
            partner_id=item.partner_id,
            item_name=item.name,
            quantity=quantity,
            unit_price=item.price,
            points=item.price * quantity,
            code=code,
            expires_at=now + timedelta(days=policy.redemption_confirm_days),
            timestamp=now,
        )

    def _require_open(self) -> None:
        if self.status is not RedemptionStatus.REQUESTED:
            raise Conflict(
                f"redemption_{self.status.code}",
                f"该兑换{self.status.label}",
                f"this redemption is {self.status.code}",
            )

    def require_confirmable(self, now: datetime) -> None:
        """Refused as confirming it at ``now`` would be (used, cancelled, expired)."""
        self._require_open()
        if now >= self.expires_at:
            raise Conflict("redemption_expired", "该兑换码已过期", "this code has expired")

    def confirm(self, by: str, now: datetime) -> None:
        self.require_confirmable(now)
        self.trigger_event(self.Confirmed, by=by, timestamp=now)

    def cancel(self, reason: str, by: str, now: datetime) -> None:
        self._require_open()
        self.trigger_event(self.Cancelled, reason=reason, by=by, timestamp=now)

    def expire(self, now: datetime) -> bool:
        if self.status is RedemptionStatus.REQUESTED and now >= self.expires_at:
            self.trigger_event(self.Expired, timestamp=now)
            return True
        return False
