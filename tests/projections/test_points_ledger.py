"""积分 read models on SQLite and PostgreSQL: the statement's balance after each entry is
the running sum of its entries and ends at the account's balance, a partner's settlement
list, the sweep's list of redemptions past their deadline, and the catalogue's stock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.points import CatalogueItem, account_id
from projections import ReadModels
from projections.points import (
    account_of,
    catalogue,
    due_redemptions,
    get_redemption,
    partner_redemptions,
    redemptions_of,
    statement,
)
from projections.store import ReadStore
from tests.builders.orders import NEAR, PHOTO_AFTER, PHOTO_BEFORE, Loop
from tests.builders.world import World

PHONES = ("13800001000", "13800001001")  # Loop's members' phone numbers


class Ledger(Loop):
    """Loop's two members and resident, 爱心超市 with rice (stock kept) and the property
    company with a fee deduction (no stock)."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        super().__init__(world, clock)
        app, staff, community = self.app, world.staff, world.community_id
        self.shop = app.register_partner(
            staff, community, name="爱心超市", kind="shop", contact="0356-1234567"
        ).id
        self.property = app.register_partner(
            staff, community, name="物业公司", kind="property_company", contact="0356-7654321"
        ).id
        self.cashier = Actor(Role.PARTNER, "爱心超市-收银员", self.shop)
        self.rice = app.list_item(
            staff, community, partner_id=self.shop, kind="shop", name="大米", price=40, stock=10
        ).id
        self.oil = app.list_item(
            staff, community, partner_id=self.shop, kind="shop", name="食用油", price=30, stock=3
        ).id
        self.fee = app.list_item(
            staff,
            community,
            partner_id=self.property,
            kind="property_fee",
            name="物业费抵扣10元",
            price=20,
        ).id
        self.orders = 0

    def close(self, member: int, hours: str, stars: int = 4) -> UUID:
        order_id = self.post(content=f"需求{self.orders}")
        self.orders += 1
        member_id = self.members[member]
        actor = self.world.member_actor(member_id)
        self.app.request_take(actor, order_id)
        self.app.dispatch(self.world.staff, order_id, member_id)
        self.app.accept(actor, order_id)
        self.app.check_in(actor, order_id, *NEAR)
        self.app.attach_photo(actor, order_id, PHOTO_BEFORE, "before")
        self.app.attach_photo(actor, order_id, PHOTO_AFTER, "after")
        self.clock.advance(timedelta(hours=float(Decimal(hours))) + timedelta(minutes=30))
        self.app.claim_completion(actor, order_id, hours)
        self.app.rate(self.resident, order_id, stars=stars, solved="yes")
        return order_id

    def redeem(self, member: int, item_id: UUID, quantity: int = 1) -> tuple[UUID, str]:
        member_id = self.members[member]
        result = self.app.redeem(
            self.world.member_actor(member_id), member_id, item_id, quantity=quantity
        )
        return result.id, result.details["code"]


@pytest.fixture
def ledger(store_env: dict[str, str], clock: ManualClock) -> Iterator[tuple[Ledger, ReadModels]]:
    app = Sishuang(store_env, clock=clock)
    read = ReadModels(app, run_projections=True)
    yield Ledger(World(app), clock), read
    app.close()


def caught_up(read: ReadModels) -> ReadStore:
    assert read.follower is not None
    read.follower.catch_up()
    return read.store


def log_of(app: Sishuang) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    start = 1
    while page := app.recorder.select_notifications(start, limit=100):
        out += [(n.id, app.mapper.to_domain_event(n)) for n in page]
        start = page[-1].id + 1
    return out


def spend_earn_and_reverse(s: Ledger) -> dict[str, UUID]:
    """Member 0 earns, spends, has an order found false after spending (a debt), and
    earns again (the debt withheld first) at a rate the community raised meanwhile;
    member 1 earns and redeems once."""
    app, world = s.app, s.world
    ids: dict[str, UUID] = {}
    ids["false"] = s.close(0, "2")  # 100
    s.close(0, "1", stars=5)  # 50 + 10
    ids["rice"], code = s.redeem(0, s.rice, 2)  # 80 held
    app.confirm_redemption(s.cashier, s.shop, code)
    ids["oil"], _ = s.redeem(0, s.oil)  # 30 held, then given back
    app.cancel_redemption(world.member_actor(s.members[0]), ids["oil"], "买错了")
    ids["fee"], _ = s.redeem(0, s.fee)  # 20 held, left open
    app.find_order_false(world.staff, ids["false"], "照片与现场不符")  # 60 taken, 40 owed
    app.set_points_rules(world.staff, world.community_id, {"points_per_hour": 60}, "提高标准")
    s.close(0, "1")  # 60: 40 withheld
    s.close(0, "1", stars=5)  # 60 + 10
    s.close(1, "1")  # member 1: 60
    ids["rice_1"], code = s.redeem(1, s.rice)  # 40 held
    app.confirm_redemption(s.cashier, s.shop, code)
    return ids


def test_the_statement_runs_to_the_accounts_balance(
    ledger: tuple[Ledger, ReadModels],
) -> None:
    s, read = ledger
    spend_earn_and_reverse(s)
    store = caught_up(read)
    for member_id in s.members:
        account = s.app.points_account(member_id)
        assert account is not None
        entries = statement(store, str(member_id))
        assert entries
        balance = assessment = 0
        for entry in entries:
            balance += entry["service_points"]
            assessment += entry["assessment_points"]
            assert entry["balance_after"] == balance >= 0
            assert entry["assessment_after"] == assessment
            notification = s.app.recorder.select_notifications(entry["position"], limit=1)[0]
            assert notification.id == entry["position"]
            assert notification.originator_id == account_id(member_id)
        assert [e["position"] for e in entries] == sorted(e["position"] for e in entries)
        assert balance == account.balance and assessment == account.assessment
        row = account_of(store, str(member_id))
        assert (row["balance"], row["assessment"], row["owed"]) == (
            account.balance,
            account.assessment,
            account.owed,
        )
        assert row["volunteer_stars"] == account.volunteer_stars
        # The totals: balance = Σ earned − Σ withheld − held (waiting for the partner)
        # − Σ redeemed (handed over) − Σ reversed; a redemption given back leaves held.
        assert (
            row["earned"] - row["withheld"] - row["held"] - row["redeemed"] - row["reversed"]
            == row["balance"]
        )
        mine = redemptions_of(store, str(member_id))
        assert row["held"] == sum(r["points"] for r in mine if r["status"] == "requested")
        assert row["redeemed"] == sum(r["points"] for r in mine if r["status"] == "confirmed")
    # Member 0's story, entry by entry (a reversal takes what is there, 40 stay owed
    # and the next earning settles them first).
    entries = statement(store, str(s.members[0]))
    assert [(e["entry"], e["service_points"], e["balance_after"]) for e in entries] == [
        ("earned", 100, 100),
        ("earned", 60, 160),
        ("held", -80, 80),
        ("held", -30, 50),
        ("returned", 30, 80),
        ("held", -20, 60),
        ("reversed", -60, 0),
        ("earned", 20, 20),
        ("earned", 70, 90),
    ]
    assert [e["assessment_after"] for e in entries] == [100, 160, 160, 160, 160, 160, 60, 120, 190]
    assert [e["hours"] for e in entries if e["entry"] in ("earned", "reversed")] == [
        "2.00",
        "1.00",
        "-2.00",
        "1.00",
        "1.00",
    ]
    assert "欠分" in entries[6]["description"] and "抵扣欠分 40" in entries[7]["description"]
    assert account_of(store, str(s.members[0]))["owed"] == 0
    # Someone with no account: an empty statement and nothing on the account.
    assert statement(store, str(s.world.unit_id)) == []
    assert account_of(store, str(s.world.unit_id))["balance"] == 0


def test_a_partner_settles_confirmed_redemptions_without_phone_numbers(
    ledger: tuple[Ledger, ReadModels],
) -> None:
    s, read = ledger
    ids = spend_earn_and_reverse(s)
    store = caught_up(read)
    confirmed = partner_redemptions(store, str(s.shop), status="confirmed")
    assert [r["redemption_id"] for r in confirmed] == [str(ids["rice"]), str(ids["rice_1"])]
    assert [(r["member_name"], r["quantity"], r["points"]) for r in confirmed] == [
        ("张伟", 2, 80),
        ("李娜", 1, 40),
    ]
    assert all(r["status_label"] == "已核销" and r["confirmed_by"] for r in confirmed)
    everything = partner_redemptions(store, str(s.shop))
    assert {r["redemption_id"]: r["status"] for r in everything} == {
        str(ids["rice"]): "confirmed",
        str(ids["oil"]): "cancelled",
        str(ids["rice_1"]): "confirmed",
    }
    fees = partner_redemptions(store, str(s.property))
    assert [(r["redemption_id"], r["status"]) for r in fees] == [(str(ids["fee"]), "requested")]
    for r in [*everything, *fees]:
        assert not any("phone" in key or key == "code" for key in r), r
        assert not any(phone in str(v) for phone in PHONES for v in r.values()), r
    # A settlement period: from just after the first hand-over.
    start = datetime.fromisoformat(confirmed[0]["confirmed_at"]) + timedelta(microseconds=1)
    later = partner_redemptions(store, str(s.shop), status="confirmed", start=start.isoformat())
    assert [r["redemption_id"] for r in later] == [str(ids["rice_1"])]
    until = partner_redemptions(
        store, str(s.shop), status="confirmed", end=later[0]["confirmed_at"]
    )
    assert [r["redemption_id"] for r in until] == [str(ids["rice"])]
    # The member sees their own, codes and all.
    mine = redemptions_of(store, str(s.members[0]))
    assert all(len(r["code"]) == 8 for r in mine)
    assert {r["redemption_id"] for r in mine} == {
        str(ids["rice"]),
        str(ids["oil"]),
        str(ids["fee"]),
    }


def expected_stock(app: Sishuang) -> dict[str, int | None]:
    """Each item's stock from the log: listed, restocked, taken, returned."""
    stock: dict[str, int | None] = {}
    for _, e in log_of(app):
        item = str(e.originator_id)
        if isinstance(e, CatalogueItem.Listed):
            stock[item] = e.stock
        elif isinstance(e, CatalogueItem.Restocked | CatalogueItem.StockReturned):
            assert stock[item] is not None
            stock[item] = stock[item] + e.quantity  # type: ignore[operator]
        elif isinstance(e, CatalogueItem.StockTaken):
            assert stock[item] is not None
            stock[item] = stock[item] - e.quantity  # type: ignore[operator]
    return stock


def assert_catalogue_follows_the_log(s: Ledger, store: ReadStore) -> dict[str, dict[str, Any]]:
    rows = {
        r["item_id"]: r for r in catalogue(store, str(s.world.community_id), include_withdrawn=True)
    }
    want = expected_stock(s.app)
    assert {item: r["stock"] for item, r in rows.items()} == want
    for item_id, r in rows.items():
        assert r["stock"] == s.app.item(UUID(item_id)).stock
        assert r["available"] is (r["active"] and (r["stock"] is None or r["stock"] > 0))
    return rows


def test_due_redemptions_are_the_open_ones_past_their_deadline_and_stock_follows(
    ledger: tuple[Ledger, ReadModels],
) -> None:
    s, read = ledger
    app, clock = s.app, s.clock
    s.close(0, "6")  # 300 points
    store = caught_up(read)
    rows = assert_catalogue_follows_the_log(s, store)
    assert rows[str(s.oil)]["stock"] == 3 and rows[str(s.fee)]["stock"] is None
    start = clock.now()
    early, _ = s.redeem(0, s.rice, 2)
    confirmed, code = s.redeem(0, s.rice)
    app.confirm_redemption(s.cashier, s.shop, code)
    cancelled, _ = s.redeem(0, s.oil, 3)  # the last three
    store = caught_up(read)
    rows = assert_catalogue_follows_the_log(s, store)
    assert (rows[str(s.rice)]["stock"], rows[str(s.oil)]["stock"]) == (7, 0)
    assert rows[str(s.oil)]["available"] is False
    app.cancel_redemption(s.world.staff, cancelled, "商家缺货")
    clock.advance(timedelta(days=1))
    late, _ = s.redeem(0, s.fee, 2)
    app.change_item(s.world.staff, s.rice, price=45, restock=5)
    app.change_item(s.world.staff, s.oil, withdraw_reason="停止供应")
    store = caught_up(read)
    rows = assert_catalogue_follows_the_log(s, store)
    assert (rows[str(s.rice)]["stock"], rows[str(s.rice)]["price"]) == (12, 45)
    assert rows[str(s.oil)]["stock"] == 3 and rows[str(s.oil)]["active"] is False
    listed = {r["item_id"] for r in catalogue(store, str(s.world.community_id))}
    assert listed == {str(s.rice), str(s.fee)}
    # Before any deadline nothing is due.
    assert due_redemptions(store, clock.now()) == []
    # At the first deadline exactly, the open one from then is due (as the domain says).
    deadline = start + timedelta(days=7)
    found = get_redemption(store, str(early))
    assert found is not None and found["expires_at"] == deadline.isoformat()
    clock.set(deadline)
    assert due_redemptions(store, clock.now()) == [str(early)]
    assert due_redemptions(store, clock.now() - timedelta(microseconds=1)) == []
    assert app.expire_redemptions([UUID(r) for r in due_redemptions(store, clock.now())]) == 1
    store = caught_up(read)
    assert due_redemptions(store, clock.now()) == []
    found = get_redemption(store, str(early))
    assert found is not None and found["status"] == "expired" and found["ended_by"]
    rows = assert_catalogue_follows_the_log(s, store)
    assert rows[str(s.rice)]["stock"] == 14  # the two back
    # A day later the second is due; confirmed, cancelled and expired ones never are.
    clock.advance(timedelta(days=1, seconds=1))
    assert due_redemptions(store, clock.now()) == [str(late)]
    assert due_redemptions(store, clock.now(), limit=0) == []
    statuses = {str(r): get_redemption(store, str(r)) for r in (confirmed, cancelled, late)}
    assert {r: v["status"] for r, v in statuses.items() if v} == {
        str(confirmed): "confirmed",
        str(cancelled): "cancelled",
        str(late): "requested",
    }
    # Points held for the expired and cancelled ones came back on the statement.
    entries = statement(store, str(s.members[0]))
    returned = [e["redemption_id"] for e in entries if e["entry"] == "returned"]
    assert returned == [str(cancelled), str(early)]
    account = app.points_account(s.members[0])
    assert account is not None and entries[-1]["balance_after"] == account.balance
