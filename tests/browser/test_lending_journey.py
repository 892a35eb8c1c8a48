"""Lending on the web, whole, at desktop width and on a phone: a structure registers a source, receives a
device, refurbishes it, lends it, prints the loan agreement, records a follow-up and an extension, records
the return and prints the receipt; the overdue list names the loans to chase. axe-core and the width check
on every page reached; a screenshot of each step and the two PDFs land in ``screenshots/``."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from pypdf import PdfReader

from domain.codes import reference_of
from ledger import types as t
from tests import scenario as s
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_accessibility import check


def pdf_text(download, name: str) -> str:
    data = Path(download.path()).read_bytes()
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / name).write_bytes(data)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def fill_borrower(page, beneficiary_id: UUID) -> None:
    """The loan form's person field: the reference printed on the cover of the person's cheque book."""
    page.locator('form[action="/structure/prets"] input[name="beneficiary"]').fill(reference_of(beneficiary_id))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_device_from_its_source_to_its_return(site, browser, width):
    ledger, w = site.ledger, site.world
    suffix = "" if width == 1280 else f"-{width}"
    found: list[str] = []
    page = site.page(browser, bypass_csp=True, width=width)
    sign_in(page, site.accounts.structure)
    today = date.today()  # the server's day (the ledger fixture's clock is its own)

    # an older loan, signed through the API's command, is overdue for the server
    lender = t.Actor(role="structure", org=str(w.structure.id))
    old_source = ledger.register_source(
        lender, t.NewEquipmentSource(name="Mairie de Die", kind="public_body", commune_insee=s.DIE)
    )
    old = ledger.receive_device(
        lender,
        t.NewDevice(source_id=old_source.id, kind="tablet", serial_number="TAB-OLD-1", received_on=ledger.today()),
    )
    ledger.refurbish_device(lender, str(old.id), t.Refurbishment(grade="B", refurbished_on=ledger.today()))
    ledger.sign_loan(
        lender,
        t.NewLoan(
            device_id=old.id,
            beneficiary_id=w.beneficiary.id,
            start_on=ledger.today() - timedelta(days=60),
            due_on=ledger.today() - timedelta(days=5),
            monthly_fee_cents=500,
            deposit_cents=2000,
        ),
    )

    page.get_by_role("link", name="Matériel et gisements").first.click()
    page.wait_for_load_state()
    found += check(page, f"pret-01-materiel{suffix}", reflow=True)
    page.get_by_label("Nom du donateur").fill("Entreprise Solidaire du Valentinois")
    page.get_by_label("Type de donateur").select_option("company")
    page.get_by_label("Commune").select_option(s.VALENCE)
    page.get_by_role("button", name="Enregistrer le gisement").click()
    page.wait_for_load_state()
    assert "Gisement enregistré" in page.get_by_role("status").inner_text()
    assert "Entreprise Solidaire du Valentinois" in page.locator("main").inner_text()

    page.get_by_label("Gisement d'origine").select_option(label="Entreprise Solidaire du Valentinois")
    page.get_by_label("Type d'appareil").select_option("laptop")
    page.get_by_label("Numéro de série").fill("PC-2026-0042")
    page.get_by_role("button", name="Recevoir l'appareil").click()
    page.wait_for_load_state()
    assert "Appareil reçu" in page.get_by_role("status").inner_text()
    found += check(page, f"pret-02-appareil-recu{suffix}", reflow=True)

    page.get_by_text("Reconditionner", exact=False).filter(has_text="PC-2026-0042").first.click()
    page.get_by_role("button", name="Reconditionner PC-2026-0042").click()
    page.wait_for_load_state()
    assert "reconditionné" in page.get_by_role("status").inner_text()
    row = page.locator("tr", has_text="PC-2026-0042")
    assert "disponible (grade A)" in row.inner_text()

    page.goto("/structure/prets")
    found += check(page, f"pret-03-prets{suffix}", reflow=True)
    laptop = page.locator("option", has_text="ordinateur portable").first.get_attribute("value")
    page.get_by_label("Appareil disponible").select_option(laptop)
    fill_borrower(page, w.beneficiary.id)
    page.get_by_label("Retour prévu").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Signer le prêt").click()
    page.wait_for_load_state()
    assert "Prêt signé" in page.get_by_role("status").inner_text()

    page.locator("table").first.get_by_role("link", name=re.compile("ordinateur portable")).click()
    page.wait_for_load_state()
    assert "PC-2026-0042" in page.get_by_role("heading", level=1).inner_text()
    found += check(page, f"pret-04-fiche{suffix}", reflow=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Convention de prêt (PDF)").click()
    text = pdf_text(download.value, f"convention-pret{suffix}.pdf")
    assert "Convention de prêt de matériel" in text
    assert "PC-2026-0042" in text and "Entreprise Solidaire du Valentinois" in text
    assert reference_of(w.beneficiary.id) in text and "30,00 euros" in text and "5,00 euros par mois commencé" in text
    assert f"Retour prévu le {(today + timedelta(days=90)).strftime('%d/%m/%Y')}" in text
    assert "Signature" in text

    page.get_by_label("Type de suivi").select_option("call")
    page.get_by_label("Note").fill("Prise en main de la messagerie.")
    page.get_by_role("button", name="Enregistrer le suivi").click()
    page.wait_for_load_state()
    assert page.locator("#suivis").inner_text() == "1"
    new_due = today + timedelta(days=120)
    page.get_by_label("Nouvelle date de retour").fill(new_due.isoformat())
    page.get_by_role("button", name="Prolonger").click()
    page.wait_for_load_state()
    assert "Prêt prolongé" in page.get_by_role("status").inner_text()
    assert new_due.strftime("%Y") in page.locator("#echeance").inner_text()
    found += check(page, f"pret-05-suivi-prolonge{suffix}", reflow=True)

    page.get_by_label("État de l'appareil").select_option("damaged")
    page.get_by_role("button", name="Enregistrer le retour").click()
    page.wait_for_load_state()
    assert "Retour enregistré" in page.get_by_role("status").inner_text()

    loan = next(i for i in ledger.list_loans(lender).items if i.device_id != old.id)
    page.goto(f"/structure/prets/{loan.id}")
    assert "rendu" in page.locator("#etat-pret").inner_text()
    found += check(page, f"pret-06-rendu{suffix}", reflow=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Reçu de restitution (PDF)").click()
    receipt = pdf_text(download.value, f"restitution-pret{suffix}.pdf")
    assert "Reçu de restitution" in receipt and "PC-2026-0042" in receipt
    assert "Caution rendue 30,00 euros" in receipt and "Caution conservée 0,00 euros" in receipt
    assert "Mensualités dues 5,00 euros" in receipt  # one month begun

    page.goto("/structure/materiel")
    assert "à réparer" in page.locator("tr", has_text="PC-2026-0042").inner_text(), "damaged: back to repair"

    page.get_by_role("link", name="Prêts en retard").first.click()
    page.wait_for_load_state()
    overdue = page.locator("table").inner_text()
    assert "TAB-OLD-1" in overdue and "PC-2026-0042" not in overdue
    found += check(page, f"pret-07-retards{suffix}", reflow=True)
    assert found == [], "\n".join(found)
    page.context.close()
