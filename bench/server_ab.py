"""Two versions of the server under the same load, alternating, on one PostgreSQL database filled afresh
for every run: an A/B that a noisy machine does not decide by itself.

    git worktree add /tmp/base <commit>
    python -m bench.server_ab --root /tmp/base --root . [--rounds 3] [--mode single|batch] [--seconds 10]

Each round runs each root once, in the order given. Single: 64 wrk connections redeeming distinct cheques
(as step 4 of ``python -m bench``); batch: 4 clients posting 1000-item batches. Per run: redemptions/s,
p50, p99 and p99 ÷ p50 (the tail's shape: p50 follows the machine's speed of the moment, and p99 with it),
the machine's busy cores and its CPU time per redemption (all processes, wrk included). The measuring
code (this file, the fill, the load) is the current checkout's; only the server comes from each root.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from api.bootstrap import open_ledger
from bench.fill import ready_for_server
from bench.group_commit import fresh_database
from bench.machine import BusyCores, stray_servers
from bench.server import SECRET, redeem_in_batches, redeem_one_by_one, running_server
from ledger.config import DatabaseConfig


def one_run(url: str, root: Path, mode: str, seconds: int, cheques: int, connections: int, workers: int) -> str:
    fresh_database(url)
    ledger = open_ledger(DatabaseConfig.from_url(url), SECRET.encode(), clock=lambda: date(2026, 6, 1))
    try:
        key, (issued,) = ready_for_server(ledger, cheques)
    finally:
        ledger.close()
    with running_server(url, workers, root) as server:
        busy = BusyCores()
        if mode == "single":
            wrk = redeem_one_by_one(server, issued, key, seconds, connections)
            redeemed, cores = wrk.requests - wrk.non201, busy.cores()
            line = (
                f"{wrk.rate:8,.0f}/s  p50 {wrk.p50_ms:5.1f} ms  p99 {wrk.p99_ms:5.1f} ms  p99/p50 {wrk.p99_ms / wrk.p50_ms:4.2f}"
                f"  non-201 {wrk.non201}"
            )
            elapsed = wrk.seconds
        else:
            redeemed, rate = redeem_in_batches(server, issued, key)
            cores, elapsed = busy.cores(), redeemed / rate
            line = f"{rate:8,.0f}/s ({redeemed} redeemed)"
    return f"{line}  busy {cores:.2f} cores  {cores * elapsed / max(1, redeemed) * 1e6:4.0f} µs CPU each"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", type=Path, required=True, help="a checkout (give two or more)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", choices=["single", "batch"], default="single")
    parser.add_argument("--seconds", type=int, default=10, help="single: wrk's duration")
    parser.add_argument("--cheques", type=int, default=60_000, help="issued before each run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_bench_ab")
    args = parser.parse_args()
    if strays := stray_servers():
        sys.exit("another cheque-ledger server is running; stop it first:\n" + "\n".join(strays))
    for round_ in range(1, args.rounds + 1):
        for root in args.root:
            result = one_run(
                args.database_url, root.resolve(), args.mode, args.seconds, args.cheques, args.connections, args.workers
            )
            print(f"round {round_}  {os.fspath(root):<24} {result}", flush=True)


if __name__ == "__main__":
    main()
