"""What sealing events into the Merkle log costs the redemption path, in one process, alternating:
``python -m bench.merkle_cost [--rounds 2] [--cheques 6000] [--database-url …]``.

Each round runs ``bench.group_commit``'s service-level redemption (64 threads, no HTTP) twice on a fresh
database: with the product's sealing, and with ``Sealer.statement`` answering "nothing to seal" (the plain
insert statement; everything else the same code). On a machine shared with other work this A/B, same process and same code, says more
than two servers' throughputs. It also times the hashing of the leaves (done before the table lock); the
sealing itself runs in PostgreSQL, in the insert's pipeline.
"""

from __future__ import annotations

import argparse
import time

from bench.group_commit import run
from ledger import merkle_store

REAL = merkle_store.Sealer.statement


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/cl_bench_merkle_cost")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cheques", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=64)
    args = parser.parse_args()
    spent = {"seconds": 0.0, "calls": 0, "events": 0}

    def timed(events):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        statement = REAL(events)
        spent["seconds"] += time.perf_counter() - t0
        spent["calls"] += 1
        spent["events"] += len(events)
        return statement

    for round_ in range(1, args.rounds + 1):
        for mode, group_commit in (("group commit", True), ("one per command", False)):
            for label, seal in (("sealed", timed), ("no seal", lambda events: None)):
                merkle_store.Sealer.statement = staticmethod(seal)  # type: ignore[method-assign,assignment]
                spent.update(seconds=0.0, calls=0, events=0)
                rate, p50, p99, refused = run(args.database_url, group_commit, args.threads, args.cheques)
                extra = ""
                if spent["calls"]:
                    extra = (
                        f"  leaves hashed in {spent['seconds'] / spent['events'] * 1e6:4.1f} µs/event"
                        f" ({spent['events'] / spent['calls']:.1f} events a transaction)"
                    )
                print(
                    f"round {round_}  {mode:<16} {label:<8} {rate:7,.0f} redemptions/s  p50 {p50:6.1f} ms"
                    f"  p99 {p99:6.1f} ms  refused {refused}{extra}",
                    flush=True,
                )
    merkle_store.Sealer.statement = staticmethod(REAL)  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    main()
