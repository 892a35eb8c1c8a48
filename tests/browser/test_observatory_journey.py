"""Issue 18, finding 5: the observatory's figures usable. Six people of one intercommunality, in three publics
and three age bands: every fine row (quarter × commune × public × age band) counts two people and stays hidden,
yet the observatory sees the sessions by EPCI on its page, downloads a CSV whose headers and values are French
words with the commune's and the EPCI's names, and an open data package whose coarser levels (EPCI and
département × quarter) show the six sessions. At desktop width and on a phone, axe-core on every page."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from ledger import types as t
from tests import scenario as s
from tests.browser.conftest import sign_in
from tests.browser.journey import WIDTHS, Journey

PEOPLE = [  # (public, birth year): two people in each fine cell
    ("senior", 1940),
    ("senior", 1941),
    ("job_seeker", 1990),
    ("job_seeker", 1991),
    ("rsa", 1970),
    ("rsa", 1971),
]


def download(j: Journey, name: str) -> bytes:
    with j.page.expect_download() as event:
        j.page.get_by_role("link", name=name).click()
    return Path(event.value.path()).read_bytes()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_observatory_sees_what_small_groups_allow_in_french(site, browser, width):
    ledger, w = site.ledger, site.world
    for i, (public, year) in enumerate(PEOPLE):
        b = s.beneficiary(ledger, w.prescriber_actor, publics=[public], birth_year=year, first_name=f"P{i}")
        c = ledger.issue_book(
            w.prescriber_actor, t.NewChequeBook(beneficiary_id=b.id, count=1, face_value_cents=1500)
        ).cheques[0]
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))

    j = Journey(browser, site, "observatoire", width)
    sign_in(j.page, site.accounts.observatory)
    j.see("indicateurs")
    epcis = j.page.get_by_role("table", name="séances par EPCI")
    j.page.locator("summary", has_text="séances par EPCI").click()
    row = epcis.locator("tr", has_text="CA Valence Romans Agglo").inner_text()
    assert "6" in row and "secret statistique" not in row, row
    j.see("par-epci")

    rows = list(csv.DictReader(io.StringIO(download(j, "Export CSV (tableur)").decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3, rows  # one row per public and age band, all in Valence this quarter
    assert {r["nom_commune"] for r in rows} == {"Valence"} and {r["nom_epci"] for r in rows} == {
        "CA Valence Romans Agglo"
    }
    assert {r["public_libelle"] for r in rows} == {"Personne âgée", "Demandeur d'emploi", "Allocataire du RSA"}
    assert {r["tranche_age_libelle"] for r in rows} == {"75 ans et plus", "35 à 44 ans", "55 à 64 ans"}
    assert all(r["secret_statistique"] == "oui" and r["beneficiaires"] == r["accompagnements"] == "" for r in rows)
    j.see("exports")

    package = zipfile.ZipFile(io.BytesIO(download(j, "Paquet de données ouvertes (Data Package, ZIP)")))
    for level in ("trimestre_epci", "trimestre_departement"):
        (line,) = list(csv.DictReader(io.StringIO(package.read(f"data/{level}.csv").decode("utf-8"))))
        assert line["seances"] == "6" and line["masque"] != "true", (level, line)
    j.close()
