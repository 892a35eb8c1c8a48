"""The throughput benchmark: ``python -m bench [--quick] [--database-url postgresql://…]``.

Measures, in the same run, on a fresh PostgreSQL database:
  A  bare PostgreSQL: 32 connections, one-row INSERT + COMMIT of a row as wide as a stored event → commits/s
  B  bare PostgreSQL: ``executemany`` of such rows in one transaction → rows/s
  C  reading and decoding every stored event of the ledger → events/s
  4  the real server (``cheque-ledger serve``) under 64 concurrent wrk connections redeeming distinct cheques,
     one per request → redemptions/s, p50 and p99 latency, non-201 count
  5  the batch endpoint, 1000 items a request → redemptions/s
  6  a full projection rebuild → events/s
  7  the server's peak resident memory
The same measurements run first on SQLite (the embedded default: its own table, with its ratios), then
on PostgreSQL, whose table is followed by the last line
``RESULT single_ratio=<4÷A> batch_ratio=<5÷B> rebuild_ratio=<6÷C> p99_ms=… rss_mb=…``.
Needs ``wrk`` (Debian package) for step 4. Refuses to start while another ``cheque-ledger serve`` runs:
its workers would share the two cores and skew every figure.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
from datetime import date

from api.bootstrap import open_ledger
from bench.fill import ready_for_server
from bench.group_commit import fresh_database
from bench.machine import BusyCores, stray_servers
from bench.projections import decode_all
from bench.raw_ceilings import ceiling_a, ceiling_b, sqlite_ceiling_a, sqlite_ceiling_b
from bench.server import SECRET, peak_rss_mb, redeem_in_batches, redeem_one_by_one, running_server
from ledger.config import DatabaseConfig
from projections.process import rebuild


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_bench_run")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (one per core)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the server measurement: apt-get install wrk")
    if strays := stray_servers():
        sys.exit(
            "another cheque-ledger server is running; stop it first (its workers would skew every figure):\n"
            + "\n".join(strays)
        )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="cl_bench_") as tmp:
            rows, ratios = run_backend(f"sqlite:///{tmp}/ledger.db", args)
            print_table(f"SQLite ({tmp}/ledger.db)", args, rows)
            print(f"  SQLite ratios: {ratios}")
    rows, ratios = run_backend(args.database_url, args)
    print_table(DatabaseConfig.from_url(args.database_url).describe(), args, rows)
    print(f"RESULT {ratios}")


def print_table(database: str, args: argparse.Namespace, rows: list[tuple[str, str]]) -> None:
    print(
        f"cheque-ledger benchmark on {database} ({'quick' if args.quick else 'full'}, {os.cpu_count()} cores,"
        f" {args.workers} server worker{'s' if args.workers > 1 else ''})"
    )
    for label, value in rows:
        print(f"  {label:<48} {value}")


def run_backend(url: str, args: argparse.Namespace) -> tuple[list[tuple[str, str]], str]:
    """Every measurement on one database (SQLite's bare ceilings write a file beside it); the table's rows
    and the ratios line."""
    seconds = 5 if args.quick else 20
    cheques_batch = 5_000 if args.quick else 30_000
    config = DatabaseConfig.from_url(url)
    rows = []

    if config.sqlite_path is None:
        fresh_database(url)
        a = ceiling_a(config.conninfo(), seconds=seconds)
        b = ceiling_b(config.conninfo(), rows=20_000 if args.quick else 100_000)
        fresh_database(url)
    else:
        ceilings = config.sqlite_path.with_name("ceilings.db")
        a = sqlite_ceiling_a(ceilings, seconds=seconds)
        b = sqlite_ceiling_b(ceilings, rows=20_000 if args.quick else 100_000)
    rows += [
        ("A bare INSERT+COMMIT, 32 connections", f"{a:,.0f} commits/s"),
        ("B bare executemany, one transaction", f"{b:,.0f} rows/s"),
    ]

    # Enough distinct cheques for the server to redeem at up to 1.5 × A for the whole measurement (a run that
    # runs out sends repeats, refused 409 and counted as non-201).
    cheques_single = max(4_000 if args.quick else 20_000, int(a * seconds * 1.5) // 10 * 10)
    ledger = open_ledger(config, SECRET.encode(), clock=lambda: date(2026, 6, 1))
    key, (single, batch) = ready_for_server(ledger, cheques_single, cheques_batch)

    with running_server(url, args.workers) as server:
        busy = BusyCores()
        wrk = redeem_one_by_one(server, single, key, seconds)
        cores = busy.cores()
        rows += [
            (
                "4 server, 64 clients, one redemption a request",
                f"{wrk.rate:,.0f} redemptions/s  p50 {wrk.p50_ms:.1f} ms  p99 {wrk.p99_ms:.1f} ms  non-201 {wrk.non201} of {wrk.requests}",
            )
        ]
        rows += [("  machine busy meanwhile (all processes)", f"{cores:.2f} of {os.cpu_count()} cores")]
        redeemed, batch_rate = redeem_in_batches(server, batch, key)
        rows += [("5 batch endpoint, 1000 items a request", f"{batch_rate:,.0f} redemptions/s ({redeemed} redeemed)")]
        rss = peak_rss_mb(server.process.pid)

    # C and the rebuild alternate, twice, and the faster of each counts: a neighbour's burst on this shared
    # machine then spoils neither figure alone.
    c = rebuild_rate = 0.0
    for _ in range(2):
        n, decode_s = decode_all(ledger)
        c = max(c, n / decode_s)
        events, rebuild_s = rebuild(ledger, out=io.StringIO())
        rebuild_rate = max(rebuild_rate, events / rebuild_s)
    rows += [
        ("C read and decode every event (best of 2)", f"{c:,.0f} events/s ({n} events)"),
        ("6 full projection rebuild (best of 2)", f"{rebuild_rate:,.0f} events/s"),
        ("7 server peak RSS", f"{rss:.0f} MiB"),
    ]
    ledger.close()
    return (
        rows,
        f"single_ratio={wrk.rate / a:.2f} batch_ratio={batch_rate / b:.2f} rebuild_ratio={rebuild_rate / c:.2f} p99_ms={wrk.p99_ms:.1f} rss_mb={rss:.0f}",
    )


if __name__ == "__main__":
    main()
