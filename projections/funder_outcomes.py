"""What a funder's money did: the sessions its cheques paid for, the people, the places (structures, by
name) and the EPCI where those people live, with the observatory's small-cell rule; and the names of the
structures a funder's journal names by id.

Reads cheque_index (``projections/ledger_views.py``) joined to beneficiary_facts (``projections/outcomes.py``),
like the observatory's breakdowns; structures' names come from their aggregates (public organisations)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from domain.funding import Funder
from domain.ids import natural_id
from domain.structures import Structure
from ledger import types as t
from ledger.service import LedgerCore
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
                "SELECT c.structure_id, c.beneficiary_id, c.session_kind, c.duration_minutes, b.commune_insee"
                " FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id"
                " WHERE c.funder_code = ? AND c.status IN ('redeemed', 'settled')",
                (code,),
            ).fetchall()
        threshold = suppression_threshold(self.settings)
        people: set[str] = set()
        minutes = 0
        kinds: dict[str, int] = defaultdict(int)
        groups: dict[str, dict[str, dict]] = {"epci": {}, "structure": {}}
        labels: dict[str, str] = {}
        for structure_id, beneficiary_id, kind, duration, commune in rows:
            people.add(beneficiary_id)
            minutes += int(duration or 0)
            kinds[kind or "individual"] += 1
            found = self.territory.get(commune)
            epci = found.epci_siren if found else "?"
            labels[epci] = found.epci_name if found else "Hors référentiel"
            for by, key in (("epci", epci), ("structure", structure_id or "?")):
                group = groups[by].setdefault(key, {"people": set(), "sessions": 0, "minutes": 0})
                group["people"].add(beneficiary_id)
                group["sessions"] += 1
                group["minutes"] += int(duration or 0)
        labels.update(self.structure_names(actor, groups["structure"]))

        def shown(by: str) -> list[t.BreakdownRow]:
            out = []
            for key, g in groups[by].items():
                ok = len(g["people"]) >= threshold
                out.append(
                    t.BreakdownRow(
                        key=key,
                        label=labels.get(key, key),
                        beneficiaries=len(g["people"]) if ok else None,
                        sessions=g["sessions"] if ok else None,
                        minutes=g["minutes"] if ok else None,
                        suppressed=not ok,
                    )
                )
            return sorted(out, key=lambda r: (r.suppressed, -(r.sessions or 0), r.label))

        return t.FunderOutcomes(
            funder_code=code,
            sessions=len(rows),
            minutes=minutes,
            beneficiaries=len(people) if len(people) >= threshold else None,
            places=len(groups["structure"]),
            sessions_by_kind=dict(kinds),
            by_epci=shown("epci"),
            by_structure=shown("structure"),
        )
