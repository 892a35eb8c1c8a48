"""A database of the former Merkle layout moved to the present one at start, in one transaction.

The former layout stored a row per leaf (``merkle_leaves``: index, event id, hash) and every perfect subtree
of level 1 and above. The runs are built from the leaves joined to their events (a run per constant
``notification id - leaf index``), the right edge is copied from the stored leaves and subtrees, the subtrees
below ``merkle.K`` are deleted and ``merkle_leaves`` is dropped. The hashes of the tree do not change: every
checkpoint signed before still verifies and every proof is the same. A leaf whose event is missing, or
leaves not in the events' order, stop the start (nothing is changed): such a log is for ``verify`` to
explain, not to be rewritten.
"""

from __future__ import annotations

from typing import Any

from ledger import merkle


class MerkleMigrationError(RuntimeError):
    pass


def _has_leaf_table(cur: Any, postgres: bool) -> bool:
    if postgres:
        row = cur.execute("SELECT to_regclass('merkle_leaves') IS NOT NULL").fetchone()
        return bool(row and row[0])
    return (
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'merkle_leaves'").fetchone()
        is not None
    )


def _runs_sql(postgres: bool, events: str) -> str:
    if postgres:
        join = (
            f"JOIN {events} e ON e.originator_id = split_part(l.event_id, '/', 1)::uuid"
            " AND e.originator_version = split_part(l.event_id, '/', 2)::bigint"
        )
        nid = "e.notification_id"
    else:
        join = (
            f"JOIN {events} e ON e.originator_id = replace(substr(l.event_id, 1, instr(l.event_id, '/') - 1), '-', '')"
            " AND e.originator_version = CAST(substr(l.event_id, instr(l.event_id, '/') + 1) AS INTEGER)"
        )
        nid = "e.rowid"
    return (
        "INSERT INTO merkle_runs (first_leaf, first_notification, count)"
        f" SELECT MIN(l.idx), MIN({nid}), COUNT(*) FROM merkle_leaves l {join} GROUP BY {nid} - l.idx"
    )


def _check_runs(runs: list[tuple[int, int, int]], size: int) -> None:
    leaf, after = 0, 0
    for first_leaf, first_notification, count in runs:
        if first_leaf != leaf or first_notification < after:
            raise MerkleMigrationError(f"Merkle leaves not in the events' order at leaf {leaf}: run verify")
        leaf, after = first_leaf + count, first_notification + count
    if leaf != size:
        raise MerkleMigrationError(f"{size - leaf} Merkle leaves have no event: run verify")


def migrate(db: Any, events_table: str) -> bool:
    """Moves the former layout to runs, frontier and subtrees of level >= K; False when there is nothing to do."""
    with db.transaction() as cur:
        if not _has_leaf_table(cur, db.postgres):
            return False
        if db.postgres:
            cur.execute(f"LOCK TABLE {events_table} IN EXCLUSIVE MODE")  # as the event stores' writers take it
        size, count = (
            int(x) for x in cur.execute("SELECT COALESCE(MAX(idx) + 1, 0), COUNT(*) FROM merkle_leaves").fetchone()
        )
        if count != size:
            raise MerkleMigrationError(f"merkle_leaves holds {count} rows for {size} leaves: run verify")
        if cur.execute("SELECT 1 FROM merkle_runs LIMIT 1").fetchone():
            raise MerkleMigrationError("merkle_runs and merkle_leaves both hold rows")
        cur.execute(_runs_sql(db.postgres, events_table))
        runs = cur.execute(
            "SELECT first_leaf, first_notification, count FROM merkle_runs ORDER BY first_leaf"
        ).fetchall()
        _check_runs([(int(a), int(b), int(c)) for a, b, c in runs], size)
        edge = []
        for level, index in merkle.pieces(0, size):
            row = (
                cur.execute("SELECT hash FROM merkle_leaves WHERE idx = ?", (index,)).fetchone()
                if level == 0
                else cur.execute("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?", (level, index)).fetchone()
            )
            if row is None:
                raise MerkleMigrationError(f"Merkle subtree ({level}, {index}) of the right edge is missing")
            edge.append((level, bytes(row[0])))
        cur.executemany("INSERT INTO merkle_frontier (level, hash) VALUES (?, ?)", edge)
        cur.execute("DELETE FROM merkle_nodes WHERE level < ?", (merkle.K,))
        cur.execute("DROP TABLE merkle_leaves")
        if db.postgres:
            cur.execute("DROP FUNCTION IF EXISTS merkle_seal(text[], bytea[])")
    return True
