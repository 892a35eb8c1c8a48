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


# Test vectors of the Go reference (github.com/transparency-dev/merkle, testonly/constants.go, Apache-2.0):
# RFC 6962/9162 hashing of eight leaf inputs, every complete subtree and the root of every size 0..8.
GO_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
GO_NODES = {
    (0, 0): "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    (0, 1): "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    (0, 2): "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    (0, 3): "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    (0, 4): "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    (0, 5): "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    (0, 6): "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    (0, 7): "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    (1, 0): "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    (1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    (1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    (1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    (2, 0): "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    (2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    (3, 0): "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
GO_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_go_reference_vectors() -> None:
    entries = [bytes.fromhex(x) for x in GO_LEAVES]
    assert {node: h.hex() for node, h in stored_tree(entries).items()} == GO_NODES
    for size, want in enumerate(GO_ROOTS):
        nodes = stored_tree(entries[:size]) if size else {}
        got = (
            merkle.resolve([(0, size)], lambda wanted, n=nodes: {x: n[x] for x in wanted})[0]
            if size
            else merkle.EMPTY_ROOT
        )
        assert got.hex() == want
        assert rfc.mth(entries[:size]).hex() == want
