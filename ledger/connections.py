"""When the database goes away: which errors say so, and getting live connections back without a restart.

- ``database_unavailable(exc)``: the database is unreachable, lost the connection, timed out a lock or a
  pool: answered 503 ``service-unavailable`` with ``Retry-After`` (``service_unavailable``), never 500.
  SQLite's ``OperationalError`` also reports mistakes in SQL ("no such table"): only its busy, locked and
  I/O errors count; any other error stays a 500 (a fault of ours, logged).
- ``CheckOnCheckout``: the ``check`` of a psycopg pool. A connection the server closed (terminated,
  restarted) while it sat in the pool has something to read (the server's goodbye, or the end of the
  stream): only such a connection is pinged, so a live one costs a ``poll`` and no round trip (psycopg's
  ``check_connection`` pings every checkout: a round trip each, several per request).
  A failed ping sweeps the whole pool at once (``ConnectionPool.check``): after a storm of terminated
  connections the next checkout gets a live one, instead of meeting the dead ones one by one (the pool
  waits 1 s, then 2 s, … between failed checks).
- ``read_again_if_lost(read)``: a read whose connection died under it is run once more (a read has no
  effect: running it again is safe). Writes are never retried here (``docs/architecture.md``, "When the
  database goes away").
"""

from __future__ import annotations

import select
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import psycopg
import psycopg_pool
from eventsourcing import persistence

from domain import errors

T = TypeVar("T")

DETAIL = "La base de données ne répond pas pour le moment ; réessayez dans quelques secondes."
SQLITE_UNAVAILABLE = (
    "database is locked",
    "database is busy",
    "database table is locked",
    "disk i/o error",
    "unable to open database file",
)
POOL_ERRORS = (psycopg_pool.PoolTimeout, psycopg_pool.PoolClosed, psycopg_pool.TooManyRequests)


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The error and those it wraps (``raise … from``), outermost first."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is unavailable (rather than a fault of the ledger's). The error and
    those it wraps are looked at: eventsourcing's wrappers are judged by what they wrap."""
    for e in causes(exc):
        if isinstance(e, sqlite3.Error):  # the first cause from SQLite decides
            return isinstance(e, sqlite3.OperationalError) and any(m in str(e).lower() for m in SQLITE_UNAVAILABLE)
        if isinstance(e, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True  # connection lost or refused, server shutting down, lock or pool timeout, …
        if isinstance(e, persistence.ConnectionUnavailableError):
            return True  # eventsourcing's own pool (SQLite's) timed out
    return False


def service_unavailable(exc: BaseException) -> errors.DomainError | None:
    """The 503 refusal for a database error (nothing of the error in it), or None for any other error."""
    if isinstance(exc, errors.DomainError) or not database_unavailable(exc):
        return None
    refusal = errors.ServiceUnavailable(DETAIL)
    refusal.__cause__ = exc
    return refusal


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection it ran on is gone (not a timeout, nor a pool out of connections)."""
    for e in causes(exc):
        if isinstance(e, (*POOL_ERRORS, psycopg.errors.PipelineAborted)):
            return False
        if isinstance(e, psycopg.OperationalError):
            # no SQLSTATE: the client saw the connection end; 08: connection exception; 57P: server shutdown
            return e.sqlstate is None or e.sqlstate.startswith(("08", "57P"))
    return False


def read_again_if_lost(read: Callable[[], T]) -> T:
    """``read()``, run once more if its connection died under it. For reads only."""
    try:
        return read()
    except Exception as e:
        if not connection_lost(e):
            raise
    return read()


def has_input(conn: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection has something to read (raises if it is already known to be broken)."""
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


class CheckOnCheckout:
    """A psycopg pool's ``check`` (module docstring). ``install(pool)`` puts it on an existing pool."""

    def __init__(self) -> None:
        self._pool: Callable[[], psycopg_pool.ConnectionPool | None] = lambda: None

    def attach(self, pool: psycopg_pool.ConnectionPool) -> None:
        self._pool = weakref.ref(pool)

    @classmethod
    def install(cls, pool: psycopg_pool.ConnectionPool) -> None:
        """For a pool made by a library (eventsourcing's datastore makes its own, with a ``check`` that pings
        every checkout or none): psycopg_pool keeps the callback in ``_check``."""
        assert hasattr(pool, "_check"), "psycopg_pool keeps its check callback elsewhere: update CheckOnCheckout"
        check = cls()
        check.attach(pool)
        pool._check = check  # type: ignore[attr-defined]

    def __call__(self, conn: psycopg.Connection[Any]) -> None:
        if conn.closed:
            raise psycopg.OperationalError("the connection is closed")
        if not has_input(conn):
            return
        try:
            psycopg_pool.ConnectionPool.check_connection(conn)
        except Exception:
            pool = self._pool()
            if pool is not None:
                pool.check()  # the others went the same way, most likely: drop them all now
            raise
