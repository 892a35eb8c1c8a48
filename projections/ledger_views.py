"""The journal of postings and the indexes the fund's operations and reads need.

- ``journal``: every money movement of a commitment as a posting (debit → credit), naming the
  event and position it came from. Reconciliation figures are sums of it.
- ``cheque_index``: each cheque's current status, for settlement and expiry runs, statements
  and look-ups (the aggregate stays the truth: commands re-check every candidate).
- ``commitment_index`` and ``funder_payments``: what a funder signed and paid.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from typing import Any

from ledger.database import Cursor
from projections.raw_events import day_text, fields, instant, instant_text, uuid_text
from projections.runner import handler_name

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS journal ("
    " position BIGINT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, event_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, funder_code TEXT NOT NULL, commitment_id TEXT NOT NULL,"
    " debit TEXT NOT NULL, credit TEXT NOT NULL, amount_cents BIGINT NOT NULL,"
    " serial TEXT, structure_id TEXT, PRIMARY KEY (position, seq))",
    "CREATE INDEX IF NOT EXISTS journal_funder ON journal (funder_code, position)",
    "CREATE INDEX IF NOT EXISTS journal_structure ON journal (structure_id, position)",
    "CREATE TABLE IF NOT EXISTS cheque_index ("
    " serial TEXT PRIMARY KEY, cheque_id TEXT NOT NULL UNIQUE, commitment_id TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " face_value_cents BIGINT NOT NULL, status TEXT NOT NULL, valid_until TEXT NOT NULL,"
    " issued_on TEXT NOT NULL, beneficiary_id TEXT NOT NULL, prescriber_id TEXT NOT NULL,"
    " book_id TEXT NOT NULL, structure_id TEXT, session_date TEXT, session_kind TEXT,"
    " duration_minutes INTEGER)",
    "CREATE INDEX IF NOT EXISTS cheque_status ON cheque_index (status, valid_until)",
    "CREATE INDEX IF NOT EXISTS cheque_structure ON cheque_index (structure_id, status)",
    "CREATE TABLE IF NOT EXISTS commitment_index ("
    " id TEXT PRIMARY KEY, funder_code TEXT NOT NULL, reference TEXT NOT NULL,"
    " amount_cents BIGINT NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT NOT NULL,"
    " priority INTEGER NOT NULL, signed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS funder_payments ("
    " position BIGINT PRIMARY KEY, at TEXT NOT NULL, funder_code TEXT NOT NULL,"
    " amount_cents BIGINT NOT NULL, received_on TEXT NOT NULL, reference TEXT NOT NULL)",
]


JOURNAL_COLUMNS = (
    "position, seq, at, event_id, kind, funder_code, commitment_id, debit, credit, amount_cents, serial, structure_id"
)
CHEQUE_COLUMNS = (
    "serial", "cheque_id", "commitment_id", "funder_code", "face_value_cents", "status", "valid_until",
    "issued_on", "beneficiary_id", "prescriber_id", "book_id",
)
CHEQUE_TYPES = {"cheque_id": "text", "status": "text", "structure_id": "text", "session_date": "text",
                "session_kind": "text", "duration_minutes": "integer"}
STATIC_CACHE_SIZE = 20_000  # a server process sees every cheque redeemed: bounded (misses are loaded per batch, see prepare)
MOVES = {f"Cheque.{name}" for name in ("Redeemed", "RedemptionReversed", "Settled", "Cancelled", "Expired")}  # via _move


class LedgerViews:
    """Writes are buffered per batch and flushed in bulk (PostgreSQL: ``COPY`` for new rows, one ``UPDATE``
    over arrays per statement shape): a cheque touched several times in a batch is written once, with its
    final state."""

    name = "ledger_views"

    def __init__(self) -> None:
        # cheque id -> (serial, funder code, commitment id, face value): immutable once issued
        self._static: dict[str, tuple[str, str, str, int]] = {}
        self._handlers: dict[str, Any] = {}
        self.begin(None)

    def schema(self) -> list[str]:
        return SCHEMA

    def tables(self) -> list[str]:
        return ["journal", "cheque_index", "commitment_index", "funder_payments"]

    def begin(self, cur: Cursor | None) -> None:
        self._journal: list[tuple] = []
        self._new: dict[str, dict[str, Any]] = {}
        self._changes: dict[str, dict[str, Any]] = {}

    def decodes(self, topic: str) -> bool:
        return False  # reads the few fields it needs from the stored JSON (projections/raw_events.py)

    def handler(self, topic: str) -> Any:
        """The ``_on_<Class>_<Event>`` method for a stored event's topic, or None."""
        try:
            return self._handlers[topic]
        except KeyError:
            found = self._handlers[topic] = getattr(self, handler_name(topic), None)
            return found

    def prepare(self, cur: Cursor, notifications: list[Any]) -> None:
        """Loads, in a few statements, the cheques the batch moves money of and this process has not seen
        issued (otherwise one query each: a server's projections start with an empty cache)."""
        self._load_cheques(cur, [str(n.originator_id) for n in notifications if n.topic.rpartition(":")[2] in MOVES])

    def _load_cheques(self, cur: Cursor, cheque_ids: list[str]) -> None:
        """Puts in ``_static`` those of ``cheque_ids`` not there yet, a few statements for them all."""
        wanted = [cheque_id for cheque_id in dict.fromkeys(cheque_ids) if cheque_id not in self._static]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = cur.execute(
                "SELECT cheque_id, serial, funder_code, commitment_id, face_value_cents FROM cheque_index"
                f" WHERE cheque_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            for cheque_id, serial, funder_code, commitment_id, face_value in rows:
                self._static[cheque_id] = (serial, funder_code, commitment_id, int(face_value))

    def apply(self, cur: Cursor, event: Any, notification: Any) -> None:
        handler = self.handler(notification.topic)
        if handler is not None:
            handler(cur, fields(notification.state), notification)

    def flush(self, cur: Cursor) -> None:
        extra = ("structure_id", "session_date", "session_kind", "duration_minutes")
        cur.insert_rows(
            "cheque_index",
            CHEQUE_COLUMNS + extra,
            [[row[c] for c in CHEQUE_COLUMNS] + [row.get(c) for c in extra] for row in self._new.values()],
        )
        shapes: dict[tuple[str, ...], list[list[Any]]] = {}
        for cheque_id, changes in self._changes.items():
            shapes.setdefault(tuple(sorted(changes)), []).append([changes[k] for k in sorted(changes)] + [cheque_id])
        for columns, rows in shapes.items():
            cur.update_rows("cheque_index", "cheque_id", columns, rows, CHEQUE_TYPES)
        cur.insert_rows("journal", JOURNAL_COLUMNS.split(", "), self._journal)
        if len(self._static) > STATIC_CACHE_SIZE:
            self._static.clear()
        self.begin(cur)

    # -- helpers -----------------------------------------------------------------------------
    def _post(
        self,
        e: dict[str, Any],
        n: Any,
        *,
        kind: str,
        funder_code: str,
        commitment_id: str,
        debit: str,
        credit: str,
        amount_cents: int,
        serial: str | None = None,
        structure_id: str | None = None,
    ) -> None:
        """One posting. ``e``: the event's stored fields; ``n``: its stored row (position, originator)."""
        self._journal.append(
            (
                n.id,
                0,
                instant_text(e["timestamp"]),
                f"{n.originator_id}/{n.originator_version}",
                kind,
                funder_code,
                commitment_id,
                debit,
                credit,
                amount_cents,
                serial,
                structure_id,
            )
        )

    def _cheque(self, cur: Cursor, cheque_id: str) -> tuple[str, str, str, int]:
        static = self._static.get(cheque_id)
        if static is None:  # not prepared (a projection without the batch hook's help)
            self._load_cheques(cur, [cheque_id])
            static = self._static.get(cheque_id)
            assert static is not None, f"cheque {cheque_id} not indexed"
        return static

    def _move(self, cur: Cursor, e: dict[str, Any], n: Any, kind: str, debit: str, credit: str, structure_id: str | None) -> None:
        serial, funder_code, commitment_id, amount = self._cheque(cur, str(n.originator_id))
        self._post(
            e, n, kind=kind, funder_code=funder_code, commitment_id=commitment_id, debit=debit, credit=credit,
            amount_cents=amount, serial=serial, structure_id=structure_id,
        )

    def _status(self, n: Any, status: str, **changes: Any) -> None:
        cheque_id = str(n.originator_id)
        target = self._new.get(cheque_id)
        if target is None:
            target = self._changes.setdefault(cheque_id, {})
        target["status"] = status
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
        self._post(
            e, n, kind="commitment_signed", funder_code=e["funder_code"], commitment_id=commitment_id,
            debit="funder", credit="available", amount_cents=e["amount_cents"],
        )

    def _on_Funder_PaymentReceived(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cur.execute(
            "INSERT INTO funder_payments (position, at, funder_code, amount_cents, received_on, reference)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (n.id, instant_text(e["timestamp"]), e["funder_code"], e["amount_cents"], day_text(e["received_on"]), e["reference"]),
        )

    # -- cheques -----------------------------------------------------------------------------
    def _on_Cheque_Issued(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        cheque_id = str(n.originator_id)
        commitment_id = uuid_text(e["commitment_id"])
        serial, funder_code, face_value = e["serial"], e["funder_code"], e["face_value_cents"]
        self._static[cheque_id] = (serial, funder_code, commitment_id, face_value)
        self._new[cheque_id] = {
            "serial": serial,
            "cheque_id": cheque_id,
            "commitment_id": commitment_id,
            "funder_code": funder_code,
            "face_value_cents": face_value,
            "status": "issued",
            "valid_until": day_text(e["valid_until"]),
            "issued_on": day_text(e["issued_on"]),
            "beneficiary_id": uuid_text(e["beneficiary_id"]),
            "prescriber_id": e["prescriber_id"],
            "book_id": uuid_text(e["book_id"]),
        }
        self._post(
            e, n, kind="cheque_issued", funder_code=funder_code, commitment_id=commitment_id,
            debit="available", credit="reserved", amount_cents=face_value, serial=serial,
        )

    def _on_Cheque_Redeemed(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        structure_id = uuid_text(e["structure_id"])
        self._move(cur, e, n, "cheque_redeemed", "reserved", "redeemed", structure_id)
        self._status(
            n, "redeemed", structure_id=structure_id, session_date=day_text(e["session_date"]),
            session_kind=e["session_kind"], duration_minutes=e["duration_minutes"],
        )

    def _on_Cheque_RedemptionReversed(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        self._move(cur, e, n, "redemption_reversed", "redeemed", "reserved", uuid_text(e["structure_id"]))
        self._status(n, "issued", structure_id=None, session_date=None, session_kind=None, duration_minutes=None)

    def _on_Cheque_Settled(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        self._move(cur, e, n, "cheque_settled", "redeemed", "paid", uuid_text(e["structure_id"]))
        self._status(n, "settled")

    def _on_Cheque_Cancelled(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        self._move(cur, e, n, "cheque_cancelled", "reserved", "available", None)
        self._status(n, "cancelled")

    def _on_Cheque_Expired(self, cur: Cursor, e: dict[str, Any], n: Any) -> None:
        self._move(cur, e, n, "cheque_expired", "reserved", "available", None)
        self._status(n, "expired")


def end_of_day_utc(day: date) -> str:
    """The first instant after ``day`` in Europe/Paris, as a UTC instant string."""
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Paris")) + timedelta(days=1)
    return instant(local)
