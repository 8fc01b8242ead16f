"""The service base: load, decide, save, with idempotency and optimistic retries.

Every command method (in domain.application and domain.orders) takes the acting Actor
first, checks scope (domain.access), loads the aggregates it needs, lets them decide
with the county's Policy, and saves all resulting events in one atomic write. A
command that raises records nothing.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Transcoder

from domain.actors import Actor
from domain.clock import Clock
from domain.community import Community
from domain.county import County
from domain.errors import Conflict, InvalidInput, NotFound
from domain.member import Member
from domain.policies import Policy
from domain.reservation import Reservation, reservation_id
from domain.transcoder import OrjsonTranscoder, encode_value
from domain.unit import Unit

A = TypeVar("A", bound=Aggregate)

MAX_ATTEMPTS = 8  # optimistic-concurrency retries: reload, re-decide, save again
BACKOFF_SECONDS = 0.005  # first back-off bound; doubles with each retry (max ~0.6 s)


@dataclass(frozen=True)
class Result:
    """What a command did: the thing it is about, and the log position it reached."""

    id: UUID
    position: int | None  # notification id of the last event written; None: nothing written
    replayed: bool = False  # an idempotent retry: the first result, nothing new recorded
    details: dict[str, Any] = field(default_factory=dict)
    # When the command was decided (a retry: when the first was), and for a retry the
    # claim whose write the first answer reached (its log position: api.context).
    at: datetime | None = None
    claim_id: UUID | None = None


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(
        orjson.dumps(encode_value(payload), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def _check_idempotency_key(key: str) -> str:
    cleaned = key.strip()
    if not 1 <= len(cleaned) <= 128 or not cleaned.isprintable():
        raise InvalidInput(
            "invalid_idempotency_key",
            "幂等键应为 1–128 个可打印字符",
            "an idempotency key is 1-128 printable characters",
        )
    return cleaned


@dataclass(frozen=True)
class Once:
    """A command done once per idempotency key: the key's claim (a Reservation) is saved
    in the same write as the command's events, so a retry after an answer that never
    arrived finds it and gets the first result, recording nothing."""

    key: str
    command: str
    fingerprint: str

    @classmethod
    def of(
        cls, actor: Actor, command: str, idempotency_key: str | None, payload: Any
    ) -> Once | None:
        if idempotency_key is None:
            return None
        key = f"idem|{actor.namespace}|{command}|{_check_idempotency_key(idempotency_key)}"
        return cls(key, command, fingerprint(payload))

    def replayed(self, service: Service) -> Result | None:
        """The first result, if this key was used; Conflict if for another request."""
        existing = service._find(Reservation, reservation_id(self.key))
        if existing is None:
            return None
        if existing.fingerprint != self.fingerprint:
            raise Conflict(
                "idempotency_key_reused",
                "该幂等键已用于另一内容不同的请求",
                "this idempotency key was used for a different request",
            )
        return Result(
            existing.owner_id,
            None,
            replayed=True,
            details=dict(existing.answer),
            at=existing.created_on,
            claim_id=existing.id,
        )

    def claim(self, owner_id: UUID, now: datetime, answer: dict[str, Any]) -> Reservation:
        """The key's claim, saved last in the command's write (so its log position is the
        write's) with what the command answered besides its id."""
        return Reservation.reserve(
            self.key, self.command, owner_id, self.fingerprint, now, answer=answer
        )


class Service(Application[UUID]):
    """Plumbing shared by every command; `Sishuang` is the application itself."""

    """四双: the one application whose event log every projection follows."""

    name = "sishuang"  # pinned: PostgreSQL tables are named after it

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock) -> None:
        self.clock = clock
        super().__init__(env)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    # -- plumbing ------------------------------------------------------------------------

    def _save(self, *aggregates: Aggregate | None) -> int | None:
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=None)

    def _get(self, cls: type[A], aggregate_id: UUID, code: str, what_zh: str) -> A:
        aggregate: Any
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(code, f"{what_zh}不存在：{aggregate_id}", f"no such {code[8:]}")
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate as the log has it now, or None (for the API's scope checks)."""
        return self._find(cls, aggregate_id)

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        aggregate: Any
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def county(self, county_id: UUID) -> County:
        return self._get(County, county_id, "unknown_county", "县（区）")

    def community(self, community_id: UUID) -> Community:
        return self._get(Community, community_id, "unknown_community", "社区")

    def unit(self, unit_id: UUID) -> Unit:
        return self._get(Unit, unit_id, "unknown_unit", "单位")

    def member(self, member_id: UUID) -> Member:
        return self._get(Member, member_id, "unknown_member", "党员")

    def policy(self, county_id: UUID) -> Policy:
        return self.county(county_id).policy

    def _retrying(self, attempt: Callable[[], Result]) -> Result:
        """Run a decision; if another writer got there first, reload and decide again.

        Writers that collided back off for a short random while (growing with each
        try), so a crowd on one aggregate — many members applying for one need — drains
        instead of colliding again in lockstep.
        """
        for n in range(MAX_ATTEMPTS - 1):
            try:
                return attempt()
            except IntegrityError:
                time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**n))
        try:
            return attempt()
        except IntegrityError:
            raise Conflict(
                "concurrent_update",
                "数据正被他人同时修改，请稍后重试",
                "someone else changed this at the same moment; try again",
            ) from None

    def _create(
        self,
        actor: Actor,
        command: str,
        idempotency_key: str | None,
        payload: dict[str, Any],
        build: Callable[[], tuple[UUID, list[Aggregate]]],
        answer: dict[str, Any] | None = None,
    ) -> Result:
        """Create something; with an idempotency key a retry returns the first result.
        `answer`: filled by `build` with what the command answers besides the id."""
        return self._decide_once(
            Once.of(actor, command, idempotency_key, payload), build, answer
        )

    def _decide_once(
        self,
        once: Once | None,
        decide: Callable[[], tuple[UUID, list[Aggregate]]],
        answer: dict[str, Any] | None = None,
    ) -> Result:
        """Decide and save, retried on races. With an idempotency key (`once`) its claim
        is saved in the command's own write, with `answer` (what `decide` put there),
        and a retry of a command already done gets the first result and records nothing."""
        answered: dict[str, Any] = {} if answer is None else answer

        def attempt() -> Result:
            if once is not None and (replayed := once.replayed(self)) is not None:
                return replayed
            answered.clear()  # a retried attempt decides afresh
            owner_id, aggregates = decide()
            now = self.clock.now()
            if once is not None:
                aggregates = [*aggregates, once.claim(owner_id, now, answered)]
            return Result(owner_id, self._save(*aggregates), details=dict(answered), at=now)

        return self._retrying(attempt)

    def _claim_unique(self, key: str, kind: str, owner_id: UUID, conflict: Conflict) -> Reservation:
        """A new claim on a unique key, or Conflict if someone holds it."""
        if self._find(Reservation, reservation_id(key)) is not None:
            raise conflict
        return Reservation.reserve(key, kind, owner_id, "", self.clock.now())

    # -- county and policy -------------------------------------------------------------

    def county_by_code(self, code: str) -> County | None:
        claim = self._find(Reservation, reservation_id(f"county-code|{code}"))
        return None if claim is None else self._find(County, claim.owner_id)
