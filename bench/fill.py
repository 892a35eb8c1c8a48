"""Fills a ledger quickly with realistic events (books, redemptions, settlements) for benchmarks.

Builds aggregates with the domain's own methods and saves them in large transactions, bypassing the
service's per-request path: the events are the same as the service's, only faster to produce.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from api.bootstrap import Ledger
from domain.cheques import Cheque, ChequeBook
from domain.codes import hash_code, new_serial
from domain.settlement import Settlement, settlement_lines
from domain.values import MAX_CENTS
from ledger import types as t

ADMIN = t.Actor(role="admin", key_id="bench")
CODE = "ACDEFG"


def setup(ledger: Ledger) -> tuple[t.CommitmentOut, t.StructureOut, t.BeneficiaryOut]:
    ledger.create_funder(ADMIN, t.NewFunder(code="BENCH", name="Bench", kind="other"))
    commitment = ledger.sign_commitment(
        ADMIN,
        t.NewCommitment(
            funder_code="BENCH",
            reference="bench",
            amount_cents=MAX_CENTS,
            valid_from=date(2026, 1, 1),
            valid_until=date(2027, 12, 31),
        ),
    )
    structure = ledger.register_structure(
        ADMIN, t.NewStructure(siret="73282932000074", name="S", commune_insee="26362")
    )
    beneficiary = ledger.register_beneficiary(
        ADMIN,
        t.NewBeneficiary(first_name="A", last_name="B", birth_year=1970, commune_insee="26362", publics=["senior"]),
    )
    return commitment, structure, beneficiary


def issue_books(
    ledger: Ledger, commitment_id, beneficiary_id, books: int, per_book: int = 10, per_save: int = 50
) -> list[Cheque]:
    """Returns the issued cheques (their code is ``CODE``)."""
    issued: list[Cheque] = []
    taken: set[str] = set()  # serials are random: about 2 % of 200 000-cheque runs drew one twice (a duplicate event)
    on = ledger.today()
    for start in range(0, books, per_save):
        commitment = ledger.app.repository.get(commitment_id)
        batch: list = [commitment]
        for _ in range(min(per_save, books - start)):
            book_id = uuid4()
            cheques = []
            for _ in range(per_book):
                serial = new_serial()
                while serial in taken:
                    serial = new_serial()
                taken.add(serial)
                cheques.append(
                    Cheque(
                        serial=serial,
                        book_id=book_id,
                        commitment_id=commitment.id,
                        funder_code=commitment.funder_code,
                        face_value_cents=1000,
                        valid_until=date(2027, 6, 30),
                        code_hash=hash_code(ledger.secret, serial, CODE),
                        beneficiary_id=beneficiary_id,
                        prescriber_id="admin",
                        issued_on=on,
                    )
                )
            commitment.reserve(book_id, per_book, per_book * 1000)
            book = ChequeBook(
                id=book_id,
                beneficiary_id=beneficiary_id,
                prescriber_id="admin",
                serials=[c.serial for c in cheques],
                face_value_cents=1000,
                issued_on=on,
            )
            batch += [*cheques, book]
            issued += cheques
        ledger.app.save(*batch)
    return issued


def ready_for_server(ledger: Ledger, *counts: int) -> tuple[str, list[list[Cheque]]]:
    """A funder, a structure and a beneficiary; for each of ``counts``, that many cheques issued (in books
    of 10); the projections caught up. Returns an API key of the structure, and the cheques of each count."""
    commitment, structure, beneficiary = setup(ledger)
    issued = [issue_books(ledger, commitment.id, beneficiary.id, count // 10) for count in counts]
    key = ledger.create_api_key(ADMIN, t.NewApiKey(role="structure", org=str(structure.id))).key
    ledger.views.catch_up()
    return key, issued


def redeem_all(ledger: Ledger, cheques: list[Cheque], structure_id: str, per_save: int = 500) -> None:
    on = ledger.today()
    for start in range(0, len(cheques), per_save):
        batch = cheques[start : start + per_save]
        for c in batch:
            error = c.redeem(
                presented_code_hash=c.code_hash,
                structure_id=structure_id,
                structure_accredited=True,
                session_date=on,
                session_kind="individual",
                duration_minutes=60,
                themes=["bench"],
                today=on,
            )
            assert error is None, error
        ledger.app.save(*batch)


def settle_all(ledger: Ledger, cheques: list[Cheque], per_save: int = 1000) -> None:
    for start in range(0, len(cheques), per_save):
        batch = cheques[start : start + per_save]
        lines, total = settlement_lines(batch)
        settlement_id = uuid4()
        for c in batch:
            c.settle(settlement_id)
        ledger.app.save(Settlement(id=settlement_id, through=ledger.today(), lines=lines, total_cents=total), *batch)


def fill(ledger: Ledger, events: int) -> int:
    """About ``events`` events: books of 10 (12 events each), then redeem 60 % and settle half of those."""
    commitment, structure, beneficiary = setup(ledger)
    books = max(1, int(events / (12 + 10 * 0.6 + 10 * 0.3)))
    cheques = issue_books(ledger, commitment.id, beneficiary.id, books)
    redeemed = cheques[: int(len(cheques) * 0.6)]
    redeem_all(ledger, redeemed, str(structure.id))
    settle_all(ledger, redeemed[: len(redeemed) // 2])
    return ledger.app.recorder.max_notification_id() or 0
