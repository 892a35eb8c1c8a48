"""Cheques and cheque books: the whole life of a voucher."""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.ids import natural_id
from domain.values import SessionKind, add_months, check_day, check_fact_date, french_day, parse_enum

MAX_WRONG_CODES = 5
DEFAULT_VALIDITY_MONTHS = 12
MAX_BOOK_SIZE = 20
MAX_FACE_VALUE_CENTS = 100_000
"""At most 1 000 € a cheque (the contract's bound since v1; one cheque pays one session)."""
SHORT_VALIDITY_DAYS = 90


class Status:
    ISSUED = "issued"
    REDEEMED = "redeemed"
    SETTLED = "settled"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    LOCKED = "locked"


CHEQUE_STATUS_LABELS: dict[str, str] = {
    Status.ISSUED: "émis",
    Status.REDEEMED: "encaissé",
    Status.SETTLED: "remboursé",
    Status.EXPIRED: "expiré",
    Status.CANCELLED: "annulé",
    Status.LOCKED: "verrouillé",
}
# Cheques counted by where they are in their life (a locked cheque is counted as issued).
CHEQUE_STATUS_PLURALS: dict[str, str] = {
    Status.ISSUED: "émis",
    Status.REDEEMED: "encaissés",
    Status.SETTLED: "remboursés",
    Status.EXPIRED: "expirés",
    Status.CANCELLED: "annulés",
}


def cheque_validity(issued_on: date, commitment_valid_until: date) -> date:
    """12 months from issue, never past the funding commitment's end."""
    return min(add_months(issued_on, DEFAULT_VALIDITY_MONTHS), commitment_valid_until)


def validity_warnings(valid_until: list[date], issued_on: date) -> list[tuple[str, str]]:
    """``short-validity`` when any cheque would be valid for less than 90 days: (code, French message)."""
    short = [d for d in valid_until if (d - issued_on).days < SHORT_VALIDITY_DAYS]
    if not short:
        return []
    first = min(short)
    return [
        (
            "short-validity",
            f"{len(short)} chèque(s) de ce carnet ne seront valables que jusqu'au {french_day(first)}, "
            f"soit moins de {SHORT_VALIDITY_DAYS} jours : la convention qui les finance se termine. "
            "Dites-le à la personne, ou émettez le carnet plus tard sur une autre convention.",
        )
    ]


def redemption_id(serial: str, number: int) -> str:
    return f"RDM-{serial}-{number}"


def serial_of_redemption(rid: str) -> tuple[str, int]:
    """Inverse of :func:`redemption_id`; NotFound if it is not one."""
    try:
        prefix, rest = rid.split("-", 1)
        serial, number = rest.rsplit("-", 1)
        if prefix != "RDM" or not number.isdigit():
            raise ValueError
        return serial, int(number)
    except ValueError:
        raise errors.NotFound("Encaissement inconnu.") from None


def check_session(kind: str, duration_minutes: int, themes: list[str]) -> None:
    parse_enum(SessionKind, kind, "kind")
    if isinstance(duration_minutes, bool) or not (isinstance(duration_minutes, int) and 1 <= duration_minutes <= 600):
        raise errors.ValidationError("La durée doit être comprise entre 1 et 600 minutes.")
    if any(not isinstance(t, str) or not t.strip() or len(t) > 100 for t in themes) or len(themes) > 20:
        raise errors.ValidationError("Thèmes invalides (au plus 20, de 1 à 100 caractères).")


class Cheque(Aggregate):
    @staticmethod
    def create_id(serial: str, **_: Any) -> UUID:
        return natural_id("cheque", serial)

    @event("Issued")
    def __init__(
        self,
        serial: str,
        book_id: UUID,
        commitment_id: UUID,
        funder_code: str,
        face_value_cents: int,
        valid_until: date,
        code_hash: str,
        beneficiary_id: UUID,
        prescriber_id: str,
        issued_on: date,
    ) -> None:
        self.serial = serial
        self.book_id = book_id
        self.commitment_id = commitment_id
        self.funder_code = funder_code
        self.face_value_cents = face_value_cents
        self.valid_until = valid_until
        self.code_hash = code_hash
        self.beneficiary_id = beneficiary_id
        self.prescriber_id = prescriber_id
        self.issued_on = issued_on
        self.lifecycle = Status.ISSUED
        self.wrong_codes = 0
        self.redemptions = 0
        self.redeemed_by: str | None = None
        self.session_date: date | None = None
        self.settlement_id: UUID | None = None
        self.redeemers: dict[str, str] = {}  # redemption id -> structure id

    # -- reading ---------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.wrong_codes >= MAX_WRONG_CODES

    @property
    def status(self) -> str:
        if self.lifecycle == Status.ISSUED and self.locked:
            return Status.LOCKED
        return self.lifecycle

    @property
    def current_redemption_id(self) -> str | None:
        if self.lifecycle in (Status.REDEEMED, Status.SETTLED):
            return redemption_id(self.serial, self.redemptions)
        return None

    # -- redemption --------------------------------------------------------------------------
    def redeem(
        self,
        *,
        presented_code_hash: str,
        structure_id: str,
        structure_accredited: bool,
        session_date: date,
        session_kind: str,
        duration_minutes: int,
        themes: list[str],
        today: date,
    ) -> errors.DomainError | None:
        """Decides a redemption in the contract's order of checks.

        Returns the refusal instead of raising it, because a wrong code is itself an event
        (the fifth in a row locks the cheque) that must be saved with the refusal.
        """
        if self.locked:
            return errors.ChequeLocked(
                "Chèque verrouillé après 5 codes erronés : demandez son déblocage au prescripteur."
            )
        if not hmac.compare_digest(presented_code_hash, self.code_hash):
            self.trigger_event(Cheque.CodeRejected, wrong_codes=self.wrong_codes + 1)
            left = MAX_WRONG_CODES - self.wrong_codes
            if left <= 0:
                return errors.InvalidVerificationCode("Code erroné : le chèque est maintenant verrouillé.")
            return errors.InvalidVerificationCode(f"Code erroné ({left} essai(s) restant(s)).")
        if self.lifecycle == Status.CANCELLED:
            return errors.ChequeCancelled("Ce chèque a été annulé.")
        if self.lifecycle == Status.EXPIRED or session_date > self.valid_until:
            return errors.ChequeExpired(f"Ce chèque était valable jusqu'au {self.valid_until.isoformat()}.")
        if self.lifecycle in (Status.REDEEMED, Status.SETTLED):
            return errors.ChequeAlreadyRedeemed("Ce chèque a déjà été encaissé.")
        if not structure_accredited:
            return errors.StructureNotAccredited("La structure n'était pas habilitée à la date de la séance.")
        try:
            check_fact_date(session_date, today, "session.date")
        except errors.ValidationError as e:
            return e
        if session_date < self.issued_on:
            return errors.ValidationError("La séance ne peut pas précéder l'émission du chèque.")
        try:
            check_session(session_kind, duration_minutes, themes)
        except errors.ValidationError as e:
            return e
        self.trigger_event(
            Cheque.Redeemed,
            redemption_id=redemption_id(self.serial, self.redemptions + 1),
            structure_id=structure_id,
            session_date=session_date,
            session_kind=session_kind,
            duration_minutes=duration_minutes,
            themes=list(themes),
        )
        return None

    # The two events of every redemption attempt are declared as classes, triggered with ``trigger_event``: the
    # ``@event`` decorator's argument matching costs more than deciding, on the hottest path. Same topics and stored fields as when they were decorated methods
    # (tests/unit/test_cheque_event_format.py).
    class CodeRejected(Aggregate.Event):
        wrong_codes: int

        def apply(self, cheque: Cheque) -> None:
            cheque.wrong_codes = self.wrong_codes

    class Redeemed(Aggregate.Event):
        redemption_id: str
        structure_id: str
        session_date: date
        session_kind: str
        duration_minutes: int
        themes: list[str]

        def apply(self, cheque: Cheque) -> None:
            cheque.lifecycle = Status.REDEEMED
            cheque.redeemers[self.redemption_id] = self.structure_id
            cheque.redemptions += 1
            cheque.wrong_codes = 0
            cheque.redeemed_by = self.structure_id
            cheque.session_date = self.session_date
            cheque.session_kind = self.session_kind
            cheque.duration_minutes = self.duration_minutes

    def redeemer_of(self, rid: str) -> str:
        """The structure that made redemption ``rid``; NotFound if there was no such redemption."""
        try:
            return self.redeemers[rid]
        except KeyError:
            raise errors.NotFound("Encaissement inconnu.") from None

    def reverse_redemption(self, rid: str, reason: str) -> None:
        self.redeemer_of(rid)
        if self.current_redemption_id != rid:
            raise errors.RedemptionAlreadyReversed("Cet encaissement a déjà été annulé.")
        if self.lifecycle == Status.SETTLED:
            raise errors.ChequeAlreadySettled(
                "Ce chèque a déjà été remboursé : l'encaissement ne peut plus être annulé."
            )
        _require_reason(reason)
        redeemer = cast(str, self.redeemed_by)  # redeemed, not settled: a structure redeemed it
        self._redemption_reversed(redemption_id=rid, structure_id=redeemer, reason=reason.strip())

    @event("RedemptionReversed")
    def _redemption_reversed(self, redemption_id: str, structure_id: str, reason: str) -> None:
        self.lifecycle = Status.ISSUED
        self.redeemed_by = None
        self.session_date = None
        self.session_kind: str | None = None  # set by Redeemed.apply; declared here for the type checker
        self.duration_minutes: int | None = None

    # -- other transitions ------------------------------------------------------------------
    def cancel(self, reason: str) -> None:
        _require_reason(reason)
        self._refuse_unless_issued()
        self._cancelled(reason=reason.strip())

    @event("Cancelled")
    def _cancelled(self, reason: str) -> None:
        self.lifecycle = Status.CANCELLED

    def expire(self, as_of: date) -> None:
        check_day(as_of, "as_of")
        if self.lifecycle != Status.ISSUED or not self.valid_until < as_of:
            raise errors.ValidationError("Seul un chèque émis et échu peut expirer.")
        self._expired(as_of=as_of)

    @event("Expired")
    def _expired(self, as_of: date) -> None:
        self.lifecycle = Status.EXPIRED

    def settle(self, settlement_id: UUID) -> None:
        if self.lifecycle != Status.REDEEMED:
            raise errors.ChequeNotRedeemed("Seul un chèque encaissé peut être remboursé.")
        self._settled(settlement_id=settlement_id, structure_id=cast(str, self.redeemed_by))  # redeemed: set

    @event("Settled")
    def _settled(self, settlement_id: UUID, structure_id: str) -> None:
        self.lifecycle = Status.SETTLED
        self.settlement_id = settlement_id

    def unlock(self) -> None:
        if not self.locked:
            raise errors.ChequeNotLocked("Ce chèque n'est pas verrouillé.")
        self._unlocked()

    @event("Unlocked")
    def _unlocked(self) -> None:
        self.wrong_codes = 0

    def replace_code(self, code_hash: str) -> None:
        self._refuse_unless_issued()
        self._code_replaced(code_hash=code_hash)

    @event("CodeReplaced")
    def _code_replaced(self, code_hash: str) -> None:
        self.code_hash = code_hash
        self.wrong_codes = 0

    def _refuse_unless_issued(self) -> None:
        if self.lifecycle == Status.CANCELLED:
            raise errors.ChequeCancelled("Ce chèque a été annulé.")
        if self.lifecycle == Status.EXPIRED:
            raise errors.ChequeExpired("Ce chèque a expiré.")
        if self.lifecycle in (Status.REDEEMED, Status.SETTLED):
            raise errors.ChequeAlreadyRedeemed("Ce chèque a déjà été encaissé.")


def _require_reason(reason: str) -> None:
    if not isinstance(reason, str) or not reason.strip():
        raise errors.ValidationError("Le motif est obligatoire.")


class ChequeBook(Aggregate):
    id: UUID  # given by the caller (the ledger makes it before sealing data for it)

    @event("Issued")
    def __init__(
        self,
        beneficiary_id: UUID,
        prescriber_id: str,
        serials: list[str],
        face_value_cents: int,
        issued_on: date,
    ) -> None:
        self.beneficiary_id = beneficiary_id
        self.prescriber_id = prescriber_id
        self.serials = serials
        self.face_value_cents = face_value_cents
        self.issued_on = issued_on
        self.reprints = 0

    def record_reprint(self, serials: list[str]) -> None:
        self._reprinted(serials=serials)

    @event("Reprinted")
    def _reprinted(self, serials: list[str]) -> None:
        self.reprints += 1


def check_book_request(count: int, face_value_cents: int) -> None:
    if isinstance(count, bool) or not (isinstance(count, int) and 1 <= count <= MAX_BOOK_SIZE):
        raise errors.ValidationError(f"Un carnet compte de 1 à {MAX_BOOK_SIZE} chèques.")
    if isinstance(face_value_cents, bool) or not (
        isinstance(face_value_cents, int) and 0 < face_value_cents <= MAX_FACE_VALUE_CENTS
    ):
        raise errors.ValidationError(
            f"La valeur d'un chèque va de 0,01 € à {MAX_FACE_VALUE_CENTS // 100:_} €.".replace("_", "\u202f"),
            field="face_value_cents",
        )
