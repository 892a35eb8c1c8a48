"""The PostgreSQL event store: events sent as four binary arrays, and read back as plain rows.

``eventsourcing``'s recorder sends them as one array of a composite type, which psycopg can only dump as
text: every event's state is escaped as ``bytea`` text by a regular expression, in Python (a large share of
a batch redemption and of a group commit: docs/benchmarks.md). Here the same rows go as ``uuid[]``, ``bigint[]``, ``text[]`` and ``bytea[]`` parameters in
binary format, which psycopg dumps without escaping. Everything else (the table lock that keeps commit
order equal to notification order, the NOTIFY, the returned notification ids) is the library's own.

``insert_events`` is the library's, retried as the library retries it when the connection fails (10 attempts,
0.2 s apart), and it tells one case apart: a retry refused for a version conflict after a failed attempt may
be meeting that attempt's own commit, whose answer was lost with the connection. If the events stored at
those versions are ours byte for byte (their state holds each event's timestamp: another writer's differ),
the commit was ours and the insert succeeded; otherwise it is a real conflict (``docs/architecture.md``,
"When the database goes away").

``select_rows`` reads the notification log for projections: plain tuples with the originator id as text
(the library builds a dict per row, a ``UUID`` per id and a frozen dataclass per event, and every view
then turns the ``UUID`` back into text: much of a rebuild's reading time).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier

from ledger.config import PG_SESSION_OPTIONS
from ledger.connections import CheckOnCheckout, read_again_if_lost
from ledger.merkle_store import POSTGRES_SCHEMA, Sealer, stored_entries

# The library's insert without its retry decorator (``@retry((InterfaceError, OperationalError), 10, 0.2)``),
# which ``insert_events`` below does itself, with the same numbers.
LIBRARY_INSERT = PostgresApplicationRecorder.insert_events.__wrapped__  # type: ignore[attr-defined]
INSERT_ATTEMPTS = 10
INSERT_RETRY_SECONDS = 0.2


class StoredRow(NamedTuple):
    """A notification as projections read it (the fields of ``eventsourcing``'s ``Notification``)."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


class ArrayInsertRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.extend(Composed([SQL(statement)]) for statement in POSTGRES_SCHEMA)
        self.sealer = Sealer(postgres=True)
        insert = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
            " RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )
        self.insert_events_statement = insert
        # The same insert sealing its events (``merkle_seal``, ``ledger/merkle_store.py``) with the ids it gave:
        # one statement, so no round trip of its own, and an insert that fails (a version already stored)
        # raises its IntegrityError. The seal is an InitPlan: run once, after the insert.
        self.insert_and_seal_statement = SQL(
            "WITH ins AS ({insert}) SELECT notification_id FROM ins"
            " WHERE (SELECT merkle_seal(%b::bytea[], (SELECT array_agg(notification_id ORDER BY notification_id)"
            " FROM ins))) > 0 ORDER BY notification_id"
        ).format(insert=insert)
        # No upper bound in SQL: with a range (``>= start AND <= stop``) and no statistics yet (a table not yet
        # analysed: autovacuum off, or just filled), PostgreSQL guesses 0.5 % of the rows, and above that many
        # it sorts every row of the range for each batch. An open range keeps the index scan in order; ``stop``
        # is applied here.
        self.select_rows_statement = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state FROM {schema}.{table}"
            " WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self.select_ours_statement = SQL(
            "SELECT e.notification_id, e.state = k.state FROM unnest(%b::{id_type}[], %b::bigint[], %b::bytea[])"
            " WITH ORDINALITY AS k(id, version, state, n)"
            " JOIN {schema}.{table} AS e ON e.originator_id = k.id AND e.originator_version = k.version ORDER BY k.n"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        failed = False
        for attempt in range(1, INSERT_ATTEMPTS + 1):
            try:
                return LIBRARY_INSERT(self, stored_events, **kwargs)
            except IntegrityError:
                ids = self._ids_if_ours(stored_events) if failed and stored_events else None
                if ids is None:
                    raise
                return ids
            except (OperationalError, InterfaceError):
                if attempt == INSERT_ATTEMPTS:
                    raise
                failed = True
                time.sleep(INSERT_RETRY_SECONDS)
        raise AssertionError("unreachable")

    def _ids_if_ours(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of ``stored_events`` if they are stored as given, byte for byte; else None."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                self.select_ours_statement,
                (
                    [e.originator_id for e in stored_events],
                    [e.originator_version for e in stored_events],
                    [e.state for e in stored_events],
                ),
            )
            rows = curs.fetchall()
        if len(rows) != len(stored_events) or not all(same for _, same in rows):
            return None
        return [notification_id for notification_id, _ in rows]

    def select_rows(self, start: int, limit: int, stop: int | None = None) -> list[StoredRow]:
        """``select_notifications(start, limit, stop)``, as ``StoredRow`` tuples (read once more if the
        connection died under it)."""
        rows = read_again_if_lost(lambda: self._select_rows(start, limit))
        if stop is not None and rows and rows[-1].id > stop:
            rows = [row for row in rows if row.id <= stop]
        return rows

    def _select_rows(self, start: int, limit: int) -> list[StoredRow]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.select_rows_statement, (start, limit), prepare=True)
            return [StoredRow._make(row) for row in curs.fetchall()]

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any) -> None:
        leaves = self.sealer.statement(stored_entries(stored_events))  # hashed before the lock is taken
        self._lock_table(curs)
        self._notify_channel(curs)
        # Sealed by the insert statement itself, in the same transaction and under the same lock: the leaves
        # take the order the events take under the lock, and their notification ids.
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        if leaves is None:
            curs.execute(self.insert_events_statement, params, prepare=True)
        else:
            curs.execute(self.insert_and_seal_statement, (*params, leaves), prepare=True)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        """The notification ids the insert returned (the library's checks the status is ``INSERT``: the
        sealing insert is a ``SELECT`` over it)."""
        ids = [row["notification_id"] for row in curs.fetchall()]
        if len(ids) != len(stored_events):
            raise ProgrammingError(f"{len(ids)} notification ids for {len(stored_events)} events")
        return ids


class ArrayInsertFactory(PostgresFactory):
    application_recorder_class = ArrayInsertRecorder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.datastore.pool.kwargs["options"] = PG_SESSION_OPTIONS  # type: ignore[index]  # the pool opens its connections later
        attrs = self.env.get("LEDGER_TARGET_SESSION_ATTRS")
        if attrs:  # a multi-host URL: connect to the host that takes writes (after a failover, the new primary)
            self.datastore.pool.kwargs["target_session_attrs"] = attrs  # type: ignore[index]
        CheckOnCheckout.install(self.datastore.pool)  # type: ignore[arg-type]  # connections the server closed are replaced at checkout
