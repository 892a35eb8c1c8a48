"""Projection schema versions: a projection whose tables changed shape is dropped and replayed.

A projection may declare ``version`` (default 1). The version its tables were built with is stored in
``projection_versions``; a projection with no row there was built before versions were recorded, so with
version 1. When the stored version differs from the code's, the projection's tables are dropped (they are
recreated by its schema) and its position goes back to 0: the next catch-up replays every event into the
new shape. The events are the truth; a projection's tables can always be rebuilt from them.

It runs under the schema lock of processes starting together (``ledger/service.py``), so a reset happens once.
A reset interrupted before its new version was stored starts again at the next start; one interrupted after
it only has tables to create, which every start does (``IF NOT EXISTS``), its position being 0 already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ledger.database import Database

VERSIONS_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS projection_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS projection_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
]


CREATES = re.compile(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) IF NOT EXISTS (\w+)", re.IGNORECASE)


def existing_names(db: Database) -> set[str]:
    """The tables and indexes of the database (PostgreSQL: of the current schema)."""
    sql = (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
        if db.postgres
        else "SELECT name FROM sqlite_master"
    )
    with db.read() as cur:
        return {row[0] for row in cur.execute(sql).fetchall()}


# Projections the ledger no longer keeps, and their tables, dropped from the databases that still hold them:
# the hash chain over the events, which the Merkle log covers (docs/architecture.md, "Tamper evidence").
RETIRED = {"event_chain": ("event_chain",)}
# Indexes no read uses any more, dropped where they exist: the journal by structure (issue 17: no query reads the
# journal by structure; a structure's statement reads structure_totals, its sessions the cheque index).
RETIRED_INDEXES = ("journal_structure",)


def retire(db: Database, existing: set[str]) -> None:
    """Drops a retired projection's tables and forgets its rows (their rows first: interrupted, it runs again),
    and the retired indexes."""
    for name, tables in RETIRED.items():
        if not any(table in existing for table in tables):
            continue
        with db.transaction() as cur:
            for bookkeeping in ("projection_tracking", "projection_versions", "projection_failures"):
                if bookkeeping in existing:
                    cur.execute(f"DELETE FROM {bookkeeping} WHERE name = ?", (name,))
        for table in tables:
            db.script([f"DROP TABLE IF EXISTS {table}"])
    for index in RETIRED_INDEXES:
        if index in existing:
            db.script([f"DROP INDEX IF EXISTS {index}"])


def version_of(projection: Any) -> int:
    return int(getattr(projection, "version", 1))


def prepare_tables(db: Database, projections: Sequence[Any]) -> list[str]:
    """Creates the tracking tables and every projection's tables, first dropping those of a projection whose
    version changed (its position back to 0). Returns the names of the projections reset.

    ``CREATE INDEX IF NOT EXISTS`` locks its table until commit (PostgreSQL, even when the index exists), and a
    starting process that held the journal's lock while waiting for the cheques' table, which a running
    process's projection batch was writing before its journal, was a deadlock: the starting process was killed
    (tests/integration/test_start_during_projection.py). So only the tables and indexes that do not exist are
    created (usually none), and every statement that locks a table runs in a transaction of its own: alone, it
    just waits its turn. A reset stores the new version last: interrupted, it starts again."""
    db.script(VERSIONS_SCHEMA)
    retire(db, existing_names(db))
    with db.read() as cur:
        stored = dict(cur.execute("SELECT name, version FROM projection_versions").fetchall())
    reset = []
    for projection in projections:
        version = version_of(projection)
        changed = int(stored.get(projection.name, 1)) != version
        if changed:
            for table in projection.tables():
                db.script([f"DROP TABLE IF EXISTS {table}"])
            reset.append(projection.name)
        if stored.get(projection.name) != version:
            with db.transaction() as cur:
                if changed:
                    cur.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (projection.name,))
                cur.execute(
                    "INSERT INTO projection_versions (name, version) VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (projection.name, version),
                )
    existing = existing_names(db)
    for projection in projections:
        for statement in projection.schema():
            created = CREATES.match(statement)
            if created is None or created.group(1) not in existing:
                db.script([statement])
    with db.transaction() as cur:
        for projection in projections:
            cur.execute(
                "INSERT INTO projection_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                (projection.name,),
            )
    return reset
