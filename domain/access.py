"""Who may see or change what (DESIGN.md §4): one place for the scope rules.

The application service calls these before deciding; the read side calls them
before answering. Each raises Forbidden with a stable code, or returns quietly.
"""

from __future__ import annotations

from uuid import UUID

from domain.actors import Actor, Role
from domain.errors import Forbidden


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
