"""A plan's rules as a typed value: `PlanDefinition.from_document(d).as_document()` gives
back `d` byte for byte (the same keys in the same order, the same values), for any
document of the shapes the service has recorded (hypothesis: older ones lack the
derivation's version, the seed's deadline, a public value's format), for every plan of
the demo county, and for every plan the tests publish (the builders check each one,
tests.builders.inspection.assert_definition_round_trips)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.application import Sishuang
from domain.clock import ManualClock
from domain.demo import load_demo
from domain.draw_hashes import PLAN_SCHEMA
from domain.inspection_items import InspectionItem, SeedMethod
from domain.inspection_plan import InspectionPlan
from domain.plan_definition import PlanDefinition

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
COUNT = st.integers(min_value=0, max_value=100_000)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
)


def _rule() -> st.SearchStrategy[dict[str, Any]]:
    ratio = st.decimals(min_value=0, max_value=1, places=4).map(lambda d: format(d, "f"))
    return st.tuples(ratio, COUNT).map(lambda r: {"ratio": r[0], "minimum": r[1]})


@st.composite
def seeds(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        parties = draw(st.lists(TEXT.map(lambda t: "org_dept:" + t), max_size=5))
        return {"method": SeedMethod.COMMIT_REVEAL.code, "parties": parties}
    after = draw(st.datetimes(timezones=ZONES, min_value=datetime(2000, 1, 1)))
    seed = {"method": SeedMethod.PUBLIC_VALUE.code, "source": draw(TEXT)}
    seed["available_after"] = after.isoformat()
    if draw(st.booleans()):  # formats are required since bbae794
        seed["pattern"], seed["example"] = draw(TEXT), draw(TEXT)
    return seed


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A document as InspectionPlan.publish records it, in its key order; the parts
    added over time present or not."""
    start, end = sorted((draw(DAYS), draw(DAYS)))
    document: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "plan_id": str(draw(st.uuids())),
        "county_id": str(draw(st.uuids())),
        "title": draw(TEXT),
        "item": draw(st.sampled_from([i.code for i in InspectionItem])),
        "item_list_version": draw(TEXT),
    }
    if draw(st.booleans()):
        document["population_rules"] = draw(TEXT)
    document.update(
        procedure=draw(TEXT),
        period=[start.isoformat(), end.isoformat()],
        stratify=draw(st.sampled_from(["community", "county"])),
        strata={"normal": draw(_rule()), "low": draw(_rule())},
        low_rated_below=draw(st.integers(min_value=1, max_value=6)),
        min_inspectors=draw(COUNT),
        load_cap=draw(COUNT),
        alternates=draw(COUNT),
        cooldown_days=draw(COUNT),
        algorithm="cs-sha256-v1",
        seed=draw(seeds()),
        unannounced=draw(st.sampled_from([0, 1])),
        disclosure_working_days=draw(COUNT),
    )
    if draw(st.booleans()):
        document["reveal_within_hours"] = draw(COUNT)
    document["holidays"] = sorted({d.isoformat() for d in draw(st.lists(DAYS, max_size=4))})
    document["extra_workdays"] = sorted({d.isoformat() for d in draw(st.lists(DAYS, max_size=4))})
    return document


def round_trips(document: dict[str, Any]) -> bool:
    again = PlanDefinition.from_document(document).as_document()
    return orjson.dumps(again) == orjson.dumps(document)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_every_shape_of_document_reads_and_writes_back_byte_for_byte(
    document: dict[str, Any],
) -> None:
    assert round_trips(document)


@settings(max_examples=20, deadline=None)
@given(documents())
def test_the_definition_is_typed(document: dict[str, Any]) -> None:
    """What the aggregate and the draw read are dates, enums, ints, not strings of a dict."""
    definition = PlanDefinition.from_document(document)
    assert isinstance(definition.item, InspectionItem)
    assert all(isinstance(d, date) for d in definition.period)
    assert isinstance(definition.seed.method, SeedMethod)
    assert isinstance(definition.rules.inspectors_per_target, int)
    assert definition.rules.rule_for("JX/low") == definition.rules.low
    assert definition.rules.rule_for("JX") == definition.rules.normal


def test_every_plan_of_the_demo_county_round_trips() -> None:
    app = Sishuang({}, clock=ManualClock(datetime(2026, 1, 5, 1, tzinfo=UTC)))
    load_demo(app, members=60, residents_per_community=12, needs_per_community=16)
    published = [
        app.mapper.to_domain_event(n)
        for n in app.recorder.select_notifications(
            1, 100_000, topics=[InspectionPlan.Published.TOPIC]
        )
    ]
    kinds = {(e.document["item"], e.document["seed"]["method"]) for e in published}
    assert len(published) >= 4 and len(kinds) >= 3, kinds
    for event in published:
        assert round_trips(event.document), event.document
        assert app.plan(event.originator_id).document == event.document
