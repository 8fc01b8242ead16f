"""The residents' names the masking rule must know (domain.masking): every name a resident
registered with, or that a grid worker wrote on a 微心愿卡, which occurs in a text shown
to the public or to a unit. Looked up by the text's own candidate names (runs of two to
four Chinese characters, and 维吾尔-style names with ·) against indexed columns, so the
cost follows the text, not the number of residents."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from domain.masking import mask_free_text
from projections.store import ReadStore, Tx

Mask = Callable[[str | None], str]

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_DOT_NAME = re.compile(r"[\u3400-\u9fff]{1,8}[·•・][\u3400-\u9fff]{1,8}")
SHORTEST, LONGEST = 2, 4
CHUNK = 400


def candidates(text: str) -> set[str]:
    found: set[str] = set(_DOT_NAME.findall(text))
    for run in _HAN_RUN.findall(text):
        for size in range(SHORTEST, LONGEST + 1):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def names_in(tx: Tx, text: str) -> list[str]:
    """Residents' names that occur in `text` (any county: a name is personal data
    wherever its resident lives)."""
    wanted = sorted(candidates(text))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
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
    {"content", "comment", "reason", "description", "note", "false_reason", "summary"}
)


def free_texts(value: object) -> list[str]:
    """Every free-text field's value in an answer (dicts and lists, any depth)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in FREE_TEXT_KEYS and isinstance(child, str):
                    found.append(child)
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def mask_free_texts(store: ReadStore, value: object) -> object:
    """The answer with every free-text field masked (in place; returned for chaining)."""
    mask = masker_for(store, free_texts(value))
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in FREE_TEXT_KEYS and isinstance(child, str):
                    item[key] = mask(child)
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return value
