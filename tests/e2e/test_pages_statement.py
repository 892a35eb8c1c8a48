"""The structure's statement page: a period (this month by default, quick choices), its balances, lines in
keyset pages, settlements, the French message next to a faulty date, and the CSV and PDF of the period."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from api.web.render import euros
from ledger import types as t
from tests import scenario as s
from tests.e2e.web import sign_in


def test_the_statement_of_last_month_and_its_files(client, accounts, ledger_world, stamped):
    ledger, w, _ = ledger_world
    stamped.today = date(2026, 2, 2)
    cheques = s.book(ledger, w, count=4).cheques
    stamped.today = date(2026, 2, 20)
    for c in cheques[:3]:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 2, 19)))
    stamped.today = date(2026, 2, 25)
    ledger.settle(s.ADMIN, t.NewSettlement(through=date(2026, 2, 20)))
    stamped.today = date(2026, 3, 16)
    ledger.redeem(w.structure_actor, s.redemption(cheques[3].serial, cheques[3].code, date(2026, 3, 16)))
    sign_in(client, accounts.structure)

    this_month = client.get("/structure/releve").text
    assert 'value="2026-03-01"' in this_month and cheques[3].serial in this_month
    assert cheques[0].serial not in this_month
    assert 'href="/structure/releve?du=2026-02-01&amp;au=2026-02-28"' in this_month  # « Le mois dernier »

    february = client.get("/structure/releve?du=2026-02-01&au=2026-02-28").text
    assert all(c.serial in february for c in cheques[:3]) and cheques[3].serial not in february
    assert f'id="du-fin">{euros(0)}<' in february and f'id="paye-fin">{euros(3000)}<' in february
    assert "FR76" in february and "ordonnancé" in february

    csv = client.get("/structure/releve.csv?du=2026-02-01&au=2026-02-28")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert csv.content.decode("utf-8-sig").count("Encaissement;") == 3
    pdf = client.get("/structure/releve.pdf?du=2026-02-01&au=2026-02-28")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Période du 1er février 2026 au 28 février 2026" in text and cheques[0].serial in text


def test_a_faulty_period_is_said_next_to_its_field(client, accounts, ledger_world, stamped):
    sign_in(client, accounts.structure)
    backwards = client.get("/structure/releve?du=2026-03-10&au=2026-03-01")
    assert backwards.status_code == 400
    assert re.search(r'id="f-au-error">[^<]*doit être le même jour que son début ou après', backwards.text)
    assert 'aria-invalid="true"' in backwards.text and "Impossible" in backwards.text
    future = client.get("/structure/releve?du=2026-03-01&au=2026-04-01")
    assert future.status_code == 400 and re.search(r'id="f-au-error">[^<]*après aujourd', future.text)
    garbled = client.get("/structure/releve?du=mars")
    assert garbled.status_code == 400 and re.search(r'id="f-du-error">Du : une date au format', garbled.text)
    assert client.get("/structure/releve.csv?du=2026-03-10&au=2026-03-01").status_code == 400


def test_long_periods_come_in_pages(client, accounts, ledger_world, stamped, monkeypatch):
    ledger, w, _ = ledger_world
    monkeypatch.setattr("api.web.pages_statement.PER_PAGE", 2)
    stamped.today = date(2026, 3, 2)
    cheques = s.book(ledger, w, count=5).cheques
    for c in cheques:
        ledger.redeem(w.structure_actor, s.redemption(c.serial, c.code, date(2026, 3, 2)))
    stamped.today = date(2026, 3, 16)
    sign_in(client, accounts.structure)
    seen, url = [], "/structure/releve"
    while url:
        html = client.get(url).text
        seen += [c.serial for c in cheques if c.serial in html]
        more = re.search(r'id="suite" href="([^"]+)"', html)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert sorted(seen) == sorted(c.serial for c in cheques) and len(seen) == 5
