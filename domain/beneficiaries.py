"""Beneficiaries: a pseudonymous id and coarse facts in clear; personal fields only sealed.

The domain never sees personal data in clear: the ledger seals it (AES-GCM, one key per
beneficiary, kept outside the events) before the aggregate is created, and erasure destroys
that key. The aggregate records the erasure so the record stops being served.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ValidationError
from domain.values import Public, age_band, parse_enum_list


class Beneficiary(Aggregate):
    id: UUID  # given by the caller (the ledger makes it before sealing data for it)

    @classmethod
    def register(
        cls,
        *,
        beneficiary_id: UUID,
        prescriber_id: str,
        birth_year: int,
        commune_insee: str,
        publics: list[str],
        sealed_personal_data: str,
        on: date,
    ) -> Beneficiary:
        if not sealed_personal_data:
            raise ValidationError("Données personnelles manquantes.")
        return cls(  # type: ignore[call-arg]  # eventsourcing takes id= since the class declares `id: UUID`
            id=beneficiary_id,
            prescriber_id=prescriber_id,
            age_band=age_band(birth_year, on),
            commune_insee=commune_insee,
            publics=parse_enum_list(Public, publics, "publics"),
            sealed_personal_data=sealed_personal_data,
        )

    @event("Registered")
    def __init__(
        self,
        prescriber_id: str,
        age_band: str,
        commune_insee: str,
        publics: list[str],
        sealed_personal_data: str,
    ) -> None:
        self.prescriber_id = prescriber_id
        self.age_band = age_band
        self.commune_insee = commune_insee
        self.publics = publics
        self.sealed_personal_data = sealed_personal_data
        self.erased = False

    def erase(self) -> None:
        if not self.erased:
            self._erased()

    @event("Erased")
    def _erased(self) -> None:
        self.erased = True
