"""The Merkle log recomputed from the stored event rows, as ``cheque-ledger verify`` and ``audit verify`` do.

Each stored event, in notification order, gives its leaf (``ledger/merkle.py``). The tree is rebuilt leaf by
leaf (the right edge only: O(log n) memory), and compared with everything the log stores: every subtree of
``merkle_nodes`` (each one computed is looked up as it completes; one stored but never computed is an
extra), the right edge (``merkle_frontier``), and the runs mapping leaves to events (``merkle_runs``, against
the runs the notification ids give). Its root is taken at the sizes asked (the signed checkpoints') and
compared with the root the stored tree gives (what proofs are made of) and with every stored checkpoint,
whose signature is checked too. An edited event changes its subtree of level K and every one above; a
deleted one shifts the runs; rewriting the Merkle tables as well cannot match a checkpoint signed before.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import merkle
from projections.runner import read_notifications

PAGE = 1000
SAID = 10  # differences of one kind told one by one; beyond, counted


class MerkleCheck:
    def __init__(self, ledger: Any, sizes: Iterable[int] = ()) -> None:
        self.ledger = ledger
        self.frontier: list[tuple[int, int, bytes]] = []
        self.size = 0
        self.sizes = set(sizes)
        self.roots: dict[int, bytes] = {}
        self.differences: list[str] = []
        self.runs: list[list[int]] = []  # [first leaf, first notification id, count], from the events
        self.block: list[int] = []  # the notification ids of the leaves of the current subtree of level K
        self.nodes = 0  # subtrees of level >= K computed
        self.bad_nodes = 0
        self._pages: dict[int, tuple[int, dict[int, bytes]]] = {}  # level: (first idx, stored hashes)

    def _stored_node(self, level: int, index: int) -> bytes | None:
        first, page = self._pages.get(level, (-PAGE, {}))
        if not first <= index < first + PAGE:
            with self.ledger.db.read() as cur:
                rows = cur.execute(
                    "SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ?",
                    (level, index, index + PAGE),
                ).fetchall()
            first, page = index, {int(i): bytes(h) for i, h in rows}
            self._pages[level] = (first, page)
        return page.get(index)

    def _check_node(self, level: int, index: int, computed: bytes) -> None:
        self.nodes += 1
        stored = self._stored_node(level, index)
        if stored == computed:
            return
        self.bad_nodes += 1
        if self.bad_nodes <= SAID:
            start, end = merkle.leaf_range((level, index))
            where = (
                f"positions {self.block[0]}..{self.block[-1]}" if level == merkle.K else f"leaves {start}..{end - 1}"
            )
            what = "is missing" if stored is None else f"does not match the events at {where} (edited?)"
            self.differences.append(f"Merkle subtree ({level}, {index}) {what}")

    def feed(self, n: Any) -> None:
        """The next stored event (a notification or a stored row: id, originator, version, topic, state)."""
        eid = merkle.event_id(n.originator_id, n.originator_version)
        leaf = merkle.leaf_hash(merkle.entry(eid, n.topic, n.state))
        if self.size % (1 << merkle.K) == 0:
            self.block = []
        self.block.append(n.id)
        for level, index, h in merkle.append(self.frontier, self.size, [leaf]):
            if level >= merkle.K:
                self._check_node(level, index, h)
        if self.runs and self.runs[-1][1] + self.runs[-1][2] == n.id:
            self.runs[-1][2] += 1
        else:
            self.runs.append([self.size, n.id, 1])
        self.size += 1
        if self.size in self.sizes:
            self.roots[self.size] = merkle.root_of(self.frontier)

    def runs_as_tuples(self) -> list[tuple[int, int, int]]:
        return [(a, b, c) for a, b, c in self.runs]

    def root(self) -> bytes:
        return merkle.root_of(self.frontier)

    def finish(self) -> list[str]:
        """The differences, once every event was fed: runs, subtrees left over, right edge, stored tree,
        stored checkpoints."""
        if self.bad_nodes > SAID:
            self.differences.append(f"… {self.bad_nodes} Merkle subtrees differ from the events in all")
        with self.ledger.db.read() as cur:
            tree = self.ledger.audit.tree(cur)
            stored_runs, edge = tree.runs(), tree.frontier()
            row = cur.execute("SELECT COUNT(*) FROM merkle_nodes").fetchone()
        stored_size = stored_runs[-1][0] + stored_runs[-1][2] if stored_runs else 0
        if stored_size > self.size:
            self.differences.append(
                f"the Merkle log has {stored_size} leaves for {self.size} stored events (events deleted?)"
            )
        elif stored_size < self.size:
            self.differences.append(
                f"{self.size - stored_size} stored events have no leaf in the Merkle log (inserted?)"
            )
        wrong = first_difference(merge_runs(stored_runs), self.runs_as_tuples())
        if wrong is not None:
            leaf, stored, actual = wrong
            self.differences.append(
                f"the Merkle log's runs map leaf {leaf} to position {stored}, the events put position {actual}"
                " there (deleted, inserted or runs edited?)"
            )
        extra = int(row[0]) if row else 0
        if extra > self.nodes:
            self.differences.append(f"the Merkle log stores {extra - self.nodes} subtrees the events do not give")
        computed = {level: (index, h) for level, index, h in self.frontier}
        bad = [lv for lv in edge.keys() | computed.keys() if edge.get(lv) != computed.get(lv, (0, None))[1]]
        if bad:
            ranges = [merkle.leaf_range((lv, computed[lv][0])) for lv in bad if lv in computed]
            where = ""
            if ranges:
                first = _position(self.runs_as_tuples(), min(a for a, _ in ranges))
                last = _position(self.runs_as_tuples(), max(b for _, b in ranges) - 1)
                where = f" at positions {first}..{last}"
            self.differences.append(f"the Merkle log's right edge does not match the events{where} (edited?)")
        try:
            _, stored_root = self.ledger.audit.root(self.size)
        except LookupError as e:
            self.differences.append(str(e))
        else:
            if stored_root != self.root():
                self.differences.append("the Merkle log's stored subtrees do not give the events' root (edited?)")
        self.differences += self.check_checkpoints()
        return self.differences

    def check_checkpoints(self) -> list[str]:
        out: list[str] = []
        with self.ledger.db.read() as cur:
            rows = cur.execute("SELECT tree_size, root_hash, signed_at, signature FROM merkle_checkpoints").fetchall()
        if not rows:
            return out
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.ledger.audit.public_key()))
        for size, root, signed_at, signature in rows:
            size = int(size)
            try:
                key.verify(base64.b64decode(signature), merkle.checkpoint_text(size, root, signed_at))
            except (InvalidSignature, ValueError):
                out.append(f"checkpoint of {size} leaves: signature invalid for this server's key")
            if size > self.size:
                out.append(f"checkpoint of {size} leaves: only {self.size} events are stored (events deleted?)")
                continue
            want = self.roots.get(size) if size else merkle.EMPTY_ROOT
            if want is not None and want != bytes.fromhex(root):
                out.append(f"checkpoint of {size} leaves: the events give another root (history rewritten?)")
        return out

    def wants(self, sizes: Iterable[int]) -> None:
        self.sizes.update(sizes)


def merge_runs(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``runs`` with each run that continues the previous one (leaves and notification ids) joined to it."""
    out: list[tuple[int, int, int]] = []
    for leaf, nid, count in runs:
        if out and out[-1][0] + out[-1][2] == leaf and out[-1][1] + out[-1][2] == nid:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + count)
        else:
            out.append((leaf, nid, count))
    return out


def _position(runs: list[tuple[int, int, int]], leaf: int) -> int | None:
    for first_leaf, first_notification, count in runs:
        if first_leaf <= leaf < first_leaf + count:
            return first_notification + leaf - first_leaf
    return None


def first_difference(
    stored: list[tuple[int, int, int]], computed: list[tuple[int, int, int]]
) -> tuple[int, int | None, int | None] | None:
    """The first leaf the two lists of runs map to different positions: (leaf, stored's, computed's)."""
    if stored == computed:
        return None
    for leaf in sorted({x for a, _, c in stored + computed for x in (a, a + c)}):
        here = _position(stored, leaf), _position(computed, leaf)
        if here[0] != here[1]:
            return leaf, here[0], here[1]
    return None


def checkpoint_sizes(ledger: Any) -> list[int]:
    with ledger.db.read() as cur:
        return [int(r[0]) for r in cur.execute("SELECT tree_size FROM merkle_checkpoints").fetchall()]


def recompute(ledger: Any, sizes: Iterable[int] = ()) -> MerkleCheck:
    """The tree rebuilt from every stored event (``finish`` not yet called)."""
    tree = MerkleCheck(ledger, sizes)
    position = 0
    while True:
        rows = read_notifications(ledger.app.recorder, position + 1, PAGE)
        if not rows:
            return tree
        for n in rows:
            tree.feed(n)
            position = n.id
