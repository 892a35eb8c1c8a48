"""What the bare database can do on this machine, measured in the same run as the ledger.

- ceiling A: 32 connections, one-row INSERT + COMMIT of a row as wide as a stored event → commits/s
- ceiling B: ``executemany`` of such rows in one transaction → rows/s

PostgreSQL through psycopg; SQLite through ``sqlite3`` as the ledger opens it (WAL, autocommit connections,
``BEGIN IMMEDIATE`` for a write, 30 s busy timeout), in a file of its own beside the ledger's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

ROW_BYTES = 400  # a stored redemption event is about this wide (topic + JSON state)


def _table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_rows")
        conn.execute(
            "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, originator_id uuid, version int, topic text, state bytea)"
        )


def ceiling_a(conninfo: str, seconds: float = 5.0, connections: int = 32) -> float:
    _table(conninfo)
    payload = os.urandom(ROW_BYTES)

    def work(stop: float) -> int:
        count = 0
        with psycopg.connect(conninfo) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_rows (originator_id, version, topic, state) VALUES (gen_random_uuid(), 1, %s, %s)",
                    ("domain.cheques:Cheque.Redeemed", payload),
                )
                conn.commit()
                count += 1
        return count

    return _commits_per_second(work, seconds, connections)


def _commits_per_second(work: Callable[[float], int], seconds: float, connections: int) -> float:
    """``connections`` threads each running ``work(stop)`` (which returns its commits) until ``stop``."""
    stop = time.monotonic() + seconds
    counts = [0] * connections

    def run(i: int) -> None:
        counts[i] = work(stop)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sum(counts) / (time.monotonic() - start)


def ceiling_b(conninfo: str, rows: int = 50_000) -> float:
    _table(conninfo)
    payload = os.urandom(ROW_BYTES)
    data = [("domain.cheques:Cheque.Redeemed", payload)] * rows
    with psycopg.connect(conninfo) as conn:
        start = time.monotonic()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_rows (originator_id, version, topic, state) VALUES (gen_random_uuid(), 1, %s, %s)",
                data,
            )
        conn.commit()
        return rows / (time.monotonic() - start)


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def _sqlite_table(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = _sqlite_connect(path)
    try:
        conn.execute(
            "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, originator_id BLOB, version INTEGER, topic TEXT, state BLOB)"
        )
    finally:
        conn.close()


SQLITE_INSERT = "INSERT INTO bench_rows (originator_id, version, topic, state) VALUES (randomblob(16), 1, ?, ?)"


def sqlite_ceiling_a(path: Path, seconds: float = 5.0, connections: int = 32) -> float:
    _sqlite_table(path)
    payload = os.urandom(ROW_BYTES)

    def work(stop: float) -> int:
        count = 0
        conn = _sqlite_connect(path)
        try:
            while time.monotonic() < stop:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(SQLITE_INSERT, ("domain.cheques:Cheque.Redeemed", payload))
                conn.execute("COMMIT")
                count += 1
        finally:
            conn.close()
        return count

    return _commits_per_second(work, seconds, connections)


def sqlite_ceiling_b(path: Path, rows: int = 50_000) -> float:
    _sqlite_table(path)
    payload = os.urandom(ROW_BYTES)
    data = [("domain.cheques:Cheque.Redeemed", payload)] * rows
    conn = _sqlite_connect(path)
    try:
        start = time.monotonic()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(SQLITE_INSERT, data)
        conn.execute("COMMIT")
        return rows / (time.monotonic() - start)
    finally:
        conn.close()
