"""Proofs of the Merkle log at national scale: ``python -m bench.merkle_proofs [--leaves 2000000] [--database-url …]``.

The log is built straight into a bare events table (``bench_events``) and the Merkle tables (one run, the
subtrees of level K and above, the right edge) with a bulk insert of ``--leaves`` synthetic events, not by
storing that many real events through the ledger (hours on this machine); the Merkle tables, the queries
and the code that answers ``/v1/audit/…`` are the product's. Then it times, on that tree:
inclusion proofs (random leaves, tree of every size), consistency proofs (random pairs), each checked with
the funders' script against the RFC algorithms, and the sealing of new events (what an event's
transaction pays) at that size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from uuid import UUID

from api.audit_bundle import verifier
from bench.group_commit import fresh_database
from ledger import merkle
from ledger.audit import AuditLog
from ledger.config import DatabaseConfig
from ledger.database import Database
from ledger.merkle_store import POSTGRES_SCHEMA, SQLITE_SCHEMA, Sealer

EVENTS = "bench_events"
EVENTS_DDL = {
    True: f"CREATE TABLE {EVENTS} (notification_id BIGSERIAL PRIMARY KEY, originator_id UUID NOT NULL,"
    " originator_version BIGINT NOT NULL, topic TEXT NOT NULL, state BYTEA NOT NULL,"
    " UNIQUE (originator_id, originator_version))",
    False: f"CREATE TABLE {EVENTS} (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB,"
    " PRIMARY KEY (originator_id, originator_version))",
}


def synthetic(i: int) -> tuple[UUID, int, str, bytes]:
    return UUID(int=i + 1), 1, "bench:Event", b"event %d" % i


def entry_of(i: int) -> bytes:
    oid, version, topic, state = synthetic(i)
    eid = merkle.event_id(oid, version)
    return merkle.entry(eid, topic, state)


def event_row(postgres: bool, i: int) -> tuple:
    oid, version, topic, state = synthetic(i)
    return (oid if postgres else oid.hex, version, topic, state)


def build(db: Database, leaves: int) -> bytes:
    frontier: list[tuple[int, int, bytes]] = []
    size, chunk = 0, 100_000
    db.script([EVENTS_DDL[db.postgres]])
    while size < leaves:
        n = min(chunk, leaves - size)
        new = merkle.append(frontier, size, [merkle.leaf_hash(entry_of(i)) for i in range(size, size + n)])
        with db.transaction() as cur:
            rows = [event_row(db.postgres, i) for i in range(size, size + n)]
            cur.insert_rows(EVENTS, ("originator_id", "originator_version", "topic", "state"), rows)
            cur.insert_rows("merkle_nodes", ("level", "idx", "hash"), [x for x in new if x[0] >= merkle.K])
        size += n
    with db.transaction() as cur:
        nid = "notification_id" if db.postgres else "rowid"
        first = cur.execute(f"SELECT MIN({nid}) FROM {EVENTS}").fetchone()
        cur.execute("INSERT INTO merkle_runs VALUES (0, ?, ?)", (first[0] if first else 1, leaves))
        cur.executemany("INSERT INTO merkle_frontier (level, hash) VALUES (?, ?)", [(lv, h) for lv, _, h in frontier])
    return merkle.root_of(frontier)


def seal_new(db: Database, batch: int, at: int) -> None:
    """``batch`` new events stored and sealed in one transaction, as the event stores do."""
    with db.transaction() as cur:
        rows = [event_row(db.postgres, i) for i in range(at, at + batch)]
        ids = []
        for row in rows:
            if db.postgres:
                got = cur.execute(
                    f"INSERT INTO {EVENTS} (originator_id, originator_version, topic, state)"
                    " VALUES (?, ?, ?, ?) RETURNING notification_id",
                    row,
                ).fetchone()
            else:
                got = cur.execute(f"INSERT INTO {EVENTS} VALUES (?, ?, ?, ?) RETURNING rowid", row).fetchone()
            assert got is not None
            ids.append(int(got[0]))
        Sealer(db.postgres).seal(cur, [("", entry_of(i)) for i in range(at, at + batch)], ids)


def ms(samples: list[float]) -> str:
    samples = sorted(samples)
    return f"median {statistics.median(samples) * 1e3:.2f} ms, p99 {samples[int(len(samples) * 0.99) - 1] * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_bench_merkle")
    args = parser.parse_args()
    config = DatabaseConfig.from_url(args.database_url)
    if config.kind == "postgres":
        fresh_database(args.database_url)
    elif config.sqlite_path is not None and config.sqlite_path.exists():
        config.sqlite_path.unlink()
    db = Database(config)
    db.script(POSTGRES_SCHEMA if db.postgres else SQLITE_SCHEMA)
    started = time.perf_counter()
    root = build(db, args.leaves)
    if db.postgres:
        db.script([f"ANALYZE {EVENTS}", "ANALYZE merkle_nodes"])
    print(f"{config.describe()}: {args.leaves:,} leaves built in {time.perf_counter() - started:.1f} s (bulk insert)")
    audit = AuditLog(db, lambda: b"\0" * 32, time.time, EVENTS)
    v, rng, n = verifier(), random.Random(7), args.leaves
    assert audit.root() == (n, root)
    times = []
    for _ in range(args.samples):
        index = rng.randrange(n)
        t0 = time.perf_counter()
        p = audit.inclusion(index, n)
        times.append(time.perf_counter() - t0)
        path = [bytes.fromhex(h) for h in p.path]
        assert v.verify_inclusion(index, n, merkle.leaf_hash(entry_of(index)), path, root), index
    print(f"inclusion proof in the tree of {n:,}: {ms(times)} ({len(p.path)} hashes)")
    times = []
    for _ in range(args.samples // 3):
        first = rng.randrange(1, n)
        t0 = time.perf_counter()
        c = audit.consistency(first, n)
        _, first_root = audit.root(first)
        times.append(time.perf_counter() - t0)
        assert v.verify_consistency(first, n, [bytes.fromhex(h) for h in c.path], first_root, root), first
    print(f"consistency proof (and the old root) to {n:,}: {ms(times)}")
    at = n
    for batch in (1, 64, 1000):
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            seal_new(db, batch, at)
            times.append(time.perf_counter() - t0)
            at += batch
        print(f"sealing {batch} event(s) in one transaction at {n:,} leaves: {ms(times)}")
    db.close()


if __name__ == "__main__":
    main()
