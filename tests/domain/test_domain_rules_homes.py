"""Rules with one home in the domain: the dispatch ranking (domain.dispatch), who reads
a phone or a resident's name in full (domain.masking), what a member has in hand
(domain.order.IN_HAND_STATUSES), and projections that name each event's handler."""

from __future__ import annotations

from domain.actors import Role
from domain.dispatch import WEIGHTS, Candidate, RankingWeights, rank
from domain.masking import phone_as_read, requester_as_read
from domain.order import IN_HAND_CODES, IN_HAND_STATUSES, OPEN_STATUSES, Order
from projections import all_projections
from projections.needs import STEP_NAMES, Needs


def candidate(**changes: object) -> Candidate:
    base: dict[str, object] = {
        "skill_match": False,
        "skill_label": "助老",
        "distance_m": None,
        "radius_m": None,
        "same_grid": False,
        "applied": False,
        "in_hand": 0,
        "rated": 0,
        "star_sum": 0,
    }
    base.update(changes)
    return Candidate(**base)  # type: ignore[arg-type]


def test_each_reason_adds_its_named_weight() -> None:
    assert rank(candidate()).score == 0
    assert rank(candidate(skill_match=True)).score == WEIGHTS.skill_match
    assert rank(candidate(distance_m=300, radius_m=1000.0)).score == WEIGHTS.nearby
    assert rank(candidate(distance_m=3000, radius_m=1000.0)).score == 0
    assert rank(candidate(same_grid=True)).score == WEIGHTS.nearby
    # a known distance decides nearness; the grid counts only when no place is known
    assert rank(candidate(distance_m=3000, radius_m=1000.0, same_grid=True)).score == 0
    assert rank(candidate(applied=True)).score == WEIGHTS.applied
    assert rank(candidate(in_hand=2)).score == -2 * WEIGHTS.per_order_in_hand
    ranked = rank(candidate(rated=2, star_sum=9))
    assert ranked.average_stars == 4.5 and ranked.score == 4.5 - WEIGHTS.neutral_stars
    assert "擅长助老" in rank(candidate(skill_match=True)).reasons
    assert "暂无评价" in rank(candidate()).reasons


def test_weights_are_values_a_caller_can_change() -> None:
    heavier = RankingWeights(skill_match=10)
    assert rank(candidate(skill_match=True), heavier).score == 10


def test_one_rule_for_who_reads_a_phone_in_full() -> None:
    phone = "13800138000"
    for role in (Role.MEMBER, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.UNIT_ADMIN):
        assert phone_as_read(phone, role) == phone
    for role in (Role.ORG_DEPT, Role.INSPECTOR, Role.AUDITOR, None):
        assert phone_as_read(phone, role) == "138****8000"
    assert phone_as_read(phone, Role.ORG_DEPT, consented=True) == phone
    assert requester_as_read("张伟", Role.MEMBER) == "张*"
    assert requester_as_read("张伟", Role.COMMUNITY_ADMIN) == "张伟"


def test_in_hand_is_a_subset_of_open() -> None:
    assert set(IN_HAND_STATUSES) <= OPEN_STATUSES
    assert IN_HAND_CODES == ("dispatched", "in_progress", "completion_claimed", "low_rated")


def test_projections_name_a_handler_for_each_event_they_follow() -> None:
    for projection in all_projections():
        for event_class, handler in projection.handlers().items():
            assert isinstance(event_class, type)
            assert getattr(handler, "__self__", None) is projection, (projection, event_class)
    needs = Needs()
    assert set(needs.row_changes) == set(STEP_NAMES)
    assert all(issubclass(t, Order.Event) for t in needs.row_changes)
