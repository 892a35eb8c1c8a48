"""Outcome indicators and the observatory export, computed from the projections: cheque_index
(``projections/ledger_views.py``), funder_index, partner_index, beneficiary_facts (``projections/outcomes.py``),
pix_results, loan_index, equipment_sources (``projections/lending_views.py``), pix_certifications, badge_awards
(``projections/badge_views.py``).

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
from ledger.database import Database
from ledger.service import LedgerCore
from ledger.settings import Settings
from projections import cell_reads, indicator_figures
from projections.indicator_figures import period_bounds, quarter_of

MIN_SUPPRESSION_THRESHOLD = 5


def suppression_threshold(settings: Settings) -> int:
    """The small-cell threshold: the setting can raise the minimum, never lower it."""
    return max(MIN_SUPPRESSION_THRESHOLD, settings.suppression_threshold)


class ObservatoryReads(LedgerCore):
    @staticmethod
    def _period(start: date | None, end: date | None) -> tuple[str, str]:
        if start and end and end < start:
            raise errors.ValidationError("La date de fin de la période ne peut précéder sa date de début.", field="to")
        return period_bounds(start, end)

    def indicators(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.Indicators:
        self._require(actor, "observatory", "funder")
        low, high = self._period(start, end)
        db = self._fresh_reads("ledger_views", "outcomes", "lending_views", "badge_views")
        rows = self._indicator_rows(db, low, high, *cell_reads.split(start, end))
        return indicator_figures.indicators(rows, start, end, self.today())

    def _indicator_rows(
        self, db: Database, low: str, high: str, scope: cell_reads.Scope | None, edges: cell_reads.Edges
    ) -> indicator_figures.IndicatorRows:
        """The rows the indicators of the period from ``low`` to ``high`` (ISO days) are computed from: the
        outcome cells of its whole quarters or all time (``scope``) and the cheques' rows of its edge days."""
        with db.read() as cur:
            issued = cell_reads.cheques_issued(cur, low, high)
            cells = cell_reads.by_commune(cur, scope, edges)
            sessions = tuple(sum(int(r[i]) for r in cells) for i in (2, 7, 3))
            kinds = [(k, sum(int(r[4 + i]) for r in cells)) for i, k in enumerate(cell_reads.KINDS)]
            funders = cur.execute("SELECT COUNT(*) FROM funder_index").fetchone()[0]  # type: ignore[index]  # an aggregate: one row
            pix = cur.execute(
                "SELECT beneficiary_id, phase, score, taken_on FROM pix_results WHERE taken_on >= ? AND taken_on <= ?"
                " ORDER BY taken_on, id",
                (low, high),
            ).fetchall()
            loans = cur.execute("SELECT start_on, due_on, state, ended_on FROM loan_index").fetchall()
            partners = cur.execute("SELECT COUNT(*) FROM partner_index").fetchone()[0]  # type: ignore[index]  # an aggregate: one row
            sources = cur.execute(  # type: ignore[index]  # an aggregate: one row
                "SELECT COUNT(*) FROM equipment_sources WHERE registered_at < ?", (high + "T99",)
            ).fetchone()[0]
            certifications = cur.execute(  # type: ignore[index]  # an aggregate: one row
                "SELECT COUNT(*) FROM pix_certifications WHERE certified_on >= ? AND certified_on <= ?", (low, high)
            ).fetchone()[0]
            badges = cur.execute(  # type: ignore[index]  # an aggregate: one row
                "SELECT COUNT(*) FROM badge_awards WHERE awarded_on >= ? AND awarded_on <= ?", (low, high)
            ).fetchone()[0]
        return indicator_figures.IndicatorRows(
            cheques_issued=issued,
            redeemed=sessions,  # type: ignore[arg-type]  # an aggregate: one row
            session_kinds=kinds,
            pix=pix,
            loans=loans,
            equipment_sources=sources,
            funders=funders,
            partners=partners,
            pix_certifications=certifications,
            badges_awarded=badges,
        )

    def breakdown(
        self, actor: t.Actor, by: str, start: date | None = None, end: date | None = None
    ) -> list[t.BreakdownRow]:
        """Sessions by quarter (of the session) or by EPCI (of the beneficiary's commune), for the charts.

        Each group counts its own distinct beneficiaries, so a person is counted once per group, and a
        group below the small-cell threshold is suppressed like an export row."""
        self._require(actor, "observatory")
        if by not in ("quarter", "epci"):
            raise errors.ValidationError("by : quarter ou epci.")
        self._period(start, end)
        db = self._fresh_reads("ledger_views", "outcomes")
        scope, edges = cell_reads.split(start, end)
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # sessions, minutes, beneficiaries
        names: dict[str, str] = {}
        with db.read() as cur:
            if by == "quarter":  # the whole quarters' cells, then the edge days' quarters (other quarters)
                for quarter, sessions, minutes, people in [] if scope is None else cell_reads.by_quarter(cur, scope):
                    groups[quarter] = [sessions, minutes, people]
                edge_people: dict[str, set[str]] = defaultdict(set)
                for day, beneficiary_id, minutes in cell_reads.edge_sessions(
                    cur, edges, "c.session_date, c.beneficiary_id, c.duration_minutes"
                ):
                    quarter = quarter_of(day)
                    edge_people[quarter].add(beneficiary_id)
                    groups[quarter][0] += 1
                    groups[quarter][1] += int(minutes or 0)
                    groups[quarter][2] = len(edge_people[quarter])
                names.update((q, f"T{q[-1]} {q[:4]}") for q in groups)
            else:
                for commune, _, sessions, minutes, *_, people in cell_reads.by_commune(cur, scope, edges):
                    found = self.territory.get(commune)
                    key = found.epci_siren if found else "?"
                    names[key] = found.epci_name if found else "Hors référentiel"
                    group = groups[key]
                    group[0], group[1], group[2] = group[0] + sessions, group[1] + minutes, group[2] + people
        threshold = suppression_threshold(self.settings)
        return [
            t.BreakdownRow(
                key=key,
                label=names[key],
                beneficiaries=people if people >= threshold else None,
                sessions=sessions if people >= threshold else None,
                minutes=minutes if people >= threshold else None,
                suppressed=people < threshold,
            )
            for key, (sessions, minutes, people) in sorted(groups.items())
        ]

    def observatory_export(self, actor: t.Actor, start: date | None = None, end: date | None = None) -> t.ExportPage:
        self._require(actor, "observatory")
        low, high = self._period(start, end)
        db = self._fresh_reads("ledger_views", "outcomes", "lending_views")
        scope, edges = cell_reads.split(start, end)
        with db.read() as cur:  # whole quarters from the cells, the edge days' quarters from the rows
            rows = cell_reads.edge_sessions(
                cur,
                edges,
                "c.session_date, b.commune_insee, b.publics, b.age_band, c.beneficiary_id, c.duration_minutes",
            )
            counted = [] if scope is None else cell_reads.export_cells(cur, scope)
            already = set() if scope is None else cell_reads.session_people(cur, low, high, scope)
            pix = cur.execute(
                "SELECT p.beneficiary_id, p.phase, p.score, p.taken_on, b.commune_insee, b.publics, b.age_band"
                " FROM pix_results p JOIN beneficiary_facts b ON b.id = p.beneficiary_id"
                " WHERE p.taken_on >= ? AND p.taken_on <= ? ORDER BY p.taken_on, p.id",
                (low, high),
            ).fetchall()
        cells: dict[tuple[str, str, str, str], dict] = defaultdict(
            lambda: {"beneficiaries": set(), "counted": 0, "sessions": 0, "minutes": 0, "deltas": []}
        )
        for quarter, commune, public, age_band, sessions, minutes, people in counted:  # the cells' figures
            cell = cells[(quarter, commune, public, age_band)]
            cell["sessions"], cell["minutes"], cell["counted"] = sessions, minutes, people

        def cells_of(day: str, commune: str, publics: str, age_band: str) -> list[dict]:
            return [
                cells[(quarter_of(day), commune, public, age_band)]
                for public in (publics.split(",") if publics else ["none"])
            ]

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
            for public in publics.split(",") if publics else ["none"]:
                cell = cells[(quarter_of(exit_on), commune, public, band)]
                if (quarter_of(exit_on), public, beneficiary_id) not in already:  # not counted by the cells
                    cell["beneficiaries"].add(beneficiary_id)
                cell["deltas"].append(exit_ - entry)
        threshold = suppression_threshold(self.settings)
        items = []
        for (quarter, commune, public, age_band), cell in sorted(cells.items()):
            people = cell["counted"] + len(cell["beneficiaries"])
            shown = people >= threshold
            items.append(
                t.ExportRow(
                    quarter=quarter,
                    commune_insee=commune,
                    epci=self.territory.epci_of(commune),
                    public=public,
                    age_band=age_band,
                    beneficiaries=people if shown else None,
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
