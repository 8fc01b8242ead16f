"""What `replay draw-verify` prints: one line per check, a plan's verdict, the source's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

OK, FAIL, SKIP, INFO = "ok", "fail", "skip", "info"
SYMBOL = {OK: "✓", FAIL: "✗", SKIP: "–", INFO: "·"}
SHOWN = 5  # ids named in a detail line before "…"

CHECKS: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "events": ("方案事件按日志顺序完整读出", "the plan's events read from the log, in order"),
    "plan_hash": ("方案哈希 = 发布的方案文件的 SHA-256", "plan hash = SHA-256 of the document"),
    "population": (
        "从日志重建的检查对象名录与冻结的哈希一致",
        "population rebuilt from the log matches the frozen hash",
    ),
    "directory": (
        "冻结的检查对象名录库与重建结果逐项一致",
        "the frozen target directory equals the rebuilt one",
    ),
    "roster": (
        "从日志重建的检查人员名录与冻结的哈希一致",
        "roster rebuilt from the log matches the frozen hash",
    ),
    "seed_inputs": (
        "种子在冻结之后产生：承诺与揭示相符（或公开数值在冻结后才产生）",
        "seed made after the freezes: reveals open commitments (or a later public value)",
    ),
    "seed": (
        "种子可由三个哈希与揭示值重算",
        "seed recomputed from the three hashes and the contributions",
    ),
    "drawn_once": ("只抽取一次，且在种子齐全之后", "drawn exactly once, after the seed"),
    "sample": ("抽中对象、各层数量与签号可重算", "sample, sizes and tickets recomputed"),
    "alternates": ("备选对象及其顺序可重算", "alternates recomputed, in ticket order"),
    "assignments": (
        "检查人员分配与跳过记录可重算",
        "inspector assignments and skips recomputed",
    ),
    "sample_commitment": ("抽样承诺值可重算", "sample commitment recomputed"),
    "replacements": (
        "每次替换都取该层签号顺序中的下一备选",
        "each replacement is the next unused alternate in ticket order",
    ),
    "recusals": (
        "每次回避都由该对象签号顺序中下一名合格人员接替",
        "each recusal goes to the next eligible inspector in ticket order",
    ),
    "findings": ("检查结果均由当时被分配的人员记录", "every finding by an assigned inspector"),
    "deadline": (
        "公开期限与逾期工作日可重算",
        "disclosure deadline and late working days recomputed",
    ),
    "voided": ("抽查已作废（作废记录公开）", "the plan was voided (the void is public)"),
    "bundles": ("导出包签名与封存记录核验", "bundles verified against the key"),
}
PLAN_CHECKS = [k for k in CHECKS if k not in ("voided", "bundles")]


@dataclass
class Check:
    key: str
    status: str
    detail: str = ""
    zh: str = ""
    en: str = ""

    def __post_init__(self) -> None:
        zh, en = CHECKS[self.key]
        self.zh = self.zh or zh
        self.en = self.en or en

    def line(self) -> str:
        text = f"  {SYMBOL[self.status]} {self.zh} / {self.en}"
        if self.detail:
            text += "\n      " + self.detail.replace("\n", "\n      ")
        return text


def result(key: str, ok: bool | None, detail: str = "") -> Check:
    """A check's result: passed (True), failed (False) or nothing to check (None)."""
    return Check(key, SKIP if ok is None else OK if ok else FAIL, detail)


def judged(key: str, count: int, problems: Sequence[str], none: str) -> Check:
    """Steps of one kind judged one by one: skipped when there were none, failed with
    the problems, else passed with `none` ("2 次替换 / replacements")."""
    return result(key, not problems if count else None, "\n".join(problems) or none)


@dataclass
class PlanReport:
    plan_id: str
    title: str = ""
    county_id: str = ""
    item: str = ""
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.key for c in self.checks if c.status == FAIL]

    def check(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)

    def text(self) -> str:
        head = f"抽查方案 Plan {self.plan_id}"
        if self.title:
            head += f"  {self.title}"
        if self.item:
            head += f"（{self.item}）"
        lines = [head, *(c.line() for c in self.checks)]
        passed = sum(1 for c in self.checks if c.status == OK)
        if self.ok:
            lines.append(f"  结论：{passed} 项核对一致，无不符 / result: {passed} checks passed")
        else:
            names = ", ".join(self.failed)
            lines.append(
                f"  结论：{len(self.failed)} 项不符 / result: {len(self.failed)} FAILED ({names})"
            )
        lines.append(f"  用时 {self.seconds:.2f} 秒 / {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass
class Report:
    source: str
    plans: list[PlanReport] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)  # about the source (bundles)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.plans) and all(c.status != FAIL for c in self.checks)

    def text(self) -> str:
        lines = [f"数据来源 Source: {self.source}", *(c.line() for c in self.checks), ""]
        for plan in self.plans:
            lines += [plan.text(), ""]
        bad = sum(1 for p in self.plans if not p.ok)
        if self.ok:
            lines.append(
                f"全部 {len(self.plans)} 个方案核验通过 / all {len(self.plans)} plans verified"
            )
        else:
            lines.append(
                f"{bad} / {len(self.plans)} 个方案有不符项 / {bad} of {len(self.plans)} plans"
                " FAILED verification"
            )
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "seconds": round(self.seconds, 3),
            "checks": [asdict(c) for c in self.checks],
            "plans": [
                {
                    "plan_id": p.plan_id,
                    "title": p.title,
                    "county_id": p.county_id,
                    "item": p.item,
                    "ok": p.ok,
                    "failed": p.failed,
                    "seconds": round(p.seconds, 3),
                    "checks": [asdict(c) for c in p.checks],
                }
                for p in self.plans
            ],
        }


# ----------------------------------------------------------------- detail lines


def listed(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:SHOWN])
    return shown + (f" …（共 {len(items)} / {len(items)} in all）" if len(items) > SHOWN else "")


def at(positions: Iterable[int]) -> list[str]:
    return [f"#{n}" for n in positions]


def short(text: str) -> str:
    return text[:16] + "…" if len(text) > 16 else text


def diff(recorded: Mapping[str, Any], recomputed: Mapping[str, Any]) -> str:
    only_recorded = sorted(k for k in recorded if k not in recomputed)
    only_rebuilt = sorted(k for k in recomputed if k not in recorded)
    changed = sorted(k for k in recorded if k in recomputed and recorded[k] != recomputed[k])
    parts = []
    if only_recorded:
        parts.append("仅在记录中 / only recorded: " + listed(only_recorded))
    if only_rebuilt:
        parts.append("仅在重算中 / only recomputed: " + listed(only_rebuilt))
    if changed:
        parts.append("内容不同 / differ: " + listed(changed))
    return "; ".join(parts) or "顺序不同 / order differs"


def diff_strata(frozen: Mapping[str, list[str]], rebuilt: Mapping[str, list[str]]) -> str:
    a = {i: stratum for stratum, ids in frozen.items() for i in ids}
    b = {i: stratum for stratum, ids in rebuilt.items() for i in ids}
    parts = []
    if only := sorted(set(a) - set(b)):
        parts.append("仅在冻结名录中 / only in the frozen directory: " + listed(only))
    if only := sorted(set(b) - set(a)):
        parts.append("仅在重建中 / only in the rebuild: " + listed(only))
    if moved := sorted(i for i in set(a) & set(b) if a[i] != b[i]):
        parts.append(
            "所在层不同 / in another stratum: " + listed(f"{i} {a[i]}→{b[i]}" for i in moved)
        )
    return "; ".join(parts) or "顺序不同 / order differs"


def diff_rows(
    recorded: Mapping[str, list[list[str]]], recomputed: Mapping[str, list[list[str]]]
) -> str:
    parts = []
    for stratum in sorted(set(recorded) | set(recomputed)):
        a, b = recorded.get(stratum, []), recomputed.get(stratum, [])
        if a == b:
            continue
        ids_a, ids_b = [r[0] for r in a], [r[0] for r in b]
        extra = [i for i in ids_a if i not in set(ids_b)]
        missing = [i for i in ids_b if i not in set(ids_a)]
        detail = f"{stratum}: 记录 {len(a)} / recorded, 重算 {len(b)} / recomputed"
        if extra:
            detail += "; 多出 / not drawn: " + listed(extra)
        if missing:
            detail += "; 缺少 / missing: " + listed(missing)
        if not extra and not missing:
            detail += "; 签号或顺序不同 / tickets or order differ"
        parts.append(detail)
    return "\n".join(parts)


def first_difference(recorded: Sequence[Any], recomputed: Sequence[Any]) -> int:
    """The index of the first item that differs (or the shorter length)."""
    return next(
        (k for k, (a, b) in enumerate(zip(recorded, recomputed, strict=False)) if a != b),
        min(len(recorded), len(recomputed)),
    )
