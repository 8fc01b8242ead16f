"""The residents' names the masking rule must know (domain.masking): every name a resident
registered with, or that a grid worker wrote on a 微心愿卡, which occurs in a text shown
to the public or to a unit. Looked up by the text's own candidate names (runs of two to
eight Chinese characters, and names with a ·, such as 阿卜杜·热合曼) against indexed
columns, so the cost follows the text, not the number of residents."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from domain.actors import Role, split_ref
from domain.masking import mask_free_text, mask_name
from projections.store import ReadStore, Tx, chunks, rows_by_key

Mask = Callable[[str | None], str]

_HAN = "\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_DOTS = "·•・"
_NAMED_RUN = re.compile(f"[{_HAN}{_DOTS}]+")  # a run of Han characters, dots allowed
SHORTEST, LONGEST = 2, 8
CHUNK = 400


def candidates(text: str) -> set[str]:
    """Every stretch of two to eight Chinese characters in the text, and every stretch
    around a dot (up to eight characters each side): what a registered name could be."""
    found: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for size in range(SHORTEST, LONGEST + 1):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    for run in _NAMED_RUN.findall(text):
        for dot, ch in enumerate(run):
            if ch not in _DOTS:
                continue
            for left in range(1, LONGEST + 1):
                for right in range(1, LONGEST + 1):
                    if dot - left >= 0 and dot + right < len(run):
                        found.add(run[dot - left : dot + right + 1])
    return found


def names_in(tx: Tx, text: str) -> list[str]:
    """Residents' names that occur in `text` (any county: a name is personal data
    wherever its resident lives)."""
    found: set[str] = set()
    for chunk in chunks(sorted(candidates(text)), CHUNK):
        marks = ",".join("?" * len(chunk))
        rows = tx.execute(
            f"SELECT name FROM rm_residents WHERE name IN ({marks})"
            f" UNION SELECT requester_name FROM rm_orders WHERE requester_name IN ({marks})",
            [*chunk, *chunk],
        ).all()
        found.update(r["name"] for r in rows)
    return sorted(found)


def masker(tx: Tx, texts: Iterable[str | None]) -> Mask:
    """The masking rule for these texts, knowing the residents' names in them."""
    names = names_in(tx, "\n".join(t for t in texts if t))

    def mask(text: str | None) -> str:
        return mask_free_text(text or "", names)

    return mask


def masker_for(store: ReadStore, texts: Iterable[str | None]) -> Mask:
    with store.read() as tx:
        return masker(tx, list(texts))


# The free-text fields of the read models' answers: what a unit reads masked.
FREE_TEXT_KEYS = frozenset(
    {
        "content",
        "comment",
        "reason",
        "description",
        "note",
        "false_reason",
        "summary",
        "title",
        "place",
        "topic",
        "discussed",
        "body",  # a message's text (projections.outbox)
    }
)


def _fields(value: object) -> list[tuple[dict[str, Any], str]]:
    """(dict, key) of every free-text field in an answer (dicts and lists, any depth)."""
    found: list[tuple[dict[str, Any], str]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in FREE_TEXT_KEYS and isinstance(child, str):
                    found.append((item, key))
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def free_texts(value: object) -> list[str]:
    """Every free-text field's value in an answer."""
    return [holder[key] for holder, key in _fields(value)]


def mask_free_texts(store: ReadStore, value: object) -> object:
    """The answer with every free-text field masked (in place; returned for chaining)."""
    fields = _fields(value)
    mask = masker_for(store, [holder[key] for holder, key in fields])
    for holder, key in fields:
        holder[key] = mask(holder[key])
    return value


def names_of(
    tx: Tx, refs: Iterable[str], member_ids: Iterable[str] = ()
) -> tuple[dict[str, str], set[str]]:
    """The names of the members, residents and inspectors that events' `by` refs (and
    these member ids) point at, by id, and which of them are residents (whose names a
    reader may see masked: `masked_residents`)."""
    wanted: dict[Role | None, set[str]] = {Role.MEMBER: set(member_ids)}
    for ref in refs:
        role, subject = split_ref(ref)
        wanted.setdefault(role, set()).add(subject)
    residents = wanted.get(Role.RESIDENT, set())
    names: dict[str, str] = {}
    for table, column, ids in (
        ("rm_members", "member_id", wanted[Role.MEMBER]),
        ("rm_residents", "resident_id", residents),
        ("rm_insp_inspectors", "inspector_id", wanted.get(Role.INSPECTOR, set())),
    ):
        names.update((k, r["name"]) for k, r in rows_by_key(tx, table, column, "name", ids).items())
    return names, residents


def masked_residents(names: dict[str, str], residents: set[str]) -> dict[str, str]:
    """`names` with the residents' names masked (domain.masking.mask_name)."""
    return {k: mask_name(v) if k in residents else v for k, v in names.items()}
