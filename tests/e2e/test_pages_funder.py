"""Funder pages over HTTP: the figures are the API's, the chart's points are the reconciliation as of
each day, the journal filters, the CSV and the PDF statement; only one's own funder."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from api.web.render import euros
from paper.text import euros as paper_euros
from tests import scenario as s
from tests.e2e.web import sign_in


@pytest.fixture
def activity(ledger_world, clock):
    ledger, w, _ = ledger_world
    book = s.book(ledger, w, count=3, face_value_cents=2000)
    first = book.cheques[0]
    ledger.redeem(w.structure_actor, s.redemption(first.serial, first.code, clock.today))
    return book


def test_the_funder_sees_the_apis_figures(client, accounts, ledger_world, activity):
    ledger, _, _ = ledger_world
    sign_in(client, accounts.funder)
    page = client.get("/financeur")
    assert page.status_code == 200
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    assert rec.redeemed_cents == 2000 and rec.reserved_cents == 4000
    for element, cents in [
        ("encaisse", rec.redeemed_cents),
        ("reserve", rec.reserved_cents),
        ("disponible", rec.available_cents),
    ]:
        assert f'id="{element}">{euros(cents)}<' in page.text
    assert 'class="chart" role="img"' in page.text and "Équilibré" in page.text


def test_every_point_of_the_chart_is_the_reconciliation_of_that_day(ledger_world, activity):
    ledger, _, _ = ledger_world
    points = ledger.money_over_time(s.ADMIN, "DEPT26")
    assert points
    for p in points:
        rec = ledger.reconciliation(s.ADMIN, "DEPT26", p.day)
        assert (p.available_cents, p.reserved_cents, p.redeemed_cents, p.paid_cents) == (
            rec.available_cents,
            rec.reserved_cents,
            rec.redeemed_cents,
            rec.paid_cents,
        )


def test_journal_filters_and_csv(client, accounts, ledger_world, activity):
    sign_in(client, accounts.funder)
    everything = client.get("/financeur/journal")
    assert (
        everything.status_code == 200
        and "Chèque encaissé" in everything.text
        and "Convention signée" in everything.text
    )
    redeemed = client.get("/financeur/journal?type=cheque_redeemed")
    assert "Chèque encaissé" in redeemed.text and "Convention signée</td>" not in redeemed.text
    rows = list(
        csv.reader(
            io.StringIO(client.get("/financeur/journal.csv?type=cheque_issued").content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0][0] == "Position" and len(rows) == 1 + 3
    assert {r[3] for r in rows[1:]} == {"Chèque émis"} and sum(int(r[7]) for r in rows[1:]) == 6000
    assert client.get("/financeur/journal?du=hier").status_code == 400


def test_statement_pdf_totals_are_the_reconciliation(client, accounts, ledger_world, activity):
    ledger, _, _ = ledger_world
    sign_in(client, accounts.funder)
    pdf = client.get("/financeur/releve.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    rec = ledger.reconciliation(s.ADMIN, "DEPT26")
    for cents in (rec.committed_cents, rec.available_cents, rec.reserved_cents, rec.redeemed_cents):
        assert paper_euros(cents).replace(" euros", "") in text


def test_a_funder_sees_only_its_own_figures(client, accounts):
    sign_in(client, accounts.funder)
    assert "DEPT26" in client.get("/financeur?code=CAF26").text, "the code parameter is ignored for a funder"
    sign_in(client, accounts.prescriber)
    assert client.get("/financeur").status_code == 403
    sign_in(client, accounts.admin)
    assert client.get("/financeur?code=CAF26").status_code == 200
