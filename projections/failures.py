"""A projection that cannot apply a stored event: set aside, recorded, reported.

The runner (``projections/runner.py``) names the projection and the event when a batch fails, rolls the
batch back and goes on without that projection. The failure is kept in the process and in
``projection_failures`` (one row a projection, written in a transaction of its own), so that ``/healthz``
and ``cheque-ledger verify`` of any process see it. A row stands while its projection has not got past
the event: ``rebuild`` deletes it, and a process whose code applies the event (a fix deployed) moves the
position past it. Only the projection's name, the event's position and the exception's type are kept:
never the event's values, nor the exception's message (it may quote them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.connections import database_unavailable
from ledger.database import Cursor, Database
from projections.pipeline import read_positions

log = logging.getLogger("cheque_ledger.projections")

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS projection_failures (name TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " error TEXT NOT NULL, failed_at TEXT NOT NULL)",
]
STANDING_SQL = (
    "SELECT f.name, f.position, f.error, f.failed_at FROM projection_failures f"
    " JOIN projection_tracking t ON t.name = f.name WHERE t.position < f.position"
)
STORE_SQL = (
    "INSERT INTO projection_failures (name, position, error, failed_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET position = excluded.position, error = excluded.error,"
    " failed_at = excluded.failed_at"
)


@dataclass(frozen=True)
class Failure:
    """A projection that failed on the event at ``position``, raising an exception of type ``error``."""

    name: str
    position: int
    error: str
    failed_at: str = ""

    def describe(self) -> str:
        return f"projection {self.name} failed on the event at position {self.position} ({self.error})"


class ApplyFailed(Exception):
    """Raised by the runner when a projection raised while applying a batch: ``position`` is the event's, or
    None when the failure came from its ``flush`` (the events after ``after`` in ``batch`` are then searched)."""

    def __init__(self, name: str, position: int | None, error: str, after: int = 0, batch: Sequence[Any] = ()) -> None:
        super().__init__(f"projection {name} failed at position {position} ({error})")
        self.name, self.position, self.error, self.after, self.batch = name, position, error, after, batch


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def standing(db: Database) -> dict[str, Failure]:
    """The failures recorded by any process whose projection has not got past the event since."""
    with db.read() as cur:
        return {row[0]: Failure(row[0], int(row[1]), row[2], row[3]) for row in cur.execute(STANDING_SQL).fetchall()}


def store(db: Database, failure: Failure) -> None:
    with db.transaction() as cur:
        cur.execute(STORE_SQL, (failure.name, failure.position, failure.error, failure.failed_at))


def clear(cur: Cursor, names: Sequence[str]) -> None:
    cur.execute(f"DELETE FROM projection_failures WHERE name IN ({', '.join('?' * len(names))})", list(names))


def report(failure: Failure) -> None:
    log.error(
        "projection %s failed on the event at position %d (%s): set aside until `cheque-ledger rebuild %s`;"
        " the other projections go on, the reads that need it answer 503 projection-failed",
        failure.name,
        failure.position,
        failure.error,
        failure.name,
    )


def locate(db: Database, projection: Any, error: ApplyFailed, decoded: Callable[[Any, Any], Any]) -> int | None:
    """The event a projection's ``flush`` failed on: the end of the shortest prefix of the batch that fails,
    found by halves, each prefix applied in a transaction rolled back. None if another process moved the
    projection meanwhile. ``decoded(projection, notification)``: the event as the projection reads it."""
    events = [n for n in error.batch if n.id > error.after]
    low, high = 0, len(events) - 1
    while low < high:
        middle = (low + high) // 2
        fails = _fails(db, projection, error.after, events[: middle + 1], decoded)
        if fails is None:
            return None
        low, high = (low, middle) if fails else (middle + 1, high)
    return events[low].id if events else error.after + 1


class _Probe(Exception):
    """Ends a probe's transaction: nothing of it is kept."""


def _fails(
    db: Database, projection: Any, after: int, events: Sequence[Any], decoded: Callable[[Any, Any], Any]
) -> bool | None:
    outcome: bool | None = None
    try:
        with db.transaction() as cur:
            if read_positions(cur, [projection.name], lock=db.postgres)[projection.name] == after:
                try:
                    if hasattr(projection, "resume"):
                        projection.resume(cur)
                    projection.begin(cur)
                    for n in events:
                        projection.apply(cur, decoded(projection, n), n)
                    projection.flush(cur)
                    outcome = False
                except Exception as failure:
                    if database_unavailable(failure):
                        raise
                    outcome = True
            raise _Probe
    except _Probe:
        pass
    return outcome
