"""The sealer: follows the global log in order and appends each event to its own log
(one per community, one per county, one system log; domain.event_catalogue.log_of), as a
leaf of that log's RFC 6962 Merkle tree. The leaf commits to the SHA-256 of the exact
stored event bytes (replay.leaf), never to a re-serialisation.

The leaves are a projection like the others (rebuildable: a rebuild gives the same
leaves, hence the same roots). The signed checkpoints are not: they are published
history, kept in their own table that a rebuild never drops, and a new checkpoint is
only signed when the log it covers extends the last one (checked by a consistency
proof before signing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.event_catalogue import SYSTEM_LOG, log_of
from projections.base import Handler, Projection
from projections.directory import iso
from projections.store import ReadStore, Tx, chunks
from replay.checkpoint import SigningKey, sign_checkpoint
from replay.leaf import leaf, state_digest
from replay.merkle import CompactRange, MerkleTree, leaf_hash


class Sealer(Projection):
    name = "rm_seal"
    version = 1
    # The sealed logs hold every event in order, each leaf numbered: an event set aside
    # would renumber every later leaf when retried and break the signed checkpoints. An
    # event the sealer cannot seal stops it (health shows it) until it is fixed.
    sets_aside = False
    tables = ("rm_seal_origins", "rm_seal_logs", "rm_seal_leaves")
    ddl = (
        "CREATE TABLE IF NOT EXISTS rm_seal_origins ("
        " originator_id TEXT PRIMARY KEY, log_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_seal_logs ("
        " log_id TEXT PRIMARY KEY, size INTEGER NOT NULL, frontier TEXT NOT NULL,"
        " last_notification_id INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rm_seal_leaves ("
        " log_id TEXT NOT NULL, seq INTEGER NOT NULL, notification_id INTEGER NOT NULL,"
        " originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL,"
        " topic TEXT NOT NULL, recorded_at TEXT NOT NULL, state_sha256 TEXT NOT NULL,"
        " leaf_hash TEXT NOT NULL, PRIMARY KEY (log_id, seq))",
        "CREATE INDEX IF NOT EXISTS rm_seal_leaves_notification"
        " ON rm_seal_leaves (notification_id)",
        # Published checkpoints: not among `tables`, so no rebuild drops them.
        "CREATE TABLE IF NOT EXISTS rm_seal_checkpoints ("
        " log_id TEXT NOT NULL, size INTEGER NOT NULL, root TEXT NOT NULL,"
        " last_notification_id INTEGER NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL,"
        " PRIMARY KEY (log_id, size))",
    )

    def handlers(self) -> dict[type, Handler]:
        return {}  # every event: see apply

    def apply(self, tx: Tx, event: Any) -> None:
        stored = tx.notification
        assert stored is not None, "the sealer needs the stored record (Follower sets it)"
        self.apply_page(tx, [(stored, event)])

    def apply_page(self, tx: Tx, page: Sequence[tuple[Any, Any]]) -> None:
        """A page in a handful of statements: the attributions and the logs' frontiers it
        needs are read once, the leaves computed in memory, written with executemany."""
        wanted = {str(e.originator_id) for _, e in page} | {
            str(e.owner_id) for _, e in page if isinstance(getattr(e, "owner_id", None), UUID)
        }
        known: dict[str, str] = {}
        for chunk in chunks(sorted(wanted)):
            marks = ",".join("?" * len(chunk))
            for row in tx.execute(
                "SELECT originator_id, log_id FROM rm_seal_origins"
                f" WHERE originator_id IN ({marks})",
                chunk,
            ).all():
                known[row["originator_id"]] = row["log_id"]
        origins: list[tuple[str, str]] = []
        placed: list[tuple[Any, Any, str]] = []
        for stored, event in page:
            log_id = log_of(event, lambda i: known.get(str(i)))
            if event.originator_version == 1:
                known[str(event.originator_id)] = log_id
                origins.append((str(event.originator_id), log_id))
            placed.append((stored, event, log_id))
        logs = sorted({log_id for _, _, log_id in placed})
        frontiers: dict[str, CompactRange] = {}
        existing: set[str] = set()
        for chunk in chunks(logs):
            marks = ",".join("?" * len(chunk))
            for row in tx.execute(
                f"SELECT log_id, size, frontier FROM rm_seal_logs WHERE log_id IN ({marks})",
                chunk,
            ).all():
                frontiers[row["log_id"]] = _frontier(row)
                existing.add(row["log_id"])
        leaves: list[tuple[Any, ...]] = []
        last: dict[str, tuple[int, str]] = {}
        for stored, event, log_id in placed:
            frontier = frontiers.setdefault(log_id, CompactRange())
            seq = frontier.size
            recorded_at = iso(event.timestamp)
            digest = state_digest(bytes(stored.state))
            data = leaf(
                log_subject(log_id),
                seq,
                stored.id,
                str(stored.originator_id),
                stored.originator_version,
                stored.topic,
                recorded_at,
                digest,
            )
            hashed = leaf_hash(data)
            frontier.append(hashed)
            leaves.append(
                (
                    log_id,
                    seq,
                    stored.id,
                    str(stored.originator_id),
                    stored.originator_version,
                    stored.topic,
                    recorded_at,
                    digest,
                    hashed.hex(),
                )
            )
            last[log_id] = (stored.id, recorded_at)
        tx.executemany("INSERT INTO rm_seal_origins (originator_id, log_id) VALUES (?, ?)", origins)
        tx.executemany(
            "INSERT INTO rm_seal_leaves (log_id, seq, notification_id, originator_id,"
            " originator_version, topic, recorded_at, state_sha256, leaf_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            leaves,
        )
        for log_id in logs:
            frontier = frontiers[log_id]
            encoded = ",".join(h.hex() for h in frontier.hashes)
            nid, at = last[log_id]
            if log_id in existing:
                tx.execute(
                    "UPDATE rm_seal_logs SET size = ?, frontier = ?, last_notification_id = ?,"
                    " updated_at = ? WHERE log_id = ?",
                    (frontier.size, encoded, nid, at, log_id),
                )
            else:
                tx.execute(
                    "INSERT INTO rm_seal_logs (log_id, size, frontier, last_notification_id,"
                    " updated_at) VALUES (?, ?, ?, ?, ?)",
                    (log_id, frontier.size, encoded, nid, at),
                )


def _frontier(row: dict[str, Any] | None) -> CompactRange:
    if row is None:
        return CompactRange()
    hashes = [bytes.fromhex(h) for h in row["frontier"].split(",") if h]
    return CompactRange(row["size"], hashes)


def log_subject(log_id: str) -> str:
    """What a leaf names as its log: the community's (or county's) id; "system"."""
    return log_id if log_id == SYSTEM_LOG else log_id.split(":", 1)[1]


def log_id_of(kind: str, subject: UUID | str) -> str:
    return SYSTEM_LOG if kind == SYSTEM_LOG else f"{kind}:{subject}"


def origin_of(prefix: str, log_id: str) -> str:
    """The checkpoint origin line: unique per log, e.g. `sishuang/community/<id>`."""
    return f"{prefix}/{log_id.replace(':', '/')}"


# -- queries and publishing -----------------------------------------------------------------


@dataclass(frozen=True)
class LogState:
    log_id: str
    size: int
    root: bytes
    last_notification_id: int


def log_state(store: ReadStore, log_id: str) -> LogState | None:
    with store.read() as tx:
        row = tx.execute(
            "SELECT size, frontier, last_notification_id FROM rm_seal_logs WHERE log_id = ?",
            (log_id,),
        ).one()
    if row is None:
        return None
    return LogState(log_id, row["size"], _frontier(row).root(), row["last_notification_id"])


def leaf_hashes(store: ReadStore, log_id: str, size: int | None = None) -> list[bytes]:
    with store.read() as tx:
        rows = tx.execute(
            "SELECT seq, leaf_hash FROM rm_seal_leaves WHERE log_id = ?"
            + (" AND seq < ?" if size is not None else "")
            + " ORDER BY seq",
            (log_id, size) if size is not None else (log_id,),
        ).all()
    hashes = [bytes.fromhex(r["leaf_hash"]) for r in rows]
    assert [r["seq"] for r in rows] == list(range(len(rows))), f"{log_id}: leaves have gaps"
    return hashes


def leaves(store: ReadStore, log_id: str, size: int | None = None) -> list[dict[str, Any]]:
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_seal_leaves WHERE log_id = ?"
            + (" AND seq < ?" if size is not None else "")
            + " ORDER BY seq",
            (log_id, size) if size is not None else (log_id,),
        ).all()


def leaf_at(store: ReadStore, notification_id: int) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_seal_leaves WHERE notification_id = ?", (notification_id,)
        ).one()


def latest_checkpoint(store: ReadStore, log_id: str) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_seal_checkpoints WHERE log_id = ? ORDER BY size DESC LIMIT 1",
            (log_id,),
        ).one()


def checkpoint_at(store: ReadStore, log_id: str, size: int) -> dict[str, Any] | None:
    with store.read() as tx:
        return tx.execute(
            "SELECT * FROM rm_seal_checkpoints WHERE log_id = ? AND size = ?", (log_id, size)
        ).one()


def log_ids(store: ReadStore) -> list[str]:
    with store.read() as tx:
        return [r["log_id"] for r in tx.execute("SELECT log_id FROM rm_seal_logs").all()]


class CheckpointConflict(Exception):
    """The sealed log no longer extends the last checkpoint: never signed over."""


def publish(
    store: ReadStore, key: SigningKey, prefix: str, now: Any, only: str | None = None
) -> list[dict[str, Any]]:
    """Sign a checkpoint for every log (or `only` one) that grew since its last one.

    Before signing, the new tree is proved to extend the last checkpoint (a consistency
    proof from the stored leaves, checked against the last signed root); a log that
    does not is refused loudly and nothing is signed for it.
    """
    published = []
    for log_id in [only] if only else log_ids(store):
        state = log_state(store, log_id)
        if state is None:
            continue
        last = latest_checkpoint(store, log_id)
        if last is not None and last["size"] >= state.size:
            continue
        tree = MerkleTree(leaf_hashes(store, log_id, state.size))
        if tree.root() != state.root:
            raise CheckpointConflict(f"{log_id}: the leaves and the frontier disagree")
        if last is not None:
            old_root = bytes.fromhex(last["root"])
            if tree.root(last["size"]) != old_root:
                raise CheckpointConflict(
                    f"{log_id}: the log no longer extends its checkpoint at size {last['size']}"
                )
        note = sign_checkpoint(origin_of(prefix, log_id), state.size, state.root, key)
        row = {
            "log_id": log_id,
            "size": state.size,
            "root": state.root.hex(),
            "last_notification_id": state.last_notification_id,
            "note": note,
            "signed_at": iso(now),
        }
        with store.write() as tx:
            tx.execute(
                "INSERT INTO rm_seal_checkpoints (log_id, size, root, last_notification_id,"
                " note, signed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                tuple(row.values()),
            )
        published.append(row)
    return published


def lag(store: ReadStore) -> int:
    """Events in the log the sealer has not sealed yet."""
    positions = store.positions([Sealer.name])
    return max(store.head() - positions.get(Sealer.name, 0), 0)
