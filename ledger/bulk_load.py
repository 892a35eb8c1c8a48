"""Loading aggregates in one statement: the latest snapshot and the events after it, for many ids at once.

``eventsourcing``'s repository loads one aggregate with two round trips (its latest snapshot, then the
events after it). Here one statement returns, for every id asked, the latest snapshot (if any) and the
events after it, read in one database snapshot so the two always agree. The aggregates are rebuilt with
the application's own mapper and the events' own mutators, exactly as ``Repository.get`` does
(``tests/integration/test_bulk_load.py`` compares both on every aggregate of a filled ledger).

PostgreSQL: ``originator_id = ANY(%s)``. SQLite: ``IN (…)`` in chunks (its bound-parameter limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder

from ledger.connections import read_again_if_lost

SQLITE_CHUNK = 400


class BulkLoader:
    def __init__(self, app: Application) -> None:
        self.app = app
        recorder: Any = app.recorder
        snapshots: Any = app.snapshots.recorder if app.snapshots is not None else None
        self._postgres = isinstance(recorder, PostgresAggregateRecorder)
        events_table = recorder.events_table_name
        snapshots_table = snapshots.events_table_name if snapshots is not None else None
        if self._postgres:
            schema = recorder.datastore.schema
            events = f'"{schema}"."{events_table}"'
            if snapshots_table is None:
                self._sql = (
                    f"SELECT false AS snap, originator_id, originator_version, topic, state FROM {events}"
                    " WHERE originator_id = ANY(%(ids)s) ORDER BY 2, 3"
                )
            else:
                snaps = f'"{schema}"."{snapshots_table}"'
                # Per id: its latest snapshot, then an index range scan of the events after it (OFFSET 0
                # keeps the planner from flattening the lateral join into a scan of the whole table).
                self._sql = (
                    "WITH s AS (SELECT k.id, sn.originator_version AS v, sn.topic, sn.state"
                    " FROM unnest(%(ids)s::uuid[]) AS k(id) LEFT JOIN LATERAL"
                    f" (SELECT originator_version, topic, state FROM {snaps} WHERE originator_id = k.id"
                    " ORDER BY originator_version DESC LIMIT 1) sn ON true)"
                    " SELECT true AS snap, id AS originator_id, v AS originator_version, topic, state FROM s"
                    " WHERE v IS NOT NULL"
                    " UNION ALL"
                    " SELECT false, e.originator_id, e.originator_version, e.topic, e.state FROM s JOIN LATERAL"
                    f" (SELECT originator_id, originator_version, topic, state FROM {events}"
                    " WHERE originator_id = s.id AND originator_version > COALESCE(s.v, 0) OFFSET 0) e ON true"
                    " ORDER BY 2, 1 DESC, 3"
                )
        else:
            self._events_table = events_table
            self._snapshots_table = snapshots_table

    def _sqlite_sql(self, n: int) -> str:
        marks = ", ".join("?" * n)
        if self._snapshots_table is None:
            return (
                f"SELECT 0 AS snap, originator_id, originator_version, topic, state FROM {self._events_table}"
                f" WHERE originator_id IN ({marks}) ORDER BY 2, 3"
            )
        return (
            f"WITH s AS (SELECT originator_id, MAX(originator_version) AS v FROM {self._snapshots_table}"
            f" WHERE originator_id IN ({marks}) GROUP BY originator_id)"
            f" SELECT 1 AS snap, t.originator_id, t.originator_version, t.topic, t.state FROM {self._snapshots_table} t"
            " JOIN s ON s.originator_id = t.originator_id AND s.v = t.originator_version"
            " UNION ALL"
            f" SELECT 0, e.originator_id, e.originator_version, e.topic, e.state FROM {self._events_table} e"
            " LEFT JOIN s ON s.originator_id = e.originator_id"
            f" WHERE e.originator_id IN ({marks}) AND e.originator_version > COALESCE(s.v, 0)"
            " ORDER BY 2, 1 DESC, 3"
        )

    def _rows(self, ids: list[UUID]) -> Iterable[tuple[bool, UUID, int, str, bytes]]:
        recorder: Any = self.app.recorder
        if self._postgres:
            rows = read_again_if_lost(lambda: self._pg_rows(ids))  # a read: run again if its connection died
            return [
                (bool(r["snap"]), r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
                for r in rows
            ]
        out: list[tuple[bool, UUID, int, str, bytes]] = []
        for start in range(0, len(ids), SQLITE_CHUNK):
            chunk = [i.hex for i in ids[start : start + SQLITE_CHUNK]]
            params = chunk * (1 if self._snapshots_table is None else 2)
            with recorder.datastore.transaction(commit=False) as cur:
                cur.execute(self._sqlite_sql(len(chunk)), params)
                rows = cur.fetchall()
            out += [
                (
                    bool(r["snap"]),
                    recorder.convert_originator_id(r["originator_id"]),
                    r["originator_version"],
                    r["topic"],
                    r["state"],
                )
                for r in rows
            ]
        return out

    def _pg_rows(self, ids: list[UUID]) -> list[Any]:
        with self.app.recorder.datastore.get_connection() as conn, conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(self._sql, {"ids": ids}, prepare=True)
            return cur.fetchall()

    def load(self, ids: Iterable[UUID]) -> dict[UUID, Any]:
        """The current state of every aggregate among ``ids`` that exists (absent ones are left out)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        to_domain_event = self.app.mapper.to_domain_event
        history: dict[UUID, list[Any]] = {}
        for _snap, originator_id, version, topic, state in self._rows(wanted):
            event = to_domain_event(
                StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=state)
            )
            history.setdefault(originator_id, []).append(event)
        loaded = {}
        for originator_id, events in history.items():
            aggregate = None
            for event in events:  # what eventsourcing's project_aggregate does, without its per-event assert
                aggregate = event.mutate(aggregate)
            if aggregate is not None:
                loaded[originator_id] = aggregate
        return loaded

    def load_one(self, aggregate_id: UUID) -> Any | None:
        return self.load([aggregate_id]).get(aggregate_id)
