"""What the lending pages and endpoints list: loans by status, the loan money journal, a beneficiary's PIX
results. Reads loan_index, loan_journal and pix_results (``projections/lending_views.py``); loans are then
loaded from their aggregates, the truth."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain import errors
from domain.lending import Device, EquipmentSource, Loan
from ledger import types as t
from ledger.lending_commands import MAX_PAGE, device_out, loan_out
from ledger.service import LedgerCore, parse_position_cursor


class LendingReads(LedgerCore):
    def list_loans(
        self,
        actor: t.Actor,
        status: str | None = None,
        as_of: date | None = None,
        limit: int = 100,
        cursor: str | None = None,
        beneficiary_id: str | None = None,
    ) -> t.LoanPage:
        """Loans by status as of a day (overdue = active and due before it), oldest first."""
        if beneficiary_id is not None:
            self._require(actor, "prescriber", "structure")
            beneficiary_id = str(self._beneficiary_key(beneficiary_id))  # an id, or the reference on the book
            if actor.role == "prescriber":
                self._require_org(actor, self._live_beneficiary(beneficiary_id).prescriber_id)  # type: ignore[attr-defined]
        else:
            self._require(actor, "structure")
        if status not in (None, "active", "overdue", "returned", "lost"):
            raise errors.ValidationError("status : active, overdue, returned ou lost.")
        if not 1 <= limit <= MAX_PAGE:
            raise errors.ValidationError(f"limit doit être compris entre 1 et {MAX_PAGE}.")
        day = (as_of or self.today()).isoformat()
        where, params = ["id > ?"], [cursor or ""]
        if actor.role == "structure":  # a structure sees its own loans only
            where.append("structure_id = ?")
            params.append(actor.org or "")
        if beneficiary_id is not None:
            where.append("beneficiary_id = ?")
            params.append(str(beneficiary_id))
        if status == "overdue":
            where.append("state = 'active' AND due_on < ?")
            params.append(day)
        elif status == "active":
            where.append("state = 'active' AND due_on >= ?")
            params.append(day)
        elif status:
            where.append("state = ?")
            params.append(status)
        db = self._fresh_reads("lending_views")
        with db.read() as cur:
            ids = [
                r[0]
                for r in cur.execute(
                    f"SELECT id FROM loan_index WHERE {' AND '.join(where)} ORDER BY id LIMIT ?", (*params, limit + 1)
                ).fetchall()
            ]
        on = as_of or self.today()
        items = [loan_out(loan, on) for loan in self._load_many([UUID(i) for i in ids[:limit]], Loan, "Prêt")]
        return t.LoanPage(items=items, next_cursor=ids[limit - 1] if len(ids) > limit else None)

    def equipment_sources(self, actor: t.Actor) -> list[t.EquipmentSourceOut]:
        """Every source (gisement) of the département, by name: a few dozen donors, shared by the structures."""
        self._require(actor, "structure")
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM equipment_sources ORDER BY id LIMIT 1000").fetchall()]
        sources = self._load_many([UUID(i) for i in ids], EquipmentSource, "Gisement")
        out = [t.EquipmentSourceOut(id=s.id, name=s.name, kind=s.kind, commune_insee=s.commune_insee) for s in sources]
        return sorted(out, key=lambda s: s.name.casefold())

    def devices_of(self, actor: t.Actor, structure_id: str) -> list[t.DeviceOut]:
        """A structure's devices whole (serial number, grade), by state then kind."""
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            ids = [
                r[0]
                for r in cur.execute(
                    "SELECT id FROM device_index WHERE structure_id = ? ORDER BY status, kind, id LIMIT 1000",
                    (structure_id,),
                ).fetchall()
            ]
        return [device_out(d) for d in self._load_many([UUID(i) for i in ids], Device, "Appareil")]

    def loan_postings(self, actor: t.Actor, loan_id: str) -> list[t.LoanPosting]:
        """One loan's money (deposit held, returned or kept; fees), for its return receipt."""
        loan = self._loan(actor, loan_id)  # type: ignore[attr-defined]  # LendingCommands: the holder's only
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT position, at, event_id, loan_id, structure_id, kind, debit, credit, amount_cents"
                " FROM loan_journal WHERE loan_id = ? ORDER BY position, seq",
                (str(loan.id),),
            ).fetchall()
        return [
            t.LoanPosting(
                position=int(r[0]),
                at=r[1],
                event_id=r[2],
                loan_id=UUID(r[3]),
                structure_id=r[4],
                kind=r[5],
                debit=r[6],
                credit=r[7],
                amount_cents=int(r[8]),
            )
            for r in rows
        ]

    def loan_journal(self, actor: t.Actor, limit: int = 100, cursor: str | None = None) -> t.LoanPostingPage:
        """Loan money (deposits held, returned or kept; fees), apart from the cheque fund, oldest first.
        A structure sees its own loans' postings; the admin all."""
        self._require(actor, "structure")
        if not 1 <= limit <= MAX_PAGE:
            raise errors.ValidationError(f"limit doit être compris entre 1 et {MAX_PAGE}.")
        after = parse_position_cursor(cursor)
        where = "position >= ? AND (position > ? OR seq > ?)"  # an index range from the cursor (funder_reads.py)
        params: list[Any] = [after[0], after[0], after[1]]
        if actor.role == "structure":
            where += " AND structure_id = ?"
            params.append(actor.org or "")
        db = self._fresh_reads("lending_views")
        with db.read() as cur:
            rows = cur.execute(
                "SELECT position, seq, at, event_id, loan_id, structure_id, kind, debit, credit, amount_cents"
                f" FROM loan_journal WHERE {where} ORDER BY position, seq LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        items = [
            t.LoanPosting(
                position=int(r[0]),
                at=r[2],
                event_id=r[3],
                loan_id=UUID(r[4]),
                structure_id=r[5],
                kind=r[6],
                debit=r[7],
                credit=r[8],
                amount_cents=int(r[9]),
            )
            for r in rows[:limit]
        ]
        next_cursor = f"{rows[limit - 1][0]}.{rows[limit - 1][1]}" if len(rows) > limit else None
        return t.LoanPostingPage(items=items, next_cursor=next_cursor)

    # -- PIX -----------------------------------------------------------------------------------
    def pix_history(self, actor: t.Actor, beneficiary_id: str) -> t.PixHistory:
        self._require(actor, "prescriber")
        b = self._live_beneficiary(beneficiary_id)  # type: ignore[attr-defined]  # LendingCommands
        self._require_org(actor, b.prescriber_id)
        db = self._fresh_reads("lending_views")
        with db.read() as cur:
            rows = cur.execute(
                "SELECT id, phase, score, taken_on FROM pix_results WHERE beneficiary_id = ? ORDER BY taken_on, id",
                (str(b.id),),
            ).fetchall()
        items = [
            t.PixAssessmentOut(
                id=UUID(i), beneficiary_id=b.id, phase=phase, score=int(score), taken_on=date.fromisoformat(on)
            )
            for i, phase, score, on in rows
        ]
        return t.PixHistory(beneficiary_id=b.id, items=items)
