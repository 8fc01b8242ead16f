"""`replay verify`: check a bundle offline with the public key alone.

Standard library and `cryptography` only: an auditor runs it without the service.
For each log in the bundle:

1. the checkpoint's signature, with the verifier key given on the command line (never
   a key from the bundle), and its origin;
2. the sealed leaves: consecutive, each hash recomputed from its fields, and their
   Merkle root equal to the signed root (so they are the sealed history);
3. the events, as the event store holds them now: each leaf recomputed from the event's
   stored bytes and position, compared with the sealed leaf at that position; the first
   position that differs is named with what differs;
4. with `--previous`, that the signed log extends the earlier checkpoint.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replay.bundle import Bundle, LogPart
from replay.checkpoint import CheckpointError, verify_checkpoint
from replay.leaf import leaf, state_digest
from replay.merkle import MerkleTree, leaf_hash
from replay.progress import Progress


@dataclass
class Problem:
    log: str
    position: int | None  # the seq in the log, None when the whole log is at fault
    notification_id: int | None
    what: str

    def __str__(self) -> str:
        where = self.log
        if self.position is not None:
            where += f" 第 {self.position} 条（seq {self.position}"
            if self.notification_id is not None:
                where += f"，日志位置 {self.notification_id}"
            where += "）"
        return f"{where}：{self.what}"


@dataclass
class LogReport:
    log: str
    origin: str = ""
    size: int = 0
    root: str = ""
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    mismatches: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    logs: list[LogReport]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.logs)

    @property
    def first_problem(self) -> Problem | None:
        for r in self.logs:
            if r.problems:
                return r.problems[0]
        return None

    def text(self) -> str:
        lines = []
        for r in self.logs:
            status = "通过" if r.ok else "未通过"
            lines.append(
                f"{r.log}：{status}；检查点 {r.origin} 大小 {r.size} 根 {r.root[:16]}…；"
                f"事件 {r.events} 条"
            )
            for p in r.problems[:10]:
                lines.append(f"  - {p}")
            if r.mismatches > 1:
                lines.append(f"  （共 {r.mismatches} 处与封存记录不符，首处如上）")
        lines.append("结论：" + ("未发现改动" if self.ok else "发现改动，见上"))
        return "\n".join(lines)


def _leaf_from(subject: str, seq: int, row: dict[str, Any], digest: str) -> bytes:
    return leaf(
        subject,
        seq,
        int(row["notification_id"]),
        str(row["originator_id"]),
        int(row["originator_version"]),
        str(row["topic"]),
        str(row["recorded_at"]),
        digest,
    )


def subject_of(log: str) -> str:
    return log if ":" not in log else log.split(":", 1)[1]


def verify_log(part: LogPart, vkey: str, previous: str | None, progress: Progress) -> LogReport:
    report = LogReport(part.log, events=len(part.events))
    subject = subject_of(part.log)

    def problem(position: int | None, nid: int | None, what: str) -> None:
        report.problems.append(Problem(part.log, position, nid, what))

    # 1. the signature, with the key given (never one from the bundle)
    try:
        checkpoint = verify_checkpoint(part.checkpoint, vkey)
    except CheckpointError as e:
        problem(None, None, f"检查点签名或格式无效：{e}")
        return report
    report.origin, report.size, report.root = (
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root.hex(),
    )
    if checkpoint.origin != part.origin:
        problem(None, None, f"检查点来源 {checkpoint.origin} 与清单所列 {part.origin} 不符")
        return report

    # 2. the sealed leaves are the signed tree
    hashes: list[bytes] = []
    for i, sealed in enumerate(part.leaves):
        if sealed.get("seq") != i:
            problem(
                i, sealed.get("notification_id"), f"封存记录序号不连续（为 {sealed.get('seq')}）"
            )
            return report
        recomputed = leaf_hash(_leaf_from(subject, i, sealed, str(sealed["state_sha256"])))
        if recomputed.hex() != sealed.get("leaf_hash"):
            problem(i, sealed.get("notification_id"), "封存记录本身被改动（叶子哈希与字段不符）")
            return report
        hashes.append(recomputed)
    if len(hashes) != checkpoint.size:
        problem(None, None, f"封存记录 {len(hashes)} 条，检查点为 {checkpoint.size} 条")
        return report
    tree = MerkleTree(hashes)
    if tree.root() != checkpoint.root:
        problem(None, None, "封存记录的默克尔根与签名的根不符：封存记录被改动")
        return report

    # 3. the events as stored now, against the sealed leaves
    for i in range(max(len(part.events), len(hashes))):
        progress.advance()
        if i >= len(part.events):
            sealed = part.leaves[i]
            report.mismatches += 1
            if report.mismatches == 1:
                problem(
                    i,
                    sealed["notification_id"],
                    f"事件缺失：封存的 {sealed['topic']} 不在事件库中（被删除或截断），"
                    f"事件库只有 {len(part.events)} 条",
                )
            continue
        event = part.events[i]
        if i >= len(hashes):
            report.mismatches += 1
            if report.mismatches == 1:
                problem(
                    i,
                    event.get("notification_id"),
                    f"多出的事件：{event.get('topic')} 不在检查点封存的 {len(hashes)} 条之中"
                    "（被插入）",
                )
            continue
        try:
            stored = base64.b64decode(str(event["state"]), validate=True)
        except (binascii.Error, KeyError, ValueError):
            stored = b""
        digest = state_digest(stored)
        try:
            mine = leaf_hash(_leaf_from(subject, i, event, digest))
        except (KeyError, TypeError, ValueError) as e:
            mine = b""
            event = {**event, "_error": str(e)}
        if mine == hashes[i]:
            continue
        report.mismatches += 1
        if report.mismatches == 1:
            problem(i, event.get("notification_id"), _difference(part.leaves[i], event, digest))
    if report.mismatches and not report.problems:  # pragma: no cover - defensive
        problem(None, None, "事件与封存记录不符")

    # 4. the earlier checkpoint is a prefix of this one
    if previous is not None:
        try:
            old = verify_checkpoint(previous, vkey)
        except CheckpointError as e:
            problem(None, None, f"先前检查点签名或格式无效：{e}")
            return report
        if old.origin != checkpoint.origin:
            problem(None, None, f"先前检查点属于另一日志（{old.origin}）")
        elif old.size > checkpoint.size:
            problem(
                None, None, f"先前检查点（{old.size}）比当前（{checkpoint.size}）更长：日志被截断"
            )
        elif tree.root(old.size) != old.root:
            problem(
                None,
                None,
                f"当前日志的前 {old.size} 条与先前检查点不符：历史被改写",
            )
    return report


def _difference(sealed: dict[str, Any], event: dict[str, Any], digest: str) -> str:
    if "_error" in event:
        return f"事件记录格式错误：{event['_error']}"
    if int(event.get("notification_id", -1)) != int(sealed["notification_id"]):
        return (
            f"此处封存的是日志位置 {sealed['notification_id']} 的 {sealed['topic']}，"
            f"事件库中却是日志位置 {event.get('notification_id')} 的 {event.get('topic')}"
            "（事件被删除、插入或调换）"
        )
    moved = [
        f
        for f in ("originator_id", "originator_version", "topic")
        if str(event.get(f)) != str(sealed.get(f))
    ]
    if moved:
        return (
            f"此处封存的是 {sealed['topic']}（{sealed['originator_id']} 第 "
            f"{sealed['originator_version']} 版），事件库中却是 {event.get('topic')}（"
            f"{event.get('originator_id')} 第 {event.get('originator_version')} 版）"
            "（事件被删除、插入或调换）"
        )
    if digest != sealed["state_sha256"]:
        return (
            f"存储的事件字节被改动：{sealed['topic']} 的 SHA-256 应为 "
            f"{sealed['state_sha256'][:16]}…，现为 {digest[:16]}…"
        )
    return "事件的记录时间与封存时不符（recorded_at）"


def verify_bundle(
    bundle: Bundle, vkey: str, previous: str | None = None, *, progress: bool = True
) -> Report:
    total = sum(max(len(p.events), len(p.leaves)) for p in bundle.logs)
    bar = Progress("核验", total) if progress else Progress("核验", total, every=1e9)
    reports = [
        verify_log(part, vkey, previous if part.index == 0 else None, bar) for part in bundle.logs
    ]
    return Report(reports, bar.finish())


def read_text(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")
