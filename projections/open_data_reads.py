"""The observatory's open data package (``GET /v1/observatory/datapackage.zip``): reads cheque_index
(``projections/ledger_views.py``), beneficiary_facts (``projections/outcomes.py``), pix_results
(``projections/lending_views.py``) and place_index (``projections/places.py``), and hands plain cells to the
pure builders (``projections/datapackage.py``, ``projections/data_quality.py``)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

from domain.places import has_postal_address
from ledger import types as t
from ledger.service import LedgerCore
from projections import data_quality
from projections.datapackage import Cell, package_zip
from projections.indicator_figures import quarter_of
from projections.observatory_reads import suppression_threshold

REDEEMED = "c.status IN ('redeemed', 'settled')"


class OpenDataReads(LedgerCore):
    def observatory_datapackage(self, actor: t.Actor) -> bytes:
        """Observatory, admin: the Frictionless Data Package (zip), all quarters so far."""
        self._require(actor, "observatory")
        self._fresh_views("ledger_views", "outcomes", "lending_views", "places")
        with self.db.read() as cur:
            sessions = cur.execute(
                "SELECT c.session_date, b.commune_insee, c.beneficiary_id, c.duration_minutes"
                f" FROM cheque_index c JOIN beneficiary_facts b ON b.id = c.beneficiary_id WHERE {REDEEMED}"
            ).fetchall()
            people = cur.execute("SELECT id, publics, age_band, commune_insee FROM beneficiary_facts").fetchall()
            pix = cur.execute("SELECT DISTINCT beneficiary_id, phase FROM pix_results").fetchall()
            places = cur.execute("SELECT details FROM place_index WHERE accredited = 1").fetchall()
        cells: dict[tuple[str, str], dict] = defaultdict(lambda: {"people": set(), "sessions": 0, "minutes": 0})
        for day, commune, beneficiary, minutes in sessions:
            cell = cells[(quarter_of(day), commune)]
            cell["people"].add(beneficiary)
            cell["sessions"] += 1
            cell["minutes"] += int(minutes or 0)
        entries = {str(b) for b, phase in pix if phase == "entry"}
        exits = {str(b) for b, phase in pix if phase == "exit"}
        known = {c.insee for c in self.territory.communes()}
        findings = [
            *data_quality.age_band_findings((str(p), str(band)) for _, p, band, _ in people),
            *data_quality.pix_findings({str(b) for _, _, b, _ in sessions}, entries, exits),
            *data_quality.reference_findings(
                [str(c) for *_, c in people],
                known,
                sum(1 for (d,) in places if not has_postal_address(json.loads(d) if d else None)),
            ),
        ]
        return package_zip(
            [
                Cell(quarter=q, commune=c, beneficiaries=len(v["people"]), sessions=v["sessions"], minutes=v["minutes"])
                for (q, c), v in sorted(cells.items())
            ],
            findings,
            self.territory,
            suppression_threshold(self.settings),
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
