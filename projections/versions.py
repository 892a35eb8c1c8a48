"""Projection schema versions: a projection whose tables changed shape is dropped and replayed.

A projection may declare ``version`` (default 1). The version its tables were built with is stored in
``projection_versions``; a projection with no row there was built before versions were recorded, so with
version 1. When the stored version differs from the code's, the projection's tables are dropped (they are
recreated by its schema) and its position goes back to 0: the next catch-up replays every event into the
new shape. The events are the truth; a projection's tables can always be rebuilt from them.

It runs in one transaction, under the schema lock of processes starting together (``ledger/service.py``;
SQLite: its write lock), so a reset happens once and no process sees the tables half-dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.database import Database

VERSIONS_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS projection_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS projection_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
]


def version_of(projection: Any) -> int:
    return int(getattr(projection, "version", 1))


def prepare_tables(db: Database, projections: Sequence[Any]) -> list[str]:
    """Creates the tracking tables and every projection's tables, first dropping those of a projection whose
    version changed (its position back to 0). Returns the names of the projections reset."""
    reset = []
    with db.transaction() as cur:
        for statement in VERSIONS_SCHEMA:
            cur.execute(statement)
        stored = dict(cur.execute("SELECT name, version FROM projection_versions").fetchall())
        for projection in projections:
            version = version_of(projection)
            if int(stored.get(projection.name, 1)) != version:
                for table in projection.tables():
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
                cur.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (projection.name,))
                reset.append(projection.name)
            if stored.get(projection.name) != version:
                cur.execute(
                    "INSERT INTO projection_versions (name, version) VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (projection.name, version),
                )
        for projection in projections:
            for statement in projection.schema():
                cur.execute(statement)
        for projection in projections:
            cur.execute(
                "INSERT INTO projection_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                (projection.name,),
            )
    return reset
