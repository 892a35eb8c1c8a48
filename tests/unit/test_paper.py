"""Printed cheque books and statements: their text holds what people need, nothing more."""

from __future__ import annotations

import io
import json
from datetime import date
from uuid import uuid4

from pypdf import PdfReader

from ledger import types as t
from paper.cheque_book import render_cheque_book
from paper.statement import render_statement
from paper.text import euros


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_serial_and_code_of_the_book_is_printed_once():
    cheques = [
        t.IssuedCheque(
            serial=f"AB{i:02d}-CDEF-{i % 10}",
            code=f"KQ{i:04d}",
            face_value_cents=1000,
            valid_until=date(2027, 3, 16),
            funder_code="CAF26",
            commitment_id=uuid4(),
        )
        for i in range(10)
    ]
    pdf = render_cheque_book(
        t.ChequeBookOut(id=uuid4(), beneficiary_id=uuid4(), cheques=cheques), {"CAF26": "CAF de la Drôme"}
    )
    pages = text_of(pdf)
    assert len(pages) == 3  # the cover, then eight vouchers a page
    text = "\n".join(pages)
    for c in cheques:
        assert text.count(c.serial) == 1 and text.count(c.code) == 1
    assert "Valable jusqu'au 16 mars 2027" in text and "CAF de la Drôme" in text and "10,00 euros" in text


def test_statement_mirrors_the_reconciliation():
    rec = t.Reconciliation(
        funder_code="DEPT26",
        as_of=date(2026, 11, 28),
        committed_cents=2_000_000,
        received_cents=1_000_000,
        available_cents=1_975_000,
        reserved_cents=6_000,
        redeemed_cents=11_000,
        paid_cents=8_000,
        released_cents=0,
        balanced=True,
        commitments=[
            t.CommitmentFigures(
                id=uuid4(),
                reference="DEPT-2026",
                committed_cents=2_000_000,
                available_cents=1_975_000,
                reserved_cents=6_000,
                redeemed_cents=11_000,
                paid_cents=8_000,
                released_cents=0,
            )
        ],
    )
    text = "\n".join(text_of(render_statement(rec, "Département de la Drôme")))
    for cents in (2_000_000, 1_975_000, 6_000, 11_000, 8_000):
        assert euros(cents).replace(" euros", "") in text
    assert "au 28/11/2026" in text and "équilibré : oui" in text


def test_euros_formatting():
    assert euros(1234567) == "12 345,67 euros"
    assert euros(5) == "0,05 euros"
    assert euros(-1000) == "-10,00 euros"


def test_a_badge_pdf_carries_the_signed_credential_in_its_qr_code():
    from paper.badge import qr_payload, render_badge

    credential = {
        "id": "urn:uuid:0b7f3a3e-6f0e-4c5b-9b1e-3f5a8c1d2e4f",
        "issuer": {"id": "did:key:z6MkTest", "type": ["Profile"], "name": "Département de la Drôme"},
        "credentialSubject": {
            "achievement": {
                "name": "Premiers pas – l’ordinateur",
                "description": "Sait allumer un ordinateur.",
                "criteria": {"narrative": "A suivi trois séances."},
            }
        },
        "proof": {"proofValue": "z" + "1" * 86},
    }
    text, whole = qr_payload(credential)
    assert whole and json.loads(text) == credential
    long = {
        **credential,
        "credentialSubject": {
            "achievement": {**credential["credentialSubject"]["achievement"], "description": "é" * 2000}
        },
    }
    text, whole = qr_payload(long)
    assert not whole and text.startswith(credential["id"] + " sha256:") and len(text) < 200
    for c in (credential, long):
        page = PdfReader(io.BytesIO(render_badge(c, date(2026, 3, 16)))).pages[0].extract_text()
        assert "Premiers pas - l'ordinateur" in page and "16/03/2026" in page
