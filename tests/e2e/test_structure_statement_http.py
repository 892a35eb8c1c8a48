"""``GET /v1/structures/{id}/statement`` with a period, its CSV and its PDF, over HTTP (both backends)."""

from __future__ import annotations

import csv
import io
from datetime import date

from pypdf import PdfReader

from ledger import types as t
from tests import scenario as s
from tests.e2e.conftest import bearer


def test_a_period_as_json_csv_and_pdf(client, ledger_world, stamped):
    ledger, w, k = ledger_world
    sid = str(w.structure.id)
    url = f"/v1/structures/{sid}/statement"
    before = client.get(url, headers=bearer(k.structure)).json()
    stamped.today = date(2026, 2, 2)
    cheques = s.book(ledger, w, count=3).cheques
    stamped.today = date(2026, 2, 20)
    for c in cheques[:2]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 2, 19)))
    stamped.today = date(2026, 3, 2)
    settlement = ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 28)))
    ledger.redeem(w.structure_actor, s.redemption(cheques[2].serial, cheques[2].code, date(2026, 3, 2), "collective"))
    stamped.today = date(2026, 3, 16)

    # without parameters the v1 answer, with exactly its fields
    old = client.get(url, headers=bearer(k.structure)).json()
    assert set(old) == set(before) and old["redeemed_cents"] == 3000 and old["pending_cents"] == 1000

    march = client.get(f"{url}?from=2026-03-01&to=2026-03-31", headers=bearer(k.structure))
    assert march.status_code == 400 and march.json()["errors"][0]["field"] == "to"  # after today
    march = client.get(f"{url}?from=2026-03-01&to=2026-03-16&limit=1", headers=bearer(k.structure)).json()
    assert (march["from"], march["to"]) == ("2026-03-01", "2026-03-16")
    assert march["opening"] == {"due_cents": 2000, "paid_cents": 0}
    assert march["closing"] == {"due_cents": 1000, "paid_cents": 2000}
    assert [(x["serial"], x["session_kind"]) for x in march["redemptions"]] == [(cheques[2].serial, "collective")]
    assert march["next_cursor"] is None
    [paid] = march["settlements"]
    assert (paid["settlement_id"], paid["count"], paid["amount_cents"]) == (str(settlement.id), 2, 2000)
    assert paid["end_to_end_id"] == settlement.lines[0].end_to_end_id

    february = client.get(f"{url}?from=2026-02-01&to=2026-02-28&limit=1", headers=bearer(k.structure)).json()
    assert len(february["redemptions"]) == 1 and february["next_cursor"]
    rest = client.get(
        f"{url}?from=2026-02-01&to=2026-02-28&limit=1&cursor={february['next_cursor']}", headers=bearer(k.structure)
    ).json()
    assert {february["redemptions"][0]["serial"], rest["redemptions"][0]["serial"]} == {c.serial for c in cheques[:2]}
    assert rest["next_cursor"] is None

    backwards = client.get(f"{url}?from=2026-03-10&to=2026-03-01", headers=bearer(k.structure))
    assert backwards.status_code == 400
    assert backwards.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in backwards.json()["errors"]] == ["to"]
    assert client.get(f"{url}?from=2026-03-01", headers=bearer(k.other_structure)).status_code == 403
    assert client.get(f"{url}.pdf", headers=bearer(k.other_structure)).status_code == 403

    got = client.get(f"{url}?from=2026-03-01&format=csv", headers=bearer(k.structure))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date", "Mouvement", "Chèque"]
    by_move = {r[1]: r for r in rows[1:]}
    assert by_move["Reste dû au début de la période"][6] == "2000"
    assert by_move["Encaissement"][2] == cheques[2].serial and by_move["Encaissement"][7] == "10,00"
    assert by_move["Remboursement"][6] == "-2000" and by_move["Remboursement"][8] == paid["end_to_end_id"]
    assert by_move["Reste dû à la fin de la période"][6] == "1000"

    pdf = client.get(f"{url}.pdf?from=2026-03-01", headers=bearer(k.structure))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "releve-structure-2026-03-01-2026-03-16.pdf" in pdf.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert w.structure.name in text and w.structure.siret in text
    assert "Période du 1er mars 2026 au 16 mars 2026" in text and "page 1 / 1" in text
    assert cheques[2].serial in text and paid["end_to_end_id"] in text and "Atelier collectif" in text


def test_the_schema_says_the_period_and_the_files(client, ledger_world):
    schema = client.get("/schema/openapi.json").json()
    statement = schema["paths"]["/v1/structures/{structure_id}/statement"]["get"]
    assert {"from", "to", "limit", "cursor", "format"} <= {p["name"] for p in statement["parameters"]}
    assert "text/csv" in statement["responses"]["200"]["content"]
    assert (
        "application/pdf"
        in schema["paths"]["/v1/structures/{structure_id}/statement.pdf"]["get"]["responses"]["200"]["content"]
    )
