"""Stored events' bytes, JSON (the releases before issue 17) against MessagePack (``ledger/event_codec.py``).

    python -m bench.codec

Loads the demo into a temporary SQLite ledger, then encodes and decodes each of its events with both
transcoders (through the application's mapper, as the writer and the projections do) and reads the fields the
way ``ledger_views`` does (``raw_fields``). Prints the average size of an event and each rate (the best of 7
rounds, the formats in turn).
"""

from __future__ import annotations

import gc
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Mapper

from api.bootstrap import open_ledger
from api.demo import load_demo
from ledger.config import DatabaseConfig
from ledger.event_codec import CompactTranscoder, json_transcoder, raw_fields
from projections.runner import read_notifications

ROUNDS = 7


def seconds(work: Callable[[], Any]) -> float:
    gc.collect()
    gc.disable()  # a collection of the events kept in memory would land on whichever format ran then
    try:
        t0 = time.perf_counter()
        work()
        return time.perf_counter() - t0
    finally:
        gc.enable()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(
            DatabaseConfig.from_url(f"sqlite:///{Path(tmp) / 'codec.db'}"), b"s" * 32, clock=lambda: date(2026, 11, 28)
        )
        try:
            load_demo(ledger)
            rows = read_notifications(ledger.app.recorder, 1, 1_000_000)
            events = [ledger.app.mapper.to_domain_event(n) for n in rows]
        finally:
            ledger.close()
    n = len(events)
    mappers = {"json": Mapper(transcoder=json_transcoder()), "msgpack": Mapper(transcoder=CompactTranscoder())}
    stored = {name: [m.to_stored_event(e) for e in events] for name, m in mappers.items()}
    best: dict[tuple[str, str], float] = {}
    for _ in range(ROUNDS):  # the two formats in turn, so that the machine's load falls on both alike
        for name, m in mappers.items():
            s = stored[name]
            for op, work in (
                ("encode", lambda m=m: [m.to_stored_event(e) for e in events]),
                ("decode", lambda m=m, s=s: [m.to_domain_event(x) for x in s]),
                ("raw", lambda s=s: [raw_fields(x.state) for x in s]),
            ):
                best[(name, op)] = min(best.get((name, op), float("inf")), seconds(work))
    for name in mappers:
        size = sum(len(x.state) for x in stored[name]) / n
        rates = ", ".join(f"{op} {n / best[(name, op)]:,.0f}/s" for op in ("encode", "decode", "raw"))
        print(f"{name:<8} {n} events, {size:,.0f} B an event; {rates}")


if __name__ == "__main__":
    main()
