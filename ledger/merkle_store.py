"""The Merkle log's tables, and sealing events into it inside the transaction that stores them.

``merkle_leaves`` holds one row per stored event (its index in the tree, its event id, its leaf hash);
``merkle_nodes`` every completed perfect subtree above the leaves (``ledger/merkle.py``). Both event stores
(``ledger/pg_store.py``, ``ledger/sqlite_store.py``) call ``seal`` with the cursor of the transaction that
inserts the events, after the insert, while they hold the event table's write lock: a leaf exists exactly
when its event does, in the same order, and nothing can be edited between storing and sealing.

Appending reads the tree's right edge (at most log₂ n rows, one statement), and writes the new leaves and
the subtrees they complete (about two rows an event): O(log n) for a transaction, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ledger import merkle
from ledger.merkle import Node

SQLITE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS merkle_leaves (idx INTEGER PRIMARY KEY, event_id TEXT NOT NULL, hash BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS merkle_leaves_event ON merkle_leaves (event_id)",
    "CREATE TABLE IF NOT EXISTS merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS merkle_checkpoints (tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL,"
    " signed_at TEXT NOT NULL, signature TEXT NOT NULL)",
]
POSTGRES_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS merkle_leaves (idx BIGINT PRIMARY KEY, event_id TEXT NOT NULL, hash BYTEA NOT NULL)",
    "CREATE INDEX IF NOT EXISTS merkle_leaves_event ON merkle_leaves (event_id)",
    "CREATE TABLE IF NOT EXISTS merkle_nodes (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS merkle_checkpoints (tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL,"
    " signed_at TEXT NOT NULL, signature TEXT NOT NULL)",
]
SIZE_SQL = "SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_leaves"


def _values(row: Any) -> tuple:
    """A row as a tuple, from a psycopg dict row or a sqlite3 row."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def nodes_sql(nodes: Iterable[Node]) -> tuple[str, list[int]]:
    """One statement reading ``(level, idx, hash)`` of the given perfect subtrees (``?`` placeholders)."""
    leaves = sorted(i for level, i in nodes if level == 0)
    inner = sorted((level, i) for level, i in nodes if level > 0)
    parts, params = [], []
    if leaves:
        parts.append(f"SELECT 0, idx, hash FROM merkle_leaves WHERE idx IN ({', '.join('?' * len(leaves))})")
        params.extend(leaves)
    if inner:
        where = " OR ".join("(level = ? AND idx = ?)" for _ in inner)
        parts.append(f"SELECT level, idx, hash FROM merkle_nodes WHERE {where}")
        params.extend(x for node in inner for x in node)
    return " UNION ALL ".join(parts), params


def read_nodes(execute: Any, nodes: set[Node]) -> dict[Node, bytes]:
    """The stored hashes of ``nodes``; ``execute(sql, params)`` returns rows. A missing one is an error."""
    if not nodes:
        return {}
    sql, params = nodes_sql(nodes)
    found = {(int(r[0]), int(r[1])): bytes(r[2]) for r in map(_values, execute(sql, params))}
    missing = nodes - found.keys()
    if missing:
        raise LookupError(f"Merkle log incomplete: {len(missing)} subtree(s) missing")
    return found


class Sealer:
    """Appends leaves with the raw cursor of an event store's write transaction."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def _run(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        cur.execute(sql, tuple(params))
        return list(cur.fetchall())

    def seal(self, cur: Any, events: Sequence[tuple[str, bytes]]) -> None:
        """Appends one leaf per ``(event_id, entry)``, in order."""
        if not events:
            return
        size = int(_values(self._run(cur, SIZE_SQL)[0])[0])
        edge = merkle.pieces(0, size)
        known = read_nodes(lambda sql, params: self._run(cur, sql, params), set(edge))
        frontier = [(level, i, known[(level, i)]) for level, i in edge]
        new = merkle.append(frontier, size, [merkle.leaf_hash(e) for _, e in events])
        leaves = [(i, events[i - size][0], h) for level, i, h in new if level == 0]
        inner = [(level, i, h) for level, i, h in new if level > 0]
        self._insert(cur, leaves, inner)

    def _insert(self, cur: Any, leaves: list[tuple[int, str, bytes]], inner: list[tuple[int, int, bytes]]) -> None:
        if self.postgres:
            # Binary arrays: psycopg would escape each bytea as text in Python otherwise (ledger/pg_store.py).
            cur.execute(
                "INSERT INTO merkle_leaves (idx, event_id, hash)"
                " SELECT * FROM unnest(%b::bigint[], %b::text[], %b::bytea[])",
                ([r[0] for r in leaves], [r[1] for r in leaves], [r[2] for r in leaves]),
            )
            if inner:
                cur.execute(
                    "INSERT INTO merkle_nodes (level, idx, hash)"
                    " SELECT * FROM unnest(%b::smallint[], %b::bigint[], %b::bytea[])",
                    ([r[0] for r in inner], [r[1] for r in inner], [r[2] for r in inner]),
                )
            return
        cur.executemany("INSERT INTO merkle_leaves (idx, event_id, hash) VALUES (?, ?, ?)", leaves)
        if inner:
            cur.executemany("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", inner)


def stored_entries(stored_events: Sequence[Any]) -> list[tuple[str, bytes]]:
    """``(event_id, entry)`` of each ``StoredEvent`` about to be inserted."""
    out = []
    for s in stored_events:
        eid = merkle.event_id(s.originator_id, s.originator_version)
        out.append((eid, merkle.entry(eid, s.topic, s.state)))
    return out


def backfill(db: Any, recorder: Any, page: int = 5000) -> int:
    """Seals the events stored before the Merkle log existed (a database from an earlier version: events,
    no leaf), in notification order, under the event table's write lock; returns how many. Does nothing
    when any leaf exists: events without a leaf after that are for ``verify`` to report, never to seal."""
    with db.transaction() as cur:
        if cur.execute("SELECT 1 FROM merkle_leaves LIMIT 1").fetchone():
            return 0
        table = recorder.events_table_name
        if not cur.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return 0
        if db.postgres:
            cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # as the recorder's writers take it
        sealer, position, count = Sealer(db.postgres), 0, 0
        while True:
            rows = recorder.select_notifications(start=position + 1, limit=page)
            if not rows:
                return count
            events = []
            for n in rows:
                eid = merkle.event_id(n.originator_id, n.originator_version)
                events.append((eid, merkle.entry(eid, n.topic, n.state)))
                position = n.id
            sealer.seal(cur, events)
            count += len(events)
