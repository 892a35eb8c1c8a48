"""Feeds projections from the application's notification log.

Each projection has its own tracking position. A batch of events is read and decoded once, applied to
every projection that has not seen it yet, and committed with the new positions in one transaction of
the projection database, under a lock on the tracking rows: a crash never applies an event twice or skips
one, and two processes catching up at once serialise instead of doubling rows. A projection rebuilt on
its own replays from the start until it has caught up with the others, then they advance together.
More than a batch behind (a rebuild, a process starting late), on PostgreSQL, the transactions are
pipelined: a writer thread writes batch k while the next is applied (``projections/pipeline.py``).

A projection that raises on a stored event is set aside (``projections/failures.py``): the batch is rolled
back and applied again without it, so the others keep advancing; it stays failed until rebuilt. A database
outage (``ledger.connections.database_unavailable``) is not a projection's failure: it is raised to the caller.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from ledger.connections import database_unavailable
from ledger.database import Cursor, Database
from ledger.read_models import ReadModelsFailed
from projections import failures
from projections.failures import ApplyFailed, Failure
from projections.pipeline import Inline, Pipelined, PositionsMoved, read_positions
from projections.versions import prepare_tables

Progress = Callable[[int, int, int], None]
# A replay vacuums the tables it rewrites every twentieth of the way (at least this many events apart).
VACUUM_EVENTS = 20_000


def vacuuming(db: Database, tables: list[str], progress: Progress | None) -> Progress | None:
    """``progress``, vacuuming ``tables`` as the replay goes (PostgreSQL). A replay moves rows much faster
    than autovacuum frees their old versions: a cheque's row, inserted at its issue, is rewritten at its
    redemption and its settlement, and without a vacuum between them no later write reuses the space of the
    versions left behind. The rebuilt cheque index then held as many dead row versions as live rows, twice
    its size (docs/benchmarks.md, "Storage"); a live ledger, which autovacuum keeps up with, does not."""
    if not db.postgres:
        return progress
    due = [0]

    def step(position: int, target: int, events: int) -> None:
        if progress is not None:
            progress(position, target, events)
        if due[0] == 0:
            due[0] = position + max(VACUUM_EVENTS, target // 20)
        elif position >= due[0] and position < target:
            db.vacuum(tables)
            due[0] = position + max(VACUUM_EVENTS, target // 20)

    return step


class Projection(Protocol):
    name: str

    def schema(self) -> list[str]: ...

    def tables(self) -> list[str]: ...

    def begin(self, cur: Cursor) -> None:
        """Called at the start of each batch's transaction (to reset what a batch buffers)."""
        ...

    def apply(self, cur: Cursor, event: Any, notification: Notification) -> None:
        """Applies one event; ``notification`` is its stored row (``.id`` is its position)."""
        ...

    def flush(self, cur: Cursor) -> None:
        """Writes what ``apply`` buffered, before the batch's position is stored."""
        ...

    # Optional: ``decodes(topic) -> bool``, whether ``apply`` reads the decoded event for that topic.
    # When no projection does, ``apply`` gets ``None`` for the event (and still its stored row).
    # Optional: ``handles(topic) -> bool``, whether ``apply`` does anything for that topic (default: it may). A
    # projection that says no is not called for those events: most events concern one or two projections.
    # Optional: ``version`` (an int, default 1): raised when ``schema()`` changes shape, so that databases built
    # with the old shape drop the projection's tables and replay it (``projections/versions.py``).
    # Optional: ``resume(cur)``, called before ``begin`` when the projection's stored position is not the one
    # this process last committed for it (its first batch, after a rebuild, or another process advanced it):
    # to reload state it keeps across batches.
    # Optional: ``rebuilt_without`` (index names): indexes of its schema that none of its writes read, dropped for
    # a rebuild and built again once the replay is done (one sort instead of an index update per row). A rebuild
    # killed half-way leaves them missing until the next start, which creates every missing schema object.


def read_notifications(recorder: Any, start: int, limit: int, stop: int | None = None) -> Sequence[Any]:
    """The notification log from ``start``: the recorder's plain rows where it has them (PostgreSQL,
    ``ledger/pg_store.py``), else the library's ``Notification`` objects."""
    select_rows = getattr(recorder, "select_rows", None)
    if select_rows is not None:
        return select_rows(start, limit, stop)
    return recorder.select_notifications(start=start, limit=limit, stop=stop)


def _decodes(projection: Any, topic: str) -> bool:
    decodes = getattr(projection, "decodes", None)
    return True if decodes is None else bool(decodes(topic))


def _handles(projection: Any, topic: str) -> bool:
    handles = getattr(projection, "handles", None)
    return True if handles is None else bool(handles(topic))


def _plan(behind: Sequence[Any], topic: str) -> tuple[bool, list[tuple[Any, Any]]]:
    """For a topic: whether any projection behind reads the decoded event, and the ``apply`` of each one that
    acts on it (looked up once a batch and topic, not once an event and projection)."""
    wanted = any(_decodes(p, topic) for p in behind)
    return wanted, [(p, p.apply) for p in behind if _handles(p, topic)]


def handler_name(topic: str) -> str:
    """``_on_<Class>_<Event>``: the method a projection that dispatches by name has for a topic."""
    return "_on_" + topic.rpartition(":")[2].replace(".", "_")


def handles_by_name(projection: Any, topic: str) -> bool:
    """For projections that dispatch on ``_on_<Class>_<Event>`` methods: is there one for this topic?"""
    return hasattr(projection, handler_name(topic))


class ProjectionSet:
    # The background catch-up shares its process's GIL with the requests being served: it lets them in every
    # ``YIELD_EVERY`` events (a ``NAP`` long enough for a waiting thread to take the GIL; ``sleep(0)`` is not:
    # the caller takes it back first), and runs every ``INTERVAL`` seconds, in smaller bursts, so that the
    # requests' tail latency stays close to their median. Catch-ups made for a read, and rebuilds, do not
    # yield.
    YIELD_EVERY = 32
    NAP_SECONDS = 0.0002
    INTERVAL_SECONDS = 0.05
    # A rebuild reads batches this many times larger (5 000 events by default): each batch costs a score of
    # statements whatever its size, and the writer thread waits for the GIL after each of them (see ``rebuild``).
    REBUILD_BATCHES = 5
    # While a rebuild runs, the interpreter offers the GIL every half millisecond instead of every 5: the writer
    # thread, back from the database, takes it up to ten times sooner from the thread applying the next batch.
    REBUILD_SWITCH_SECONDS = 0.0005

    def __init__(
        self,
        app: Application,
        db: Database,
        projections: list[Projection],
        batch_size: int = 1000,
        pipelined: bool | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        # A catch-up more than a batch behind is pipelined on PostgreSQL; SQLite, in the process itself, gains
        # nothing from it (docs/benchmarks.md).
        self.pipelined = db.postgres if pipelined is None else pipelined
        reset = prepare_tables(db, projections)  # a projection whose schema version changed is dropped, to be replayed
        db.script(failures.SCHEMA)
        if reset:
            with db.transaction() as cur:
                failures.clear(cur, reset)
        self._committed: dict[str, int] = {}  # the positions this process last stored (see ``resume``)
        self._failed: dict[str, Failure] = {}  # the projections this process set aside
        self._seen: dict[str, int] = {}  # the positions this process last read or stored (for the metrics)
        self._mutex = (
            threading.RLock()
        )  # one catch-up (or rebuild) at a time in a process: they share the projections' buffers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def positions(self) -> dict[str, int]:
        with self.db.read() as cur:
            return read_positions(cur, list(self.projections))

    def position(self) -> int:
        return min(self.positions().values())

    def failed_here(self) -> dict[str, Failure]:
        """The projections this process set aside (no database access)."""
        return dict(self._failed)

    def seen_positions(self) -> dict[str, int]:
        """The positions this process last read or stored (no database access)."""
        return dict(self._seen)

    def failures(self) -> dict[str, Failure]:
        """Every failed projection: those recorded by any process and still standing, and this process's."""
        return {**failures.standing(self.db), **self._failed}

    def catch_up(
        self, until: int | None = None, progress: Progress | None = None, batch_size: int | None = None
    ) -> int:
        """Applies every event up to ``until`` (default: the newest); returns the lowest position reached.
        ``progress(position, target, events)`` is called after each batch; ``batch_size``: events a batch
        (default: ``self.batch_size``)."""
        target = self.head() if until is None else until
        batch = self.batch_size if batch_size is None else batch_size
        with self._mutex:
            if self._failed:
                self._forget_cleared()
            pipelined = self.pipelined
            while True:
                try:
                    return self._catch_up(target, progress, pipelined, batch)
                except PositionsMoved:
                    continue  # another process advanced a projection between two of our batches: start again
                except Exception as error:
                    if database_unavailable(error):
                        raise
                    if pipelined:  # a pipelined batch's error may surface in a later statement: placed again inline
                        pipelined = False
                        continue
                    if not isinstance(error, ApplyFailed):
                        raise
                    self._fail(error)
                    pipelined = self.pipelined

    def _catch_up(self, target: int, progress: Progress | None, pipelined: bool, batch: int) -> int:
        names = [name for name in self.projections if name not in self._failed]
        if not names:
            return target
        batches: Inline | Pipelined = Inline(self.db, names)  # the first batch tells how far behind we are
        error: BaseException | None = None
        try:
            expected: dict[str, int] | None = None
            while True:
                cur, positions = batches.open(expected)  # type: ignore[arg-type]  # None only for the first batch, always inline
                self._seen.update(positions)
                low = min(positions.values())
                notifications = read_notifications(self.app.recorder, low + 1, batch, target) if low < target else []
                if not notifications:
                    batches.commit(cur, {})  # type: ignore[arg-type]  # each batch takes back its own cursor
                    return low
                stored = self._apply(cur, positions, notifications)  # type: ignore[arg-type]  # a PipelinedCursor writes like a Cursor
                batches.commit(cur, stored)  # type: ignore[arg-type]  # each batch takes back its own cursor
                self._committed.update(stored)
                self._seen.update(stored)
                expected = {**positions, **stored}
                batches.wait_previous()
                if progress is not None:
                    progress(notifications[-1].id, target, len(notifications))
                if isinstance(batches, Inline) and pipelined and target - min(expected.values()) > batch:
                    batches.close(None)
                    batches = Pipelined(self.db, names)  # more than a batch still to go: pipeline the rest
        except BaseException as failure:
            error = failure
            self._committed.clear()  # what was queued may not have been stored: resume from the table
            raise
        finally:
            batches.close(error)

    def _apply(self, cur: Cursor, positions: dict[str, int], notifications: Sequence[Any]) -> dict[str, int]:
        """Applies a batch to the projections behind it; returns their new positions. A projection that
        raises is named, with the event's position (``ApplyFailed``); a database outage is raised as it is."""
        last = notifications[-1].id
        behind = [p for name, p in self.projections.items() if name in positions and positions[name] < last]
        # A projection ahead of the batch's start (rebuilt on its own, catching up with the others) skips what it
        # has seen; the others apply every event (a rebuild: all of them).
        ahead = {p.name: positions[p.name] for p in behind if positions[p.name] >= notifications[0].id}
        plans: dict[str, tuple[bool, list[tuple[Any, Any]]]] = {}  # topic -> (decoded?, the applies it calls)
        nap = self._thread is not None and threading.current_thread() is self._thread
        projection, notification = behind[0], None
        try:
            for projection in behind:
                if self._committed.get(projection.name) != positions[projection.name] and hasattr(projection, "resume"):
                    projection.resume(cur)
                projection.begin(cur)
            for index, notification in enumerate(notifications, 1):
                if nap and index % self.YIELD_EVERY == 0:
                    time.sleep(self.NAP_SECONDS)  # let the requests' threads in
                plan = plans.get(notification.topic)
                if plan is None:
                    plan = plans[notification.topic] = _plan(behind, notification.topic)
                wanted, applies = plan
                # Decoding is most of a rebuild's cost: events no projection reads stay undecoded.
                event = None
                if wanted:
                    try:
                        event = self.app.mapper.to_domain_event(notification)
                    except Exception as error:
                        self._undecodable(error, notification, behind, positions)
                for projection, apply in applies:
                    if ahead and ahead.get(projection.name, 0) >= notification.id:
                        continue
                    apply(cur, event, notification)
            notification = None
            for projection in behind:
                projection.flush(cur)
        except (ApplyFailed, PositionsMoved):
            raise
        except Exception as error:
            if database_unavailable(error):
                raise
            where = None if notification is None else notification.id
            name = projection.name
            raise ApplyFailed(name, where, type(error).__name__, positions[name], notifications) from error
        return {p.name: last for p in behind}

    @staticmethod
    def _undecodable(error: Exception, notification: Any, behind: list[Any], positions: dict[str, int]) -> None:
        """An event that cannot be decoded fails the first projection that reads it (the others in turn)."""
        if database_unavailable(error):
            raise error
        readers = [p for p in behind if positions[p.name] < notification.id and _decodes(p, notification.topic)]
        if readers:
            raise ApplyFailed(readers[0].name, notification.id, type(error).__name__) from error

    def _fail(self, error: ApplyFailed) -> None:
        """Sets a projection aside: in this process, in the log (once) and in ``projection_failures``."""
        position = error.position
        if position is None:  # failed in its flush: which event of the batch?
            position = failures.locate(self.db, self.projections[error.name], error, self._decoded)
            self._committed.pop(error.name, None)  # the search used its state: reloaded before it is used again
        if position is None:
            return  # another process moved the projection meanwhile: the next attempt starts from there
        failure = Failure(error.name, position, error.error, failures.now())
        self._failed[error.name] = failure
        self._committed.pop(error.name, None)
        failures.report(failure)
        failures.store(self.db, failure)

    def _decoded(self, projection: Any, notification: Any) -> Any:
        return self.app.mapper.to_domain_event(notification) if _decodes(projection, notification.topic) else None

    def _forget_cleared(self) -> None:
        """Forgets the failures no longer recorded (rebuilt by another process, or applied by newer code)."""
        standing = failures.standing(self.db)
        for name in [n for n in self._failed if n not in standing]:
            del self._failed[name]
            self._committed.pop(name, None)

    def wait_for(self, position: int, timeout: float, names: Sequence[str] | None = None) -> bool:
        """Read-your-writes: catch up to ``position``; False if that took longer than ``timeout`` (also when
        this process's other catch-up, a long one, kept the projections busy all that time). ``names``: the
        projections the read needs (default: all); ``ReadModelsFailed`` if one of them failed."""
        needed = list(self.projections) if names is None else list(names)
        unknown = [n for n in needed if n not in self.projections]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}")
        deadline = time.monotonic() + timeout
        while True:
            if self._mutex.acquire(timeout=max(0.0, deadline - time.monotonic())):
                try:
                    reached = self.catch_up(position)
                    broken = [self._failed[n] for n in needed if n in self._failed]
                    if broken:
                        raise ReadModelsFailed(broken)
                    if reached >= position:
                        return True
                finally:
                    self._mutex.release()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def rebuild(self, name: str | None = None, progress: Progress | None = None) -> int:
        """Drops one projection's rows (or every projection's) and replays the events into it; a failure
        recorded for it is cleared (if the event still fails it, the replay records it again)."""
        names = [name] if name else list(self.projections)
        unknown = [n for n in names if n not in self.projections]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}; known: {', '.join(self.projections)}")
        with self._mutex:  # this process's catch-ups wait for the replay (the rows are gone until then)
            with self.db.transaction() as cur:
                read_positions(cur, list(self.projections), lock=self.db.postgres)
                tables = [table for n in names for table in self.projections[n].tables()]
                if self.db.postgres:  # DELETE would leave every old row dead in tables and indexes, slowing the replay
                    cur.execute(f"TRUNCATE {', '.join(tables)}")
                else:
                    for table in tables:
                        cur.execute(f"DELETE FROM {table}")
                for n in names:
                    cur.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?", (n,))
                    self._committed.pop(n, None)
                failures.clear(cur, names)
                deferred = [i for n in names for i in self._deferred_indexes(n)]
                for index_name, _ in deferred:
                    cur.execute(f"DROP INDEX IF EXISTS {index_name}")
            for n in names:
                self._failed.pop(n, None)
            switch = sys.getswitchinterval()
            sys.setswitchinterval(min(switch, self.REBUILD_SWITCH_SECONDS))
            try:
                return self.catch_up(
                    progress=vacuuming(self.db, tables, progress), batch_size=self.batch_size * self.REBUILD_BATCHES
                )
            finally:
                sys.setswitchinterval(switch)
                with self.db.transaction() as cur:
                    for _, create in deferred:
                        cur.execute(create)
                    if self.db.postgres:  # the planner's statistics of the emptied tables are of no use now
                        cur.execute(f"ANALYZE {', '.join(tables)}")

    def _deferred_indexes(self, name: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the indexes a rebuild of this projection builds after its replay."""
        names = set(getattr(self.projections[name], "rebuilt_without", ()))
        out = []
        for statement in self.projections[name].schema():
            found = re.match(r"CREATE INDEX IF NOT EXISTS (\w+) ON", statement)
            if found and found.group(1) in names:
                out.append((found.group(1), statement))
        return out

    def start(self, interval: float | None = None) -> None:
        """Keeps the projections warm in a background thread (reads still catch up themselves)."""
        interval = self.INTERVAL_SECONDS if interval is None else interval
        full_check_every = max(1, round(1 / interval)) if interval > 0 else 1  # ticks: about a second

        def loop() -> None:
            reached, ticks = -1, 0
            while not self._stop.wait(interval):
                ticks += 1
                try:
                    head = self.head()
                    # Nothing new since the last catch-up: one statement a tick. Every second a full check
                    # all the same (another process may have reset a projection: ``cheque-ledger rebuild``).
                    if head > reached or ticks % full_check_every == 0:
                        reached = self.catch_up(head)
                except Exception:  # noqa: BLE001 - keep polling; reads catch up and report themselves
                    reached = -1
                    time.sleep(interval)

        self._stop.clear()
        self._thread = threading.Thread(target=loop, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
