"""Mediation structures (with a dated accreditation history) and prescribers."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import ValidationError
from domain.values import PrescriberKind, StructureLabel, check_day, check_siret, parse_enum, parse_enum_list


class Structure(Aggregate):
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
