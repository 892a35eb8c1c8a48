"""Authenticated API keys cached in the process, and revocation that still takes effect at once.

Loading an ``ApiKey`` aggregate for every request costs a database round trip and event decoding.
Keys are cached by their keyed hash, each entry stamped with the *revocation generation* read before
it was loaded: a counter row (``api_key_generation``) that a revocation increments after its event is
committed and before it is acknowledged. A cached key is trusted only while the generation read for
the request still equals its stamp; otherwise it is loaded again from the events.

The generation must be read *after the request arrived* (a revocation acknowledged before that must be
seen), which would be one query per request. :class:`FreshRead` coalesces them: a request waits for a
read that *started* after it arrived, and one read in flight serves every request that arrived before it
started. So under load one short query serves a whole wave of requests, and a revoked key is refused
by every process and worker from the moment its revocation is acknowledged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from ledger.database import Database

V = TypeVar("V")

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS api_key_generation (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
    "INSERT INTO api_key_generation (id, generation) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
]
MAX_ENTRIES = 10_000
TTL_SECONDS = 60.0  # fallback only: should a generation bump ever be lost, a cached key is reloaded after this


class FreshRead(Generic[V]):
    """``get()`` returns the result of a ``read()`` that began after ``get()`` was called; concurrent
    callers share reads (at most one in flight)."""

    def __init__(self, read: Callable[[], V]) -> None:
        self._read = read
        self._cond = threading.Condition()
        self._started = 0  # reads started so far
        self._done = 0  # number of the last read that completed successfully
        self._running = False
        self._value: V | None = None

    def get(self) -> V:
        with self._cond:
            needed = self._started + 1  # reads already started may have read before we arrived
            while True:
                if self._done >= needed:
                    return self._value  # type: ignore[return-value]
                if not self._running:
                    self._running = True
                    self._started += 1
                    mine = self._started
                    break
                self._cond.wait()
        ok = False
        try:
            value = self._read()
            ok = True
        finally:
            with self._cond:
                self._running = False
                if ok:
                    self._value = value
                    self._done = mine
                self._cond.notify_all()
        return value


class KeyCache(Generic[V]):
    def __init__(self, db: Database) -> None:
        self.db = db
        db.script(SCHEMA)
        self._generation = FreshRead(self._read_generation)
        self._entries: dict[str, tuple[int, float, V]] = {}
        self._lock = threading.Lock()

    def _read_generation(self) -> int:
        row = self.db.query_one("SELECT generation FROM api_key_generation WHERE id = 1")
        return int(row[0]) if row else 0

    def get(self, key_hash: str, load: Callable[[], V | None]) -> V | None:
        """The cached value if no revocation happened since it was loaded, else ``load()`` (not cached if None)."""
        generation = self._generation.get()
        entry = self._entries.get(key_hash)
        now = time.monotonic()
        if entry is not None and entry[0] == generation and now - entry[1] < TTL_SECONDS:
            return entry[2]
        value = load()  # after reading the generation: a revocation committed later bumps it
        with self._lock:
            if value is None:
                self._entries.pop(key_hash, None)
            else:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key_hash] = (generation, now, value)
        return value

    def revoked(self) -> None:
        """Called after a revocation is committed, before it is acknowledged."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE api_key_generation SET generation = generation + 1 WHERE id = 1")
        with self._lock:
            self._entries.clear()
