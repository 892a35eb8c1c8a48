"""Outcome indicators and the observatory export, computed from the projections.

Small cells are never shown: an export row counting fewer than ``suppression_threshold`` distinct
beneficiaries (5 by default; ``LEDGER_SUPPRESSION_THRESHOLD`` may raise it, never lower it) has its
figures nulled and ``suppressed: true``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date

from domain import errors
from ledger import types as t
from ledger.service import LedgerCore

MIN_SUPPRESSION_THRESHOLD = 5


def suppression_threshold() -> int:
    raw = os.environ.get("LEDGER_SUPPRESSION_THRESHOLD", "")
    try:
        return max(MIN_SUPPRESSION_THRESHOLD, int(raw)) if raw else MIN_SUPPRESSION_THRESHOLD
    except ValueError:
        return MIN_SUPPRESSION_THRESHOLD


def quarter_of(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


class ObservatoryQueries(LedgerCore):
    @staticmethod
    def _period(start: date | None, end: date | None) -> tuple[str, str]:
        if start and end and end < start:
            raise errors.ValidationError("`to` doit être postérieur ou égal à `from`.")
        return (start.isoformat() if start else "0000-01-01", end.isoformat() if end else "9999-12-31")

    def indicators(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.Indicators:
        self._require(actor, "observatory", "funder")
        low, high = self._period(start, end)
        self._fresh_views()
        redeemed = "status IN ('redeemed', 'settled') AND session_date >= ? AND session_date <= ?"
        with self.db.read() as cur:
            issued = cur.execute(
                "SELECT COUNT(*) FROM cheque_index WHERE issued_on >= ? AND issued_on <= ?", (low, high)
            ).fetchone()[0]
            n_redeemed, accompanied, minutes = cur.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT beneficiary_id), COALESCE(SUM(duration_minutes), 0)"
                f" FROM cheque_index WHERE {redeemed}",
                (low, high),
            ).fetchone()
            kinds = dict(
                cur.execute(
                    f"SELECT session_kind, COUNT(*) FROM cheque_index WHERE {redeemed} GROUP BY session_kind",
                    (low, high),
                ).fetchall()
            )
            funders = cur.execute("SELECT COUNT(*) FROM funder_index").fetchone()[0]
        issued, n_redeemed = int(issued), int(n_redeemed)
        return t.Indicators(
            from_=start,
            to=end,
            beneficiaries_accompanied=int(accompanied),
            cheques_issued=issued,
            cheques_redeemed=n_redeemed,
            redemption_rate=round(n_redeemed / issued, 4) if issued else 0.0,
            sessions=t.SessionCounts(
                individual=int(kinds.get("individual", 0)),
                collective=int(kinds.get("collective", 0)),
                administrative_procedure=int(kinds.get("administrative_procedure", 0)),
            ),
            minutes=int(minutes),
            pix=t.PixFigures(entries=0, exits=0, pairs=0, entry_avg=None, exit_avg=None, delta_avg=None),
            loans=t.LoanFigures(agreements_signed=0, active=0, overdue=0, returned=0, lost=0),
            equipment_sources=0,
            funders=int(funders),
        )

    def observatory_export(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.ExportPage:
        self._require(actor, "observatory")
        low, high = self._period(start, end)
        self._fresh_views()
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT c.session_date, b.commune_insee, b.publics, b.age_band, c.beneficiary_id, c.duration_minutes"
                " FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
                " WHERE c.status IN ('redeemed', 'settled') AND c.session_date >= ? AND c.session_date <= ?",
                (low, high),
            ).fetchall()
        cells: dict[tuple[str, str, str, str], dict] = defaultdict(
            lambda: {"beneficiaries": set(), "sessions": 0, "minutes": 0}
        )
        for session_date, commune, publics, age_band, beneficiary_id, minutes in rows:
            for public in (publics.split(",") if publics else ["none"]):
                cell = cells[(quarter_of(session_date), commune, public, age_band)]
                cell["beneficiaries"].add(beneficiary_id)
                cell["sessions"] += 1
                cell["minutes"] += int(minutes or 0)
        threshold = suppression_threshold()
        items = []
        for (quarter, commune, public, age_band), cell in sorted(cells.items()):
            shown = len(cell["beneficiaries"]) >= threshold
            items.append(
                t.ExportRow(
                    quarter=quarter,
                    commune_insee=commune,
                    epci=self.territory.epci_of(commune),
                    public=public,
                    age_band=age_band,
                    beneficiaries=len(cell["beneficiaries"]) if shown else None,
                    sessions=cell["sessions"] if shown else None,
                    minutes=cell["minutes"] if shown else None,
                    cheques_redeemed=cell["sessions"] if shown else None,
                    suppressed=not shown,
                )
            )
        return t.ExportPage(items=items)
