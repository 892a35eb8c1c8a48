"""The smaller pages of issue 18: a suspended structure is told so on its home page; the accessibility
statement and the legal notice are public and linked from every page's footer."""

from __future__ import annotations

from ledger import types as t
from tests import scenario as s
from tests.e2e.web import sign_in


def test_a_suspended_structure_sees_a_notice_on_its_home_page(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    sign_in(client, accounts.structure)
    assert 'id="suspendue"' not in client.get("/structure").text
    ledger.change_accreditation(s.ADMIN, str(w.structure.id), t.AccreditationChange(reason="Contrôle"), False)
    page = client.get("/structure").text
    assert 'id="suspendue"' in page and "Votre structure est suspendue" in page


def test_the_accessibility_statement_and_legal_notice_are_public_and_in_every_footer(client, accounts):
    statement = client.get("/accessibilite")
    assert statement.status_code == 200
    assert "Déclaration d'accessibilité" in statement.text and "partiellement conforme" in statement.text
    assert "RGAA" in statement.text and "Défenseur des droits" in statement.text
    assert client.get("/mentions-legales").status_code == 200
    for path in ["/connexion", "/accessibilite"]:
        footer = client.get(path).text.split('<footer class="site-footer">')[1]
        assert 'href="/accessibilite"' in footer and 'href="/mentions-legales"' in footer and "Contact" in footer
    sign_in(client, accounts.funder)
    assert 'href="/accessibilite"' in client.get("/financeur").text.split("<footer")[1]
