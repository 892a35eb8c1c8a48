"""Fund operations (admin): settlement runs and expiry runs, each one transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast
from uuid import UUID, uuid4

from domain import errors
from domain.bank_accounts import BankAccount, bank_account_id
from domain.cheques import Cheque, Status
from domain.funding import Commitment
from domain.ids import natural_id
from domain.settlement import Settlement, settlement_lines
from ledger import types as t
from ledger.idempotency import Idem
from ledger.payment_commands import settlement_out
from ledger.service import Decision, LedgerCore


class FundCommands(LedgerCore):
    def _payable_accounts(self, structure_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The account each structure is paid to (``{holder, iban, bic}``): its active one; a structure with
        none, or with a change waiting for approval, is left out (its cheques are held)."""
        accounts = {}
        for structure_id in structure_ids:
            try:
                account = self._load(bank_account_id(structure_id), BankAccount, "Compte bancaire")
            except errors.NotFound:
                continue
            if account.payable is not None:
                accounts[structure_id] = {k: account.payable[k] for k in ("holder", "iban", "bic")}
        return accounts

    def _candidates(self, serials: list[str]) -> list[Cheque]:
        """Cheques the read models propose; each is loaded, and its aggregate has the last word."""
        return self._load_many([natural_id("cheque", s) for s in sorted(serials)], Cheque, "Chèque")

    def settle(self, actor: t.Actor, body: t.NewSettlement, idem: Idem | None = None) -> t.SettlementOut:
        self._require(actor)

        def decide() -> Decision:
            cheques = [
                c
                for c in self._candidates(self._fresh_command_reads().cheques_to_settle(body.through))
                if c.lifecycle == Status.REDEEMED and c.session_date is not None and c.session_date <= body.through
            ]
            payees = self._payable_accounts(sorted({cast(str, c.redeemed_by) for c in cheques}))
            paid = [c for c in cheques if c.redeemed_by in payees]
            held, _ = settlement_lines([c for c in cheques if c.redeemed_by not in payees])
            lines, total = settlement_lines(paid)
            if body.expected_total_cents is not None and body.expected_total_cents != total:
                raise errors.SettlementChanged(
                    "Le montant à payer a changé depuis l'aperçu : rien n'a été payé. Le nouveau total est de "
                    f"{total} centimes ; vérifiez l'aperçu et confirmez de nouveau."
                )
            settlement_id = uuid4()
            for cheque in paid:
                cheque.settle(settlement_id)
            settlement = Settlement(id=settlement_id, through=body.through, lines=lines, total_cents=total)  # type: ignore[call-arg]  # eventsourcing takes id= (the class declares `id: UUID`)
            by_funder: dict[str, int] = defaultdict(int)
            for cheque in paid:
                by_funder[cheque.funder_code] += cheque.face_value_cents
            settlement.order(
                made_on=self.today(),
                held=[{k: x[k] for k in ("structure_id", "count", "amount_cents")} for x in held],
                payees={s: payees[s] for s in sorted({x["structure_id"] for x in lines})},
                by_funder=dict(sorted(by_funder.items())),
            )
            return Decision([settlement, *paid], settlement_out(settlement))

        return self._execute(idem, decide, t.SettlementOut)

    def expire(self, actor: t.Actor, body: t.NewExpiry, idem: Idem | None = None) -> t.ExpiryOut:
        self._require(actor)
        self._facts_happened(as_of=body.as_of)

        def decide() -> Decision:
            cheques = [
                c
                for c in self._candidates(self._fresh_command_reads().cheques_to_expire(body.as_of))
                if c.lifecycle == Status.ISSUED and c.valid_until < body.as_of
            ]
            released: dict[UUID, list[Cheque]] = defaultdict(list)
            for cheque in cheques:
                cheque.expire(body.as_of)
                released[cheque.commitment_id].append(cheque)
            commitments = []
            for commitment_id, group in released.items():
                commitment = self._load(commitment_id, Commitment, "Convention")
                commitment.release([c.serial for c in group], sum(c.face_value_cents for c in group), "expired")
                commitments.append(commitment)
            out = t.ExpiryOut(expired_count=len(cheques), released_cents=sum(c.face_value_cents for c in cheques))
            return Decision([*commitments, *cheques], out)

        return self._execute(idem, decide, t.ExpiryOut)
