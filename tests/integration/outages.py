"""A lost database connection, on demand, for tests of what is (and is not) blamed on a projection."""

from __future__ import annotations

import sqlite3

from ledger.database import Cursor
from tests.conftest import BACKEND

LOSE_CONNECTION = "SELECT pg_terminate_backend(pg_backend_pid())"


def losing_connections(monkeypatch) -> str:
    """A statement that loses its connection: PostgreSQL terminates it; on SQLite, which has none to lose,
    it fails as a failing disk does."""
    if BACKEND != "postgres":
        real = Cursor.execute

        def execute(self, sql, params=()):
            if sql == LOSE_CONNECTION:
                raise sqlite3.OperationalError("disk I/O error")
            return real(self, sql, params)

        monkeypatch.setattr(Cursor, "execute", execute)
    return LOSE_CONNECTION
