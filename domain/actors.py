"""Who is acting: a role and the scope it acts in (DESIGN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    OPERATOR = "operator"  # the service operator (CLI only): creates counties
    ORG_DEPT = "org_dept"  # 组织部, scope: county
    COMMUNITY_ADMIN = "community_admin"  # 社区, scope: community
    GRID_WORKER = "grid_worker"  # 网格员, scope: community
    UNIT_ADMIN = "unit_admin"  # 单位, scope: unit
    MEMBER = "member"  # 党员, scope: the member
    RESIDENT = "resident"  # 群众, scope: community
    INSPECTOR = "inspector"  # 督查, scope: county
    AUDITOR = "auditor"  # 审计, scope: county
    PARTNER = "partner"  # 积分兑换合作方 (物业、食堂、超市), scope: the partner
    PUBLIC = "public"  # anyone: registration by QR link, disclosure pages


ROLE_LABELS: dict[Role, str] = {
    Role.OPERATOR: "运维",
    Role.ORG_DEPT: "组织部",
    Role.COMMUNITY_ADMIN: "社区",
    Role.GRID_WORKER: "网格员",
    Role.UNIT_ADMIN: "单位",
    Role.MEMBER: "党员",
    Role.RESIDENT: "群众",
    Role.INSPECTOR: "督查",
    Role.AUDITOR: "审计",
    Role.PARTNER: "合作商家",
    Role.PUBLIC: "公众",
}

# Which kind of thing a role's scope names.
SCOPE_KIND: dict[Role, str | None] = {
    Role.OPERATOR: None,
    Role.ORG_DEPT: "county",
    Role.COMMUNITY_ADMIN: "community",
    Role.GRID_WORKER: "community",
    Role.UNIT_ADMIN: "unit",
    Role.MEMBER: "member",
    Role.RESIDENT: "community",
    Role.INSPECTOR: "county",
    Role.AUDITOR: "county",
    Role.PARTNER: "partner",
    Role.PUBLIC: None,
}


@dataclass(frozen=True)
class Actor:
    role: Role
    subject: str  # who, as the token names them (staff name, member id, ...)
    scope_id: UUID | None = None

    @property
    def ref(self) -> str:
        """How events record who acted."""
        return f"{self.role.value}:{self.subject}"

    @property
    def namespace(self) -> str:
        """Whose idempotency keys these are: role, scope and subject together, so two
        people with the same name in different places never share a key."""
        return f"{self.role.value}:{self.scope_id or '-'}:{self.subject}"


OPERATOR = Actor(Role.OPERATOR, "operator")
PUBLIC = Actor(Role.PUBLIC, "anonymous")


SYSTEM_LABEL = "系统（到期自动处理）"


def split_ref(ref: str) -> tuple[Role | None, str]:
    """An event's `by` (Actor.ref, "role:subject") as its role and subject."""
    role, _, subject = (ref or "").partition(":")
    try:
        return Role(role), subject
    except ValueError:
        return None, subject


def describe_ref(ref: str, names: dict[str, str]) -> str:
    """Who acted, as a person reads it: the role's Chinese name and the person's name —
    a member's, resident's or inspector's from `names` (by id; never the id itself),
    other staff as their sign-in names them; the sweep and the system as 系统."""
    role, subject = split_ref(ref)
    if role is None or (role is Role.OPERATOR and subject == "sweep"):
        return SYSTEM_LABEL  # "system", "system:sweep", the sweep's own actor
    if role is Role.PUBLIC:
        return "本人（扫码）"
    label = ROLE_LABELS[role]
    if role in NAMED_BY_ID:
        name = names.get(subject)
        return f"{label} {name}" if name else label
    if role is Role.OPERATOR or not subject:
        return label
    return f"{label} {subject}"


# Roles whose tokens name the person by an id (their names are looked up).
NAMED_BY_ID = frozenset({Role.MEMBER, Role.RESIDENT, Role.INSPECTOR})
