"""Who may see or change what (DESIGN.md §4): one place for the scope rules.

The application service calls these before deciding; the read side calls them
before answering. Each raises Forbidden with a stable code, or returns quietly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.actors import Actor, Role
from domain.errors import Forbidden
from domain.values import MemberStatus


def _deny(code: str, zh: str, en: str) -> Forbidden:
    return Forbidden(code, zh, en)


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise _deny(
            "forbidden_role",
            "当前身份无权进行此操作",
            f"role {actor.role.value} may not do this",
        )


def county_scope(actor: Actor) -> UUID:
    """The county 组织部 acts for: its token's scope."""
    require_role(actor, Role.ORG_DEPT)
    return county_reader_scope(actor)


def county_reader_scope(actor: Actor) -> UUID:
    """The county a county-level reader (组织部, 督查, 审计) sees: its token's scope."""
    require_role(actor, Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR)
    if actor.scope_id is None:
        raise _deny("no_scope", "登录凭证未指定所属县（区）", "the token names no county")
    return actor.scope_id


def require_county_reader(actor: Actor, county_id: UUID) -> None:
    """A county-level reader (组织部, 督查, 审计) of this county."""
    county_reader_scope(actor)
    require_county(actor, county_id)


def require_county(actor: Actor, county_id: UUID) -> None:
    """组织部 (or another county-scoped role) of this county."""
    if actor.role is Role.OPERATOR:
        return
    if actor.scope_id != county_id:
        raise _deny("not_your_county", "只能管理本县（区）的数据", "outside your county")


def require_in_county(actor: Actor, actor_county: UUID | None, county_id: UUID) -> None:
    """Anyone whose scope lies in this county (its communities, units, members, 组织部)."""
    if actor.role is Role.OPERATOR:
        return
    if actor_county != county_id:
        raise _deny("not_your_county", "只能查看本县（区）的数据", "outside your county")


def require_community_staff(actor: Actor, community_id: UUID) -> None:
    require_role(actor, Role.COMMUNITY_ADMIN)
    if actor.scope_id != community_id:
        raise _deny(
            "not_your_community", "只能处理本社区的事务", "this belongs to another community"
        )


def member_scope(actor: Actor) -> UUID:
    """The member a member's token belongs to."""
    require_role(actor, Role.MEMBER)
    if actor.scope_id is None:
        raise _deny("no_scope", "登录凭证未指定党员", "the token names no member")
    return actor.scope_id


def require_self(actor: Actor, member_id: UUID) -> None:
    require_role(actor, Role.MEMBER)
    if actor.scope_id != member_id:
        raise _deny("not_your_profile", "只能查看和修改本人的信息", "this is not your profile")


def require_community_staff_or_grid(actor: Actor, community_id: UUID) -> None:
    require_role(actor, Role.COMMUNITY_ADMIN, Role.GRID_WORKER)
    if actor.scope_id != community_id:
        raise _deny(
            "not_your_community", "只能处理本社区的事务", "this belongs to another community"
        )


def resident_id(actor: Actor) -> UUID:
    """The resident a resident's token belongs to (its subject)."""
    require_role(actor, Role.RESIDENT)
    try:
        return UUID(actor.subject)
    except ValueError:
        raise _deny("no_scope", "登录凭证未指定居民", "the token names no resident") from None


def can_read_member(
    actor: Actor, *, member_id: UUID, county_id: UUID, community_id: UUID, unit_id: UUID
) -> bool:
    role = actor.role
    if role is Role.MEMBER:
        return actor.scope_id == member_id
    if role in (Role.COMMUNITY_ADMIN, Role.GRID_WORKER):
        return actor.scope_id == community_id
    if role is Role.UNIT_ADMIN:
        return actor.scope_id == unit_id
    if role in (Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR):
        return actor.scope_id == county_id
    return role is Role.OPERATOR


def require_read_member(
    actor: Actor, *, member_id: UUID, county_id: UUID, community_id: UUID, unit_id: UUID
) -> None:
    if not can_read_member(
        actor, member_id=member_id, county_id=county_id, community_id=community_id, unit_id=unit_id
    ):
        raise _deny("not_your_member", "无权查看该党员的信息", "you may not see this member")


def require_read_community(actor: Actor, *, community_id: UUID, county_id: UUID) -> None:
    """Community staff see their community; county roles see every community of the county."""
    if actor.role in (Role.COMMUNITY_ADMIN, Role.GRID_WORKER) and actor.scope_id == community_id:
        return
    if actor.role in (Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR) and actor.scope_id == county_id:
        return
    if actor.role is Role.OPERATOR:
        return
    raise _deny("not_your_community", "无权查看该社区的数据", "you may not see this community")


def require_read_unit(actor: Actor, *, unit_id: UUID, county_id: UUID) -> None:
    if actor.role is Role.UNIT_ADMIN and actor.scope_id == unit_id:
        return
    if actor.role in (Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR) and actor.scope_id == county_id:
        return
    if actor.role is Role.OPERATOR:
        return
    raise _deny("not_your_unit", "无权查看该单位的数据", "you may not see this unit")


def require_read_order(
    actor: Actor,
    *,
    county_id: UUID,
    community_id: UUID,
    resident_id: UUID | None,
    member_id: UUID | None,
    applicants: set[UUID],
) -> None:
    """An order is seen by its community's staff and grid workers, the county's readers,
    the resident who posted it, and the members it was given to or who applied."""
    role = actor.role
    if role in (Role.COMMUNITY_ADMIN, Role.GRID_WORKER) and actor.scope_id == community_id:
        return
    if role in (Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR) and actor.scope_id == county_id:
        return
    if role is Role.RESIDENT and resident_id is not None and actor.subject == str(resident_id):
        return
    if (
        role is Role.MEMBER
        and actor.scope_id is not None
        and (actor.scope_id == member_id or actor.scope_id in applicants)
    ):
        return
    if role is Role.OPERATOR:
        return
    raise _deny("not_your_order", "无权查看该需求", "you may not see this order")


# -- the first question about a request that names a resource -----------------------------

COUNTY_ROLES = (Role.ORG_DEPT, Role.AUDITOR, Role.INSPECTOR)
COMMUNITY_ROLES = (Role.COMMUNITY_ADMIN, Role.GRID_WORKER)

PLACE_LABELS = {
    "order": "需求",
    "member": "党员",
    "community": "社区",
    "unit": "单位",
    "county": "县（区）",
    "activity": "活动",
    "redemption": "兑换",
    "item": "兑换项目",
    "partner": "合作商家",
    "plan": "抽查方案",
    "inspector": "检查人员",
}


@dataclass(frozen=True)
class Place:
    """Where a resource sits: what the scope rules compare an actor's scope with."""

    kind: str  # order, member, community, unit, county, activity, redemption, item, ...
    county: UUID
    community: UUID | None = None
    units: frozenset[UUID] = frozenset()  # a member's unit, a community's paired units, ...
    members: frozenset[UUID] = frozenset()  # the member(s) it is about or given to
    resident: UUID | None = None
    partner: UUID | None = None
    # A member's place: whether the community approved them. Before approval a member
    # signed in sees only their own registration (issue 14).
    approved: bool = True


def may_address(actor: Actor, place: Place, home: Place | None) -> bool:
    """Whether the actor stands in any relation to the resource at all: the question
    asked before a request's body is even read. What they may do with it is the
    command's own decision, taken after. `home` is the actor's own scope's place."""
    role = actor.role
    if role is Role.OPERATOR:
        return True
    if home is None or home.county != place.county:
        return False
    if role in COUNTY_ROLES:
        return True
    kind = place.kind
    if role in COMMUNITY_ROLES:
        return place.community is None or place.community == actor.scope_id
    if role is Role.UNIT_ADMIN:
        if place.units:
            return actor.scope_id in place.units
        return place.community is None
    if role is Role.MEMBER:
        if not home.approved:  # before approval: their own registration, nothing else
            return kind == "member" and actor.scope_id in place.members
        if kind in ("member", "redemption"):
            return actor.scope_id in place.members
        if kind == "order":  # their community's needs are theirs to apply for
            return actor.scope_id in place.members or place.community == home.community
        if kind == "community":
            return place.community == home.community
        return kind in ("activity", "county")  # activities to join across the county
    if role is Role.RESIDENT:
        if kind == "order":
            return place.resident is not None and str(place.resident) == actor.subject
        if kind == "community":
            return place.community == actor.scope_id
        return kind == "county"
    if role is Role.PARTNER:
        if kind in ("partner", "redemption", "item"):
            return place.partner == actor.scope_id
        if kind == "community":
            return place.community == home.community
        return kind == "county"
    return False


def require_address(actor: Actor, place: Place, home: Place | None) -> None:
    if not may_address(actor, place, home):
        label = PLACE_LABELS.get(place.kind, "数据")
        raise _deny(
            f"not_your_{place.kind}",
            f"无权处理该{label}",
            f"this {place.kind} is outside your scope",
        )


def place_of_aggregate(kind: str, found: Any) -> Place:
    """A resource's place from its aggregate as the log has it now (the read models may
    not have caught up with a change yet). Pairings are kept on the unit, so a
    community's place from the log names no paired units."""
    county = found.id if kind == "county" else found.county_id
    community = getattr(found, "community_id", None)
    if kind == "community":
        community = found.id
    units: set[UUID] = set()
    members: set[UUID] = set()
    if kind == "order":
        members = {m for m in [found.member_id, *found.applicants] if m}
        if found.assignee and found.assignee[0] == "unit" and found.assignee[1]:
            units = {found.assignee[1]}
    elif kind == "member":
        units, members = {found.unit_id}, {found.id}
    elif kind == "unit":
        units = {found.id}
    elif kind == "redemption":
        members = {found.member_id}
    partner = getattr(found, "partner_id", None) or (found.id if kind == "partner" else None)
    approved = kind != "member" or found.status is MemberStatus.APPROVED
    return Place(
        kind,
        county,
        community=community if kind not in ("plan", "inspector", "unit", "county") else None,
        units=frozenset(units),
        members=frozenset(members),
        resident=getattr(found, "resident_id", None),
        partner=partner,
        approved=approved,
    )


# -- who may grant what (accounts, issue 14) -----------------------------------------------

# What 组织部 grants in its county; what 社区 grants in its community.
ORG_DEPT_GRANTS = frozenset(
    {Role.COMMUNITY_ADMIN, Role.UNIT_ADMIN, Role.INSPECTOR, Role.AUDITOR, Role.ORG_DEPT}
)
COMMUNITY_GRANTS = frozenset({Role.GRID_WORKER, Role.PARTNER})
# The roles a community's staff look after once people registered (members, residents).
COMMUNITY_LOOKS_AFTER = frozenset({Role.MEMBER, Role.RESIDENT})


def may_grant(actor: Actor, role: Role, county_id: UUID | None, community_id: UUID | None) -> bool:
    """组织部 grants 社区, 单位, 督查, 审计 and 组织部 within its county; 社区 grants its
    own grid workers and its community's partners; the operator (the CLI) anything."""
    if actor.role is Role.OPERATOR:
        return True
    if actor.role is Role.ORG_DEPT:
        return role in ORG_DEPT_GRANTS and county_id is not None and county_id == actor.scope_id
    if actor.role is Role.COMMUNITY_ADMIN:
        return (
            role in COMMUNITY_GRANTS and community_id is not None and community_id == actor.scope_id
        )
    return False


def require_may_grant(
    actor: Actor, role: Role, county_id: UUID | None, community_id: UUID | None
) -> None:
    if not may_grant(actor, role, county_id, community_id):
        raise _deny(
            "may_not_grant",
            "无权授予该身份：组织部只能授予本县（区）的社区、单位、督查、审计与组织部身份，"
            "社区只能授予本社区的网格员与合作商家身份",
            f"you may not grant {role.value} in this scope",
        )


def may_manage(actor: Actor, role: Role, county_id: UUID | None, community_id: UUID | None) -> bool:
    """Whoever may grant a role in a scope looks after the accounts holding it there
    (revoke, disable, reset, history); a community's staff also its members and
    residents."""
    if may_grant(actor, role, county_id, community_id):
        return True
    return (
        actor.role is Role.COMMUNITY_ADMIN
        and role in COMMUNITY_LOOKS_AFTER
        and community_id is not None
        and community_id == actor.scope_id
    )
