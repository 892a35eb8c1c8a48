"""Feeds projections from the application's notification log.

Each batch of events is applied and the new position stored in one transaction of the
projection database, under a lock on the tracking row: a crash never applies an event twice
or skips one, and two processes catching up at once serialise instead of doubling rows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from ledger.database import Cursor, Database

Progress = Callable[[int, int, int], None]

TRACKING_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS projection_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]


class Projection(Protocol):
    name: str

    def schema(self) -> list[str]: ...

    def tables(self) -> list[str]: ...

    def apply(self, cur: Cursor, event: Any, notification: Notification) -> None:
        """Applies one event; ``notification`` is its stored row (``.id`` is its position)."""
        ...


class ProjectionRunner:
    def __init__(self, app: Application, db: Database, projections: list[Projection], batch_size: int = 1000) -> None:
        self.app = app
        self.db = db
        self.projections = projections
        self.batch_size = batch_size
        self.name = "+".join(p.name for p in projections)
        db.script(TRACKING_SCHEMA + [s for p in projections for s in p.schema()])
        with db.transaction() as cur:
            cur.execute(
                "INSERT INTO projection_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                (self.name,),
            )

    def position(self) -> int:
        with self.db.read() as cur:
            row = cur.execute("SELECT position FROM projection_tracking WHERE name = ?", (self.name,)).fetchone()
        return int(row[0]) if row else 0

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Applies every event up to ``until`` (default: the newest); returns the position reached.
        ``progress(position, target, events)`` is called after each committed batch."""
        target = self.head() if until is None else until
        while True:
            with self.db.transaction() as cur:
                lock = " FOR UPDATE" if self.db.postgres else ""
                row = cur.execute(
                    "SELECT position FROM projection_tracking WHERE name = ?" + lock, (self.name,)
                ).fetchone()
                position = int(row[0])
                if position >= target:
                    return position
                notifications = self.app.recorder.select_notifications(
                    start=position + 1, limit=self.batch_size, stop=target
                )
                if not notifications:
                    return position
                for notification in notifications:
                    event = self.app.mapper.to_domain_event(notification)
                    for projection in self.projections:
                        projection.apply(cur, event, notification)
                position = notifications[-1].id
                cur.execute("UPDATE projection_tracking SET position = ? WHERE name = ?", (position, self.name))
            if progress is not None:
                progress(position, target, len(notifications))

    def rebuild(self, progress: Progress | None = None) -> int:
        with self.db.transaction() as cur:
            for projection in self.projections:
                for table in projection.tables():
                    cur.execute(f"DELETE FROM {table}")
            cur.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (self.name,))
        return self.catch_up(progress=progress)


class ProjectionSet:
    """Several projections, each with its own tracking position, driven together."""

    def __init__(self, app: Application, db: Database, projections: list[Projection]) -> None:
        self.app = app
        self.runners = {p.name: ProjectionRunner(app, db, [p]) for p in projections}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def position(self) -> int:
        return min(r.position() for r in self.runners.values())

    def catch_up(self, until: int | None = None) -> int:
        target = self.head() if until is None else until
        return min(r.catch_up(target) for r in self.runners.values())

    def wait_for(self, position: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.catch_up(position) < position:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def rebuild(self, name: str | None = None, progress: Progress | None = None) -> int:
        names = [name] if name else list(self.runners)
        for n in names:
            if n not in self.runners:
                raise KeyError(f"unknown projection {n!r}; known: {', '.join(self.runners)}")
        return min(self.runners[n].rebuild(progress) for n in names)

    def start(self, interval: float = 0.2) -> None:
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.catch_up()
                except Exception:  # noqa: BLE001 - keep polling; reads catch up and report themselves
                    time.sleep(interval)

        self._thread = threading.Thread(target=loop, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
