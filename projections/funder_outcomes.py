"""What a funder's money did: the sessions its cheques paid for, the people, the places (structures, by
name) and the EPCI where those people live, with the observatory's small-cell rule; and the names of the
structures a funder's journal names by id.

Reads the funder's outcome cells (``projections/funder_cells.py``): a row a place and a commune, however many
cheques; structures' names come from their aggregates (public organisations)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from domain.funding import Funder
from domain.ids import natural_id
from domain.structures import Structure
from ledger import types as t
from ledger.service import LedgerCore
from projections.cell_sql import KINDS
from projections.observatory_reads import suppression_threshold


class FunderOutcomeReads(LedgerCore):
    def structure_names(self, actor: t.Actor, ids: Iterable[str]) -> dict[str, str]:
        """The names of these structures (a funder sees the places its money paid, by name)."""
        self._require(actor, "funder")
        wanted = sorted({i for i in ids if i})
        uuids = []
        for i in wanted:
            try:
                uuids.append(UUID(i))
            except ValueError:
                continue
        return {str(s.id): s.name for s in self._load_many(uuids, Structure, "Structure")}

    def funder_outcomes(self, actor: t.Actor, code: str) -> t.FunderOutcomes:
        self._require(actor, "funder")
        self._require_org(actor, code)
        self._load(natural_id("funder", code), Funder, "Financeur")
        self._fresh_views("ledger_views", "outcomes")
        with self.db.read() as cur:
            rows = cur.execute(
                f"SELECT axis, key, sessions, minutes, {', '.join(KINDS)}, beneficiaries FROM funder_cells"
                " WHERE funder_code = ? AND sessions > 0",
                (code,),
            ).fetchall()
        threshold = suppression_threshold(self.settings)
        total = [0] * 6  # sessions, minutes, the three kinds, beneficiaries
        groups: dict[str, dict[str, list[int]]] = {"epci": {}, "structure": {}}  # key -> sessions, minutes, people
        labels: dict[str, str] = {}
        for axis, key, sessions, minutes, *kinds_and_people in rows:
            figures = [int(sessions), int(minutes), *(int(x) for x in kinds_and_people)]
            if axis == "*":
                total = figures
                continue
            if axis == "commune":  # a person has one commune: an EPCI's people are its communes' people added
                found = self.territory.get(key)
                key = found.epci_siren if found else "?"
                labels[key] = found.epci_name if found else "Hors référentiel"
            group = groups["epci" if axis == "commune" else "structure"].setdefault(key, [0, 0, 0])
            for at, value in enumerate((figures[0], figures[1], figures[5])):
                group[at] += value
        labels.update(self.structure_names(actor, groups["structure"]))

        def shown(by: str) -> list[t.BreakdownRow]:
            out = []
            for key, (sessions, minutes, people) in groups[by].items():
                ok = people >= threshold
                out.append(
                    t.BreakdownRow(
                        key=key,
                        label=labels.get(key, key),
                        beneficiaries=people if ok else None,
                        sessions=sessions if ok else None,
                        minutes=minutes if ok else None,
                        suppressed=not ok,
                    )
                )
            return sorted(out, key=lambda r: (r.suppressed, -(r.sessions or 0), r.label))

        return t.FunderOutcomes(
            funder_code=code,
            sessions=total[0],
            minutes=total[1],
            beneficiaries=total[5] if total[5] >= threshold else None,
            places=len(groups["structure"]),
            sessions_by_kind={kind: n for kind, n in zip(KINDS, total[2:5], strict=True) if n},
            by_epci=shown("epci"),
            by_structure=shown("structure"),
        )
