"""The event catalogue: stable, unique topics, each documented, and docs/events.md as built."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from domain import event_catalogue as catalogue


def test_every_event_has_a_unique_stable_topic_and_a_note() -> None:
    infos = catalogue.events()
    topics = [i.topic for i in infos]
    assert len(topics) == len(set(topics))
    for info in infos:
        assert info.topic == f"sishuang:{info.aggregate}.{info.name.split(' ')[0]}"
        assert info.doc, f"{info.topic} has no note in domain.event_catalogue.NOTES"
    assert set(catalogue.NOTES) == set(topics)


def test_every_event_is_attributable_to_exactly_one_log() -> None:
    """Each aggregate has one rule, and its creation event carries what the rule names."""
    import dataclasses

    from eventsourcing.domain import Aggregate

    assert set(catalogue.LOG_OF) == set(catalogue.AGGREGATES)
    for aggregate, (kind, field_name) in catalogue.LOG_OF.items():
        assert kind in ("county", "community", "owner", "system"), aggregate
        if kind == "system":
            continue
        created = [
            v
            for v in vars(aggregate).values()
            if isinstance(v, type) and issubclass(v, Aggregate.Created)
        ]
        assert len(set(created)) == 1, f"{aggregate.__name__} needs exactly one creation event"
        names = {f.name for f in dataclasses.fields(created[0])}
        assert field_name == "id" or field_name in names, (aggregate, field_name)


def test_docs_event_catalogue_matches_the_code() -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "events.md"
    assert path.read_text(encoding="utf-8") == catalogue.markdown(), (
        "docs/events.md is stale: run `python -m domain.event_catalogue > docs/events.md`"
    )


def test_configuration_reference_lists_every_policy_value() -> None:
    from domain.policies import DEFAULT_POLICY, POLICY_SOURCES

    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(
        encoding="utf-8"
    )
    from domain.policies import markdown_table

    for name in DEFAULT_POLICY.as_dict():
        assert POLICY_SOURCES[name]
    assert markdown_table() in text, (
        "docs/configuration.md's policy table is stale: run `python -m domain.policies`"
    )
    from domain import limits

    assert set(limits.LIMIT_SOURCES) == set(vars(limits.LIMITS))
    assert limits.markdown_table() in text, (
        "docs/configuration.md's limits table is stale: run `python -m domain.limits`"
    )


def test_a_version_one_availability_event_loads_without_a_base(app: object) -> None:
    """Stored before `base` existed: upcast on load, never rewritten in the store."""
    from uuid import uuid4

    from eventsourcing.persistence import StoredEvent

    from domain.application import Sishuang
    from domain.member import Member
    from domain.transcoder import OrjsonTranscoder

    assert isinstance(app, Sishuang)
    state = {
        "timestamp": datetime(2026, 1, 5, tzinfo=UTC),
        "service_radius_km": Decimal("3"),
        "time_slots": (),
        "by": "member:x",
    }
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=2,
        topic=Member.AvailabilityDeclared.TOPIC,
        state=OrjsonTranscoder().encode(state),
    )
    event = app.mapper.to_domain_event(stored)
    assert isinstance(event, Member.AvailabilityDeclared)
    assert event.base is None and event.service_radius_km == 3
