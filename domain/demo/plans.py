"""The story's plan, before anything is issued: a need's steps, the residents, the
needs with their fates, the activities and the monthly matching meetings. Indexes
(community, member, resident, need) point into the county plan and the story."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Step:
    when: datetime
    op: str
    member: int | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResidentPlan:
    community: int
    name: str
    phone: str  # empty: registered by a grid worker
    address: str
    grid: str
    registered_at: datetime


@dataclass
class NeedPlan:
    community: int
    index: int
    fate: str
    category: str
    content: str
    done_note: str
    urgency: str
    people: int
    source: str
    grid: str
    location: tuple[str, str] | None
    preferred_time: str
    photos: tuple[str, ...]
    reject_reason: str = ""
    resident: int | None = None  # index into the story's residents
    requester_name: str = ""
    posted_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)
    matched_member: int | None = None  # adopted at the matching meeting

    @property
    def poster(self) -> str:
        """Who posts it: the resident in the app, a grid worker, or the community (议事会)."""
        return {"app": "resident", "council": "admin"}.get(self.source, "grid")


@dataclass
class ActivityPlan:
    community: int
    kind: str
    title: str
    place: str
    location: tuple[str, str]
    planned_at: datetime
    starts_at: datetime
    ends_at: datetime
    attendees: list[tuple[int, datetime, datetime | None, tuple[str, str]]]
    confirm_at: datetime | None


@dataclass
class MatchingPlan:
    community: int
    when: datetime
    month: str
    needs: list[int] = field(default_factory=list)  # indexes into the story's needs


@dataclass
class Story:
    residents: list[ResidentPlan] = field(default_factory=list)
    needs: list[NeedPlan] = field(default_factory=list)
    activities: list[ActivityPlan] = field(default_factory=list)
    matchings: list[MatchingPlan] = field(default_factory=list)
