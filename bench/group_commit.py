"""Service-level redemption throughput: one transaction per command vs group commit, against bare
PostgreSQL commits in the same run (no HTTP: that is bench/run's job).

    python -m bench.group_commit [--database-url postgresql://…] [--threads 64] [--cheques 6000]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import date

import psycopg

from api.bootstrap import open_ledger
from bench.fill import CODE, issue_books, setup
from bench.raw_ceilings import ceiling_a
from ledger import types as t
from ledger.config import DatabaseConfig


def fresh_database(url: str) -> None:
    config = DatabaseConfig.from_url(url)
    admin = config.conninfo().replace(f"dbname={config.dbname}", "dbname=postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config.dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{config.dbname}"')


def run(url: str, group_commit: bool, threads: int, cheques: int) -> tuple[float, float, float, int]:
    fresh_database(url)
    ledger = open_ledger(
        DatabaseConfig.from_url(url), b"bench-secret", clock=lambda: date(2026, 6, 1), group_commit=group_commit
    )
    commitment, structure, beneficiary = setup(ledger)
    issued = issue_books(ledger, commitment.id, beneficiary.id, cheques // 10)
    actor = t.Actor(role="structure", org=str(structure.id))
    latencies: list[float] = []
    lock = threading.Lock()
    refused = [0]

    def work(part: list) -> None:
        mine = []
        for c in part:
            start = time.perf_counter()
            try:
                ledger.redeem(
                    actor,
                    t.NewRedemption(
                        serial=c.serial,
                        code=CODE,
                        session=t.Session(date=date(2026, 6, 1), kind="individual", duration_minutes=60),
                    ),
                )
            except Exception:  # noqa: BLE001
                refused[0] += 1
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    parts = [issued[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=work, args=(p,)) for p in parts]
    start = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    ledger.close()
    return (
        len(issued) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[int(len(latencies) * 0.99) - 1] * 1000,
        refused[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_bench_gc")
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--cheques", type=int, default=6000)
    args = parser.parse_args()
    config = DatabaseConfig.from_url(args.database_url)
    fresh_database(args.database_url)
    a = ceiling_a(config.conninfo())
    print(f"raw ceiling A (32 connections, INSERT+COMMIT): {a:,.0f} commits/s")
    print(f"{'mode':<30}{'redemptions/s':>15}{'÷ A':>8}{'p50 ms':>9}{'p99 ms':>9}{'refused':>9}")
    for label, gc in (("one transaction per command", False), ("group commit", True)):
        rate, p50, p99, refused = run(args.database_url, gc, args.threads, args.cheques)
        print(f"{label:<30}{rate:>15,.0f}{rate / a:>8.2f}{p50:>9.1f}{p99:>9.1f}{refused:>9}")


if __name__ == "__main__":
    main()
