"""Structures as places of the national "schéma des lieux de médiation numérique": their details (address,
contacts, services, hours) and the import of places in the national schema, matched by SIRET (``pivot``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from domain import errors
from domain.places import LABEL_BY_PROGRAMME, NATIONAL_PROGRAMMES, SERVICE_BY_LABEL, check_details
from domain.structures import Structure
from domain.values import check_siret
from ledger import types as t
from ledger.idempotency import Idem
from ledger.service import Decision, LedgerCore
from ledger.setup_commands import structure_out

MAX_IMPORT_LINES = 5000
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # they break CSV, PDFs and logs (the door refuses them elsewhere)
NATIONAL_LABELS = {label.value for label in NATIONAL_PROGRAMMES}


def details_of(body: t.StructureDetails | t.NewStructure) -> dict[str, Any]:
    return {
        "address": body.address,
        "postal_code": body.postal_code,
        "phone": body.phone,
        "email": body.email,
        "website": body.website,
        "services": [str(s) for s in body.services],
        "opening_hours": body.opening_hours,
    }


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 2000 or CONTROL.search(value):
        raise errors.ValidationError(f"{name} : texte attendu, sans caractère de contrôle.", field=name)
    return value.strip() or None


def _first(value: str | None) -> str | None:
    """The schema's lists are joined by ``|`` (``courriels``, ``site_web``): the first one is ours."""
    return value.split("|")[0].strip() or None if value else None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()] if value else []


# Our field names -> the national schema's, so an import's reasons name the columns of the file.
SCHEMA_FIELDS = {
    "address": "adresse",
    "postal_code": "code_postal",
    "phone": "telephone",
    "email": "courriels",
    "website": "site_web",
    "opening_hours": "horaires",
    "labels": "dispositif_programmes_nationaux",
}


def _messages(e: errors.ValidationError) -> list[str]:
    out = []
    for field, message in e.fields:
        name = SCHEMA_FIELDS.get(field, field)
        out.append(message if not name or message.startswith(name) else f"{name} : {message}")
    return out


class PlaceLine:
    """One record of an import, read from the national schema's field names."""

    def __init__(self, record: Mapping[str, Any], known_communes: Any) -> None:
        faults: list[str] = []
        self.siret = self.name = self.commune = ""
        self.details: dict[str, Any] = {}
        self.programmes: list[str] = []
        if not isinstance(record, Mapping):
            raise errors.ValidationError("Chaque ligne doit être un objet du schéma des lieux de médiation numérique.")
        try:
            pivot = (_text(record, "pivot") or "").replace(" ", "")
            self.siret = check_siret(pivot)
        except errors.ValidationError:
            faults.append("pivot : un SIRET de 14 chiffres valide est attendu.")
        try:
            self.name = _text(record, "nom") or ""
            if not self.name or len(self.name) > 200:
                faults.append("nom : obligatoire, 200 caractères au plus.")
            self.commune = _text(record, "code_insee") or ""
            if self.commune not in known_communes:
                faults.append("code_insee : le code INSEE d'une commune de la Drôme est attendu.")
            services = []
            for label in _split(_text(record, "services")):
                if label in SERVICE_BY_LABEL:
                    services.append(SERVICE_BY_LABEL[label].value)
                else:
                    faults.append("services : valeur hors du schéma national.")
            self.programmes = [
                LABEL_BY_PROGRAMME[p].value
                for p in _split(_text(record, "dispositif_programmes_nationaux"))
                if p in LABEL_BY_PROGRAMME
            ]
            self.details = {
                "address": _text(record, "adresse"),
                "postal_code": _text(record, "code_postal"),
                "phone": _text(record, "telephone"),
                "email": _first(_text(record, "courriels")),
                "website": _first(_text(record, "site_web")),
                "services": services,
                "opening_hours": _text(record, "horaires"),
            }
            check_details(**self.details)  # every fault of the line at once
        except errors.ValidationError as e:
            faults.extend(_messages(e))
        if faults:
            raise errors.ValidationError("Ligne refusée.", fields=[("", f) for f in faults])

    def labels(self, current: Sequence[str]) -> list[str]:
        """The imported national programmes, and our own labels the schema does not know (kept)."""
        return sorted({*(x for x in current if x not in NATIONAL_LABELS), *self.programmes})


class PlaceCommands(LedgerCore):
    def update_structure_details(
        self, actor: t.Actor, structure_id: str, body: t.StructureDetails, idem: Idem | None = None
    ) -> t.StructureOut:
        """Admin: replaces the structure's place details (address, contacts, services, hours)."""
        self._require(actor)

        def decide() -> Decision:
            s = self._load_id(structure_id, Structure, "Structure")
            s.change_details(**details_of(body))
            return Decision([s], structure_out(s))

        return self._execute(idem, decide, t.StructureOut)

    def import_places_matched(
        self,
        actor: t.Actor,
        lines: Sequence[tuple[int, Mapping[str, Any]]],
        known: Mapping[str, Sequence[UUID]],
        idem: Idem | None = None,
    ) -> t.ImportOut:
        """Admin: creates or updates one structure per line, matched on ``pivot`` (SIRET) through ``known``
        (SIRET -> structure ids, from the read model: candidates, checked against each aggregate). Lines that
        break a rule are listed with their reasons; the others are saved together, in one transaction."""
        self._require(actor)
        if len(lines) > MAX_IMPORT_LINES:
            raise errors.ValidationError(f"Au plus {MAX_IMPORT_LINES} lignes par import.", field="body")

        def decide() -> Decision:
            created = updated = unchanged = 0
            rejected: list[t.ImportRejection] = []
            changed: dict[str, Structure] = {}
            for number, record in lines:
                try:
                    line = PlaceLine(record, self.territory)
                    structure = changed.get(line.siret)
                    matches = known.get(line.siret, [])
                    if structure is None and len(matches) > 1:
                        raise errors.ValidationError(
                            "pivot : plusieurs structures portent ce SIRET ; corrigez-les avant d'importer.",
                            field="pivot",
                        )
                    if structure is None and matches:
                        structure = self._load(matches[0], Structure, "Structure")
                        if structure.siret != line.siret:
                            structure = None
                    if structure is None:
                        structure = Structure.register(line.siret, line.name, line.commune, line.programmes)
                        structure.change_details(**line.details)
                        created += 1
                    elif structure.change_details(**line.details, name=line.name, labels=line.labels(structure.labels)):
                        updated += 1
                    else:
                        unchanged += 1
                    changed[line.siret] = structure
                except errors.ValidationError as e:
                    rejected.append(t.ImportRejection(line=number, errors=_messages(e)))
            out = t.ImportOut(created=created, updated=updated, unchanged=unchanged, rejected=rejected)
            return Decision(list(changed.values()), out)

        return self._execute(idem, decide, t.ImportOut)
