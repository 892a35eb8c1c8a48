"""Queries on the outcome cells (``projections/outcome_cells.py``) for the indicators, the breakdowns and the
observatory export, when the period is made of whole quarters (or is all time): then no read touches a
cheque. Another period (days inside a quarter) is read from the cheques' rows, as before
(``projections/observatory_reads.py``): exact, but in proportion to the sessions of the period.

Distinct beneficiaries: a cell's count is exact; a beneficiary has one commune and one age band, so sums over
communes and bands are exact; over several quarters, the distinct count comes from the markers (one row a
person and quarter)."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.database import Cursor

ALL_TIME = ("*", "*")
KINDS = ("individual", "collective", "administrative_procedure")


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def scope_of(start: date | None, end: date | None) -> tuple[str, str] | None:
    """``ALL_TIME``; the first and last quarters of a period of whole quarters (an open end counts as whole);
    or None."""
    if start is None and end is None:
        return ALL_TIME
    if start is not None and (start.day != 1 or start.month % 3 != 1):
        return None
    if end is not None and ((end + timedelta(days=1)).day != 1 or end.month % 3 != 0):
        return None
    return (_quarter(start) if start else "0000-Q1", _quarter(end) if end else "9999-Q4")


def _where(scope: tuple[str, str]) -> tuple[str, tuple[str, ...]]:
    if scope == ALL_TIME:
        return "quarter = '*'", ()
    return "quarter >= ? AND quarter <= ? AND quarter <> '*'", scope


def by_commune(cur: Cursor, scope: tuple[str, str]) -> list[tuple[str, str, int, int, int, int, int, int]]:
    """(commune, age band, sessions, minutes, individual, collective, administrative_procedure, beneficiaries)
    of the scope, all publics together."""
    where, params = _where(scope)
    rows = cur.execute(
        f"SELECT commune_insee, age_band, SUM(sessions), SUM(minutes), {', '.join(f'SUM({k})' for k in KINDS)},"
        f" SUM(beneficiaries) FROM outcome_cells WHERE public = '*' AND {where} GROUP BY commune_insee, age_band",
        params,
    ).fetchall()
    several = scope != ALL_TIME and scope[0] != scope[1]
    distinct: dict[tuple[str, str], int] = {}
    if several:  # a person active in two quarters counts once
        distinct = {
            (r[0], r[1]): int(r[2])
            for r in cur.execute(
                "SELECT commune_insee, age_band, COUNT(DISTINCT beneficiary_id) FROM cell_markers"
                f" WHERE public = '*' AND {where} AND sessions > 0 GROUP BY commune_insee, age_band",
                params,
            ).fetchall()
        }
    out = []
    for commune, band, *figures in rows:
        values = [int(x or 0) for x in figures]
        if several:
            values[-1] = distinct.get((commune, band), 0)
        if values[0]:
            out.append((commune, band, *values))
    return out  # type: ignore[return-value]  # eight values a row


def by_quarter(cur: Cursor, scope: tuple[str, str]) -> list[tuple[str, int, int, int]]:
    """(quarter, sessions, minutes, beneficiaries) of each quarter of the scope, all publics together."""
    low, high = ("0000-Q1", "9999-Q4") if scope == ALL_TIME else scope
    rows = cur.execute(
        "SELECT quarter, SUM(sessions), SUM(minutes), SUM(beneficiaries) FROM outcome_cells"
        " WHERE public = '*' AND quarter >= ? AND quarter <= ? AND quarter <> '*' GROUP BY quarter ORDER BY quarter",
        (low, high),
    ).fetchall()
    return [(q, int(s), int(m), int(b)) for q, s, m, b in rows if int(s)]


def export_cells(cur: Cursor, scope: tuple[str, str]) -> list[tuple[str, str, str, str, int, int, int]]:
    """(quarter, commune, public, age band, sessions, minutes, beneficiaries) of every cell with a session."""
    low, high = ("0000-Q1", "9999-Q4") if scope == ALL_TIME else scope
    rows = cur.execute(
        "SELECT quarter, commune_insee, public, age_band, sessions, minutes, beneficiaries FROM outcome_cells"
        " WHERE quarter >= ? AND quarter <= ? AND quarter <> '*' AND public <> '*' AND sessions > 0",
        (low, high),
    ).fetchall()
    return [(q, c, p, a, int(s), int(m), int(b)) for q, c, p, a, s, m, b in rows]


def session_people(cur: Cursor, low: str, high: str) -> set[tuple[str, str, str]]:
    """(quarter, public, beneficiary) of the people who took a PIX exit test in the period and have a
    session in that quarter: already counted in their cell."""
    rows = cur.execute(
        "SELECT DISTINCT m.quarter, m.public, m.beneficiary_id FROM pix_results p"
        " JOIN cell_markers m ON m.beneficiary_id = p.beneficiary_id"
        " WHERE p.phase = 'exit' AND p.taken_on >= ? AND p.taken_on <= ? AND m.sessions > 0"
        " AND m.quarter <> '*' AND m.public <> '*'",
        (low, high),
    ).fetchall()
    return {(q, p, b) for q, p, b in rows}


def cheques_issued(cur: Cursor, low: str, high: str) -> int:
    row = cur.execute("SELECT COALESCE(SUM(cheques), 0) FROM issued_days WHERE day >= ? AND day <= ?", (low, high))
    return int(row.fetchone()[0])  # type: ignore[index]  # an aggregate: one row
