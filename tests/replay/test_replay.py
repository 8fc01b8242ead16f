"""The auditor's replay: an untouched export verifies; a changed byte, a deleted event,
two swapped, a forged one inserted, a truncated tail each fail verification at the
position where they happened (on SQLite and PostgreSQL); an earlier checkpoint is
proved a prefix; a rebuild as of the end equals the live ledgers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.application import Sishuang
from domain.clock import ManualClock
from projections import ReadModels, needs, sealer
from projections.settings import Settings
from replay import bundle as bundles
from replay.cli import main as replay_main
from replay.export import export_from
from replay.rebuild import diff_ledgers, rebuild
from replay.verify import verify_bundle
from tests.builders.orders import Loop
from tests.builders.replay import Store
from tests.builders.world import World


class History:
    def __init__(self, store_env: dict[str, str], clock: ManualClock, tmp: Path) -> None:
        self.app = Sishuang(store_env, clock=clock)
        self.read = ReadModels(self.app, run_projections=True)
        self.loop = Loop(World(self.app), clock)
        self.settings = Settings(data_dir=tmp, log_origin="sishuang.test")
        self.tmp = tmp
        for hours in ("1", "2", "1.5"):
            order = self.loop.post()
            self.loop.to_claimed(order, hours=hours)
            self.app.rate(self.loop.resident, order, stars=5, solved="yes")
            clock.advance(timedelta(days=1))
        self.community = self.loop.world.community_id
        self.log = sealer.log_id_of("community", self.community)
        self.store = Store(self.app)

    def export(self, name: str = "bundle.zip") -> Path:
        out = self.tmp / name
        export_from(self.app, self.read, self.settings, self.community, out, progress=False)
        return out

    def vkey(self) -> str:
        return (self.settings.data_dir / "seal.vkey").read_text().strip()

    def sealed(self) -> list[dict[str, Any]]:
        return sealer.leaves(self.read.store, self.log)

    def verify(self, path: Path, previous: str | None = None) -> Any:
        return verify_bundle(bundles.read(path), self.vkey(), previous, progress=False)


@pytest.fixture
def history(store_env: dict[str, str], clock: ManualClock, tmp_path: Path) -> Iterator[History]:
    h = History(store_env, clock, tmp_path)
    assert h.read.follower is not None
    h.read.follower.catch_up()
    h.export("first.zip")  # seals and publishes the first checkpoint
    yield h
    h.app.close()


def test_an_untouched_export_verifies_and_extends_the_earlier_checkpoint(
    history: History,
) -> None:
    first = bundles.read(history.tmp / "first.zip")
    order = history.loop.post(content="又一单")
    history.loop.to_claimed(order)
    assert history.read.follower is not None
    history.read.follower.catch_up()
    path = history.export("second.zip")
    report = history.verify(path, previous=first.community.checkpoint)
    assert report.ok, report.text()
    assert report.logs[0].size > len(first.community.leaves)
    assert report.logs[0].events == report.logs[0].size
    assert replay_main(["verify", str(path), "--pubkey", history.vkey(), "--quiet"]) == 0
    other = Settings(data_dir=history.tmp / "other")
    from projections.settings import signing_key

    stranger = signing_key(other).vkey
    assert replay_main(["verify", str(path), "--pubkey", stranger, "--quiet"]) == 1


def tamper_byte(h: History, nid: int) -> None:
    state = bytearray(h.store.row(nid)[3])
    state[len(state) // 2] ^= 0x01
    h.store.set_state(nid, bytes(state))


def forge(h: History, nid: int) -> None:
    oid, version, topic, state = h.store.row(nid)
    h.store.insert_at(nid, (oid, 10_000 + version, topic, state))


CASES: dict[str, tuple[Callable[[History, list[dict[str, Any]]], int], str]] = {
    # name: (tamper, returning the seq where verification must fail; what it says)
    "one byte of one event": (
        lambda h, s: (tamper_byte(h, s[5]["notification_id"]), 5)[1],
        "字节被改动",
    ),
    "an event deleted": (
        lambda h, s: (h.store.delete(s[7]["notification_id"]), 7)[1],
        "删除、插入或调换",
    ),
    "two events swapped": (
        lambda h, s: (h.store.swap(s[4]["notification_id"], s[9]["notification_id"]), 4)[1],
        "删除、插入或调换",
    ),
    "a forged event inserted": (
        lambda h, s: (forge(h, s[6]["notification_id"]), 6)[1],
        "删除、插入或调换",
    ),
    "the tail truncated": (
        lambda h, s: (
            [h.store.delete(row["notification_id"]) for row in s[-3:]],
            len(s) - 3,
        )[1],
        "缺失",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_fails_verification_at_its_position(history: History, case: str) -> None:
    sealed = history.sealed()
    tamper, says = CASES[case]
    position = tamper(history, sealed)
    path = history.export("tampered.zip")
    report = history.verify(path)
    assert not report.ok
    problem = report.first_problem
    assert problem is not None and problem.log == history.log
    assert problem.position == position, (case, str(problem))
    assert says in problem.what, (case, str(problem))
    assert replay_main(["verify", str(path), "--pubkey", history.vkey(), "--quiet"]) == 1


def test_a_rebuild_as_of_the_end_equals_the_live_ledgers(history: History) -> None:
    path = history.tmp / "first.zip"
    b = bundles.read(path)
    ledgers = rebuild(b, progress=False)
    live_total, live = needs.ledger(
        history.read.store, str(history.community), history.loop.clock.now(), size=1000
    )
    key = {r["order_id"]: (r["status"], r["hours_credited"], r["stars"]) for r in live}
    assert {
        r["order_id"]: (r["status"], r["hours_credited"], r["stars"]) for r in ledgers.needs
    } == key
    assert live_total == len(ledgers.needs) == 3
    # as of a moment before the third order closed: two closed, the third not yet posted
    moments = sorted(r["closed_at"] for r in live)
    earlier = rebuild(b, as_of=_dt(moments[1]), progress=False)
    assert sum(1 for r in earlier.needs if r["status"] == "closed") == 2
    lines = diff_ledgers(earlier, ledgers)
    assert any("民生需求台账：新增 1" in line for line in lines)


def _dt(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)
