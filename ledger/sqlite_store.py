"""The SQLite event store: the library's, with each transaction's events sealed into the Merkle log.

``insert_events`` runs in one SQLite transaction; ``_insert_events`` inserts the rows, then seals their
leaves with the same cursor and the rowids the insert gave (``ledger/merkle_store.py``), so events and
leaves commit together. The SQLite write lock (taken by the first insert) keeps the leaves in the events' order across processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.merkle_store import SQLITE_SCHEMA, Sealer, stored_entries


class MerkleSQLiteRecorder(SQLiteApplicationRecorder):
    sealer = Sealer(postgres=False)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SQLITE_SCHEMA]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None  # the rowids, in the events' order
        self.sealer.seal(c, stored_entries(stored_events), ids)
        return ids
