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

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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


class AsyncFreshRead(Generic[V]):
    """``FreshRead`` for one event loop: ``await get()`` returns a read that began after it was called; the
    read runs in a thread, and one read serves every caller that arrived before it started (so under load a
    wave of requests costs one thread hop, not one each)."""

    def __init__(self, read: Callable[[], V]) -> None:
        self._read = read
        self._started = 0
        self._done = 0
        self._value: V | None = None
        self._running: asyncio.Future | None = None

    async def get(self) -> V:
        needed = self._started + 1
        while self._done < needed:
            running = self._running
            if running is None:
                self._started += 1
                running = self._running = asyncio.get_running_loop().run_in_executor(None, self._read)
                running.add_done_callback(partial(self._finished, mine=self._started))
            await asyncio.wait([running])  # never raises, and never cancels the shared read
            if self._done < needed and not running.cancelled() and running.exception() is not None:
                raise running.exception()  # type: ignore[misc]
        return self._value  # type: ignore[return-value]

    def _finished(self, read: asyncio.Future, mine: int) -> None:
        self._running = None
        if not read.cancelled() and read.exception() is None:
            self._value, self._done = read.result(), mine


@dataclass(frozen=True)
class CachedKey(Generic[V]):
    """A key taken from the cache without reading the revocation generation: the group-commit writer checks
    ``generation`` against a read it makes for its whole batch, before deciding (``Ledger.verify_keys``)."""

    key_hash: str
    generation: int
    value: V


class RevokedSinceCached(Exception):
    """The key was revoked (or changed) after it was cached: the request is answered as unauthenticated."""


class KeyCache(Generic[V]):
    def __init__(self, db: Database) -> None:
        self.db = db
        db.script(SCHEMA)
        self._generation = FreshRead(self._read_generation)
        self._async_generation: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop
        self._entries: dict[str, tuple[int, float, V]] = {}
        self._lock = threading.Lock()

    def _read_generation(self) -> int:
        row = self.db.query_one("SELECT generation FROM api_key_generation WHERE id = 1")
        return int(row[0]) if row else 0

    def get(self, key_hash: str, load: Callable[[], V | None]) -> V | None:
        """The cached value if no revocation happened since it was loaded, else ``load()`` (not cached if None)."""
        return self.lookup(key_hash, self._generation.get(), load)

    def lookup(self, key_hash: str, generation: int, load: Callable[[], V | None]) -> V | None:
        """The cached value if it was stamped with ``generation`` (a read made after the caller arrived),
        else ``load()`` stamped with it (not cached if None)."""
        now = time.monotonic()
        if (hit := self._fresh(key_hash, generation, now)) is not None:
            return hit
        return self._store(key_hash, generation, now, load())  # loaded after reading the generation

    async def get_async(self, key_hash: str, load: Callable[[], V | None]) -> V | None:
        """``get`` on an event loop: the generation read is shared by the loop's waiting requests."""
        loop = asyncio.get_running_loop()
        reader = self._async_generation.get(loop)
        if reader is None:
            reader = self._async_generation[loop] = AsyncFreshRead(self._read_generation)
        generation = await reader.get()
        now = time.monotonic()
        if (hit := self._fresh(key_hash, generation, now)) is not None:
            return hit
        return self._store(key_hash, generation, now, await loop.run_in_executor(None, load))

    def peek(self, key_hash: str) -> CachedKey[V] | None:
        """The cached entry, whatever revocations happened since (the caller must check its generation)."""
        entry = self._live(key_hash, time.monotonic())
        return None if entry is None else CachedKey(key_hash, entry[0], entry[2])

    def generation(self) -> int:
        """The revocation generation, read after this call (shared with concurrent callers)."""
        return self._generation.get()

    def _live(self, key_hash: str, now: float) -> tuple[int, float, V] | None:
        """The entry (generation, stored at, value) if cached less than ``TTL_SECONDS`` ago."""
        entry = self._entries.get(key_hash)
        return entry if entry is not None and now - entry[1] < TTL_SECONDS else None

    def _fresh(self, key_hash: str, generation: int, now: float) -> V | None:
        entry = self._live(key_hash, now)
        return entry[2] if entry is not None and entry[0] == generation else None

    def _store(self, key_hash: str, generation: int, now: float, value: V | None) -> V | None:
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
