"""The statement's settlements, now read from rows, give every door the same answer as when they were completed
from the ``Settlement`` aggregates: the API's JSON and CSV, the API's PDF, and the page « Relevé » with its CSV
and PDF (both backends). Two structures in one run, executed; a change of bank details; a run still ordered."""

from __future__ import annotations

import io
from datetime import date

import msgspec
from pypdf import PdfReader

from domain.bank_accounts import mask_iban
from ledger import types as t
from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.web import sign_in
from tests.integration.test_statement_settlements import from_aggregates


def everything(client, key: str, sid: str) -> dict[str, object]:
    """What each door answers for February, for the structure: JSON, CSV, the PDFs' text, the page."""
    url = f"/v1/structures/{sid}/statement"
    period = "from=2026-02-01&to=2026-02-28"
    pdfs = {
        "api pdf": client.get(f"{url}.pdf?{period}", headers=bearer(key)),
        "page pdf": client.get("/structure/releve.pdf?du=2026-02-01&au=2026-02-28"),
    }
    for answer in pdfs.values():
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    return {
        "json": client.get(f"{url}?{period}", headers=bearer(key)).json(),
        "api csv": client.get(f"{url}?{period}&format=csv", headers=bearer(key)).content,
        "page": client.get("/structure/releve?du=2026-02-01&au=2026-02-28").text,
        "page csv": client.get("/structure/releve.csv?du=2026-02-01&au=2026-02-28").content,
        **{
            name: "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
            for name, answer in pdfs.items()
        },
    }


def test_every_door_shows_the_settlements_as_the_aggregates_did(client, accounts, ledger_world, stamped, monkeypatch):
    ledger, w, k = ledger_world
    sid = str(w.structure.id)
    second = s.structure(ledger, "Espace numérique de Crest", bank=False)
    s.bank_account(ledger, str(second.id), 5)
    other = t.Actor(role="structure", org=str(second.id))
    stamped.today = date(2026, 2, 2)
    cheques = s.book(ledger, w, count=5).cheques
    stamped.today = date(2026, 2, 9)
    for c in cheques[:2]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 2, 9)))
    ledger.redeem(other, s.redemption(cheques[2].serial, cheques[2].code, date(2026, 2, 9)))
    stamped.today = date(2026, 2, 10)
    both = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 9)))
    assert len(both.lines) == 2
    stamped.today = date(2026, 2, 12)
    ledger.record_execution(
        s.ADMIN, str(both.id), t.NewExecution(executed_on=date(2026, 2, 11), bank_reference="BQ-0211")
    )
    ledger.submit_bank_details(w.structure_actor, sid, t.NewBankDetails(holder="Association titulaire", iban=s.iban(7)))
    ledger.approve_bank_details(s.ADMIN, sid)
    stamped.today = date(2026, 2, 16)
    ledger.redeem(w.structure_actor, s.redemption(cheques[3].serial, cheques[3].code, date(2026, 2, 16)))
    later = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 16)))
    stamped.today = date(2026, 3, 2)
    sign_in(client, accounts.structure)

    now = everything(client, k.structure, sid)
    settlements = now["json"]["settlements"]  # type: ignore[index]
    assert [(x["settlement_id"], x["payment_status"], x["iban_masked"]) for x in settlements] == [
        (str(both.id), "executed", mask_iban(s.iban(1))),
        (str(later.id), "ordered", mask_iban(s.iban(7))),
    ]
    assert settlements[0]["bank_reference"] == "BQ-0211" and settlements[0]["executed_on"] == "2026-02-11"
    for shown in ("page", "api pdf", "page pdf"):
        assert all(x["end_to_end_id"] in now[shown] for x in settlements), shown  # type: ignore[operator]
    for shown in ("page", "api csv", "page csv"):
        text = now[shown] if isinstance(now[shown], str) else now[shown].decode("utf-8-sig")  # type: ignore[union-attr]
        assert mask_iban(s.iban(1)) in text and mask_iban(s.iban(7)) in text, shown
        assert ("payé le 11" if shown == "page" else "BQ-0211") in text, shown  # the page says the day only

    # the same doors, the settlements completed from their aggregates as the statement did before
    real = ledger.period_statement

    def from_the_aggregates(actor, structure_id, *args, **kwargs):
        out = real(actor, structure_id, *args, **kwargs)
        return msgspec.structs.replace(out, settlements=from_aggregates(ledger, structure_id, out.settlements))

    monkeypatch.setattr(ledger, "period_statement", from_the_aggregates)
    assert everything(client, k.structure, sid) == now
