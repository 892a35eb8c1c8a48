"""Proofs of the Merkle log at national scale: ``python -m bench.merkle_proofs [--leaves 2000000] [--database-url …]``.

The tree is built straight into the Merkle tables (``merkle_leaves``, ``merkle_nodes``) with a bulk insert
of ``--leaves`` synthetic entries, not by storing that many real events (hours on this machine); the tables,
the queries and the code that answers ``/v1/audit/…`` are the product's. Then it times, on that tree:
inclusion proofs (random leaves, tree of every size), consistency proofs (random pairs), each checked with
the funders' script against the RFC algorithms, and the sealing of new events (what an event's
transaction pays) at that size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from api.audit_bundle import verifier
from bench.group_commit import fresh_database
from ledger import merkle
from ledger.audit import AuditLog
from ledger.config import DatabaseConfig
from ledger.database import Database
from ledger.merkle_store import POSTGRES_SCHEMA, SQLITE_SCHEMA, Sealer


def build(db: Database, leaves: int) -> bytes:
    frontier: list[tuple[int, int, bytes]] = []
    size, chunk = 0, 100_000
    while size < leaves:
        n = min(chunk, leaves - size)
        new = merkle.append(frontier, size, [merkle.leaf_hash(b"event %d" % i) for i in range(size, size + n)])
        with db.transaction() as cur:
            cur.insert_rows(
                "merkle_leaves", ("idx", "event_id", "hash"), [(i, f"e/{i}", h) for lv, i, h in new if lv == 0]
            )
            cur.insert_rows("merkle_nodes", ("level", "idx", "hash"), [(lv, i, h) for lv, i, h in new if lv > 0])
        size += n
    return merkle.root_of(frontier)


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
        db.script(["ANALYZE merkle_leaves", "ANALYZE merkle_nodes"])
    print(f"{config.describe()}: {args.leaves:,} leaves built in {time.perf_counter() - started:.1f} s (bulk insert)")
    audit = AuditLog(db, lambda: b"\0" * 32, time.time)
    v, rng, n = verifier(), random.Random(7), args.leaves
    assert audit.root() == (n, root)
    times = []
    for _ in range(args.samples):
        index = rng.randrange(n)
        t0 = time.perf_counter()
        p = audit.inclusion(index, n)
        times.append(time.perf_counter() - t0)
        path = [bytes.fromhex(h) for h in p.path]
        assert v.verify_inclusion(index, n, merkle.leaf_hash(b"event %d" % index), path, root), index
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
    for batch in (1, 64, 1000):
        times = []
        for _ in range(30):
            t0 = time.perf_counter()
            with db.transaction() as cur:
                Sealer(db.postgres).seal(cur, [(f"x/{i}", b"new %d" % i) for i in range(batch)])
            times.append(time.perf_counter() - t0)
        print(f"sealing {batch} event(s) in one transaction at {n:,} leaves: {ms(times)}")
    db.close()


if __name__ == "__main__":
    main()
