"""The issue's journey in a real browser: a prescriber registers a person, issues and downloads a book;
a structure redeems one of its cheques through the form; the funder sees the new figure; the observatory
sees its charts."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from api.web.render import euros
from tests import scenario as s
from tests.browser.conftest import screenshot, sign_in, sign_out

VOUCHER = re.compile(r"Numéro du chèque\s+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=])\s+Code secret\s+([0-9A-Z]{6})")


def test_from_registration_to_the_funders_figures(site, browser):
    page = site.page(browser)
    sign_in(page, site.accounts.prescriber)
    screenshot(page, "prescripteur-beneficiaires")

    page.get_by_role("link", name="Inscrire un bénéficiaire").first.click()
    page.get_by_label("Prénom").fill("Josette")
    page.get_by_label("Nom", exact=True).fill("Chabert")
    page.get_by_label("Année de naissance").fill("1948")
    page.get_by_label("Commune de résidence").select_option(s.VALENCE)
    page.get_by_label("Personne âgée").check()
    screenshot(page, "prescripteur-inscription")
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url(re.compile(r".*/prescripteur/beneficiaires/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Josette CHABERT"
    screenshot(page, "prescripteur-beneficiaire")

    page.get_by_label("Nombre de chèques").fill("2")
    page.get_by_label("Valeur d'un chèque, en euros").fill("20")
    page.get_by_role("button", name="Émettre et imprimer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Carnet émis"
    screenshot(page, "prescripteur-carnet")
    with page.expect_download() as download:
        page.locator("#pdf").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith("carnet-") and pdf.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(pdf.path()).read_bytes())).pages)
    vouchers = VOUCHER.findall(text)
    shown = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]", page.locator("table").inner_text())
    assert [serial for serial, _ in vouchers] == shown and len(vouchers) == 2, "one voucher per cheque of the page"
    serial, code = vouchers[0]
    sign_out(page)

    before = site.ledger.reconciliation(s.ADMIN, "DEPT26").redeemed_cents
    sign_in(page, site.accounts.structure)
    screenshot(page, "structure-encaissement")
    page.get_by_label("Numéro du chèque").fill(serial)
    page.get_by_label("Code de vérification").fill(code)
    page.get_by_label("Type de séance").select_option("collective")
    page.get_by_label("Durée, en minutes").fill("90")
    page.get_by_role("button", name="Encaisser").click()
    page.wait_for_load_state()
    assert "Chèque encaissé" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Relevé").first.click()
    assert serial in page.locator("#encaissements").inner_text()
    screenshot(page, "structure-releve")
    sign_out(page)

    after = site.ledger.reconciliation(s.ADMIN, "DEPT26")
    assert after.redeemed_cents == before + 2000
    sign_in(page, site.accounts.funder)
    assert page.locator("#encaisse").inner_text().replace("\u202f", " ").replace("\xa0", " ") == euros(
        after.redeemed_cents
    ).replace("\u202f", " ").replace("\xa0", " ")
    screenshot(page, "financeur-rapprochement")
    page.get_by_role("link", name="Journal").first.click()
    assert serial in page.locator("table").inner_text()
    screenshot(page, "financeur-journal")
    sign_out(page)

    sign_in(page, site.accounts.observatory)
    charts = page.locator('svg.chart:not(.chart-narrow)[role="img"]')
    assert charts.count() == 2
    assert [charts.nth(i).locator("title").first.text_content() for i in range(2)] == [
        "Séances payées par chèque, par trimestre",
        "Séances payées par chèque, par intercommunalité",
    ]
    screenshot(page, "observatoire-indicateurs")
    page.context.close()


def test_a_wrong_code_is_refused_in_words(site, browser):
    cheque = s.book(site.ledger, site.world, count=1).cheques[0]
    page = site.page(browser)
    sign_in(page, site.accounts.structure)
    page.get_by_label("Numéro du chèque").fill(cheque.serial)
    page.get_by_label("Code de vérification").fill("WWWWWW")
    page.get_by_role("button", name="Encaisser").click()
    alert = page.get_by_role("alert")
    assert "Impossible" in alert.inner_text()
    assert page.get_by_label("Code de vérification").input_value() == ""
    assert site.ledger.get_cheque(s.ADMIN, cheque.serial).status == "issued"
    page.context.close()
