"""A structure's statement by period, kept by ``ledger_views`` in the transaction of the cheques' moves, so that
a statement of any period reads rows kept for it, never the structure's cheques.

- ``structure_days``: per structure and Paris day (the day the move was recorded), the cheques redeemed,
  reversed and settled that day, counted and summed. Deltas, upserted by adding (as ``balance_days``): the
  amount due to the structure at the end of a day is redeemed - reversed - settled up to that day, the amount
  paid is settled up to it.
- ``structure_lines``: one row per redemption and reversal (day, position, serial, amount, session date and
  kind), in the order of the statement's keyset pages (structure, day, position).
- ``structure_settled``: per structure, day and settlement, the cheques it settled (count, amount): a
  settlement's line on the statement, summed from the same moves as ``structure_days``.

A move knows its cheque only: the serial and amount come from the cheque's row in SQL, as for the journal's
postings. These statements run before the cheques' rows are updated (after the batch's new rows are in), so a
reversal finds its session on the row; a redemption reversed in the same batch passes its session in memory.
``cheque-ledger verify`` recomputes the three from the journal (``projections/verify.py``).
"""

from __future__ import annotations

from typing import Any

from ledger.database import Cursor

FIGURES = ("redeemed_count", "redeemed_cents", "reversed_count", "reversed_cents", "settled_count", "settled_cents")
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS structure_days (structure_id TEXT NOT NULL, day TEXT NOT NULL,"
    + ", ".join(f" {f} BIGINT NOT NULL" for f in FIGURES)
    + ", PRIMARY KEY (structure_id, day))",
    "CREATE TABLE IF NOT EXISTS structure_lines (structure_id TEXT NOT NULL, day TEXT NOT NULL,"
    " position BIGINT NOT NULL, kind TEXT NOT NULL, serial TEXT NOT NULL, amount_cents BIGINT NOT NULL,"
    " session_date TEXT, session_kind TEXT, PRIMARY KEY (structure_id, day, position))",
    "CREATE TABLE IF NOT EXISTS structure_settled (structure_id TEXT NOT NULL, day TEXT NOT NULL,"
    " settlement_id TEXT NOT NULL, count BIGINT NOT NULL, amount_cents BIGINT NOT NULL,"
    " PRIMARY KEY (structure_id, day, settlement_id))",
]
TABLES = ["structure_days", "structure_lines", "structure_settled"]

COLUMNS = ("position", "day", "kind", "structure_id", "cheque_id", "session_date", "session_kind", "settlement_id")
TYPES = {"position": "bigint"}

_JOIN = " FROM {rows} JOIN cheque_index c ON c.cheque_id = v.cheque_id WHERE true"


def _count(kind: str) -> str:
    return f"SUM(CASE WHEN v.kind = '{kind}' THEN 1 ELSE 0 END), SUM(CASE WHEN v.kind = '{kind}' THEN c.face_value_cents ELSE 0 END)"


DAYS = (
    f"INSERT INTO structure_days (structure_id, day, {', '.join(FIGURES)})"
    f" SELECT v.structure_id, v.day, {_count('redeemed')}, {_count('reversed')}, {_count('settled')}"
    + _JOIN
    + " GROUP BY v.structure_id, v.day ON CONFLICT (structure_id, day) DO UPDATE SET "
    + ", ".join(f"{f} = structure_days.{f} + excluded.{f}" for f in FIGURES)
)
LINES = (
    "INSERT INTO structure_lines (structure_id, day, position, kind, serial, amount_cents, session_date,"
    " session_kind) SELECT v.structure_id, v.day, v.position, v.kind, c.serial, c.face_value_cents,"
    " COALESCE(v.session_date, c.session_date), COALESCE(v.session_kind, c.session_kind)"
    + _JOIN
    + " AND v.kind <> 'settled'"
)
SETTLED = (
    "INSERT INTO structure_settled (structure_id, day, settlement_id, count, amount_cents)"
    " SELECT v.structure_id, v.day, v.settlement_id, COUNT(*), SUM(c.face_value_cents)"
    + _JOIN
    + " AND v.kind = 'settled' GROUP BY v.structure_id, v.day, v.settlement_id"
    " ON CONFLICT (structure_id, day, settlement_id) DO UPDATE SET count = structure_settled.count +"
    " excluded.count, amount_cents = structure_settled.amount_cents + excluded.amount_cents"
)


class StructureMoves:
    """The batch's redemptions, reversals and settlements of cheques, by structure."""

    def __init__(self) -> None:
        self._rows: list[list[Any]] = []
        self._sessions: dict[str, tuple[str, str]] = {}  # cheque → session of its redemption in this batch

    def redeemed(self, position: int, day: str, structure_id: str, cheque_id: str, session: tuple[str, str]) -> None:
        self._sessions[cheque_id] = session
        self._rows.append([position, day, "redeemed", structure_id, cheque_id, *session, None])

    def reversed(self, position: int, day: str, structure_id: str, cheque_id: str) -> None:
        session = self._sessions.pop(cheque_id, (None, None))
        self._rows.append([position, day, "reversed", structure_id, cheque_id, *session, None])

    def settled(self, position: int, day: str, structure_id: str, cheque_id: str, settlement_id: str) -> None:
        self._rows.append([position, day, "settled", structure_id, cheque_id, None, None, settlement_id])

    def flush(self, cur: Cursor) -> None:
        """Before the cheques' rows are updated, after the batch's new rows are inserted."""
        if self._rows:
            for statement in (DAYS, LINES, SETTLED):
                cur.execute_over_rows(statement, COLUMNS, TYPES, self._rows)
        self.__init__()  # type: ignore[misc]
