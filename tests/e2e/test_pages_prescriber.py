"""Prescriber pages over HTTP: register, issue and print, cancel; only one's own caseload."""

from __future__ import annotations

import base64
import io
import re

import pytest
from pypdf import PdfReader

from tests import scenario as s
from tests.e2e.web import post_form, sign_in


def register(client, first="Jeanne", last="Dupont"):
    return post_form(
        client,
        "/prescripteur/nouveau",
        "/prescripteur/nouveau",
        {
            "first_name": first,
            "last_name": last,
            "birth_year": "1950",
            "commune_insee": s.VALENCE,
            "publics": ["senior", "rsa"],
        },
    )


def test_a_prescriber_registers_issues_a_book_and_gets_its_pdf(client, accounts, ledger_world):
    assert sign_in(client, accounts.prescriber).headers["location"] == "/prescripteur"
    created = register(client)
    assert created.status_code == 303
    person = created.headers["location"].split("?")[0]
    page = client.get(created.headers["location"])
    assert page.status_code == 200 and "Jeanne" in page.text and "Bénéficiaire inscrit." in page.text
    issued = post_form(client, person + "/carnet", person, {"count": "3", "face_value": "20"})
    assert issued.status_code == 201
    serials = re.findall(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=])</code>", issued.text)
    assert len(serials) == 3
    pdf = base64.b64decode(re.search(r'href="data:application/pdf;base64,([^"]+)"', issued.text).group(1))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert all(serial in text for serial in serials)
    listing = client.get(person).text
    assert all(serial in listing for serial in serials) and listing.count("émis") >= 3
    assert "Jeanne" in client.get("/prescripteur").text


def test_cancelling_a_cheque_from_its_page(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    book = s.book(ledger, w, count=1)
    serial = book.cheques[0].serial
    sign_in(client, accounts.prescriber)
    person = f"/prescripteur/beneficiaires/{w.beneficiary.id}"
    done = post_form(client, f"/prescripteur/cheques/{serial}/annulation", person, {"reason": "Déménagement"})
    assert done.status_code == 303 and done.headers["location"].endswith("fait=annule")
    assert ledger.get_cheque(s.ADMIN, serial).status == "cancelled"


def test_a_refused_book_says_why_and_changes_nothing(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    sign_in(client, accounts.prescriber)
    person = f"/prescripteur/beneficiaires/{w.beneficiary.id}"
    before = ledger.position()
    refused = post_form(client, person + "/carnet", person, {"count": "20", "face_value": "1000"})
    assert refused.status_code == 409 and "Impossible" in refused.text
    assert ledger.position() == before
    bad = post_form(client, person + "/carnet", person, {"count": "2", "face_value": "vingt"})
    assert bad.status_code == 400 and "montant en euros" in bad.text


def test_another_prescribers_beneficiary_is_refused(client, accounts, ledger_world):
    _, w, _ = ledger_world
    sign_in(client, accounts.other_prescriber)
    page = client.get(f"/prescripteur/beneficiaires/{w.beneficiary.id}")
    assert page.status_code == 403 and "autre organisation" in page.text
    assert str(w.beneficiary.id) not in client.get("/prescripteur").text


@pytest.mark.parametrize("who", ["structure", "funder", "observatory"])
def test_other_roles_cannot_open_prescriber_pages(client, accounts, who):
    sign_in(client, getattr(accounts, who))
    assert client.get("/prescripteur").status_code == 403
    assert client.get("/prescripteur/nouveau").status_code == 403
