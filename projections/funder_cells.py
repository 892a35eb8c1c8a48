"""Pre-aggregated outcome cells per funder, so that what a funder's money did (``/financeur/resultats``,
``projections/funder_outcomes.py``) reads a few rows a place and commune, not every cheque the funder paid for.

- ``funder_cells``: per funder and cell, sessions (redeemed or settled cheques), minutes, sessions by kind and
  ``beneficiaries``, the exact number of distinct people with a session there. A cell is on one axis: ``*`` (the
  funder's total, key ``*``), ``structure`` (key: the structure's id) or ``commune`` (key: the beneficiary's
  commune; the reads group communes into their EPCI: a person has one commune, so those sums are exact).
- ``funder_markers``: one row per cell and person with the number of that person's sessions there; a cell's
  ``beneficiaries`` is recounted from its markers whenever a batch touched one, as the observatory's cells are
  (``projections/outcome_cells.py``, whose batch of sessions this reads: the statements run at the same point,
  before the cheques' rows are updated, so a reversal finds its session's structure and kind on the row).
"""

from __future__ import annotations

from projections.cell_sql import KINDS, added, sums

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS funder_cells ("
    " funder_code TEXT NOT NULL, axis TEXT NOT NULL, key TEXT NOT NULL,"
    " sessions BIGINT NOT NULL, minutes BIGINT NOT NULL, individual BIGINT NOT NULL, collective BIGINT NOT NULL,"
    " administrative_procedure BIGINT NOT NULL, beneficiaries BIGINT NOT NULL,"
    " PRIMARY KEY (funder_code, axis, key))",
    "CREATE TABLE IF NOT EXISTS funder_markers ("
    " funder_code TEXT NOT NULL, axis TEXT NOT NULL, key TEXT NOT NULL, beneficiary_id TEXT NOT NULL,"
    " sessions INTEGER NOT NULL, touched INTEGER NOT NULL, PRIMARY KEY (funder_code, axis, key, beneficiary_id))",
    "CREATE INDEX IF NOT EXISTS funder_markers_touched ON funder_markers (touched) WHERE touched = 1",
]
TABLES = ["funder_cells", "funder_markers"]

_KIND = "COALESCE(v.session_kind, c.session_kind, 'individual')"
_KEY = (
    "CASE a.axis WHEN '*' THEN '*' WHEN 'structure' THEN COALESCE(v.structure_id, c.structure_id, '?')"
    " ELSE b.commune_insee END"
)
_FACTS = (
    " FROM {rows} JOIN cheque_index c ON c.cheque_id = v.cheque_id"
    " JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
    " JOIN (SELECT '*' AS axis UNION ALL SELECT 'structure' AS axis UNION ALL SELECT 'commune' AS axis) a ON true"
    " WHERE true"
)
CELL = "funder_code, axis, key"
MARKERS = (
    f"INSERT INTO funder_markers ({CELL}, beneficiary_id, sessions, touched)"
    f" SELECT c.funder_code, a.axis, {_KEY}, c.beneficiary_id, SUM(v.sign), 1"
    + _FACTS
    + f" GROUP BY 1, 2, 3, 4 ON CONFLICT ({CELL}, beneficiary_id)"
    " DO UPDATE SET sessions = funder_markers.sessions + excluded.sessions, touched = 1"
)
CELLS = (
    f"INSERT INTO funder_cells ({CELL}, sessions, minutes, {', '.join(KINDS)}, beneficiaries)"
    f" SELECT c.funder_code, a.axis, {_KEY}, {sums(_KIND)}, 0"
    + _FACTS
    + f" GROUP BY 1, 2, 3 ON CONFLICT ({CELL}) DO UPDATE SET "
    + added("funder_cells")
)
RECOUNT = (
    "UPDATE funder_cells SET beneficiaries = (SELECT COUNT(*) FROM funder_markers m"
    " WHERE m.funder_code = funder_cells.funder_code AND m.axis = funder_cells.axis AND m.key = funder_cells.key"
    " AND m.sessions > 0)"
    f" WHERE ({CELL}) IN (SELECT {CELL} FROM funder_markers WHERE touched = 1)"
)
UNTOUCH = "UPDATE funder_markers SET touched = 0 WHERE touched = 1"
STATEMENTS = (MARKERS, CELLS, RECOUNT, UNTOUCH)
