"""Reads of ``projections/payments.py``: the settlements' history (newest first), the bank details waiting
for approval, a structure's payments, and how much of a funder's paid money the bank has executed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.settlement import Settlement
from domain.structures import Structure
from ledger import types as t
from ledger.database import Cursor
from ledger.payment_commands import settlement_out
from ledger.service import LedgerCore
from projections.cursors import before_position


def structure_payments(cur: Cursor, structure_id: str, limit: int = 200) -> list[t.StructurePayment]:
    """The settlement lines paying ``structure_id``, newest first: ordonnancé, or payé le …"""
    rows = cur.execute(
        "SELECT s.id, s.through, s.made_on, l.count, l.amount_cents, s.executed_on FROM settlement_lines l"
        " JOIN settlements s ON s.id = l.settlement_id WHERE l.structure_id = ? ORDER BY s.seq DESC LIMIT ?",
        (structure_id, limit),
    ).fetchall()
    return [
        t.StructurePayment(
            settlement_id=str(r[0]),
            through=date.fromisoformat(r[1]),
            made_on=date.fromisoformat(r[2]) if r[2] else None,
            count=int(r[3]),
            amount_cents=int(r[4]),
            payment_status="executed" if r[5] else "ordered",
            executed_on=date.fromisoformat(r[5]) if r[5] else None,
        )
        for r in rows
    ]


def executed_cents(cur: Cursor, funder_code: str, cutoff: str) -> int:
    """What the bank executed, of the settlements paying ``funder_code``'s commitments, by ``cutoff``."""
    row = cur.execute(
        "SELECT COALESCE(SUM(f.amount_cents), 0) FROM settlement_funders f JOIN settlements s"
        " ON s.id = f.settlement_id WHERE f.funder_code = ? AND s.executed_at IS NOT NULL AND s.executed_at < ?",
        (funder_code, cutoff),
    ).fetchone()
    return int(row[0]) if row else 0


class PaymentReads(LedgerCore):
    def settlements(self, actor: t.Actor, limit: int = 100, cursor: str | None = None) -> t.SettlementPage:
        """The settlements, newest first; ``cursor``: the position of the last one of the previous page."""
        self._require(actor)
        before = before_position(cursor)
        self._fresh_views("payments")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT id, seq FROM settlements WHERE seq < ? ORDER BY seq DESC LIMIT ?", (before, limit + 1)
            ).fetchall()
        page = rows[:limit]
        loaded = self._load_many([UUID(r[0]) for r in page], Settlement, "Remboursement")
        return t.SettlementPage(
            items=[settlement_out(s) for s in loaded],
            next_cursor=str(page[-1][1]) if len(rows) > limit else None,
        )

    def pending_approvals(self, actor: t.Actor) -> list[t.PendingApproval]:
        self._require(actor)
        self._fresh_views("payments")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT owner, holder, iban_masked, submitted_at, submitted_by FROM bank_accounts"
                " WHERE status = 'pending' ORDER BY submitted_at, owner"
            ).fetchall()
        structures = self._load_many([UUID(r[0]) for r in rows], Structure, "Structure")
        return [
            t.PendingApproval(
                owner=r[0], structure_name=s.name, holder=r[1], iban_masked=r[2], submitted_at=r[3], submitted_by=r[4]
            )
            for r, s in zip(rows, structures, strict=True)
        ]

    def payments_of(self, actor: t.Actor, structure_id: str) -> list[t.StructurePayment]:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        self._fresh_views("payments")
        with self.db.read() as cur:
            return structure_payments(cur, structure_id)
