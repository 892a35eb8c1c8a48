"""Beneficiaries and cheques (prescriber; admin may do all)."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain import errors
from domain.beneficiaries import Beneficiary
from domain.cheques import Cheque, ChequeBook, check_book_request, cheque_validity, validity_warnings
from domain.codes import hash_code, new_code, new_serial, normalize_serial, reference_of
from domain.funding import Commitment, choose_funding
from domain.ids import natural_id
from domain.structures import Prescriber
from domain.values import age_band
from ledger import types as t
from ledger.idempotency import Idem
from ledger.personal_data import KeyErased, PersonalData
from ledger.service import Decision, LedgerCore


def cheque_out(c: Cheque) -> t.ChequeOut:
    return t.ChequeOut(
        serial=c.serial,
        status=c.status,  # type: ignore[arg-type]  # a domain Status, one of the values
        face_value_cents=c.face_value_cents,
        valid_until=c.valid_until,
        funder_code=c.funder_code,
        commitment_id=c.commitment_id,
        redeemed_by=c.redeemed_by,
        session_date=c.session_date,
    )


def issued_out(cheque: Cheque, code: str) -> t.IssuedCheque:
    """A cheque as printed: the only place its code is shown."""
    return t.IssuedCheque(
        serial=cheque.serial,
        code=code,
        face_value_cents=cheque.face_value_cents,
        valid_until=cheque.valid_until,
        funder_code=cheque.funder_code,
        commitment_id=cheque.commitment_id,
    )


class ChequeCommands(LedgerCore):
    # -- beneficiaries -----------------------------------------------------------------------
    def register_beneficiary(
        self, actor: t.Actor, body: t.NewBeneficiary, idem: Idem | None = None
    ) -> t.BeneficiaryOut:
        self._require(actor, "prescriber")
        self._check_commune(body.commune_insee)
        age_band(body.birth_year, self.today())
        prescriber_id = actor.org if actor.role == "prescriber" else "admin"
        if actor.role == "prescriber":
            self._load_id(actor.org or "", Prescriber, "Prescripteur")
        beneficiary_id = self._new_beneficiary_id()
        if idem is not None:
            replay = self.replay(idem, t.BeneficiaryOut)
            if replay is not None:
                return replay
        sealed = self.vault.seal(
            beneficiary_id,
            PersonalData(
                first_name=body.first_name,
                last_name=body.last_name,
                birth_year=body.birth_year,
                phone=body.phone,
                email=body.email,
            ),
        )

        def decide() -> Decision:
            b = Beneficiary.register(
                beneficiary_id=beneficiary_id,
                prescriber_id=prescriber_id or "admin",
                birth_year=body.birth_year,
                commune_insee=body.commune_insee,
                publics=[str(p) for p in body.publics],
                sealed_personal_data=sealed,
                on=self.today(),
            )
            out = t.BeneficiaryOut(
                id=beneficiary_id,
                reference=reference_of(beneficiary_id),
                age_band=b.age_band,
                commune_insee=b.commune_insee,
                publics=b.publics,
            )
            return Decision([b], out)

        try:
            return self._execute(idem, decide, t.BeneficiaryOut)
        except BaseException:
            self.vault.forget_orphan(beneficiary_id)
            raise

    def _new_beneficiary_id(self) -> UUID:
        """A fresh id whose reference no one has (40 bits: a clash is rare, and avoided). Should the directory
        be down, registering goes on without the check (a clash then has odds of about one in 10^8 per
        registration in a département): people are not turned away for a read model."""
        try:
            self._fresh_views("directory")
        except (errors.ProjectionFailed, errors.ProjectionLagging):
            return uuid4()
        while True:
            beneficiary_id = uuid4()
            if not self.command_reads.beneficiaries_with_reference(reference_of(beneficiary_id)):
                return beneficiary_id

    def _beneficiary(self, actor: t.Actor, beneficiary_id: str | UUID) -> Beneficiary:
        b = self._load_id(self._beneficiary_key(beneficiary_id), Beneficiary, "Bénéficiaire")
        if b.erased:
            raise errors.NotFound("Bénéficiaire introuvable.")
        self._require_org(actor, b.prescriber_id)
        return b

    def get_beneficiary(self, actor: t.Actor, beneficiary_id: str) -> t.BeneficiaryRecord:
        self._require(actor, "prescriber")
        b = self._beneficiary(actor, beneficiary_id)
        try:
            data = self.vault.open(b.id, b.sealed_personal_data)
        except KeyErased:
            raise errors.NotFound("Bénéficiaire introuvable.") from None
        return t.BeneficiaryRecord(
            id=b.id,
            reference=reference_of(b.id),
            prescriber_id=b.prescriber_id,
            first_name=data.first_name,
            last_name=data.last_name,
            birth_year=data.birth_year,
            age_band=b.age_band,
            commune_insee=b.commune_insee,
            publics=list(b.publics),
            phone=data.phone,
            email=data.email,
        )

    def erase_beneficiary(self, actor: t.Actor, beneficiary_id: str) -> None:
        self._require(actor)
        b = self._beneficiary(actor, beneficiary_id)
        # On the list kept outside the database first (a restore erases again what is on it), then destroy
        # the key: if the event then failed to save, the data is gone anyway.
        self.erasures.record("beneficiary", b.id)
        self.vault.erase(b.id)

        def decide() -> Decision:
            fresh = self._load(b.id, Beneficiary, "Bénéficiaire")
            fresh.erase()
            return Decision([fresh])

        self._execute(None, decide, type(None))

    # -- cheque books ------------------------------------------------------------------------
    def issue_book(self, actor: t.Actor, body: t.NewChequeBook, idem: Idem | None = None) -> t.ChequeBookOut:
        self._require(actor, "prescriber")
        check_book_request(body.count, body.face_value_cents)

        def decide() -> Decision:
            beneficiary = self._beneficiary(actor, body.beneficiary_id)
            today = self.today()
            commitments = self._eligible_commitments(today, beneficiary)
            chosen = choose_funding(
                commitments,
                count=body.count,
                face_value_cents=body.face_value_cents,
                on=today,
                publics=list(beneficiary.publics),
                commune_insee=beneficiary.commune_insee,
            )
            book_id = uuid4()
            serials = [new_serial() for _ in chosen]
            cheques, issued = [], []
            for serial, commitment in zip(serials, chosen, strict=True):
                code = new_code()
                cheque = Cheque(
                    serial=serial,
                    book_id=book_id,
                    commitment_id=commitment.id,
                    funder_code=commitment.funder_code,
                    face_value_cents=body.face_value_cents,
                    valid_until=cheque_validity(today, commitment.valid_until),
                    code_hash=hash_code(self.secret, serial, code),
                    beneficiary_id=beneficiary.id,
                    prescriber_id=beneficiary.prescriber_id,
                    issued_on=today,
                )
                cheques.append(cheque)
                issued.append(issued_out(cheque, code))
            used = {c.id: c for c in chosen}
            for commitment in used.values():
                n = sum(1 for c in chosen if c.id == commitment.id)
                commitment.reserve(book_id, n, n * body.face_value_cents)
            book = ChequeBook(  # type: ignore[call-arg]  # eventsourcing takes id= (the class declares `id: UUID`)
                id=book_id,
                beneficiary_id=beneficiary.id,
                prescriber_id=beneficiary.prescriber_id,
                serials=serials,
                face_value_cents=body.face_value_cents,
                issued_on=today,
            )
            warnings = validity_warnings([c.valid_until for c in cheques], today)
            out = t.ChequeBookOut(
                id=book_id,
                beneficiary_id=beneficiary.id,
                cheques=issued,
                beneficiary_reference=reference_of(beneficiary.id),
                issued_on=today,
                warnings=[t.BookWarning(code=code, message=message) for code, message in warnings],
            )
            return Decision([*used.values(), *cheques, book], out)

        return self._execute(idem, decide, t.ChequeBookOut)

    def _eligible_commitments(self, today, beneficiary: Beneficiary) -> list[Commitment]:
        ids = self._fresh_command_reads().eligible_commitment_ids(today)
        commitments = self._load_many(ids, Commitment, "Convention")
        return [c for c in commitments if c.is_eligible(today, list(beneficiary.publics), beneficiary.commune_insee)]

    def reprint_book(self, actor: t.Actor, book_id: str, idem: Idem | None = None) -> t.ChequeBookOut:
        self._require(actor, "prescriber")

        def decide() -> Decision:
            book = self._load_id(book_id, ChequeBook, "Carnet")
            self._require_org(actor, book.prescriber_id)
            cheques = self._load_many([natural_id("cheque", s) for s in book.serials], Cheque, "Chèque")
            reissued, issued = [], []
            for cheque in cheques:
                if cheque.lifecycle != "issued":
                    continue
                code = new_code()
                cheque.replace_code(hash_code(self.secret, cheque.serial, code))
                reissued.append(cheque)
                issued.append(issued_out(cheque, code))
            book.record_reprint([c.serial for c in reissued])
            out = t.ChequeBookOut(
                id=book.id,
                beneficiary_id=book.beneficiary_id,
                cheques=issued,
                beneficiary_reference=reference_of(book.beneficiary_id),
                issued_on=self.today(),
            )
            return Decision([book, *reissued], out)

        return self._execute(idem, decide, t.ChequeBookOut)

    # -- single cheques ------------------------------------------------------------------------
    def _cheque(self, serial: str) -> Cheque:
        canonical = normalize_serial(serial)
        try:
            return self._load(natural_id("cheque", canonical), Cheque, "Chèque")
        except errors.NotFound:
            raise errors.UnknownCheque("Numéro de chèque inconnu.") from None

    def get_cheque(self, actor: t.Actor, serial: str) -> t.ChequeOut:
        self._require(actor, "prescriber", "structure")
        try:
            cheque = self._cheque(serial)
        except errors.UnknownCheque:
            raise errors.NotFound("Chèque introuvable.") from None
        if actor.role == "structure":
            if cheque.redeemed_by is None or actor.org != str(cheque.redeemed_by):
                # Same answer as an unknown serial: a structure cannot probe which serials exist.
                raise errors.NotFound("Chèque introuvable.")
        else:
            self._require_org(actor, cheque.prescriber_id)
        return cheque_out(cheque)

    def cancel_cheque(self, actor: t.Actor, serial: str, body: t.ReasonBody, idem: Idem | None = None) -> t.ChequeOut:
        self._require(actor, "prescriber")

        def decide() -> Decision:
            cheque = self._cheque(serial)
            self._require_org(actor, cheque.prescriber_id)
            cheque.cancel(body.reason)
            commitment = self._load(cheque.commitment_id, Commitment, "Convention")
            commitment.release([cheque.serial], cheque.face_value_cents, "cancelled")
            return Decision([cheque, commitment], cheque_out(cheque))

        return self._execute(idem, decide, t.ChequeOut)

    def unlock_cheque(self, actor: t.Actor, serial: str, idem: Idem | None = None) -> t.ChequeOut:
        self._require(actor, "prescriber")

        def decide() -> Decision:
            cheque = self._cheque(serial)
            self._require_org(actor, cheque.prescriber_id)
            cheque.unlock()
            return Decision([cheque], cheque_out(cheque))

        return self._execute(idem, decide, t.ChequeOut)
