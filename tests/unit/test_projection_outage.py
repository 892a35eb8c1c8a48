"""What a projection is blamed for, and what it is not: the database's unavailability is never its failure."""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence

from ledger.connections import database_unavailable as is_outage


def wrapped(error: BaseException, by: type[Exception]) -> Exception:
    try:
        raise by(str(error)) from error
    except Exception as outer:  # noqa: BLE001
        return outer


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("disk I/O error"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.OperationalError("connection failed"),
        psycopg.InterfaceError("the connection is closed"),
        psycopg_pool.PoolTimeout("couldn't get a connection after 30.00 sec"),
        wrapped(psycopg.OperationalError("server closed the connection"), persistence.OperationalError),
    ],
)
def test_the_database_being_unavailable_is_an_outage(error):
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        psycopg.errors.NumericValueOutOfRange("bigint out of range"),
        psycopg.errors.UniqueViolation("duplicate key"),
        sqlite3.IntegrityError("NOT NULL constraint failed"),
        sqlite3.OperationalError("no such table: journal"),  # a mistake, not the database going away
        KeyError("amount_cents"),
        wrapped(ValueError("bad"), persistence.OperationalError),
    ],
)
def test_a_statement_or_a_value_refused_is_not_an_outage(error):
    assert not is_outage(error)
