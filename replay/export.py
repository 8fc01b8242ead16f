"""`replay export`: one community's sealed history as a bundle (run where the service's
store is reachable; the bundle then travels to the auditor).

The events are gathered from the event store independently of the sealer: the whole
log is walked up to the checkpoint and every event attributed to its log by the event
catalogue's rule (domain.event_catalogue.log_of), so an event deleted, inserted or changed
in the store shows up against the sealed leaves when the bundle is verified.
"""

from __future__ import annotations

import base64
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.application import Sishuang
from domain.clock import SystemClock
from domain.event_catalogue import log_of
from projections import ReadModels, directory, open_service, sealer
from projections.settings import Settings, signing_key
from replay import bundle
from replay.progress import Progress

PAGE = 1000


class ExportError(Exception):
    pass


def export(
    settings: Settings, community_id: UUID, out: Path, *, progress: bool = True
) -> dict[str, Any]:
    app, read = open_service(settings.eventsourcing_env(), SystemClock(), run_projections=True)
    try:
        return export_from(app, read, settings, community_id, out, progress=progress)
    finally:
        app.close()


def export_from(
    app: Sishuang,
    read: ReadModels,
    settings: Settings,
    community_id: UUID,
    out: Path,
    *,
    progress: bool = True,
) -> dict[str, Any]:
    if read.follower is not None:
        read.follower.catch_up()
    store = read.store
    community = directory.get_community(store, str(community_id))
    if community is None:
        raise ExportError(f"no community {community_id}")
    logs = [
        sealer.log_id_of("community", community_id),
        sealer.log_id_of("county", community["county_id"]),
    ]
    key = signing_key(settings)
    parts: list[bundle.LogPart] = []
    for index, log_id in enumerate(logs):
        sealer.publish(store, key, settings.log_origin, app.clock.now(), only=log_id)
        checkpoint = sealer.latest_checkpoint(store, log_id)
        if checkpoint is None:
            raise ExportError(f"{log_id} has no sealed event yet")
        leaves = [
            {k: row[k] for k in row if k != "log_id"}
            for row in sealer.leaves(store, log_id, checkpoint["size"])
        ]
        parts.append(
            bundle.LogPart(
                index=index,
                log=log_id,
                origin=sealer.origin_of(settings.log_origin, log_id),
                checkpoint=checkpoint["note"],
                leaves=leaves,
            )
        )
    until = max(
        (sealer.latest_checkpoint(store, p.log) or {}).get("last_notification_id", 0) for p in parts
    )
    wanted = {p.log: p for p in parts}
    owners: dict[UUID, str] = {}
    bar = Progress("导出", until, every=0.5 if progress else 1e9)
    position = 0
    while position < until:
        page = app.recorder.select_notifications(position + 1, limit=PAGE, stop=until)
        if not page:
            break
        for n in page:
            position = n.id
            bar.advance()
            try:
                event: Any = app.mapper.to_domain_event(n)
                log_id = log_of(event, owners.get)
                owners.setdefault(event.originator_id, log_id)
                recorded_at = event.timestamp.isoformat()
            except Exception:  # a stored record that no longer decodes: keep it visible,
                # in the log it was sealed in (or its aggregate's), so verify names it
                originator = UUID(str(n.originator_id))
                maybe = owners.get(originator) or sealed_log_of(store, originator)
                if maybe is None:
                    continue
                owners.setdefault(originator, maybe)
                log_id, recorded_at = maybe, sealed_time_of(store, n.id) or "unknown"
            part = wanted.get(log_id)
            if part is not None:
                part.events.append(
                    {
                        "notification_id": n.id,
                        "originator_id": str(n.originator_id),
                        "originator_version": n.originator_version,
                        "topic": n.topic,
                        "recorded_at": recorded_at,
                        "state": base64.b64encode(bytes(n.state)).decode(),
                    }
                )
    seconds = bar.finish()
    manifest = {
        "community_id": str(community_id),
        "community": community["name"],
        "county_id": community["county_id"],
        "domain_version": _version(),
        "exported_at": app.clock.now().isoformat(),
        "until_notification_id": until,
    }
    bundle.write(out, manifest, parts)
    return {
        "path": str(out),
        "events": sum(len(p.events) for p in parts),
        "log_events_read": position,
        "seconds": seconds,
        "logs": {p.log: len(p.leaves) for p in parts},
    }


def sealed_log_of(store: Any, originator: UUID) -> str | None:
    """The log the sealer put an aggregate in: only for records that no longer decode."""
    with store.read() as tx:
        row = tx.execute(
            "SELECT log_id FROM rm_seal_origins WHERE originator_id = ?", (str(originator),)
        ).one()
    return None if row is None else str(row["log_id"])


def sealed_time_of(store: Any, notification_id: int) -> str | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT recorded_at FROM rm_seal_leaves WHERE notification_id = ?", (notification_id,)
        ).one()
    return None if row is None else str(row["recorded_at"])


def _version() -> str:
    try:
        return metadata.version("sishuang")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"
