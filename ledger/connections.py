"""When the database goes away: which errors say so.

- ``database_unavailable(exc)``: the database is unreachable, lost the connection, timed out a lock or a
  pool: answered 503 ``service-unavailable`` with ``Retry-After`` (``service_unavailable``), never 500.
  SQLite's ``OperationalError`` also reports mistakes in SQL ("no such table"): only its busy, locked and
  I/O errors count; any other error stays a 500 (a fault of ours, logged).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
from eventsourcing import persistence

from domain import errors

DETAIL = "La base de données ne répond pas pour le moment ; réessayez dans quelques secondes."
SQLITE_UNAVAILABLE = ("database is locked", "database is busy", "database table is locked", "disk i/o error", "unable to open database file")


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The error and those it wraps (``raise … from``), outermost first."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is unavailable (rather than a fault of the ledger's)."""
    wrapped = False
    for e in causes(exc):
        if isinstance(e, sqlite3.Error):  # the first cause from SQLite decides
            return isinstance(e, sqlite3.OperationalError) and any(m in str(e).lower() for m in SQLITE_UNAVAILABLE)
        if isinstance(e, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True  # connection lost or refused, server shutting down, lock or pool timeout, …
        if isinstance(e, (persistence.OperationalError, persistence.InterfaceError)):
            wrapped = True  # eventsourcing's: judged by what it wraps, if anything
    return wrapped


def service_unavailable(exc: BaseException) -> errors.DomainError | None:
    """The 503 refusal for a database error (nothing of the error in it), or None for any other error."""
    if isinstance(exc, errors.DomainError) or not database_unavailable(exc):
        return None
    refusal = errors.ServiceUnavailable(DETAIL)
    refusal.__cause__ = exc
    return refusal
