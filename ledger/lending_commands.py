"""Equipment lending (structure, admin): sources, devices, loans; and PIX assessments."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain import errors
from domain.beneficiaries import Beneficiary
from domain.lending import Device, EquipmentSource, Loan
from domain.pix import PixAssessment
from domain.structures import Structure
from ledger import types as t
from ledger.idempotency import Idem
from ledger.personal_data import KeyErased
from ledger.service import Decision, LedgerCore

MAX_PAGE = 1000


def device_out(d: Device) -> t.DeviceOut:
    return t.DeviceOut(
        id=d.id,
        source_id=d.source_id,
        structure_id=d.structure_id,
        kind=d.kind,
        serial_number=d.serial_number,
        status=d.status,  # type: ignore[arg-type]  # a domain status, one of the values
        grade=d.grade,
    )


def loan_out(loan: Loan, today: date) -> t.LoanOut:
    return t.LoanOut(
        id=loan.id,
        device_id=loan.device_id,
        beneficiary_id=loan.beneficiary_id,
        structure_id=loan.structure_id,
        start_on=loan.start_on,
        due_on=loan.due_on,
        monthly_fee_cents=loan.monthly_fee_cents,
        deposit_cents=loan.deposit_cents,
        status=loan.status_on(today),  # type: ignore[arg-type]  # a domain status, one of the values
        follow_ups=loan.follow_ups,
        ended_on=loan.ended_on,
    )


def pix_out(p: PixAssessment) -> t.PixAssessmentOut:
    return t.PixAssessmentOut(
        id=p.id, beneficiary_id=p.beneficiary_id, phase=p.phase, score=p.score, taken_on=p.taken_on
    )


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
        b = self._load_id(self._beneficiary_key(beneficiary_id), Beneficiary, "Bénéficiaire")
        if b.erased:
            raise errors.NotFound("Bénéficiaire introuvable.")
        return b

    # -- sources and devices -------------------------------------------------------------------
    def register_source(
        self, actor: t.Actor, body: t.NewEquipmentSource, idem: Idem | None = None
    ) -> t.EquipmentSourceOut:
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

    def refurbish_device(
        self, actor: t.Actor, device_id: str, body: t.Refurbishment, idem: Idem | None = None
    ) -> t.DeviceOut:
        self._facts_happened(refurbished_on=body.refurbished_on)

        def decide() -> Decision:
            d = self._device(actor, device_id)
            d.refurbish(body.grade, body.refurbished_on)
            return Decision([d], device_out(d))

        return self._execute(idem, decide, t.DeviceOut)

    def retire_device(
        self, actor: t.Actor, device_id: str, body: t.Retirement, idem: Idem | None = None
    ) -> t.DeviceOut:
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            d = self._device(actor, device_id)
            d.retire(body.reason, body.on)
            return Decision([d], device_out(d))

        return self._execute(idem, decide, t.DeviceOut)

    # -- loans ---------------------------------------------------------------------------------
    def sign_loan(self, actor: t.Actor, body: t.NewLoan, idem: Idem | None = None) -> t.LoanOut:
        self._facts_happened(start_on=body.start_on)
        if (body.beneficiary_id is None) == (body.beneficiary_ref is None):
            raise errors.ValidationError(
                "Indiquez le bénéficiaire par son identifiant ou par sa référence (celle du carnet), pas les deux.",
                field="beneficiary_ref",
            )
        named = self._beneficiary_key(body.beneficiary_ref or body.beneficiary_id or "")

        def decide() -> Decision:
            device = self._device(actor, body.device_id)
            beneficiary = self._live_beneficiary(named)
            loan_id = uuid4()
            device.lend(loan_id)
            loan = Loan.sign(
                loan_id=loan_id,
                device_id=device.id,
                beneficiary_id=beneficiary.id,
                structure_id=device.structure_id,
                start_on=body.start_on,
                due_on=body.due_on,
                monthly_fee_cents=body.monthly_fee_cents,
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

    def follow_up_loan(
        self, actor: t.Actor, loan_id: str, body: t.NewFollowUp, idem: Idem | None = None
    ) -> t.FollowUpOut:
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
            return Decision(
                [loan], t.FollowUpOut(loan_id=loan.id, on=body.on, kind=body.kind, follow_ups=loan.follow_ups)
            )

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

    # -- PIX -----------------------------------------------------------------------------------
    def record_pix(
        self, actor: t.Actor, beneficiary_id: str, body: t.NewPixAssessment, idem: Idem | None = None
    ) -> t.PixAssessmentOut:
        self._require(actor, "structure", "prescriber")

        named = self._beneficiary_key(beneficiary_id)

        def decide() -> Decision:
            b = self._live_beneficiary(named)
            if actor.role == "prescriber":
                self._require_org(actor, b.prescriber_id)
            by = "admin" if actor.role == "admin" else f"{actor.role}:{actor.org}"
            p = PixAssessment.record(
                beneficiary_id=b.id,
                phase=body.phase,
                score=body.score,
                taken_on=body.taken_on,
                recorded_by=by,
                today=self.today(),
            )
            return Decision([p], pix_out(p))

        return self._execute(idem, decide, t.PixAssessmentOut)
