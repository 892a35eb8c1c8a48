"""The Merkle log's tables, and sealing events into it inside the transaction that stores them.

No row per leaf: a leaf's hash is recomputed from its event (``merkle.entry``), and ``merkle_runs`` maps
leaf indices to events: one row ``(first_leaf, first_notification, count)`` per run of consecutive
notification ids sealed (leaf ``first_leaf + j`` is the event of notification id ``first_notification + j``).
A seal that continues the last run extends it, so a log written without a gap in the notification ids is
one row. ``merkle_nodes`` holds the perfect subtrees of level ``merkle.K`` and above (one row per 2^K
events); those below are recomputed from their events when a proof names them (``ledger/merkle_tree.py``).

``merkle_frontier(level, hash)`` is the tree's right edge, the perfect subtrees whose hashes sealing folds
(a NULL hash: that level is not on the edge now), rewritten by each seal, levels that changed only. Sealing
reads it instead of recomputing the edge's lower subtrees from the last events: it never reads an event, so
the leaf stays defined in one place (Python's ``merkle.entry``, hashed before the table lock) rather than
again in PL/pgSQL, and a seal costs the same whatever the events weigh. Its rows keep their level, so each
rewrite is an update in place (HOT on PostgreSQL) and the table stays a page.

Both event stores (``ledger/pg_store.py``, ``ledger/sqlite_store.py``) seal in the transaction that inserts
the events, while they hold the event table's write lock, with the notification ids the insert gave: a
leaf exists exactly when its event does, in notification order. On PostgreSQL sealing is one function in
the server (``merkle_seal``, the same steps as ``Sealer._seal_sqlite``) called by the insert statement
itself with the ids it returns, so the event transaction pays no extra round trip; on SQLite it is Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger import merkle

SQLITE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS merkle_runs (first_leaf INTEGER PRIMARY KEY, first_notification INTEGER NOT NULL,"
    " count INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS merkle_runs_notification ON merkle_runs (first_notification)",
    "CREATE TABLE IF NOT EXISTS merkle_frontier (level INTEGER PRIMARY KEY, hash BLOB)",
    "CREATE TABLE IF NOT EXISTS merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS merkle_checkpoints (tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL,"
    " signed_at TEXT NOT NULL, signature TEXT NOT NULL)",
]
POSTGRES_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS merkle_runs (first_leaf BIGINT PRIMARY KEY, first_notification BIGINT NOT NULL,"
    " count BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS merkle_runs_notification ON merkle_runs (first_notification)",
    "CREATE TABLE IF NOT EXISTS merkle_frontier (level SMALLINT PRIMARY KEY, hash BYTEA)",
    "CREATE TABLE IF NOT EXISTS merkle_nodes (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS merkle_checkpoints (tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL,"
    " signed_at TEXT NOT NULL, signature TEXT NOT NULL)",
    # ``Sealer._seal_sqlite`` in PL/pgSQL: the leaves (hashed by the caller) and their events' notification
    # ids, in order; reads the last run and the right edge, writes the subtrees of level >= K completed, the
    # edge's changed levels and the runs.
    r"""CREATE OR REPLACE FUNCTION merkle_seal(leaves bytea[], ids bigint[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  base bigint := 0; size bigint; i bigint; h bytea; lv smallint; top int; pos int;
  stored_leaf bigint; cur_leaf bigint; cur_first bigint; cur_count bigint; ext bigint := 0;
  lvls smallint[]; hs bytea[]; old_l smallint[]; old_h bytea[];
  c_l smallint[] := '{}'; c_h bytea[] := '{}';
  n_lv smallint[] := '{}'; n_idx bigint[] := '{}'; n_h bytea[] := '{}';
  r_leaf bigint[] := '{}'; r_first bigint[] := '{}'; r_count bigint[] := '{}';
BEGIN
  IF cardinality(leaves) IS DISTINCT FROM cardinality(ids) THEN
    RAISE EXCEPTION 'Merkle seal: not as many leaves as events';
  END IF;
  SELECT first_leaf, first_notification, count INTO cur_leaf, cur_first, cur_count
    FROM merkle_runs ORDER BY first_leaf DESC LIMIT 1;
  IF FOUND THEN base := cur_leaf + cur_count; END IF;
  stored_leaf := cur_leaf;
  SELECT COALESCE(array_agg(level ORDER BY level DESC), '{}'), COALESCE(array_agg(hash ORDER BY level DESC), '{}')
    INTO lvls, hs FROM merkle_frontier WHERE hash IS NOT NULL;
  IF (SELECT COALESCE(sum(1::bigint << l), 0) FROM unnest(lvls) AS l) <> base THEN
    RAISE EXCEPTION 'Merkle log incomplete: the right edge does not match the tree size';
  END IF;
  old_l := lvls; old_h := hs; size := base;
  FOR k IN 1..cardinality(leaves) LOOP
    h := leaves[k]; lv := 0; i := size;
    top := cardinality(lvls);
    WHILE top > 0 AND lvls[top] = lv LOOP
      h := sha256('\x01'::bytea || hs[top] || h);
      lv := lv + 1; i := i >> 1;
      IF lv >= 4 THEN n_lv := n_lv || lv; n_idx := n_idx || i; n_h := n_h || h; END IF;
      lvls := lvls[1:top - 1]; hs := hs[1:top - 1];
      top := top - 1;
    END LOOP;
    lvls := lvls || lv; hs := hs || h;
    size := size + 1;
    IF cur_first IS NOT NULL AND ids[k] = cur_first + cur_count THEN
      cur_count := cur_count + 1;
      IF cur_leaf = stored_leaf THEN ext := ext + 1; END IF;
    ELSE
      IF cur_first IS NOT NULL AND cur_leaf IS DISTINCT FROM stored_leaf THEN
        r_leaf := r_leaf || cur_leaf; r_first := r_first || cur_first; r_count := r_count || cur_count;
      END IF;
      cur_leaf := size - 1; cur_first := ids[k]; cur_count := 1;
    END IF;
  END LOOP;
  IF cur_leaf IS DISTINCT FROM stored_leaf THEN
    r_leaf := r_leaf || cur_leaf; r_first := r_first || cur_first; r_count := r_count || cur_count;
  END IF;
  INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest(n_lv, n_idx, n_h);
  FOR k IN 1..cardinality(lvls) LOOP
    pos := array_position(old_l, lvls[k]);
    IF pos IS NULL OR old_h[pos] <> hs[k] THEN c_l := c_l || lvls[k]; c_h := c_h || hs[k]; END IF;
  END LOOP;
  FOR k IN 1..cardinality(old_l) LOOP
    IF array_position(lvls, old_l[k]) IS NULL THEN c_l := c_l || old_l[k]; c_h := array_append(c_h, NULL); END IF;
  END LOOP;
  INSERT INTO merkle_frontier (level, hash) SELECT * FROM unnest(c_l, c_h)
    ON CONFLICT (level) DO UPDATE SET hash = EXCLUDED.hash;
  IF ext > 0 THEN UPDATE merkle_runs SET count = count + ext WHERE first_leaf = stored_leaf; END IF;
  INSERT INTO merkle_runs (first_leaf, first_notification, count) SELECT * FROM unnest(r_leaf, r_first, r_count);
  RETURN cardinality(leaves);
END $$""",
]


def _values(row: Any) -> tuple:
    """A row as a tuple, from a psycopg dict row or a sqlite3 row."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def extend_runs(last: tuple[int, int, int] | None, ids: Sequence[int]) -> tuple[int, list[tuple[int, int, int]]]:
    """Sealing the events of notification ids ``ids`` after the last run ``last`` (first leaf, first
    notification, count): how many of them extend ``last``, and the new runs."""
    size = last[0] + last[2] if last else 0
    extended = 0
    runs: list[tuple[int, int, int]] = []
    for k, nid in enumerate(ids):
        if runs and nid == runs[-1][1] + runs[-1][2]:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        elif not runs and last is not None and nid == last[1] + last[2] + extended:
            extended += 1
        else:
            runs.append((size + k, nid, 1))
    return extended, runs


def edge_changes(old: dict[int, bytes], new: dict[int, bytes]) -> list[tuple[int, bytes | None]]:
    """The rows of ``merkle_frontier`` to write when the right edge goes from ``old`` to ``new`` (by level)."""
    changed: list[tuple[int, bytes | None]] = [(lv, h) for lv, h in new.items() if old.get(lv) != h]
    return changed + [(lv, None) for lv in old if lv not in new]


class Sealer:
    """Appends leaves with the raw cursor of an event store's write transaction."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    @staticmethod
    def statement(events: Sequence[tuple[str, bytes]]) -> list[bytes] | None:
        """PostgreSQL: the leaves of ``events``, hashed here (before the table lock) for the insert statement
        that seals them (``merkle_seal``); None: nothing to seal."""
        if not events:
            return None
        return [merkle.leaf_hash(entry) for _, entry in events]

    def seal(self, cur: Any, events: Sequence[tuple[str, bytes]], ids: Sequence[int]) -> None:
        """Appends one leaf per ``(event_id, entry)``, in order; ``ids``: their events' notification ids."""
        if not events:
            return
        if len(ids) != len(events):
            raise ValueError(f"Merkle seal: {len(events)} leaves for {len(ids)} events")
        if self.postgres:
            cur.execute("SELECT merkle_seal(%b::bytea[], %b::bigint[])", (self.statement(events), list(ids)))
            return
        self._seal_sqlite(cur, [merkle.leaf_hash(e) for _, e in events], ids)

    @staticmethod
    def _seal_sqlite(cur: Any, leaves: list[bytes], ids: Sequence[int]) -> None:
        cur.execute("SELECT first_leaf, first_notification, count FROM merkle_runs ORDER BY first_leaf DESC LIMIT 1")
        row = cur.fetchone()
        last = (int(row[0]), int(row[1]), int(row[2])) if row else None
        size = last[0] + last[2] if last else 0
        cur.execute("SELECT level, hash FROM merkle_frontier WHERE hash IS NOT NULL")
        old = {int(lv): bytes(h) for lv, h in map(_values, cur.fetchall())}
        if sum(1 << lv for lv in old) != size:
            raise LookupError("Merkle log incomplete: the right edge does not match the tree size")
        frontier = [(level, i, old[level]) for level, i in merkle.pieces(0, size)]
        new = merkle.append(frontier, size, leaves)
        nodes = [(lv, i, h) for lv, i, h in new if lv >= merkle.K]
        if nodes:
            cur.executemany("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)
        changes = edge_changes(old, {lv: h for lv, _, h in frontier})
        cur.executemany(
            "INSERT INTO merkle_frontier (level, hash) VALUES (?, ?) ON CONFLICT (level) DO UPDATE SET hash = excluded.hash",
            changes,
        )
        extended, runs = extend_runs(last, ids)
        if extended and last:
            cur.execute("UPDATE merkle_runs SET count = count + ? WHERE first_leaf = ?", (extended, last[0]))
        if runs:
            cur.executemany("INSERT INTO merkle_runs (first_leaf, first_notification, count) VALUES (?, ?, ?)", runs)


def stored_entries(stored_events: Sequence[Any]) -> list[tuple[str, bytes]]:
    """``(event_id, entry)`` of each ``StoredEvent`` about to be inserted."""
    out = []
    for s in stored_events:
        eid = merkle.event_id(s.originator_id, s.originator_version)
        out.append((eid, merkle.entry(eid, s.topic, s.state)))
    return out


def backfill(db: Any, recorder: Any, page: int = 5000) -> int:
    """Seals the events stored before the Merkle log existed (a database from an earlier version: events,
    no run), in notification order, under the event table's write lock; returns how many. Does nothing when
    any run exists: events outside the runs after that are for ``verify`` to report, never to seal."""
    with db.transaction() as cur:
        if cur.execute("SELECT 1 FROM merkle_runs LIMIT 1").fetchone():
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
            sealer.seal(cur, events, [n.id for n in rows])
            count += len(events)
