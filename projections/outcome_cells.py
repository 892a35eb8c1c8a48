"""Pre-aggregated outcome cells: sessions, minutes and distinct beneficiaries per quarter × commune × public ×
age band, kept by ``ledger_views`` in the transaction of the cheques' moves, so that the indicators, the
breakdowns and the observatory export read cells, not every redeemed cheque.

- ``outcome_cells``: per cell, sessions (redeemed or settled cheques, by session date), minutes, sessions by
  kind, and ``beneficiaries``, the exact number of distinct beneficiaries with a session in the cell.
- ``cell_markers``: one row per cell and beneficiary with the number of that person's sessions there. A
  distinct count is exact, not an estimate: a cell's ``beneficiaries`` is recounted from its markers whenever a
  batch touched one (``touched``), so a reversal that leaves a person without a session in a cell takes them
  out. Two pseudo-values widen the cells: quarter ``*`` (all time) and public ``*`` (all publics; a person with
  no public counts under ``none``). A beneficiary has one commune and one age band, so summing cells over
  communes or bands adds disjoint sets: exact too. Only a distinct count over several quarters needs the
  markers themselves (one row a person and quarter, never one a cheque).
- ``issued_days``: cheques issued per day (the indicators' ``cheques_issued`` for any period).

A session's beneficiary, commune, age band and publics come from the cheque's row and ``beneficiary_facts`` /
``beneficiary_publics`` (the ``outcomes`` projection, applied in the same batch: a person is registered
before any of their cheques is issued). A reversal takes its session's date, kind and minutes from the
cheque's row as it stood before the batch (these statements run before the row's update), or cancels the
redemption of the same batch in memory. ``verify`` recomputes every cell from the events.
"""

from __future__ import annotations

from typing import Any

from ledger.database import Cursor
from projections import funder_cells
from projections.cell_sql import KINDS, added, sums

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS outcome_cells ("
    " quarter TEXT NOT NULL, commune_insee TEXT NOT NULL, public TEXT NOT NULL, age_band TEXT NOT NULL,"
    " sessions BIGINT NOT NULL, minutes BIGINT NOT NULL, individual BIGINT NOT NULL, collective BIGINT NOT NULL,"
    " administrative_procedure BIGINT NOT NULL, beneficiaries BIGINT NOT NULL,"
    " PRIMARY KEY (quarter, public, commune_insee, age_band))",
    "CREATE TABLE IF NOT EXISTS cell_markers ("
    " quarter TEXT NOT NULL, commune_insee TEXT NOT NULL, public TEXT NOT NULL, age_band TEXT NOT NULL,"
    " beneficiary_id TEXT NOT NULL, sessions INTEGER NOT NULL, touched INTEGER NOT NULL,"
    " PRIMARY KEY (quarter, public, commune_insee, age_band, beneficiary_id))",
    "CREATE INDEX IF NOT EXISTS cell_markers_touched ON cell_markers (touched) WHERE touched = 1",
    "CREATE INDEX IF NOT EXISTS cell_markers_beneficiary ON cell_markers (beneficiary_id)",  # PIX pairs' people
    "CREATE TABLE IF NOT EXISTS issued_days (day TEXT PRIMARY KEY, cheques BIGINT NOT NULL)",
]
TABLES = ["outcome_cells", "cell_markers", "issued_days"]

SESSION_COLUMNS = ("cheque_id", "session_date", "session_kind", "duration_minutes", "sign", "structure_id")
SESSION_TYPES = {
    "session_date": "text",
    "session_kind": "text",
    "duration_minutes": "integer",
    "sign": "integer",
    "structure_id": "text",
}

_DAY = "COALESCE(v.session_date, c.session_date)"
_KIND = "COALESCE(v.session_kind, c.session_kind)"
_QUARTER = (
    f"CASE WHEN w.whole = 1 THEN '*' ELSE SUBSTR({_DAY}, 1, 4) || '-Q' ||"
    f" CAST((CAST(SUBSTR({_DAY}, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) END"
)
_FACTS = (
    " FROM {rows} JOIN cheque_index c ON c.cheque_id = v.cheque_id"
    " JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
    " JOIN beneficiary_publics p ON p.beneficiary_id = c.beneficiary_id"
    " JOIN (SELECT 0 AS whole UNION ALL SELECT 1 AS whole) w ON true WHERE true"
)
CELL = "quarter, public, commune_insee, age_band"
MARKERS = (
    f"INSERT INTO cell_markers ({CELL}, beneficiary_id, sessions, touched)"
    f" SELECT {_QUARTER}, p.public, b.commune_insee, b.age_band, c.beneficiary_id, SUM(v.sign), 1"
    + _FACTS
    + f" GROUP BY 1, 2, 3, 4, 5 ON CONFLICT ({CELL}, beneficiary_id)"
    " DO UPDATE SET sessions = cell_markers.sessions + excluded.sessions, touched = 1"
)
CELLS = (
    f"INSERT INTO outcome_cells ({CELL}, sessions, minutes, {', '.join(KINDS)}, beneficiaries)"
    f" SELECT {_QUARTER}, p.public, b.commune_insee, b.age_band, {sums(_KIND)}, 0"
    + _FACTS
    + f" GROUP BY 1, 2, 3, 4 ON CONFLICT ({CELL}) DO UPDATE SET "
    + added("outcome_cells")
)
RECOUNT = (
    "UPDATE outcome_cells SET beneficiaries = (SELECT COUNT(*) FROM cell_markers m"
    " WHERE m.quarter = outcome_cells.quarter AND m.public = outcome_cells.public"
    " AND m.commune_insee = outcome_cells.commune_insee AND m.age_band = outcome_cells.age_band AND m.sessions > 0)"
    f" WHERE ({CELL}) IN (SELECT {CELL} FROM cell_markers WHERE touched = 1)"
)
UNTOUCH = "UPDATE cell_markers SET touched = 0 WHERE touched = 1"
ISSUED = (
    "INSERT INTO issued_days (day, cheques) VALUES (?, ?)"
    " ON CONFLICT (day) DO UPDATE SET cheques = issued_days.cheques + excluded.cheques"
)


class Sessions:
    """The batch's sessions gained (redemptions: +1, with the event's facts) and lost (reversals: -1, with
    the facts of the cheque's row before the batch), and the cheques issued per day."""

    def __init__(self) -> None:
        self._rows: list[list[Any]] = []
        self._pending: dict[str, int] = {}  # cheque id -> index of its redemption in this batch
        self._issued: dict[str, int] = {}

    def issued(self, day: str) -> None:
        self._issued[day] = self._issued.get(day, 0) + 1

    def redeemed(self, cheque_id: str, day: str, kind: str, minutes: int, structure_id: str) -> None:
        self._pending[cheque_id] = len(self._rows)
        self._rows.append([cheque_id, day, kind, minutes, 1, structure_id])

    def reversed(self, cheque_id: str) -> None:
        index = self._pending.pop(cheque_id, None)
        if index is not None:
            self._rows[index][4] = 0  # redeemed and reversed in this batch: no session
        else:
            self._rows.append([cheque_id, None, None, None, -1, None])

    def flush(self, cur: Cursor) -> None:
        """Before the cheques' rows are updated (a reversal reads its session from the row), after the
        new cheques' rows are inserted (a redemption of a cheque issued in the batch finds its row)."""
        rows = [r for r in self._rows if r[4]]
        if rows:
            cur.execute_over_rows(MARKERS, SESSION_COLUMNS, SESSION_TYPES, rows)
            cur.execute_over_rows(CELLS, SESSION_COLUMNS, SESSION_TYPES, rows)
            cur.execute(RECOUNT)
            cur.execute(UNTOUCH)
            for sql in funder_cells.STATEMENTS[:2]:  # the same sessions, per funder (projections/funder_cells.py)
                cur.execute_over_rows(sql, SESSION_COLUMNS, SESSION_TYPES, rows)
            for sql in funder_cells.STATEMENTS[2:]:
                cur.execute(sql)
        cur.executemany(ISSUED, list(self._issued.items()))
        self.__init__()  # type: ignore[misc]
