"""Running the projections outside the request path: as their own process, and rebuilding them.

``cheque-ledger project`` keeps every projection caught up (polling; a crash at any moment is safe
because each batch commits with its position). ``cheque-ledger rebuild [NAME]`` drops and rebuilds,
showing events/s and an ETA.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any, TextIO


class ProgressBar:
    def __init__(self, name: str, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.name, self.out, self.width = name, out, width
        self.start = time.monotonic()
        self.events = 0

    def __call__(self, position: int, target: int, events: int) -> None:
        self.events += events
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.events / elapsed
        done = position / target if target else 1.0
        eta = (target - position) / rate if rate and target > position else 0.0
        bar = "#" * int(done * self.width)
        self.out.write(
            f"\r{self.name:<14} [{bar:<{self.width}}] {done:6.1%}  {self.events} events  {rate:,.0f} events/s  ETA {eta:5.1f} s"
        )
        self.out.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.start
        self.out.write("\n")
        return elapsed


def rebuild(ledger: Any, name: str | None = None, out: TextIO = sys.stderr) -> tuple[int, float]:
    """Rebuilds one projection (or all, in one pass over the events); returns (events, seconds)."""
    bar = ProgressBar(name or "all", out)
    ledger.views.rebuild(name, progress=bar)
    return bar.events, bar.finish()


def run_forever(ledger: Any, interval: float = 0.1, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            signal.signal(sig, lambda *_: stop.set())
        except ValueError:  # not the main thread
            break
    while not stop.is_set():
        ledger.views.catch_up()
        stop.wait(interval)


def main() -> None:
    """``python -m projections.process`` = ``cheque-ledger project`` (uses LEDGER_DATABASE_URL)."""
    from ledger.ledger import LedgerCommands
    from projections.catalogue import projection_set
    from projections.command_reads import LedgerViewsCommandReads

    ledger = LedgerCommands.from_env(views=projection_set, command_reads=LedgerViewsCommandReads)
    try:
        run_forever(ledger)
    finally:
        ledger.close()


if __name__ == "__main__":
    main()
