"""Badge pages over HTTP: the admin defines a badge, a structure and a prescriber record a PIX certification and
award a badge, the downloads (PDF, JSON checked by the DCC verifier), the observatory's figures, and refusals."""

from __future__ import annotations

import json
import re

import pytest

from domain.codes import reference_of
from tests.badges.dcc import dcc_verify
from tests.e2e.web import post_form, sign_in
from tests.integration.test_badges import TEST_BADGE_KEY

BADGE = {
    "slug": "courriel",
    "name": "Mon premier courriel",
    "description": "Sait écrire et envoyer un courriel avec une pièce jointe.",
    "criteria": "A envoyé un courriel à son médiateur avec une photo jointe.",
}


@pytest.fixture(autouse=True)
def badge_key(monkeypatch):
    monkeypatch.setenv("LEDGER_BADGE_KEY", TEST_BADGE_KEY)


def define(client, accounts):
    sign_in(client, accounts.admin)
    done = post_form(client, "/admin/badges", "/admin/badges", BADGE)
    assert done.status_code == 303 and done.headers["location"] == "/admin/badges?fait=realisation"
    listed = client.get(done.headers["location"]).text
    assert "Mon premier courriel" in listed and "Badge défini" in listed


def test_the_admin_defines_a_badge_and_a_duplicate_is_refused_in_words(client, accounts, ledger_world):
    define(client, accounts)
    again = post_form(client, "/admin/badges", "/admin/badges", BADGE)
    assert again.status_code == 409 and "existe déjà" in again.text
    bad = post_form(client, "/admin/badges", "/admin/badges", {**BADGE, "slug": "Pas bon"})
    assert bad.status_code == 400 and re.search(r'id="f-slug-error">Identifiant : ', bad.text)


def test_a_structure_certifies_and_awards_then_downloads_the_badge(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    define(client, accounts)
    sign_in(client, accounts.structure)
    bid = reference_of(w.beneficiary.id)  # what the structure has in hand: the reference on the carnet
    certified = post_form(
        client,
        "/structure/badges/certification",
        "/structure/badges",
        {"beneficiary_id": bid, "certified_on": "2026-03-10", "score": "480"},
    )
    assert (
        certified.status_code == 303
        and "Certification PIX enregistrée" in client.get(certified.headers["location"]).text
    )
    awarded = post_form(
        client, "/structure/badges", "/structure/badges", {"badge_beneficiary_id": bid, "achievement": "courriel"}
    )
    assert awarded.status_code == 303
    page = client.get(awarded.headers["location"]).text
    badge_id = awarded.headers["location"].rpartition("badge=")[2]
    assert f"/badges/{badge_id}/badge.pdf" in page and f"/badges/{badge_id}/badge.json" in page
    assert "Mon premier courriel" in page and bid in page  # in the latest badges awarded, with its files
    assert ">480<" in page  # the certification, in the latest recorded
    pdf = client.get(f"/badges/{badge_id}/badge.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    credential = json.loads(client.get(f"/badges/{badge_id}/badge.json").content)
    assert dcc_verify(credential)["verified"] is True
    unknown = post_form(
        client, "/structure/badges", "/structure/badges", {"badge_beneficiary_id": bid, "achievement": "inconnu"}
    )
    assert unknown.status_code == 404 and "Impossible" in unknown.text
    sign_in(client, accounts.other_structure)
    assert client.get(f"/badges/{badge_id}/badge.pdf").status_code == 403
    assert bid not in client.get("/structure/badges").text  # another structure's awards are not listed
    sign_in(client, accounts.observatory)
    indicators = client.get("/observatoire").text
    assert "Certifications PIX passées" in indicators and "Open Badges remis" in indicators


def test_a_prescriber_sees_and_awards_badges_on_the_beneficiary_page(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    define(client, accounts)
    sign_in(client, accounts.prescriber)
    page = f"/prescripteur/beneficiaires/{w.beneficiary.id}"
    assert "Aucun badge remis" in client.get(page).text
    done = post_form(client, f"{page}/badge", page, {"achievement": "courriel"})
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "Mon premier courriel, remis le" in shown and "badge.json" in shown
    certified = post_form(client, f"{page}/certification", page, {"certified_on": "2099-03-11", "score": "2000"})
    assert certified.status_code == 400 and "2 champs sont à corriger" in certified.text
    assert re.search(r'id="f-score-error">Score PIX : [^<]*0 à 1024', certified.text)
    assert re.search(r'id="f-certified_on-error">Date de certification : [^<]*aujourd', certified.text)
    sign_in(client, accounts.other_prescriber)
    assert client.get(page).status_code == 403
