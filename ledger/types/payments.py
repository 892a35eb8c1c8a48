"""Money reaching structures: bank details (the fund's and each structure's), the settlements' history, the
execution of their payment orders."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import Meta

from ledger.types.common import FactDate, Input, Output, Text
from ledger.types.funding import SettlementOut

# Shapes only: the checksum, the country's format and the BIC are checked by the ledger (schwifty) and the
# domain (stdnum). Spaces are allowed in an IBAN as people write it (groups of four).
Iban = Annotated[
    str, Meta(min_length=15, max_length=42, pattern=r"^[A-Za-z0-9 ]+$", description="IBAN (ISO 13616), spaces allowed")
]
Bic = Annotated[str, Meta(min_length=8, max_length=11, pattern=r"^[A-Za-z0-9]+$", description="BIC (ISO 9362)")]


class FundBankAccount(Input):
    holder: Text
    iban: Iban
    bic: Bic


class NewBankDetails(Input):
    holder: Text
    iban: Iban
    bic: Bic | None = None


class BankDetailsStatus(Output):
    status: Literal["pending", "active"]


class BankAccountEvent(Output):
    what: Literal["submitted", "approved", "set"]
    at: str
    by: str
    iban_masked: str


class BankAccountOut(Output):
    """A structure's account as it is paid: the active one (or, while a change waits for approval, the
    pending one); ``iban`` in clear for admins only."""

    owner: str
    holder: str
    iban_masked: str
    bic: str | None
    status: Literal["pending", "active"]
    since: str
    iban: str | None = None
    pending_iban_masked: str | None = None
    history: list[BankAccountEvent] = []


class NewExecution(Input):
    executed_on: FactDate
    bank_reference: Annotated[str, Meta(min_length=1, max_length=35, pattern=r"^[\x21-\x7e]( ?[\x21-\x7e])*$")]


class SettlementPage(Output):
    items: list[SettlementOut]
    next_cursor: str | None


class PendingApproval(Output):
    owner: str
    structure_name: str
    holder: str
    iban_masked: str
    submitted_at: str
    submitted_by: str


class StructurePayment(Output):
    """A settlement line of one structure: ``payment_status`` ordered (ordonnancé) or executed (payé le …)."""

    settlement_id: str
    through: date
    made_on: date | None
    count: int
    amount_cents: int
    payment_status: Literal["ordered", "executed"]
    executed_on: date | None = None
