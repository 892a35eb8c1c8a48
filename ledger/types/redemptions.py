"""Redeeming cheques for sessions, one at a time or in a batch; reversals, and a structure's statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import Meta

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


class RedemptionBatch(Input):
    items: Annotated[list[NewRedemption], Meta(min_length=1, max_length=1000)]


class BatchItemResult(Output):
    index: int
    status: int
    redemption: RedemptionOut | None = None
    problem: Problem | None = None


class BatchResult(Output):
    results: list[BatchItemResult]
