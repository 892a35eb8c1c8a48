"""axe-core on every main page of every role (and the sign-in page): no serious or critical violation;
the keyboard reaches the skip link first. Screenshots of each page land in ``screenshots/``."""

from __future__ import annotations

import re

import pytest

from tests import scenario as s
from tests.browser.conftest import AXE, screenshot, sign_in

ROLES = ["prescriber", "structure", "funder", "observatory", "admin"]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n['target']) for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def nav_links(page) -> list[str]:
    return [a.get_attribute("href") for a in page.locator('nav[aria-label="Menu principal"] a').all()]


def test_axe_does_flag_a_bad_page(site, browser):
    """The check can fail: an unlabelled field and grey-on-grey text are serious violations."""
    page = site.page(browser, bypass_csp=True)
    page.goto("/connexion")
    page.set_content('<html lang="fr"><title>x</title><main><input type="text">'
                     '<p style="color:#aaa;background:#bbb">illisible</p></main></html>')
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


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role(site, browser, role):
    ledger, w = site.ledger, site.world
    s.book(ledger, w, count=2)  # the prescriber's person has cheques; the funder has postings
    page = site.page(browser, bypass_csp=True)
    sign_in(page, getattr(site.accounts, role))
    found = []
    links = nav_links(page)
    assert links, "every role has a menu"
    extra = {
        "prescriber": [f"/prescripteur/beneficiaires/{w.beneficiary.id}"],
        "admin": [f"/structure/releve?structure={w.structure.id}", "/financeur?code=DEPT26"],
    }.get(role, [])
    for href in [*links, *extra]:
        page.goto(href)
        assert page.title().endswith("Chèque numérique Drôme"), href
        assert page.locator("h1").count() == 1, f"{href}: one main heading"
        found += violations(page)
        path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "fiche", href.split("?")[0])
        name = re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "accueil"
        screenshot(page, f"{role}-{name}")
    assert found == [], "\n".join(found)
    page.context.close()
