"""The demo county (api.demo.load_demo): what it loads is what the log holds, it loads
once, and a seed always gives the same county."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.demo import UNITS, load_demo
from domain.application import Sishuang
from domain.clock import ManualClock
from domain.values import SkillCategory

MEMBERS = 60


def make_app(path: Path) -> Sishuang:
    return Sishuang(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)},
        clock=ManualClock(),
    )


def events(app: Sishuang) -> list[tuple[str, Any]]:
    return [
        (n.topic, app.mapper.to_domain_event(n))
        for n in app.recorder.select_notifications(1, 100_000)
    ]


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sishuang, dict[str, Any]]]:
    """One demo county of MEMBERS members, shared by the tests that only read it."""
    app = make_app(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield app, load_demo(app, members=MEMBERS)
    app.close()


def test_demo_summary_counts_match_the_event_store(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, summary = loaded
    topics = Counter(topic for topic, _ in events(app))

    assert summary["already_loaded"] is False
    assert topics["sishuang:County.Registered"] == 1
    assert summary["communities"] == topics["sishuang:Community.Registered"] == 4
    assert summary["units"] == topics["sishuang:Unit.Registered"]
    assert 8 <= summary["units"] <= 10
    assert summary["pairings"] == topics["sishuang:Unit.Paired"]
    assert summary["unit_reports"] == topics["sishuang:Unit.ReportedToCommunity"]
    assert summary["members"] == topics["sishuang:Member.Registered"] == MEMBERS
    assert summary["approved"] == topics["sishuang:Member.Approved"]
    assert summary["rejected"] == topics["sishuang:Member.Rejected"]
    assert summary["reported"] == topics["sishuang:Member.Reported"]
    assert summary["pending"] == MEMBERS - summary["approved"] - summary["rejected"]


def test_demo_has_every_review_state_and_members_not_yet_reported(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    _, summary = loaded
    assert summary["rejected"] > 0
    assert summary["pending"] > 0
    assert 0 < summary["reported"] < summary["approved"]  # the "not reported" list has names
    assert summary["approved"] >= 0.75 * MEMBERS


def test_demo_units_straddle_the_coverage_target(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    declared: dict[Any, int] = {}
    unit_of: dict[Any, Any] = {}
    reported: Counter[Any] = Counter()
    for topic, event in events(app):
        if topic == "sishuang:Unit.Registered":
            declared[event.originator_id] = event.member_count
        elif topic == "sishuang:Member.Registered":
            unit_of[event.originator_id] = event.unit_id
        elif topic == "sishuang:Member.Reported":
            reported[unit_of[event.originator_id]] += 1

    coverage = {unit: reported[unit] / count for unit, count in declared.items()}
    assert any(share >= 0.95 for share in coverage.values())
    assert any(share < 0.95 for share in coverage.values())
    assert 0.7 <= sum(reported.values()) / sum(declared.values()) <= 0.9


def test_demo_members_register_with_valid_details_and_fitting_skills(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, _ = loaded
    registered = [e for topic, e in events(app) if topic == "sishuang:Member.Registered"]
    assert len({e.phone for e in registered}) == len(registered)
    assert all(2 <= len(e.name) <= 3 for e in registered)
    declared = [e for topic, e in events(app) if topic == "sishuang:Member.SkillsDeclared"]
    assert declared
    assert all(1 <= len(e.categories) <= 3 and len(e.tags) <= 2 for e in declared)


def test_demo_data_uses_only_known_skill_categories() -> None:
    known = {c.code for c in SkillCategory}
    for unit in UNITS:
        used = {c for _, fitting in unit.posts for c in fitting} | set(unit.extra_categories)
        assert used <= known, unit.name


def test_loading_the_demo_twice_records_nothing_new(
    loaded: tuple[Sishuang, dict[str, Any]],
) -> None:
    app, first = loaded
    before = app.recorder.max_notification_id()

    second = load_demo(app, members=MEMBERS)

    assert app.recorder.max_notification_id() == before
    assert second["already_loaded"] is True
    assert second["county_id"] == first["county_id"]
    assert second["members"] == 0


def test_the_same_seed_gives_the_same_members(tmp_path: Path) -> None:
    def registrations(path: Path, seed: int) -> list[tuple[str, str, str, str]]:
        app = make_app(path)
        try:
            load_demo(app, seed=seed, members=MEMBERS)
            return [
                (e.name, e.phone, e.post, e.basis.code)
                for topic, e in events(app)
                if topic == "sishuang:Member.Registered"
            ]
        finally:
            app.close()

    first = registrations(tmp_path / "a.sqlite3", 7)
    again = registrations(tmp_path / "b.sqlite3", 7)
    other = registrations(tmp_path / "c.sqlite3", 8)

    assert first == again
    assert [name for name, *_ in first] != [name for name, *_ in other]
