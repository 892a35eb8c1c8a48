"""Redeeming cheques for sessions, one at a time or in a batch; reversals, and a structure's statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import Meta, field

from domain.values import SessionKind
from ledger.types.common import VISIBLE, FactDate, Input, Output, Problem
from ledger.types.payments import StructurePayment


# -- redemptions ---------------------------------------------------------------------------
class Session(Input):
    date: FactDate
    kind: SessionKind
    duration_minutes: Annotated[int, Meta(ge=1, le=600)]
    themes: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=100, pattern=VISIBLE)]], Meta(max_length=20)
    ] = []


class NewRedemption(Input):
    serial: Annotated[str, Meta(min_length=1, max_length=32, pattern=VISIBLE)]
    code: Annotated[str, Meta(min_length=1, max_length=32, pattern=VISIBLE)]
    session: Session


class RedemptionOut(Output):
    id: str
    serial: str
    amount_cents: int
    structure_id: str
    session_date: date


class ReversalOut(Output):
    id: str
    serial: str
    status: str


class StatementOut(Output):
    structure_id: str
    redeemed_count: int
    redeemed_cents: int
    settled_cents: int
    pending_cents: int
    ordered_cents: int = 0  # settled, the transfer ordered (ordonnancé), not yet executed
    executed_cents: int = 0  # settled and paid (payé le …): settled = ordered + executed
    payments: list[StructurePayment] = []


class StatementBalance(Output):
    """At the end of a day: ``due_cents`` redeemed and not yet settled, ``paid_cents`` settled since the start."""

    due_cents: int
    paid_cents: int


class StatementLine(Output):
    """A redemption (``kind: redeemed``) or its reversal (``reversed``) recorded on ``day`` (Europe/Paris);
    ``position`` is its event's place in the log (the journal's posting)."""

    day: date
    position: int
    kind: str
    serial: str
    amount_cents: int
    session_date: date | None
    session_kind: str | None


class StatementSettlement(Output):
    """The cheques a settlement paid the structure, recorded on ``day``: the transfer's reference
    (``end_to_end_id``), the account paid (masked), and the bank's execution once recorded."""

    day: date
    settlement_id: str
    count: int
    amount_cents: int
    end_to_end_id: str | None
    iban_masked: str | None
    payment_status: str
    executed_on: date | None = None
    bank_reference: str | None = None


class PeriodStatementOut(Output):
    """The statement of the Paris days ``from`` to ``to`` (both included): closing = opening + redeemed -
    reversed - settled (due), opening + settled (paid). ``redemptions`` is one keyset page (``next_cursor``)."""

    structure_id: str
    start: date = field(name="from")
    end: date = field(name="to")
    opening: StatementBalance
    closing: StatementBalance
    redeemed_count: int
    redeemed_cents: int
    reversed_count: int
    reversed_cents: int
    settled_count: int
    settled_cents: int
    redemptions: list[StatementLine]
    next_cursor: str | None
    settlements: list[StatementSettlement]


class RedemptionBatch(Input):
    items: Annotated[list[NewRedemption], Meta(min_length=1, max_length=1000)]


class BatchItemResult(Output):
    index: int
    status: int
    redemption: RedemptionOut | None = None
    problem: Problem | None = None


class BatchResult(Output):
    results: list[BatchItemResult]
