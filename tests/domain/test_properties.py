"""Properties: the transcoder round-trips exactly; any sequence of commands, valid or
not, leaves a log whose replay gives the state the decisions made, and a refused
command leaves the log as it was."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Commitment, Identity, Sishuang, Skills
from domain.clock import ManualClock
from domain.errors import DomainError
from domain.member import Member
from domain.transcoder import OrjsonTranscoder
from domain.values import Grid, MemberStatus, RegistrationBasis, SkillCategory, TimeSlot
from projections import ReadModels, members
from tests.builders.stores import sqlite_env
from tests.builders.world import World

# -- the transcoder ----------------------------------------------------------------------

aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.uuids()
    | aware_datetimes
    | st.dates(min_value=date(1, 1, 1))
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.sampled_from(list(SkillCategory))
    | st.sampled_from(list(TimeSlot))
    | st.sampled_from(list(RegistrationBasis))
    | st.sampled_from(list(MemberStatus))
    | st.builds(Grid, code=st.text(max_size=5), name=st.text(max_size=5))
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal, and of exactly the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return bool(a == b)


@given(st.dictionaries(st.text(max_size=10), values, max_size=6))
@settings(max_examples=300)
def test_transcoder_round_trips_every_supported_type_exactly(state: dict[str, Any]) -> None:
    transcoder = OrjsonTranscoder()
    assert same(transcoder.decode(transcoder.encode(state)), state)


def test_transcoder_keeps_a_dict_that_looks_like_a_tag() -> None:
    transcoder = OrjsonTranscoder()
    state = {"x": {"_type_": "uuid", "_data_": "not-a-uuid"}}
    assert transcoder.decode(transcoder.encode(state)) == state


def test_transcoder_refuses_naive_datetimes() -> None:
    try:
        OrjsonTranscoder().encode({"t": datetime(2026, 1, 1)})
    except TypeError as e:
        assert "naive" in str(e)
    else:  # pragma: no cover
        raise AssertionError("a naive datetime was stored")


# -- command sequences -------------------------------------------------------------------


@dataclass
class Expected:
    status: MemberStatus = MemberStatus.PENDING
    identity: bool = False
    commitment: tuple[str, int] | None = None
    skills: bool = False
    reported: bool = False


@dataclass
class Model:
    members: dict[UUID, Expected] = field(default_factory=dict)


phones = st.sampled_from(["13800000001", "13800000002", "13900000003", "bad-phone"])
names = st.sampled_from(["张伟", "李娜", "王芳", ""])
hours = st.sampled_from([None, 12, 30, 5, 5000])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("register"), names, phones, st.booleans()),
        st.tuples(st.just("review"), st.integers(0, 9), st.booleans(), st.booleans()),
        st.tuples(st.just("profile"), st.integers(0, 9), hours, st.booleans()),
        st.tuples(st.just("tick"), st.integers(1, 48)),
    ),
    max_size=25,
)


def run(world: World, model: Model, clock: ManualClock, step: tuple[Any, ...]) -> None:
    app = world.app
    ids = list(model.members)
    kind = step[0]
    if kind == "tick":
        clock.advance(timedelta(hours=step[1]))
        return
    if kind == "register":
        _, name, phone, paired = step
        community = world.community_id if paired else world.other_community_id
        member_id = world.register(
            name=name, phone=phone, community_id=community, basis="residence"
        )
        model.members[member_id] = Expected()
        return
    if not ids:
        return
    member_id = ids[step[1] % len(ids)]
    expected = model.members[member_id]
    if kind == "review":
        _, _, approve, right_staff = step
        staff = world.staff if right_staff else world.other_staff
        app.review_member(staff, member_id, approve=approve, reason="不符合条件")
        expected.status = MemberStatus.APPROVED if approve else MemberStatus.REJECTED
        return
    _, _, committed, with_skills = step
    app.update_member_profile(
        world.member_actor(member_id),
        member_id,
        identity=Identity("科员"),
        commitment=Commitment("每月服务", committed),
        skills=Skills(["it"]) if with_skills else None,
    )
    expected.identity = True
    expected.commitment = ("每月服务", 12 if committed is None else committed)
    expected.skills = expected.skills or with_skills
    expected.reported = expected.identity and expected.skills


@given(steps)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_command_sequence_replays_to_the_decided_state(sequence: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock()
        app = Sishuang(sqlite_env(Path(tmp) / "events.sqlite3"), clock=clock)
        try:
            world = World(app)
            model = Model()
            for step in sequence:
                before = app.recorder.max_notification_id()
                try:
                    run(world, model, clock, step)
                except DomainError:
                    # A refused command records nothing.
                    assert app.recorder.max_notification_id() == before
            # Replaying the stored events gives the state the decisions made.
            for member_id, expected in model.members.items():
                member: Member = app.member(member_id)
                assert member.status is expected.status
                assert member.identity_stated is expected.identity
                assert member.commitment == expected.commitment
                assert (member.skills is not None) is expected.skills
                assert member.reported is expected.reported
            # And so does the read model, which is another replay of the same log.
            read = ReadModels(app, run_projections=True)
            assert read.follower is not None
            read.follower.catch_up()
            for member_id, expected in model.members.items():
                row = members.get_member(read.store, str(member_id))
                assert row is not None
                assert row["status"] == expected.status.code
                assert (row["reported_at"] is not None) is expected.reported
        finally:
            app.close()
