"""What the admin pages list: funders, structures, prescribers and cheque counts (admin only, read-only).

The indexes of the projections say which exist (funder_index, partner_index of ``projections/outcomes.py``;
cheque_index of ``projections/ledger_views.py``); each is then loaded from its aggregate, the truth."""

from __future__ import annotations

from domain import errors
from domain.beneficiaries import Beneficiary
from domain.funding import Funder
from domain.ids import natural_id
from domain.structures import Prescriber, Structure
from ledger import types as t
from ledger.service import LedgerCore
from ledger.setup_commands import funder_out, prescriber_out, structure_out


class AdminReads(LedgerCore):
    def admin_funders(self, actor: t.Actor) -> list[t.FunderOut]:
        """Every funder, by code."""
        self._require(actor)
        db = self._fresh_reads("outcomes")
        with db.read() as cur:
            codes = [str(r[0]) for r in cur.execute("SELECT code FROM funder_index").fetchall()]
        out = []
        for code in sorted(codes):
            try:
                out.append(funder_out(self._load(natural_id("funder", code), Funder, "Financeur")))
            except errors.NotFound:
                continue
        return out

    def _partner_ids(self, kind: str) -> list[str]:
        db = self._fresh_reads("outcomes")
        with db.read() as cur:
            return [str(r[0]) for r in cur.execute("SELECT id FROM partner_index WHERE kind = ?", (kind,)).fetchall()]

    def admin_structures(self, actor: t.Actor) -> list[t.StructureOut]:
        """Every mediation structure, by name."""
        self._require(actor)
        out = []
        for structure_id in self._partner_ids("structure"):
            try:
                out.append(structure_out(self._load_id(structure_id, Structure, "Structure")))
            except errors.NotFound:
                continue
        return sorted(out, key=lambda s: (s.name.casefold(), str(s.id)))

    def admin_prescribers(self, actor: t.Actor) -> list[t.PrescriberOut]:
        """Every prescriber, by name."""
        self._require(actor)
        out = []
        for prescriber_id in self._partner_ids("prescriber"):
            try:
                out.append(prescriber_out(self._load_id(prescriber_id, Prescriber, "Prescripteur")))
            except errors.NotFound:
                continue
        return sorted(out, key=lambda p: (p.name.casefold(), str(p.id)))

    def admin_cheque_counts(self, actor: t.Actor) -> dict[str, int]:
        """How many cheques are in each status (issued, redeemed, settled, expired, cancelled)."""
        self._require(actor)
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            rows = cur.execute("SELECT status, COUNT(*) FROM cheque_index GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def erasure_preview(self, actor: t.Actor, beneficiary_id: str) -> t.ErasurePreview:
        """What the admin confirms before erasing a person: no name (the admin never reads it), the coarse
        facts and the prescriber, enough to be sure it is the one the request is about."""
        self._require(actor)
        try:
            b = self._load_id(beneficiary_id, Beneficiary, "Bénéficiaire")
        except errors.ValidationError:
            raise errors.NotFound("Bénéficiaire introuvable.") from None
        if b.erased:
            raise errors.NotFound("Bénéficiaire introuvable ou déjà effacé.")
        prescriber = self._load_id(b.prescriber_id, Prescriber, "Prescripteur")
        return t.ErasurePreview(
            beneficiary_id=str(b.id),
            prescriber_name=prescriber.name,
            commune_insee=b.commune_insee,
            age_band=b.age_band,
        )
