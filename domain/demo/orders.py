"""The needs as issued: each planned step of each need (domain.demo.fates) becomes the
command the person in the field would give (the resident or grid worker who asked, the
member, the community, a unit's admin), and the monthly matching meetings adopt their
needs. The sweeper (domain.demo.sweeper) follows every order."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from uuid import UUID

from domain.actors import Actor, Role
from domain.application import NeedInput
from domain.demo.field import Field
from domain.demo.plans import NeedPlan, Step
from domain.demo.sweeper import Sweeper


def schedule_needs(field: Field, sweeper: Sweeper) -> None:
    """Every need's steps at their moments, then the matching meetings."""
    at = field.schedule.at
    for n, need in enumerate(field.story.needs):
        for step in need.steps:
            if step.op == "post":
                at(step.when, partial(_post, field, sweeper, n))
            else:
                at(step.when, partial(_run, field, sweeper, n, step))
    for k, matching in enumerate(field.story.matchings):
        at(matching.when, partial(_hold_matching, field, sweeper, k))


def requester(field: Field, need: NeedPlan) -> Actor:
    """Who posted it: the resident (signed in), the community (议事会) or a grid worker."""
    c = need.community
    if need.poster == "resident":
        resident_id = field.resident_ids[need.resident] if need.resident is not None else None
        assert resident_id is not None
        return Actor(Role.RESIDENT, str(resident_id), field.community_ids[c])
    return field.admin(c) if need.poster == "admin" else field.grid_worker(c, need.grid)


def _on_behalf(field: Field, need: NeedPlan) -> Actor:
    """Who rates or cancels it: the resident, or the grid worker for them."""
    if need.poster == "resident":
        return requester(field, need)
    return field.grid_worker(need.community, need.grid)


def _post(field: Field, sweeper: Sweeper, n: int) -> None:
    need = field.story.needs[n]
    resident_id = field.resident_ids[need.resident] if need.resident is not None else None
    lat, lon = need.location or (None, None)
    order_id = field.app.post_need(
        requester(field, need),
        NeedInput(
            content=need.content,
            category=need.category,
            urgency=need.urgency,
            people_affected=need.people,
            grid_code=need.grid,
            lat=lat,
            lon=lon,
            preferred_time=need.preferred_time,
            photos=need.photos,
            source=None if need.poster == "resident" else need.source,
            resident_id=resident_id,
            requester_name="" if resident_id is not None else need.requester_name,
        ),
    ).id
    field.order_ids[n] = order_id
    field.summary["needs"] += 1
    sweeper.posted(order_id, need.community)


def _run(field: Field, sweeper: Sweeper, n: int, step: Step) -> None:
    need = field.story.needs[n]
    order_id = field.order_ids[n]
    handler = STEPS.get(step.op)
    if handler is None:
        raise ValueError(f"unknown step {step.op}")
    handler(field, need, order_id, step)
    sweeper.stepped(order_id, step.op)


# -- the member's steps --------------------------------------------------------------------


def _member(field: Field, step: Step) -> Actor:
    assert step.member is not None
    return field.member(step.member)


def _apply(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.request_take(_member(field, step), order_id, step.args["note"])


def _decline(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.decline(_member(field, step), order_id, step.args["reason"])


def _accept(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.accept(_member(field, step), order_id)


def _check_in(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.check_in(_member(field, step), order_id, *step.args["point"])


def _photo(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    args = step.args
    field.app.attach_photo(_member(field, step), order_id, args["sha256"], args["kind"])


def _claim(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    args = step.args
    field.app.claim_completion(_member(field, step), order_id, args["hours"], args["note"])


# -- the community's, a unit's, the resident's ---------------------------------------------


def _dispatch(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    assert step.member is not None
    by = field.admin(need.community)
    if "by_unit" in step.args:
        by = field.unit_admin(step.args["by_unit"])
    field.app.dispatch(by, order_id, field.member_id(step.member))


def _rate(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    args = step.args
    field.app.rate(
        _on_behalf(field, need),
        order_id,
        stars=args["stars"],
        comment=args["comment"],
        solved=args["solved"],
    )


def _decide_low_rating(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    args = step.args
    field.app.decide_low_rating(
        field.admin(need.community),
        order_id,
        decision=args["decision"],
        reason=args["reason"],
        credit_hours=args.get("credit", False),
    )


def _joint_meeting(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    args, admin = step.args, field.admin(need.community)
    if args["kind"] == "unit":
        field.app.record_joint_meeting(
            admin,
            order_id,
            assignee_kind="unit",
            assignee_id=field.unit_ids[args["unit"]],
            note=args["note"],
        )
    else:
        field.app.record_joint_meeting(
            admin, order_id, assignee_kind="team", assignee_name=args["team"], note=args["note"]
        )


def _follow_up(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    method, outcome = step.args["method"], step.args["outcome"]
    field.app.follow_up(field.admin(need.community), order_id, method=method, outcome=outcome)


def _cancel(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.cancel_need(_on_behalf(field, need), order_id, step.args["reason"])


def _reject(field: Field, need: NeedPlan, order_id: UUID, step: Step) -> None:
    field.app.reject_need(field.admin(need.community), order_id, step.args["reason"])


STEPS: dict[str, Callable[[Field, NeedPlan, UUID, Step], None]] = {
    "apply": _apply,
    "dispatch": _dispatch,
    "decline": _decline,
    "accept": _accept,
    "check_in": _check_in,
    "photo": _photo,
    "claim": _claim,
    "rate": _rate,
    "low_rating": _decide_low_rating,
    "joint_meeting": _joint_meeting,
    "follow_up": _follow_up,
    "cancel": _cancel,
    "reject": _reject,
}


def _hold_matching(field: Field, sweeper: Sweeper, k: int) -> None:
    """The monthly matching meeting: the needs adopted with their members, and the
    count of the community's open needs."""
    matching = field.story.matchings[k]
    c = matching.community
    adopted: list[tuple[UUID, UUID]] = []
    for n in matching.needs:
        chosen = field.story.needs[n].matched_member
        member_id = field.member_ids[chosen] if chosen is not None else None
        if n in field.order_ids and member_id is not None:
            adopted.append((field.order_ids[n], member_id))
    field.app.record_matching(
        field.admin(c),
        field.community_ids[c],
        month=matching.month,
        adopted=adopted,
        open_needs=sweeper.open_in(c),
    )
    for order_id, _ in adopted:
        sweeper.track(order_id)
