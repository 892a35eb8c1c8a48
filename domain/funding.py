"""Funders of the inter-operator fund, their payments, and commitments (funding conventions)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InsufficientEligibleFunds, ValidationError
from domain.ids import natural_id
from domain.values import FunderKind, check_amount, check_day, check_funder_code, parse_enum


class Funder(Aggregate):
    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return natural_id("funder", code)

    @classmethod
    def register(cls, code: str, name: str, kind: str) -> Funder:
        check_funder_code(code)
        if not name.strip():
            raise ValidationError("Le nom du financeur est obligatoire.")
        kind = parse_enum(FunderKind, kind, "kind")
        return cls(code=code, name=name.strip(), kind=kind)

    @event("Registered")
    def __init__(self, code: str, name: str, kind: str) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.received_cents = 0
        self.payments: list[str] = []

    def receive_payment(self, amount_cents: int, received_on: date, reference: str) -> None:
        check_amount(amount_cents)
        check_day(received_on, "received_on")
        if not reference.strip():
            raise ValidationError("La référence du versement est obligatoire.")
        self._payment_received(
            funder_code=self.code, amount_cents=amount_cents, received_on=received_on, reference=reference.strip()
        )

    @event("PaymentReceived")
    def _payment_received(self, funder_code: str, amount_cents: int, received_on: date, reference: str) -> None:
        self.received_cents += amount_cents
        self.payments.append(reference)


class Commitment(Aggregate):
    """A funder's convention. Tracks ``available`` money: the only balance a command must guard.

    Reserved, redeemed and paid money is the sum of its cheques by status; together with
    ``available`` it always equals the committed amount (see tests/unit/test_domain_funding.py).
    """

    @classmethod
    def sign(
        cls,
        *,
        funder_code: str,
        reference: str,
        amount_cents: int,
        valid_from: date,
        valid_until: date,
        eligible_publics: list[str],
        territory: list[str],
        priority: int = 100,
    ) -> Commitment:
        check_amount(amount_cents)
        check_day(valid_from, "valid_from")
        check_day(valid_until, "valid_until")
        if isinstance(priority, bool) or not (isinstance(priority, int) and 0 <= priority <= 10_000):
            raise ValidationError("La priorité est un entier de 0 à 10 000.", field="priority")
        if valid_until < valid_from:
            raise ValidationError("La fin de validité ne peut précéder son début.", field="valid_until")
        if not reference.strip():
            raise ValidationError("La référence de la convention est obligatoire.")
        return cls(
            funder_code=funder_code,
            reference=reference.strip(),
            amount_cents=amount_cents,
            valid_from=valid_from,
            valid_until=valid_until,
            eligible_publics=sorted(set(eligible_publics)),
            territory=sorted(set(territory)),
            priority=priority,
        )

    @event("Signed")
    def __init__(
        self,
        funder_code: str,
        reference: str,
        amount_cents: int,
        valid_from: date,
        valid_until: date,
        eligible_publics: list[str],
        territory: list[str],
        priority: int,
    ) -> None:
        self.funder_code = funder_code
        self.reference = reference
        self.amount_cents = amount_cents
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.eligible_publics = eligible_publics
        self.territory = territory
        self.priority = priority
        self.available_cents = amount_cents
        self.reserved_total_cents = 0
        self.released_cents = 0

    def is_eligible(self, on: date, publics: list[str], commune_insee: str) -> bool:
        return (
            self.valid_from <= on <= self.valid_until
            and (not self.eligible_publics or bool(set(self.eligible_publics) & set(publics)))
            and (not self.territory or commune_insee in self.territory)
        )

    def reserve(self, book_id: UUID, count: int, amount_cents: int) -> None:
        check_amount(amount_cents)
        if amount_cents > self.available_cents:
            raise InsufficientEligibleFunds(
                f"La convention {self.reference} n'a plus que {self.available_cents} centimes disponibles."
            )
        self._reserved(book_id=book_id, count=count, amount_cents=amount_cents)

    @event("Reserved")
    def _reserved(self, book_id: UUID, count: int, amount_cents: int) -> None:
        self.available_cents -= amount_cents
        self.reserved_total_cents += amount_cents

    def release(self, serials: list[str], amount_cents: int, reason: str) -> None:
        """Value of expired or cancelled cheques comes back to ``available``."""
        check_amount(amount_cents)
        if self.available_cents + amount_cents > self.amount_cents:
            raise ValidationError("Une libération ne peut dépasser le montant engagé.")
        self._released(serials=serials, amount_cents=amount_cents, reason=reason)

    @event("Released")
    def _released(self, serials: list[str], amount_cents: int, reason: str) -> None:
        self.available_cents += amount_cents
        self.released_cents += amount_cents


USEFUL_VALIDITY_DAYS = 90
"""A cheque valid for less than this is hard to use: allocation avoids it, issuing warns of it."""


def leaves_useful_validity(commitment: Commitment, on: date) -> bool:
    """A cheque issued ``on`` and funded by ``commitment`` would be valid for at least 90 days (a cheque's
    validity never outlasts its commitment, and is 12 months otherwise)."""
    return (commitment.valid_until - on).days >= USEFUL_VALIDITY_DAYS


def choose_funding(
    commitments: list[Commitment],
    *,
    count: int,
    face_value_cents: int,
    on: date,
    publics: list[str],
    commune_insee: str,
) -> list[Commitment]:
    """The funding rule: one eligible commitment per cheque; first those leaving at least 90 days of
    validity, then the others; within each, in order of priority (lower first), then earliest
    ``valid_until``. Returns the commitment of each cheque, in order; refuses the whole book if it
    cannot be fully funded."""
    eligible = sorted(
        (c for c in commitments if c.is_eligible(on, publics, commune_insee)),
        key=lambda c: (not leaves_useful_validity(c, on), c.priority, c.valid_until, c.valid_from, str(c.id)),
    )
    room = {c.id: c.available_cents for c in eligible}
    chosen: list[Commitment] = []
    for _ in range(count):
        for c in eligible:
            if room[c.id] >= face_value_cents:
                room[c.id] -= face_value_cents
                chosen.append(c)
                break
        else:
            total = sum(room.values())
            raise InsufficientEligibleFunds(
                f"Fonds éligibles insuffisants pour {count} chèque(s) de {face_value_cents} centimes "
                f"({sum(c.available_cents for c in eligible)} centimes éligibles disponibles, "
                f"{total} restant après répartition)."
            )
    return chosen
