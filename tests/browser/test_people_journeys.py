"""Issue 18: people's journeys, whole, on a phone (390 px) and on a desk (1280 px), with the paper.

One journey per finding fixed, each from the person's side: the prescriber registers and prints, the paper is
read back (text, word boxes, page images), the structure types what is on the paper and nothing else.
axe-core runs on every page reached; each step is screenshot under ``screenshots/parcours-*``."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from ledger.clock import paris_today
from paper.cheque_book import COLS, MARGIN, ROWS, H, W
from tests import scenario as s
from tests.browser.conftest import sign_in
from tests.browser.journey import (
    ANY_SERIAL,
    NEW_SERIAL,
    REFERENCE,
    VOUCHER,
    WIDTHS,
    Journey,
    pdf_pages,
    pdf_words,
)

MM = 72 / 25.4


def register(j: Journey, first: str, last: str, year: str = "1948", public: str = "Personne âgée") -> None:
    page = j.page
    page.goto("/prescripteur/nouveau")
    page.get_by_label("Prénom").fill(first)
    page.get_by_label("Nom", exact=True).fill(last)
    page.get_by_label("Année de naissance").fill(year)
    page.get_by_label("Commune de résidence").select_option(s.VALENCE)
    page.get_by_label(public).check()
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url(re.compile(r".*/prescripteur/beneficiaires/.*"))


def issue(j: Journey, count: int, euros: str = "20") -> None:
    j.page.get_by_label("Nombre de chèques").fill(str(count))
    j.page.get_by_label("Valeur d'un chèque, en euros").fill(euros)
    j.page.get_by_role("button", name="Émettre et imprimer").click()
    j.page.wait_for_load_state()


def sign_out(j: Journey) -> None:
    j.page.get_by_role("button", name="Se déconnecter").click()
    j.page.wait_for_url(re.compile(r".*/connexion.*"))


def available_device(site):
    ledger, w = site.ledger, site.world
    on = ledger.today()
    source = ledger.register_source(
        w.structure_actor, s.t.NewEquipmentSource(name="Don", kind="company", commune_insee=s.VALENCE)
    )
    device = ledger.receive_device(
        w.structure_actor, s.t.NewDevice(source_id=source.id, kind="laptop", serial_number="SN-18", received_on=on)
    )
    ledger.refurbish_device(w.structure_actor, str(device.id), s.t.Refurbishment(grade="A", refurbished_on=on))
    return device


# -- finding 1: a structure finds the person by what is on the book -------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_a_structure_lends_and_records_pix_with_the_reference_printed_on_the_book(site, browser, width):
    device = available_device(site)
    j = Journey(browser, site, "reference", width)
    sign_in(j.page, site.accounts.prescriber)
    register(j, "Josette", "Chabert")
    on_page = j.page.locator("#reference").inner_text()
    assert REFERENCE.fullmatch(on_page)
    j.see("prescripteur-fiche")
    issue(j, 2)
    j.see("prescripteur-carnet")
    pdf = j.download_pdf()
    cover = pdf_pages(pdf)[0]
    assert on_page in cover, "the reference is printed on the book's cover"
    j.pdf_images(pdf, "carnet")
    sign_out(j)
    assert "Vous êtes déconnecté" in j.page.get_by_role("status").inner_text()
    j.see("deconnexion")

    typed = on_page.replace("-", "").lower()  # as typed on a phone: any case, no dashes
    sign_in(j.page, site.accounts.structure)
    j.page.goto("/structure/pix")
    j.see("structure-pix")
    j.page.get_by_label("Référence du bénéficiaire").fill(typed)
    j.page.get_by_label("Score PIX").fill("180")
    j.page.get_by_label("Passé le").fill(paris_today().isoformat())
    j.page.get_by_role("button", name="Enregistrer le résultat").click()
    j.page.wait_for_load_state()
    assert "Résultat PIX enregistré" in j.page.get_by_role("status").inner_text()
    j.see("structure-pix-fait")

    j.page.goto("/structure/prets")
    j.page.get_by_label("Appareil disponible").select_option(str(device.id))
    j.page.get_by_label("Référence du bénéficiaire").fill(typed)
    j.page.get_by_label("Retour prévu").fill((paris_today() + timedelta(days=90)).isoformat())
    j.see("structure-pret")
    j.page.get_by_role("button", name="Signer le prêt").click()
    j.page.wait_for_load_state()
    assert "Prêt signé" in j.page.get_by_role("status").inner_text()
    j.see("structure-pret-fait")
    loans = site.ledger.list_loans(s.ADMIN).items
    assert [str(loan.device_id) for loan in loans] == [str(device.id)]
    j.close()


# -- finding 2: reprint exactly the book chosen, and say what happens to the old codes ----------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_the_prescriber_reprints_the_book_it_chooses_and_the_other_book_still_works(site, browser, width):
    ledger, w = site.ledger, site.world
    first = s.book(ledger, w, count=9)
    last = s.book(ledger, w, count=2)
    j = Journey(browser, site, "reimpression", width)
    sign_in(j.page, site.accounts.prescriber)
    j.page.goto(f"/prescripteur/beneficiaires/{w.beneficiary.id}#reimpression")
    section = j.page.locator("form", has_text="Réimprimer ce carnet")
    assert "les codes imprimés sur l'ancien carnet cessent aussitôt de fonctionner" in section.inner_text()
    choices = section.get_by_role("radio")
    assert choices.count() == 2
    j.see("prescripteur-choix")
    last_choice = section.get_by_label(re.compile(rf"{last.cheques[0].serial}"))
    last_choice.check()
    section.get_by_label("J'ai compris").check()
    section.get_by_role("button", name="Réimprimer ce carnet").click()
    j.page.wait_for_load_state()
    assert j.page.get_by_role("heading", level=1).inner_text() == "Carnet réimprimé"
    assert "Les codes de l'ancien carnet ne fonctionnent plus" in j.page.get_by_role("status").inner_text()
    j.see("prescripteur-reimprime")
    pdf = j.download_pdf()
    text = "\n".join(pdf_pages(pdf))
    reprinted = dict(VOUCHER.findall(text))
    assert sorted(reprinted) == sorted(c.serial for c in last.cheques), "exactly the book chosen"
    j.pdf_images(pdf, "carnet-reimprime")
    sign_out(j)

    sign_in(j.page, site.accounts.structure)
    kept = first.cheques[0]  # the first book's paper codes were not touched
    for serial, code, outcome in (
        (kept.serial, kept.code, "Chèque encaissé"),
        (last.cheques[0].serial, last.cheques[0].code, "Impossible"),
    ):
        j.page.get_by_label("Numéro du chèque").fill(serial)
        j.page.get_by_label("Code de vérification").fill(code)
        j.page.get_by_role("button", name="Encaisser").click()
        j.page.wait_for_load_state()
        role = "status" if outcome == "Chèque encaissé" else "alert"
        assert outcome in j.page.get_by_role(role).inner_text()
        j.see("structure-encaissement")
    j.close()


# -- finding 3: paper worth handing over -----------------------------------------------------------------------


LONG_NAME = (
    "Conférence des financeurs de la prévention de la perte d'autonomie de la Drôme, programme coordonné 2026,"
    " volet inclusion numérique"
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_printed_book_fits_and_says_what_the_redeem_page_asks_for(site, browser, width, tmp_path):
    ledger = site.ledger
    ledger.create_funder(s.ADMIN, s.t.NewFunder(code="CFPPA26", name=LONG_NAME, kind="conference_financeurs"))
    s.commitment(ledger, "CFPPA26", 100_000, priority=1, reference="CFPPA-2026")
    j = Journey(browser, site, "papier", width)
    sign_in(j.page, site.accounts.prescriber)
    register(j, "Marcel", "Blanc")
    issue(j, 9)
    j.see("prescripteur-carnet")
    pdf = j.download_pdf()
    images = j.pdf_images(pdf, "carnet")
    assert len(images) == 4  # the cover, 8 + 1 vouchers, then the places of the person's EPCI
    pages = pdf_words(pdf, tmp_path)
    cover = " ".join(w for *_, w in pages[0])
    assert REFERENCE.search(cover) and "Comment utiliser vos chèques" in cover and "Valables jusqu'au" in cover
    assert "Où utiliser vos chèques près de chez vous" in " ".join(w for *_, w in pages[3])
    pages = pages[:3]
    for page in pages[1:]:
        for x0, y0, x1, y1, word in page:
            col, row = int((x0 / MM - MARGIN) // W), int((y0 / MM - MARGIN) // H)
            assert 0 <= col < COLS and 0 <= row < ROWS, word
            left, top = (MARGIN + col * W + 1) * MM, (MARGIN + row * H + 1) * MM
            assert left <= x0 and x1 <= left + (W - 2) * MM, f"« {word} » crosses its voucher's cut line"
            assert top <= y0 and y1 <= top + (H - 2) * MM, f"« {word} » runs below its voucher"
    vouchers = " ".join(w for page in pages[1:] for *_, w in page)
    assert vouchers.count("Financé") == 9 and vouchers.count("téléphone.") == 9
    assert "gratter" not in vouchers
    serial, code = VOUCHER.findall("\n".join(pdf_pages(pdf)))[0]
    sign_out(j)

    sign_in(j.page, site.accounts.structure)
    form = j.page.locator("form", has_text="Encaisser").first.inner_text()
    assert "gratter" not in form and "Code secret" in form, "the redeem page names what is printed"
    j.see("structure-encaissement")
    j.page.get_by_label("Numéro du chèque").fill(serial.lower())
    j.page.get_by_label("Code de vérification").fill(code)
    j.page.get_by_role("button", name="Encaisser").click()
    j.page.wait_for_load_state()
    assert "Chèque encaissé" in j.page.get_by_role("status").inner_text()
    j.see("structure-encaisse")
    j.close()


# -- finding 4: validity people can use -----------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_a_book_lasts_when_it_can_and_says_so_when_it_cannot(site, browser, width):
    ledger, w = site.ledger, site.world
    today = paris_today()  # the server's day
    ending = today + timedelta(days=25)
    s.commitment(ledger, amount_cents=10_000, valid_until=ending, priority=1, publics=["senior"], reference="FIN")
    j = Journey(browser, site, "validite", width)
    sign_in(j.page, site.accounts.prescriber)
    register(j, "Josette", "Chabert")
    issue(j, 2)
    assert j.page.locator(".notice.warning").count() == 0
    text = j.page.locator("table").inner_text()
    assert "2027" in text or "2028" in text, "funded by the commitment that lasts, not the one ending in 25 days"
    j.see("carnet-durable")

    # The lasting commitment is spent (other people, other publics); only the ending one is left.
    spent = s.beneficiary(ledger, w.prescriber_actor, publics=["rsa"])
    left = ledger.reconciliation(s.ADMIN, "DEPT26").commitments
    lasting = next(c for c in left if c.reference == "CONV-2026-01")
    while lasting.available_cents:
        count = min(20, lasting.available_cents // 100_000) or 1
        value = min(100_000, lasting.available_cents // count)
        ledger.issue_book(
            w.prescriber_actor, s.t.NewChequeBook(beneficiary_id=spent.id, count=count, face_value_cents=value)
        )
        lasting = next(c for c in ledger.reconciliation(s.ADMIN, "DEPT26").commitments if c.reference == "CONV-2026-01")

    register(j, "Paulette", "Roux")
    issue(j, 2)
    warning = j.page.locator("#avertissement-short-validity").inner_text()
    assert "moins de 90 jours" in warning
    j.see("carnet-court-averti")
    cover = pdf_pages(j.download_pdf())[0]
    assert "utilisez vos chèques avant le" in cover
    j.close()


# -- finding 7: French on French screens ------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_screens_and_papers_speak_french(site, browser, width):
    ledger = site.ledger
    today = paris_today()
    first_of_month = date(today.year + (today.month + 3) // 12, (today.month + 3) % 12 + 1, 1)
    s.commitment(ledger, amount_cents=10_000, valid_until=first_of_month, priority=1, reference="PREMIER")
    j = Journey(browser, site, "francais", width)
    sign_in(j.page, site.accounts.prescriber)
    register(j, "Josette", "Chabert", year="1948")
    facts = j.page.locator("dl.facts").inner_text()
    assert "75 ans et plus" in facts and "75_plus" not in facts
    j.see("prescripteur-fiche")
    issue(j, 1)
    assert (
        f"1er {['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][first_of_month.month - 1]}"
        in j.page.locator("table").inner_text()
    )
    j.see("prescripteur-carnet")
    sign_out(j)

    sign_in(j.page, site.accounts.observatory)
    j.page.goto("/observatoire?du=2026-06-01&au=2026-01-01")
    shown = j.page.locator("main").inner_text()
    assert "La date de fin de la période ne peut précéder sa date de début" in shown and "`" not in shown
    j.see("observatoire-periode")
    sign_out(j)

    sign_in(j.page, site.accounts.funder)
    statement = "\n".join(pdf_pages(j.download_pdf("a[href^='/financeur/releve.pdf']")))
    assert "GET /v1" not in statement and "Journal" in statement
    sign_out(j)

    sign_in(j.page, site.accounts.admin)
    j.page.goto("/admin/comptes")
    j.page.get_by_label("Rôle de la clé").select_option("funder")
    j.page.get_by_role("button", name="Créer la clé").click()  # no funder chosen
    j.page.wait_for_load_state()
    alert = j.page.get_by_role("alert").inner_text()
    assert "org :" not in alert and "Organisation" in alert
    j.see("admin-compte-refuse")
    j.close()


# -- finding 8: serials people can read aloud and type on a phone -------------------------------------------


def crockford_check(body: str) -> str:
    """The check character serials had before issue 18, written here independently: base 32 value mod 37."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"
    return alphabet[sum(alphabet.index(c) * 32**i for i, c in enumerate(reversed(body))) % 37]


@pytest.mark.parametrize("width", WIDTHS)
def test_serials_end_with_a_letter_or_digit_and_old_ones_still_work(site, browser, width, monkeypatch):
    ledger, w = site.ledger, site.world
    # A cheque printed before the change: its serial's check character is a symbol of the old system.
    body = "00000010"  # 32 in base 32: 32 mod 37 was the symbol *
    old_serial = f"{body[:4]}-{body[4:]}-*"
    assert crockford_check(body) == "*"
    monkeypatch.setattr("ledger.cheque_commands.new_serial", lambda: old_serial)
    old = s.book(ledger, w, count=1).cheques[0]
    monkeypatch.undo()
    assert old.serial == old_serial

    j = Journey(browser, site, "numeros", width)
    sign_in(j.page, site.accounts.prescriber)
    j.page.goto(f"/prescripteur/beneficiaires/{w.beneficiary.id}")
    issue(j, 20)
    issue_text = j.page.locator("table").inner_text()
    j.see("prescripteur-carnet")
    pdf_text = "\n".join(pdf_pages(j.download_pdf()))
    j.page.goto(f"/prescripteur/beneficiaires/{w.beneficiary.id}")
    issue(j, 20)
    issue_text += j.page.locator("table").inner_text()
    serials = ANY_SERIAL.findall(issue_text)
    assert len(serials) == 40
    assert all(NEW_SERIAL.fullmatch(serial) for serial in serials), [x for x in serials if not NEW_SERIAL.fullmatch(x)]
    printed = [serial for serial, _ in VOUCHER.findall(pdf_text)]
    assert len(printed) == 20 and all(NEW_SERIAL.fullmatch(serial) for serial in printed)
    sign_out(j)

    sign_in(j.page, site.accounts.structure)
    j.page.get_by_label("Numéro du chèque").fill(old.serial.lower().replace("-", " "))
    j.page.get_by_label("Code de vérification").fill(old.code)
    j.page.get_by_role("button", name="Encaisser").click()
    j.page.wait_for_load_state()
    assert "Chèque encaissé" in j.page.get_by_role("status").inner_text()
    j.see("structure-ancien-numero")
    j.close()


# -- smaller ones: every faulty field, next to it; a ceiling on a cheque's value ----------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_form_names_every_faulty_field_next_to_it(site, browser, width):
    j = Journey(browser, site, "formulaires", width)
    sign_in(j.page, site.accounts.prescriber)
    j.page.goto("/prescripteur/nouveau")
    j.page.locator("form.card").evaluate("f => f.noValidate = true")  # as a browser that checks nothing
    j.page.get_by_label("Prénom").fill("Josette")
    j.page.get_by_label("Nom", exact=True).fill("Chabert")
    j.page.get_by_label("Année de naissance").fill("58")
    j.page.get_by_label("Commune de résidence").select_option(s.VALENCE)
    j.page.get_by_label("E-mail").fill("pas-une-adresse")
    j.page.get_by_role("button", name="Inscrire").click()
    j.page.wait_for_load_state()
    assert "2 champs sont à corriger" in j.page.get_by_role("alert").inner_text()
    year = j.page.get_by_label("Année de naissance")
    assert year.get_attribute("aria-invalid") == "true"
    assert "quatre chiffres" in j.page.locator("#f-birth_year-error").inner_text()
    assert j.page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
    assert "adresse complète" in j.page.locator("#f-email-error").inner_text()
    assert j.page.get_by_label("Prénom").input_value() == "Josette", "what was typed is kept"
    j.see("inscription-refusee")

    j.page.goto(f"/prescripteur/beneficiaires/{site.world.beneficiary.id}")
    j.page.locator("form.card").first.evaluate("f => f.noValidate = true")
    issue(j, 0, "5000")
    assert "2 champs sont à corriger" in j.page.get_by_role("alert").inner_text()
    assert "1\u202f000 €" in j.page.locator("#f-face_value-error").inner_text()
    assert j.page.locator("#f-count-error").count() == 1
    j.see("carnet-refuse")
    j.close()
