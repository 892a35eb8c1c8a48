"""The Merkle tree of the event log, as RFC 9162 §2.1 (Certificate Transparency v2): pure functions.

Every stored event is a leaf: ``leaf = SHA-256(0x00 ‖ entry)``, ``node = SHA-256(0x01 ‖ left ‖ right)``.
The tree of ``n`` leaves is the RFC's ``MTH(D[n])``: split at the largest power of two below ``n``.

A node ``(level, index)`` is the perfect subtree over leaves ``[index·2^level, (index+1)·2^level)``. Every
subtree the RFC's proofs name is either such a perfect subtree or the right edge of a tree, whose hash folds
at most log₂ n perfect subtrees (``pieces``). The log stores the perfect subtrees of level ``K`` and above
as they complete (one row per 2^K events); a subtree below ``K`` is recomputed from its at most 2^K events
(``subtree``), which the events table holds anyway. A proof reads O(log² n) stored subtrees and at most a
few blocks of 2^K events; nothing is ever recomputed over the whole tree.

The RFC's recursive definitions (PATH, SUBPROOF) are written here as loops over ranges of leaves
(``inclusion_ranges``, ``consistency_ranges``); ``tests/unit/test_merkle.py`` checks them against a second
implementation written straight from the RFC's text, for every tree size 1..64.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # [start, end) of leaf indices
K = 4  # the lowest level of the stored subtrees: one row per 2^K events


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def event_id(originator_id: object, originator_version: int) -> str:
    """How the journal names an event: ``<aggregate uuid, dashed>/<version>``."""
    return f"{originator_id}/{originator_version}"


def entry(event: str, topic: str, state: bytes) -> bytes:
    """The bytes a leaf hashes: the event id, its topic and its stored state, exactly as stored."""
    return f"{event}\n{topic}\n".encode() + bytes(state)


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n ≥ 2): the RFC's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def pieces(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make the RFC subtree over ``[start, end)``, left to right (largest first).
    ``start`` is a multiple of the largest power of two ≤ ``end - start``, as for every subtree of the RFC."""
    out: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        assert start % (1 << level) == 0, (start, end)
        out.append((level, start >> level))
        start += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from its pieces' hashes (largest first): ``node(p0, node(p1, … p_last))``."""
    if not hashes:
        return EMPTY_ROOT
    h = hashes[-1]
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 §2.1.3.1 ``PATH(index, D[size])`` as ranges of leaves, in the proof's order."""
    if not 0 <= index < size:
        raise ValueError("index out of the tree")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_below(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """RFC 9162 §2.1.4.1 ``PROOF(first, D[second])`` as ranges of leaves, in the proof's order."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    path: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                path.append((start, end))
            break
        k = _largest_power_below(n)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
            m -= k
            whole = False
    return path[::-1]


def leaf_range(node: Node) -> Range:
    level, index = node
    return index << level, (index + 1) << level


def merge(ranges: Iterable[Range]) -> list[Range]:
    """The same leaves as ``ranges``, as few disjoint ranges as possible, in order."""
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def subtree(node: Node, leaves: dict[int, bytes]) -> bytes:
    """The hash of the perfect subtree ``node`` from its leaves' hashes (a KeyError when one is missing)."""
    start, end = leaf_range(node)
    level = [leaves[i] for i in range(start, end)]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def needed(ranges: Iterable[Range]) -> set[Node]:
    return {node for start, end in ranges for node in pieces(start, end)}


def resolve(ranges: Sequence[Range], stored: Callable[[set[Node]], dict[Node, bytes]]) -> list[bytes]:
    """The hashes of ``ranges``, reading the perfect subtrees they need in one call of ``stored``."""
    known = stored(needed(ranges))
    return [fold([known[node] for node in pieces(start, end)]) for start, end in ranges]


def append(frontier: list[tuple[int, int, bytes]], size: int, leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """The perfect subtrees completed by appending ``leaves`` to a tree of ``size`` leaves whose right edge
    is ``frontier`` (``pieces(0, size)`` with their hashes, largest first; updated in place), every level
    (level 0: the leaves themselves); the log stores those of level ``K`` and above."""
    new: list[tuple[int, int, bytes]] = []
    for h in leaves:
        level, index = 0, size
        new.append((0, index, h))
        while frontier and frontier[-1][0] == level:
            left = frontier.pop()
            h = node_hash(left[2], h)
            level, index = level + 1, index >> 1
            new.append((level, index, h))
        frontier.append((level, index, h))
        size += 1
    return new


def root_of(frontier: Sequence[tuple[int, int, bytes]]) -> bytes:
    return fold([h for _, _, h in frontier])


def checkpoint_text(tree_size: int, root_hex: str, signed_at: str) -> bytes:
    """What the server signs (the contract's checkpoint text)."""
    return f"cheque-ledger checkpoint\n{tree_size}\n{root_hex}\n{signed_at}\n".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
