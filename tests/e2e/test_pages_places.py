"""Pages of the places: the directory printed on demand (prescriber, admin), and the admin's list of incomplete
places with the form that completes them."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader

from tests import scenario as s
from tests.e2e.test_pages_admin import admin_client, check_accessible
from tests.e2e.web import post_form, sign_in

VALENCE_ROMANS = "200068781"
HOURS = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"


def test_admin_completes_an_incomplete_place_then_prints_the_directory(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    admin_client(client, accounts)
    page = "/admin/structures"
    listing = client.get(page).text
    check_accessible(listing)
    assert "Lieux incomplets" in listing and "manque adresse, code postal" in listing and "Incomplète" in listing
    refused = post_form(
        client,
        f"{page}/{w.structure.id}/coordonnees",
        page,
        {"address": "1 rue A", "postal_code": "26000", "opening_hours": "tous les jours"},
    )
    assert refused.status_code == 400 and "Horaires illisibles" in refused.text
    check_accessible(refused.text)
    assert ledger.get_structure(s.ADMIN, str(w.structure.id)).address is None  # nothing half-done
    done = post_form(
        client,
        f"{page}/{w.structure.id}/coordonnees",
        page,
        {
            "address": "4 rue Saint-Martin",
            "postal_code": "26000",
            "phone": "04 75 00 00 00",
            "opening_hours": HOURS,
            "services": ["everyday_tools", "safe_use"],
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/structures?fait=coordonnees"
    saved = ledger.get_structure(s.ADMIN, str(w.structure.id))
    assert (saved.address, saved.services, saved.opening_hours) == (
        "4 rue Saint-Martin",
        ["everyday_tools", "safe_use"],
        HOURS,
    )
    assert f"/admin/structures/{w.structure.id}/coordonnees" not in client.get(page).text
    form = client.get("/annuaire")
    assert form.status_code == 200 and f'<option value="{VALENCE_ROMANS}">CA Valence Romans Agglo</option>' in form.text
    check_accessible(form.text)
    pdf = client.get(f"/annuaire.pdf?epci={VALENCE_ROMANS}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Fab'At Valence" in text and "4 rue Saint-Martin, 26000 Valence" in text
    assert "Du lundi au vendredi : de 9 h à 12 h et de 14 h à 17 h" in text
    wrong = client.get("/annuaire.pdf?epci=000000000")
    assert wrong.status_code == 400 and "EPCI de la Drôme" in wrong.text


def test_a_prescriber_prints_the_directory_a_funder_cannot(client, accounts, ledger_world):
    sign_in(client, accounts.prescriber)
    assert 'href="/annuaire"' in client.get("/prescripteur").text
    assert client.get("/annuaire.pdf?commune=26113").status_code == 200
    sign_in(client, accounts.funder)
    assert client.get("/annuaire").status_code == 403


def test_the_observatory_downloads_the_open_data_package(client, accounts, ledger_world):
    sign_in(client, accounts.observatory)
    assert 'href="/observatoire/donnees-ouvertes.zip"' in client.get("/observatoire").text
    answer = client.get("/observatoire/donnees-ouvertes.zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as z:
        assert "datapackage.json" in z.namelist() and "data/trimestre_epci.csv" in z.namelist()
    sign_in(client, accounts.funder)
    assert client.get("/observatoire/donnees-ouvertes.zip").status_code == 403
