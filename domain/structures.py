"""Mediation structures (with a dated accreditation history) and prescribers."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import ValidationError
from domain.places import check_details
from domain.values import PrescriberKind, StructureLabel, check_day, check_siret, parse_enum, parse_enum_list


class Structure(Aggregate):
    # The place's address, contacts, services and hours (``domain/places.py``), None until given; a class
    # default so that structures saved before they existed load as they were.
    details: dict[str, Any] | None = None

    @classmethod
    def register(cls, siret: str, name: str, commune_insee: str, labels: list[str]) -> Structure:
        check_siret(siret)
        if not name.strip():
            raise ValidationError("Le nom de la structure est obligatoire.")
        return cls(
            siret=siret,
            name=name.strip(),
            commune_insee=commune_insee,
            labels=parse_enum_list(StructureLabel, labels, "labels"),
        )

    @event("Registered")
    def __init__(self, siret: str, name: str, commune_insee: str, labels: list[str]) -> None:
        self.siret = siret
        self.name = name
        self.commune_insee = commune_insee
        self.labels = labels
        # [effective date (ISO), accredited?, reason], in order of effect.
        self.accreditation: list[list[Any]] = []

    @property
    def accredited(self) -> bool:
        return not self.accreditation or bool(self.accreditation[-1][1])

    def accredited_on(self, day: date) -> bool:
        """Accredited from registration onwards, except inside suspended periods."""
        state = True
        for effective, accredited, _reason in self.accreditation:
            if date.fromisoformat(effective) <= day:
                state = bool(accredited)
        return state

    def suspend(self, reason: str, on: date) -> None:
        self._change(False, reason, on)

    def reinstate(self, reason: str, on: date) -> None:
        self._change(True, reason, on)

    def _change(self, accredited: bool, reason: str, on: date) -> None:
        if not reason.strip():
            raise ValidationError("Le motif est obligatoire.", field="reason")
        check_day(on, "on")
        if self.accreditation and on.isoformat() < self.accreditation[-1][0]:
            raise ValidationError("Une décision ne peut précéder la dernière décision enregistrée.")
        self._accreditation_changed(accredited=accredited, reason=reason.strip(), on=on)

    @event("AccreditationChanged")
    def _accreditation_changed(self, accredited: bool, reason: str, on: date) -> None:
        self.accreditation.append([on.isoformat(), accredited, reason])

    def change_details(self, **fields: Any) -> bool:
        """New address, contacts, services, hours (and, from an import, name and labels): checked by
        ``check_details``; False, and no event, when nothing changes."""
        name = fields.pop("name", None)
        labels = fields.pop("labels", None)
        details = check_details(**fields)
        new_name = name.strip() if name and name.strip() else self.name
        new_labels = parse_enum_list(StructureLabel, labels, "labels") if labels is not None else list(self.labels)
        if details == self.details and new_name == self.name and new_labels == list(self.labels):
            return False
        self._details_changed(details=details, name=new_name, labels=new_labels)
        return True

    @event("DetailsChanged")
    def _details_changed(self, details: dict[str, Any], name: str, labels: list[str]) -> None:
        self.details = details
        self.name = name
        self.labels = labels


class Prescriber(Aggregate):
    @classmethod
    def register(cls, name: str, kind: str, commune_insee: str) -> Prescriber:
        if not name.strip():
            raise ValidationError("Le nom du prescripteur est obligatoire.")
        kind = parse_enum(PrescriberKind, kind, "kind")
        return cls(name=name.strip(), kind=kind, commune_insee=commune_insee)

    @event("Registered")
    def __init__(self, name: str, kind: str, commune_insee: str) -> None:
        self.name = name
        self.kind = kind
        self.commune_insee = commune_insee
