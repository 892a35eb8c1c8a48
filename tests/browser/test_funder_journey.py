"""A funder's journey, at desktop width and on a phone: its balances (one readable chart each), what its
money paid for (sessions, people, places, EPCI), the journal naming each structure, and its CSV. axe-core,
the width check and the chart words' size on every page; screenshots in ``screenshots/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import types as t
from tests import scenario as s
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import check


@pytest.mark.parametrize("width", [1280, 390])
def test_the_funder_sees_what_its_money_did(site, browser, width):
    ledger, w = site.ledger, site.world
    for i in range(6):
        b = s.beneficiary(ledger, w.prescriber_actor, first_name=f"P{i}")
        c = ledger.issue_book(
            w.prescriber_actor, t.NewChequeBook(beneficiary_id=b.id, count=1, face_value_cents=1500)
        ).cheques[0]
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, ledger.today()))
    suffix = "" if width == 1280 else f"-{width}"
    page = site.page(browser, bypass_csp=True, width=width)
    sign_in(page, site.accounts.funder)
    found = check(page, f"financeur-01-soldes{suffix}", reflow=True)
    assert page.locator("figure.multiple svg.chart:visible").count() == 4, "one visible chart per balance"

    page.get_by_role("link", name="Ce que l'argent a payé").click()
    page.wait_for_load_state()
    found += check(page, f"financeur-02-resultats{suffix}", reflow=True)
    assert page.locator("#seances").inner_text() == "6" and page.locator("#personnes").inner_text() == "6"
    assert "Fab'At Valence" in page.locator("table").first.inner_text()
    assert "CA Valence Romans Agglo" in page.locator("table").nth(1).inner_text()

    page.get_by_role("link", name="Journal").first.click()
    page.wait_for_load_state()
    found += check(page, f"financeur-03-journal{suffix}", reflow=True)
    assert "Fab'At Valence" in page.locator("table").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    header = Path(download.value.path()).read_text("utf-8-sig").splitlines()[0]
    assert header.endswith(";Structure;Nom de la structure")
    assert found == [], "\n".join(found)
    page.context.close()
