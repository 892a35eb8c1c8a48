"""Funders and their money: commitments, payments received, settlements, expiries, and the funders' view
(reconciliation, postings, balances by day)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta

from domain.values import MAX_CENTS, FunderKind, Public
from ledger.types.common import Cents, Day, FactDate, Input, Insee, Output, Text
from ledger.types.observatory import BreakdownRow


# -- set-up -------------------------------------------------------------------------------
class NewFunder(Input):
    code: Annotated[str, Meta(pattern=r"^[A-Z0-9-]{2,32}$")]
    name: Text
    kind: FunderKind


class FunderOut(Output):
    code: str
    name: str
    kind: str
    received_cents: int


class NewCommitment(Input):
    funder_code: Annotated[str, Meta(pattern=r"^[A-Z0-9-]{2,32}$")]
    reference: Text
    amount_cents: Cents
    valid_from: Day
    valid_until: Day
    eligible_publics: Annotated[list[Public], Meta(max_length=20)] = []
    territory: Annotated[list[Insee], Meta(max_length=400)] = []
    priority: Annotated[int, Meta(ge=0, le=10_000)] = 100


class CommitmentOut(Output):
    id: UUID
    funder_code: str
    reference: str
    amount_cents: int
    available_cents: int
    valid_from: date
    valid_until: date
    eligible_publics: list[str]
    territory: list[str]
    priority: int


class NewPayment(Input):
    amount_cents: Cents
    received_on: FactDate
    reference: Text


class PaymentOut(Output):
    funder_code: str
    amount_cents: int
    received_on: date
    reference: str
    received_total_cents: int


# -- fund operations -----------------------------------------------------------------------
class NewSettlement(Input):
    through: Day
    expected_total_cents: (
        Annotated[
            int,
            Meta(
                ge=0,
                le=MAX_CENTS,
                description="The total the caller expects to pay (from a preview); differs: 409 settlement-changed",
            ),
        ]
        | None
    ) = None


class SettlementLine(Output, omit_defaults=True):
    structure_id: str
    count: int
    amount_cents: int
    end_to_end_id: str | None = None  # the transfer's EndToEndId in the payment order (settlements only)


class HeldLine(Output):
    """Redeemed cheques of a structure with no active bank account: not paid, they stay redeemed."""

    structure_id: str
    count: int
    amount_cents: int


class SettlementOut(Output):
    id: UUID
    through: date
    total_cents: int
    lines: list[SettlementLine]
    held: list[HeldLine] = []
    payment_status: Literal["ordered", "executed"] = "ordered"
    made_on: date | None = None
    executed_on: date | None = None
    bank_reference: str | None = None


class NewExpiry(Input):
    as_of: FactDate


class ExpiryOut(Output):
    expired_count: int
    released_cents: int


# -- funders' view ------------------------------------------------------------------------
class CommitmentFigures(Output):
    id: UUID
    reference: str
    committed_cents: int
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int
    released_cents: int


class Reconciliation(Output):
    funder_code: str
    as_of: date
    committed_cents: int
    received_cents: int
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int
    released_cents: int
    balanced: bool
    commitments: list[CommitmentFigures]
    ordered_cents: int = 0  # paid: transfers ordered (ordonnancé), not yet executed by the bank
    executed_cents: int = 0  # paid: transfers the bank executed (payé); paid = ordered + executed


Account = Literal["funder", "available", "reserved", "redeemed", "paid"]


class Posting(Output):
    position: int
    at: str
    event_id: str
    kind: str
    commitment_id: UUID
    debit: Account
    credit: Account
    amount_cents: int
    serial: str | None = None
    structure_id: str | None = None


class PostingPage(Output):
    items: list[Posting]
    next_cursor: str | None


class MoneyPoint(Output):
    """A funder's balances at the end of a day (Europe/Paris): the reconciliation's totals as of that day."""

    day: date
    available_cents: int
    reserved_cents: int
    redeemed_cents: int
    paid_cents: int


class FunderOutcomes(Output):
    """What a funder's money paid for: sessions (by kind), people, places and their EPCI. A count of people
    under the small-cell threshold is not shown (``None``), nor the figures of a group with that few people,
    the observatory's rule."""

    funder_code: str
    sessions: int
    minutes: int
    beneficiaries: int | None
    places: int
    sessions_by_kind: dict[str, int]
    by_epci: list[BreakdownRow]
    by_structure: list[BreakdownRow]
