"""Money reaching structures (``domain/bank_accounts.py``, ``domain/settlement.py``): the fund's account, a
structure's bank details with four eyes, a settlement's order and its execution, and the reads of those
aggregates (a settlement, an account, what a payment order or a notice holds)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain import errors
from domain.bank_accounts import FUND, BankAccount, bank_account_id, mask_iban
from domain.cheques import Cheque
from domain.ids import natural_id
from domain.settlement import Settlement, end_to_end_id
from domain.structures import Structure
from ledger import types as t
from ledger.bank_details import normalise_bank_details
from ledger.clock import instant
from ledger.idempotency import Idem
from ledger.service import Decision, LedgerCore


def who(actor: t.Actor) -> str:
    """Who acts, for four eyes and the history: the API key or the person's account (``user:<id>``)."""
    return actor.key_id or f"{actor.role}:{actor.org or ''}"


class Payee(msgspec.Struct, frozen=True, kw_only=True):
    structure_id: str
    holder: str
    iban: str
    bic: str | None
    end_to_end_id: str
    count: int
    amount_cents: int


class PaymentOrder(msgspec.Struct, frozen=True, kw_only=True):
    """What the SEPA credit transfer order of a settlement says (``paper/payment_order.py`` writes it)."""

    settlement_id: UUID
    through: date
    made_on: date
    total_cents: int
    debtor_holder: str
    debtor_iban: str
    debtor_bic: str | None
    payees: list[Payee]


class NoticeCheque(msgspec.Struct, frozen=True):
    serial: str
    session_date: date | None
    amount_cents: int


class PaymentNotice(msgspec.Struct, frozen=True, kw_only=True):
    """What a structure's payment notice says (``paper/payment_notice.py``)."""

    settlement_id: UUID
    through: date
    made_on: date | None
    structure_id: str
    structure_name: str
    holder: str
    iban_masked: str
    end_to_end_id: str
    payment_status: str
    executed_on: date | None
    bank_reference: str | None
    cheques: list[NoticeCheque]
    total_cents: int


def settlement_out(settlement: Settlement) -> t.SettlementOut:
    return t.SettlementOut(
        id=settlement.id,
        through=settlement.through,
        total_cents=settlement.total_cents,
        lines=[
            t.SettlementLine(
                structure_id=x["structure_id"],
                count=x["count"],
                amount_cents=x["amount_cents"],
                end_to_end_id=end_to_end_id(settlement.id, n),
            )
            for n, x in enumerate(settlement.lines, start=1)
        ],
        held=[
            t.HeldLine(structure_id=x["structure_id"], count=x["count"], amount_cents=x["amount_cents"])
            for x in settlement.held
        ],
        payment_status=settlement.payment_status,  # type: ignore[arg-type]  # ordered | executed
        made_on=settlement.made_on,
        executed_on=settlement.executed_on,
        bank_reference=settlement.bank_reference,
    )


class PaymentCommands(LedgerCore):
    def _now(self) -> str:
        return instant(datetime.fromtimestamp(self.wall_clock(), UTC))

    def _account(self, owner: str) -> BankAccount | None:
        try:
            return self._load(bank_account_id(owner), BankAccount, "Compte bancaire")
        except errors.NotFound:
            return None

    # -- the fund's account ---------------------------------------------------------------------
    def set_fund_account(self, actor: t.Actor, body: t.FundBankAccount, idem: Idem | None = None) -> t.BankAccountOut:
        self._require(actor)
        iban, bic = normalise_bank_details(body.iban, body.bic, require_bic=True)

        def decide() -> Decision:
            account = self._account(FUND)
            if account is None:
                account = BankAccount(owner=FUND, id=bank_account_id(FUND))  # type: ignore[call-arg]
            account.set_directly(body.holder, iban, bic, who(actor), self._now())
            return Decision([account], self._account_out(account, admin=True))

        return self._execute(idem, decide, t.BankAccountOut)

    def fund_account(self, actor: t.Actor) -> t.BankAccountOut:
        self._require(actor)
        account = self._account(FUND)
        if account is None or account.active is None:
            raise errors.NotFound("Le compte bancaire du fonds n'est pas encore renseigné.")
        return self._account_out(account, admin=True)

    # -- a structure's bank details -------------------------------------------------------------
    def submit_bank_details(
        self, actor: t.Actor, structure_id: str, body: t.NewBankDetails, idem: Idem | None = None
    ) -> t.BankDetailsStatus:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        iban, bic = normalise_bank_details(body.iban, body.bic)

        def decide() -> Decision:
            structure = self._load_id(structure_id, Structure, "Structure")
            owner = str(structure.id)
            account = self._account(owner)
            if account is None:
                account = BankAccount(owner=owner, id=bank_account_id(owner))  # type: ignore[call-arg]
            account.submit(body.holder, iban, bic, who(actor), self._now())
            return Decision([account], t.BankDetailsStatus(status="pending"))

        return self._execute(idem, decide, t.BankDetailsStatus)

    def approve_bank_details(self, actor: t.Actor, structure_id: str, idem: Idem | None = None) -> t.BankDetailsStatus:
        self._require(actor)

        def decide() -> Decision:
            structure = self._load_id(structure_id, Structure, "Structure")
            account = self._account(str(structure.id))
            if account is None:
                raise errors.NothingPending("Cette structure n'a saisi aucune coordonnée bancaire.")
            account.approve(who(actor), self._now())
            return Decision([account], t.BankDetailsStatus(status="active"))

        return self._execute(idem, decide, t.BankDetailsStatus)

    def bank_account(self, actor: t.Actor, structure_id: str) -> t.BankAccountOut:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        structure = self._load_id(structure_id, Structure, "Structure")
        account = self._account(str(structure.id))
        if account is None or account.status is None:
            raise errors.NotFound("Cette structure n'a pas encore de coordonnées bancaires.")
        return self._account_out(account, admin=actor.role == "admin")

    @staticmethod
    def _account_out(account: BankAccount, *, admin: bool) -> t.BankAccountOut:
        shown: dict[str, Any] = account.active or account.pending or {}
        pending = account.pending if account.active is not None else None
        return t.BankAccountOut(
            owner=account.owner,
            holder=shown["holder"],
            iban_masked=mask_iban(shown["iban"]),
            bic=shown["bic"],
            status=account.status,  # type: ignore[arg-type]  # pending | active once submitted
            since=shown.get("since") or shown["submitted_at"],
            iban=shown["iban"] if admin else None,
            pending_iban_masked=mask_iban(pending["iban"]) if pending else None,
            history=[t.BankAccountEvent(**h) for h in account.history],
        )

    # -- settlements: one, its execution, its order, its notices ----------------------------------
    def _settlement(self, settlement_id: str) -> Settlement:
        return self._load_id(settlement_id, Settlement, "Remboursement")

    def settlement(self, actor: t.Actor, settlement_id: str) -> t.SettlementOut:
        self._require(actor)
        return settlement_out(self._settlement(settlement_id))

    def record_execution(
        self, actor: t.Actor, settlement_id: str, body: t.NewExecution, idem: Idem | None = None
    ) -> t.SettlementOut:
        self._require(actor)

        def decide() -> Decision:
            settlement = self._settlement(settlement_id)
            settlement.record_execution(body.executed_on, body.bank_reference, self.today(), who(actor))
            return Decision([settlement], settlement_out(settlement))

        return self._execute(idem, decide, t.SettlementOut)

    def payment_order(self, actor: t.Actor, settlement_id: str) -> PaymentOrder:
        self._require(actor)
        settlement = self._settlement(settlement_id)
        if not settlement.lines:
            raise errors.NothingToPay("Ce remboursement ne paie rien : il n'a pas d'ordre de virement.")
        fund = self._account(FUND)
        if fund is None or fund.active is None:
            raise errors.FundAccountMissing(
                "Renseignez d'abord le compte bancaire du fonds (le compte débité par les virements)."
            )
        if not settlement.payees:
            raise errors.NothingToPay("Ce remboursement antérieur aux ordres de virement n'a pas de comptes payés.")
        payees = [
            Payee(
                structure_id=line["structure_id"],
                end_to_end_id=end_to_end_id(settlement.id, n),
                count=line["count"],
                amount_cents=line["amount_cents"],
                **settlement.payees[line["structure_id"]],
            )
            for n, line in enumerate(settlement.lines, start=1)
        ]
        return PaymentOrder(
            settlement_id=settlement.id,
            through=settlement.through,
            made_on=max(settlement.made_on or self.today(), self.today()),
            total_cents=settlement.total_cents,
            debtor_holder=fund.active["holder"],
            debtor_iban=fund.active["iban"],
            debtor_bic=fund.active["bic"],
            payees=payees,
        )

    def payment_notice(self, actor: t.Actor, settlement_id: str, structure_id: str) -> PaymentNotice:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        settlement = self._settlement(settlement_id)
        numbered = [(n, x) for n, x in enumerate(settlement.lines, start=1) if x["structure_id"] == structure_id]
        if not numbered or structure_id not in settlement.payees:
            raise errors.NotFound("Ce remboursement ne paie pas cette structure.")
        number, line = numbered[0]
        structure = self._load_id(structure_id, Structure, "Structure")
        cheques = self._load_many([natural_id("cheque", s) for s in line["serials"]], Cheque, "Chèque")
        payee = settlement.payees[structure_id]
        return PaymentNotice(
            settlement_id=settlement.id,
            through=settlement.through,
            made_on=settlement.made_on,
            structure_id=structure_id,
            structure_name=structure.name,
            holder=payee["holder"],
            iban_masked=mask_iban(payee["iban"]),
            end_to_end_id=end_to_end_id(settlement.id, number),
            payment_status=settlement.payment_status,
            executed_on=settlement.executed_on,
            bank_reference=settlement.bank_reference,
            cheques=sorted(
                (NoticeCheque(c.serial, c.session_date, c.face_value_cents) for c in cheques),
                key=lambda c: (c.session_date or date.min, c.serial),
            ),
            total_cents=line["amount_cents"],
        )
