"""Payment pages over HTTP: the structure's bank details form and payments, the admin's fund account,
approvals (four eyes), settlement → order (XML) → execution, and the notices."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from api.web.render import euros
from tests import scenario as s
from tests.e2e.test_pages_admin import admin_client, check_accessible, redeemed_world
from tests.e2e.web import post_form, sign_in

NEW_IBAN = "FR76 3000 4000 0100 0000 0000 427"


def test_a_structure_changes_its_bank_details_and_the_admin_approves_them(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    sign_in(client, accounts.structure)
    page = client.get("/structure/paiements")
    assert page.status_code == 200 and "FR76 **** **** **** **** *** 0136" in page.text and "validé" in page.text
    check_accessible(page.text)
    bad = post_form(
        client,
        "/structure/paiements/coordonnees",
        "/structure/paiements",
        {"holder": "Fab'At", "iban": "FR7630004000010000000000428"},
    )
    assert bad.status_code == 400 and "IBAN invalide" in bad.text and "0000000000428" not in bad.text
    done = post_form(
        client, "/structure/paiements/coordonnees", "/structure/paiements", {"holder": "Fab'At", "iban": NEW_IBAN}
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "en attente de validation" in page and "*** 0427" in page and "0000 0000 0427" not in page
    # The admin sees it waiting, masked, and approves it.
    admin_client(client, accounts)
    waiting = client.get("/admin/paiements")
    check_accessible(waiting.text)
    assert "*** 0427" in waiting.text and "Fab&#39;At Valence" in waiting.text
    ok = post_form(client, "/admin/paiements/validation", "/admin/paiements", {"structure_id": str(w.structure.id)})
    assert ok.status_code == 303 and "validées" in client.get(ok.headers["location"]).text
    assert ledger.bank_account(s.ADMIN, str(w.structure.id)).iban == NEW_IBAN.replace(" ", "")


def test_an_admin_cannot_approve_details_it_typed_itself(client, accounts, ledger_world):
    ledger, w, _ = ledger_world
    admin_client(client, accounts)
    path = f"/structure/paiements?structure={w.structure.id}"
    typed = post_form(
        client,
        f"/structure/paiements/coordonnees?structure={w.structure.id}",
        path,
        {"holder": "Fab'At", "iban": NEW_IBAN},
    )
    assert typed.status_code == 303
    before = ledger.position()
    refused = post_form(
        client, "/admin/paiements/validation", "/admin/paiements", {"structure_id": str(w.structure.id)}
    )
    assert refused.status_code == 409 and "autre personne" in refused.text and ledger.position() == before


def test_settle_download_the_order_execute_and_read_the_notice(client, accounts, ledger_world, clock):
    ledger, w, _ = ledger_world
    redeemed_world(ledger, w, clock)
    admin_client(client, accounts)
    fund = post_form(
        client,
        "/admin/paiements/compte-du-fonds",
        "/admin/paiements",
        {"holder": "Fonds", "iban": s.FUND_IBAN, "bic": s.FUND_BIC},
    )
    assert fund.status_code == 303
    preview_url = "/admin/operations?jusquau=2026-03-12"
    client.get(preview_url)
    done = post_form(
        client,
        "/admin/operations/remboursement",
        preview_url,
        {"through": "2026-03-12", "count": "3", "total_cents": "6000"},
    )
    detail_url = done.headers["location"].split("?")[0]
    detail = client.get(detail_url)
    check_accessible(detail.text)
    assert f'id="montant">{euros(6000)}<' in detail.text and "ordonnancé" in detail.text
    xml = client.get(f"{detail_url}/ordre-de-virement.xml")
    assert xml.status_code == 200 and b"pain.001.001.09" in xml.content and b"<CtrlSum>60.00</CtrlSum>" in xml.content
    future = post_form(
        client, f"{detail_url}/execution", detail_url, {"executed_on": "2026-03-17", "bank_reference": "BQ-1"}
    )
    assert future.status_code == 400
    executed = post_form(
        client, f"{detail_url}/execution", detail_url, {"executed_on": "2026-03-16", "bank_reference": "BQ-77"}
    )
    assert executed.status_code == 303
    assert "payé le 16 mars 2026" in client.get(executed.headers["location"]).text
    assert "payé le 16 mars 2026" in client.get("/admin/paiements").text
    # The structure sees it paid and downloads its notice.
    sign_in(client, accounts.structure)
    mine = client.get("/structure/paiements").text
    assert "payé le 16 mars 2026" in mine and f'id="paye">{euros(4000)}<' in mine
    settlement_id = re.search(r"/structure/paiements/([0-9a-f-]{36})/avis", mine).group(1)
    pdf = client.get(f"/structure/paiements/{settlement_id}/avis")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Avis de paiement" in text and "payé le 16/03/2026" in text and "40,00 euros" in text
    assert client.get(f"/admin/paiements/{settlement_id}").status_code == 403, "admin pages stay the admin's"
