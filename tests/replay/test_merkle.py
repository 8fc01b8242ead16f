"""RFC 6962 / RFC 9162 Merkle trees: reference vectors and properties.

The vectors are the certificate-transparency reference test data as kept in
github.com/transparency-dev/merkle (proof/verify_test.go for the eight leaves, their
roots and the inclusion and consistency proofs; rfc6962/rfc6962_test.go for the
hasher; proof/proof_test.go for which nodes make up a proof).
"""

from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from replay.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def h(hex_digest: str) -> bytes:
    raw = bytes.fromhex(hex_digest)
    assert len(raw) == 32
    return raw


LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
LEAF_HASHES = [leaf_hash(leaf) for leaf in LEAVES]

# ROOTS[n - 1] is the root of the tree of the first n leaves.
ROOTS = [
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# (leaf index, tree size, proof); the Go source numbers leaves from 1.
INCLUSION_PROOFS = [
    (0, 1, []),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

# (old size, new size, proof)
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def reference_root(hashes: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it, as an independent check."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(reference_root(hashes[:k]), reference_root(hashes[k:]))


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8 % len(out)] ^= 1 << (bit % 8)
    return bytes(out)


# ------------------------------------------------------------ reference vectors


def test_hasher_reference_values() -> None:
    assert h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == EMPTY_ROOT
    assert leaf_hash(b"") == h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert leaf_hash(b"L123456") == h(
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456") == h(
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_empty_tree_root() -> None:
    assert root([]) == EMPTY_ROOT
    assert MerkleTree().root() == EMPTY_ROOT
    assert CompactRange().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots(size: int) -> None:
    assert root(LEAF_HASHES[:size]) == ROOTS[size - 1]
    assert MerkleTree(LEAF_HASHES).root(size) == ROOTS[size - 1]
    frontier = CompactRange()
    frontier.extend(LEAF_HASHES[:size])
    assert frontier.root() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
def test_reference_inclusion_proofs(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(LEAF_HASHES[:size], index) == proof
    assert MerkleTree(LEAF_HASHES).inclusion_proof(index, size) == proof
    assert verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size - 1])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
def test_reference_inclusion_proofs_refuse_corruption(
    index: int, size: int, proof: list[bytes]
) -> None:
    """The probes of transparency-dev/merkle's corruptInclusionProof."""
    leaf, good_root = LEAF_HASHES[index], ROOTS[size - 1]
    probes = [
        (leaf, index - 1, size, proof, good_root),
        (leaf, index + 1, size, proof, good_root),
        (leaf, index ^ 2, size, proof, good_root),
        (leaf, index, size * 2, proof, good_root),
        (leaf, index, size // 2, proof, good_root),
        (leaf_hash(b"WrongLeaf"), index, size, proof, good_root),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], good_root),
        (leaf, index, size, [*proof, good_root], good_root),
        (leaf, index, size, [b"", *proof], good_root),
        (leaf, index, size, [good_root, *proof], good_root),
    ]
    for i in range(len(proof)):
        probes.append(
            (leaf, index, size, [*proof[:i], flip(proof[i], 3), *proof[i + 1 :]], good_root)
        )
    if proof:
        probes.append((leaf, index, size, proof[:-1], good_root))
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], good_root))
    for probe in probes:
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
def test_reference_consistency_proofs(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(LEAF_HASHES[:new], old) == proof
    assert MerkleTree(LEAF_HASHES).consistency_proof(old, new) == proof
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize(("old", "new", "proof"), [c for c in CONSISTENCY_PROOFS if c[2]])
def test_reference_consistency_proofs_refuse_corruption(
    old: int, new: int, proof: list[bytes]
) -> None:
    """The probes of transparency-dev/merkle's corruptConsistencyProof."""
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    wrong = hashlib.sha256(b"WrongRoot").digest()
    probes = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, wrong, r2, proof),
        (old, new, r1, wrong, proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        probes.append((old, new, r1, r2, [*proof[:i], flip(proof[i], 4), *proof[i + 1 :]]))
    for probe in probes:
        assert not verify_consistency(*probe), probe


def test_consistency_edge_cases() -> None:
    """transparency-dev/merkle's TestVerifyConsistency table, with one deliberate
    difference: a size-0 tree must have the empty root (the reference accepts any)."""
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    assert not verify_consistency(0, 5, SOME_HASH, ROOTS[4], [])
    assert verify_consistency(1, 1, ROOTS[0], ROOTS[0], [])
    assert not verify_consistency(1, 1, ROOTS[0], ROOTS[1], [])
    assert not verify_consistency(1, 0, ROOTS[0], EMPTY_ROOT, [])  # time travel
    assert not verify_consistency(2, 1, ROOTS[1], ROOTS[0], [])
    assert not verify_consistency(1, 2, ROOTS[0], ROOTS[1], [])  # empty proof
    # roots match but the proof is not empty
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(0, 1, EMPTY_ROOT, ROOTS[0], [EMPTY_ROOT])
    assert not verify_consistency(1, 1, ROOTS[0], ROOTS[0], [EMPTY_ROOT])


def test_inclusion_edge_cases() -> None:
    single = leaf_hash(b"data")
    assert verify_inclusion(single, 0, 1, [], single)
    assert not verify_inclusion(single, 0, 1, [], b"")
    assert not verify_inclusion(b"", 0, 1, [], single)
    for index, size in [(0, 0), (1, 0), (1, 1), (2, 1), (-1, 1)]:
        assert not verify_inclusion(single, index, size, [], single)
    assert not verify_inclusion(SOME_HASH, 0, 0, [], EMPTY_ROOT)


# Which nodes make up a proof (transparency-dev/merkle proof/proof_test.go, the cases
# with no rehashed node): (level, index) pairs, innermost first.
NODE_INCLUSION = [
    (2, 0, [(0, 1)]),
    (2, 1, [(0, 0)]),
    (3, 1, [(0, 0), (0, 2)]),
    (7, 4, [(0, 5), (0, 6), (2, 0)]),
    (7, 5, [(0, 4), (0, 6), (2, 0)]),
    (7, 6, [(1, 2), (2, 0)]),
    (4, 2, [(0, 3), (1, 0)]),
    (5, 3, [(0, 2), (1, 0), (0, 4)]),
    (6, 3, [(0, 2), (1, 0), (1, 2)]),
    (6, 4, [(0, 5), (2, 0)]),
]
NODE_CONSISTENCY = [
    (1, 2, [(0, 1)]),
    (1, 4, [(0, 1), (1, 1)]),
    (1, 6, [(0, 1), (1, 1), (1, 2)]),
    (2, 3, [(0, 2)]),
    (2, 8, [(1, 1), (2, 1)]),
    (5, 7, [(0, 4), (0, 5), (0, 6), (2, 0)]),
    (6, 7, [(1, 2), (0, 6), (2, 0)]),
    (7, 8, [(0, 6), (0, 7), (1, 2), (2, 0)]),
    (2, 4, [(1, 1)]),
    (3, 5, [(0, 2), (0, 3), (1, 0), (0, 4)]),
    (3, 6, [(0, 2), (0, 3), (1, 0), (1, 2)]),
    (4, 6, [(1, 2)]),
]


def test_proofs_are_made_of_the_reference_nodes() -> None:
    tree = MerkleTree(LEAF_HASHES)

    def nodes(ids: list[tuple[int, int]]) -> list[bytes]:
        return [tree.levels[level][index] for level, index in ids]

    for size, index, ids in NODE_INCLUSION:
        assert tree.inclusion_proof(index, size) == nodes(ids), (size, index)
    for old, new, ids in NODE_CONSISTENCY:
        assert tree.consistency_proof(old, new) == nodes(ids), (old, new)


def test_bad_proof_requests_raise() -> None:
    tree = MerkleTree(LEAF_HASHES)
    for index, size in [(0, 0), (1, 0), (2, 1), (8, 7), (-1, 3)]:
        with pytest.raises(ValueError):
            tree.inclusion_proof(index, size)
    for old, new in [(5, 0), (9, 8), (-1, 3)]:
        with pytest.raises(ValueError):
            tree.consistency_proof(old, new)
    with pytest.raises(ValueError):
        tree.root(9)
    with pytest.raises(ValueError):
        tree.append(b"short")
    with pytest.raises(ValueError):
        CompactRange(3, [SOME_HASH])


# ------------------------------------------------------------ properties

leaf_lists = st.lists(st.binary(max_size=8), max_size=70).map(
    lambda leaves: [leaf_hash(leaf) for leaf in leaves]
)


@given(leaf_lists)
def test_root_matches_the_rfc_definition(hashes: list[bytes]) -> None:
    expected = reference_root(hashes)
    assert root(hashes) == expected
    assert MerkleTree(hashes).root() == expected


@given(leaf_lists)
def test_frontier_root_equals_root_at_every_size(hashes: list[bytes]) -> None:
    frontier = CompactRange()
    tree = MerkleTree()
    for i, lh in enumerate(hashes):
        frontier.append(lh)
        tree.append(lh)
        assert frontier.size == i + 1
        assert len(frontier.hashes) == (i + 1).bit_count()
        assert frontier.root() == root(hashes[: i + 1])
        assert tree.compact_range() == frontier
    # the persisted state (size, hashes) restores the same frontier
    restored = CompactRange(frontier.size, frontier.hashes)
    assert restored == frontier and restored.root() == frontier.root()


@given(leaf_lists.filter(bool))
def test_every_inclusion_proof_verifies(hashes: list[bytes]) -> None:
    tree = MerkleTree(hashes)
    top = tree.root()
    for index in range(len(hashes)):
        proof = tree.inclusion_proof(index)
        assert verify_inclusion(hashes[index], index, len(hashes), proof, top)


@given(leaf_lists.filter(bool), st.data())
def test_inclusion_proofs_in_earlier_trees(hashes: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(hashes)
    size = data.draw(st.integers(1, len(hashes)))
    index = data.draw(st.integers(0, size - 1))
    proof = tree.inclusion_proof(index, size)
    assert proof == inclusion_proof(hashes[:size], index)
    assert verify_inclusion(hashes[index], index, size, proof, root(hashes[:size]))


@given(leaf_lists, st.data())
def test_every_consistency_proof_verifies(hashes: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(hashes)
    new = data.draw(st.integers(0, len(hashes)))
    old = data.draw(st.integers(0, new))
    proof = tree.consistency_proof(old, new)
    assert proof == consistency_proof(hashes[:new], old)
    assert verify_consistency(old, new, tree.root(old), tree.root(new), proof)


@given(st.integers(2, 40))
def test_all_consistency_pairs_of_a_tree(n: int) -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(n)]
    tree = MerkleTree(hashes)
    for new in range(n + 1):
        for old in range(new + 1):
            proof = tree.consistency_proof(old, new)
            assert verify_consistency(old, new, tree.root(old), tree.root(new), proof)


@given(leaf_lists.filter(lambda hs: len(hs) >= 2), st.data())
def test_a_flipped_bit_breaks_an_inclusion_proof(hashes: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(hashes)
    index = data.draw(st.integers(0, len(hashes) - 1))
    proof = tree.inclusion_proof(index)
    top = tree.root()
    bit = data.draw(st.integers(0, 255))
    element = data.draw(st.integers(0, len(proof) - 1))
    bad_proof = [*proof[:element], flip(proof[element], bit), *proof[element + 1 :]]
    assert not verify_inclusion(hashes[index], index, len(hashes), bad_proof, top)
    assert not verify_inclusion(hashes[index], index, len(hashes), proof, flip(top, bit))
    assert not verify_inclusion(flip(hashes[index], bit), index, len(hashes), proof, top)


@given(leaf_lists.filter(lambda hs: len(hs) >= 2), st.data())
def test_a_flipped_bit_breaks_a_consistency_proof(hashes: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(hashes)
    new = data.draw(st.integers(2, len(hashes)))
    old = data.draw(st.integers(1, new - 1))
    proof = tree.consistency_proof(old, new)
    r1, r2 = tree.root(old), tree.root(new)
    bit = data.draw(st.integers(0, 255))
    element = data.draw(st.integers(0, len(proof) - 1))
    bad_proof = [*proof[:element], flip(proof[element], bit), *proof[element + 1 :]]
    assert not verify_consistency(old, new, r1, r2, bad_proof)
    assert not verify_consistency(old, new, flip(r1, bit), r2, proof)
    assert not verify_consistency(old, new, r1, flip(r2, bit), proof)


@given(leaf_lists.filter(lambda hs: len(hs) >= 2), st.data())
def test_a_changed_leaf_changes_every_later_root(hashes: list[bytes], data: st.DataObject) -> None:
    """Tampering with any leaf is caught by every checkpoint that covers it."""
    index = data.draw(st.integers(0, len(hashes) - 1))
    tampered = [*hashes[:index], leaf_hash(b"forged" + hashes[index]), *hashes[index + 1 :]]
    good, bad = MerkleTree(hashes), MerkleTree(tampered)
    for size in range(index + 1, len(hashes) + 1):
        assert good.root(size) != bad.root(size)
    for size in range(index + 1):
        assert good.root(size) == bad.root(size)


# ------------------------------------------------------------ scale


def test_fifty_thousand_leaves_is_fast() -> None:
    n = 50_003
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    started = time.perf_counter()
    tree = MerkleTree(hashes)
    top = tree.root()
    for index in range(0, n, 97):
        assert verify_inclusion(hashes[index], index, n, tree.inclusion_proof(index), top)
    for old in range(1, n, 4999):
        proof = tree.consistency_proof(old)
        assert verify_consistency(old, n, tree.root(old), top, proof)
    elapsed = time.perf_counter() - started
    frontier = CompactRange()
    frontier.extend(hashes)
    assert frontier.root() == top == root(hashes)
    assert elapsed < 5, f"{elapsed:.2f}s for a 50k-leaf tree and 600 proofs"


def test_leaves_given_for_leaf_hashes_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        root(LEAVES)
    with pytest.raises(ValueError, match="32 bytes"):
        inclusion_proof(LEAVES, 0)
