"""What bare PostgreSQL can do on this machine, measured in the same run as the ledger.

- ceiling A: 32 connections, one-row INSERT + COMMIT of a row as wide as a stored event → commits/s
- ceiling B: ``executemany`` of such rows in one transaction → rows/s
"""

from __future__ import annotations

import os
import threading
import time

import psycopg

ROW_BYTES = 400  # a stored redemption event is about this wide (topic + JSON state)


def _table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_rows")
        conn.execute("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, originator_id uuid, version int, topic text, state bytea)")


def ceiling_a(conninfo: str, seconds: float = 5.0, connections: int = 32) -> float:
    _table(conninfo)
    payload = os.urandom(ROW_BYTES)
    stop = time.monotonic() + seconds
    counts = [0] * connections

    def work(i: int) -> None:
        with psycopg.connect(conninfo) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_rows (originator_id, version, topic, state) VALUES (gen_random_uuid(), 1, %s, %s)",
                    ("domain.cheques:Cheque.Redeemed", payload),
                )
                conn.commit()
                counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(connections)]
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
                "INSERT INTO bench_rows (originator_id, version, topic, state) VALUES (gen_random_uuid(), 1, %s, %s)", data
            )
        conn.commit()
        return rows / (time.monotonic() - start)
