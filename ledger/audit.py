"""Reads of the Merkle log and signed checkpoints (tree heads): what ``/v1/audit/…`` answers.

Every read is one database snapshot. A proof reads the perfect subtrees it needs in one statement and the
few events below the stored levels in one more (``ledger/merkle_tree.py``), so its cost grows as log² n,
never with the whole tree.

A checkpoint is signed on demand, when the tree grew since the last one (``checkpoint``), and stored:
``GET /v1/audit/checkpoint`` and ``cheque-ledger audit checkpoint`` (run daily by the operator's timer)
both sign one; asking again while nothing was written returns the stored one.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain import errors
from ledger import merkle
from ledger.database import Cursor, Database
from ledger.merkle_tree import TreeReader
from ledger.types import audit as t

MAX_ENTRIES = 1000


def public_key_of(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class AuditLog:
    def __init__(
        self, db: Database, seed: Callable[[], bytes], now: Callable[[], float], events_table: str = "stored_events"
    ) -> None:
        self.db = db
        self.events_table = events_table
        self._seed = seed  # read when first needed: a ledger that never signs needs no key
        self._now = now

    # -- the tree -------------------------------------------------------------------------------
    def tree(self, cur: Cursor) -> TreeReader:
        return TreeReader(cur, self.db.postgres, self.events_table)

    def _size(self, cur: Cursor) -> int:
        return self.tree(cur).size()

    def _hashes(self, cur: Cursor, ranges: Sequence[merkle.Range]) -> list[bytes]:
        return self.tree(cur).hashes(ranges)

    def _root(self, cur: Cursor, size: int) -> bytes:
        return self._hashes(cur, [(0, size)])[0] if size else merkle.EMPTY_ROOT

    def size(self) -> int:
        with self.db.read() as cur:
            return self._size(cur)

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        with self.db.read() as cur:
            size = self._size(cur) if size is None else size
            return size, self._root(cur, size)

    def entries(self, start: int, end: int) -> t.AuditEntries:
        if end - start > MAX_ENTRIES or end < start:
            raise errors.ValidationError(
                "Au plus 1 000 entrées à la fois, et start ≤ end.", fields=[("end", "Intervalle invalide.")]
            )
        with self.db.read() as cur:
            leaves = self.tree(cur).leaves([(start, end)]) if end > start else {}
        return t.AuditEntries(
            items=[t.AuditEntry(index=i, event_id=eid, leaf_hash=h.hex()) for i, (eid, h) in sorted(leaves.items())]
        )

    def indices(self, event_ids: Sequence[str]) -> dict[str, int]:
        """The leaf index of each event id (those in the log)."""
        with self.db.read() as cur:
            return self.tree(cur).indices(event_ids)

    def _check_size(self, cur: Cursor, size: int, field: str) -> None:
        if size > self._size(cur):
            raise errors.ValidationError(
                "La taille demandée dépasse celle du registre.", fields=[(field, "Plus grande que l'arbre actuel.")]
            )

    def inclusion(self, index: int, tree_size: int) -> t.InclusionProof:
        if not 0 <= index < tree_size:
            raise errors.ValidationError(
                "index doit être inférieur à tree_size.", fields=[("index", "Hors de l'arbre.")]
            )
        with self.db.read() as cur:
            self._check_size(cur, tree_size, "tree_size")
            ranges = merkle.inclusion_ranges(index, tree_size)
            hashes = self._hashes(cur, [(index, index + 1), *ranges])
        return t.InclusionProof(
            index=index, tree_size=tree_size, leaf_hash=hashes[0].hex(), path=[h.hex() for h in hashes[1:]]
        )

    def inclusions(self, indices: Sequence[int], tree_size: int) -> list[t.InclusionProof]:
        """Many inclusion proofs in one snapshot and one read."""
        with self.db.read() as cur:
            self._check_size(cur, tree_size, "tree_size")
            plans = [[(i, i + 1), *merkle.inclusion_ranges(i, tree_size)] for i in indices]
            flat = self._hashes(cur, [r for plan in plans for r in plan])
        out, at = [], 0
        for i, plan in zip(indices, plans, strict=True):
            hashes = flat[at : at + len(plan)]
            at += len(plan)
            out.append(
                t.InclusionProof(
                    index=i, tree_size=tree_size, leaf_hash=hashes[0].hex(), path=[h.hex() for h in hashes[1:]]
                )
            )
        return out

    def consistency(self, first: int, second: int) -> t.ConsistencyProof:
        if not 0 < first <= second:
            raise errors.ValidationError("Il faut 0 < first ≤ second.", fields=[("first", "Hors de l'intervalle.")])
        with self.db.read() as cur:
            self._check_size(cur, second, "second")
            hashes = self._hashes(cur, merkle.consistency_ranges(first, second))
        return t.ConsistencyProof(first=first, second=second, path=[h.hex() for h in hashes])

    # -- checkpoints ----------------------------------------------------------------------------
    def public_key(self) -> str:
        return merkle.b64(public_key_of(self._seed()))

    def latest_checkpoint(self) -> t.Checkpoint | None:
        with self.db.read() as cur:
            row = cur.execute(
                "SELECT tree_size, root_hash, signed_at, signature FROM merkle_checkpoints"
                " ORDER BY tree_size DESC LIMIT 1"
            ).fetchone()
        return self._checkpoint(row) if row else None

    def _checkpoint(self, row: tuple[Any, ...]) -> t.Checkpoint:
        return t.Checkpoint(
            tree_size=int(row[0]), root_hash=row[1], signed_at=row[2], signature=row[3], public_key=self.public_key()
        )

    def checkpoint(self) -> t.Checkpoint:
        """The latest signed checkpoint, signing a new one first if the tree grew since."""
        latest = self.latest_checkpoint()
        size, root = self.root()
        if latest is not None and latest.tree_size >= size:
            return latest
        signed_at = datetime.fromtimestamp(self._now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = merkle.checkpoint_text(size, root.hex(), signed_at)
        signature = base64.b64encode(Ed25519PrivateKey.from_private_bytes(self._seed()).sign(text)).decode()
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO merkle_checkpoints (tree_size, root_hash, signed_at, signature) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (tree_size) DO NOTHING",
                (size, root.hex(), signed_at, signature),
            )
            row = cur.execute(
                "SELECT tree_size, root_hash, signed_at, signature FROM merkle_checkpoints WHERE tree_size = ?", (size,)
            ).fetchone()
        assert row is not None
        return self._checkpoint(row)
