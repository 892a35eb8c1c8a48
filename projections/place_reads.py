"""Reads of the places (``projections/places.py``: place_index): the national export, the paper directory,
the incomplete places the admin pages list, and the SIRET match an import starts from."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from domain import errors
from domain.opening_hours import describe_in_french, parse_opening_hours
from domain.places import NATIONAL_PROGRAMMES, PLACE_SERVICE_LABELS, PlaceService, has_postal_address
from domain.values import STRUCTURE_LABEL_LABELS, StructureLabel
from ledger import types as t
from ledger.idempotency import Idem
from ledger.service import LedgerCore
from ledger.territory import Territory

SOURCE = "Département de la Drôme – chèque numérique"
COLUMNS = "id, siret, name, commune_insee, labels, details, accredited, updated_on"


class PlaceRow:
    def __init__(self, row: Sequence[Any]) -> None:
        self.id, self.siret, self.name, self.commune_insee = (str(v) for v in row[:4])
        self.labels = [x for x in str(row[4]).split(",") if x]
        self.details: dict[str, Any] = json.loads(row[5]) if row[5] else {}
        self.accredited = bool(row[6])
        self.updated_on = str(row[7])


def national_record(place: PlaceRow, territory: Territory) -> t.PlaceRecord:
    """A place in the national schema's field names and vocabularies."""
    d = place.details
    commune = territory.get(place.commune_insee)
    programmes = [
        NATIONAL_PROGRAMMES[StructureLabel(x)] for x in place.labels if StructureLabel(x) in NATIONAL_PROGRAMMES
    ]
    services = [PLACE_SERVICE_LABELS[PlaceService(s)] for s in d.get("services") or []]
    return t.PlaceRecord(
        id=place.id,
        pivot=place.siret,
        nom=place.name,
        adresse=d["address"],
        code_postal=d["postal_code"],
        commune=commune.name if commune else place.commune_insee,
        code_insee=place.commune_insee,
        date_maj=place.updated_on,
        source=SOURCE,
        services="|".join(services) or None,
        dispositif_programmes_nationaux="|".join(programmes) or None,
        telephone=d.get("phone"),
        courriels=d.get("email"),
        site_web=d.get("website"),
        horaires=d.get("opening_hours"),
    )


def directory_place(place: PlaceRow, territory: Territory) -> t.DirectoryPlace:
    d = place.details
    commune = territory.get(place.commune_insee)
    hours = describe_in_french(parse_opening_hours(d["opening_hours"])) if d.get("opening_hours") else []
    return t.DirectoryPlace(
        name=place.name,
        address=d["address"],
        postal_code=d["postal_code"],
        commune=commune.name if commune else place.commune_insee,
        phone=d.get("phone"),
        email=d.get("email"),
        website=d.get("website"),
        hours=hours,
        services=[PLACE_SERVICE_LABELS[PlaceService(s)] for s in d.get("services") or []],
        labels=[STRUCTURE_LABEL_LABELS[StructureLabel(x)] for x in place.labels if x != StructureLabel.OTHER],
    )


class PlaceReads(LedgerCore):
    def _places(self, where: str = "1 = 1", params: Sequence[Any] = ()) -> list[PlaceRow]:
        self._fresh_views("places")
        with self.db.read() as cur:
            rows = cur.execute(f"SELECT {COLUMNS} FROM place_index WHERE {where} ORDER BY name, id", params).fetchall()
        return [PlaceRow(r) for r in rows]

    def national_places(self, actor: t.Actor) -> list[t.PlaceRecord]:
        """The accredited places with a postal address, in the national schema (any role)."""
        return [
            national_record(p, self.territory) for p in self._places("accredited = 1") if has_postal_address(p.details)
        ]

    def incomplete_places(self, actor: t.Actor) -> list[t.IncompletePlace]:
        """Admin: accredited places left out of the export and the directory for want of a postal address."""
        self._require(actor)
        out = []
        for p in self._places("accredited = 1"):
            if has_postal_address(p.details):
                continue
            missing = [
                word for key, word in (("address", "adresse"), ("postal_code", "code postal")) if not p.details.get(key)
            ]
            commune = self.territory.get(p.commune_insee)
            out.append(
                t.IncompletePlace(
                    id=p.id, name=p.name, commune=commune.name if commune else p.commune_insee, missing=missing
                )
            )
        return out

    def place_directory(self, actor: t.Actor, epci: str | None = None, commune: str | None = None) -> t.DirectoryOut:
        """The accredited places of an EPCI (SIREN) or a commune (INSEE), grouped by commune (any role)."""
        if bool(epci) == bool(commune):
            raise errors.ValidationError("Choisissez un EPCI ou une commune (l'un des deux).", field="epci")
        if commune:
            found = self.territory.get(commune)
            if found is None:
                raise errors.ValidationError(
                    "Ce code INSEE n'est pas celui d'une commune de la Drôme.", field="commune"
                )
            communes = [found]
            title = found.name
        else:
            communes = [c for c in self.territory.communes() if c.epci_siren == epci]
            if not communes:
                raise errors.ValidationError("Ce SIREN n'est pas celui d'un EPCI de la Drôme.", field="epci")
            title = communes[0].epci_name
        return self._directory(title, [c.insee for c in communes])

    def _directory(self, title: str, insee_codes: Sequence[str]) -> t.DirectoryOut:
        wanted = set(insee_codes)
        by_commune: dict[str, list[t.DirectoryPlace]] = {}
        for p in self._places("accredited = 1"):
            if p.commune_insee in wanted and has_postal_address(p.details):
                by_commune.setdefault(p.commune_insee, []).append(directory_place(p, self.territory))
        groups = [
            t.DirectoryCommune(insee=insee, name=places[0].commune, places=places)
            for insee, places in by_commune.items()
        ]
        return t.DirectoryOut(title=title, communes=sorted(groups, key=lambda g: (g.name.casefold(), g.insee)))

    def directory_of_beneficiary(self, beneficiary_id: str | UUID) -> t.DirectoryOut | None:
        """The places of the EPCI where the beneficiary lives, for the last pages of a cheque book; None when the
        commune is unknown. Coarse facts only (the commune), read from beneficiary_facts."""
        self._fresh_views("outcomes", "places")
        with self.db.read() as cur:
            row = cur.execute(
                "SELECT commune_insee FROM beneficiary_facts WHERE id = ?", (str(beneficiary_id),)
            ).fetchone()
        commune = self.territory.get(str(row[0])) if row else None
        if commune is None:
            return None
        codes = [c.insee for c in self.territory.communes() if c.epci_siren == commune.epci_siren]
        return self._directory(commune.epci_name, codes)

    def import_places(
        self, actor: t.Actor, lines: Sequence[tuple[int, Mapping[str, Any]]], idem: Idem | None = None
    ) -> t.ImportOut:
        """Admin: places in the national schema, created or updated by SIRET (``pivot``)."""
        self._require(actor)
        known: dict[str, list[UUID]] = {}
        for p in self._places():
            known.setdefault(p.siret, []).append(UUID(p.id))
        return self.import_places_matched(actor, lines, known, idem)  # type: ignore[attr-defined]  # PlaceCommands, in the facade
