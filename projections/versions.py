"""Projection schema versions: a projection whose tables changed shape is dropped and replayed.

A projection may declare ``version`` (default 1). The version its tables were built with is stored in
``projection_versions``; a projection with no row there was built before versions were recorded, so with
version 1. When the stored version differs from the code's, the projection's tables are dropped (they are
recreated by its schema) and its position goes back to 0: the next catch-up replays every event into the
new shape. The events are the truth; a projection's tables can always be rebuilt from them.

It runs under the schema lock of processes starting together (``ledger/service.py``), so a reset happens
once; the versions' check and the drops are one transaction. A reset interrupted before the tables were
created again is finished by the next start (the version is stored, the tables created if missing, the
position is 0).
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
    db.script(VERSIONS_SCHEMA)
    reset = []
    with db.transaction() as cur:  # the versions read, and any reset, at once
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
    # Each statement in its own transaction: ``CREATE INDEX IF NOT EXISTS`` locks its table (PostgreSQL, even when
    # the index exists) until commit. Holding the journal's lock while waiting for the cheques' table, which a
    # running process's projection batch was writing before its journal, was a deadlock: the starting process
    # was killed (tests/integration/test_start_during_projection.py). Alone, a statement just waits its turn.
    for projection in projections:
        for statement in projection.schema():
            db.script([statement])
    with db.transaction() as cur:
        for projection in projections:
            cur.execute(
                "INSERT INTO projection_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                (projection.name,),
            )
    return reset
