"""双报到 and 三亮 rules, against the application service."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.actors import PUBLIC, Actor, Role
from domain.application import Availability, Commitment, Identity, Skills
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.member import Member
from domain.values import MemberStatus, SkillCategory, TimeSlot
from tests.builders.world import World, full_profile, refused


def test_registration_records_a_pending_member(world: World) -> None:
    member = world.app.member(world.register(phone="138-0000-1234"))
    assert member.status is MemberStatus.PENDING
    assert member.phone == "13800001234"
    assert member.county_id == world.county_id


def test_registration_with_an_unknown_unit_is_refused(world: World) -> None:
    with refused(world.app, NotFound, "unknown_unit"):
        world.register(unit_id=uuid4())


def test_registration_with_an_unknown_community_is_refused(world: World) -> None:
    with refused(world.app, NotFound, "unknown_community"):
        world.register(community_id=uuid4())


def test_a_unit_id_is_not_accepted_as_a_community(world: World) -> None:
    with refused(world.app, NotFound, "unknown_community"):
        world.register(community_id=world.unit_id)


@pytest.mark.parametrize("phone", ["12345", "2380000123", "1380000123x", "", "23800001234"])
def test_malformed_phone_is_refused(world: World, phone: str) -> None:
    with refused(world.app, InvalidInput, "invalid_phone"):
        world.register(phone=phone)


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_empty_name_is_refused(world: World, name: str) -> None:
    with refused(world.app, InvalidInput, "empty_name"):
        world.register(name=name)


@pytest.mark.parametrize(
    "name, code",
    [
        ("\t\n", "invalid_text"),  # a name is one line
        ("张\x00伟", "invalid_text"),
        ("张伟\u202e", "invalid_text"),
        ("\u200b\u200d", "invisible_text"),
    ],
)
def test_a_name_with_what_cannot_be_shown_is_refused(world: World, name: str, code: str) -> None:
    with refused(world.app, InvalidInput, code):
        world.register(name=name)


def test_same_unit_and_phone_cannot_register_twice(world: World) -> None:
    world.register()
    with refused(world.app, Conflict, "duplicate_registration"):
        world.register(name="张伟伟", phone="13800001234")


def test_same_phone_in_another_unit_is_another_person(world: World) -> None:
    world.register()
    world.register(unit_id=world.other_unit_id, basis="residence")


def test_after_rejection_the_person_may_register_again(world: World) -> None:
    first = world.register()
    world.app.review_member(world.staff, first, approve=False, reason="单位信息不符")
    second = world.register()
    assert second != first
    with refused(world.app, Conflict, "duplicate_registration"):
        world.register()


def test_paired_basis_needs_a_paired_community(world: World) -> None:
    with refused(world.app, Conflict, "community_not_paired"):
        world.register(community_id=world.other_community_id, basis="paired")
    world.register(community_id=world.other_community_id, basis="residence")


def test_unknown_grid_is_refused(world: World) -> None:
    with refused(world.app, InvalidInput, "unknown_grid"):
        world.register(grid_code="G99")


def test_staff_of_another_community_cannot_approve(world: World) -> None:
    member_id = world.register()
    with refused(world.app, Forbidden, "not_your_community"):
        world.app.review_member(world.other_staff, member_id, approve=True)


def test_org_dept_cannot_review_a_registration(world: World) -> None:
    member_id = world.register()
    with refused(world.app, Forbidden, "forbidden_role"):
        world.app.review_member(world.org, member_id, approve=True)


def test_a_reviewed_registration_cannot_be_reviewed_again(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True, grid_code="G02")
    assert world.app.member(member_id).grid_code == "G02"
    with refused(world.app, Conflict, "already_reviewed"):
        world.app.review_member(world.staff, member_id, approve=False, reason="重复")
    with refused(world.app, Conflict, "already_reviewed"):
        world.app.review_member(world.staff, member_id, approve=True)


def test_rejection_needs_a_reason(world: World) -> None:
    member_id = world.register()
    with refused(world.app, InvalidInput, "reason_required"):
        world.app.review_member(world.staff, member_id, approve=False, reason=" ")


def test_three_statements_before_approval_are_refused(world: World) -> None:
    member_id = world.register()
    with refused(world.app, Conflict, "not_approved"):
        full_profile(world, member_id)


def test_a_member_edits_only_their_own_profile(world: World) -> None:
    mine = world.register()
    theirs = world.register(name="李娜", phone="13900001111")
    world.app.review_member(world.staff, theirs, approve=True)
    with refused(world.app, Forbidden, "not_your_profile"):
        world.app.update_member_profile(world.member_actor(mine), theirs, identity=Identity("科员"))


@pytest.mark.parametrize("hours", [0, 11, 2001, -5])
def test_committed_hours_out_of_range_are_refused(world: World, hours: int) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    with refused(world.app, InvalidInput, "hours_out_of_range"):
        world.app.update_member_profile(
            world.member_actor(member_id), member_id, commitment=Commitment("服务", hours)
        )


def test_commitment_defaults_to_the_policy_hours(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    world.app.update_member_profile(
        world.member_actor(member_id), member_id, commitment=Commitment("每月服务")
    )
    assert world.app.member(member_id).commitment == ("每月服务", 12)


def test_policy_change_moves_the_hours_range_and_is_recorded(world: World) -> None:
    world.app.change_policy(
        world.org,
        world.county_id,
        {"member_annual_min_hours": 20, "default_committed_hours": 20},
        "县委调整年度标准",
    )
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    with refused(world.app, InvalidInput, "hours_out_of_range"):
        world.app.update_member_profile(
            world.member_actor(member_id), member_id, commitment=Commitment("服务", 12)
        )


def test_reported_when_approved_and_all_three_statements_are_made(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    actor = world.member_actor(member_id)
    world.app.update_member_profile(actor, member_id, identity=Identity("科员"))
    world.app.update_member_profile(actor, member_id, commitment=Commitment("服务"))
    assert not world.app.member(member_id).reported
    world.app.update_member_profile(actor, member_id, skills=Skills(["it"]))
    member = world.app.member(member_id)
    assert member.reported
    topics = [
        n.topic
        for n in world.app.recorder.select_notifications(1, 1000)
        if n.originator_id == member_id
    ]
    assert topics.count("sishuang:Member.Reported") == 1


def test_every_profile_change_is_an_event_and_no_change_is_none(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    full_profile(world, member_id)
    before = world.app.recorder.max_notification_id()
    result = full_profile(world, member_id)
    assert result.position is None
    assert world.app.recorder.max_notification_id() == before
    world.app.update_member_profile(
        world.member_actor(member_id), member_id, skills=Skills(["education"], [])
    )
    member = world.app.member(member_id)
    assert member.skills == ((SkillCategory.EDUCATION,), ())
    assert member.availability is not None
    assert member.availability[1] == (TimeSlot.WEEKEND_MORNING, TimeSlot.ON_CALL)


def test_unknown_skill_category_is_refused(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    with refused(world.app, InvalidInput, "invalid_skill_category"):
        world.app.update_member_profile(
            world.member_actor(member_id), member_id, skills=Skills(["juggling"])
        )


def test_service_radius_out_of_range_is_refused(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    with refused(world.app, InvalidInput, "radius_out_of_range"):
        world.app.update_member_profile(
            world.member_actor(member_id), member_id, availability=Availability("500", [])
        )


def test_idempotent_registration_returns_the_first_result_and_records_nothing(
    world: World,
) -> None:
    first = world.app.register_member(
        PUBLIC,
        unit_id=world.unit_id,
        community_id=world.community_id,
        basis="paired",
        name="王芳",
        phone="13700001111",
        post="",
        idempotency_key="qr-form-7",
    )
    before = world.app.recorder.max_notification_id()
    again = world.app.register_member(
        PUBLIC,
        unit_id=world.unit_id,
        community_id=world.community_id,
        basis="paired",
        name="王芳",
        phone="13700001111",
        post="",
        idempotency_key="qr-form-7",
    )
    assert again.id == first.id and again.replayed and again.position is None
    assert world.app.recorder.max_notification_id() == before


def test_an_idempotency_key_reused_for_another_request_is_refused(world: World) -> None:
    world.app.register_unit(world.org, name="泽州县司法局", member_count=3, idempotency_key="u1")
    with refused(world.app, Conflict, "idempotency_key_reused"):
        world.app.register_unit(
            world.org, name="泽州县教育局", member_count=3, idempotency_key="u1"
        )


def test_units_report_only_to_paired_communities_and_once(world: World) -> None:
    unit_admin = Actor(Role.UNIT_ADMIN, "财政局党办", world.unit_id)
    with refused(world.app, Conflict, "not_paired"):
        world.app.report_unit(unit_admin, world.unit_id, world.other_community_id)
    world.app.report_unit(unit_admin, world.unit_id, world.community_id, "财政局党支部报到")
    with refused(world.app, Conflict, "already_reported"):
        world.app.report_unit(unit_admin, world.unit_id, world.community_id)


def test_org_dept_of_another_county_cannot_pair(world: World) -> None:
    stranger = Actor(Role.ORG_DEPT, "外县组织部", uuid4())
    with refused(world.app, Forbidden, "not_your_county"):
        world.app.pair_unit(stranger, world.other_unit_id, world.community_id)


def test_community_names_are_unique_in_a_county(world: World) -> None:
    with refused(world.app, Conflict, "duplicate_community"):
        world.app.register_community(world.org, name="锦绣社区", code="JX2")


def test_reminders_are_recorded_and_reported_members_are_skipped(world: World) -> None:
    done = world.register()
    world.app.review_member(world.staff, done, approve=True)
    full_profile(world, done)
    waiting = world.register(name="李娜", phone="13900001111")
    result = world.app.send_reminders(
        world.org, member_ids=[done, waiting], unit_ids=[world.unit_id], message="请尽快完成报到"
    )
    assert result.details == {"reminded": 2, "skipped": [str(done)]}
    assert world.app.member(waiting).reminders == 1
    assert world.app.member(done).reminders == 0
    assert world.app.unit(world.unit_id).reminders == 1


def test_reminding_nobody_is_refused(world: World) -> None:
    with refused(world.app, InvalidInput, "nobody_to_remind"):
        world.app.send_reminders(world.org, message="提醒")


def test_replayed_member_equals_the_member_as_decided(world: World) -> None:
    member_id = world.register()
    world.app.review_member(world.staff, member_id, approve=True)
    full_profile(world, member_id)
    stored = world.app.events.get(member_id)
    rebuilt: Member | None = None
    for event in stored:
        rebuilt = event.mutate(rebuilt)  # type: ignore[attr-defined]
    assert rebuilt == world.app.member(member_id)
