"""Outcome indicators and the observatory export, computed from the projections: cheque_index
(``projections/ledger_views.py``), funder_index, partner_index, beneficiary_facts (``projections/outcomes.py``),
pix_results, loan_index, equipment_sources (``projections/lending_views.py``).

Small cells are never shown: an export row counting fewer than ``suppression_threshold`` distinct
beneficiaries (5 by default; ``LEDGER_SUPPRESSION_THRESHOLD`` may raise it, never lower it) has its
figures nulled and ``suppressed: true``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from domain import errors
from domain.pix import pix_pairs
from ledger import types as t
from ledger.service import LedgerCore
from ledger.settings import Settings

MIN_SUPPRESSION_THRESHOLD = 5


def suppression_threshold(settings: Settings) -> int:
    """The small-cell threshold: the setting can raise the minimum, never lower it."""
    return max(MIN_SUPPRESSION_THRESHOLD, settings.suppression_threshold)


def quarter_of(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def pix_figures(rows: list[tuple]) -> t.PixFigures:
    """Entries, exits, and the averages over pairs (each beneficiary's first entry, latest exit)."""
    pairs = pix_pairs([(b, phase, int(score), on) for b, phase, score, on in rows])

    def avg(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return t.PixFigures(
        entries=sum(1 for r in rows if r[1] == "entry"),
        exits=sum(1 for r in rows if r[1] == "exit"),
        pairs=len(pairs),
        entry_avg=avg([e for e, _ in pairs.values()]),
        exit_avg=avg([x for _, x in pairs.values()]),
        delta_avg=avg([x - e for e, x in pairs.values()]),
    )


class ObservatoryReads(LedgerCore):
    @staticmethod
    def _period(start: date | None, end: date | None) -> tuple[str, str]:
        if start and end and end < start:
            raise errors.ValidationError("`to` doit être postérieur ou égal à `from`.")
        return (start.isoformat() if start else "0000-01-01", end.isoformat() if end else "9999-12-31")

    def indicators(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.Indicators:
        self._require(actor, "observatory", "funder")
        low, high = self._period(start, end)
        self._fresh_views("ledger_views", "outcomes", "lending_views")
        redeemed = "status IN ('redeemed', 'settled') AND session_date >= ? AND session_date <= ?"
        with self.db.read() as cur:
            issued = cur.execute(  # type: ignore[index]  # an aggregate: one row
                "SELECT COUNT(*) FROM cheque_index WHERE issued_on >= ? AND issued_on <= ?", (low, high)
            ).fetchone()[0]
            n_redeemed, accompanied, minutes = cur.execute(  # type: ignore[misc]  # an aggregate: one row
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
            funders = cur.execute("SELECT COUNT(*) FROM funder_index").fetchone()[0]  # type: ignore[index]  # an aggregate: one row
            pix_rows = cur.execute(
                "SELECT beneficiary_id, phase, score, taken_on FROM pix_results WHERE taken_on >= ? AND taken_on <= ?"
                " ORDER BY taken_on, id",
                (low, high),
            ).fetchall()
            day = min(end, self.today()).isoformat() if end else self.today().isoformat()
            signed, active, overdue = cur.execute(  # type: ignore[misc]  # an aggregate: one row
                "SELECT SUM(CASE WHEN start_on >= ? AND start_on <= ? THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN state = 'active' AND start_on <= ? AND due_on >= ? THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN state = 'active' AND due_on < ? THEN 1 ELSE 0 END) FROM loan_index",
                (low, high, day, day, day),
            ).fetchone()
            ended = dict(
                cur.execute(
                    "SELECT state, COUNT(*) FROM loan_index WHERE ended_on >= ? AND ended_on <= ? GROUP BY state",
                    (low, high),
                ).fetchall()
            )
            by_quarter: dict[str, int] = defaultdict(int)
            for (start_on,) in cur.execute(
                "SELECT start_on FROM loan_index WHERE start_on >= ? AND start_on <= ?", (low, high)
            ).fetchall():
                by_quarter[quarter_of(start_on)] += 1
            partners = cur.execute("SELECT COUNT(*) FROM partner_index").fetchone()[0]  # type: ignore[index]  # an aggregate: one row
            sources = cur.execute(  # type: ignore[index]  # an aggregate: one row
                "SELECT COUNT(*) FROM equipment_sources WHERE registered_at < ?", (high + "T99",)
            ).fetchone()[0]
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
            pix=pix_figures(pix_rows),
            loans=t.LoanFigures(
                agreements_signed=int(signed or 0),
                active=int(active or 0),
                overdue=int(overdue or 0),
                returned=int(ended.get("returned", 0)),
                lost=int(ended.get("lost", 0)),
                agreements_by_quarter=dict(sorted(by_quarter.items())),
            ),
            equipment_sources=int(sources),
            funders=int(funders),
            partners=int(partners),
        )

    def breakdown(self, actor: t.Actor, by: str, start: date | None = None, end: date | None = None) -> list[t.BreakdownRow]:
        """Sessions by quarter (of the session) or by EPCI (of the beneficiary's commune), for the charts.

        Each group counts its own distinct beneficiaries, so a person is counted once per group, and a
        group below the small-cell threshold is suppressed like an export row."""
        self._require(actor, "observatory")
        if by not in ("quarter", "epci"):
            raise errors.ValidationError("by : quarter ou epci.")
        low, high = self._period(start, end)
        self._fresh_views("ledger_views", "outcomes")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT c.session_date, b.commune_insee, c.beneficiary_id, c.duration_minutes"
                " FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
                " WHERE c.status IN ('redeemed', 'settled') AND c.session_date >= ? AND c.session_date <= ?",
                (low, high),
            ).fetchall()
        groups: dict[str, dict] = defaultdict(lambda: {"beneficiaries": set(), "sessions": 0, "minutes": 0})
        names: dict[str, str] = {}
        for session_date, commune, beneficiary_id, minutes in rows:
            if by == "quarter":
                key = quarter_of(session_date)
                names[key] = f"T{key[-1]} {key[:4]}"
            else:
                found = self.territory.get(commune)
                key = found.epci_siren if found else "?"
                names[key] = found.epci_name if found else "Hors référentiel"
            group = groups[key]
            group["beneficiaries"].add(beneficiary_id)
            group["sessions"] += 1
            group["minutes"] += int(minutes or 0)
        threshold = suppression_threshold(self.settings)
        out = []
        for key, group in sorted(groups.items()):
            shown = len(group["beneficiaries"]) >= threshold
            out.append(
                t.BreakdownRow(
                    key=key,
                    label=names[key],
                    beneficiaries=len(group["beneficiaries"]) if shown else None,
                    sessions=group["sessions"] if shown else None,
                    minutes=group["minutes"] if shown else None,
                    suppressed=not shown,
                )
            )
        return out

    def observatory_export(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.ExportPage:
        self._require(actor, "observatory")
        low, high = self._period(start, end)
        self._fresh_views("ledger_views", "outcomes", "lending_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT c.session_date, b.commune_insee, b.publics, b.age_band, c.beneficiary_id, c.duration_minutes"
                " FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
                " WHERE c.status IN ('redeemed', 'settled') AND c.session_date >= ? AND c.session_date <= ?",
                (low, high),
            ).fetchall()
            pix = cur.execute(
                "SELECT p.beneficiary_id, p.phase, p.score, p.taken_on, b.commune_insee, b.publics, b.age_band"
                " FROM pix_results p JOIN beneficiary_facts b ON b.id = p.beneficiary_id"
                " WHERE p.taken_on >= ? AND p.taken_on <= ? ORDER BY p.taken_on, p.id",
                (low, high),
            ).fetchall()
        cells: dict[tuple[str, str, str, str], dict] = defaultdict(
            lambda: {"beneficiaries": set(), "sessions": 0, "minutes": 0, "deltas": []}
        )

        def cells_of(day: str, commune: str, publics: str, age_band: str) -> list[dict]:
            return [cells[(quarter_of(day), commune, public, age_band)] for public in (publics.split(",") if publics else ["none"])]

        for session_date, commune, publics, age_band, beneficiary_id, minutes in rows:
            for cell in cells_of(session_date, commune, publics, age_band):
                cell["beneficiaries"].add(beneficiary_id)
                cell["sessions"] += 1
                cell["minutes"] += int(minutes or 0)
        # PIX progress counts in the quarter of the exit test that completes the pair
        pairs = pix_pairs([(b, phase, int(score), on) for b, phase, score, on, *_ in pix])
        facts = {b: (on, commune, publics, band) for b, phase, _, on, commune, publics, band in pix if phase == "exit"}
        for beneficiary_id, (entry, exit_) in pairs.items():
            exit_on, commune, publics, band = facts[beneficiary_id]
            for cell in cells_of(exit_on, commune, publics, band):
                cell["beneficiaries"].add(beneficiary_id)
                cell["deltas"].append(exit_ - entry)
        threshold = suppression_threshold(self.settings)
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
                    pix_pairs=len(cell["deltas"]) if shown else None,
                    pix_delta_avg=(round(sum(cell["deltas"]) / len(cell["deltas"]), 1) if cell["deltas"] else None)
                    if shown
                    else None,
                    suppressed=not shown,
                )
            )
        return t.ExportPage(items=items)
