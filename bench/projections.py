"""Projection speed: rebuild events/s for each projection, and lag under a steady stream of redemptions.

    python -m bench.projections [--events 100000] [--database-url URL] [--rate 100] [--seconds 10]

Prints a table and ``RESULT rebuild_events_per_s=… lag_p50_ms=… lag_max_ms=…``. The baseline in the
same run is decoding every stored event (no projection work): rebuild/decode shows what the projections
themselves cost.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from api.bootstrap import Ledger, open_ledger
from bench.fill import CODE, fill, issue_books
from ledger import types as t
from ledger.config import DatabaseConfig
from projections.process import rebuild
from projections.runner import read_notifications


def decode_all(ledger: Ledger) -> tuple[int, float]:
    start, position, n = time.perf_counter(), 0, 0
    while True:
        notifications = read_notifications(ledger.app.recorder, position + 1, 1000)  # as the projections read
        if not notifications:
            break
        for notification in notifications:
            ledger.app.mapper.to_domain_event(notification)
        n += len(notifications)
        position = notifications[-1].id
    return n, time.perf_counter() - start


def lag(ledger: Ledger, rate: float, seconds: float) -> tuple[list[float], int]:
    """Redeems at ``rate``/s for ``seconds`` while the projections run in the background; returns the
    delay (ms) from each redemption's commit to the projections reaching it."""
    with ledger.db.read() as cur:
        cid = cur.execute("SELECT id FROM commitment_index LIMIT 1").fetchone()[0]
        structure_id = cur.execute(
            "SELECT structure_id FROM cheque_index WHERE structure_id IS NOT NULL LIMIT 1"
        ).fetchone()[0]
        beneficiary_id = cur.execute("SELECT beneficiary_id FROM cheque_index LIMIT 1").fetchone()[0]
    from uuid import UUID

    cheques = issue_books(ledger, UUID(cid), UUID(beneficiary_id), int(rate * seconds / 10) + 1)
    ledger.views.catch_up()
    actor = t.Actor(role="structure", org=structure_id)
    committed: list[tuple[int, float]] = []
    delays: list[float] = []
    ledger.views.start(interval=0.01)
    done = threading.Event()

    def watch() -> None:
        pending = 0
        while not done.is_set() or pending < len(committed):
            position = ledger.views.position()
            now = time.perf_counter()
            while pending < len(committed) and committed[pending][0] <= position:
                delays.append((now - committed[pending][1]) * 1000)
                pending += 1
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    for i, c in enumerate(cheques[: int(rate * seconds)]):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        ledger.redeem(
            actor,
            t.NewRedemption(
                serial=c.serial,
                code=CODE,
                session=t.Session(date=ledger.today(), kind="individual", duration_minutes=30),
            ),
        )
        committed.append((ledger.views.head(), time.perf_counter()))
    done.set()
    watcher.join(timeout=60)
    ledger.views.stop()
    return delays, len(committed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rate", type=float, default=100.0, help="redemptions per second for the lag test")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    ledger = open_ledger(DatabaseConfig.from_url(url), b"bench-secret", clock=lambda: date(2026, 6, 1))
    t0 = time.perf_counter()
    total = fill(ledger, args.events)
    print(f"backend: {ledger.config.describe()}  events: {total}  (filled in {time.perf_counter() - t0:.1f} s)")
    n, decode_s = decode_all(ledger)
    print(f"{'step':<28}{'events':>10}{'seconds':>10}{'events/s':>12}{'÷ decode':>10}")
    print(f"{'decode every event':<28}{n:>10}{decode_s:>10.2f}{n / decode_s:>12,.0f}{1:>10.2f}")
    for name in [*ledger.views.projections, None]:
        events, seconds = rebuild(ledger, name, out=io.StringIO())
        label = f"rebuild {name}" if name else "rebuild all (one pass)"
        print(
            f"{label:<28}{events:>10}{seconds:>10.2f}{events / seconds:>12,.0f}{(events / seconds) / (n / decode_s):>10.2f}"
        )
    all_s = seconds
    delays, count = lag(ledger, args.rate, args.seconds)
    p50 = statistics.median(delays) if delays else float("nan")
    p99 = sorted(delays)[int(len(delays) * 0.99) - 1] if delays else float("nan")
    print(
        f"lag at {args.rate:.0f} redemptions/s for {args.seconds:.0f} s ({count} redemptions): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(delays):.1f} ms"
    )
    print(
        f"RESULT rebuild_events_per_s={n / all_s:.0f} rebuild_ratio={(n / all_s) / (n / decode_s):.2f} lag_p50_ms={p50:.1f} lag_max_ms={max(delays):.1f}"
    )
    ledger.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
