"""Money reaches structures, through HTTP: bank details with four eyes, settlements that pay only active
accounts, the SEPA order (validated against the pain.001.001.09 XSD that sepaxml ships), execution, notices."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import sepaxml
import xmlschema
from pypdf import PdfReader

from ledger import types as t
from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.test_http_flow import problem

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
NEW_IBAN = "FR76 3000 4000 0100 0000 0000 233"


def redeem_some(ledger, w, count: int = 3, face_value_cents: int = 1250) -> list[str]:
    book = s.book(ledger, w, count=count, face_value_cents=face_value_cents)
    for c in book.cheques:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 3, 16)))
    return [c.serial for c in book.cheques]


def test_bank_details_four_eyes_masked_and_history(client, ledger_world):
    ledger, w, k = ledger_world
    sid = str(w.structure.id)
    path = f"/v1/structures/{sid}/bank-account"
    second_admin = ledger.create_api_key(s.ADMIN, t.NewApiKey(role="admin")).key
    # The structure changes its (active) account: back to pending.
    r = client.post(path, json={"holder": "Fab'At", "iban": NEW_IBAN}, headers=bearer(k.structure))
    assert r.status_code == 202 and r.json() == {"status": "pending"}
    mine = client.get(path, headers=bearer(k.structure)).json()
    assert mine["status"] == "pending" and mine["iban"] is None
    assert mine["iban_masked"] == "FR76 **** **** **** **** *** 0136" and mine["pending_iban_masked"].endswith(" 0233")
    assert [h["what"] for h in mine["history"]] == ["submitted", "approved", "submitted"]
    # Another structure may neither read nor submit it.
    problem(client.get(path, headers=bearer(k.other_structure)), 403, "forbidden")
    problem(
        client.post(path, json={"holder": "X", "iban": NEW_IBAN}, headers=bearer(k.other_structure)), 403, "forbidden"
    )
    # An admin submits a change: that same admin cannot approve it; another admin can.
    client.post(path, json={"holder": "Fab'At", "iban": NEW_IBAN, "bic": "BNPAFRPP"}, headers=bearer(k.admin))
    before = ledger.position()
    body = problem(client.post(f"{path}/approval", headers=bearer(k.admin)), 409, "four-eyes")
    assert "autre personne" in body["detail"] and ledger.position() == before, "nothing changed"
    r = client.post(f"{path}/approval", headers=bearer(second_admin))
    assert r.status_code == 200 and r.json() == {"status": "active"}
    seen = client.get(path, headers=bearer(k.admin)).json()
    assert seen["status"] == "active" and seen["iban"] == NEW_IBAN.replace(" ", "") and seen["bic"] == "BNPAFRPP"
    assert seen["history"][-1]["by"] != seen["history"][-2]["by"]
    problem(client.post(f"{path}/approval", headers=bearer(second_admin)), 409, "nothing-pending")


def test_invalid_iban_and_bic_are_refused_without_echo(client, ledger_world):
    ledger, w, k = ledger_world
    path = f"/v1/structures/{w.structure.id}/bank-account"
    before = ledger.position()
    bad_iban = "FR7630004000010000000000234"  # one digit off: the checksum fails
    body = problem(
        client.post(path, json={"holder": "Fab'At", "iban": bad_iban, "bic": "AGRIZZPP"}, headers=bearer(k.structure)),
        400,
        "validation-error",
    )
    assert {e["field"] for e in body["errors"]} == {"iban", "bic"}
    assert bad_iban not in r_text(body) and "AGRIZZPP" not in r_text(body), "no value repeated"
    body = problem(
        client.put(
            "/v1/fund/bank-account", json={"holder": "Fonds", "iban": "GB82WEST1234569876543X"}, headers=bearer(k.admin)
        ),
        400,
        "validation-error",
    )
    assert ledger.position() == before, "nothing recorded"
    problem(
        client.put(
            "/v1/fund/bank-account",
            json={"holder": "F", "iban": s.FUND_IBAN, "bic": s.FUND_BIC},
            headers=bearer(k.structure),
        ),
        403,
        "forbidden",
    )


def r_text(body: dict) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)


def test_settle_order_validates_execute_and_notices(client, ledger_world):
    ledger, w, k = ledger_world
    admin = bearer(k.admin)
    serials = redeem_some(ledger, w, count=3, face_value_cents=1250)
    # The other structure redeems too, but has no bank account: held.
    no_order = client.post("/v1/settlements", json={"through": "2026-01-01"}, headers=admin).json()
    assert no_order["lines"] == [] and no_order["payment_status"] == "ordered"
    problem(client.get(f"/v1/settlements/{no_order['id']}/payment-order.xml", headers=admin), 409, "nothing-to-pay")
    # A stale preview: 409, nothing paid.
    before = ledger.position()
    body = problem(
        client.post("/v1/settlements", json={"through": "2026-03-16", "expected_total_cents": 2500}, headers=admin),
        409,
        "settlement-changed",
    )
    assert "rien n'a été payé" in body["detail"] and ledger.position() == before
    r = client.post("/v1/settlements", json={"through": "2026-03-16", "expected_total_cents": 3750}, headers=admin)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["total_cents"] == 3750 and run["held"] == [] and run["payment_status"] == "ordered"
    sid = run["id"]
    # No fund account yet: the order cannot be written.
    problem(client.get(f"/v1/settlements/{sid}/payment-order.xml", headers=admin), 409, "fund-account-missing")
    r = client.put(
        "/v1/fund/bank-account",
        json={"holder": "Fonds chèque numérique", "iban": s.FUND_IBAN, "bic": s.FUND_BIC},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = client.get(f"/v1/settlements/{sid}/payment-order.xml", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    xmlschema.XMLSchema(str(XSD)).validate(r.content.decode())  # the official schema, as sepaxml ships it
    doc = ET.fromstring(r.content)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "1"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "37.50"
    assert doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == s.FUND_IBAN
    tx = doc.find(".//p:CdtTrfTxInf", NS)
    assert tx.findtext("p:Amt/p:InstdAmt", namespaces=NS) == "37.50"
    assert tx.find("p:Amt/p:InstdAmt", NS).get("Ccy") == "EUR"
    assert tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == s.iban(1)
    assert tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS) == run["lines"][0]["end_to_end_id"]
    assert sid.replace("-", "")[:8].upper() in tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS)
    # The structure's notice: each cheque, with its serial, session date and amount, and the masked account.
    notice = client.get(f"/v1/settlements/{sid}/notices/{w.structure.id}.pdf", headers=bearer(k.structure))
    assert notice.status_code == 200 and notice.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(notice.content)).pages)
    assert "Avis de paiement" in text and "16/03/2026" in text and "37,50 euros" in text and "ordonnancé" in text
    assert all(serial in text for serial in serials) and s.iban(1) not in text and "0136" in text
    problem(
        client.get(f"/v1/settlements/{sid}/notices/{w.structure.id}.pdf", headers=bearer(k.other_structure)),
        403,
        "forbidden",
    )
    # Execution: not in the future, then recorded once.
    problem(
        client.post(
            f"/v1/settlements/{sid}/execution",
            json={"executed_on": "2026-03-17", "bank_reference": "BQ-1"},
            headers=admin,
        ),
        400,
        "validation-error",
    )
    r = client.post(
        f"/v1/settlements/{sid}/execution",
        json={"executed_on": "2026-03-16", "bank_reference": "BQ-2026-0042"},
        headers=admin,
    )
    assert (
        r.status_code == 200
        and r.json()["payment_status"] == "executed"
        and r.json()["bank_reference"] == "BQ-2026-0042"
    )
    before = ledger.position()
    problem(
        client.post(
            f"/v1/settlements/{sid}/execution",
            json={"executed_on": "2026-03-16", "bank_reference": "BQ-X"},
            headers=admin,
        ),
        409,
        "already-executed",
    )
    assert ledger.position() == before
    problem(
        client.post(
            f"/v1/settlements/{no_order['id']}/execution",
            json={"executed_on": "2026-03-16", "bank_reference": "BQ-X"},
            headers=admin,
        ),
        409,
        "nothing-to-pay",
    )
    # History, newest first, with cursor pagination; one settlement.
    page = client.get("/v1/settlements?limit=1", headers=admin).json()
    assert [x["id"] for x in page["items"]] == [sid] and page["next_cursor"]
    page2 = client.get(f"/v1/settlements?limit=1&cursor={page['next_cursor']}", headers=admin).json()
    assert [x["id"] for x in page2["items"]] == [no_order["id"]] and page2["next_cursor"] is None
    one = client.get(f"/v1/settlements/{sid}", headers=admin).json()
    assert one["executed_on"] == "2026-03-16" and one["payment_status"] == "executed"
    problem(client.get("/v1/settlements", headers=bearer(k.structure)), 403, "forbidden")
    # The statement and the reconciliation say paid (payé le …).
    st = client.get(f"/v1/structures/{w.structure.id}/statement", headers=bearer(k.structure)).json()
    assert (st["settled_cents"], st["executed_cents"], st["ordered_cents"]) == (3750, 3750, 0)
    assert st["payments"][0]["payment_status"] == "executed" and st["payments"][0]["executed_on"] == "2026-03-16"
    rec = client.get("/v1/funders/DEPT26/reconciliation", headers=admin).json()
    assert (rec["paid_cents"], rec["executed_cents"], rec["ordered_cents"], rec["balanced"]) == (3750, 3750, 0, True)
    executed = PdfReader(
        io.BytesIO(client.get(f"/v1/settlements/{sid}/notices/{w.structure.id}.pdf", headers=admin).content)
    )
    assert "payé le 16/03/2026" in executed.pages[0].extract_text()


def test_structures_without_active_account_are_held(client, ledger_world):
    ledger, w, k = ledger_world
    admin = bearer(k.admin)
    redeem_some(ledger, w, count=2, face_value_cents=1000)
    # The structure changes its IBAN: pending again, so its cheques are held.
    client.post(
        f"/v1/structures/{w.structure.id}/bank-account",
        json={"holder": "Fab'At", "iban": NEW_IBAN},
        headers=bearer(k.structure),
    )
    run = client.post("/v1/settlements", json={"through": "2026-03-16"}, headers=admin).json()
    assert run["lines"] == [] and run["total_cents"] == 0
    assert run["held"] == [{"structure_id": str(w.structure.id), "count": 2, "amount_cents": 2000}]
    st = client.get(f"/v1/structures/{w.structure.id}/statement", headers=bearer(k.structure)).json()
    assert (st["pending_cents"], st["settled_cents"]) == (2000, 0)
    rec = client.get("/v1/funders/DEPT26/reconciliation", headers=admin).json()
    assert (rec["redeemed_cents"], rec["paid_cents"], rec["balanced"]) == (2000, 0, True)
    client.post(f"/v1/structures/{w.structure.id}/bank-account/approval", headers=admin)
    run = client.post("/v1/settlements", json={"through": "2026-03-16"}, headers=admin).json()
    assert run["total_cents"] == 2000 and run["held"] == []
    again = client.post("/v1/settlements", json={"through": "2026-03-16"}, headers=admin).json()
    assert again["total_cents"] == 0, "nothing is paid twice"
