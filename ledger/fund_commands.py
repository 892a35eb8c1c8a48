"""Fund operations (admin): settlement runs and expiry runs, each one transaction."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID, uuid4

from domain.cheques import Cheque, Status
from domain.funding import Commitment
from domain.ids import natural_id
from domain.settlement import Settlement, settlement_lines
from ledger import types as t
from ledger.idempotency import Idem
from ledger.service import Decision, LedgerCore


class FundCommands(LedgerCore):
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
            lines, total = settlement_lines(cheques)
            settlement_id = uuid4()
            for cheque in cheques:
                cheque.settle(settlement_id)
            settlement = Settlement(id=settlement_id, through=body.through, lines=lines, total_cents=total)  # type: ignore[call-arg]  # eventsourcing takes id= (the class declares `id: UUID`)
            out = t.SettlementOut(
                id=settlement_id,
                through=body.through,
                total_cents=total,
                lines=[
                    t.SettlementLine(structure_id=x["structure_id"], count=x["count"], amount_cents=x["amount_cents"])
                    for x in lines
                ],
            )
            return Decision([settlement, *cheques], out)

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
