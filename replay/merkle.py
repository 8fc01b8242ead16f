"""RFC 6962 / RFC 9162 Merkle tree hashing, with the standard library only.

A community log is a Merkle tree over its leaves (canonical JSON envelopes, see
``replay.leaf``). The hashes, as RFC 6962 §2.1 and RFC 9162 §2.1.1 define them:

- leaf hash ``SHA-256(0x00 ‖ leaf)``
- node hash ``SHA-256(0x01 ‖ left ‖ right)``
- the root (MTH) of an empty tree is ``SHA-256("")``; of one leaf, its leaf hash; of
  ``n > 1`` leaves, ``node_hash(MTH(D[0:k]), MTH(D[k:n]))`` with ``k`` the largest power
  of two smaller than ``n``.

Everything here takes and returns *leaf hashes* (32 bytes each), never leaves.

- ``root``, ``inclusion_proof``, ``consistency_proof``: pure functions over a list of
  leaf hashes (each call costs O(n) hashing; for many proofs over one tree, build a
  ``MerkleTree`` once and ask it: O(log² n) hashing per proof after an O(n) build).
- ``verify_inclusion``, ``verify_consistency``: the RFC 9162 §2.1.3.2 and §2.1.4.2
  verification algorithms; they return ``False`` on any mismatch or malformed input.
- ``CompactRange``: the "frontier" of a log (one hash per set bit of its size), enough
  to append leaves one at a time and compute the root in O(log n) memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: SHA-256 of the empty string."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (for ``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(h: bytes, what: str) -> None:
    if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes")


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (RFC 6962 §2.1) of the tree with these leaf hashes."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    if not _all_hashes(level):  # most likely leaves given where their hashes belong
        raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes each")
    # Level by level, pairing neighbours and carrying a lone last node up unchanged:
    # the same tree as the RFC's recursive split at the largest power of two.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class MerkleTree:
    """An append-only tree over leaf hashes that keeps every complete aligned subtree.

    ``levels[h][i]`` is the hash of the perfect subtree over leaves
    ``[i·2^h, (i+1)·2^h)``. Any subtree the RFC 6962 recursion asks for is a perfect
    aligned one or a right edge made of at most log₂ n of them, so the root at any size
    and any proof cost O(log² n) hashing, after O(1) amortised work per appended leaf.
    Memory is about two hashes per leaf.

    Roots and proofs may be asked for any size up to the current one, so a tree built
    from today's leaves serves proofs for every earlier checkpoint too.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf_hash: bytes) -> None:
        _check_hash(leaf_hash, "a leaf hash")
        h = bytes(leaf_hash)
        level = 0
        self.levels[0].append(h)
        # A node at an odd index completes its parent.
        while len(self.levels[level]) % 2 == 0:
            row = self.levels[level]
            h = node_hash(row[-2], row[-1])
            level += 1
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(h)

    def leaf(self, index: int) -> bytes:
        return self.levels[0][index]

    def _subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]), where ``start`` is aligned to the subtree's split size."""
        n = end - start
        if n & (n - 1) == 0:  # a perfect subtree: stored
            height = n.bit_length() - 1
            return self.levels[height][start >> height]
        k = _split(n)
        return node_hash(self._subtree(start, start + k), self._subtree(start + k, end))

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= self.size:
            raise ValueError(f"tree size {size!r} is not between 0 and {self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree made of the first ``size`` leaves (default: all)."""
        size = self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def compact_range(self, size: int | None = None) -> CompactRange:
        """The frontier of the first ``size`` leaves (default: all)."""
        size = self._check_size(size)
        hashes: list[bytes] = []
        start = 0
        for height in reversed(range(size.bit_length())):
            if size >> height & 1:
                hashes.append(self.levels[height][start >> height])
                start += 1 << height
        return CompactRange(size, hashes)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, innermost sibling first."""
        size = self._check_size(size)
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
            raise ValueError(f"leaf index {index!r} is not in a tree of size {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._subtree(start + k, end))
                end = start + k
            else:
                path.append(self._subtree(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1.

        Empty when ``old_size`` is 0 or equal to ``new_size``: every tree extends the
        empty tree, and a tree extends itself.
        """
        new_size = self._check_size(new_size)
        if not isinstance(old_size, int) or isinstance(old_size, bool):
            raise ValueError(f"old tree size {old_size!r} is not an integer")
        if not 0 <= old_size <= new_size:
            raise ValueError(f"old tree size {old_size} is not between 0 and {new_size}")
        if old_size in (0, new_size):
            return []
        # SUBPROOF(m, D[start:end], b), unrolled; the hashes are collected leaf-side last.
        path: list[bytes] = []
        start, end, m, whole = 0, new_size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self._subtree(start + k, end))
                end = start + k
            else:
                path.append(self._subtree(start, start + k))
                start += k
                m -= k
                whole = False
        if not whole:
            path.append(self._subtree(start, end))
        path.reverse()
        return path


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of all ``leaf_hashes``."""
    return MerkleTree(leaf_hashes).inclusion_proof(index)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the tree of all ``leaf_hashes`` extends its first ``old_size``."""
    return MerkleTree(leaf_hashes).consistency_proof(old_size)


def _is_size(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _all_hashes(hashes: Iterable[object]) -> bool:
    return all(isinstance(h, bytes | bytearray) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` proves leaf ``index`` (with this hash) is in the tree of
    ``tree_size`` leaves with this ``root`` (RFC 9162 §2.1.3.2)."""
    if not (_is_size(index) and _is_size(tree_size) and index < tree_size):
        return False
    if not _all_hashes([leaf_hash, root, *proof]):
        return False
    fn, sn = index, tree_size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` proves the tree of ``new_size`` leaves with ``new_root`` extends
    the tree of ``old_size`` leaves with ``old_root`` (RFC 9162 §2.1.4.2).

    A tree of size 0 must have the empty root and is extended by every tree (empty
    proof); a tree extends itself when the roots are equal (empty proof).
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
        return False
    if not _all_hashes([old_root, new_root, *proof]):
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: its root is a node
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class CompactRange:
    """The frontier of a log: the roots of the perfect subtrees that make up its
    leaves ``[0, size)``, largest first, one per set bit of ``size``.

    Append leaf hashes one at a time and read the root at any moment in O(log n)
    memory and time. The state (``size`` and ``hashes``) is all a sealer needs to
    persist to carry on after a restart; ``CompactRange(size, hashes)`` restores it.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if not _is_size(size):
            raise ValueError(f"size {size!r} is not a non-negative integer")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a compact range of size {size} has {size.bit_count()} hashes, not {len(hashes)}"
            )
        for h in hashes:
            _check_hash(h, "a compact range hash")
        self._size = size
        self._hashes = [bytes(h) for h in hashes]

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        _check_hash(leaf_hash, "a leaf hash")
        h = bytes(leaf_hash)
        # Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
        size = self._size
        while size & 1:
            h = node_hash(self._hashes.pop(), h)
            size >>= 1
        self._hashes.append(h)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        r = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> CompactRange:
        return CompactRange(self._size, self._hashes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactRange):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    def __hash__(self) -> int:
        return hash((self._size, tuple(self._hashes)))

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"
