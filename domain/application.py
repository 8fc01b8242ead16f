"""四双's application: one event log, one `Sishuang` composed of sibling command groups.

Each group sits beside its aggregates and inherits only the shared base
(domain.service.Service: the load–decide–save–retry path, the aggregates by id, the
crediting that goes with every close):

- DirectoryCommands (domain.directory_commands): counties, policy, communities, units, members
- OrderCommands (domain.order_commands): the order loop, residents, 核定虚假
- ActivityCommands (domain.activity_commands): activities, 供需对接
- PointsCommands (domain.points_commands): points rules, partners, catalogue, redemptions
- EvaluationCommands (domain.evaluation_commands): 三级联评, the quarterly check, stars
- InspectionCommands (domain.inspection_commands): 两随机一公开
- MessageCommands (domain.message_commands): deliveries, inbox reads, message preferences
- AccountCommands (domain.account_commands): accounts, grants, phone codes, sessions

Every command takes the acting Actor first, checks scope (domain.access), loads the
aggregates it needs, lets them decide with the county's Policy, and saves all resulting
events in one atomic write. A command that raises records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.account_commands import AccountCommands, NewSession
from domain.activity_commands import ActivityCommands
from domain.clock import Clock
from domain.directory_commands import Availability, Commitment, DirectoryCommands, Identity, Skills
from domain.evaluation_commands import EvaluationCommands
from domain.inspection_commands import InspectionCommands
from domain.message_commands import MessageCommands
from domain.order_commands import NeedInput, OrderCommands
from domain.points_commands import PointsCommands, random_code
from domain.service import Result, fingerprint

__all__ = [
    "Availability",
    "Commitment",
    "Identity",
    "NeedInput",
    "NewSession",
    "Result",
    "Sishuang",
    "Skills",
    "fingerprint",
]


class Sishuang(
    DirectoryCommands,
    OrderCommands,
    ActivityCommands,
    PointsCommands,
    EvaluationCommands,
    InspectionCommands,
    MessageCommands,
    AccountCommands,
):
    """四双: the one application whose event log every projection follows."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock,
        codes: Callable[[], str] = random_code,
        secret: bytes = b"",
    ) -> None:
        self.codes = codes
        self.secret = secret  # the service secret: phone codes, sealed TOTP secrets
        super().__init__(env, clock=clock)
