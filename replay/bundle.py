"""The bundle: one community's sealed history as one .zip file (standard library only).

    manifest.json                  what is inside (format, version, logs, domain version)
    logs/<n>/checkpoint.txt        the latest signed checkpoint of the log (a C2SP note)
    logs/<n>/leaves.jsonl          the sealed leaves up to the checkpoint, one per line:
                                   seq, notification_id, originator_id, originator_version,
                                   topic, recorded_at, state_sha256, leaf_hash
    logs/<n>/events.jsonl          the stored events the log is made of, as the event store
                                   holds them now, in log order: notification_id,
                                   originator_id, originator_version, topic, recorded_at,
                                   state (base64 of the exact stored bytes)

Log 0 is the community's; log 1 its county's (policy values, units: what the
community's ledgers also need). The sealed leaves are authenticated by the signed root
(their Merkle root must equal it); the events are what is checked against them.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "sishuang-replay-bundle"
VERSION = 1


@dataclass
class LogPart:
    """One log inside a bundle."""

    index: int
    log: str
    origin: str
    checkpoint: str
    leaves: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Bundle:
    manifest: dict[str, Any]
    logs: list[LogPart]

    @property
    def community(self) -> LogPart:
        return self.logs[0]


def write(path: Path, manifest: dict[str, Any], logs: list[LogPart]) -> None:
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": VERSION,
        "logs": [
            {
                "dir": f"logs/{p.index}",
                "log": p.log,
                "origin": p.origin,
                "leaves": len(p.leaves),
                "events": len(p.events),
            }
            for p in logs
        ],
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for p in logs:
            z.writestr(f"logs/{p.index}/checkpoint.txt", p.checkpoint)
            z.writestr(f"logs/{p.index}/leaves.jsonl", _lines(p.leaves))
            z.writestr(f"logs/{p.index}/events.jsonl", _lines(p.events))


def _lines(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


class BundleError(ValueError):
    """The file is not a bundle this version can read."""


def read(path: Path) -> Bundle:
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise BundleError(f"{path}: not a readable bundle ({e})") from e
    with z:
        try:
            manifest = json.loads(z.read("manifest.json"))
        except (KeyError, ValueError) as e:
            raise BundleError(f"{path}: no valid manifest.json") from e
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BundleError(
                f"{path}: format {manifest.get('format')!r} v{manifest.get('version')!r},"
                f" this tool reads {FORMAT} v{VERSION}"
            )
        logs = []
        for index, entry in enumerate(manifest.get("logs", [])):
            base = entry["dir"]
            try:
                logs.append(
                    LogPart(
                        index=index,
                        log=entry["log"],
                        origin=entry["origin"],
                        checkpoint=z.read(f"{base}/checkpoint.txt").decode("utf-8"),
                        leaves=list(_read_lines(z, f"{base}/leaves.jsonl")),
                        events=list(_read_lines(z, f"{base}/events.jsonl")),
                    )
                )
            except (KeyError, ValueError, UnicodeDecodeError) as e:
                raise BundleError(f"{path}: {base} is incomplete or malformed ({e})") from e
    if not logs:
        raise BundleError(f"{path}: the bundle holds no log")
    return Bundle(manifest, logs)


def _read_lines(z: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(z.read(name).decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as e:
                raise ValueError(f"{name} line {number}: {e}") from e
