"""Refurbished-equipment lending: sources ("gisements"), devices and loans.

A device is lent on one active loan at most: lending changes the device and creates the loan in one
transaction, and the device's version guards it under concurrency. Overdue is never stored: it is
derived from ``due_on`` and a date.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.values import check_amount, check_day, parse_enum

# A refurbished device is lent "at a moderate cost": ceilings well above any real tariff, far below what
# a column can hold.
MAX_MONTHLY_FEE_CENTS = 20_000  # 200 € a month
MAX_DEPOSIT_CENTS = 100_000  # 1 000 €


class SourceKind(StrEnum):
    COMPANY = "company"
    PUBLIC_BODY = "public_body"
    ASSOCIATION = "association"
    INDIVIDUAL = "individual"


class DeviceKind(StrEnum):
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    TABLET = "tablet"
    SMARTPHONE = "smartphone"


DEVICE_KIND_LABELS: dict[DeviceKind, str] = {
    DeviceKind.LAPTOP: "ordinateur portable",
    DeviceKind.DESKTOP: "ordinateur fixe",
    DeviceKind.TABLET: "tablette",
    DeviceKind.SMARTPHONE: "smartphone",
}


class DeviceStatus(StrEnum):
    RECEIVED = "received"
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    NEEDS_REPAIR = "needs_repair"
    RETIRED = "retired"


DEVICE_STATUS_LABELS: dict[DeviceStatus, str] = {
    DeviceStatus.RECEIVED: "reçu",
    DeviceStatus.AVAILABLE: "disponible",
    DeviceStatus.ON_LOAN: "prêté",
    DeviceStatus.NEEDS_REPAIR: "à réparer",
    DeviceStatus.RETIRED: "réformé",
}


class LoanStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"  # derived, never stored
    RETURNED = "returned"
    LOST = "lost"


LOAN_STATUS_LABELS: dict[LoanStatus, str] = {
    LoanStatus.ACTIVE: "en cours",
    LoanStatus.OVERDUE: "en retard",
    LoanStatus.RETURNED: "rendu",
    LoanStatus.LOST: "perdu",
}


class ReturnCondition(StrEnum):
    """The state a lent device comes back in: only a good one can be lent again without repair."""

    GOOD = "good"
    DAMAGED = "damaged"
    INCOMPLETE = "incomplete"


RETURN_CONDITION_LABELS: dict[ReturnCondition, str] = {
    ReturnCondition.GOOD: "En bon état",
    ReturnCondition.DAMAGED: "Abîmé",
    ReturnCondition.INCOMPLETE: "Incomplet",
}


class EquipmentSource(Aggregate):
    @classmethod
    def register(cls, name: str, kind: str, commune_insee: str) -> EquipmentSource:
        if not name.strip():
            raise errors.ValidationError("Le nom du gisement est obligatoire.")
        return cls(name=name.strip(), kind=parse_enum(SourceKind, kind, "kind"), commune_insee=commune_insee)

    @event("Registered")
    def __init__(self, name: str, kind: str, commune_insee: str) -> None:
        self.name = name
        self.kind = kind
        self.commune_insee = commune_insee


class Device(Aggregate):
    @classmethod
    def receive(cls, source_id: UUID, structure_id: str, kind: str, serial_number: str, received_on: date) -> Device:
        if not serial_number.strip():
            raise errors.ValidationError("Le numéro de série est obligatoire.")
        check_day(received_on, "received_on")
        return cls(
            source_id=source_id,
            structure_id=structure_id,
            kind=parse_enum(DeviceKind, kind, "kind"),
            serial_number=serial_number.strip(),
            received_on=received_on,
        )

    @event("Received")
    def __init__(self, source_id: UUID, structure_id: str, kind: str, serial_number: str, received_on: date) -> None:
        self.source_id = source_id
        self.structure_id = structure_id  # the structure that holds and lends it ("admin": the fund's stock)
        self.kind = kind
        self.serial_number = serial_number
        self.received_on = received_on
        self.status = DeviceStatus.RECEIVED.value
        self.grade: str | None = None
        self.loan_id: UUID | None = None

    def refurbish(self, grade: str, on: date) -> None:
        if grade not in ("A", "B", "C"):
            raise errors.ValidationError("La note de reconditionnement est A, B ou C.")
        check_day(on, "refurbished_on")
        if self.status not in (DeviceStatus.RECEIVED, DeviceStatus.NEEDS_REPAIR):
            raise errors.InvalidTransition(f"Un appareil « {self.status} » ne peut pas être reconditionné.")
        if on < self.received_on:
            raise errors.ValidationError("Le reconditionnement ne peut précéder la réception.")
        self._refurbished(grade=grade, on=on)

    @event("Refurbished")
    def _refurbished(self, grade: str, on: date) -> None:
        self.grade = grade
        self.status = DeviceStatus.AVAILABLE.value

    def lend(self, loan_id: UUID) -> None:
        if self.status != DeviceStatus.AVAILABLE:
            raise errors.DeviceUnavailable(f"Cet appareil n'est pas disponible (état : {self.status}).")
        self._lent(loan_id=loan_id)

    @event("Lent")
    def _lent(self, loan_id: UUID) -> None:
        self.status = DeviceStatus.ON_LOAN.value
        self.loan_id = loan_id

    def come_back(self, loan_id: UUID, condition: str, on: date) -> None:
        """Back from a loan: available again only if in good condition, otherwise to repair."""
        if condition not in tuple(ReturnCondition):
            raise errors.ValidationError("État au retour : good, damaged ou incomplete.")
        if self.loan_id != loan_id or self.status != DeviceStatus.ON_LOAN:
            raise errors.InvalidTransition("Cet appareil n'est pas prêté sur ce contrat.")
        self._came_back(loan_id=loan_id, condition=condition, on=on)

    @event("CameBack")
    def _came_back(self, loan_id: UUID, condition: str, on: date) -> None:
        self.status = (DeviceStatus.AVAILABLE if condition == ReturnCondition.GOOD else DeviceStatus.NEEDS_REPAIR).value
        self.loan_id = None

    def lose(self, loan_id: UUID, on: date) -> None:
        if self.loan_id != loan_id or self.status != DeviceStatus.ON_LOAN:
            raise errors.InvalidTransition("Cet appareil n'est pas prêté sur ce contrat.")
        self._lost(loan_id=loan_id, on=on)

    @event("Lost")
    def _lost(self, loan_id: UUID, on: date) -> None:
        self.status = DeviceStatus.RETIRED.value
        self.loan_id = None

    def retire(self, reason: str, on: date) -> None:
        if reason not in ("recycled", "beyond_repair", "donated"):
            raise errors.ValidationError("Motif de sortie : recycled, beyond_repair ou donated.")
        check_day(on, "on")
        if self.status in (DeviceStatus.ON_LOAN, DeviceStatus.RETIRED):
            raise errors.InvalidTransition(f"Un appareil « {self.status} » ne peut pas être sorti du parc.")
        self._retired(reason=reason, on=on)

    @event("Retired")
    def _retired(self, reason: str, on: date) -> None:
        self.status = DeviceStatus.RETIRED.value


def months_started(start: date, end: date) -> int:
    """Months of a loan begun between ``start`` and ``end`` (a started month is due; at least one)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day >= start.day:
        months += 1
    return max(1, months)


class Loan(Aggregate):
    id: UUID  # given by the caller, who stamps it on the device in the same transaction

    @classmethod
    def sign(
        cls,
        *,
        loan_id: UUID,
        device_id: UUID,
        beneficiary_id: UUID,
        structure_id: str,
        start_on: date,
        due_on: date,
        monthly_fee_cents: int,
        deposit_cents: int,
    ) -> Loan:
        check_day(start_on, "start_on")
        check_day(due_on, "due_on")
        if due_on <= start_on:
            raise errors.ValidationError("L'échéance doit suivre le début du prêt.", field="due_on")
        check_amount(monthly_fee_cents, allow_zero=True, maximum=MAX_MONTHLY_FEE_CENTS, what="monthly_fee_cents")
        check_amount(deposit_cents, allow_zero=True, maximum=MAX_DEPOSIT_CENTS, what="deposit_cents")
        return cls(  # type: ignore[call-arg]  # eventsourcing takes id= since the class declares `id: UUID`
            id=loan_id,
            device_id=device_id,
            beneficiary_id=beneficiary_id,
            structure_id=structure_id,
            start_on=start_on,
            due_on=due_on,
            monthly_fee_cents=monthly_fee_cents,
            deposit_cents=deposit_cents,
        )

    @event("Signed")
    def __init__(
        self,
        device_id: UUID,
        beneficiary_id: UUID,
        structure_id: str,
        start_on: date,
        due_on: date,
        monthly_fee_cents: int,
        deposit_cents: int,
    ) -> None:
        self.device_id = device_id
        self.beneficiary_id = beneficiary_id
        self.structure_id = structure_id
        self.start_on = start_on
        self.due_on = due_on
        self.monthly_fee_cents = monthly_fee_cents
        self.deposit_cents = deposit_cents
        self.state = LoanStatus.ACTIVE.value
        self.follow_ups = 0
        self.ended_on: date | None = None

    def status_on(self, day: date) -> str:
        if self.state == LoanStatus.ACTIVE and self.due_on < day:
            return LoanStatus.OVERDUE.value
        return self.state

    def _require_active(self) -> None:
        if self.state != LoanStatus.ACTIVE:
            raise errors.InvalidTransition(f"Ce prêt est terminé ({self.state}).")

    def follow_up(self, on: date, kind: str, sealed_note: str | None) -> None:
        self._require_active()
        if kind not in ("visit", "call", "workshop"):
            raise errors.ValidationError("Type de suivi : visit, call ou workshop.")
        check_day(on, "on")
        if on < self.start_on:
            raise errors.ValidationError("Le suivi ne peut précéder le début du prêt.")
        self._followed_up(on=on, kind=kind, sealed_note=sealed_note)

    @event("FollowedUp")
    def _followed_up(self, on: date, kind: str, sealed_note: str | None) -> None:
        self.follow_ups += 1

    def extend(self, due_on: date) -> None:
        self._require_active()
        check_day(due_on, "due_on")
        if due_on <= self.due_on:
            raise errors.ValidationError("La nouvelle échéance doit suivre l'actuelle.")
        self._extended(due_on=due_on)

    @event("Extended")
    def _extended(self, due_on: date) -> None:
        self.due_on = due_on

    def give_back(self, on: date, condition: str) -> None:
        self._require_active()
        if condition not in tuple(ReturnCondition):
            raise errors.ValidationError("État au retour : good, damaged ou incomplete.")
        check_day(on, "on")
        if on < self.start_on:
            raise errors.ValidationError("Le retour ne peut précéder le début du prêt.")
        self._returned(
            on=on, condition=condition, fees_cents=self.monthly_fee_cents * months_started(self.start_on, on)
        )

    @event("Returned")
    def _returned(self, on: date, condition: str, fees_cents: int) -> None:
        self.state = LoanStatus.RETURNED.value
        self.ended_on = on

    def declare_lost(self, on: date) -> None:
        self._require_active()
        check_day(on, "on")
        if on < self.start_on:
            raise errors.ValidationError("La perte ne peut précéder le début du prêt.")
        self._lost(on=on, fees_cents=self.monthly_fee_cents * months_started(self.start_on, on))

    @event("Lost")
    def _lost(self, on: date, fees_cents: int) -> None:
        self.state = LoanStatus.LOST.value
        self.ended_on = on
