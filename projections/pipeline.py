"""The transactions of a catch-up: one a batch of events, run in the calling thread or by a writer thread.

Each transaction locks the tracking rows, checks they still hold the positions the batch was built on,
runs the batch's statements, stores the new positions and commits. In the calling thread (``Inline``) that
is the plain sequential catch-up. With ``Pipelined`` a writer thread, on its own connection, runs the
statements in the order they were given while the caller already applies the next batch: Python's work on
batch k+1 overlaps the database's on batch k (a rebuild spends about as long in each).

The order of statements is never changed, and a statement whose result is asked for (``fetchone``,
``fetchall``, ``rowcount``) makes the caller wait until the writer has run it and everything before it, so a
handler that reads what an earlier batch wrote still sees it: pipelining changes when statements run, never
what they see. At most one transaction is being written while the next is built. If another process moved
a position between two of them, the writer rolls back and refuses every transaction after it
(``PositionsMoved``): the catch-up starts again from the stored positions.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from ledger.database import Cursor, Database

Positions = dict[str, int]
POSITIONS_SQL = "SELECT name, position FROM projection_tracking WHERE name IN ({marks}){lock}"
STORE_SQL = "UPDATE projection_tracking SET position = ? WHERE name = ?"


class PositionsMoved(Exception):
    """Another process advanced a projection between two transactions of this catch-up."""


def read_positions(cur: Cursor, names: Sequence[str], lock: bool = False) -> Positions:
    """The tracking positions of ``names``; with ``lock`` (PostgreSQL) their rows stay locked until the
    transaction ends (SQLite's write transaction holds its whole database already)."""
    suffix = " ORDER BY name FOR UPDATE" if lock else ""
    rows = cur.execute(POSITIONS_SQL.format(marks=", ".join("?" * len(names)), lock=suffix), sorted(names)).fetchall()
    return {name: int(position) for name, position in rows}


class Inline:
    """Each transaction runs in the calling thread, statement by statement."""

    def __init__(self, db: Database, names: Sequence[str]) -> None:
        self.db, self.names = db, list(names)
        self._tx: AbstractContextManager[Cursor] | None = None

    def open(self, expected: Positions | None) -> tuple[Cursor, Positions]:
        """A transaction's cursor and the stored positions, locked (refused if not ``expected``, when given)."""
        tx = self.db.transaction()
        cur = tx.__enter__()
        self._tx = tx
        positions = read_positions(cur, self.names, lock=self.db.postgres)
        if expected is not None and positions != expected:
            self._end(PositionsMoved(f"{positions} != {expected}"))
        return cur, positions

    def commit(self, cur: Cursor, stored: Positions) -> None:
        cur.executemany(STORE_SQL, [(position, name) for name, position in stored.items()])
        self._end(None)

    def wait_previous(self) -> None:
        """Nothing is ever in flight: each commit returned when it was done."""

    def close(self, error: BaseException | None) -> None:
        if self._tx is not None:
            self._end(error)

    def _end(self, error: BaseException | None) -> None:
        tx, self._tx = self._tx, None
        assert tx is not None
        if error is None:
            tx.__exit__(None, None, None)
            return
        tx.__exit__(type(error), error, error.__traceback__)
        raise error


class _Step:
    """One statement (or a transaction's begin or commit) for the writer; ``done`` once it ran or failed."""

    __slots__ = ("kind", "method", "args", "rows", "rowcount", "error", "done")

    def __init__(self, kind: str, method: str = "", args: tuple = ()) -> None:
        self.kind, self.method, self.args = kind, method, args
        self.rows: list[tuple] | None = None
        self.rowcount = -1
        self.error: BaseException | None = None
        self.done = threading.Event()

    def result(self) -> _Step:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self


class PipelinedCursor:
    """What the projections' handlers write through: each call is queued for the writer; asking for a
    result waits for it (see the module's note)."""

    def __init__(self, pipeline: Pipelined) -> None:
        self._pipeline = pipeline
        self._last: _Step | None = None
        self._read = 0

    def _queue(self, method: str, *args: Any) -> None:
        self._last = self._pipeline.put(_Step("statement", method, args))
        self._read = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PipelinedCursor:
        self._queue("execute", sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._queue("executemany", sql, list(rows))

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self._queue("insert_rows", table, tuple(columns), list(rows))

    def update_rows(
        self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], types: dict[str, str]
    ) -> None:
        self._queue("update_rows", table, key, tuple(columns), list(rows), types)

    def execute_over_rows(
        self, sql: str, columns: Sequence[str], types: dict[str, str], rows: Sequence[Sequence[Any]]
    ) -> None:
        self._queue("execute_over_rows", sql, tuple(columns), types, list(rows))

    def _rows(self) -> list[tuple]:
        assert self._last is not None, "no statement to read from"
        return self._last.result().rows or []

    def fetchone(self) -> tuple | None:
        rows = self._rows()
        if self._read >= len(rows):
            return None
        self._read += 1
        return rows[self._read - 1]

    def fetchall(self) -> list[tuple]:
        rows = self._rows()[self._read :]
        self._read += len(rows)
        return rows

    @property
    def rowcount(self) -> int:
        assert self._last is not None, "no statement to count"
        return self._last.result().rowcount


class Pipelined:
    """Transactions run by a writer thread on its own connection, in order, while the caller builds the next."""

    def __init__(self, db: Database, names: Sequence[str]) -> None:
        self.db, self.names = db, list(names)
        self._steps: queue.SimpleQueue[_Step | None] = queue.SimpleQueue()
        self._commits: list[_Step] = []  # commits queued and not yet waited for
        self._writer = threading.Thread(target=self._write, name="projection-writer", daemon=True)
        self._writer.start()

    def put(self, step: _Step) -> _Step:
        self._steps.put(step)
        return step

    def open(self, expected: Positions) -> tuple[PipelinedCursor, Positions]:
        """A transaction after the ones queued, built on ``expected`` (the writer checks them under lock)."""
        self.put(_Step("begin", args=(expected,)))
        return PipelinedCursor(self), expected

    def commit(self, cur: PipelinedCursor, stored: Positions) -> None:
        cur.executemany(STORE_SQL, [(position, name) for name, position in stored.items()])
        self._commits.append(self.put(_Step("commit")))

    def wait_previous(self) -> None:
        """Waits until at most one committed transaction is still being written (raises its writer's error)."""
        while len(self._commits) > 1:
            self._commits.pop(0).result()

    def close(self, error: BaseException | None) -> None:
        """Ends the writer once it has run what was queued (a transaction never committed is rolled back);
        without an ``error`` of the caller's, raises the writer's own if it had one."""
        self._steps.put(None)  # the writer's end
        self._writer.join()
        if error is None:
            for step in self._commits:
                step.result()

    # -- the writer thread ---------------------------------------------------------------------
    def _write(self) -> None:
        try:
            self._run_steps()
        finally:
            self.db.release_thread()

    def _run_steps(self) -> None:
        failed: BaseException | None = None
        tx: AbstractContextManager[Cursor] | None = None
        cur: Cursor | None = None
        while True:
            step = self._steps.get()
            if step is None:
                break
            try:
                if failed is not None:
                    raise failed
                if step.kind == "begin":
                    opening = self.db.transaction()
                    cur = opening.__enter__()
                    tx = opening  # entered: from here on it must be ended
                    positions = read_positions(cur, self.names, lock=self.db.postgres)
                    if positions != step.args[0]:
                        raise PositionsMoved(f"{positions} != {step.args[0]}")
                elif step.kind == "commit":
                    committing, tx, cur = tx, None, None
                    assert committing is not None
                    committing.__exit__(None, None, None)
                else:
                    assert cur is not None
                    getattr(cur, step.method)(*step.args)
                    if step.method == "execute":
                        step.rows = cur.fetchall() if cur.returns_rows else None
                        step.rowcount = cur.rowcount
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it
                failed = failed or error
                step.error = failed
                if tx is not None:
                    tx.__exit__(type(error), error, error.__traceback__)
                    tx = cur = None
            finally:
                step.done.set()
        if tx is not None:  # stopped with a transaction never committed: roll it back
            stopped = RuntimeError("catch-up stopped before this transaction's commit")
            tx.__exit__(RuntimeError, stopped, None)
