"""Queries on the outcome cells (``projections/outcome_cells.py``) for the indicators, the breakdowns and the
observatory export. A period is split (``split``) into the whole quarters it covers (or all time), read from
the cells, and its edge days (the days of a quarter it cuts, at most two ranges of less than a quarter), read
from the cheques' rows through their index by session day: a read's cost is bounded by the sessions of the
edge days, never by all the cheques.

Distinct beneficiaries: a cell's count is exact; a beneficiary has one commune and one age band, so sums over
communes and bands are exact; one quarter and edge days: the cell's count plus the edge days' people without a
marker in that quarter (a look-up by key each); over several quarters, the distinct count comes from the
markers (one row a person and quarter) and the edge days' rows together."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.database import Cursor

ALL_TIME = ("*", "*")
KINDS = ("individual", "collective", "administrative_procedure")


Scope = tuple[str, str]  # the first and last whole quarters, or ALL_TIME
Edges = list[tuple[str, str]]  # ranges of ISO days, first and last included
# ``|| ''``: the status filters the rows found by day; written plainly, SQLite's planner would find them by
# status instead (``cheque_status``), every redeemed cheque
REDEEMED = "c.status || '' IN ('redeemed', 'settled')"


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_quarter(day: date) -> date:
    start = _quarter_start(day)
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def split(start: date | None, end: date | None) -> tuple[Scope | None, Edges]:
    """The whole quarters of the period (``scope_of``; None when it covers none) and its edge days."""
    scope = scope_of(start, end)
    if scope is not None:
        return scope, []
    assert start is not None or end is not None  # all time is a scope
    first = start if start is None or start == _quarter_start(start) else _next_quarter(start)
    after = None if end is None else _quarter_start(end + timedelta(days=1))  # the day after the last whole quarter
    if first is not None and after is not None and first >= after:  # no whole quarter: all edge
        return None, [((start or date.min).isoformat(), (end or date.max).isoformat())]
    edges = []
    if start is not None and first is not None and start < first:
        edges.append((start.isoformat(), (first - timedelta(days=1)).isoformat()))
    if end is not None and after is not None and after <= end:
        edges.append((after.isoformat(), end.isoformat()))
    last = None if after is None else after - timedelta(days=1)
    return scope_of(first, last), edges


def _on_edges(edges: Edges) -> tuple[str, tuple[str, ...]]:
    """The condition on a cheque's row (``c``) of a session on the edge days (served by ``cheque_session_day``)."""
    ranges = " OR ".join("(c.session_date >= ? AND c.session_date <= ?)" for _ in edges)
    return f"{REDEEMED} AND ({ranges})", tuple(day for edge in edges for day in edge)


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


def by_commune(
    cur: Cursor,
    scope: Scope | None,
    edges: Edges = (),  # type: ignore[assignment]
) -> list[tuple[str, str, int, int, int, int, int, int]]:
    """(commune, age band, sessions, minutes, individual, collective, administrative_procedure, beneficiaries)
    of the whole quarters and the edge days, all publics together."""
    figures: dict[tuple[str, str], list[int]] = {}
    if scope is not None:
        where, params = _where(scope)
        for commune, band, *values in cur.execute(
            f"SELECT commune_insee, age_band, SUM(sessions), SUM(minutes), {', '.join(f'SUM({k})' for k in KINDS)},"
            f" SUM(beneficiaries) FROM outcome_cells WHERE public = '*' AND {where} GROUP BY commune_insee, age_band",
            params,
        ).fetchall():
            figures[(commune, band)] = [int(x or 0) for x in values]
    one_quarter = scope is not None and scope != ALL_TIME and scope[0] == scope[1]
    if edges:
        on_edges, days = _on_edges(edges)
        people, quarter = "c.beneficiary_id", ()  # type: tuple[str, tuple[str, ...]]
        if (
            one_quarter and scope is not None
        ):  # the edge days' people not counted in the quarter's cell: a look-up each, by its key
            people = (
                "CASE WHEN NOT EXISTS (SELECT 1 FROM cell_markers m WHERE m.quarter = ? AND m.public = '*'"
                " AND m.commune_insee = b.commune_insee AND m.age_band = b.age_band"
                " AND m.beneficiary_id = c.beneficiary_id AND m.sessions > 0) THEN c.beneficiary_id END"
            )
            quarter = (scope[0],)
        for commune, band, *values in cur.execute(
            "SELECT b.commune_insee, b.age_band, COUNT(*), COALESCE(SUM(c.duration_minutes), 0), "
            + ", ".join(
                f"SUM(CASE WHEN COALESCE(c.session_kind, 'individual') = '{k}' THEN 1 ELSE 0 END)" for k in KINDS
            )
            + f", COUNT(DISTINCT {people}) FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
            f" WHERE {on_edges} GROUP BY b.commune_insee, b.age_band",
            (*quarter, *days),
        ).fetchall():
            row = figures.setdefault((commune, band), [0] * 6)
            for i, x in enumerate(values):
                row[i] += int(x or 0)
    if scope is not None and scope != ALL_TIME and not one_quarter:
        for key in figures:  # a person active in two quarters, or in quarters and on an edge day, counts once
            figures[key][-1] = 0
        for commune, band, distinct in _distinct_people(cur, scope, edges):
            figures[(commune, band)][-1] = int(distinct)
    return [(commune, band, *values) for (commune, band), values in figures.items() if values[0]]  # type: ignore[misc]


def _distinct_people(cur: Cursor, scope: Scope, edges: Edges) -> list[tuple[str, str, int]]:
    """(commune, age band, distinct beneficiaries) over the markers of the quarters and the edge days' rows."""
    where, params = _where(scope)
    sql = f"SELECT commune_insee, age_band, beneficiary_id FROM cell_markers WHERE public = '*' AND {where} AND sessions > 0"
    if edges:
        on_edges, days = _on_edges(edges)
        sql += (
            " UNION ALL SELECT b.commune_insee, b.age_band, c.beneficiary_id FROM cheque_index c"
            f" JOIN beneficiary_facts b ON b.id = c.beneficiary_id WHERE {on_edges}"
        )
        params = (*params, *days)
    return cur.execute(  # type: ignore[return-value]  # three values a row
        f"SELECT commune_insee, age_band, COUNT(DISTINCT beneficiary_id) FROM ({sql}) u GROUP BY commune_insee, age_band",
        params,
    ).fetchall()


def by_quarter(cur: Cursor, scope: Scope) -> list[tuple[str, int, int, int]]:
    """(quarter, sessions, minutes, beneficiaries) of each quarter of the scope, all publics together."""
    low, high = ("0000-Q1", "9999-Q4") if scope == ALL_TIME else scope
    rows = cur.execute(
        "SELECT quarter, SUM(sessions), SUM(minutes), SUM(beneficiaries) FROM outcome_cells"
        " WHERE public = '*' AND quarter >= ? AND quarter <= ? AND quarter <> '*' GROUP BY quarter ORDER BY quarter",
        (low, high),
    ).fetchall()
    return [(q, int(s), int(m), int(b)) for q, s, m, b in rows if int(s)]


def export_cells(cur: Cursor, scope: Scope) -> list[tuple[str, str, str, str, int, int, int]]:
    """(quarter, commune, public, age band, sessions, minutes, beneficiaries) of every cell with a session."""
    low, high = ("0000-Q1", "9999-Q4") if scope == ALL_TIME else scope
    rows = cur.execute(
        "SELECT quarter, commune_insee, public, age_band, sessions, minutes, beneficiaries FROM outcome_cells"
        " WHERE quarter >= ? AND quarter <= ? AND quarter <> '*' AND public <> '*' AND sessions > 0",
        (low, high),
    ).fetchall()
    return [(q, c, p, a, int(s), int(m), int(b)) for q, c, p, a, s, m, b in rows]


def edge_sessions(cur: Cursor, edges: Edges, columns: str) -> list[tuple]:
    """``columns`` of each session on the edge days (``c``: the cheque's row, ``b``: its beneficiary's facts)."""
    if not edges:
        return []
    on_edges, days = _on_edges(edges)
    return cur.execute(
        f"SELECT {columns} FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id WHERE {on_edges}",
        days,
    ).fetchall()


def session_people(cur: Cursor, low: str, high: str, scope: Scope) -> set[tuple[str, str, str]]:
    """(quarter, public, beneficiary) of the people who took a PIX exit test in the period and have a
    session in that quarter, a whole quarter of the scope: already counted in their cell."""
    first, last = ("0000-Q1", "9999-Q4") if scope == ALL_TIME else scope
    rows = cur.execute(
        "SELECT DISTINCT m.quarter, m.public, m.beneficiary_id FROM pix_results p"
        " JOIN cell_markers m ON m.beneficiary_id = p.beneficiary_id"
        " WHERE p.phase = 'exit' AND p.taken_on >= ? AND p.taken_on <= ? AND m.sessions > 0"
        " AND m.quarter <> '*' AND m.public <> '*' AND m.quarter >= ? AND m.quarter <= ?",
        (low, high, first, last),
    ).fetchall()
    return {(q, p, b) for q, p, b in rows}


def cheques_issued(cur: Cursor, low: str, high: str) -> int:
    row = cur.execute("SELECT COALESCE(SUM(cheques), 0) FROM issued_days WHERE day >= ? AND day <= ?", (low, high))
    return int(row.fetchone()[0])  # type: ignore[index]  # an aggregate: one row
