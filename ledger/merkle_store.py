"""The Merkle log's tables, and sealing events into it inside the transaction that stores them.

``merkle_leaves`` holds one row per stored event (its index in the tree, its event id, its leaf hash);
``merkle_nodes`` every completed perfect subtree above the leaves (``ledger/merkle.py``). Both event stores
(``ledger/pg_store.py``, ``ledger/sqlite_store.py``) call ``seal`` with the cursor of the transaction that
inserts the events, after the insert, while they hold the event table's write lock: a leaf exists exactly
when its event does, in the same order, and nothing can be edited between storing and sealing.

Appending reads the tree's right edge (at most log₂ n rows), and writes the new leaves and the subtrees
they complete (about two rows an event): O(log n) for a transaction, whatever its size. On PostgreSQL this
runs as one function in the server (``merkle_seal``, the same steps as ``merkle.append``), so the event
transaction waits for no extra round trip while it holds the table lock; on SQLite in Python.
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
    # ``merkle.append`` in PL/pgSQL: reads the right edge, appends the leaves (hashed by the caller) and the
    # subtrees they complete, all in the server: the event transaction pays no extra round trip while it
    # holds the event table's lock (a read of the edge from Python cost two, measured in docs/benchmarks.md).
    r"""CREATE OR REPLACE FUNCTION merkle_seal(ids text[], leaves bytea[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  size bigint; start bigint := 0; i bigint; h bytea; lv smallint; top int;
  lvls smallint[] := '{}'; hs bytea[] := '{}';
  n_lv smallint[] := '{}'; n_idx bigint[] := '{}'; n_h bytea[] := '{}';
BEGIN
  SELECT COALESCE(MAX(idx) + 1, 0) INTO size FROM merkle_leaves;
  FOR b IN REVERSE 62..0 LOOP
    IF (size >> b) & 1 = 1 THEN
      i := start >> b;
      IF b = 0 THEN SELECT hash INTO h FROM merkle_leaves WHERE idx = i;
      ELSE SELECT hash INTO h FROM merkle_nodes WHERE level = b AND idx = i; END IF;
      IF h IS NULL THEN RAISE EXCEPTION 'Merkle log incomplete: a subtree of the right edge is missing'; END IF;
      lvls := lvls || b::smallint; hs := hs || h;
      start := start + (1::bigint << b);
    END IF;
  END LOOP;
  INSERT INTO merkle_leaves (idx, event_id, hash)
    SELECT size + o - 1, e, l FROM unnest(ids, leaves) WITH ORDINALITY AS u(e, l, o);
  FOR k IN 1..cardinality(leaves) LOOP
    h := leaves[k]; lv := 0; i := size;
    top := cardinality(lvls);
    WHILE top > 0 AND lvls[top] = lv LOOP
      h := sha256('\x01'::bytea || hs[top] || h);
      lv := lv + 1; i := i >> 1;
      n_lv := n_lv || lv; n_idx := n_idx || i; n_h := n_h || h;
      lvls := lvls[1:top - 1]; hs := hs[1:top - 1];
      top := top - 1;
    END LOOP;
    lvls := lvls || lv; hs := hs || h;
    size := size + 1;
  END LOOP;
  INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest(n_lv, n_idx, n_h);
END $$""",
]
SIZE_SQL = "SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_leaves"


def _values(row: Any) -> tuple:
    """A row as a tuple, from a psycopg dict row or a sqlite3 row."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def nodes_sql(nodes: Iterable[Node], postgres: bool = False) -> tuple[str, list[Any]]:
    """One statement reading ``(level, idx, hash)`` of the given perfect subtrees (``?`` placeholders).
    PostgreSQL: the keys as two arrays joined to the table (planned in constant time; a few hundred ``OR``ed
    keys took it longer to plan than to run)."""
    leaves = sorted(i for level, i in nodes if level == 0)
    inner = sorted((level, i) for level, i in nodes if level > 0)
    parts: list[str] = []
    params: list[Any] = []
    if postgres:
        parts.append("SELECT 0, idx, hash FROM merkle_leaves WHERE idx = ANY(?::bigint[])")
        parts.append(
            "SELECT n.level, n.idx, n.hash FROM unnest(?::smallint[], ?::bigint[]) AS k(level, idx)"
            " JOIN merkle_nodes n ON n.level = k.level AND n.idx = k.idx"
        )
        return " UNION ALL ".join(parts), [leaves, [lv for lv, _ in inner], [i for _, i in inner]]
    if leaves:
        parts.append(f"SELECT 0, idx, hash FROM merkle_leaves WHERE idx IN ({', '.join('?' * len(leaves))})")
        params.extend(leaves)
    if inner:
        where = " OR ".join("(level = ? AND idx = ?)" for _ in inner)
        parts.append(f"SELECT level, idx, hash FROM merkle_nodes WHERE {where}")
        params.extend(x for node in inner for x in node)
    return " UNION ALL ".join(parts), params


def read_nodes(execute: Any, nodes: set[Node], postgres: bool = False) -> dict[Node, bytes]:
    """The stored hashes of ``nodes``; ``execute(sql, params)`` returns rows. A missing one is an error."""
    if not nodes:
        return {}
    sql, params = nodes_sql(nodes, postgres)
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

    @staticmethod
    def statement(events: Sequence[tuple[str, bytes]]) -> tuple[str, tuple[list[str], list[bytes]]] | None:
        """PostgreSQL: the one statement that seals ``events`` (``merkle_seal``), their leaves hashed here."""
        if not events:
            return None
        return (
            "SELECT merkle_seal(%b::text[], %b::bytea[])",
            ([e for e, _ in events], [merkle.leaf_hash(entry) for _, entry in events]),
        )

    def seal(self, cur: Any, events: Sequence[tuple[str, bytes]]) -> None:
        """Appends one leaf per ``(event_id, entry)``, in order."""
        if not events:
            return
        if self.postgres:
            statement = self.statement(events)
            assert statement is not None
            cur.execute(*statement)
            return
        size = int(_values(self._run(cur, SIZE_SQL)[0])[0])
        edge = merkle.pieces(0, size)
        known = read_nodes(lambda sql, params: self._run(cur, sql, params), set(edge))
        frontier = [(level, i, known[(level, i)]) for level, i in edge]
        new = merkle.append(frontier, size, [merkle.leaf_hash(e) for _, e in events])
        leaves = [(i, events[i - size][0], h) for level, i, h in new if level == 0]
        inner = [(level, i, h) for level, i, h in new if level > 0]
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
