"""The journal of postings and the indexes the fund's operations and reads need.

- ``journal``: every money movement of a commitment as a posting (debit → credit), at the position of
  the event it came from (the event table names the event). Reconciliation figures are sums of it.
- ``cheque_index``: each cheque's current status, for settlement and expiry runs, statements
  and look-ups (the aggregate stays the truth: commands re-check every candidate).
- ``commitment_index`` and ``funder_payments``: what a funder signed and paid.
"""

from __future__ import annotations

import operator
from typing import Any

from ledger.database import Cursor
from projections.balances import (
    BALANCE_MOVES,
    BALANCE_SCHEMA,
    STRUCTURE_MOVES,
    STRUCTURE_SCHEMA,
    Balances,
    paris_day,
)
from projections.funder_cells import SCHEMA as FUNDER_CELL_SCHEMA
from projections.funder_cells import TABLES as FUNDER_CELL_TABLES
from projections.outcome_cells import SCHEMA as CELL_SCHEMA
from projections.outcome_cells import TABLES as CELL_TABLES
from projections.outcome_cells import Sessions
from projections.raw_events import day_text, fields, instant_text, uuid_text
from projections.runner import handler_name
from projections.structure_days import SCHEMA as STRUCTURE_DAYS_SCHEMA
from projections.structure_days import TABLES as STRUCTURE_DAYS_TABLES
from projections.structure_days import StructureMoves

# Indexes are most of a replay's writes: a cheque is keyed by its id alone (a serial's id is computed from it,
# ``domain.ids.natural_id``), and rows with no structure (cheques not redeemed, reservations) stay out of the
# structure indexes. An index by beneficiary serves a prescriber's caseload. ``version`` changes with the
# schema's shape (``projections/versions.py``).
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS journal ("
    " position BIGINT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL,"
    " kind TEXT NOT NULL, funder_code TEXT NOT NULL, commitment_id TEXT NOT NULL,"
    " debit TEXT NOT NULL, credit TEXT NOT NULL, amount_cents BIGINT NOT NULL,"
    " serial TEXT, structure_id TEXT, PRIMARY KEY (position, seq))",
    "CREATE INDEX IF NOT EXISTS journal_funder ON journal (funder_code, position)",
    "CREATE TABLE IF NOT EXISTS cheque_index ("
    " cheque_id TEXT PRIMARY KEY, serial TEXT NOT NULL, commitment_id TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " face_value_cents BIGINT NOT NULL, status TEXT NOT NULL, valid_until TEXT NOT NULL,"
    " issued_on TEXT NOT NULL, beneficiary_id TEXT NOT NULL, prescriber_id TEXT NOT NULL,"
    " book_id TEXT NOT NULL, structure_id TEXT, session_date TEXT, session_kind TEXT,"
    " duration_minutes INTEGER)",
    "CREATE INDEX IF NOT EXISTS cheque_status ON cheque_index (status, valid_until)",
    # a structure's latest sessions, read in index order (its statement reads structure_totals)
    "CREATE INDEX IF NOT EXISTS cheque_structure ON cheque_index (structure_id, session_date, serial)"
    " WHERE structure_id IS NOT NULL",
    # the sessions of a period's edge days, the days of a quarter it cuts (projections/cell_reads.py)
    "CREATE INDEX IF NOT EXISTS cheque_session_day ON cheque_index (session_date) WHERE session_date IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS cheque_beneficiary ON cheque_index (beneficiary_id)",  # caseloads, a beneficiary's cheques
    "CREATE TABLE IF NOT EXISTS commitment_index ("
    " id TEXT PRIMARY KEY, funder_code TEXT NOT NULL, reference TEXT NOT NULL,"
    " amount_cents BIGINT NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT NOT NULL,"
    " priority INTEGER NOT NULL, signed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS funder_payments ("
    " position BIGINT PRIMARY KEY, at TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " amount_cents BIGINT NOT NULL, received_on TEXT NOT NULL, reference TEXT NOT NULL)",
    BALANCE_SCHEMA,
    STRUCTURE_SCHEMA,
    *CELL_SCHEMA,
    *STRUCTURE_DAYS_SCHEMA,
    *FUNDER_CELL_SCHEMA,
]


# A posting's event id (``<aggregate uuid>/<version>``) is not stored: the event stored at its position names
# it (``projections/funder_reads.py`` joins the event table), 40 bytes a posting saved.
JOURNAL_COLUMNS = (
    "position, seq, at, kind, funder_code, commitment_id, debit, credit, amount_cents, serial, structure_id"
)
CHEQUE_COLUMNS = (
    "serial",
    "cheque_id",
    "commitment_id",
    "funder_code",
    "face_value_cents",
    "status",
    "valid_until",
    "issued_on",
    "beneficiary_id",
    "prescriber_id",
    "book_id",
)
CHEQUE_LATER = ("structure_id", "session_date", "session_kind", "duration_minutes")  # set by a redemption
_cheque_values = operator.itemgetter(*CHEQUE_COLUMNS)  # a new cheque's row, as a tuple, in C
CHEQUE_TYPES = {
    "cheque_id": "text",
    "status": "text",
    "structure_id": "text",
    "session_date": "text",
    "session_kind": "text",
    "duration_minutes": "integer",
}
# A cheque's money movement after issue: its posting takes the serial, funder, commitment and amount from the
# cheque's row, in the database (no look-up by the projection, no cache of every cheque in memory). A move of a
# cheque with no row would leave those NULL: the journal's NOT NULL columns then refuse the whole batch.
MOVE_COLUMNS = ("position", "at", "kind", "debit", "credit", "structure_id", "cheque_id", "day")
MOVE_TYPES = {
    "position": "bigint",
    "at": "text",
    "kind": "text",
    "debit": "text",
    "credit": "text",
    "structure_id": "text",
    "cheque_id": "text",
    "day": "text",
}
INSERT_MOVES = (
    f"INSERT INTO journal ({JOURNAL_COLUMNS})"
    " SELECT v.position, 0, v.at, v.kind, c.funder_code, c.commitment_id, v.debit, v.credit,"
    " c.face_value_cents, c.serial, v.structure_id FROM {rows} LEFT JOIN cheque_index c ON c.cheque_id = v.cheque_id"
)


class LedgerViews:
    """Writes are buffered per batch and flushed in bulk (PostgreSQL: ``COPY`` for new rows, one ``UPDATE``
    per statement shape, one ``INSERT … SELECT`` for the postings of cheques' moves): a cheque
    touched several times in a batch is written once, with its final state. Handlers never read the
    database, so a pipelined catch-up (``projections/pipeline.py``) never waits for its writes."""

    name = "ledger_views"
    # 3: running balances per commitment and day (``balance_days``, projections/balances.py) and outcome cells
    # per quarter × commune × public × age band (projections/outcome_cells.py)
    # 4: a structure's moves by day, for its statement by period (projections/structure_days.py)
    # 5: outcome cells per funder (projections/funder_cells.py) and an index of sessions by day
    # 6: no event id in the journal (the event stored at the posting's position names it)
    version = 6
    # indexes no write of this projection reads (it never reads the database): built once after a rebuild
    rebuilt_without = (
        "journal_funder",
        "cheque_status",
        "cheque_structure",
        "cheque_session_day",
        "cheque_beneficiary",
    )

    def __init__(self) -> None:
        self._handlers: dict[str, Any] = {}
        self.begin(None)

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return [
            "journal",
            "cheque_index",
            "commitment_index",
            "funder_payments",
            "balance_days",
            "structure_totals",
            *CELL_TABLES,
            *STRUCTURE_DAYS_TABLES,
            *FUNDER_CELL_TABLES,
        ]

    def begin(self, cur: Cursor | None) -> None:
        self._journal: list[tuple] = []
        self._moves: list[tuple] = []
        self._new: dict[str, dict[str, Any]] = {}
        self._changes: dict[str, dict[str, Any]] = {}
        self._balances = Balances()
        self._sessions = Sessions()
        self._structures = StructureMoves()

    def decodes(self, topic: str) -> bool:
        return False  # reads the few fields it needs from the stored JSON (projections/raw_events.py)

    def handles(self, topic: str) -> bool:
        return self.handler(topic) is not None

    def handler(self, topic: str) -> Any:
        """The ``_on_<Class>_<Event>`` method for a stored event's topic, or None."""
        try:
            return self._handlers[topic]
        except KeyError:
            found = self._handlers[topic] = getattr(self, handler_name(topic), None)
            return found

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        try:
            handler = self._handlers[notification.topic]
        except KeyError:
            handler = self.handler(notification.topic)
        if handler is not None:
            handler(cur, fields(notification.state), notification)

    def flush(self, cur: Cursor) -> None:
        cur.insert_rows(
            "cheque_index",
            CHEQUE_COLUMNS + CHEQUE_LATER,
            [_cheque_values(row) + tuple(map(row.get, CHEQUE_LATER)) for row in self._new.values()],
        )
        self._sessions.flush(cur)  # between the new cheques' rows and the updates (projections/outcome_cells.py)
        self._structures.flush(cur)  # likewise (projections/structure_days.py)
        shapes: dict[tuple[str, ...], list[list[Any]]] = {}
        for cheque_id, changes in self._changes.items():
            shapes.setdefault(tuple(sorted(changes)), []).append([changes[k] for k in sorted(changes)] + [cheque_id])
        for columns, rows in shapes.items():
            cur.update_rows("cheque_index", "cheque_id", columns, rows, CHEQUE_TYPES)
        cur.insert_rows("journal", JOURNAL_COLUMNS.split(", "), self._journal)
        cur.execute_over_rows(INSERT_MOVES, MOVE_COLUMNS, MOVE_TYPES, self._moves)  # after the new cheques' rows
        cur.execute_over_rows(BALANCE_MOVES, MOVE_COLUMNS, MOVE_TYPES, self._moves)
        cur.execute_over_rows(STRUCTURE_MOVES, MOVE_COLUMNS, MOVE_TYPES, self._moves)
        self._balances.flush(cur)
        self.begin(cur)

    # -- helpers -----------------------------------------------------------------------------
    def _post(
        self,
        e: dict[str, Any],
        n: Any,
        kind: str,
        funder_code: str,
        commitment_id: str,
        debit: str,
        credit: str,
        amount_cents: int,
        serial: str | None = None,
    ) -> None:
        """One posting. ``e``: the event's stored fields; ``n``: its stored row (position, originator)."""
        at = instant_text(e["timestamp"])
        self._balances.post(funder_code, commitment_id, paris_day(at), debit, credit, amount_cents)
        self._journal.append((n.id, 0, at, kind, funder_code, commitment_id, debit, credit, amount_cents, serial, None))

    def _move(
        self, e: dict[str, Any], n: Any, cheque_id: str, kind: str, debit: str, credit: str, structure_id: str | None
    ) -> str:
        """The posting of a cheque's money movement after issue (its amount and accounts' owner: the cheque's
        row); returns its Paris day."""
        at = instant_text(e["timestamp"])
        day = paris_day(at)
        self._moves.append((n.id, at, kind, debit, credit, structure_id, cheque_id, day))
        return day

    def _status(self, cheque_id: str, changes: dict[str, Any]) -> None:
        """``changes`` (with the cheque's new ``status``) to its row: new in this batch, or updated at the flush."""
        target = self._new.get(cheque_id)
        if target is None:
            target = self._changes.get(cheque_id)
            if target is None:
                self._changes[cheque_id] = changes
                return
        target.update(changes)

    # -- funding -----------------------------------------------------------------------------
    def _on_Commitment_Signed(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        commitment_id = str(n.originator_id)
        cur.execute(
            "INSERT INTO commitment_index (id, funder_code, reference, amount_cents, valid_from, valid_until,"
            " priority, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                commitment_id,
                e["funder_code"],
                e["reference"],
                e["amount_cents"],
                day_text(e["valid_from"]),
                day_text(e["valid_until"]),
                e["priority"],
                instant_text(e["timestamp"]),
            ),
        )
        self._post(e, n, "commitment_signed", e["funder_code"], commitment_id, "funder", "available", e["amount_cents"])

    def _on_Funder_PaymentReceived(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cur.execute(
            "INSERT INTO funder_payments (position, at, funder_code, amount_cents, received_on, reference)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                n.id,
                instant_text(e["timestamp"]),
                e["funder_code"],
                e["amount_cents"],
                day_text(e["received_on"]),
                e["reference"],
            ),
        )

    # -- cheques -----------------------------------------------------------------------------
    def _on_Cheque_Issued(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        commitment_id = uuid_text(e["commitment_id"])
        serial, funder_code, face_value = e["serial"], e["funder_code"], e["face_value_cents"]
        issued_on = day_text(e["issued_on"])
        self._sessions.issued(issued_on)
        self._new[cheque_id] = {
            "serial": serial,
            "cheque_id": cheque_id,
            "commitment_id": commitment_id,
            "funder_code": funder_code,
            "face_value_cents": face_value,
            "status": "issued",
            "valid_until": day_text(e["valid_until"]),
            "issued_on": issued_on,
            "beneficiary_id": uuid_text(e["beneficiary_id"]),
            "prescriber_id": e["prescriber_id"],
            "book_id": uuid_text(e["book_id"]),
        }
        self._post(e, n, "cheque_issued", funder_code, commitment_id, "available", "reserved", face_value, serial)

    def _on_Cheque_Redeemed(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        structure_id = uuid_text(e["structure_id"])
        session_date = day_text(e["session_date"])
        kind, minutes = e["session_kind"], e["duration_minutes"]
        day = self._move(e, n, cheque_id, "cheque_redeemed", "reserved", "redeemed", structure_id)
        self._structures.redeemed(n.id, day, structure_id, cheque_id, (session_date, kind))
        self._sessions.redeemed(cheque_id, session_date, kind, minutes, structure_id)
        self._status(
            cheque_id,
            {
                "status": "redeemed",
                "structure_id": structure_id,
                "session_date": session_date,
                "session_kind": kind,
                "duration_minutes": minutes,
            },
        )

    def _on_Cheque_RedemptionReversed(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        structure_id = uuid_text(e["structure_id"])
        day = self._move(e, n, cheque_id, "redemption_reversed", "redeemed", "reserved", structure_id)
        self._structures.reversed(n.id, day, structure_id, cheque_id)
        self._sessions.reversed(cheque_id)
        self._status(
            cheque_id,
            {
                "status": "issued",
                "structure_id": None,
                "session_date": None,
                "session_kind": None,
                "duration_minutes": None,
            },
        )

    def _on_Cheque_Settled(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        structure_id = uuid_text(e["structure_id"])
        day = self._move(e, n, cheque_id, "cheque_settled", "redeemed", "paid", structure_id)
        self._structures.settled(n.id, day, structure_id, cheque_id, uuid_text(e["settlement_id"]))
        self._status(cheque_id, {"status": "settled"})

    def _on_Cheque_Cancelled(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        self._move(e, n, cheque_id, "cheque_cancelled", "reserved", "available", None)
        self._status(cheque_id, {"status": "cancelled"})

    def _on_Cheque_Expired(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        self._move(e, n, cheque_id, "cheque_expired", "reserved", "available", None)
        self._status(cheque_id, {"status": "expired"})
