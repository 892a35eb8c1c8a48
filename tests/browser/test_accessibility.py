"""axe-core on every main page of every role (and the sign-in page), at desktop width (1280 px) and on a
phone (390 px): no serious or critical violation; the keyboard reaches the skip link first; and no page
scrolls sideways at 390 and 320 px (RGAA 10.11, reflow). Screenshots of each page land in ``screenshots/``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ledger import types as t
from tests import scenario as s
from tests.browser.conftest import AXE, overflow, screenshot, sign_in, sign_out, small_chart_text

ROLES = ["prescriber", "structure", "funder", "observatory", "admin"]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def skip_link_first(page) -> bool:
    """The first Tab from the top of the page lands on the skip link."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    return page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"


def check(page, name: str, *, axe: bool = True, reflow: bool = False) -> list[str]:
    """One page as it stands: a screenshot, then axe's serious and critical findings and the skip link,
    (``reflow``) whether it scrolls sideways, and whether its charts' words are big enough to read."""
    screenshot(page, name)
    found = []
    if reflow and (wide := overflow(page)):
        found.append(wide)
    if small := small_chart_text(page):
        found.append(small)
    if axe:
        found += violations(page)
        if not skip_link_first(page):
            found.append(f"{page.url}: the first focusable element is not the skip link « Aller au contenu »")
    return found


def lending(site) -> None:
    """Something in every lending table: a source, devices (one lent), a loan, so the wide rows are there."""
    ledger, w = site.ledger, site.world
    lender = t.Actor(role="structure", org=str(w.structure.id))
    source = ledger.register_source(
        lender, t.NewEquipmentSource(name="Entreprise Donatrice de Valence", kind="company", commune_insee=s.VALENCE)
    )
    today = ledger.today()
    for i in range(2):
        device = ledger.receive_device(
            lender,
            t.NewDevice(source_id=source.id, kind="laptop", serial_number=f"SN-{i}-ABCDEFGHIJ", received_on=today),
        )
        ledger.refurbish_device(lender, str(device.id), t.Refurbishment(grade="A", refurbished_on=today))
    ledger.sign_loan(
        lender,
        t.NewLoan(
            device_id=device.id,
            beneficiary_id=w.beneficiary.id,
            start_on=today,
            due_on=today + timedelta(days=90),
            monthly_fee_cents=500,
            deposit_cents=3000,
        ),
    )


def nav_links(page) -> list[str]:
    return [a.get_attribute("href") for a in page.locator('nav[aria-label="Menu principal"] a').all()]


def test_axe_does_flag_a_bad_page(site, browser):
    """The check can fail: an unlabelled field and grey-on-grey text are serious violations."""
    page = site.page(browser, bypass_csp=True)
    page.goto("/connexion")
    page.set_content(
        '<html lang="fr"><title>x</title><main><input type="text">'
        '<p style="color:#aaa;background:#bbb">illisible</p></main></html>'
    )
    found = " ".join(violations(page))
    assert "label" in found and "color-contrast" in found
    page.context.close()


def test_sign_in_page(site, browser):
    page = site.page(browser, bypass_csp=True)
    page.goto("/connexion")
    assert violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"
    page.get_by_label("Adresse e-mail").fill(site.accounts.funder)
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    assert "incorrect" in page.get_by_role("alert").inner_text()
    assert violations(page) == []
    screenshot(page, "connexion")
    page.context.close()


WIDTHS = {1280: "", 390: "-390", 320: "-320"}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role(site, browser, role, width):
    """axe at 1280 and 390 px (at 390 px a table that scrolls is a region the keyboard must reach,
    which axe cannot see at desktop width); no sideways scrolling at 390 and 320 px."""
    ledger, w = site.ledger, site.world
    s.book(ledger, w, count=2)  # the prescriber's person has cheques; the funder has postings
    lending(site)
    key = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="funder", org="DEPT26"))  # the admin's list of keys
    page = site.page(browser, bypass_csp=True, width=width)
    sign_in(page, getattr(site.accounts, role))
    found = []
    links = nav_links(page)
    assert links, "every role has a menu"
    extra = {
        "prescriber": [f"/prescripteur/beneficiaires/{w.beneficiary.id}"],
        "admin": [
            f"/structure/releve?structure={w.structure.id}",
            "/financeur?code=DEPT26",
            f"/admin/effacement?beneficiaire={w.beneficiary.id}",
            f"/admin/comptes/cles/{key.id}/revocation",
        ],
    }.get(role, [])
    for href in [*links, *extra]:
        page.goto(href)
        assert page.title().endswith("Chèque numérique Drôme"), href
        assert page.locator("h1").count() == 1, f"{href}: one main heading"
        path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "fiche", href.split("?")[0])
        name = re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "accueil"
        found += check(page, f"{role}-{name}{WIDTHS[width]}", axe=width != 320, reflow=width != 1280)
    assert found == [], "\n".join(found)
    page.context.close()


def test_pages_that_answer_a_form(site, browser):
    """Pages reached only through a form or a wrong address: the printed book, a refused and an accepted
    redemption, a new API key, the error page."""
    ledger, w = site.ledger, site.world
    cheque = s.book(ledger, w, count=1).cheques[0]
    page = site.page(browser, bypass_csp=True)
    found = []

    sign_in(page, site.accounts.prescriber)
    page.goto(f"/prescripteur/beneficiaires/{w.beneficiary.id}")
    page.get_by_label("Nombre de chèques").fill("1")
    page.get_by_role("button", name="Émettre et imprimer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Carnet émis"
    found += check(page, "prescriber-carnet-emis")
    page.goto("/prescripteur/beneficiaires/00000000-0000-4000-8000-000000000000")
    assert page.get_by_role("alert").count() == 1, "an unknown person's page says so in an alert"
    found += check(page, "prescriber-erreur")
    sign_out(page)

    sign_in(page, site.accounts.structure)
    page.get_by_label("Numéro du chèque").fill(cheque.serial)
    page.get_by_label("Code de vérification").fill("WWWWWW")
    page.get_by_role("button", name="Encaisser").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() == 1
    found += check(page, "structure-encaissement-refuse")
    page.get_by_label("Numéro du chèque").fill(cheque.serial)
    page.get_by_label("Code de vérification").fill(cheque.code)
    page.get_by_role("button", name="Encaisser").click()
    page.wait_for_load_state()
    assert "Chèque encaissé" in page.get_by_role("status").inner_text()
    found += check(page, "structure-encaissement-fait")
    sign_out(page)

    sign_in(page, site.accounts.admin)
    page.goto("/admin/comptes")
    page.get_by_label("Rôle de la clé").select_option("observatory")
    page.get_by_role("button", name="Créer la clé").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Clé d'API créée"
    found += check(page, "admin-cle-creee")
    assert found == [], "\n".join(found)
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_public_pages(site, browser, width):
    """The accessibility statement and the legal notice, reached from the sign-in page's footer."""
    page = site.page(browser, bypass_csp=True, width=width)
    found = []
    for link, name in [("Accessibilité : partiellement conforme", "accessibilite"), ("Mentions légales", "mentions")]:
        page.goto("/connexion")
        page.locator("footer").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        found += check(page, f"public-{name}{WIDTHS[width]}", axe=width != 320, reflow=width != 1280)
    assert found == [], "\n".join(found)
    page.context.close()
