"""Equipment lending (structure, admin): sources, devices, loans; and PIX assessments."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain import errors
from domain.beneficiaries import Beneficiary
from domain.lending import Device, EquipmentSource, Loan
from domain.pix import PixAssessment
from domain.structures import Structure
from ledger import types as t
from ledger.idempotency import Idem
from ledger.personal_data import KeyErased
from ledger.service import Decision, LedgerCore, parse_position_cursor

MAX_PAGE = 1000


def device_out(d: Device) -> t.DeviceOut:
    return t.DeviceOut(
        id=d.id, source_id=d.source_id, structure_id=d.structure_id, kind=d.kind,
        serial_number=d.serial_number, status=d.status, grade=d.grade,  # type: ignore[arg-type]  # a domain status, one of the values
    )


def loan_out(loan: Loan, today: date) -> t.LoanOut:
    return t.LoanOut(
        id=loan.id, device_id=loan.device_id, beneficiary_id=loan.beneficiary_id, structure_id=loan.structure_id,
        start_on=loan.start_on, due_on=loan.due_on, monthly_fee_cents=loan.monthly_fee_cents,
        deposit_cents=loan.deposit_cents, status=loan.status_on(today), follow_ups=loan.follow_ups,  # type: ignore[arg-type]  # a domain status, one of the values
        ended_on=loan.ended_on,
    )


def pix_out(p: PixAssessment) -> t.PixAssessmentOut:
    return t.PixAssessmentOut(id=p.id, beneficiary_id=p.beneficiary_id, phase=p.phase, score=p.score, taken_on=p.taken_on)


class LendingCommands(LedgerCore):
    def _holder(self, actor: t.Actor) -> str:
        """The organisation that holds devices: the acting structure, or the fund (admin)."""
        self._require(actor, "structure")
        if actor.role == "admin":
            return "admin"
        try:
            return str(self._load_id(actor.org or "", Structure, "Structure").id)
        except errors.NotFound:
            raise errors.Forbidden("Structure inconnue.") from None

    def _live_beneficiary(self, beneficiary_id: UUID | str) -> Beneficiary:
        b = self._load_id(beneficiary_id, Beneficiary, "Bénéficiaire")
        if b.erased:
            raise errors.NotFound("Bénéficiaire introuvable.")
        return b

    # -- sources and devices -------------------------------------------------------------------
    def register_source(self, actor: t.Actor, body: t.NewEquipmentSource, idem: Idem | None = None) -> t.EquipmentSourceOut:
        self._holder(actor)
        self._check_commune(body.commune_insee)

        def decide() -> Decision:
            s = EquipmentSource.register(body.name, body.kind, body.commune_insee)
            return Decision([s], t.EquipmentSourceOut(id=s.id, name=s.name, kind=s.kind, commune_insee=s.commune_insee))

        return self._execute(idem, decide, t.EquipmentSourceOut)

    def receive_device(self, actor: t.Actor, body: t.NewDevice, idem: Idem | None = None) -> t.DeviceOut:
        holder = self._holder(actor)
        self._facts_happened(received_on=body.received_on)

        def decide() -> Decision:
            self._load(body.source_id, EquipmentSource, "Gisement")
            d = Device.receive(body.source_id, holder, body.kind, body.serial_number, body.received_on)
            return Decision([d], device_out(d))

        return self._execute(idem, decide, t.DeviceOut)

    def _device(self, actor: t.Actor, device_id: str | UUID) -> Device:
        holder = self._holder(actor)
        d = self._load_id(device_id, Device, "Appareil")
        if actor.role != "admin" and d.structure_id != holder:
            raise errors.Forbidden("Cet appareil appartient à une autre structure.")
        return d

    def get_device(self, actor: t.Actor, device_id: str) -> t.DeviceOut:
        return device_out(self._device(actor, device_id))

    def refurbish_device(self, actor: t.Actor, device_id: str, body: t.Refurbishment, idem: Idem | None = None) -> t.DeviceOut:
        self._facts_happened(refurbished_on=body.refurbished_on)

        def decide() -> Decision:
            d = self._device(actor, device_id)
            d.refurbish(body.grade, body.refurbished_on)
            return Decision([d], device_out(d))

        return self._execute(idem, decide, t.DeviceOut)

    def retire_device(self, actor: t.Actor, device_id: str, body: t.Retirement, idem: Idem | None = None) -> t.DeviceOut:
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            d = self._device(actor, device_id)
            d.retire(body.reason, body.on)
            return Decision([d], device_out(d))

        return self._execute(idem, decide, t.DeviceOut)

    # -- loans ---------------------------------------------------------------------------------
    def sign_loan(self, actor: t.Actor, body: t.NewLoan, idem: Idem | None = None) -> t.LoanOut:
        self._facts_happened(start_on=body.start_on)

        def decide() -> Decision:
            device = self._device(actor, body.device_id)
            self._live_beneficiary(body.beneficiary_id)
            loan_id = uuid4()
            device.lend(loan_id)
            loan = Loan.sign(
                loan_id=loan_id,
                device_id=device.id, beneficiary_id=body.beneficiary_id, structure_id=device.structure_id,
                start_on=body.start_on, due_on=body.due_on, monthly_fee_cents=body.monthly_fee_cents,
                deposit_cents=body.deposit_cents,
            )
            return Decision([device, loan], loan_out(loan, self.today()))

        return self._execute(idem, decide, t.LoanOut)

    def _loan(self, actor: t.Actor, loan_id: str | UUID) -> Loan:
        holder = self._holder(actor)
        loan = self._load_id(loan_id, Loan, "Prêt")
        if actor.role != "admin" and loan.structure_id != holder:
            raise errors.Forbidden("Ce prêt appartient à une autre structure.")
        return loan

    def get_loan(self, actor: t.Actor, loan_id: str) -> t.LoanOut:
        return loan_out(self._loan(actor, loan_id), self.today())

    def follow_up_loan(self, actor: t.Actor, loan_id: str, body: t.NewFollowUp, idem: Idem | None = None) -> t.FollowUpOut:
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            loan = self._loan(actor, loan_id)
            sealed = None
            if body.note:
                try:
                    sealed = self.vault.seal_text(loan.beneficiary_id, body.note)
                except KeyErased:
                    sealed = None  # the person was erased: keep the fact of the follow-up, not the note
            loan.follow_up(body.on, body.kind, sealed)
            return Decision([loan], t.FollowUpOut(loan_id=loan.id, on=body.on, kind=body.kind, follow_ups=loan.follow_ups))

        return self._execute(idem, decide, t.FollowUpOut)

    def extend_loan(self, actor: t.Actor, loan_id: str, body: t.LoanExtension, idem: Idem | None = None) -> t.LoanOut:
        def decide() -> Decision:
            loan = self._loan(actor, loan_id)
            loan.extend(body.due_on)
            return Decision([loan], loan_out(loan, self.today()))

        return self._execute(idem, decide, t.LoanOut)

    def return_loan(self, actor: t.Actor, loan_id: str, body: t.LoanReturn, idem: Idem | None = None) -> t.LoanOut:
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            loan = self._loan(actor, loan_id)
            loan.give_back(body.on, body.condition)
            device = self._load(loan.device_id, Device, "Appareil")
            device.come_back(loan.id, body.condition, body.on)
            return Decision([loan, device], loan_out(loan, self.today()))

        return self._execute(idem, decide, t.LoanOut)

    def declare_loan_lost(self, actor: t.Actor, loan_id: str, body: t.LoanLoss, idem: Idem | None = None) -> t.LoanOut:
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            loan = self._loan(actor, loan_id)
            loan.declare_lost(body.on)
            device = self._load(loan.device_id, Device, "Appareil")
            device.lose(loan.id, body.on)
            return Decision([loan, device], loan_out(loan, self.today()))

        return self._execute(idem, decide, t.LoanOut)

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
            if actor.role == "prescriber":
                self._require_org(actor, self._live_beneficiary(beneficiary_id).prescriber_id)
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
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            ids = [
                r[0]
                for r in cur.execute(
                    f"SELECT id FROM loan_index WHERE {' AND '.join(where)} ORDER BY id LIMIT ?", (*params, limit + 1)
                ).fetchall()
            ]
        on = as_of or self.today()
        items = [loan_out(loan, on) for loan in self._load_many([UUID(i) for i in ids[:limit]], Loan, "Prêt")]
        return t.LoanPage(items=items, next_cursor=ids[limit - 1] if len(ids) > limit else None)

    def loan_journal(self, actor: t.Actor, limit: int = 100, cursor: str | None = None) -> t.LoanPostingPage:
        """Loan money (deposits held, returned or kept; fees), apart from the cheque fund, oldest first.
        A structure sees its own loans' postings; the admin all."""
        self._require(actor, "structure")
        if not 1 <= limit <= MAX_PAGE:
            raise errors.ValidationError(f"limit doit être compris entre 1 et {MAX_PAGE}.")
        after = parse_position_cursor(cursor)
        where = "(position > ? OR (position = ? AND seq > ?))"
        params: list[Any] = [after[0], after[0], after[1]]
        if actor.role == "structure":
            where += " AND structure_id = ?"
            params.append(actor.org or "")
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT position, seq, at, event_id, loan_id, structure_id, kind, debit, credit, amount_cents"
                f" FROM loan_journal WHERE {where} ORDER BY position, seq LIMIT ?",
                (*params, limit + 1),
            ).fetchall()
        items = [
            t.LoanPosting(
                position=int(r[0]), at=r[2], event_id=r[3], loan_id=UUID(r[4]), structure_id=r[5], kind=r[6],
                debit=r[7], credit=r[8], amount_cents=int(r[9]),
            )
            for r in rows[:limit]
        ]
        next_cursor = f"{rows[limit - 1][0]}.{rows[limit - 1][1]}" if len(rows) > limit else None
        return t.LoanPostingPage(items=items, next_cursor=next_cursor)

    # -- PIX -----------------------------------------------------------------------------------
    def record_pix(
        self, actor: t.Actor, beneficiary_id: str, body: t.NewPixAssessment, idem: Idem | None = None
    ) -> t.PixAssessmentOut:
        self._require(actor, "structure", "prescriber")

        def decide() -> Decision:
            b = self._live_beneficiary(beneficiary_id)
            if actor.role == "prescriber":
                self._require_org(actor, b.prescriber_id)
            by = "admin" if actor.role == "admin" else f"{actor.role}:{actor.org}"
            p = PixAssessment.record(
                beneficiary_id=b.id, phase=body.phase, score=body.score, taken_on=body.taken_on,
                recorded_by=by, today=self.today(),
            )
            return Decision([p], pix_out(p))

        return self._execute(idem, decide, t.PixAssessmentOut)

    def pix_history(self, actor: t.Actor, beneficiary_id: str) -> t.PixHistory:
        self._require(actor, "prescriber")
        b = self._live_beneficiary(beneficiary_id)
        self._require_org(actor, b.prescriber_id)
        self._fresh_views("lending_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT id, phase, score, taken_on FROM pix_results WHERE beneficiary_id = ? ORDER BY taken_on, id",
                (str(b.id),),
            ).fetchall()
        items = [
            t.PixAssessmentOut(id=UUID(i), beneficiary_id=b.id, phase=phase, score=int(score), taken_on=date.fromisoformat(on))
            for i, phase, score, on in rows
        ]
        return t.PixHistory(beneficiary_id=b.id, items=items)
