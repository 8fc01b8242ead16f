"""Verifiable random draws (两随机一公开): the ``cs-sha256-v1`` sampler and its seed.

Pure functions, standard library only (plus ``replay.canonical``), so that an auditor can
re-run a draw anywhere and get the same sample byte for byte.

The sampler: ``cs-sha256-v1``
=============================

Byte-compatible with Ronald L. Rivest's consistent sampler
(github.com/ron-rivest/consistent_sampler, ``consistent_sampler.py``: ``sha256_hex``,
``sha256_uniform``, ``first_fraction`` and ``sampler`` without replacement). Every id gets
a *ticket number*, a decimal fraction in (0, 1) written as a string, and the sample is the
ids with the lowest tickets:

1. ``seed_hash = sha256_hex(seed)``: SHA-256 of the UTF-8 bytes of the seed string, as 64
   lowercase hex digits.
2. ``digest = SHA-256(UTF-8(seed_hash + id))``: the 64 hex digits followed directly by the
   id, no separator (the reference's ``sha256_hex(seed) + str(id)``).
3. The digest is read as a big-endian unsigned integer, written in decimal zero-padded to
   at least 64 digits (``"{:064d}"``; a 256-bit value has up to 78 digits, so the string
   is 64 to 78 digits long), and the digits are *reversed* (the low-order digits of the
   conversion are the unbiased ones): ``ticket = "0." + reversed digits``.

   ``ticket("314159", "B-2") == "0.4103108580…"``.

4. Without replacement, ids are drawn in increasing order of ``(ticket, id)`` compared as
   strings: the order of the reference's ``Ticket`` named tuples in its heap. Because every
   ticket is ``"0."`` followed by digits, string order *is* numeric order (a string that
   is a prefix of another is also numerically no larger); two ids can only tie on a
   SHA-256 collision, and then the id breaks the tie as in the reference.

Seeds are strings here. The reference hashes ``str(seed)``, so its examples with
``seed=314159`` are ``seed="314159"``; the same goes for ids (``str(73) == "73"``).

The consistency property follows from 2: an id's ticket depends on the seed and that id
only. The sample of a stratum is its ``n`` lowest tickets, whatever else is in the draw,
and the order of a union of populations, filtered to one of them, is that population's
own order.

Other encodings (all hashes are SHA-256, written as 64 lowercase hex digits)
============================================================================

- ``inspector_ticket(seed_hash, target, inspector)``: the ticket (same reversed-decimal
  form) of ``UTF-8(seed_hash + "INSP:" + target + ":" + inspector)``, no other separator
  or padding. For a fixed target the input is injective in the inspector (same prefix), so
  an inspector ranking *per target* is collision-free; compare inspector tickets only
  within one target (ids may contain ``:``, so the same bytes can arise for another
  target-inspector split).
- ``commitment(contribution, salt)``: ``SHA-256(UTF-8(contribution) ‖ UTF-8(salt))`` where
  ``salt`` must be exactly 64 lowercase hex digits (32 random bytes, ``new_salt()``). The
  fixed-length salt at the end makes the split unique, so a commitment opens to one
  contribution only (with a free-length salt ``"ab" ‖ "c"`` and ``"a" ‖ "bc"`` would open
  the same commitment).
- ``population_hash(strata, excluded, relations)``: ``SHA-256(canonical({"schema":
  "sishuang/draw-population/v1", "strata": {stratum: sorted(ids)}, "excluded": {id: reason},
  "relations": {id: sorted(keys)}}))``, the last two members only when given; ``canonical``
  is RFC 8785 JSON (``replay.canonical``); each list sorted by code point (Python's
  ``sorted``, the same as UTF-8 byte order), member names in RFC 8785 order (UTF-16 code units).
- ``seed_from(plan, population, roster, contributions)``: ``SHA-256(canonical({"schema":
  "sishuang/draw-seed/v1", "algorithm": "cs-sha256-v1", "plan": plan_hash,
  "population": population_hash, "roster": roster_hash, "contributions":
  [contributions in the order given]}))``. The result (64 hex digits) is the ``seed`` of
  ``ticket``/``sample``; its own ``seed_hash(seed)`` is what ``inspector_ticket`` takes.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import math
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from replay.canonical import canonical

ALGORITHM = "cs-sha256-v1"
POPULATION_SCHEMA = "sishuang/draw-population/v1"
SEED_SCHEMA = "sishuang/draw-seed/v1"
INSPECTOR_TAG = "INSP:"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TICKET = re.compile(r"0\.[0-9]+")

Drawn = tuple[str, str]
"""One drawn id with its ticket: ``(id, ticket)``."""


class DrawError(ValueError):
    """Inputs a draw refuses: duplicate ids, a negative size, a malformed hash or salt."""


# ---------------------------------------------------------------------------- tickets


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text`` as 64 lowercase hex digits (``sha256_hex``)."""
    return hashlib.sha256(_utf8(text, "hash input")).hexdigest()


def seed_hash(seed: str) -> str:
    """The hash of the seed that every ticket of the draw is built on."""
    if not isinstance(seed, str):
        raise DrawError(f"the seed must be a string, not {type(seed).__name__}")
    return sha256_hex(seed)


def sha256_uniform(text: str) -> str:
    """The reference's ``sha256_uniform``: SHA-256 of ``text`` as a fraction ``"0.ddd…"``."""
    return _uniform(sha256_hex(text))


def _uniform(hex_digest: str) -> str:
    """A hex digest as ``"0."`` + its decimal digits (zero-padded to 64) reversed."""
    return "0." + f"{int(hex_digest, 16):064d}"[::-1]


def _ticket_from_hash(s_hash: str, target_id: str) -> str:
    return _uniform(hashlib.sha256(_utf8(s_hash + target_id, "id")).hexdigest())


def ticket(seed: str, target_id: str) -> str:
    """The ticket number of ``target_id`` under ``seed``: the reference's ``first_fraction``.

    A string ``"0.ddd…"`` of 64 to 78 decimal digits; smaller tickets are drawn first.
    """
    return _ticket_from_hash(seed_hash(seed), _check_id(target_id))


def ticket_key(ticket_number: str) -> Fraction:
    """The exact numeric value of a ticket, for sorting or thresholds (``< Fraction(1, 100)``).

    Sorting by the ticket strings themselves gives the same order (see the module notes);
    this key also works for tickets of different lengths, e.g. ones trimmed by ``display``.
    """
    if not isinstance(ticket_number, str) or not _TICKET.fullmatch(ticket_number):
        raise DrawError(f"not a ticket number ('0.' and decimal digits): {ticket_number!r}")
    digits = ticket_number[2:]
    return Fraction(int(digits), 10 ** len(digits))


def display(ticket_number: str, digits: int = 9) -> str:
    """The reference's ``trim``: ``digits`` digits after the leading run of 9s, truncated.

    ``display("0.9781715679015…") == "0.9781715679"``; the published examples show tickets
    this way (``digits=9``, the reference's default).
    """
    if not isinstance(ticket_number, str) or not _TICKET.fullmatch(ticket_number):
        raise DrawError(f"not a ticket number ('0.' and decimal digits): {ticket_number!r}")
    if digits < 0:
        raise DrawError(f"digits must be non-negative, not {digits}")
    padded = ticket_number + "0"
    first_non_9 = next(i for i in range(2, len(padded)) if padded[i] < "9")
    return ticket_number[: first_non_9 + digits]


# ---------------------------------------------------------------------------- sampling


def ranked(ids: Iterable[str], seed: str) -> list[Drawn]:
    """Every id with its ticket, in draw order: the reference's full ``sampler`` output.

    The order does not depend on the order of ``ids``. Duplicate ids are refused, as the
    reference refuses them.
    """
    id_list = _distinct(ids)
    s_hash = seed_hash(seed)
    tickets = sorted((_ticket_from_hash(s_hash, i), i) for i in id_list)
    return [(i, t) for t, i in tickets]


def sample(
    ids: Iterable[str], seed: str, n: int, alternates: int = 0
) -> tuple[list[Drawn], list[Drawn]]:
    """Draw ``n`` ids without replacement, and the next ``alternates`` in ticket order.

    Returns ``(selected, alternates)``, each a list of ``(id, ticket)`` in increasing
    ticket order: the selected ids are the reference's ``sampler(ids, seed, take=n)``, the
    alternates its ``sampler(ids, seed, drop=n, take=alternates)``. Like the reference's
    ``take``, ``n`` and ``alternates`` are upper bounds: a population smaller than
    ``n + alternates`` yields all of it. Deterministic, and independent of the order of
    ``ids``.
    """
    n = _count(n, "n")
    alternates = _count(alternates, "alternates")
    id_list = _distinct(ids)
    s_hash = seed_hash(seed)
    lowest = heapq.nsmallest(n + alternates, ((_ticket_from_hash(s_hash, i), i) for i in id_list))
    drawn = [(i, t) for t, i in lowest]
    return drawn[:n], drawn[n:]


def stratified_sample(
    strata: Mapping[str, Sequence[str]],
    seed: str,
    sizes: Mapping[str, int],
    alternates: int | Mapping[str, int] = 0,
) -> dict[str, tuple[list[Drawn], list[Drawn]]]:
    """``sample`` per stratum, all with the same seed: ``{stratum: (selected, alternates)}``.

    Since a ticket depends only on the seed and the id, a stratum's sample does not depend
    on the other strata (adding or removing a community changes no other community's
    sample), and merging the strata's draw orders gives the draw order of their union.
    ``sizes`` (and ``alternates`` if a mapping) must name exactly the strata; the strata
    must be disjoint (a population is a partition).
    """
    if set(sizes) != set(strata):
        raise DrawError(
            f"sizes must name exactly the strata: missing {sorted(set(strata) - set(sizes))},"
            f" unknown {sorted(set(sizes) - set(strata))}"
        )
    if isinstance(alternates, Mapping):
        if set(alternates) != set(strata):
            raise DrawError(
                "alternates must name exactly the strata: missing "
                f"{sorted(set(strata) - set(alternates))},"
                f" unknown {sorted(set(alternates) - set(strata))}"
            )
        extra = dict(alternates)
    else:
        extra = dict.fromkeys(strata, alternates)
    _disjoint(strata)
    return {name: sample(ids, seed, sizes[name], extra[name]) for name, ids in strata.items()}


def sample_size(population: int, ratio: Fraction | Decimal | int | str, minimum: int) -> int:
    """``min(N, max(m, ceil(r·N)))`` in exact arithmetic.

    ``ratio`` is a ``Fraction``, ``Decimal``, ``int`` or a decimal/fraction string
    (``"0.05"``, ``"1/20"``), in [0, 1]; floats are refused (``0.1`` is not 1/10 in binary
    and ``ceil`` would show it).
    """
    population = _count(population, "N")
    minimum = _count(minimum, "m")
    if isinstance(ratio, bool | float | complex):
        raise DrawError(f"the ratio must be exact (Fraction, Decimal, int, str), not {ratio!r}")
    try:
        r = Fraction(ratio)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError) as e:
        raise DrawError(f"not an exact ratio: {ratio!r}") from e
    if not 0 <= r <= 1:
        raise DrawError(f"the ratio must be within [0, 1], not {ratio!r}")
    return min(population, max(minimum, math.ceil(r * population)))


# ---------------------------------------------------------------------------- inspectors


def inspector_ticket(seed_hash_hex: str, target_id: str, inspector_id: str) -> str:
    """The ticket of ``inspector_id`` for ``target_id``: lowest tickets inspect first.

    ``"0." + reversed decimal digits`` of ``SHA-256(UTF-8(seed_hash + "INSP:" + target +
    ":" + inspector))``, the same form as ``ticket``. ``seed_hash_hex`` is
    ``seed_hash(seed)``. Compare these tickets only among the inspectors of one target.
    """
    _check_hex(seed_hash_hex, "seed hash")
    text = seed_hash_hex + INSPECTOR_TAG + _check_id(target_id) + ":" + _check_id(inspector_id)
    return _uniform(hashlib.sha256(_utf8(text, "id")).hexdigest())


# ---------------------------------------------------------------------------- the seed


def new_salt() -> str:
    """A fresh salt for ``commitment``: 32 random bytes as 64 lowercase hex digits."""
    return secrets.token_hex(32)


def commitment(contribution: str, salt: str) -> str:
    """``SHA-256(UTF-8(contribution) ‖ UTF-8(salt))``, salt exactly 64 lowercase hex digits."""
    _check_hex(salt, "salt")
    if not isinstance(contribution, str) or not contribution:
        raise DrawError("a contribution must be a non-empty string")
    return hashlib.sha256(_utf8(contribution, "contribution") + salt.encode("ascii")).hexdigest()


def opens(commitment_hex: str, contribution: str, salt: str) -> bool:
    """Whether ``(contribution, salt)`` opens ``commitment_hex``; malformed input opens nothing."""
    try:
        _check_hex(commitment_hex, "commitment")
        expected = commitment(contribution, salt)
    except DrawError:
        return False
    return hmac.compare_digest(expected, commitment_hex)


def seed_from(
    plan_hash: str, population_hash: str, roster_hash: str, contributions: Sequence[str]
) -> str:
    """The draw's seed: SHA-256 of the canonical JSON of the frozen hashes and contributions.

    ``contributions`` in the order given (the order the plan names the parties or the
    public value); at least one, each a non-empty string.
    """
    for name, value in (
        ("plan hash", plan_hash),
        ("population hash", population_hash),
        ("roster hash", roster_hash),
    ):
        _check_hex(value, name)
    if isinstance(contributions, str):
        raise DrawError("contributions must be a list of strings, not one string")
    values = list(contributions)
    if not values:
        raise DrawError("a seed needs at least one contribution")
    for value in values:
        if not isinstance(value, str) or not value:
            raise DrawError(f"a contribution must be a non-empty string, not {value!r}")
    document = {
        "schema": SEED_SCHEMA,
        "algorithm": ALGORITHM,
        "plan": plan_hash,
        "population": population_hash,
        "roster": roster_hash,
        "contributions": values,
    }
    return hashlib.sha256(canonical(document)).hexdigest()


def population_hash(
    strata: Mapping[str, Iterable[str]],
    excluded: Mapping[str, str] | None = None,
    relations: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """SHA-256 of the canonical JSON of the strata, each list of ids sorted.

    The order ids or strata are given in does not matter; duplicates and an id in two
    strata are refused. With ``excluded`` (id -> reason it is not eligible) and
    ``relations`` (id -> the keys an inspector must not share), the document also has
    members ``"excluded"`` and ``"relations"`` (each relation list sorted), so the hash
    covers the eligibility and the conflict relation too.
    """
    lists: dict[str, list[str]] = {}
    for name, ids in strata.items():
        if not isinstance(name, str):
            raise DrawError(f"a stratum name must be a string, not {name!r}")
        lists[name] = sorted(_distinct(ids))
    _disjoint(lists)
    document: dict[str, object] = {"schema": POPULATION_SCHEMA, "strata": lists}
    if excluded is not None or relations is not None:
        document["excluded"] = {_check_id(k): str(v) for k, v in (excluded or {}).items()}
        document["relations"] = {
            _check_id(k): sorted(str(x) for x in v) for k, v in (relations or {}).items()
        }
    return hashlib.sha256(canonical(document)).hexdigest()


# ---------------------------------------------------------------------------- checks


def _utf8(text: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise DrawError(f"{what} is not valid Unicode (lone surrogate at {e.start})") from None


def _check_id(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise DrawError(f"an id must be a non-empty string, not {value!r}")
    return value


def _check_hex(value: object, what: str) -> None:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise DrawError(f"the {what} must be 64 lowercase hex digits, not {value!r}")


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DrawError(f"{what} must be a non-negative integer, not {value!r}")
    return value


def _distinct(ids: Iterable[str]) -> list[str]:
    if isinstance(ids, str):
        raise DrawError("ids must be a collection of strings, not one string")
    id_list = [_check_id(i) for i in ids]
    if len(set(id_list)) != len(id_list):
        dupes = sorted(i for i, k in Counter(id_list).items() if k > 1)
        raise DrawError(f"duplicate ids: {dupes[:10]}")
    return id_list


def _disjoint(strata: Mapping[str, Iterable[str]]) -> None:
    owner: dict[str, str] = {}
    for name, ids in strata.items():
        for i in ids:
            if i in owner and owner[i] != name:
                raise DrawError(f"id {i!r} is in two strata: {owner[i]!r} and {name!r}")
            owner[i] = name
