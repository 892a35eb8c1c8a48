"""The Merkle log recomputed from the stored event rows, as ``cheque-ledger verify`` and ``audit verify`` do.

Each stored event, in notification order, gives its leaf (``ledger/merkle.py``); the leaf must be the one
sealed at that index in ``merkle_leaves``. The tree is rebuilt leaf by leaf (the right edge only: O(log n)
memory), its root taken at the sizes asked (the signed checkpoints'), and compared with the root the stored
subtrees give (what proofs are made of) and with every stored checkpoint, whose signature is checked too.
An edited event no longer gives its leaf; a deleted one shifts every later leaf and leaves a leaf without
its event; rewriting the Merkle tables as well cannot match a checkpoint signed before.
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


class MerkleCheck:
    def __init__(self, ledger: Any, sizes: Iterable[int] = ()) -> None:
        self.ledger = ledger
        self.frontier: list[tuple[int, int, bytes]] = []
        self.size = 0
        self.sizes = set(sizes)
        self.roots: dict[int, bytes] = {}
        self.differences: list[str] = []
        self._stored: dict[int, tuple[str, bytes]] = {}

    def _stored_leaf(self, index: int) -> tuple[str, bytes] | None:
        if index not in self._stored:
            with self.ledger.db.read() as cur:
                rows = cur.execute(
                    "SELECT idx, event_id, hash FROM merkle_leaves WHERE idx >= ? AND idx < ?", (index, index + PAGE)
                ).fetchall()
            self._stored = {int(r[0]): (r[1], bytes(r[2])) for r in rows}
        return self._stored.get(index)

    def feed(self, n: Any) -> None:
        """The next stored event (a notification or a stored row: id, originator, version, topic, state)."""
        eid = merkle.event_id(n.originator_id, n.originator_version)
        leaf = merkle.leaf_hash(merkle.entry(eid, n.topic, n.state))
        stored = self._stored_leaf(self.size)
        if stored is None:
            self.differences.append(f"event {eid} at position {n.id} has no leaf in the Merkle log (inserted?)")
        elif stored != (eid, leaf):
            what = "is another event's" if stored[0] != eid else "does not match the event (edited?)"
            self.differences.append(f"Merkle leaf {self.size} {what}: event {eid} at position {n.id}")
        merkle.append(self.frontier, self.size, [leaf])
        self.size += 1
        if self.size in self.sizes:
            self.roots[self.size] = merkle.root_of(self.frontier)

    def root(self) -> bytes:
        return merkle.root_of(self.frontier)

    def finish(self) -> list[str]:
        """The differences, once every event was fed: leaves left over, stored tree, stored checkpoints."""
        stored_size = self.ledger.audit.size()
        if stored_size > self.size:
            self.differences.append(
                f"the Merkle log has {stored_size} leaves for {self.size} stored events (events deleted?)"
            )
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
