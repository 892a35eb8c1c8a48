"""The ledger's own tables (beside the event store), on SQLite or PostgreSQL, with one SQL dialect.

Statements are written with ``?`` placeholders and portable SQL (``ON CONFLICT`` works on both);
for PostgreSQL the placeholders become ``%s``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import msgspec

from ledger.config import PG_SESSION_OPTIONS, DatabaseConfig
from ledger.connections import CheckOnCheckout, read_again_if_lost

_JSON = msgspec.json.Encoder()


class Cursor:
    def __init__(self, raw: Any, postgres: bool) -> None:
        self._raw = raw
        self._postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self._postgres:
            sql = sql.replace("?", "%s")
        self._raw.execute(sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._postgres:
            sql = sql.replace("?", "%s")
        self._raw.executemany(sql, [tuple(r) for r in rows])

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Inserts many rows: PostgreSQL ``COPY`` (one stream, not a statement per row), SQLite ``executemany``."""
        if not rows:
            return
        if self._postgres:
            with self._raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self._raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [tuple(r) for r in rows])

    def update_rows(
        self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], types: dict[str, str]
    ) -> None:
        """``UPDATE table SET columns WHERE key = …`` for many rows (each row: the columns' values, then the
        key). PostgreSQL: one statement over all the rows (``execute_over_rows``; ``types`` gives each column's
        SQL type); SQLite: ``executemany``."""
        if not rows:
            return
        if not self._postgres:
            sets = ", ".join(f"{c} = ?" for c in columns)
            self._raw.executemany(f"UPDATE {table} SET {sets} WHERE {key} = ?", [tuple(r) for r in rows])
            return
        sets = ", ".join(f"{c} = v.{c}" for c in columns)
        self.execute_over_rows(
            f"UPDATE {table} AS t SET {sets} FROM {{rows}} WHERE t.{key} = v.{key}", [*columns, key], types, rows
        )

    def execute_over_rows(
        self, sql: str, columns: Sequence[str], types: dict[str, str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Runs ``sql`` over many rows at once: ``{rows}`` in it stands for a source ``v`` with ``columns``
        (PostgreSQL: the rows as one JSON array, ``types`` giving each column's SQL type: psycopg dumps a
        list of text in Python, element by element, eight times slower than msgspec encodes the lot; SQLite:
        the rows inserted into a temporary table of the connection, then the statement once over it: a
        statement per row cost a rebuild twice its time)."""
        if not rows:
            return
        if self._postgres:
            picks = ", ".join(f"(e->>{i})::{types.get(c, 'text')} AS {c}" for i, c in enumerate(columns))
            source = f"(SELECT {picks} FROM jsonb_array_elements(%s::jsonb) AS e) AS v"
            self._raw.execute(sql.format(rows=source), (_JSON.encode(rows).decode(),))
            return
        table = "rows_" + "_".join(columns)
        self._raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
        self._raw.execute(f"DELETE FROM {table}")
        marks = ", ".join("?" * len(columns))
        self._raw.executemany(f"INSERT INTO {table} VALUES ({marks})", [tuple(r) for r in rows])
        self._raw.execute(sql.format(rows=f"temp.{table} AS v"))

    def fetchone(self) -> tuple | None:
        row = self._raw.fetchone()
        return tuple(row) if row is not None else None

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._raw.fetchall()]

    @property
    def returns_rows(self) -> bool:
        """Whether the statement just run returns rows (a query, or ``RETURNING``)."""
        return self._raw.description is not None

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount


class Database:
    """Connections for the ledger's own tables. ``transaction()`` is a write transaction
    (SQLite: ``BEGIN IMMEDIATE``); ``read()`` a read-only snapshot."""

    def __init__(self, config: DatabaseConfig) -> None:
        self.config = config
        self.postgres = config.kind == "postgres"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._pool = None
        if self.postgres:
            from psycopg_pool import ConnectionPool

            check = CheckOnCheckout()  # connections the server closed are replaced at checkout
            self._pool = ConnectionPool(
                config.conninfo(),  # with target_session_attrs, when several hosts are given
                kwargs={"options": PG_SESSION_OPTIONS},
                min_size=1,
                max_size=20,
                open=True,
                check=check,
            )
            check.attach(self._pool)
        else:
            assert config.sqlite_path is not None
            config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            with self._sqlite() as conn:
                conn.execute("PRAGMA journal_mode=WAL")

    def _sqlite(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                str(self.config.sqlite_path), isolation_level=None, timeout=30, check_same_thread=False
            )
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            self._all.append(conn)
        return conn

    def transaction(self) -> AbstractContextManager[Cursor]:
        """A write transaction (SQLite: the write lock is taken at once)."""
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> AbstractContextManager[Cursor]:
        """A read-only snapshot."""
        return self._transaction("BEGIN")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Cursor]:
        if self.postgres:
            assert self._pool is not None
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                yield Cursor(cur, True)
            return
        sqlite = self._sqlite()
        cursor = sqlite.cursor()
        cursor.execute(begin)
        try:
            yield Cursor(cursor, False)
        except BaseException:
            sqlite.execute("ROLLBACK")
            raise
        else:
            sqlite.execute("COMMIT")

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """One row of one read-only statement, outside any explicit transaction (PostgreSQL: in autocommit,
        one round trip instead of BEGIN, the query and COMMIT). Run once more if the connection died under it."""
        if self.postgres:
            return read_again_if_lost(lambda: self._query_one_pg(sql, params))
        row = self._sqlite().execute(sql, tuple(params)).fetchone()
        return tuple(row) if row is not None else None

    def _query_one_pg(self, sql: str, params: Sequence[Any]) -> tuple | None:
        assert self._pool is not None
        with self._pool.connection() as conn:
            conn.autocommit = True
            try:
                row = conn.execute(sql.replace("?", "%s"), tuple(params), prepare=True).fetchone()
            finally:
                if not conn.closed:
                    conn.autocommit = False
        return tuple(row) if row is not None else None

    def script(self, statements: Sequence[str]) -> None:
        with self.transaction() as cur:
            for statement in statements:
                cur.execute(statement)

    def checkpoint(self) -> None:
        """SQLite: move the WAL into the main file and truncate it, so erased bytes leave the WAL."""
        if not self.postgres:
            self._sqlite().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def compact(self, table: str) -> None:
        """Make deleted rows of ``table`` unrecoverable from the database files.

        SQLite: ``secure_delete`` already zeroed the freed cells; truncating the WAL drops old
        frames. PostgreSQL: ``VACUUM FULL`` rewrites the table into a new file without them."""
        if self.postgres:
            assert self._pool is not None
            with self._pool.connection() as conn:
                conn.autocommit = True
                conn.execute(f"VACUUM FULL {table}")
                conn.autocommit = False
        else:
            self.checkpoint()

    def vacuum(self, tables: Sequence[str]) -> None:
        """PostgreSQL: ``VACUUM`` the tables (dead row versions' space made reusable; the file is not shrunk).
        SQLite reuses a file's free pages by itself: nothing to do."""
        if self.postgres and tables:
            assert self._pool is not None
            with self._pool.connection() as conn:
                conn.autocommit = True  # VACUUM runs outside a transaction
                try:
                    conn.execute(f"VACUUM {', '.join(tables)}")
                finally:
                    conn.autocommit = False

    def release_thread(self) -> None:
        """Closes this thread's own SQLite connection (for a thread that ends before the database does)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            self._all.remove(conn)
            conn.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()
