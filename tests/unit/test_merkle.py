"""The Merkle tree's pure functions (ledger/merkle.py) against the RFC 9162 reference (tests/merkle_rfc.py),
for every tree size 1..64, every index (inclusion) and every pair of sizes (consistency); and the funders'
standalone verifier (RFC §2.1.3.2, §2.1.4.2) accepts every such proof and refuses altered ones."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import merkle
from tests import merkle_rfc as rfc

ENTRIES = [f"entry {i}".encode() for i in range(64)]
V = rfc.verifier()


def stored_tree(entries: list[bytes], batches: list[int] | None = None) -> dict[merkle.Node, bytes]:
    """Every perfect subtree, as ``merkle.append`` completes them (in batches of the given sizes)."""
    nodes: dict[merkle.Node, bytes] = {}
    frontier: list[tuple[int, int, bytes]] = []
    size, at = 0, 0
    for n in batches or [1] * len(entries):
        leaves = [merkle.leaf_hash(e) for e in entries[at : at + n]]
        for level, i, h in merkle.append(frontier, size, leaves):
            assert (level, i) not in nodes
            nodes[(level, i)] = h
        size += len(leaves)
        at += n
    return nodes


NODES = stored_tree(ENTRIES)


def lookup(wanted: set[merkle.Node]) -> dict[merkle.Node, bytes]:
    return {node: NODES[node] for node in wanted}


def test_hashing_is_rfc_9162() -> None:
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 65))
def test_root_inclusion_and_consistency_match_the_rfc(size: int) -> None:
    d = ENTRIES[:size]
    root = merkle.resolve([(0, size)], lookup)[0]
    assert root == rfc.mth(d)
    for index in range(size):
        leaf, *path = merkle.resolve([(index, index + 1), *merkle.inclusion_ranges(index, size)], lookup)
        assert path == rfc.path(index, d)
        assert V.verify_inclusion(index, size, leaf, path, root)
    for first in range(1, size + 1):
        proof = merkle.resolve(merkle.consistency_ranges(first, size), lookup)
        assert proof == rfc.proof(first, d)
        assert V.verify_consistency(first, size, proof, rfc.mth(d[:first]), root)


def test_the_verifier_refuses_altered_proofs() -> None:
    d = ENTRIES[:13]
    root = rfc.mth(d)
    leaf = merkle.leaf_hash(d[5])
    path = rfc.path(5, d)
    assert V.verify_inclusion(5, 13, leaf, path, root)
    assert not V.verify_inclusion(6, 13, leaf, path, root)  # another index
    assert not V.verify_inclusion(5, 8, leaf, path, root)  # another size (another shape of path)
    assert not V.verify_inclusion(5, 13, merkle.leaf_hash(b"edited"), path, root)
    assert not V.verify_inclusion(5, 13, leaf, path[:-1], root)
    assert not V.verify_inclusion(5, 13, leaf, [*path, root], root)
    proof = rfc.proof(6, d)
    first_root = rfc.mth(d[:6])
    assert V.verify_consistency(6, 13, proof, first_root, root)
    assert not V.verify_consistency(6, 13, proof, rfc.mth([b"other", *d[1:6]]), root)  # history rewritten
    assert not V.verify_consistency(6, 13, proof[:-1], first_root, root)
    assert not V.verify_consistency(7, 13, proof, first_root, root)


@given(st.lists(st.integers(1, 9), min_size=1, max_size=12))
def test_appending_in_batches_stores_the_same_tree(batches: list[int]) -> None:
    """A transaction seals any number of events: the subtrees do not depend on how events were grouped."""
    total = sum(batches)
    assert stored_tree(ENTRIES[:total] if total <= 64 else [b"%d" % i for i in range(total)], batches) == stored_tree(
        ENTRIES[:total] if total <= 64 else [b"%d" % i for i in range(total)]
    )


def test_a_proof_reads_few_subtrees_at_two_million_leaves() -> None:
    """O(log n) ranges, each folding at most log n stored subtrees."""
    n = 2_000_000
    for index in (0, 1_234_567, n - 1):
        ranges = merkle.inclusion_ranges(index, n)
        assert len(ranges) <= 21
        assert len(merkle.needed(ranges)) <= 21 * 21
    assert len(merkle.needed(merkle.consistency_ranges(1_999_999, n))) <= 21 * 21
