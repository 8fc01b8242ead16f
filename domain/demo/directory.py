"""The county's directory as the people in the field fill it in: 组织部 registers the
communities (with their grids), the units and their pairings; 单位 report to their
communities; 党员 register by QR link, the community reviews them, they state 三亮;
群众 register in the app (or a grid worker registers them, without a phone)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from domain.actors import PUBLIC
from domain.application import Availability, Commitment, Identity, Skills
from domain.demo.county import COMMUNITIES, GRID_NAMES, UNITS
from domain.demo.field import Field

# 组织部 sets the county up in the first hours: a community or unit every ten minutes,
# a pairing every five.
REGISTRATION_GAP = timedelta(minutes=10)
PAIRING_GAP = timedelta(minutes=5)


def schedule_directory(field: Field) -> None:
    at, start, plan = field.schedule.at, field.start, field.plan
    setup = start
    for c in range(len(COMMUNITIES)):
        setup += REGISTRATION_GAP
        at(setup, partial(_register_community, field, c))
    for u in range(len(UNITS)):
        setup += REGISTRATION_GAP
        at(setup, partial(_register_unit, field, u))
    for u, paired in enumerate(plan.pairings):
        for c in paired:
            setup += PAIRING_GAP
            at(setup, partial(_pair, field, u, c))
    for u, c, note, when in plan.unit_reports:
        at(start + when, partial(_report_unit, field, u, c, note))
    for i, m in enumerate(plan.members):
        at(start + m.registered_at, partial(_register_member, field, i))
        if m.outcome != "pending":
            at(start + m.reviewed_at, partial(_review_member, field, i))
        if m.parts:
            at(start + m.profile_at, partial(_state_profile, field, i))
    for r, resident in enumerate(field.story.residents):
        at(resident.registered_at, partial(_register_resident, field, r))


def _register_community(field: Field, c: int) -> None:
    spec = COMMUNITIES[c]
    grids = [(code, GRID_NAMES[i]) for i, code in enumerate(field.plan.grids[c])]
    result = field.app.register_community(
        field.org_dept, name=spec.name, code=spec.code, address=spec.address, grids=grids
    )
    field.community_ids.append(result.id)
    field.summary["communities"] += 1
    field.summary["grids"] += len(grids)


def _register_unit(field: Field, u: int) -> None:
    result = field.app.register_unit(
        field.org_dept, name=UNITS[u].name, member_count=field.plan.member_counts[u]
    )
    field.unit_ids.append(result.id)
    field.summary["units"] += 1


def _pair(field: Field, u: int, c: int) -> None:
    field.app.pair_unit(field.org_dept, field.unit_ids[u], field.community_ids[c])
    field.summary["pairings"] += 1


def _report_unit(field: Field, u: int, c: int, note: str) -> None:
    field.app.report_unit(field.unit_admin(u), field.unit_ids[u], field.community_ids[c], note)
    field.summary["unit_reports"] += 1


def _register_member(field: Field, i: int) -> None:
    m = field.plan.members[i]
    result = field.app.register_member(
        PUBLIC,
        unit_id=field.unit_ids[m.unit],
        community_id=field.community_ids[m.community],
        basis=m.basis,
        name=m.name,
        phone=m.phone,
        post=m.post,
        grid_code=m.grid_code,
    )
    field.member_ids[i] = result.id
    field.summary["members"] += 1
    if m.outcome == "pending":
        field.summary["pending"] += 1


def _review_member(field: Field, i: int) -> None:
    m = field.plan.members[i]
    admin = field.admin(m.community)
    if m.outcome == "approved":
        field.app.review_member(admin, field.member_id(i), approve=True, grid_code=m.review_grid)
        field.summary["approved"] += 1
    else:
        field.app.review_member(admin, field.member_id(i), approve=False, reason=m.reason)
        field.summary["rejected"] += 1


def _state_profile(field: Field, i: int) -> None:
    m = field.plan.members[i]
    field.app.update_member_profile(
        field.member(i),
        field.member_id(i),
        identity=Identity(m.post, m.show_contact) if "identity" in m.parts else None,
        commitment=Commitment(m.commitment, m.hours) if "commitment" in m.parts else None,
        skills=Skills(m.categories, m.tags) if "skills" in m.parts else None,
        availability=(Availability(m.radius, m.slots) if "availability" in m.parts else None),
    )
    if m.reports:
        field.summary["reported"] += 1


def _register_resident(field: Field, r: int) -> None:
    resident = field.story.residents[r]
    c = resident.community
    actor = field.grid_worker(c, resident.grid) if not resident.phone else PUBLIC
    field.resident_ids[r] = field.app.register_resident(
        actor,
        community_id=field.community_ids[c],
        name=resident.name,
        phone=resident.phone,
        address=resident.address,
        grid_code=resident.grid,
    ).id
    field.summary["residents"] += 1
