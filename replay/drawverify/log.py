"""The log a verification reads: the event store or exported bundles, in log order.

Events are decoded with the service's event classes (the stored topics resolve to them,
and they upcast older versions); nothing else of the service is used here. Everything
downstream reads events by their stable topic and the fields docs/events.md lists.
"""

from __future__ import annotations

import base64
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

import domain.event_catalogue  # noqa: F401  (registers every stored topic for decoding)
from domain.transcoder import OrjsonTranscoder
from replay.bundle import Bundle
from replay.drawverify.definition import directory_id

PAGE = 5000
PLAN = "sishuang:InspectionPlan."
PLAN_EVENTS = (
    "Published",
    "PopulationFrozen",
    "RosterFrozen",
    "SeedCommitted",
    "ContributionRevealed",
    "Drawn",
    "TargetReplaced",
    "InspectorRecused",
    "FindingRecorded",
    "VisitsCompleted",
    "ResultsPublished",
    "DisclosureOverdue",
    "Voided",
)
PLAN_TOPICS: tuple[str, ...] = tuple(sorted(PLAN + name for name in PLAN_EVENTS))
DIRECTORY_TOPIC = "sishuang:TargetDirectory.Frozen"
COMMUNITY_REGISTERED = "sishuang:Community.Registered"


@dataclass(frozen=True)
class Entry:
    """One stored event at its log position, decoded (or why it does not decode)."""

    position: int
    originator_id: UUID
    version: int
    topic: str
    event: Any  # None when the stored record does not decode
    error: str = ""

    @property
    def name(self) -> str:
        """The event's name: the topic's last part ("Drawn")."""
        return self.topic.rsplit(".", 1)[-1]


class Log(ABC):
    """The events a verification reads: in log order, filtered by topic, up to a position."""

    description: str = ""
    problems: list[str]

    @abstractmethod
    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]: ...

    def events(self, topics: Sequence[str], stop: int, bad: list[int]) -> Iterator[tuple[str, Any]]:
        """(topic, event) up to `stop`; the positions that do not decode go to `bad`."""
        for entry in self.entries(topics, stop):
            if entry.event is None:
                bad.append(entry.position)
            else:
                yield entry.topic, entry.event

    def covered_codes(self) -> set[str] | None:
        """Community codes the log covers, when it may cover only part of a county."""
        return None

    def ends_before(self, position: int) -> list[str]:
        """Parts of the log that end before `position` (bundles exported too early)."""
        return []


def _decode(mapper: Mapper[UUID], stored: StoredEvent, position: int) -> Entry:
    originator = UUID(str(stored.originator_id))
    try:
        event = mapper.to_domain_event(stored)
        return Entry(position, originator, stored.originator_version, stored.topic, event)
    except Exception as e:  # a changed record: name it, keep going
        return Entry(
            position,
            originator,
            stored.originator_version,
            stored.topic,
            None,
            f"{type(e).__name__}: {str(e)[:120]}",
        )


class StoreLog(Log):
    """The event store itself, read through its recorder in pages."""

    def __init__(self, app: Any, description: str = "event store") -> None:
        self.app = app
        self.description = description
        self.problems = []

    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]:
        start = 1
        while stop is None or start <= stop:
            page = self.app.recorder.select_notifications(
                start, PAGE, stop=stop, topics=list(topics)
            )
            for n in page:
                stored = StoredEvent(
                    originator_id=UUID(str(n.originator_id)),
                    originator_version=n.originator_version,
                    topic=n.topic,
                    state=bytes(n.state),
                )
                yield _decode(self.app.mapper, stored, n.id)
            if len(page) < PAGE:
                return
            start = page[-1].id + 1


class BundleLog(Log):
    """Exported bundles (`replay export`), merged by log position: the county's log is in
    every community's bundle; the population needs every community of the county."""

    def __init__(self, bundles: Sequence[Bundle], names: Sequence[str] = ()) -> None:
        self.mapper: Mapper[UUID] = Mapper(transcoder=OrjsonTranscoder())
        self.problems = []
        rows: dict[int, dict[str, Any]] = {}
        self.until: dict[str, int] = {}
        for index, bundle in enumerate(bundles):
            name = names[index] if index < len(names) else f"bundle {index + 1}"
            self.until[name] = int(bundle.manifest.get("until_notification_id") or 0)
            for part in bundle.logs:
                for row in part.events:
                    position = int(row["notification_id"])
                    seen = rows.get(position)
                    if seen is None:
                        rows[position] = row
                    elif (seen["state"], seen["topic"], seen["originator_id"]) != (
                        row["state"],
                        row["topic"],
                        row["originator_id"],
                    ):
                        self.problems.append(
                            f"日志位置 #{position} 在两个导出包中不同 / position #{position}"
                            f" differs between two bundles ({name})"
                        )
        self.rows = [rows[p] for p in sorted(rows)]
        self.description = f"{len(bundles)} 个导出包 / bundles: " + ", ".join(
            names or [f"bundle {i + 1}" for i in range(len(bundles))]
        )

    def entries(self, topics: Sequence[str], stop: int | None = None) -> Iterator[Entry]:
        wanted = set(topics)
        for row in self.rows:
            position = int(row["notification_id"])
            if stop is not None and position > stop:
                return
            if row["topic"] not in wanted:
                continue
            try:
                stored = StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=int(row["originator_version"]),
                    topic=str(row["topic"]),
                    state=base64.b64decode(row["state"]),
                )
            except (KeyError, ValueError) as e:
                yield Entry(position, UUID(int=0), 0, str(row.get("topic")), None, str(e))
                continue
            yield _decode(self.mapper, stored, position)

    def ends_before(self, position: int) -> list[str]:
        return [f"{name} #{until}" for name, until in self.until.items() if until < position]

    def covered_codes(self) -> set[str]:
        return {
            e.event.code
            for e in self.entries([COMMUNITY_REGISTERED])
            if e.event is not None and e.topic == COMMUNITY_REGISTERED
        }


@dataclass
class PlanEvents:
    """One plan's events and its frozen directory's, in log order."""

    plan_id: UUID
    entries: list[Entry]
    directory: list[Entry]
    _by_name: dict[str, list[Entry]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, plan_id: UUID, entries: Sequence[Entry]) -> PlanEvents:
        own = [e for e in entries if e.originator_id == plan_id]
        by_name: dict[str, list[Entry]] = {}
        for e in own:
            if e.event is not None:
                by_name.setdefault(e.name, []).append(e)
        directory = [e for e in entries if e.originator_id == directory_id(plan_id)]
        return cls(plan_id, own, directory, by_name)

    def named(self, name: str) -> list[Entry]:
        """The plan's decoded events of one kind ("Drawn"), in log order."""
        return self._by_name.get(name, [])

    @property
    def published(self) -> Any:
        """The Published event when it is the plan's first and it decodes, else None."""
        first = self.entries[0] if self.entries else None
        if first is None or first.event is None or first.topic != PLAN + "Published":
            return None
        return first.event


def plans_in(log: Log) -> dict[UUID, list[Entry]]:
    """Every plan's events and its directory's, by plan id, in log order (one pass)."""
    plans: dict[UUID, list[Entry]] = {}
    directories: dict[UUID, list[Entry]] = {}
    for entry in log.entries([*PLAN_TOPICS, DIRECTORY_TOPIC]):
        if entry.topic == DIRECTORY_TOPIC:
            directories.setdefault(entry.originator_id, []).append(entry)
        else:
            plans.setdefault(entry.originator_id, []).append(entry)
    for plan_id, entries in plans.items():
        entries.extend(directories.get(directory_id(plan_id), []))
    return plans
