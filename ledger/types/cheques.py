"""Beneficiaries, their cheque books and cheques, and the reason given for cancelling a cheque or reversing a
redemption."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from domain.cheques import MAX_FACE_VALUE_CENTS
from domain.values import Public
from ledger.types.common import Input, Insee, Output, Reason, Text


# -- beneficiaries and cheques -------------------------------------------------------------
class NewBeneficiary(Input):
    first_name: Text
    last_name: Text
    birth_year: Annotated[int, Meta(ge=1900, le=2100)]
    commune_insee: Insee
    publics: Annotated[list[Public], Meta(max_length=20)] = []
    phone: Annotated[str, Meta(max_length=32, pattern=r"^[0-9 +().-]{6,32}$")] | None = None
    email: Annotated[str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class BeneficiaryOut(Output):
    id: UUID
    reference: Annotated[str, Meta(description="Printed on the cheque book: how a structure names the person")]
    age_band: str
    commune_insee: str
    publics: list[str]


class BeneficiaryRecord(Output):
    id: UUID
    reference: str
    prescriber_id: str
    first_name: str
    last_name: str
    birth_year: int
    age_band: str
    commune_insee: str
    publics: list[str]
    phone: str | None = None
    email: str | None = None


class NewChequeBook(Input):
    beneficiary_id: UUID
    count: Annotated[int, Meta(ge=1, le=20)]
    face_value_cents: Annotated[
        int, Meta(ge=1, le=MAX_FACE_VALUE_CENTS, description="Integer euro cents, at most 1 000 € (the domain's bound)")
    ] = 1000


class IssuedCheque(Output):
    serial: str
    code: str
    face_value_cents: int
    valid_until: date
    funder_code: str
    commitment_id: UUID


class BookWarning(Output):
    code: Annotated[str, Meta(description="short-validity: a cheque would be valid for less than 90 days")]
    message: str


class ChequeBookOut(Output):
    id: UUID
    beneficiary_id: UUID
    cheques: list[IssuedCheque]
    beneficiary_reference: Annotated[
        str, Meta(description="The person's reference, printed on the book's cover (a structure types it)")
    ] = ""
    issued_on: date | None = None
    warnings: list[BookWarning] = []


class ChequeOut(Output):
    serial: str
    status: Literal["issued", "redeemed", "settled", "expired", "cancelled", "locked"]
    face_value_cents: int
    valid_until: date
    funder_code: str
    commitment_id: UUID
    redeemed_by: str | None = None
    session_date: date | None = None


class ReasonBody(Input):
    reason: Reason
