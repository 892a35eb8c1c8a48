"""Lending devices: where they come from, the devices, the loans and their follow-ups, the loans' journal;
and the PIX assessments of beneficiaries' digital skills, which the lending commands record too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from domain.lending import MAX_DEPOSIT_CENTS, MAX_MONTHLY_FEE_CENTS
from ledger.types.common import VISIBLE, Day, FactDate, Input, Insee, Note, Output, Text


# -- lending ------------------------------------------------------------------------------
class NewEquipmentSource(Input):
    name: Text
    kind: Literal["company", "public_body", "association", "individual"]
    commune_insee: Insee


class EquipmentSourceOut(Output):
    id: UUID
    name: str
    kind: str
    commune_insee: str


class NewDevice(Input):
    source_id: UUID
    kind: Literal["laptop", "desktop", "tablet", "smartphone"]
    serial_number: Annotated[str, Meta(min_length=1, max_length=100, pattern=VISIBLE)]
    received_on: FactDate


class DeviceOut(Output):
    id: UUID
    source_id: UUID
    structure_id: str
    kind: str
    serial_number: str
    status: Literal["received", "available", "on_loan", "needs_repair", "retired"]
    grade: str | None = None


class Refurbishment(Input):
    grade: Literal["A", "B", "C"]
    refurbished_on: FactDate


class Retirement(Input):
    reason: Literal["recycled", "beyond_repair", "donated"]
    on: FactDate


class NewLoan(Input):
    device_id: UUID
    start_on: FactDate
    due_on: Day
    monthly_fee_cents: Annotated[
        int, Meta(ge=0, le=MAX_MONTHLY_FEE_CENTS, description="Integer euro cents, at most 200 €")
    ]
    deposit_cents: Annotated[int, Meta(ge=0, le=MAX_DEPOSIT_CENTS, description="Integer euro cents, at most 1 000 €")]
    beneficiary_id: UUID | None = None
    beneficiary_ref: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=20,
                pattern=r"^[0-9A-Za-z -]+$",
                description="The reference printed on the cheque book (B-7K3M-9QX4-R; any case, dashes optional),"
                " instead of beneficiary_id",
            ),
        ]
        | None
    ) = None


class LoanOut(Output):
    id: UUID
    device_id: UUID
    beneficiary_id: UUID
    structure_id: str
    start_on: date
    due_on: date
    monthly_fee_cents: int
    deposit_cents: int
    status: Literal["active", "overdue", "returned", "lost"]
    follow_ups: int
    ended_on: date | None = None


class NewFollowUp(Input):
    on: FactDate
    kind: Literal["visit", "call", "workshop"]
    note: Note | None = None


class FollowUpOut(Output):
    loan_id: UUID
    on: date
    kind: str
    follow_ups: int


class LoanExtension(Input):
    due_on: Day


class LoanReturn(Input):
    on: FactDate
    condition: Literal["good", "damaged", "incomplete"]


class LoanLoss(Input):
    on: FactDate


class LoanPage(Output):
    items: list[LoanOut]
    next_cursor: str | None


class LoanPosting(Output):
    position: int
    at: str
    event_id: str
    loan_id: UUID
    structure_id: str
    kind: str
    debit: Literal["beneficiary", "deposits_held", "deposits_kept", "fees_collected"]
    credit: Literal["beneficiary", "deposits_held", "deposits_kept", "fees_collected"]
    amount_cents: int


class LoanPostingPage(Output):
    items: list[LoanPosting]
    next_cursor: str | None


# -- PIX ----------------------------------------------------------------------------------
class NewPixAssessment(Input):
    phase: Literal["entry", "exit"]
    score: Annotated[int, Meta(ge=0, le=1024)]
    taken_on: FactDate


class PixAssessmentOut(Output):
    id: UUID
    beneficiary_id: UUID
    phase: str
    score: int
    taken_on: date


class PixHistory(Output):
    beneficiary_id: UUID
    items: list[PixAssessmentOut]
