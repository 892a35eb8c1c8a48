"""Bank details as events: the fund's own account (the debtor of transfers) and each structure's account.

A structure's details are submitted (by the structure or an admin) and become active only when a different
person approves them (four eyes: changing the IBAN is the classic fraud). A change submitted while an account
is active puts it back to pending: nothing is paid to the structure until the change is approved.

The IBAN is checked here again with ``stdnum`` (ISO 13616 checksum and country formats); the ledger checks it
first with ``schwifty`` at the door, for its normalisation and its messages. Refusals never quote the value.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

from domain import errors
from domain.ids import natural_id

FUND = "fund"
PENDING = "pending"
ACTIVE = "active"


def bank_account_id(owner: str) -> Any:
    """The account aggregate of ``owner``: a structure id, or ``FUND``."""
    return natural_id("bank-account", owner)


def mask_iban(iban: str) -> str:
    """``FR76 **** **** **** **** *** 0189``: the country and check digits, and the last four characters."""
    compact = iban.replace(" ", "")
    hidden = "*" * (len(compact) - 8)
    return " ".join([compact[:4], *(hidden[i : i + 4] for i in range(0, len(hidden), 4)), compact[-4:]])


def check_bank_details(holder: str, iban: str, bic: str | None) -> None:
    """The rules again (the ledger normalises first): a holder, a valid IBAN, a valid BIC if given."""
    problems: list[tuple[str, str]] = []
    if not holder.strip():
        problems.append(("holder", "Le titulaire du compte est obligatoire."))
    if not stdnum_iban.is_valid(iban):
        problems.append(("iban", "IBAN invalide (clé de contrôle ou format du pays)."))
    if bic is not None and not stdnum_bic.is_valid(bic):
        problems.append(("bic", "BIC invalide."))
    if problems:
        raise errors.ValidationError(problems[0][1], fields=problems)


class BankAccount(Aggregate):
    id: Any  # bank_account_id(owner)

    @event("Opened")
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.status: str | None = None  # None until details are submitted
        self.active: dict[str, Any] | None = None  # {holder, iban, bic, since, submitted_by, approved_by}
        self.pending: dict[str, Any] | None = None  # {holder, iban, bic, submitted_at, submitted_by}
        self.history: list[dict[str, Any]] = []  # [{what, at, by, iban_masked}]

    def submit(self, holder: str, iban: str, bic: str | None, by: str, at: str) -> None:
        """``by``: who submits (an API key or a person's account); ``at``: the instant (RFC 3339, UTC)."""
        check_bank_details(holder, iban, bic)
        self._submitted(holder=holder.strip(), iban=iban, bic=bic, by=by, at=at)

    @event("Submitted")
    def _submitted(self, holder: str, iban: str, bic: str | None, by: str, at: str) -> None:
        self.pending = {"holder": holder, "iban": iban, "bic": bic, "submitted_at": at, "submitted_by": by}
        self.status = PENDING
        self.history.append({"what": "submitted", "at": at, "by": by, "iban_masked": mask_iban(iban)})

    def approve(self, by: str, at: str) -> None:
        if self.pending is None:
            raise errors.NothingPending("Aucune coordonnée bancaire n'attend de validation.")
        if by == self.pending["submitted_by"]:
            raise errors.FourEyes(
                "Les coordonnées bancaires doivent être validées par une autre personne que celle qui les a saisies."
            )
        self._approved(by=by, at=at)

    @event("Approved")
    def _approved(self, by: str, at: str) -> None:
        assert self.pending is not None
        self.active = {**self.pending, "since": at, "approved_by": by}
        self.pending = None
        self.status = ACTIVE
        self.history.append({"what": "approved", "at": at, "by": by, "iban_masked": mask_iban(self.active["iban"])})

    def set_directly(self, holder: str, iban: str, bic: str | None, by: str, at: str) -> None:
        """The fund's own account: set by an admin, active at once (it is the debtor, not a payee)."""
        check_bank_details(holder, iban, bic)
        self._set(holder=holder.strip(), iban=iban, bic=bic, by=by, at=at)

    @event("Set")
    def _set(self, holder: str, iban: str, bic: str | None, by: str, at: str) -> None:
        self.active = {"holder": holder, "iban": iban, "bic": bic, "since": at, "submitted_by": by, "approved_by": by}
        self.pending = None
        self.status = ACTIVE
        self.history.append({"what": "set", "at": at, "by": by, "iban_masked": mask_iban(iban)})

    @property
    def payable(self) -> dict[str, Any] | None:
        """The account transfers may go to: the active one, and only while no change is pending."""
        return self.active if self.status == ACTIVE else None
