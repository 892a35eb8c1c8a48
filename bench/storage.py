"""Where the bytes of a cheque go: each table's size (with its TOAST) and its indexes', per cheque.

    python -m bench.storage [--cheques 100000] [--server-url URL] [--name DB] [--keep]

Fills a fresh PostgreSQL database (``cl_storage_bench_<n>``) with ``bench.fill`` as ``bench.scale`` does (books
of 10; 60 % redeemed, half of those settled), rebuilds every projection as ``bench.scale`` does before it
measures, and prints the tables, largest first, then ``pg_database_size`` over the cheques (the figure
``bench.scale`` prints as ``bytes_per_cheque``) and the dead row versions left in the largest tables. The
database is dropped afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import timedelta

import psycopg

from api.bootstrap import open_ledger
from bench.fill import fill
from bench.scale import SECRET, events_for
from ledger.clock import paris_today
from ledger.config import DatabaseConfig
from projections.process import rebuild

SIZES = """
SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples::bigint,
       COALESCE(s.n_dead_tup, 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind = 'r' AND n.nspname = 'public'
ORDER BY pg_total_relation_size(c.oid) DESC
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cheques", type=int, default=100_000)
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--tag", default="", help="appended to the database's name (two runs side by side)")
    parser.add_argument("--name", default="", help="the database's name (default cl_storage_bench_<n><tag>)")
    args = parser.parse_args()
    name = args.name or f"cl_storage_bench_{args.cheques}{args.tag}"
    server = args.server_url.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    tomorrow = paris_today() + timedelta(days=1)
    ledger = open_ledger(DatabaseConfig.from_url(f"{server}/{name}"), SECRET, clock=lambda: tomorrow)
    try:
        t0 = time.perf_counter()
        fill(ledger, events_for(args.cheques))
        filled = time.perf_counter() - t0
        events, seconds = rebuild(ledger, None, out=io.StringIO())
        with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
            conn.execute("ANALYZE")
            rows = conn.execute(SIZES).fetchall()
            total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    finally:
        ledger.close()
    n = args.cheques
    print(f"{n:,} cheques, {events:,} events (filled in {filled:.0f} s, rebuilt at {events / seconds:,.0f} events/s)")
    print(f"{'table':<28}{'table B/cheque':>16}{'indexes':>10}{'rows':>12}{'dead':>10}")
    for relname, table, indexes, tuples, dead in rows:
        if (table + indexes) / n < 1:
            continue
        print(f"{relname:<28}{table / n:>16,.0f}{indexes / n:>10,.0f}{tuples:>12,}{dead:>10,}")
    print(f"RESULT storage bytes_per_cheque={total / n:.0f}")
    if not args.keep:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}"')


if __name__ == "__main__":
    main()
