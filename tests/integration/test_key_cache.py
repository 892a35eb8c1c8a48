"""API keys are cached in the process; a revoked key is refused at once, by every process."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ledger import types as t
from ledger.key_cache import AsyncFreshRead, FreshRead
from tests import scenario as s


def test_a_revoked_key_is_refused_at_once_in_the_same_ledger(ledger):
    key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="observatory"))
    for _ in range(3):  # cached after the first
        assert ledger.authenticate(key.key) == t.Actor(role="observatory", key_id=str(key.id))
    ledger.revoke_api_key(s.ADMIN, str(key.id))
    assert ledger.authenticate(key.key) is None
    assert ledger.authenticate("cl_unknown") is None


def test_a_key_revoked_through_another_process_is_refused_at_once(make_ledger):
    serving = make_ledger()  # a server process (or worker) that has the key cached
    other = make_ledger()  # another one, where the revocation arrives
    w = s.world(other)
    key = other.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id)))
    other_key = other.create_api_key(s.ADMIN, t.NewApiKey(role="observatory"))
    assert serving.authenticate(key.key).org == str(w.structure.id)
    assert serving.authenticate(other_key.key) is not None
    other.revoke_api_key(s.ADMIN, str(key.id))
    assert serving.authenticate(key.key) is None  # no delay, no expiry to wait for
    assert serving.authenticate(other_key.key) is not None  # the others still work (reloaded)
    assert other.authenticate(key.key) is None


class SlowSource:
    """A value read slowly (it may change during a read), counting its reads."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0

    def read(self) -> int:
        self.reads += 1
        seen = self.value
        time.sleep(0.02)
        return seen


def test_fresh_read_only_answers_with_a_read_begun_after_the_call():
    source = SlowSource()
    fresh = FreshRead(source.read)
    assert fresh.get() == 0
    source.value = 1
    assert fresh.get() == 1  # sequential calls never reuse an older read

    # many concurrent callers share reads, and each gets a value read after it arrived
    results: list[int] = []
    barrier = threading.Barrier(20)

    def call():
        barrier.wait()
        results.append(fresh.get())

    source.value = 2
    before = source.reads
    threads = [threading.Thread(target=call) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [2] * 20
    assert source.reads - before < 20


def test_fresh_read_reports_a_failed_read_and_recovers():
    calls = [0]

    def read():
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("database away")
        return 7

    fresh = FreshRead(read)
    try:
        fresh.get()
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure must reach the caller")
    assert fresh.get() == 7


def test_async_fresh_read_answers_with_a_read_begun_after_the_call_and_shares_reads():
    source = SlowSource()

    async def scenario():
        fresh = AsyncFreshRead(source.read)
        assert await fresh.get() == 0
        source.value = 1
        assert await fresh.get() == 1  # sequential calls never reuse an older read
        first = asyncio.ensure_future(fresh.get())  # starts a read that sees 1
        await asyncio.sleep(0.005)
        source.value = 2  # changed while that read runs: later arrivals must not be served by it
        later = [asyncio.ensure_future(fresh.get()) for _ in range(30)]
        before = source.reads
        assert await first == 1
        assert await asyncio.gather(*later) == [2] * 30
        assert source.reads - before == 1  # the 30 late arrivals shared one read

    asyncio.run(scenario())


def test_async_fresh_read_reports_a_failed_read_to_its_waiters_and_recovers():
    calls = [0]

    def read():
        calls[0] += 1
        time.sleep(0.01)
        if calls[0] == 1:
            raise RuntimeError("database away")
        return 7

    async def scenario():
        fresh = AsyncFreshRead(read)
        outcomes = await asyncio.gather(fresh.get(), fresh.get(), return_exceptions=True)
        assert [type(o) for o in outcomes] == [RuntimeError, RuntimeError]
        assert await fresh.get() == 7

    asyncio.run(scenario())


def test_async_fresh_read_survives_a_cancelled_caller():
    def read():
        time.sleep(0.02)
        return 5

    async def scenario():
        fresh = AsyncFreshRead(read)
        starter = asyncio.ensure_future(fresh.get())
        await asyncio.sleep(0)
        waiter = asyncio.ensure_future(fresh.get())
        await asyncio.sleep(0.005)
        starter.cancel()  # the read it started goes on for the others
        assert await waiter == 5
        with pytest.raises(asyncio.CancelledError):
            await starter

    asyncio.run(scenario())


def test_authenticate_async_refuses_a_key_revoked_by_another_process_at_once(make_ledger):
    serving, other = make_ledger(), make_ledger()
    w = s.world(other)
    key = other.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id)))

    async def authenticate(presented):
        return await serving.authenticate_async(presented)

    assert asyncio.run(authenticate(key.key)).org == str(w.structure.id)
    assert asyncio.run(authenticate(key.key)).org == str(w.structure.id)  # from the cache, on a new loop too
    other.revoke_api_key(s.ADMIN, str(key.id))
    assert asyncio.run(authenticate(key.key)) is None
    assert asyncio.run(authenticate("cl_unknown")) is None


def test_keys_taken_from_the_cache_are_verified_against_one_fresh_read(make_ledger):
    from ledger.access import hash_key

    serving, other = make_ledger(), make_ledger()
    w = s.world(other)
    kept = other.create_api_key(s.ADMIN, t.NewApiKey(role="structure", org=str(w.structure.id)))
    gone = other.create_api_key(s.ADMIN, t.NewApiKey(role="observatory"))
    for key in (kept, gone):
        assert serving.authenticate(key.key) is not None
    cached = [serving.key_cache.peek(hash_key(serving.secret, key.key)) for key in (kept, gone)]
    assert serving.verify_keys(cached) == [True, True]
    other.revoke_api_key(s.ADMIN, str(gone.id))
    assert serving.key_cache.peek(hash_key(serving.secret, gone.key)) is not None  # still cached here
    assert serving.verify_keys(cached) == [True, False]  # the kept key is reloaded and still the same
