"""The ``cs-sha256-v1`` draw (``replay.draw``): reference vectors and properties.

Reference vectors, all from github.com/ron-rivest/consistent_sampler (the decimal,
reversed-digit version of the sampler; the reference hashes ``str(seed)`` and ``str(id)``,
so ``seed=314159`` is ``"314159"`` here and ``range(100)`` is ``"0"`` … ``"99"``):

- ``code/consistent_sampler.py`` (commit 018c21225e27…): the docstring examples of
  ``sha256_hex``, ``sha256_uniform``, ``first_fraction``/``first_ticket``,
  ``make_ticket_heap`` and ``sampler`` (full 77/78-digit tickets and 9-digit ones);
- ``pkg/consistent_sampler/demo_consistent_sampler.py`` (commit 5da05fe3dfd3…): the
  module docstring, examples X1–X5 (sampling without replacement, seed 314159);
- ``test_consistent_sampler.py`` (commit 144577facb06…): the same X4/X5 with 12-digit
  tickets;
- ``USAGE_EXAMPLES.md`` (commit 0359230772f6…): examples 1–6, the first half of the
  "with or without replacement" example, and the stratified example (strata AB and CD of
  2000 and 1000 ids, every ticket below 0.01).

The examples with replacement (X6–X8, and the second half of that example) are left out:
``cs-sha256-v1`` draws without replacement. The two-line example in the README
(``['B-3', 'A-2', 'B-1', 'B-2']``) predates the decimal tickets (it was made with the
earlier hexadecimal ones) and is not reproduced by the current reference either.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from replay.draw import (
    ALGORITHM,
    DrawError,
    commitment,
    display,
    inspector_ticket,
    new_salt,
    opens,
    population_hash,
    ranked,
    sample,
    sample_size,
    seed_from,
    seed_hash,
    sha256_hex,
    sha256_uniform,
    stratified_sample,
    ticket,
    ticket_key,
)

SIX = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"]


def ids_of(drawn: list[tuple[str, str]]) -> list[str]:
    return [i for i, _ in drawn]


def shown(drawn: list[tuple[str, str]], digits: int = 9) -> list[tuple[str, str]]:
    """As the reference prints tickets: ``(trim(ticket, digits), id)``."""
    return [(display(t, digits), i) for i, t in drawn]


# ------------------------------------------------------- code/consistent_sampler.py


def test_reference_hash_helpers() -> None:
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_uniform("abc") == (
        "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"
    )


def test_reference_first_fraction() -> None:
    assert ticket("01382438112797316654", "AB-130") == (
        "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
    )


def test_reference_ticket_heap() -> None:
    """``make_ticket_heap(['dog', 'cat', 'fish', 'goat'], 'xy()134!g2n')``, in draw order."""
    assert ranked(["dog", "cat", "fish", "goat"], "xy()134!g2n") == [
        (
            "cat",
            "0.24866413894129579898796850445568128508290132707747976039848637531569373309555",
        ),
        (
            "dog",
            "0.33886035615681875183111698317327684455682722683976874746986356932751818935066",
        ),
        (
            "goat",
            "0.49599842072022713663423753308080171636735689997237236247068925068573448764387",
        ),
        (
            "fish",
            "0.74685932088827950509145941729789143204056041958068799542050396198792954500593",
        ),
    ]


def test_reference_sampler_docstring() -> None:
    drawn, _ = sample(["ab-1", "ab-2", "cd-1", "ef-3"], "314159", 4)
    assert shown(drawn) == [
        ("0.317685817", "cd-1"),
        ("0.832984519", "ef-3"),
        ("0.9098039269", "ab-1"),
        ("0.9231549043", "ab-2"),
    ]


def test_reference_trim() -> None:
    assert display("0.9991234567890", 4) == "0.9991234"


# ------------------------------------------------------- demo / test_consistent_sampler.py


def test_reference_x1_x2_x3() -> None:
    assert ids_of(ranked(SIX, "314159")) == ["B-2", "B-3", "A-3", "A-2", "B-1", "A-1"]
    selected, _ = sample(SIX, "314159", 3)
    assert ids_of(selected) == ["B-2", "B-3", "A-3"]
    assert ids_of(ranked(["B-1", "B-2", "B-3"], "314159")) == ["B-2", "B-3", "B-1"]


def test_reference_x4_x5() -> None:
    assert shown(ranked(SIX, "314159")) == [
        ("0.410310858", "B-2"),
        ("0.470960291", "B-3"),
        ("0.471438751", "A-3"),
        ("0.567089805", "A-2"),
        ("0.9781715679", "B-1"),
        ("0.9828515724", "A-1"),
    ]
    assert shown(ranked(SIX, "314159"), 12) == [
        ("0.410310858090", "B-2"),
        ("0.470960291255", "B-3"),
        ("0.471438751218", "A-3"),
        ("0.567089805977", "A-2"),
        ("0.9781715679015", "B-1"),
        ("0.9828515724237", "A-1"),
    ]
    assert shown(ranked(["B-1", "B-2", "B-3"], "314159"), 12) == [
        ("0.410310858090", "B-2"),
        ("0.470960291255", "B-3"),
        ("0.9781715679015", "B-1"),
    ]


# ------------------------------------------------------- USAGE_EXAMPLES.md


def test_usage_examples_1_2_3() -> None:
    assert ids_of(ranked(["a", "b", "c", "d"], "31")) == ["b", "a", "d", "c"]
    assert ids_of(ranked(["a", "b", "c", "d"], "77")) == ["b", "d", "c", "a"]
    # [1, 'two', ("III", 3.0), (1, 1, 1, 1)]: the reference hashes their str()
    mixed = ["1", "two", "('III', 3.0)", "(1, 1, 1, 1)"]
    assert ids_of(ranked(mixed, "7711")) == ["('III', 3.0)", "1", "two", "(1, 1, 1, 1)"]


def test_usage_examples_4_5_6_take_drop_alternates() -> None:
    hundred = [str(i) for i in range(100)]
    selected, alternates = sample(hundred, "41", 5, alternates=5)
    assert ids_of(selected) == ["73", "51", "17", "58", "38"]  # take=5
    assert ids_of(alternates) == ["42", "39", "20", "11", "67"]  # drop=5, take=5
    assert shown(selected) == [
        ("0.000508333", "73"),
        ("0.003446232", "51"),
        ("0.004419823", "17"),
        ("0.020115273", "58"),
        ("0.023482375", "38"),
    ]
    first_ten, _ = sample(hundred, "41", 10)
    assert first_ten == selected + alternates


def test_usage_example_without_replacement() -> None:
    assert shown(ranked(["a", "b", "c", "d", "e"], "52")) == [
        ("0.054468191", "d"),
        ("0.197384308", "b"),
        ("0.302883911", "e"),
        ("0.366142288", "a"),
        ("0.492683857", "c"),
    ]


STRATUM_AB = [
    ("0.000599853", "AB-135"),
    ("0.000666808", "AB-684"),
    ("0.000752515", "AB-1980"),
    ("0.001523540", "AB-687"),
    ("0.001822502", "AB-1382"),
    ("0.002270684", "AB-1207"),
    ("0.003334947", "AB-637"),
    ("0.003569863", "AB-1577"),
    ("0.003696717", "AB-1673"),
    ("0.003834922", "AB-293"),
    ("0.004818481", "AB-1258"),
    ("0.005368012", "AB-1324"),
    ("0.005842206", "AB-1883"),
    ("0.005945369", "AB-1103"),
    ("0.006079778", "AB-1791"),
    ("0.006084001", "AB-653"),
    ("0.006089639", "AB-1701"),
    ("0.006601161", "AB-538"),
    ("0.006705166", "AB-500"),
    ("0.006729792", "AB-1419"),
    ("0.007001501", "AB-556"),
    ("0.007239694", "AB-1326"),
    ("0.008197404", "AB-707"),
    ("0.009561740", "AB-895"),
]
STRATUM_CD = [
    ("0.002318508", "CD-871"),
    ("0.003315890", "CD-47"),
    ("0.003423249", "CD-446"),
    ("0.003526316", "CD-688"),
    ("0.003685382", "CD-954"),
    ("0.004961286", "CD-919"),
    ("0.006520711", "CD-485"),
    ("0.006541153", "CD-455"),
    ("0.008570259", "CD-272"),
]


def test_usage_example_stratified() -> None:
    """Strata of 2000 and 1000 ids, seed 314159: every ticket below 0.01, per stratum and
    over the union (the reference's own demonstration of the consistency property)."""
    lab = [f"AB-{i}" for i in range(2000)]
    lcd = [f"CD-{i}" for i in range(1000)]

    def below_one_percent(ids: list[str]) -> list[tuple[str, str]]:
        return [(i, t) for i, t in ranked(ids, "314159") if ticket_key(t) < Fraction(1, 100)]

    assert shown(below_one_percent(lab)) == STRATUM_AB
    assert shown(below_one_percent(lcd)) == STRATUM_CD
    assert shown(below_one_percent(lab + lcd)) == sorted(STRATUM_AB + STRATUM_CD)

    by_stratum = stratified_sample(
        {"AB": lab, "CD": lcd}, "314159", {"AB": 20, "CD": 9}, alternates={"AB": 4, "CD": 0}
    )
    ab_selected, ab_alternates = by_stratum["AB"]
    assert shown(ab_selected) == STRATUM_AB[:20]
    assert shown(ab_alternates) == STRATUM_AB[20:]
    assert shown(by_stratum["CD"][0]) == STRATUM_CD
    assert by_stratum["CD"][1] == []


# ------------------------------------------------------- exact encodings


def test_encodings_byte_for_byte() -> None:
    seed = "314159"
    s_hash = seed_hash(seed)
    assert s_hash == hashlib.sha256(b"314159").hexdigest()

    def reversed_decimal(data: bytes) -> str:
        return "0." + str(int.from_bytes(hashlib.sha256(data).digest(), "big")).zfill(64)[::-1]

    assert ticket(seed, "ORD:C1:7") == reversed_decimal(s_hash.encode() + b"ORD:C1:7")
    assert inspector_ticket(s_hash, "ORD:C1:7", "INS:3") == reversed_decimal(
        s_hash.encode() + b"INSP:ORD:C1:7:INS:3"
    )
    salt = "ab" * 32
    assert (
        commitment("组织部 witness", salt)
        == hashlib.sha256("组织部 witness".encode() + salt.encode()).hexdigest()
    )
    assert population_hash({"C2": ["ORD:C2:7"], "C1": ["ORD:C1:2", "ORD:C1:1"]}) == (
        hashlib.sha256(
            b'{"schema":"sishuang/draw-population/v1","strata":'
            b'{"C1":["ORD:C1:1","ORD:C1:2"],"C2":["ORD:C2:7"]}}'
        ).hexdigest()
    )
    p, q, r = "1" * 64, "2" * 64, "3" * 64
    assert (
        seed_from(p, q, r, ["leader", "witness"])
        == hashlib.sha256(
            b'{"algorithm":"cs-sha256-v1","contributions":["leader","witness"],'
            b'"plan":"' + p.encode() + b'","population":"' + q.encode() + b'",'
            b'"roster":"' + r.encode() + b'","schema":"sishuang/draw-seed/v1"}'
        ).hexdigest()
    )
    assert ALGORITHM == "cs-sha256-v1"


def test_ticket_string_order_is_numeric_order() -> None:
    tickets = [ticket("order", str(i)) for i in range(2000)]
    assert sorted(tickets) == sorted(tickets, key=ticket_key)
    assert all(64 <= len(t) - 2 <= 78 for t in tickets)
    assert all(Fraction(0) < ticket_key(t) < Fraction(1) for t in tickets)


# ------------------------------------------------------- sample size, commitments, refusals


def test_sample_size_exact() -> None:
    assert sample_size(0, Fraction(1, 10), 3) == 0
    assert sample_size(2, "0.05", 3) == 2  # never more than N
    assert sample_size(100, Decimal("0.05"), 3) == 5
    assert sample_size(101, Decimal("0.05"), 3) == 6  # ceil(5.05)
    assert sample_size(100, "0.01", 3) == 3  # at least m
    assert sample_size(30, Fraction(1, 10), 0) == 3  # 0.1 exactly: not ceil(3.0000000000000004)
    assert sample_size(30, "0.1", 0) == 3
    assert sample_size(7, 1, 0) == 7
    assert sample_size(100_000, "0.003", 20) == 300
    for bad in (0.1, Decimal("1.5"), "-0.1", "x", Decimal("NaN"), True):
        with pytest.raises(DrawError):
            sample_size(10, bad, 1)  # type: ignore[arg-type]
    with pytest.raises(DrawError):
        sample_size(-1, "0.1", 1)


def test_commitment_opens_only_its_contribution() -> None:
    salt = new_salt()
    c = commitment("2718281828", salt)
    assert opens(c, "2718281828", salt)
    assert not opens(c, "2718281829", salt)
    assert not opens(c, "2718281828", new_salt())
    # no other split of the same bytes: the salt has a fixed length
    assert not opens(c, "2718281828" + salt[:2], salt[2:])
    assert not opens(c, "271828182", "8" + salt[:-1])
    assert not opens("not a hash", "2718281828", salt)
    assert not opens(c.upper(), "2718281828", salt)
    with pytest.raises(DrawError):
        commitment("x", "short")
    with pytest.raises(DrawError):
        commitment("", salt)


def test_refusals() -> None:
    with pytest.raises(DrawError, match="duplicate"):
        sample(["a", "b", "a"], "s", 1)
    with pytest.raises(DrawError):
        sample(["a", ""], "s", 1)
    with pytest.raises(DrawError):
        sample(["a"], "s", -1)
    with pytest.raises(DrawError):
        sample("abc", "s", 1)
    with pytest.raises(DrawError):
        ticket("s", "\ud800")
    with pytest.raises(DrawError, match="two strata"):
        stratified_sample({"x": ["a"], "y": ["a"]}, "s", {"x": 1, "y": 1})
    with pytest.raises(DrawError, match="sizes"):
        stratified_sample({"x": ["a"]}, "s", {})
    with pytest.raises(DrawError, match="two strata"):
        population_hash({"x": ["a"], "y": ["a"]})
    with pytest.raises(DrawError):
        seed_from("1" * 64, "2" * 64, "3" * 64, [])
    with pytest.raises(DrawError):
        seed_from("1" * 63, "2" * 64, "3" * 64, ["a"])
    with pytest.raises(DrawError):
        inspector_ticket("not a hash", "t", "i")
    # a population smaller than the sample: all of it, as the reference's take
    assert ids_of(sample(["a", "b"], "s", 5, 3)[0]) == ids_of(ranked(["a", "b"], "s"))


# ------------------------------------------------------- properties

UNICODE = st.characters(codec="utf-8")  # any character but a lone surrogate
ID = st.one_of(
    st.builds(lambda c, k: f"ORD:C{c}:{k}", st.integers(0, 9), st.integers(0, 10**6)),
    st.text(UNICODE, min_size=1, max_size=12),
)
IDS = st.lists(ID, unique=True, max_size=40)
SEED = st.text(UNICODE, max_size=30)


@given(IDS, SEED, st.integers(0, 45), st.integers(0, 5), st.randoms(use_true_random=False))
def test_deterministic_and_order_free(
    ids: list[str], seed: str, n: int, extra: int, rnd: random.Random
) -> None:
    first = sample(ids, seed, n, extra)
    assert sample(ids, seed, n, extra) == first
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert sample(shuffled, seed, n, extra) == first
    selected, alternates = first
    assert len(selected) == min(n, len(ids))
    assert len(alternates) == min(extra, len(ids) - len(selected))
    everything = ranked(ids, seed)
    assert selected + alternates == everything[: len(selected) + len(alternates)]
    assert [ticket(seed, i) for i, _ in everything] == [t for _, t in everything]


@given(SEED, SEED, ID)
def test_changing_the_seed_changes_the_tickets(seed: str, other: str, target: str) -> None:
    if seed != other:
        assert ticket(seed, target) != ticket(other, target)
        a, b = seed_hash(seed), seed_hash(other)
        assert inspector_ticket(a, target, "I-1") != inspector_ticket(b, target, "I-1")


@given(SEED, ID, ID)
def test_changing_the_id_changes_the_ticket(seed: str, target: str, other: str) -> None:
    if target != other:
        assert ticket(seed, target) != ticket(seed, other)
        s_hash = seed_hash(seed)
        assert inspector_ticket(s_hash, target, "I-1") != inspector_ticket(s_hash, other, "I-1")
        assert inspector_ticket(s_hash, "T", target) != inspector_ticket(s_hash, "T", other)


@given(st.data(), IDS, IDS, SEED, st.integers(0, 20))
def test_consistency_when_the_population_grows(
    data: st.DataObject, base: list[str], added: list[str], seed: str, n: int
) -> None:
    """Adding ids never removes an id from the sample unless a lower ticket displaces it."""
    added = [i for i in added if i not in set(base)]
    before, _ = sample(base, seed, n)
    after, _ = sample(base + added, seed, n)
    kept = [d for d in after if d[0] in set(base)]
    assert kept == before[: len(kept)]  # the union's order, filtered, is the base order
    worst_after = max((t for _, t in after), default=None)
    for dropped in before[len(kept) :]:
        assert worst_after is not None and dropped[1] > worst_after
    # and the union's full order filtered to the base is the base's own order
    base_set = set(base)
    assert [d for d in ranked(base + added, seed) if d[0] in base_set] == ranked(base, seed)


@given(
    st.dictionaries(st.sampled_from(["C1", "C2", "C3", "C4"]), IDS, min_size=1),
    st.lists(ID, unique=True, max_size=30),
    SEED,
    st.integers(0, 10),
)
def test_adding_a_community_changes_no_other_sample(
    strata: dict[str, list[str]], new_ids: list[str], seed: str, n: int
) -> None:
    seen: set[str] = set()
    disjoint = {}
    for name, ids in strata.items():
        disjoint[name] = [i for i in ids if i not in seen]
        seen.update(disjoint[name])
    new_ids = [i for i in new_ids if i not in seen]
    sizes = dict.fromkeys(disjoint, n)
    before = stratified_sample(disjoint, seed, sizes, 2)
    after = stratified_sample({**disjoint, "NEW": new_ids}, seed, {**sizes, "NEW": n}, 2)
    assert {k: v for k, v in after.items() if k != "NEW"} == before
    fresh = "ORD:NEW:0"
    while fresh in seen or fresh in new_ids:
        fresh += "'"
    assert population_hash(disjoint) != population_hash({**disjoint, "NEW": [*new_ids, fresh]})


@given(
    st.dictionaries(st.sampled_from(["C1", "C2"]), IDS, min_size=1),
    st.randoms(use_true_random=False),
)
def test_population_hash_is_order_free_and_sensitive(
    strata: dict[str, list[str]], rnd: random.Random
) -> None:
    seen: set[str] = set()
    disjoint = {}
    for name, ids in strata.items():
        disjoint[name] = [i for i in ids if i not in seen]
        seen.update(disjoint[name])
    h = population_hash(disjoint)
    shuffled = {name: rnd.sample(ids, len(ids)) for name, ids in reversed(disjoint.items())}
    assert population_hash(shuffled) == h
    for name, ids in disjoint.items():
        if ids:
            changed = {**disjoint, name: [*ids[1:], ids[0] + "'"]}
            assert population_hash(changed) != h
            moved = {k: v for k, v in disjoint.items() if k != name}
            moved[name + "-moved"] = ids
            assert population_hash(moved) != h


@given(
    st.lists(st.text(UNICODE, min_size=1, max_size=8), min_size=1, max_size=3), st.integers(0, 3)
)
def test_seed_depends_on_every_input(contributions: list[str], which: int) -> None:
    hashes = ["a" * 64, "b" * 64, "c" * 64]
    base = seed_from(hashes[0], hashes[1], hashes[2], contributions)
    assert seed_from(hashes[0], hashes[1], hashes[2], list(contributions)) == base
    if which < 3:
        changed = list(hashes)
        changed[which] = "d" * 64
        assert seed_from(changed[0], changed[1], changed[2], contributions) != base
    else:
        changed_last = [*contributions[:-1], contributions[-1] + "!"]
        assert seed_from(hashes[0], hashes[1], hashes[2], changed_last) != base


# ------------------------------------------------------- fairness


def within_binomial(counts: Counter[str], keys: list[str], trials: int, p: float) -> None:
    sd = math.sqrt(trials * p * (1 - p))
    for key in keys:
        assert abs(counts[key] - trials * p) <= 5 * sd, (key, counts[key], trials * p, sd)


def test_fairness_over_many_seeds() -> None:
    """2000 seeds: each id is selected n/N of the time, each stratum on its own, and each
    inspector comes first for a target 1/k of the time, within 5 standard deviations."""
    trials = 2000
    population = [f"ORD:C1:{k}" for k in range(20)]
    small = [f"ORD:C2:{k}" for k in range(7)]
    inspectors = [f"INS:{k}" for k in range(10)]
    picked: Counter[str] = Counter()
    picked_small: Counter[str] = Counter()
    first_inspector: Counter[str] = Counter()
    for s in range(trials):
        seed = seed_from("1" * 64, "2" * 64, "3" * 64, [f"dice-{s}"])
        draw = stratified_sample({"C1": population, "C2": small}, seed, {"C1": 5, "C2": 2})
        assert len(draw["C1"][0]) == 5 and len(draw["C2"][0]) == 2
        picked.update(ids_of(draw["C1"][0]))
        picked_small.update(ids_of(draw["C2"][0]))
        s_hash = seed_hash(seed)
        best = min(inspectors, key=lambda i: inspector_ticket(s_hash, "ORD:C1:0", i))
        first_inspector[best] += 1
    within_binomial(picked, population, trials, 5 / 20)
    within_binomial(picked_small, small, trials, 2 / 7)
    within_binomial(first_inspector, inspectors, trials, 1 / 10)
