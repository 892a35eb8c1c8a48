"""Settlement runs: the fund pays structures for redeemed cheques.

A run pays only structures whose bank account is active (``domain/bank_accounts.py``); the others' cheques stay
redeemed and the run lists them as ``held``. Each run is a payment order (a SEPA credit transfer, one transfer
per paid line) until the fund records its execution: the day the bank executed it and the bank's reference.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.values import check_fact_date

ORDERED = "ordered"
EXECUTED = "executed"


class Settlement(Aggregate):
    id: UUID  # given by the run, which stamps it on each cheque it settles

    @event("Made")
    def __init__(self, through: date, lines: list[dict[str, Any]], total_cents: int) -> None:
        """``lines``: [{structure_id, count, amount_cents, serials}] sorted by structure."""
        self.through = through
        self.lines = lines
        self.total_cents = total_cents
        # Set by the Ordered event that follows; runs recorded before payment orders existed keep these.
        self.made_on: date | None = None
        self.held: list[dict[str, Any]] = []
        self.payees: dict[str, dict[str, Any]] = {}
        self.by_funder: dict[str, int] = {}
        self.executed_on: date | None = None
        self.bank_reference: str | None = None

    def order(
        self,
        made_on: date,
        held: list[dict[str, Any]],
        payees: dict[str, dict[str, Any]],
        by_funder: dict[str, int],
    ) -> None:
        """The payment order: ``payees`` the account each paid structure is paid to (its active account at
        the time of the run), ``held`` the structures left unpaid for want of one, ``by_funder`` the amount
        each funder's commitments pay."""
        missing = [line["structure_id"] for line in self.lines if line["structure_id"] not in payees]
        if missing:
            raise errors.ValidationError("Une ligne payée doit avoir un compte bancaire actif.")
        if sum(by_funder.values()) != self.total_cents:
            raise errors.ValidationError("La répartition par financeur doit égaler le total.")
        self._ordered(made_on=made_on, held=held, payees=payees, by_funder=by_funder)

    @event("Ordered")
    def _ordered(
        self, made_on: date, held: list[dict[str, Any]], payees: dict[str, dict[str, Any]], by_funder: dict[str, int]
    ) -> None:
        self.made_on = made_on
        self.held = held
        self.payees = payees
        self.by_funder = by_funder

    @property
    def payment_status(self) -> str:
        return EXECUTED if self.executed_on is not None else ORDERED

    def record_execution(self, executed_on: date, bank_reference: str, today: date, by: str) -> None:
        if not self.lines:
            raise errors.NothingToPay("Ce remboursement ne paie rien : il n'y a pas de virement à exécuter.")
        if self.executed_on is not None:
            raise errors.AlreadyExecuted("L'exécution de ce virement est déjà enregistrée.")
        check_fact_date(executed_on, today, "executed_on")
        if self.made_on is not None and executed_on < self.made_on:
            raise errors.ValidationError(
                "Le virement ne peut avoir été exécuté avant l'ordre de paiement.", field="executed_on"
            )
        if not bank_reference.strip():
            raise errors.ValidationError("La référence de la banque est obligatoire.", field="bank_reference")
        self._executed(executed_on=executed_on, bank_reference=bank_reference.strip(), by=by)

    @event("Executed")
    def _executed(self, executed_on: date, bank_reference: str, by: str) -> None:
        self.executed_on = executed_on
        self.bank_reference = bank_reference


def end_to_end_id(settlement_id: UUID, line_number: int) -> str:
    """The transfer's EndToEndId (at most 35 characters): the settlement's id (first 20 hex digits) and the
    line's number from 1, so a bank statement line leads back to the settlement line."""
    return f"S{settlement_id.hex[:20].upper()}L{line_number:04d}"


def settlement_lines(cheques: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """Groups redeemed cheques by structure; amounts are the cheques' face values."""
    by_structure: dict[str, dict[str, Any]] = {}
    for c in cheques:
        line = by_structure.setdefault(
            c.redeemed_by, {"structure_id": c.redeemed_by, "count": 0, "amount_cents": 0, "serials": []}
        )
        line["count"] += 1
        line["amount_cents"] += c.face_value_cents
        line["serials"].append(c.serial)
    lines = [by_structure[k] for k in sorted(by_structure)]
    return lines, sum(line["amount_cents"] for line in lines)
