"""The admin's list of API keys with many keys: the first page (200, newest first) as the accounts page reads it.

    python -m bench.api_keys DATABASE_URL [--keys 5000] [--calls 50]

Creates ``--keys`` observatory keys in the (empty) database, then times ``AccountReads.api_keys(limit=200)``.
Prints ``RESULT api_keys keys=… create_per_s=… p50_ms=… p95_ms=…``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from api.bootstrap import open_ledger
from ledger import types as t
from ledger.config import DatabaseConfig

ADMIN = t.Actor(role="admin", key_id="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--keys", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    ledger = open_ledger(DatabaseConfig.from_url(args.url), b"bench-secret-" * 3)
    start = time.perf_counter()
    for _ in range(args.keys):
        ledger.create_api_key(ADMIN, t.NewApiKey(role="observatory"))
    rate = args.keys / (time.perf_counter() - start)
    ledger.api_keys(ADMIN, limit=200)  # the projection caught up
    times = []
    for _ in range(args.calls):
        began = time.perf_counter()
        ledger.api_keys(ADMIN, limit=200)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"RESULT api_keys keys={args.keys} create_per_s={rate:.0f}"
        f" p50_ms={statistics.median(times):.2f} p95_ms={p95:.2f}"
    )


if __name__ == "__main__":
    main()
