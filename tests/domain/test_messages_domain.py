"""Messages in the domain: the catalogue, recipients, deliveries (claims, back-off, quiet
hours, at most once), reminders once per window, reads and preferences as events."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actors import Actor, Role
from domain.application import Sishuang
from domain.calendar import BEIJING
from domain.clock import ManualClock
from domain.delivery import (
    Delivery,
    DeliveryFacts,
    DeliveryStatus,
    backoff_seconds,
    delivery_id,
    quiet_until,
)
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.message_commands import delivery_actor
from domain.messages import (
    CATALOGUE,
    SMS_OPTIONAL,
    Channel,
    MessageKind,
    inbox_keys,
    message_id,
    render,
    source_key,
)
from domain.policies import DEFAULT_POLICY
from tests.builders.orders import Loop
from tests.builders.world import World, refused

D = DeliveryStatus
WORKER = "w1"
ACTOR = delivery_actor(WORKER)


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)  # type: ignore[misc]


def test_every_kind_has_a_chinese_title_and_body_whose_parameters_are_named() -> None:
    assert set(CATALOGUE) == set(MessageKind)
    for kind, spec in CATALOGUE.items():
        assert spec.kind is kind and spec.title and spec.recipients
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.title + spec.body)
        title, body = render(kind, {name: "X" for name in spec.params})
        assert "{" not in title + body
        assert spec.inbox or spec.sms
        assert set(spec.computed) <= set(spec.params)
        for _, name, _, _ in string.Formatter().parse(spec.body):
            assert name is None or name in spec.params
    sign_in = CATALOGUE[MessageKind.SIGN_IN_CODE]
    assert sign_in.urgent and sign_in.sms and not sign_in.inbox and sign_in.computed == ("code",)
    assert MessageKind.SIGN_IN_CODE not in SMS_OPTIONAL


def test_each_role_reads_the_inbox_its_actor_names() -> None:
    community, unit, member = uuid4(), uuid4(), uuid4()
    assert inbox_keys(Actor(Role.MEMBER, str(member), member)) == [f"member:{member}"]
    assert inbox_keys(Actor(Role.RESIDENT, "r1", community)) == ["resident:r1"]
    assert inbox_keys(Actor(Role.GRID_WORKER, "小刘", community)) == [f"grid:{community}:小刘"]
    assert inbox_keys(Actor(Role.COMMUNITY_ADMIN, "李", community)) == [f"community:{community}"]
    assert inbox_keys(Actor(Role.UNIT_ADMIN, "王", unit)) == [f"unit:{unit}"]
    assert inbox_keys(Actor(Role.INSPECTOR, "i1", uuid4())) == ["inspector:i1"]
    assert inbox_keys(Actor(Role.ORG_DEPT, "组织部", uuid4())) == []


def test_a_message_id_depends_only_on_its_event_kind_and_recipient() -> None:
    event = source_key(uuid4(), 3)
    a = message_id(event, MessageKind.DISPATCHED, "member:1")
    assert a == message_id(event, MessageKind.DISPATCHED, "member:1")
    assert a != message_id(event, MessageKind.DISPATCHED, "member:2")
    assert a != message_id(event, MessageKind.NEARBY_NEED, "member:1")


# -- quiet hours and back-off -------------------------------------------------------------


def test_quiet_hours_run_from_ten_at_night_to_eight_in_the_morning_beijing_time() -> None:
    policy = DEFAULT_POLICY
    assert quiet_until(beijing(2026, 3, 2, 21, 59), policy) is None
    assert quiet_until(beijing(2026, 3, 2, 22, 0), policy) == beijing(2026, 3, 3, 8, 0)
    assert quiet_until(beijing(2026, 3, 2, 23, 30), policy) == beijing(2026, 3, 3, 8, 0)
    assert quiet_until(beijing(2026, 3, 3, 7, 59), policy) == beijing(2026, 3, 3, 8, 0)
    assert quiet_until(beijing(2026, 3, 3, 8, 0), policy) is None
    off = policy.with_overrides({"sms_quiet_start_hour": 0, "sms_quiet_end_hour": 0})
    assert quiet_until(beijing(2026, 3, 3, 3, 0), off) is None
    day = policy.with_overrides({"sms_quiet_start_hour": 12, "sms_quiet_end_hour": 14})
    assert quiet_until(beijing(2026, 3, 3, 13, 0), day) == beijing(2026, 3, 3, 14, 0)
    assert quiet_until(beijing(2026, 3, 3, 15, 0), day) is None


@given(st.integers(min_value=0, max_value=23), st.integers(0, 23), st.integers(0, 10**7))
def test_a_quiet_moment_is_deferred_to_a_moment_outside_quiet_hours(
    start: int, end: int, seconds: int
) -> None:
    policy = DEFAULT_POLICY.with_overrides(
        {"sms_quiet_start_hour": start, "sms_quiet_end_hour": end}
    )
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    until = quiet_until(now, policy)
    if until is not None:
        assert now < until <= now + timedelta(hours=24)
        assert quiet_until(until, policy) is None
        assert until.astimezone(BEIJING).hour == end


@given(st.integers(1, 60), st.integers(1, 3600), st.integers(1, 100_000))
def test_back_off_doubles_with_each_failure_up_to_its_cap(
    attempt: int, base: int, cap: int
) -> None:
    if base > cap:
        base, cap = cap, base
    policy = DEFAULT_POLICY.with_overrides(
        {"delivery_backoff_seconds": base, "delivery_backoff_max_seconds": cap}
    )
    now, later = backoff_seconds(attempt, policy), backoff_seconds(attempt + 1, policy)
    assert base <= now <= later <= cap
    assert later == min(2 * now, cap) or now == cap


# -- the Delivery aggregate ---------------------------------------------------------------


def _delivery(now: datetime, *, urgent: bool = False) -> Delivery:
    facts = DeliveryFacts(uuid4(), Channel.SMS, MessageKind.DISPATCHED, urgent, uuid4(), None, now)
    return Delivery.open(facts, now)


def test_an_sms_is_not_sent_after_the_deadline_it_asks_to_be_met_by() -> None:
    """ "Please rate before 09:28" at 13:00 helps nobody: past its valid_until (a rating
    window, a take window, a sign-in code's validity) the SMS expires at its claim."""
    day = datetime(2026, 3, 2, 10, tzinfo=BEIJING)
    deadline = day + timedelta(hours=2)
    for claimed_at, status in [(deadline - timedelta(seconds=1), D.CLAIMED), (deadline, D.EXPIRED)]:
        facts = DeliveryFacts(
            uuid4(), Channel.SMS, MessageKind.RATING_REQUEST, False, uuid4(), None, day, deadline
        )
        delivery = Delivery.open(facts, day)
        assert delivery.claim("w", DEFAULT_POLICY, claimed_at) is status
        if status is D.EXPIRED:
            expired = [e for e in delivery.collect_events() if isinstance(e, Delivery.Expired)]
            assert expired and expired[0].reason.startswith("past_deadline: ")


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["claim", "claim2", "sent", "failed", "doubt", "expire"]),
        st.integers(0, 6 * 3600),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS, st.booleans())
def test_replaying_a_deliverys_events_gives_the_same_state(ops: list, urgent: bool) -> None:
    """Whatever the workers did, the events alone rebuild the delivery as it was; and
    once sent or in doubt it is never claimed again."""
    now = beijing(2026, 3, 2, 20, 0)
    d = _delivery(now, urgent=urgent)
    final_seen = False
    for op, wait in ops:
        now += timedelta(seconds=wait)
        before = d.status
        try:
            if op in ("claim", "claim2"):
                outcome = d.claim(WORKER if op == "claim" else "w2", DEFAULT_POLICY, now)
                assert not final_seen or (outcome is D.IN_DOUBT and before is D.CLAIMED)
            elif op == "sent":
                d.sent(WORKER, "ref", now)
            elif op == "failed":
                d.failed(WORKER, "http 500", DEFAULT_POLICY, now)
            elif op == "doubt":
                d.doubt(WORKER, "timeout", now)
            else:
                d.expire(now)
        except Conflict:
            assert d.status is before  # a refusal records nothing
        final_seen = final_seen or d.status in (D.SENT, D.IN_DOUBT, D.GAVE_UP, D.EXPIRED)
        if d.status is D.CLAIMED:
            assert d.attempts <= DEFAULT_POLICY.delivery_max_attempts
    events = d.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert {k: v for k, v in vars(replayed).items() if not k.startswith("_")} == {
        k: v for k, v in vars(d).items() if not k.startswith("_")
    }


def test_a_non_urgent_sms_at_night_is_deferred_to_the_morning_and_an_urgent_one_is_sent() -> None:
    night = beijing(2026, 3, 2, 23, 0)
    d = _delivery(night)
    assert d.claim(WORKER, DEFAULT_POLICY, night) is D.DEFERRED
    assert d.next_attempt_at == beijing(2026, 3, 3, 8, 0)
    with pytest.raises(Conflict) as e:
        d.claim(WORKER, DEFAULT_POLICY, night + timedelta(hours=1))
    assert e.value.code == "delivery_not_due"
    assert d.claim(WORKER, DEFAULT_POLICY, beijing(2026, 3, 3, 8, 0)) is D.CLAIMED
    urgent = _delivery(night, urgent=True)
    assert urgent.claim(WORKER, DEFAULT_POLICY, night) is D.CLAIMED


def test_a_claim_whose_worker_died_runs_out_in_doubt_and_is_never_sent_again() -> None:
    now = beijing(2026, 3, 2, 10, 0)
    d = _delivery(now)
    assert d.claim(WORKER, DEFAULT_POLICY, now) is D.CLAIMED
    with pytest.raises(Conflict) as e:
        d.claim("w2", DEFAULT_POLICY, now + timedelta(seconds=5))
    assert e.value.code == "delivery_taken"
    lease = timedelta(seconds=DEFAULT_POLICY.delivery_lease_seconds)
    assert d.claim("w2", DEFAULT_POLICY, now + lease) is D.IN_DOUBT
    with pytest.raises(Conflict) as e:
        d.claim("w2", DEFAULT_POLICY, now + 2 * lease)
    assert e.value.code == "delivery_done"


def test_failures_are_retried_after_a_growing_wait_then_given_up() -> None:
    now = beijing(2026, 3, 2, 10, 0)
    d = _delivery(now)
    waits = []
    for _ in range(DEFAULT_POLICY.delivery_max_attempts - 1):
        assert d.claim(WORKER, DEFAULT_POLICY, now) is D.CLAIMED
        assert d.failed(WORKER, "connection refused", DEFAULT_POLICY, now) is D.FAILED
        assert d.next_attempt_at is not None
        waits.append(d.next_attempt_at - now)
        now = d.next_attempt_at
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert d.claim(WORKER, DEFAULT_POLICY, now) is D.CLAIMED
    assert d.failed(WORKER, "connection refused", DEFAULT_POLICY, now) is D.GAVE_UP
    assert d.attempts == DEFAULT_POLICY.delivery_max_attempts


def test_a_message_too_old_to_be_news_is_not_sent_by_sms() -> None:
    made = beijing(2026, 3, 2, 10, 0)
    d = _delivery(made)
    late = made + timedelta(hours=DEFAULT_POLICY.delivery_max_age_hours)
    assert d.claim(WORKER, DEFAULT_POLICY, late) is D.EXPIRED
    assert d.attempts == 0
    with pytest.raises(Conflict):
        d.claim(WORKER, DEFAULT_POLICY, late)


# -- through the application ----------------------------------------------------------------


def _facts(world: World) -> DeliveryFacts:
    return DeliveryFacts(
        message_id=uuid4(),
        channel=Channel.SMS,
        kind=MessageKind.DISPATCHED,
        urgent=False,
        county_id=world.county_id,
        community_id=world.community_id,
        message_at=world.app.clock.now(),
    )


def test_only_one_worker_wins_a_claim(app: Sishuang, world: World) -> None:
    facts = _facts(world)
    assert app.claim_delivery(ACTOR, facts, WORKER) is D.CLAIMED
    with refused(app, Conflict, "delivery_taken"):
        app.claim_delivery(delivery_actor("w2"), facts, "w2")
    key = delivery_id(facts.message_id, Channel.SMS)
    with refused(app, Conflict, "delivery_not_claimed"):
        app.record_delivery_sent(delivery_actor("w2"), key, "w2", "x")
    app.record_delivery_sent(ACTOR, key, WORKER, "provider-1")
    assert app.delivery(key).status is D.SENT


def test_only_the_operators_workers_record_deliveries(app: Sishuang, world: World) -> None:
    with refused(app, Forbidden, "forbidden_role"):
        app.claim_delivery(world.staff, _facts(world), WORKER)


def test_an_expired_claim_is_swept_into_doubt_once(
    app: Sishuang, world: World, clock: ManualClock
) -> None:
    facts = _facts(world)
    app.claim_delivery(ACTOR, facts, WORKER)
    key = delivery_id(facts.message_id, Channel.SMS)
    assert app.sweep_deliveries([key]) == 0
    clock.advance(timedelta(seconds=DEFAULT_POLICY.delivery_lease_seconds))
    assert app.sweep_deliveries([key]) == 1
    assert app.sweep_deliveries([key]) == 0
    assert app.delivery(key).status is D.IN_DOUBT


def test_take_and_rating_window_reminders_are_recorded_once_per_window(
    app: Sishuang, world: World, clock: ManualClock
) -> None:
    loop = Loop(world, clock)
    order = loop.post()
    assert app.sweep_reminders([order]) == {"take_window_ending": 0, "rating_window_ending": 0}
    lead = timedelta(hours=DEFAULT_POLICY.take_window_reminder_hours)
    clock.set(app.order(order).take_deadline - lead)
    assert app.sweep_reminders([order])["take_window_ending"] == 1
    assert app.sweep_reminders([order])["take_window_ending"] == 0
    other = loop.post()
    loop.to_claimed(other)
    rate_deadline = app.order(other).rate_deadline
    assert rate_deadline is not None
    clock.set(rate_deadline - timedelta(hours=1))
    assert app.sweep_reminders([other, other]) == {
        "take_window_ending": 0,
        "rating_window_ending": 1,
    }
    clock.set(rate_deadline)
    assert app.sweep_reminders([other])["rating_window_ending"] == 0  # the window is over


def test_reading_a_message_twice_records_it_once(app: Sishuang, world: World) -> None:
    member = world.member_actor(world.register())
    message = uuid4()
    first = app.read_message(member, message)
    assert first.position is not None
    assert app.read_message(member, message).position is None


def test_preferences_are_events_and_only_optional_sms_may_be_turned_off(
    app: Sishuang, world: World
) -> None:
    member = world.member_actor(world.register())
    kept = ["reporting_reminder", "dispatched"]
    assert app.set_preferences(member, sms_off=kept, nearby_needs=True).position
    assert app.set_preferences(member, sms_off=kept[::-1], nearby_needs=True).position is None
    prefs = app.preferences_of(member)
    assert prefs is not None and prefs.nearby_needs
    assert [k.code for k in prefs.sms_off] == ["dispatched", "reporting_reminder"]
    for code in ("sign_in_code", "nearby_need"):
        with refused(app, InvalidInput, "sms_not_optional"):
            app.set_preferences(member, sms_off=[code], nearby_needs=False)
    with refused(app, InvalidInput, "invalid_message_kind"):
        app.set_preferences(member, sms_off=["spam"], nearby_needs=False)
    with refused(app, Forbidden, "no_inbox"):
        app.set_preferences(
            Actor(Role.ORG_DEPT, "组织部", world.county_id), sms_off=[], nearby_needs=False
        )


def test_docs_notifications_lists_the_catalogue_as_built() -> None:
    from pathlib import Path

    from domain.messages import markdown_table

    text = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text(
        encoding="utf-8"
    )
    assert markdown_table() in text, "docs/notifications.md is stale: run python -m domain.messages"
